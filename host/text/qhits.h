/* qhits.h — what a query's hits (cqp.h) give beyond their positions, each a
 * loop in C over every hit: the order of a concordance sorted AntConc-style,
 * the frequency breakdown of the match or of a position around it, the
 * collocates in a window, the region of each hit, and set operations
 * between results.  Pure C over cpos.h. */
#ifndef CORPUSRUN_QHITS_H
#define CORPUSRUN_QHITS_H

#include <stddef.h>
#include <stdint.h>

#include "buf.h"
#include "cpos.h"
#include "cqp.h"

/* Where a key looks: the whole match, its target, its first token (start),
 * its last (end), or the n-th token left of the match or right of it.  A
 * position outside the hit's document (or a missing target) has no value. */
typedef enum { QH_MATCH, QH_TARGET, QH_START, QH_END, QH_LEFT, QH_RIGHT } qh_kind;
typedef struct qh_at {
    qh_kind kind;
    long n;   /* QH_LEFT, QH_RIGHT: 1.. */
} qh_at;

/* Reads "match", "target", "start", "end", "L<n>", "R<n>" (n 1..1000), or
 * AntConc's "C" (the match); 0, or -1 when s is none of those. */
int qh_parse_at(const char *s, qh_at *at);

/* perm[0..h->n) receives the hits' indices ordered by the levels (each an
 * attribute and a place; ids are in byte order, so the order is that of the
 * strings; no value sorts first; the match compares token by token), ties
 * by the hits' order.  CP_OK, CP_ENOMEM or CP_EIO. */
int qh_sort(const cp_corpus *c, const cqp_hits *h, const int *attrs, const qh_at *levels, size_t nlevels,
            size_t *perm);

/* The frequency breakdown of attribute attr at at: groups of hits with the
 * same value (for the match: the same sequence of ids), each as the index
 * of its first hit and its size, ordered by size descending, then by value.
 * Hits without a value are left out.  *groups is malloc'd (free it). */
typedef struct qh_group {
    size_t first;
    uint64_t count;
} qh_group;
int qh_count(const cp_corpus *c, const cqp_hits *h, int attr, qh_at at, qh_group **groups, size_t *ngroups);

/* Collocates: counts[id] (calloc'd, lex_size of attr entries) of attr
 * around every hit, left tokens before its start and right after its end,
 * inside its document; *positions: the window positions counted. */
int qh_colloc(const cp_corpus *c, const cqp_hits *h, int attr, long left, long right, uint64_t **counts,
              uint64_t *positions);

/* out[i]: the region of structure s holding hit i's start (-1: none). */
int qh_regions(const cp_corpus *c, const cqp_hits *h, int s, int64_t *out);

/* Per region of structure s, the weighted count of the positions holding
 * one of the ids of attr: out[k] += weights[i] for every position of ids[i]
 * in region k (out has regions(s) entries, zeroed by the caller; positions
 * outside every region are left out).  A corpus's word counts per document
 * from its postings, without reading its token stream.  CP_OK, CP_ENOMEM,
 * CP_EIO. */
int qh_region_sums(const cp_corpus *c, int attr, const cp_id *ids, const int64_t *weights, size_t n, int s,
                   int64_t *out);

/* Set operations on two hit lists sorted as cqp_run gives them, a hit being
 * its start and end: QH_AND keeps a's hits also in b, QH_MINUS those not in
 * b, QH_OR the union (a's target first).  Appends to out; 0 or -1. */
enum { QH_AND, QH_MINUS, QH_OR };
int qh_setop(const cqp_hits *a, const cqp_hits *b, int op, cqp_hits *out);

/* The strings of attr at positions [from, to) (clipped to the corpus),
 * joined by sep, appended to out.  CP_OK, CP_ENOMEM, CP_EIO. */
int qh_join(const cp_corpus *c, int attr, cp_pos from, cp_pos to, const char *sep, cr_buf *out);

#endif
