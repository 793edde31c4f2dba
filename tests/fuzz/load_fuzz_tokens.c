/* libFuzzer target: tokens packed for a corpus database (ld_tokens_unpack)
 * from arbitrary bytes: refused with a message, or read whole, in which
 * case every span lies in the text and packing them again and reading that
 * gives the same bytes once more. */
#include <stdint.h>
#include <stdlib.h>
#include <string.h>

#include "load.h"

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size) {
    if (size < 2) return 0;
    size_t text_len = (size_t)data[0] * 64;
    ld_tokens t;
    char err[128];
    int rc = ld_tokens_unpack((const char *)data + 1, size - 1, text_len, &t, err, sizeof err);
    if (rc == -1 && strncmp(err, "damaged tokens at byte ", 23) != 0) abort();
    if (rc != 0) return 0;
    for (size_t i = 0; i < t.n; i++)
        if (t.span[2 * i] > t.span[2 * i + 1] || t.span[2 * i + 1] > text_len) abort();
    cr_buf b = {0}, b2 = {0};
    ld_tokens u;
    if (ld_tokens_pack(&t, &b) == 0 && ld_tokens_unpack(b.data, b.len, text_len, &u, err, sizeof err) == 0) {
        if (ld_tokens_pack(&u, &b2) == 0 && (b2.len != b.len || memcmp(b.data, b2.data, b.len))) abort();
        ld_tokens_free(&u);
    }
    cr_buf_free(&b);
    cr_buf_free(&b2);
    ld_tokens_free(&t);
    return 0;
}
