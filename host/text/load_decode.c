/* load_decode.c — encodings: UTF-8 validation, byte order marks, iconv
 * decoding with a fallback, newline and control-character cleaning. */
#include "load.h"

#include <errno.h>
#include <iconv.h>
#include <stdio.h>
#include <string.h>
#include <strings.h>
#ifdef __SSE2__
#include <emmintrin.h>
#endif

size_t ld_utf8_check(const char *str, size_t n) {
    const unsigned char *s = (const unsigned char *)str;
    size_t i = 0;
    while (i < n) {
        /* fast path: runs of ASCII, sixteen or eight bytes at a time */
#ifdef __SSE2__
        while (i + 16 <= n &&
               _mm_movemask_epi8(_mm_loadu_si128((const __m128i *)(const void *)(s + i))) == 0)
            i += 16;
#endif
        while (i + 8 <= n) {
            uint64_t w;
            memcpy(&w, s + i, 8);
            if (w & 0x8080808080808080ull) break;
            i += 8;
        }
        if (i >= n) break;
        unsigned c = s[i];
        if (c < 0x80) { i++; continue; }
        size_t len;
        unsigned min;
        if (c >= 0xC2 && c <= 0xDF) { len = 2; min = 0x80; }
        else if (c >= 0xE0 && c <= 0xEF) { len = 3; min = 0x800; }
        else if (c >= 0xF0 && c <= 0xF4) { len = 4; min = 0x10000; }
        else return i;
        if (n - i < len) return i;
        unsigned cp = c & (len == 2 ? 0x1F : len == 3 ? 0x0F : 0x07);
        for (size_t k = 1; k < len; k++) {
            if ((s[i + k] & 0xC0) != 0x80) return i;
            cp = cp << 6 | (s[i + k] & 0x3F);
        }
        if (cp < min || cp > 0x10FFFF || (cp >= 0xD800 && cp <= 0xDFFF)) return i;
        i += len;
    }
    return n;
}

static int is_utf8_name(const char *e) {
    return strcasecmp(e, "utf-8") == 0 || strcasecmp(e, "utf8") == 0;
}

/* Converts with iconv.  lenient: a byte the encoding does not define becomes
 * the code point of the same value (as Windows itself does for 0x81, 0x8D...).
 * Returns 0 or -1 with info->msg and bad_at. */
/* iconv descriptors to UTF-8, kept for the process: opening one loads a
 * gconv module, and closing the last one unloads it again, which made
 * per-file (and per-line) fallbacks slow.  The host is single-threaded
 * (workers are forked), so a small static cache is safe. */
#define CD_CACHE 8
static struct { char name[64]; iconv_t cd; } cd_cache[CD_CACHE];
static unsigned cd_next;

static iconv_t cd_get(const char *from) {
    for (unsigned i = 0; i < CD_CACHE; i++)
        if (cd_cache[i].name[0] && strcasecmp(cd_cache[i].name, from) == 0) {
            iconv(cd_cache[i].cd, NULL, NULL, NULL, NULL);   /* initial state */
            return cd_cache[i].cd;
        }
    iconv_t cd = iconv_open("UTF-8", from);
    if (cd == (iconv_t)-1 || strlen(from) >= sizeof cd_cache[0].name) return cd;
    unsigned slot = cd_next++ % CD_CACHE;
    if (cd_cache[slot].name[0]) iconv_close(cd_cache[slot].cd);
    snprintf(cd_cache[slot].name, sizeof cd_cache[slot].name, "%s", from);
    cd_cache[slot].cd = cd;
    return cd;
}

static void cd_put(const char *from, iconv_t cd) {
    for (unsigned i = 0; i < CD_CACHE; i++)
        if (cd_cache[i].name[0] && cd_cache[i].cd == cd && strcasecmp(cd_cache[i].name, from) == 0) return;
    iconv_close(cd);   /* not cached (name too long) */
}

static int convert(const char *in, size_t n, const char *from, int lenient, uint64_t base,
                   cr_buf *out, ld_decoded *info) {
    iconv_t cd = cd_get(from);
    if (cd == (iconv_t)-1) {
        snprintf(info->msg, sizeof info->msg, "unknown encoding '%s'", from);
        return -1;
    }
    char *ip = (char *)in;
    size_t il = n;
    int rc = 0;
    while (il > 0) {
        if (cr_buf_reserve(out, il > SIZE_MAX / 2 ? SIZE_MAX : il + il / 2 + 64)) {
            snprintf(info->msg, sizeof info->msg, "out of memory");
            rc = -1;
            break;
        }
        char *op = out->data + out->len;
        size_t ol = out->cap - out->len;
        size_t r = iconv(cd, &ip, &il, &op, &ol);
        out->len = (size_t)(op - out->data);
        if (r != (size_t)-1) break;
        if (errno == E2BIG) continue;
        uint64_t at = base + (uint64_t)(ip - in);
        if (lenient && errno == EILSEQ) {
            unsigned char b = (unsigned char)*ip;
            char t[2] = {(char)(0xC0 | b >> 6), (char)(0x80 | (b & 0x3F))};
            if (b < 0x80 ? cr_buf_addc(out, (char)b) : cr_buf_add(out, t, 2)) {
                snprintf(info->msg, sizeof info->msg, "out of memory");
                rc = -1;
                break;
            }
            ip++, il--;
            iconv(cd, NULL, NULL, NULL, NULL);
            continue;
        }
        info->bad_at = at;
        snprintf(info->msg, sizeof info->msg, "%s at byte %llu (as %s)",
                 errno == EILSEQ ? "invalid byte sequence" : "truncated character",
                 (unsigned long long)at, from);
        rc = -1;
        break;
    }
    if (rc == 0) {   /* flush any shift state */
        if (cr_buf_reserve(out, 16) == 0) {
            char *op = out->data + out->len;
            size_t ol = out->cap - out->len;
            iconv(cd, NULL, NULL, &op, &ol);
            out->len = (size_t)(op - out->data);
        } else {
            snprintf(info->msg, sizeof info->msg, "out of memory");
            rc = -1;
        }
    }
    cd_put(from, cd);
    return rc;
}

int ld_decode(const char *in, size_t n, const char *encoding, const char *fallback,
              const char *declared, cr_buf *out, ld_decoded *info) {
    const unsigned char *u = (const unsigned char *)in;
    memset(info, 0, sizeof *info);
    if (!encoding) encoding = "auto";
    if (!fallback) fallback = "windows-1252";
    int automatic = strcasecmp(encoding, "auto") == 0;
    if (automatic || is_utf8_name(encoding)) {
        if (n >= 3 && u[0] == 0xEF && u[1] == 0xBB && u[2] == 0xBF) {
            in += 3, n -= 3, info->bom = 1;
        } else if (automatic) {
            const char *e = NULL;
            size_t skip = 0;
            if (n >= 4 && u[0] == 0xFF && u[1] == 0xFE && u[2] == 0 && u[3] == 0) e = "UTF-32LE", skip = 4;
            else if (n >= 4 && u[0] == 0 && u[1] == 0 && u[2] == 0xFE && u[3] == 0xFF) e = "UTF-32BE", skip = 4;
            else if (n >= 2 && u[0] == 0xFF && u[1] == 0xFE) e = "UTF-16LE", skip = 2;
            else if (n >= 2 && u[0] == 0xFE && u[1] == 0xFF) e = "UTF-16BE", skip = 2;
            if (e) {
                info->bom = 1;
                info->encoding = e[4] == '1' ? (e[6] == 'L' ? "utf-16le" : "utf-16be")
                                             : (e[6] == 'L' ? "utf-32le" : "utf-32be");
                return convert(in + skip, n - skip, e, 0, skip, out, info);
            }
        }
        size_t bad = ld_utf8_check(in, n);
        if (bad == n) {
            info->encoding = "utf-8";
            return cr_buf_add(out, in, n) ? (snprintf(info->msg, sizeof info->msg, "out of memory"), -1) : 0;
        }
        info->bad_at = bad + (info->bom ? 3 : 0);
        if (!automatic) {
            snprintf(info->msg, sizeof info->msg, "invalid UTF-8 at byte %llu",
                     (unsigned long long)info->bad_at);
            return -1;
        }
        const char *fb = declared && !is_utf8_name(declared) ? declared : fallback;
        info->fell_back = 1;
        info->encoding = fb;
        uint64_t keep = info->bad_at;
        if (convert(in, n, fb, 1, info->bom ? 3 : 0, out, info)) {
            info->bad_at = keep;
            return -1;
        }
        info->bad_at = keep;
        return 0;
    }
    info->encoding = encoding;
    return convert(in, n, encoding, 0, 0, out, info);
}

/* Whether s[0..n) holds a valid UTF-8 sequence of two bytes or more. */
static int has_multibyte(const char *s, size_t n) {
    size_t i = 0;
    while (i < n) {
        size_t ok = ld_utf8_check(s + i, n - i);
        for (size_t k = i; k < i + ok; k++)
            if ((unsigned char)s[k] >= 0x80) return 1;
        i += ok + 1;   /* past the invalid byte */
    }
    return 0;
}

/* One line that is not valid UTF-8 (bad: its first invalid byte), into out. */
static int decode_line(const char *s, size_t n, size_t bad, int mixed, const char *fallback,
                       uint64_t base, cr_buf *out, ld_decoded *info) {
    if (!mixed) return convert(s, n, fallback, 1, base, out, info);
    size_t i = 0;
    while (i < n) {
        size_t ok = i == 0 ? bad : ld_utf8_check(s + i, n - i);
        if (ok > 0) {
            if (cr_buf_add(out, s + i, ok)) goto nomem;
            i += ok;
            continue;
        }
        size_t j = i + 1;   /* the run of invalid bytes */
        while (j < n && (unsigned char)s[j] >= 0x80 && ld_utf8_check(s + j, n - j) == 0) j++;
        if (convert(s + i, j - i, fallback, 1, base + i, out, info)) return -1;
        i = j;
    }
    return 0;
nomem:
    snprintf(info->msg, sizeof info->msg, "out of memory");
    return -1;
}

int ld_decode_lines(const char *in, size_t n, const char *fallback, cr_buf *out, ld_decoded *info,
                    ld_line_guess guess, void *ud) {
    const unsigned char *u = (const unsigned char *)in;
    memset(info, 0, sizeof *info);
    if (!fallback) fallback = "windows-1252";
    info->encoding = "utf-8";
    if ((n >= 2 && ((u[0] == 0xFF && u[1] == 0xFE) || (u[0] == 0xFE && u[1] == 0xFF))) ||
        (n >= 4 && u[0] == 0 && u[1] == 0 && u[2] == 0xFE && u[3] == 0xFF))
        return ld_decode(in, n, "auto", fallback, NULL, out, info);   /* the BOM decides */
    size_t pos = 0;
    if (n >= 3 && u[0] == 0xEF && u[1] == 0xBB && u[2] == 0xBF) pos = 3, info->bom = 1;
    size_t line = 0;
    while (pos < n) {
        const char *nl = memchr(in + pos, '\n', n - pos);
        size_t end = nl ? (size_t)(nl - in) + 1 : n;   /* the newline stays with its line */
        const char *s = in + pos;
        size_t len = end - pos;
        line++;
        size_t bad = ld_utf8_check(s, len);
        if (bad == len) {
            if (cr_buf_add(out, s, len)) {
                snprintf(info->msg, sizeof info->msg, "out of memory");
                return -1;
            }
        } else {
            int mixed = has_multibyte(s, len);
            if (!info->fell_back) info->bad_at = pos + bad;
            info->fell_back = 1;
            if (decode_line(s, len, bad, mixed, fallback, pos, out, info)) return -1;
            if (guess) {
                int r = guess(ud, line, pos + bad, mixed, fallback);
                if (r) return r;
            }
        }
        pos = end;
    }
    return 0;
}

size_t ld_clean_text(char *s, size_t n, int strip) {
    size_t w = 0, i = 0;
    if (!strip) {   /* only CR matters: skip to the first one */
        char *cr = n ? memchr(s, '\r', n) : NULL;
        if (!cr) return n;
        w = i = (size_t)(cr - s);
    }
    for (; i < n; i++) {
        unsigned char c = (unsigned char)s[i];
        if (c == '\r') {
            s[w++] = '\n';
            if (i + 1 < n && s[i + 1] == '\n') i++;
            continue;
        }
        if (strip) {
            if ((c < 0x20 && c != '\t' && c != '\n') || c == 0x7F) continue;
            if (c == 0xC2 && i + 1 < n && (unsigned char)s[i + 1] >= 0x80 &&
                (unsigned char)s[i + 1] <= 0x9F) { i++; continue; }
        }
        s[w++] = (char)c;
    }
    return w;
}
