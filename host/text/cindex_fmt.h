/* cindex_fmt.h — what the index's writer (cindex_build.c) and reader
 * (cindex.c) share: the container of checksummed sections, the checksum,
 * varints and bit-packed arrays.  Static inline functions only.
 *
 * Container: header (48 bytes) = magic "CRPINDEX", u32 version, u32
 * sections, u64 table offset, u64 table checksum, u64 file size (from the
 * container's start), u64 checksum of the 40 bytes before it.  Sections
 * follow, each starting at a multiple of 8; the table closes the file: per
 * section a 24-byte NUL-padded name, u64 offset, u64 size, u64 checksum.
 * Numbers are little-endian. */
#ifndef CORPUSRUN_CINDEX_FMT_H
#define CORPUSRUN_CINDEX_FMT_H

#include <stdint.h>
#include <string.h>

#define CI_HEADER 48
#define CI_NAME 24
#define CI_ENTRY (CI_NAME + 24)

static inline uint64_t ci_rd64(const unsigned char *p) {
#if __BYTE_ORDER__ == __ORDER_LITTLE_ENDIAN__
    uint64_t v;
    memcpy(&v, p, 8);
    return v;
#else
    uint64_t v = 0;
    for (int i = 7; i >= 0; i--) v = v << 8 | p[i];
    return v;
#endif
}
static inline uint32_t ci_rd32(const unsigned char *p) {
    return (uint32_t)p[0] | (uint32_t)p[1] << 8 | (uint32_t)p[2] << 16 | (uint32_t)p[3] << 24;
}
static inline void ci_wr64(unsigned char *p, uint64_t v) {
    for (int i = 0; i < 8; i++) p[i] = (unsigned char)(v >> (8 * i));
}
static inline void ci_wr32(unsigned char *p, uint32_t v) {
    for (int i = 0; i < 4; i++) p[i] = (unsigned char)(v >> (8 * i));
}

/* The checksum: 64 bits over 8-byte words (a multiply-xorshift mix), fed
 * in pieces of any size. */
typedef struct ci_hasher {
    uint64_t h, total;
    unsigned char pend[8];
    unsigned np;
} ci_hasher;

static inline uint64_t ci_mix(uint64_t h, uint64_t w) {
    h ^= w * 0x9E3779B97F4A7C15u;
    h = (h << 27 | h >> 37) * 0xC2B2AE3D27D4EB4Fu;
    return h;
}
static inline void ci_hash_init(ci_hasher *s) {
    s->h = 0x27D4EB2F165667C5u;
    s->total = 0;
    s->np = 0;
}
static inline void ci_hash_add(ci_hasher *s, const void *data, size_t n) {
    const unsigned char *p = data;
    s->total += n;
    while (n && s->np && s->np < 8) {
        s->pend[s->np++] = *p++;
        n--;
        if (s->np == 8) {
            s->h = ci_mix(s->h, ci_rd64(s->pend));
            s->np = 0;
        }
    }
    for (; n >= 8; p += 8, n -= 8) s->h = ci_mix(s->h, ci_rd64(p));
    if (n) {
        memcpy(s->pend, p, n);
        s->np = (unsigned)n;
    }
}
static inline uint64_t ci_hash_end(ci_hasher *s) {
    uint64_t h = s->h;
    if (s->np) {
        unsigned char w[8] = {0};
        memcpy(w, s->pend, s->np);
        h = ci_mix(h, ci_rd64(w));
    }
    h = ci_mix(h, s->total);
    h ^= h >> 29;
    return h;
}
static inline uint64_t ci_hash(const void *p, size_t n) {
    ci_hasher s;
    ci_hash_init(&s);
    ci_hash_add(&s, p, n);
    return ci_hash_end(&s);
}

/* Bits needed for values 0..n-1 (at least 1; 1 for an empty lexicon). */
static inline unsigned ci_width(uint64_t n) {
    if (n <= 1) return 1;
    unsigned w = 1;
    while (w < 64 && (n - 1) >> w) w++;
    return w;
}

/* Element i of an array packed at w bits (w <= 56), LSB first; the array
 * has 8 bytes of padding after its last element. */
static inline uint64_t ci_unpack(const unsigned char *p, uint64_t i, unsigned w) {
    uint64_t bit = i * w;
    uint64_t v;
    memcpy(&v, p + (bit >> 3), 8);
#if __BYTE_ORDER__ != __ORDER_LITTLE_ENDIAN__
    v = ci_rd64(p + (bit >> 3));
#endif
    return (v >> (bit & 7)) & ((UINT64_C(1) << w) - 1);
}

/* An unsigned LEB128 varint at *p (before end): 1 and *v, or 0 when it
 * runs past end or over 64 bits. */
static inline int ci_varint(const unsigned char **p, const unsigned char *end, uint64_t *v) {
    uint64_t x = 0;
    unsigned shift = 0;
    const unsigned char *q = *p;
    while (q < end) {
        unsigned char b = *q++;
        if (shift == 63 && b > 1) return 0;
        x |= (uint64_t)(b & 0x7f) << shift;
        if (!(b & 0x80)) {
            *p = q;
            *v = x;
            return 1;
        }
        shift += 7;
        if (shift > 63) return 0;
    }
    return 0;
}
static inline size_t ci_put_varint(unsigned char *p, uint64_t v) {
    size_t n = 0;
    while (v >= 0x80) {
        p[n++] = (unsigned char)(v | 0x80);
        v >>= 7;
    }
    p[n++] = (unsigned char)v;
    return n;
}

/* Postings of one id (f positions, ascending): varint(first position),
 * then varint(each position minus the one before).  (Bit-packed blocks of
 * gaps were measured too: 0-8 % smaller, 30-270 % slower to decode;
 * docs/performance.md.) */

/* Decodes the f positions of one list from [p, end) into out, each below
 * limit and above the one before.  0, or -1 with *at the offset from p of
 * the damage. */
static inline int ci_post_decode(const unsigned char *p, const unsigned char *end, uint64_t f, uint64_t limit,
                                 int64_t *out, size_t *at) {
    const unsigned char *start = p;
    uint64_t pos = 0;
    for (uint64_t i = 0; i < f; i++) {
        uint64_t d;
        if (p < end && *p < 0x80) d = *p++;
        else if (!ci_varint(&p, end, &d)) goto bad;
        if ((i && d == 0) || d >= limit - pos || (i == 0 && d >= limit)) goto bad;
        pos += d;
        out[i] = (int64_t)pos;
    }
    if (p != end) goto bad;
    return 0;
bad:
    *at = (size_t)(p - start);
    return -1;
}

#endif
