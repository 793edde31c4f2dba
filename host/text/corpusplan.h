/* corpusplan.h — plans over a corpus's documents: the fingerprint, a seeded
 * sample and contiguous shards balanced by bytes.  Pure C, no Lua: the
 * corpus binding lists the documents and converts, these decide.
 *
 * Every value here is stable: it depends only on the bytes given, never on
 * the process, the build, the platform or its byte order, so a fingerprint
 * or a sample computed on one machine is the one computed on any other. */
#ifndef CORPUSRUN_CORPUSPLAN_H
#define CORPUSRUN_CORPUSPLAN_H

#include <stddef.h>
#include <stdint.h>

/* The hash of the fingerprint and of the sample, from seed h: FNV-1a's
 * multiplier over the bytes taken as 8-byte little-endian words (then the
 * last bytes one by one), each step folded by a shift, and the result
 * through the splitmix64 finaliser.  Reading words keeps it fast over whole
 * texts; reading them little-endian keeps it the same on every machine. */
uint64_t cr_plan_hash(uint64_t h, const void *p, size_t n);

/* ---- fingerprint ----------------------------------------------------------
 * 32 hex digits over every document's id and text, in order.  The scheme is
 * fixed: changing it would change every fingerprint already recorded, so a
 * change needs a new name (CR_FINGERPRINT_SCHEME) that readers can tell. */
#define CR_FINGERPRINT_SCHEME "cr1"
typedef struct cr_fingerprint { uint64_t a, b, n; } cr_fingerprint;
void cr_fingerprint_init(cr_fingerprint *f);
void cr_fingerprint_add(cr_fingerprint *f, const char *id, size_t id_len, const char *text,
                        size_t text_len);
/* Writes 32 lowercase hex digits and a NUL. */
void cr_fingerprint_hex(const cr_fingerprint *f, char hex[33]);

/* ---- sample ----------------------------------------------------------------
 * A document is chosen by the hash of the seed and its id, so the choice does
 * not depend on the order in which documents are listed: the n with the
 * smallest keys (ties by position). */
typedef struct cr_sample_item { uint64_t key; size_t pos; } cr_sample_item;
/* The key of the document with this id under this seed. */
uint64_t cr_sample_key(int64_t seed, const char *id, size_t id_len);
/* Sorts items by key, then by position: the first n are the sample. */
void cr_sample_order(cr_sample_item *items, size_t n);

/* ---- shards -----------------------------------------------------------------
 * The weights of the documents (bytes + 1: every document weighs something),
 * in corpus order; zero-initialise, free with cr_shardplan_free. */
typedef struct cr_shardplan {
    uint64_t *w;
    size_t n, cap;
    uint64_t total;    /* sum of w (saturating) */
} cr_shardplan;

/* Appends a document of this many bytes; 0, or CR_ENOMEM (counter.h). */
int cr_shardplan_add(cr_shardplan *p, uint64_t bytes);
/* Part k of n (1 <= k <= n): documents [*from, *to) of the plan, contiguous;
 * the parts 1..n together hold every document once, in order, and part j
 * starts at the first document whose middle (its preceding weight and half
 * its own) reaches total*(j-1)/n. */
void cr_shardplan_part(const cr_shardplan *p, uint64_t k, uint64_t n, size_t *from, size_t *to);
void cr_shardplan_free(cr_shardplan *p);

#endif
