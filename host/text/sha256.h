/* sha256.h — SHA-256 for content hashes and provenance: a thin face over
 * Nettle's, which uses the processor's SHA instructions where it has them
 * (about six times faster here than a portable C version; performance.md). */
#ifndef CORPUSRUN_SHA256_H
#define CORPUSRUN_SHA256_H

#include <stddef.h>
#include <nettle/sha2.h>

typedef struct cr_sha256 {
    struct sha256_ctx ctx;
} cr_sha256;

void cr_sha256_init(cr_sha256 *s);
void cr_sha256_update(cr_sha256 *s, const void *data, size_t len);
void cr_sha256_final(cr_sha256 *s, unsigned char digest[32]);
/* digest of data[0..len) as 64 lowercase hex digits and a NUL */
void cr_sha256_hex(const void *data, size_t len, char hex[65]);
void cr_sha256_to_hex(const unsigned char digest[32], char hex[65]);

#endif
