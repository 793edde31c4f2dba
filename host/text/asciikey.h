/* asciikey.h — short ASCII token keys in two machine words: normalised
 * (case folded, possessive stripped) and hashed in one pass, for the caches
 * in front of the counters and the gazetteer.  Pure C, header only.
 *
 * A key of at most 16 bytes lives zero-padded in k[0], k[1] (byte i of the
 * key is byte i % 8 of k[i / 8] in memory order).  cr_akey_make gives exactly
 * the bytes cr_normalize gives for such a token, or declines (returns 0) for
 * anything it does not handle: longer tokens, non-ASCII bytes, NUL bytes.
 */
#ifndef CORPUSRUN_ASCIIKEY_H
#define CORPUSRUN_ASCIIKEY_H

#include <stddef.h>
#include <stdint.h>
#include <string.h>

#include "tokenizer.h"

#define CR_AKEY_MAX 16

typedef struct cr_akey {
    uint64_t k[2];
    uint32_t len;
} cr_akey;

#define CR_AKEY_ONES 0x0101010101010101ull
#define CR_AKEY_HIGH 0x8080808080808080ull

/* Mask of the first n bytes (n 0..8) of a word in memory order. */
static inline uint64_t cr_akey_mask(size_t n) {
    if (n >= 8) return ~0ull;
    uint64_t m = n ? (~0ull >> (64 - 8 * n)) : 0;
#if __BYTE_ORDER__ == __ORDER_BIG_ENDIAN__
    m = __builtin_bswap64(m);
#endif
    return m;
}

/* ASCII upper-case letters of w (all bytes < 0x80) made lower case. */
static inline uint64_t cr_akey_lower(uint64_t w) {
    uint64_t ge_a = w + CR_AKEY_ONES * (0x80 - 'A'); /* high bit: byte >= 'A' */
    uint64_t gt_z = w + CR_AKEY_ONES * (0x7f - 'Z'); /* high bit: byte > 'Z' */
    return w | ((ge_a & ~gt_z & CR_AKEY_HIGH) >> 2);
}

/* Whether a byte of w under mask m is zero (bytes outside m ignored). */
static inline int cr_akey_has_nul(uint64_t w, uint64_t m) {
    uint64_t x = w | ~m;
    return ((x - CR_AKEY_ONES) & ~x & CR_AKEY_HIGH) != 0;
}

/* The key of token s[a..b) of a text of len bytes at level, when the token
 * is ASCII without NUL and its key at most CR_AKEY_MAX bytes; 1 when made. */
static inline int cr_akey_make(cr_akey *key, const char *s, size_t len, size_t a, size_t b,
                               cr_norm_level level) {
    size_t n = b - a;
    if (n > CR_AKEY_MAX || n == 0) return 0;
    uint64_t k0, k1;
    if (a + 16 <= len) {
        memcpy(&k0, s + a, 8);
        memcpy(&k1, s + a + 8, 8);
    } else {
        unsigned char tmp[16] = { 0 };
        memcpy(tmp, s + a, n);
        memcpy(&k0, tmp, 8);
        memcpy(&k1, tmp + 8, 8);
    }
    uint64_t m0 = cr_akey_mask(n), m1 = n > 8 ? cr_akey_mask(n - 8) : 0;
    k0 &= m0;
    k1 &= m1;
    if ((k0 | k1) & CR_AKEY_HIGH) return 0;
    if (level >= CR_NORM_CASEFOLD) {
        if (cr_akey_has_nul(k0, m0) || (n > 8 && cr_akey_has_nul(k1, m1))) return 0;
        k0 = cr_akey_lower(k0);
        k1 = cr_akey_lower(k1);
        if (level == CR_NORM_KEY && n > 2) {
            /* a final possessive 's goes (cr_normalize's strip_possessive) */
            unsigned char t[16];
            memcpy(t, &k0, 8);
            memcpy(t + 8, &k1, 8);
            if (t[n - 2] == '\'' && t[n - 1] == 's') {
                n -= 2;
                k0 &= cr_akey_mask(n);
                k1 &= n > 8 ? cr_akey_mask(n - 8) : 0;
            }
        }
    }
    key->k[0] = k0;
    key->k[1] = k1;
    key->len = (uint32_t)n;
    return 1;
}

static inline uint64_t cr_akey_hash(const cr_akey *key) {
    uint64_t h = (key->k[0] * 0x9e3779b97f4a7c15ull) ^ ((key->k[1] + key->len) * 0xc2b2ae3d27d4eb4full);
    h ^= h >> 31;
    h *= 0xbf58476d1ce4e5b9ull;
    h ^= h >> 29;
    return h;
}

static inline int cr_akey_eq(const cr_akey *x, const cr_akey *y) {
    return x->k[0] == y->k[0] && x->k[1] == y->k[1] && x->len == y->len;
}

/* The key's bytes (16, zero-padded) into out. */
static inline void cr_akey_bytes(const cr_akey *key, char out[16]) {
    memcpy(out, &key->k[0], 8);
    memcpy(out + 8, &key->k[1], 8);
}

#endif
