/* corpusplan.c — the fingerprint, the sample and the shards of a corpus. */
#include "corpusplan.h"

#include <stdlib.h>
#include <string.h>

#include "counter.h"
#include "grow.h"

/* splitmix64's finaliser. */
static uint64_t mix64(uint64_t x) {
    x ^= x >> 30;
    x *= 0xbf58476d1ce4e5b9ull;
    x ^= x >> 27;
    x *= 0x94d049bb133111ebull;
    return x ^ (x >> 31);
}

static uint64_t load64le(const unsigned char *s) {
    return (uint64_t)s[0] | (uint64_t)s[1] << 8 | (uint64_t)s[2] << 16 | (uint64_t)s[3] << 24
           | (uint64_t)s[4] << 32 | (uint64_t)s[5] << 40 | (uint64_t)s[6] << 48 | (uint64_t)s[7] << 56;
}

uint64_t cr_plan_hash(uint64_t h, const void *p, size_t n) {
    const unsigned char *s = p;
    size_t i = 0;
    for (; i + 8 <= n; i += 8) {
        h = (h ^ load64le(s + i)) * 0x100000001b3ull;
        h ^= h >> 29;
    }
    for (; i < n; i++) h = (h ^ s[i]) * 0x100000001b3ull;
    return mix64(h ^ (uint64_t)n);
}

/* ---- fingerprint ------------------------------------------------------------ */

void cr_fingerprint_init(cr_fingerprint *f) {
    f->a = 0x84222325cbf29ce4ull;
    f->b = 0x1b3ull;
    f->n = 0;
}

void cr_fingerprint_add(cr_fingerprint *f, const char *id, size_t id_len, const char *text,
                        size_t text_len) {
    uint64_t h = cr_plan_hash(0x9e3779b97f4a7c15ull, id ? id : "", id ? id_len : 0);
    h = cr_plan_hash(h, text ? text : "", text ? text_len : 0);
    f->a = mix64(f->a ^ h) + f->n;
    f->b = f->b * 0x100000001b3ull + mix64(h + 0x632be59bd9b4e019ull);
    f->n++;
}

void cr_fingerprint_hex(const cr_fingerprint *f, char hex[33]) {
    uint64_t x[2] = { mix64(f->a ^ f->n), mix64(f->b + f->n) };
    static const char digits[] = "0123456789abcdef";
    for (int w = 0; w < 2; w++)
        for (int i = 0; i < 16; i++) hex[w * 16 + i] = digits[(x[w] >> (60 - 4 * i)) & 15];
    hex[32] = 0;
}

/* ---- sample ---------------------------------------------------------------------- */

uint64_t cr_sample_key(int64_t seed, const char *id, size_t id_len) {
    return cr_plan_hash(mix64((uint64_t)seed), id ? id : "", id ? id_len : 0);
}

static int cmp_sample(const void *a, const void *b) {
    const cr_sample_item *x = a, *y = b;
    if (x->key != y->key) return x->key < y->key ? -1 : 1;
    return x->pos < y->pos ? -1 : x->pos > y->pos;
}

void cr_sample_order(cr_sample_item *items, size_t n) {
    if (n > 1) qsort(items, n, sizeof *items, cmp_sample);
}

/* ---- shards ------------------------------------------------------------------------ */

int cr_shardplan_add(cr_shardplan *p, uint64_t bytes) {
    if (p->n == p->cap) {
        uint64_t *w = cr_grow(p->w, &p->cap, p->n + 1, sizeof *w, 1024);
        if (!w) return CR_ENOMEM;
        p->w = w;
    }
    uint64_t w = bytes < UINT64_MAX ? bytes + 1 : UINT64_MAX;
    p->w[p->n++] = w;
    p->total = p->total > UINT64_MAX - w ? UINT64_MAX : p->total + w;
    return CR_OK;
}

/* a * b / c for a < c, b <= c, without overflow, and *rem = a * b mod c:
 * the 128-bit product by 32-bit halves, then long division one bit at a
 * time. */
static uint64_t mul_div(uint64_t a, uint64_t b, uint64_t c, uint64_t *rem) {
    *rem = 0;
    if (a == 0 || b == 0) return 0;
    if (b <= UINT64_MAX / a) {
        *rem = a * b % c;
        return a * b / c;
    }
    uint64_t al = a & 0xffffffffu, ah = a >> 32, bl = b & 0xffffffffu, bh = b >> 32;
    uint64_t ll = al * bl, lh = al * bh, hl = ah * bl, hh = ah * bh;
    uint64_t mid = (ll >> 32) + (lh & 0xffffffffu) + (hl & 0xffffffffu);
    uint64_t lo = (ll & 0xffffffffu) | mid << 32;
    uint64_t hi = hh + (lh >> 32) + (hl >> 32) + (mid >> 32);
    uint64_t q = 0, r = 0;
    for (int i = 127; i >= 0; i--) {   /* the quotient fits in 64 bits: a * b / c < b */
        uint64_t top = r >> 63;
        r = r << 1 | ((i >= 64 ? hi >> (i - 64) : lo >> i) & 1);
        q <<= 1;
        if (top || r >= c) { r -= c; q |= 1; }
    }
    *rem = r;
    return q;
}

/* The first document of part j (0-based) of n: the first whose middle lies
 * at or past j/n of the weight.  (Cutting at the first document that starts
 * past it would leave a large last document wholly to the earlier part: two
 * documents of 676 and 866 bytes gave one part both and the other none.)
 * Exact, in halves: the target total*j/n is T + r/n, a document's middle
 * (2*cum + w)/2, and 2*cum + w >= 2T + ceil(2r/n) is the test. */
static size_t cut(const cr_shardplan *p, uint64_t j, uint64_t n) {
    if (j >= n) return p->n;
    uint64_t r;
    uint64_t t = p->total / n * j + mul_div(p->total % n, j, n, &r);
    unsigned __int128 goal = (unsigned __int128)t * 2 + (r == 0 ? 0 : r <= n - r ? 1 : 2);
    unsigned __int128 cum2 = 0;   /* twice the weight before document i */
    size_t i = 0;
    while (i < p->n && cum2 + p->w[i] < goal) {
        cum2 += (unsigned __int128)p->w[i] * 2;
        i++;
    }
    return i;
}

void cr_shardplan_part(const cr_shardplan *p, uint64_t k, uint64_t n, size_t *from, size_t *to) {
    if (n == 0) n = 1;
    if (k < 1) k = 1;
    if (k > n) k = n;
    *from = cut(p, k - 1, n);
    *to = cut(p, k, n);
}

void cr_shardplan_free(cr_shardplan *p) {
    free(p->w);
    memset(p, 0, sizeof *p);
}
