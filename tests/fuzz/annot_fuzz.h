/* The driver of the libFuzzer targets of the annotated readers
 * (load_fuzz_conllu.c, load_fuzz_vrt.c, load_fuzz_tagged.c): arbitrary bytes,
 * read in chunks of a size the first byte chooses, split into lines and fed
 * to the reader as load_corpus.c does (a line given back is fed again; with
 * the first byte's high bit set, every other document is skipped); every
 * document's tokens must lie inside its text and its value store. */
#include <stdint.h>
#include <stdio.h>
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

/* Tokens packed for a corpus database come back the same, and pack the same. */
static void packed_round_trip(const ld_tokens *t, size_t text_len) {
    cr_buf b = {0}, b2 = {0};
    ld_tokens u;
    char err[128];
    if (ld_tokens_pack(t, &b) == 0) {
        int rc = ld_tokens_unpack(b.data, b.len, text_len, &u, err, sizeof err);
        if (rc == -1) { fprintf(stderr, "unpack: %s\n", err); abort(); }   /* what pack wrote is tokens */
        if (rc == 0) {
            if (u.n != t->n || u.nattr != t->nattr || u.nsent != t->nsent) abort();
            for (size_t i = 0; i < t->n; i++) {
                if (u.span[2 * i] != t->span[2 * i] || u.span[2 * i + 1] != t->span[2 * i + 1]) abort();
                for (size_t k = 0; k < t->nattr; k++) {
                    size_t l1, l2;
                    const char *v1 = ld_tokens_val(t, i, k, &l1), *v2 = ld_tokens_val(&u, i, k, &l2);
                    if (l1 != l2 || memcmp(v1, v2, l1)) abort();
                }
            }
            if (ld_tokens_pack(&u, &b2) == 0 && (b2.len != b.len || memcmp(b.data, b2.data, b.len))) abort();
            ld_tokens_free(&u);
        }
    }
    cr_buf_free(&b);
    cr_buf_free(&b2);
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
    packed_round_trip(t, d.text_len);
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
