/* libFuzzer target: the JSON Lines path — lines, UTF-8 check, fallback
 * decoding and the JSON object parser — on arbitrary bytes. */
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
    chunky src = {data + 1, size - 1, 0, (size_t)data[0] % 97 + 1};
    ld_lines r;
    ld_lines_init(&r, (ld_src){chunky_read, &src});
    ld_json j = {0};
    cr_buf dec = {0};
    const char *s;
    size_t n;
    while (ld_lines_next(&r, &s, &n) == 1) {
        if (ld_utf8_check(s, n) != n) {
            ld_decoded info;
            dec.len = 0;
            if (ld_decode(s, n, "auto", NULL, NULL, &dec, &info) == 0) {
                if (ld_utf8_check(dec.data ? dec.data : "", dec.len) != dec.len) abort();
                s = dec.data ? dec.data : "";
                n = dec.len;
            }
        }
        if (ld_json_parse(&j, s, n) == 0) {
            for (size_t i = 0; i < j.n; i++) {
                const ld_field *f = &j.fields[i];
                if (f->key + f->klen > j.scratch.len || f->val + f->vlen > j.scratch.len) abort();
                if (f->type == LD_STR && ld_utf8_check(ld_json_val(&j, i), f->vlen) != f->vlen &&
                    ld_utf8_check(s, n) == n)
                    abort();   /* valid UTF-8 in, valid UTF-8 out */
            }
        } else if (!j.err || j.err_at > n) {
            abort();
        }
    }
    ld_lines_free(&r);
    ld_json_free(&j);
    cr_buf_free(&dec);
    return 0;
}
