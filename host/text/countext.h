/* countext.h — feeding the counters from text: tokenise, normalise and
 * intern in one pass in C.  Pure C, no Lua. */
#ifndef CORPUSRUN_COUNTEXT_H
#define CORPUSRUN_COUNTEXT_H

#include "cooc.h"
#include "counter.h"
#include "textopts.h"
#include "tokenizer.h"

/* Scratch space reused across calls; zero-initialise, free with
 * cr_textscratch_free. */
typedef struct cr_keycache cr_keycache;
typedef struct cr_textscratch {
    cr_buf norm;
    uint32_t *ids;
    size_t nids, capids;
    size_t *starts;       /* where the tokens of ids start, when asked */
    size_t capstarts;
    size_t *stops;        /* and where they end (cr_text_spans) */
    size_t capstops;
    cr_keycache *cache;   /* short ASCII keys -> ids of one counter */
    /* ids of one counter's words in another (cr_cooc_add_text_counting):
     * UINT32_MAX until looked up; valid for the two epochs. */
    uint32_t *idmap;
    size_t idmap_n;
    uint64_t idmap_from, idmap_to;
} cr_textscratch;

void cr_textscratch_free(cr_textscratch *s);

/* Calls fn for each segment of the text's counted tokens, as ids interned in
 * vocab (without counting them).  Stops at the first nonzero return. */
typedef int (*cr_segment_fn)(void *ud, const uint32_t *ids, size_t n);
int cr_text_segments(cr_counter *vocab, const char *text, size_t len, const cr_textopts *o,
                     cr_textscratch *s, cr_segment_fn fn, void *ud);

/* The text's counted tokens in order: s->ids[i] (interned in vocab, not
 * counted) with its byte span [s->starts[i], s->stops[i]), i < s->nids. */
int cr_text_spans(cr_counter *vocab, const char *text, size_t len, const cr_textopts *o, cr_textscratch *s);

/* Counts every counted token of the text. */
int cr_freq_add_text(cr_counter *c, const char *text, size_t len, const cr_textopts *o,
                     cr_textscratch *s);
/* Document frequency: each type at most once per call; total grows by 1. */
int cr_df_add_text(cr_counter *c, const char *text, size_t len, const cr_textopts *o,
                   cr_textscratch *s);
int cr_ngrams_add_text(cr_ngrams *g, const char *text, size_t len, const cr_textopts *o,
                       cr_textscratch *s);
/* The cooc's mode decides segments: sentence mode always by sentence,
 * document mode the whole text, window mode by o->sentences. */
int cr_cooc_add_text(cr_cooc *c, const char *text, size_t len, const cr_textopts *o,
                     cr_textscratch *s);
/* The same, and every token also counted in f (its key as c makes it), from
 * the one reading of the text. */
int cr_cooc_add_text_counting(cr_cooc *c, cr_counter *f, const char *text, size_t len, const cr_textopts *o,
                              cr_textscratch *s);

#endif
