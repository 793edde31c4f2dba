/* tok_conformance.c — every case of the Unicode break tests (UAX #29):
 * WordBreakTest.txt and SentenceBreakTest.txt against our segmenters with
 * tailoring off, GraphemeBreakTest.txt against utf8proc.  The files come from
 * Debian's unicode-data package (CORPUSRUN_UNICODE_DIR overrides the place);
 * without them the test skips, except under CI=true where it fails. */
#include <stdlib.h>
#include <string.h>
#include <utf8proc.h>

#include "tap.h"
#include "sentbreak.h"
#include "ucd_tables.h"
#include "utf8.h"
#include "wordbreak.h"

#define MAXB 256

typedef struct {
    char text[4 * MAXB];
    size_t len;
    uint32_t cps[MAXB];
    size_t ncp;
    size_t want[MAXB]; /* expected boundaries (byte offsets, excluding 0) */
    size_t nwant;
} test_case;

/* Parses "÷ 0061 × 0308 ÷  # comment"; returns 0 when the line has no case. */
static int parse_case(const char *line, test_case *tc) {
    tc->len = tc->ncp = tc->nwant = 0;
    const char *p = line;
    while (*p && *p != '#') {
        if (!strncmp(p, "\xC3\xB7", 2)) {          /* ÷ */
            if (tc->len > 0) tc->want[tc->nwant++] = tc->len;
            p += 2;
        } else if (!strncmp(p, "\xC3\x97", 2)) {   /* × */
            p += 2;
        } else if ((*p >= '0' && *p <= '9') || (*p >= 'A' && *p <= 'F')) {
            char *end;
            unsigned long cp = strtoul(p, &end, 16);
            if (tc->ncp >= MAXB) return 0;
            tc->cps[tc->ncp++] = (uint32_t)cp;
            tc->len += cr_utf8_encode((uint32_t)cp, (unsigned char *)tc->text + tc->len);
            p = end;
        } else {
            p++;
        }
    }
    return tc->ncp > 0;
}

typedef size_t (*next_fn)(const char *, size_t, size_t);

static size_t wb_next(const char *s, size_t len, size_t pos) { return cr_wb_next(s, len, pos, NULL); }
static size_t sb_next(const char *s, size_t len, size_t pos) { return cr_sb_next(s, len, pos, NULL); }

/* Grapheme boundaries from utf8proc, as byte offsets. */
static size_t gb_got(const test_case *tc, size_t *got) {
    size_t n = 0, off = 0;
    utf8proc_int32_t state = 0;
    for (size_t i = 0; i < tc->ncp; i++) {
        unsigned char tmp[4];
        if (i > 0 && utf8proc_grapheme_break_stateful((utf8proc_int32_t)tc->cps[i - 1],
                                                      (utf8proc_int32_t)tc->cps[i], &state))
            got[n++] = off;
        off += cr_utf8_encode(tc->cps[i], tmp);
    }
    got[n++] = off;
    return n;
}

static size_t seg_got(const test_case *tc, next_fn next, size_t *got) {
    size_t n = 0, pos = 0;
    while (pos < tc->len && n < MAXB) {
        pos = next(tc->text, tc->len, pos);
        got[n++] = pos;
    }
    return n;
}

static void print_list(const char *what, const size_t *v, size_t n) {
    printf("# %s:", what);
    for (size_t i = 0; i < n; i++) printf(" %zu", v[i]);
    printf("\n");
}

static void run_file(const char *dir, const char *name, next_fn next, int expected_cases) {
    char path[1024];
    snprintf(path, sizeof path, "%s/auxiliary/%s", dir, name);
    FILE *f = fopen(path, "r");
    if (!f) {
        const char *ci = getenv("CI");
        if (ci && !strcmp(ci, "true")) {
            ok(0, "%s present (CI requires the unicode-data package)", path);
        } else {
            printf("ok %d # skip %s missing (install unicode-data)\n", ++tap_count, path);
        }
        return;
    }
    char line[8192];
    int cases = 0, passed = 0, lineno = 0;
    test_case tc;
    size_t got[MAXB + 1];
    while (fgets(line, sizeof line, f)) {
        lineno++;
        if (!parse_case(line, &tc)) continue;
        cases++;
        size_t ng = next ? seg_got(&tc, next, got) : gb_got(&tc, got);
        int same = ng == tc.nwant && !memcmp(got, tc.want, ng * sizeof got[0]);
        if (same) passed++;
        else {
            ok(0, "%s line %d", name, lineno);
            diag(line);
            print_list("want", tc.want, tc.nwant);
            print_list(" got", got, ng);
        }
    }
    fclose(f);
    is_int(passed, cases, "%s: %d of %d cases pass", name, passed, cases);
    is_int(cases, expected_cases, "%s: all %d cases read", name, expected_cases);
}

int main(void) {
    const char *dir = getenv("CORPUSRUN_UNICODE_DIR");
    if (!dir || !*dir) dir = "/usr/share/unicode";
    is_str(CR_UCD_VERSION, utf8proc_unicode_version(),
           "generated tables and utf8proc implement the same Unicode version");
    run_file(dir, "WordBreakTest.txt", wb_next, 1823);
    run_file(dir, "SentenceBreakTest.txt", sb_next, 502);
    run_file(dir, "GraphemeBreakTest.txt", NULL, 602);
    return tap_done();
}
