/* load_annot.c — annotated corpora: the token store (ld_tokens) and the
 * line readers of CoNLL-U, VRT (CWB's vertical text) and word/TAG text.
 *
 * A reader is fed one line at a time and holds one document: its tokens
 * with their attributes, the text rebuilt from their surface forms, its id
 * and metadata.  Memory is bounded by the largest document, never by the
 * file.  A malformed line is reported (with its number) and skipped; the
 * document goes on. */
#include "counter.h"
#include "grow.h"
#include "load.h"

#include <stdio.h>
#include <stdlib.h>
#include <string.h>

/* ---- the token store ---------------------------------------------------- */
long ld_tokens_attr(const ld_tokens *t, const char *name, size_t len) {
    const char *p = t->names.data;
    for (size_t a = 0; p && a < t->nattr; a++) {
        size_t l = strlen(p);
        if (l == len && memcmp(p, name, len) == 0) return (long)a;
        p += l + 1;
    }
    return -1;
}

const char *ld_tokens_name(const ld_tokens *t, size_t a) {
    const char *p = t->names.data;
    while (a--) p += strlen(p) + 1;
    return p;
}

const char *ld_tokens_val(const ld_tokens *t, size_t i, size_t a, size_t *len) {
    size_t k = i * t->nattr + a;
    size_t end = k + 1 < t->n * t->nattr ? t->off[k + 1] : t->vals.len;
    *len = end - t->off[k] - 1;
    return t->vals.data + t->off[k];
}

void ld_tokens_sentence(const ld_tokens *t, size_t k, size_t *first, size_t *end,
                        const char **id, const char **text) {
    *first = t->sent[3 * k];
    *end = k + 1 < t->nsent ? t->sent[3 * (k + 1)] : t->n;
    *id = t->sinfo.data + t->sent[3 * k + 1];
    *text = t->sinfo.data + t->sent[3 * k + 2];
}

size_t ld_tokens_sentence_of(const ld_tokens *t, size_t i) {
    size_t lo = 0, hi = t->nsent;   /* the last sentence starting at or before i */
    while (lo < hi) {
        size_t mid = lo + (hi - lo) / 2;
        if (t->sent[3 * mid] <= i) lo = mid + 1;
        else hi = mid;
    }
    if (lo == 0) return t->nsent;
    size_t first, end;
    const char *id, *text;
    ld_tokens_sentence(t, lo - 1, &first, &end, &id, &text);
    return i < end ? lo - 1 : t->nsent;
}

static void tokens_clear(ld_tokens *t) {
    t->n = 0;
    t->nsent = 0;
    cr_buf_reset(&t->vals);
    cr_buf_reset(&t->sinfo);
}

void ld_tokens_free(ld_tokens *t) {
    if (!t) return;
    cr_buf_free(&t->names);
    cr_buf_free(&t->vals);
    cr_buf_free(&t->sinfo);
    free(t->off);
    free(t->span);
    free(t->sent);
}

static void *dup_array(const size_t *p, size_t n) {
    size_t *q = malloc(n ? n * sizeof *q : 1);
    if (q && n) memcpy(q, p, n * sizeof *q);
    return q;
}

ld_tokens *ld_tokens_dup(const ld_tokens *t) {
    ld_tokens *d = calloc(1, sizeof *d);
    if (!d) return NULL;
    d->n = d->cap = t->n;
    d->nattr = t->nattr;
    d->nsent = d->scap = t->nsent;
    d->off = dup_array(t->off, t->n * t->nattr);
    d->span = dup_array(t->span, 2 * t->n);
    d->sent = dup_array(t->sent, 3 * t->nsent);
    cr_buf_add(&d->names, t->names.data, t->names.len);
    cr_buf_add(&d->vals, t->vals.data, t->vals.len);
    cr_buf_add(&d->sinfo, t->sinfo.data, t->sinfo.len);
    if (!d->off || !d->span || !d->sent || d->names.failed || d->vals.failed || d->sinfo.failed) {
        ld_tokens_free(d);
        free(d);
        return NULL;
    }
    return d;
}

/* ---- packed, for a corpus database ------------------------------------- */
#define PACK_MAGIC "CRTK"
#define PACK_VERSION 1
#define PACK_MAX_ATTRS 4096

int ld_tokens_pack(const ld_tokens *t, cr_buf *out) {
    cr_buf_add(out, PACK_MAGIC, 4);
    cr_buf_addc(out, PACK_VERSION);
    cr_put_uvarint(out, t->nattr);
    cr_put_uvarint(out, t->n);
    cr_put_uvarint(out, t->nsent);
    for (size_t a = 0; a < t->nattr; a++) {
        const char *name = ld_tokens_name(t, a);
        cr_put_str(out, name, strlen(name));
    }
    size_t prev = 0;
    for (size_t i = 0; i < t->n; i++) {
        for (size_t a = 0; a < t->nattr; a++) {
            size_t len;
            const char *v = ld_tokens_val(t, i, a, &len);
            cr_put_str(out, v, len);
        }
        /* the words of a multiword token share its span: a start may go back */
        cr_put_svarint(out, (int64_t)t->span[2 * i] - (int64_t)prev);
        cr_put_uvarint(out, t->span[2 * i + 1] - t->span[2 * i]);
        prev = t->span[2 * i];
    }
    size_t first = 0;
    for (size_t k = 0; k < t->nsent; k++) {
        size_t f, end;
        const char *id, *text;
        ld_tokens_sentence(t, k, &f, &end, &id, &text);
        cr_put_uvarint(out, f - first);
        first = f;
        cr_put_str(out, id, strlen(id));
        cr_put_str(out, text, strlen(text));
    }
    return out->failed ? -1 : 0;
}

static int unpack_fail(char *err, size_t errlen, const cr_rbuf *r, const char *base, const char *what) {
    if (err && errlen)
        snprintf(err, errlen, "damaged tokens at byte %zu: %s", (size_t)((const char *)r->p - base), what);
    return -1;
}

/* A length-prefixed string; with no_nul, one without NUL bytes (names and a
 * sentence's id and text are read up to their NUL; a value is measured by
 * its offsets, and may hold one, as the input gave it). */
static int unpack_str(cr_rbuf *r, const char **s, size_t *n, int no_nul) {
    if (cr_rbuf_str(r, s, n, (size_t)(r->end - r->p))) return -1;
    return no_nul && memchr(*s, 0, *n) ? -1 : 0;
}

static int sizes_fit(uint64_t n, uint64_t per, size_t remaining) {
    /* every token takes at least per bytes: a count larger than the bytes
     * left cannot be right, and would ask for memory it does not need */
    return per == 0 || n <= remaining / per;
}

int ld_tokens_unpack(const char *p, size_t n, size_t text_len, ld_tokens *t, char *err, size_t errlen) {
    memset(t, 0, sizeof *t);
    cr_rbuf r = {(const unsigned char *)p, (const unsigned char *)p + n, 0};
    if (n < 5 || memcmp(p, PACK_MAGIC, 4) != 0) return unpack_fail(err, errlen, &r, p, "not packed tokens");
    r.p += 4;
    unsigned version;
    uint64_t nattr, ntok, nsent;
    if (cr_rbuf_byte(&r, &version) || version != PACK_VERSION)
        return unpack_fail(err, errlen, &r, p, "unknown version");
    if (cr_rbuf_uvarint(&r, &nattr) || cr_rbuf_uvarint(&r, &ntok) || cr_rbuf_uvarint(&r, &nsent))
        return unpack_fail(err, errlen, &r, p, "truncated header");
    size_t left = (size_t)(r.end - r.p);
    if (nattr == 0 || nattr > PACK_MAX_ATTRS || !sizes_fit(ntok, nattr + 2, left) || !sizes_fit(nsent, 3, left))
        return unpack_fail(err, errlen, &r, p, "counts out of range");
    t->nattr = (size_t)nattr;
    for (size_t a = 0; a < t->nattr; a++) {
        const char *s;
        size_t l;
        if (unpack_str(&r, &s, &l, 1) || l == 0) {
            ld_tokens_free(t);
            return unpack_fail(err, errlen, &r, p, "bad attribute name");
        }
        cr_buf_add(&t->names, s, l);
        cr_buf_addc(&t->names, 0);
    }
    t->off = malloc(ntok ? (size_t)ntok * t->nattr * sizeof *t->off : 1);
    t->span = malloc(ntok ? 2 * (size_t)ntok * sizeof *t->span : 1);
    t->sent = malloc(nsent ? 3 * (size_t)nsent * sizeof *t->sent : 1);
    if (!t->off || !t->span || !t->sent || t->names.failed) {
        ld_tokens_free(t);
        return -2;
    }
    t->cap = (size_t)ntok;
    t->scap = (size_t)nsent;
    const char *why = NULL;
    int64_t prev = 0;
    for (size_t i = 0; i < ntok && !why; i++) {
        for (size_t a = 0; a < t->nattr && !why; a++) {
            const char *s;
            size_t l;
            if (unpack_str(&r, &s, &l, 0)) why = "bad value";
            else {
                t->off[i * t->nattr + a] = t->vals.len;
                cr_buf_add(&t->vals, s, l);
                cr_buf_addc(&t->vals, 0);
            }
        }
        int64_t d;
        uint64_t len;
        if (why) break;
        if (cr_rbuf_svarint(&r, &d) || cr_rbuf_uvarint(&r, &len)) why = "truncated span";
        else if ((d < 0 && (uint64_t)-(d + 1) >= (uint64_t)prev) || (d > 0 && (uint64_t)d > text_len - (uint64_t)prev) ||
                 len > text_len - (uint64_t)(prev + d))
            why = "span outside the text";
        else {
            prev += d;
            t->span[2 * i] = (size_t)prev;
            t->span[2 * i + 1] = (size_t)prev + (size_t)len;
        }
        t->n = i + 1;
    }
    cr_buf_addc(&t->sinfo, 0);
    size_t first = 0;
    for (size_t k = 0; k < nsent && !why; k++) {
        uint64_t d;
        const char *id, *text;
        size_t il, tl;
        if (cr_rbuf_uvarint(&r, &d) || unpack_str(&r, &id, &il, 1) || unpack_str(&r, &text, &tl, 1)) {
            why = "truncated sentence";
            break;
        }
        if ((k > 0 && d == 0) || d > ntok - first || first + d >= ntok) {
            why = "sentence out of order";
            break;
        }
        first += (size_t)d;
        size_t *v = &t->sent[3 * k];
        v[0] = first;
        v[1] = t->sinfo.len;
        cr_buf_add(&t->sinfo, id, il);
        cr_buf_addc(&t->sinfo, 0);
        v[2] = t->sinfo.len;
        cr_buf_add(&t->sinfo, text, tl);
        cr_buf_addc(&t->sinfo, 0);
        t->nsent = k + 1;
    }
    if (!why && r.p != r.end) why = "bytes after the tokens";
    if (why) {
        int rc = unpack_fail(err, errlen, &r, p, why);
        ld_tokens_free(t);
        memset(t, 0, sizeof *t);
        return rc;
    }
    if (t->vals.failed || t->sinfo.failed) {
        ld_tokens_free(t);
        memset(t, 0, sizeof *t);
        return -2;
    }
    return 0;
}

/* ---- the reader --------------------------------------------------------- */
enum { GAP_NONE, GAP_SPACE, GAP_LINE, GAP_PARA };   /* what goes before the next form */
#define MAX_ELEMENTS 64                             /* VRT nesting kept for checks */

struct ld_annot {
    ld_format fmt;
    ld_annot_report report;
    void *ud;
    char *sep;                  /* word/TAG separator */
    size_t seplen;
    char *element;              /* VRT document element */
    int names_fixed;            /* VRT: attribute names given by option */
    int skip;                   /* token lines are not parsed (ld_annot_skip) */

    /* the document */
    ld_tokens t;
    cr_buf text, id, mb;        /* mb: metadata keys and values, NUL-terminated */
    size_t *moff;               /* 2 offsets into mb per pair */
    const char **mptr;
    size_t *mlen;
    size_t nmeta, mcap;
    int ready;                  /* handed out: clear before the next line */
    int ended;                  /* its closing line was read: ready at the next call */
    int started;                /* something of it was read */
    long doc_line;
    uint64_t bytes;
    int gap;

    /* the sentence */
    int in_sent;
    cr_buf s_id, s_text;        /* for the next sentence */

    /* CoNLL-U */
    long expect;                /* the next word's ID */
    long mwt_last;              /* the last word of the open multiword token, 0 none */
    size_t mwt_start, mwt_stop;
    int mwt_gap;

    /* VRT */
    int in_doc;
    cr_buf enames;              /* open elements' names, NUL-terminated */
    size_t eoff[MAX_ELEMENTS];
    long eline[MAX_ELEMENTS];
    size_t nopen;               /* may exceed MAX_ELEMENTS: the deeper ones are not checked */
    size_t doc_depth;           /* elements open outside the document (the file's) */
    cr_buf val;                 /* a decoded value */
    cr_buf attrs;               /* a tag's attributes: name NUL value NUL ... */
    size_t nattrs;

    size_t *fld;                /* field starts and ends of the line, 2 per field */
    size_t fcap;
    char msg[256];
};

static void say(ld_annot *a, long line, const char *fmt, ...)
#if defined(__GNUC__)
    __attribute__((format(printf, 3, 4)))
#endif
    ;
#include <stdarg.h>
static void say(ld_annot *a, long line, const char *fmt, ...) {
    va_list ap;
    va_start(ap, fmt);
    vsnprintf(a->msg, sizeof a->msg, fmt, ap);
    va_end(ap);
    if (a->report) a->report(a->ud, line, a->msg);
}

/* At most 40 bytes of s, cut at a character boundary, for messages. */
static int shown(const char *s, size_t n) {
    if (n <= 40) return (int)n;
    size_t k = 40;
    while (k > 0 && ((unsigned char)s[k] & 0xC0) == 0x80) k--;
    return (int)k;
}

static int set_names(ld_tokens *t, const char *const *names, size_t n) {
    cr_buf_reset(&t->names);
    for (size_t i = 0; i < n; i++) cr_buf_add(&t->names, names[i], strlen(names[i] ) + 1);
    t->nattr = n;
    return t->names.failed ? -1 : 0;
}

ld_annot *ld_annot_new(ld_format fmt, const ld_opts *o, ld_annot_report report, void *ud) {
    static const char *const conllu[] = {"id", "form", "lemma", "upos", "xpos", "feats",
                                         "head", "deprel", "deps", "misc"};
    static const char *const tagged[] = {"word", "tag"};
    static const char *const word[] = {"word"};
    ld_annot *a = calloc(1, sizeof *a);
    if (!a) return NULL;
    a->fmt = fmt;
    a->report = report;
    a->ud = ud;
    a->expect = 1;
    const char *sep = o && o->separator ? o->separator : "/";
    const char *el = o && o->element ? o->element : "text";
    a->sep = strdup(sep);
    a->seplen = strlen(sep);
    a->element = strdup(el);
    int e = !a->sep || !a->element;
    if (fmt == LD_FMT_CONLLU) e |= set_names(&a->t, conllu, 10);
    else if (fmt == LD_FMT_TAGGED) e |= set_names(&a->t, tagged, 2);
    else if (o && o->n_attributes) {
        e |= set_names(&a->t, (const char *const *)o->attributes, o->n_attributes);
        a->names_fixed = 1;
    } else e |= set_names(&a->t, word, 1);
    if (e || a->seplen == 0) {
        ld_annot_free(a);
        return NULL;
    }
    return a;
}

void ld_annot_free(ld_annot *a) {
    if (!a) return;
    ld_tokens_free(&a->t);
    cr_buf *bufs[] = {&a->text, &a->id, &a->mb, &a->s_id, &a->s_text, &a->enames, &a->val, &a->attrs};
    for (size_t i = 0; i < sizeof bufs / sizeof bufs[0]; i++) cr_buf_free(bufs[i]);
    free(a->moff);
    free(a->mptr);
    free(a->mlen);
    free(a->fld);
    free(a->sep);
    free(a->element);
    free(a);
}

static void doc_clear(ld_annot *a) {
    tokens_clear(&a->t);
    cr_buf_reset(&a->text);
    cr_buf_reset(&a->id);
    cr_buf_reset(&a->mb);
    cr_buf_reset(&a->s_id);
    cr_buf_reset(&a->s_text);
    a->nmeta = 0;
    a->ready = a->ended = a->started = 0;
    a->bytes = 0;
    a->gap = GAP_NONE;
    a->in_sent = 0;
    a->expect = 1;
    a->mwt_last = 0;
    a->in_doc = 0;   /* the elements open around documents stay open */
}

static int meta_add(ld_annot *a, const char *k, size_t kl, const char *v, size_t vl) {
    if (a->nmeta == a->mcap) {
        size_t cap = a->mcap * 2;
        size_t *mo = cr_grow(a->moff, &cap, 2 * (a->nmeta + 1), sizeof *mo, 16);
        if (!mo) return -1;
        a->moff = mo;
        a->mcap = cap / 2;
    }
    a->moff[2 * a->nmeta] = a->mb.len;
    cr_buf_add(&a->mb, k, kl);
    cr_buf_addc(&a->mb, '\0');
    a->moff[2 * a->nmeta + 1] = a->mb.len;
    cr_buf_add(&a->mb, v, vl);
    cr_buf_addc(&a->mb, '\0');
    if (a->mb.failed) return -1;
    a->nmeta++;
    return 0;
}

/* -- building the text and the tokens -- */
static int put_gap(ld_annot *a) {
    if (a->text.len) {
        if (a->gap == GAP_SPACE) cr_buf_addc(&a->text, ' ');
        else if (a->gap == GAP_LINE) cr_buf_addc(&a->text, '\n');
        else if (a->gap == GAP_PARA) cr_buf_add(&a->text, "\n\n", 2);
    }
    a->gap = GAP_NONE;
    return a->text.failed ? -1 : 0;
}

static void more_gap(ld_annot *a, int g) {
    if (g > a->gap) a->gap = g;
}

/* Appends form to the text; its span in *start, *stop. */
static int put_form(ld_annot *a, const char *s, size_t n, size_t *start, size_t *stop) {
    if (put_gap(a)) return -1;
    *start = a->text.len;
    if (cr_buf_add(&a->text, s, n)) return -1;
    *stop = a->text.len;
    return 0;
}

/* Begins a token with the given span; its values follow with tok_val. */
static int tok_begin(ld_annot *a, size_t start, size_t stop) {
    ld_tokens *t = &a->t;
    if (t->n == t->cap) {
        size_t cap = t->cap * t->nattr, cap2 = t->cap * 2;
        size_t *off = cr_grow(t->off, &cap, (t->n + 1) * t->nattr, sizeof *off, 256);
        if (!off) return -1;
        t->off = off;
        size_t *span = cr_grow(t->span, &cap2, 2 * (t->n + 1), sizeof *span, 512);
        if (!span) return -1;
        t->span = span;
        size_t c1 = cap / t->nattr, c2 = cap2 / 2;
        t->cap = c1 < c2 ? c1 : c2;
    }
    t->span[2 * t->n] = start;
    t->span[2 * t->n + 1] = stop;
    return 0;
}

static void tok_val(ld_annot *a, size_t k, const char *s, size_t n) {
    a->t.off[a->t.n * a->t.nattr + k] = a->t.vals.len;
    cr_buf_add(&a->t.vals, s, n);
    cr_buf_addc(&a->t.vals, '\0');
}

static int tok_end(ld_annot *a) {
    if (a->t.vals.failed) return -1;
    a->t.n++;
    a->started = 1;
    return 0;
}

static int sent_begin(ld_annot *a) {
    ld_tokens *t = &a->t;
    if (t->nsent == t->scap) {
        size_t cap = t->scap * 3;
        size_t *s = cr_grow(t->sent, &cap, 3 * (t->nsent + 1), sizeof *s, 96);
        if (!s) return -1;
        t->sent = s;
        t->scap = cap / 3;
    }
    size_t *s = &t->sent[3 * t->nsent];
    s[0] = t->n;
    s[1] = t->sinfo.len;
    cr_buf_add(&t->sinfo, a->s_id.data, a->s_id.len);
    cr_buf_addc(&t->sinfo, '\0');
    s[2] = t->sinfo.len;
    cr_buf_add(&t->sinfo, a->s_text.data, a->s_text.len);
    cr_buf_addc(&t->sinfo, '\0');
    if (t->sinfo.failed) return -1;
    t->nsent++;
    cr_buf_reset(&a->s_id);
    cr_buf_reset(&a->s_text);
    a->in_sent = 1;
    more_gap(a, GAP_LINE);
    return 0;
}

/* Ends the open sentence (a sentence without tokens is dropped). */
static void sent_end(ld_annot *a) {
    if (!a->in_sent) return;
    a->in_sent = 0;
    if (a->t.nsent && a->t.sent[3 * (a->t.nsent - 1)] == a->t.n) a->t.nsent--;
    more_gap(a, GAP_LINE);
}

/* Splits s[0..n) at sep (every occurrence) into a->fld; returns the count,
 * or 0 when out of memory. */
static size_t split(ld_annot *a, const char *s, size_t n, char sep) {
    size_t nf = 0, start = 0;
    for (size_t i = 0; i <= n; i++) {
        if (i < n && s[i] != sep) continue;
        if (2 * (nf + 1) > a->fcap) {
            size_t *f = cr_grow(a->fld, &a->fcap, 2 * (nf + 1), sizeof *f, 32);
            if (!f) return 0;
            a->fld = f;
        }
        a->fld[2 * nf] = start;
        a->fld[2 * nf + 1] = i;
        nf++;
        start = i + 1;
    }
    return nf;
}

#define FLD(k) (s + a->fld[2 * (k)])
#define FLEN(k) (a->fld[2 * (k) + 1] - a->fld[2 * (k)])

/* ---- CoNLL-U ------------------------------------------------------------- */
/* A CoNLL-U ID: 1 a word, 2 a multiword range lo-hi, 3 an empty node
 * lo.k; 0 when malformed. */
static int parse_num(const char *s, size_t n, size_t *i, long *v) {
    size_t j = *i;
    long x = 0;
    if (j >= n || s[j] < '0' || s[j] > '9') return 0;
    while (j < n && s[j] >= '0' && s[j] <= '9') {
        if (x > 100000000) return 0;
        x = x * 10 + (s[j++] - '0');
    }
    *i = j;
    *v = x;
    return 1;
}

static int conllu_id(const char *s, size_t n, long *lo, long *hi) {
    size_t i = 0;
    if (!parse_num(s, n, &i, lo)) return 0;
    if (i == n) return *lo >= 1 ? 1 : 0;
    char c = s[i++];
    if (!parse_num(s, n, &i, hi) || i != n) return 0;
    if (c == '-') return *lo >= 1 && *hi > *lo ? 2 : 0;
    if (c == '.') return *hi >= 1 ? 3 : 0;
    return 0;
}

static int space_after_no(const char *m, size_t n) {
    static const char key[] = "SpaceAfter=No";
    size_t kl = sizeof key - 1;
    for (size_t i = 0; i + kl <= n;) {
        const char *bar = memchr(m + i, '|', n - i);
        size_t e = bar ? (size_t)(bar - m) : n;
        if (e - i == kl && memcmp(m + i, key, kl) == 0) return 1;
        i = e + 1;
    }
    return 0;
}

static int conllu_comment(ld_annot *a, const char *s, size_t n, long line) {
    size_t i = 1;
    while (i < n && s[i] == ' ') i++;
    size_t k = i;
    while (k < n && s[k] != ' ' && s[k] != '=') k++;
    const char *key = s + i;
    size_t kl = k - i;
    while (k < n && s[k] == ' ') k++;
    int has_val = k < n && s[k] == '=';
    const char *v = "";
    size_t vl = 0;
    if (has_val) {
        k++;
        while (k < n && s[k] == ' ') k++;
        v = s + k;
        vl = n - k;
        while (vl && (v[vl - 1] == ' ' || v[vl - 1] == '\t')) vl--;
    }
    if (kl == 6 && memcmp(key, "newdoc", 6) == 0) {
        if (a->started) return 1;
        sent_end(a);
        a->started = 1;
        a->doc_line = line;
        /* "# newdoc id = X" */
        if (has_val) return 0;
        size_t j = k;
        if (n - j >= 2 && memcmp(s + j, "id", 2) == 0) {
            j += 2;
            while (j < n && s[j] == ' ') j++;
            if (j < n && s[j] == '=') {
                j++;
                while (j < n && s[j] == ' ') j++;
                size_t e = n;
                while (e > j && (s[e - 1] == ' ' || s[e - 1] == '\t')) e--;
                cr_buf_reset(&a->id);
                if (cr_buf_add(&a->id, s + j, e - j)) return -1;
            }
        }
        return 0;
    }
    if (kl == 6 && memcmp(key, "newpar", 6) == 0) {
        sent_end(a);
        more_gap(a, GAP_PARA);
        return 0;
    }
    if (!has_val) return 0;
    if (kl == 7 && memcmp(key, "sent_id", 7) == 0) {
        cr_buf_reset(&a->s_id);
        if (cr_buf_add(&a->s_id, v, vl)) return -1;
    } else if (kl == 4 && memcmp(key, "text", 4) == 0) {
        cr_buf_reset(&a->s_text);
        if (cr_buf_add(&a->s_text, v, vl)) return -1;
    }
    return 0;
}

static int conllu_line(ld_annot *a, const char *s, size_t n, long line) {
    size_t b = 0;
    while (b < n && (s[b] == ' ' || s[b] == '\t')) b++;
    if (b == n) {   /* a blank line ends the sentence */
        sent_end(a);
        a->expect = 1;
        a->mwt_last = 0;
        cr_buf_reset(&a->s_id);
        cr_buf_reset(&a->s_text);
        return 0;
    }
    if (s[0] == '#') {
        return conllu_comment(a, s, n, line);
    }
    if (a->skip) {   /* a document no one reads: its boundaries only */
        a->started = 1;
        return 0;
    }
    size_t nf = split(a, s, n, '\t');
    if (nf == 0) return -1;
    if (nf != 10) {
        say(a, line, "%zu fields, CoNLL-U has 10 (tab-separated): line skipped", nf);
        return 0;
    }
    long lo = 0, hi = 0;
    int kind = conllu_id(FLD(0), FLEN(0), &lo, &hi);
    if (!kind) {
        say(a, line, "bad ID '%.*s' (a number from 1, a range such as 1-2, or an empty node such as 1.1): line skipped",
            shown(FLD(0), FLEN(0)), FLD(0));
        return 0;
    }
    if (kind == 3) return 0;   /* an empty node: not a word of the text */
    if (lo == 1 && a->expect > 1) {   /* a new sentence without the blank line */
        say(a, line, "a sentence starts (ID 1) without a blank line after the one before");
        sent_end(a);
        a->mwt_last = 0;
        a->expect = 1;
    }
    if (lo != a->expect) {
        say(a, line, "ID %ld where %ld was expected: the line is kept", lo, a->expect);
        a->expect = lo;
    }
    if (!a->in_sent && sent_begin(a)) return -1;
    int no_space = space_after_no(FLD(9), FLEN(9));
    if (kind == 2) {
        if (put_form(a, FLD(1), FLEN(1), &a->mwt_start, &a->mwt_stop)) return -1;
        a->mwt_last = hi;
        a->mwt_gap = no_space ? GAP_NONE : GAP_SPACE;
        a->started = 1;
        return 0;
    }
    size_t start, stop;
    int in_mwt = a->mwt_last >= lo;
    if (in_mwt) {
        start = a->mwt_start;
        stop = a->mwt_stop;
        if (lo == a->mwt_last) {
            a->mwt_last = 0;
            a->gap = a->mwt_gap;
        }
    } else {
        a->mwt_last = 0;
        if (put_form(a, FLD(1), FLEN(1), &start, &stop)) return -1;
        a->gap = no_space ? GAP_NONE : GAP_SPACE;
    }
    if (tok_begin(a, start, stop)) return -1;
    for (size_t k = 0; k < 10; k++) tok_val(a, k, FLD(k), FLEN(k));
    a->expect = lo + 1;
    return tok_end(a);
}

/* ---- VRT ---------------------------------------------------------------- */
/* XML's five entities and numeric references decoded into a->val. */
static int put_utf8(cr_buf *b, unsigned long c) {
    char u[4];
    size_t k;
    if (c < 0x80) { u[0] = (char)c; k = 1; }
    else if (c < 0x800) { u[0] = (char)(0xC0 | c >> 6); u[1] = (char)(0x80 | (c & 0x3F)); k = 2; }
    else if (c < 0x10000) {
        u[0] = (char)(0xE0 | c >> 12); u[1] = (char)(0x80 | (c >> 6 & 0x3F));
        u[2] = (char)(0x80 | (c & 0x3F)); k = 3;
    } else {
        u[0] = (char)(0xF0 | c >> 18); u[1] = (char)(0x80 | (c >> 12 & 0x3F));
        u[2] = (char)(0x80 | (c >> 6 & 0x3F)); u[3] = (char)(0x80 | (c & 0x3F)); k = 4;
    }
    return cr_buf_add(b, u, k);
}

static int decode(ld_annot *a, const char *s, size_t n) {
    cr_buf *b = &a->val;
    cr_buf_reset(b);
    size_t i = 0;
    while (i < n) {
        const char *amp = memchr(s + i, '&', n - i);
        size_t e = amp ? (size_t)(amp - s) : n;
        cr_buf_add(b, s + i, e - i);
        if (!amp) break;
        i = e;
        const char *semi = memchr(s + i, ';', n - i < 12 ? n - i : 12);
        size_t el = semi ? (size_t)(semi - (s + i)) + 1 : 0;
        static const struct { const char *name; char c; } ents[] = {
            {"&lt;", '<'}, {"&gt;", '>'}, {"&amp;", '&'}, {"&quot;", '"'}, {"&apos;", '\''}};
        int done = 0;
        for (size_t k = 0; k < 5 && el && !done; k++)
            if (strlen(ents[k].name) == el && memcmp(s + i, ents[k].name, el) == 0) {
                cr_buf_addc(b, ents[k].c);
                done = 1;
            }
        if (!done && el > 3 && s[i + 1] == '#') {
            int hex = s[i + 2] == 'x' || s[i + 2] == 'X';
            unsigned long c = 0;
            size_t j = i + 2 + (size_t)hex, digits = 0;
            for (; j < i + el - 1; j++, digits++) {
                int d = s[j] >= '0' && s[j] <= '9' ? s[j] - '0'
                        : hex && s[j] >= 'a' && s[j] <= 'f' ? s[j] - 'a' + 10
                        : hex && s[j] >= 'A' && s[j] <= 'F' ? s[j] - 'A' + 10 : -1;
                if (d < 0) break;
                c = c * (hex ? 16 : 10) + (unsigned long)d;
            }
            if (j == i + el - 1 && digits && c > 0 && c <= 0x10FFFF && !(c >= 0xD800 && c <= 0xDFFF)) {
                put_utf8(b, c);
                done = 1;
            }
        }
        if (done) i += el;
        else cr_buf_addc(b, s[i++]);   /* not a reference: the & as it is */
    }
    cr_buf_addc(b, '\0');
    b->len--;
    return b->failed ? -1 : 0;
}

static int is_name_char(char c) {
    return (c >= 'a' && c <= 'z') || (c >= 'A' && c <= 'Z') || (c >= '0' && c <= '9') || c == '_' ||
           c == '-' || c == '.' || c == ':' || (unsigned char)c >= 0x80;
}

/* The attributes of a start tag (s[i..n) after its name) into a->attrs.
 * 0, -1 out of memory, 1 malformed (those before the fault are kept). */
static int tag_attrs(ld_annot *a, const char *s, size_t n, size_t i) {
    cr_buf_reset(&a->attrs);
    a->nattrs = 0;
    for (;;) {
        while (i < n && (s[i] == ' ' || s[i] == '\t')) i++;
        if (i >= n) return 0;
        size_t k = i;
        while (k < n && is_name_char(s[k])) k++;
        if (k == i) return 1;
        size_t ke = k;
        while (k < n && (s[k] == ' ' || s[k] == '\t')) k++;
        if (k >= n || s[k] != '=') return 1;
        k++;
        while (k < n && (s[k] == ' ' || s[k] == '\t')) k++;
        if (k >= n || (s[k] != '"' && s[k] != '\'')) return 1;
        char q = s[k++];
        const char *end = memchr(s + k, q, n - k);
        if (!end) return 1;
        if (decode(a, s + k, (size_t)(end - (s + k)))) return -1;
        cr_buf_add(&a->attrs, s + i, ke - i);
        cr_buf_addc(&a->attrs, '\0');
        cr_buf_add(&a->attrs, a->val.data, a->val.len);
        cr_buf_addc(&a->attrs, '\0');
        if (a->attrs.failed) return -1;
        a->nattrs++;
        i = (size_t)(end - s) + 1;
    }
}

static int vrt_header(ld_annot *a, const char *s, size_t n, long line) {
    static const char key[] = "#vrt positional-attributes:";
    size_t kl = sizeof key - 1;
    size_t i = 4;
    while (i < n && s[i] == ' ') i++;
    if (n - i < kl || memcmp(s + i, key, kl) != 0 || a->names_fixed) return 0;
    i += kl;
    size_t e = n;
    if (e >= 3 && memcmp(s + e - 3, "-->", 3) == 0) e -= 3;
    if (a->t.n) {
        say(a, line, "positional attributes named after the first token: not used");
        return 0;
    }
    cr_buf names = CR_BUF_INIT;
    size_t k = 0;
    while (i < e) {
        while (i < e && (s[i] == ' ' || s[i] == '\t')) i++;
        size_t j = i;
        while (j < e && s[j] != ' ' && s[j] != '\t') j++;
        if (j > i) {
            cr_buf_add(&names, s + i, j - i);
            cr_buf_addc(&names, '\0');
            k++;
        }
        i = j;
    }
    if (names.failed) {
        cr_buf_free(&names);
        return -1;
    }
    if (k == 0) {
        say(a, line, "a positional-attributes header without names");
        cr_buf_free(&names);
        return 0;
    }
    cr_buf_free(&a->t.names);
    a->t.names = names;
    a->t.nattr = k;
    free(a->t.off);   /* sized for the old count */
    free(a->t.span);
    a->t.off = a->t.span = NULL;
    a->t.cap = 0;
    return 0;
}

static const char *open_name(const ld_annot *a, size_t k) { return a->enames.data + a->eoff[k]; }

static int vrt_push(ld_annot *a, const char *name, size_t nl, long line) {
    if (a->nopen < MAX_ELEMENTS) {
        a->eoff[a->nopen] = a->enames.len;
        a->eline[a->nopen] = line;
        cr_buf_add(&a->enames, name, nl);
        cr_buf_addc(&a->enames, '\0');
        if (a->enames.failed) return -1;
    }
    a->nopen++;
    return 0;
}

static void vrt_pop(ld_annot *a) {
    a->nopen--;
    if (a->nopen < MAX_ELEMENTS) a->enames.len = a->eoff[a->nopen];
}

static int name_is(const char *name, size_t nl, const char *s) {
    return strlen(s) == nl && memcmp(name, s, nl) == 0;
}

/* Reports the elements still open inside the document and closes them. */
static void vrt_close_all(ld_annot *a, long line, const char *why) {
    while (a->nopen > a->doc_depth) {
        if (a->nopen <= MAX_ELEMENTS)
            say(a, line, "<%s> opened on line %ld is not closed %s", open_name(a, a->nopen - 1),
                a->eline[a->nopen - 1], why);
        vrt_pop(a);
    }
    sent_end(a);
}

static int vrt_tag(ld_annot *a, const char *s, size_t n, long line) {
    if (n >= 4 && memcmp(s, "<!--", 4) == 0) return vrt_header(a, s, n, line);
    if (n >= 2 && (s[1] == '?' || s[1] == '!')) return 0;
    if (s[n - 1] != '>') {
        say(a, line, "a tag not closed on its line ('%.*s'): line skipped", shown(s, n), s);
        return 0;
    }
    int closing = n > 1 && s[1] == '/';
    size_t i = closing ? 2 : 1, e = n - 1;
    int empty = !closing && e > i && s[e - 1] == '/';
    if (empty) e--;
    size_t ns = i;
    while (i < e && is_name_char(s[i])) i++;
    const char *name = s + ns;
    size_t nl = i - ns;
    if (nl == 0) {
        say(a, line, "a tag without a name ('%.*s'): line skipped", shown(s, n), s);
        return 0;
    }
    int is_doc = name_is(name, nl, a->element);
    if (closing) {
        size_t k = i;
        while (k < e && (s[k] == ' ' || s[k] == '\t')) k++;
        if (k != e) say(a, line, "text after the name of </%.*s>", (int)nl, name);
        if (is_doc) {
            if (!a->in_doc) {
                say(a, line, "</%.*s> without <%.*s>: line skipped", (int)nl, name, (int)nl, name);
                return 0;
            }
            vrt_close_all(a, line, "before the end of the document");
            a->in_doc = 0;
            a->ended = 1;
            return 0;
        }
        size_t k2 = a->nopen;   /* the innermost open element of that name */
        while (k2 > 0 && (k2 > MAX_ELEMENTS || !name_is(name, nl, open_name(a, k2 - 1)))) k2--;
        if (k2 == 0) {
            say(a, line, "</%.*s> closes no open <%.*s>: line skipped", (int)nl, name, (int)nl, name);
            return 0;
        }
        if (a->in_doc && k2 <= a->doc_depth) {   /* an element around the document: it ends too */
            char why[160];
            snprintf(why, sizeof why, "before </%.*s>", (int)(nl > 100 ? 100 : nl), name);
            vrt_close_all(a, line, why);
            say(a, line, "<%s> opened on line %ld is not closed before </%.*s>", a->element, a->doc_line,
                (int)nl, name);
            a->in_doc = 0;
            a->ended = 1;
        }
        while (a->nopen > k2) {
            if (a->nopen <= MAX_ELEMENTS)
                say(a, line, "<%s> opened on line %ld is not closed before </%.*s>", open_name(a, a->nopen - 1),
                    a->eline[a->nopen - 1], (int)nl, name);
            vrt_pop(a);
        }
        vrt_pop(a);
        if (name_is(name, nl, "s")) sent_end(a);
        else if (name_is(name, nl, "p")) { sent_end(a); more_gap(a, GAP_PARA); }
        return 0;
    }
    if (is_doc && a->started) {
        if (a->in_doc) {   /* the document before is cut here */
            vrt_close_all(a, line, "before the next document");
            say(a, line, "<%.*s> opened inside <%.*s> of line %ld: the document before ends here",
                (int)nl, name, (int)nl, name, a->doc_line);
        }
        return 1;
    }
    int r = tag_attrs(a, s, e, i);
    if (r < 0) return -1;
    if (r > 0) say(a, line, "malformed attributes in <%.*s> (name=\"value\" expected)", (int)nl, name);
    if (is_doc) {
        a->started = 1;
        a->in_doc = !empty;
        a->ended = empty;
        a->doc_line = line;
        a->doc_depth = a->nopen;
        const char *p = a->attrs.data;
        for (size_t k = 0; k < a->nattrs; k++) {
            size_t kl = strlen(p);
            const char *v = p + kl + 1;
            size_t vl = strlen(v);
            if (kl == 2 && memcmp(p, "id", 2) == 0 && a->id.len == 0) {
                if (cr_buf_add(&a->id, v, vl)) return -1;
            } else if (meta_add(a, p, kl, v, vl)) return -1;
            p = v + vl + 1;
        }
        return 0;
    }
    if (name_is(name, nl, "s")) {
        if (a->in_sent) say(a, line, "<s> inside a sentence: the one before ends here");
        sent_end(a);
        const char *p = a->attrs.data;
        for (size_t k = 0; k < a->nattrs; k++) {
            size_t kl = strlen(p);
            const char *v = p + kl + 1;
            if (kl == 2 && memcmp(p, "id", 2) == 0 && cr_buf_adds(&a->s_id, v)) return -1;
            p = v + strlen(v) + 1;
        }
        if (!empty && sent_begin(a)) return -1;
    } else if (name_is(name, nl, "p")) {
        sent_end(a);
        more_gap(a, GAP_PARA);
    }
    return empty ? 0 : vrt_push(a, name, nl, line);
}

static int vrt_line(ld_annot *a, const char *s, size_t n, long line) {
    if (n == 0) return 0;
    if (s[0] == '<') return vrt_tag(a, s, n, line);
    if (a->skip) {
        a->started = 1;
        return 0;
    }
    size_t nf = split(a, s, n, '\t');
    if (nf == 0) return -1;
    if (nf != a->t.nattr) {
        char names[120];
        size_t k = 0;
        for (size_t i = 0; i < a->t.names.len && k + 1 < sizeof names; i++)
            names[k++] = a->t.names.data[i] ? a->t.names.data[i] : ' ';
        while (k && names[k - 1] == ' ') k--;
        names[k] = '\0';
        say(a, line, "%zu field%s, %zu positional attribute%s (%s): line skipped", nf, nf == 1 ? "" : "s",
            a->t.nattr, a->t.nattr == 1 ? "" : "s", names);
        return 0;
    }
    size_t start, stop;
    if (!memchr(s, '&', n)) {   /* no reference to decode: the fields as they are */
        if (put_form(a, FLD(0), FLEN(0), &start, &stop) || tok_begin(a, start, stop)) return -1;
        for (size_t k = 0; k < nf; k++) tok_val(a, k, FLD(k), FLEN(k));
    } else {
        if (decode(a, FLD(0), FLEN(0))) return -1;
        if (put_form(a, a->val.data, a->val.len, &start, &stop) || tok_begin(a, start, stop)) return -1;
        for (size_t k = 0; k < nf; k++) {
            if (decode(a, FLD(k), FLEN(k))) return -1;
            tok_val(a, k, a->val.data, a->val.len);
        }
    }
    a->gap = GAP_SPACE;
    return tok_end(a);
}

/* ---- word/TAG ------------------------------------------------------------ */
static int is_space(char c) { return c == ' ' || c == '\t' || c == '\f' || c == '\v'; }

static int tagged_line(ld_annot *a, const char *s, size_t n, long line) {
    size_t i = 0, untagged = 0;
    if (a->skip) {
        while (i < n && !a->started) a->started = !is_space(s[i++]);
        return 0;
    }
    const char *first = NULL;
    size_t first_n = 0;
    while (i < n) {
        while (i < n && is_space(s[i])) i++;
        if (i >= n) break;
        size_t j = i;
        while (j < n && !is_space(s[j])) j++;
        const char *w = s + i;
        size_t wl = j - i, cut = wl;   /* the last separator */
        if (wl > a->seplen)
            for (size_t k = wl - a->seplen + 1; k-- > 1;)
                if (memcmp(w + k, a->sep, a->seplen) == 0) { cut = k; break; }
        if (cut == wl && !untagged++) { first = w; first_n = wl; }
        if (!a->in_sent && sent_begin(a)) return -1;
        size_t start, stop;
        if (put_form(a, w, cut, &start, &stop) || tok_begin(a, start, stop)) return -1;
        a->gap = GAP_SPACE;
        tok_val(a, 0, w, cut);
        if (cut < wl) tok_val(a, 1, w + cut + a->seplen, wl - cut - a->seplen);
        else tok_val(a, 1, "", 0);
        if (tok_end(a)) return -1;
        i = j;
    }
    if (untagged)
        say(a, line, "%zu token%s without %s and a tag (the first: '%.*s'): kept with an empty tag", untagged,
            untagged > 1 ? "s" : "", a->sep, shown(first, first_n), first);
    sent_end(a);
    return 0;
}

/* ---- feeding ------------------------------------------------------------- */
int ld_annot_line(ld_annot *a, const char *s, size_t n, size_t raw, long line) {
    if (a->ready) doc_clear(a);
    if (a->ended) {
        sent_end(a);
        a->ready = 1;
        return 1;
    }
    /* a NUL in a comment or a tag would cut the C strings made from it (ids,
     * names, metadata); token values are kept with their lengths */
    if (n && (s[0] == '#' || s[0] == '<') && memchr(s, '\0', n)) {
        say(a, line, "a NUL byte in the line: line skipped");
        a->bytes += raw + 1;
        return 0;
    }
    if (!a->started && a->t.n == 0) a->doc_line = line;
    int r;
    switch (a->fmt) {
    case LD_FMT_CONLLU: r = conllu_line(a, s, n, line); break;
    case LD_FMT_VRT: r = vrt_line(a, s, n, line); break;
    default: r = tagged_line(a, s, n, line); break;
    }
    if (r == 1) {
        sent_end(a);
        a->ready = 1;
        return 1;
    }
    if (r == 0) a->bytes += raw + 1;
    return r;
}

void ld_annot_skip(ld_annot *a, int skip) { a->skip = skip; }

int ld_annot_unread(const ld_annot *a, const char *s, size_t n) {
    if (!a->skip || a->ready || a->ended || n == 0) return 0;
    if (a->fmt == LD_FMT_CONLLU) return s[0] != '#' && s[0] != ' ' && s[0] != '\t' && a->started;
    if (a->fmt == LD_FMT_VRT) return s[0] != '<' && a->started;
    return a->started;
}

int ld_annot_finish(ld_annot *a, long line) {
    if (a->ready) doc_clear(a);
    if (a->fmt == LD_FMT_VRT && a->in_doc) {
        vrt_close_all(a, line, "at the end of the file");
        say(a, line, "<%s> opened on line %ld is not closed at the end of the file", a->element, a->doc_line);
        a->in_doc = 0;
        a->ended = 1;
    }
    sent_end(a);
    if (a->fmt == LD_FMT_VRT) {
        a->doc_depth = 0;
        while (a->nopen) {
            if (a->nopen <= MAX_ELEMENTS)
                say(a, line, "<%s> opened on line %ld is not closed at the end of the file",
                    open_name(a, a->nopen - 1), a->eline[a->nopen - 1]);
            vrt_pop(a);
        }
    }
    if (a->ended || a->started) {
        a->ready = 1;
        a->ended = 0;
        return 1;
    }
    return 0;
}

void ld_annot_doc_get(ld_annot *a, ld_annot_doc *d) {
    if (a->nmeta) {   /* pointers made now: mb no longer moves */
        const char **p = realloc(a->mptr, 2 * a->nmeta * sizeof *p);
        size_t *l = p ? realloc(a->mlen, 2 * a->nmeta * sizeof *l) : NULL;
        if (p) a->mptr = p;
        if (l) a->mlen = l;
        if (!p || !l) a->nmeta = 0;   /* out of memory: the metadata is lost, not the text */
        for (size_t k = 0; k < 2 * a->nmeta; k++) {
            a->mptr[k] = a->mb.data + a->moff[k];
            a->mlen[k] = strlen(a->mptr[k]);
        }
    }
    d->id = a->id.data ? a->id.data : "";
    d->id_len = a->id.len;
    d->text = a->text.data ? a->text.data : "";
    d->text_len = a->text.len;
    d->tokens = &a->t;
    d->meta = a->mptr;
    d->meta_len = a->mlen;
    d->n_meta = a->nmeta;
    d->line = a->doc_line;
    d->bytes = a->bytes;
}
