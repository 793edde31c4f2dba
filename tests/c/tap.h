/* tap.h — minimal TAP output for corpusrun's C unit tests. */
#ifndef CORPUSRUN_TAP_H
#define CORPUSRUN_TAP_H
#include <stdio.h>
#include <string.h>

static int tap_count, tap_failed;

#define ok(cond, ...) tap_ok_((cond) ? 1 : 0, __FILE__, __LINE__, __VA_ARGS__)
#define is_int(got, want, ...) do { long long g_ = (long long)(got), w_ = (long long)(want); \
    if (!ok(g_ == w_, __VA_ARGS__)) printf("#      got: %lld\n# expected: %lld\n", g_, w_); } while (0)
#define is_str(got, want, ...) do { const char *g_ = (got), *w_ = (want); \
    if (!ok(g_ && w_ && strcmp(g_, w_) == 0, __VA_ARGS__)) \
        printf("#      got: \"%s\"\n# expected: \"%s\"\n", g_ ? g_ : "(null)", w_ ? w_ : "(null)"); } while (0)

__attribute__((format(printf, 4, 5)))
static int tap_ok_(int cond, const char *file, int line, const char *fmt, ...);

#include <stdarg.h>
static int tap_ok_(int cond, const char *file, int line, const char *fmt, ...) {
    va_list ap;
    tap_count++;
    printf("%s %d - ", cond ? "ok" : "not ok", tap_count);
    va_start(ap, fmt);
    vprintf(fmt, ap);
    va_end(ap);
    printf("\n");
    if (!cond) {
        tap_failed++;
        printf("#   Failed at %s:%d\n", file, line);
    }
    return cond;
}

static inline void diag(const char *msg) { printf("# %s\n", msg); }

static inline int tap_done(void) {
    printf("1..%d\n", tap_count);
    fflush(stdout);
    return tap_failed ? 1 : 0;
}
#endif
