/* countattr.c — an attribute of annotated tokens counted in C (countattr.h). */
#include "countattr.h"

#include "grow.h"

#include <stdlib.h>
#include <string.h>

/* The column of an attribute; "word" and "form" (the token as written) name
 * the same one when t has only one of them. */
static long attr_col(const ld_tokens *t, const char *name, size_t len) {
    long a = ld_tokens_attr(t, name, len);
    if (a >= 0 || len != 4) return a;
    if (memcmp(name, "word", 4) == 0) return ld_tokens_attr(t, "form", 4);
    if (memcmp(name, "form", 4) == 0) return ld_tokens_attr(t, "word", 4);
    return a;
}

int cr_attr_columns(const ld_tokens *t, const char *spec, size_t len, size_t cols[2], size_t *missing) {
    const char *slash = memchr(spec, '/', len);
    size_t n1 = slash ? (size_t)(slash - spec) : len;
    if (n1 == 0 || (slash && (n1 + 1 == len || memchr(slash + 1, '/', len - n1 - 1)))) return 0;
    long a = attr_col(t, spec, n1);
    if (a < 0) {
        *missing = 0;
        return -1;
    }
    cols[0] = (size_t)a;
    if (!slash) return 1;
    long b = attr_col(t, slash + 1, len - n1 - 1);
    if (b < 0) {
        *missing = n1 + 1;
        return -1;
    }
    cols[1] = (size_t)b;
    return 2;
}

int cr_where_resolve(const ld_tokens *t, const char *w, size_t len, cr_where *out, const char **name,
                     size_t *nlen) {
    out->n = 0;
    size_t i = 0;
    while (i < len) {
        const char *end = memchr(w + i, CR_WHERE_END, len - i);
        const char *sep = memchr(w + i, CR_WHERE_SEP, len - i);
        if (!end || !sep || sep > end || out->n == CR_WHERE_MAX) return -1;
        long col = attr_col(t, w + i, (size_t)(sep - (w + i)));
        if (col < 0) {
            *name = w + i;
            *nlen = (size_t)(sep - (w + i));
            return 1;
        }
        out->col[out->n] = (size_t)col;
        out->vals[out->n] = sep + 1;
        out->end[out->n] = end;
        out->n++;
        i = (size_t)(end - w) + 1;
    }
    return 0;
}

int cr_where_check(const char *w, size_t len) {
    size_t i = 0, n = 0;
    while (i < len) {
        const char *end = memchr(w + i, CR_WHERE_END, len - i);
        const char *sep = memchr(w + i, CR_WHERE_SEP, len - i);
        if (!end || !sep || sep >= end || sep == w + i || ++n > CR_WHERE_MAX) return -1;
        i = (size_t)(end - w) + 1;
    }
    return n ? 0 : -1;
}

/* Whether token i meets every condition of w. */
static int where_ok(const ld_tokens *t, size_t i, const cr_where *w) {
    for (size_t k = 0; k < w->n; k++) {
        size_t len;
        const char *v = ld_tokens_val(t, i, w->col[k], &len);
        const char *p = w->vals[k];
        int hit = 0;
        while (p < w->end[k] && !hit) {
            const char *e = memchr(p, CR_WHERE_SEP, (size_t)(w->end[k] - p));
            if (!e) e = w->end[k];
            hit = (size_t)(e - p) == len && memcmp(p, v, len) == 0;
            p = e + 1;
        }
        if (!hit) return 0;
    }
    return 1;
}

/* Value of column col of token i, normalised at level (into s->norm). */
static int value(const ld_tokens *t, size_t i, size_t col, cr_norm_level level, cr_textscratch *s,
                 const char **v, size_t *len) {
    *v = ld_tokens_val(t, i, col, len);
    if (level == CR_NORM_RAW) return CR_OK;
    if (cr_normalize(&s->norm, *v, *len, level) < 0) return CR_ENOMEM;
    *v = s->norm.data;
    *len = s->norm.len;
    return CR_OK;
}

/* The key of token i; *klen 0 when a part is empty (not counted). */
static int token_key(const ld_tokens *t, size_t i, const size_t *cols, size_t ncols, cr_norm_level level,
                     cr_textscratch *s, cr_buf *join, const char **key, size_t *klen) {
    int e = value(t, i, cols[0], level, s, key, klen);
    if (e || ncols == 1 || *klen == 0) return e;
    cr_buf_reset(join);
    cr_buf_add(join, *key, *klen);
    cr_buf_addc(join, '/');
    const char *v;
    size_t len;
    if ((e = value(t, i, cols[1], level, s, &v, &len))) return e;
    cr_buf_add(join, v, len);
    if (join->failed) return CR_ENOMEM;
    *key = join->data;
    *klen = len ? join->len : 0;
    return CR_OK;
}

static int cmp_u32(const void *a, const void *b) {
    uint32_t x = *(const uint32_t *)a, y = *(const uint32_t *)b;
    return x < y ? -1 : x > y;
}

int cr_freq_add_attr(cr_counter *c, const ld_tokens *t, const size_t *cols, size_t ncols, cr_norm_level level,
                     int df, const cr_where *where, cr_textscratch *s, cr_buf *join) {
    s->nids = 0;
    for (size_t i = 0; i < t->n; i++) {
        if (where && where->n && !where_ok(t, i, where)) continue;
        const char *key;
        size_t klen;
        int e = token_key(t, i, cols, ncols, level, s, join, &key, &klen);
        if (e) return e;
        if (klen == 0) continue;
        if (!df) {
            if ((e = cr_counter_add(c, key, klen, 1))) return e;
            continue;
        }
        int64_t id = cr_counter_intern(c, key, klen);
        if (id < 0) return (int)id;
        if (s->nids == s->capids) {
            uint32_t *p = cr_grow(s->ids, &s->capids, s->nids + 1, sizeof *p, 1024);
            if (!p) return CR_ENOMEM;
            s->ids = p;
        }
        s->ids[s->nids++] = (uint32_t)id;
    }
    if (!df) return CR_OK;
    qsort(s->ids, s->nids, sizeof *s->ids, cmp_u32);
    for (size_t i = 0; i < s->nids; i++) {
        if (i && s->ids[i] == s->ids[i - 1]) continue;
        cr_centry *x = &c->entries[s->ids[i]];
        if (__builtin_add_overflow(x->count, 1, &x->count)) return CR_EOVERFLOW;
    }
    s->nids = 0;
    if (__builtin_add_overflow(c->total, 1, &c->total)) return CR_EOVERFLOW;
    return CR_OK;
}

static int push_seg_id(cr_textscratch *s, uint32_t id) {
    if (s->nids == s->capids) {
        uint32_t *p = cr_grow(s->ids, &s->capids, s->nids + 1, sizeof *p, 1024);
        if (!p) return CR_ENOMEM;
        s->ids = p;
    }
    s->ids[s->nids++] = id;
    return CR_OK;
}

int cr_attr_segments(cr_counter *vocab, const ld_tokens *t, const size_t *cols, size_t ncols, cr_norm_level level,
                     int sentences, const cr_where *where, const cr_counter *words, cr_textscratch *s, cr_buf *join, cr_segment_fn fn, void *ud) {
    size_t k = 0;   /* the next sentence to start */
    int e;
    s->nids = 0;
    for (size_t i = 0; i < t->n; i++) {
        if (sentences) {
            int starts = 0;
            while (k < t->nsent && t->sent[3 * k] <= i) starts |= t->sent[3 * k++] == i;
            if (starts && s->nids) {
                e = fn(ud, s->ids, s->nids);
                s->nids = 0;
                if (e) return e;
            }
        }
        if (where && where->n && !where_ok(t, i, where)) continue;
        const char *key;
        size_t klen;
        if ((e = token_key(t, i, cols, ncols, level, s, join, &key, &klen))) return e;
        if (klen == 0) continue;
        if (words && ncols == 2) {   /* the first value's length: before the last '/' */
            size_t k = klen;
            while (k > 0 && key[k - 1] != '/') k--;
            if (k > 1 && cr_counter_find(words, key, k - 1) >= 0) klen = k - 1;
        }
        int64_t id = cr_counter_intern(vocab, key, klen);
        if (id < 0) return (int)id;
        if ((e = push_seg_id(s, (uint32_t)id))) return e;
    }
    e = s->nids ? fn(ud, s->ids, s->nids) : CR_OK;
    s->nids = 0;
    return e;
}
