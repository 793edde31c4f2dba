/* cpos_mem.h — documents read into memory seen as token positions with
 * attributes (cpos.h): the view the query language reads for a corpus that
 * has no index.  Pure C.
 *
 * A builder takes documents one at a time and gives a cp_corpus at the end.
 * Plain text goes through corpusrun's tokeniser (every token but spaces):
 * attributes word (as written), lower (casefolded, NFKC_Casefold) and key
 * (the counters' key form, tokenizer.h's CR_NORM_KEY); sentences from the
 * tokeniser's sentence boundaries.  An annotated document (ld_tokens:
 * CoNLL-U, VRT, word/TAG) keeps its tokens and attributes exactly: word is
 * its attribute "word", else "form", else its first; lower and key are made
 * from word when the input has none; "pos" names "xpos" or "tag" when the
 * input has no "pos"; sentences are the annotation's.  An attribute some
 * documents lack is the empty string on their tokens.
 *
 * Structures: "text" (one region per document, empty ones included; values
 * "id" and the metadata fields) and "s" (sentences; value "id" when the
 * annotation names them).  Positions and ids are kept in 32 bits: a builder
 * refuses more than 2^32 - 2 tokens (CP_ERANGE); an index holds more. */
#ifndef CORPUSRUN_CPOS_MEM_H
#define CORPUSRUN_CPOS_MEM_H

#include <stddef.h>

#include "cpos.h"
#include "load.h"
#include "tokenizer.h"

typedef struct cpm_builder cpm_builder;

/* A document's id and metadata: nmeta pairs key, value (lengths in the _len
 * arrays; keys without NUL bytes). */
typedef struct cpm_doc {
    const char *id;
    size_t id_len;
    const char *const *meta;
    const size_t *meta_len;
    size_t nmeta;
} cpm_doc;

/* A new builder; topts: the tokeniser's options for plain text (NULL:
 * defaults; copied, sentences always tracked).  NULL when out of memory. */
cpm_builder *cpm_new(const cr_tokenizer_opts *topts);
void cpm_free(cpm_builder *b);

/* Adds a document of plain text (tokenised here) or of annotated tokens.
 * CP_OK, CP_ENOMEM or CP_ERANGE (too many tokens); after an error the
 * builder refuses everything but cpm_free. */
int cpm_add_text(cpm_builder *b, const cpm_doc *d, const char *text, size_t len);
int cpm_add_tokens(cpm_builder *b, const cpm_doc *d, const ld_tokens *t);

/* The corpus built (its ops->close frees it); b is freed either way.  NULL
 * when out of memory or after an error. */
cp_corpus *cpm_finish(cpm_builder *b);

#endif
