/* The document-term matrix (dtm.h): rows in order, columns ascending,
 * counts and document frequencies against a frequency counter over the
 * same texts, duplicate ids, empty documents, the options. */
#include <string.h>

#include "countext.h"
#include "dtm.h"
#include "tap.h"

static int64_t cell(const cr_dtm *m, const char *doc, const char *term) {
    int64_t r = cr_dtm_row_of(m, doc, strlen(doc)), c = cr_dtm_col_of(m, term, strlen(term));
    if (r < 0 || c < 0) return -1;
    for (size_t i = m->row_start[r]; i < m->row_start[r + 1]; i++)
        if (m->cols[i] == (uint32_t)c) return m->vals[i];
    return 0;
}

int main(void) {
    cr_textopts o;
    cr_textopts_default(&o);
    cr_dtm m;
    cr_dtm_init(&m);
    static const char *const ids[] = { "d1", "d2", "empty", "d3" };
    static const char *const texts[] = { "The cat saw the other cat.", "A dog; the DOG barked 2 times.", ", ;",
                                         "Cat and dog." };
    for (int i = 0; i < 4; i++)
        is_int(cr_dtm_add(&m, ids[i], strlen(ids[i]), texts[i], strlen(texts[i]), &o), CR_OK, "add %s", ids[i]);
    is_int(cr_dtm_rows(&m), 4, "four rows");
    for (int i = 0; i < 4; i++) {
        size_t n;
        const char *id = cr_dtm_doc(&m, (size_t)i, &n);
        ok(n == strlen(ids[i]) && !memcmp(id, ids[i], n), "row %d is %s", i, ids[i]);
    }
    is_int(cell(&m, "d1", "cat"), 2, "d1 cat");
    is_int(cell(&m, "d1", "the"), 2, "d1 the (casefolded)");
    is_int(cell(&m, "d2", "dog"), 2, "d2 dog");
    is_int(cell(&m, "d2", "2"), 1, "d2 2 (numbers counted)");
    is_int(cell(&m, "d3", "the"), 0, "d3 has no the");
    is_int(m.row_start[2], m.row_start[3], "the empty document has an empty row");
    is_int(m.docs.entries[0].count, 6, "a row's count is its tokens");

    /* the totals and dfs agree with a frequency counter over the same texts */
    cr_counter f;
    cr_counter_init(&f);
    cr_textscratch s = { 0 };
    for (int i = 0; i < 4; i++) cr_freq_add_text(&f, texts[i], strlen(texts[i]), &o, &s);
    int agree = f.size == cr_dtm_nterms(&m);
    for (size_t c = 0; agree && c < cr_dtm_nterms(&m); c++) {
        size_t n;
        const char *term = cr_dtm_term(&m, (uint32_t)c, &n);
        agree = cr_dtm_term_count(&m, (uint32_t)c) == cr_counter_get(&f, term, n);
    }
    ok(agree, "every column's count is the counter's");
    is_int(m.terms.total, f.total, "and the totals agree");
    int64_t cat = cr_dtm_col_of(&m, "cat", 3), the = cr_dtm_col_of(&m, "the", 3);
    is_int(cr_dtm_df(&m, (uint32_t)cat), 2, "df cat");
    is_int(cr_dtm_df(&m, (uint32_t)the), 2, "df the");
    int ascending = 1;
    for (size_t r = 0; r < cr_dtm_rows(&m); r++)
        for (size_t i = m.row_start[r] + 1; i < m.row_start[r + 1]; i++) ascending &= m.cols[i - 1] < m.cols[i];
    ok(ascending, "columns ascend within each row");
    cr_counter_free(&f);
    cr_textscratch_free(&s);

    size_t nnz = m.nnz;
    is_int(cr_dtm_add(&m, "d2", 2, "new text", 8, &o), CR_EINVAL, "a duplicate id is refused");
    ok(m.nnz == nnz && cr_dtm_rows(&m) == 4, "and adds nothing");

    /* options: kinds and level as given; sentences ignored (one row) */
    cr_textopts k = o;
    char err[128];
    cr_textopts_set(&k, "kinds", "word", err, sizeof err);
    cr_textopts_set(&k, "level", "raw", err, sizeof err);
    cr_textopts_set(&k, "sentences", "true", err, sizeof err);
    is_int(cr_dtm_add(&m, "d4", 2, "Dog 42. Dog.", 12, &k), CR_OK, "add with options");
    is_int(cell(&m, "d4", "Dog"), 2, "raw level keeps case, across sentences");
    is_int(cell(&m, "d4", "42"), -1, "numbers not counted");
    cr_dtm_free(&m);
    ok(m.cols == NULL && cr_dtm_rows(&m) == 0, "freed");

    /* many documents: the arrays grow */
    cr_dtm_init(&m);
    char id[16], text[64];
    int fine = 1;
    for (int i = 0; i < 3000 && fine; i++) {
        int n = snprintf(id, sizeof id, "doc%d", i);
        int t = snprintf(text, sizeof text, "w%d w%d shared", i % 50, i % 7);
        fine = cr_dtm_add(&m, id, (size_t)n, text, (size_t)t, &o) == CR_OK;
    }
    ok(fine, "3000 documents");
    int64_t shared = cr_dtm_col_of(&m, "shared", 6);
    is_int(cr_dtm_df(&m, (uint32_t)shared), 3000, "df of a word in every document");
    is_int(m.row_start[3000] - m.row_start[0], (int64_t)m.nnz, "the rows span every entry");
    cr_dtm_free(&m);
    return tap_done();
}
