/* gaztext.h — the gazetteer over text: aliases and documents tokenised with
 * corpusrun's tokeniser, keys normalised at one level; TSV and spaCy
 * EntityRuler JSONL sources.  Pure C, no Lua. */
#ifndef CORPUSRUN_GAZTEXT_H
#define CORPUSRUN_GAZTEXT_H

#include "gazetteer.h"
#include "tokenizer.h"

/* A line of a gazetteer file that was not valid UTF-8, and what it was
 * decoded as (the loaders decode line by line: load.h, ld_decode_lines). */
typedef struct cr_gaz_note {
    char *path;            /* owned */
    size_t line;           /* from 1 */
    uint64_t offset;       /* of its first invalid byte in the file */
    int mixed;             /* it also held UTF-8: only its invalid bytes were decoded */
    char encoding[32];     /* what they were decoded as */
} cr_gaz_note;

typedef struct cr_gaztext {
    cr_gazetteer g;
    cr_tokenizer_opts tok;
    cr_norm_level level;   /* of insensitive aliases and text keys (default key) */
    /* scratch reused across calls */
    cr_buf norm;
    cr_buf keys;           /* normalised keys of the tokens being handled */
    cr_gaz_text *toks;
    size_t ntoks, captoks;
    int64_t *labels;       /* two per token (cr_gaz_match_labels) */
    size_t caplabels;
    /* The labels of the short ASCII insensitive keys (asciikey.h), all of
     * them, in a table of their own; rebuilt when aliases were added. */
    struct cr_gaz_lslot *ltab;
    size_t lmask;          /* slots - 1 */
    size_t lkeys;          /* keys[0].size when the table was built */
    /* The number of sentences with a token in the text last matched, as
     * the matches' sentence indices count them. */
    size_t sentences;
    /* lines of the loaded files decoded with a guess, in order */
    cr_gaz_note *notes;
    size_t nnotes, capnotes;
} cr_gaztext;

int cr_gaztext_init(cr_gaztext *gt, cr_norm_level level, const cr_tokenizer_opts *tok);
void cr_gaztext_free(cr_gaztext *gt);

/* Adds an alias of an entity.  The alias is tokenised (spaces dropped); a
 * `*` right after a token makes that token a prefix.  Sensitive aliases are
 * compared in NFC, others at gt->level.  An empty alias stands for the
 * entity name.  CR_EINVAL when the alias has no tokens or too many. */
int cr_gaztext_add(cr_gaztext *gt, const char *entity, size_t elen, const char *type, size_t tlen,
                   const char *alias, size_t alen, int sensitive);

/* Finds the aliases in text (byte offsets in the match are into text);
 * sets gt->sentences. */
int cr_gaztext_match(cr_gaztext *gt, const char *text, size_t len, cr_gaz_policy policy,
                     cr_gaz_emit emit, void *ud);

/* 0 when text certainly holds none of the aliases, found without
 * tokenising it; 1 when it may (cr_gaztext_match then says).  It can tell
 * only for a gazetteer of a few insensitive aliases whose keys are ASCII
 * letters, digits and hyphens, over text of ASCII and of characters that no
 * normalisation turns into letters or digits (punctuation, spaces): the
 * key of such a token is then a substring of its bytes (casefolded) that
 * no ASCII letter or digit touches (the tokeniser never splits a run of
 * them), so some alias key must occur so for any alias to match. */
int cr_gaztext_may_match(const cr_gaztext *gt, const char *text, size_t len);

/* Loaders: on failure they return a CR_E* code and write a message naming
 * the file and line into err (size errlen).  A file that is not UTF-8 is
 * decoded line by line (a byte order mark decides for the whole: UTF-16,
 * UTF-32); every line decoded with a guess adds a note to gt->notes. */
int cr_gaztext_load_tsv(cr_gaztext *gt, const char *path, char *err, size_t errlen);
int cr_gaztext_load_jsonl(cr_gaztext *gt, const char *path, char *err, size_t errlen);

/* "invalid UTF-8 at byte N: decoded as ENC" (what a note says, without its
 * file and line) into buf; returns buf. */
const char *cr_gaz_note_reason(const cr_gaz_note *n, char *buf, size_t len);

#endif
