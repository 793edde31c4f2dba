/* tok_fastpath.c — the fast paths give what the general paths give: the
 * tokenizer's ASCII word path (cr_tokenizer.fast) against the general path,
 * and the short ASCII keys (asciikey.h) against cr_normalize, on random text
 * built from the characters the rules look at and on Brown files, under
 * many option sets. */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "asciikey.h"
#include "sentbreak.h"
#include "tap.h"
#include "tokenizer.h"

static unsigned long long rng = 0x9e3779b97f4a7c15ull;
static unsigned rnd(unsigned n) {
    rng ^= rng << 13;
    rng ^= rng >> 7;
    rng ^= rng << 17;
    return (unsigned)(rng % n);
}

/* Pieces that the word and sentence rules and the tailoring look at. */
static const char *const pieces[] = {
    "a", "b", "Z", "s", "S", "h", "w", "f", "t", "x", "0", "7", "1st", "the", "The", "Iran",
    "http", "https://", "www.", "ftp://", "://", "/", ".", ",", ";", ":", "'", "\xe2\x80\x99",
    "_", "-", "\xe2\x80\x90", "@", "#", "%", "+", "!", "?", "\"", "(", ")", " ", " ", " ", "  ",
    "\t", "\n", "\r\n", "\r", "\xc3\xa9", "e\xcc\x81", "\xe2\x80\x8d", "\xc2\xad", "\xd7\x90",
    "\xe3\x82\xa2", "\xef\xbc\x83", "\xf0\x9f\x98\x80", "\xe2\x80\x80", "\x00", "\xff", "l'",
    "qu'", "U.S.", "e.g.", "co-op", "'s", "\xe2\x80\x99s", "mr.", "Dr. ", "A. ", "x@y.org",
    "12,5", "3.14", "ABCDEFGHIJKLMNOPQRSTU", "abcdefgh", "abcdefghi",
};
#define NPIECES (sizeof pieces / sizeof pieces[0])

static size_t random_text(char *buf, size_t cap) {
    size_t n = 0, want = 1 + rnd((unsigned)cap / 4);
    while (n < want) {
        const char *p = pieces[rnd(NPIECES)];
        size_t l = *p ? strlen(p) : 1; /* "\x00" is one NUL byte */
        if (n + l > cap) break;
        memcpy(buf + n, p, l);
        n += l;
    }
    return n;
}

static void set_opts(cr_tokenizer_opts *o, unsigned flags) {
    cr_tokenizer_opts_default(o);
    o->tailor = !(flags & 1);
    o->hyphens = (flags & 2) ? CR_HYPHENS_SPLIT : CR_HYPHENS_JOIN;
    o->possessive = (cr_possessive)((flags >> 2) % 3);
    o->elisions = (flags & 16) ? 1 : -1;
    o->spaces = (flags & 32) != 0;
    o->sentences = (flags & 64) != 0;
    o->lang = (flags & 128) ? "fr" : NULL;
    o->urls = !(flags & 256);
    o->emails = !(flags & 512);
}

static cr_buf nb;

/* 1 when the fast and general paths agree on every token, and every short
 * ASCII key equals its normalised form at every level. */
static int same(const char *s, size_t len, const cr_tokenizer_opts *o, size_t *ntok, size_t *nkeys) {
    cr_tokenizer a, b;
    cr_token x, y;
    cr_tokenizer_init(&a, s, len, o);
    cr_tokenizer_init(&b, s, len, o);
    b.fast = 0;
    for (;;) {
        int ra = cr_tokenizer_next(&a, &x), rb = cr_tokenizer_next(&b, &y);
        if (ra != rb) return 0;
        if (!ra) return 1;
        if (x.start != y.start || x.stop != y.stop || x.kind != y.kind || x.sentence != y.sentence) {
            printf("# fast [%zu,%zu) %d, general [%zu,%zu) %d\n", x.start, x.stop, (int)x.kind, y.start,
                   y.stop, (int)y.kind);
            return 0;
        }
        ++*ntok;
        for (int level = CR_NORM_RAW; level <= CR_NORM_KEY; level++) {
            cr_akey k;
            if (!cr_akey_make(&k, s, len, x.start, x.stop, (cr_norm_level)level)) continue;
            char kb[16];
            cr_akey_bytes(&k, kb);
            if (cr_normalize(&nb, s + x.start, x.stop - x.start, (cr_norm_level)level)) return 0;
            if (k.len != nb.len || memcmp(kb, nb.data, nb.len)) {
                printf("# key of [%zu,%zu) at level %d differs\n", x.start, x.stop, level);
                return 0;
            }
            ++*nkeys;
        }
    }
}

/* Sentence boundaries (exact UAX #29) of s and of the same text with every
 * ASCII letter and digit replaced by a non-ASCII character of the same
 * Sentence_Break value, which the ASCII scan of cr_sb_next cannot skip:
 * 1 when they are the same boundaries. */
static int same_sentences(const char *s, size_t len) {
    char *w = malloc(len * 2 + 1);
    size_t *map = malloc((len + 1) * sizeof *map);
    size_t o = 0;
    for (size_t i = 0; i < len; i++) {
        unsigned char c = (unsigned char)s[i];
        map[i] = o;
        if (c >= 'a' && c <= 'z') { w[o++] = (char)0xC3; w[o++] = (char)0xA0; }      /* U+00E0 Lower */
        else if (c >= 'A' && c <= 'Z') { w[o++] = (char)0xC3; w[o++] = (char)0x80; } /* U+00C0 Upper */
        else if (c >= '0' && c <= '9') { w[o++] = (char)0xD9; w[o++] = (char)0xA0; } /* U+0660 Numeric */
        else w[o++] = (char)c;
    }
    map[len] = o;
    int same = 1;
    size_t p = 0, q = 0;
    while (p < len && same) {
        size_t np = cr_sb_next(s, len, p, NULL), nq = cr_sb_next(w, o, q, NULL);
        same = nq == map[np];
        p = np;
        q = nq;
    }
    free(w);
    free(map);
    return same;
}

static char *slurp(const char *path, size_t *len) {
    FILE *f = fopen(path, "rb");
    if (!f) return NULL;
    size_t cap = 1 << 16, n = 0, r;
    char *buf = malloc(cap);
    while (buf && (r = fread(buf + n, 1, cap - n, f)) > 0) {
        n += r;
        if (n == cap) {
            char *nbuf = realloc(buf, cap *= 2);
            if (!nbuf) { free(buf); buf = NULL; }
            buf = nbuf;
        }
    }
    fclose(f);
    *len = n;
    return buf;
}

int main(void) {
    static char text[4096];
    size_t ntok = 0, nkeys = 0, bad = 0;
    for (int round = 0; round < 20000; round++) {
        /* exact-size copies, so that reading past the end shows under ASan */
        size_t n = random_text(text, sizeof text);
        char *s = malloc(n ? n : 1);
        memcpy(s, text, n);
        cr_tokenizer_opts o;
        set_opts(&o, (unsigned)round);
        if (!same(s, n, &o, &ntok, &nkeys) && bad++ < 5) printf("# round %d differs\n", round);
        free(s);
    }
    size_t sbad = 0;
    for (int round = 0; round < 5000; round++) {
        size_t n = random_text(text, sizeof text);
        char *s = malloc(n ? n : 1);
        memcpy(s, text, n);
        sbad += !same_sentences(s, n);
        free(s);
    }
    is_int(sbad, 0, "random text: sentence boundaries do not depend on the ASCII scan");
    is_int(bad, 0, "random text: the fast paths agree with the general paths (%zu tokens, %zu keys)",
           ntok, nkeys);
    ok(ntok > 100000 && nkeys > 10000, "random text exercised the fast paths");

    const char *root = getenv("CORPUSRUN_ROOT");
    const char *files[] = { "ca01.txt", "cg22.txt", "cj01.txt" };
    for (size_t f = 0; f < 3; f++) {
        char path[4096];
        snprintf(path, sizeof path, "%s/tests/data/load/brown/%s", root ? root : ".", files[f]);
        size_t len = 0;
        char *s = slurp(path, &len);
        if (!ok(s != NULL, "read %s", path)) continue;
        int all = 1;
        ntok = nkeys = 0;
        for (unsigned flags = 0; flags < 1024; flags += 37) {
            cr_tokenizer_opts o;
            set_opts(&o, flags);
            all &= same(s, len, &o, &ntok, &nkeys);
        }
        ok(same_sentences(s, len), "Brown %s: sentence boundaries do not depend on the ASCII scan", files[f]);
        ok(all, "Brown %s: the fast paths agree with the general paths (%zu tokens, %zu keys)", files[f],
           ntok, nkeys);
        free(s);
    }
    cr_buf_free(&nb);
    return tap_done();
}
