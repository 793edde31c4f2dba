/* qhits.c — sorting, counting and collocates over a query's hits (qhits.h). */
#include "qhits.h"

#include <stdlib.h>
#include <string.h>

#include "grow.h"

int qh_parse_at(const char *s, qh_at *at) {
    at->n = 0;
    if (strcmp(s, "match") == 0 || strcmp(s, "C") == 0) at->kind = QH_MATCH;
    else if (strcmp(s, "target") == 0) at->kind = QH_TARGET;
    else if (strcmp(s, "start") == 0) at->kind = QH_START;
    else if (strcmp(s, "end") == 0) at->kind = QH_END;
    else if ((s[0] == 'L' || s[0] == 'R') && s[1] >= '1' && s[1] <= '9') {
        long n = 0;
        for (const char *p = s + 1; *p; p++) {
            if (*p < '0' || *p > '9' || n > 1000) return -1;
            n = n * 10 + (*p - '0');
        }
        if (n > 1000) return -1;
        at->kind = s[0] == 'L' ? QH_LEFT : QH_RIGHT;
        at->n = n;
    } else {
        return -1;
    }
    return 0;
}

/* The document of each hit, as [ds, de). */
static int docs_of(const cp_corpus *c, const cqp_hits *h, cp_pos **ds, cp_pos **de) {
    int t = cp_struct(c, "text");
    *ds = malloc((h->n ? h->n : 1) * sizeof **ds);
    *de = malloc((h->n ? h->n : 1) * sizeof **de);
    if (!*ds || !*de) return CP_ENOMEM;
    for (size_t i = 0; i < h->n; i++) {
        int64_t k = t < 0 ? -1 : c->ops->region_of(c, t, h->start[i]);
        if (k < 0 || c->ops->region(c, t, k, &(*ds)[i], &(*de)[i]) != CP_OK) {
            (*ds)[i] = 0;
            (*de)[i] = c->size;
        }
    }
    return CP_OK;
}

/* The single position at looks at for hit i, or -1. */
static cp_pos pos_of(const cqp_hits *h, size_t i, qh_at at, cp_pos ds, cp_pos de) {
    cp_pos p;
    switch (at.kind) {
    case QH_TARGET: p = h->target[i]; break;
    case QH_START: p = h->start[i]; break;
    case QH_END: p = h->end[i]; break;
    case QH_LEFT: p = h->start[i] - at.n; break;
    case QH_RIGHT: p = h->end[i] + at.n; break;
    default: return -1;
    }
    return p >= ds && p < de ? p : -1;
}

/* Keys of one level: one id per hit, or (the match) each hit's ids. */
typedef struct keys {
    int match;
    cp_id *id;         /* per hit, or the match's ids back to back */
    size_t *off;       /* match: hit i's ids are id[off[i] .. off[i+1]) */
} keys;

static void keys_free(keys *k) {
    free(k->id);
    free(k->off);
}

static int keys_make(const cp_corpus *c, const cqp_hits *h, int attr, qh_at at, const cp_pos *ds, const cp_pos *de,
                     keys *k) {
    memset(k, 0, sizeof *k);
    size_t n = h->n ? h->n : 1;
    if (at.kind != QH_MATCH) {
        if (!(k->id = malloc(n * sizeof *k->id))) return CP_ENOMEM;
        for (size_t i = 0; i < h->n; i++) {
            cp_pos p = pos_of(h, i, at, ds[i], de[i]);
            k->id[i] = -1;
            if (p >= 0 && c->ops->ids_at(c, attr, p, 1, &k->id[i]) != CP_OK) return CP_EIO;
        }
        return CP_OK;
    }
    k->match = 1;
    if (!(k->off = malloc((n + 1) * sizeof *k->off))) return CP_ENOMEM;
    size_t total = 0;
    for (size_t i = 0; i < h->n; i++) {
        k->off[i] = total;
        total += (size_t)(h->end[i] - h->start[i] + 1);
    }
    k->off[h->n] = total;
    if (!(k->id = malloc((total ? total : 1) * sizeof *k->id))) return CP_ENOMEM;
    for (size_t i = 0; i < h->n; i++)
        if (c->ops->ids_at(c, attr, h->start[i], k->off[i + 1] - k->off[i], k->id + k->off[i]) != CP_OK) return CP_EIO;
    return CP_OK;
}

static int keys_cmp(const keys *k, size_t a, size_t b) {
    if (!k->match) return k->id[a] < k->id[b] ? -1 : k->id[a] > k->id[b];
    size_t na = k->off[a + 1] - k->off[a], nb = k->off[b + 1] - k->off[b];
    const cp_id *x = k->id + k->off[a], *y = k->id + k->off[b];
    for (size_t i = 0; i < na && i < nb; i++)
        if (x[i] != y[i]) return x[i] < y[i] ? -1 : 1;
    return na < nb ? -1 : na > nb;
}

typedef int (*cmp_fn)(const void *ctx, size_t a, size_t b);

/* A stable merge sort of idx[0..n) by cmp. */
static int msort(size_t *idx, size_t n, cmp_fn cmp, const void *ctx) {
    size_t *tmp = malloc((n ? n : 1) * sizeof *tmp);
    if (!tmp) return CP_ENOMEM;
    for (size_t w = 1; w < n; w *= 2) {
        for (size_t lo = 0; lo < n; lo += 2 * w) {
            size_t mid = lo + w < n ? lo + w : n, hi = lo + 2 * w < n ? lo + 2 * w : n;
            size_t a = lo, b = mid, o = lo;
            while (a < mid && b < hi) tmp[o++] = cmp(ctx, idx[b], idx[a]) < 0 ? idx[b++] : idx[a++];
            while (a < mid) tmp[o++] = idx[a++];
            while (b < hi) tmp[o++] = idx[b++];
        }
        memcpy(idx, tmp, n * sizeof *idx);
        if (w > n / 2) break;
    }
    free(tmp);
    return CP_OK;
}

typedef struct sort_ctx {
    const keys *k;
    size_t n;
} sort_ctx;

static int levels_cmp(const void *ctx, size_t a, size_t b) {
    const sort_ctx *s = ctx;
    for (size_t l = 0; l < s->n; l++) {
        int r = keys_cmp(&s->k[l], a, b);
        if (r) return r;
    }
    return 0;
}

int qh_sort(const cp_corpus *c, const cqp_hits *h, const int *attrs, const qh_at *levels, size_t nlevels,
            size_t *perm) {
    for (size_t i = 0; i < h->n; i++) perm[i] = i;
    if (!nlevels || h->n < 2) return CP_OK;
    cp_pos *ds = NULL, *de = NULL;
    keys *k = calloc(nlevels, sizeof *k);
    int rc = k ? docs_of(c, h, &ds, &de) : CP_ENOMEM;
    for (size_t l = 0; rc == CP_OK && l < nlevels; l++) rc = keys_make(c, h, attrs[l], levels[l], ds, de, &k[l]);
    if (rc == CP_OK) {
        sort_ctx s = {k, nlevels};
        rc = msort(perm, h->n, levels_cmp, &s);
    }
    if (k)
        for (size_t l = 0; l < nlevels; l++) keys_free(&k[l]);
    free(k);
    free(ds);
    free(de);
    return rc;
}

static int key_cmp1(const void *ctx, size_t a, size_t b) { return keys_cmp(ctx, a, b); }

typedef struct group_ctx {
    const keys *k;
    const qh_group *g;
} group_ctx;

static int group_cmp(const void *ctx, size_t a, size_t b) {
    const group_ctx *s = ctx;
    if (s->g[a].count != s->g[b].count) return s->g[a].count > s->g[b].count ? -1 : 1;
    return keys_cmp(s->k, s->g[a].first, s->g[b].first);
}

int qh_count(const cp_corpus *c, const cqp_hits *h, int attr, qh_at at, qh_group **groups, size_t *ngroups) {
    *groups = NULL;
    *ngroups = 0;
    cp_pos *ds = NULL, *de = NULL;
    keys k;
    memset(&k, 0, sizeof k);
    size_t *idx = malloc((h->n ? h->n : 1) * sizeof *idx);
    qh_group *g = malloc((h->n ? h->n : 1) * sizeof *g);
    size_t *order = NULL;
    qh_group *sorted = NULL;
    int rc = idx && g ? docs_of(c, h, &ds, &de) : CP_ENOMEM;
    if (rc == CP_OK) rc = keys_make(c, h, attr, at, ds, de, &k);
    size_t n = 0;
    if (rc == CP_OK) {
        for (size_t i = 0; i < h->n; i++) idx[i] = i;
        rc = msort(idx, h->n, key_cmp1, &k);
    }
    if (rc == CP_OK) {
        for (size_t i = 0; i < h->n; i++) {
            size_t x = idx[i];
            if (!k.match && k.id[x] < 0) continue;
            if (n && keys_cmp(&k, g[n - 1].first, x) == 0) g[n - 1].count++;
            else g[n++] = (qh_group){x, 1};
        }
        /* by size, then by value; the first hit of a group is its earliest */
        order = malloc((n ? n : 1) * sizeof *order);
        sorted = malloc((n ? n : 1) * sizeof *sorted);
        if (!order || !sorted) rc = CP_ENOMEM;
    }
    if (rc == CP_OK) {
        for (size_t i = 0; i < n; i++) order[i] = i;
        group_ctx s = {&k, g};
        rc = msort(order, n, group_cmp, &s);
    }
    if (rc == CP_OK) {
        for (size_t i = 0; i < n; i++) sorted[i] = g[order[i]];
        *groups = sorted;
        *ngroups = n;
        sorted = NULL;
    }
    free(sorted);
    free(order);
    free(idx);
    free(g);
    keys_free(&k);
    free(ds);
    free(de);
    return rc;
}

int qh_colloc(const cp_corpus *c, const cqp_hits *h, int attr, long left, long right, uint64_t **counts,
              uint64_t *positions) {
    cp_id nlex = c->ops->lex_size(c, attr);
    *positions = 0;
    *counts = calloc((size_t)(nlex ? nlex : 1), sizeof **counts);
    cp_pos *ds = NULL, *de = NULL;
    cp_id *buf = malloc(((size_t)(left > right ? left : right) + 1) * sizeof *buf);
    int rc = *counts && buf ? docs_of(c, h, &ds, &de) : CP_ENOMEM;
    for (size_t i = 0; rc == CP_OK && i < h->n; i++) {
        cp_pos spans[2][2] = {{h->start[i] - left, h->start[i]}, {h->end[i] + 1, h->end[i] + 1 + right}};
        for (int s = 0; rc == CP_OK && s < 2; s++) {
            cp_pos a = spans[s][0] < ds[i] ? ds[i] : spans[s][0];
            cp_pos b = spans[s][1] > de[i] ? de[i] : spans[s][1];
            if (a >= b) continue;
            if (c->ops->ids_at(c, attr, a, (size_t)(b - a), buf) != CP_OK) {
                rc = CP_EIO;
                break;
            }
            for (cp_pos p = 0; p < b - a; p++)
                if (buf[p] >= 0 && buf[p] < nlex) (*counts)[buf[p]]++;
            *positions += (uint64_t)(b - a);
        }
    }
    free(buf);
    free(ds);
    free(de);
    if (rc != CP_OK) {
        free(*counts);
        *counts = NULL;
    }
    return rc;
}

int qh_regions(const cp_corpus *c, const cqp_hits *h, int s, int64_t *out) {
    for (size_t i = 0; i < h->n; i++) out[i] = c->ops->region_of(c, s, h->start[i]);
    return CP_OK;
}

int qh_region_sums(const cp_corpus *c, int attr, const cp_id *ids, const int64_t *weights, size_t n, int s,
                   int64_t *out) {
    cp_posvec v = {0};
    int rc = CP_OK;
    int64_t nreg = c->ops->regions(c, s);
    for (size_t i = 0; i < n && rc == CP_OK; i++) {
        if (weights[i] == 0) continue;
        v.n = 0;
        rc = c->ops->postings(c, attr, ids[i], &v);
        /* postings ascend: the region found stays until a position passes its end */
        cp_pos rs = 0, re = 0;
        int64_t k = -1;
        for (size_t j = 0; j < v.n && rc == CP_OK; j++) {
            cp_pos p = v.v[j];
            if (k < 0 || p < rs || p >= re) {
                k = c->ops->region_of(c, s, p);
                if (k < 0 || k >= nreg) { k = -1; continue; }
                if (c->ops->region(c, s, k, &rs, &re) != CP_OK) rc = CP_EIO;
            }
            if (rc == CP_OK) out[k] += weights[i];
        }
    }
    cp_posvec_free(&v);
    return rc;
}

static int hit_cmp(const cqp_hits *a, size_t i, const cqp_hits *b, size_t j) {
    if (a->start[i] != b->start[j]) return a->start[i] < b->start[j] ? -1 : 1;
    return a->end[i] < b->end[j] ? -1 : a->end[i] > b->end[j];
}

int qh_setop(const cqp_hits *a, const cqp_hits *b, int op, cqp_hits *out) {
    size_t i = 0, j = 0;
    while (i < a->n || j < b->n) {
        int r = i >= a->n ? 1 : j >= b->n ? -1 : hit_cmp(a, i, b, j);
        int rc = 0;
        if (r < 0) {
            if (op != QH_AND) rc = cqp_hits_push(out, a->start[i], a->end[i], a->target[i]);
            i++;
        } else if (r > 0) {
            if (op == QH_OR) rc = cqp_hits_push(out, b->start[j], b->end[j], b->target[j]);
            j++;
        } else {
            if (op != QH_MINUS) rc = cqp_hits_push(out, a->start[i], a->end[i], a->target[i]);
            i++;
            j++;
        }
        if (rc) return -1;
    }
    return 0;
}

int qh_join(const cp_corpus *c, int attr, cp_pos from, cp_pos to, const char *sep, cr_buf *out) {
    if (from < 0) from = 0;
    if (to > c->size) to = c->size;
    cp_id ids[64];
    for (cp_pos p = from; p < to; p += 64) {
        size_t n = to - p < 64 ? (size_t)(to - p) : 64;
        if (c->ops->ids_at(c, attr, p, n, ids) != CP_OK) return CP_EIO;
        for (size_t i = 0; i < n; i++) {
            size_t len;
            const char *s = c->ops->lex_str(c, attr, ids[i], &len);
            if (p + (cp_pos)i > from) cr_buf_adds(out, sep);
            cr_buf_add(out, s ? s : "", s ? len : 0);
        }
    }
    return out->failed ? CP_ENOMEM : CP_OK;
}
