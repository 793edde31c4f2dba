/* utf8.h — strict UTF-8 decoding for the text cores.  Pure C, header only.
 *
 * Invalid input never stops a caller: a byte that does not start a valid,
 * shortest-form sequence of a scalar value decodes as U+FFFD with length 1,
 * so every byte offset stays an offset into the original text.
 */
#ifndef CORPUSRUN_UTF8_H
#define CORPUSRUN_UTF8_H

#include <stddef.h>
#include <stdint.h>

#define CR_REPLACEMENT_CHAR 0xFFFDu

/* Decodes the code point at s[0..len) (len > 0); stores its byte length in *n. */
static inline uint32_t cr_utf8_decode(const unsigned char *s, size_t len, size_t *n) {
    unsigned c = s[0];
    if (c < 0x80) { *n = 1; return c; }
    *n = 1;
    if (c < 0xC2 || c > 0xF4) return CR_REPLACEMENT_CHAR;
    if (c < 0xE0) {
        if (len < 2 || (s[1] & 0xC0) != 0x80) return CR_REPLACEMENT_CHAR;
        *n = 2;
        return ((uint32_t)(c & 0x1F) << 6) | (s[1] & 0x3F);
    }
    if (c < 0xF0) {
        if (len < 3 || (s[1] & 0xC0) != 0x80 || (s[2] & 0xC0) != 0x80) return CR_REPLACEMENT_CHAR;
        uint32_t cp = ((uint32_t)(c & 0x0F) << 12) | ((uint32_t)(s[1] & 0x3F) << 6) | (s[2] & 0x3F);
        if (cp < 0x800 || (cp >= 0xD800 && cp <= 0xDFFF)) return CR_REPLACEMENT_CHAR;
        *n = 3;
        return cp;
    }
    if (len < 4 || (s[1] & 0xC0) != 0x80 || (s[2] & 0xC0) != 0x80 || (s[3] & 0xC0) != 0x80)
        return CR_REPLACEMENT_CHAR;
    uint32_t cp = ((uint32_t)(c & 0x07) << 18) | ((uint32_t)(s[1] & 0x3F) << 12)
                | ((uint32_t)(s[2] & 0x3F) << 6) | (s[3] & 0x3F);
    if (cp < 0x10000 || cp > 0x10FFFF) return CR_REPLACEMENT_CHAR;
    *n = 4;
    return cp;
}

/* Decodes the code point that ends just before s[end] (end > 0), never
 * reading before s[0]; stores its start offset in *start. */
static inline uint32_t cr_utf8_decode_before(const unsigned char *s, size_t end, size_t *start) {
    size_t b = end - 1;
    size_t lim = end >= 4 ? end - 4 : 0;
    while (b > lim && (s[b] & 0xC0) == 0x80) b--;
    size_t n;
    uint32_t cp = cr_utf8_decode(s + b, end - b, &n);
    if (b + n != end) { *start = end - 1; return CR_REPLACEMENT_CHAR; }
    *start = b;
    return cp;
}

/* Encodes cp (a scalar value) into out (room for 4 bytes); returns the length. */
static inline size_t cr_utf8_encode(uint32_t cp, unsigned char *out) {
    if (cp < 0x80) { out[0] = (unsigned char)cp; return 1; }
    if (cp < 0x800) {
        out[0] = (unsigned char)(0xC0 | (cp >> 6));
        out[1] = (unsigned char)(0x80 | (cp & 0x3F));
        return 2;
    }
    if (cp < 0x10000) {
        out[0] = (unsigned char)(0xE0 | (cp >> 12));
        out[1] = (unsigned char)(0x80 | ((cp >> 6) & 0x3F));
        out[2] = (unsigned char)(0x80 | (cp & 0x3F));
        return 3;
    }
    out[0] = (unsigned char)(0xF0 | (cp >> 18));
    out[1] = (unsigned char)(0x80 | ((cp >> 12) & 0x3F));
    out[2] = (unsigned char)(0x80 | ((cp >> 6) & 0x3F));
    out[3] = (unsigned char)(0x80 | (cp & 0x3F));
    return 4;
}

#endif
