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

#include "buf.h"

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
    int elisions;             /* split French elisions (l’Iran → l’ Iran); -1: when lang is "fr" */
    int spaces;               /* emit CR_TOK_SPACE tokens */
    int sentences;            /* track sentence index in cr_token.sentence */
    const char *lang;         /* "en", "fr", "nl" or NULL: abbreviations, elisions */
    /* Tailoring switches, each on by default (ignored when tailor is 0). */
    int urls, emails, mentions, hashtags, acronyms;
    /* Kinds to return (CR_KIND_BIT set); 0: every kind (space only with spaces). */
    unsigned kinds;
    /* More abbreviations for sentence splitting (sentbreak.h), or NULL. */
    const struct cr_abbrevs *abbrevs;
} cr_tokenizer_opts;

/* Default options: tailoring on, hyphens join, possessive keep, no spaces. */
void cr_tokenizer_opts_default(cr_tokenizer_opts *opts);

/* Sets one option by name from its text, so that every binding accepts the
 * same names and values:
 *   tailor elisions spaces sentences urls emails mentions hashtags acronyms:
 *     "true" | "false"
 *   hyphens: "join" | "split";  possessive: "keep" | "strip" | "split"
 *   lang: "en" | "fr" | "nl";  kinds: comma-separated kind names ("word,number")
 * Returns 0, -1 for an unknown key, -2 for a bad value (opts unchanged). */
int cr_tokenizer_opt_set(cr_tokenizer_opts *opts, const char *key, const char *value);
/* Whether key names a boolean option (its value is "true" or "false"). */
int cr_tokenizer_opt_is_bool(const char *key);

typedef struct cr_token {
    size_t start;          /* byte offset of the first byte */
    size_t stop;           /* byte offset one past the last byte */
    cr_token_kind kind;
    size_t sentence;       /* 0-based sentence index when opts.sentences */
} cr_token;

/* Iterator state; opaque in spirit, on the stack in practice.  Only text,
 * len and pos (the byte offset where the next token search starts) are for
 * callers to read. */
typedef struct cr_tokenizer {
    const char *text;
    size_t len;
    size_t pos;
    cr_tokenizer_opts opts;
    size_t sentence;
    size_t next_sentence_start;
    /* private */
    size_t la_start, la_stop;    /* cached UAX #29 segment (la_stop 0: none) */
    uint32_t la_seen;
    size_t pend_start, pend_stop;/* a token split off the previous one */
    int pend_kind;               /* -1: none */
    int elide;                   /* elisions in effect */
    unsigned sb_langs;           /* abbreviation lists for sentences */
    unsigned kinds;              /* kinds returned */
    int skip_ws;                 /* space tokens are not returned */
    int fast;                    /* the ASCII word fast path (1 after init;
                                    tests clear it to compare with the
                                    general path) */
} cr_tokenizer;

void cr_tokenizer_init(cr_tokenizer *t, const char *text, size_t len,
                       const cr_tokenizer_opts *opts /* NULL: defaults */);
/* Fills *tok with the next token; returns 1, or 0 at the end of the text. */
int cr_tokenizer_next(cr_tokenizer *t, cr_token *tok);

/* The end of the sentence that starts at pos (pos < len), by the
 * tokenizer's options: exact UAX #29 when tailor is 0, else with the
 * abbreviations of opts.lang (all built-in lists when NULL) and opts.abbrevs,
 * initials and dotted acronyms, and whitespace kept with the sentence before. */
size_t cr_tokenizer_sentence_end(const cr_tokenizer *t, size_t pos);

/* Normalises s[0..len) at the given level into out (emptied first, as by
 * cr_buf_reset; NUL-terminated; s must not point into out).  Returns 0, or
 * -1 when out of memory (out is then failed).  Invalid UTF-8
 * becomes U+FFFD per bad byte at every level.  ASCII input takes a fast
 * path; nothing is allocated once the buffer is large enough.
 *   CR_NORM_CASEFOLD: NFKC_Casefold (NFKC, full case folding, default
 *     ignorable code points removed), as utf8proc computes it.
 *   CR_NORM_KEY: for matching Latin-script names: casefold, marks stripped,
 *     the apostrophes U+2019 U+2018 U+02BC U+FF07 made U+0027, and a final
 *     possessive 's removed ("Iran’s" -> "iran", "Défi" -> "defi"). */
int cr_normalize(cr_buf *out, const char *s, size_t len, cr_norm_level level);
/* Level from its name ("raw", "nfc", "casefold", "key"); -1 when unknown. */
int cr_norm_level_from_name(const char *name);
const char *cr_norm_level_name(cr_norm_level level);

/* Display width in terminal columns of s[0..len): per grapheme cluster, the
 * widest of its code points by utf8proc_charwidth (emoji presentation
 * sequences count 2; control characters 0). */
size_t cr_display_width(const char *s, size_t len);

/* Whether the byte length at s[i] starts an apostrophe (U+0027, U+2019,
 * U+02BC, U+FF07): its length, else 0. */
size_t cr_apostrophe_len(const char *s, size_t len, size_t i);

#endif
