/* postag.h — a part-of-speech tagger: an averaged perceptron, greedy left
 * to right, over hashed features (the word, its affixes and shape, the two
 * previous tags, the neighbouring words), with a dictionary of frequent
 * unambiguous words.  Tags are Brown's base tags (the -tl, -hl and -nc
 * markers stripped); each maps by a fixed table to a Universal POS tag (UD's
 * 17) and to the 12 tags of Petrov, Das and McDonald's universal tagset.
 *
 * A model is trained here too (postag_trainer_*), reproducibly: the same
 * sentences, iterations and seed give the same bytes.  The model file is
 * "CRPOSTG1", a header with the SHA-256 of the rest, then fixed-width
 * little-endian tables; postag_model_load checks every size, offset and tag
 * before use, so a damaged file is an error, never a crash. */
#ifndef CORPUSRUN_POSTAG_H
#define CORPUSRUN_POSTAG_H
#include <stddef.h>
#include <stdint.h>
#include <stdio.h>

#define POSTAG_MAX_TAGS 1024
#define POSTAG_TAG_BYTES 16     /* a tag name and its NUL */

typedef struct postag_model postag_model;

/* One token to tag: its bytes (not NUL-terminated). */
typedef struct postag_word {
    const char *s;
    size_t len;
} postag_word;

/* Load a model from len bytes (copied; the caller keeps data).  NULL and a
 * message in err (errlen bytes) when the bytes are not a valid model. */
postag_model *postag_model_from_bytes(const void *data, size_t len, char *err, size_t errlen);
/* Read a model file once; NULL and a message naming the file on failure. */
postag_model *postag_model_load(const char *path, char *err, size_t errlen);
void postag_model_free(postag_model *m);
/* The SHA-256 of the whole model file (64 hex digits, as sha256sum prints),
 * computed on the first call. */
const char *postag_model_checksum(postag_model *m);
/* Writes the check of a model's bytes b[0..len) into its header (the
 * trainer does; for tools that make model bytes themselves). */
void postag_model_seal(unsigned char *b, size_t len);
int postag_model_ntags(const postag_model *m);
const char *postag_model_tag(const postag_model *m, int tag);
/* Its UPOS (postag_brown_upos of its name). */
const char *postag_model_upos(const postag_model *m, int tag);

/* Tag a sentence of n words: tags[i] receives each word's tag index. */
void postag_tag(const postag_model *m, const postag_word *words, size_t n, int *tags);

/* A tagger: a model and what it has learnt of the word types it tagged
 * (their hashes, dictionary tag, and the summed weights of the features of
 * the word alone), so that a word seen again costs only its context.  It
 * gives the tags postag_tag gives, bit for bit.  It keeps at most 8192
 * word types (about 8 MB), starting with 256 and growing as it tags; the
 * model must outlive it.  NULL when out of memory. */
typedef struct postag_tagger postag_tagger;
postag_tagger *postag_tagger_new(const postag_model *m);
void postag_tagger_free(postag_tagger *tg);
/* Whether tg was made for m (and m is still the model it was made for). */
int postag_tagger_uses(const postag_tagger *tg, const postag_model *m);
/* As postag_tag; -1 when out of memory (nothing tagged). */
int postag_tagger_tag(postag_tagger *tg, const postag_word *words, size_t n, int *tags);

/* The Universal POS tag (UD v2, 17 tags) and the 12-tag universal tagset's
 * tag of a Brown base tag ("nn", "ppss+md", "fw-jj", ".", ...). */
const char *postag_brown_upos(const char *tag);
const char *postag_brown_univ12(const char *tag);
/* A Brown tag as the corpus writes it ("NN-TL", "np$-hl") to its base
 * (lowercase, -tl/-hl/-nc removed) into out (POSTAG_TAG_BYTES); 0 when
 * the result would not fit or is empty. */
int postag_brown_base(const char *tag, size_t len, char *out);

/* Training. */
typedef struct postag_trainer postag_trainer;
postag_trainer *postag_trainer_new(void);
void postag_trainer_free(postag_trainer *t);
/* Add a training sentence (words with their tag names); -1 when out of
 * memory or a tag is too long / too many tags. */
int postag_trainer_add(postag_trainer *t, const postag_word *words, const char *const *tags, size_t n);
/* Report each training pass's accuracy on log (NULL: quiet, the default). */
void postag_trainer_log(postag_trainer *t, FILE *log);
/* Train for iters passes (sentence order shuffled by seed) and write the
 * model file; -1 with a message on failure. */
int postag_trainer_write(postag_trainer *t, int iters, uint64_t seed, const char *path,
                         char *err, size_t errlen);
#endif
