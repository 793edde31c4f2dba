/* cpos_mem.c — documents read into memory as token positions (cpos_mem.h).
 *
 * While building, each attribute interns its strings in arrival order
 * (provisional ids, an open-addressing hash table) and records one
 * provisional id per position.  cpm_finish sorts each lexicon by bytes,
 * renumbers the positions, and hands the arrays to the corpus; the inverted
 * lists of an attribute are made (a counting sort) the first time a query
 * asks for one of them. */
#include "cpos_mem.h"

#include <stdint.h>
#include <stdlib.h>
#include <string.h>

#include "buf.h"
#include "grow.h"

#define NONE32 UINT32_MAX
#define MAX_TOKENS ((uint64_t)UINT32_MAX - 1)

/* How a builder attribute gets a document's value. */
enum { SRC_EMPTY = -1, SRC_LOWER = -2, SRC_KEY = -3 };

typedef struct mattr {
    char *name;
    cr_buf arena;          /* strings, each followed by a NUL */
    size_t *soff;          /* per provisional id (later: per id) */
    uint32_t *slen;
    uint64_t *freq;
    uint32_t nstr;
    size_t strcap;
    uint32_t *table;       /* hash slots: provisional id + 1, 0 empty */
    size_t tcap;           /* a power of two */
    uint32_t *ids;         /* per position */
    size_t idcap;
    uint32_t *from_word;   /* lower and key: word's id -> this attribute's id */
    size_t fwcap;
    int derived;           /* SRC_LOWER, SRC_KEY, or 0 */
    uint32_t *post_off;    /* n + 1 offsets into post; NULL until asked */
    uint32_t *post;
} mattr;

typedef struct mval {
    uint32_t key, len;
    size_t off;
} mval;

typedef struct mem_corpus {
    cp_corpus base;
    mattr *attrs;
    int nattrs;            /* real attributes */
    int *amap;             /* per attribute name: its real attribute */
    const char **names;
    char *pos_alias;
    const char *snames[2];
    const char *const *keys[2];
    /* text */
    uint32_t *tstart, *tend;
    size_t *tval;          /* per document: first of its values (ndocs + 1) */
    size_t ndocs, tcap;
    mval *vals;
    size_t nvals, vcap;
    cr_buf varena;
    char **tkeys;          /* NULL-terminated: "id", then metadata names */
    size_t ntkeys, tkcap;
    /* s */
    uint32_t *sstart, *send;
    size_t *sidoff;
    uint32_t *sidlen;
    size_t nsent, scap;
    cr_buf sarena;
    const char *skeys[2];
} mem_corpus;

struct cpm_builder {
    mem_corpus *m;
    cr_tokenizer_opts topts;
    uint64_t npos;
    int failed;
    cr_buf norm;
    int *src;              /* per attribute, for the document at hand */
    size_t srccap;
};

/* ---- interning ------------------------------------------------------ */

static uint64_t hash_bytes(const char *s, size_t n) {
    uint64_t h = 1469598103934665603ull;
    for (size_t i = 0; i < n; i++) h = (h ^ (unsigned char)s[i]) * 1099511628211ull;
    return h ^ (h >> 29);
}

static int table_grow(mattr *a) {
    size_t ncap = a->tcap ? a->tcap * 2 : 1024;
    if (ncap > SIZE_MAX / sizeof(uint32_t)) return CP_ENOMEM;
    uint32_t *t = calloc(ncap, sizeof *t);
    if (!t) return CP_ENOMEM;
    for (uint32_t id = 0; id < a->nstr; id++) {
        size_t h = (size_t)hash_bytes(a->arena.data + a->soff[id], a->slen[id]) & (ncap - 1);
        while (t[h]) h = (h + 1) & (ncap - 1);
        t[h] = id + 1;
    }
    free(a->table);
    a->table = t;
    a->tcap = ncap;
    return CP_OK;
}

/* The provisional id of s[0..n) in a, added when new; NONE32 on failure. */
static uint32_t intern(mattr *a, const char *s, size_t n) {
    if (n > UINT32_MAX) return NONE32;
    if (((size_t)a->nstr + 1) * 2 > a->tcap && table_grow(a) != CP_OK) return NONE32;
    size_t h = (size_t)hash_bytes(s, n) & (a->tcap - 1);
    for (;;) {
        uint32_t e = a->table[h];
        if (!e) break;
        uint32_t id = e - 1;
        if (a->slen[id] == n && memcmp(a->arena.data + a->soff[id], s, n) == 0) return id;
        h = (h + 1) & (a->tcap - 1);
    }
    if (a->nstr >= NONE32 - 1) return NONE32;
    if (a->nstr == a->strcap) {
        size_t c1 = a->strcap, c2 = a->strcap, c3 = a->strcap;
        size_t *so = cr_grow(a->soff, &c1, a->nstr + 1, sizeof *so, 256);
        if (!so) return NONE32;
        a->soff = so;
        uint32_t *sl = cr_grow(a->slen, &c2, a->nstr + 1, sizeof *sl, 256);
        if (!sl) return NONE32;
        a->slen = sl;
        uint64_t *fr = cr_grow(a->freq, &c3, a->nstr + 1, sizeof *fr, 256);
        if (!fr) return NONE32;
        a->freq = fr;
        a->strcap = c1;
    }
    size_t off = a->arena.len;
    cr_buf_add(&a->arena, s, n);
    if (cr_buf_addc(&a->arena, 0) != 0) return NONE32;
    uint32_t id = a->nstr++;
    a->soff[id] = off;
    a->slen[id] = (uint32_t)n;
    a->freq[id] = 0;
    a->table[h] = id + 1;
    return id;
}

static void mattr_free(mattr *a) {
    free(a->name);
    cr_buf_free(&a->arena);
    free(a->soff);
    free(a->slen);
    free(a->freq);
    free(a->table);
    free(a->ids);
    free(a->from_word);
    free(a->post_off);
    free(a->post);
}

/* ---- the corpus ------------------------------------------------------- */

static void mem_free(mem_corpus *m) {
    if (!m) return;
    for (int i = 0; i < m->nattrs; i++) mattr_free(&m->attrs[i]);
    free(m->attrs);
    free(m->amap);
    free(m->names);
    free(m->pos_alias);
    free(m->tstart);
    free(m->tend);
    free(m->tval);
    free(m->vals);
    cr_buf_free(&m->varena);
    if (m->tkeys)
        for (size_t i = 0; i < m->ntkeys; i++) free(m->tkeys[i]);
    free(m->tkeys);
    free(m->sstart);
    free(m->send);
    free(m->sidoff);
    free(m->sidlen);
    cr_buf_free(&m->sarena);
    free(m);
}

static const mattr *attr_of(const cp_corpus *self, int a) {
    const mem_corpus *m = (const mem_corpus *)self;
    return &m->attrs[m->amap[a]];
}

static cp_id m_lex_size(const cp_corpus *self, int a) { return attr_of(self, a)->nstr; }

static const char *m_lex_str(const cp_corpus *self, int a, cp_id id, size_t *len) {
    const mattr *t = attr_of(self, a);
    if (id < 0 || id >= t->nstr) {
        *len = 0;
        return NULL;
    }
    *len = t->slen[id];
    return t->arena.data + t->soff[id];
}

static int lexcmp(const char *a, size_t an, const char *b, size_t bn) {
    int c = memcmp(a, b, an < bn ? an : bn);
    if (c) return c;
    return an < bn ? -1 : an > bn;
}

static cp_id m_lex_find(const cp_corpus *self, int a, const char *s, size_t len) {
    const mattr *t = attr_of(self, a);
    cp_id lo = 0, hi = (cp_id)t->nstr;
    while (lo < hi) {
        cp_id mid = lo + (hi - lo) / 2;
        int c = lexcmp(t->arena.data + t->soff[mid], t->slen[mid], s, len);
        if (c == 0) return mid;
        if (c < 0) lo = mid + 1;
        else hi = mid;
    }
    return -1;
}

static uint64_t m_lex_freq(const cp_corpus *self, int a, cp_id id) {
    const mattr *t = attr_of(self, a);
    return id >= 0 && id < t->nstr ? t->freq[id] : 0;
}

/* The inverted lists of t, made on first use (a counting sort). */
static int make_postings(mattr *t, uint64_t npos) {
    if (t->post_off) return CP_OK;
    uint32_t *off = malloc(((size_t)t->nstr + 1) * sizeof *off);
    uint32_t *post = malloc((npos ? (size_t)npos : 1) * sizeof *post);
    uint32_t *fill = malloc(((size_t)t->nstr + 1) * sizeof *fill);
    if (!off || !post || !fill) {
        free(off);
        free(post);
        free(fill);
        return CP_ENOMEM;
    }
    uint32_t sum = 0;
    for (uint32_t i = 0; i < t->nstr; i++) {
        off[i] = fill[i] = sum;
        sum += (uint32_t)t->freq[i];
    }
    off[t->nstr] = sum;
    for (uint64_t p = 0; p < npos; p++) post[fill[t->ids[p]]++] = (uint32_t)p;
    free(fill);
    t->post_off = off;
    t->post = post;
    return CP_OK;
}

static int m_postings(const cp_corpus *self, int a, cp_id id, cp_posvec *out) {
    const mem_corpus *m = (const mem_corpus *)self;
    mattr *t = &m->attrs[m->amap[a]];
    if (id < 0 || id >= t->nstr) return CP_ERANGE;
    int rc = make_postings(t, (uint64_t)self->size);
    if (rc != CP_OK) return rc;
    size_t n = t->post_off[id + 1] - t->post_off[id];
    if (n > SIZE_MAX - out->n) return CP_ENOMEM;
    cp_pos *v = cr_grow(out->v, &out->cap, out->n + n, sizeof *v, 256);
    if (!v) return CP_ENOMEM;
    out->v = v;
    const uint32_t *src = t->post + t->post_off[id];
    for (size_t i = 0; i < n; i++) v[out->n + i] = src[i];
    out->n += n;
    return CP_OK;
}

static int m_ids_at(const cp_corpus *self, int a, cp_pos from, size_t n, cp_id *out) {
    const mattr *t = attr_of(self, a);
    if (from < 0 || from > self->size || n > (uint64_t)(self->size - from)) return CP_ERANGE;
    const uint32_t *src = t->ids + from;
    for (size_t i = 0; i < n; i++) out[i] = src[i];
    return CP_OK;
}

static int64_t m_regions(const cp_corpus *self, int s) {
    const mem_corpus *m = (const mem_corpus *)self;
    return s == 0 ? (int64_t)m->ndocs : (int64_t)m->nsent;
}

static int m_region(const cp_corpus *self, int s, int64_t k, cp_pos *start, cp_pos *end) {
    const mem_corpus *m = (const mem_corpus *)self;
    if (k < 0 || (uint64_t)k >= (uint64_t)m_regions(self, s)) return CP_ERANGE;
    *start = s == 0 ? m->tstart[k] : m->sstart[k];
    *end = s == 0 ? m->tend[k] : m->send[k];
    return CP_OK;
}

/* The last region of starts[0..n) starting at or before pos, if it holds pos. */
static int64_t find_region(const uint32_t *starts, const uint32_t *ends, size_t n, cp_pos pos) {
    size_t lo = 0, hi = n;
    while (lo < hi) {
        size_t mid = lo + (hi - lo) / 2;
        if ((cp_pos)starts[mid] <= pos) lo = mid + 1;
        else hi = mid;
    }
    if (lo == 0) return -1;
    return pos < (cp_pos)ends[lo - 1] ? (int64_t)(lo - 1) : -1;
}

static int64_t m_region_of(const cp_corpus *self, int s, cp_pos pos) {
    const mem_corpus *m = (const mem_corpus *)self;
    if (s == 0) return find_region(m->tstart, m->tend, m->ndocs, pos);
    return find_region(m->sstart, m->send, m->nsent, pos);
}

static const char *m_region_value(const cp_corpus *self, int s, int64_t k, const char *key, size_t klen,
                                  size_t *len) {
    const mem_corpus *m = (const mem_corpus *)self;
    *len = 0;
    if (k < 0 || (uint64_t)k >= (uint64_t)m_regions(self, s)) return NULL;
    if (s == 1) {
        if (klen != 2 || memcmp(key, "id", 2) != 0 || !m->sidlen[k]) return NULL;
        *len = m->sidlen[k];
        return m->sarena.data + m->sidoff[k];
    }
    for (size_t i = m->tval[k]; i < m->tval[k + 1]; i++) {
        const char *name = m->tkeys[m->vals[i].key];
        if (strlen(name) == klen && memcmp(name, key, klen) == 0) {
            *len = m->vals[i].len;
            return m->varena.data + m->vals[i].off;
        }
    }
    return NULL;
}

static void m_close(cp_corpus *self) { mem_free((mem_corpus *)self); }

static const cp_ops mem_ops = {m_lex_size, m_lex_str,  m_lex_find,       m_lex_freq,
                               m_postings, m_ids_at,   m_regions,        m_region,
                               m_region_of, m_region_value, m_close};

/* ---- building --------------------------------------------------------- */

static char *dupn(const char *s, size_t n) {
    char *d = malloc(n + 1);
    if (d) {
        memcpy(d, s, n);
        d[n] = 0;
    }
    return d;
}

/* The builder attribute named name[0..n), added (with the empty string at
 * every position so far) when new; -1 when out of memory. */
static int attr_index(cpm_builder *b, const char *name, size_t n) {
    mem_corpus *m = b->m;
    for (int i = 0; i < m->nattrs; i++)
        if (strlen(m->attrs[i].name) == n && memcmp(m->attrs[i].name, name, n) == 0) return i;
    mattr *g = realloc(m->attrs, ((size_t)m->nattrs + 1) * sizeof *g);
    if (!g) return -1;
    m->attrs = g;
    mattr *a = &g[m->nattrs];
    memset(a, 0, sizeof *a);
    a->name = dupn(name, n);
    if (!a->name) return -1;
    m->nattrs++;
    if (b->npos) {
        uint32_t e = intern(a, "", 0);
        if (e == NONE32) return -1;
        a->ids = malloc((size_t)b->npos * sizeof *a->ids);
        if (!a->ids) return -1;
        a->idcap = (size_t)b->npos;
        for (uint64_t p = 0; p < b->npos; p++) a->ids[p] = e;
        a->freq[e] = b->npos;
    }
    return m->nattrs - 1;
}

cpm_builder *cpm_new(const cr_tokenizer_opts *topts) {
    cpm_builder *b = calloc(1, sizeof *b);
    if (!b) return NULL;
    b->m = calloc(1, sizeof *b->m);
    if (!b->m) {
        free(b);
        return NULL;
    }
    if (topts) b->topts = *topts;
    else cr_tokenizer_opts_default(&b->topts);
    b->topts.sentences = 1;
    b->topts.spaces = 0;
    b->m->tkeys = calloc(2, sizeof *b->m->tkeys);
    if (!b->m->tkeys || attr_index(b, "word", 4) != 0 || attr_index(b, "lower", 5) != 1 ||
        attr_index(b, "key", 3) != 2 || !(b->m->tkeys[0] = dupn("id", 2))) {
        cpm_free(b);
        return NULL;
    }
    b->m->ntkeys = 1;
    b->m->tkcap = 2;
    b->m->attrs[1].derived = SRC_LOWER;
    b->m->attrs[2].derived = SRC_KEY;
    return b;
}

void cpm_free(cpm_builder *b) {
    if (!b) return;
    mem_free(b->m);
    cr_buf_free(&b->norm);
    free(b->src);
    free(b);
}

static int fail(cpm_builder *b, int rc) {
    b->failed = rc;
    return rc;
}

/* Appends provisional id id at the next position of attribute a. */
static int push_id(mattr *a, uint64_t pos, uint32_t id) {
    if (pos >= a->idcap) {
        uint32_t *g = cr_grow(a->ids, &a->idcap, (size_t)pos + 1, sizeof *g, 4096);
        if (!g) return CP_ENOMEM;
        a->ids = g;
    }
    a->ids[pos] = id;
    a->freq[id]++;
    return CP_OK;
}

/* The id in derived attribute a of word's provisional id w (string s[0..n)). */
static uint32_t derive(cpm_builder *b, mattr *a, uint32_t w, const char *s, size_t n) {
    if (w >= a->fwcap) {
        size_t old = a->fwcap;
        uint32_t *g = cr_grow(a->from_word, &a->fwcap, (size_t)w + 1, sizeof *g, 1024);
        if (!g) return NONE32;
        for (size_t i = old; i < a->fwcap; i++) g[i] = NONE32;
        a->from_word = g;
    }
    if (a->from_word[w] != NONE32) return a->from_word[w];
    if (cr_normalize(&b->norm, s, n, a->derived == SRC_LOWER ? CR_NORM_CASEFOLD : CR_NORM_KEY) != 0) return NONE32;
    uint32_t id = intern(a, b->norm.data ? b->norm.data : "", b->norm.len);
    if (id != NONE32) a->from_word[w] = id;
    return id;
}

/* Records one token: its word, and every other attribute from vals (per
 * attribute: a string, or NULL for derived / empty by b->src). */
static int add_token(cpm_builder *b, const char *w, size_t wn, const char *const *vals, const size_t *lens) {
    mem_corpus *m = b->m;
    if (b->npos >= MAX_TOKENS) return CP_ERANGE;
    uint32_t wid = intern(&m->attrs[0], w, wn);
    if (wid == NONE32 || push_id(&m->attrs[0], b->npos, wid) != CP_OK) return CP_ENOMEM;
    for (int i = 1; i < m->nattrs; i++) {
        mattr *a = &m->attrs[i];
        int src = b->src[i];
        uint32_t id;
        if (src >= 0) id = intern(a, vals[src], lens[src]);
        else if (src == SRC_EMPTY) id = intern(a, "", 0);
        else id = derive(b, a, wid, w, wn);
        if (id == NONE32 || push_id(a, b->npos, id) != CP_OK) return CP_ENOMEM;
    }
    b->npos++;
    return CP_OK;
}

static int key_index(mem_corpus *m, const char *k, size_t n) {
    for (size_t i = 0; i < m->ntkeys; i++)
        if (strlen(m->tkeys[i]) == n && memcmp(m->tkeys[i], k, n) == 0) return (int)i;
    if (m->ntkeys + 2 > m->tkcap) {
        char **g = cr_grow(m->tkeys, &m->tkcap, m->ntkeys + 2, sizeof *g, 8);
        if (!g) return -1;
        m->tkeys = g;
    }
    if (!(m->tkeys[m->ntkeys] = dupn(k, n))) return -1;
    m->tkeys[++m->ntkeys] = NULL;
    return (int)m->ntkeys - 1;
}

static int add_value(mem_corpus *m, int key, const char *v, size_t n) {
    if (n > UINT32_MAX) return CP_ERANGE;
    if (m->nvals == m->vcap) {
        mval *g = cr_grow(m->vals, &m->vcap, m->nvals + 1, sizeof *g, 64);
        if (!g) return CP_ENOMEM;
        m->vals = g;
    }
    size_t off = m->varena.len;
    cr_buf_add(&m->varena, v, n);
    if (cr_buf_addc(&m->varena, 0) != 0) return CP_ENOMEM;
    m->vals[m->nvals++] = (mval){(uint32_t)key, (uint32_t)n, off};
    return CP_OK;
}

/* Opens the document's text region at the current position with its values. */
static int begin_doc(cpm_builder *b, const cpm_doc *d) {
    mem_corpus *m = b->m;
    if (m->ndocs + 2 > m->tcap) {
        size_t c1 = m->tcap, c2 = m->tcap, c3 = m->tcap;
        uint32_t *s = cr_grow(m->tstart, &c1, m->ndocs + 2, sizeof *s, 64);
        if (!s) return CP_ENOMEM;
        m->tstart = s;
        uint32_t *e = cr_grow(m->tend, &c2, m->ndocs + 2, sizeof *e, 64);
        if (!e) return CP_ENOMEM;
        m->tend = e;
        size_t *v = cr_grow(m->tval, &c3, m->ndocs + 2, sizeof *v, 64);
        if (!v) return CP_ENOMEM;
        m->tval = v;
        m->tcap = c1;
    }
    m->tstart[m->ndocs] = (uint32_t)b->npos;
    m->tval[m->ndocs] = m->nvals;
    int rc = add_value(m, 0, d->id ? d->id : "", d->id ? d->id_len : 0);
    for (size_t i = 0; rc == CP_OK && i < d->nmeta; i++) {
        const char *k = d->meta[2 * i];
        size_t kn = d->meta_len[2 * i];
        if (kn == 2 && memcmp(k, "id", 2) == 0) continue;
        int key = key_index(m, k, kn);
        if (key < 0) return CP_ENOMEM;
        rc = add_value(m, key, d->meta[2 * i + 1], d->meta_len[2 * i + 1]);
    }
    return rc;
}

static void end_doc(cpm_builder *b) {
    mem_corpus *m = b->m;
    m->tend[m->ndocs] = (uint32_t)b->npos;
    m->ndocs++;
    m->tval[m->ndocs] = m->nvals;
}

static int add_sentence(cpm_builder *b, uint64_t start, uint64_t end, const char *id, size_t idn) {
    mem_corpus *m = b->m;
    if (end <= start) return CP_OK;
    if (m->nsent == m->scap) {
        size_t c1 = m->scap, c2 = m->scap, c3 = m->scap, c4 = m->scap;
        uint32_t *s = cr_grow(m->sstart, &c1, m->nsent + 1, sizeof *s, 256);
        if (!s) return CP_ENOMEM;
        m->sstart = s;
        uint32_t *e = cr_grow(m->send, &c2, m->nsent + 1, sizeof *e, 256);
        if (!e) return CP_ENOMEM;
        m->send = e;
        size_t *o = cr_grow(m->sidoff, &c3, m->nsent + 1, sizeof *o, 256);
        if (!o) return CP_ENOMEM;
        m->sidoff = o;
        uint32_t *l = cr_grow(m->sidlen, &c4, m->nsent + 1, sizeof *l, 256);
        if (!l) return CP_ENOMEM;
        m->sidlen = l;
        m->scap = c1;
    }
    if (idn > UINT32_MAX) idn = 0;
    m->sstart[m->nsent] = (uint32_t)start;
    m->send[m->nsent] = (uint32_t)end;
    m->sidoff[m->nsent] = m->sarena.len;
    m->sidlen[m->nsent] = (uint32_t)idn;
    if (idn) {
        cr_buf_add(&m->sarena, id, idn);
        if (cr_buf_addc(&m->sarena, 0) != 0) return CP_ENOMEM;
    }
    m->nsent++;
    return CP_OK;
}

static int ensure_src(cpm_builder *b) {
    size_t need = (size_t)b->m->nattrs;
    if (need > b->srccap) {
        int *g = cr_grow(b->src, &b->srccap, need, sizeof *g, 16);
        if (!g) return CP_ENOMEM;
        b->src = g;
    }
    for (int i = 0; i < b->m->nattrs; i++) b->src[i] = b->m->attrs[i].derived ? b->m->attrs[i].derived : SRC_EMPTY;
    return CP_OK;
}

int cpm_add_text(cpm_builder *b, const cpm_doc *d, const char *text, size_t len) {
    if (b->failed) return b->failed;
    int rc = ensure_src(b);
    if (rc == CP_OK) rc = begin_doc(b, d);
    if (rc != CP_OK) return fail(b, rc);
    cr_tokenizer t;
    cr_token tok;
    cr_tokenizer_init(&t, text, len, &b->topts);
    uint64_t sstart = b->npos;
    size_t sidx = 0;
    int any = 0;
    while (cr_tokenizer_next(&t, &tok)) {
        if (tok.kind == CR_TOK_SPACE) continue;
        if (any && tok.sentence != sidx) {
            if ((rc = add_sentence(b, sstart, b->npos, NULL, 0)) != CP_OK) return fail(b, rc);
            sstart = b->npos;
        }
        sidx = tok.sentence;
        any = 1;
        if ((rc = add_token(b, text + tok.start, tok.stop - tok.start, NULL, NULL)) != CP_OK) return fail(b, rc);
    }
    if ((rc = add_sentence(b, sstart, b->npos, NULL, 0)) != CP_OK) return fail(b, rc);
    end_doc(b);
    return CP_OK;
}

/* The column of t that is the word: "word", else "form", else the first. */
static size_t word_column(const ld_tokens *t) {
    long w = ld_tokens_attr(t, "word", 4);
    if (w < 0) w = ld_tokens_attr(t, "form", 4);
    return w < 0 ? 0 : (size_t)w;
}

int cpm_add_tokens(cpm_builder *b, const cpm_doc *d, const ld_tokens *t) {
    if (b->failed) return b->failed;
    size_t wc = word_column(t);
    /* columns -> attributes (new attributes fill the positions so far) */
    int *col = calloc(t->nattr ? t->nattr : 1, sizeof *col);
    const char **vals = calloc(t->nattr ? t->nattr : 1, sizeof *vals);
    size_t *lens = calloc(t->nattr ? t->nattr : 1, sizeof *lens);
    int rc = (col && vals && lens) ? CP_OK : CP_ENOMEM;
    for (size_t k = 0; rc == CP_OK && k < t->nattr; k++) {
        const char *name = ld_tokens_name(t, k);
        col[k] = k == wc ? 0 : attr_index(b, name, strlen(name));
        if (col[k] < 0) rc = CP_ENOMEM;
    }
    if (rc == CP_OK) rc = ensure_src(b);
    for (size_t k = 0; rc == CP_OK && k < t->nattr; k++)
        if (k != wc) b->src[col[k]] = (int)k;
    if (rc == CP_OK) rc = begin_doc(b, d);
    uint64_t first = b->npos;
    for (size_t i = 0; rc == CP_OK && i < t->n; i++) {
        for (size_t k = 0; k < t->nattr; k++) vals[k] = ld_tokens_val(t, i, k, &lens[k]);
        rc = add_token(b, vals[wc], lens[wc], vals, lens);
    }
    for (size_t s = 0; rc == CP_OK && s < t->nsent; s++) {
        size_t f, e;
        const char *id, *txt;
        ld_tokens_sentence(t, s, &f, &e, &id, &txt);
        rc = add_sentence(b, first + f, first + e, id, id ? strlen(id) : 0);
    }
    free(col);
    free(vals);
    free(lens);
    if (rc != CP_OK) return fail(b, rc);
    end_doc(b);
    return CP_OK;
}

/* ---- finishing ---------------------------------------------------------- */

typedef struct sortent {
    const char *s;
    uint32_t len, pid;
} sortent;

static int sortent_cmp(const void *x, const void *y) {
    const sortent *a = x, *b = y;
    return lexcmp(a->s, a->len, b->s, b->len);
}

/* Renumbers attribute a by the byte order of its strings. */
static int sort_lexicon(mattr *a, uint64_t npos) {
    uint32_t n = a->nstr;
    sortent *e = malloc((n ? n : 1) * sizeof *e);
    uint32_t *newid = malloc((n ? n : 1) * sizeof *newid);
    size_t *soff = malloc((n ? n : 1) * sizeof *soff);
    uint32_t *slen = malloc((n ? n : 1) * sizeof *slen);
    uint64_t *freq = malloc((n ? n : 1) * sizeof *freq);
    if (!e || !newid || !soff || !slen || !freq) {
        free(e);
        free(newid);
        free(soff);
        free(slen);
        free(freq);
        return CP_ENOMEM;
    }
    for (uint32_t i = 0; i < n; i++) e[i] = (sortent){a->arena.data + a->soff[i], a->slen[i], i};
    qsort(e, n, sizeof *e, sortent_cmp);
    for (uint32_t i = 0; i < n; i++) {
        uint32_t p = e[i].pid;
        newid[p] = i;
        soff[i] = a->soff[p];
        slen[i] = a->slen[p];
        freq[i] = a->freq[p];
    }
    for (uint64_t p = 0; p < npos; p++) a->ids[p] = newid[a->ids[p]];
    free(e);
    free(newid);
    free(a->soff);
    free(a->slen);
    free(a->freq);
    a->soff = soff;
    a->slen = slen;
    a->freq = freq;
    free(a->table);
    a->table = NULL;
    free(a->from_word);
    a->from_word = NULL;
    return CP_OK;
}

cp_corpus *cpm_finish(cpm_builder *b) {
    if (!b) return NULL;
    if (b->failed) {
        cpm_free(b);
        return NULL;
    }
    mem_corpus *m = b->m;
    int rc = CP_OK;
    for (int i = 0; rc == CP_OK && i < m->nattrs; i++) rc = sort_lexicon(&m->attrs[i], b->npos);
    int pos = -1, alias = -1;
    for (int i = 0; i < m->nattrs; i++) {
        if (strcmp(m->attrs[i].name, "pos") == 0) pos = i;
        if (alias < 0 && (strcmp(m->attrs[i].name, "xpos") == 0 || strcmp(m->attrs[i].name, "tag") == 0)) alias = i;
    }
    int nnames = m->nattrs + (pos < 0 && alias >= 0);
    m->names = calloc((size_t)nnames + 1, sizeof *m->names);
    m->amap = calloc((size_t)nnames + 1, sizeof *m->amap);
    if (!m->names || !m->amap) rc = CP_ENOMEM;
    if (rc == CP_OK) {
        for (int i = 0; i < m->nattrs; i++) {
            m->names[i] = m->attrs[i].name;
            m->amap[i] = i;
        }
        if (nnames > m->nattrs) {
            m->names[m->nattrs] = "pos";
            m->amap[m->nattrs] = alias;
        }
    }
    if (rc != CP_OK) {
        cpm_free(b);
        return NULL;
    }
    m->snames[0] = "text";
    m->snames[1] = "s";
    m->skeys[0] = "id";
    m->skeys[1] = NULL;
    m->keys[0] = (const char *const *)m->tkeys;
    m->keys[1] = m->skeys;
    m->base.ops = &mem_ops;
    m->base.size = (cp_pos)b->npos;
    m->base.nattrs = nnames;
    m->base.nstructs = 2;
    m->base.attrs = m->names;
    m->base.structs = m->snames;
    m->base.keys = m->keys;
    b->m = NULL;
    cpm_free(b);
    return &m->base;
}
