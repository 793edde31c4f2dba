/* SHA-256 against the FIPS 180-4 examples and Python's hashlib (padding
 * edge cases), whole and fed in uneven pieces. */
#include <stdlib.h>
#include <string.h>

#include "sha256.h"
#include "tap.h"

static void check(const char *msg, size_t len, const char *want, const char *name) {
    char hex[65];
    cr_sha256_hex(msg, len, hex);
    is_str(hex, want, "%s: whole", name);
    /* the same bytes fed in uneven pieces */
    cr_sha256 s;
    unsigned char d[32];
    cr_sha256_init(&s);
    for (size_t i = 0, step = 1; i < len; i += step, step = step * 2 + 1)
        cr_sha256_update(&s, msg + i, len - i < step ? len - i : step);
    cr_sha256_final(&s, d);
    cr_sha256_to_hex(d, hex);
    is_str(hex, want, "%s: in pieces", name);
}

int main(void) {
    check("", 0, "e3b0c44298fc1c149afbf4c8996fb92427ae41e4649b934ca495991b7852b855", "empty");
    check("abc", 3, "ba7816bf8f01cfea414140de5dae2223b00361a396177a9cb410ff61f20015ad", "abc");
    const char *m448 = "abcdbcdecdefdefgefghfghighijhijkijkljklmklmnlmnomnopnopq";
    check(m448, strlen(m448), "248d6a61d20638b8e5c026930c3e6039a33ce45964ff2167f6ecedd419db06c1",
          "448-bit message");
    size_t n = 1000000;
    char *a = malloc(n);
    if (a == NULL) return 1;
    memset(a, 'a', n);
    check(a, n, "cdc76e5c9914fb9281a1c7e284d73e67f1809a48a497200e046d39ccc7112cd0",
          "one million a");
    free(a);
    /* 55, 56 and 64 bytes: the padding edge cases */
    check("0123456789012345678901234567890123456789012345678901234", 55,
          "f34d5a0f80c0cbf84c8c0b90218c22637abd199965249da736a20143c8c9c9d9", "55 bytes");
    check("01234567890123456789012345678901234567890123456789012345", 56,
          "83aa034bda83e458a0dc9cbce0d4e354716aa0ff770ed37ac0ed2b292052e4af", "56 bytes");
    check("0123456789012345678901234567890123456789012345678901234567890123", 64,
          "9674d9e078535b7cec43284387a6ee39956188e735a85452b0050b55341cda56", "64 bytes");
    return tap_done();
}
