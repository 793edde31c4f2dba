/* lexwords.c — the words a lexicon's strings hold (lexwords.h). */
#include "lexwords.h"

#include <stdlib.h>
#include <string.h>

#include "grow.h"
#include "textopts.h"

void cr_lexwords_free(cr_lexwords *w) {
    cr_counter_free(&w->words);
    free(w->off);
    free(w->wid);
    memset(w, 0, sizeof *w);
    cr_counter_init(&w->words);
}

/* Whether s[0..len) is one token of the tokeniser (every kind but space). */
static int one_token(const char *s, size_t len, const cr_tokenizer_opts *all) {
    cr_tokenizer t;
    cr_token tok;
    cr_tokenizer_init(&t, s, len, all);
    if (!cr_tokenizer_next(&t, &tok) || tok.start != 0 || tok.stop != len) return 0;
    return !cr_tokenizer_next(&t, &tok);
}

/* Appends the word ids of s[0..len) to w->wid, each word's count raised by
 * freq.  CP_OK, CP_ENOMEM, CP_ERANGE (a count would overflow). */
static int add_words(cr_lexwords *w, const char *s, size_t len, const cr_tokenizer_opts *words,
                     cr_norm_level level, uint64_t freq, cr_buf *norm) {
    cr_tokenizer t;
    cr_token tok;
    cr_tokenizer_init(&t, s, len, words);
    while (cr_tokenizer_next(&t, &tok)) {
        if (cr_normalize(norm, s + tok.start, tok.stop - tok.start, level) < 0) return CP_ENOMEM;
        int64_t id = cr_counter_intern(&w->words, norm->data, norm->len);
        if (id == CR_ENOMEM) return CP_ENOMEM;
        if (id < 0 || id > (int64_t)UINT32_MAX || freq > (uint64_t)INT64_MAX) return CP_ERANGE;
        if (cr_counter_add_id(&w->words, (uint32_t)id, (int64_t)freq) != CR_OK) return CP_ERANGE;
        if (w->nwid == w->capwid) {
            uint32_t *g = cr_grow(w->wid, &w->capwid, w->nwid + 1, sizeof *w->wid, 1024);
            if (!g) return CP_ENOMEM;
            w->wid = g;
        }
        if (w->nwid >= UINT32_MAX) return CP_ERANGE;
        w->wid[w->nwid++] = (uint32_t)id;
    }
    return CP_OK;
}

int cr_lexwords_build(cr_lexwords *w, const cp_corpus *c, int attr, cr_norm_level level, int whole, cp_id *bad) {
    memset(w, 0, sizeof *w);
    cr_counter_init(&w->words);
    *bad = -1;
    cp_id n = c->ops->lex_size(c, attr);
    if (n < 0) return CP_EIO;
    if ((uint64_t)n >= SIZE_MAX / sizeof *w->off) return CP_ENOMEM;
    w->nstr = (size_t)n;
    w->off = malloc((w->nstr + 1) * sizeof *w->off);
    if (!w->off) return CP_ENOMEM;
    /* the options of tokenize.words and of tokenize.tokens, at their defaults */
    cr_textopts o;
    cr_textopts_default(&o);
    cr_tokenizer_opts words = o.tok, all = o.tok;
    words.kinds = o.kinds;
    all.kinds = ((1u << CR_TOK__COUNT) - 1u) & ~CR_KIND_BIT(CR_TOK_SPACE);
    cr_buf norm;
    cr_buf_init(&norm);
    int rc = CP_OK;
    for (cp_id id = 0; id < n && rc == CP_OK; id++) {
        size_t len;
        const char *s = c->ops->lex_str(c, attr, id, &len);
        w->off[id] = (uint32_t)w->nwid;
        if (!s) rc = CP_EIO;
        else if (whole && !one_token(s, len, &all)) rc = LW_ENOTTOKEN;
        else rc = add_words(w, s, len, &words, level, c->ops->lex_freq(c, attr, id), &norm);
        if (rc != CP_OK) *bad = id;
    }
    cr_buf_free(&norm);
    if (rc != CP_OK) {
        cr_lexwords_free(w);
        return rc;
    }
    w->off[w->nstr] = (uint32_t)w->nwid;
    return CP_OK;
}

int cr_lexwords_holding(const cr_lexwords *w, const char *word, size_t len, int prefix, cp_id *ids,
                        int64_t *weights, size_t *n) {
    *n = 0;
    size_t nwords = w->words.size;
    unsigned char *sel = NULL;
    int64_t exact = -1;
    if (prefix) {
        sel = calloc(nwords ? nwords : 1, 1);
        if (!sel) return CP_ENOMEM;
        for (size_t k = 0; k < nwords; k++) {
            const cr_centry *e = &w->words.entries[k];
            sel[k] = cr_centry_len(e) >= len && memcmp(e->key, word, len) == 0;
        }
    } else {
        exact = cr_counter_find(&w->words, word, len);
        if (exact < 0) return CP_OK;
    }
    for (size_t i = 0; i < w->nstr; i++) {
        int64_t times = 0;
        for (uint32_t j = w->off[i]; j < w->off[i + 1]; j++)
            times += sel ? sel[w->wid[j]] : w->wid[j] == (uint64_t)exact;
        if (times) {
            ids[*n] = (cp_id)i;
            weights[*n] = times;
            (*n)++;
        }
    }
    free(sel);
    return CP_OK;
}
