/* sentbreak.h — UAX #29 sentence boundaries (Unicode 15.0) with optional
 * tailoring for corpus text: abbreviations (Mr., Dr., Mme.), initials and
 * dotted acronyms (U.N.) before a capitalised word do not end a sentence, and
 * whitespace between sentences belongs to the sentence before it.  Pure C.
 */
#ifndef CORPUSRUN_SENTBREAK_H
#define CORPUSRUN_SENTBREAK_H

#include <stddef.h>

/* A set of abbreviations: words that take a full stop without ending a
 * sentence (Mr., Dr., Mme.), written without the full stop and matched
 * ignoring ASCII case.  Built-in lists exist for en, fr and nl; a set holds
 * the words a script adds. */
typedef struct cr_abbrevs cr_abbrevs;

cr_abbrevs *cr_abbrevs_new(void);
void cr_abbrevs_free(cr_abbrevs *a);
/* Adds a word (without the final full stop; at most CR_ABBREV_MAX bytes);
 * 0, -1 out of memory, -2 when empty or too long. */
int cr_abbrevs_add(cr_abbrevs *a, const char *word, size_t len);
int cr_abbrevs_has(const cr_abbrevs *a, const char *word, size_t len);
#define CR_ABBREV_MAX 31

/* Bit of a language's built-in list ("en", "fr", "nl"); 0 when unknown. */
unsigned cr_abbrevs_lang(const char *lang);
#define CR_ABBREVS_ALL 7u
/* Whether word is in one of the built-in lists selected by langs. */
int cr_abbrevs_builtin_has(unsigned langs, const char *word, size_t len);
/* The built-in list of one language bit, NULL-terminated. */
const char *const *cr_abbrevs_builtin_list(unsigned lang_bit);

/* Whether word (len bytes, no final full stop) is a dotted abbreviation:
 * two or more groups of one to three ASCII letters joined by single full
 * stops ("U.S", "U.S.A", "e.g", "Ph.D", "M.Sc").  Such a word keeps the full
 * stop that follows it as a token and does not end a sentence with it. */
int cr_dotted_abbrev(const char *word, size_t len);

typedef struct cr_sb_tailor {
    unsigned langs;            /* built-in abbreviation lists (CR_ABBREVS_ALL, ...) */
    const cr_abbrevs *extra;   /* more abbreviations, or NULL */
    int initials;              /* "U.N. Human", "J. Smith": no break after dotted letters */
    int merge_blank;           /* whitespace after a sentence belongs to it */
} cr_sb_tailor;

/* Returns the first sentence boundary after pos (pos < len), treating pos as
 * the start of a sentence; len at the end.  tailor NULL: exactly UAX #29. */
size_t cr_sb_next(const char *text, size_t len, size_t pos, const cr_sb_tailor *tailor);

#endif
