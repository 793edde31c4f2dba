"""Window co-occurrence in Python: the words of each lowercased file
(re.findall); every unordered pair of words at most W apart (default 5)
counted with collections.Counter; the 1000 most frequent pairs printed.
usage: cooc_re.py FILELIST [W]"""
import re
import sys
from collections import Counter

WORD = re.compile(r"[^\W\d_]+")


def main():
    with open(sys.argv[1], "rb") as f:
        paths = [p for p in f.read().split(b"\0") if p]
    window = int(sys.argv[2]) if len(sys.argv) > 2 else 5
    counts = Counter()
    for path in paths:
        with open(path, encoding="utf-8", errors="replace") as f:
            words = WORD.findall(f.read().lower())
        for d in range(1, window + 1):
            counts.update((a, b) if a <= b else (b, a) for a, b in zip(words, words[d:]))
    out = sys.stdout
    for (a, b), n in sorted(counts.items(), key=lambda kv: (-kv[1], kv[0]))[:1000]:
        out.write(f"{n}\t{a}\t{b}\n")
    out.write(f"pairs\t{len(counts)}\n")


main()
