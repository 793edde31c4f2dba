/* textopts.h — the tokeniser options every tokenising function takes
 * (tokenize.*, count.*, match.*, the FTS5 tokenizer `corpusrun`, corpus
 * databases): one set of names, values and messages, set here from text so
 * that every binding accepts the same table.  Pure C, no Lua.
 * docs/api/tokenize.md documents them. */
#ifndef CORPUSRUN_TEXTOPTS_H
#define CORPUSRUN_TEXTOPTS_H

#include <stddef.h>

#include "tokenizer.h"

typedef struct cr_textopts {
    cr_tokenizer_opts tok;
    cr_norm_level level;  /* normalisation of the returned or counted text */
    unsigned kinds;       /* CR_KIND_BIT set of returned or counted token kinds */
    int sentences;        /* by sentence: counters' segments, tokens' sentence numbers */
} cr_textopts;

/* Defaults of the counters: tokenizer defaults, level casefold, kinds word
 * and number, whole-text segments.  Each function documents its own. */
void cr_textopts_default(cr_textopts *o);

/* The option names, in the order a table's options are applied (kinds
 * before spaces, so that spaces = false wins over "space" in kinds). */
extern const char *const cr_textopts_keys[];
/* Whether key is one of them. */
int cr_textopts_is_key(const char *key);
/* Whether key's values are true and false. */
int cr_textopts_is_bool(const char *key);

enum { CR_TEXTOPT_UNKNOWN = -1, CR_TEXTOPT_BADVALUE = -2 };

/* Sets option key from its text:
 *   level: "raw" | "nfc" | "casefold" | "key"
 *   kinds: "all" (every kind but space) or kind names separated by commas
 *   tailor spaces sentences elisions urls emails mentions hashtags acronyms:
 *     "true" | "false"
 *   hyphens: "join" | "split";  possessive: "keep" | "strip" | "split"
 *   lang: "en" | "fr" | "nl"
 * spaces = true adds space to kinds (false removes it); space in kinds
 * makes the tokenizer return space tokens.
 * value NULL stands for a value of the wrong type.  Returns 0 (o changed),
 * or CR_TEXTOPT_UNKNOWN / CR_TEXTOPT_BADVALUE (o unchanged) with a message in
 * err (at most errsize bytes, NUL-terminated): "unknown option 'k'" or
 * "option 'k' must be ALLOWED, not 'v'" (without ", not ..." when value is
 * NULL, for the caller to name the type). */
int cr_textopts_set(cr_textopts *o, const char *key, const char *value, char *err, size_t errsize);

/* The allowed values of key as the messages give them; NULL when unknown. */
const char *cr_textopts_allowed(const char *key);

#endif
