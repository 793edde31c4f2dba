/* counter.c — arena, string→count hash, id tuples, top-k, serialisation. */
#include "counter.h"

#include <stdlib.h>
#include <stdint.h>
#include <string.h>

#include "grow.h"

const char *cr_strerror(int err) {
    switch (err) {
    case CR_OK: return "no error";
    case CR_ENOMEM: return "out of memory";
    case CR_EOVERFLOW: return "count overflow";
    case CR_ECORRUPT: return "truncated or corrupt data";
    case CR_EVERSION: return "unsupported format version or kind";
    case CR_EINVAL: return "invalid argument";
    default: return "unknown error";
    }
}

/* ---- hashing ------------------------------------------------------------ */
static uint64_t mix64(uint64_t x) {
    x ^= x >> 32;
    x *= 0xd6e8feb86659fd93ULL;
    x ^= x >> 32;
    x *= 0xd6e8feb86659fd93ULL;
    x ^= x >> 32;
    return x;
}

uint64_t cr_hash_bytes(const void *p, size_t n) {
    const unsigned char *s = p;
    uint64_t h = 0x9e3779b97f4a7c15ULL ^ (uint64_t)n;
    while (n >= 8) {
        uint64_t v;
        memcpy(&v, s, 8);
        h = (h ^ v) * 0xbf58476d1ce4e5b9ULL;
        h ^= h >> 29;
        s += 8;
        n -= 8;
    }
    uint64_t v = 0;
    for (size_t i = 0; i < n; i++) v |= (uint64_t)s[i] << (8 * i);
    h = (h ^ v) * 0x94d049bb133111ebULL;
    return mix64(h);
}

/* ---- partitions ---------------------------------------------------------- */
#define FNV_OFFSET 0xcbf29ce484222325ULL
#define FNV_PRIME 0x100000001b3ULL

static uint64_t fnv_update(uint64_t h, const unsigned char *p, size_t n) {
    for (size_t i = 0; i < n; i++) {
        h ^= p[i];
        h *= FNV_PRIME;
    }
    return h;
}

uint64_t cr_stable_hash(const void *p, size_t n) {
    return mix64(fnv_update(FNV_OFFSET, p, n));
}

unsigned cr_partition_of(const void *p, size_t n, unsigned parts) {
    return parts <= 1 ? 0 : (unsigned)(cr_stable_hash(p, n) % parts);
}

unsigned cr_partition_of_joined(const char *const *keys, const size_t *lens, unsigned n,
                                const char *sep, size_t seplen, unsigned parts) {
    if (parts <= 1) return 0;
    uint64_t h = FNV_OFFSET;
    for (unsigned i = 0; i < n; i++) {
        if (i) h = fnv_update(h, (const unsigned char *)sep, seplen);
        h = fnv_update(h, (const unsigned char *)keys[i], lens[i]);
    }
    return (unsigned)(mix64(h) % parts);
}

unsigned cr_partition_of_pair(const char *a, size_t alen, const char *b, size_t blen,
                              unsigned parts) {
    if (parts <= 1) return 0;
    if (cr_key_cmp(a, alen, b, blen) > 0) {
        const char *t = a; a = b; b = t;
        size_t tl = alen; alen = blen; blen = tl;
    }
    static const unsigned char sep = 0xff;
    uint64_t h = fnv_update(FNV_OFFSET, (const unsigned char *)a, alen);
    h = fnv_update(h, &sep, 1);
    h = fnv_update(h, (const unsigned char *)b, blen);
    return (unsigned)(mix64(h) % parts);
}

/* ---- arena -------------------------------------------------------------- */
struct cr_arena_block {
    cr_arena_block *next;
    size_t size;
    /* data follows, aligned */
};
#define ARENA_HDR ((sizeof(cr_arena_block) + 15u) & ~(size_t)15u)
#define ARENA_MIN (64u * 1024u)

void cr_arena_init(cr_arena *a) { memset(a, 0, sizeof *a); }

/* Blocks double with the total up to ARENA_MAX, so a large arena wastes at
 * most one partly filled block of ARENA_MAX (its untouched pages are not
 * resident). */
#define ARENA_MAX ((size_t)8 << 20)

static void *arena_take(cr_arena *a, size_t n, size_t align) {
    size_t pad = (align - ((uintptr_t)a->ptr & (align - 1))) & (align - 1);
    if (n > SIZE_MAX - pad) return NULL;
    if (!a->head || n + pad > a->left) {
        size_t size = a->bytes < ARENA_MIN ? ARENA_MIN : a->bytes; /* doubles */
        if (size > ARENA_MAX) size = ARENA_MAX;
        if (size < n) size = n;
        if (size > SIZE_MAX - ARENA_HDR) return NULL;
        cr_arena_block *b = malloc(ARENA_HDR + size);
        if (!b) return NULL;
        b->next = a->head;
        b->size = size;
        a->head = b;
        a->ptr = (char *)b + ARENA_HDR;
        a->left = size;
        a->bytes += size;
        pad = 0;        /* blocks start 16-byte aligned */
    }
    void *r = a->ptr + pad;
    a->ptr += pad + n;
    a->left -= pad + n;
    return r;
}

void *cr_arena_alloc(cr_arena *a, size_t n) { return arena_take(a, n, 8); }
void *cr_arena_alloc_bytes(cr_arena *a, size_t n) { return arena_take(a, n, 1); }

void cr_arena_free(cr_arena *a) {
    cr_arena_block *b = a->head;
    while (b) {
        cr_arena_block *next = b->next;
        free(b);
        b = next;
    }
    cr_arena_init(a);
}

/* ---- write and read buffers -------------------------------------------- */
void cr_put_uvarint(cr_buf *w, uint64_t v) {
    unsigned char tmp[10];
    size_t n = 0;
    while (v >= 0x80) {
        tmp[n++] = (unsigned char)(v | 0x80);
        v >>= 7;
    }
    tmp[n++] = (unsigned char)v;
    cr_buf_add(w, tmp, n);
}

void cr_put_svarint(cr_buf *w, int64_t v) {
    uint64_t u = ((uint64_t)v << 1) ^ (v < 0 ? UINT64_MAX : 0);
    cr_put_uvarint(w, u);
}

void cr_put_str(cr_buf *w, const char *s, size_t n) {
    cr_put_uvarint(w, n);
    cr_buf_add(w, s, n);
}

int cr_rbuf_byte(cr_rbuf *r, unsigned *out) {
    if (r->p >= r->end) return CR_ECORRUPT;
    *out = *r->p++;
    return CR_OK;
}

int cr_rbuf_uvarint(cr_rbuf *r, uint64_t *out) {
    uint64_t v = 0;
    for (unsigned shift = 0; shift < 64; shift += 7) {
        if (r->p >= r->end) return CR_ECORRUPT;
        unsigned b = *r->p++;
        if (shift == 63 && b > 1) return CR_ECORRUPT;
        v |= (uint64_t)(b & 0x7f) << shift;
        if (!(b & 0x80)) {
            if (b == 0 && shift > 0) return CR_ECORRUPT; /* overlong */
            *out = v;
            return CR_OK;
        }
    }
    return CR_ECORRUPT;
}

int cr_rbuf_svarint(cr_rbuf *r, int64_t *out) {
    uint64_t u;
    int e = cr_rbuf_uvarint(r, &u);
    if (e) return e;
    *out = (int64_t)(u >> 1) ^ -(int64_t)(u & 1);
    return CR_OK;
}

int cr_rbuf_str(cr_rbuf *r, const char **s, size_t *n, size_t maxlen) {
    uint64_t len;
    int e = cr_rbuf_uvarint(r, &len);
    if (e) return e;
    if (len > maxlen || len > (uint64_t)(r->end - r->p)) return CR_ECORRUPT;
    *s = (const char *)r->p;
    *n = (size_t)len;
    r->p += len;
    return CR_OK;
}

/* ---- framing ------------------------------------------------------------ */
static const unsigned char MAGIC[4] = { 'C', 'R', 'C', 'T' };

/* FNV-1a 64 over bytes: defined on bytes, so the same on every platform. */
static uint64_t fnv1a64(const unsigned char *p, size_t n) {
    uint64_t h = 0xcbf29ce484222325ULL;
    for (size_t i = 0; i < n; i++) {
        h ^= p[i];
        h *= 0x100000001b3ULL;
    }
    return h;
}

void cr_frame_begin(cr_buf *w, unsigned kind) {
    cr_buf_add(w, MAGIC, 4);
    cr_buf_addc(w, CR_FRAME_VERSION);
    cr_buf_addc(w, kind);
}

void cr_frame_end(cr_buf *w) {
    if (w->failed) return;
    uint64_t h = fnv1a64((const unsigned char *)w->data, w->len);
    unsigned char le[8];
    for (int i = 0; i < 8; i++) le[i] = (unsigned char)(h >> (8 * i));
    cr_buf_add(w, le, 8);
}

int cr_frame_open(const void *data, size_t len, unsigned *kind, cr_rbuf *body) {
    const unsigned char *p = data;
    if (len < 6 + 8 || memcmp(p, MAGIC, 4) != 0) return CR_ECORRUPT;
    if (p[4] < 1 || p[4] > CR_FRAME_VERSION) return CR_EVERSION;
    uint64_t h = fnv1a64(p, len - 8), stored = 0;
    for (int i = 0; i < 8; i++) stored |= (uint64_t)p[len - 8 + i] << (8 * i);
    if (h != stored) return CR_ECORRUPT;
    *kind = p[5];
    body->p = p + 6;
    body->end = p + len - 8;
    body->version = p[4];
    return CR_OK;
}

/* ---- counter ------------------------------------------------------------ */
/* Distinct across every counter of the process, never 0. */
static uint64_t new_epoch(void) {
    static uint64_t last;
    return __atomic_add_fetch(&last, 1, __ATOMIC_RELAXED);
}

void cr_counter_init(cr_counter *c) {
    memset(c, 0, sizeof *c);
    c->epoch = new_epoch();
}

void cr_counter_free(cr_counter *c) {
    cr_arena_free(&c->arena);
    free(c->entries);
    free(c->slots);
    memset(c, 0, sizeof *c);
}

int cr_key_cmp(const char *a, size_t alen, const char *b, size_t blen) {
    size_t n = alen < blen ? alen : blen;
    int r = n ? memcmp(a, b, n) : 0;
    if (r) return r;
    return alen < blen ? -1 : alen > blen ? 1 : 0;
}

/* A zeroed slot array (untouched pages of a large one stay unmapped). */
static uint64_t *counter_slots(size_t nslots) { return cr_huge_calloc(nslots, sizeof(uint64_t)); }

static void slot_put(uint64_t *slots, size_t mask, uint64_t v) {
    size_t i = (size_t)(v >> 32) & mask;
    while (slots[i]) i = (i + 1) & mask;
    slots[i] = v;
}

/* Moves the slots into a table of nslots; the hashes come from the slots, so
 * entries and keys are not touched. */
static int counter_rehash(cr_counter *c, size_t nslots) {
    uint64_t *slots = counter_slots(nslots);
    if (!slots) return CR_ENOMEM;
    size_t mask = nslots - 1;
    if (c->slots)
        for (size_t i = 0; i <= c->mask; i++)
            if (c->slots[i]) slot_put(slots, mask, c->slots[i]);
    free(c->slots);
    c->slots = slots;
    c->mask = mask;
    return CR_OK;
}

/* Builds the slots anew from the entries (after prune renumbered them). */
static int counter_reindex(cr_counter *c, size_t nslots) {
    uint64_t *slots = counter_slots(nslots);
    if (!slots) return CR_ENOMEM;
    size_t mask = nslots - 1;
    for (size_t id = 0; id < c->size; id++) {
        const cr_centry *e = &c->entries[id];
        uint64_t h = (uint32_t)cr_hash_bytes(e->key, cr_centry_len(e));
        slot_put(slots, mask, (h << 32) | (uint64_t)(id + 1));
    }
    free(c->slots);
    c->slots = slots;
    c->mask = mask;
    return CR_OK;
}

/* A copy of key in the arena, after its length: 1 byte below 255, else
 * 0xff after 4 bytes. */
static char *counter_key(cr_arena *a, const char *key, size_t len) {
    size_t pre = len < 0xff ? 1 : 5;
    char *p = cr_arena_alloc_bytes(a, pre + len + 1);
    if (!p) return NULL;
    if (pre == 1) p[0] = (char)len;
    else {
        uint32_t l = (uint32_t)len;
        memcpy(p, &l, sizeof l);
        p[4] = (char)0xff;
    }
    if (len) memcpy(p + pre, key, len);
    p[pre + len] = 0;
    return p + pre;
}

/* Slot index holding key, or of the empty slot where it would go. */
static size_t counter_probe(const cr_counter *c, const char *key, size_t len,
                            uint32_t h32, int *found) {
    size_t i = (size_t)h32 & c->mask;
    for (;;) {
        uint64_t s = c->slots[i];
        if (!s) { *found = 0; return i; }
        if ((uint32_t)(s >> 32) == h32) {
            const cr_centry *e = &c->entries[(uint32_t)s - 1];
            if (cr_centry_len(e) == len && memcmp(e->key, key, len) == 0) { *found = 1; return i; }
        }
        i = (i + 1) & c->mask;
    }
}

int64_t cr_counter_find(const cr_counter *c, const char *key, size_t len) {
    if (!c->slots || len > CR_MAX_KEY) return -1;
    uint32_t h32 = (uint32_t)cr_hash_bytes(key, len);
    int found;
    size_t i = counter_probe(c, key, len, h32, &found);
    return found ? (int64_t)(uint32_t)c->slots[i] - 1 : -1;
}

int64_t cr_counter_intern(cr_counter *c, const char *key, size_t len) {
    if (len > CR_MAX_KEY) return CR_EINVAL;
    if (!c->slots && counter_rehash(c, 64)) return CR_ENOMEM;
    uint32_t h32 = (uint32_t)cr_hash_bytes(key, len);
    int found;
    size_t i = counter_probe(c, key, len, h32, &found);
    if (found) return (int64_t)(uint32_t)c->slots[i] - 1;
    if (c->size >= 0xfffffffeu) return CR_EOVERFLOW;
    if ((c->size + 1) * 4 > (c->mask + 1) * 3) { /* load factor 3/4 */
        if (counter_rehash(c, (c->mask + 1) * 2)) return CR_ENOMEM;
        i = counter_probe(c, key, len, h32, &found);
    }
    if (c->size == c->cap) {
        cr_centry *e = cr_grow(c->entries, &c->cap, c->size + 1, sizeof *e, 64);
        if (!e) return CR_ENOMEM;
        c->entries = e;
    }
    char *k = counter_key(&c->arena, key, len);
    if (!k) return CR_ENOMEM;
    size_t id = c->size++;
    c->entries[id] = (cr_centry){ k, 0 };
    c->slots[i] = ((uint64_t)h32 << 32) | (uint64_t)(id + 1);
    return (int64_t)id;
}

int cr_counter_add_id(cr_counter *c, uint32_t id, int64_t n) {
    if (id >= c->size) return CR_EINVAL;
    int64_t cnt, tot;
    if (__builtin_add_overflow(c->entries[id].count, n, &cnt) ||
        __builtin_add_overflow(c->total, n, &tot))
        return CR_EOVERFLOW;
    c->entries[id].count = cnt;
    c->total = tot;
    return CR_OK;
}

int cr_counter_add(cr_counter *c, const char *key, size_t len, int64_t n) {
    int64_t id = cr_counter_intern(c, key, len);
    if (id < 0) return (int)id;
    return cr_counter_add_id(c, (uint32_t)id, n);
}

int64_t cr_counter_get(const cr_counter *c, const char *key, size_t len) {
    int64_t id = cr_counter_find(c, key, len);
    return id < 0 ? 0 : c->entries[id].count;
}

int cr_counter_merge(cr_counter *dst, const cr_counter *src) {
    if (dst == src) return CR_EINVAL;
    /* Check for overflow first so that a failure changes nothing. */
    int64_t tot;
    if (__builtin_add_overflow(dst->total, src->total, &tot)) return CR_EOVERFLOW;
    for (size_t i = 0; i < src->size; i++) {
        const cr_centry *e = &src->entries[i];
        int64_t id = cr_counter_find(dst, e->key, cr_centry_len(e)), sum;
        if (id >= 0 && __builtin_add_overflow(dst->entries[id].count, e->count, &sum))
            return CR_EOVERFLOW;
    }
    for (size_t i = 0; i < src->size; i++) {
        const cr_centry *e = &src->entries[i];
        int64_t id = cr_counter_intern(dst, e->key, cr_centry_len(e));
        if (id < 0) return (int)id; /* out of memory: partial merge */
        dst->entries[id].count += e->count;
    }
    dst->total = tot;
    return CR_OK;
}

int cr_counter_prune(cr_counter *c, int64_t min) {
    size_t j = 0;
    for (size_t i = 0; i < c->size; i++)
        if (c->entries[i].count >= min) c->entries[j++] = c->entries[i];
    if (j == c->size) return CR_OK;
    c->size = j;
    c->epoch = new_epoch();
    /* Key bytes of removed entries stay in the arena until free; the slot
     * table is rebuilt at a size fitting what is left. */
    size_t nslots = 64;
    while (nslots * 3 < (j + 1) * 4) nslots *= 2;
    return counter_reindex(c, nslots);
}

static int counter_cmp(const void *ctx, uint32_t a, uint32_t b) {
    const cr_counter *c = ctx;
    const cr_centry *x = &c->entries[a], *y = &c->entries[b];
    if (x->count != y->count) return x->count > y->count ? -1 : 1;
    int r = cr_key_cmp(x->key, cr_centry_len(x), y->key, cr_centry_len(y));
    if (r) return r;
    return a < b ? -1 : a > b;
}

/* A record for sorting a whole counter: the count and the key's first eight
 * bytes (big-endian, zero-padded, so that comparing them as numbers
 * compares the bytes as memcmp does) let most comparisons read no key. */
typedef struct toprec {
    int64_t count;
    uint64_t prefix;
    uint32_t id;
    const cr_centry *e;
} toprec;

static int toprec_cmp(const void *pa, const void *pb) {
    const toprec *x = pa, *y = pb;
    if (x->count != y->count) return x->count > y->count ? -1 : 1;
    if (x->prefix != y->prefix) return x->prefix < y->prefix ? -1 : 1;
    int r = cr_key_cmp(x->e->key, cr_centry_len(x->e), y->e->key, cr_centry_len(y->e));
    if (r) return r;
    return x->id < y->id ? -1 : x->id > y->id;
}

/* The first k of the whole counter sorted: for long tops, where a heap of k
 * would compare through the entries about 2 n log2 n times.  0 when out
 * of memory (the caller takes the heap). */
static size_t counter_top_sorted(const cr_counter *c, size_t k, uint32_t *out) {
    toprec *r = malloc((c->size ? c->size : 1) * sizeof *r);
    if (!r) return 0;
    for (size_t i = 0; i < c->size; i++) {
        const cr_centry *e = &c->entries[i];
        size_t n = cr_centry_len(e);
        uint64_t p = 0;
        for (size_t j = 0; j < 8; j++) p = p << 8 | (j < n ? (unsigned char)e->key[j] : 0);
        r[i] = (toprec){ e->count, p, (uint32_t)i, e };
    }
    if (c->size > 1) qsort(r, c->size, sizeof *r, toprec_cmp);
    for (size_t i = 0; i < k; i++) out[i] = r[i].id;
    free(r);
    return k;
}

size_t cr_counter_top(const cr_counter *c, size_t k, uint32_t *out) {
    if (k > c->size) k = c->size;
    if (k >= 1024 || (k > 0 && k >= c->size / 8)) {
        size_t n = counter_top_sorted(c, k, out);
        if (n) return n;
    }
    return cr_top_k_range(c->size, k, counter_cmp, c, out);
}

void cr_counter_dump(cr_buf *w, const cr_counter *c) {
    cr_put_uvarint(w, c->size);
    for (size_t i = 0; i < c->size; i++) {
        cr_put_str(w, c->entries[i].key, cr_centry_len(&c->entries[i]));
        cr_put_svarint(w, c->entries[i].count);
    }
    cr_put_svarint(w, c->total);
}

void cr_counter_dump_part(cr_buf *w, const cr_counter *c, unsigned part, unsigned parts) {
    size_t n = 0;
    for (size_t i = 0; i < c->size; i++)
        if (cr_partition_of(c->entries[i].key, cr_centry_len(&c->entries[i]), parts) == part) n++;
    cr_put_uvarint(w, n);
    for (size_t i = 0; i < c->size; i++) {
        const cr_centry *e = &c->entries[i];
        if (cr_partition_of(e->key, cr_centry_len(e), parts) != part) continue;
        cr_put_str(w, e->key, cr_centry_len(e));
        cr_put_svarint(w, e->count);
    }
    cr_put_svarint(w, part == 0 ? c->total : 0);
}

void cr_counter_dump_subset(cr_buf *w, const cr_counter *c, const unsigned char *sel,
                            uint32_t *newid, int with_total) {
    uint32_t n = 0;
    for (size_t i = 0; i < c->size; i++)
        if (sel[i]) newid[i] = n++;
    cr_put_uvarint(w, n);
    for (size_t i = 0; i < c->size; i++) {
        if (!sel[i]) continue;
        cr_put_str(w, c->entries[i].key, cr_centry_len(&c->entries[i]));
        cr_put_svarint(w, sel[i] == 2 ? c->entries[i].count : 0);
    }
    cr_put_svarint(w, with_total ? c->total : 0);
}

int cr_counter_undump(cr_rbuf *r, cr_counter *c) {
    uint64_t n;
    int e = cr_rbuf_uvarint(r, &n);
    if (e) return e;
    /* Each entry takes at least two bytes: a bound before trusting n. */
    if (n > (uint64_t)(r->end - r->p) / 2) return CR_ECORRUPT;
    for (uint64_t i = 0; i < n; i++) {
        const char *k;
        size_t len;
        int64_t cnt;
        if ((e = cr_rbuf_str(r, &k, &len, CR_MAX_KEY)) || (e = cr_rbuf_svarint(r, &cnt)))
            return e;
        int64_t id = cr_counter_intern(c, k, len);
        if (id < 0) return (int)id;
        if ((uint64_t)id != i) return CR_ECORRUPT; /* duplicate key */
        c->entries[id].count = cnt;
    }
    return cr_rbuf_svarint(r, &c->total);
}

/* ---- top-k -------------------------------------------------------------- */
/* The heap keeps the k best seen so far with the worst at the root. */
static void heap_sift_down(uint32_t *h, size_t n, size_t i, cr_idx_cmp cmp, const void *ctx) {
    for (;;) {
        size_t l = 2 * i + 1, r = l + 1, w = i;
        if (l < n && cmp(ctx, h[l], h[w]) > 0) w = l;
        if (r < n && cmp(ctx, h[r], h[w]) > 0) w = r;
        if (w == i) return;
        uint32_t t = h[i]; h[i] = h[w]; h[w] = t;
        i = w;
    }
}

static void heap_sift_up(uint32_t *h, size_t i, cr_idx_cmp cmp, const void *ctx) {
    while (i > 0) {
        size_t p = (i - 1) / 2;
        if (cmp(ctx, h[i], h[p]) <= 0) return;
        uint32_t t = h[i]; h[i] = h[p]; h[p] = t;
        i = p;
    }
}

static size_t top_k_impl(const uint32_t *idx, size_t n, size_t k, cr_idx_cmp cmp,
                         const void *ctx, uint32_t *out) {
    if (k > n) k = n;
    if (k == 0) return 0;
    size_t m = 0;
    for (size_t i = 0; i < n; i++) {
        uint32_t v = idx ? idx[i] : (uint32_t)i;
        if (m < k) {
            out[m] = v;
            heap_sift_up(out, m++, cmp, ctx);
        } else if (cmp(ctx, v, out[0]) < 0) {
            out[0] = v;
            heap_sift_down(out, m, 0, cmp, ctx);
        }
    }
    /* Heapsort in place: repeatedly move the worst to the end. */
    for (size_t end = m; end > 1; end--) {
        uint32_t t = out[0]; out[0] = out[end - 1]; out[end - 1] = t;
        heap_sift_down(out, end - 1, 0, cmp, ctx);
    }
    return m;
}

size_t cr_top_k(const uint32_t *idx, size_t n, size_t k, cr_idx_cmp cmp,
                const void *ctx, uint32_t *out) {
    return top_k_impl(idx, n, k, cmp, ctx, out);
}

size_t cr_top_k_range(size_t n, size_t k, cr_idx_cmp cmp, const void *ctx, uint32_t *out) {
    return top_k_impl(NULL, n, k, cmp, ctx, out);
}

/* ---- tuples ------------------------------------------------------------- */
int cr_tuples_init(cr_tuples *t, unsigned width) {
    memset(t, 0, sizeof *t);
    if (width < 1 || width > CR_TUPLE_MAX) return CR_EINVAL;
    t->width = width;
    return CR_OK;
}

void cr_tuples_free(cr_tuples *t) {
    free(t->ids);
    free(t->counts);
    free(t->slots);
    unsigned w = t->width;
    memset(t, 0, sizeof *t);
    t->width = w;
}

static uint32_t tuple_hash(const uint32_t *ids, unsigned width) {
    uint64_t h = 0x9e3779b97f4a7c15ULL;
    for (unsigned i = 0; i < width; i++) h = mix64(h ^ ids[i]) + i;
    return (uint32_t)(h ^ (h >> 32));
}

/* The slots built anew from the entries (after prune renumbered them). */
static int tuples_rehash(cr_tuples *t, size_t nslots) {
    uint64_t *slots = cr_huge_calloc(nslots, sizeof *slots);
    if (!slots) return CR_ENOMEM;
    size_t mask = nslots - 1;
    for (size_t i = 0; i < t->size; i++) {
        uint32_t h = tuple_hash(cr_tuples_at(t, i), t->width);
        size_t s = h & mask;
        while (slots[s]) s = (s + 1) & mask;
        slots[s] = ((uint64_t)h << 32) | (uint64_t)(i + 1);
    }
    free(t->slots);
    t->slots = slots;
    t->mask = mask;
    return CR_OK;
}

/* A larger table: each slot moves with the hash it holds, no tuple hashed
 * again (that was 7 % of counting Brown's bigrams). */
static int tuples_grow(cr_tuples *t, size_t nslots) {
    if (!t->slots) return tuples_rehash(t, nslots);
    uint64_t *slots = cr_huge_calloc(nslots, sizeof *slots);
    if (!slots) return CR_ENOMEM;
    size_t mask = nslots - 1;
    for (size_t i = 0; i <= t->mask; i++) {
        uint64_t v = t->slots[i];
        if (!v) continue;
        size_t s = (size_t)(v >> 32) & mask;
        while (slots[s]) s = (s + 1) & mask;
        slots[s] = v;
    }
    free(t->slots);
    t->slots = slots;
    t->mask = mask;
    return CR_OK;
}

static size_t tuples_probe(const cr_tuples *t, const uint32_t *ids, uint32_t h, int *found) {
    size_t s = h & t->mask;
    size_t bytes = t->width * sizeof *ids;
    for (;;) {
        uint64_t v = t->slots[s];
        if (!v) { *found = 0; return s; }
        if ((uint32_t)(v >> 32) == h &&
            memcmp(cr_tuples_at(t, (uint32_t)v - 1), ids, bytes) == 0) {
            *found = 1;
            return s;
        }
        s = (s + 1) & t->mask;
    }
}

int64_t cr_tuples_find(const cr_tuples *t, const uint32_t *ids) {
    if (!t->slots) return -1;
    int found;
    size_t s = tuples_probe(t, ids, tuple_hash(ids, t->width), &found);
    return found ? (int64_t)(uint32_t)t->slots[s] - 1 : -1;
}

int cr_tuples_reserve(cr_tuples *t, size_t n) {
    if (n > 0xfffffffeu - t->size) return CR_EOVERFLOW;
    size_t need = 64;
    while (need * 3 < (t->size + n) * 4) need *= 2;
    if (!t->slots || need > t->mask + 1) {
        if (tuples_grow(t, need)) return CR_ENOMEM;
    }
    if (t->size + n > t->cap) {
        size_t capi = t->cap, capc = t->cap;
        uint32_t *ni = cr_grow(t->ids, &capi, t->size + n, t->width * sizeof *ni, 64);
        if (!ni) return CR_ENOMEM;
        t->ids = ni;
        int64_t *nc = cr_grow(t->counts, &capc, t->size + n, sizeof *nc, 64);
        if (!nc) return CR_ENOMEM;
        t->counts = nc;
        t->cap = capi < capc ? capi : capc;
    }
    return CR_OK;
}

uint32_t cr_tuples_hash(const cr_tuples *t, const uint32_t *ids) {
    return tuple_hash(ids, t->width);
}

void cr_tuples_prefetch_slot(const cr_tuples *t, uint32_t h) {
    if (t->slots) __builtin_prefetch(&t->slots[h & t->mask]);
}

void cr_tuples_prefetch_entry(const cr_tuples *t, uint32_t h) {
    if (!t->slots) return;
    uint64_t v = t->slots[h & t->mask];
    if (!v || (uint32_t)(v >> 32) != h) return;
    size_t i = (uint32_t)v - 1;
    __builtin_prefetch(t->ids + i * t->width);
    __builtin_prefetch(t->counts + i, 1);
}

int cr_tuples_add(cr_tuples *t, const uint32_t *ids, int64_t n) {
    return cr_tuples_add_hashed(t, ids, tuple_hash(ids, t->width), n);
}

int cr_tuples_add_hashed(cr_tuples *t, const uint32_t *ids, uint32_t h, int64_t n) {
    if (!t->slots && tuples_rehash(t, 64)) return CR_ENOMEM;
    int found;
    size_t s = tuples_probe(t, ids, h, &found);
    if (found) {
        size_t i = (uint32_t)t->slots[s] - 1;
        int64_t sum;
        if (__builtin_add_overflow(t->counts[i], n, &sum)) return CR_EOVERFLOW;
        t->counts[i] = sum;
        return CR_OK;
    }
    if (t->size >= 0xfffffffeu) return CR_EOVERFLOW;
    if ((t->size + 1) * 4 > (t->mask + 1) * 3) {
        if (tuples_grow(t, (t->mask + 1) * 2)) return CR_ENOMEM;
        s = tuples_probe(t, ids, h, &found);
    }
    if (t->size == t->cap) {
        size_t capi = t->cap, capc = t->cap;
        uint32_t *ni = cr_grow(t->ids, &capi, t->size + 1, t->width * sizeof *ni, 64);
        if (!ni) return CR_ENOMEM;
        t->ids = ni;
        int64_t *nc = cr_grow(t->counts, &capc, t->size + 1, sizeof *nc, 64);
        if (!nc) return CR_ENOMEM;
        t->counts = nc;
        t->cap = capc;
    }
    size_t i = t->size++;
    memcpy(t->ids + i * t->width, ids, t->width * sizeof *ids);
    t->counts[i] = n;
    t->slots[s] = ((uint64_t)h << 32) | (uint64_t)(i + 1);
    return CR_OK;
}

int cr_tuples_prune(cr_tuples *t, int64_t min) {
    size_t j = 0;
    for (size_t i = 0; i < t->size; i++) {
        if (t->counts[i] < min) continue;
        if (i != j) {
            memmove(t->ids + j * t->width, t->ids + i * t->width, t->width * sizeof *t->ids);
            t->counts[j] = t->counts[i];
        }
        j++;
    }
    if (j == t->size) return CR_OK;
    t->size = j;
    size_t nslots = 64;
    while (nslots * 3 < (j + 1) * 4) nslots *= 2;
    return tuples_rehash(t, nslots);
}

/* ---- pair map ----------------------------------------------------------- */
void cr_pairmap_init(cr_pairmap *m) { memset(m, 0, sizeof *m); }

void cr_pairmap_free(cr_pairmap *m) {
    free(m->slots);
    memset(m, 0, sizeof *m);
}

static inline size_t pair_slot(uint64_t key, size_t mask) {
    return (size_t)(mix64(key) & mask);
}

/* A zeroed slot array; large ones on huge pages (grow.h). */
static cr_pslot *pairmap_alloc(size_t nslots) { return cr_huge_calloc(nslots, sizeof(cr_pslot)); }

static int pairmap_resize(cr_pairmap *m, size_t nslots) {
    cr_pslot *slots = pairmap_alloc(nslots);
    if (!slots) return CR_ENOMEM;
    size_t mask = nslots - 1, n = cr_pairmap_slots(m);
    enum { AHEAD = 16 };
    for (size_t i = 0; i < n; i++) {
        if (i + AHEAD < n && m->slots[i + AHEAD].key)
            __builtin_prefetch(&slots[pair_slot(m->slots[i + AHEAD].key, mask)], 1);
        if (!m->slots[i].key) continue;
        size_t j = pair_slot(m->slots[i].key, mask);
        while (slots[j].key) j = (j + 1) & mask;
        slots[j] = m->slots[i];
    }
    free(m->slots);
    m->slots = slots;
    m->mask = mask;
    return CR_OK;
}

static int pairmap_add_key(cr_pairmap *m, uint64_t key, int64_t n) {
    size_t i = pair_slot(key, m->mask);
    for (;;) {
        cr_pslot *s = &m->slots[i];
        if (s->key == key) {
            if (__builtin_add_overflow(s->count, n, &s->count)) {
                s->count -= n; /* undo the wrapped add: unchanged on error */
                return CR_EOVERFLOW;
            }
            return CR_OK;
        }
        if (!s->key) break;
        i = (i + 1) & m->mask;
    }
    if ((m->size + 1) * 4 > (m->mask + 1) * 3) {
        if (pairmap_resize(m, (m->mask + 1) * 2)) return CR_ENOMEM;
        i = pair_slot(key, m->mask);
        while (m->slots[i].key) i = (i + 1) & m->mask;
    }
    m->slots[i].key = key;
    m->slots[i].count = n;
    m->size++;
    return CR_OK;
}

/* Room for n more pairs without growing.  Filling a small table with keys
 * that arrive in hash order (a dump, another table's slots) makes linear
 * probing walk ever longer clusters; sizing first keeps every key near its
 * home slot. */
int cr_pairmap_reserve(cr_pairmap *m, size_t n) {
    size_t need = 1024;
    if (n > SIZE_MAX / 8 - m->size) return CR_ENOMEM;
    while (need * 3 < (m->size + n) * 4) need *= 2;
    if (m->slots && need <= m->mask + 1) return CR_OK;
    return pairmap_resize(m, need);
}

int cr_pairmap_add(cr_pairmap *m, uint32_t a, uint32_t b, int64_t n) {
    if (a == 0xffffffffu) return CR_EINVAL;
    if (!m->slots && pairmap_resize(m, 1024)) return CR_ENOMEM;
    return pairmap_add_key(m, cr_pair_key(a, b), n);
}

int cr_pairmap_add_keys(cr_pairmap *m, const uint64_t *keys, size_t n) {
    enum { AHEAD = 12 };
    if (!m->slots && pairmap_resize(m, 1024)) return CR_ENOMEM;
    for (size_t i = 0; i < n && i < AHEAD; i++) __builtin_prefetch(&m->slots[pair_slot(keys[i], m->mask)], 1);
    for (size_t i = 0; i < n; i++) {
        if (i + AHEAD < n) __builtin_prefetch(&m->slots[pair_slot(keys[i + AHEAD], m->mask)], 1);
        if (keys[i] == 0 || keys[i] >> 32 == 0) return CR_EINVAL;
        int e = pairmap_add_key(m, keys[i], 1);
        if (e) return e;
    }
    return CR_OK;
}

int64_t cr_pairmap_get(const cr_pairmap *m, uint32_t a, uint32_t b, int *found) {
    if (found) *found = 0;
    if (!m->slots || a == 0xffffffffu) return 0;
    uint64_t key = ((uint64_t)(a + 1) << 32) | b;
    for (size_t i = pair_slot(key, m->mask);; i = (i + 1) & m->mask) {
        if (m->slots[i].key == key) {
            if (found) *found = 1;
            return m->slots[i].count;
        }
        if (!m->slots[i].key) return 0;
    }
}

int cr_pairmap_prune(cr_pairmap *m, int64_t min) {
    size_t kept = 0;
    for (size_t i = 0; i < cr_pairmap_slots(m); i++)
        kept += m->slots[i].key && m->slots[i].count >= min;
    if (kept == m->size) return CR_OK;
    /* rebuild: removing entries in place would break linear-probe chains */
    size_t nslots = 1024;
    while (nslots * 3 < (kept + 1) * 4) nslots *= 2;
    cr_pslot *slots = pairmap_alloc(nslots);
    if (!slots) return CR_ENOMEM;
    size_t mask = nslots - 1;
    for (size_t i = 0; i < cr_pairmap_slots(m); i++) {
        if (!m->slots[i].key || m->slots[i].count < min) continue;
        size_t j = pair_slot(m->slots[i].key, mask);
        while (slots[j].key) j = (j + 1) & mask;
        slots[j] = m->slots[i];
    }
    free(m->slots);
    m->slots = slots;
    m->mask = mask;
    m->size = kept;
    return CR_OK;
}
