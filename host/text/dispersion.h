/* dispersion.h — range, Juilland's D and Gries's DP of one word's
 * frequencies over the parts of a corpus (docs/statistics.md), computed
 * with Lua's arithmetic: sums stay integers while every term is one (and
 * wrap as Lua's do), every division is in floating point, so the numbers
 * are the bytes the formula written in Lua gives.  Pure C. */
#ifndef CR_DISPERSION_H
#define CR_DISPERSION_H

#include <stddef.h>
#include <stdint.h>

/* A number as Lua holds it: an integer or a float (or, is_int
 * CR_LNUM_NONE, a value that is not a number, reported as bad in its turn). */
#define CR_LNUM_NONE (-1)
typedef struct {
    int is_int;
    int64_t i;
    double d;
} cr_lnum;

typedef struct {
    cr_lnum f;       /* the word's frequency, the sum of v */
    int64_t parts;   /* k */
    int64_t empty;   /* parts of size 0 */
    int64_t range;   /* parts where the word occurs */
    double dp, dp_norm, d; /* unset when f is 0 */
} cr_dispersion_result;

enum {
    CR_DISP_OK = 0,
    CR_DISP_BAD_FREQ,  /* v[index] is not a number, NaN or negative */
    CR_DISP_BAD_SIZE,  /* sizes[index] is not a number, negative, NaN or infinite */
    CR_DISP_EMPTY_PART /* sizes[index] is 0 but v[index] is not */
};

/* The measures of frequencies v over k parts of the given sizes (NULL:
 * every part of size 1).  Returns CR_DISP_OK, or the first problem met
 * (part by part, v before sizes) with its 1-based part in *index. */
int cr_dispersion(const cr_lnum *v, const cr_lnum *sizes, size_t k, cr_dispersion_result *out,
                  size_t *index);

#endif
