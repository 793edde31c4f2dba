/* cpos.h — a corpus seen as token positions with attributes: what the query
 * language (cqp.c) evaluates against.  Two kinds of corpora give this view:
 * an index on disk (cindex.c, opened with mmap) and documents read into
 * memory (cpos_mem.c, for a corpus without an index).
 *
 * Positions count tokens from 0 over the whole corpus, documents one after
 * another, in 64 bits.  A positional attribute (word, lower, key, lemma, pos,
 * upos...) gives every position one string; its lexicon holds each distinct
 * string once, with ids 0..n-1 in the byte order of the strings (memcmp,
 * shorter first on a tie), so that a regular expression runs over the
 * lexicon and a prefix is a range of ids.  A structural attribute (text,
 * s, p) is a sorted list of non-overlapping regions [start, end), each with
 * named values (a text's id and metadata; a sentence's id). */
#ifndef CORPUSRUN_CPOS_H
#define CORPUSRUN_CPOS_H

#include <stddef.h>
#include <stdint.h>

typedef int64_t cp_pos;   /* a token position; -1: none */
typedef int64_t cp_id;    /* a lexicon id of one attribute; -1: none */

/* A growable array of positions (sorted ascending where a function says so). */
typedef struct cp_posvec {
    cp_pos *v;
    size_t n, cap;
} cp_posvec;

/* Return codes of the functions below. */
enum { CP_OK = 0, CP_ENOMEM = -1, CP_EIO = -2, CP_ERANGE = -3 };

typedef struct cp_corpus cp_corpus;

/* The operations every kind of corpus provides.  self is the cp_corpus.
 * Attribute and structure numbers index the names lists below.  Strings
 * returned stay valid while the corpus is open and are not NUL-terminated
 * unless said. */
typedef struct cp_ops {
    /* Lexicon of attribute a: its size, the string of id, the id of a string
     * (-1 when absent; binary search), and how many positions hold id. */
    cp_id (*lex_size)(const cp_corpus *self, int a);
    const char *(*lex_str)(const cp_corpus *self, int a, cp_id id, size_t *len);
    cp_id (*lex_find)(const cp_corpus *self, int a, const char *s, size_t len);
    uint64_t (*lex_freq)(const cp_corpus *self, int a, cp_id id);
    /* Appends to out, ascending, every position whose attribute a is id. */
    int (*postings)(const cp_corpus *self, int a, cp_id id, cp_posvec *out);
    /* The ids of attribute a at positions [from, from + n) into out[0..n). */
    int (*ids_at)(const cp_corpus *self, int a, cp_pos from, size_t n, cp_id *out);
    /* Structure s: how many regions; region k's [start, end); the region
     * holding pos (its number, or -1 when none holds it). */
    int64_t (*regions)(const cp_corpus *self, int s);
    int (*region)(const cp_corpus *self, int s, int64_t k, cp_pos *start, cp_pos *end);
    int64_t (*region_of)(const cp_corpus *self, int s, cp_pos pos);
    /* Region k's value named key (NULL, *len 0 when it has none): for
     * "text", "id" is the document id and the metadata fields follow. */
    const char *(*region_value)(const cp_corpus *self, int s, int64_t k, const char *key, size_t klen,
                                size_t *len);
    void (*close)(cp_corpus *self);
} cp_ops;

struct cp_corpus {
    const cp_ops *ops;
    cp_pos size;                 /* tokens */
    int nattrs, nstructs;
    const char *const *attrs;    /* NUL-terminated names; attrs[0] is "word" */
    const char *const *structs;  /* NUL-terminated names; "text" is the documents */
    const char *const *const *keys;   /* per structure: its value names, NULL-terminated */
};

/* The attribute or structure named name, or -1.  An attribute "pos" that
 * the corpus lacks is its "xpos", else its "tag" (CWB corpora call the tag
 * pos; CoNLL-U and word/TAG do not). */
int cp_attr(const cp_corpus *c, const char *name);
int cp_struct(const cp_corpus *c, const char *name);

/* posvec helpers: append one position (CP_OK or CP_ENOMEM), free. */
int cp_posvec_push(cp_posvec *v, cp_pos p);
void cp_posvec_free(cp_posvec *v);

#endif
