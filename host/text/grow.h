/* grow.h — the one way host/text grows an array: its capacity doubles
 * (from a first size) until the elements needed fit, every size checked
 * against overflow.  Callers keep the test "is there room?" inline on their
 * hot paths and call cr_grow only when there is not. */
#ifndef CORPUSRUN_GROW_H
#define CORPUSRUN_GROW_H

#include <stdint.h>
#include <stdlib.h>
#include <string.h>
#include <sys/mman.h>

/* Hash tables' slot arrays of CR_HUGE_MIN bytes and more (cr_huge_calloc)
 * are made 2 MiB-aligned and asked, before their first byte is touched, to
 * live on huge pages where the system offers them on request (Linux's
 * transparent huge pages in "madvise" mode): their writes land all over
 * them at once, and they then fault once per 2 MiB instead of once per
 * 4 KiB.  On the machine the benchmarks run on a fault costs 11 us.  Only
 * whole 2 MiB stretches are advised, so nothing past the block is made
 * resident.  Arrays grown by cr_grow stay with realloc: a large block's
 * realloc moves its pages (mremap), where a copy into a new block would
 * hold both at once (measured: 3 bytes more of peak memory a word type). */
#define CR_HUGE_MIN ((size_t)2 << 20)
#define CR_HUGE_PAGE ((size_t)2 << 20)

/* calloc(n, elem), on huge pages when large (free() frees it). */
static inline void *cr_huge_calloc(size_t n, size_t elem) {
    if (elem && n > SIZE_MAX / elem) return NULL;
#ifdef MADV_HUGEPAGE
    size_t bytes = n * elem;
    if (bytes >= CR_HUGE_MIN) {
        void *p = NULL;
        if (posix_memalign(&p, CR_HUGE_PAGE, bytes) != 0) return NULL;
        (void)madvise(p, bytes & ~(CR_HUGE_PAGE - 1), MADV_HUGEPAGE);
        return memset(p, 0, bytes);
    }
#endif
    return calloc(n, elem);
}

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
