/* cooc.h — n-gram and co-occurrence counters over interned token ids.
 * Pure C, no Lua.  Tokens are interned in a vocabulary (a cr_counter whose
 * counts are token or unit frequencies); n-grams and pairs are stored as id
 * tuples, never as strings per pair.
 *
 * Feeding: intern each token key (cr_*_intern), collect the ids of one
 * segment (a sentence, or a whole document), then cr_*_feed the segment.
 * Nothing crosses a segment boundary. */
#ifndef CORPUSRUN_COOC_H
#define CORPUSRUN_COOC_H

#include "counter.h"

/* ---- n-grams ------------------------------------------------------------ */
#define CR_NGRAM_MAX CR_TUPLE_MAX
#define CR_SEP_MAX 16

typedef struct cr_ngrams {
    cr_counter vocab;    /* counts: token frequencies */
    cr_tuples grams;
    unsigned n, skip;    /* k-skip-n-grams: at most skip tokens left out */
    char sep[CR_SEP_MAX];
    size_t seplen;
    int64_t total;       /* n-grams counted */
    size_t *pos;         /* scratch for skip-gram positions */
    /* Only (cr_ngrams_only): the joined keys of the grams stored; every
     * gram still counts in total and every token in the vocabulary. */
    cr_counter *only;
    unsigned char *only_done; /* per only key: its words are known */
    cr_tuples *only_ids;      /* the id tuples of the only keys resolved */
    size_t only_vocab;        /* vocabulary size at the last resolve */
} cr_ngrams;

/* n in 1..CR_NGRAM_MAX, skip <= 8, seplen < CR_SEP_MAX; else CR_EINVAL. */
int cr_ngrams_init(cr_ngrams *g, unsigned n, unsigned skip, const char *sep, size_t seplen);
void cr_ngrams_free(cr_ngrams *g);
static inline int64_t cr_ngrams_intern(cr_ngrams *g, const char *key, size_t len) {
    return cr_counter_intern(&g->vocab, key, len);
}
/* Stores only the grams whose joined keys are keys[0..n) (n >= 1; on an
 * empty counter, else CR_EINVAL); the others count in the total alone, so
 * the counts of these grams, the total and the vocabulary are those of an
 * unrestricted counter, at about the cost of counting the words.  Counters
 * merge only with the same keys; the keys travel in the dump. */
int cr_ngrams_only(cr_ngrams *g, const char *const *keys, const size_t *lens, size_t n);
int cr_ngrams_feed(cr_ngrams *g, const uint32_t *ids, size_t n);
/* Appends the joined key of gram i to w. */
void cr_ngrams_key(const cr_ngrams *g, size_t i, cr_buf *w);
/* Index of the gram whose tokens are keys[0..n), or -1. */
int64_t cr_ngrams_find(const cr_ngrams *g, const char *const *keys, const size_t *lens);
/* Index of the gram with this joined key (split on the separator), or -1. */
int64_t cr_ngrams_find_joined(const cr_ngrams *g, const char *key, size_t len);
int cr_ngrams_merge(cr_ngrams *dst, const cr_ngrams *src); /* CR_EINVAL: n/skip/sep/only differ */
int cr_ngrams_prune(cr_ngrams *g, int64_t min);
/* First k grams in canonical order (count desc, joined key asc). */
size_t cr_ngrams_top(const cr_ngrams *g, size_t k, uint32_t *out);
void cr_ngrams_dump(cr_buf *w, const cr_ngrams *g);
int cr_ngrams_undump(cr_rbuf *r, cr_ngrams *g); /* g uninitialised */
/* cr_ngrams_dump of the grams whose joined key falls in partition part (of
 * parts), with the vocabulary words of that partition (their counts) and
 * the words those grams use (count 0); totals in partition 0 only.  The
 * merge of all partitions is the whole counter.  CR_ENOMEM on failure. */
int cr_ngrams_dump_part(cr_buf *w, const cr_ngrams *g, unsigned part, unsigned parts);

/* ---- co-occurrence ------------------------------------------------------ */
typedef enum cr_cooc_mode {
    CR_COOC_WINDOW = 0,  /* pairs within `window` tokens, stored directed */
    CR_COOC_SENTENCE,    /* pairs of types sharing a segment (sentence) */
    CR_COOC_DOCUMENT     /* the same, one segment per document */
} cr_cooc_mode;

typedef struct cr_cooc_index cr_cooc_index;

typedef struct cr_cooc {
    cr_counter vocab;    /* window: token frequencies, total = tokens;
                            units: number of units containing the word */
    cr_pairmap pairs;    /* window: (earlier, later); units: (lower id, higher id) */
    cr_cooc_mode mode;
    unsigned window;
    int64_t units;       /* segments fed (units modes: N) */
    /* Window mode: a token has `window` neighbour slots on each side, fewer
     * near the ends of its segment; per word, the slots missing on the left
     * and on the right (sum over its tokens), and their total (the same on
     * both sides).  Ids at or past defcap have none missing. */
    int64_t *defl, *defr;
    size_t defcap;
    int64_t deftotal;
    cr_cooc_index *index; /* per-node index of the pairs, built by cr_cooc_with;
                             dropped by every change */
    uint32_t *scratch;
    size_t scratch_cap;
    uint64_t *keys;      /* pair keys of the segment being fed */
    size_t keys_cap;
    /* Focus (cr_cooc_focus): the vocabulary is counted in full, but only
     * the pairs with at least `need` focus words (1 or 2) are; need 0: all. */
    cr_counter *focus;   /* the focus words (keys; counts unused) */
    unsigned need;
    unsigned char *infocus; /* per vocabulary id: a focus word? */
    size_t infocus_n, infocus_cap;
    int64_t *seen;       /* units modes: the unit that last counted the id */
    size_t seen_cap;
} cr_cooc;

typedef struct cr_cooc_pair {
    uint32_t a, b;       /* vocabulary ids, a's key <= b's key */
    int64_t n;
} cr_cooc_pair;

typedef enum { CR_SIDE_BOTH = 0, CR_SIDE_LEFT, CR_SIDE_RIGHT } cr_cooc_side;

typedef struct cr_colloc {
    uint32_t id;         /* collocate */
    int64_t o11;         /* joint frequency */
    int64_t c1;          /* the collocate's marginal (cr_cooc_margin, other side) */
} cr_colloc;

int cr_cooc_init(cr_cooc *c, cr_cooc_mode mode, unsigned window); /* window 1..1000 */
void cr_cooc_free(cr_cooc *c);
static inline int64_t cr_cooc_intern(cr_cooc *c, const char *key, size_t len) {
    return cr_counter_intern(&c->vocab, key, len);
}
/* Restricts counting to the pairs of at least need (1 or 2) of the n focus
 * words keys[i] (of lens[i] bytes): need 1 keeps every pair with a focus
 * word (the collocates of nodes), need 2 the pairs of two focus words.  The
 * vocabulary, its margins and N are counted as without focus, so
 * cr_cooc_with of a focus word (need 1), and cr_cooc_get of two (need 2),
 * answer as an unrestricted counter would, at the cost of counting the
 * words alone.  Only on an empty counter (else CR_EINVAL; need 1 or 2 and
 * n >= 1, else CR_EINVAL).  Counters merge only with the same focus. */
int cr_cooc_focus(cr_cooc *c, const char *const *keys, const size_t *lens, size_t n, unsigned need);
int cr_cooc_feed(cr_cooc *c, const uint32_t *ids, size_t n);
/* Tokens (window) or units (sentence, document) fed. */
int64_t cr_cooc_n(const cr_cooc *c);
/* The contingency table of a node and a collocate (docs/statistics.md).
 * Window mode counts co-occurrence events: each pair of tokens at most
 * `window` apart within a segment is one event seen from each end (side
 * BOTH), or from its earlier token (RIGHT: the collocate follows the node)
 * or its later token (LEFT).  A word's marginal is its number of neighbour
 * slots on that side (its frequency times the window, less the slots cut
 * off by segment ends); N the number of events.  Units modes: a word's
 * marginal is the number of units containing it, N the number of units.
 * Then O11 <= R1, O11 <= C1 and R1 + C1 - O11 <= N always hold. */
int64_t cr_cooc_margin(const cr_cooc *c, uint32_t id, cr_cooc_side side);
int64_t cr_cooc_events(const cr_cooc *c, cr_cooc_side side);
/* Joint count of two words (symmetric; in window mode, both directions). */
int64_t cr_cooc_get(const cr_cooc *c, uint32_t a, uint32_t b);
/* Directed count (window mode: b follows a); in units modes, symmetric. */
int64_t cr_cooc_get_directed(const cr_cooc *c, uint32_t a, uint32_t b);
/* All pairs with count >= min, symmetric (directed=0) or as stored in window
 * mode (directed=1), sorted count desc, then a's key, then b's key.
 * *out is malloc'd (free it); *n its length. */
int cr_cooc_pairs(const cr_cooc *c, int64_t min, int directed, cr_cooc_pair **out, size_t *n);
/* Collocates of node with joint count >= min, sorted o11 desc then key,
 * with O11 and C1 of their tables (R1 = cr_cooc_margin(c, node, side),
 * N = cr_cooc_events(c, side)).  side applies to window mode (LEFT:
 * collocate before the node); BOTH counts a pair of two node tokens from
 * each end.  The first call after a change builds an index of the pairs by
 * word (O(pairs)); each call then costs O(pairs of the node). */
int cr_cooc_with(cr_cooc *c, uint32_t node, cr_cooc_side side, int64_t min,
                 cr_colloc **out, size_t *n);
int cr_cooc_merge(cr_cooc *dst, const cr_cooc *src); /* CR_EINVAL: mode/window/focus differ */
int cr_cooc_prune(cr_cooc *c, int64_t min);          /* pairs below min */
/* The dump of a counter with focus ends with it (need, then the words, by
 * key); undump reads it when the frame holds more. */
void cr_cooc_dump(cr_buf *w, const cr_cooc *c);
int cr_cooc_undump(cr_rbuf *r, cr_cooc *c);          /* c uninitialised */
/* cr_cooc_dump of the pairs whose words (cr_partition_of_pair) fall in
 * partition part, as cr_ngrams_dump_part does for n-grams; units and the
 * vocabulary total in partition 0 only. */
int cr_cooc_dump_part(cr_buf *w, const cr_cooc *c, unsigned part, unsigned parts);

#endif
