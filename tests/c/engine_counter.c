/* engine_counter.c — unit tests of the counting cores (counter, tuples,
 * n-grams, co-occurrence, serialisation) from token-key arrays. */
#include "tap.h"
#include "cooc.h"
#include "counter.h"
#include "countext.h"

#include <stdlib.h>
#include <string.h>

/* A deterministic pseudo-random generator for synthetic token streams. */
static uint64_t rng_state = 42;
static uint32_t rnd(void) {
    rng_state = rng_state * 6364136223846793005ULL + 1442695040888963407ULL;
    return (uint32_t)(rng_state >> 33);
}

static const char *WORDS[] = { "the", "a", "of", "and", "cat", "cats", "dog", "é", "", "the cat",
                               "zeta", "alpha", "alp", "alpha beta", "b", "ba" };
#define NWORDS (sizeof WORDS / sizeof *WORDS)

/* A Zipf-ish stream of keys, fixed by the seed. */
static void make_stream(const char **out, size_t n, uint64_t seed) {
    rng_state = seed;
    for (size_t i = 0; i < n; i++) {
        uint32_t r = rnd() % 100;
        size_t w = r < 30 ? 0 : r < 45 ? 1 : r < 55 ? 2 : (size_t)(rnd() % NWORDS);
        out[i] = WORDS[w];
    }
}

static int counters_equal(const cr_counter *a, const cr_counter *b) {
    if (a->size != b->size || a->total != b->total) return 0;
    for (size_t i = 0; i < a->size; i++) {
        const cr_centry *e = &a->entries[i];
        if (cr_counter_get(b, e->key, cr_centry_len(e)) != e->count) return 0;
    }
    return 1;
}

static void test_counter_basics(void) {
    cr_counter c;
    cr_counter_init(&c);
    ok(cr_counter_add(&c, "b", 1, 2) == 0, "add b 2");
    ok(cr_counter_add(&c, "a", 1, 2) == 0, "add a 2");
    ok(cr_counter_add(&c, "c", 1, 5) == 0, "add c 5");
    ok(cr_counter_add(&c, "", 0, 1) == 0, "add empty key");
    ok(cr_counter_add(&c, "a\0b", 3, 1) == 0, "add key with NUL");
    is_int(cr_counter_get(&c, "a", 1), 2, "get a");
    is_int(cr_counter_get(&c, "a\0b", 3), 1, "get key with NUL");
    is_int(cr_counter_get(&c, "zz", 2), 0, "missing key is 0");
    is_int(c.size, 5, "five types");
    is_int(c.total, 11, "total 11");
    is_int(cr_counter_find(&c, "b", 1), 0, "ids follow first insertion");
    uint32_t top[8];
    size_t n = cr_counter_top(&c, 8, top);
    is_int(n, 5, "top returns all when k > size");
    is_str(c.entries[top[0]].key, "c", "top 1 is c");
    is_str(c.entries[top[1]].key, "a", "tie broken by key: a before b");
    is_str(c.entries[top[2]].key, "b", "then b");
    is_int(cr_centry_len(&c.entries[top[3]]), 0, "empty key sorts first among 1s");
    n = cr_counter_top(&c, 2, top);
    is_int(n, 2, "top 2");
    is_str(c.entries[top[1]].key, "a", "top 2 second is a");
    is_int(cr_counter_add(&c, "c", 1, INT64_MAX), CR_EOVERFLOW, "overflow is reported");
    is_int(cr_counter_get(&c, "c", 1), 5, "and leaves the count alone");
    ok(cr_counter_prune(&c, 2) == 0, "prune below 2");
    is_int(c.size, 3, "three left");
    is_int(cr_counter_get(&c, "", 0), 0, "empty key pruned");
    is_int(cr_counter_get(&c, "b", 1), 2, "b kept");
    is_int(cr_counter_find(&c, "a", 1), 1, "ids renumbered in order");
    is_int(c.total, 11, "prune keeps the total");
    cr_counter_free(&c);
    cr_counter_free(&c);
    ok(1, "free twice is harmless");
}

static void test_counter_growth(void) {
    cr_counter c;
    cr_counter_init(&c);
    char key[32];
    int bad = 0;
    for (int i = 0; i < 200000; i++) {
        int n = snprintf(key, sizeof key, "k%d", i);
        if (cr_counter_add(&c, key, (size_t)n, i % 7 + 1)) bad++;
    }
    for (int i = 0; i < 200000; i += 997) {
        int n = snprintf(key, sizeof key, "k%d", i);
        if (cr_counter_get(&c, key, (size_t)n) != i % 7 + 1) bad++;
    }
    is_int(bad, 0, "200000 keys inserted and found");
    is_int(c.size, 200000, "size 200000");
    uint32_t top[3];
    cr_counter_top(&c, 3, top);
    char best[32] = "", k2[32];
    for (int i = 6; i < 200000; i += 7) {
        snprintf(k2, sizeof k2, "k%d", i);
        if (!best[0] || strcmp(k2, best) < 0) strcpy(best, k2);
    }
    is_str(c.entries[top[0]].key, best, "top: the bytewise-smallest key among the highest counts");
    is_int(c.entries[top[1]].count, 7, "second also has count 7");
    cr_counter_free(&c);
}

static void test_counter_merge_dump(void) {
    enum { N = 5000 };
    const char *s[N];
    make_stream(s, N, 7);
    cr_counter whole, p1, p2, m12, m21;
    cr_counter_init(&whole);
    cr_counter_init(&p1);
    cr_counter_init(&p2);
    cr_counter_init(&m12);
    cr_counter_init(&m21);
    for (size_t i = 0; i < N; i++) {
        cr_counter_add(&whole, s[i], strlen(s[i]), 1);
        cr_counter_add(i < N / 3 ? &p1 : &p2, s[i], strlen(s[i]), 1);
    }
    ok(cr_counter_merge(&m12, &p1) == 0 && cr_counter_merge(&m12, &p2) == 0, "merge p1 then p2");
    ok(cr_counter_merge(&m21, &p2) == 0 && cr_counter_merge(&m21, &p1) == 0, "merge p2 then p1");
    ok(counters_equal(&m12, &whole), "merge of parts equals the whole");
    ok(counters_equal(&m21, &whole), "in either order");
    uint32_t t1[NWORDS], t2[NWORDS];
    size_t n1 = cr_counter_top(&m12, NWORDS, t1), n2 = cr_counter_top(&m21, NWORDS, t2);
    int same = n1 == n2;
    for (size_t i = 0; same && i < n1; i++)
        same = strcmp(m12.entries[t1[i]].key, m21.entries[t2[i]].key) == 0;
    ok(same, "top order is the same whatever the merge order");
    is_int(cr_counter_merge(&m12, &m12), CR_EINVAL, "merging into itself is refused");

    cr_buf w = { 0 };
    cr_frame_begin(&w, 1);
    cr_counter_dump(&w, &whole);
    cr_frame_end(&w);
    ok(!w.failed, "dump");
    unsigned kind;
    cr_rbuf r;
    cr_counter back;
    cr_counter_init(&back);
    ok(cr_frame_open(w.data, w.len, &kind, &r) == 0 && kind == 1, "frame opens");
    ok(cr_counter_undump(&r, &back) == 0 && r.p == r.end, "undump consumes the body");
    ok(counters_equal(&back, &whole), "round trip");
    cr_counter_free(&back);

    int bad = 0;
    for (size_t len = 0; len < w.len; len++) {
        if (cr_frame_open(w.data, len, &kind, &r) == 0) bad++;
    }
    is_int(bad, 0, "every truncation is rejected");
    bad = 0;
    for (size_t i = 0; i < w.len; i++) {
        unsigned char *d = malloc(w.len);
        memcpy(d, w.data, w.len);
        d[i] ^= 0x20;
        if (cr_frame_open(d, w.len, &kind, &r) == 0) bad++;
        free(d);
    }
    is_int(bad, 0, "every flipped byte is rejected");
    cr_buf_free(&w);

    /* Garbage bodies in a valid frame: errors, never a crash. */
    int accepted = 0;
    rng_state = 99;
    for (int round = 0; round < 2000; round++) {
        cr_buf g = { 0 };
        cr_frame_begin(&g, 1);
        size_t len = rnd() % 40;
        for (size_t i = 0; i < len; i++) cr_buf_addc(&g, rnd() % 4 ? rnd() % 8 : rnd() & 0xff);
        cr_frame_end(&g);
        cr_counter_init(&back);
        if (cr_frame_open(g.data, g.len, &kind, &r) == 0 && cr_counter_undump(&r, &back) == 0) accepted++;
        cr_counter_free(&back);
        cr_buf_free(&g);
    }
    ok(accepted >= 0, "2000 random bodies parsed without a crash (%d well-formed)", accepted);

    cr_counter_free(&whole);
    cr_counter_free(&p1);
    cr_counter_free(&p2);
    cr_counter_free(&m12);
    cr_counter_free(&m21);
}

static void test_tuples(void) {
    cr_tuples t;
    is_int(cr_tuples_init(&t, 0), CR_EINVAL, "width 0 refused");
    is_int(cr_tuples_init(&t, 9), CR_EINVAL, "width 9 refused");
    ok(cr_tuples_init(&t, 3) == 0, "width 3");
    int bad = 0;
    for (uint32_t i = 0; i < 50000; i++) {
        uint32_t ids[3] = { i % 100, i % 37, i % 11 };
        if (cr_tuples_add(&t, ids, 1)) bad++;
    }
    is_int(bad, 0, "50000 adds");
    uint32_t q[3] = { 5, 5, 5 };
    ok(cr_tuples_find(&t, q) >= 0, "found a tuple");
    uint32_t z[3] = { 100, 0, 0 };
    is_int(cr_tuples_find(&t, z), -1, "absent tuple");
    size_t before = t.size;
    cr_tuples_prune(&t, 2);
    ok(t.size < before && cr_tuples_find(&t, q) >= 0, "prune keeps frequent tuples");
    cr_tuples_free(&t);

    /* every tuple found with its count through growths (slots moved with
     * their hashes), a prune (slots rebuilt from the entries), a reserve
     * and more growths */
    ok(cr_tuples_init(&t, 2) == 0, "width 2");
    enum { N = 200000 };
    for (uint32_t i = 0; i < N; i++) {
        uint32_t ids[2] = { i, i * 7u };
        cr_tuples_add(&t, ids, (int64_t)(i % 3) + 1);
    }
    cr_tuples_prune(&t, 2);   /* keeps i % 3 != 0 */
    cr_tuples_reserve(&t, 3 * N);
    for (uint32_t i = N; i < 3 * N; i++) {
        uint32_t ids[2] = { i, i * 7u };
        cr_tuples_add(&t, ids, 5);
    }
    for (uint32_t i = N; i < 4 * N; i++) {   /* growth without a reserve */
        uint32_t ids[2] = { i + 3 * N, i };
        cr_tuples_add(&t, ids, 1);
    }
    int wrong = 0;
    for (uint32_t i = 0; i < 3 * N; i++) {
        uint32_t ids[2] = { i, i * 7u };
        int64_t at = cr_tuples_find(&t, ids);
        int64_t want = i < N ? (i % 3 ? (int64_t)(i % 3) + 1 : -1) : 5;
        if (want < 0 ? at != -1 : (at < 0 || t.counts[at] != want)) wrong++;
    }
    for (uint32_t i = N; i < 4 * N; i++) {
        uint32_t ids[2] = { i + 3 * N, i };
        int64_t at = cr_tuples_find(&t, ids);
        if (at < 0 || t.counts[at] != 1) wrong++;
    }
    is_int(wrong, 0, "every tuple found with its count after growths, a prune and a reserve");
    cr_tuples_free(&t);
}

/* Reference n-grams: joined strings counted in a plain counter. */
static void ref_ngrams(cr_counter *ref, const char **s, size_t n, unsigned k, const char *sep) {
    char buf[256];
    for (size_t i = 0; i + k <= n; i++) {
        size_t len = 0;
        for (unsigned j = 0; j < k; j++) {
            if (j) { memcpy(buf + len, sep, strlen(sep)); len += strlen(sep); }
            memcpy(buf + len, s[i + j], strlen(s[i + j]));
            len += strlen(s[i + j]);
        }
        cr_counter_add(ref, buf, len, 1);
    }
}

static void feed_ngrams(cr_ngrams *g, const char **s, size_t n) {
    uint32_t *ids = malloc((n ? n : 1) * sizeof *ids);
    for (size_t i = 0; i < n; i++) ids[i] = (uint32_t)cr_ngrams_intern(g, s[i], strlen(s[i]));
    cr_ngrams_feed(g, ids, n);
    free(ids);
}

static int ngrams_match_ref(const cr_ngrams *g, const cr_counter *ref) {
    if (g->grams.size != ref->size || g->total != ref->total) return 0;
    uint32_t *a = malloc(ref->size * sizeof *a), *b = malloc(ref->size * sizeof *b);
    size_t na = cr_ngrams_top(g, ref->size, a), nb = cr_counter_top(ref, ref->size, b);
    int same = na == nb;
    for (size_t i = 0; same && i < na; i++) {
        cr_buf w = { 0 };
        cr_ngrams_key(g, a[i], &w);
        const cr_centry *e = &ref->entries[b[i]];
        same = w.len == cr_centry_len(e) && (w.len == 0 || memcmp(w.data, e->key, w.len) == 0) &&
               g->grams.counts[a[i]] == e->count;
        cr_buf_free(&w);
    }
    free(a);
    free(b);
    return same;
}

static void test_ngrams(void) {
    enum { N = 4000 };
    const char *s[N];
    make_stream(s, N, 11);
    for (unsigned k = 1; k <= 4; k++) {
        cr_ngrams g;
        cr_counter ref;
        cr_counter_init(&ref);
        ok(cr_ngrams_init(&g, k, 0, " ", 1) == 0, "ngrams n=%u", k);
        feed_ngrams(&g, s, N);
        ref_ngrams(&ref, s, N, k, " ");
        ok(ngrams_match_ref(&g, &ref), "n=%u: counts and top order match the string reference", k);
        /* Parts, merged in both orders. */
        cr_ngrams p1, p2, m;
        cr_ngrams_init(&p1, k, 0, " ", 1);
        cr_ngrams_init(&p2, k, 0, " ", 1);
        cr_ngrams_init(&m, k, 0, " ", 1);
        cr_counter r2;
        cr_counter_init(&r2);
        feed_ngrams(&p1, s, N / 2);
        feed_ngrams(&p2, s + N / 2, N - N / 2);
        ref_ngrams(&r2, s, N / 2, k, " ");
        ref_ngrams(&r2, s + N / 2, N - N / 2, k, " ");
        ok(cr_ngrams_merge(&m, &p2) == 0 && cr_ngrams_merge(&m, &p1) == 0, "merge parts");
        ok(ngrams_match_ref(&m, &r2), "n=%u: merged parts equal the reference over parts", k);
        /* Dump round trip. */
        cr_buf w = { 0 };
        cr_ngrams_dump(&w, &m);
        cr_rbuf r = { (const unsigned char *)w.data, (const unsigned char *)w.data + w.len, 0 };
        cr_ngrams back;
        ok(cr_ngrams_undump(&r, &back) == 0 && r.p == r.end, "undump");
        ok(ngrams_match_ref(&back, &r2), "n=%u: dump round trip", k);
        int rejected = 1;
        for (size_t len = 0; len < w.len; len++) {
            cr_rbuf t = { (const unsigned char *)w.data, (const unsigned char *)w.data + len, 0 };
            cr_ngrams x;
            if (cr_ngrams_undump(&t, &x) == 0) { rejected = 0; cr_ngrams_free(&x); }
        }
        ok(rejected, "n=%u: every truncated body is rejected", k);
        cr_buf_free(&w);
        const char *keys[4] = { "the", "the", "the", "the" };
        size_t lens[4] = { 3, 3, 3, 3 };
        int64_t i1 = cr_ngrams_find(&g, keys, lens);
        int64_t i2 = cr_ngrams_find_joined(&g, "the the the the", 4 * k - 1);
        ok(i1 >= 0 && i1 == i2, "n=%u: find by tokens and by joined key agree", k);
        cr_ngrams_free(&g);
        cr_ngrams_free(&p1);
        cr_ngrams_free(&p2);
        cr_ngrams_free(&m);
        cr_ngrams_free(&back);
        cr_counter_free(&ref);
        cr_counter_free(&r2);
    }
    /* Tie-break on joined keys where one token is a prefix of another. */
    cr_ngrams g;
    cr_ngrams_init(&g, 2, 0, " ", 1);
    const char *t1[] = { "alp", "zeta" }, *t2[] = { "alp", "a" }, *t3[] = { "alpha", "b" };
    feed_ngrams(&g, t1, 2);
    feed_ngrams(&g, t2, 2);
    feed_ngrams(&g, t3, 2);
    uint32_t top[3];
    cr_ngrams_top(&g, 3, top);
    cr_buf w = { 0 };
    for (int i = 0; i < 3; i++) { cr_ngrams_key(&g, top[i], &w); cr_buf_addc(&w, '|'); }
    cr_buf_addc(&w, 0);
    is_str((char *)w.data, "alp a|alp zeta|alpha b|", "joined keys ordered bytewise");
    cr_buf_free(&w);
    cr_ngrams_free(&g);

    /* Skip-grams: 1-skip-bigrams of a b c d. */
    cr_ngrams_init(&g, 2, 1, "_", 1);
    const char *abcd[] = { "a", "b", "c", "d" };
    feed_ngrams(&g, abcd, 4);
    is_int(g.grams.size, 5, "1-skip-bigrams of a b c d: ab ac bc bd cd");
    is_int(cr_ngrams_find_joined(&g, "a_c", 3) >= 0, 1, "a_c present");
    is_int(cr_ngrams_find_joined(&g, "a_d", 3), -1, "a_d absent");
    cr_ngrams_free(&g);
    cr_ngrams_init(&g, 3, 2, " ", 1);
    const char *abcde[] = { "a", "b", "c", "d", "e" };
    feed_ngrams(&g, abcde, 5);
    /* positions within 5 tokens of the first: C(4,2) from a, C(3,2) from b, 1 from c */
    is_int(g.grams.size, 10, "2-skip-trigrams of a..e");
    cr_ngrams_free(&g);
    cr_ngrams x;
    is_int(cr_ngrams_init(&x, 0, 0, " ", 1), CR_EINVAL, "n=0 refused");
    cr_ngrams a, b;
    cr_ngrams_init(&a, 2, 0, " ", 1);
    cr_ngrams_init(&b, 3, 0, " ", 1);
    is_int(cr_ngrams_merge(&a, &b), CR_EINVAL, "merging different n refused");
    cr_ngrams_free(&a);
    cr_ngrams_free(&b);
}

static uint32_t *intern_all(cr_cooc *c, const char **s, size_t n) {
    uint32_t *ids = malloc((n ? n : 1) * sizeof *ids);
    for (size_t i = 0; i < n; i++) ids[i] = (uint32_t)cr_cooc_intern(c, s[i], strlen(s[i]));
    return ids;
}

static int64_t cooc_get_keys(const cr_cooc *c, const char *a, const char *b) {
    int64_t x = cr_counter_find(&c->vocab, a, strlen(a)), y = cr_counter_find(&c->vocab, b, strlen(b));
    if (x < 0 || y < 0) return 0;
    return cr_cooc_get(c, (uint32_t)x, (uint32_t)y);
}

/* Reference: every unordered pair of positions within the window. */
static int64_t ref_window(const char **s, size_t n, unsigned w, const char *a, const char *b) {
    int64_t k = 0;
    for (size_t i = 0; i < n; i++)
        for (size_t j = i + 1; j < n && j <= i + w; j++)
            if ((!strcmp(s[i], a) && !strcmp(s[j], b)) || (!strcmp(s[i], b) && !strcmp(s[j], a))) k++;
    return k;
}

static void test_cooc(void) {
    enum { N = 3000 };
    const char *s[N];
    make_stream(s, N, 5);
    cr_cooc c;
    ok(cr_cooc_init(&c, CR_COOC_WINDOW, 5) == 0, "cooc window 5");
    uint32_t *ids = intern_all(&c, s, N);
    ok(cr_cooc_feed(&c, ids, N) == 0, "feed");
    free(ids);
    int bad = 0;
    for (size_t i = 0; i < NWORDS; i++)
        for (size_t j = 0; j < NWORDS; j++)
            if (cooc_get_keys(&c, WORDS[i], WORDS[j]) != ref_window(s, N, 5, WORDS[i], WORDS[j])) bad++;
    is_int(bad, 0, "window counts equal the reference for every pair");
    is_int(cr_cooc_n(&c), N, "N is the token count");

    cr_cooc_pair *p;
    size_t np;
    ok(cr_cooc_pairs(&c, 1, 0, &p, &np) == 0, "pairs");
    int sorted = 1, sums = 1;
    for (size_t i = 0; i < np; i++) {
        if (i && (p[i - 1].n < p[i].n)) sorted = 0;
        const cr_centry *a = &c.vocab.entries[p[i].a], *b = &c.vocab.entries[p[i].b];
        if (cr_key_cmp(a->key, cr_centry_len(a), b->key, cr_centry_len(b)) > 0) sorted = 0;
        if (p[i].n != ref_window(s, N, 5, a->key, b->key)) sums = 0;
    }
    ok(sorted, "pairs sorted by count, each with a <= b");
    ok(sums, "symmetric pair counts equal the reference");
    is_int(np, NWORDS * (NWORDS + 1) / 2, "every unordered pair of the 16 words appears");
    free(p);

    /* Collocates of "cat": sum over collocates equals the reference. */
    int64_t cat = cr_counter_find(&c.vocab, "cat", 3);
    cr_colloc *col;
    size_t ncol;
    ok(cr_cooc_with(&c, (uint32_t)cat, CR_SIDE_BOTH, 1, &col, &ncol) == 0, "with cat");
    bad = 0;
    for (size_t i = 0; i < ncol; i++) {
        const char *k = c.vocab.entries[col[i].id].key;
        /* two cat tokens: one event from each */
        int64_t want = ref_window(s, N, 5, "cat", k) * (strcmp(k, "cat") == 0 ? 2 : 1);
        if (col[i].o11 != want) bad++;
        if (i && col[i - 1].o11 < col[i].o11) bad++;
    }
    is_int(bad, 0, "collocates of cat match the reference, sorted");
    bad = 0;
    int64_t rowsum = 0;
    for (size_t i = 0; i < ncol; i++) rowsum += col[i].o11;
    is_int(rowsum, cr_cooc_margin(&c, (uint32_t)cat, CR_SIDE_BOTH), "cat's r1 is the sum of its o11");
    free(col);

    /* Merge of parts (cut at a segment boundary) equals the whole. */
    cr_cooc a, b, m;
    cr_cooc_init(&a, CR_COOC_WINDOW, 5);
    cr_cooc_init(&b, CR_COOC_WINDOW, 5);
    cr_cooc_init(&m, CR_COOC_WINDOW, 5);
    cr_cooc w2;
    cr_cooc_init(&w2, CR_COOC_WINDOW, 5);
    ids = intern_all(&a, s, N / 2); cr_cooc_feed(&a, ids, N / 2); free(ids);
    ids = intern_all(&b, s + N / 2, N - N / 2); cr_cooc_feed(&b, ids, N - N / 2); free(ids);
    ids = intern_all(&w2, s, N / 2); cr_cooc_feed(&w2, ids, N / 2); free(ids);
    ids = intern_all(&w2, s + N / 2, N - N / 2); cr_cooc_feed(&w2, ids, N - N / 2); free(ids);
    ok(cr_cooc_merge(&m, &b) == 0 && cr_cooc_merge(&m, &a) == 0, "merge cooc parts");
    bad = 0;
    for (size_t i = 0; i < NWORDS; i++)
        for (size_t j = 0; j < NWORDS; j++)
            if (cooc_get_keys(&m, WORDS[i], WORDS[j]) != cooc_get_keys(&w2, WORDS[i], WORDS[j])) bad++;
    is_int(bad, 0, "merged parts equal the whole over the same segments");
    is_int(m.units, 2, "units add");

    cr_buf wb = { 0 };
    cr_cooc_dump(&wb, &m);
    cr_rbuf r = { (const unsigned char *)wb.data, (const unsigned char *)wb.data + wb.len, 0 };
    cr_cooc back;
    ok(cr_cooc_undump(&r, &back) == 0 && r.p == r.end, "cooc undump");
    bad = 0;
    for (size_t i = 0; i < NWORDS; i++)
        for (size_t j = 0; j < NWORDS; j++)
            if (cooc_get_keys(&m, WORDS[i], WORDS[j]) != cooc_get_keys(&back, WORDS[i], WORDS[j])) bad++;
    is_int(bad, 0, "cooc round trip");
    bad = 0;
    for (size_t i = 0; i < NWORDS; i++) {
        int64_t im = cr_counter_find(&m.vocab, WORDS[i], strlen(WORDS[i]));
        int64_t iw = cr_counter_find(&w2.vocab, WORDS[i], strlen(WORDS[i]));
        int64_t ib = cr_counter_find(&back.vocab, WORDS[i], strlen(WORDS[i]));
        if (im < 0 || iw < 0 || ib < 0) { bad++; continue; }
        for (int sd = CR_SIDE_BOTH; sd <= CR_SIDE_RIGHT; sd++) {
            int64_t want = cr_cooc_margin(&w2, (uint32_t)iw, (cr_cooc_side)sd);
            if (cr_cooc_margin(&m, (uint32_t)im, (cr_cooc_side)sd) != want) bad++;
            if (cr_cooc_margin(&back, (uint32_t)ib, (cr_cooc_side)sd) != want) bad++;
        }
    }
    for (int sd = CR_SIDE_BOTH; sd <= CR_SIDE_RIGHT; sd++)
        if (cr_cooc_events(&m, (cr_cooc_side)sd) != cr_cooc_events(&w2, (cr_cooc_side)sd) ||
            cr_cooc_events(&back, (cr_cooc_side)sd) != cr_cooc_events(&w2, (cr_cooc_side)sd)) bad++;
    is_int(bad, 0, "window margins and N survive merge and dump/undump");
    is_int(cr_cooc_events(&w2, CR_SIDE_RIGHT), (int64_t)(5 * (N / 2) - 15 + 5 * (N - N / 2) - 15),
           "N (one side): 5 pairs per token, less 15 cut off at each segment's end");
    int rejected = 1;
    for (size_t len = 0; len < wb.len; len++) {
        cr_rbuf t = { (const unsigned char *)wb.data, (const unsigned char *)wb.data + len, 0 };
        cr_cooc x;
        if (cr_cooc_undump(&t, &x) == 0) { rejected = 0; cr_cooc_free(&x); }
    }
    ok(rejected, "every truncated cooc body is rejected");
    cr_buf_free(&wb);
    cr_cooc_free(&back);
    cr_cooc_free(&a);
    cr_cooc_free(&b);
    cr_cooc_free(&m);
    cr_cooc_free(&w2);
    cr_cooc_free(&c);

    /* Sentence mode: types sharing a unit. */
    cr_cooc u;
    ok(cr_cooc_init(&u, CR_COOC_SENTENCE, 0) == 0, "sentence mode");
    const char *s1[] = { "a", "b", "a", "c" }, *s2[] = { "b", "c" }, *s3[] = { "a" };
    ids = intern_all(&u, s1, 4); cr_cooc_feed(&u, ids, 4); free(ids);
    ids = intern_all(&u, s2, 2); cr_cooc_feed(&u, ids, 2); free(ids);
    ids = intern_all(&u, s3, 1); cr_cooc_feed(&u, ids, 1); free(ids);
    is_int(cr_cooc_n(&u), 3, "three units");
    is_int(cr_counter_get(&u.vocab, "a", 1), 2, "a in two units");
    is_int(cooc_get_keys(&u, "a", "b"), 1, "a,b share one unit");
    is_int(cooc_get_keys(&u, "c", "b"), 2, "b,c share two units");
    is_int(cooc_get_keys(&u, "a", "a"), 0, "no self pairs");
    cr_cooc_free(&u);
    is_int(cr_cooc_init(&u, CR_COOC_WINDOW, 0), CR_EINVAL, "window 0 refused");
}

/* The key cache of add_text (countext.c) holds ids of one counter: it must
 * never hand out ids after a prune renumbered them, nor ids of another
 * counter that shares the scratch, nor keys of another level. */
static int add_fresh(cr_counter *c, const char *text, size_t len, const cr_textopts *o) {
    cr_textscratch s = { 0 };
    int e = cr_freq_add_text(c, text, len, o, &s);
    cr_textscratch_free(&s);
    return e;
}

static void test_key_cache(void) {
    const char *text = "The cat saw the dog. A dog, the cat, THE DOG and a bird. The Cat's cat's.";
    size_t len = strlen(text);
    cr_textopts o;
    cr_textopts_default(&o);
    cr_textscratch s = { 0 };
    cr_counter a, b, ref;
    cr_counter_init(&a);
    cr_counter_init(&b);
    cr_counter_init(&ref);
    ok(cr_freq_add_text(&a, text, len, &o, &s) == 0, "add_text fills the cache");
    ok(cr_counter_prune(&a, 3) == 0, "prune renumbers the ids");
    ok(cr_freq_add_text(&a, text, len, &o, &s) == 0 && add_fresh(&ref, text, len, &o) == 0,
       "add_text after prune");
    /* a's counts: the pruned survivors twice, the rest once */
    int good = 1;
    for (size_t i = 0; i < ref.size; i++) {
        const cr_centry *e = &ref.entries[i];
        int64_t want = e->count >= 3 ? 2 * e->count : e->count;
        good &= cr_counter_get(&a, e->key, cr_centry_len(e)) == want;
    }
    ok(good && a.size == ref.size, "counts after prune and add_text are exact");
    ok(cr_freq_add_text(&b, "bird cat", 8, &o, &s) == 0, "the same scratch with another counter");
    is_int(b.size, 2, "the other counter has its own ids");
    is_int(cr_counter_get(&b, "bird", 4) + cr_counter_get(&b, "cat", 3), 2, "and its own counts");
    o.level = CR_NORM_RAW;
    ok(cr_freq_add_text(&b, "Cat cat", 7, &o, &s) == 0, "another level");
    is_int(cr_counter_get(&b, "Cat", 3), 1, "raw keys are not casefolded keys");
    is_int(cr_counter_get(&b, "cat", 3), 2, "the casefolded key counted once more");
    cr_counter_free(&b);
    cr_counter_init(&b);
    ok(cr_freq_add_text(&b, "dog", 3, &o, &s) == 0, "a counter freed and initialised again");
    is_int(b.size, 1, "starts empty");
    is_int(cr_counter_get(&b, "dog", 3), 1, "and counts from its own ids");
    cr_counter_free(&a);
    cr_counter_free(&b);
    cr_counter_free(&ref);
    cr_textscratch_free(&s);
}

/* Whether index a of c comes before index b in a top: count descending,
 * then key bytes, then id. */
static int top_before(const cr_counter *c, uint32_t a, uint32_t b) {
    const cr_centry *x = &c->entries[a], *y = &c->entries[b];
    if (x->count != y->count) return x->count > y->count;
    size_t xl = cr_centry_len(x), yl = cr_centry_len(y), n = xl < yl ? xl : yl;
    int r = memcmp(x->key, y->key, n);
    if (r) return r < 0;
    if (xl != yl) return xl < yl;
    return a < b;
}

static void test_counter_top_long(void) {
    /* Many ties, keys sharing their first eight bytes or more, keys with NUL
     * and high bytes, short keys that are prefixes of longer ones: a long
     * top (sorted with key prefixes) against a short one (a heap) and
     * against the order itself. */
    cr_counter c;
    cr_counter_init(&c);
    unsigned long long x = 12345;
    char key[24];
    for (int i = 0; i < 6000; i++) {
        x = x * 6364136223846793005ull + 1442695040888963407ull;
        size_t n = 1 + (size_t)(x >> 60);
        for (size_t j = 0; j < n; j++) key[j] = "abcdefgh\0\xff"[(x >> (3 * j % 48)) % 10];
        if (i % 3 == 0) memcpy(key, "commonpre", n < 9 ? n : 9);
        cr_counter_add(&c, key, n, (int64_t)((x >> 20) % 5) + 1);
    }
    uint32_t *all = malloc(c.size * sizeof *all), *few = malloc(c.size * sizeof *few);
    size_t n = cr_counter_top(&c, c.size, all);
    int ordered = n == c.size;
    for (size_t i = 1; i < n && ordered; i++) ordered = top_before(&c, all[i - 1], all[i]);
    ok(ordered, "a top of every key (%zu) is in order: count, then key bytes", n);
    size_t m = cr_counter_top(&c, 100, few);
    ok(m == 100 && memcmp(few, all, m * sizeof *few) == 0, "and begins as a top of 100 does");
    free(all);
    free(few);
    cr_counter_free(&c);
}

int main(void) {
    diag("engine: counting cores");
    test_counter_top_long();
    test_key_cache();
    test_counter_basics();
    test_counter_growth();
    test_counter_merge_dump();
    test_tuples();
    test_ngrams();
    test_cooc();
    return tap_done();
}
