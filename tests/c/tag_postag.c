/* tag_postag.c — the part-of-speech tagger's core: Brown tags to their base
 * and to UPOS, a model trained on a few sentences tags them back and tags
 * unseen words by their context and form, training is reproducible bit for
 * bit, and a damaged model file is refused with a message. */
#include "postag.h"
#include "sha256.h"
#include "tap.h"

#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

static postag_word W(const char *s) { return (postag_word){s, strlen(s)}; }

static unsigned char *slurp(const char *path, size_t *len) {
    FILE *f = fopen(path, "rb");
    if (!f) return NULL;
    fseek(f, 0, SEEK_END);
    long n = ftell(f);
    fseek(f, 0, SEEK_SET);
    unsigned char *b = malloc(n > 0 ? (size_t)n : 1);
    *len = b ? fread(b, 1, (size_t)n, f) : 0;
    fclose(f);
    return b;
}

/* A toy corpus: determiners, nouns, verbs, adjectives in a few frames. */
static const char *const DET[] = {"the", "a", "this", "every"};
/* each noun seen fewer times than the tag dictionary asks for: the perceptron learns them */
static const char *const NOUN[] = {"dog", "cat", "house", "river", "teacher", "garden",
                                   "ship", "song", "table", "window", "letter", "friend"};
static const char *const VERB[] = {"sees", "likes", "finds", "paints"};
static const char *const ADJ[] = {"big", "green", "quiet", "old"};

static postag_trainer *toy_trainer(void) {
    postag_trainer *t = postag_trainer_new();
    for (int i = 0; i < 2; i++)
        for (int j = 0; j < 12; j++)
            for (int k = 0; k < 4; k++) {
                postag_word w[7] = {W(DET[i]), W(ADJ[k]), W(NOUN[j]), W(VERB[k]), W(DET[(i + k) % 4]),
                                    W(NOUN[(j + k + 1) % 12]), W(".")};
                const char *tags[7] = {"at", "jj", "nn", "vbz", "at", "nn", "."};
                postag_trainer_add(t, w, tags, 7);
            }
    return t;
}

int main(void) {
    char base[POSTAG_TAG_BYTES];
    ok(postag_brown_base("NN-TL", 5, base) && !strcmp(base, "nn"), "NN-TL has the base nn");
    ok(postag_brown_base("np$-tl-hl", 9, base) && !strcmp(base, "np$"), "np$-tl-hl has the base np$");
    ok(!postag_brown_base("", 0, base), "an empty tag has no base");
    is_str(postag_brown_upos("np"), "PROPN", "np is PROPN");
    is_str(postag_brown_upos("ppss+md"), "PRON", "a contraction takes its first part's tag");
    is_str(postag_brown_upos("md*"), "AUX", "a negated modal is AUX");
    is_str(postag_brown_upos("vbg"), "VERB", "vbg is VERB");
    is_str(postag_brown_upos("``"), "PUNCT", "quotes are PUNCT");
    is_str(postag_brown_upos("*"), "PART", "not is PART");
    is_str(postag_brown_upos("fw-nn"), "X", "a foreign word is X");
    is_str(postag_brown_univ12("np$"), "NOUN", "in the 12 tags, np$ is NOUN");
    is_str(postag_brown_univ12("cs"), "CONJ", "in the 12 tags, cs is CONJ");
    is_str(postag_brown_univ12("."), ".", "in the 12 tags, . is .");

    char dir[] = "/tmp/postagXXXXXX";
    if (!mkdtemp(dir)) return 1;
    char p1[64], p2[64], p3[64], err[256];
    snprintf(p1, sizeof p1, "%s/a.model", dir);
    snprintf(p2, sizeof p2, "%s/b.model", dir);
    snprintf(p3, sizeof p3, "%s/c.model", dir);
    postag_trainer *t = toy_trainer();
    ok(postag_trainer_write(t, 4, 7, p1, err, sizeof err) == 0, "a model trains and is written");
    postag_trainer_free(t);
    t = toy_trainer();
    ok(postag_trainer_write(t, 4, 7, p2, err, sizeof err) == 0, "the same recipe again");
    postag_trainer_free(t);
    size_t l1 = 0, l2 = 0;
    unsigned char *b1 = slurp(p1, &l1), *b2 = slurp(p2, &l2);
    ok(b1 && b2 && l1 == l2 && l1 > 64 && memcmp(b1, b2, l1) == 0, "the same recipe gives the same bytes");

    postag_model *m = postag_model_load(p1, err, sizeof err);
    ok(m != NULL, "the model loads");
    if (!m) return tap_done();
    char filesum[65];
    cr_sha256_hex(b1, l1, filesum);
    is_str(postag_model_checksum(m), filesum, "the model is named by its file's SHA-256, as sha256sum says");
    postag_model *m2 = postag_model_from_bytes(b1, l1, err, sizeof err);
    ok(m2 && !strcmp(postag_model_checksum(m), postag_model_checksum(m2)), "loading from bytes: the same model");
    postag_model_free(m2);

    /* a sentence seen in a frame not trained on, with unseen words */
    postag_word s[7] = {W("every"), W("old"), W("cat"), W("finds"), W("the"), W("blorp"), W(".")};
    const char *want[7] = {"at", "jj", "nn", "vbz", "at", "nn", "."};
    int tags[7];
    postag_tag(m, s, 7, tags);
    int right = 0;
    char got[200] = "";
    for (int i = 0; i < 7; i++) {
        right += !strcmp(postag_model_tag(m, tags[i]), want[i]);
        strcat(got, postag_model_tag(m, tags[i]));
        strcat(got, " ");
    }
    ok(right == 7, "a new sentence is tagged right: %s", got);
    ok(postag_model_tag(m, -1) == NULL && postag_model_tag(m, postag_model_ntags(m)) == NULL,
       "a tag index out of range has no name");
    /* a sentence longer than the chunk the tagger works in */
    enum { LONG = 1000 };
    postag_word *lw = malloc(LONG * sizeof *lw);
    int *lt = malloc(LONG * sizeof *lt);
    for (int i = 0; i < LONG; i++) lw[i] = s[i % 7];
    postag_tag(m, lw, LONG, lt);
    int lright = 0;
    for (int i = 0; i < LONG; i++) lright += !strcmp(postag_model_tag(m, lt[i]), want[i % 7]);
    ok(lright >= LONG - 2, "a 1000-token sentence: %d of %d right", lright, LONG);
    free(lw);
    free(lt);

    /* a tagger (with its cache of word types) tags as postag_tag does,
     * token for token: words seen again, first in a sentence or not, made-up
     * words enough to evict cached types, sentences longer than a chunk */
    postag_tagger *tg = postag_tagger_new(m);
    ok(tg && postag_tagger_uses(tg, m), "a tagger is made for the model");
    enum { POOL = 30000, SENTS = 3000, MAXLEN = 300 };
    static char pool[POOL][16];
    const char *const ENDS[] = {"", "s", "ed", "ing", "ly", "'s"};
    uint64_t r = 12345;
    for (int i = 0; i < POOL; i++) {
        r = r * 6364136223846793005ULL + 1442695040888963407ULL;
        snprintf(pool[i], sizeof pool[i], "%s%c%x%s", (r >> 40) % 4 ? "" : "Q", 'a' + (int)((r >> 33) % 26),
                 (unsigned)(r >> 48) % 4096, ENDS[(r >> 20) % 6]);
    }
    postag_word *sw = malloc(MAXLEN * sizeof *sw);
    int *t1 = malloc(MAXLEN * sizeof *t1), *t2 = malloc(MAXLEN * sizeof *t2);
    size_t ntok = 0, same = 0, failed = 0;
    for (int k = 0; k < SENTS; k++) {
        r = r * 6364136223846793005ULL + 1442695040888963407ULL;
        size_t n = k % 100 == 99 ? MAXLEN : 1 + (size_t)(r >> 58);
        for (size_t i = 0; i < n; i++) {
            r = r * 6364136223846793005ULL + 1442695040888963407ULL;
            unsigned pick = (unsigned)(r >> 33);
            sw[i] = pick % 3 ? s[pick % 7] : W(pool[pick % POOL]);
        }
        postag_tag(m, sw, n, t1);
        failed += postag_tagger_tag(tg, sw, n, t2) != 0;
        for (size_t i = 0; i < n; i++) same += t1[i] == t2[i];
        ntok += n;
    }
    ok(!failed && same == ntok, "the tagger's tags are postag_tag's: %zu of %zu tokens", same, ntok);
    free(sw);
    free(t1);
    free(t2);
    postag_model *m3 = postag_model_from_bytes(b1, l1, err, sizeof err);
    ok(m3 && !postag_tagger_uses(tg, m3), "a tagger is not another model's");
    postag_model_free(m3);
    postag_tagger_free(tg);
    postag_model_free(m);

    /* damage: a bit flipped anywhere in the payload (the check's four
     * lanes, its tail) or a byte cut off */
    size_t at[] = {64, 64 + 8, 64 + 16, 64 + 24, l1 / 2, l1 - 3, l1 - 1};
    for (size_t i = 0; i < sizeof at / sizeof at[0]; i++) {
        b1[at[i]] ^= 0x10;
        ok(postag_model_from_bytes(b1, l1, err, sizeof err) == NULL && strstr(err, "checksum"),
           "a bit flipped at byte %zu fails the check: %s", at[i], err);
        b1[at[i]] ^= 0x10;
    }
    ok(postag_model_from_bytes(b1, l1 - 1, err, sizeof err) == NULL, "a model a byte short is refused: %s", err);
    b1[8] = 1;
    ok(postag_model_from_bytes(b1, l1, err, sizeof err) == NULL && strstr(err, "version 1, expected 2"),
       "a model of the old format is refused, saying how to rebuild it: %s", err);
    b1[8] = 2;
    postag_model *again = postag_model_from_bytes(b1, l1, err, sizeof err);
    ok(again != NULL, "undamaged again, it loads");
    postag_model_free(again);
    b1[l1 - 3] ^= 1;
    ok(postag_model_from_bytes(b1, 40, err, sizeof err) == NULL && strstr(err, "not a tagger model"),
       "a truncated header is refused: %s", err);
    ok(postag_model_from_bytes("hello", 5, err, sizeof err) == NULL, "text is not a model");
    FILE *f = fopen(p3, "wb");
    fwrite(b1, 1, l1 / 2, f);
    fclose(f);
    ok(postag_model_load(p3, err, sizeof err) == NULL && strstr(err, p3), "a cut file is refused, named: %s", err);
    ok(postag_model_load("/nonexistent/x.model", err, sizeof err) == NULL && strstr(err, "/nonexistent/x.model"),
       "a missing file is reported by name");
    free(b1);
    free(b2);
    unlink(p1);
    unlink(p2);
    unlink(p3);
    rmdir(dir);
    return tap_done();
}
