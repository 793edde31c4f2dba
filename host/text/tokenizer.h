/* tokenizer.h — corpusrun's tokeniser: UAX #29 word segmentation with
 * corpus tailoring, and per-token normalisation.  Pure C, no Lua.
 *
 * This header is the contract other cores (counter, cooc, gazetteer) build
 * on.  The iterator allocates nothing per token: tokens are byte spans of the
 * caller's text, and normalisation writes into a caller-owned reusable buffer.
 */
#ifndef CORPUSRUN_TOKENIZER_H
#define CORPUSRUN_TOKENIZER_H

#include <stddef.h>
#include <stdint.h>

typedef enum cr_token_kind {
    CR_TOK_WORD = 0,
    CR_TOK_NUMBER,
    CR_TOK_URL,
    CR_TOK_EMAIL,
    CR_TOK_MENTION,
    CR_TOK_HASHTAG,
    CR_TOK_EMOJI,
    CR_TOK_ID,
    CR_TOK_PUNCT,
    CR_TOK_SYMBOL,
    CR_TOK_SPACE,
    CR_TOK__COUNT
} cr_token_kind;

/* Bit set of kinds, e.g. CR_KIND_BIT(CR_TOK_WORD) | CR_KIND_BIT(CR_TOK_NUMBER). */
#define CR_KIND_BIT(k) (1u << (unsigned)(k))
#define CR_KINDS_WORDS (CR_KIND_BIT(CR_TOK_WORD) | CR_KIND_BIT(CR_TOK_NUMBER))

/* Name of a kind ("word", "number", ...); NULL when out of range. */
const char *cr_token_kind_name(cr_token_kind kind);
/* Kind from its name; -1 when unknown. */
int cr_token_kind_from_name(const char *name);

typedef enum cr_norm_level {
    CR_NORM_RAW = 0,  /* bytes as they are (invalid UTF-8 still becomes U+FFFD) */
    CR_NORM_NFC,      /* Unicode NFC */
    CR_NORM_CASEFOLD, /* NFKC_Casefold */
    CR_NORM_KEY       /* casefold + marks stripped + apostrophes lumped + possessive stripped */
} cr_norm_level;

typedef enum { CR_HYPHENS_JOIN = 0, CR_HYPHENS_SPLIT } cr_hyphens;
typedef enum { CR_POSSESSIVE_KEEP = 0, CR_POSSESSIVE_STRIP, CR_POSSESSIVE_SPLIT } cr_possessive;

typedef struct cr_tokenizer_opts {
    int tailor;               /* 0: exact UAX #29 words only (conformance mode) */
    cr_hyphens hyphens;
    cr_possessive possessive;
    int elisions;             /* split French elisions (l’Iran → l’ Iran) */
    int spaces;               /* emit CR_TOK_SPACE tokens */
    int sentences;            /* track sentence index in cr_token.sentence */
    const char *lang;         /* "en", "fr", "nl" or NULL: abbreviations, elisions */
} cr_tokenizer_opts;

/* Default options: tailoring on, hyphens join, possessive keep, no spaces. */
void cr_tokenizer_opts_default(cr_tokenizer_opts *opts);

typedef struct cr_token {
    size_t start;          /* byte offset of the first byte */
    size_t stop;           /* byte offset one past the last byte */
    cr_token_kind kind;
    size_t sentence;       /* 0-based sentence index when opts.sentences */
} cr_token;

/* Iterator state; opaque in spirit, on the stack in practice. */
typedef struct cr_tokenizer {
    const char *text;
    size_t len;
    size_t pos;
    cr_tokenizer_opts opts;
    size_t sentence;
    size_t next_sentence_start;
    uint32_t state[8];     /* private to the implementation */
} cr_tokenizer;

void cr_tokenizer_init(cr_tokenizer *t, const char *text, size_t len,
                       const cr_tokenizer_opts *opts /* NULL: defaults */);
/* Fills *tok with the next token; returns 1, or 0 at the end of the text. */
int cr_tokenizer_next(cr_tokenizer *t, cr_token *tok);

/* A growable byte buffer owned by the caller, reused across calls. */
typedef struct cr_buf {
    char *data;
    size_t len;
    size_t cap;
} cr_buf;

void cr_buf_free(cr_buf *b);

/* Normalises s[0..len) at the given level into out (replacing its contents,
 * NUL-terminated).  Returns 0, or -1 when out of memory. */
int cr_normalize(cr_buf *out, const char *s, size_t len, cr_norm_level level);

#endif
