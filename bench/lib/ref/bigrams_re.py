"""Bigram counts in Python: the words of each lowercased file (re.findall),
zip with themselves shifted by one, counted with collections.Counter.
usage: bigrams_re.py FILELIST  (NUL-separated paths)"""
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
            words = WORD.findall(f.read().lower())
        counts.update(zip(words, words[1:]))
    out = sys.stdout
    for (a, b), n in sorted(counts.items(), key=lambda kv: (-kv[1], kv[0])):
        out.write(f"{n}\t{a} {b}\n")


main()
