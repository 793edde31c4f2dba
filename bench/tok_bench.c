/* tok_bench.c — throughput of the tokenizer core on files, for bench/40_tokenize.sh.
 *
 *   build/tok_bench MODE < NUL-separated file list
 *
 * MODE: segment (UAX #29 word boundaries only), tokens (tailored tokens with
 * kinds), words (word and number tokens normalised with casefold, as
 * tokenize.words does), sentences (tailored sentence boundaries).  Prints the
 * number of segments, tokens, words or sentences; the time is measured
 * outside, like the reference commands', file reading included. */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "sentbreak.h"
#include "tokenizer.h"
#include "wordbreak.h"

static size_t run(const char *mode, const char *s, size_t len, cr_buf *b) {
    size_t n = 0;
    if (!strcmp(mode, "segment")) {
        for (size_t pos = 0; pos < len; n++) pos = cr_wb_next(s, len, pos, NULL);
        return n;
    }
    cr_tokenizer_opts o;
    cr_tokenizer_opts_default(&o);
    cr_tokenizer t;
    cr_token tok;
    if (!strcmp(mode, "sentences")) {
        cr_tokenizer_init(&t, s, len, &o);
        for (size_t pos = 0; pos < len; n++) pos = cr_tokenizer_sentence_end(&t, pos);
        return n;
    }
    int words = !strcmp(mode, "words");
    if (words) o.kinds = CR_KINDS_WORDS;
    cr_tokenizer_init(&t, s, len, &o);
    while (cr_tokenizer_next(&t, &tok)) {
        if (words && cr_normalize(b, s + tok.start, tok.stop - tok.start, CR_NORM_CASEFOLD) < 0) {
            fprintf(stderr, "tok_bench: out of memory\n");
            exit(1);
        }
        n++;
    }
    return n;
}

int main(int argc, char **argv) {
    if (argc != 2 || (strcmp(argv[1], "segment") && strcmp(argv[1], "tokens") && strcmp(argv[1], "words")
                      && strcmp(argv[1], "sentences"))) {
        fprintf(stderr, "usage: tok_bench segment|tokens|words|sentences < NUL-separated file list\n");
        return 2;
    }
    char *path = NULL, *data = NULL;
    size_t pcap = 0, dcap = 0, total = 0;
    cr_buf b = { 0 };
    ssize_t plen;
    while ((plen = getdelim(&path, &pcap, 0, stdin)) > 0) {
        FILE *f = fopen(path, "rb");
        if (!f) { perror(path); return 1; }
        size_t len = 0, got;
        for (;;) {
            if (len + 65536 > dcap) {
                dcap = dcap ? dcap * 2 : 1 << 20;
                char *d = realloc(data, dcap);
                if (!d) { fprintf(stderr, "tok_bench: out of memory\n"); return 1; }
                data = d;
            }
            got = fread(data + len, 1, dcap - len, f);
            len += got;
            if (got == 0) break;
        }
        if (ferror(f)) { perror(path); return 1; }
        fclose(f);
        total += run(argv[1], data, len, &b);
    }
    printf("%zu\n", total);
    free(path);
    free(data);
    cr_buf_free(&b);
    return 0;
}
