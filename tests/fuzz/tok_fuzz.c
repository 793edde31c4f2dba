/* tok_fuzz.c — libFuzzer harness for the tokenizer core: word and sentence
 * segmentation, tailored tokens, normalisation and display width on
 * arbitrary bytes.  The first input byte chooses the options.  Checks: no
 * crash or sanitizer report, every span inside the text, spans in order,
 * segmentation always advances, normalised output is valid UTF-8.
 * Build and run: make fuzz (FUZZ_SECONDS=N, default 60). */
#include <stdint.h>
#include <stdlib.h>
#include <string.h>
#include <utf8proc.h>

#include "sentbreak.h"
#include "tokenizer.h"
#include "wordbreak.h"

static void check(int cond) {
    if (!cond) abort();
}

static void valid_utf8(const cr_buf *b) {
    utf8proc_ssize_t i = 0, n = (utf8proc_ssize_t)b->len;
    while (i < n) {
        utf8proc_int32_t cp;
        utf8proc_ssize_t k = utf8proc_iterate((const utf8proc_uint8_t *)b->data + i, n - i, &cp);
        check(k > 0);
        i += k;
    }
    check(b->data[b->len] == 0);
}

static void segments(const char *s, size_t len) {
    size_t pos = 0;
    while (pos < len) {
        uint32_t seen;
        size_t next = cr_wb_next(s, len, pos, &seen);
        check(next > pos && next <= len);
        pos = next;
    }
    cr_sb_tailor tl = { CR_ABBREVS_ALL, NULL, 1, 1 };
    for (int tailored = 0; tailored < 2; tailored++) {
        pos = 0;
        while (pos < len) {
            size_t next = cr_sb_next(s, len, pos, tailored ? &tl : NULL);
            check(next > pos && next <= len);
            pos = next;
        }
    }
}

static void tokens(const char *s, size_t len, unsigned flags) {
    cr_tokenizer_opts o;
    cr_tokenizer_opts_default(&o);
    o.tailor = !(flags & 1);
    o.hyphens = (flags & 2) ? CR_HYPHENS_SPLIT : CR_HYPHENS_JOIN;
    o.possessive = (cr_possessive)((flags >> 2) % 3);
    o.elisions = (flags & 16) ? 1 : -1;
    o.spaces = (flags & 32) != 0;
    o.sentences = (flags & 64) != 0;
    o.lang = (flags & 128) ? "fr" : NULL;
    cr_tokenizer t;
    cr_token tok;
    cr_tokenizer_init(&t, s, len, &o);
    size_t last = 0, sentence = 0, covered = 0;
    cr_buf b = { 0 };
    while (cr_tokenizer_next(&t, &tok)) {
        check(tok.start >= last && tok.stop > tok.start && tok.stop <= len);
        check((unsigned)tok.kind < CR_TOK__COUNT);
        check(tok.sentence >= sentence);
        if (o.spaces && o.possessive != CR_POSSESSIVE_STRIP) check(tok.start == last);
        sentence = tok.sentence;
        covered += tok.stop - tok.start;
        last = tok.stop;
        check(cr_normalize(&b, s + tok.start, tok.stop - tok.start, CR_NORM_KEY) == 0);
    }
    if (o.spaces && o.possessive != CR_POSSESSIVE_STRIP) check(covered == len);
    cr_buf_free(&b);
}

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size) {
    if (size < 1) return 0;
    unsigned flags = data[0];
    size_t len = size - 1;
    char *s = malloc(len ? len : 1); /* exact size, so overreads are caught */
    if (!s) return 0;
    memcpy(s, data + 1, len);
    segments(s, len);
    tokens(s, len, flags);
    cr_buf b = { 0 };
    for (int level = CR_NORM_RAW; level <= CR_NORM_KEY; level++) {
        check(cr_normalize(&b, s, len, (cr_norm_level)level) == 0);
        valid_utf8(&b);
    }
    cr_buf_free(&b);
    (void)cr_display_width(s, len);
    free(s);
    return 0;
}
