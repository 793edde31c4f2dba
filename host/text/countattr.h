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

/* The columns of t named by spec: one name, or two joined by '/'.  Returns
 * how many (1 or 2) with their indices in cols, 0 when spec is malformed,
 * -1 when t lacks a name (its index in spec, byte offset, in *missing). */
int cr_attr_columns(const ld_tokens *t, const char *spec, size_t len, size_t cols[2], size_t *missing);

/* Counts every token's key: the value of cols[0], or the values of cols[0]
 * and cols[1] joined by '/', each normalised at level (an empty key is not
 * counted).  df: each key once, and the counter's total (documents) once.
 * join is a buffer the caller keeps between calls.  CR_OK or CR_E*. */
int cr_freq_add_attr(cr_counter *c, const ld_tokens *t, const size_t *cols, size_t ncols, cr_norm_level level,
                     int df, cr_textscratch *s, cr_buf *join);

#endif
