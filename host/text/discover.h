/* discover.h — candidate named entities in a text, found in C: capitalised
 * multi-word sequences ("Brussels Urban Summit", "Society of Iranian
 * Experts") and acronyms ("JCPOA", "U.N.").  Pure C, no Lua.
 *
 * The rules (docs/discovery.md) read the word and number tokens of the
 * default tokeniser with sentence tracking:
 *   - a sequence is a run of capitalised words separated only by spaces,
 *     tabs or no-break spaces, within one sentence; up to two lower-case
 *     name particles (of, the, de, van, al, ...) may join two capitalised
 *     words; a possessive ('s, ’s, ‘s) ends the run and is dropped from it;
 *   - function words capitalised by position ("The", "In", "Mr") are dropped
 *     from the front of a run, particles from its end;
 *   - a single word is a candidate only when it is an acronym (two to twelve
 *     bytes of A-Z . - &, at least two capitals, not a Roman numeral);
 *     acronyms inside a longer run are candidates of their own;
 *   - a run whose last word starts inside a covered span (a gazetteer match)
 *     is skipped, as is an acronym that starts inside one;
 *   - an occurrence is "initial" when its run starts its sentence, or lies in
 *     a title-case sentence (a headline: three or more content words, nine in
 *     ten capitalised); acronyms and runs that lost a leading function word
 *     are never initial.
 * Merging occurrences by normalised form and ranking them is the caller's
 * (lib/lua/discover.lua). */
#ifndef CORPUSRUN_DISCOVER_H
#define CORPUSRUN_DISCOVER_H

#include <stddef.h>

#include "countext.h"
#include "tokenizer.h"

/* A byte span [start, stop) of the text. */
typedef struct cr_span {
    size_t start, stop;
} cr_span;

/* One occurrence: the candidate's form is forms[form_off .. form_off +
 * form_len) (the run's words joined by one space, a final possessive
 * dropped); start/stop are the byte span of its tokens in the text (the
 * possessive included). */
typedef struct cr_candidate {
    size_t form_off, form_len;
    size_t start, stop;
    int initial;
} cr_candidate;

/* Scratch and results, reused across texts.  Read cands[0 .. ncands) and
 * forms after a scan; they stay valid until the next scan. */
typedef struct cr_discover {
    cr_candidate *cands;
    size_t ncands;
    char *forms;
    /* private */
    size_t cands_cap, forms_len, forms_cap;
    struct cr_discover_tok *toks;
    size_t ntoks, toks_cap;
    unsigned char *title; /* per sentence: 1 when title case */
    size_t title_cap;
    cr_buf fold;          /* the casefolded token */
    char lower[16];       /* a short ASCII token, lower-cased */
    struct cr_discover_lists *lists;
    /* The tokens come from the counting loop's fast paths as ids of a
     * vocabulary, so that a word's classes are worked out once per word
     * (types[id]), not once per token; the vocabulary starts again when
     * it grows past a bound. */
    cr_counter vocab;
    cr_textscratch ts;
    unsigned char *types;
    size_t types_cap;
} cr_discover;

/* Allocates the scratch; NULL when out of memory. */
cr_discover *cr_discover_new(void);
void cr_discover_free(cr_discover *d);

/* Scans text[0..len) for candidates, in text order (for each run, the
 * acronyms inside it first, then the run).  covered: spans sorted by start,
 * not overlapping (may be NULL when ncovered is 0).  Returns 0, or -1 when
 * out of memory (the results are then empty). */
int cr_discover_scan(cr_discover *d, const char *text, size_t len, const cr_span *covered, size_t ncovered);

/* Whether s[0..len) begins with an upper-case character: A-Z, or a
 * character beyond ASCII (the lead byte and the continuation bytes after it)
 * that casefolding changes, except ß.  scratch: a caller's buffer.  -1 when
 * out of memory. */
int cr_discover_is_capitalised(const char *s, size_t len, cr_buf *scratch);

/* Whether s[0..len) is an acronym by the rule above. */
int cr_discover_is_acronym(const char *s, size_t len);

#endif
