/* postag_train.c — train the part-of-speech tagger on the tagged Brown corpus
 * and evaluate it on the held-out files.
 *
 *   postag_train train DIR MODEL [ITERS SEED]   train on every file of DIR but
 *                                               each tenth by sorted name
 *   postag_train eval DIR MODEL                 tag those tenth files (ca10,
 *                                               ca20, ...) and print accuracy
 *
 * A line of a Brown file is a sentence of word/tag tokens; the tag follows
 * the last slash and is reduced to its base (postag_brown_base). */
#include "lemma.h"
#include "postag.h"

#include <dirent.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>

#define MAXTOK 4096
#define LEMMA_BYTES 256

static void die(const char *msg) {
    fprintf(stderr, "postag_train: %s\n", msg);
    exit(1);
}

static int cmp_str(const void *a, const void *b) {
    return strcmp(*(char *const *)a, *(char *const *)b);
}

/* The corpus files of dir (names cNNN), sorted. */
static char **list_files(const char *dir, size_t *n) {
    DIR *d = opendir(dir);
    if (!d) die("cannot open the corpus directory");
    char **names = NULL;
    size_t cnt = 0, cap = 0;
    struct dirent *e;
    while ((e = readdir(d))) {
        const char *s = e->d_name;
        if (strlen(s) != 4 || s[0] != 'c') continue;
        if (cnt == cap) {
            cap = cap ? cap * 2 : 512;
            names = realloc(names, cap * sizeof *names);
            if (!names) die("out of memory");
        }
        size_t l = strlen(dir) + strlen(s) + 2;
        names[cnt] = malloc(l);
        if (!names[cnt]) die("out of memory");
        snprintf(names[cnt], l, "%s/%s", dir, s);
        cnt++;
    }
    closedir(d);
    qsort(names, cnt, sizeof *names, cmp_str);
    *n = cnt;
    return names;
}

static char *slurp(const char *path) {
    FILE *f = fopen(path, "rb");
    if (!f) die("cannot open a corpus file");
    size_t cap = 1 << 16, len = 0;
    char *b = malloc(cap + 1);
    if (!b) die("out of memory");
    size_t got;
    while ((got = fread(b + len, 1, cap - len, f)) > 0) {
        len += got;
        if (len == cap) {
            cap *= 2;
            b = realloc(b, cap + 1);
            if (!b) die("out of memory");
        }
    }
    fclose(f);
    b[len] = 0;
    return b;
}

typedef struct sentence {
    postag_word w[MAXTOK];
    char tag[MAXTOK][POSTAG_TAG_BYTES];
    const char *tagp[MAXTOK];
    size_t n;
} sentence;

/* Parse the next line of *p into s; 0 at the end of the text. */
static int next_sentence(char **p, sentence *s) {
    while (**p) {
        char *line = *p, *end = strchr(line, '\n');
        if (!end) end = line + strlen(line);
        *p = *end ? end + 1 : end;
        s->n = 0;
        char *q = line;
        while (q < end && s->n < MAXTOK) {
            while (q < end && (*q == ' ' || *q == '\t' || *q == '\r')) q++;
            if (q >= end) break;
            char *t = q;
            while (q < end && *q != ' ' && *q != '\t' && *q != '\r') q++;
            char *slash = NULL;
            for (char *x = t; x < q; x++)
                if (*x == '/') slash = x;
            if (!slash || slash == t || slash + 1 == q) continue;
            if (!postag_brown_base(slash + 1, (size_t)(q - slash - 1), s->tag[s->n])) continue;
            if (slash - t + LEMMA_EXTRA >= LEMMA_BYTES) continue; /* no such words in Brown */
            s->w[s->n].s = t;
            s->w[s->n].len = (size_t)(slash - t);
            s->tagp[s->n] = s->tag[s->n];
            s->n++;
        }
        if (s->n) return 1;
    }
    return 0;
}

/* A set of word hashes: the training vocabulary. */
typedef struct wset {
    uint64_t *k;
    size_t cap, n;
} wset;

static uint64_t whash(const char *s, size_t len) {
    uint64_t h = 0xcbf29ce484222325ULL;
    for (size_t i = 0; i < len; i++) h = (h ^ (unsigned char)s[i]) * 0x100000001b3ULL;
    return h ? h : 1;
}

static void wset_add(wset *ws, uint64_t h);
static int wset_has(const wset *ws, uint64_t h) {
    if (!ws->cap) return 0;
    for (size_t i = h & (ws->cap - 1);; i = (i + 1) & (ws->cap - 1)) {
        if (!ws->k[i]) return 0;
        if (ws->k[i] == h) return 1;
    }
}

static void wset_add(wset *ws, uint64_t h) {
    if (wset_has(ws, h)) return;
    if ((ws->n + 1) * 2 > ws->cap) {
        wset nw = {NULL, ws->cap ? ws->cap * 2 : 1 << 16, 0};
        nw.k = calloc(nw.cap, sizeof *nw.k);
        if (!nw.k) die("out of memory");
        for (size_t i = 0; i < ws->cap; i++)
            if (ws->k[i]) wset_add(&nw, ws->k[i]);
        free(ws->k);
        *ws = nw;
    }
    size_t i = h & (ws->cap - 1);
    while (ws->k[i]) i = (i + 1) & (ws->cap - 1);
    ws->k[i] = h;
    ws->n++;
}

static int is_test(size_t i) { return i % 10 == 9; }

static void train(const char *dir, const char *model, int iters, uint64_t seed) {
    size_t nf;
    char **files = list_files(dir, &nf);
    postag_trainer *t = postag_trainer_new();
    sentence *s = malloc(sizeof *s);
    if (!t || !s) die("out of memory");
    size_t ntrain = 0;
    for (size_t i = 0; i < nf; i++) {
        if (is_test(i)) continue;
        char *text = slurp(files[i]), *p = text;
        while (next_sentence(&p, s))
            if (postag_trainer_add(t, s->w, s->tagp, s->n) != 0) die("cannot add a sentence");
        free(text);
        ntrain++;
    }
    postag_trainer_log(t, stderr);
    fprintf(stderr, "postag: training on %zu files, %d iterations, seed %llu\n", ntrain, iters,
            (unsigned long long)seed);
    char err[256];
    if (postag_trainer_write(t, iters, seed, model, err, sizeof err) != 0) die(err);
    postag_trainer_free(t);
    for (size_t i = 0; i < nf; i++) free(files[i]);
    free(files);
    free(s);
}

typedef struct score {
    size_t n, brown, upos, univ;
} score;

static void count(score *sc, const char *gold, const char *got) {
    sc->n++;
    sc->brown += !strcmp(gold, got);
    sc->upos += !strcmp(postag_brown_upos(gold), postag_brown_upos(got));
    sc->univ += !strcmp(postag_brown_univ12(gold), postag_brown_univ12(got));
}

static double pct(size_t a, size_t n) { return n ? 100.0 * (double)a / (double)n : 0.0; }

static void eval(const char *dir, const char *path) {
    char err[256];
    postag_model *m = postag_model_load(path, err, sizeof err);
    if (!m) die(err);
    postag_tagger *tg = postag_tagger_new(m);
    if (!tg) die("out of memory");
    size_t nf;
    char **files = list_files(dir, &nf);
    sentence *s = malloc(sizeof *s);
    if (!s) die("out of memory");
    wset vocab = {0};
    for (size_t i = 0; i < nf; i++) {
        if (is_test(i)) continue;
        char *text = slurp(files[i]), *p = text;
        while (next_sentence(&p, s))
            for (size_t k = 0; k < s->n; k++) wset_add(&vocab, whash(s->w[k].s, s->w[k].len));
        free(text);
    }
    score all = {0}, known = {0}, unknown = {0};
    int tags[MAXTOK], plain[MAXTOK];
    size_t agree = 0;
    static char lemma[MAXTOK][LEMMA_BYTES];
    size_t lemma_same = 0;
    double secs = 0, tsecs = 0;
    size_t ntest = 0;
    for (size_t i = 0; i < nf; i++) {
        if (!is_test(i)) continue;
        ntest++;
        char *text = slurp(files[i]), *p = text;
        while (next_sentence(&p, s)) {
            struct timespec a, mid, b;
            clock_gettime(CLOCK_MONOTONIC, &a);
            if (postag_tagger_tag(tg, s->w, s->n, tags) != 0) die("out of memory");
            clock_gettime(CLOCK_MONOTONIC, &mid);
            for (size_t k = 0; k < s->n; k++)
                lemma_of(s->w[k].s, s->w[k].len, postag_model_tag(m, tags[k]), lemma[k]);
            clock_gettime(CLOCK_MONOTONIC, &b);
            secs += (double)(b.tv_sec - a.tv_sec) + (double)(b.tv_nsec - a.tv_nsec) / 1e9;
            tsecs += (double)(mid.tv_sec - a.tv_sec) + (double)(mid.tv_nsec - a.tv_nsec) / 1e9;
            for (size_t k = 0; k < s->n; k++) {
                const char *got = postag_model_tag(m, tags[k]);
                count(&all, s->tag[k], got);
                char gl[LEMMA_BYTES];
                lemma_of(s->w[k].s, s->w[k].len, s->tag[k], gl);
                lemma_same += !strcmp(gl, lemma[k]);
                count(wset_has(&vocab, whash(s->w[k].s, s->w[k].len)) ? &known : &unknown, s->tag[k], got);
            }
        }
        free(text);
    }
    /* the same files again, tagged with the tagger (its cache warm) and
     * without: the cache must change no tag */
    for (size_t i = 0; i < nf; i++) {
        if (!is_test(i)) continue;
        char *text = slurp(files[i]), *p = text;
        while (next_sentence(&p, s)) {
            if (postag_tagger_tag(tg, s->w, s->n, tags) != 0) die("out of memory");
            postag_tag(m, s->w, s->n, plain);
            for (size_t k = 0; k < s->n; k++) agree += plain[k] == tags[k];
        }
        free(text);
    }
    printf("model %s (%d tags)\n", postag_model_checksum(m), postag_model_ntags(m));
    printf("held out: %zu files, %zu tokens (%zu known, %zu unknown words)\n", ntest, all.n, known.n,
           unknown.n);
    printf("%-28s %8s %8s %8s\n", "accuracy (%)", "all", "known", "unknown");
    printf("%-28s %8.2f %8.2f %8.2f\n", "universal tagset (12 tags)", pct(all.univ, all.n),
           pct(known.univ, known.n), pct(unknown.univ, unknown.n));
    printf("%-28s %8.2f %8.2f %8.2f\n", "UPOS (UD, 17 tags)", pct(all.upos, all.n),
           pct(known.upos, known.n), pct(unknown.upos, unknown.n));
    printf("%-28s %8.2f %8.2f %8.2f\n", "Brown base tags", pct(all.brown, all.n),
           pct(known.brown, known.n), pct(unknown.brown, unknown.n));
    printf("lemmas from predicted tags equal to those from the gold tags: %.2f %%\n",
           pct(lemma_same, all.n));
    printf("tags with the word cache equal to those without: %zu of %zu tokens\n", agree, all.n);
    printf("tagging speed: %.0f tokens/s (one core)\n", tsecs > 0 ? (double)all.n / tsecs : 0.0);
    printf("tagging and lemmatising speed: %.0f tokens/s (one core; every lemma looked up, none cached)\n",
           secs > 0 ? (double)all.n / secs : 0.0);
    postag_tagger_free(tg);
    postag_model_free(m);
    for (size_t i = 0; i < nf; i++) free(files[i]);
    free(files);
    free(s);
    free(vocab.k);
}

int main(int argc, char **argv) {
    if (argc >= 4 && !strcmp(argv[1], "train")) {
        int iters = argc >= 5 ? atoi(argv[4]) : 8;
        uint64_t seed = argc >= 6 ? strtoull(argv[5], NULL, 10) : 1;
        if (iters < 1 || iters > 100) die("iterations must be 1 to 100");
        train(argv[2], argv[3], iters, seed);
        return 0;
    }
    if (argc == 4 && !strcmp(argv[1], "eval")) {
        eval(argv[2], argv[3]);
        return 0;
    }
    fprintf(stderr, "usage: postag_train train DIR MODEL [ITERS SEED] | eval DIR MODEL\n");
    return 2;
}
