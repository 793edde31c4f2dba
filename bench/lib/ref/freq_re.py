"""Word frequencies the way an analyst would write them in Python: re.findall
over each lowercased file, counted with collections.Counter.
usage: freq_re.py FILELIST  (NUL-separated paths)"""
import re
import sys
from collections import Counter

WORD = re.compile(r"[^\W\d_]+")


def main():
    with open(sys.argv[1], "rb") as f:
        paths = [p for p in f.read().split(b"\0") if p]
    counts = Counter()
    for path in paths:
        with open(path, encoding="utf-8", errors="replace") as f:
            counts.update(WORD.findall(f.read().lower()))
    out = sys.stdout
    for word, n in sorted(counts.items(), key=lambda kv: (-kv[1], kv[0])):
        out.write(f"{n}\t{word}\n")


main()
