/* lemma.h — an English lemmatiser driven by Brown's part-of-speech tags:
 * WordNet's morphological rules and exception lists (compiled in from
 * Debian's wordnet-base by tools/gen_lemma_tables.lua), and rules for what
 * WordNet lacks: the forms of be, have and do, modal verbs, personal
 * pronouns, contractions (n't -> not, 's -> be, have or the possessive,
 * 're, 'm, 'll, 've, 'd), possessives.  Proper nouns are kept as written
 * (their possessive ending removed); every other lemma is lowercased.  A
 * token Brown tags as two words ("he's", pps+bez; "didn't", dod*) gets
 * both lemmas, joined by a space ("he be", "do not"). */
#ifndef CORPUSRUN_LEMMA_H
#define CORPUSRUN_LEMMA_H
#include <stddef.h>

/* out must hold len + LEMMA_EXTRA bytes; the lemma's length is returned
 * (a NUL follows it).  tag is a Brown base tag ("vbd", "nns", "ppss+md"). */
#define LEMMA_EXTRA 16
size_t lemma_of(const char *word, size_t len, const char *tag, char *out);
#endif
