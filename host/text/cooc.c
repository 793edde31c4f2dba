/* cooc.c — n-gram and co-occurrence counters over interned ids. */
#include "cooc.h"
#include "grow.h"

#include <stdlib.h>
#include <string.h>

/* ---- n-grams ------------------------------------------------------------ */
int cr_ngrams_init(cr_ngrams *g, unsigned n, unsigned skip, const char *sep, size_t seplen) {
    memset(g, 0, sizeof *g);
    if (n < 1 || n > CR_NGRAM_MAX || skip > 8 || seplen >= CR_SEP_MAX) return CR_EINVAL;
    cr_counter_init(&g->vocab);
    int e = cr_tuples_init(&g->grams, n);
    if (e) return e;
    g->n = n;
    g->skip = skip;
    if (seplen) memcpy(g->sep, sep, seplen);
    g->seplen = seplen;
    return CR_OK;
}

static void only_free(cr_ngrams *g) {
    if (g->only) cr_counter_free(g->only);
    free(g->only);
    g->only = NULL;
    if (g->only_ids) cr_tuples_free(g->only_ids);
    free(g->only_ids);
    g->only_ids = NULL;
    free(g->only_done);
    g->only_done = NULL;
    g->only_vocab = 0;
}

void cr_ngrams_free(cr_ngrams *g) {
    cr_counter_free(&g->vocab);
    cr_tuples_free(&g->grams);
    free(g->pos);
    g->pos = NULL;
    only_free(g);
}

/* The only set of g, empty (its keys then added by the caller). */
static int only_new(cr_ngrams *g) {
    g->only = malloc(sizeof *g->only);
    g->only_ids = malloc(sizeof *g->only_ids);
    if (!g->only || !g->only_ids) {
        free(g->only);
        free(g->only_ids);
        g->only = NULL;
        g->only_ids = NULL;
        return CR_ENOMEM;
    }
    cr_counter_init(g->only);
    int e = cr_tuples_init(g->only_ids, g->n);
    if (e) {
        cr_counter_free(g->only);
        free(g->only);
        free(g->only_ids);
        g->only = NULL;
        g->only_ids = NULL;
    }
    return e;
}

static int only_add(cr_ngrams *g, const char *key, size_t len) {
    int64_t id = cr_counter_intern(g->only, key, len);
    if (id < 0) return (int)id;
    unsigned char *d = realloc(g->only_done, g->only->size);
    if (!d) return CR_ENOMEM;
    d[id] = 0;
    g->only_done = d;
    return CR_OK;
}

int cr_ngrams_only(cr_ngrams *g, const char *const *keys, const size_t *lens, size_t n) {
    if (n == 0 || g->only || g->vocab.size || g->grams.size || g->total) return CR_EINVAL;
    int e = only_new(g);
    for (size_t i = 0; i < n && !e; i++) e = only_add(g, keys[i], lens[i]);
    if (e) only_free(g);
    return e;
}

static int split_joined(const cr_ngrams *g, const char *key, size_t len, const char **keys, size_t *lens);

/* The id tuples of the only keys whose words the vocabulary now holds. */
static int only_resolve(cr_ngrams *g) {
    if (g->only_vocab == g->vocab.size) return CR_OK;
    g->only_vocab = g->vocab.size;
    const char *keys[CR_NGRAM_MAX];
    size_t lens[CR_NGRAM_MAX];
    uint32_t t[CR_NGRAM_MAX];
    for (size_t i = 0; i < g->only->size; i++) {
        if (g->only_done[i]) continue;
        const cr_centry *e = &g->only->entries[i];
        if (split_joined(g, e->key, cr_centry_len(e), keys, lens)) {
            g->only_done[i] = 1;   /* not a gram of this counter: never counted */
            continue;
        }
        unsigned j = 0;
        for (; j < g->n; j++) {
            int64_t id = cr_counter_find(&g->vocab, keys[j], lens[j]);
            if (id < 0) break;
            t[j] = (uint32_t)id;
        }
        if (j < g->n) continue;
        int err = cr_tuples_add(g->only_ids, t, 1);
        if (err) return err;
        g->only_done[i] = 1;
    }
    return CR_OK;
}

static int ngrams_count(cr_ngrams *g, const uint32_t *tuple) {
    if (!g->only || cr_tuples_find(g->only_ids, tuple) >= 0) {
        int e = cr_tuples_add(&g->grams, tuple, 1);
        if (e) return e;
    }
    if (__builtin_add_overflow(g->total, 1, &g->total)) return CR_EOVERFLOW;
    return CR_OK;
}

/* Skip-grams starting at ids[0]: choose the remaining n-1 positions within
 * reach (n - 1 + skip) in increasing order. */
static int skipgrams_from(cr_ngrams *g, const uint32_t *ids, size_t avail,
                          uint32_t *tuple, unsigned depth, size_t last) {
    if (depth == g->n) return ngrams_count(g, tuple);
    size_t reach = g->n - 1 + g->skip;
    for (size_t p = last + 1; p < avail && p <= reach; p++) {
        /* leave room for the positions still to choose */
        if (reach - p < g->n - 1 - depth) break;
        tuple[depth] = ids[p];
        int e = skipgrams_from(g, ids, avail, tuple, depth + 1, p);
        if (e) return e;
    }
    return CR_OK;
}

/* Contiguous n-grams, all counted: each one's slot in the table asked for
 * NGRAM_AHEAD grams ahead and its entry half as far ahead, so that the
 * misses of a table larger than the cache overlap (the hashes, kept in a
 * ring, are computed once). */
#define NGRAM_AHEAD 16
static int ngrams_feed_plain(cr_ngrams *g, const uint32_t *ids, size_t n) {
    size_t m = n - g->n + 1;   /* grams (n >= g->n) */
    uint32_t ring[NGRAM_AHEAD];
    cr_tuples *t = &g->grams;
    for (size_t i = 0; i < m && i < NGRAM_AHEAD; i++) {
        ring[i] = cr_tuples_hash(t, ids + i);
        cr_tuples_prefetch_slot(t, ring[i]);
    }
    for (size_t i = 0; i < m; i++) {
        if (i + NGRAM_AHEAD / 2 < m) cr_tuples_prefetch_entry(t, ring[(i + NGRAM_AHEAD / 2) % NGRAM_AHEAD]);
        uint32_t h = ring[i % NGRAM_AHEAD];
        if (i + NGRAM_AHEAD < m) {
            uint32_t next = cr_tuples_hash(t, ids + i + NGRAM_AHEAD);
            ring[i % NGRAM_AHEAD] = next;
            cr_tuples_prefetch_slot(t, next);
        }
        int e = cr_tuples_add_hashed(t, ids + i, h, 1);
        if (e) return e;
    }
    if (__builtin_add_overflow(g->total, (int64_t)m, &g->total)) return CR_EOVERFLOW;
    return CR_OK;
}

int cr_ngrams_feed(cr_ngrams *g, const uint32_t *ids, size_t n) {
    int e;
    for (size_t i = 0; i < n; i++)
        if ((e = cr_counter_add_id(&g->vocab, ids[i], 1))) return e;
    if (g->only && (e = only_resolve(g))) return e;
    if (n < g->n) return CR_OK;
    uint32_t tuple[CR_NGRAM_MAX];
    if (g->skip == 0 && !g->only) return ngrams_feed_plain(g, ids, n);
    for (size_t i = 0; i + g->n <= n; i++) {
        if (g->skip == 0) {
            e = ngrams_count(g, ids + i);
        } else {
            tuple[0] = ids[i];
            e = g->n == 1 ? ngrams_count(g, tuple)
                          : skipgrams_from(g, ids + i, n - i, tuple, 1, 0);
        }
        if (e) return e;
    }
    return CR_OK;
}

void cr_ngrams_key(const cr_ngrams *g, size_t i, cr_buf *w) {
    const uint32_t *t = cr_tuples_at(&g->grams, i);
    for (unsigned j = 0; j < g->n; j++) {
        if (j) cr_buf_add(w, g->sep, g->seplen);
        const cr_centry *e = &g->vocab.entries[t[j]];
        cr_buf_add(w, e->key, cr_centry_len(e));
    }
}

int64_t cr_ngrams_find(const cr_ngrams *g, const char *const *keys, const size_t *lens) {
    uint32_t t[CR_NGRAM_MAX];
    for (unsigned j = 0; j < g->n; j++) {
        int64_t id = cr_counter_find(&g->vocab, keys[j], lens[j]);
        if (id < 0) return -1;
        t[j] = (uint32_t)id;
    }
    return cr_tuples_find(&g->grams, t);
}

/* The n words of a joined key; nonzero when it does not split in n. */
static int split_joined(const cr_ngrams *g, const char *key, size_t len, const char **keys, size_t *lens) {
    size_t start = 0;
    unsigned j = 0;
    if (g->n > 1 && g->seplen == 0) return -1;
    for (size_t i = 0; j + 1 < g->n && i + g->seplen <= len; i++) {
        if (memcmp(key + i, g->sep, g->seplen) == 0) {
            keys[j] = key + start;
            lens[j++] = i - start;
            start = i + g->seplen;
            i = start - 1;
        }
    }
    if (j + 1 != g->n) return -1;
    keys[j] = key + start;
    lens[j] = len - start;
    return 0;
}

int64_t cr_ngrams_find_joined(const cr_ngrams *g, const char *key, size_t len) {
    const char *keys[CR_NGRAM_MAX];
    size_t lens[CR_NGRAM_MAX];
    if (split_joined(g, key, len, keys, lens)) return -1;
    return cr_ngrams_find(g, keys, lens);
}

/* The joined keys of two grams compared bytewise, without building them. */
typedef struct { const cr_ngrams *g; const uint32_t *t; unsigned tok; size_t off; } joined_pos;

static int joined_next(joined_pos *p) {
    const cr_ngrams *g = p->g;
    for (;;) {
        if (p->tok >= 2 * g->n - 1) return -1;
        const char *s;
        size_t len;
        if (p->tok % 2 == 0) {
            const cr_centry *e = &g->vocab.entries[p->t[p->tok / 2]];
            s = e->key;
            len = cr_centry_len(e);
        } else {
            s = g->sep;
            len = g->seplen;
        }
        if (p->off < len) return (unsigned char)s[p->off++];
        p->tok++;
        p->off = 0;
    }
}

static int ngrams_cmp(const void *ctx, uint32_t a, uint32_t b) {
    const cr_ngrams *g = ctx;
    int64_t ca = g->grams.counts[a], cb = g->grams.counts[b];
    if (ca != cb) return ca > cb ? -1 : 1;
    const uint32_t *ta = cr_tuples_at(&g->grams, a), *tb = cr_tuples_at(&g->grams, b);
    unsigned j = 0;
    while (j < g->n && ta[j] == tb[j]) j++;
    if (j == g->n) return a < b ? -1 : a > b;
    const cr_centry *x = &g->vocab.entries[ta[j]], *y = &g->vocab.entries[tb[j]];
    size_t xl = cr_centry_len(x), yl = cr_centry_len(y), m = xl < yl ? xl : yl;
    int r = m ? memcmp(x->key, y->key, m) : 0;
    if (r) return r;
    /* One token is a prefix of the other: compare the byte streams. */
    joined_pos p = { g, ta, 2 * j, m }, q = { g, tb, 2 * j, m };
    for (;;) {
        int u = joined_next(&p), v = joined_next(&q);
        if (u != v) return u < v ? -1 : 1;
        if (u < 0) return a < b ? -1 : a > b;
    }
}

size_t cr_ngrams_top(const cr_ngrams *g, size_t k, uint32_t *out) {
    return cr_top_k_range(g->grams.size, k, ngrams_cmp, g, out);
}

/* Two counters store the same grams: no only set, or the same keys. */
static int only_same(const cr_ngrams *a, const cr_ngrams *b) {
    if (!a->only || !b->only) return !a->only && !b->only;
    if (a->only->size != b->only->size) return 0;
    for (size_t i = 0; i < b->only->size; i++) {
        const cr_centry *e = &b->only->entries[i];
        if (cr_counter_find(a->only, e->key, cr_centry_len(e)) < 0) return 0;
    }
    return 1;
}

static void only_dump(cr_buf *w, const cr_ngrams *g) {
    if (!g->only) return;
    cr_put_uvarint(w, g->only->size);
    for (size_t i = 0; i < g->only->size; i++) {
        const cr_centry *e = &g->only->entries[i];
        cr_put_str(w, e->key, cr_centry_len(e));
    }
}

static int only_undump(cr_rbuf *r, cr_ngrams *g) {
    uint64_t n;
    int e = cr_rbuf_uvarint(r, &n);
    if (e) return e;
    if (n == 0 || n > (uint64_t)(r->end - r->p)) return CR_ECORRUPT;
    if ((e = only_new(g))) return e;
    for (uint64_t i = 0; i < n; i++) {
        const char *k;
        size_t len;
        if ((e = cr_rbuf_str(r, &k, &len, CR_MAX_KEY))) return e;
        if (cr_counter_find(g->only, k, len) >= 0) return CR_ECORRUPT; /* duplicate */
        if ((e = only_add(g, k, len))) return e;
    }
    return CR_OK;
}

/* Maps every id of src's vocabulary to dst's, adding the counts. */
static int merge_vocab(cr_counter *dst, const cr_counter *src, uint32_t **map_out) {
    uint32_t *map = malloc((src->size ? src->size : 1) * sizeof *map);
    if (!map) return CR_ENOMEM;
    for (size_t i = 0; i < src->size; i++) {
        const cr_centry *e = &src->entries[i];
        int64_t id = cr_counter_intern(dst, e->key, cr_centry_len(e));
        if (id < 0) { free(map); return (int)id; }
        map[i] = (uint32_t)id;
        if (__builtin_add_overflow(dst->entries[id].count, e->count, &dst->entries[id].count)) {
            free(map);
            return CR_EOVERFLOW;
        }
    }
    if (__builtin_add_overflow(dst->total, src->total, &dst->total)) { free(map); return CR_EOVERFLOW; }
    *map_out = map;
    return CR_OK;
}

int cr_ngrams_merge(cr_ngrams *dst, const cr_ngrams *src) {
    if (dst == src || dst->n != src->n || dst->skip != src->skip || dst->seplen != src->seplen ||
        memcmp(dst->sep, src->sep, src->seplen) != 0 || !only_same(dst, src))
        return CR_EINVAL;
    uint32_t *map;
    int e = merge_vocab(&dst->vocab, &src->vocab, &map);
    if (e) return e;
    uint32_t t[CR_NGRAM_MAX];
    for (size_t i = 0; i < src->grams.size && !e; i++) {
        const uint32_t *s = cr_tuples_at(&src->grams, i);
        for (unsigned j = 0; j < src->n; j++) t[j] = map[s[j]];
        e = cr_tuples_add(&dst->grams, t, src->grams.counts[i]);
    }
    free(map);
    if (!e && __builtin_add_overflow(dst->total, src->total, &dst->total)) e = CR_EOVERFLOW;
    return e;
}

int cr_ngrams_prune(cr_ngrams *g, int64_t min) {
    return cr_tuples_prune(&g->grams, min);
}

static void dump_tuples(cr_buf *w, const cr_tuples *t) {
    cr_put_uvarint(w, t->size);
    for (size_t i = 0; i < t->size; i++) {
        const uint32_t *ids = cr_tuples_at(t, i);
        for (unsigned j = 0; j < t->width; j++) cr_put_uvarint(w, ids[j]);
        cr_put_svarint(w, t->counts[i]);
    }
}

static int undump_tuples(cr_rbuf *r, cr_tuples *t, size_t vocab, int ordered) {
    uint64_t n;
    int e = cr_rbuf_uvarint(r, &n);
    if (e) return e;
    if (n > (uint64_t)(r->end - r->p) / (t->width + 1)) return CR_ECORRUPT;
    if ((e = cr_tuples_reserve(t, (size_t)n))) return e;
    uint32_t ids[CR_TUPLE_MAX];
    for (uint64_t i = 0; i < n; i++) {
        for (unsigned j = 0; j < t->width; j++) {
            uint64_t v;
            if ((e = cr_rbuf_uvarint(r, &v))) return e;
            if (v >= vocab) return CR_ECORRUPT;
            ids[j] = (uint32_t)v;
        }
        if (ordered && ids[0] >= ids[1]) return CR_ECORRUPT;
        int64_t cnt;
        if ((e = cr_rbuf_svarint(r, &cnt))) return e;
        size_t before = t->size;
        if ((e = cr_tuples_add(t, ids, cnt))) return e;
        if (t->size == before) return CR_ECORRUPT; /* a duplicate */
    }
    return CR_OK;
}

void cr_ngrams_dump(cr_buf *w, const cr_ngrams *g) {
    cr_put_uvarint(w, g->n);
    cr_put_uvarint(w, g->skip);
    cr_put_str(w, g->sep, g->seplen);
    cr_put_svarint(w, g->total);
    cr_counter_dump(w, &g->vocab);
    dump_tuples(w, &g->grams);
    only_dump(w, g);
}

/* sel[i] = 2 for the vocabulary words of partition part, else 0; NULL when
 * out of memory. */
static unsigned char *owned_words(const cr_counter *v, unsigned part, unsigned parts) {
    unsigned char *sel = malloc(v->size ? v->size : 1);
    if (!sel) return NULL;
    for (size_t i = 0; i < v->size; i++)
        sel[i] = cr_partition_of(v->entries[i].key, cr_centry_len(&v->entries[i]), parts) == part ? 2 : 0;
    return sel;
}

int cr_ngrams_dump_part(cr_buf *w, const cr_ngrams *g, unsigned part, unsigned parts) {
    const cr_counter *v = &g->vocab;
    unsigned char *sel = owned_words(v, part, parts);
    unsigned char *gsel = malloc(g->grams.size ? g->grams.size : 1);
    uint32_t *newid = malloc((v->size ? v->size : 1) * sizeof *newid);
    if (!sel || !gsel || !newid) {
        free(sel); free(gsel); free(newid);
        return CR_ENOMEM;
    }
    size_t ngrams = 0;
    const char *keys[CR_NGRAM_MAX];
    size_t lens[CR_NGRAM_MAX];
    for (size_t i = 0; i < g->grams.size; i++) {
        const uint32_t *t = cr_tuples_at(&g->grams, i);
        for (unsigned j = 0; j < g->n; j++) {
            keys[j] = v->entries[t[j]].key;
            lens[j] = cr_centry_len(&v->entries[t[j]]);
        }
        /* the partition of the joined key, as cr_partition_of would give it */
        gsel[i] = cr_partition_of_joined(keys, lens, g->n, g->sep, g->seplen, parts) == part;
        if (!gsel[i]) continue;
        ngrams++;
        for (unsigned j = 0; j < g->n; j++)
            if (!sel[t[j]]) sel[t[j]] = 1;
    }
    {
        cr_put_uvarint(w, g->n);
        cr_put_uvarint(w, g->skip);
        cr_put_str(w, g->sep, g->seplen);
        cr_put_svarint(w, part == 0 ? g->total : 0);
        cr_counter_dump_subset(w, v, sel, newid, part == 0);
        cr_put_uvarint(w, ngrams);
        for (size_t i = 0; i < g->grams.size; i++) {
            if (!gsel[i]) continue;
            const uint32_t *t = cr_tuples_at(&g->grams, i);
            for (unsigned j = 0; j < g->n; j++) cr_put_uvarint(w, newid[t[j]]);
            cr_put_svarint(w, g->grams.counts[i]);
        }
        only_dump(w, g);
    }
    free(sel); free(gsel); free(newid);
    return w->failed ? CR_ENOMEM : CR_OK;
}

int cr_ngrams_undump(cr_rbuf *r, cr_ngrams *g) {
    uint64_t n, skip;
    const char *sep;
    size_t seplen;
    int64_t total;
    int e;
    memset(g, 0, sizeof *g);
    if ((e = cr_rbuf_uvarint(r, &n)) || (e = cr_rbuf_uvarint(r, &skip)) ||
        (e = cr_rbuf_str(r, &sep, &seplen, CR_SEP_MAX - 1)) || (e = cr_rbuf_svarint(r, &total)))
        return e;
    if (n < 1 || n > CR_NGRAM_MAX || skip > 8) return CR_ECORRUPT;
    if ((e = cr_ngrams_init(g, (unsigned)n, (unsigned)skip, sep, seplen))) return e;
    g->total = total;
    if ((e = cr_counter_undump(r, &g->vocab)) ||
        (e = undump_tuples(r, &g->grams, g->vocab.size, 0)) ||
        (r->p != r->end && (e = only_undump(r, g)))) {
        cr_ngrams_free(g);
        return e;
    }
    return CR_OK;
}

/* ---- co-occurrence ------------------------------------------------------ */
int cr_cooc_init(cr_cooc *c, cr_cooc_mode mode, unsigned window) {
    memset(c, 0, sizeof *c);
    if (mode > CR_COOC_DOCUMENT) return CR_EINVAL;
    if (mode == CR_COOC_WINDOW && (window < 1 || window > 1000)) return CR_EINVAL;
    cr_counter_init(&c->vocab);
    cr_pairmap_init(&c->pairs);
    c->mode = mode;
    c->window = mode == CR_COOC_WINDOW ? window : 0;
    return CR_OK;
}

struct cr_cooc_index {
    size_t *start;       /* vocab + 1 offsets into ref */
    uint64_t *ref;       /* slot index << 1 | 1 when the node is the pair's second word */
    size_t nvocab;
    int64_t *joint;      /* scratch over the vocabulary, zero between calls */
    uint32_t *touched;
};

static void index_drop(cr_cooc *c) {
    if (!c->index) return;
    free(c->index->start);
    free(c->index->ref);
    free(c->index->joint);
    free(c->index->touched);
    free(c->index);
    c->index = NULL;
}

void cr_cooc_free(cr_cooc *c) {
    index_drop(c);
    cr_counter_free(&c->vocab);
    cr_pairmap_free(&c->pairs);
    free(c->defl);
    free(c->defr);
    c->defl = c->defr = NULL;
    c->defcap = 0;
    c->deftotal = 0;
    free(c->scratch);
    c->scratch = NULL;
    c->scratch_cap = 0;
    free(c->keys);
    c->keys = NULL;
    c->keys_cap = 0;
    if (c->focus) cr_counter_free(c->focus);
    free(c->focus);
    c->focus = NULL;
    c->need = 0;
    free(c->infocus);
    c->infocus = NULL;
    c->infocus_n = c->infocus_cap = 0;
    free(c->seen);
    c->seen = NULL;
    c->seen_cap = 0;
}

/* ---- focus ----------------------------------------------------------------- */
int cr_cooc_focus(cr_cooc *c, const char *const *keys, const size_t *lens, size_t n, unsigned need) {
    if (need < 1 || need > 2 || n == 0 || c->focus || c->vocab.size || c->pairs.size || c->units)
        return CR_EINVAL;
    cr_counter *f = malloc(sizeof *f);
    if (!f) return CR_ENOMEM;
    cr_counter_init(f);
    for (size_t i = 0; i < n; i++) {
        int64_t id = cr_counter_intern(f, keys[i], lens[i]);
        if (id < 0) {
            cr_counter_free(f);
            free(f);
            return (int)id;
        }
    }
    c->focus = f;
    c->need = need;
    return CR_OK;
}

/* infocus[] for every word of the vocabulary (new words are looked up once). */
static int focus_resolve(cr_cooc *c) {
    size_t nv = c->vocab.size;
    if (c->infocus_n >= nv) return CR_OK;
    unsigned char *f = cr_grow(c->infocus, &c->infocus_cap, nv, 1, 1024);
    if (!f) return CR_ENOMEM;
    c->infocus = f;
    for (size_t i = c->infocus_n; i < nv; i++) {
        const cr_centry *e = &c->vocab.entries[i];
        f[i] = cr_counter_find(c->focus, e->key, cr_centry_len(e)) >= 0;
    }
    c->infocus_n = nv;
    return CR_OK;
}

/* Two counters count the same pairs: no focus, or the same words and need. */
static int focus_same(const cr_cooc *a, const cr_cooc *b) {
    if (!a->focus || !b->focus) return !a->focus && !b->focus;
    if (a->need != b->need || a->focus->size != b->focus->size) return 0;
    for (size_t i = 0; i < b->focus->size; i++) {
        const cr_centry *e = &b->focus->entries[i];
        if (cr_counter_find(a->focus, e->key, cr_centry_len(e)) < 0) return 0;
    }
    return 1;
}

static void focus_dump(cr_buf *w, const cr_cooc *c) {
    if (!c->focus) return;
    cr_put_uvarint(w, c->need);
    cr_put_uvarint(w, c->focus->size);
    for (size_t i = 0; i < c->focus->size; i++) {
        const cr_centry *e = &c->focus->entries[i];
        cr_put_str(w, e->key, cr_centry_len(e));
    }
}

static int focus_undump(cr_rbuf *r, cr_cooc *c) {
    uint64_t need, n;
    int e;
    if ((e = cr_rbuf_uvarint(r, &need)) || (e = cr_rbuf_uvarint(r, &n))) return e;
    if (need < 1 || need > 2 || n == 0 || n > (uint64_t)(r->end - r->p)) return CR_ECORRUPT;
    cr_counter *f = malloc(sizeof *f);
    if (!f) return CR_ENOMEM;
    cr_counter_init(f);
    c->focus = f;   /* c owns it from here, even on error */
    c->need = (unsigned)need;
    for (uint64_t i = 0; i < n; i++) {
        const char *k;
        size_t len;
        if ((e = cr_rbuf_str(r, &k, &len, CR_MAX_KEY))) return e;
        if (cr_counter_find(f, k, len) >= 0) return CR_ECORRUPT; /* duplicate */
        int64_t id = cr_counter_intern(f, k, len);
        if (id < 0) return (int)id;
    }
    return CR_OK;
}

static int cmp_u32(const void *a, const void *b) {
    uint32_t x = *(const uint32_t *)a, y = *(const uint32_t *)b;
    return x < y ? -1 : x > y;
}

/* Room for the slot deficits of every word of the vocabulary. */
static int def_reserve(cr_cooc *c, size_t need) {
    if (need <= c->defcap) return CR_OK;
    size_t cap = c->defcap, capr = c->defcap;
    int64_t *l = cr_grow(c->defl, &cap, need, sizeof *l, 1024);
    if (!l) return CR_ENOMEM;
    c->defl = l;
    int64_t *r = cr_grow(c->defr, &capr, need, sizeof *r, 1024);
    if (!r) return CR_ENOMEM;
    c->defr = r;
    memset(l + c->defcap, 0, (cap - c->defcap) * sizeof *l);
    memset(r + c->defcap, 0, (cap - c->defcap) * sizeof *r);
    c->defcap = cap;
    return CR_OK;
}

/* The neighbour slots that the segment's ends cut off: only the first and
 * last `window` tokens lose any. */
static int cooc_deficits(cr_cooc *c, const uint32_t *ids, size_t n) {
    int e = def_reserve(c, c->vocab.size);
    if (e) return e;
    size_t w = c->window, edge = n < w ? n : w;
    int64_t lost = 0;
    for (size_t i = 0; i < edge; i++) {
        c->defl[ids[i]] += (int64_t)(w - i);
        c->defr[ids[n - 1 - i]] += (int64_t)(w - i);
        lost += (int64_t)(w - i);
    }
    if (__builtin_add_overflow(c->deftotal, lost, &c->deftotal)) return CR_EOVERFLOW;
    return CR_OK;
}

static int cooc_feed_window(cr_cooc *c, const uint32_t *ids, size_t n) {
    int e;
    /* Collect the segment's pair keys, then add them with the slots
     * fetched ahead: the table is far larger than the caches. */
    size_t need = n * c->window;
    if (need / c->window != n) return CR_ENOMEM;
    if (need > c->keys_cap) {
        uint64_t *k = realloc(c->keys, need * sizeof *k);
        if (!k) return CR_ENOMEM;
        c->keys = k;
        c->keys_cap = need;
    }
    size_t m = 0;
    for (size_t i = 0; i < n; i++) {
        if ((e = cr_counter_add_id(&c->vocab, ids[i], 1))) return e;
        size_t end = i + c->window < n - 1 ? i + c->window : n - 1;
        for (size_t j = i + 1; j <= end; j++) c->keys[m++] = cr_pair_key(ids[i], ids[j]);
    }
    if ((e = cooc_deficits(c, ids, n))) return e;
    return cr_pairmap_add_keys(&c->pairs, c->keys, m);
}

static int cooc_feed_unit(cr_cooc *c, const uint32_t *ids, size_t n) {
    if (n > c->scratch_cap) {
        uint32_t *s = realloc(c->scratch, n * sizeof *s);
        if (!s) return CR_ENOMEM;
        c->scratch = s;
        c->scratch_cap = n;
    }
    if (n) memcpy(c->scratch, ids, n * sizeof *ids);
    if (n > 1) qsort(c->scratch, n, sizeof *c->scratch, cmp_u32);
    size_t m = 0;
    for (size_t i = 0; i < n; i++)
        if (m == 0 || c->scratch[m - 1] != c->scratch[i]) c->scratch[m++] = c->scratch[i];
    int e;
    for (size_t i = 0; i < m; i++) {
        if ((e = cr_counter_add_id(&c->vocab, c->scratch[i], 1))) return e;
        for (size_t j = i + 1; j < m; j++) {
            if ((e = cr_pairmap_add(&c->pairs, c->scratch[i], c->scratch[j], 1))) return e;
        }
    }
    return CR_OK;
}

/* Window mode with focus: the pairs within reach of each focus token.  A
 * pair is (earlier, later) as without focus, and counted once: from its
 * earlier token when that is a focus word, else from its later one. */
static int cooc_feed_window_focus(cr_cooc *c, const uint32_t *ids, size_t n) {
    int e = focus_resolve(c);
    if (e) return e;
    const unsigned char *f = c->infocus;
    size_t w = c->window;
    int any = c->need == 1;
    for (size_t i = 0; i < n; i++) {
        if ((e = cr_counter_add_id(&c->vocab, ids[i], 1))) return e;
        if (!f[ids[i]]) continue;
        size_t end = i + w < n - 1 ? i + w : n - 1;
        for (size_t j = i + 1; j <= end; j++)
            if ((any || f[ids[j]]) && (e = cr_pairmap_add(&c->pairs, ids[i], ids[j], 1))) return e;
        if (!any) continue;
        for (size_t j = i > w ? i - w : 0; j < i; j++)
            if (!f[ids[j]] && (e = cr_pairmap_add(&c->pairs, ids[j], ids[i], 1))) return e;
    }
    return cooc_deficits(c, ids, n);
}

/* Units modes with focus: each word once per unit (marked with the unit's
 * number instead of sorted), then the pairs (lower id, higher id) of the
 * unit's focus words with its other words. */
static int cooc_feed_unit_focus(cr_cooc *c, const uint32_t *ids, size_t n) {
    int e = focus_resolve(c);
    if (e) return e;
    size_t nv = c->vocab.size;
    if (nv > c->seen_cap) {
        size_t old = c->seen_cap;
        int64_t *s = cr_grow(c->seen, &c->seen_cap, nv, sizeof *s, 1024);
        if (!s) return CR_ENOMEM;
        memset(s + old, 0, (c->seen_cap - old) * sizeof *s);
        c->seen = s;
    }
    if (n > c->scratch_cap) {
        uint32_t *s = realloc(c->scratch, n * sizeof *s);
        if (!s) return CR_ENOMEM;
        c->scratch = s;
        c->scratch_cap = n;
    }
    /* distinct words: the others from the front, the focus words from the back */
    const unsigned char *f = c->infocus;
    int64_t unit = c->units;   /* >= 1: seen[] starts at 0 */
    uint32_t *u = c->scratch;
    size_t m = 0, top = n;
    for (size_t i = 0; i < n; i++) {
        uint32_t id = ids[i];
        if (c->seen[id] == unit) continue;
        c->seen[id] = unit;
        if ((e = cr_counter_add_id(&c->vocab, id, 1))) return e;
        if (f[id]) u[--top] = id;
        else u[m++] = id;
    }
    for (size_t i = top; i < n; i++) {
        uint32_t a = u[i];
        for (size_t j = i + 1; j < n; j++) {
            uint32_t b = u[j];
            if ((e = cr_pairmap_add(&c->pairs, a < b ? a : b, a < b ? b : a, 1))) return e;
        }
        if (c->need != 1) continue;
        for (size_t j = 0; j < m; j++) {
            uint32_t b = u[j];
            if ((e = cr_pairmap_add(&c->pairs, a < b ? a : b, a < b ? b : a, 1))) return e;
        }
    }
    return CR_OK;
}

int cr_cooc_feed(cr_cooc *c, const uint32_t *ids, size_t n) {
    if (n == 0) return CR_OK;
    index_drop(c);
    c->units++;
    if (c->focus)
        return c->mode == CR_COOC_WINDOW ? cooc_feed_window_focus(c, ids, n) : cooc_feed_unit_focus(c, ids, n);
    return c->mode == CR_COOC_WINDOW ? cooc_feed_window(c, ids, n) : cooc_feed_unit(c, ids, n);
}

int64_t cr_cooc_n(const cr_cooc *c) {
    return c->mode == CR_COOC_WINDOW ? c->vocab.total : c->units;
}

static int64_t sat_add(int64_t a, int64_t b) {
    int64_t r;
    if (__builtin_add_overflow(a, b, &r)) return a > 0 ? INT64_MAX : INT64_MIN;
    return r;
}

static int64_t sat_mul(int64_t a, int64_t b) {
    int64_t r;
    if (__builtin_mul_overflow(a, b, &r)) return INT64_MAX;
    return r;
}

/* Window mode: the word's neighbour slots on one side. */
static int64_t side_slots(const cr_cooc *c, uint32_t id, int left) {
    int64_t full = sat_mul(c->vocab.entries[id].count, (int64_t)c->window);
    int64_t lost = id < c->defcap ? (left ? c->defl[id] : c->defr[id]) : 0;
    return full - lost;
}

int64_t cr_cooc_margin(const cr_cooc *c, uint32_t id, cr_cooc_side side) {
    if (id >= c->vocab.size) return 0;
    if (c->mode != CR_COOC_WINDOW) return c->vocab.entries[id].count;
    switch (side) {
    case CR_SIDE_LEFT: return side_slots(c, id, 1);
    case CR_SIDE_RIGHT: return side_slots(c, id, 0);
    default: return sat_add(side_slots(c, id, 1), side_slots(c, id, 0));
    }
}

int64_t cr_cooc_events(const cr_cooc *c, cr_cooc_side side) {
    if (c->mode != CR_COOC_WINDOW) return c->units;
    int64_t pairs = sat_mul(c->vocab.total, (int64_t)c->window) - c->deftotal;
    return side == CR_SIDE_BOTH ? sat_mul(pairs, 2) : pairs;
}

static int64_t pair_count(const cr_cooc *c, uint32_t a, uint32_t b) {
    return cr_pairmap_get(&c->pairs, a, b, NULL);
}

int64_t cr_cooc_get_directed(const cr_cooc *c, uint32_t a, uint32_t b) {
    if (c->mode != CR_COOC_WINDOW) return a < b ? pair_count(c, a, b) : a > b ? pair_count(c, b, a) : 0;
    return pair_count(c, a, b);
}

int64_t cr_cooc_get(const cr_cooc *c, uint32_t a, uint32_t b) {
    if (c->mode != CR_COOC_WINDOW || a == b) return cr_cooc_get_directed(c, a, b);
    return sat_add(pair_count(c, a, b), pair_count(c, b, a));
}

static int key_cmp_ids(const cr_cooc *c, uint32_t a, uint32_t b) {
    const cr_centry *x = &c->vocab.entries[a], *y = &c->vocab.entries[b];
    return cr_key_cmp(x->key, cr_centry_len(x), y->key, cr_centry_len(y));
}

typedef struct { const cr_cooc *c; const cr_cooc_pair *p; } pairs_ctx;

static int pairs_cmp(const void *ctx, uint32_t i, uint32_t j) {
    const pairs_ctx *pc = ctx;
    const cr_cooc_pair *x = &pc->p[i], *y = &pc->p[j];
    if (x->n != y->n) return x->n > y->n ? -1 : 1;
    int r = key_cmp_ids(pc->c, x->a, y->a);
    if (!r) r = key_cmp_ids(pc->c, x->b, y->b);
    return r ? r : (i < j ? -1 : i > j);
}

/* Sorts arr[0..n) of elem-sized items in the order given by cmp over
 * indices, by computing a permutation and applying it. */
static int sort_by_index(void *arr, size_t n, size_t elem, cr_idx_cmp cmp, const void *ctx) {
    if (n < 2) return CR_OK;
    uint32_t *order = malloc(n * sizeof *order);
    unsigned char *tmp = malloc(n * elem);
    if (!order || !tmp) { free(order); free(tmp); return CR_ENOMEM; }
    cr_top_k_range(n, n, cmp, ctx, order);
    for (size_t i = 0; i < n; i++) memcpy(tmp + i * elem, (unsigned char *)arr + order[i] * elem, elem);
    memcpy(arr, tmp, n * elem);
    free(order);
    free(tmp);
    return CR_OK;
}

int cr_cooc_pairs(const cr_cooc *c, int64_t min, int directed, cr_cooc_pair **out, size_t *n) {
    *out = NULL;
    *n = 0;
    cr_cooc_pair *p = malloc((c->pairs.size ? c->pairs.size : 1) * sizeof *p);
    if (!p) return CR_ENOMEM;
    size_t m = 0;
    int window = c->mode == CR_COOC_WINDOW;
    for (size_t i = 0; i < cr_pairmap_slots(&c->pairs); i++) {
        const cr_pslot *sl = &c->pairs.slots[i];
        if (!sl->key) continue;
        uint32_t a = cr_pslot_a(sl), b = cr_pslot_b(sl);
        int64_t cnt = sl->count;
        if (window && directed) {
            /* as stored */
        } else if (window && a != b) {
            int64_t back = pair_count(c, b, a);
            if (key_cmp_ids(c, a, b) > 0) {
                if (back) continue; /* counted with (b, a) */
                uint32_t s = a; a = b; b = s;
            } else {
                cnt = sat_add(cnt, back);
            }
        } else if (key_cmp_ids(c, a, b) > 0) {
            uint32_t s = a; a = b; b = s;
        }
        if (cnt >= min) p[m++] = (cr_cooc_pair){ a, b, cnt };
    }
    pairs_ctx ctx = { c, p };
    if (sort_by_index(p, m, sizeof *p, pairs_cmp, &ctx)) { free(p); return CR_ENOMEM; }
    *out = p;
    *n = m;
    return CR_OK;
}

typedef struct { const cr_cooc *c; const cr_colloc *p; } colloc_ctx;

static int colloc_cmp(const void *ctx, uint32_t i, uint32_t j) {
    const colloc_ctx *cc = ctx;
    const cr_colloc *x = &cc->p[i], *y = &cc->p[j];
    if (x->o11 != y->o11) return x->o11 > y->o11 ? -1 : 1;
    int r = key_cmp_ids(cc->c, x->id, y->id);
    return r ? r : (i < j ? -1 : i > j);
}

/* Every pair listed under each of its words, by counting sort over the
 * vocabulary. */
static int index_build(cr_cooc *c) {
    size_t nv = c->vocab.size, nslots = cr_pairmap_slots(&c->pairs);
    cr_cooc_index *x = calloc(1, sizeof *x);
    if (!x) return CR_ENOMEM;
    x->nvocab = nv;
    x->start = calloc(nv + 1, sizeof *x->start);
    x->ref = malloc((c->pairs.size ? 2 * c->pairs.size : 1) * sizeof *x->ref);
    x->joint = calloc(nv ? nv : 1, sizeof *x->joint);
    x->touched = malloc((nv ? nv : 1) * sizeof *x->touched);
    if (!x->start || !x->ref || !x->joint || !x->touched) goto nomem;
    for (size_t i = 0; i < nslots; i++) {
        const cr_pslot *sl = &c->pairs.slots[i];
        if (!sl->key) continue;
        uint32_t a = cr_pslot_a(sl), b = cr_pslot_b(sl);
        x->start[a + 1]++;
        if (a != b) x->start[b + 1]++;
    }
    for (size_t i = 0; i < nv; i++) x->start[i + 1] += x->start[i];
    /* fill with start[] as the write cursors, then shift it back */
    for (size_t i = 0; i < nslots; i++) {
        const cr_pslot *sl = &c->pairs.slots[i];
        if (!sl->key) continue;
        uint32_t a = cr_pslot_a(sl), b = cr_pslot_b(sl);
        x->ref[x->start[a]++] = (uint64_t)i << 1;
        if (a != b) x->ref[x->start[b]++] = (uint64_t)i << 1 | 1;
    }
    for (size_t i = nv; i > 0; i--) x->start[i] = x->start[i - 1];
    x->start[0] = 0;
    c->index = x;
    return CR_OK;
nomem:
    free(x->start);
    free(x->ref);
    free(x->joint);
    free(x->touched);
    free(x);
    return CR_ENOMEM;
}

int cr_cooc_with(cr_cooc *c, uint32_t node, cr_cooc_side side, int64_t min,
                 cr_colloc **out, size_t *n) {
    *out = NULL;
    *n = 0;
    if (node >= c->vocab.size) return CR_EINVAL;
    if (!c->index) {
        int e = index_build(c);
        if (e) return e;
    }
    cr_cooc_index *x = c->index;
    int window = c->mode == CR_COOC_WINDOW;
    if (!window) side = CR_SIDE_BOTH;
    /* Joint counts per collocate in the dense scratch, remembering which
     * entries were touched so that only those are read and cleared. */
    size_t nt = 0;
    for (size_t k = x->start[node]; k < x->start[node + 1]; k++) {
        const cr_pslot *sl = &c->pairs.slots[x->ref[k] >> 1];
        uint32_t a = cr_pslot_a(sl), b = cr_pslot_b(sl);
        int64_t cnt = sl->count;
        uint32_t other;
        if (a == b) {            /* two node tokens: seen from each end */
            other = node;
            if (window && side == CR_SIDE_BOTH) cnt = sat_add(cnt, cnt);
        } else if (!(x->ref[k] & 1)) { /* the collocate follows the node */
            other = b;
            if (window && side == CR_SIDE_LEFT) continue;
        } else {                 /* the collocate precedes the node */
            other = a;
            if (window && side == CR_SIDE_RIGHT) continue;
        }
        if (!x->joint[other]) x->touched[nt++] = other;
        x->joint[other] = sat_add(x->joint[other], cnt);
    }
    size_t m = 0;
    for (size_t i = 0; i < nt; i++) m += x->joint[x->touched[i]] >= min;
    cr_colloc *p = malloc((m ? m : 1) * sizeof *p);
    if (!p) {
        for (size_t i = 0; i < nt; i++) x->joint[x->touched[i]] = 0;
        return CR_ENOMEM;
    }
    cr_cooc_side other_side = side == CR_SIDE_LEFT ? CR_SIDE_RIGHT : side == CR_SIDE_RIGHT ? CR_SIDE_LEFT : side;
    m = 0;
    for (size_t i = 0; i < nt; i++) {
        uint32_t id = x->touched[i];
        if (x->joint[id] >= min) p[m++] = (cr_colloc){ id, x->joint[id], cr_cooc_margin(c, id, other_side) };
        x->joint[id] = 0;
    }
    colloc_ctx ctx = { c, p };
    if (sort_by_index(p, m, sizeof *p, colloc_cmp, &ctx)) { free(p); return CR_ENOMEM; }
    *out = p;
    *n = m;
    return CR_OK;
}

int cr_cooc_merge(cr_cooc *dst, const cr_cooc *src) {
    if (dst == src || dst->mode != src->mode || dst->window != src->window || !focus_same(dst, src))
        return CR_EINVAL;
    index_drop(dst);
    uint32_t *map;
    int e = merge_vocab(&dst->vocab, &src->vocab, &map);
    if (e) return e;
    if (dst->mode == CR_COOC_WINDOW && !(e = def_reserve(dst, dst->vocab.size))) {
        for (size_t i = 0; i < src->defcap && i < src->vocab.size; i++) {
            dst->defl[map[i]] += src->defl[i];
            dst->defr[map[i]] += src->defr[i];
        }
        if (__builtin_add_overflow(dst->deftotal, src->deftotal, &dst->deftotal)) e = CR_EOVERFLOW;
    }
    if (!e) e = cr_pairmap_reserve(&dst->pairs, src->pairs.size);
    for (size_t i = 0; i < cr_pairmap_slots(&src->pairs) && !e; i++) {
        const cr_pslot *sl = &src->pairs.slots[i];
        if (!sl->key) continue;
        uint32_t t[2] = { map[cr_pslot_a(sl)], map[cr_pslot_b(sl)] };
        if (dst->mode != CR_COOC_WINDOW && t[0] > t[1]) { uint32_t x = t[0]; t[0] = t[1]; t[1] = x; }
        e = cr_pairmap_add(&dst->pairs, t[0], t[1], sl->count);
    }
    free(map);
    if (!e && __builtin_add_overflow(dst->units, src->units, &dst->units)) e = CR_EOVERFLOW;
    return e;
}

int cr_cooc_prune(cr_cooc *c, int64_t min) {
    index_drop(c);
    return cr_pairmap_prune(&c->pairs, min);
}

void cr_cooc_dump(cr_buf *w, const cr_cooc *c) {
    cr_put_uvarint(w, (uint64_t)c->mode);
    cr_put_uvarint(w, c->window);
    cr_put_svarint(w, c->units);
    cr_counter_dump(w, &c->vocab);
    cr_put_uvarint(w, c->pairs.size);
    for (size_t i = 0; i < cr_pairmap_slots(&c->pairs); i++) {
        const cr_pslot *sl = &c->pairs.slots[i];
        if (!sl->key) continue;
        cr_put_uvarint(w, cr_pslot_a(sl));
        cr_put_uvarint(w, cr_pslot_b(sl));
        cr_put_svarint(w, sl->count);
    }
    if (c->mode != CR_COOC_WINDOW) {
        focus_dump(w, c);
        return;
    }
    /* the slots cut off by segment ends, for the words that lost any */
    size_t k = 0, lim = c->defcap < c->vocab.size ? c->defcap : c->vocab.size;
    for (size_t i = 0; i < lim; i++) k += c->defl[i] || c->defr[i];
    cr_put_uvarint(w, k);
    for (size_t i = 0; i < lim; i++) {
        if (!c->defl[i] && !c->defr[i]) continue;
        cr_put_uvarint(w, i);
        cr_put_svarint(w, c->defl[i]);
        cr_put_svarint(w, c->defr[i]);
    }
    focus_dump(w, c);
}

/* The window slot deficits; each word once, in increasing id order, none
 * more than the word's full slots.  The total cut off is the right side's
 * (over a whole counter both sides' totals are equal; over one partition
 * of it, cr_cooc_dump_part, they need not be). */
static int undump_deficits(cr_rbuf *r, cr_cooc *c) {
    uint64_t k;
    int e = cr_rbuf_uvarint(r, &k);
    if (e) return e;
    if (k > c->vocab.size) return CR_ECORRUPT;
    if ((e = def_reserve(c, c->vocab.size))) return e;
    int64_t suml = 0, sumr = 0;
    uint64_t prev = 0;
    for (uint64_t i = 0; i < k; i++) {
        uint64_t id;
        int64_t l, rr;
        if ((e = cr_rbuf_uvarint(r, &id)) || (e = cr_rbuf_svarint(r, &l)) || (e = cr_rbuf_svarint(r, &rr))) return e;
        if (id >= c->vocab.size || (i && id <= prev) || l < 0 || rr < 0) return CR_ECORRUPT;
        int64_t full = sat_mul(c->vocab.entries[id].count, (int64_t)c->window);
        if (l > full || rr > full) return CR_ECORRUPT;
        if (__builtin_add_overflow(suml, l, &suml) || __builtin_add_overflow(sumr, rr, &sumr)) return CR_ECORRUPT;
        c->defl[id] = l;
        c->defr[id] = rr;
        prev = id;
    }
    (void)suml;
    c->deftotal = sumr;
    return CR_OK;
}

int cr_cooc_dump_part(cr_buf *w, const cr_cooc *c, unsigned part, unsigned parts) {
    const cr_counter *v = &c->vocab;
    size_t nslots = cr_pairmap_slots(&c->pairs);
    unsigned char *sel = owned_words(v, part, parts);
    unsigned char *psel = malloc(nslots ? nslots : 1);
    uint32_t *newid = malloc((v->size ? v->size : 1) * sizeof *newid);
    if (!sel || !psel || !newid) {
        free(sel); free(psel); free(newid);
        return CR_ENOMEM;
    }
    size_t npairs = 0;
    for (size_t i = 0; i < nslots; i++) {
        const cr_pslot *sl = &c->pairs.slots[i];
        psel[i] = 0;
        if (!sl->key) continue;
        uint32_t a = cr_pslot_a(sl), b = cr_pslot_b(sl);
        const cr_centry *x = &v->entries[a], *y = &v->entries[b];
        if (cr_partition_of_pair(x->key, cr_centry_len(x), y->key, cr_centry_len(y), parts) != part) continue;
        psel[i] = 1;
        npairs++;
        if (!sel[a]) sel[a] = 1;
        if (!sel[b]) sel[b] = 1;
    }
    cr_put_uvarint(w, (uint64_t)c->mode);
    cr_put_uvarint(w, c->window);
    cr_put_svarint(w, part == 0 ? c->units : 0);
    /* New ids keep the old order, so (lower id, higher id) pairs stay so. */
    cr_counter_dump_subset(w, v, sel, newid, part == 0);
    cr_put_uvarint(w, npairs);
    for (size_t i = 0; i < nslots; i++) {
        if (!psel[i]) continue;
        const cr_pslot *sl = &c->pairs.slots[i];
        cr_put_uvarint(w, newid[cr_pslot_a(sl)]);
        cr_put_uvarint(w, newid[cr_pslot_b(sl)]);
        cr_put_svarint(w, sl->count);
    }
    if (c->mode == CR_COOC_WINDOW) {
        /* the slot deficits go with the word's count: in its own partition */
        size_t k = 0, lim = c->defcap < v->size ? c->defcap : v->size;
        for (size_t i = 0; i < lim; i++) k += sel[i] == 2 && (c->defl[i] || c->defr[i]);
        cr_put_uvarint(w, k);
        for (size_t i = 0; i < lim; i++) {
            if (sel[i] != 2 || (!c->defl[i] && !c->defr[i])) continue;
            cr_put_uvarint(w, newid[i]);
            cr_put_svarint(w, c->defl[i]);
            cr_put_svarint(w, c->defr[i]);
        }
    }
    focus_dump(w, c);
    free(sel); free(psel); free(newid);
    return w->failed ? CR_ENOMEM : CR_OK;
}

static int undump_pairs(cr_rbuf *r, cr_pairmap *m, size_t vocab, int ordered) {
    uint64_t n;
    int e = cr_rbuf_uvarint(r, &n);
    if (e) return e;
    if (n > (uint64_t)(r->end - r->p) / 3) return CR_ECORRUPT;
    if ((e = cr_pairmap_reserve(m, (size_t)n))) return e;
    for (uint64_t i = 0; i < n; i++) {
        uint64_t a, b;
        int64_t cnt;
        int found;
        if ((e = cr_rbuf_uvarint(r, &a)) || (e = cr_rbuf_uvarint(r, &b)) || (e = cr_rbuf_svarint(r, &cnt)))
            return e;
        if (a >= vocab || b >= vocab || (ordered && a >= b)) return CR_ECORRUPT;
        cr_pairmap_get(m, (uint32_t)a, (uint32_t)b, &found);
        if (found) return CR_ECORRUPT; /* duplicate */
        if ((e = cr_pairmap_add(m, (uint32_t)a, (uint32_t)b, cnt))) return e;
    }
    return CR_OK;
}

int cr_cooc_undump(cr_rbuf *r, cr_cooc *c) {
    uint64_t mode, window;
    int64_t units;
    int e;
    memset(c, 0, sizeof *c);
    if ((e = cr_rbuf_uvarint(r, &mode)) || (e = cr_rbuf_uvarint(r, &window)) ||
        (e = cr_rbuf_svarint(r, &units)))
        return e;
    if (mode > CR_COOC_DOCUMENT || window > 1000) return CR_ECORRUPT;
    if ((e = cr_cooc_init(c, (cr_cooc_mode)mode, (unsigned)window))) return CR_ECORRUPT;
    if (c->window != window) { cr_cooc_free(c); return CR_ECORRUPT; }
    c->units = units;
    if ((e = cr_counter_undump(r, &c->vocab)) ||
        (e = undump_pairs(r, &c->pairs, c->vocab.size, c->mode != CR_COOC_WINDOW))) {
        cr_cooc_free(c);
        return e;
    }
    if (c->mode == CR_COOC_WINDOW) {
        /* version 1 did not keep the window margins */
        e = r->version == 1 ? CR_EVERSION : undump_deficits(r, c);
        if (e) {
            cr_cooc_free(c);
            return e;
        }
    }
    if (r->p != r->end && (e = focus_undump(r, c))) {
        cr_cooc_free(c);
        return e;
    }
    return CR_OK;
}
