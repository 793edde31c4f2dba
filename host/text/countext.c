/* countext.c — tokenise, normalise, intern and count, all in C. */
#include "countext.h"

#include <stdlib.h>
#include <string.h>

#include "asciikey.h"

void cr_textopts_default(cr_textopts *o) {
    memset(o, 0, sizeof *o);
    cr_tokenizer_opts_default(&o->tok);
    o->level = CR_NORM_CASEFOLD;
    o->kinds = CR_KINDS_WORDS;
    o->sentences = 0;
}

/* ---- the key cache --------------------------------------------------------
 * Most tokens are short ASCII words, and a few thousand types make up most of
 * them.  A cache of their keys (folded and hashed in one pass, cr_akey_make)
 * in front of the counter turns the normalisation, the hash of the key bytes
 * and the probe of the counter's table (whose slots, entries and key bytes
 * are three cache misses once the vocabulary is large) into one look-up in a
 * table that stays in the CPU's cache.  Two-way set associative, the most
 * recent first; it grows with the counter's vocabulary up to KC_MAX_BITS
 * (1.5 MB: room for the 48 854 types of Brown; 2^14 slots missed 9 % of
 * its tokens), so that small counters stay small.  It holds ids of one counter
 * at one normalisation level; the counter's epoch tells when ids were
 * renumbered. */
#define KC_MIN_BITS 8
#define KC_MAX_BITS 16

typedef struct kc_slot {
    uint64_t k[2];
    uint32_t tag;        /* key length + 1; 0: empty */
    uint32_t id;
} kc_slot;

struct cr_keycache {
    const cr_counter *owner;
    uint64_t epoch;
    cr_norm_level level;
    unsigned bits;       /* 1 << bits slots, in pairs */
    kc_slot slots[];
};

/* The cache ready for counter c at level, or NULL (no cache: the general
 * path is taken for every token). */
static cr_keycache *cache_for(cr_textscratch *s, const cr_counter *c, cr_norm_level level) {
    if (!c->epoch) return NULL; /* a counter that was not initialised by cr_counter_init */
    cr_keycache *kc = s->cache;
    unsigned bits = KC_MIN_BITS;
    while (bits < KC_MAX_BITS && ((size_t)1 << bits) < 2 * c->size) bits++;
    if (!kc || kc->bits < bits) {
        free(kc);
        kc = s->cache = malloc(sizeof *kc + ((size_t)1 << bits) * sizeof(kc_slot));
        if (!kc) return NULL;
        kc->owner = NULL;
        kc->bits = bits;
    }
    if (kc->owner != c || kc->epoch != c->epoch || kc->level != level) {
        memset(kc->slots, 0, ((size_t)1 << kc->bits) * sizeof(kc_slot));
        kc->owner = c;
        kc->epoch = c->epoch;
        kc->level = level;
    }
    return kc;
}

void cr_textscratch_free(cr_textscratch *s) {
    cr_buf_free(&s->norm);
    free(s->ids);
    free(s->cache);
    memset(s, 0, sizeof *s);
}

static int push_id(cr_textscratch *s, uint32_t id) {
    if (s->nids == s->capids) {
        size_t cap = s->capids ? s->capids * 2 : 1024;
        uint32_t *p = realloc(s->ids, cap * sizeof *p);
        if (!p) return CR_ENOMEM;
        s->ids = p;
        s->capids = cap;
    }
    s->ids[s->nids++] = id;
    return CR_OK;
}

/* Interns the normalised key of tok (through the cache kc when not NULL). */
static inline int64_t intern_token(cr_counter *vocab, const char *text, size_t len, const cr_token *tok,
                                   cr_norm_level level, cr_textscratch *s, cr_keycache *kc) {
    cr_akey key;
    if (kc && cr_akey_make(&key, text, len, tok->start, tok->stop, level)) {
        kc_slot *set = &kc->slots[(cr_akey_hash(&key) >> (64 - kc->bits)) & ~(uint64_t)1];
        uint32_t tag = key.len + 1;
        if (set[0].tag == tag && set[0].k[0] == key.k[0] && set[0].k[1] == key.k[1]) return set[0].id;
        kc_slot x;
        if (set[1].tag == tag && set[1].k[0] == key.k[0] && set[1].k[1] == key.k[1]) {
            x = set[1];
        } else {
            char bytes[16];
            cr_akey_bytes(&key, bytes);
            int64_t id = cr_counter_intern(vocab, bytes, key.len);
            if (id < 0) return id;
            x = (kc_slot){ { key.k[0], key.k[1] }, tag, (uint32_t)id };
        }
        set[1] = set[0];
        set[0] = x;
        return x.id;
    }
    if (cr_normalize(&s->norm, text + tok->start, tok->stop - tok->start, level)) return CR_ENOMEM;
    return cr_counter_intern(vocab, s->norm.data ? s->norm.data : "", s->norm.len);
}

int cr_text_segments(cr_counter *vocab, const char *text, size_t len, const cr_textopts *o,
                     cr_textscratch *s, cr_segment_fn fn, void *ud) {
    cr_tokenizer_opts topts = o->tok;
    topts.sentences = o->sentences ? 1 : 0;
    cr_tokenizer t;
    cr_tokenizer_init(&t, text, len, &topts);
    cr_token tok;
    size_t sentence = 0;
    int e;
    cr_keycache *kc = cache_for(s, vocab, o->level);
    s->nids = 0;
    while (cr_tokenizer_next(&t, &tok)) {
        if (!(o->kinds & CR_KIND_BIT(tok.kind))) continue;
        if (o->sentences && tok.sentence != sentence) {
            if (s->nids && (e = fn(ud, s->ids, s->nids))) return e;
            s->nids = 0;
            sentence = tok.sentence;
        }
        int64_t id = intern_token(vocab, text, len, &tok, o->level, s, kc);
        if (id < 0) return (int)id;
        if ((e = push_id(s, (uint32_t)id))) return e;
    }
    if (s->nids && (e = fn(ud, s->ids, s->nids))) return e;
    s->nids = 0;
    return CR_OK;
}

int cr_freq_add_text(cr_counter *c, const char *text, size_t len, const cr_textopts *o,
                     cr_textscratch *s) {
    cr_tokenizer_opts topts = o->tok;
    topts.sentences = 0;
    cr_tokenizer t;
    cr_tokenizer_init(&t, text, len, &topts);
    cr_token tok;
    cr_keycache *kc = cache_for(s, c, o->level);
    while (cr_tokenizer_next(&t, &tok)) {
        if (!(o->kinds & CR_KIND_BIT(tok.kind))) continue;
        int64_t id = intern_token(c, text, len, &tok, o->level, s, kc);
        if (id < 0) return (int)id;
        int e = cr_counter_add_id(c, (uint32_t)id, 1);
        if (e) return e;
    }
    return CR_OK;
}

static int cmp_u32(const void *a, const void *b) {
    uint32_t x = *(const uint32_t *)a, y = *(const uint32_t *)b;
    return x < y ? -1 : x > y;
}

static int df_segment(void *ud, const uint32_t *ids, size_t n) {
    cr_counter *c = ud;
    uint32_t *v = (uint32_t *)ids; /* the scratch array, ours to reorder */
    qsort(v, n, sizeof *v, cmp_u32);
    for (size_t i = 0; i < n; i++) {
        if (i && v[i] == v[i - 1]) continue;
        cr_centry *e = &c->entries[v[i]];
        if (__builtin_add_overflow(e->count, 1, &e->count)) return CR_EOVERFLOW;
    }
    return CR_OK;
}

int cr_df_add_text(cr_counter *c, const char *text, size_t len, const cr_textopts *o,
                   cr_textscratch *s) {
    cr_textopts whole = *o;
    whole.sentences = 0;
    int e = cr_text_segments(c, text, len, &whole, s, df_segment, c);
    if (e) return e;
    if (__builtin_add_overflow(c->total, 1, &c->total)) return CR_EOVERFLOW;
    return CR_OK;
}

static int ngrams_segment(void *ud, const uint32_t *ids, size_t n) {
    return cr_ngrams_feed(ud, ids, n);
}

int cr_ngrams_add_text(cr_ngrams *g, const char *text, size_t len, const cr_textopts *o,
                       cr_textscratch *s) {
    return cr_text_segments(&g->vocab, text, len, o, s, ngrams_segment, g);
}

static int cooc_segment(void *ud, const uint32_t *ids, size_t n) {
    return cr_cooc_feed(ud, ids, n);
}

int cr_cooc_add_text(cr_cooc *c, const char *text, size_t len, const cr_textopts *o,
                     cr_textscratch *s) {
    cr_textopts so = *o;
    if (c->mode == CR_COOC_SENTENCE) so.sentences = 1;
    else if (c->mode == CR_COOC_DOCUMENT) so.sentences = 0;
    return cr_text_segments(&c->vocab, text, len, &so, s, cooc_segment, c);
}
