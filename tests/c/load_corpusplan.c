/* The corpus plans (corpusplan.h): the fingerprint and the sample keys
 * against golden values (checked with an independent implementation that
 * reads the words little-endian), so that the same corpus gives the same values on
 * every machine whatever its byte order; the shards' cuts. */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "corpusplan.h"
#include "counter.h"
#include "tap.h"

static void hex64(uint64_t x, char out[17]) {
    snprintf(out, 17, "%016llx", (unsigned long long)x);
}

static char *slurp(const char *path, size_t *len) {
    FILE *f = fopen(path, "rb");
    if (!f) return NULL;
    char *buf = NULL;
    size_t n = 0, cap = 0, r;
    do {
        if (n == cap) {
            cap = cap ? cap * 2 : 4096;
            char *p = realloc(buf, cap);
            if (!p) { free(buf); fclose(f); return NULL; }
            buf = p;
        }
        r = fread(buf + n, 1, cap - n, f);
        n += r;
    } while (r > 0);
    fclose(f);
    *len = n;
    return buf;
}

static void test_hash(void) {
    char h[17];
    /* every length from 0 to 17 crosses the word and tail paths */
    const char *s = "0123456789abcdefg";
    uint64_t acc = 0;
    for (size_t n = 0; n <= 17; n++) acc = acc * 31 + cr_plan_hash(7, s, n);
    hex64(acc, h);
    is_str(h, "755dc06fc7ce0c85", "cr_plan_hash over lengths 0..17: golden value");
    hex64(cr_plan_hash(0, "", 0), h);
    is_str(h, "0000000000000000", "the empty string from seed 0");
    hex64(cr_plan_hash(0x9e3779b97f4a7c15ull, "abcdefgh", 8), h);
    is_str(h, "cadf7f090b744ea8", "one word");
    /* unaligned input gives the same value as aligned */
    char buf[40];
    memcpy(buf + 3, "the same sixteen bytes!", 23);
    ok(cr_plan_hash(5, buf + 3, 23) == cr_plan_hash(5, "the same sixteen bytes!", 23),
       "the value does not depend on alignment");
}

static void test_fingerprint(void) {
    cr_fingerprint f;
    char hex[33];
    cr_fingerprint_init(&f);
    cr_fingerprint_hex(&f, hex);
    is_str(hex, "fe5361af3ba5171412fe9d896a903fda", "the empty corpus");
    cr_fingerprint_add(&f, "a.txt", 5, "Iran’s heir met 2 U.N. envoys.", strlen("Iran’s heir met 2 U.N. envoys."));
    cr_fingerprint_add(&f, "b.txt", 5, "", 0);
    cr_fingerprint_hex(&f, hex);
    is_str(hex, "2e8020edb1b6f93800fba096e50126ce", "two documents");
    cr_fingerprint g;
    cr_fingerprint_init(&g);
    cr_fingerprint_add(&g, "b.txt", 5, "", 0);
    cr_fingerprint_add(&g, "a.txt", 5, "Iran’s heir met 2 U.N. envoys.", strlen("Iran’s heir met 2 U.N. envoys."));
    char hex2[33];
    cr_fingerprint_hex(&g, hex2);
    ok(strcmp(hex, hex2) != 0, "the order of the documents counts");
    cr_fingerprint_init(&g);
    cr_fingerprint_add(&g, "a.tx", 4, "tIran’s heir met 2 U.N. envoys.", strlen("tIran’s heir met 2 U.N. envoys."));
    cr_fingerprint_add(&g, "b.txt", 5, "", 0);
    cr_fingerprint_hex(&g, hex2);
    ok(strcmp(hex, hex2) != 0, "a byte moved from the id to the text changes it");

    /* the sample corpus: the value c:fingerprint() gives for corpus/ */
    static const char *const ids[] = { "000_bffbd40d78d47571.txt", "001_e8d32c68db4d5ae8.txt",
                                       "002_1b50013527941c34.txt", "003_215d9fb04907b489.txt",
                                       "004_62ef3bdf8865f1a7.txt" };
    cr_fingerprint_init(&f);
    int read = 1;
    for (size_t i = 0; i < sizeof ids / sizeof *ids; i++) {
        char path[128];
        size_t len;
        snprintf(path, sizeof path, "corpus/%s", ids[i]);
        char *text = slurp(path, &len);
        if (!text) { read = 0; break; }
        cr_fingerprint_add(&f, ids[i], strlen(ids[i]), text, len);
        free(text);
    }
    ok(read, "the sample corpus is readable (run from the project root)");
    cr_fingerprint_hex(&f, hex);
    is_str(hex, "19b24f1897d8cf3047e7a6c56e64f0f8", "the sample corpus: golden fingerprint");
}

static void test_sample(void) {
    char h[17];
    hex64(cr_sample_key(0, "001_e8d32c68db4d5ae8.txt", 24), h);
    is_str(h, "5bd7f165ba6a6cfc", "a sample key: golden value");
    hex64(cr_sample_key(-3, "a", 1), h);
    is_str(h, "7fd7415dcf118ed3", "a negative seed: golden value");
    ok(cr_sample_key(1, "a", 1) != cr_sample_key(2, "a", 1), "the seed changes the key");
    cr_sample_item it[4] = { { 5, 1 }, { 3, 2 }, { 5, 0 }, { 1, 3 } };
    cr_sample_order(it, 4);
    ok(it[0].pos == 3 && it[1].pos == 2 && it[2].pos == 0 && it[3].pos == 1,
       "ordered by key, ties by position");
    cr_sample_order(it, 0);
    ok(1, "an empty sample sorts");
}

/* A deterministic stream of numbers for the random plans below. */
static uint64_t splitmix(uint64_t *state) {
    uint64_t z = (*state += 0x9e3779b97f4a7c15ull);
    z = (z ^ (z >> 30)) * 0xbf58476d1ce4e5b9ull;
    z = (z ^ (z >> 27)) * 0x94d049bb133111ebull;
    return z ^ (z >> 31);
}

/* The parts of a plan cover every document once, in order. */
static int covers(const cr_shardplan *p, uint64_t n) {
    size_t prev = 0;
    for (uint64_t k = 1; k <= n; k++) {
        size_t from, to;
        cr_shardplan_part(p, k, n, &from, &to);
        if (from != prev || to < from) return 0;
        prev = to;
    }
    return prev == p->n;
}

static void test_shards(void) {
    cr_shardplan p = { 0 };
    static const uint64_t bytes[] = { 99, 99, 99, 99, 399, 0, 0 };
    for (size_t i = 0; i < sizeof bytes / sizeof *bytes; i++) is_int(cr_shardplan_add(&p, bytes[i]), CR_OK, "add %zu", i);
    is_int(p.total, 802, "weights are bytes + 1");
    size_t from, to;
    cr_shardplan_part(&p, 1, 2, &from, &to);
    ok(from == 0 && to == 4, "half of 802 (401): the first four documents; the fifth's middle (600) lies past it (%zu..%zu)", from, to);
    cr_shardplan_part(&p, 2, 2, &from, &to);
    ok(from == 4 && to == 7, "the rest (%zu..%zu)", from, to);
    for (uint64_t n = 1; n <= 12; n++) ok(covers(&p, n), "%llu parts cover every document once, in order", (unsigned long long)n);
    ok(covers(&p, 5000000000ull), "more parts than 2^32 (the cut's product needs 128 bits)");
    cr_shardplan_part(&p, 4000000000ull, 5000000000ull, &from, &to);
    ok(from == 5 && to == 5, "part 4e9 of 5e9 is empty, at 4/5 of the weight (%zu..%zu)", from, to);
    cr_shardplan_free(&p);
    ok(p.w == NULL && p.n == 0, "freed");
    cr_shardplan_part(&p, 1, 3, &from, &to);
    ok(from == 0 && to == 0, "an empty plan has empty parts");

    /* two documents, the second larger: one each (the middle rule) */
    is_int(cr_shardplan_add(&p, 676), CR_OK, "add 676");
    is_int(cr_shardplan_add(&p, 866), CR_OK, "add 866");
    cr_shardplan_part(&p, 1, 2, &from, &to);
    ok(from == 0 && to == 1, "two documents, two parts: the first (%zu..%zu)", from, to);
    cr_shardplan_part(&p, 2, 2, &from, &to);
    ok(from == 1 && to == 2, "and the second (%zu..%zu)", from, to);
    cr_shardplan_free(&p);

    /* two documents of any sizes: one each */
    int one_each = 1;
    for (uint64_t a = 0; a < 60 && one_each; a++)
        for (uint64_t b = 0; b < 60 && one_each; b++) {
            cr_shardplan q = { 0 };
            if (cr_shardplan_add(&q, a) || cr_shardplan_add(&q, b)) one_each = 0;
            cr_shardplan_part(&q, 1, 2, &from, &to);
            if (from != 0 || to != 1) one_each = 0;
            cr_shardplan_free(&q);
        }
    ok(one_each, "two documents of 0 to 59 bytes: two parts of one each");

    /* the middle rule, against the plain arithmetic where nothing overflows */
    uint64_t seed = 42;
    int agree = 1;
    for (int round = 0; round < 2000 && agree; round++) {
        cr_shardplan q = { 0 };
        size_t docs = 1 + (size_t)(splitmix(&seed) % 12);
        for (size_t i = 0; i < docs; i++) (void)cr_shardplan_add(&q, splitmix(&seed) % 1000);
        uint64_t parts = 1 + splitmix(&seed) % 9;
        for (uint64_t k = 1; k <= parts && agree; k++) {
            cr_shardplan_part(&q, k, parts, &from, &to);
            for (size_t i = 0; i < q.n; i++) {   /* in part k iff its middle lies in [k-1, k) / parts */
                uint64_t before = 0;
                for (size_t m = 0; m < i; m++) before += q.w[m];
                uint64_t middle2n = (2 * before + q.w[i]) * parts;
                int inside = middle2n >= 2 * q.total * (k - 1) && (k == parts || middle2n < 2 * q.total * k);
                if (inside != (i >= from && i < to)) agree = 0;
            }
        }
        cr_shardplan_free(&q);
    }
    ok(agree, "2000 random plans: each document in the part where its middle falls");

    /* many documents: balanced within one document's weight */
    for (size_t i = 0; i < 10000; i++)
        if (cr_shardplan_add(&p, i % 97) != CR_OK) break;
    ok(p.n == 10000, "10000 documents");
    uint64_t most = 0, least = UINT64_MAX;
    for (uint64_t k = 1; k <= 7; k++) {
        cr_shardplan_part(&p, k, 7, &from, &to);
        uint64_t w = 0;
        for (size_t i = from; i < to; i++) w += p.w[i];
        if (w > most) most = w;
        if (w < least) least = w;
    }
    ok(most - least <= 2 * 97, "7 parts differ by at most two documents' weight (%llu..%llu)",
       (unsigned long long)least, (unsigned long long)most);
    cr_shardplan_free(&p);
}

int main(void) {
    test_hash();
    test_fingerprint();
    test_sample();
    test_shards();
    return tap_done();
}
