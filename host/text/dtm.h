/* dtm.h — a sparse document-term matrix: one row per document (in the
 * order added), one column per term, built from texts with the counting
 * loop of countext.h.  Pure C, no Lua.
 *
 * Row r's entries are cols[i], vals[i] for i in [row_start[r],
 * row_start[r + 1]), columns ascending.  The terms counter holds each
 * term's total count, the docs counter each document id's row (its count:
 * the tokens of the row). */
#ifndef CORPUSRUN_DTM_H
#define CORPUSRUN_DTM_H

#include <stddef.h>
#include <stdint.h>

#include "counter.h"
#include "countext.h"

typedef struct cr_dtm {
    cr_counter terms;     /* term → count over all documents; ids are columns */
    cr_counter docs;      /* document id → row; count: tokens in the row */
    int64_t *df;          /* per column: documents containing it */
    size_t *row_start;    /* rows + 1 offsets into cols and vals */
    uint32_t *cols;
    int64_t *vals;
    size_t nnz;
    /* private */
    size_t dfcap, caprows, capcols, capvals;
    cr_textscratch s;
} cr_dtm;

void cr_dtm_init(cr_dtm *m);
void cr_dtm_free(cr_dtm *m);

/* Adds the document id with the counted tokens of text (o: normalisation
 * and kinds; o->sentences is ignored: a row is the whole text).  Returns
 * CR_OK, CR_EINVAL when a document of that id is already a row (nothing is
 * added), CR_ENOMEM or CR_EOVERFLOW (the row then holds what was counted). */
int cr_dtm_add(cr_dtm *m, const char *id, size_t id_len, const char *text, size_t len,
               const cr_textopts *o);

static inline size_t cr_dtm_rows(const cr_dtm *m) { return m->docs.size; }
static inline size_t cr_dtm_nterms(const cr_dtm *m) { return m->terms.size; }
/* The row of a document id, or -1; the column of a term, or -1. */
static inline int64_t cr_dtm_row_of(const cr_dtm *m, const char *id, size_t len) {
    return cr_counter_find(&m->docs, id, len);
}
static inline int64_t cr_dtm_col_of(const cr_dtm *m, const char *term, size_t len) {
    return cr_counter_find(&m->terms, term, len);
}
/* The id of row r and the term of column c (r, c in range). */
static inline const char *cr_dtm_doc(const cr_dtm *m, size_t r, size_t *len) {
    *len = cr_centry_len(&m->docs.entries[r]);
    return m->docs.entries[r].key;
}
static inline const char *cr_dtm_term(const cr_dtm *m, uint32_t c, size_t *len) {
    *len = cr_centry_len(&m->terms.entries[c]);
    return m->terms.entries[c].key;
}
/* A column's total count and document frequency. */
static inline int64_t cr_dtm_term_count(const cr_dtm *m, uint32_t c) { return m->terms.entries[c].count; }
static inline int64_t cr_dtm_df(const cr_dtm *m, uint32_t c) { return m->df[c]; }

#endif
