/* sha256.h — SHA-256 (FIPS 180-4), for content hashes and provenance. */
#ifndef CORPUSRUN_SHA256_H
#define CORPUSRUN_SHA256_H

#include <stddef.h>
#include <stdint.h>

typedef struct cr_sha256 {
    uint32_t h[8];
    uint64_t total;      /* bytes hashed so far */
    unsigned char block[64];
    size_t fill;         /* bytes waiting in block */
} cr_sha256;

void cr_sha256_init(cr_sha256 *s);
void cr_sha256_update(cr_sha256 *s, const void *data, size_t len);
void cr_sha256_final(cr_sha256 *s, unsigned char digest[32]);
/* digest of data[0..len) as 64 lowercase hex digits and a NUL */
void cr_sha256_hex(const void *data, size_t len, char hex[65]);
void cr_sha256_to_hex(const unsigned char digest[32], char hex[65]);

#endif
