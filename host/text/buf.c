/* buf.c — the one growable byte buffer of host/text (see buf.h). */
#include "buf.h"

#include <stdarg.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "grow.h"

void cr_buf_init(cr_buf *b) {
    b->data = NULL;
    b->len = b->cap = 0;
    b->failed = 0;
}

/* The block grows to hold len + extra bytes and the NUL: its size doubles
 * from 64 bytes.  cap is the size less the NUL's byte. */
int cr_buf_reserve_slow(cr_buf *b, size_t extra) {
    if (b->failed) return -1;
    if (extra <= b->cap - b->len && b->data) return 0;
    if (extra >= SIZE_MAX - b->len) goto fail;      /* len + extra + 1 overflows */
    size_t size = b->data ? b->cap + 1 : 0;
    char *d = cr_grow(b->data, &size, b->len + extra + 1, 1, 64);
    if (!d) goto fail;
    if (!b->data) d[0] = '\0';
    b->data = d;
    b->cap = size - 1;
    return 0;
fail:
    b->failed = 1;
    return -1;
}

int cr_buf_add(cr_buf *b, const void *p, size_t n) {
    if (cr_buf_reserve(b, n)) return -1;
    if (n == 0) return 0;            /* p may be NULL; data[len] is the NUL already */
    memcpy(b->data + b->len, p, n);
    b->len += n;
    b->data[b->len] = '\0';
    return 0;
}

int cr_buf_adds(cr_buf *b, const char *s) { return cr_buf_add(b, s, strlen(s)); }

int cr_buf_addc_slow(cr_buf *b, int c) {
    unsigned char byte = (unsigned char)c;
    return cr_buf_add(b, &byte, 1);
}

int cr_buf_addf(cr_buf *b, const char *fmt, ...) {
    if (b->failed) return -1;
    char small[256];
    va_list ap;
    va_start(ap, fmt);
    int n = vsnprintf(small, sizeof small, fmt, ap);
    va_end(ap);
    if (n < 0) goto fail;
    if ((size_t)n < sizeof small) return cr_buf_add(b, small, (size_t)n);
    if (cr_buf_reserve(b, (size_t)n)) return -1;
    va_start(ap, fmt);
    int m = vsnprintf(b->data + b->len, (size_t)n + 1, fmt, ap);
    va_end(ap);
    if (m != n) {
        b->data[b->len] = '\0';
        goto fail;
    }
    b->len += (size_t)n;
    return 0;
fail:
    b->failed = 1;
    return -1;
}

void cr_buf_reset(cr_buf *b) {
    b->len = 0;
    b->failed = 0;
    if (b->data) b->data[0] = '\0';
}

void cr_buf_free(cr_buf *b) {
    free(b->data);
    cr_buf_init(b);
}

char *cr_buf_detach(cr_buf *b, size_t *len) {
    char *d = cr_buf_reserve(b, 0) ? NULL : b->data;
    if (!d) {
        cr_buf_free(b);
        return NULL;
    }
    if (len) *len = b->len;
    cr_buf_init(b);
    return d;
}
