/* lexwords.h — the words a lexicon's strings hold: every string of one
 * attribute of a corpus (cpos.h) tokenised alone, as the tokeniser's words
 * (its default options: kinds word and number) normalised at a level, with
 * the words interned once.  What the words of a text made of those strings
 * are, and how often each occurs, then follow from the lexicon's ids and
 * frequencies without a pass over the tokens: an index's word counts, the
 * strings holding a word, a document's words from its ids.  Pure C, no Lua.
 *
 * Built once per attribute and level in one loop over the lexicon (the
 * Brown corpus's 56 K types in milliseconds).  Ownership: the structure owns
 * its memory; cr_lexwords_free releases it (freeing twice is harmless). */
#ifndef CORPUSRUN_LEXWORDS_H
#define CORPUSRUN_LEXWORDS_H

#include <stddef.h>
#include <stdint.h>

#include "counter.h"
#include "cpos.h"
#include "tokenizer.h"

typedef struct cr_lexwords {
    cr_counter words;   /* word -> id; its count: the word's occurrences in
                           the corpus (string frequency x times it holds it) */
    size_t nstr;        /* the lexicon's strings */
    uint32_t *off;      /* nstr + 1: string i holds the words of ids
                           wid[off[i] .. off[i + 1]), in text order */
    uint32_t *wid;
    size_t nwid, capwid;
} cr_lexwords;

/* Return codes beyond cpos.h's CP_OK, CP_ENOMEM, CP_EIO. */
enum { LW_ENOTTOKEN = -10 };

/* Builds w (zeroed or freed before) from the lexicon of attribute attr of c:
 * each string's words at level.  With whole set, each string must also be
 * exactly one token of the tokeniser (every kind but space) when read alone,
 * as an index built from plain text holds the tokeniser's own tokens; when
 * one is not, LW_ENOTTOKEN with its id in *bad.  CP_OK, CP_ENOMEM (w freed),
 * CP_EIO (a lexicon string unreadable: *bad its id), LW_ENOTTOKEN. */
int cr_lexwords_build(cr_lexwords *w, const cp_corpus *c, int attr, cr_norm_level level, int whole, cp_id *bad);
void cr_lexwords_free(cr_lexwords *w);

/* How many words string id holds, and their word ids (into w->words). */
static inline size_t cr_lexwords_count(const cr_lexwords *w, size_t id) { return w->off[id + 1] - w->off[id]; }

/* The strings holding word (exactly, or with prefix set every word that
 * begins with it), each once, ascending, with the times it holds them:
 * ids[0..*n) and weights[0..*n), arrays of w->nstr entries the caller
 * provides.  CP_OK, or CP_ENOMEM (with prefix). */
int cr_lexwords_holding(const cr_lexwords *w, const char *word, size_t len, int prefix, cp_id *ids,
                        int64_t *weights, size_t *n);

#endif
