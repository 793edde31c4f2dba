/* dtm.c — the document-term matrix (dtm.h). */
#include "dtm.h"

#include "grow.h"

#include <stdlib.h>
#include <string.h>

void cr_dtm_init(cr_dtm *m) {
    memset(m, 0, sizeof *m);
    cr_counter_init(&m->terms);
    cr_counter_init(&m->docs);
}

void cr_dtm_free(cr_dtm *m) {
    cr_counter_free(&m->terms);
    cr_counter_free(&m->docs);
    free(m->df);
    free(m->row_start);
    free(m->cols);
    free(m->vals);
    cr_textscratch_free(&m->s);
    memset(m, 0, sizeof *m);
}

/* Grows *p (elements of elem bytes) to hold need; new elements are zeroed. */
static int grow(void **p, size_t *cap, size_t need, size_t elem) {
    size_t old = *cap;
    void *q = cr_grow(*p, cap, need, elem, 256);
    if (!q) return CR_ENOMEM;
    memset((char *)q + old * elem, 0, (*cap - old) * elem);
    *p = q;
    return CR_OK;
}

static int cmp_ids(const void *a, const void *b) {
    uint32_t x = *(const uint32_t *)a, y = *(const uint32_t *)b;
    return x < y ? -1 : x > y;
}

/* One document's ids (the segment is the whole text): sorted, then one
 * entry per distinct id. */
static int add_segment(void *ud, const uint32_t *ids, size_t n) {
    cr_dtm *m = ud;
    uint32_t *v = (uint32_t *)ids;   /* the scratch's own buffer */
    if (n > 1) qsort(v, n, sizeof *v, cmp_ids); /* ids is NULL for no token */
    int e;
    if ((e = grow((void **)&m->df, &m->dfcap, m->terms.size, sizeof *m->df))) return e;
    for (size_t i = 0; i < n;) {
        size_t j = i;
        while (j < n && v[j] == v[i]) j++;
        if ((e = grow((void **)&m->cols, &m->capcols, m->nnz + 1, sizeof *m->cols))
            || (e = grow((void **)&m->vals, &m->capvals, m->nnz + 1, sizeof *m->vals)))
            return e;
        if ((e = cr_counter_add_id(&m->terms, v[i], (int64_t)(j - i)))) return e;
        m->cols[m->nnz] = v[i];
        m->vals[m->nnz++] = (int64_t)(j - i);
        m->df[v[i]]++;
        i = j;
    }
    return CR_OK;
}

int cr_dtm_add(cr_dtm *m, const char *id, size_t id_len, const char *text, size_t len,
               const cr_textopts *o) {
    if (cr_counter_find(&m->docs, id, id_len) >= 0) return CR_EINVAL;
    int e;
    if ((e = grow((void **)&m->row_start, &m->caprows, m->docs.size + 2, sizeof *m->row_start))) return e;
    int64_t row = cr_counter_intern(&m->docs, id, id_len);
    if (row < 0) return (int)row;
    m->row_start[row] = m->nnz;
    cr_textopts whole = *o;
    whole.sentences = 0;
    e = cr_text_segments(&m->terms, text, len, &whole, &m->s, add_segment, m);
    /* terms interned by a document without counted tokens keep df sized */
    if (!e) e = grow((void **)&m->df, &m->dfcap, m->terms.size, sizeof *m->df);
    m->row_start[row + 1] = m->nnz;
    int64_t tokens = 0;
    for (size_t i = m->row_start[row]; i < m->nnz; i++) tokens += m->vals[i];
    int e2 = cr_counter_add_id(&m->docs, (uint32_t)row, tokens);
    return e ? e : e2;
}
