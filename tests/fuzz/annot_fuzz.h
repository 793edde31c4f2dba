/* The driver of the libFuzzer targets of the annotated readers
 * (load_fuzz_conllu.c, load_fuzz_vrt.c, load_fuzz_tagged.c): arbitrary bytes,
 * read in chunks of a size the first byte chooses, split into lines and fed
 * to the reader as load_corpus.c does (a line given back is fed again; with
 * the first byte's high bit set, every other document is skipped); every
 * document's tokens must lie inside its text and its value store. */
#include <stdint.h>
#include <stdlib.h>
#include <string.h>

#include "load.h"

typedef struct chunky { const uint8_t *p; size_t n, pos, step; } chunky;

static ssize_t chunky_read(void *ud, char *buf, size_t n) {
    chunky *c = ud;
    size_t k = c->n - c->pos;
    if (k > c->step) k = c->step;
    if (k > n) k = n;
    memcpy(buf, c->p + c->pos, k);
    c->pos += k;
    return (ssize_t)k;
}

static void no_report(void *ud, long line, const char *msg) {
    (void)ud;
    if (line < 1 || !msg[0]) abort();
}

static void check_doc(ld_annot *a) {
    ld_annot_doc d;
    ld_annot_doc_get(a, &d);
    const ld_tokens *t = d.tokens;
    if (strlen(d.text) > d.text_len) abort();
    for (size_t i = 0; i < t->n; i++) {
        if (t->span[2 * i] > t->span[2 * i + 1] || t->span[2 * i + 1] > d.text_len) abort();
        for (size_t k = 0; k < t->nattr; k++) {
            size_t len;
            const char *v = ld_tokens_val(t, i, k, &len);
            if (v < t->vals.data || v + len >= t->vals.data + t->vals.len + 1 || v[len] != '\0') abort();
        }
        if (ld_tokens_sentence_of(t, i) > t->nsent) abort();
    }
    for (size_t s = 0; s < t->nsent; s++) {
        size_t first, end;
        const char *id, *text;
        ld_tokens_sentence(t, s, &first, &end, &id, &text);
        if (first >= end || end > t->n) abort();
    }
    ld_tokens *copy = ld_tokens_dup(t);
    if (copy) {
        if (copy->n != t->n || (t->vals.len && memcmp(copy->vals.data, t->vals.data, t->vals.len))) abort();
        ld_tokens_free(copy);
        free(copy);
    }
}

static int fuzz_annot(ld_format fmt, const uint8_t *data, size_t size) {
    if (size == 0) return 0;
    chunky src = {data + 1, size - 1, 0, (size_t)data[0] % 97 + 1};
    ld_opts o;
    ld_opts_init(&o);
    ld_annot *a = ld_annot_new(fmt, &o, no_report, NULL);
    if (!a) return 0;
    int skip_some = data[0] & 0x80;
    size_t ndocs = 0;
    ld_lines r;
    ld_lines_init(&r, (ld_src){chunky_read, &src});
    const char *s;
    size_t n;
    while (ld_lines_next(&r, &s, &n) == 1) {
        int k;
        while ((k = ld_annot_line(a, s, n, n, r.line)) == 1) {
            check_doc(a);
            ld_annot_skip(a, skip_some && (++ndocs & 1));   /* every other document unread */
        }
        if (k < 0) abort();
    }
    if (ld_annot_finish(a, r.line + 1)) check_doc(a);
    ld_lines_free(&r);
    ld_annot_free(a);
    return 0;
}
