/* countattr.h — counting an attribute of an annotated document's tokens
 * (CoNLL-U, VRT, word/TAG: load.h's ld_tokens) into a counter, in one pass
 * with no call out per token. */
#ifndef CORPUSRUN_COUNTATTR_H
#define CORPUSRUN_COUNTATTR_H

#include "countext.h"
#include "counter.h"
#include "load.h"
#include "tokenizer.h"

/* The longest attribute spec a counter keeps ("lemma" or "lemma/upos"). */
#define CR_ATTR_MAX 64

/* The columns of t named by spec: one name, or two joined by '/' ("word"
 * and "form", the token as written, name the same column when t has only
 * one of them).  Returns
 * how many (1 or 2) with their indices in cols, 0 when spec is malformed,
 * -1 when t lacks a name (its index in spec, byte offset, in *missing). */
int cr_attr_columns(const ld_tokens *t, const char *spec, size_t len, size_t cols[2], size_t *missing);

/* A filter on tokens: conditions that must all hold, each an attribute and
 * the values it may have (compared as written).  Encoded as one string, per
 * condition: the name, then each value after a CR_WHERE_SEP, then a
 * CR_WHERE_END; the names and values hold neither byte. */
#define CR_WHERE_SEP '\x1f'
#define CR_WHERE_END '\x1e'
#define CR_WHERE_MAX 8
typedef struct cr_where {
    size_t n;                        /* conditions (0: every token) */
    size_t col[CR_WHERE_MAX];        /* their columns in the tokens */
    const char *vals[CR_WHERE_MAX];  /* their values, each followed by CR_WHERE_SEP... */
    const char *end[CR_WHERE_MAX];   /* ...up to here (the CR_WHERE_END) */
} cr_where;

/* Resolves the encoded filter w[0..len) against t's columns into out.  0;
 * 1 when t lacks an attribute (its name in *name, *nlen); -1 when w is not
 * a filter (more than CR_WHERE_MAX conditions, a condition without values,
 * a bad encoding). */
int cr_where_resolve(const ld_tokens *t, const char *w, size_t len, cr_where *out, const char **name,
                     size_t *nlen);

/* Whether w[0..len) is a well-formed filter (0) or not (-1). */
int cr_where_check(const char *w, size_t len);

/* Counts every token's key: the value of cols[0], or the values of cols[0]
 * and cols[1] joined by '/', each normalised at level (an empty key is not
 * counted), of the tokens where (NULL: all) lets through.  df: each key once, and the counter's total (documents) once.
 * join is a buffer the caller keeps between calls.  CR_OK or CR_E*. */
int cr_freq_add_attr(cr_counter *c, const ld_tokens *t, const size_t *cols, size_t ncols, cr_norm_level level,
                     int df, const cr_where *where, cr_textscratch *s, cr_buf *join);

/* Feeds the keys of t's tokens (as cr_freq_add_attr makes them; a token
 * with an empty key, or one that where (NULL: all) does not let through, is
 * left out, as if absent) to fn as vocabulary ids interned in vocab
 * (their counts untouched: fn counts), one segment per sentence of t when
 * sentences is set, else one for the whole of t: what n-gram and
 * co-occurrence counters are fed (cooc.h).  words (NULL: none), with two
 * columns: a token whose first value (normalised) is a key of words is
 * that word alone, whatever its second value (the node of co-occurrences
 * of lemma/upos pairs: "say", not say/verb and say/noun).  CR_OK, CR_E* or fn's error. */
int cr_attr_segments(cr_counter *vocab, const ld_tokens *t, const size_t *cols, size_t ncols, cr_norm_level level,
                     int sentences, const cr_where *where, const cr_counter *words, cr_textscratch *s, cr_buf *join, cr_segment_fn fn, void *ud);

#endif
