/* tagtext.h — plain text to tagged tokens: the tokenizer's tokens (spaces
 * left out), sentence by sentence, tagged by a postag model and
 * lemmatised, into an ld_tokens store (load.h) with the attributes form,
 * lemma, upos and xpos (Brown's base tag), the same shape as an annotated
 * corpus's tokens, so the counters count them the same way (countattr.h). */
#ifndef CORPUSRUN_TAGTEXT_H
#define CORPUSRUN_TAGTEXT_H

#include <stdint.h>

#include "load.h"
#include "postag.h"
#include "tokenizer.h"

/* Lemmas already found, by word and tag: a direct-mapped table (a new entry
 * replaces the old one in its slot, so memory stays fixed).  Words and
 * lemmas longer than the entry holds are not kept. */
#define CR_LEMMA_CACHE_SLOTS 16384
#define CR_LEMMA_CACHE_BYTES 27
typedef struct cr_lemma_entry {
    uint8_t wlen, llen;   /* wlen 0: empty */
    uint16_t tag;
    char word[CR_LEMMA_CACHE_BYTES], lemma[CR_LEMMA_CACHE_BYTES];
} cr_lemma_entry;

typedef struct cr_tagscratch {
    ld_tokens t;            /* the tagged tokens of the last text */
    postag_word *words;     /* one sentence */
    cr_token *toks;
    int *tags;
    size_t cap;
    char *lemma;            /* one lemma */
    size_t lcap;
    cr_lemma_entry *lemmas; /* CR_LEMMA_CACHE_SLOTS entries, made on first use */
    postag_tagger *tagger;  /* the model's, with what it learnt of the words; made on first use */
    uint8_t taglen[POSTAG_MAX_TAGS], uposlen[POSTAG_MAX_TAGS]; /* the lengths of its tags' names */
} cr_tagscratch;

/* Tags text[0..len) into s->t (emptied first); opts NULL: the defaults
 * (sentences are always tracked).  0, or CR_ENOMEM (counter.h). */
int cr_tag_text(const postag_model *m, const char *text, size_t len, const cr_tokenizer_opts *opts,
                cr_tagscratch *s);
void cr_tagscratch_free(cr_tagscratch *s);

/* Attribute indices in s->t. */
enum { CR_TAG_FORM = 0, CR_TAG_LEMMA, CR_TAG_UPOS, CR_TAG_XPOS };
#endif
