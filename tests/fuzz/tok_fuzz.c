/* tok_fuzz.c — libFuzzer harness for the tokenizer core: word and sentence
 * segmentation, tailored tokens, normalisation and display width on
 * arbitrary bytes.  The first input byte chooses the options.  Checks: no
 * crash or sanitizer report, every span inside the text, spans in order,
 * segmentation always advances, normalised output is valid UTF-8.
 * Build and run: make fuzz (FUZZ_TIME=N seconds, default 30). */
#include <stdint.h>
#include <stdlib.h>
#include <string.h>
#include <utf8proc.h>

#include "asciikey.h"
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

/* Differential check of the ASCII fast paths: the same text with ASCII
 * letters, digits, spaces and word punctuation replaced by non-ASCII
 * characters of the same Word_Break value must segment the same way. */
static const char *wide_of(unsigned char c) {
    if ((c | 32) >= 'a' && (c | 32) <= 'z') return "\xc3\xa0";   /* U+00E0 ALetter */
    if (c >= '0' && c <= '9') return "\xd9\xa0";                 /* U+0660 Numeric */
    switch (c) {
    case ' ': return "\xe2\x80\x80";                              /* U+2000 WSegSpace */
    case '.': return "\xef\xb9\x92";                              /* U+FE52 MidNumLet */
    case ',': return "\xef\xb9\x90";                              /* U+FE50 MidNum */
    case ';': return "\xef\xb9\x94";                              /* U+FE54 MidNum */
    case ':': return "\xef\xb9\x95";                              /* U+FE55 MidLetter */
    case '_': return "\xe2\x80\xbf";                              /* U+203F ExtendNumLet */
    case '!': return "\xef\xbc\x81";                              /* U+FF01 Other */
    default: return NULL;
    }
}

static void differential(const char *s, size_t len) {
    char *w = malloc(len * 3 + 1);
    size_t *map = malloc((len + 1) * sizeof *map);
    if (!w || !map) { free(w); free(map); return; }
    size_t o = 0;
    for (size_t i = 0; i < len; i++) {
        map[i] = o;
        const char *r = wide_of((unsigned char)s[i]);
        if (r) { memcpy(w + o, r, strlen(r)); o += strlen(r); }
        else w[o++] = s[i];
    }
    map[len] = o;
    size_t p = 0, q = 0;
    while (p < len) {
        size_t np = cr_wb_next(s, len, p, NULL);
        size_t nq = cr_wb_next(w, o, q, NULL);
        check(nq == map[np]);
        p = np;
        q = nq;
    }
    check(q == o);
    free(w);
    free(map);
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
    cr_tokenizer t, slow;
    cr_token tok, stok;
    cr_tokenizer_init(&t, s, len, &o);
    cr_tokenizer_init(&slow, s, len, &o);
    slow.fast = 0;
    size_t last = 0, sentence = 0, covered = 0;
    cr_buf b = { 0 };
    while (cr_tokenizer_next(&t, &tok)) {
        /* the ASCII word fast path returns what the general path returns */
        check(cr_tokenizer_next(&slow, &stok));
        check(tok.start == stok.start && tok.stop == stok.stop && tok.kind == stok.kind
              && tok.sentence == stok.sentence);
        check(tok.start >= last && tok.stop > tok.start && tok.stop <= len);
        check((unsigned)tok.kind < CR_TOK__COUNT);
        check(tok.sentence >= sentence);
        if (o.spaces && o.possessive != CR_POSSESSIVE_STRIP) check(tok.start == last);
        sentence = tok.sentence;
        covered += tok.stop - tok.start;
        last = tok.stop;
        for (int level = CR_NORM_RAW; level <= CR_NORM_KEY; level++) {
            check(cr_normalize(&b, s + tok.start, tok.stop - tok.start, (cr_norm_level)level) == 0);
            cr_akey k;
            if (cr_akey_make(&k, s, len, tok.start, tok.stop, (cr_norm_level)level)) {
                /* the short ASCII key is the normalised key */
                char kb[16];
                cr_akey_bytes(&k, kb);
                check(k.len == b.len && !memcmp(kb, b.data, b.len));
                for (size_t z = k.len; z < 16; z++) check(kb[z] == 0);
            }
        }
    }
    check(!cr_tokenizer_next(&slow, &stok));
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
    differential(s, len);
    tokens(s, len, flags);
    cr_buf b = { 0 };
    for (int level = CR_NORM_RAW; level <= CR_NORM_KEY; level++) {
        check(cr_normalize(&b, s, len, (cr_norm_level)level) == 0);
        valid_utf8(&b);
    }
    /* On valid UTF-8 without NUL, casefold and nfc are utf8proc's own. */
    if (!memchr(s, 0, len)) {
        utf8proc_int32_t cp;
        utf8proc_ssize_t i = 0, k = 0;
        while (i < (utf8proc_ssize_t)len && (k = utf8proc_iterate((const utf8proc_uint8_t *)s + i,
                                                                 (utf8proc_ssize_t)len - i, &cp)) > 0)
            i += k;
        if (i == (utf8proc_ssize_t)len) {
            char *z = malloc(len + 1);
            if (z) {
                memcpy(z, s, len);
                z[len] = 0;
                utf8proc_uint8_t *want = utf8proc_NFKC_Casefold((const utf8proc_uint8_t *)z);
                if (want) {
                    check(cr_normalize(&b, s, len, CR_NORM_CASEFOLD) == 0 && !strcmp(b.data, (char *)want));
                    free(want);
                }
                want = utf8proc_NFC((const utf8proc_uint8_t *)z);
                if (want) {
                    check(cr_normalize(&b, s, len, CR_NORM_NFC) == 0 && !strcmp(b.data, (char *)want));
                    free(want);
                }
                free(z);
            }
        }
    }
    cr_buf_free(&b);
    (void)cr_display_width(s, len);
    free(s);
    return 0;
}
