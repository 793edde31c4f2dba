/* engine_scan.c — the count and match cores over files, with no Lua: the
 * baselines of bench/40_engine.sh.
 *
 *   engine_scan tok  LIST        tokenise only (the bare tokenizer)
 *   engine_scan freq LIST        + casefold + count (count.freq's add_text)
 *   engine_scan cooc LIST        + co-occurrence, window 5
 *   engine_scan gaz  LIST TSV    the gazetteer of TSV over every file
 *
 * LIST is a file of NUL-separated paths (bench_files).  Prints one summary
 * line. */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "cooc.h"
#include "countext.h"
#include "gaztext.h"

static char *slurp(const char *path, size_t *len) {
    FILE *f = fopen(path, "rb");
    if (!f) { perror(path); exit(1); }
    cr_buf b = CR_BUF_INIT;
    size_t r;
    while (cr_buf_reserve(&b, 1 << 16) == 0 && (r = fread(b.data + b.len, 1, b.cap - b.len, f)) > 0)
        b.len += r;
    fclose(f);
    char *buf = cr_buf_detach(&b, len);
    if (!buf) { fputs("out of memory\n", stderr); exit(1); }
    return buf;
}

static int count_match(void *ud, const cr_gaz_hit *m) {
    (void)m;
    ++*(size_t *)ud;
    return 0;
}

int main(int argc, char **argv) {
    if (argc < 3 || (strcmp(argv[1], "gaz") == 0 && argc < 4)) {
        fputs("usage: engine_scan tok|freq|cooc LIST | gaz LIST TSV\n", stderr);
        return 2;
    }
    const char *mode = argv[1];
    size_t listlen;
    char *list = slurp(argv[2], &listlen);
    cr_textopts o;
    cr_textopts_default(&o);
    cr_textscratch s = { 0 };
    cr_counter freq;
    cr_counter_init(&freq);
    cr_cooc co;
    cr_cooc_init(&co, CR_COOC_WINDOW, 5);
    cr_gaztext gt;
    char err[512];
    if (strcmp(mode, "gaz") == 0) {
        cr_gaztext_init(&gt, CR_NORM_KEY, NULL);
        if (cr_gaztext_load_tsv(&gt, argv[3], err, sizeof err)) { fprintf(stderr, "%s\n", err); return 1; }
    }
    size_t tokens = 0, files = 0, bytes = 0, matches = 0;
    for (size_t p = 0; p < listlen;) {
        const char *path = list + p;
        size_t plen = strnlen(path, listlen - p);
        p += plen + 1;
        if (plen == 0) continue;
        char name[4096];
        snprintf(name, sizeof name, "%.*s", (int)plen, path);
        size_t len;
        char *text = slurp(name, &len);
        files++;
        bytes += len;
        int e = 0;
        if (strcmp(mode, "tok") == 0) {
            cr_tokenizer t;
            cr_tokenizer_init(&t, text, len, NULL);
            cr_token tok;
            while (cr_tokenizer_next(&t, &tok)) tokens += (CR_KINDS_WORDS & CR_KIND_BIT(tok.kind)) != 0;
        } else if (strcmp(mode, "freq") == 0) {
            e = cr_freq_add_text(&freq, text, len, &o, &s);
        } else if (strcmp(mode, "cooc") == 0) {
            e = cr_cooc_add_text(&co, text, len, &o, &s);
        } else if (strcmp(mode, "gaz") == 0) {
            e = cr_gaztext_match(&gt, text, len, CR_GAZ_LONGEST, count_match, &matches);
        } else {
            fprintf(stderr, "engine_scan: unknown mode %s\n", mode);
            return 2;
        }
        if (e) { fprintf(stderr, "engine_scan: %s: %s\n", name, cr_strerror(e)); return 1; }
        free(text);
    }
    if (strcmp(mode, "freq") == 0) tokens = (size_t)freq.total;
    if (strcmp(mode, "cooc") == 0) tokens = (size_t)cr_cooc_n(&co);
    printf("%s: %zu files, %zu bytes, %zu tokens, %zu types, %zu pairs, %zu matches\n", mode, files, bytes,
           tokens, freq.size ? freq.size : co.vocab.size, co.pairs.size, matches);
    return 0;
}
