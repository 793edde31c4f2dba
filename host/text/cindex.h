/* cindex.h — the positional index on disk: built from a stream of
 * documents with bounded memory, opened with mmap as a cp_corpus (cpos.h).
 * Pure C, no Lua.
 *
 * Building.  A builder (ci_builder) takes documents one at a time: plain
 * text (tokenised by corpusrun's tokeniser: attributes word, lower, key) or
 * annotated tokens (ld_tokens: word from the form, lower and key derived
 * from it, and every attribute of the input).  It keeps a batch in memory
 * and, when the batch is full, writes it as a sorted run (its lexicons
 * sorted by bytes, its postings grouped by id) appended to a temporary file
 * it is given.  ci_merge reads every run sequentially, in order, and writes
 * the index: lexicons merged, ids remapped, postings concatenated; lower
 * and key become a map from word's ids (their postings are their words',
 * merged when read).  Memory
 * is the batch's (opts.batch_tokens) while building, and the lexicons' (not
 * the tokens') while merging.  Runs built by several processes over
 * consecutive parts of a corpus merge into the same bytes as one process's.
 *
 * The index is one file: a 48-byte header (magic, format version, the
 * table's offset, count and checksum), sections, and a table naming each
 * section with its offset, size and a 64-bit checksum.  Opening checks the
 * header, the table, every section's bounds and the structure of the small
 * tables (lexicon and postings offsets, regions), not the bulk bytes:
 * ci_verify checksums every section.  Reading bulk bytes checks what it
 * reads (ids within their lexicon, positions ascending within the corpus),
 * so a corrupt file gives CP_EIO and ci_error names the section and byte,
 * never a crash. */
#ifndef CORPUSRUN_CINDEX_H
#define CORPUSRUN_CINDEX_H

#include <stddef.h>
#include <stdint.h>

#include "cpos.h"
#include "load.h"

#define CI_FORMAT_VERSION 1
#define CI_MAGIC "CRPINDEX"
#define CI_ERR_SIZE 512

/* ---- building ------------------------------------------------------------ */
typedef struct ci_build_opts {
    size_t batch_tokens;   /* tokens per run (0: 1 << 21) */
} ci_build_opts;

/* A document to index.  meta: n_meta key/value pairs (value types as load.h's
 * ld_vtype).  tokens: annotated tokens, or NULL to tokenise text. */
typedef struct ci_doc {
    const char *id, *path, *title, *text;
    size_t id_len, path_len, title_len, text_len;
    const char *const *meta_keys, *const *meta_vals;
    const size_t *meta_klen, *meta_vlen;
    const int *meta_types;
    size_t n_meta;
    uint64_t bytes;              /* the document's bytes in its source */
    const ld_tokens *tokens;
} ci_doc;

typedef struct ci_builder ci_builder;

/* A builder appending its runs to fd (a temporary file, open for writing
 * at its end; not closed).  NULL when out of memory. */
ci_builder *ci_builder_new(int fd, const ci_build_opts *opts);
/* Adds a document.  0, or -1 with ci_builder_error set (out of memory, a
 * write failed, a document whose attributes differ from the first's). */
int ci_builder_add(ci_builder *b, const ci_doc *d);
/* Writes the last run.  0 or -1. */
int ci_builder_finish(ci_builder *b);
/* The runs written so far: their count, and the offset in fd of each
 * (offsets[k]; the end of the last is the file's end). */
size_t ci_builder_runs(const ci_builder *b, const uint64_t **offsets);
uint64_t ci_builder_tokens(const ci_builder *b);
uint64_t ci_builder_docs(const ci_builder *b);
const char *ci_builder_error(const ci_builder *b);
void ci_builder_free(ci_builder *b);

/* A run: the file holding it and its bytes [off, end). */
typedef struct ci_run {
    int fd;
    uint64_t off, end;
} ci_run;

/* Merges runs, in corpus order, into the index written to out (open for
 * reading and writing, empty); scratch is a temporary file (open for reading
 * and writing) it may append to.  receipt: JSON text kept in the index (what
 * built it), or NULL.  0, or -1 with err set. */
int ci_merge(const ci_run *runs, size_t nruns, int out, int scratch, const char *receipt,
             size_t receipt_len, char *err, size_t errsize);

/* ---- reading ------------------------------------------------------------- */
typedef struct ci_index ci_index;

/* Whether the first bytes of a file say it is an index (8 bytes or more). */
int ci_is_index(const void *head, size_t n);
/* Opens the index at path (through the path policy), mmaped.  NULL with err
 * set ("PATH: byte N: ...") when it cannot be read or is not sound. */
ci_index *ci_open(const char *path, char *err, size_t errsize);
/* The same over bytes in memory (not copied; they must outlive the index). */
ci_index *ci_open_mem(const void *p, size_t n, const char *name, char *err, size_t errsize);
/* The index as a corpus (owned by the index; its close closes the index). */
cp_corpus *ci_corpus(ci_index *ix);
ci_index *ci_of_corpus(cp_corpus *c);   /* NULL when c is not an index */
void ci_close(ci_index *ix);
/* The message of the last CP_EIO (naming the file, section and byte). */
const char *ci_error(const ci_index *ix);
/* Checksums every section: 0, or -1 with err naming the first bad one. */
int ci_verify(const ci_index *ix, char *err, size_t errsize);

/* The receipt (JSON) the index was built with; empty when none. */
const char *ci_receipt(const ci_index *ix, size_t *len);
uint64_t ci_file_size(const ci_index *ix);

/* Documents: how many; document k's first position and end; its text
 * rebuilt exactly into out (appended); its path and title (NULL, 0 when
 * none); its metadata (key/value/type per key of the "text" structure but
 * "id"); whether it was annotated, and then its tokens (ld_tokens as the
 * loader gives, into *t, which ld_tokens_free releases).  Functions
 * returning int give 0, CP_ENOMEM or CP_EIO. */
int64_t ci_docs(const ci_index *ix);
int ci_doc_text(ci_index *ix, int64_t k, cr_buf *out);
const char *ci_doc_path(const ci_index *ix, int64_t k, size_t *len);
const char *ci_doc_title(const ci_index *ix, int64_t k, size_t *len);
int ci_doc_meta_type(const ci_index *ix, int64_t k, size_t key);
int ci_doc_annotated(const ci_index *ix, int64_t k);
int ci_doc_tokens(ci_index *ix, int64_t k, ld_tokens *t);
/* The bytes of document k's source (what the loader said it held). */
uint64_t ci_doc_bytes(const ci_index *ix, int64_t k);
/* The document whose id is id, or -1 (a linear scan of the ids). */
int64_t ci_doc_find(const ci_index *ix, const char *id, size_t len);

/* What appending reads of an index (cindex_build.c's ci_index_to_run):
 * document k's text after its last token; whether attribute a is derived
 * from word (lower, key); the annotated input's attribute names and which
 * is the form (0 names for plain text); the hidden attribute of the text
 * around each token: its lexicon's size, the ids at [from, from + n), the
 * string of an id. */
const char *ci_doc_tail(const ci_index *ix, int64_t k, size_t *len);
int ci_attr_derived(const ci_index *ix, int a);
size_t ci_input(const ci_index *ix, const char *const **names, size_t *form);
cp_id ci_gap_size(const ci_index *ix);
int ci_gap_ids(ci_index *ix, cp_pos from, size_t n, cp_id *out);
const char *ci_gap_str(const ci_index *ix, cp_id id, size_t *len);

/* Writes the index as one run (the builder's format) appended to fd, so
 * that ci_merge merges it with the runs of new documents: appending to an
 * index reads its lexicons, postings and token streams, never its source.
 * An index of 2^32 tokens or more cannot be one run.  The run's offset in
 * *off; 0, or -1 with err set. */
int ci_index_to_run(ci_index *ix, int fd, uint64_t *off, char *err, size_t errsize);

/* Sizes in bytes of the sections of attribute a (lexicon, token stream or
 * map, postings): for measurements. */
void ci_attr_sizes(const ci_index *ix, int a, uint64_t *lex, uint64_t *ids, uint64_t *post);

#endif
