/* postag_fuzz.c — libFuzzer on the tagger's model loader.  Each input is
 * tried twice: as given (the checksum stops almost all of it), and with its
 * checksum set right, so that the structural checks behind it are reached;
 * a model that loads then tags a sentence.  The seed is a small model that
 * LLVMFuzzerInitialize trains and writes into the corpus directory. */
#include "postag.h"

#include <stdio.h>
#include <stdlib.h>
#include <string.h>

static const char *const WORDS[] = {"The", "dog", "barks", ".", "A", "cat", "sleeps", "."};
static const char *const TAGS[] = {"at", "nn", "vbz", ".", "at", "nn", "vbz", "."};

int LLVMFuzzerInitialize(int *argc, char ***argv) {
    const char *dir = NULL;
    for (int i = 1; i < *argc; i++)
        if ((*argv)[i][0] != '-') dir = (*argv)[i];
    if (!dir) return 0;
    postag_trainer *t = postag_trainer_new();
    if (!t) return 0;
    postag_word w[8];
    for (int i = 0; i < 8; i++) w[i] = (postag_word){WORDS[i], strlen(WORDS[i])};
    for (int k = 0; k < 3; k++) {
        postag_trainer_add(t, w, TAGS, 4);
        postag_trainer_add(t, w + 4, TAGS + 4, 4);
    }
    char path[4096], err[256];
    snprintf(path, sizeof path, "%s/seed.model", dir);
    if (postag_trainer_write(t, 2, 1, path, err, sizeof err) != 0) fprintf(stderr, "seed: %s\n", err);
    postag_trainer_free(t);
    return 0;
}

static void try_model(const unsigned char *data, size_t size) {
    char err[256];
    postag_model *m = postag_model_from_bytes(data, size, err, sizeof err);
    if (!m) return;
    postag_word w[8];
    int tags[8];
    for (int i = 0; i < 8; i++) w[i] = (postag_word){WORDS[i], strlen(WORDS[i])};
    postag_tag(m, w, 8, tags);
    for (int i = 0; i < 8; i++)
        if (!postag_model_tag(m, tags[i])) abort();
    postag_model_free(m);
}

int LLVMFuzzerTestOneInput(const unsigned char *data, size_t size) {
    try_model(data, size);
    if (size >= 64) {
        unsigned char *copy = malloc(size);
        if (!copy) return 0;
        memcpy(copy, data, size);
        postag_model_seal(copy, size);
        try_model(copy, size);
        free(copy);
    }
    return 0;
}
