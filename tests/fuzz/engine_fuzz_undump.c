/* engine_fuzz_undump.c — libFuzzer: the counters' body parsers and the
 * frame on any bytes.  The first byte picks the parser (the frame's
 * checksum would otherwise stop random input before the bodies). */
#include <stddef.h>
#include <stdint.h>
#include <stdlib.h>

#include "cooc.h"
#include "counter.h"

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size) {
    if (size == 0) return 0;
    cr_rbuf r = { data + 1, data + size, 0 };
    switch (data[0] % 4) {
    case 0: {
        cr_counter c;
        cr_counter_init(&c);
        if (cr_counter_undump(&r, &c) == 0) {
            uint32_t top[4];
            cr_counter_top(&c, 4, top);
            cr_counter_prune(&c, 2);
        }
        cr_counter_free(&c);
        break;
    }
    case 1: {
        cr_ngrams g;
        if (cr_ngrams_undump(&r, &g) == 0) {
            uint32_t top[4];
            cr_ngrams_top(&g, 4, top);
            cr_ngrams_free(&g);
        }
        break;
    }
    case 2: {
        cr_cooc c;
        if (cr_cooc_undump(&r, &c) == 0) {
            cr_cooc_pair *p;
            size_t n;
            if (cr_cooc_pairs(&c, 1, 0, &p, &n) == 0) free(p);
            if (c.vocab.size) {
                cr_colloc *col;
                if (cr_cooc_with(&c, 0, CR_SIDE_BOTH, 1, &col, &n) == 0) free(col);
            }
            cr_cooc_free(&c);
        }
        break;
    }
    default: {
        unsigned kind;
        cr_frame_open(data, size, &kind, &r);
        break;
    }
    }
    return 0;
}
