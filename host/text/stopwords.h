/* stopwords.h — stopword lists (from the npm package stopwords-iso, MIT
 * licence) for de, en, es, fr, it, nl and pt.  Pure C, read-only data. */
#ifndef CORPUSRUN_STOPWORDS_H
#define CORPUSRUN_STOPWORDS_H

#include <stddef.h>

typedef struct cr_stopword_list {
    const char *lang;
    const char *const *words; /* sorted by bytes, NULL-terminated */
    size_t count;
} cr_stopword_list;

/* Every list, ended by an entry whose lang is NULL. */
extern const cr_stopword_list cr_stopword_lists[];
/* Where the lists come from, with the version and licence. */
extern const char cr_stopwords_source[];

/* The list of a language; NULL when there is none. */
const cr_stopword_list *cr_stopwords(const char *lang);

/* Whether word[0..len) is in the list.  Apostrophes U+2019, U+02BC and
 * U+FF07 match the ASCII one the lists use ("don’t" finds "don't"). */
int cr_stopwords_has(const cr_stopword_list *list, const char *word, size_t len);

#endif
