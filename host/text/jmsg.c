/* jmsg.c — Jupyter wire messages: frames, signature, header, content. */
#include "jmsg.h"

#include <nettle/hmac.h>
#include <string.h>

static int refuse(jmsg *m, const char *why) {
    m->err = why;
    return -1;
}

static const char *member(const ld_json *j, const char *name, ld_vtype *type) {
    for (size_t i = 0; i < j->n; i++)
        if (strcmp(ld_json_key(j, i), name) == 0) {
            if (type) *type = j->fields[i].type;
            return ld_json_val(j, i);
        }
    return NULL;
}

static const char *header_string(const jmsg *m, const char *name) {
    ld_vtype t;
    const char *v = member(&m->hdr, name, &t);
    return v != NULL && t == LD_STR ? v : "";
}

void jmsg_sign(const unsigned char *key, size_t keylen, const jmsg_frame parts[4], char *out) {
    out[0] = '\0';
    if (keylen == 0) return;
    struct hmac_sha256_ctx ctx;
    hmac_sha256_set_key(&ctx, keylen, key);
    for (int i = 0; i < 4; i++)
        hmac_sha256_update(&ctx, parts[i].len, (const uint8_t *)parts[i].data);
    uint8_t digest[SHA256_DIGEST_SIZE];
    hmac_sha256_digest(&ctx, sizeof digest, digest);
    static const char hex[] = "0123456789abcdef";
    for (size_t i = 0; i < sizeof digest; i++) {
        out[2 * i] = hex[digest[i] >> 4];
        out[2 * i + 1] = hex[digest[i] & 15];
    }
    out[JMSG_SIG_HEX] = '\0';
}

/* Compares in time independent of where the texts differ. */
static int same_signature(const char *want, const jmsg_frame *got) {
    if (got->len != JMSG_SIG_HEX) return 0;
    unsigned diff = 0;
    for (size_t i = 0; i < JMSG_SIG_HEX; i++) {
        unsigned char c = (unsigned char)got->data[i];
        if (c >= 'A' && c <= 'F') c = (unsigned char)(c - 'A' + 'a');
        diff |= (unsigned)(c ^ (unsigned char)want[i]);
    }
    return diff == 0;
}

int jmsg_parse(jmsg *m, const jmsg_frame *frames, size_t n, const unsigned char *key,
               size_t keylen) {
    m->err = NULL;
    m->msg_type = m->msg_id = m->session = m->username = "";
    size_t d = 0;
    while (d < n && !(frames[d].len == sizeof JMSG_DELIM - 1 &&
                      memcmp(frames[d].data, JMSG_DELIM, frames[d].len) == 0))
        d++;
    if (d == n) return refuse(m, "no <IDS|MSG> delimiter");
    if (n - d < 6) return refuse(m, "fewer than five frames after the delimiter");
    m->nids = d;
    m->header = frames[d + 2];
    m->parent = frames[d + 3];
    m->metadata = frames[d + 4];
    m->content = frames[d + 5];
    if (keylen > 0) {
        char want[JMSG_SIG_HEX + 1];
        jmsg_frame parts[4] = {m->header, m->parent, m->metadata, m->content};
        jmsg_sign(key, keylen, parts, want);
        if (!same_signature(want, &frames[d + 1])) return refuse(m, "bad signature");
    }
    if (ld_json_parse(&m->hdr, m->header.data, m->header.len) != 0)
        return refuse(m, "header is not a JSON object");
    if (ld_json_parse(&m->body, m->content.data, m->content.len) != 0)
        return refuse(m, "content is not a JSON object");
    m->msg_type = header_string(m, "msg_type");
    m->msg_id = header_string(m, "msg_id");
    m->session = header_string(m, "session");
    m->username = header_string(m, "username");
    if (m->msg_type[0] == '\0') return refuse(m, "header has no msg_type");
    return 0;
}

void jmsg_free(jmsg *m) {
    ld_json_free(&m->hdr);
    ld_json_free(&m->body);
}

const char *jmsg_content(const jmsg *m, const char *name, ld_vtype *type) {
    return member(&m->body, name, type);
}

int jmsg_content_bool(const jmsg *m, const char *name, int dflt) {
    ld_vtype t;
    const char *v = member(&m->body, name, &t);
    if (v == NULL || t != LD_BOOL) return dflt;
    return v[0] == 't';
}

long jmsg_content_long(const jmsg *m, const char *name, long max, long dflt) {
    ld_vtype t;
    const char *v = member(&m->body, name, &t);
    if (v == NULL || t != LD_NUM || v[0] == '-') return dflt;
    long r = 0;
    for (const char *p = v; *p; p++) {
        if (*p < '0' || *p > '9') return dflt; /* fractions, exponents */
        if (r > (max - (*p - '0')) / 10) return dflt;
        r = r * 10 + (*p - '0');
    }
    return r;
}

/* The length of the UTF-8 sequence at s[i..n), or 0 when it is not one. */
static size_t utf8_seq(const unsigned char *s, size_t i, size_t n) {
    unsigned char c = s[i];
    size_t len;
    unsigned cp;
    if (c < 0x80) return 1;
    if (c >= 0xC2 && c <= 0xDF) { len = 2; cp = c & 0x1F; }
    else if (c >= 0xE0 && c <= 0xEF) { len = 3; cp = c & 0x0F; }
    else if (c >= 0xF0 && c <= 0xF4) { len = 4; cp = c & 0x07; }
    else return 0;
    if (n - i < len) return 0;
    for (size_t k = 1; k < len; k++) {
        if ((s[i + k] & 0xC0) != 0x80) return 0;
        cp = cp << 6 | (s[i + k] & 0x3F);
    }
    if ((len == 3 && cp < 0x800) || (len == 4 && (cp < 0x10000 || cp > 0x10FFFF)) ||
        (cp >= 0xD800 && cp <= 0xDFFF))
        return 0;
    return len;
}

int jmsg_put_string(cr_buf *b, const char *str, size_t n) {
    const unsigned char *s = (const unsigned char *)str;
    cr_buf_addc(b, '"');
    size_t i = 0;
    while (i < n) {
        unsigned char c = s[i];
        if (c == '"' || c == '\\') {
            cr_buf_addc(b, '\\');
            cr_buf_addc(b, c);
            i++;
        } else if (c < 0x20 || c == 0x7F) {
            switch (c) {
            case '\n': cr_buf_adds(b, "\\n"); break;
            case '\t': cr_buf_adds(b, "\\t"); break;
            case '\r': cr_buf_adds(b, "\\r"); break;
            default: cr_buf_addf(b, "\\u%04x", c); break;
            }
            i++;
        } else {
            size_t len = utf8_seq(s, i, n);
            if (len == 0) {
                cr_buf_adds(b, "\xEF\xBF\xBD");
                i++;
            } else {
                cr_buf_add(b, s + i, len);
                i += len;
            }
        }
    }
    cr_buf_addc(b, '"');
    return b->failed ? -1 : 0;
}

size_t jmsg_cursor_bytes(const char *str, size_t n, size_t cursor) {
    const unsigned char *s = (const unsigned char *)str;
    size_t i = 0;
    for (size_t k = 0; k < cursor && i < n; k++) {
        size_t len = utf8_seq(s, i, n);
        i += len ? len : 1;
    }
    return i;
}

size_t jmsg_code_points(const char *str, size_t n) {
    const unsigned char *s = (const unsigned char *)str;
    size_t i = 0, k = 0;
    while (i < n) {
        size_t len = utf8_seq(s, i, n);
        i += len ? len : 1;
        k++;
    }
    return k;
}
