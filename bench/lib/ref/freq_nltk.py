"""Word frequencies with NLTK: word_tokenize + FreqDist over lowercased tokens.
preserve_line=True skips NLTK's sentence splitter, whose model (punkt) is not
part of the Debian package.
usage: freq_nltk.py FILELIST  (NUL-separated paths)"""
import sys

from nltk import FreqDist
from nltk.tokenize import word_tokenize


def main():
    with open(sys.argv[1], "rb") as f:
        paths = [p for p in f.read().split(b"\0") if p]
    fd = FreqDist()
    for path in paths:
        with open(path, encoding="utf-8", errors="replace") as f:
            fd.update(w.lower() for w in word_tokenize(f.read(), preserve_line=True))
    out = sys.stdout
    for word, n in sorted(fd.items(), key=lambda kv: (-kv[1], kv[0])):
        out.write(f"{n}\t{word}\n")


main()
