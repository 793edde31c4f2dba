/* counter.h — the counting cores: an arena, a string→count hash with id
 * interning, a fixed-width id-tuple store, deterministic top-k, and the
 * compact binary serialisation they share.  Pure C, no Lua.
 *
 * Ownership: every structure owns its memory; *_free releases it and leaves
 * the structure empty (freeing twice is harmless).  Functions returning int
 * return 0 on success and a negative CR_E* code on failure; a failed call
 * leaves the structure valid and unchanged in its counts.
 */
#ifndef CORPUSRUN_COUNTER_H
#define CORPUSRUN_COUNTER_H

#include <stddef.h>
#include <stdint.h>
#include <string.h>

#include "buf.h"

enum {
    CR_OK = 0,
    CR_ENOMEM = -1,    /* out of memory */
    CR_EOVERFLOW = -2, /* a count or size would overflow */
    CR_ECORRUPT = -3,  /* serialised input is truncated or corrupt */
    CR_EVERSION = -4,  /* serialised input has an unknown version or kind */
    CR_EINVAL = -5     /* invalid argument */
};
/* A short English description of a CR_E* code. */
const char *cr_strerror(int err);

/* 64-bit hash of a byte string (not stable across builds; never stored). */
uint64_t cr_hash_bytes(const void *p, size_t n);

/* ---- partitions: splitting a counter by a stable key hash ----------------
 * The hash that decides which of R partitions a key belongs to is part of
 * the on-disk format of partitioned parts: FNV-1a 64 over the key's bytes,
 * then a 64-bit finaliser; the partition is hash % R.  It never depends on
 * the process, the build or the platform.  A pair of words (co-occurrence)
 * hashes as key_lo 0xff key_hi, key_lo <= key_hi bytewise, so both orders
 * of a pair fall in the same partition. */
#define CR_MAX_PARTITIONS 65536
uint64_t cr_stable_hash(const void *p, size_t n);
unsigned cr_partition_of(const void *p, size_t n, unsigned parts);
/* cr_partition_of of keys[0..n) joined by sep, without joining them. */
unsigned cr_partition_of_joined(const char *const *keys, const size_t *lens, unsigned n,
                                const char *sep, size_t seplen, unsigned parts);
unsigned cr_partition_of_pair(const char *a, size_t alen, const char *b, size_t blen,
                              unsigned parts);

/* ---- arena: bump allocation in blocks, freed all at once ---------------- */
typedef struct cr_arena_block cr_arena_block;
typedef struct cr_arena {
    cr_arena_block *head;
    char *ptr;
    size_t left;
    size_t bytes;        /* total bytes reserved in blocks */
} cr_arena;

void cr_arena_init(cr_arena *a);
void *cr_arena_alloc(cr_arena *a, size_t n); /* 8-byte aligned; NULL when out of memory */
void *cr_arena_alloc_bytes(cr_arena *a, size_t n); /* unaligned; NULL when out of memory */
void cr_arena_free(cr_arena *a);

/* ---- serialising into a cr_buf (buf.h) --------------------------------
 * Like cr_buf_add, these leave a failure in w->failed and do nothing once it
 * is set: a dump checks w->failed once, at its end. */
void cr_put_uvarint(cr_buf *w, uint64_t v);   /* LEB128 */
void cr_put_svarint(cr_buf *w, int64_t v);    /* zigzag, then LEB128 */
void cr_put_str(cr_buf *w, const char *s, size_t n); /* length-prefixed */

/* Reader over a serialised buffer; every get checks bounds. */
typedef struct cr_rbuf {
    const unsigned char *p, *end;
    unsigned version;    /* the frame version of the body (cr_frame_open); 0: current */
} cr_rbuf;

int cr_rbuf_byte(cr_rbuf *r, unsigned *out);
int cr_rbuf_uvarint(cr_rbuf *r, uint64_t *out);
int cr_rbuf_svarint(cr_rbuf *r, int64_t *out);
/* A length-prefixed string, pointing into the buffer (not NUL-terminated). */
int cr_rbuf_str(cr_rbuf *r, const char **s, size_t *n, size_t maxlen);

/* Framing shared by every counter type:
 *   "CRCT" | version (1 byte) | kind (1 byte) | body | checksum (8 bytes LE)
 * cr_frame_begin writes the header; cr_frame_end appends the checksum.
 * cr_frame_open verifies magic, version and checksum and returns the kind
 * and a reader over the body. */
#define CR_FRAME_VERSION 2    /* 2: co-occurrence bodies carry window slot margins; 1 still read */
void cr_frame_begin(cr_buf *w, unsigned kind);
void cr_frame_end(cr_buf *w);
int cr_frame_open(const void *data, size_t len, unsigned *kind, cr_rbuf *body);

/* ---- counter: byte string → int64 count, with stable ids ----------------
 * Ids are dense (0..size-1) in order of first insertion; prune renumbers.
 * total is the sum of everything added (prune leaves it unchanged).
 *
 * Memory per key: a 16-byte entry, an 8-byte slot at a load factor between
 * 3/8 and 3/4, and the key's bytes in the arena, unaligned, after its length
 * (1 byte below 255, else 5) and before a NUL. */
typedef struct cr_centry {
    const char *key;     /* in the arena; NUL-terminated for convenience */
    int64_t count;
} cr_centry;

/* The length of an entry's key, stored just before it. */
static inline size_t cr_centry_len(const cr_centry *e) {
    unsigned char b = (unsigned char)e->key[-1];
    if (b != 0xff) return b;
    uint32_t len;
    memcpy(&len, e->key - 5, sizeof len);
    return len;
}

typedef struct cr_counter {
    cr_arena arena;
    cr_centry *entries;
    size_t size, cap;
    uint64_t *slots;     /* (hash32 << 32) | (id + 1); 0 = empty */
    size_t mask;         /* slot count - 1 (slot count is a power of two) */
    int64_t total;
    uint64_t epoch;      /* new whenever ids may have been renumbered (init,
                            prune): caches of key -> id check it */
} cr_counter;

#define CR_MAX_KEY 0x7fffffffu

void cr_counter_init(cr_counter *c);
void cr_counter_free(cr_counter *c);
/* Id of key, or -1 when absent. */
int64_t cr_counter_find(const cr_counter *c, const char *key, size_t len);
/* Id of key, inserting it with count 0 when absent; negative CR_E* on error. */
int64_t cr_counter_intern(cr_counter *c, const char *key, size_t len);
/* Adds n to key's count (inserting it) and to total. */
int cr_counter_add(cr_counter *c, const char *key, size_t len, int64_t n);
/* Adds n to the count of an existing id and to total. */
int cr_counter_add_id(cr_counter *c, uint32_t id, int64_t n);
int64_t cr_counter_get(const cr_counter *c, const char *key, size_t len);
/* Adds every count of src into dst (dst's total grows by src's total). */
int cr_counter_merge(cr_counter *dst, const cr_counter *src);
/* Removes the keys whose count is below min; ids are renumbered, keeping
 * their relative order. */
int cr_counter_prune(cr_counter *c, int64_t min);
/* The ids of the first k entries in the canonical order (count descending,
 * then key ascending bytewise) written to out (room for k); returns how many. */
size_t cr_counter_top(const cr_counter *c, size_t k, uint32_t *out);
/* Body serialisation (no framing): size, keys and counts, total. */
void cr_counter_dump(cr_buf *w, const cr_counter *c);
int cr_counter_undump(cr_rbuf *r, cr_counter *c); /* c freshly initialised */
/* The body of a counter holding only the keys of partition part (of parts),
 * in cr_counter_dump's format; the total goes to partition 0 only, so the
 * merge of all partitions is the whole counter. */
void cr_counter_dump_part(cr_buf *w, const cr_counter *c, unsigned part, unsigned parts);
/* The same for a vocabulary that other entries point into: sel[i] = 2 for
 * the keys owned (counts kept), 1 for keys only referenced (count 0), 0 for
 * the others.  newid[i] receives the id each selected key has in the dump,
 * in the original order.  Writes the total only when with_total. */
void cr_counter_dump_subset(cr_buf *w, const cr_counter *c, const unsigned char *sel,
                            uint32_t *newid, int with_total);

/* Bytewise comparison of two keys, shorter first on a common prefix. */
int cr_key_cmp(const char *a, size_t alen, const char *b, size_t blen);

/* ---- generic deterministic top-k over indices ---------------------------
 * cmp(ctx, a, b) < 0 when a comes before b; it must be a total order.
 * Selects the first k of idx[0..n) into out (room for k), sorted; returns
 * how many.  O(n log k). */
typedef int (*cr_idx_cmp)(const void *ctx, uint32_t a, uint32_t b);
size_t cr_top_k(const uint32_t *idx, size_t n, size_t k, cr_idx_cmp cmp,
                const void *ctx, uint32_t *out);
/* Same over the range 0..n-1 without an index array. */
size_t cr_top_k_range(size_t n, size_t k, cr_idx_cmp cmp, const void *ctx,
                      uint32_t *out);

/* ---- tuples: fixed-width id tuples (1..8 uint32) → int64 count ---------- */
#define CR_TUPLE_MAX 8
typedef struct cr_tuples {
    unsigned width;
    uint32_t *ids;       /* entry i at ids[i * width] */
    int64_t *counts;
    size_t size, cap;
    uint64_t *slots;     /* (hash32 << 32) | (index + 1) */
    size_t mask;
} cr_tuples;

int cr_tuples_init(cr_tuples *t, unsigned width);  /* CR_EINVAL for bad width */
void cr_tuples_free(cr_tuples *t);
int64_t cr_tuples_find(const cr_tuples *t, const uint32_t *ids);
int cr_tuples_add(cr_tuples *t, const uint32_t *ids, int64_t n);
/* The same with h = cr_tuples_hash(t, ids).  A caller that knows the tuples
 * to come asks for their slots (cr_tuples_prefetch_slot) a few tuples
 * ahead, then for their entries (cr_tuples_prefetch_entry, once the slot
 * is in the cache), so that the table's cache misses overlap. */
uint32_t cr_tuples_hash(const cr_tuples *t, const uint32_t *ids);
int cr_tuples_add_hashed(cr_tuples *t, const uint32_t *ids, uint32_t h, int64_t n);
void cr_tuples_prefetch_slot(const cr_tuples *t, uint32_t h);
void cr_tuples_prefetch_entry(const cr_tuples *t, uint32_t h);
/* Room for n more tuples, so that adding them neither rehashes nor grows. */
int cr_tuples_reserve(cr_tuples *t, size_t n);
/* Removes the tuples whose count is below min. */
int cr_tuples_prune(cr_tuples *t, int64_t min);
static inline const uint32_t *cr_tuples_at(const cr_tuples *t, size_t i) {
    return t->ids + i * t->width;
}

/* ---- pair map: (uint32, uint32) → int64 with the count in the slot ----
 * One cache line touched per add: the store behind co-occurrence counts.
 * Iterate with: for (i = 0; i < cr_pairmap_slots(m); i++) if (m->slots[i].key) ...
 * (the order is that of the table, not of insertion). */
typedef struct cr_pslot {
    uint64_t key;        /* ((uint64_t)(a + 1) << 32) | b; 0 = empty */
    int64_t count;
} cr_pslot;

typedef struct cr_pairmap {
    cr_pslot *slots;
    size_t mask;         /* slot count - 1, when slots */
    size_t size;
} cr_pairmap;

void cr_pairmap_init(cr_pairmap *m);
void cr_pairmap_free(cr_pairmap *m);
/* a < 0xffffffff. */
int cr_pairmap_add(cr_pairmap *m, uint32_t a, uint32_t b, int64_t n);
/* Makes room for n more pairs at once; CR_OK or CR_ENOMEM. */
int cr_pairmap_reserve(cr_pairmap *m, size_t n);
/* Adds 1 for each packed key (cr_pair_key) of keys[0..n): the same as n
 * calls of cr_pairmap_add, with the slots fetched ahead of use. */
int cr_pairmap_add_keys(cr_pairmap *m, const uint64_t *keys, size_t n);
static inline uint64_t cr_pair_key(uint32_t a, uint32_t b) { return ((uint64_t)(a + 1) << 32) | b; }
/* The count, or 0 when absent (*found, when not NULL, tells which). */
int64_t cr_pairmap_get(const cr_pairmap *m, uint32_t a, uint32_t b, int *found);
int cr_pairmap_prune(cr_pairmap *m, int64_t min);
static inline size_t cr_pairmap_slots(const cr_pairmap *m) { return m->slots ? m->mask + 1 : 0; }
static inline uint32_t cr_pslot_a(const cr_pslot *s) { return (uint32_t)(s->key >> 32) - 1; }
static inline uint32_t cr_pslot_b(const cr_pslot *s) { return (uint32_t)s->key; }

#endif
