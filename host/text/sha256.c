/* sha256.c — SHA-256 through Nettle; this file only adapts the calls and
 * writes digests in hex. */
#include "sha256.h"

void cr_sha256_init(cr_sha256 *s) { sha256_init(&s->ctx); }

void cr_sha256_update(cr_sha256 *s, const void *data, size_t len) {
    sha256_update(&s->ctx, len, data);
}

void cr_sha256_final(cr_sha256 *s, unsigned char digest[32]) {
    sha256_digest(&s->ctx, SHA256_DIGEST_SIZE, digest);
}

void cr_sha256_to_hex(const unsigned char digest[32], char hex[65]) {
    static const char digits[] = "0123456789abcdef";
    for (int i = 0; i < 32; i++) {
        hex[2 * i] = digits[digest[i] >> 4];
        hex[2 * i + 1] = digits[digest[i] & 15];
    }
    hex[64] = '\0';
}

void cr_sha256_hex(const void *data, size_t len, char hex[65]) {
    cr_sha256 s;
    unsigned char digest[32];
    cr_sha256_init(&s);
    cr_sha256_update(&s, data, len);
    cr_sha256_final(&s, digest);
    cr_sha256_to_hex(digest, hex);
}
