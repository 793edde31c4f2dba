/* gazetteer.h — a token-trie gazetteer: entities with aliases, matched on
 * normalised token keys.  Pure C, no Lua.
 *
 * The core knows nothing of tokenisation: aliases are added as sequences of
 * token keys, and text is matched as an array of tokens carrying their keys.
 * gaztext.h wraps both with the tokeniser.
 *
 * Each alias token is either exact or a prefix (a trailing `*` in the
 * source), and each alias is either insensitive (its keys are compared with
 * the text tokens' `key`) or sensitive (compared with their `exact` form).
 * Matches never cross a sentence boundary. */
#ifndef CORPUSRUN_GAZETTEER_H
#define CORPUSRUN_GAZETTEER_H

#include "counter.h"

#define CR_GAZ_MAX_TOKENS 64  /* tokens in one alias */

typedef struct cr_gaz_token {
    const char *key;
    size_t len;
    int prefix;          /* matches any text key starting with key */
} cr_gaz_token;

typedef struct cr_gaz_entry {
    uint32_t entity, type, alias; /* ids in the gazetteer's string pool */
} cr_gaz_entry;

typedef struct cr_gaz_node {
    uint32_t payload;    /* index + 1 of the first payload; 0: not terminal */
    uint8_t prefix_edges;/* bit 0: insensitive prefix edges, bit 1: sensitive */
} cr_gaz_node;

typedef struct cr_gaz_payload {
    uint32_t entry;
    uint32_t next;       /* index + 1 of the next payload; 0: end */
} cr_gaz_payload;

typedef struct cr_gazetteer {
    cr_counter strings;  /* entity names, types, aliases as written */
    cr_counter keys[4];  /* edge labels: exact-insensitive, exact-sensitive,
                            prefix-insensitive, prefix-sensitive */
    cr_tuples edges;     /* (node, label kind, label id) → child in counts */
    cr_gaz_node *nodes;
    size_t nnodes, capnodes;
    cr_gaz_payload *payloads;
    size_t npayloads, cappayloads;
    cr_gaz_entry *entries;
    size_t nentries, capentries;
    size_t aliases;      /* aliases added (duplicates included) */
    int has_sensitive;
    unsigned prefix_kinds; /* bit 0: some insensitive alias has a prefix token, bit 1: sensitive */
    size_t prefix_maxlen[2]; /* the longest prefix label, insensitive and sensitive:
                                no longer prefix of a token is looked up */
} cr_gazetteer;

int cr_gaz_init(cr_gazetteer *g);
void cr_gaz_free(cr_gazetteer *g);
/* Adds one alias of an entity.  n in 1..CR_GAZ_MAX_TOKENS, else CR_EINVAL.
 * Adding the same (entity, type, alias path) twice has no effect. */
int cr_gaz_add(cr_gazetteer *g, const cr_gaz_token *toks, size_t n, int sensitive,
               const char *entity, size_t elen, const char *type, size_t tlen,
               const char *alias, size_t alen);

/* One token of the text being matched. */
typedef struct cr_gaz_text {
    size_t start, stop;  /* byte span */
    size_t sentence;
    const char *key;     /* normalised at the gazetteer's level */
    size_t keylen;
    const char *exact;   /* the form sensitive aliases compare with (NFC) */
    size_t exactlen;
} cr_gaz_text;

typedef enum { CR_GAZ_LONGEST = 0, CR_GAZ_ALL } cr_gaz_policy;

typedef struct cr_gaz_match {
    const char *entity, *type, *alias;
    size_t elen, tlen, alen;
    size_t start, stop;  /* byte span from the first to the last token */
    size_t sentence;
    size_t first, last;  /* token indices */
    uint32_t entry;
} cr_gaz_hit;

/* Return nonzero to stop matching (that value is returned by cr_gaz_match). */
typedef int (*cr_gaz_emit)(void *ud, const cr_gaz_hit *m);

/* Matches toks[0..n).  LONGEST: at each position the longest alias, then
 * on after it, no overlaps; every entry of that alias is reported, in the
 * order the entries were added.  ALL: every alias at every position, by
 * start, then end, then entry.  Returns 0, a CR_E* code, or what emit
 * returned. */
int cr_gaz_match(const cr_gazetteer *g, const cr_gaz_text *toks, size_t n,
                 cr_gaz_policy policy, cr_gaz_emit emit, void *ud);

/* The label of a whole token key: its id among the exact keys of the
 * insensitive (sensitive 0) or sensitive (1) aliases, or -1 when no alias
 * has that token. */
int64_t cr_gaz_label(const cr_gazetteer *g, int sensitive, const char *key, size_t len);

/* cr_gaz_match with the labels of the tokens computed by the caller:
 * labels[2 i] = cr_gaz_label(g, 0, toks[i].key, ...), labels[2 i + 1] the
 * sensitive one (-1 when the gazetteer has no sensitive alias).  The keys
 * of toks are then read only for prefix tokens (prefix_kinds): without
 * them they may be left empty. */
int cr_gaz_match_labels(const cr_gazetteer *g, const cr_gaz_text *toks, const int64_t *labels,
                        size_t n, cr_gaz_policy policy, cr_gaz_emit emit, void *ud);

#endif
