/* load.h — corpusrun's document loaders: directories, globs, plain text,
 * JSON Lines, CSV/TSV, HTML, XML/TEI and archives, with encoding detection
 * and a list of problems.  Pure C, no Lua.
 *
 * A corpus (ld_corpus) is a sorted list of entries (files, archives) built
 * when sources are added; an iterator (ld_iter) streams documents from it one
 * at a time.  A document's strings live in the iterator's reusable buffers and
 * stay valid until the next call to ld_iter_next.  Problems (skipped items and
 * encoding decisions) are recorded in the corpus, deduplicated, so several
 * passes over one corpus report each problem once.
 */
#ifndef CORPUSRUN_LOAD_H
#define CORPUSRUN_LOAD_H

#include <stddef.h>
#include <stdint.h>
#include <sys/types.h>

#include "buf.h"

/* ---- byte sources and the buffered reader ------------------------------ */
/* read() returns bytes read, 0 at end, -1 on error (message in errbuf). */
typedef struct ld_src {
    ssize_t (*read)(void *ud, char *buf, size_t n);
    void *ud;
} ld_src;

typedef struct ld_mem_src { const char *p; size_t n, pos; } ld_mem_src;
ld_src ld_src_mem(ld_mem_src *m, const void *p, size_t n);
ld_src ld_src_fd(int *fd);

/* ---- glob patterns ------------------------------------------------------ */
/* Shell-style match of a whole '/'-separated path: * and ? never cross '/',
 * [...] classes (with ! or ^), \ escapes, and a path segment of exactly "**"
 * matches zero or more whole segments. */
int ld_glob_match(const char *pattern, const char *path);
int ld_has_glob(const char *s);

/* ---- JSON objects (one JSON Lines record) ------------------------------ */
typedef enum ld_vtype { LD_STR, LD_NUM, LD_BOOL, LD_NULL, LD_JSON } ld_vtype;

typedef struct ld_field {
    size_t key, klen;     /* offsets into the owner's scratch buffer */
    size_t val, vlen;
    ld_vtype type;        /* LD_BOOL: val text is "true"/"false" */
} ld_field;

typedef struct ld_json {
    cr_buf scratch;       /* unescaped keys and values */
    ld_field *fields;
    size_t n, cap;
    size_t err_at;        /* byte offset of a parse error */
    const char *err;      /* static message, NULL when fine */
    const char *only;     /* when set, only this member's string value is
                             kept (others validated, vlen 0): for id scans */
} ld_json;

/* Parses one JSON object spanning s[0..n) (surrounding whitespace allowed).
 * Top-level members become fields: strings unescaped (lone surrogates become
 * U+FFFD), numbers and literals as their text, nested objects and arrays as
 * their (validated) JSON text.  Returns 0, or -1 with err/err_at set. */
int ld_json_parse(ld_json *j, const char *s, size_t n);
void ld_json_free(ld_json *j);
const char *ld_json_key(const ld_json *j, size_t i);
const char *ld_json_val(const ld_json *j, size_t i);

/* ---- CSV / TSV records (RFC 4180) -------------------------------------- */
typedef struct ld_csv {
    ld_src src;
    char delim;
    cr_buf in;             /* raw input window */
    size_t pos;
    int eof;
    int src_error;
    cr_buf rec;            /* field bytes of the current record */
    size_t *fstart;        /* field offsets into rec (n + 1 entries used) */
    size_t nf, fcap;
    long line;             /* current physical line (1-based) */
    long rec_line;         /* line where the current record starts */
    uint64_t offset;       /* byte offset of in.data[0] in the stream */
    uint64_t rec_offset;   /* byte offset where the current record starts */
    uint64_t rec_bytes;    /* bytes the current record spans */
    const char *err;       /* problem with the current record, or NULL */
    uint64_t err_at;       /* with err: byte offset of the quote that opened the field */
    long resume_line;      /* with err: the line after the record's first, where
                              reading resumed (the record was cut), else 0 */
    size_t chunk;          /* current read size */
} ld_csv;

void ld_csv_init(ld_csv *c, ld_src src, char delim);
/* 1: a record is ready (c->err may be set: the record is malformed, skip it),
 * 0: end of input, -1: read error. Blank lines are skipped.
 * Recovery: a malformed record (a quoted field still open at the end of the
 * input, or text after a closing quote) that runs over several lines is cut
 * to its first line: that line is the bad record, and reading resumes at
 * the next line, so a stray quote cannot swallow the rows after it.  The
 * raw record stays in the input window until it ends, so the window grows
 * with the longest record (as the record's fields do). */
int ld_csv_next(ld_csv *c);
const char *ld_csv_field(const ld_csv *c, size_t i, size_t *len);
void ld_csv_free(ld_csv *c);

/* ---- line reader (JSON Lines) ------------------------------------------ */
typedef struct ld_lines {
    ld_src src;
    cr_buf in;
    size_t pos;
    int eof, src_error;
    long line;
    uint64_t offset;       /* stream offset of in.data[0] */
    uint64_t line_offset;  /* stream offset of the current line */
    size_t chunk;          /* current read size */
} ld_lines;

void ld_lines_init(ld_lines *r, ld_src src);
/* 1 with *s, *n the line (without its newline, CR stripped), 0 at end, -1 on
 * a read error. */
int ld_lines_next(ld_lines *r, const char **s, size_t *n);
void ld_lines_free(ld_lines *r);

/* ---- encodings ---------------------------------------------------------- */
typedef struct ld_decoded {
    const char *encoding;   /* what was used: "utf-8", "utf-16le", the fallback... */
    int fell_back;          /* 1 when invalid UTF-8 made auto use the fallback */
    int bom;                /* a byte order mark was dropped */
    uint64_t bad_at;        /* first invalid byte offset (fell_back or failure) */
    char msg[160];          /* failure reason */
} ld_decoded;

/* Offset of the first byte that is not valid UTF-8, or n when valid. */
size_t ld_utf8_check(const char *s, size_t n);
/* Decodes in[0..n) into out (appending UTF-8).  encoding: "auto" (BOM, else
 * UTF-8, else declared if given, else fallback), "utf-8" (strict), or any
 * iconv name.  Returns 0, or -1 with info->msg set. */
int ld_decode(const char *in, size_t n, const char *encoding, const char *fallback,
              const char *declared, cr_buf *out, ld_decoded *info);
/* A line ld_decode_lines decoded with a guess: its number (from 1), the
 * offset in the input of its first invalid byte, whether it also held valid
 * UTF-8 sequences (then only its invalid bytes were decoded as encoding). */
typedef int (*ld_line_guess)(void *ud, size_t line, uint64_t offset, int mixed, const char *encoding);
/* Decodes a line-oriented text (word lists, gazetteers) into out as UTF-8,
 * deciding line by line where no byte order mark decides for the whole:
 * UTF-16 and UTF-32 with a BOM are converted, a UTF-8 BOM is dropped; then
 * a line that is valid UTF-8 stays as it is, a line with invalid bytes and
 * no valid multi-byte sequence is decoded as fallback (default
 * windows-1252; bytes it leaves undefined become the code points of the
 * same value), and in a line holding both only the runs of invalid bytes
 * are.  Every guessed line is passed to guess (NULL: none); a non-zero
 * return from it stops with that value.  Returns 0, -1 with info->msg
 * set, or guess's value. */
int ld_decode_lines(const char *in, size_t n, const char *fallback, cr_buf *out, ld_decoded *info,
                    ld_line_guess guess, void *ud);
/* CRLF and CR become LF; with strip, C0 controls (but TAB and LF), DEL and
 * C1 controls are removed.  In place; returns the new length. */
size_t ld_clean_text(char *s, size_t n, int strip);

/* ---- markup ------------------------------------------------------------- */
struct ld_tokens;
/* Visible text of an HTML document (scripts, styles dropped, entities
 * decoded, blocks on their own lines) into text, its <title> into title.
 * On failure -1 with the reason in msg (libxml2 missing, too large, not
 * parsed, out of memory). */
int ld_html_text(const char *s, size_t n, cr_buf *text, cr_buf *title, char *msg, size_t msgsize);
/* Text of the XML elements named element (NULL: TEI's <text>, BNC's
 * <wtext> or <stext>, else the root), title from TEI's titleStmt/title or an
 * element named title.  When words is not NULL and those elements hold
 * words with attributes (BNC XML's <w c5= hw= pos=> and <c>, TEI's <w
 * lemma= pos=> and <pc>), the words go into words (emptied first; its n
 * stays 0 otherwise), attribute "word" first, then the attributes in the
 * order first met, then "lemma" copied from BNC's "hw" when the words have
 * no lemma; sentences from <s> (id from n= or xml:id=); and text is rebuilt
 * from them: each word followed by the whitespace its element ends with
 * (BNC's way), or by a space when no element in the document ends with
 * any; paragraphs (<p>, <head>...) apart by a blank line.  Text outside the
 * words is then not part of text.  Returns 0, or -1 with msg set (not
 * well-formed, or out of memory). */
int ld_xml_text(const char *s, size_t n, const char *element, cr_buf *text,
                cr_buf *title, struct ld_tokens *words, char *msg, size_t msgsize);

/* ---- options, corpus, documents, problems ------------------------------ */
typedef enum ld_format {
    LD_FMT_NONE = 0, LD_FMT_TEXT, LD_FMT_JSONL, LD_FMT_CSV, LD_FMT_TSV,
    LD_FMT_HTML, LD_FMT_XML, LD_FMT_ARCHIVE, LD_FMT_COMPRESSED,
    LD_FMT_CONLLU, LD_FMT_VRT, LD_FMT_TAGGED
} ld_format;

/* Formats whose files hold tokens with attributes (load_annot.c). */
#define LD_FMT_IS_ANNOT(f) ((f) == LD_FMT_CONLLU || (f) == LD_FMT_VRT || (f) == LD_FMT_TAGGED)

ld_format ld_format_from_name(const char *name);   /* "text", "jsonl"...; NONE if unknown */
ld_format ld_format_of_path(const char *path);     /* by extension */
const char *ld_format_name(ld_format f);

typedef struct ld_opts {
    ld_format format;            /* LD_FMT_NONE: by extension */
    char *text_field, *id_field, *title_field;   /* defaults "text", "id", "title" */
    char *encoding, *fallback;   /* defaults "auto", "WINDOWS-1252" */
    char *element;               /* XML element, NULL for the default; VRT:
                                    the element of a document (default text) */
    char **attributes;           /* VRT: the positional attributes' names */
    size_t n_attributes;         /* 0: the file's header comment, else "word" */
    char *separator;             /* word/TAG: between word and tag (default "/") */
    char **include, **exclude, **name_fields;
    size_t n_include, n_exclude, n_name_fields;
    int hidden;                  /* load hidden files and directories */
    int strip_control;
    int sidecar;                 /* read metadata.csv/.tsv of directory roots (default 1) */
    uint64_t max_bytes;          /* 0: no limit */
} ld_opts;

void ld_opts_init(ld_opts *o);
int ld_opts_set(char **slot, const char *value);   /* strdup into slot; -1 ENOMEM */
int ld_opts_push(char ***list, size_t *n, const char *value);
void ld_opts_free(ld_opts *o);

/* LD_SKIPPED: an item not loaded; LD_ENCODING: loaded through a fallback
 * encoding; LD_IGNORED: a table found while walking a directory that has no
 * text column, so holds no documents (listed, not warned about). */
typedef enum ld_pkind { LD_SKIPPED = 0, LD_ENCODING = 1, LD_IGNORED = 2 } ld_pkind;

/* At most this many problems are kept; then one more says the rest are not
 * listed, and later ones are dropped (memory stays bounded). */
#define LD_MAX_PROBLEMS 10000

typedef struct ld_problem {
    char *path;
    long line;              /* 0 when not applicable */
    int64_t offset;         /* -1 when not applicable */
    char *reason;
    ld_pkind kind;
} ld_problem;

typedef struct ld_meta {
    const char *key, *val;
    size_t klen, vlen;
    ld_vtype type;
} ld_meta;

typedef struct ld_doc {
    const char *id, *path, *title, *text;
    size_t id_len, title_len, text_len;
    uint64_t bytes;          /* source bytes of the document */
    ld_meta *meta;
    size_t n_meta;
    uint64_t slot;           /* position among candidate items of a pass */
    const struct ld_tokens *tokens;   /* CoNLL-U, VRT, word/TAG: the tokens; else NULL */
} ld_doc;

/* ---- annotated corpora: tokens with attributes (load_annot.c) --------- */
/* A document's tokens, each with the same attributes (CoNLL-U: id form lemma
 * upos xpos feats head deprel deps misc; VRT: the positional attributes;
 * word/TAG: word tag), kept exactly as the input gives them, plus each
 * token's bytes in the document's text and the sentences. */
typedef struct ld_tokens {
    size_t n;              /* tokens */
    size_t nattr;          /* attributes per token (>= 1) */
    cr_buf names;          /* the nattr names, each followed by a NUL */
    cr_buf vals;           /* every value, token by token, each followed by a NUL */
    size_t *off;           /* n * nattr offsets into vals, token-major */
    size_t *span;          /* 2 per token: its bytes [span[2i], span[2i+1]) in the text */
    size_t cap;            /* tokens off and span have room for */
    size_t *sent;          /* 3 per sentence: its first token, and the offsets into
                              sinfo of its id and its text (CoNLL-U's # sent_id and
                              # text, VRT's <s id>; empty when not given) */
    size_t nsent, scap;
    cr_buf sinfo;
} ld_tokens;

/* Index of the attribute named name, or -1. */
long ld_tokens_attr(const ld_tokens *t, const char *name, size_t len);
/* Name of attribute a. */
const char *ld_tokens_name(const ld_tokens *t, size_t a);
/* Value of attribute a of token i (0-based), its length in *len. */
const char *ld_tokens_val(const ld_tokens *t, size_t i, size_t a, size_t *len);
/* Sentence k: its first token and (exclusive) end; its id and text. */
void ld_tokens_sentence(const ld_tokens *t, size_t k, size_t *first, size_t *end,
                        const char **id, const char **text);
/* Sentence holding token i (0-based), by binary search; nsent when none. */
size_t ld_tokens_sentence_of(const ld_tokens *t, size_t i);
/* A copy of t with its arrays at their exact sizes (for a document that
 * outlives the reader); NULL when out of memory.  ld_tokens_free releases
 * either. */
ld_tokens *ld_tokens_dup(const ld_tokens *t);
void ld_tokens_free(ld_tokens *t);
/* t as bytes appended to out, for a corpus database: "CRTK" and a version
 * byte, then LEB128 numbers and length-prefixed strings: attributes,
 * tokens, sentences; names, values, each token's span (its start as the
 * difference from the previous token's) and each sentence's first token,
 * id and text.  0, or -1 when out of memory (out->failed). */
int ld_tokens_pack(const ld_tokens *t, cr_buf *out);
/* The tokens packed in p[0..n) into t (emptied first; free with
 * ld_tokens_free), their spans checked against a text of text_len bytes.
 * 0; -1 with a message in err when the bytes are not tokens packed so
 * (damaged), -2 when out of memory. */
int ld_tokens_unpack(const char *p, size_t n, size_t text_len, ld_tokens *t, char *err, size_t errlen);

/* The reader of one annotated file: fed line by line, it gives documents.
 * Problems (a malformed line, unbalanced tags) go to report with the line
 * number; the line is skipped and the document goes on. */
typedef void (*ld_annot_report)(void *ud, long line, const char *msg);
typedef struct ld_annot ld_annot;

/* fmt: LD_FMT_CONLLU, LD_FMT_VRT or LD_FMT_TAGGED; o: attributes, separator,
 * element (copied).  NULL when out of memory. */
ld_annot *ld_annot_new(ld_format fmt, const ld_opts *o, ld_annot_report report, void *ud);
void ld_annot_free(ld_annot *a);
/* Feeds line number line (s[0..n), no newline; valid UTF-8 expected),
 * which held raw bytes in the source (its newline not counted; n when it
 * was not decoded): the documents' sizes add them up.  0: taken; 1: a
 * document ended before this line and is ready: take it, then feed the
 * same line again; -1: out of memory. */
int ld_annot_line(ld_annot *a, const char *s, size_t n, size_t raw, long line);
/* Whether the document the next lines begin is wanted: when skip is set,
 * only its boundaries, id, metadata and size are read (its token lines are
 * not parsed, nor checked): for the documents of other shards and for
 * passes that list ids.  Set it after a document was handed out (or before
 * the first line); it holds until changed. */
void ld_annot_skip(ld_annot *a, int skip);
/* Whether a skips the line s[0..n) unread (skip mode, a token line): its
 * caller need not decode it first. */
int ld_annot_unread(const ld_annot *a, const char *s, size_t n);
/* At the end of the input: 1 when a last document is ready, else 0. */
int ld_annot_finish(ld_annot *a, long line);

/* The document ready (after 1 from ld_annot_line or ld_annot_finish);
 * valid until the next call feeding a.  id is empty when the input names
 * none; meta holds n_meta key/value pairs, each string NUL-terminated. */
typedef struct ld_annot_doc {
    const char *id, *text;
    size_t id_len, text_len;
    const ld_tokens *tokens;
    const char *const *meta;   /* 2 * n_meta strings: key, value, ... */
    const size_t *meta_len;    /* their lengths */
    size_t n_meta;
    long line;                 /* the line it starts on */
    uint64_t bytes;            /* bytes of its lines */
} ld_annot_doc;
void ld_annot_doc_get(ld_annot *a, ld_annot_doc *d);

typedef struct ld_corpus ld_corpus;

ld_corpus *ld_corpus_new(const ld_opts *opts);     /* copies opts; NULL on ENOMEM */
void ld_corpus_free(ld_corpus *c);
/* Adds a directory, file or glob.  Returns 0, or -1 with msg (the source
 * does not exist, a glob matches nothing...).  Problems met while walking are
 * recorded. */
int ld_corpus_add(ld_corpus *c, const char *source, char *msg, size_t msgsize);
size_t ld_corpus_entries(const ld_corpus *c);
size_t ld_corpus_nproblems(const ld_corpus *c);
const ld_problem *ld_corpus_problem(const ld_corpus *c, size_t i);
size_t ld_corpus_count(const ld_corpus *c, ld_pkind kind);
const ld_opts *ld_corpus_opts(const ld_corpus *c);

typedef struct ld_iter ld_iter;

#define LD_IDS_ONLY 1    /* single-document files are not read: text is NULL */
#define LD_SLOTS_ONLY 2  /* every candidate item, even a malformed one, with its
                            slot and bytes only (id empty, nothing parsed) */

ld_iter *ld_iter_new(ld_corpus *c, int flags);
/* Only documents whose slot is in [lo, hi) (others not read where the
 * format allows; the pass stops at hi). */
void ld_iter_range(ld_iter *it, uint64_t lo, uint64_t hi);
/* Only the document with this id (single-document files not read otherwise). */
int ld_iter_only(ld_iter *it, const char *id, size_t len);
/* Only the documents whose id accept(ud, id, len) takes (nonzero), asked
 * before a single-document file is read; ld_iter_only overrides it. */
void ld_iter_accept(ld_iter *it, int (*accept)(void *ud, const char *id, size_t len), void *ud);
/* 1: *doc is ready; 0: end.  Problems met are recorded in the corpus; the
 * index of the first new problem is the corpus's count before the call. */
int ld_iter_next(ld_iter *it, ld_doc *doc);
void ld_iter_free(ld_iter *it);

#endif
