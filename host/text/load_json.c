/* load_json.c — a strict JSON parser for one JSON Lines record: a top-level
 * object whose members become fields.  No recursion (nested values are
 * validated with an explicit depth counter), no allocation per value beyond
 * the reusable scratch buffer and field array. */
#include "load.h"

#include <stdlib.h>
#include <string.h>
#ifdef __SSE2__
#include <emmintrin.h>
#endif

#define MAX_DEPTH 10000

typedef struct P {
    const char *s;
    size_t n, i;
    ld_json *j;
} P;

static int fail(P *p, const char *msg) {
    if (!p->j->err) {
        p->j->err = msg;
        p->j->err_at = p->i;
    }
    return -1;
}

static void ws(P *p) {
    while (p->i < p->n) {
        char c = p->s[p->i];
        if (c != ' ' && c != '\t' && c != '\n' && c != '\r') break;
        p->i++;
    }
}

static int hexval(char c) {
    if (c >= '0' && c <= '9') return c - '0';
    if (c >= 'a' && c <= 'f') return c - 'a' + 10;
    if (c >= 'A' && c <= 'F') return c - 'A' + 10;
    return -1;
}

static int hex4(P *p, unsigned *out) {
    if (p->n - p->i < 4) return fail(p, "truncated \\u escape");
    unsigned v = 0;
    for (int k = 0; k < 4; k++) {
        int h = hexval(p->s[p->i + k]);
        if (h < 0) return fail(p, "bad \\u escape");
        v = v * 16 + (unsigned)h;
    }
    p->i += 4;
    *out = v;
    return 0;
}

static char *put_utf8(char *t, unsigned cp) {
    if (cp < 0x80) { *t++ = (char)cp; }
    else if (cp < 0x800) { *t++ = (char)(0xC0 | cp >> 6); *t++ = (char)(0x80 | (cp & 0x3F)); }
    else if (cp < 0x10000) {
        *t++ = (char)(0xE0 | cp >> 12); *t++ = (char)(0x80 | ((cp >> 6) & 0x3F));
        *t++ = (char)(0x80 | (cp & 0x3F));
    } else {
        *t++ = (char)(0xF0 | cp >> 18); *t++ = (char)(0x80 | ((cp >> 12) & 0x3F));
        *t++ = (char)(0x80 | ((cp >> 6) & 0x3F)); *t++ = (char)(0x80 | (cp & 0x3F));
    }
    return t;
}

/* Index of the first '"', '\\' or control byte in s[i..n), or n. */
static size_t scan_plain(const char *s, size_t i, size_t n) {
#ifdef __SSE2__
    const __m128i quote = _mm_set1_epi8('"'), bslash = _mm_set1_epi8('\\'), ctl = _mm_set1_epi8(0x1F);
    while (n - i >= 16) {
        __m128i v = _mm_loadu_si128((const __m128i *)(const void *)(s + i));
        __m128i hit = _mm_or_si128(_mm_or_si128(_mm_cmpeq_epi8(v, quote), _mm_cmpeq_epi8(v, bslash)),
                                   _mm_cmpeq_epi8(_mm_min_epu8(v, ctl), v));
        int mask = _mm_movemask_epi8(hit);
        if (mask) return i + (size_t)__builtin_ctz((unsigned)mask);
        i += 16;
    }
#endif
    while (n - i >= 8) {
        uint64_t w;
        memcpy(&w, s + i, 8);
        const uint64_t ones = 0x0101010101010101ull, high = 0x8080808080808080ull;
        uint64_t q = w ^ (ones * '"'), b = w ^ (ones * '\\');
        uint64_t hit = ((q - ones) & ~q) | ((b - ones) & ~b) | ((w - ones * 0x20) & ~w);
        if (hit & high) break;
        i += 8;
    }
    while (i < n) {
        unsigned char c = (unsigned char)s[i];
        if (c == '"' || c == '\\' || c < 0x20) break;
        i++;
    }
    return i;
}

/* Parses a string at p->i (at the opening quote).  With out, appends the
 * unescaped bytes (never longer than the escaped text); otherwise only
 * validates. */
static int string(P *p, cr_buf *out) {
    p->i++;   /* opening quote */
    char *o = NULL;
    if (out) {
        if (cr_buf_reserve(out, p->n - p->i + 4)) return fail(p, "out of memory");
        o = out->data + out->len;
    }
    for (;;) {
        size_t start = p->i;
        p->i = scan_plain(p->s, p->i, p->n);
        if (o) {
            memcpy(o, p->s + start, p->i - start);
            o += p->i - start;
        }
        if (p->i >= p->n) return fail(p, "unterminated string");
        char c = p->s[p->i];
        if (c == '"') {
            p->i++;
            if (out) out->len = (size_t)(o - out->data);
            return 0;
        }
        if (c != '\\') return fail(p, "control character in string");
        p->i++;
        if (p->i >= p->n) return fail(p, "unterminated string");
        char e = p->s[p->i++];
        char rep;
        switch (e) {
        case '"': rep = '"'; break;
        case '\\': rep = '\\'; break;
        case '/': rep = '/'; break;
        case 'b': rep = '\b'; break;
        case 'f': rep = '\f'; break;
        case 'n': rep = '\n'; break;
        case 'r': rep = '\r'; break;
        case 't': rep = '\t'; break;
        case 'u': {
            unsigned cp;
            if (hex4(p, &cp)) return -1;
            if (cp >= 0xD800 && cp <= 0xDBFF) {
                unsigned lo;
                if (p->n - p->i >= 6 && p->s[p->i] == '\\' && p->s[p->i + 1] == 'u') {
                    size_t save = p->i;
                    p->i += 2;
                    if (hex4(p, &lo)) return -1;
                    if (lo >= 0xDC00 && lo <= 0xDFFF) cp = 0x10000 + ((cp - 0xD800) << 10) + (lo - 0xDC00);
                    else { cp = 0xFFFD; p->i = save; }
                } else cp = 0xFFFD;
            } else if (cp >= 0xDC00 && cp <= 0xDFFF) cp = 0xFFFD;
            if (o) o = put_utf8(o, cp);
            continue;
        }
        default:
            p->i--;
            return fail(p, "bad escape in string");
        }
        if (o) *o++ = rep;
    }
}

static int number(P *p) {
    size_t i = p->i;
    if (i < p->n && p->s[i] == '-') i++;
    if (i >= p->n) { p->i = i; return fail(p, "bad number"); }
    if (p->s[i] == '0') i++;
    else if (p->s[i] >= '1' && p->s[i] <= '9') while (i < p->n && p->s[i] >= '0' && p->s[i] <= '9') i++;
    else { p->i = i; return fail(p, "bad number"); }
    if (i < p->n && p->s[i] == '.') {
        i++;
        size_t d = i;
        while (i < p->n && p->s[i] >= '0' && p->s[i] <= '9') i++;
        if (i == d) { p->i = i; return fail(p, "bad number"); }
    }
    if (i < p->n && (p->s[i] == 'e' || p->s[i] == 'E')) {
        i++;
        if (i < p->n && (p->s[i] == '+' || p->s[i] == '-')) i++;
        size_t d = i;
        while (i < p->n && p->s[i] >= '0' && p->s[i] <= '9') i++;
        if (i == d) { p->i = i; return fail(p, "bad number"); }
    }
    p->i = i;
    return 0;
}

static int literal(P *p, const char *word) {
    size_t n = strlen(word);
    if (p->n - p->i < n || memcmp(p->s + p->i, word, n) != 0) return fail(p, "unexpected character");
    p->i += n;
    return 0;
}

/* Validates any value at p->i without recursion. */
static int skip_value(P *p) {
    size_t depth = 0;
    /* Bit stack of container kinds would bound memory; containers are
     * tracked by matching brackets, so a counter per kind is not enough:
     * keep a small byte stack that grows in the scratch-free way. */
    char stack_small[256];
    char *stack = stack_small;
    size_t cap = sizeof stack_small;
    int rc = -1;
    int expect_value = 1;
    for (;;) {
        ws(p);
        if (p->i >= p->n) { fail(p, "unexpected end of line"); goto out; }
        char c = p->s[p->i];
        if (expect_value) {
            if (c == '{' || c == '[') {
                if (depth >= MAX_DEPTH) { fail(p, "nesting too deep"); goto out; }
                if (depth == cap) {
                    char *ns = malloc(cap * 2);
                    if (!ns) { fail(p, "out of memory"); goto out; }
                    memcpy(ns, stack, cap);
                    if (stack != stack_small) free(stack);
                    stack = ns;
                    cap *= 2;
                }
                stack[depth++] = c;
                p->i++;
                ws(p);
                if (p->i < p->n && p->s[p->i] == (c == '{' ? '}' : ']')) {
                    p->i++;
                    depth--;
                    expect_value = 0;
                } else if (c == '{') {
                    if (p->i >= p->n || p->s[p->i] != '"') { fail(p, "expected a member name"); goto out; }
                    if (string(p, NULL)) goto out;
                    ws(p);
                    if (p->i >= p->n || p->s[p->i] != ':') { fail(p, "expected ':'"); goto out; }
                    p->i++;
                }
                if (expect_value) continue;
            } else {
                if (c == '"') { if (string(p, NULL)) goto out; }
                else if (c == '-' || (c >= '0' && c <= '9')) { if (number(p)) goto out; }
                else if (c == 't') { if (literal(p, "true")) goto out; }
                else if (c == 'f') { if (literal(p, "false")) goto out; }
                else if (c == 'n') { if (literal(p, "null")) goto out; }
                else { fail(p, "unexpected character"); goto out; }
                expect_value = 0;
            }
        }
        /* after a value */
        if (depth == 0) { rc = 0; goto out; }
        ws(p);
        if (p->i >= p->n) { fail(p, "unexpected end of line"); goto out; }
        c = p->s[p->i];
        char top = stack[depth - 1];
        if (c == ',') {
            p->i++;
            if (top == '{') {
                ws(p);
                if (p->i >= p->n || p->s[p->i] != '"') { fail(p, "expected a member name"); goto out; }
                if (string(p, NULL)) goto out;
                ws(p);
                if (p->i >= p->n || p->s[p->i] != ':') { fail(p, "expected ':'"); goto out; }
                p->i++;
            }
            expect_value = 1;
        } else if (c == (top == '{' ? '}' : ']')) {
            p->i++;
            depth--;
        } else {
            fail(p, top == '{' ? "expected ',' or '}'" : "expected ',' or ']'");
            goto out;
        }
    }
out:
    if (stack != stack_small) free(stack);
    return rc;
}

static int add_field(ld_json *j, ld_field f) {
    if (j->n == j->cap) {
        size_t cap = j->cap ? j->cap * 2 : 16;
        ld_field *nf = realloc(j->fields, cap * sizeof *nf);
        if (!nf) return -1;
        j->fields = nf;
        j->cap = cap;
    }
    j->fields[j->n++] = f;
    return 0;
}

int ld_json_parse(ld_json *j, const char *s, size_t n) {
    P p = {s, n, 0, j};
    cr_buf_reset(&j->scratch);
    j->n = 0;
    j->err = NULL;
    j->err_at = 0;
    ws(&p);
    if (p.i >= n || s[p.i] != '{') return fail(&p, "not a JSON object");
    p.i++;
    ws(&p);
    if (p.i < n && s[p.i] == '}') p.i++;
    else for (;;) {
        ws(&p);
        if (p.i >= n || s[p.i] != '"') return fail(&p, "expected a member name");
        ld_field f = {0};
        f.key = j->scratch.len;
        if (string(&p, &j->scratch)) return -1;
        f.klen = j->scratch.len - f.key;
        if (cr_buf_addc(&j->scratch, '\0')) return fail(&p, "out of memory");
        ws(&p);
        if (p.i >= n || s[p.i] != ':') return fail(&p, "expected ':'");
        p.i++;
        ws(&p);
        if (p.i >= n) return fail(&p, "unexpected end of line");
        f.val = j->scratch.len;
        char c = s[p.i];
        if (c == '"') {
            f.type = LD_STR;
            int keep = !j->only || strcmp(j->scratch.data + f.key, j->only) == 0;
            if (string(&p, keep ? &j->scratch : NULL)) return -1;
        } else {
            size_t start = p.i;
            if (skip_value(&p)) return -1;
            f.type = c == '{' || c == '[' ? LD_JSON : c == 't' || c == 'f' ? LD_BOOL
                   : c == 'n' ? LD_NULL : LD_NUM;
            if (cr_buf_add(&j->scratch, s + start, p.i - start)) return fail(&p, "out of memory");
        }
        f.vlen = j->scratch.len - f.val;
        if (cr_buf_addc(&j->scratch, '\0')) return fail(&p, "out of memory");
        if (add_field(j, f)) return fail(&p, "out of memory");
        ws(&p);
        if (p.i < n && s[p.i] == ',') { p.i++; continue; }
        if (p.i < n && s[p.i] == '}') { p.i++; break; }
        return fail(&p, "expected ',' or '}'");
    }
    ws(&p);
    if (p.i != n) return fail(&p, "text after the object");
    return 0;
}

const char *ld_json_key(const ld_json *j, size_t i) { return j->scratch.data + j->fields[i].key; }
const char *ld_json_val(const ld_json *j, size_t i) { return j->scratch.data + j->fields[i].val; }

void ld_json_free(ld_json *j) {
    cr_buf_free(&j->scratch);
    free(j->fields);
    memset(j, 0, sizeof *j);
}
