/* engine_fuzz_discover.c — libFuzzer: the discovery scan on any bytes, with
 * covered spans taken from the first bytes, checking that every candidate
 * lies inside the text and has a form. */
#include <stdint.h>
#include <stdlib.h>

#include "discover.h"

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size) {
    static cr_discover *d;
    if (!d && !(d = cr_discover_new())) return 0;
    if (size < 1) return 0;
    /* first byte: how many spans (0-7), each from two bytes, sorted by start */
    size_t ncov = data[0] & 7, head = 1 + 2 * ncov;
    if (size < head) return 0;
    cr_span cov[7];
    size_t at = 0;
    for (size_t i = 0; i < ncov; i++) {
        size_t start = at + data[1 + 2 * i], stop = start + data[2 + 2 * i];
        cov[i] = (cr_span){ start, stop };
        at = stop;
    }
    const char *text = (const char *)data + head;
    size_t len = size - head;
    if (cr_discover_scan(d, text, len, cov, ncov) < 0) return 0;
    for (size_t i = 0; i < d->ncands; i++) {
        const cr_candidate *c = &d->cands[i];
        if (c->start >= c->stop || c->stop > len || c->form_len == 0) abort();
        if (c->form_len > c->stop - c->start) abort(); /* the form never outgrows its span */
    }
    return 0;
}
