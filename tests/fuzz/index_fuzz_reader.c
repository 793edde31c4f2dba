/* index_fuzz_reader.c — libFuzzer target for the index reader
 * (host/text/cindex.c).  The input is a text and a list of damages:
 *   byte 0: flags (bit 0: after the damage, rewrite the header's and the
 *           table's checksums so that the damage reaches the sections'
 *           own checks; bit 1: truncate to the damage list's first offset)
 *   the text, up to a NUL: indexed as a plain-text document (a second
 *           document after a form feed)
 *   then 5-byte damages: u32 offset (modulo the file's size), u8 xor.
 * The index is built and merged for real, damaged, opened from memory,
 * and every operation is run over every attribute and structure: a damaged
 * file must be refused on open or give CP_EIO, never a crash. */
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

#include "cindex.h"
#include "cindex_fmt.h"

static unsigned char *build(const char *text, size_t n, size_t *size) {
    FILE *tmp = tmpfile(), *out = tmpfile();
    unsigned char *p = NULL;
    if (!tmp || !out) goto done;
    ci_build_opts o = {4};
    ci_builder *b = ci_builder_new(fileno(tmp), &o);
    const char *ff = memchr(text, '\f', n);
    size_t n1 = ff ? (size_t)(ff - text) : n;
    ci_doc d;
    memset(&d, 0, sizeof d);
    static const char *keys[] = {"k"};
    static const size_t klen[] = {1};
    static const int types[] = {LD_STR};
    const char *vals[] = {text};
    size_t vlen[] = {n1 < 8 ? n1 : 8};
    d.id = "a";
    d.id_len = 1;
    d.text = text;
    d.text_len = n1;
    d.meta_keys = keys;
    d.meta_vals = vals;
    d.meta_klen = klen;
    d.meta_vlen = vlen;
    d.meta_types = types;
    d.n_meta = 1;
    int rc = ci_builder_add(b, &d);
    if (ff && !rc) {
        memset(&d, 0, sizeof d);
        d.id = "b";
        d.id_len = 1;
        d.text = ff + 1;
        d.text_len = n - n1 - 1;
        rc = ci_builder_add(b, &d);
    }
    if (!rc) rc = ci_builder_finish(b);
    const uint64_t *offs;
    size_t nr = ci_builder_runs(b, &offs);
    struct stat st;
    ci_run runs[256];
    if (!rc && nr <= 256 && fstat(fileno(tmp), &st) == 0) {
        for (size_t k = 0; k < nr; k++) {
            runs[k].fd = fileno(tmp);
            runs[k].off = offs[k];
            runs[k].end = k + 1 < nr ? offs[k + 1] : (uint64_t)st.st_size;
        }
        char err[CI_ERR_SIZE];
        if (ci_merge(runs, nr, fileno(out), fileno(tmp), "{}", 2, err, sizeof err) == 0 && fstat(fileno(out), &st) == 0) {
            p = malloc((size_t)st.st_size + 1);
            if (p) *size = (size_t)pread(fileno(out), p, (size_t)st.st_size, 0);
        }
    }
    ci_builder_free(b);
done:
    if (tmp) fclose(tmp);
    if (out) fclose(out);
    return p;
}

static void reseal(unsigned char *p, size_t n) {
    if (n < CI_HEADER) return;
    uint64_t table = ci_rd64(p + 16);
    if (table <= n) ci_wr64(p + 24, ci_hash(p + table, (size_t)(n - table)));
    ci_wr64(p + 32, n);
    ci_wr64(p + 40, ci_hash(p, 40));
}

static void exercise(ci_index *ix) {
    cp_corpus *c = ci_corpus(ix);
    const cp_ops *op = c->ops;
    for (int a = 0; a < c->nattrs; a++) {
        cp_id n = op->lex_size(c, a);
        for (cp_id id = 0; id < n; id++) {
            size_t len;
            const char *s = op->lex_str(c, a, id, &len);
            (void)op->lex_find(c, a, s, len);
            (void)op->lex_freq(c, a, id);
            cp_posvec v = {0};
            (void)op->postings(c, a, id, &v);
            cp_posvec_free(&v);
        }
        cp_id ids[64];
        for (cp_pos p = 0; p < c->size; p += 64) {
            size_t k = c->size - p < 64 ? (size_t)(c->size - p) : 64;
            (void)op->ids_at(c, a, p, k, ids);
        }
    }
    for (int s = 0; s < c->nstructs; s++) {
        int64_t n = op->regions(c, s);
        for (int64_t k = 0; k < n; k++) {
            cp_pos b, e;
            op->region(c, s, k, &b, &e);
            (void)op->region_of(c, s, b);
            for (size_t i = 0; c->keys[s][i]; i++) {
                size_t len;
                (void)op->region_value(c, s, k, c->keys[s][i], strlen(c->keys[s][i]), &len);
            }
        }
    }
    for (int64_t k = 0; k < ci_docs(ix); k++) {
        cr_buf b;
        cr_buf_init(&b);
        (void)ci_doc_text(ix, k, &b);
        cr_buf_free(&b);
        size_t len;
        (void)ci_doc_path(ix, k, &len);
        (void)ci_doc_title(ix, k, &len);
    }
    char err[CI_ERR_SIZE];
    (void)ci_verify(ix, err, sizeof err);
}

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size) {
    if (size < 1 || size > 4096) return 0;
    unsigned flags = data[0];
    const char *text = (const char *)data + 1;
    const char *nul = memchr(text, '\0', size - 1);
    size_t tn = nul ? (size_t)(nul - text) : size - 1;
    const uint8_t *dmg = nul ? (const uint8_t *)nul + 1 : data + size;
    size_t dn = (size_t)(data + size - dmg);
    size_t n = 0;
    unsigned char *p = build(text, tn, &n);
    if (!p || n == 0) {
        free(p);
        return 0;
    }
    for (size_t i = 0; i + 5 <= dn && n > 0; i += 5) {
        uint32_t at = ci_rd32(dmg + i) % (uint32_t)n;
        if ((flags & 2) && i == 0) {
            n = at;
            continue;
        }
        p[at] ^= dmg[i + 4];
    }
    if (flags & 1) reseal(p, n);
    char err[CI_ERR_SIZE];
    ci_index *ix = ci_open_mem(p, n, "fuzz.cri", err, sizeof err);
    if (ix) {
        exercise(ix);
        ci_close(ix);
    } else if (strncmp(err, "fuzz.cri: ", 10) != 0 && strcmp(err, "out of memory") != 0) {
        abort();   /* every refusal names the file */
    }
    free(p);
    return 0;
}
