/* normalize.c — per-token normalisation into a reusable buffer, and display
 * width.  Built on utf8proc's per-character decomposition so that invalid
 * UTF-8 becomes U+FFFD (one per bad byte) instead of an error, and so that
 * no call allocates once the buffer has grown to the token size.
 */
#include "tokenizer.h"

#include <stdlib.h>
#include <string.h>
#include <utf8proc.h>

#include "utf8.h"

static const char *const level_names[] = { "raw", "nfc", "casefold", "key" };

int cr_norm_level_from_name(const char *name) {
    for (int i = 0; i < 4; i++)
        if (!strcmp(level_names[i], name)) return i;
    return -1;
}

const char *cr_norm_level_name(cr_norm_level level) {
    return (unsigned)level < 4 ? level_names[level] : NULL;
}

/* Index of the first byte >= 0x80 in s[0..len), or len. */
static size_t ascii_prefix(const unsigned char *s, size_t len) {
    size_t i = 0;
    while (i + 8 <= len) {
        uint64_t w;
        memcpy(&w, s + i, 8);
        if (w & 0x8080808080808080ull) break;
        i += 8;
    }
    while (i < len && s[i] < 0x80) i++;
    return i;
}

/* Lower-case ASCII letters, other ASCII bytes unchanged; 0 for NUL and
 * for every byte >= 0x80. */
static const unsigned char ascii_fold[256] = {
#define R8(x) x, x + 1, x + 2, x + 3, x + 4, x + 5, x + 6, x + 7
    0, 1, 2, 3, 4, 5, 6, 7, R8(8), R8(16), R8(24), R8(32), R8(40), R8(48), R8(56),
    64, R8(97), R8(105), R8(113), 121, 122, 91, 92, 93, 94, 95,
    96, R8(97), R8(105), R8(113), 121, 122, 123, 124, 125, 126, 127,
#undef R8
};

/* Removes a final possessive "'s" (the apostrophe already lumped to U+0027). */
static void strip_possessive(cr_buf *out) {
    if (out->len > 2 && out->data[out->len - 2] == '\'' && out->data[out->len - 1] == 's') {
        out->len -= 2;
        out->data[out->len] = 0;
    }
}

static uint32_t lump_apostrophe(uint32_t cp) {
    switch (cp) {
    case 0x2019: case 0x2018: case 0x02BC: case 0xFF07: return 0x27;
    default: return cp;
    }
}

/* Canonical ordering of combining marks (stable by combining class). */
static void canonical_order(int32_t *cp, size_t n) {
    for (size_t i = 1; i < n; i++) {
        int cc = utf8proc_get_property(cp[i])->combining_class;
        if (cc == 0) continue;
        size_t j = i;
        int32_t c = cp[i];
        while (j > 0) {
            int pcc = utf8proc_get_property(cp[j - 1])->combining_class;
            if (pcc <= cc) break;
            cp[j] = cp[j - 1];
            j--;
        }
        cp[j] = c;
    }
}

/* The code points are decomposed into out's own block, as int32_t (a block
 * from malloc is aligned for them), and encoded back to UTF-8 in place: the
 * bytes of code point j are written at or before byte 4j + 4, where its
 * int32_t ends, so no code point is overwritten before it is read.
 * reserve_points makes room for n code points. */
static int reserve_points(cr_buf *out, size_t n) {
    return n > SIZE_MAX / sizeof(int32_t) ? -1 : cr_buf_reserve(out, n * sizeof(int32_t));
}

/* Room for n code points, r more, and left more bytes of input to come
 * (kept out of line: the decomposition loop rarely needs it). */
__attribute__((noinline)) static int reserve_more(cr_buf *out, size_t n, size_t r, size_t left) {
    return reserve_points(out, n + r + left + 8);
}

static int normalize_unicode(cr_buf *out, const unsigned char *s, size_t len, cr_norm_level level) {
    utf8proc_option_t opts = UTF8PROC_STABLE | UTF8PROC_COMPOSE;
    if (level >= CR_NORM_CASEFOLD) opts |= UTF8PROC_COMPAT | UTF8PROC_CASEFOLD | UTF8PROC_IGNORE;
    if (level == CR_NORM_KEY) opts |= UTF8PROC_STRIPMARK;
    if (len > SIZE_MAX / 8 || reserve_points(out, len + 8) < 0) return -1;
    size_t n = 0;
    const unsigned char *p = s, *end = s + len;
    while (p < end) {
        size_t k;
        uint32_t cp = cr_utf8_decode(p, (size_t)(end - p), &k);
        p += k;
        if (level == CR_NORM_KEY) cp = lump_apostrophe(cp);
        utf8proc_ssize_t r;
        for (;;) {
            utf8proc_ssize_t room = (utf8proc_ssize_t)(out->cap / sizeof(int32_t) - n);
            r = utf8proc_decompose_char((utf8proc_int32_t)cp, (int32_t *)(void *)out->data + n, room,
                                        opts, NULL);
            if (r < 0) return -1;
            if (r <= room) break;
            if (reserve_more(out, n, (size_t)r, (size_t)(end - p)) < 0) return -1;
        }
        n += (size_t)r;
    }
    int32_t *work = (int32_t *)(void *)out->data;
    canonical_order(work, n);
    utf8proc_ssize_t m = utf8proc_normalize_utf32(work, (utf8proc_ssize_t)n, opts);
    if (m < 0) return -1;
    unsigned char *d = (unsigned char *)out->data;   /* 4 * m <= 4 * n <= cap bytes */
    size_t o = 0;
    for (utf8proc_ssize_t j = 0; j < m; j++) {
        uint32_t c = (uint32_t)work[j];
        if (level == CR_NORM_KEY) c = lump_apostrophe(c);
        o += cr_utf8_encode(c, d + o);
    }
    out->len = o;
    d[o] = 0;
    if (level == CR_NORM_KEY) strip_possessive(out);
    return 0;
}

/* Copies s with invalid sequences replaced by U+FFFD. */
static int copy_valid(cr_buf *out, const unsigned char *s, size_t len) {
    if (len > SIZE_MAX / 3 || cr_buf_reserve(out, len * 3) < 0) return -1;
    size_t o = 0, i = 0;
    while (i < len) {
        size_t k;
        uint32_t cp = cr_utf8_decode(s + i, len - i, &k);
        if (cp == CR_REPLACEMENT_CHAR && k == 1) {
            o += cr_utf8_encode(cp, (unsigned char *)out->data + o);
        } else {
            memcpy(out->data + o, s + i, k);
            o += k;
        }
        i += k;
    }
    out->len = o;
    out->data[o] = 0;
    return 0;
}

/* Latin-1 letters U+00C0..U+00FF at level key: the base letter (marks
 * stripped, case folded), as the general path computes it. */
static const char *const latin1_key[64] = {
    "a", "a", "a", "a", "a", "a", "\xc3\xa6", "c", "e", "e", "e", "e", "i", "i", "i", "i",
    "\xc3\xb0", "n", "o", "o", "o", "o", "o", "\xc3\x97", "\xc3\xb8", "u", "u", "u", "u", "y",
    "\xc3\xbe", "ss",
    "a", "a", "a", "a", "a", "a", "\xc3\xa6", "c", "e", "e", "e", "e", "i", "i", "i", "i",
    "\xc3\xb0", "n", "o", "o", "o", "o", "o", "\xc3\xb7", "\xc3\xb8", "u", "u", "u", "u", "y",
    "\xc3\xbe", "y",
};

/* Fast path for text that is ASCII plus Latin-1 letters (U+00C0..U+00FF,
 * the accented letters of most Western European words), not followed by
 * combining marks: all of it is NFC already, and case folding or mark
 * stripping is a table look-up.  s[0..i) is ASCII and, at the casefold and
 * key levels, already folded into out.  Returns 1 when done, 0 to take the
 * general path. */
static int latin1_fast(cr_buf *out, const unsigned char *s, size_t len, size_t i, cr_norm_level level) {
    for (size_t k = i; k < len; k++) {
        if (s[k] < 0x80) continue;
        if (s[k] != 0xC3 || k + 1 >= len || s[k + 1] < 0x80 || s[k + 1] > 0xBF) return 0;
        k++;
    }
    unsigned char *d = (unsigned char *)out->data; /* room for len bytes: output is never longer */
    if (level == CR_NORM_NFC) {
        memcpy(d, s, len);
        out->len = len;
        d[len] = 0;
        return 1;
    }
    size_t o = i;
    while (i < len) {
        unsigned char c = s[i];
        if (c < 0x80) {
            if (c == 0) return 0; /* the general path keeps NUL */
            d[o++] = (unsigned char)ascii_fold[c];
            i++;
            continue;
        }
        unsigned char x = s[i + 1];
        i += 2;
        if (level == CR_NORM_KEY) {
            const char *r = latin1_key[x - 0x80];
            while (*r) d[o++] = (unsigned char)*r++;
        } else if (x == 0x9F) {                 /* ß */
            d[o++] = 's';
            d[o++] = 's';
        } else {
            d[o++] = 0xC3;
            d[o++] = (x <= 0x9E && x != 0x97) ? (unsigned char)(x + 0x20) : x;
        }
    }
    out->len = o;
    d[o] = 0;
    if (level == CR_NORM_KEY) strip_possessive(out);
    return 1;
}

int cr_normalize(cr_buf *out, const char *str, size_t len, cr_norm_level level) {
    const unsigned char *s = (const unsigned char *)(str ? str : "");
    if (!str) len = 0;
    if ((unsigned)level > CR_NORM_KEY) return -1;
    out->len = 0;
    out->failed = 0;
    if (len >= out->cap && cr_buf_reserve(out, len) < 0) return -1;   /* also a block for "" */
    unsigned char *d = (unsigned char *)out->data;
    size_t i = 0;
    if (level <= CR_NORM_NFC) {
        i = ascii_prefix(s, len);
        if (i == len) memcpy(d, s, len);
    } else {
        /* ASCII case folding while checking that the input is ASCII (a NUL
         * byte also leaves the loop; the general path handles it). */
        unsigned char f;
        while (i < len && (f = ascii_fold[s[i]]) != 0) d[i++] = f;
    }
    if (i < len) {
        if (level != CR_NORM_RAW && latin1_fast(out, s, len, i, level)) return 0;
        if (level == CR_NORM_RAW) return copy_valid(out, s, len);
        return normalize_unicode(out, s, len, level);
    }
    out->len = len;
    d[len] = 0;
    if (level == CR_NORM_KEY) strip_possessive(out);
    return 0;
}

size_t cr_display_width(const char *str, size_t len) {
    const unsigned char *s = (const unsigned char *)str;
    size_t width = 0, i = 0;
    int cluster = 0;        /* width of the current grapheme cluster */
    utf8proc_int32_t state = 0, prev = -1;
    while (i < len) {
        size_t k;
        uint32_t cp = cr_utf8_decode(s + i, len - i, &k);
        i += k;
        int w = utf8proc_charwidth((utf8proc_int32_t)cp);
        if (prev < 0 || utf8proc_grapheme_break_stateful(prev, (utf8proc_int32_t)cp, &state)) {
            width += (size_t)cluster;
            cluster = w;
        } else {
            if (cp == 0xFE0F && cluster == 1) cluster = 2;   /* emoji presentation */
            if (w > cluster) cluster = w;
        }
        prev = (utf8proc_int32_t)cp;
    }
    return width + (size_t)cluster;
}
