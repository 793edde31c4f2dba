/* cindex_build.c — building the index (cindex.h): documents into sorted
 * runs, runs merged into the index file.
 *
 * Stored attributes, in this order: word, the annotated input's other
 * attributes in the input's order, and the whitespace before each token
 * ("gap", hidden: the text is rebuilt from gaps and words; gap_string).
 * lower and key are derived from word at the merge: a map from word ids to
 * theirs, and the words of each (their postings are their words', merged
 * when read).
 *
 * A run is a container (cindex_fmt.h) of sections:
 *   info   u64 tokens, docs, sentences, paragraphs, attributes, annotated;
 *          per stored attribute its name (u32 length, bytes); when annotated
 *          the input's attribute names the same way and u64 the form's index
 *   lex.I  u64 ids; per id in byte order: u32 length, bytes, u32 frequency
 *   pos.I  u32 positions (from the run's start) grouped by id (not for gap)
 *   ids.I  u32 id per token
 *   docs   per document: u64 tokens, u64 source bytes, u8 annotated, the
 *          strings id, path, title, tail (u32 length, bytes), u32 metadata
 *          count, per field u8 type, key, value
 *   sent   per sentence: u64 start, u64 end, strings id, text
 *   para   per paragraph: u64 start, u64 end */
#include "cindex.h"

#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "cindex_fmt.h"
#include "grow.h"
#include "tokenizer.h"

#define DEFAULT_BATCH (1u << 21)

/* ---- writing a container ---------------------------------------------------- */
typedef struct sect {
    char name[CI_NAME];
    uint64_t off, size, hash;
} sect;

typedef struct cwriter {
    int fd;
    uint64_t base, pos;          /* the container's start; the next byte's offset */
    unsigned char *buf;
    size_t blen;
    sect *s;
    size_t ns, scap;
    int open;                    /* a section is being written */
    ci_hasher h;
    int failed;
    char err[CI_ERR_SIZE];
} cwriter;

#define WBUF (1u << 16)

static int cw_flush(cwriter *w) {
    size_t done = 0;
    while (done < w->blen) {
        ssize_t k = pwrite(w->fd, w->buf + done, w->blen - done, (off_t)(w->pos - w->blen + done));
        if (k < 0 && errno == EINTR) continue;
        if (k <= 0) {
            if (!w->failed) snprintf(w->err, sizeof w->err, "writing the index: %s", strerror(k < 0 ? errno : EIO));
            w->failed = 1;
            return -1;
        }
        done += (size_t)k;
    }
    w->blen = 0;
    return 0;
}

static int cw_init(cwriter *w, int fd, uint64_t base) {
    memset(w, 0, sizeof *w);
    w->fd = fd;
    w->base = base;
    w->pos = base + CI_HEADER;
    w->buf = malloc(WBUF);
    if (!w->buf) return -1;
    unsigned char zero[CI_HEADER] = {0};
    if (pwrite(fd, zero, CI_HEADER, (off_t)base) != CI_HEADER) {
        snprintf(w->err, sizeof w->err, "writing the index: %s", strerror(errno));
        w->failed = 1;
        return -1;
    }
    return 0;
}

static void cw_raw(cwriter *w, const void *p, size_t n) {
    const unsigned char *q = p;
    if (w->open) ci_hash_add(&w->h, p, n);
    while (n) {
        if (w->blen == WBUF && cw_flush(w)) return;
        size_t k = WBUF - w->blen < n ? WBUF - w->blen : n;
        memcpy(w->buf + w->blen, q, k);
        w->blen += k;
        w->pos += k;
        q += k;
        n -= k;
    }
}
static void cw_u64(cwriter *w, uint64_t v) {
    unsigned char b[8];
    ci_wr64(b, v);
    cw_raw(w, b, 8);
}
static void cw_u32(cwriter *w, uint32_t v) {
    unsigned char b[4];
    ci_wr32(b, v);
    cw_raw(w, b, 4);
}
/* An array of u32, little-endian, in one piece (rewritten in place on a
 * big-endian machine). */
static void cw_u32s(cwriter *w, uint32_t *v, size_t n) {
#if __BYTE_ORDER__ != __ORDER_LITTLE_ENDIAN__
    for (size_t i = 0; i < n; i++) {
        unsigned char x[4];
        ci_wr32(x, v[i]);
        memcpy(&v[i], x, 4);
    }
#endif
    cw_raw(w, v, n * sizeof *v);
}
static void cw_str(cwriter *w, const char *s, size_t n) {
    cw_u32(w, (uint32_t)n);
    cw_raw(w, s, n);
}

static int cw_begin(cwriter *w, const char *name) {
    sect *g = cr_grow(w->s, &w->scap, w->ns + 1, sizeof *w->s, 16);
    if (!g) {
        w->failed = 1;
        snprintf(w->err, sizeof w->err, "out of memory");
        return -1;
    }
    w->s = g;
    sect *s = &w->s[w->ns++];
    memset(s, 0, sizeof *s);
    snprintf(s->name, sizeof s->name, "%s", name);
    s->off = w->pos - w->base;
    ci_hash_init(&w->h);
    w->open = 1;
    return 0;
}

/* Ends the section; pads to 8 bytes (padding outside it). */
static void cw_end(cwriter *w) {
    sect *s = &w->s[w->ns - 1];
    s->size = w->pos - w->base - s->off;
    s->hash = ci_hash_end(&w->h);
    w->open = 0;
    static const unsigned char zero[8] = {0};
    if (w->pos % 8) cw_raw(w, zero, 8 - w->pos % 8);
}

/* Writes the table and the header.  0 or -1. */
static int cw_close(cwriter *w) {
    uint64_t table = w->pos - w->base;
    ci_hasher th;
    ci_hash_init(&th);
    for (size_t i = 0; i < w->ns; i++) {
        unsigned char e[CI_ENTRY] = {0};
        memcpy(e, w->s[i].name, CI_NAME);
        ci_wr64(e + CI_NAME, w->s[i].off);
        ci_wr64(e + CI_NAME + 8, w->s[i].size);
        ci_wr64(e + CI_NAME + 16, w->s[i].hash);
        ci_hash_add(&th, e, CI_ENTRY);
        cw_raw(w, e, CI_ENTRY);
    }
    if (cw_flush(w)) return -1;
    unsigned char h[CI_HEADER];
    memcpy(h, CI_MAGIC, 8);
    ci_wr32(h + 8, CI_FORMAT_VERSION);
    ci_wr32(h + 12, (uint32_t)w->ns);
    ci_wr64(h + 16, table);
    ci_wr64(h + 24, ci_hash_end(&th));
    ci_wr64(h + 32, w->pos - w->base);
    ci_wr64(h + 40, ci_hash(h, 40));
    if (pwrite(w->fd, h, CI_HEADER, (off_t)w->base) != CI_HEADER) {
        snprintf(w->err, sizeof w->err, "writing the index: %s", strerror(errno));
        return -1;
    }
    return w->failed ? -1 : 0;
}

static void cw_free(cwriter *w) {
    free(w->buf);
    free(w->s);
    w->buf = NULL;
    w->s = NULL;
}

/* ---- reading a container sequentially ------------------------------------ */
typedef struct crd {
    int fd;
    uint64_t pos, end;
    unsigned char *buf;
    size_t bpos, blen, bcap;
    int bad;
} crd;

static int crd_init(crd *r, int fd, uint64_t off, uint64_t size, size_t bufsize) {
    memset(r, 0, sizeof *r);
    r->fd = fd;
    r->pos = off;
    r->end = off + size;
    r->bcap = bufsize;
    r->buf = malloc(bufsize);
    return r->buf ? 0 : -1;
}
static void crd_free(crd *r) {
    free(r->buf);
    r->buf = NULL;
}
static int crd_fill(crd *r) {
    if (r->bpos < r->blen) memmove(r->buf, r->buf + r->bpos, r->blen - r->bpos);
    r->blen -= r->bpos;
    r->bpos = 0;
    uint64_t left = r->end - r->pos;
    size_t want = r->bcap - r->blen;
    if (want > left) want = (size_t)left;
    while (want) {
        ssize_t k = pread(r->fd, r->buf + r->blen, want, (off_t)r->pos);
        if (k < 0 && errno == EINTR) continue;
        if (k <= 0) return -1;
        r->blen += (size_t)k;
        r->pos += (uint64_t)k;
        want -= (size_t)k;
    }
    return 0;
}
/* Copies n bytes (n <= bcap when dst is NULL: then only skips). */
static int crd_get(crd *r, void *dst, size_t n) {
    unsigned char *d = dst;
    while (n) {
        if (r->bpos == r->blen) {
            if (r->pos >= r->end || crd_fill(r) || r->blen == 0) {
                r->bad = 1;
                return -1;
            }
        }
        size_t k = r->blen - r->bpos < n ? r->blen - r->bpos : n;
        if (d) {
            memcpy(d, r->buf + r->bpos, k);
            d += k;
        }
        r->bpos += k;
        n -= k;
    }
    return 0;
}
static uint64_t crd_u64(crd *r) {
    unsigned char b[8] = {0};
    crd_get(r, b, 8);
    return ci_rd64(b);
}
static uint32_t crd_u32(crd *r) {
    unsigned char b[4] = {0};
    crd_get(r, b, 4);
    return ci_rd32(b);
}
static int crd_str(crd *r, cr_buf *out) {
    uint32_t n = crd_u32(r);
    cr_buf_reset(out);
    if (r->bad || cr_buf_reserve(out, n)) return -1;
    if (crd_get(r, out->data, n)) return -1;
    out->len = n;
    out->data[n] = '\0';
    return 0;
}

/* A container's table, read with pread. */
typedef struct ctable {
    sect *s;
    size_t n;
    uint64_t base, size;
} ctable;

static int ct_read(ctable *t, int fd, uint64_t base, uint64_t end, char *err, size_t errsize) {
    unsigned char h[CI_HEADER];
    memset(t, 0, sizeof *t);
    t->base = base;
    if (end < base + CI_HEADER || pread(fd, h, CI_HEADER, (off_t)base) != CI_HEADER || memcmp(h, CI_MAGIC, 8) ||
        ci_rd64(h + 40) != ci_hash(h, 40)) {
        snprintf(err, errsize, "a run of the index build at byte %llu is not sound", (unsigned long long)base);
        return -1;
    }
    uint32_t n = ci_rd32(h + 12);
    uint64_t table = ci_rd64(h + 16);
    t->size = ci_rd64(h + 32);
    if (table + (uint64_t)n * CI_ENTRY != t->size || base + t->size > end) {
        snprintf(err, errsize, "a run of the index build at byte %llu is truncated", (unsigned long long)base);
        return -1;
    }
    t->s = calloc(n ? n : 1, sizeof *t->s);
    if (!t->s) return -1;
    t->n = n;
    for (uint32_t i = 0; i < n; i++) {
        unsigned char e[CI_ENTRY];
        if (pread(fd, e, CI_ENTRY, (off_t)(base + table + (uint64_t)i * CI_ENTRY)) != CI_ENTRY) return -1;
        memcpy(t->s[i].name, e, CI_NAME);
        t->s[i].name[CI_NAME - 1] = '\0';
        t->s[i].off = ci_rd64(e + CI_NAME);
        t->s[i].size = ci_rd64(e + CI_NAME + 8);
        if (t->s[i].off > table || t->s[i].size > table - t->s[i].off) return -1;
    }
    return 0;
}
static const sect *ct_find(const ctable *t, const char *name) {
    for (size_t i = 0; i < t->n; i++)
        if (strcmp(t->s[i].name, name) == 0) return &t->s[i];
    return NULL;
}
static int ct_open(const ctable *t, int fd, const char *name, crd *r, size_t bufsize) {
    const sect *s = ct_find(t, name);
    if (!s) return -1;
    return crd_init(r, fd, t->base + s->off, s->size, bufsize);
}

/* ---- the builder's batch --------------------------------------------------- */
typedef struct blex {         /* one stored attribute in the batch */
    cr_buf arena;
    uint64_t *soff;
    uint32_t *slen, *freq;    /* per id: length, frequency */
    size_t n, cap;
    uint64_t *ht;             /* the hash's high 32 bits, id + 1 in the low; 0: empty */
    size_t hcap;
    uint32_t *stream;         /* per token: its id */
} blex;

struct ci_builder {
    int fd;
    size_t batch;
    int started, annotated;
    size_t nstored;           /* word, others, gap */
    cr_buf names;             /* stored names, NUL after each */
    cr_buf inames;            /* annotated: the input's names, NUL after each */
    size_t ninames, form;
    size_t *src;              /* annotated: per stored attribute but word and gap, its input index */
    blex *lx;
    size_t ntok, tokcap;      /* tokens in the batch */
    uint64_t ndocs_b, nsent_b, npara_b;
    cr_buf docs, sent, para;  /* the batch's records */
    uint64_t *runs;
    size_t nruns, runcap;
    uint64_t tokens, docs_total;
    uint32_t *rank, *order, *posb;
    cr_buf tmp;
    char err[CI_ERR_SIZE];
};

static uint64_t str_hash(const char *s, size_t n) {
    uint64_t h = 0x9E3779B97F4A7C15u ^ n;
    for (; n >= 8; s += 8, n -= 8) {
        uint64_t w;
        memcpy(&w, s, 8);
        h = (h ^ w) * 0xff51afd7ed558ccdu;
        h ^= h >> 32;
    }
    uint64_t w = 0;
    memcpy(&w, s, n);
    h = (h ^ w) * 0xc4ceb9fe1a85ec53u;
    return h ^ h >> 29;
}

static int blex_rehash(blex *l, size_t cap) {
    uint64_t *t = calloc(cap, sizeof *t);
    if (!t) return -1;
    for (size_t i = 0; i < l->n; i++) {
        uint64_t h = str_hash(l->arena.data + l->soff[i], l->slen[i]);
        size_t j = h & (cap - 1);
        while (t[j]) j = (j + 1) & (cap - 1);
        t[j] = (h >> 32 << 32) | ((uint64_t)i + 1);
    }
    free(l->ht);
    l->ht = t;
    l->hcap = cap;
    return 0;
}

/* The batch id of s, interned when new; -1 when out of memory. */
static int64_t blex_id(blex *l, const char *s, size_t n) {
    if (n > UINT32_MAX) n = UINT32_MAX;
    if ((l->n + 1) * 2 > l->hcap && blex_rehash(l, l->hcap ? l->hcap * 2 : 1024)) return -1;
    uint64_t h = str_hash(s, n), hi = h >> 32 << 32;
    size_t j = h & (l->hcap - 1);
    for (; l->ht[j]; j = (j + 1) & (l->hcap - 1)) {
        if ((l->ht[j] >> 32 << 32) != hi) continue;
        uint32_t i = (uint32_t)l->ht[j] - 1;
        if (l->slen[i] == n && memcmp(l->arena.data + l->soff[i], s, n) == 0) {
            l->freq[i]++;
            return i;
        }
    }
    if (l->n == l->cap) {
        size_t c1 = l->cap, c2 = l->cap, c3 = l->cap;
        uint64_t *a = cr_grow(l->soff, &c1, l->n + 1, sizeof *a, 256);
        if (!a) return -1;
        l->soff = a;
        uint32_t *b = cr_grow(l->slen, &c2, l->n + 1, sizeof *b, 256);
        if (!b) return -1;
        l->slen = b;
        uint32_t *c = cr_grow(l->freq, &c3, l->n + 1, sizeof *c, 256);
        if (!c) return -1;
        l->freq = c;
        l->cap = c1;
    }
    l->soff[l->n] = l->arena.len;
    l->slen[l->n] = (uint32_t)n;
    l->freq[l->n] = 1;
    if (cr_buf_add(&l->arena, s, n)) return -1;
    l->ht[j] = hi | ((uint64_t)l->n + 1);
    return (int64_t)l->n++;
}

static void blex_reset(blex *l) {
    cr_buf_reset(&l->arena);
    l->n = 0;
    if (l->ht) memset(l->ht, 0, l->hcap * sizeof *l->ht);
}

static void blex_free(blex *l) {
    cr_buf_free(&l->arena);
    free(l->soff);
    free(l->slen);
    free(l->freq);
    free(l->ht);
    free(l->stream);
}

ci_builder *ci_builder_new(int fd, const ci_build_opts *opts) {
    ci_builder *b = calloc(1, sizeof *b);
    if (!b) return NULL;
    b->fd = fd;
    b->batch = opts && opts->batch_tokens ? opts->batch_tokens : DEFAULT_BATCH;
    if (b->batch > UINT32_MAX / 2) b->batch = UINT32_MAX / 2;
    return b;
}

const char *ci_builder_error(const ci_builder *b) { return b->err; }
uint64_t ci_builder_tokens(const ci_builder *b) { return b->tokens; }
uint64_t ci_builder_docs(const ci_builder *b) { return b->docs_total; }
size_t ci_builder_runs(const ci_builder *b, const uint64_t **offsets) {
    *offsets = b->runs;
    return b->nruns;
}

void ci_builder_free(ci_builder *b) {
    if (!b) return;
    for (size_t i = 0; i < b->nstored && b->lx; i++) blex_free(&b->lx[i]);
    free(b->lx);
    free(b->src);
    cr_buf_free(&b->names);
    cr_buf_free(&b->inames);
    cr_buf_free(&b->docs);
    cr_buf_free(&b->sent);
    cr_buf_free(&b->para);
    cr_buf_free(&b->tmp);
    free(b->runs);
    free(b->rank);
    free(b->order);
    free(b->posb);
    free(b);
}

static int oom(ci_builder *b) {
    snprintf(b->err, sizeof b->err, "out of memory");
    return -1;
}

static int add_name(cr_buf *names, const char *s) { return cr_buf_add(names, s, strlen(s) + 1); }

/* Fixes the attributes from the first document. */
static int start(ci_builder *b, const ci_doc *d) {
    const ld_tokens *t = d->tokens;
    b->annotated = t != NULL;
    if (add_name(&b->names, "word")) return oom(b);
    b->nstored = 1;
    if (t) {
        long f = ld_tokens_attr(t, "form", 4);
        if (f < 0) f = ld_tokens_attr(t, "word", 4);
        b->form = f < 0 ? 0 : (size_t)f;
        b->ninames = t->nattr;
        b->src = calloc(t->nattr + 1, sizeof *b->src);
        if (!b->src) return oom(b);
        for (size_t a = 0; a < t->nattr; a++) {
            const char *nm = ld_tokens_name(t, a);
            if (cr_buf_add(&b->inames, nm, strlen(nm) + 1)) return oom(b);
            if (a == b->form) continue;
            if (!strcmp(nm, "word") || !strcmp(nm, "gap")) continue;   /* names the index keeps */
            b->src[b->nstored] = a;
            if (add_name(&b->names, nm)) return oom(b);
            b->nstored++;
        }
    }
    if (add_name(&b->names, "gap")) return oom(b);
    b->nstored++;
    b->lx = calloc(b->nstored, sizeof *b->lx);
    if (!b->lx) return oom(b);
    b->started = 1;
    return 0;
}

/* Whether d's attributes are the first document's. */
static int same_attrs(const ci_builder *b, const ci_doc *d) {
    if (!b->annotated) return d->tokens == NULL;
    const ld_tokens *t = d->tokens;
    if (!t || t->nattr != b->ninames) return 0;
    const char *p = b->inames.data;
    for (size_t a = 0; a < t->nattr; a++) {
        if (strcmp(p, ld_tokens_name(t, a))) return 0;
        p += strlen(p) + 1;
    }
    return 1;
}

static void put_u64(cr_buf *o, uint64_t v) {
    unsigned char x[8];
    ci_wr64(x, v);
    cr_buf_add(o, x, 8);
}
static void put_str(cr_buf *o, const char *s, size_t n) {
    unsigned char x[4];
    ci_wr32(x, (uint32_t)n);
    cr_buf_add(o, x, 4);
    if (n) cr_buf_add(o, s, n);
}

static int ensure_tokens(ci_builder *b, size_t need) {
    if (need <= b->tokcap) return 0;
    size_t cap = b->tokcap;
    for (size_t i = 0; i < b->nstored; i++) {
        cap = b->tokcap;
        uint32_t *s = cr_grow(b->lx[i].stream, &cap, need, sizeof *s, 4096);
        if (!s) return oom(b);
        b->lx[i].stream = s;
    }
    b->tokcap = cap;
    return 0;
}

/* Adds one token: its word, the other stored values, the gap before it. */
static int add_token(ci_builder *b, const char *const *vals, const size_t *lens) {
    if (ensure_tokens(b, b->ntok + 1)) return -1;
    for (size_t i = 0; i < b->nstored; i++) {
        int64_t id = blex_id(&b->lx[i], vals[i], lens[i]);
        if (id < 0) return oom(b);
        b->lx[i].stream[b->ntok] = (uint32_t)id;
    }
    b->ntok++;
    return 0;
}

/* The hidden attribute "gap" of a token: what rebuilds the text around it.
 * kind 0: [0] and the bytes before the token, whose text is its word;
 * kind 1: [1], u32 length of the bytes before, those bytes, then the
 * token's text (not its word: a CoNLL-U multiword token's form);
 * kind 2: [2]: the token shares the previous token's text (the next word
 * of a multiword token). */
static int gap_string(cr_buf *o, int kind, const char *pre, size_t pn, const char *surf, size_t sn) {
    cr_buf_reset(o);
    cr_buf_addc(o, kind);
    if (kind == 1) {
        unsigned char x[4];
        ci_wr32(x, (uint32_t)pn);
        cr_buf_add(o, x, 4);
    }
    if (pn) cr_buf_add(o, pre, pn);
    if (kind == 1 && sn) cr_buf_add(o, surf, sn);
    return o->failed ? -1 : 0;
}

static int blank_line(const char *s, size_t n) {
    for (size_t i = 0; i < n; i++) {
        if (s[i] != '\n') continue;
        size_t j = i + 1;
        while (j < n && (s[j] == ' ' || s[j] == '\t' || s[j] == '\r')) j++;
        if (j < n && s[j] == '\n') return 1;
    }
    return 0;
}

static void add_region(cr_buf *o, uint64_t start, uint64_t end) {
    put_u64(o, start);
    put_u64(o, end);
}

/* Plain text: tokenised; sentences by the tokeniser, paragraphs at blank lines. */
static int add_text(ci_builder *b, const ci_doc *d, size_t *tail) {
    const char *vals[2];
    size_t lens[2];
    cr_tokenizer_opts o;
    cr_tokenizer_opts_default(&o);
    o.sentences = 1;
    cr_tokenizer tz;
    cr_tokenizer_init(&tz, d->text, d->text_len, &o);
    cr_token tok;
    size_t prev = 0, first = b->ntok, sent = (size_t)-1;
    uint64_t s_start = 0, p_start = 0;
    int any = 0;
    while (cr_tokenizer_next(&tz, &tok)) {
        uint64_t pos = b->ntok;
        if (!any || tok.sentence != sent) {
            if (any) add_region(&b->sent, s_start, pos), put_str(&b->sent, "", 0), put_str(&b->sent, "", 0), b->nsent_b++;
            s_start = pos;
            sent = tok.sentence;
        }
        if (any && blank_line(d->text + prev, tok.start - prev)) {
            add_region(&b->para, p_start, pos);
            b->npara_b++;
            p_start = pos;
        }
        if (!any) p_start = pos;
        any = 1;
        vals[0] = d->text + tok.start;
        lens[0] = tok.stop - tok.start;
        if (gap_string(&b->tmp, 0, d->text + prev, tok.start - prev, NULL, 0)) return oom(b);
        vals[1] = b->tmp.data;
        lens[1] = b->tmp.len;
        if (add_token(b, vals, lens)) return -1;
        prev = tok.stop;
    }
    if (any) {
        add_region(&b->sent, s_start, b->ntok), put_str(&b->sent, "", 0), put_str(&b->sent, "", 0), b->nsent_b++;
        add_region(&b->para, p_start, b->ntok);
        b->npara_b++;
    }
    (void)first;
    *tail = prev;
    return 0;
}

/* Annotated tokens: their values; the gaps from their spans in the text. */
static int add_annot(ci_builder *b, const ci_doc *d, size_t *tail) {
    const ld_tokens *t = d->tokens;
    const char *vals[64];
    size_t lens[64];
    const char **pv = vals;
    size_t *pl = lens;
    if (b->nstored > 64) {
        pv = malloc(b->nstored * sizeof *pv);
        pl = malloc(b->nstored * sizeof *pl);
        if (!pv || !pl) {
            free(pv);
            free(pl);
            return oom(b);
        }
    }
    uint64_t base = b->ntok;
    size_t prev = 0;
    int rc = 0;
    for (size_t i = 0; i < t->n && !rc; i++) {
        size_t s0 = t->span[2 * i], s1 = t->span[2 * i + 1];
        int shared = i > 0 && s0 == t->span[2 * i - 2] && s1 == t->span[2 * i - 1];   /* a multiword token's word */
        if (!shared && (s0 < prev || s1 < s0 || s1 > d->text_len)) {
            snprintf(b->err, sizeof b->err, "document '%.*s': token %zu lies outside its text", (int)d->id_len, d->id,
                     i + 1);
            rc = -1;
            break;
        }
        pv[0] = ld_tokens_val(t, i, b->form, &pl[0]);
        for (size_t a = 1; a + 1 < b->nstored; a++) pv[a] = ld_tokens_val(t, i, b->src[a], &pl[a]);
        int same = pl[0] == s1 - s0 && memcmp(pv[0], d->text + s0, pl[0]) == 0;
        if (shared ? gap_string(&b->tmp, 2, NULL, 0, NULL, 0)
                   : gap_string(&b->tmp, same ? 0 : 1, d->text + prev, s0 - prev, d->text + s0, s1 - s0)) {
            rc = oom(b);
            break;
        }
        pv[b->nstored - 1] = b->tmp.data;
        pl[b->nstored - 1] = b->tmp.len;
        rc = add_token(b, pv, pl);
        if (!shared) prev = s1;
    }
    for (size_t k = 0; k < t->nsent && !rc; k++) {
        size_t f, e;
        const char *id, *text;
        ld_tokens_sentence(t, k, &f, &e, &id, &text);
        if (f >= e) continue;
        add_region(&b->sent, base + f, base + e);
        put_str(&b->sent, id, strlen(id));
        put_str(&b->sent, text, strlen(text));
        b->nsent_b++;
    }
    if (pv != vals) {
        free(pv);
        free(pl);
    }
    *tail = prev;
    return rc;
}

static int flush_run(ci_builder *b);

int ci_builder_add(ci_builder *b, const ci_doc *d) {
    if (!b->started && start(b, d)) return -1;
    if (!same_attrs(b, d)) {
        snprintf(b->err, sizeof b->err,
                 "document '%.*s' has other attributes than the first document (an index holds one kind of tokens)",
                 (int)(d->id_len > 200 ? 200 : d->id_len), d->id);
        return -1;
    }
    uint64_t first = b->ntok;
    size_t tail = 0;
    if ((d->tokens ? add_annot(b, d, &tail) : add_text(b, d, &tail))) return -1;
    cr_buf *o = &b->docs;
    put_u64(o, b->ntok - first);
    put_u64(o, d->bytes);
    cr_buf_addc(o, d->tokens ? 1 : 0);
    put_str(o, d->id, d->id_len);
    put_str(o, d->path, d->path ? d->path_len : 0);
    put_str(o, d->title, d->title ? d->title_len : 0);
    put_str(o, d->text + tail, d->text_len - tail);
    unsigned char x[4];
    ci_wr32(x, (uint32_t)d->n_meta);
    cr_buf_add(o, x, 4);
    for (size_t i = 0; i < d->n_meta; i++) {
        cr_buf_addc(o, d->meta_types ? d->meta_types[i] : LD_STR);
        put_str(o, d->meta_keys[i], d->meta_klen[i]);
        put_str(o, d->meta_vals[i], d->meta_vlen[i]);
    }
    if (o->failed || b->sent.failed || b->para.failed) return oom(b);
    b->ndocs_b++;
    b->docs_total++;
    b->tokens += b->ntok - first;
    if (b->ntok >= b->batch) return flush_run(b);
    return 0;
}

static blex *sort_lex;
static int cmp_ids(const void *x, const void *y) {
    uint32_t a = *(const uint32_t *)x, c = *(const uint32_t *)y;
    size_t la = sort_lex->slen[a], lc = sort_lex->slen[c];
    int r = memcmp(sort_lex->arena.data + sort_lex->soff[a], sort_lex->arena.data + sort_lex->soff[c],
                   la < lc ? la : lc);
    if (r) return r;
    return la < lc ? -1 : la > lc;
}

static int write_attr(ci_builder *b, cwriter *w, size_t i) {
    blex *l = &b->lx[i];
    char name[32];
    for (size_t k = 0; k < l->n; k++) b->order[k] = (uint32_t)k;
    sort_lex = l;
    qsort(b->order, l->n, sizeof *b->order, cmp_ids);
    for (size_t k = 0; k < l->n; k++) b->rank[b->order[k]] = (uint32_t)k;
    snprintf(name, sizeof name, "lex.%zu", i);
    if (cw_begin(w, name)) return -1;
    cw_u64(w, l->n);
    for (size_t k = 0; k < l->n; k++) {
        uint32_t id = b->order[k];
        cw_str(w, l->arena.data + l->soff[id], l->slen[id]);
        cw_u32(w, l->freq[id]);
    }
    cw_end(w);
    if (i + 1 < b->nstored) {   /* postings: not for the gaps */
        /* start of each rank's positions, by a counting sort */
        uint32_t *startp = b->order;   /* reused: order is not needed now */
        uint32_t acc = 0;
        for (size_t k = 0; k < l->n; k++) startp[k] = 0;
        for (size_t k = 0; k < l->n; k++) startp[b->rank[k]] = l->freq[k];
        for (size_t k = 0; k < l->n; k++) {
            uint32_t f = startp[k];
            startp[k] = acc;
            acc += f;
        }
        for (size_t p = 0; p < b->ntok; p++) b->posb[startp[b->rank[l->stream[p]]]++] = (uint32_t)p;
        snprintf(name, sizeof name, "pos.%zu", i);
        if (cw_begin(w, name)) return -1;
        cw_u32s(w, b->posb, b->ntok);
        cw_end(w);
    }
    snprintf(name, sizeof name, "ids.%zu", i);
    if (cw_begin(w, name)) return -1;
    for (size_t p = 0; p < b->ntok; p++) b->posb[p] = b->rank[l->stream[p]];
    cw_u32s(w, b->posb, b->ntok);
    cw_end(w);
    return w->failed ? -1 : 0;
}

static int flush_run(ci_builder *b) {
    if (!b->started || b->ndocs_b == 0) return 0;
    off_t end = lseek(b->fd, 0, SEEK_END);
    if (end < 0) {
        snprintf(b->err, sizeof b->err, "the index build's temporary file: %s", strerror(errno));
        return -1;
    }
    size_t maxn = b->ntok;
    for (size_t i = 0; i < b->nstored; i++)
        if (b->lx[i].n > maxn) maxn = b->lx[i].n;
    free(b->rank);
    free(b->order);
    free(b->posb);
    b->rank = malloc((maxn + 1) * sizeof *b->rank);
    b->order = malloc((maxn + 1) * sizeof *b->order);
    b->posb = malloc((b->ntok + 1) * sizeof *b->posb);
    if (!b->rank || !b->order || !b->posb) return oom(b);
    uint64_t *g = cr_grow(b->runs, &b->runcap, b->nruns + 1, sizeof *g, 16);
    if (!g) return oom(b);
    b->runs = g;
    cwriter w;
    if (cw_init(&w, b->fd, (uint64_t)end)) {
        snprintf(b->err, sizeof b->err, "%s", w.err[0] ? w.err : "out of memory");
        cw_free(&w);
        return -1;
    }
    cw_begin(&w, "info");
    cw_u64(&w, b->ntok);
    cw_u64(&w, b->ndocs_b);
    cw_u64(&w, b->nsent_b);
    cw_u64(&w, b->annotated ? 0 : b->npara_b);
    cw_u64(&w, b->nstored);
    cw_u64(&w, (uint64_t)b->annotated);
    const char *p = b->names.data;
    for (size_t i = 0; i < b->nstored; i++, p += strlen(p) + 1) cw_str(&w, p, strlen(p));
    if (b->annotated) {
        cw_u64(&w, b->ninames);
        p = b->inames.data;
        for (size_t i = 0; i < b->ninames; i++, p += strlen(p) + 1) cw_str(&w, p, strlen(p));
        cw_u64(&w, b->form);
    }
    cw_end(&w);
    int rc = 0;
    for (size_t i = 0; i < b->nstored && !rc; i++) rc = write_attr(b, &w, i);
    cw_begin(&w, "docs");
    cw_raw(&w, b->docs.data, b->docs.len);
    cw_end(&w);
    cw_begin(&w, "sent");
    cw_raw(&w, b->sent.data, b->sent.len);
    cw_end(&w);
    cw_begin(&w, "para");
    if (!b->annotated) cw_raw(&w, b->para.data, b->para.len);
    cw_end(&w);
    if (rc || cw_close(&w)) {
        snprintf(b->err, sizeof b->err, "%s", w.err[0] ? w.err : "out of memory");
        cw_free(&w);
        return -1;
    }
    cw_free(&w);
    b->runs[b->nruns++] = (uint64_t)end;
    for (size_t i = 0; i < b->nstored; i++) blex_reset(&b->lx[i]);
    b->ntok = 0;
    b->ndocs_b = b->nsent_b = b->npara_b = 0;
    cr_buf_reset(&b->docs);
    cr_buf_reset(&b->sent);
    cr_buf_reset(&b->para);
    return 0;
}

int ci_builder_finish(ci_builder *b) { return flush_run(b); }

/* ---- the merge --------------------------------------------------------------- */
typedef struct mrun {
    int fd;
    ctable t;
    uint64_t ntok, ndocs, nsent, npara, base;
} mrun;

typedef struct merger {
    mrun *r;
    size_t nr;
    int out, scratch;
    cwriter w;
    size_t nstored, ninames, form;
    int annotated;
    cr_buf names, inames;       /* NUL after each */
    uint64_t ntok, ndocs, nsent, npara;
    /* the word's lexicon, kept for the derived attributes */
    cr_buf wlex;
    uint64_t *woff, *wfreq;
    uint64_t wn;
    uint64_t wpsb_off, *wpso;   /* its postings: section offset in out, per id offsets */
    cr_buf keys;                /* the text structure's metadata keys, NUL after each */
    size_t nkeys;
    char *err;
    size_t errsize;
} merger;

static int mfail(merger *m, const char *what) {
    if (!m->err[0]) snprintf(m->err, m->errsize, "%s", what);
    return -1;
}

static const char *nth_name(const cr_buf *b, size_t k) {
    const char *p = b->data;
    while (k--) p += strlen(p) + 1;
    return p;
}

/* ---- a run's cursor over one attribute's lexicon ---- */
typedef struct lcur {
    crd lex, pos;
    uint64_t left, local;
    uint32_t freq;
    cr_buf s;
    size_t r;
    /* its map local -> global, written to scratch */
    uint64_t mapoff;
    uint32_t mbuf[1024];
    size_t mlen;
    uint64_t mdone;
} lcur;

static int lcur_next(lcur *c) {
    if (c->left == 0) return 0;
    c->left--;
    if (crd_str(&c->lex, &c->s)) return -1;
    c->freq = crd_u32(&c->lex);
    return c->lex.bad ? -1 : 1;
}

static int lcur_cmp(const lcur *a, const lcur *b) {
    size_t n = a->s.len < b->s.len ? a->s.len : b->s.len;
    int r = memcmp(a->s.data, b->s.data, n);
    if (r) return r;
    if (a->s.len != b->s.len) return a->s.len < b->s.len ? -1 : 1;
    return a->r < b->r ? -1 : a->r > b->r;
}

static void heap_down(lcur **h, size_t n, size_t i) {
    for (;;) {
        size_t l = 2 * i + 1, m = i;
        if (l < n && lcur_cmp(h[l], h[m]) < 0) m = l;
        if (l + 1 < n && lcur_cmp(h[l + 1], h[m]) < 0) m = l + 1;
        if (m == i) return;
        lcur *t = h[i];
        h[i] = h[m];
        h[m] = t;
        i = m;
    }
}

static int map_flush(merger *m, lcur *c) {
    size_t bytes = c->mlen * 4;
    unsigned char *p = (unsigned char *)c->mbuf;
    for (size_t i = 0; i < c->mlen; i++) {   /* little-endian on disk */
        unsigned char x[4];
        ci_wr32(x, c->mbuf[i]);
        memcpy(p + 4 * i, x, 4);
    }
    if (bytes && pwrite(m->scratch, p, bytes, (off_t)(c->mapoff + c->mdone * 4)) != (ssize_t)bytes)
        return mfail(m, "writing the index build's temporary file failed");
    c->mdone += c->mlen;
    c->mlen = 0;
    return 0;
}

/* A postings writer into the open section (the layout: cindex_fmt.h). */
typedef struct pw {
    unsigned char buf[4096];
    size_t n;
    uint64_t last;
    int started;
} pw;
static void pw_add(cwriter *w, pw *p, uint64_t pos) {
    if (p->n > sizeof p->buf - 10) {
        cw_raw(w, p->buf, p->n);
        p->n = 0;
    }
    p->n += ci_put_varint(p->buf + p->n, p->started ? pos - p->last : pos);
    p->started = 1;
    p->last = pos;
}
static void pw_end(cwriter *w, pw *p) {
    cw_raw(w, p->buf, p->n);
    p->n = 0;
    p->started = 0;
}

static void sect_name(char *out, size_t n, const char *kind, int e) {
    if (e < 0) snprintf(out, n, "%s.g", kind);
    else snprintf(out, n, "%s.%d", kind, e);
}

/* Writes lxo/lxb/pso sections from what a merge gathered. */
static void write_lex(merger *m, int e, const cr_buf *lex, const uint64_t *off, uint64_t n) {
    char name[32];
    sect_name(name, sizeof name, "lxo", e);
    cw_begin(&m->w, name);
    cw_u64(&m->w, n);
    for (uint64_t i = 0; i <= n; i++) cw_u64(&m->w, off[i]);
    cw_end(&m->w);
    sect_name(name, sizeof name, "lxb", e);
    cw_begin(&m->w, name);
    cw_raw(&m->w, lex->data, lex->len);
    cw_end(&m->w);
}
static void write_pso(merger *m, int e, const uint64_t *poff, const uint64_t *freq, uint64_t n) {
    char name[32];
    sect_name(name, sizeof name, "pso", e);
    cw_begin(&m->w, name);
    cw_u64(&m->w, n);
    for (uint64_t i = 0; i <= n; i++) cw_u64(&m->w, poff[i]);
    for (uint64_t i = 0; i < n; i++) cw_u64(&m->w, freq[i]);
    cw_end(&m->w);
}

/* A bit-packed array writer. */
typedef struct bpw {
    uint64_t acc;
    unsigned nbits, w;
} bpw;
static void bp_put(cwriter *w, bpw *b, uint64_t v) {
    b->acc |= v << b->nbits;
    unsigned used = b->nbits + b->w;
    if (used >= 64) {
        cw_u64(w, b->acc);
        unsigned spill = used - 64;
        b->acc = spill ? v >> (b->w - spill) : 0;
        b->nbits = spill;
    } else {
        b->nbits = used;
    }
}
static void bp_end(cwriter *w, bpw *b) {
    if (b->nbits) cw_u64(w, b->acc);
    cw_u64(w, 0);   /* padding: readers load 8 bytes at a time */
}

static int grow64(uint64_t **p, size_t *cap, size_t need) {
    uint64_t *g = cr_grow(*p, cap, need, sizeof **p, 1024);
    if (!g) return -1;
    *p = g;
    return 0;
}

/* Merges stored attribute i (exposed number e, -1 for the gaps). */
static int merge_attr(merger *m, size_t i, int e, int postings) {
    char name[32];
    size_t nr = m->nr;
    lcur *cur = calloc(nr ? nr : 1, sizeof *cur);
    lcur **heap = calloc(nr ? nr : 1, sizeof *heap);
    cr_buf lex;
    cr_buf_init(&lex);
    uint64_t *off = NULL, *poff = NULL, *freq = NULL;
    size_t ocap = 0, pcap = 0, fcap = 0;
    uint64_t n = 0;
    int rc = -1;
    if (!cur || !heap) goto done;
    off_t sbase = lseek(m->scratch, 0, SEEK_END);
    if (sbase < 0) goto done;
    uint64_t mapoff = (uint64_t)sbase;
    size_t nh = 0;
    for (size_t r = 0; r < nr; r++) {
        lcur *c = &cur[r];
        c->r = r;
        cr_buf_init(&c->s);
        snprintf(name, sizeof name, "lex.%zu", i);
        if (ct_open(&m->r[r].t, m->r[r].fd, name, &c->lex, 1 << 16)) goto done;
        if (postings) {
            snprintf(name, sizeof name, "pos.%zu", i);
            if (ct_open(&m->r[r].t, m->r[r].fd, name, &c->pos, 1 << 16)) goto done;
        }
        c->left = crd_u64(&c->lex);
        c->mapoff = mapoff;
        mapoff += c->left * 4;
        int k = lcur_next(c);
        if (k < 0) goto done;
        if (k) heap[nh++] = c;
    }
    for (size_t k = nh; k-- > 0;) heap_down(heap, nh, k);
    if (postings) {
        sect_name(name, sizeof name, "psb", e);
        cw_begin(&m->w, name);
    }
    pw p;
    memset(&p, 0, sizeof p);
    uint64_t written = 0;
    if (grow64(&off, &ocap, 1) || grow64(&poff, &pcap, 1)) goto done;
    off[0] = poff[0] = 0;
    while (nh) {
        lcur *c = heap[0];
        if (grow64(&off, &ocap, n + 2) || grow64(&poff, &pcap, n + 2) || grow64(&freq, &fcap, n + 1)) goto done;
        if (cr_buf_add(&lex, c->s.data, c->s.len)) goto done;
        off[n + 1] = lex.len;
        freq[n] = 0;
        /* every run holding this string, in run order (the heap breaks ties by run) */
        for (;;) {
            c = heap[0];
            freq[n] += c->freq;
            c->mbuf[c->mlen++] = (uint32_t)n;
            if (c->mlen == sizeof c->mbuf / sizeof c->mbuf[0] && map_flush(m, c)) goto done;
            if (postings) {
                uint64_t base = m->r[c->r].base;
                for (uint32_t k = 0; k < c->freq; k++) {
                    pw_add(&m->w, &p, base + crd_u32(&c->pos));
                    written++;
                }
                if (c->pos.bad) goto bad;
            }
            int k = lcur_next(c);
            if (k < 0) goto bad;
            if (k == 0) heap[0] = heap[--nh];
            if (nh) heap_down(heap, nh, 0);
            if (!nh || heap[0]->s.len != lex.len - off[n] || memcmp(heap[0]->s.data, lex.data + off[n], lex.len - off[n]))
                break;
        }
        if (postings) {
            pw_end(&m->w, &p);
            poff[n + 1] = m->w.pos - (m->w.s[m->w.ns - 1].off + m->w.base);
        }
        n++;
    }
    if (postings) {
        cw_end(&m->w);
        if (i == 0) m->wpsb_off = m->w.s[m->w.ns - 1].off;
    }
    for (size_t r = 0; r < nr; r++)
        if (map_flush(m, &cur[r])) goto done;
    write_lex(m, e, &lex, off, n);
    if (postings) write_pso(m, e, poff, freq, n);
    /* the token stream, each run's ids through its map */
    sect_name(name, sizeof name, "ids", e);
    cw_begin(&m->w, name);
    bpw bp = {0, 0, ci_width(n)};
    cw_u64(&m->w, bp.w);
    cw_u64(&m->w, m->ntok);
    for (size_t r = 0; r < nr; r++) {
        uint64_t ln = cur[r].mdone;
        unsigned char *mp = malloc(ln * 4 + 1);
        if (!mp) goto done;
        if (ln && pread(m->scratch, mp, ln * 4, (off_t)cur[r].mapoff) != (ssize_t)(ln * 4)) {
            free(mp);
            goto bad;
        }
        crd ids;
        snprintf(name, sizeof name, "ids.%zu", i);
        if (ct_open(&m->r[r].t, m->r[r].fd, name, &ids, 1 << 16)) {
            free(mp);
            goto done;
        }
        for (uint64_t t = 0; t < m->r[r].ntok; t++) {
            uint32_t l = crd_u32(&ids);
            if (l >= ln) break;
            bp_put(&m->w, &bp, ci_rd32(mp + 4 * (size_t)l));
        }
        int bad = ids.bad;
        crd_free(&ids);
        free(mp);
        if (bad) goto bad;
    }
    bp_end(&m->w, &bp);
    cw_end(&m->w);
    if (i == 0) {   /* keep the word's lexicon for lower and key */
        m->wlex = lex;
        cr_buf_init(&lex);
        m->woff = off;
        m->wfreq = freq;
        m->wpso = poff;
        off = freq = poff = NULL;
        m->wn = n;
    }
    rc = m->w.failed ? -1 : 0;
    goto done;
bad:
    mfail(m, "a run of the index build could not be read back");
done:
    if (cur)
        for (size_t r = 0; r < nr; r++) {
            crd_free(&cur[r].lex);
            crd_free(&cur[r].pos);
            cr_buf_free(&cur[r].s);
        }
    free(cur);
    free(heap);
    cr_buf_free(&lex);
    free(off);
    free(poff);
    free(freq);
    if (rc && !m->err[0]) mfail(m, m->w.failed ? m->w.err : "out of memory");
    return rc;
}

/* ---- derived attributes: lower and key, from the word's lexicon ---- */
static const cr_buf *sort_norm;
static const uint64_t *sort_noff;
static int cmp_norm(const void *x, const void *y) {
    uint64_t a = *(const uint64_t *)x, b = *(const uint64_t *)y;
    const char *s = sort_norm->data;
    size_t la = sort_noff[a + 1] - sort_noff[a], lb = sort_noff[b + 1] - sort_noff[b];
    int r = memcmp(s + sort_noff[a], s + sort_noff[b], la < lb ? la : lb);
    if (r) return r;
    if (la != lb) return la < lb ? -1 : 1;
    return a < b ? -1 : a > b;
}

static int merge_derived(merger *m, int e, cr_norm_level level) {
    uint64_t n = m->wn;
    cr_buf norm, tmp, lex;
    cr_buf_init(&norm);
    cr_buf_init(&tmp);
    cr_buf_init(&lex);
    uint64_t *noff = malloc((n + 1) * sizeof *noff), *order = malloc((n + 1) * sizeof *order);
    uint64_t *map = malloc((n + 1) * sizeof *map);
    uint64_t *off = malloc((n + 2) * sizeof *off), *poff = malloc((n + 2) * sizeof *poff);
    uint64_t *freq = calloc(n + 1, sizeof *freq);
    int rc = -1;
    if (!noff || !order || !map || !off || !poff || !freq) goto done;
    noff[0] = 0;
    for (uint64_t w = 0; w < n; w++) {
        const char *s = m->wlex.data + m->woff[w];
        size_t len = m->woff[w + 1] - m->woff[w];
        if (cr_normalize(&tmp, s, len, level) || cr_buf_add(&norm, tmp.data, tmp.len)) goto done;
        noff[w + 1] = norm.len;
        order[w] = w;
    }
    sort_norm = &norm;
    sort_noff = noff;
    qsort(order, n, sizeof *order, cmp_norm);
    char name[32];
    uint64_t nd = 0;
    off[0] = 0;
    for (uint64_t i = 0; i < n;) {
        uint64_t w0 = order[i], j = i;
        size_t l0 = noff[w0 + 1] - noff[w0];
        while (j < n && noff[order[j] + 1] - noff[order[j]] == l0 &&
               !memcmp(norm.data + noff[order[j]], norm.data + noff[w0], l0))
            j++;
        if (cr_buf_add(&lex, norm.data + noff[w0], l0)) goto done;
        off[nd + 1] = lex.len;
        freq[nd] = 0;
        for (uint64_t q = i; q < j; q++) {
            map[order[q]] = nd;
            freq[nd] += m->wfreq[order[q]];
        }
        poff[nd + 1] = j;   /* its words: order[poff[nd] .. poff[nd + 1]) */
        nd++;
        i = j;
    }
    poff[0] = 0;
    write_lex(m, e, &lex, off, nd);
    /* its words (ascending ids within each), and frequencies */
    sect_name(name, sizeof name, "inv", e);
    cw_begin(&m->w, name);
    cw_u64(&m->w, nd);
    for (uint64_t d = 0; d <= nd; d++) cw_u64(&m->w, poff[d]);
    for (uint64_t i = 0; i < n; i++) cw_u64(&m->w, order[i]);
    for (uint64_t d = 0; d < nd; d++) cw_u64(&m->w, freq[d]);
    cw_end(&m->w);
    sect_name(name, sizeof name, "map", e);
    cw_begin(&m->w, name);
    bpw bp = {0, 0, ci_width(nd)};
    cw_u64(&m->w, bp.w);
    cw_u64(&m->w, n);
    for (uint64_t w = 0; w < n; w++) bp_put(&m->w, &bp, map[w]);
    bp_end(&m->w, &bp);
    cw_end(&m->w);
    rc = m->w.failed ? -1 : 0;
done:
    if (rc && !m->err[0]) mfail(m, m->w.failed ? m->w.err : "out of memory");
    cr_buf_free(&norm);
    cr_buf_free(&tmp);
    cr_buf_free(&lex);
    free(noff);
    free(order);
    free(map);
    free(off);
    free(poff);
    free(freq);
    return rc;
}

/* ---- documents and structures ---- */
typedef struct mdoc {
    uint64_t ntok, bytes;
    int annotated;
    cr_buf str[4];             /* id, path, title, tail */
    cr_buf mk, mv;             /* metadata keys and values, NUL after each */
    unsigned char *mt;
    size_t nmeta, mtcap;
} mdoc;

static int mdoc_read(crd *r, mdoc *d) {
    d->ntok = crd_u64(r);
    d->bytes = crd_u64(r);
    unsigned char a = 0;
    crd_get(r, &a, 1);
    d->annotated = a;
    for (int i = 0; i < 4; i++)
        if (crd_str(r, &d->str[i])) return -1;
    d->nmeta = crd_u32(r);
    cr_buf_reset(&d->mk);
    cr_buf_reset(&d->mv);
    unsigned char *g = cr_grow(d->mt, &d->mtcap, d->nmeta + 1, 1, 16);
    if (!g) return -1;
    d->mt = g;
    cr_buf s;
    cr_buf_init(&s);
    for (size_t i = 0; i < d->nmeta && !r->bad; i++) {
        crd_get(r, &d->mt[i], 1);
        if (crd_str(r, &s) || cr_buf_add(&d->mk, s.data, s.len + 1)) break;
        if (crd_str(r, &s) || cr_buf_add(&d->mv, s.data, s.len + 1)) break;
    }
    cr_buf_free(&s);
    return r->bad || d->mk.failed || d->mv.failed ? -1 : 0;
}
static void mdoc_free(mdoc *d) {
    for (int i = 0; i < 4; i++) cr_buf_free(&d->str[i]);
    cr_buf_free(&d->mk);
    cr_buf_free(&d->mv);
    free(d->mt);
}

/* The value of metadata key k of d: its index, or -1. */
static long mdoc_find(const mdoc *d, const char *key) {
    const char *p = d->mk.data;
    for (size_t i = 0; i < d->nmeta; i++, p += strlen(p) + 1)
        if (!strcmp(p, key)) return (long)i;
    return -1;
}

typedef int (*doc_fn)(merger *m, const mdoc *d, void *ud);
static int each_doc(merger *m, doc_fn fn, void *ud) {
    mdoc d;
    memset(&d, 0, sizeof d);
    int rc = 0;
    for (size_t r = 0; r < m->nr && !rc; r++) {
        crd c;
        if (ct_open(&m->r[r].t, m->r[r].fd, "docs", &c, 1 << 16)) {
            rc = mfail(m, "a run of the index build has no documents");
            break;
        }
        for (uint64_t k = 0; k < m->r[r].ndocs && !rc; k++) {
            if (mdoc_read(&c, &d)) rc = mfail(m, "a run of the index build could not be read back");
            else rc = fn(m, &d, ud);
        }
        crd_free(&c);
    }
    mdoc_free(&d);
    return rc;
}

static int collect_keys(merger *m, const mdoc *d, void *ud) {
    (void)ud;
    const char *p = d->mk.data;
    for (size_t i = 0; i < d->nmeta; i++, p += strlen(p) + 1) {
        const char *q = m->keys.data;
        size_t k = 0;
        for (; k < m->nkeys; k++, q += strlen(q) + 1)
            if (!strcmp(p, q)) break;
        if (k == m->nkeys && !strcmp(p, "id")) continue;
        if (k == m->nkeys) {
            if (add_name(&m->keys, p)) return mfail(m, "out of memory");
            m->nkeys++;
        }
    }
    return 0;
}

typedef struct dpass {
    int what;        /* 0 regions, 1 value offsets, 2 value bytes, 3 types, 4 doc offsets, 5 doc bytes, 6 flags */
    uint64_t pos, acc;
} dpass;

/* The value of key k (0: id) of d, or NULL. */
static const char *dval(const mdoc *d, const merger *m, size_t k, size_t *len, int *type) {
    if (k == 0) {
        *len = d->str[0].len;
        *type = LD_STR;
        return d->str[0].data ? d->str[0].data : "";
    }
    long i = mdoc_find(d, nth_name(&m->keys, k - 1));
    if (i < 0) {
        *len = 0;
        *type = -1;
        return NULL;
    }
    const char *p = d->mv.data;
    for (long j = 0; j < i; j++) p += strlen(p) + 1;
    *len = strlen(p);
    *type = d->mt[i];
    return p;
}

static int doc_pass(merger *m, const mdoc *d, void *ud) {
    dpass *ps = ud;
    cwriter *w = &m->w;
    size_t len;
    int type;
    switch (ps->what) {
    case 0:
        cw_u64(w, ps->pos);
        ps->pos += d->ntok;
        cw_u64(w, ps->pos);
        break;
    case 1:
        for (size_t k = 0; k <= m->nkeys; k++) {
            dval(d, m, k, &len, &type);
            ps->acc += len;
            cw_u64(w, ps->acc);
        }
        break;
    case 2:
        for (size_t k = 0; k <= m->nkeys; k++) {
            const char *v = dval(d, m, k, &len, &type);
            if (v) cw_raw(w, v, len);
        }
        break;
    case 3:
        for (size_t k = 0; k <= m->nkeys; k++) {
            dval(d, m, k, &len, &type);
            unsigned char t = type < 0 ? 255 : (unsigned char)type;
            cw_raw(w, &t, 1);
        }
        break;
    case 4:
        for (int k = 1; k < 4; k++) {
            ps->acc += d->str[k].len;
            cw_u64(w, ps->acc);
        }
        break;
    case 5:
        for (int k = 1; k < 4; k++) cw_raw(w, d->str[k].data, d->str[k].len);
        break;
    case 6:
        cw_u64(w, d->bytes << 1 | (uint64_t)d->annotated);
        break;
    }
    return w->failed ? -1 : 0;
}

static int run_docs(merger *m, const char *name, int what, uint64_t head1, int two) {
    dpass ps = {what, 0, 0};
    cw_begin(&m->w, name);
    cw_u64(&m->w, head1);
    if (two) cw_u64(&m->w, (uint64_t)m->nkeys + 1);
    if (what == 1 || what == 4) cw_u64(&m->w, 0);
    int rc = each_doc(m, doc_pass, &ps);
    cw_end(&m->w);
    return rc;
}

/* Sentences (what 0: regions, 1: value offsets, 2: bytes) or paragraphs (3). */
static int sent_pass(merger *m, const char *name, int what) {
    cw_begin(&m->w, name);
    uint64_t n = what == 3 ? m->npara : m->nsent;
    cw_u64(&m->w, n);
    if (what == 1) cw_u64(&m->w, 2), cw_u64(&m->w, 0);
    uint64_t acc = 0;
    cr_buf s;
    cr_buf_init(&s);
    int rc = 0;
    for (size_t r = 0; r < m->nr && !rc; r++) {
        crd c;
        if (ct_open(&m->r[r].t, m->r[r].fd, what == 3 ? "para" : "sent", &c, 1 << 16)) {
            rc = mfail(m, "a run of the index build has no sentences");
            break;
        }
        uint64_t cnt = what == 3 ? m->r[r].npara : m->r[r].nsent;
        for (uint64_t k = 0; k < cnt && !c.bad; k++) {
            uint64_t a = crd_u64(&c) + m->r[r].base, b = crd_u64(&c) + m->r[r].base;
            if (what == 0 || what == 3) cw_u64(&m->w, a), cw_u64(&m->w, b);
            if (what == 3) continue;
            for (int j = 0; j < 2; j++) {
                if (crd_str(&c, &s)) break;
                if (what == 1) acc += s.len, cw_u64(&m->w, acc);
                if (what == 2) cw_raw(&m->w, s.data, s.len);
            }
        }
        if (c.bad) rc = mfail(m, "a run of the index build could not be read back");
        crd_free(&c);
    }
    cr_buf_free(&s);
    cw_end(&m->w);
    return rc || m->w.failed ? -1 : 0;
}

/* Whether any sentence has an id or a text (else "s" keeps no values). */
static int sent_values(merger *m) {
    cr_buf s;
    cr_buf_init(&s);
    int any = 0;
    for (size_t r = 0; r < m->nr && !any; r++) {
        crd c;
        if (ct_open(&m->r[r].t, m->r[r].fd, "sent", &c, 1 << 16)) continue;
        for (uint64_t k = 0; k < m->r[r].nsent && !c.bad && !any; k++) {
            crd_u64(&c);
            crd_u64(&c);
            for (int j = 0; j < 2 && !any; j++)
                if (crd_str(&c, &s) == 0 && s.len) any = 1;
        }
        crd_free(&c);
    }
    cr_buf_free(&s);
    return any;
}

/* meta: escaped text lines. */
static void meta_add(cr_buf *o, const char *s) {
    for (; *s; s++) {
        if (*s == '\t') cr_buf_adds(o, "\\t");
        else if (*s == '\n') cr_buf_adds(o, "\\n");
        else if (*s == '\\') cr_buf_adds(o, "\\\\");
        else cr_buf_addc(o, *s);
    }
}

static int read_runs(merger *m, const ci_run *runs) {
    cr_buf s;
    cr_buf_init(&s);
    for (size_t r = 0; r < m->nr; r++) {
        mrun *x = &m->r[r];
        x->fd = runs[r].fd;
        if (ct_read(&x->t, x->fd, runs[r].off, runs[r].end, m->err, m->errsize)) goto fail;
        crd c;
        if (ct_open(&x->t, x->fd, "info", &c, 4096)) goto fail;
        x->ntok = crd_u64(&c);
        x->ndocs = crd_u64(&c);
        x->nsent = crd_u64(&c);
        x->npara = crd_u64(&c);
        uint64_t ns = crd_u64(&c);
        int annotated = (int)crd_u64(&c);
        cr_buf names, inames;
        cr_buf_init(&names);
        cr_buf_init(&inames);
        for (uint64_t i = 0; i < ns && !c.bad && ns < 4096; i++)
            if (crd_str(&c, &s) == 0) cr_buf_add(&names, s.data, s.len + 1);
        uint64_t ni = 0, form = 0;
        if (annotated) {
            ni = crd_u64(&c);
            for (uint64_t i = 0; i < ni && !c.bad && ni < 4096; i++)
                if (crd_str(&c, &s) == 0) cr_buf_add(&inames, s.data, s.len + 1);
            form = crd_u64(&c);
        }
        int bad = c.bad;
        crd_free(&c);
        if (r == 0) {
            m->nstored = (size_t)ns;
            m->annotated = annotated;
            m->ninames = (size_t)ni;
            m->form = (size_t)form;
            m->names = names;
            m->inames = inames;
        } else {
            int same = !bad && ns == m->nstored && annotated == m->annotated && names.len == m->names.len &&
                       !memcmp(names.data, m->names.data, names.len) && inames.len == m->inames.len &&
                       (!inames.len || !memcmp(inames.data, m->inames.data, inames.len));
            cr_buf_free(&names);
            cr_buf_free(&inames);
            if (!same) {
                mfail(m, "the runs of the index build have different attributes (an index holds one kind of tokens)");
                goto fail;
            }
        }
        if (bad || m->nstored < 2) goto fail;
        x->base = m->ntok;
        m->ntok += x->ntok;
        m->ndocs += x->ndocs;
        m->nsent += x->nsent;
        m->npara += x->npara;
    }
    cr_buf_free(&s);
    return 0;
fail:
    cr_buf_free(&s);
    return mfail(m, "a run of the index build could not be read back");
}

int ci_merge(const ci_run *runs, size_t nruns, int out, int scratch, const char *receipt, size_t receipt_len,
             char *err, size_t errsize) {
    merger m;
    memset(&m, 0, sizeof m);
    err[0] = '\0';
    m.err = err;
    m.errsize = errsize;
    m.out = out;
    m.scratch = scratch;
    m.nr = nruns;
    m.r = calloc(nruns ? nruns : 1, sizeof *m.r);
    int rc = -1;
    if (!m.r) {
        mfail(&m, "out of memory");
        goto done;
    }
    if (read_runs(&m, runs)) goto done;
    if (nruns == 0) {   /* an empty corpus: plain text's attributes */
        m.nstored = 2;
        add_name(&m.names, "word");
        add_name(&m.names, "gap");
    }
    if (cw_init(&m.w, out, 0)) {
        mfail(&m, m.w.err[0] ? m.w.err : "out of memory");
        goto done;
    }
    /* exposed attributes: word, lower, key (unless the input names one so), the others */
    int has_lower = 0, has_key = 0;
    for (size_t i = 1; i + 1 < m.nstored; i++) {
        if (!strcmp(nth_name(&m.names, i), "lower")) has_lower = 1;
        if (!strcmp(nth_name(&m.names, i), "key")) has_key = 1;
    }
    int e_lower = has_lower ? -1 : 1, e_key = has_key ? -1 : 1 + !has_lower;
    int nderived = !has_lower + !has_key;
    cr_buf meta;
    cr_buf_init(&meta);
    cr_buf_addf(&meta, "corpusrun index\nformat\t%d\ntokens\t%llu\ndocs\t%llu\n", CI_FORMAT_VERSION,
                (unsigned long long)m.ntok, (unsigned long long)m.ndocs);
    cr_buf_adds(&meta, "attr\tword\tstored\n");
    if (!has_lower) cr_buf_adds(&meta, "attr\tlower\tcasefold\n");
    if (!has_key) cr_buf_adds(&meta, "attr\tkey\tkey\n");
    for (size_t i = 1; i + 1 < m.nstored; i++) {
        cr_buf_adds(&meta, "attr\t");
        meta_add(&meta, nth_name(&m.names, i));
        cr_buf_adds(&meta, "\tstored\n");
    }
    if (m.annotated) {
        cr_buf_addf(&meta, "input\t%zu", m.form);
        for (size_t i = 0; i < m.ninames; i++) {
            cr_buf_addc(&meta, '\t');
            meta_add(&meta, nth_name(&m.inames, i));
        }
        cr_buf_addc(&meta, '\n');
    }
    if (each_doc(&m, collect_keys, NULL)) goto done_meta;
    cr_buf_adds(&meta, "struct\ttext\tid");
    for (size_t k = 0; k < m.nkeys; k++) {
        cr_buf_addc(&meta, '\t');
        meta_add(&meta, nth_name(&m.keys, k));
    }
    int svals = m.annotated && sent_values(&m);
    cr_buf_adds(&meta, svals ? "\nstruct\ts\tid\ttext\n" : "\nstruct\ts\n");
    if (!m.annotated) cr_buf_adds(&meta, "struct\tp\n");
    if (meta.failed) {
        mfail(&m, "out of memory");
        goto done_meta;
    }
    cw_begin(&m.w, "meta");
    cw_raw(&m.w, meta.data, meta.len);
    cw_end(&m.w);
    /* positional attributes */
    if (merge_attr(&m, 0, 0, 1)) goto done_meta;
    if (!has_lower && merge_derived(&m, e_lower, CR_NORM_CASEFOLD)) goto done_meta;
    if (!has_key && merge_derived(&m, e_key, CR_NORM_KEY)) goto done_meta;
    for (size_t i = 1; i + 1 < m.nstored; i++)
        if (merge_attr(&m, i, (int)i + nderived, 1)) goto done_meta;
    if (merge_attr(&m, m.nstored - 1, -1, 0)) goto done_meta;
    /* documents */
    if (run_docs(&m, "rgn.text", 0, m.ndocs, 0) || run_docs(&m, "vlo.text", 1, m.ndocs, 1) ||
        run_docs(&m, "vlb.text", 2, m.ndocs, 0) || run_docs(&m, "vty.text", 3, m.ndocs, 1) ||
        run_docs(&m, "dco", 4, m.ndocs, 0) || run_docs(&m, "dcb", 5, m.ndocs, 0) ||
        run_docs(&m, "dcf", 6, m.ndocs, 0))
        goto done_meta;
    if (sent_pass(&m, "rgn.s", 0)) goto done_meta;
    if (svals && (sent_pass(&m, "vlo.s", 1) || sent_pass(&m, "vlb.s", 2))) goto done_meta;
    if (!m.annotated && sent_pass(&m, "rgn.p", 3)) goto done_meta;
    /* last: an index appended to differs from one built at once only here */
    cw_begin(&m.w, "rcpt");
    if (receipt) cw_raw(&m.w, receipt, receipt_len);
    cw_end(&m.w);
    if (cw_close(&m.w)) {
        mfail(&m, m.w.err[0] ? m.w.err : "writing the index failed");
        goto done_meta;
    }
    rc = 0;
done_meta:
    cr_buf_free(&meta);
done:
    if (rc && !err[0]) mfail(&m, "out of memory");
    for (size_t r = 0; r < nruns && m.r; r++) free(m.r[r].t.s);
    free(m.r);
    cw_free(&m.w);
    cr_buf_free(&m.names);
    cr_buf_free(&m.inames);
    cr_buf_free(&m.wlex);
    cr_buf_free(&m.keys);
    free(m.woff);
    free(m.wfreq);
    free(m.wpso);
    return rc;
}

/* ---- an index as a run (appending) ------------------------------------------ */
static void cw_cstr(cwriter *w, const char *s, size_t n) { cw_str(w, s ? s : "", s ? n : 0); }

int ci_index_to_run(ci_index *ix, int fd, uint64_t *off, char *err, size_t errsize) {
    cp_corpus *c = ci_corpus(ix);
    const cp_ops *op = c->ops;
    if ((uint64_t)c->size >= UINT32_MAX / 2) {
        snprintf(err, errsize, "an index of %lld tokens is too large to append to (2^31 at most): build it anew",
                 (long long)c->size);
        return -1;
    }
    const char *const *inames;
    size_t form, ni = ci_input(ix, &inames, &form);
    int s_s = cp_struct(c, "s"), s_p = cp_struct(c, "p");
    uint64_t ndocs = (uint64_t)op->regions(c, 0), nsent = s_s >= 0 ? (uint64_t)op->regions(c, s_s) : 0;
    uint64_t npara = s_p >= 0 ? (uint64_t)op->regions(c, s_p) : 0;
    int *st = malloc(((size_t)c->nattrs + 1) * sizeof *st);
    cp_id *ids = malloc(4096 * sizeof *ids);
    uint32_t *u = malloc(4096 * sizeof *u);
    cp_posvec pv = {0};
    cwriter w;
    memset(&w, 0, sizeof w);
    int rc = -1;
    off_t end = lseek(fd, 0, SEEK_END);
    if (!st || !ids || !u || end < 0 || cw_init(&w, fd, (uint64_t)end)) {
        snprintf(err, errsize, "%s", w.err[0] ? w.err : "out of memory");
        goto done;
    }
    size_t ns = 0;
    for (int a = 0; a < c->nattrs; a++)
        if (!ci_attr_derived(ix, a)) st[ns++] = a;
    st[ns++] = -1;   /* the gaps */
    cw_begin(&w, "info");
    cw_u64(&w, (uint64_t)c->size);
    cw_u64(&w, ndocs);
    cw_u64(&w, nsent);
    cw_u64(&w, ni ? 0 : npara);
    cw_u64(&w, ns);
    cw_u64(&w, ni > 0);
    for (size_t i = 0; i < ns; i++) {
        const char *nm = st[i] < 0 ? "gap" : c->attrs[st[i]];
        cw_str(&w, nm, strlen(nm));
    }
    if (ni) {
        cw_u64(&w, ni);
        for (size_t i = 0; i < ni; i++) cw_str(&w, inames[i], strlen(inames[i]));
        cw_u64(&w, form);
    }
    cw_end(&w);
    char name[32];
    int bad = 0;
    for (size_t i = 0; i < ns && !bad; i++) {
        int a = st[i];
        cp_id n = a < 0 ? ci_gap_size(ix) : op->lex_size(c, a);
        snprintf(name, sizeof name, "lex.%zu", i);
        cw_begin(&w, name);
        cw_u64(&w, (uint64_t)n);
        for (cp_id id = 0; id < n; id++) {
            size_t len;
            const char *s = a < 0 ? ci_gap_str(ix, id, &len) : op->lex_str(c, a, id, &len);
            cw_cstr(&w, s, len);
            cw_u32(&w, a < 0 ? 0 : (uint32_t)op->lex_freq(c, a, id));
        }
        cw_end(&w);
        if (a >= 0) {
            snprintf(name, sizeof name, "pos.%zu", i);
            cw_begin(&w, name);
            for (cp_id id = 0; id < n && !bad; id++) {
                pv.n = 0;
                if (op->postings(c, a, id, &pv)) bad = 1;
                for (size_t k = 0; k < pv.n; k++) cw_u32(&w, (uint32_t)pv.v[k]);
            }
            cw_end(&w);
        }
        snprintf(name, sizeof name, "ids.%zu", i);
        cw_begin(&w, name);
        for (cp_pos p = 0; p < c->size && !bad; p += 4096) {
            size_t k = (uint64_t)(c->size - p) < 4096 ? (size_t)(c->size - p) : 4096;
            if (a < 0 ? ci_gap_ids(ix, p, k, ids) : op->ids_at(c, a, p, k, ids)) bad = 1;
            for (size_t j = 0; j < k; j++) u[j] = (uint32_t)ids[j];
            cw_u32s(&w, u, k);
        }
        cw_end(&w);
    }
    cw_begin(&w, "docs");
    const char *const *keys = c->keys[0];
    for (uint64_t k = 0; k < ndocs && !bad; k++) {
        cp_pos b, e;
        size_t len;
        if (op->region(c, 0, (int64_t)k, &b, &e)) bad = 1;
        cw_u64(&w, (uint64_t)(e - b));
        cw_u64(&w, ci_doc_bytes(ix, (int64_t)k));
        unsigned char an = (unsigned char)ci_doc_annotated(ix, (int64_t)k);
        cw_raw(&w, &an, 1);
        const char *v = op->region_value(c, 0, (int64_t)k, "id", 2, &len);
        cw_cstr(&w, v, len);
        v = ci_doc_path(ix, (int64_t)k, &len);
        cw_cstr(&w, v, len);
        v = ci_doc_title(ix, (int64_t)k, &len);
        cw_cstr(&w, v, len);
        v = ci_doc_tail(ix, (int64_t)k, &len);
        cw_cstr(&w, v, len);
        uint32_t nm = 0;
        for (size_t i = 1; keys[i]; i++) nm += ci_doc_meta_type(ix, (int64_t)k, i) >= 0;
        cw_u32(&w, nm);
        for (size_t i = 1; keys[i]; i++) {
            int type = ci_doc_meta_type(ix, (int64_t)k, i);
            if (type < 0) continue;
            unsigned char t = (unsigned char)type;
            cw_raw(&w, &t, 1);
            cw_str(&w, keys[i], strlen(keys[i]));
            v = op->region_value(c, 0, (int64_t)k, keys[i], strlen(keys[i]), &len);
            cw_cstr(&w, v, len);
        }
    }
    cw_end(&w);
    cw_begin(&w, "sent");
    for (uint64_t k = 0; k < nsent && !bad; k++) {
        cp_pos b, e;
        size_t len;
        if (op->region(c, s_s, (int64_t)k, &b, &e)) bad = 1;
        cw_u64(&w, (uint64_t)b);
        cw_u64(&w, (uint64_t)e);
        const char *v = op->region_value(c, s_s, (int64_t)k, "id", 2, &len);
        cw_cstr(&w, v, len);
        v = op->region_value(c, s_s, (int64_t)k, "text", 4, &len);
        cw_cstr(&w, v, len);
    }
    cw_end(&w);
    cw_begin(&w, "para");
    for (uint64_t k = 0; k < (ni ? 0 : npara) && !bad; k++) {
        cp_pos b, e;
        if (op->region(c, s_p, (int64_t)k, &b, &e)) bad = 1;
        cw_u64(&w, (uint64_t)b);
        cw_u64(&w, (uint64_t)e);
    }
    cw_end(&w);
    if (bad) {
        snprintf(err, errsize, "%s", ci_error(ix)[0] ? ci_error(ix) : "the index could not be read");
        goto done;
    }
    if (cw_close(&w)) {
        snprintf(err, errsize, "%s", w.err[0] ? w.err : "writing the run failed");
        goto done;
    }
    *off = (uint64_t)end;
    rc = 0;
done:
    cw_free(&w);
    free(st);
    free(ids);
    free(u);
    cp_posvec_free(&pv);
    return rc;
}
