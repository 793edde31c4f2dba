/* grow.h — the one way host/text grows an array: its capacity doubles
 * (from a first size) until the elements needed fit, every size checked
 * against overflow.  Callers keep the test "is there room?" inline on their
 * hot paths and call cr_grow only when there is not. */
#ifndef CORPUSRUN_GROW_H
#define CORPUSRUN_GROW_H

#include <stdint.h>
#include <stdlib.h>

/* Grows the block p, which holds *cap elements of elem bytes, to hold at
 * least need: *cap doubles (from first when it is 0; first >= 1) until it
 * does.  Returns the block, p itself when it is already large enough, with
 * *cap updated; NULL when out of memory or when the size in bytes would not
 * fit in size_t, with p and *cap left as they were (p is not freed). */
static inline void *cr_grow(void *p, size_t *cap, size_t need, size_t elem, size_t first) {
    if (need <= *cap && p) return p;
    size_t n = *cap ? *cap : (first ? first : 1);
    while (n < need) {
        if (n > SIZE_MAX / 2) return NULL;
        n *= 2;
    }
    if (elem && n > SIZE_MAX / elem) return NULL;
    void *q = realloc(p, n * elem);
    if (!q) return NULL;
    *cap = n;
    return q;
}

#endif
