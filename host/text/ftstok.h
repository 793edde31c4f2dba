/* ftstok.h — corpusrun's tokeniser as an SQLite FTS5 tokenizer.  Pure C,
 * no Lua: the index and every count agree on what a word is.
 *
 *   CREATE VIRTUAL TABLE t USING fts5(text, tokenize = 'corpusrun');
 *   CREATE VIRTUAL TABLE t USING fts5(text,
 *       tokenize = 'corpusrun level casefold possessive split kinds word,number');
 *
 * Arguments come in pairs: `level` (raw, nfc, casefold, key; default key)
 * and every option cr_tokenizer_opt_set knows (tailor, hyphens, possessive,
 * elisions, lang, urls, emails, mentions, hashtags, acronyms, kinds).  By
 * default every kind but punct, symbol and space is indexed. */
#ifndef CORPUSRUN_FTSTOK_H
#define CORPUSRUN_FTSTOK_H

#include <sqlite3.h>

#define CR_FTS5_TOKENIZER "corpusrun"

/* Registers the tokenizer on db.  Returns SQLITE_OK, or an SQLite error
 * code (SQLITE_ERROR when the library has no FTS5). */
int cr_fts5_register(sqlite3 *db);

/* The kinds indexed by default. */
unsigned cr_fts5_default_kinds(void);

#endif
