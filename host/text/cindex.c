/* cindex.c — reading the index (cindex.h): the file mmaped, its sections
 * checked when opened, the corpus's operations (cpos.h) over them. */
#include "cindex.h"

#include <errno.h>
#include <fcntl.h>
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/mman.h>
#include <sys/stat.h>
#include <unistd.h>

#include "cindex_fmt.h"
#include "grow.h"
#include "pathpolicy.h"

typedef struct csect {
    char name[CI_NAME];
    uint64_t off, size, hash;
} csect;

typedef struct ixattr {
    int derived;                  /* 0 stored; else lower/key through map */
    uint64_t n;                   /* lexicon size */
    const unsigned char *lxo, *lxb, *pso, *psb, *ids;
    const unsigned char *inv, *invw, *invf;   /* derived: per id its word ids, frequencies */
    uint64_t lxb_size, psb_size;
    unsigned w;                   /* ids or map width */
    const csect *s_ids, *s_psb;
} ixattr;

typedef struct ixstruct {
    uint64_t n, nk;
    const unsigned char *rgn, *vlo, *vlb, *vty;
    uint64_t vlb_size;
    const csect *s_rgn, *s_vlo;
    int state;                    /* regions and offsets checked: 0 not yet, 1 sound, -1 damaged */
} ixstruct;

struct ci_index {
    cp_corpus c;
    const unsigned char *p;
    uint64_t size;
    int mapped;
    char *name;
    csect *s;
    size_t ns;
    /* names */
    char *metatext;               /* a copy of meta, NULs cut in */
    const char **attrs, **structs;
    const char ***keys;
    int nattrs;
    ixattr *a;                    /* nattrs + 1 (the gaps last) */
    ixstruct st[3];
    int nstructs;
    uint64_t ndocs;
    const unsigned char *dco, *dcb, *dcf;
    uint64_t dcb_size;
    const char *rcpt;
    uint64_t rcpt_size;
    /* annotated input: names and where each comes from */
    int annotated;
    size_t ninput, form;
    const char **input;
    int *input_attr;
    char err[CI_ERR_SIZE];
};

static const cp_ops ci_ops;

static void seterr(char *err, size_t n, const char *name, const char *fmt, ...) {
    int k = snprintf(err, n, "%s: ", name);
    if (k < 0 || (size_t)k >= n) return;
    va_list ap;
    va_start(ap, fmt);
    vsnprintf(err + k, n - (size_t)k, fmt, ap);
    va_end(ap);
}

const char *ci_error(const ci_index *ix) { return ix->err; }
uint64_t ci_file_size(const ci_index *ix) { return ix->size; }

/* Records a CP_EIO naming the section and byte. */
static int eio(ci_index *ix, const csect *s, uint64_t at, const char *what) {
    seterr(ix->err, sizeof ix->err, ix->name, "byte %llu (section %s): %s", (unsigned long long)(s ? s->off + at : at),
           s ? s->name : "?", what);
    return CP_EIO;
}

int ci_is_index(const void *head, size_t n) { return n >= 8 && memcmp(head, CI_MAGIC, 8) == 0; }

static const csect *find(const ci_index *ix, const char *name) {
    for (size_t i = 0; i < ix->ns; i++)
        if (!strcmp(ix->s[i].name, name)) return &ix->s[i];
    return NULL;
}

typedef struct opener {
    ci_index *ix;
    char *err;
    size_t errsize;
} opener;

static int obad(opener *o, const char *fmt, ...) {
    char msg[CI_ERR_SIZE];
    va_list ap;
    va_start(ap, fmt);
    vsnprintf(msg, sizeof msg, fmt, ap);
    va_end(ap);
    seterr(o->err, o->errsize, o->ix->name, "%s", msg);
    return -1;
}
#define BAD(...) obad(o, __VA_ARGS__)

/* Section name (its kind and number) with at least min bytes: its bytes. */
static const unsigned char *need(opener *o, const char *name, uint64_t min, const csect **out) {
    const csect *s = find(o->ix, name);
    if (!s) {
        BAD("section %s is missing", name);
        return NULL;
    }
    if (s->size < min) {
        BAD("byte %llu (section %s): %llu bytes, %llu expected at least", (unsigned long long)s->off, name,
            (unsigned long long)s->size, (unsigned long long)min);
        return NULL;
    }
    if (out) *out = s;
    return o->ix->p + s->off;
}

/* Checks an offsets table of n + 1 u64 at p: from 0, ascending, ending at end. */
static int check_offsets(opener *o, const csect *s, const unsigned char *p, uint64_t n, uint64_t end) {
    uint64_t prev = 0;
    for (uint64_t i = 0; i <= n; i++) {
        uint64_t v = ci_rd64(p + 8 * i);
        if (v < prev || v > end || (i == 0 && v != 0) || (i == n && v != end))
            return BAD("byte %llu (section %s): offset %llu out of order", (unsigned long long)(s->off + (p - (o->ix->p + s->off)) + 8 * i),
                       s->name, (unsigned long long)v);
        prev = v;
    }
    return 0;
}

static int open_attr(opener *o, int a, const char *kind) {
    ci_index *ix = o->ix;
    ixattr *x = &ix->a[a];
    char nm[32];
    const csect *s, *sb;
    char tag[16];
    if (a == ix->nattrs) snprintf(tag, sizeof tag, "g");
    else snprintf(tag, sizeof tag, "%d", a);
    x->derived = strcmp(kind, "stored") != 0;
    snprintf(nm, sizeof nm, "lxo.%s", tag);
    const unsigned char *lxo = need(o, nm, 16, &s);
    if (!lxo) return -1;
    x->n = ci_rd64(lxo);
    if (x->n > (s->size - 16) / 8) return BAD("byte %llu (section %s): %llu strings do not fit", (unsigned long long)s->off, nm, (unsigned long long)x->n);
    if (s->size != 8 * (x->n + 2)) return BAD("byte %llu (section %s): size %llu is not that of %llu strings", (unsigned long long)s->off, nm, (unsigned long long)s->size, (unsigned long long)x->n);
    x->lxo = lxo + 8;
    snprintf(nm, sizeof nm, "lxb.%s", tag);
    x->lxb = need(o, nm, 0, &sb);
    if (!x->lxb) return -1;
    x->lxb_size = sb->size;
    if (check_offsets(o, s, x->lxo, x->n, sb->size)) return -1;
    if (x->derived) {
        uint64_t nw = ix->a[0].n;
        snprintf(nm, sizeof nm, "inv.%s", tag);
        const unsigned char *inv = need(o, nm, 16, &s);
        if (!inv) return -1;
        if (ci_rd64(inv) != x->n || s->size != 8 * (1 + (x->n + 1) + nw + x->n))
            return BAD("byte %llu (section %s): not the words of %llu strings", (unsigned long long)s->off, nm, (unsigned long long)x->n);
        x->inv = inv + 8;
        x->invw = x->inv + 8 * (x->n + 1);
        x->invf = x->invw + 8 * nw;
        if (check_offsets(o, s, x->inv, x->n, nw)) return -1;
        uint64_t sum = 0;
        for (uint64_t i = 0; i < nw; i++)
            if (ci_rd64(x->invw + 8 * i) >= nw)
                return BAD("byte %llu (section %s): word %llu past the lexicon", (unsigned long long)(s->off + (uint64_t)(x->invw - inv) + 8 * i), nm, (unsigned long long)i);
        for (uint64_t i = 0; i < x->n; i++) sum += ci_rd64(x->invf + 8 * i);
        if (sum != (uint64_t)ix->c.size) return BAD("byte %llu (section %s): frequencies add up to %llu, not %llu tokens", (unsigned long long)s->off, nm, (unsigned long long)sum, (unsigned long long)ix->c.size);
    } else if (a < ix->nattrs) {
        snprintf(nm, sizeof nm, "pso.%s", tag);
        const unsigned char *pso = need(o, nm, 16, &s);
        if (!pso) return -1;
        if (ci_rd64(pso) != x->n || s->size != 8 * (1 + (x->n + 1) + x->n))
            return BAD("byte %llu (section %s): not the postings of %llu strings", (unsigned long long)s->off, nm, (unsigned long long)x->n);
        x->pso = pso + 8;
        snprintf(nm, sizeof nm, "psb.%s", tag);
        x->psb = need(o, nm, 0, &sb);
        if (!x->psb) return -1;
        x->psb_size = sb->size;
        x->s_psb = sb;
        if (check_offsets(o, s, x->pso, x->n, sb->size)) return -1;
        uint64_t sum = 0;
        for (uint64_t i = 0; i < x->n; i++) {
            uint64_t f = ci_rd64(x->pso + 8 * (x->n + 1 + i));
            if (f > (uint64_t)ix->c.size || (f == 0) != (ci_rd64(x->pso + 8 * (i + 1)) == ci_rd64(x->pso + 8 * i)))
                return BAD("byte %llu (section %s): frequency %llu of string %llu does not match its postings",
                           (unsigned long long)(s->off + 8 * (x->n + 2 + i)), nm, (unsigned long long)f, (unsigned long long)i);
            sum += f;
        }
        if (sum != (uint64_t)ix->c.size) return BAD("byte %llu (section %s): frequencies add up to %llu, not %llu tokens", (unsigned long long)s->off, nm, (unsigned long long)sum, (unsigned long long)ix->c.size);
    }
    uint64_t count = x->derived ? ix->a[0].n : (uint64_t)ix->c.size;
    snprintf(nm, sizeof nm, "%s.%s", x->derived ? "map" : "ids", tag);
    const unsigned char *ids = need(o, nm, 16, &s);
    if (!ids) return -1;
    x->w = (unsigned)ci_rd64(ids);
    if (x->w < 1 || x->w > 56 || ci_rd64(ids + 8) != count || x->w < ci_width(x->n))
        return BAD("byte %llu (section %s): a bit width of %u for %llu values", (unsigned long long)s->off, nm, x->w, (unsigned long long)count);
    uint64_t bytes = (count / 64 * x->w + ((count % 64) * x->w + 63) / 64) * 8 + 8;
    if (s->size != 16 + bytes) return BAD("byte %llu (section %s): %llu bytes, %llu expected", (unsigned long long)s->off, nm, (unsigned long long)s->size, (unsigned long long)(16 + bytes));
    x->ids = ids + 16;
    x->s_ids = s;
    return 0;
}

/* The O(regions) checks of structure k: regions ascending, apart, within
 * the corpus; value offsets ascending.  Made when it is opened for "text",
 * on first use for the others (so that opening stays fast).  0 or -1. */
static int check_struct(opener *o, int k) {
    ci_index *ix = o->ix;
    ixstruct *st = &ix->st[k];
    if (st->state) return st->state > 0 ? 0 : -1;
    st->state = -1;
    uint64_t prev = 0;
    for (uint64_t i = 0; i < st->n; i++) {
        uint64_t a = ci_rd64(st->rgn + 16 * i), b = ci_rd64(st->rgn + 16 * i + 8);
        if (a < prev || b < a || b > (uint64_t)ix->c.size)
            return BAD("byte %llu (section %s): region %llu [%llu, %llu) out of order", (unsigned long long)(st->s_rgn->off + 8 + 16 * i),
                       st->s_rgn->name, (unsigned long long)i, (unsigned long long)a, (unsigned long long)b);
        prev = b;
    }
    if (k == 0 && prev != (uint64_t)ix->c.size)
        return BAD("byte %llu (section %s): the documents do not cover the tokens", (unsigned long long)st->s_rgn->off, st->s_rgn->name);
    if (st->nk && check_offsets(o, st->s_vlo, st->vlo, st->n * st->nk, st->vlb_size)) return -1;
    st->state = 1;
    return 0;
}

/* Whether structure s is sound (checked on first use); else ix->err says why. */
static int struct_ok(ci_index *ix, int s) {
    if (ix->st[s].state > 0) return 1;
    opener o = {ix, ix->err, sizeof ix->err};
    return check_struct(&o, s) == 0;
}

static int open_struct(opener *o, int k, const char *name, uint64_t nk) {
    ci_index *ix = o->ix;
    ixstruct *st = &ix->st[k];
    char nm[32];
    const csect *s;
    snprintf(nm, sizeof nm, "rgn.%s", name);
    const unsigned char *r = need(o, nm, 8, &s);
    if (!r) return -1;
    st->n = ci_rd64(r);
    if (st->n > (s->size - 8) / 16 || s->size != 8 + 16 * st->n) return BAD("byte %llu (section %s): not %llu regions", (unsigned long long)s->off, nm, (unsigned long long)st->n);
    st->rgn = r + 8;
    st->s_rgn = s;
    st->nk = nk;
    if (nk == 0) return 0;
    snprintf(nm, sizeof nm, "vlo.%s", name);
    const unsigned char *v = need(o, nm, 16, &s);
    if (!v) return -1;
    if (ci_rd64(v) != st->n || ci_rd64(v + 8) != nk || st->n > UINT64_MAX / 8 / (nk + 1) || s->size != 16 + 8 * (st->n * nk + 1))
        return BAD("byte %llu (section %s): not the values of %llu regions", (unsigned long long)s->off, nm, (unsigned long long)st->n);
    st->vlo = v + 16;
    const csect *sb;
    snprintf(nm, sizeof nm, "vlb.%s", name);
    st->vlb = need(o, nm, 8, &sb);   /* u64 regions, then the bytes */
    if (!st->vlb) return -1;
    st->vlb += 8;
    st->vlb_size = sb->size - 8;
    st->s_vlo = s;
    if (k == 0) {
        snprintf(nm, sizeof nm, "vty.%s", name);
        const unsigned char *t = need(o, nm, 16, &s);
        if (!t) return -1;
        if (s->size != 16 + st->n * nk) return BAD("byte %llu (section %s): not the types of %llu values", (unsigned long long)s->off, nm, (unsigned long long)(st->n * nk));
        st->vty = t + 16;
    }
    return 0;
}

/* Splits meta into lines and fields (unescaping in place). */
static size_t split(char *line, char **f, size_t max) {
    size_t n = 0;
    char *w = line, *start = line;
    for (char *p = line;; p++) {
        if (*p == '\t' || *p == '\0') {
            int end = *p == '\0';
            *w++ = '\0';
            if (n < max) f[n++] = start;
            start = w;
            if (end) break;
        } else if (*p == '\\' && p[1]) {
            p++;
            *w++ = *p == 't' ? '\t' : *p == 'n' ? '\n' : *p;
        } else {
            *w++ = *p;
        }
    }
    return n;
}

static int parse_meta(opener *o) {
    ci_index *ix = o->ix;
    const csect *s;
    const unsigned char *m = need(o, "meta", 16, &s);
    if (!m) return -1;
    if (memchr(m, '\0', s->size)) return BAD("byte %llu (section meta): a NUL in the text", (unsigned long long)s->off);
    ix->metatext = malloc(s->size + 1);
    if (!ix->metatext) return BAD("out of memory");
    memcpy(ix->metatext, m, s->size);
    ix->metatext[s->size] = '\0';
    size_t nlines = 0;
    for (char *p = ix->metatext; *p; p++) nlines += *p == '\n';
    ix->attrs = calloc(nlines + 1, sizeof *ix->attrs);
    char **kinds = calloc(nlines + 1, sizeof *kinds);
    ix->structs = calloc(4, sizeof *ix->structs);
    ix->keys = calloc(4, sizeof *ix->keys);
    int rc = -1;
    if (!ix->attrs || !kinds || !ix->structs || !ix->keys) {
        BAD("out of memory");
        goto done;
    }
    char *line = ix->metatext;
    int lineno = 0, seen_tokens = 0;
    while (*line) {
        char *nl = strchr(line, '\n');
        if (!nl) break;
        *nl = '\0';
        lineno++;
        char *f[4096];
        size_t nf = split(line, f, sizeof f / sizeof f[0]);
        if (lineno == 1 && strcmp(f[0], "corpusrun index")) {
            BAD("section meta: not an index's description");
            goto done;
        }
        if (!strcmp(f[0], "tokens") && nf == 2) {
            ix->c.size = (cp_pos)strtoll(f[1], NULL, 10);
            seen_tokens = 1;
        } else if (!strcmp(f[0], "docs") && nf == 2) {
            ix->ndocs = strtoull(f[1], NULL, 10);
        } else if (!strcmp(f[0], "attr") && nf == 3) {
            ix->attrs[ix->nattrs] = f[1];
            kinds[ix->nattrs++] = f[2];
        } else if (!strcmp(f[0], "input") && nf >= 3) {
            ix->annotated = 1;
            ix->form = strtoull(f[1], NULL, 10);
            ix->ninput = nf - 2;
            ix->input = calloc(nf, sizeof *ix->input);
            ix->input_attr = calloc(nf, sizeof *ix->input_attr);
            if (!ix->input || !ix->input_attr) {
                BAD("out of memory");
                goto done;
            }
            for (size_t i = 2; i < nf; i++) ix->input[i - 2] = f[i];
        } else if (!strcmp(f[0], "struct") && nf >= 2 && ix->nstructs < 3) {
            int k = ix->nstructs++;
            ix->structs[k] = f[1];
            ix->keys[k] = calloc(nf, sizeof **ix->keys);
            if (!ix->keys[k]) {
                BAD("out of memory");
                goto done;
            }
            for (size_t i = 2; i < nf; i++) ix->keys[k][i - 2] = f[i];
        }
        line = nl + 1;
    }
    if (!seen_tokens || ix->c.size < 0 || ix->nattrs < 1 || strcmp(ix->attrs[0], "word") || ix->nstructs < 2 ||
        strcmp(ix->structs[0], "text") || strcmp(ix->structs[1], "s") || (ix->annotated && ix->form >= ix->ninput)) {
        BAD("byte %llu (section meta): an incomplete description", (unsigned long long)s->off);
        goto done;
    }
    ix->a = calloc((size_t)ix->nattrs + 1, sizeof *ix->a);
    if (!ix->a) {
        BAD("out of memory");
        goto done;
    }
    for (int a = 0; a <= ix->nattrs; a++)
        if (open_attr(o, a, a < ix->nattrs ? kinds[a] : "stored")) goto done;
    for (int a = 1; a < ix->nattrs; a++)
        if (ix->a[a].derived && (strcmp(kinds[a], "casefold") && strcmp(kinds[a], "key"))) {
            BAD("section meta: attribute %s of an unknown kind %s", ix->attrs[a], kinds[a]);
            goto done;
        }
    if (ix->a[0].derived) {
        BAD("section meta: word is not stored");
        goto done;
    }
    if (ix->annotated) {
        for (size_t i = 0; i < ix->ninput; i++) {
            const char *nm = i == ix->form ? "word" : ix->input[i];
            ix->input_attr[i] = -1;
            for (int a = 0; a < ix->nattrs; a++)
                if (!strcmp(ix->attrs[a], nm) && !ix->a[a].derived) ix->input_attr[i] = a;
            if (ix->input_attr[i] < 0) {
                BAD("section meta: the input's attribute %s is not in the index", nm);
                goto done;
            }
        }
    }
    rc = 0;
done:
    free(kinds);
    return rc;
}

static int parse_sections(opener *o) {
    ci_index *ix = o->ix;
    const unsigned char *p = ix->p;
    if (ix->size < CI_HEADER || memcmp(p, CI_MAGIC, 8)) return BAD("byte 0: not a corpusrun index");
    if (ci_rd64(p + 40) != ci_hash(p, 40)) return BAD("byte 40: the header's checksum does not match");
    uint32_t version = ci_rd32(p + 8);
    if (version != CI_FORMAT_VERSION)
        return BAD("byte 8: format version %u, this corpusrun reads version %d", version, CI_FORMAT_VERSION);
    uint32_t n = ci_rd32(p + 12);
    uint64_t table = ci_rd64(p + 16), size = ci_rd64(p + 32);
    if (size != ix->size)
        return BAD("byte 32: the file holds %llu bytes, its header says %llu (truncated or grown)", (unsigned long long)ix->size, (unsigned long long)size);
    if (table < CI_HEADER || table > size || (size - table) / CI_ENTRY != n || (size - table) % CI_ENTRY)
        return BAD("byte 16: the section table at %llu does not end the file", (unsigned long long)table);
    if (ci_hash(p + table, (size_t)(size - table)) != ci_rd64(p + 24))
        return BAD("byte %llu: the section table's checksum does not match", (unsigned long long)table);
    ix->s = calloc(n ? n : 1, sizeof *ix->s);
    if (!ix->s) return BAD("out of memory");
    ix->ns = n;
    for (uint32_t i = 0; i < n; i++) {
        const unsigned char *e = p + table + (uint64_t)i * CI_ENTRY;
        csect *s = &ix->s[i];
        memcpy(s->name, e, CI_NAME);
        s->name[CI_NAME - 1] = '\0';
        s->off = ci_rd64(e + CI_NAME);
        s->size = ci_rd64(e + CI_NAME + 8);
        s->hash = ci_rd64(e + CI_NAME + 16);
        if (s->off < CI_HEADER || s->off > table || s->size > table - s->off || s->off % 8)
            return BAD("byte %llu: section %s lies outside the file", (unsigned long long)(table + (uint64_t)i * CI_ENTRY), s->name);
    }
    const csect *m = find(ix, "meta");
    if (m && ci_hash(p + m->off, (size_t)m->size) != m->hash)
        return BAD("byte %llu (section meta): its checksum does not match", (unsigned long long)m->off);
    return 0;
}

static int open_docs(opener *o) {
    ci_index *ix = o->ix;
    const csect *s, *sb;
    if (ix->st[0].n != ix->ndocs) return BAD("section rgn.text: %llu documents, the description says %llu", (unsigned long long)ix->st[0].n, (unsigned long long)ix->ndocs);
    const unsigned char *d = need(o, "dco", 16, &s);
    if (!d) return -1;
    if (ci_rd64(d) != ix->ndocs || ix->ndocs > UINT64_MAX / 32 || s->size != 8 + 8 * (3 * ix->ndocs + 1))
        return BAD("byte %llu (section dco): not the offsets of %llu documents", (unsigned long long)s->off, (unsigned long long)ix->ndocs);
    ix->dco = d + 8;
    ix->dcb = need(o, "dcb", 8, &sb);
    if (!ix->dcb) return -1;
    ix->dcb += 8;
    ix->dcb_size = sb->size - 8;
    if (check_offsets(o, s, ix->dco, 3 * ix->ndocs, ix->dcb_size)) return -1;
    const unsigned char *f = need(o, "dcf", 8, &s);
    if (!f) return -1;
    if (s->size != 8 + 8 * ix->ndocs) return BAD("byte %llu (section dcf): not %llu documents", (unsigned long long)s->off, (unsigned long long)ix->ndocs);
    ix->dcf = f + 8;
    const unsigned char *r = need(o, "rcpt", 0, &s);
    if (!r) return -1;
    ix->rcpt = (const char *)r;
    ix->rcpt_size = s->size;
    return 0;
}

static ci_index *open_bytes(ci_index *ix, char *err, size_t errsize) {
    opener o = {ix, err, errsize};
    ix->c.ops = &ci_ops;
    if (parse_sections(&o) || parse_meta(&o)) goto fail;
    for (int k = 0; k < ix->nstructs; k++) {
        uint64_t nk = 0;
        while (ix->keys[k][nk]) nk++;
        if (open_struct(&o, k, ix->structs[k], nk)) goto fail;
    }
    if (check_struct(&o, 0)) goto fail;
    if (open_docs(&o)) goto fail;
    ix->c.nattrs = ix->nattrs;
    ix->c.nstructs = ix->nstructs;
    ix->c.attrs = ix->attrs;
    ix->c.structs = ix->structs;
    ix->c.keys = (const char *const *const *)ix->keys;
    return ix;
fail:
    ci_close(ix);
    return NULL;
}

ci_index *ci_open_mem(const void *p, size_t n, const char *name, char *err, size_t errsize) {
    ci_index *ix = calloc(1, sizeof *ix);
    if (!ix || !(ix->name = strdup(name ? name : "index"))) {
        free(ix);
        snprintf(err, errsize, "out of memory");
        return NULL;
    }
    ix->p = p;
    ix->size = n;
    return open_bytes(ix, err, errsize);
}

ci_index *ci_open(const char *path, char *err, size_t errsize) {
    char msg[PP_MSG_SIZE];
    int fd = pp_open(path, O_RDONLY | O_CLOEXEC, 0, msg, sizeof msg);
    if (fd < 0) {
        snprintf(err, errsize, "%s", msg);
        return NULL;
    }
    struct stat st;
    if (fstat(fd, &st) || !S_ISREG(st.st_mode)) {
        snprintf(err, errsize, "%s: not a regular file", path);
        close(fd);
        return NULL;
    }
    size_t n = (size_t)st.st_size;
    void *p = n ? mmap(NULL, n, PROT_READ, MAP_SHARED, fd, 0) : NULL;
    close(fd);
    if (n && p == MAP_FAILED) {
        snprintf(err, errsize, "%s: %s", path, strerror(errno));
        return NULL;
    }
    ci_index *ix = calloc(1, sizeof *ix);
    if (!ix || !(ix->name = strdup(path))) {
        free(ix);
        if (n) munmap(p, n);
        snprintf(err, errsize, "out of memory");
        return NULL;
    }
    ix->p = n ? p : (const unsigned char *)"";
    ix->size = n;
    ix->mapped = n > 0;
    return open_bytes(ix, err, errsize);
}

void ci_close(ci_index *ix) {
    if (!ix) return;
    if (ix->mapped) munmap((void *)ix->p, ix->size);
    if (ix->keys)
        for (int k = 0; k < 3; k++) free(ix->keys[k]);
    free(ix->keys);
    free(ix->attrs);
    free(ix->structs);
    free(ix->a);
    free(ix->s);
    free(ix->metatext);
    free(ix->input);
    free(ix->input_attr);
    free(ix->name);
    free(ix);
}

cp_corpus *ci_corpus(ci_index *ix) { return &ix->c; }
ci_index *ci_of_corpus(cp_corpus *c) { return c && c->ops == &ci_ops ? (ci_index *)c : NULL; }

int ci_verify(const ci_index *ix, char *err, size_t errsize) {
    for (size_t i = 0; i < ix->ns; i++) {
        const csect *s = &ix->s[i];
        if (ci_hash(ix->p + s->off, (size_t)s->size) != s->hash) {
            seterr(err, errsize, ix->name, "byte %llu (section %s): its checksum does not match (the file is damaged)",
                   (unsigned long long)s->off, s->name);
            return -1;
        }
    }
    return 0;
}

const char *ci_receipt(const ci_index *ix, size_t *len) {
    *len = (size_t)ix->rcpt_size;
    return ix->rcpt;
}

void ci_attr_sizes(const ci_index *ix, int a, uint64_t *lex, uint64_t *ids, uint64_t *post) {
    const ixattr *x = &ix->a[a];
    *lex = x->lxb_size + 8 * (x->n + 2);
    *ids = x->s_ids ? x->s_ids->size : 0;
    *post = x->s_psb ? x->s_psb->size + 8 * (2 * x->n + 2) : x->inv ? 8 * (x->n + 2 + ix->a[0].n + x->n) : 0;
}

/* ---- positional attributes ---- */
#define IX(self) ((ci_index *)(self))

static cp_id lex_size(const cp_corpus *self, int a) {
    if (a < 0 || a >= IX(self)->nattrs) return 0;
    return (cp_id)IX(self)->a[a].n;
}

static const char *lstr(const ixattr *x, uint64_t id, size_t *len) {
    uint64_t b = ci_rd64(x->lxo + 8 * id), e = ci_rd64(x->lxo + 8 * id + 8);
    *len = (size_t)(e - b);
    return (const char *)x->lxb + b;
}

static const char *lex_str(const cp_corpus *self, int a, cp_id id, size_t *len) {
    ci_index *ix = IX(self);
    if (a < 0 || a >= ix->nattrs || id < 0 || (uint64_t)id >= ix->a[a].n) {
        *len = 0;
        return NULL;
    }
    return lstr(&ix->a[a], (uint64_t)id, len);
}

static cp_id lex_find(const cp_corpus *self, int a, const char *s, size_t len) {
    ci_index *ix = IX(self);
    if (a < 0 || a >= ix->nattrs) return -1;
    const ixattr *x = &ix->a[a];
    uint64_t lo = 0, hi = x->n;
    while (lo < hi) {
        uint64_t mid = lo + (hi - lo) / 2;
        size_t ml;
        const char *m = lstr(x, mid, &ml);
        int r = memcmp(m, s, ml < len ? ml : len);
        if (r == 0) r = ml < len ? -1 : ml > len;
        if (r == 0) return (cp_id)mid;
        if (r < 0) lo = mid + 1;
        else hi = mid;
    }
    return -1;
}

static uint64_t lex_freq(const cp_corpus *self, int a, cp_id id) {
    ci_index *ix = IX(self);
    if (a < 0 || a >= ix->nattrs || id < 0 || (uint64_t)id >= ix->a[a].n) return 0;
    const ixattr *x = &ix->a[a];
    if (x->derived) return ci_rd64(x->invf + 8 * (uint64_t)id);
    return ci_rd64(x->pso + 8 * (x->n + 1 + (uint64_t)id));
}

static int postings(const cp_corpus *self, int a, cp_id id, cp_posvec *out);

/* Merges the ascending runs out[b[0]..b[1]), out[b[1]..b[2]), ... in place. */
static int merge_runs(cp_pos *v, size_t *b, size_t k) {
    size_t n = b[k] - b[0];
    cp_pos *tmp = malloc((n ? n : 1) * sizeof *tmp);
    if (!tmp) return CP_ENOMEM;
    while (k > 1) {
        size_t j = 0;
        for (size_t i = 0; i < k; i += 2) {
            if (i + 1 == k) {
                b[j++] = b[i];
                continue;
            }
            size_t x = b[i], xe = b[i + 1], y = b[i + 1], ye = b[i + 2], t = 0;
            while (x < xe && y < ye) tmp[t++] = v[x] <= v[y] ? v[x++] : v[y++];
            while (x < xe) tmp[t++] = v[x++];
            while (y < ye) tmp[t++] = v[y++];
            memcpy(v + b[i], tmp, t * sizeof *tmp);
            b[j++] = b[i];
        }
        b[j] = b[k];
        k = j;
    }
    free(tmp);
    return CP_OK;
}

/* A derived attribute's postings: its words' merged. */
static int derived_postings(const cp_corpus *self, const ixattr *x, cp_id id, cp_posvec *out) {
    uint64_t wb = ci_rd64(x->inv + 8 * (uint64_t)id), we = ci_rd64(x->inv + 8 * (uint64_t)id + 8);
    size_t k = (size_t)(we - wb), first = out->n;
    if (k == 1) return postings(self, 0, (cp_id)ci_rd64(x->invw + 8 * wb), out);
    size_t *b = malloc((k + 1) * sizeof *b);
    if (!b) return CP_ENOMEM;
    int rc = CP_OK;
    for (size_t i = 0; i < k && !rc; i++) {
        b[i] = out->n;
        rc = postings(self, 0, (cp_id)ci_rd64(x->invw + 8 * (wb + i)), out);
    }
    b[k] = out->n;
    if (!rc && k > 1) rc = merge_runs(out->v, b, k);
    free(b);
    if (rc) out->n = first;
    return rc;
}

static int postings(const cp_corpus *self, int a, cp_id id, cp_posvec *out) {
    ci_index *ix = IX(self);
    if (a < 0 || a >= ix->nattrs || id < 0 || (uint64_t)id >= ix->a[a].n) return CP_ERANGE;
    const ixattr *x = &ix->a[a];
    if (x->derived) return derived_postings(self, x, id, out);
    uint64_t b = ci_rd64(x->pso + 8 * (uint64_t)id), e = ci_rd64(x->pso + 8 * (uint64_t)id + 8);
    uint64_t f = ci_rd64(x->pso + 8 * (x->n + 1 + (uint64_t)id));
    if (out->cap - out->n < f) {
        size_t need = out->n + (size_t)f;
        size_t cap = out->cap ? out->cap : 256;
        while (cap < need) cap *= 2;
        cp_pos *g = realloc(out->v, cap * sizeof *g);
        if (!g) return CP_ENOMEM;
        out->v = g;
        out->cap = cap;
    }
    size_t at;
    if (b > e || ci_post_decode(x->psb + b, x->psb + e, f, (uint64_t)ix->c.size, out->v + out->n, &at))
        return eio(ix, x->s_psb, b + (b > e ? 0 : at), "damaged postings");
    out->n += (size_t)f;
    return CP_OK;
}

static int ids_raw(ci_index *ix, int a, cp_pos from, size_t n, cp_id *out) {
    const ixattr *x = &ix->a[a];
    for (size_t i = 0; i < n; i++) {
        uint64_t v = ci_unpack(x->ids, (uint64_t)from + i, x->w);
        if (v >= x->n) return eio(ix, x->s_ids, 16 + ((uint64_t)from + i) * x->w / 8, "an id past its lexicon");
        out[i] = (cp_id)v;
    }
    return CP_OK;
}

static int ids_at(const cp_corpus *self, int a, cp_pos from, size_t n, cp_id *out) {
    ci_index *ix = IX(self);
    if (a < 0 || a >= ix->nattrs || from < 0 || (uint64_t)from > (uint64_t)ix->c.size ||
        n > (uint64_t)ix->c.size - (uint64_t)from)
        return CP_ERANGE;
    const ixattr *x = &ix->a[a];
    if (!x->derived) return ids_raw(ix, a, from, n, out);
    int rc = ids_raw(ix, 0, from, n, out);
    if (rc) return rc;
    for (size_t i = 0; i < n; i++) {
        uint64_t v = ci_unpack(x->ids, (uint64_t)out[i], x->w);
        if (v >= x->n) return eio(ix, x->s_ids, 16 + (uint64_t)out[i] * x->w / 8, "an id past its lexicon");
        out[i] = (cp_id)v;
    }
    return CP_OK;
}

/* ---- structures ---- */
/* The count, which opening checked against the section's size; the regions
 * themselves are checked when first read (region, region_of), so that
 * asking how many sentences there are does not read them all. */
static int64_t regions(const cp_corpus *self, int s) {
    if (s < 0 || s >= IX(self)->nstructs) return 0;
    return (int64_t)IX(self)->st[s].n;
}

static int region(const cp_corpus *self, int s, int64_t k, cp_pos *start, cp_pos *end) {
    ci_index *ix = IX(self);
    if (s < 0 || s >= ix->nstructs || k < 0 || (uint64_t)k >= ix->st[s].n) return CP_ERANGE;
    if (!struct_ok(ix, s)) return CP_EIO;
    *start = (cp_pos)ci_rd64(ix->st[s].rgn + 16 * (uint64_t)k);
    *end = (cp_pos)ci_rd64(ix->st[s].rgn + 16 * (uint64_t)k + 8);
    return CP_OK;
}

/* The region of st holding pos, or -1 (a binary search: on damaged regions
 * an answer, never a read outside them). */
static int64_t find_region(const ixstruct *st, cp_pos pos) {
    uint64_t lo = 0, hi = st->n;   /* the first region starting after pos */
    while (lo < hi) {
        uint64_t mid = lo + (hi - lo) / 2;
        if (ci_rd64(st->rgn + 16 * mid) <= (uint64_t)pos) lo = mid + 1;
        else hi = mid;
    }
    if (lo == 0) return -1;
    uint64_t k = lo - 1;
    return (uint64_t)pos < ci_rd64(st->rgn + 16 * k + 8) ? (int64_t)k : -1;
}

static int64_t region_of(const cp_corpus *self, int s, cp_pos pos) {
    ci_index *ix = IX(self);
    if (s < 0 || s >= ix->nstructs || pos < 0 || !struct_ok(ix, s)) return -1;
    return find_region(&ix->st[s], pos);
}

static const char *value_at(const ixstruct *st, uint64_t k, uint64_t key, size_t *len) {
    uint64_t i = k * st->nk + key;
    uint64_t b = ci_rd64(st->vlo + 8 * i), e = ci_rd64(st->vlo + 8 * i + 8);
    *len = (size_t)(e - b);
    if (e == b) return NULL;
    return (const char *)st->vlb + b;
}

static const char *region_value(const cp_corpus *self, int s, int64_t k, const char *key, size_t klen, size_t *len) {
    ci_index *ix = IX(self);
    *len = 0;
    if (s < 0 || s >= ix->nstructs || k < 0 || (uint64_t)k >= ix->st[s].n || !struct_ok(ix, s)) return NULL;
    const ixstruct *st = &ix->st[s];
    for (uint64_t i = 0; i < st->nk; i++) {
        const char *nm = ix->keys[s][i];
        if (strlen(nm) == klen && !memcmp(nm, key, klen)) return value_at(st, (uint64_t)k, i, len);
    }
    return NULL;
}

static void ci_close_corpus(cp_corpus *self) { ci_close(IX(self)); }

static const cp_ops ci_ops = {lex_size, lex_str, lex_find, lex_freq, postings, ids_at,
                              regions, region, region_of, region_value, ci_close_corpus};

/* ---- documents ---- */
int64_t ci_docs(const ci_index *ix) { return (int64_t)ix->ndocs; }

static const char *dstr(const ci_index *ix, int64_t k, int f, size_t *len) {
    uint64_t i = 3 * (uint64_t)k + (uint64_t)f;
    uint64_t b = ci_rd64(ix->dco + 8 * i), e = ci_rd64(ix->dco + 8 * i + 8);
    *len = (size_t)(e - b);
    return (const char *)ix->dcb + b;
}

const char *ci_doc_path(const ci_index *ix, int64_t k, size_t *len) {
    const char *s = dstr(ix, k, 0, len);
    return *len ? s : NULL;
}
const char *ci_doc_title(const ci_index *ix, int64_t k, size_t *len) {
    const char *s = dstr(ix, k, 1, len);
    return *len ? s : NULL;
}
const char *ci_doc_tail(const ci_index *ix, int64_t k, size_t *len) { return dstr(ix, k, 2, len); }

int ci_attr_derived(const ci_index *ix, int a) { return a >= 0 && a < ix->nattrs && ix->a[a].derived; }

size_t ci_input(const ci_index *ix, const char *const **names, size_t *form) {
    *names = ix->input;
    *form = ix->form;
    return ix->annotated ? ix->ninput : 0;
}

cp_id ci_gap_size(const ci_index *ix) { return (cp_id)ix->a[ix->nattrs].n; }

int ci_gap_ids(ci_index *ix, cp_pos from, size_t n, cp_id *out) {
    if (from < 0 || (uint64_t)from > (uint64_t)ix->c.size || n > (uint64_t)ix->c.size - (uint64_t)from) return CP_ERANGE;
    return ids_raw(ix, ix->nattrs, from, n, out);
}

const char *ci_gap_str(const ci_index *ix, cp_id id, size_t *len) {
    if (id < 0 || (uint64_t)id >= ix->a[ix->nattrs].n) {
        *len = 0;
        return NULL;
    }
    return lstr(&ix->a[ix->nattrs], (uint64_t)id, len);
}

int ci_doc_annotated(const ci_index *ix, int64_t k) { return (int)(ci_rd64(ix->dcf + 8 * (uint64_t)k) & 1); }
uint64_t ci_doc_bytes(const ci_index *ix, int64_t k) { return ci_rd64(ix->dcf + 8 * (uint64_t)k) >> 1; }
int ci_doc_meta_type(const ci_index *ix, int64_t k, size_t key) {
    unsigned char t = ix->st[0].vty[(uint64_t)k * ix->st[0].nk + key];
    return t == 255 ? -1 : t;
}

int64_t ci_doc_find(const ci_index *ix, const char *id, size_t len) {
    for (uint64_t k = 0; k < ix->ndocs; k++) {
        size_t l;
        const char *s = value_at(&ix->st[0], k, 0, &l);
        if (l == len && (len == 0 || !memcmp(s, id, len))) return (int64_t)k;
    }
    return -1;
}

/* Appends the words and gaps of [b, e) to out; with spans, each token's bytes. */
static int rebuild(ci_index *ix, uint64_t b, uint64_t e, cr_buf *out, size_t *span) {
    enum { CHUNK = 1024 };
    cp_id w[CHUNK], g[CHUNK];
    size_t base = out->len;
    for (uint64_t p = b; p < e;) {
        size_t n = e - p < CHUNK ? (size_t)(e - p) : CHUNK;
        int rc = ids_raw(ix, 0, (cp_pos)p, n, w);
        if (!rc) rc = ids_raw(ix, ix->nattrs, (cp_pos)p, n, g);
        if (rc) return rc;
        for (size_t i = 0; i < n; i++) {
            size_t gl, wl, k = (size_t)(p - b + i);
            const char *gs = lstr(&ix->a[ix->nattrs], (uint64_t)g[i], &gl);
            const char *ws = lstr(&ix->a[0], (uint64_t)w[i], &wl);
            /* the gap's layout: cindex_build.c's gap_string */
            int kind = gl ? (unsigned char)gs[0] : -1;
            if (kind == 1 && gl >= 5) {
                size_t pn = ci_rd32((const unsigned char *)gs + 1);
                if (pn > gl - 5) kind = -1;
                else {
                    cr_buf_add(out, gs + 5, pn);
                    ws = gs + 5 + pn;
                    wl = gl - 5 - pn;
                }
            } else if (kind == 0) {
                cr_buf_add(out, gs + 1, gl - 1);
            } else if (kind == 2 && gl == 1 && k > 0) {
                if (span) span[2 * k] = span[2 * k - 2], span[2 * k + 1] = span[2 * k - 1];
                continue;
            } else {
                kind = -1;
            }
            if (kind < 0) return eio(ix, ix->a[ix->nattrs].s_ids, 0, "a token's whitespace is damaged");
            if (span) span[2 * k] = out->len - base;
            cr_buf_add(out, ws, wl);
            if (span) span[2 * k + 1] = out->len - base;
        }
        p += n;
    }
    return out->failed ? CP_ENOMEM : CP_OK;
}

int ci_doc_text(ci_index *ix, int64_t k, cr_buf *out) {
    cp_pos b, e;
    if (region(&ix->c, 0, k, &b, &e)) return CP_ERANGE;
    int rc = rebuild(ix, (uint64_t)b, (uint64_t)e, out, NULL);
    if (rc) return rc;
    size_t tl;
    const char *t = dstr(ix, k, 2, &tl);
    return cr_buf_add(out, t, tl) ? CP_ENOMEM : CP_OK;
}

int ci_doc_tokens(ci_index *ix, int64_t k, ld_tokens *t) {
    memset(t, 0, sizeof *t);
    cp_pos b, e;
    if (!ix->annotated || region(&ix->c, 0, k, &b, &e)) return CP_ERANGE;
    /* the sentences are checked as they are read (sentences_of), not all of
     * them at the first document (1 M regions, 16 MB, for Brown x17) */
    if (ix->st[1].state < 0 && !struct_ok(ix, 1)) return CP_EIO;
    size_t n = (size_t)(e - b), na = ix->ninput;
    t->n = t->cap = n;
    t->nattr = na;
    t->off = malloc((n * na + 1) * sizeof *t->off);
    t->span = malloc((2 * n + 1) * sizeof *t->span);
    cp_id *ids = malloc((n + 1) * sizeof *ids);
    int rc = CP_ENOMEM;
    if (!t->off || !t->span || !ids) goto done;
    for (size_t i = 0; i < na; i++) cr_buf_add(&t->names, ix->input[i], strlen(ix->input[i]) + 1);
    cr_buf text;
    cr_buf_init(&text);
    rc = rebuild(ix, (uint64_t)b, (uint64_t)e, &text, t->span);
    cr_buf_free(&text);
    if (rc) goto done;
    /* values, attribute by attribute, then laid out token-major */
    size_t *lenv = malloc((n * na + 1) * sizeof *lenv);
    const char **strv = malloc((n * na + 1) * sizeof *strv);
    if (!lenv || !strv) {
        free(lenv);
        free(strv);
        rc = CP_ENOMEM;
        goto done;
    }
    for (size_t a = 0; a < na && !rc; a++) {
        int ia = ix->input_attr[a];
        rc = ids_raw(ix, ia, b, n, ids);
        for (size_t i = 0; i < n && !rc; i++) strv[i * na + a] = lstr(&ix->a[ia], (uint64_t)ids[i], &lenv[i * na + a]);
    }
    for (size_t j = 0; j < n * na && !rc; j++) {
        t->off[j] = t->vals.len;
        cr_buf_add(&t->vals, strv[j], lenv[j]);
        cr_buf_addc(&t->vals, '\0');
    }
    free(lenv);
    free(strv);
    if (rc) goto done;
    /* sentences inside the document, each checked as it is read: after the
     * one before, not past the corpus, its values inside their section */
    const ixstruct *st = &ix->st[1];
    int64_t s0 = n ? find_region(st, b) : -1;
    if (s0 >= 0) {
        size_t cap = 0;
        uint64_t prev = s0 > 0 ? ci_rd64(st->rgn + 16 * (uint64_t)(s0 - 1) + 8) : 0;
        for (uint64_t s = (uint64_t)s0; s < st->n; s++) {
            uint64_t sb = ci_rd64(st->rgn + 16 * s), se = ci_rd64(st->rgn + 16 * s + 8);
            if (sb >= (uint64_t)e) break;
            if (sb < prev || se < sb || se > (uint64_t)ix->c.size) {
                rc = eio(ix, st->s_rgn, 8 + 16 * s, "a sentence out of order");
                goto done;
            }
            prev = se;
            for (uint64_t key = 0; st->nk && key < 2; key++) {   /* the two values read below */
                uint64_t i = s * st->nk + key;
                if (i >= st->n * st->nk || ci_rd64(st->vlo + 8 * i) > ci_rd64(st->vlo + 8 * i + 8) ||
                    ci_rd64(st->vlo + 8 * i + 8) > st->vlb_size) {
                    rc = eio(ix, st->s_vlo, 16 + 8 * i, "a sentence's value out of its section");
                    goto done;
                }
            }
            size_t *g = cr_grow(t->sent, &cap, 3 * (t->nsent + 1), sizeof *g, 48);
            if (!g) {
                rc = CP_ENOMEM;
                goto done;
            }
            t->sent = g;
            size_t il = 0, tl = 0;
            const char *id = st->nk ? value_at(st, s, 0, &il) : NULL;
            const char *tx = st->nk ? value_at(st, s, 1, &tl) : NULL;
            t->sent[3 * t->nsent] = (size_t)(sb - (uint64_t)b);
            t->sent[3 * t->nsent + 1] = t->sinfo.len;
            cr_buf_add(&t->sinfo, id ? id : "", il);
            cr_buf_addc(&t->sinfo, '\0');
            t->sent[3 * t->nsent + 2] = t->sinfo.len;
            cr_buf_add(&t->sinfo, tx ? tx : "", tl);
            cr_buf_addc(&t->sinfo, '\0');
            t->nsent++;
        }
        t->scap = cap / 3;
    }
    if (!t->sent) t->sent = malloc(sizeof *t->sent);
    rc = t->names.failed || t->vals.failed || t->sinfo.failed || !t->sent ? CP_ENOMEM : CP_OK;
done:
    free(ids);
    if (rc) ld_tokens_free(t);
    return rc;
}
