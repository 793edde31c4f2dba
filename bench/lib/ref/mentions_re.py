"""Mention counts in Python: one case-insensitive regular expression of all
names (longest first, as whole words), finditer over each file, Counter of the
lowercased match.
usage: mentions_re.py NAMES FILELIST"""
import re
import sys
from collections import Counter


def main():
    with open(sys.argv[1], encoding="utf-8") as f:
        names = sorted({line.strip() for line in f if line.strip()}, key=lambda s: (-len(s), s))
    pattern = re.compile(r"(?<!\w)(?:" + "|".join(map(re.escape, names)) + r")(?!\w)", re.IGNORECASE)
    with open(sys.argv[2], "rb") as f:
        paths = [p for p in f.read().split(b"\0") if p]
    counts = Counter()
    for path in paths:
        with open(path, encoding="utf-8", errors="replace") as f:
            counts.update(m.group(0).lower() for m in pattern.finditer(f.read()))
    out = sys.stdout
    for name, n in sorted(counts.items(), key=lambda kv: (-kv[1], kv[0])):
        out.write(f"{n}\t{name}\n")


main()
