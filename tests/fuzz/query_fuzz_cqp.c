/* query_fuzz_cqp.c — libFuzzer: the query parser on any bytes.  A query it
 * takes must print back (cqp_unparse) to a query that parses to the same
 * text, and must run over a small corpus in memory without a fault. */
#include <stddef.h>
#include <stdint.h>
#include <stdlib.h>
#include <string.h>

#include "buf.h"
#include "cpos_mem.h"
#include "cqp.h"

static cp_corpus *corpus;

static cp_corpus *small_corpus(void) {
    static const char *const texts[] = {
        "The old man saw the old house. The man left at 5 p.m. today!",
        "Caf\xc3\xa9 cafe CAFE caf\xc3\xa9s, and (an) old old tree.",
    };
    cpm_builder *b = cpm_new(NULL);
    for (int i = 0; b && i < 2; i++) {
        const char *meta[2] = {"genre", i ? "fiction" : "news"};
        size_t mlen[2] = {5, strlen(meta[1])};
        cpm_doc d = {i ? "b" : "a", 1, meta, mlen, 1};
        if (cpm_add_text(b, &d, texts[i], strlen(texts[i])) != CP_OK) abort();
    }
    cp_corpus *c = cpm_finish(b);
    if (!c) abort();
    return c;
}

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size) {
    if (!corpus) corpus = small_corpus();
    cqp_error err;
    cqp_query *q = cqp_parse((const char *)data, size, &err);
    if (!q) {
        if (err.offset > size || !err.msg[0]) abort();
        return 0;
    }
    cr_buf a = CR_BUF_INIT, b = CR_BUF_INIT;
    if (cqp_unparse(q, &a) != 0) abort();
    cqp_query *q2 = cqp_parse(a.data, a.len, &err);
    if (!q2 || cqp_unparse(q2, &b) != 0 || a.len != b.len || memcmp(a.data, b.data, a.len) != 0) abort();
    cqp_hits h = {0};
    for (int st = 0; st < 3; st++) {
        h.n = 0;
        if (cqp_run(q, corpus, (cqp_strategy)st, &h, &err) == 0)
            for (size_t i = 0; i < h.n; i++)
                if (h.start[i] > h.end[i] || h.end[i] >= corpus->size) abort();
    }
    cqp_hits_free(&h);
    cr_buf_free(&a);
    cr_buf_free(&b);
    cqp_free(q);
    cqp_free(q2);
    return 0;
}
