/* buf.h — the one growable byte buffer of host/text.
 *
 * A cr_buf owns its bytes: data is NULL until the first growth, then a block
 * from malloc of cap + 1 bytes, so that there is always room for a NUL after
 * the len bytes in use.  Every append keeps data[len] == '\0' (the bytes may
 * hold NULs of their own: len, not strlen, is the length).  Code that writes
 * into reserved room itself (data + len, up to cap - len bytes) sets len and,
 * if it wants a C string, the NUL: data[cap] is always writable.
 *
 * Failure is reported and sticky.  A growth that cannot be made (out of
 * memory, or a size that does not fit in size_t) returns -1, leaves the
 * bytes as they were and sets failed; from then on every reserve and append
 * returns -1 and changes nothing, so a chain of appends checked only at its
 * end never yields bytes with a hole in them.  cr_buf_reset (start again,
 * memory kept) and cr_buf_free clear it; so may code that drops what it
 * appended since a length it saved (len set back to it, failed cleared).
 *
 * Initialise with cr_buf_init or CR_BUF_INIT (all zero: `cr_buf b = {0}` is
 * the same); release with cr_buf_free, or take the bytes with cr_buf_detach.
 * A cr_buf may be moved by copying the struct (the copy owns the bytes). */
#ifndef CORPUSRUN_BUF_H
#define CORPUSRUN_BUF_H

#include <stddef.h>

typedef struct cr_buf {
    char *data;      /* NULL until the first growth; then data[len] == '\0' */
    size_t len;      /* bytes in use */
    size_t cap;      /* bytes usable before the next growth (plus one for the NUL) */
    int failed;      /* a growth failed: reserve and append refuse until reset */
} cr_buf;

#define CR_BUF_INIT { NULL, 0, 0, 0 }

void cr_buf_init(cr_buf *b);
/* Appends p[0..n) (n may be 0; p may then be NULL).  0, or -1.  The bytes
 * appended (here and below) must not point into b: growing may move it. */
int cr_buf_add(cr_buf *b, const void *p, size_t n);
/* Appends the NUL-terminated s (without its NUL).  0, or -1. */
int cr_buf_adds(cr_buf *b, const char *s);
/* Appends printf-style formatted text.  0, or -1 (also on a format error). */
int cr_buf_addf(cr_buf *b, const char *fmt, ...)
#if defined(__GNUC__)
    __attribute__((format(printf, 2, 3)))
#endif
    ;
/* Empties the buffer and clears failed; the memory is kept for reuse. */
void cr_buf_reset(cr_buf *b);
/* Releases the memory; b is then empty, as after cr_buf_init.  Idempotent. */
void cr_buf_free(cr_buf *b);
/* Hands the bytes to the caller, who releases them with free(): a
 * NUL-terminated block (allocated now when nothing ever was), its length
 * in *len (len may be NULL).  b is left empty, as after cr_buf_init.
 * NULL when b had failed or when out of memory (b is then freed). */
char *cr_buf_detach(cr_buf *b, size_t *len);

/* The growth paths of cr_buf_reserve and cr_buf_addc; call those. */
int cr_buf_reserve_slow(cr_buf *b, size_t extra);
int cr_buf_addc_slow(cr_buf *b, int c);

/* Makes room for extra more bytes (cap - len >= extra).  0, or -1.  After
 * a successful reserve or append (of any length, 0 included) data is not
 * NULL, so it is a C string when the bytes hold no NUL.  Inline: three
 * comparisons while there is room. */
static inline int cr_buf_reserve(cr_buf *b, size_t extra) {
    if (extra <= b->cap - b->len && b->data && !b->failed) return 0;
    return cr_buf_reserve_slow(b, extra);
}

/* Appends the byte (unsigned char)c.  0, or -1.  Inline: a comparison and
 * two stores while there is room. */
static inline int cr_buf_addc(cr_buf *b, int c) {
    if (b->len >= b->cap || b->failed) return cr_buf_addc_slow(b, c);
    unsigned char *d = (unsigned char *)b->data;
    d[b->len++] = (unsigned char)c;
    d[b->len] = 0;
    return 0;
}

#endif
