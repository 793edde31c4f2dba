/* index_bench.c — the index's storage measured (docs/performance.md, "The
 * index"): per attribute, the bytes per token of its parts, the speed of
 * decoding postings through cp_ops (varint gaps; a derived attribute's
 * merged from its words') and of a bare varint loop over the same lists
 * re-encoded in memory, and of ids_at over the bit-packed token stream and
 * over aligned arrays (16 or 32 bits).
 *   build/index_bench INDEX [ATTR...] */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>

#include "cindex.h"
#include "cindex_fmt.h"

static double now(void) {
    struct timespec ts;
    clock_gettime(CLOCK_MONOTONIC, &ts);
    return ts.tv_sec + ts.tv_nsec / 1e9;
}

static void bench_attr(ci_index *ix, int a) {
    cp_corpus *c = ci_corpus(ix);
    const cp_ops *op = c->ops;
    cp_id n = op->lex_size(c, a);
    uint64_t lx, ids, post;
    ci_attr_sizes(ix, a, &lx, &ids, &post);
    double N = (double)c->size;
    printf("%-6s types %8lld  lexicon %.3f  ids %.3f  postings %.3f  (bytes/token)\n", c->attrs[a], (long long)n, lx / N,
           ids / N, post / N);
    /* postings as stored: decode every list, three times */
    cp_posvec v = {0};
    double t0 = now();
    uint64_t total = 0;
    for (int r = 0; r < 3; r++)
        for (cp_id id = 0; id < n; id++) {
            v.n = 0;
            op->postings(c, a, id, &v);
            total += v.n;
        }
    double tb = now() - t0;
    /* the same lists as bare varints, decoded without cp_ops */
    size_t cap = (size_t)c->size * 5 + 16, len = 0;
    unsigned char *buf = malloc(cap);
    uint64_t *start = malloc(((size_t)n + 1) * sizeof *start), *freq = malloc(((size_t)n + 1) * sizeof *freq);
    for (cp_id id = 0; id < n; id++) {
        v.n = 0;
        op->postings(c, a, id, &v);
        start[id] = len;
        freq[id] = v.n;
        for (size_t k = 0; k < v.n; k++) len += ci_put_varint(buf + len, k ? (uint64_t)(v.v[k] - v.v[k - 1]) : (uint64_t)v.v[0]);
    }
    start[n] = len;
    t0 = now();
    uint64_t sum = 0;
    for (int r = 0; r < 3; r++)
        for (cp_id id = 0; id < n; id++) {
            const unsigned char *p = buf + start[id], *end = buf + start[id + 1];
            uint64_t pos = 0;
            if (v.cap < freq[id]) {
                v.v = realloc(v.v, freq[id] * sizeof *v.v);
                v.cap = freq[id];
            }
            for (uint64_t k = 0; k < freq[id]; k++) {
                uint64_t d = 0;
                if (*p < 0x80) d = *p++;
                else ci_varint(&p, end, &d);
                pos += d;
                v.v[k] = (cp_pos)pos;
            }
            sum += v.v[freq[id] ? freq[id] - 1 : 0];
        }
    double tv = now() - t0;
    printf("       postings: stored %.3f B/token, %.2f ns/position; bare varints %.3f B/token, %.2f ns/position (%llu)\n",
           post / N, tb * 1e9 / total, (len + 16.0 * n) / N, tv * 1e9 / total, (unsigned long long)(sum & 1));
    /* ids_at: sequential in chunks of 4096, and 1M random windows of 16 */
    enum { CH = 4096, WIN = 16, NWIN = 1000000 };
    cp_id out[CH];
    t0 = now();
    uint64_t acc = 0;
    for (cp_pos p = 0; p < c->size; p += CH) {
        size_t k = c->size - p < CH ? (size_t)(c->size - p) : CH;
        op->ids_at(c, a, p, k, out);
        acc += (uint64_t)out[0];
    }
    double ts = now() - t0;
    uint64_t seed = 88172645463325252u;
    t0 = now();
    for (int i = 0; i < NWIN; i++) {
        seed ^= seed << 13, seed ^= seed >> 7, seed ^= seed << 17;
        cp_pos p = (cp_pos)(seed % (uint64_t)(c->size - WIN));
        op->ids_at(c, a, p, WIN, out);
        acc += (uint64_t)out[WIN - 1];
    }
    double tr = now() - t0;
    /* the alternative: aligned ids */
    int wide = n > 65536;
    void *al = malloc((size_t)c->size * (wide ? 4 : 2));
    for (cp_pos p = 0; p < c->size; p += CH) {
        size_t k = c->size - p < CH ? (size_t)(c->size - p) : CH;
        op->ids_at(c, a, p, k, out);
        for (size_t i = 0; i < k; i++) {
            if (wide) ((uint32_t *)al)[p + (cp_pos)i] = (uint32_t)out[i];
            else ((uint16_t *)al)[p + (cp_pos)i] = (uint16_t)out[i];
        }
    }
    t0 = now();
    seed = 88172645463325252u;
    for (int i = 0; i < NWIN; i++) {
        seed ^= seed << 13, seed ^= seed >> 7, seed ^= seed << 17;
        cp_pos p = (cp_pos)(seed % (uint64_t)(c->size - WIN));
        for (int k = 0; k < WIN; k++) out[k] = wide ? ((uint32_t *)al)[p + k] : ((uint16_t *)al)[p + k];
        acc += (uint64_t)out[WIN - 1];
    }
    double ta = now() - t0;
    printf("       ids_at: packed %.2f ns/token sequential, %.1f ns per random window of %d; aligned %d bits %.1f ns per window, %.3f B/token (%llu)\n",
           ts * 1e9 / N, tr * 1e9 / NWIN, WIN, wide ? 32 : 16, ta * 1e9 / NWIN, (wide ? 4.0 : 2.0), (unsigned long long)(acc & 1));
    free(al);
    free(buf);
    free(start);
    free(freq);
    cp_posvec_free(&v);
}

int main(int argc, char **argv) {
    if (argc < 2) {
        fprintf(stderr, "usage: %s INDEX [ATTR...]\n", argv[0]);
        return 2;
    }
    char err[CI_ERR_SIZE];
    double t0 = now();
    ci_index *ix = ci_open(argv[1], err, sizeof err);
    double topen = now() - t0;
    if (!ix) {
        fprintf(stderr, "%s\n", err);
        return 1;
    }
    cp_corpus *c = ci_corpus(ix);
    printf("%s: %lld tokens, %llu bytes (%.2f bytes/token), opened in %.2f ms\n", argv[1], (long long)c->size,
           (unsigned long long)ci_file_size(ix), (double)ci_file_size(ix) / (double)c->size, topen * 1e3);
    t0 = now();
    int v = ci_verify(ix, err, sizeof err);
    printf("verify: %s in %.0f ms\n", v ? err : "sound", (now() - t0) * 1e3);
    for (int a = 0; a < c->nattrs; a++) {
        int want = argc == 2;
        for (int i = 2; i < argc; i++) want |= !strcmp(argv[i], c->attrs[a]);
        if (want) bench_attr(ix, a);
    }
    ci_close(ix);
    return 0;
}
