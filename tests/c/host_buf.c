/* The growable byte buffer cr_buf (host/text/buf.h): growth, the NUL kept
 * after the bytes, NUL bytes inside, zero-length appends, sizes that do not
 * fit in size_t refused, allocation failure reported and sticky until
 * reset, formatted appends, detach and free. */
#include <stdint.h>
#include <stdlib.h>
#include <string.h>

#include "buf.h"
#include "tap.h"

/* The impossible allocations below must come back NULL under ASan too. */
const char *__asan_default_options(void);
const char *__asan_default_options(void) { return "allocator_may_return_null=1"; }

static int terminated(const cr_buf *b) { return b->data && b->cap >= b->len && b->data[b->len] == '\0'; }

static void test_empty(void) {
    cr_buf b = CR_BUF_INIT;
    ok(b.data == NULL && b.len == 0 && b.cap == 0 && !b.failed, "CR_BUF_INIT: empty, as {0}");
    cr_buf_init(&b);
    ok(b.data == NULL && b.len == 0 && b.cap == 0 && !b.failed, "cr_buf_init: empty, nothing allocated");
    is_int(cr_buf_add(&b, NULL, 0), 0, "adding 0 bytes from NULL succeeds");
    is_int(cr_buf_adds(&b, ""), 0, "adding \"\" succeeds");
    is_int(b.len, 0, "length still 0");
    cr_buf_free(&b);
    is_int(cr_buf_reserve(&b, 0), 0, "reserve(0) succeeds");
    ok(b.data != NULL && b.data[0] == '\0' && b.cap >= 63, "reserve(0) of an empty buffer allocates: data is \"\"");
    is_int(cr_buf_add(&b, "x", 0), 0, "adding 0 bytes of a string succeeds");
    is_int(b.len, 0, "length still 0 after zero-length appends");
    ok(b.data != NULL && b.data[0] == '\0', "after a zero-length append data is \"\", not NULL");
    size_t n = 99;
    char *d = cr_buf_detach(&b, &n);
    ok(d && d[0] == '\0' && n == 0, "detach of an empty buffer gives \"\" of length 0");
    free(d);
    d = cr_buf_detach(&b, &n);
    ok(d && d[0] == '\0' && n == 0, "detach of a buffer that never grew gives a fresh \"\"");
    free(d);
    ok(b.data == NULL && b.len == 0 && b.cap == 0, "detach leaves the buffer empty");
    cr_buf_free(&b);
    cr_buf_free(&b);
    ok(b.data == NULL && b.cap == 0, "cr_buf_free is idempotent");
}

static void test_growth(void) {
    cr_buf b = { 0 };
    int good = 1, grew = 0;
    size_t lastcap = 0;
    for (size_t i = 0; i < 100000; i++) {
        if (cr_buf_addc(&b, (int)(i * 7 + (i >> 8)))) { good = 0; break; }
        if (b.len != i + 1 || !terminated(&b)) good = 0;
        if (b.cap != lastcap) { grew++; lastcap = b.cap; }
    }
    ok(good, "100000 appends of one byte: length and NUL right after each");
    ok(grew > 5 && grew < 20, "capacity grew geometrically (%d growths)", grew);
    int same = 1;
    for (size_t i = 0; i < b.len; i++)
        if ((unsigned char)b.data[i] != (unsigned char)(i * 7 + (i >> 8))) same = 0;
    ok(same, "every byte kept, bytes >= 0x80 as unsigned char");

    /* blocks of growing sizes, checked against a plain copy */
    cr_buf_reset(&b);
    ok(b.len == 0 && b.cap == lastcap && b.data[0] == '\0', "reset empties and keeps the memory");
    char *want = malloc(1 << 20);
    size_t wl = 0;
    good = 1;
    for (size_t k = 1; wl + k <= (1 << 20); k = k * 3 + 1) {
        char blk[4096];
        size_t m = k < sizeof blk ? k : sizeof blk;
        for (size_t j = 0; j < m; j++) blk[j] = (char)('a' + (wl + j) % 26);
        if (cr_buf_add(&b, blk, m)) { good = 0; break; }
        memcpy(want + wl, blk, m);
        wl += m;
    }
    ok(good && b.len == wl && !memcmp(b.data, want, wl) && terminated(&b), "blocks appended in order");
    free(want);

    size_t before = b.len;
    is_int(cr_buf_reserve(&b, 1000000), 0, "reserve(1000000)");
    ok(b.cap - b.len >= 1000000 && b.len == before, "reserve makes room and keeps the length");
    memset(b.data + b.len, 'z', b.cap - b.len);
    b.data[b.cap] = '\0';                       /* the NUL's byte is always there */
    ok(1, "the whole reserved room and data[cap] are writable (ASan checks)");
    cr_buf_free(&b);
}

static void test_nuls(void) {
    cr_buf b = { 0 };
    ok(!cr_buf_add(&b, "a\0b", 3) && !cr_buf_addc(&b, 0) && !cr_buf_add(&b, "\0\0", 2),
       "appending bytes with NULs inside");
    ok(b.len == 6 && !memcmp(b.data, "a\0b\0\0\0", 6) && terminated(&b), "length counts the NULs");
    ok(!cr_buf_adds(&b, "cd\0ef"), "adds appends up to the first NUL");
    ok(b.len == 8 && !memcmp(b.data + 6, "cd", 3), "adds: \"cd\" and the NUL after");
    size_t n = 0;
    char *d = cr_buf_detach(&b, &n);
    ok(d && n == 8 && !memcmp(d, "a\0b\0\0\0cd", 9), "detach keeps the NULs inside and the one after");
    free(d);
    cr_buf_free(&b);
}

static void test_overflow(void) {
    cr_buf b = { 0 };
    cr_buf_adds(&b, "keep");
    is_int(cr_buf_reserve(&b, SIZE_MAX), -1, "reserve(SIZE_MAX) is refused");
    ok(b.failed && b.len == 4 && !strcmp(b.data, "keep"), "the bytes stay as they were");
    cr_buf_reset(&b);
    cr_buf_adds(&b, "keep");
    is_int(cr_buf_reserve(&b, SIZE_MAX - 4), -1, "reserve(SIZE_MAX - len): no room for the NUL, refused");
    cr_buf_reset(&b);
    cr_buf_adds(&b, "keep");
    is_int(cr_buf_reserve(&b, SIZE_MAX - 5), -1, "reserve(SIZE_MAX - len - 1): fits size_t, cannot be allocated");
    cr_buf_reset(&b);
    cr_buf_adds(&b, "keep");
    is_int(cr_buf_add(&b, "x", SIZE_MAX - 2), -1, "add of SIZE_MAX - 2 bytes refused (the source is not read)");
    ok(b.len == 4 && !strcmp(b.data, "keep"), "the bytes stay as they were");
    cr_buf_reset(&b);
    is_int(cr_buf_reserve(&b, SIZE_MAX / 4), -1, "an allocation that cannot succeed is reported");
    ok(b.failed && b.len == 0, "and leaves the buffer failed, empty as it was");
    cr_buf_free(&b);
}

static void test_after_failure(void) {
    cr_buf b = { 0 };
    cr_buf_adds(&b, "head");
    cr_buf_reserve(&b, 100);                    /* room left: addc's inline path */
    size_t cap = b.cap;
    ok(cr_buf_add(&b, "x", SIZE_MAX) == -1 && b.failed, "a failed append sets failed");
    is_int(cr_buf_addc(&b, 'y'), -1, "then addc is refused, though there is room");
    is_int(cr_buf_add(&b, "zz", 2), -1, "add is refused");
    is_int(cr_buf_adds(&b, "zz"), -1, "adds is refused");
    is_int(cr_buf_addf(&b, "%d", 1), -1, "addf is refused");
    is_int(cr_buf_reserve(&b, 0), -1, "reserve is refused");
    ok(b.len == 4 && !strcmp(b.data, "head") && b.cap == cap, "nothing after the failure was added: no hole");
    size_t n = 7;
    ok(cr_buf_detach(&b, &n) == NULL && n == 7, "detach of a failed buffer gives NULL");
    ok(b.data == NULL && !b.failed && b.cap == 0, "and frees it");
    cr_buf_adds(&b, "a");
    cr_buf_add(&b, "", SIZE_MAX);
    cr_buf_reset(&b);
    ok(!b.failed && !cr_buf_adds(&b, "again") && !strcmp(b.data, "again"), "reset clears failed");
    cr_buf_add(&b, "", SIZE_MAX);
    cr_buf_free(&b);
    ok(!b.failed && !cr_buf_addc(&b, 'q') && b.len == 1, "free clears failed");
    cr_buf_free(&b);
}

static void test_addf(void) {
    cr_buf b = { 0 };
    ok(!cr_buf_addf(&b, "%s=%d;", "n", 42), "addf, short");
    char big[1000];
    memset(big, 'w', sizeof big - 1);
    big[sizeof big - 1] = '\0';
    ok(!cr_buf_addf(&b, "[%s|%zu]", big, (size_t)7), "addf, longer than its first try");
    ok(b.len == 5 + 1 + 999 + 3 && !memcmp(b.data, "n=42;[www", 9) &&
       !strcmp(b.data + b.len - 4, "w|7]") && terminated(&b), "addf appends the formatted text");
    ok(!cr_buf_addf(&b, "%s", "") && b.len == 1008, "addf of nothing");
    cr_buf_free(&b);
}

static void test_detach(void) {
    cr_buf b = { 0 };
    cr_buf_adds(&b, "owned");
    char *d = cr_buf_detach(&b, NULL);
    ok(d && !strcmp(d, "owned"), "detach hands over the bytes (len may be NULL)");
    ok(b.data == NULL && b.len == 0 && b.cap == 0, "and leaves the buffer empty");
    ok(!cr_buf_adds(&b, "new") && b.data != d && !strcmp(b.data, "new"), "the buffer is usable again");
    free(d);
    cr_buf_free(&b);
}

int main(void) {
    test_empty();
    test_growth();
    test_nuls();
    test_overflow();
    test_after_failure();
    test_addf();
    test_detach();
    return tap_done();
}
