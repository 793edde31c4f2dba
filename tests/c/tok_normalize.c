/* tok_normalize.c — normalisation levels, buffer reuse, display width. */
#include <stdlib.h>
#include <string.h>
#include <utf8proc.h>

#include "tap.h"
#include "tokenizer.h"

static cr_buf buf;

static const char *norm_len(const char *s, size_t len, cr_norm_level level) {
    if (cr_normalize(&buf, s, len, level) != 0) return "(error)";
    if (strlen(buf.data) != buf.len) return "(length mismatch)";
    return buf.data;
}
static const char *norm(const char *s, cr_norm_level level) { return norm_len(s, strlen(s), level); }

int main(void) {
    diag("normalisation levels");
    is_int(cr_norm_level_from_name("casefold"), CR_NORM_CASEFOLD, "level from name");
    is_int(cr_norm_level_from_name("upper"), -1, "unknown level");
    is_str(cr_norm_level_name(CR_NORM_KEY), "key", "level name");

    is_str(norm("Hello, World", CR_NORM_RAW), "Hello, World", "raw ASCII");
    is_str(norm_len("a\xff\xe2\x82", 4, CR_NORM_RAW), "a\xef\xbf\xbd\xef\xbf\xbd\xef\xbf\xbd",
           "raw: each bad byte becomes U+FFFD");
    is_str(norm("Cafe\xcc\x81", CR_NORM_RAW), "Cafe\xcc\x81", "raw keeps NFD");
    is_str(norm("Cafe\xcc\x81", CR_NORM_NFC), "Caf\xc3\xa9", "nfc composes");
    is_str(norm("\xef\xac\x81nal", CR_NORM_NFC), "\xef\xac\x81nal", "nfc keeps the ligature");
    is_str(norm("Hello, World", CR_NORM_CASEFOLD), "hello, world", "casefold ASCII");
    is_str(norm("Stra\xc3\x9f" "e", CR_NORM_CASEFOLD), "strasse", "casefold: full folding of sharp s");
    is_str(norm("\xef\xac\x81nal", CR_NORM_CASEFOLD), "final", "casefold: NFKC ligature");
    is_str(norm("\xef\xbc\xa1\xef\xbc\xa2", CR_NORM_CASEFOLD), "ab", "casefold: fullwidth letters");
    is_str(norm("A\xc2\xad" "B\xe2\x80\x8b" "C", CR_NORM_CASEFOLD), "abc", "casefold: default ignorables removed");
    is_str(norm("D\xc3\xa9" "fi", CR_NORM_CASEFOLD), "d\xc3\xa9" "fi", "casefold keeps accents");
    is_str(norm("De\xcc\x81" "FI", CR_NORM_CASEFOLD), "d\xc3\xa9" "fi", "casefold composes NFD input");
    is_str(norm_len("A\xff" "B\xc3", 4, CR_NORM_CASEFOLD), "a\xef\xbf\xbd" "b\xef\xbf\xbd",
           "casefold: invalid and truncated UTF-8");

    is_str(norm("D\xc3\xa9" "fi", CR_NORM_KEY), "defi", "key: Défi");
    is_str(norm("Iran\xe2\x80\x99s", CR_NORM_KEY), "iran", "key: Iran’s");
    is_str(norm("ZAKANI'S", CR_NORM_KEY), "zakani", "key: ASCII possessive");
    is_str(norm("Iran\xca\xbcs", CR_NORM_KEY), "iran", "key: U+02BC possessive");
    is_str(norm("\xef\xac\x81nal", CR_NORM_KEY), "final", "key: ﬁnal");
    is_str(norm("l\xe2\x80\x99Iran", CR_NORM_KEY), "l'iran", "key: apostrophes lumped");
    is_str(norm("\xc3\x85ngstr\xc3\xb6m", CR_NORM_KEY), "angstrom", "key: marks stripped");
    is_str(norm("'s", CR_NORM_KEY), "'s", "key: a bare 's stays");

    {
        int good = 1;
        for (int c = 0; c < 128; c++) {
            char in[3] = { 'x', (char)c, 'y' };
            int want = (c >= 'A' && c <= 'Z') ? c + 32 : c;
            if (cr_normalize(&buf, in, 3, CR_NORM_CASEFOLD) != 0 || buf.len != 3 || buf.data[1] != want) good = 0;
        }
        ok(good, "casefold of every ASCII byte, NUL included");
    }
    is_str(norm("", CR_NORM_CASEFOLD), "", "empty input");
    ok(cr_normalize(&buf, NULL, 5, CR_NORM_KEY) == 0 && buf.len == 0, "NULL input is empty");
    for (int level = CR_NORM_RAW; level <= CR_NORM_KEY; level++) {
        cr_buf fresh = CR_BUF_INIT;     /* a buffer that never grew */
        ok(cr_normalize(&fresh, "", 0, (cr_norm_level)level) == 0 && fresh.len == 0 && fresh.data &&
           fresh.data[0] == '\0', "empty input into a new buffer at level %s: \"\"",
           cr_norm_level_name((cr_norm_level)level));
        cr_buf_free(&fresh);
    }
    ok(cr_normalize(&buf, "x", 1, (cr_norm_level)9) == -1, "bad level is an error");

    /* Agreement with utf8proc's own NFKC_Casefold on valid text. */
    const char *samples[] = {
        "\xce\xa3\xce\x8a\xce\xa3\xce\xa5\xce\xa6\xce\x9f\xce\xa3", "\xc7\x84", "\xe2\x84\xab",
        "\xe1\xba\x9e", "\xef\xbd\xb6\xef\xbe\x9e", "\xe3\x8d\xbf", "\xe2\x91\xa0", "x\xcc\xa3\xcc\x87",
        "\xea\xb0\x80\xe1\x84\x80", "\xf0\x9d\x90\x80\xf0\x9f\x91\x8d", "I\xcc\x87stanbul",
    };
    for (size_t i = 0; i < sizeof samples / sizeof samples[0]; i++) {
        utf8proc_uint8_t *want = utf8proc_NFKC_Casefold((const utf8proc_uint8_t *)samples[i]);
        is_str(norm(samples[i], CR_NORM_CASEFOLD), (const char *)want, "casefold = utf8proc NFKC_Casefold #%zu", i);
        free(want);
        want = utf8proc_NFC((const utf8proc_uint8_t *)samples[i]);
        is_str(norm(samples[i], CR_NORM_NFC), (const char *)want, "nfc = utf8proc NFC #%zu", i);
        free(want);
    }

    /* The Latin-1 fast path agrees with utf8proc on every letter U+00C0..U+00FF,
     * alone and inside a word, at casefold, key and nfc. */
    {
        int good_cf = 1, good_key = 1, good_nfc = 1;
        utf8proc_option_t key_opts = UTF8PROC_STABLE | UTF8PROC_COMPOSE | UTF8PROC_COMPAT
                                   | UTF8PROC_CASEFOLD | UTF8PROC_IGNORE | UTF8PROC_STRIPMARK;
        for (unsigned cp = 0xC0; cp <= 0xFF; cp++) {
            char w[8] = { 'X', (char)(0xC0 | (cp >> 6)), (char)(0x80 | (cp & 0x3F)), 'y', 0 };
            utf8proc_uint8_t *want = utf8proc_NFKC_Casefold((const utf8proc_uint8_t *)w);
            if (strcmp(norm(w, CR_NORM_CASEFOLD), (const char *)want)) { good_cf = 0; printf("# casefold U+%04X\n", cp); }
            free(want);
            utf8proc_map((const utf8proc_uint8_t *)w, 0, &want, key_opts | UTF8PROC_NULLTERM);
            if (strcmp(norm(w, CR_NORM_KEY), (const char *)want)) { good_key = 0; printf("# key U+%04X\n", cp); }
            free(want);
            if (strcmp(norm(w, CR_NORM_NFC), w)) good_nfc = 0;
        }
        ok(good_cf, "Latin-1 letters: casefold = utf8proc NFKC_Casefold");
        ok(good_key, "Latin-1 letters: key = utf8proc casefold + strip marks");
        ok(good_nfc, "Latin-1 letters: nfc unchanged");
        is_str(norm("Stra\xc3\x9f" "e \xc3\x89t\xc3\xa9's", CR_NORM_KEY), "strasse ete", "key: ß and a possessive");
        is_str(norm("\xc3\x89" "e\xcc\x81", CR_NORM_CASEFOLD), "\xc3\xa9\xc3\xa9", "a combining mark takes the general path");
    }

    /* The buffer is reused: a long result, then a short one. */
    {
        size_t n = 100000;
        char *s = malloc(n * 2);
        ok(s != NULL, "long input");
        if (s) {
            for (size_t i = 0; i < n; i++) memcpy(s + 2 * i, "\xc3\x89", 2);
            ok(cr_normalize(&buf, s, n * 2, CR_NORM_KEY) == 0 && buf.len == n, "100000 É keyed");
            size_t cap = buf.cap;
            is_str(norm("\xc3\x89t\xc3\xa9", CR_NORM_KEY), "ete", "then a short one");
            ok(buf.cap == cap, "without reallocating");
            free(s);
        }
    }

    /* The general path decomposes into the buffer's own memory and encodes
     * back in place: inputs whose decomposition is many times longer make
     * it grow while decomposing; every level agrees with the result of one
     * character repeated. */
    {
        static const char *const expand[] = { "\xef\xb7\xba",          /* U+FDFA: 18 code points */
                                              "\xe3\x8c\x80" "e\xcc\x81", /* U+3300 (5) and e + acute */
                                              "\xc7\x84\xe1\xba\x9e" };    /* U+01C4, U+1E9E: case folded */
        for (size_t k = 0; k < sizeof expand / sizeof expand[0]; k++) {
            for (int level = CR_NORM_NFC; level <= CR_NORM_KEY; level++) {
                size_t unit = strlen(expand[k]), reps = 2000;
                char *one = strdup(norm(expand[k], (cr_norm_level)level));
                char *s = malloc(unit * reps + 1);
                for (size_t i = 0; i < reps; i++) memcpy(s + unit * i, expand[k], unit);
                cr_buf_free(&buf);
                int good = one && cr_normalize(&buf, s, unit * reps, (cr_norm_level)level) == 0 &&
                           buf.len == strlen(one) * reps && buf.data[buf.len] == 0;
                for (size_t i = 0; good && i < reps; i++)
                    good = !memcmp(buf.data + i * strlen(one), one, strlen(one));
                ok(good, "%zu x %s at level %s: the single result repeated", reps, expand[k],
                   cr_norm_level_name((cr_norm_level)level));
                free(one);
                free(s);
            }
        }
    }

    /* Display width. */
    is_int(cr_display_width("abc", 3), 3, "width ASCII");
    is_int(cr_display_width("\xe6\x97\xa5\xe6\x9c\xac", 6), 4, "width CJK");
    is_int(cr_display_width("e\xcc\x81", 3), 1, "width NFD é");
    is_int(cr_display_width("\xf0\x9f\x91\x8d\xf0\x9f\x8f\xbd", 8), 2, "width emoji with modifier");
    is_int(cr_display_width("\xe2\x9d\xa4\xef\xb8\x8f", 6), 2, "width emoji presentation selector");
    is_int(cr_display_width("", 0), 0, "width empty");
    is_int(cr_display_width("a\xff", 2), 2, "width of a bad byte (U+FFFD)");

    cr_buf_free(&buf);
    cr_buf_free(&buf);
    ok(buf.data == NULL && buf.cap == 0, "cr_buf_free is idempotent");
    return tap_done();
}
