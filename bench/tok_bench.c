/* tok_bench.c — throughput of the tokenizer core on files, for bench/40_tokenize.sh.
 *
 *   build/tok_bench MODE [REPS] < NUL-separated file list
 *
 * MODE: segment (UAX #29 word boundaries only), tokens (tailored tokens with
 * kinds), words (word and number tokens normalised with casefold, as
 * tokenize.words does), sentences (tailored sentence boundaries).  Prints the
 * number of segments, tokens, words or sentences on stdout, and on stderr
 * the CPU time of the tokenizer alone (files are read into memory first),
 * the best of REPS passes (default 1), as MB/s and items/s. */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>

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

static double cpu_seconds(void) {
    struct timespec ts;
    clock_gettime(CLOCK_THREAD_CPUTIME_ID, &ts);
    return (double)ts.tv_sec + (double)ts.tv_nsec * 1e-9;
}

int main(int argc, char **argv) {
    const char *mode = argc >= 2 ? argv[1] : "";
    int reps = argc >= 3 ? atoi(argv[2]) : 1;
    if (argc < 2 || argc > 3 || reps < 1
        || (strcmp(mode, "segment") && strcmp(mode, "tokens") && strcmp(mode, "words") && strcmp(mode, "sentences"))) {
        fprintf(stderr, "usage: tok_bench segment|tokens|words|sentences [REPS] < NUL-separated file list\n");
        return 2;
    }
    /* Every file into memory first; the timed part is the tokenizer only. */
    char *path = NULL, *data = NULL;
    size_t pcap = 0, dcap = 0, len = 0, ndocs = 0, cap_docs = 0;
    size_t *ends = NULL;
    ssize_t plen;
    while ((plen = getdelim(&path, &pcap, 0, stdin)) > 0) {
        FILE *f = fopen(path, "rb");
        if (!f) { perror(path); return 1; }
        size_t got;
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
        if (ndocs == cap_docs) {
            cap_docs = cap_docs ? cap_docs * 2 : 1024;
            size_t *e = realloc(ends, cap_docs * sizeof *e);
            if (!e) { fprintf(stderr, "tok_bench: out of memory\n"); return 1; }
            ends = e;
        }
        ends[ndocs++] = len;
    }
    cr_buf b = { 0 };
    size_t total = 0;
    double best = 0;
    for (int r = 0; r < reps; r++) {
        double t0 = cpu_seconds();
        total = 0;
        for (size_t i = 0, start = 0; i < ndocs; start = ends[i], i++)
            total += run(mode, data + start, ends[i] - start, &b);
        double t = cpu_seconds() - t0;
        if (r == 0 || t < best) best = t;
    }
    printf("%zu\n", total);
    if (best > 0)
        fprintf(stderr, "tok_bench %s: %zu items, %.1f MB in %.3f s CPU (best of %d): %.0f MB/s, %.2f M items/s\n",
                mode, total, (double)len / 1e6, best, reps, (double)len / 1e6 / best, (double)total / 1e6 / best);
    free(path);
    free(data);
    free(ends);
    cr_buf_free(&b);
    return 0;
}
