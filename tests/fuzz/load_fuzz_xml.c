/* libFuzzer target: the XML loader (load_markup.c) on arbitrary bytes, with
 * and without words: every word's span lies in the text and holds its
 * word, values and sentences are in range. */
#include <stdint.h>
#include <stdlib.h>
#include <string.h>

#include "load.h"

static void check_words(const ld_tokens *t, const cr_buf *text) {
    for (size_t i = 0; i < t->n; i++) {
        size_t a = t->span[2 * i], b = t->span[2 * i + 1], len;
        if (a > b || b > text->len) abort();
        const char *w = ld_tokens_val(t, i, 0, &len);
        if (len != b - a || memcmp(w, text->data + a, len) != 0) abort();
        for (size_t k = 1; k < t->nattr; k++) {
            const char *v = ld_tokens_val(t, i, k, &len);
            if (v[len] != 0 || strlen(v) != len) abort();
        }
    }
    for (size_t k = 0; k < t->nsent; k++) {
        size_t first, end;
        const char *id, *txt;
        ld_tokens_sentence(t, k, &first, &end, &id, &txt);
        if (first >= end || end > t->n) abort();   /* no empty sentence is kept */
    }
}

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size) {
    cr_buf text = {0}, title = {0};
    ld_tokens words;
    memset(&words, 0, sizeof words);
    char msg[200];
    const char *element = size && data[0] == 's' ? "s" : NULL;
    for (int pass = 0; pass < 2; pass++) {
        if (ld_xml_text((const char *)data, size, element, &text, &title, pass ? &words : NULL, msg, sizeof msg) == 0) {
            if (strlen(text.data ? text.data : "") != text.len) abort();
            if (pass) check_words(&words, &text);
        }
    }
    ld_tokens_free(&words);
    cr_buf_free(&text);
    cr_buf_free(&title);
    return 0;
}
