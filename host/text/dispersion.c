/* dispersion.c — see dispersion.h.  Each loop is the Lua formula's loop,
 * operation for operation, in the same order. */
#include "dispersion.h"

#include <math.h>

static double as_float(cr_lnum x) { return x.is_int ? (double)x.i : x.d; }

/* a + b as Lua adds: integers wrap around, a float makes the sum a float */
static cr_lnum add(cr_lnum a, cr_lnum b) {
    cr_lnum r;
    if (a.is_int && b.is_int) {
        r.is_int = 1;
        r.i = (int64_t)((uint64_t)a.i + (uint64_t)b.i);
        r.d = 0;
    } else {
        r.is_int = 0;
        r.i = 0;
        r.d = as_float(a) + as_float(b);
    }
    return r;
}

static int positive(cr_lnum x) { return x.is_int ? x.i > 0 : x.d > 0; }
static int is_zero(cr_lnum x) { return x.is_int ? x.i == 0 : x.d == 0; }

static const cr_lnum one = { 1, 1, 0 };

static cr_lnum size_of(const cr_lnum *sizes, size_t i) { return sizes ? sizes[i] : one; }

int cr_dispersion(const cr_lnum *v, const cr_lnum *sizes, size_t k, cr_dispersion_result *out,
                  size_t *index) {
    cr_lnum f = { 1, 0, 0 }, total = { 1, 0, 0 };
    int64_t range = 0, empty = 0;
    for (size_t i = 0; i < k; i++) {
        cr_lnum vi = v[i], si = size_of(sizes, i);
        *index = i + 1;
        if (vi.is_int == CR_LNUM_NONE || (vi.is_int ? vi.i < 0 : isnan(vi.d) || vi.d < 0))
            return CR_DISP_BAD_FREQ;
        if (si.is_int == CR_LNUM_NONE || (si.is_int ? si.i < 0 : !(si.d >= 0) || si.d == HUGE_VAL))
            return CR_DISP_BAD_SIZE;
        if (is_zero(si)) {
            if (positive(vi)) return CR_DISP_EMPTY_PART;
            empty++;
        }
        f = add(f, vi);
        total = add(total, si);
        if (positive(vi)) range++;
    }
    *index = 0;
    out->f = f;
    out->parts = (int64_t)k;
    out->empty = empty;
    out->range = range;
    if (is_zero(f)) return CR_DISP_OK;
    /* DP: half the sum of |observed share - expected share| over the parts
     * with a size; the smallest expected share for DPnorm */
    double dp = 0, smin = HUGE_VAL, ff = as_float(f), tt = as_float(total);
    for (size_t i = 0; i < k; i++) {
        cr_lnum si = size_of(sizes, i);
        if (!positive(si)) continue;
        double s = as_float(si) / tt;
        if (s < smin) smin = s;
        dp = dp + fabs(as_float(v[i]) / ff - s);
    }
    dp = dp / 2;
    out->dp = dp;
    out->dp_norm = smin < 1 ? dp / (1 - smin) : 0.0;
    /* Juilland's D on rates per unit of size, population sd */
    int64_t n = (int64_t)k - empty;
    if (n > 1) {
        double mean = 0;
        for (size_t i = 0; i < k; i++) {
            cr_lnum si = size_of(sizes, i);
            if (positive(si)) mean = mean + as_float(v[i]) / as_float(si);
        }
        mean = mean / (double)n;
        double ss = 0;
        for (size_t i = 0; i < k; i++) {
            cr_lnum si = size_of(sizes, i);
            if (positive(si)) {
                double x = as_float(v[i]) / as_float(si) - mean;
                ss = ss + x * x; /* Lua's x ^ 2 */
            }
        }
        double sd = sqrt(ss / (double)n);
        out->d = 1 - (sd / mean) / sqrt((double)(n - 1));
    } else {
        out->d = 1.0;
    }
    return CR_DISP_OK;
}
