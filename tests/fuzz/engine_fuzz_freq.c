/* engine_fuzz_freq.c — libFuzzer: cr_freq_add_text and cr_text_segments,
 * which take the tokenizer's fast paths themselves, against counting and
 * interning every token of the general path one by one, on any bytes under
 * options taken from the first two bytes; aborts when they differ. */
#include <stdint.h>
#include <stdlib.h>
#include <string.h>

#include "countext.h"

static cr_buf nb;

/* cr_text_segments' ids, all segments one after another. */
typedef struct { uint32_t *ids; size_t n, cap; } idlist;

static int collect(void *ud, const uint32_t *ids, size_t n) {
    idlist *l = ud;
    if (l->n + n > l->cap) {
        size_t cap = (l->n + n) * 2;
        uint32_t *p = realloc(l->ids, cap * sizeof *p);
        if (!p) abort();
        l->ids = p;
        l->cap = cap;
    }
    memcpy(l->ids + l->n, ids, n * sizeof *ids);
    l->n += n;
    return 0;
}

/* The general path's tokens one by one, normalised: added to c (ids NULL),
 * or interned in c with their ids collected in ids. */
static void plainly(cr_counter *c, const char *s, size_t len, const cr_textopts *o, idlist *ids) {
    cr_tokenizer t;
    cr_token tok;
    cr_tokenizer_init(&t, s, len, &o->tok);
    t.fast = 0;
    while (cr_tokenizer_next(&t, &tok)) {
        if (!(o->kinds & CR_KIND_BIT(tok.kind))) continue;
        if (cr_normalize(&nb, s + tok.start, tok.stop - tok.start, o->level)) abort();
        const char *key = nb.data ? nb.data : "";
        if (!ids) {
            if (cr_counter_add(c, key, nb.len, 1)) abort();
            continue;
        }
        int64_t id = cr_counter_intern(c, key, nb.len);
        if (id < 0) abort();
        uint32_t u = (uint32_t)id;
        collect(ids, &u, 1);
    }
}

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size) {
    if (size < 2) return 0;
    unsigned f = data[0] | (unsigned)data[1] << 8;
    cr_textopts o;
    cr_textopts_default(&o);
    o.tok.tailor = !(f & 1);
    o.tok.hyphens = (f & 2) ? CR_HYPHENS_SPLIT : CR_HYPHENS_JOIN;
    o.tok.possessive = (cr_possessive)((f >> 2) % 3);
    o.tok.elisions = (f & 16) ? 1 : -1;
    o.tok.lang = (f & 32) ? "fr" : NULL;
    o.tok.urls = !(f & 64);
    o.tok.emails = !(f & 128);
    o.level = (cr_norm_level)((f >> 8) & 3);
    static const unsigned kinds[] = { CR_KINDS_WORDS, CR_KIND_BIT(CR_TOK_WORD),
                                      CR_KINDS_WORDS | CR_KIND_BIT(CR_TOK_EMOJI), ~0u };
    o.kinds = kinds[(f >> 10) & 3];
    const char *text = (const char *)data + 2;
    size_t len = size - 2;
    cr_counter a, b;
    cr_counter_init(&a);
    cr_counter_init(&b);
    cr_textscratch sc = { 0 };
    /* twice, so that the second pass finds its keys in the cache */
    for (int pass = 0; pass < 2; pass++) {
        if (cr_freq_add_text(&a, text, len, &o, &sc)) abort();
        plainly(&b, text, len, &o, NULL);
        if (a.size != b.size || a.total != b.total) abort();
        for (size_t i = 0; i < a.size; i++) {
            size_t n = cr_centry_len(&a.entries[i]);
            if (n != cr_centry_len(&b.entries[i]) || memcmp(a.entries[i].key, b.entries[i].key, n)
                || a.entries[i].count != b.entries[i].count)
                abort();
        }
    }
    /* the same text as ids, whole or by sentence (bit 12) */
    cr_counter va, vb;
    cr_counter_init(&va);
    cr_counter_init(&vb);
    o.sentences = (f >> 12) & 1;
    for (int pass = 0; pass < 2; pass++) {
        idlist la = { 0 }, lb = { 0 };
        if (cr_text_segments(&va, text, len, &o, &sc, collect, &la)) abort();
        plainly(&vb, text, len, &o, &lb);
        if (la.n != lb.n || (la.n && memcmp(la.ids, lb.ids, la.n * sizeof *la.ids)) || va.size != vb.size)
            abort();
        free(la.ids);
        free(lb.ids);
    }
    cr_counter_free(&va);
    cr_counter_free(&vb);
    cr_textscratch_free(&sc);
    cr_counter_free(&a);
    cr_counter_free(&b);
    return 0;
}
