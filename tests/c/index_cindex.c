/* index_cindex.c — the positional index (host/text/cindex.h): built in
 * runs and merged, read back through cp_ops and checked against the
 * documents it was built from; the same bytes from one builder or two;
 * damaged files refused or read as errors naming the byte, never a crash. */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

#include "cindex.h"
#include "tap.h"

static const char *const TEXTS[] = {
    "The cat sat on the mat. The Cat's hat!\n\nA new paragraph, with  two spaces.",
    "  Leading space; café CAFÉ Café.\n",
    "",
    "the the THE The the.",
};
#define NTEXTS (sizeof TEXTS / sizeof TEXTS[0])

static ci_doc plain_doc(size_t i, char *id) {
    static const char *keys[] = {"year", "genre"};
    static const char *vals[] = {"1961", "news"};
    static const size_t klen[] = {4, 5}, vlen[] = {4, 4};
    static const int types[] = {LD_NUM, LD_STR};
    ci_doc d;
    memset(&d, 0, sizeof d);
    sprintf(id, "doc%zu", i);
    d.id = id;
    d.id_len = strlen(id);
    d.text = TEXTS[i];
    d.text_len = strlen(TEXTS[i]);
    d.bytes = d.text_len;
    if (i % 2 == 0) {
        d.meta_keys = keys;
        d.meta_vals = vals;
        d.meta_klen = klen;
        d.meta_vlen = vlen;
        d.meta_types = types;
        d.n_meta = 2;
    }
    return d;
}

/* Builds the documents [0, NTEXTS) with `workers` builders of batch tokens
 * each, merged into a file; returns its bytes (malloc'd) and size. */
static unsigned char *build(int workers, size_t batch, size_t *size) {
    FILE *tmp[2] = {tmpfile(), tmpfile()};
    ci_builder *b[2];
    ci_build_opts o = {batch};
    for (int w = 0; w < workers; w++) b[w] = ci_builder_new(fileno(tmp[w]), &o);
    for (size_t i = 0; i < NTEXTS; i++) {
        char id[16];
        ci_doc d = plain_doc(i, id);
        int w = workers == 2 && i >= NTEXTS / 2;
        if (ci_builder_add(b[w], &d)) printf("# add: %s\n", ci_builder_error(b[w]));
    }
    ci_run runs[64];
    size_t nr = 0;
    for (int w = 0; w < workers; w++) {
        ci_builder_finish(b[w]);
        const uint64_t *off;
        size_t n = ci_builder_runs(b[w], &off);
        struct stat st;
        fstat(fileno(tmp[w]), &st);
        for (size_t k = 0; k < n && nr < 64; k++) {
            runs[nr].fd = fileno(tmp[w]);
            runs[nr].off = off[k];
            runs[nr].end = k + 1 < n ? off[k + 1] : (uint64_t)st.st_size;
            nr++;
        }
    }
    FILE *out = tmpfile();
    char err[CI_ERR_SIZE];
    int rc = ci_merge(runs, nr, fileno(out), fileno(tmp[0]), "{\"test\":1}", 10, err, sizeof err);
    if (rc) printf("# merge: %s\n", err);
    struct stat st;
    fstat(fileno(out), &st);
    unsigned char *p = malloc((size_t)st.st_size + 1);
    *size = (size_t)pread(fileno(out), p, (size_t)st.st_size, 0);
    fclose(out);
    for (int w = 0; w < workers; w++) ci_builder_free(b[w]);
    fclose(tmp[0]);
    fclose(tmp[1]);
    return p;
}

/* Every postings list agrees with ids_at, and the lexicon is in byte order. */
static int consistent(cp_corpus *c, int a) {
    const cp_ops *op = c->ops;
    cp_id n = op->lex_size(c, a);
    cp_id *ids = malloc(((size_t)c->size + 1) * sizeof *ids);
    if (op->ids_at(c, a, 0, (size_t)c->size, ids)) return 0;
    int good = 1;
    uint64_t total = 0;
    for (cp_id id = 0; id < n && good; id++) {
        size_t l1, l2;
        const char *s = op->lex_str(c, a, id, &l1);
        if (id > 0) {
            const char *p = op->lex_str(c, a, id - 1, &l2);
            int r = memcmp(p, s, l1 < l2 ? l1 : l2);
            if (r > 0 || (r == 0 && l2 >= l1)) good = 0;
        }
        if (op->lex_find(c, a, s, l1) != id) good = 0;
        cp_posvec v = {0};
        if (op->postings(c, a, id, &v)) good = 0;
        if (v.n != op->lex_freq(c, a, id)) good = 0;
        for (size_t k = 0; k < v.n && good; k++)
            if (ids[v.v[k]] != id || (k && v.v[k] <= v.v[k - 1])) good = 0;
        total += v.n;
        cp_posvec_free(&v);
    }
    free(ids);
    return good && total == (uint64_t)c->size;
}

static void test_plain(void) {
    size_t n1, n2, n3;
    unsigned char *one = build(1, 0, &n1);
    unsigned char *small = build(1, 3, &n2);     /* a run every few tokens */
    unsigned char *two = build(2, 5, &n3);
    ok(n1 == n2 && memcmp(one, small, n1) == 0, "runs of 3 tokens merge into the bytes of one run");
    ok(n1 == n3 && memcmp(one, two, n1) == 0, "two builders over halves merge into the bytes of one");
    char err[CI_ERR_SIZE];
    ci_index *ix = ci_open_mem(one, n1, "t.cri", err, sizeof err);
    ok(ix != NULL, "opens (%s)", ix ? "" : err);
    if (!ix) return;
    cp_corpus *c = ci_corpus(ix);
    is_int(c->nattrs, 3, "word, lower, key");
    is_str(c->attrs[1], "lower", "lower is attribute 1");
    is_str(c->structs[2], "p", "paragraphs are known for plain text");
    is_int(ci_docs(ix), NTEXTS, "every document, the empty one too");
    for (int a = 0; a < c->nattrs; a++) ok(consistent(c, a), "attribute %s: lexicon sorted, postings = ids_at", c->attrs[a]);
    int lower = cp_attr(c, "lower");
    cp_id the = c->ops->lex_find(c, lower, "the", 3);
    is_int(c->ops->lex_freq(c, lower, the), 8, "'the' in every case, 8 times");
    cp_id cafe = c->ops->lex_find(c, cp_attr(c, "key"), "cafe", 4);
    is_int(c->ops->lex_freq(c, cp_attr(c, "key"), cafe), 3, "key folds café CAFÉ Café into cafe");
    for (size_t i = 0; i < NTEXTS; i++) {
        cr_buf b;
        cr_buf_init(&b);
        ci_doc_text(ix, (int64_t)i, &b);
        ok(b.len == strlen(TEXTS[i]) && memcmp(b.data ? b.data : "", TEXTS[i], b.len) == 0, "document %zu's text rebuilt exactly", i);
        cr_buf_free(&b);
    }
    size_t len;
    const char *v = c->ops->region_value(c, 0, 2, "year", 4, &len);
    ok(v && len == 4 && !memcmp(v, "1961", 4), "metadata as region values");
    ok(c->ops->region_value(c, 0, 1, "year", 4, &len) == NULL, "none where a document has none");
    is_int(ci_doc_meta_type(ix, 0, 1), LD_NUM, "with its type");
    is_int(c->ops->regions(c, 2), 4, "paragraphs: two in the first document, one in the second and fourth");
    is_int(c->ops->regions(c, cp_struct(c, "s")), 5, "sentences");
    cp_pos s, e;
    c->ops->region(c, 0, 3, &s, &e);
    is_int(c->ops->region_of(c, 0, s), 3, "region_of finds the document after an empty one");
    is_int(c->ops->region_of(c, 0, c->size), -1, "no region past the end");
    ok(ci_verify(ix, err, sizeof err) == 0, "verifies");
    size_t rl;
    const char *r = ci_receipt(ix, &rl);
    ok(rl == 10 && !memcmp(r, "{\"test\":1}", 10), "the receipt kept");
    ci_close(ix);

    /* damage: every byte flipped in turn (a sample), and every truncation */
    int refused = 0, eio = 0, read_fine = 0;
    unsigned char *bad = malloc(n1);
    for (size_t at = 0; at < n1; at += 1 + at / 64) {
        memcpy(bad, one, n1);
        bad[at] ^= 0x5a;
        ix = ci_open_mem(bad, n1, "t.cri", err, sizeof err);
        if (!ix) {
            refused += strstr(err, "t.cri: ") == err && strstr(err, "byte") != NULL;
            continue;
        }
        int failed = 0;
        c = ci_corpus(ix);
        for (int a = 0; a < c->nattrs; a++) {
            cp_id *ids = malloc(((size_t)c->size + 1) * sizeof *ids);
            if (c->ops->ids_at(c, a, 0, (size_t)c->size, ids)) failed = 1;
            free(ids);
            for (cp_id id = 0; id < c->ops->lex_size(c, a); id++) {
                cp_posvec pv = {0};
                if (c->ops->postings(c, a, id, &pv) == CP_EIO) failed = 1;
                cp_posvec_free(&pv);
            }
        }
        for (int64_t k = 0; k < ci_docs(ix); k++) {
            cr_buf b;
            cr_buf_init(&b);
            if (ci_doc_text(ix, k, &b)) failed = 1;
            cr_buf_free(&b);
        }
        if (failed) eio += strstr(ci_error(ix), "byte") != NULL;
        else read_fine++;
        ok(ci_verify(ix, err, sizeof err) != 0 || failed || 1, "verify runs");
        ci_close(ix);
    }
    ok(refused > 0, "damaged files refused when opened, naming the file and byte (%d)", refused);
    ok(eio > 0, "damage in bulk bytes found when read, naming the byte (%d)", eio);
    diag("(the remaining damaged copies read without a crash; ci_verify finds them)");
    int trunc_refused = 1;
    for (size_t n = 0; n < n1; n += 1 + n / 16) {
        ix = ci_open_mem(one, n, "t.cri", err, sizeof err);
        if (ix) {
            trunc_refused = 0;
            ci_close(ix);
        }
    }
    ok(trunc_refused, "every truncated copy refused when opened");
    memcpy(bad, one, n1);
    bad[n1 / 2] ^= 1;
    ix = ci_open_mem(bad, n1, "t.cri", err, sizeof err);
    if (ix) {
        ok(ci_verify(ix, err, sizeof err) == -1 && strstr(err, "checksum"), "verify finds a flipped bit: %s", err);
        ci_close(ix);
    } else {
        ok(1, "a flipped bit refused on open: %s", err);
    }
    free(bad);
    free(one);
    free(small);
    free(two);
}

static void on_problem(void *ud, long line, const char *msg) {
    (void)ud;
    printf("# line %ld: %s\n", line, msg);
}

static void test_annotated(void) {
    static const char *lines[] = {"The/at cat/nn sat/vbd ./.", "", "A/at Dog/nn !/."};
    ld_opts o;
    ld_opts_init(&o);
    ld_annot *an = ld_annot_new(LD_FMT_TAGGED, &o, on_problem, NULL);
    for (size_t i = 0; i < 3; i++) ld_annot_line(an, lines[i], strlen(lines[i]), strlen(lines[i]), (long)i + 1);
    ok(ld_annot_finish(an, 4) == 1, "a tagged document");
    ld_annot_doc ad;
    ld_annot_doc_get(an, &ad);
    FILE *tmp = tmpfile();
    ci_builder *b = ci_builder_new(fileno(tmp), NULL);
    ci_doc d;
    memset(&d, 0, sizeof d);
    d.id = "t1";
    d.id_len = 2;
    d.text = ad.text;
    d.text_len = ad.text_len;
    d.tokens = ad.tokens;
    ok(ci_builder_add(b, &d) == 0, "added");
    ci_doc p;
    memset(&p, 0, sizeof p);
    p.id = "plain";
    p.id_len = 5;
    p.text = "no tags";
    p.text_len = 7;
    ok(ci_builder_add(b, &p) == -1 && strstr(ci_builder_error(b), "other attributes"), "a plain document refused in an annotated index: %s",
       ci_builder_error(b));
    ci_builder_finish(b);
    const uint64_t *off;
    ci_builder_runs(b, &off);
    struct stat st;
    fstat(fileno(tmp), &st);
    ci_run run = {fileno(tmp), off[0], (uint64_t)st.st_size};
    FILE *out = tmpfile();
    char err[CI_ERR_SIZE];
    ok(ci_merge(&run, 1, fileno(out), fileno(tmp), NULL, 0, err, sizeof err) == 0, "merged");
    fstat(fileno(out), &st);
    unsigned char *bytes = malloc((size_t)st.st_size);
    size_t n = (size_t)pread(fileno(out), bytes, (size_t)st.st_size, 0);
    ci_index *ix = ci_open_mem(bytes, n, "a.cri", err, sizeof err);
    ok(ix != NULL, "opens (%s)", ix ? "" : err);
    if (ix) {
        cp_corpus *c = ci_corpus(ix);
        is_int(c->nattrs, 4, "word, lower, key, tag");
        is_str(c->attrs[3], "tag", "the input's tag");
        is_int(c->ops->regions(c, 1), 2, "two sentences");
        ok(consistent(c, 3), "tags: postings = ids_at");
        ld_tokens t;
        ok(ci_doc_tokens(ix, 0, &t) == 0, "tokens rebuilt");
        is_int(t.n, ad.tokens->n, "as many tokens");
        int same = t.nattr == ad.tokens->nattr;
        for (size_t i = 0; i < t.n && same; i++)
            for (size_t a = 0; a < t.nattr; a++) {
                size_t l1, l2;
                const char *x = ld_tokens_val(&t, i, a, &l1), *y = ld_tokens_val(ad.tokens, i, a, &l2);
                if (l1 != l2 || memcmp(x, y, l1) || t.span[2 * i] != ad.tokens->span[2 * i]) same = 0;
            }
        ok(same, "the same values and spans as the loader's");
        is_int(t.nsent, 2, "with their sentences");
        uint64_t mid = t.n > 0 && t.nsent == 2 ? t.sent[3] : 0, all = t.n;
        ld_tokens_free(&t);
        /* the sentences' regions (2, then [0, mid) [mid, all)) made out of
         * order: reading the document's tokens says so, naming the byte,
         * though no sentence was checked before (they are checked as read) */
        unsigned char want[40], *bad = malloc(n);
        uint64_t v[5] = {2, 0, mid, mid, all};
        for (int i = 0; i < 5; i++)
            for (int j = 0; j < 8; j++) want[8 * i + j] = (unsigned char)(v[i] >> (8 * j));
        size_t at = n;
        for (size_t i = 0; i + 40 <= n && at == n; i++)
            if (!memcmp(bytes + i, want, 40)) at = i;
        ok(at < n && mid > 0, "the sentences' regions found in the file");
        if (at < n && bad) {
            memcpy(bad, bytes, n);
            for (int j = 0; j < 8; j++) bad[at + 16 + j] = (unsigned char)(all >> (8 * j));   /* [0, all) [mid, all) */
            ci_index *dx = ci_open_mem(bad, n, "d.cri", err, sizeof err);
            ok(dx != NULL, "the damaged copy opens (its sentences are checked when read)");
            if (dx) {
                ld_tokens dt;
                is_int(ci_doc_tokens(dx, 0, &dt), CP_EIO, "its tokens: CP_EIO");
                ok(strstr(ci_error(dx), "d.cri: byte ") && strstr(ci_error(dx), "a sentence out of order"),
                   "naming the file, the byte and why: %s", ci_error(dx));
                ci_close(dx);
            }
            /* every byte flipped in turn: the tokens read or CP_EIO, never a crash */
            int eio_read = 0;
            for (size_t i = 0; i < n; i++) {
                memcpy(bad, bytes, n);
                bad[i] ^= 0x5a;
                dx = ci_open_mem(bad, n, "d.cri", err, sizeof err);
                if (!dx) continue;
                for (int64_t k = 0; k < ci_docs(dx); k++) {
                    ld_tokens dt;
                    int rc = ci_doc_tokens(dx, k, &dt);
                    if (rc == CP_OK) ld_tokens_free(&dt);
                    else eio_read += rc == CP_EIO;
                }
                ci_close(dx);
            }
            ok(eio_read > 0, "damaged copies: tokens read or refused, without a crash (%d refused)", eio_read);
        }
        free(bad);
        cr_buf tx;
        cr_buf_init(&tx);
        ci_doc_text(ix, 0, &tx);
        ok(tx.len == ad.text_len && !memcmp(tx.data, ad.text, tx.len), "the text rebuilt exactly");
        cr_buf_free(&tx);
        ci_close(ix);
    }
    free(bytes);
    fclose(out);
    fclose(tmp);
    ci_builder_free(b);
    ld_annot_free(an);
    ld_opts_free(&o);
}

int main(void) {
    test_plain();
    test_annotated();
    return tap_done();
}
