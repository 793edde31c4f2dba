/* libFuzzer target: the RFC 4180 record reader (comma and tab), read in
 * chunks of every size, and text cleaning. */
#include <stdint.h>
#include <stdlib.h>
#include <string.h>

#include "load.h"

typedef struct chunky { const uint8_t *p; size_t n, pos, step; } chunky;

static ssize_t chunky_read(void *ud, char *buf, size_t n) {
    chunky *c = ud;
    size_t k = c->n - c->pos;
    if (k > c->step) k = c->step;
    if (k > n) k = n;
    memcpy(buf, c->p + c->pos, k);
    c->pos += k;
    return (ssize_t)k;
}

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size) {
    if (size == 0) return 0;
    char delim = data[0] & 1 ? '\t' : ',';
    chunky src = {data + 1, size - 1, 0, (size_t)data[0] % 61 + 1};
    ld_csv c;
    ld_csv_init(&c, (ld_src){chunky_read, &src}, delim);
    long last = 0;
    uint64_t covered = 0, next_at = 0;
    while (ld_csv_next(&c) == 1) {
        if (c.rec_line < last || c.nf == 0) abort();   /* lines only grow; a record has a field */
        if (c.resume_line && (!c.err || c.resume_line != c.rec_line + 1)) abort();   /* a cut record: its first line */
        if (c.rec_offset < next_at) abort();   /* records follow one another, never overlap */
        next_at = c.rec_offset + c.rec_bytes;
        last = c.rec_line;
        covered += c.rec_bytes;
        size_t total = 0;
        for (size_t i = 0; i < c.nf; i++) {
            size_t len;
            const char *f = ld_csv_field(&c, i, &len);
            if (!f) abort();
            total += len;
            char *copy = malloc(len + 1);
            if (!copy) abort();
            memcpy(copy, f, len);
            size_t m = ld_clean_text(copy, len, data[0] & 2);
            if (m > len || memchr(copy, '\r', m)) abort();
            free(copy);
        }
        if (total != c.rec.len) abort();
    }
    if (covered > size - 1) abort();
    ld_csv_free(&c);
    return 0;
}
