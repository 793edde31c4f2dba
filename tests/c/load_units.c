/* Unit tests of the pure C loaders: JSON records, CSV records and lines
 * (also read one byte at a time), globs, UTF-8 checks, decoding, cleaning. */
#include <stdlib.h>
#include <string.h>

#include "load.h"
#include "tap.h"

/* A source that hands out at most `step` bytes per read. */
typedef struct slow { const char *p; size_t n, pos, step; } slow;
static ssize_t slow_read(void *ud, char *buf, size_t n) {
    slow *s = ud;
    size_t k = s->n - s->pos;
    if (k > s->step) k = s->step;
    if (k > n) k = n;
    memcpy(buf, s->p + s->pos, k);
    s->pos += k;
    return (ssize_t)k;
}

static void test_json(void) {
    ld_json j = {0};
    const char *s = "{\"id\": \"a\\n\\u00e9\\ud83d\\ude00\", \"n\": -1.5e3, \"ok\": false, \"x\": null, "
                    "\"deep\": {\"a\": [1, {\"b\": []}]}, \"e\": \"\"}";
    is_int(ld_json_parse(&j, s, strlen(s)), 0, "json: a full object parses");
    is_int(j.n, 6, "json: six fields");
    is_str(ld_json_key(&j, 0), "id", "json: key");
    is_str(ld_json_val(&j, 0), "a\n\xc3\xa9\xf0\x9f\x98\x80", "json: escapes and a surrogate pair");
    is_int(j.fields[1].type, LD_NUM, "json: number type");
    is_str(ld_json_val(&j, 1), "-1.5e3", "json: number text");
    is_int(j.fields[2].type, LD_BOOL, "json: boolean");
    is_int(j.fields[3].type, LD_NULL, "json: null");
    is_str(ld_json_val(&j, 4), "{\"a\": [1, {\"b\": []}]}", "json: nested value as its text");
    is_int(j.fields[5].vlen, 0, "json: empty string");
    const char *lone = "{\"t\": \"x\\udc00y\"}";
    is_int(ld_json_parse(&j, lone, strlen(lone)), 0, "json: lone surrogate accepted");
    is_str(ld_json_val(&j, 0), "x\xef\xbf\xbdy", "json: lone surrogate becomes U+FFFD");
    const char *nul = "{\"t\": \"a\\u0000b\"}";
    ld_json_parse(&j, nul, strlen(nul));
    is_int(j.fields[0].vlen, 3, "json: \\u0000 kept inside the value");
    static const struct { const char *in; const char *err; size_t at; } bad[] = {
        {"", "not a JSON object", 0},
        {"[1]", "not a JSON object", 0},
        {"{\"a\": 1", "expected ',' or '}'", 7},
        {"{\"a\": 01}", "expected ',' or '}'", 7},
        {"{\"a\": tru}", "unexpected character", 6},
        {"{\"a\": \"x\ty\"}", "control character in string", 8},
        {"{\"a\": \"\\q\"}", "bad escape in string", 8},
        {"{\"a\": [1,]}", "unexpected character", 9},
        {"{\"a\": 1} x", "text after the object", 9},
        {"{a: 1}", "expected a member name", 1},
        {"{\"a\": \"\\u12\"}", "bad \\u escape", 9},
        {"{\"a\": {\"b\" 1}}", "expected ':'", 11},
        {"{\"a\": 1.}", "bad number", 8},
    };
    for (size_t i = 0; i < sizeof bad / sizeof bad[0]; i++) {
        int rc = ld_json_parse(&j, bad[i].in, strlen(bad[i].in));
        ok(rc == -1 && j.err && strcmp(j.err, bad[i].err) == 0 && j.err_at == bad[i].at,
           "json: '%s' fails: %s at %zu (got %s at %zu)", bad[i].in, bad[i].err, bad[i].at,
           j.err ? j.err : "-", j.err_at);
    }
    /* deep nesting: no recursion, bounded */
    size_t depth = 20000;
    char *deep = malloc(depth * 2 + 16);
    size_t k = 0;
    k += (size_t)sprintf(deep, "{\"a\": ");
    for (size_t i = 0; i < depth; i++) deep[k++] = '[';
    for (size_t i = 0; i < depth; i++) deep[k++] = ']';
    deep[k++] = '}';
    is_int(ld_json_parse(&j, deep, k), -1, "json: nesting deeper than the limit fails cleanly");
    is_str(j.err, "nesting too deep", "json: ... with a reason");
    free(deep);
    ld_json_free(&j);
}

static void csv_all(const char *in, size_t step, char delim, char *out, size_t outsz) {
    slow s = {in, strlen(in), 0, step};
    ld_csv c;
    ld_csv_init(&c, (ld_src){slow_read, &s}, delim);
    size_t k = 0;
    out[0] = '\0';
    while (ld_csv_next(&c) == 1) {
        k += (size_t)snprintf(out + k, outsz - k, "L%ld:", c.rec_line);
        for (size_t i = 0; i < c.nf && !c.resume_line; i++) {   /* a cut record's fields are junk */
            size_t len;
            const char *f = ld_csv_field(&c, i, &len);
            k += (size_t)snprintf(out + k, outsz - k, "[%.*s]", (int)len, f);
        }
        if (c.err) k += (size_t)snprintf(out + k, outsz - k, "!%s", c.err);
        if (c.resume_line)
            k += (size_t)snprintf(out + k, outsz - k, "@%llu>%ld", (unsigned long long)c.err_at, c.resume_line);
        k += (size_t)snprintf(out + k, outsz - k, "|");
    }
    ld_csv_free(&c);
}

static void test_csv(void) {
    char out[1024];
    const char *in = "a,b,c\r\n1,\"x\r\ny\",3\n\n\"q\"\"q\",,\n4,5\nlast,\"unterminated";
    const char *want = "L1:[a][b][c]|L2:[1][x\r\ny][3]|L5:[q\"q][][]|L6:[4][5]|L7:[last][unterminated]!unterminated quoted field|";
    for (size_t step = 1; step <= 64; step *= 4) {
        csv_all(in, step, ',', out, sizeof out);
        is_str(out, want, "csv: records, quotes, blank lines, lines (read %zu bytes at a time)", step);
    }
    csv_all("a\t\"b\tc\"\n\"x\"y\tz", 3, '\t', out, sizeof out);
    is_str(out, "L1:[a][b\tc]|L2:[xy][z]!text after a closing quote|", "tsv: quoted tab; text after a quote is an error");
    csv_all("lone\rcr\r", 2, ',', out, sizeof out);
    is_str(out, "L1:[lone]|L2:[cr]|", "csv: CR alone ends a record");
    /* recovery: a malformed record over several lines is cut to its first line */
    static const struct { const char *in, *want, *what; char delim; } cut[] = {
        {"id,text\nr1,\"stray\ng1,a\ng2,b\n",
         "L1:[id][text]|L2:!unterminated quoted field@11>3|L3:[g1][a]|L4:[g2][b]|",
         "an open quote at the end of the input loses only its row", ','},
        {"a\r\n\"x\r\ny\r\n\r\nz", "L1:[a]|L2:!unterminated quoted field@3>3|L3:[y]|L5:[z]|",
         "... with CRLF lines", ','},
        {"id\ttext\nt1\t\"Quoted tweet\nt2\tplain\nt3\t\"Hi\" he said\nt4\tlast\n",
         "L1:[id][text]|L2:!text after a closing quote@11>3|L3:[t2][plain]|L4:[t3][Hi he said]!text after a closing quote|L5:[t4][last]|",
         "tsv: a stray quote closed by a later row's quote loses only its row", '\t'},
        {"\"a\nb\"\n", "L1:[a\nb]|", "a quoted field over lines is still one record", ','},
        {"x,\"open\n", "L1:[x][open\n]!unterminated quoted field|", "an open quote on the last line: nothing to cut", ','},
        {"\"\n\"\"\n\"\n", "L1:[\n\"\n]|", "escaped quotes across lines", ','},
        {"x\n\"a\r", "L1:[x]|L2:[a\r]!unterminated quoted field|", "an open quote ending in CR: the row is not cut back "
         "before its start (found by the fuzzer)", ','},
    };
    for (size_t i = 0; i < sizeof cut / sizeof cut[0]; i++)
        for (size_t step = 1; step <= 64; step *= 4) {
            csv_all(cut[i].in, step, cut[i].delim, out, sizeof out);
            is_str(out, cut[i].want, "csv: %s (read %zu bytes at a time)", cut[i].what, step);
        }
}

static void test_lines(void) {
    const char *in = "one\r\ntwo\n\nthree";
    for (size_t step = 1; step <= 8; step *= 2) {
        slow s = {in, strlen(in), 0, step};
        ld_lines r;
        ld_lines_init(&r, (ld_src){slow_read, &s});
        char out[128];
        size_t k = 0;
        const char *l;
        size_t n;
        while (ld_lines_next(&r, &l, &n) == 1)
            k += (size_t)snprintf(out + k, sizeof out - k, "%ld@%llu[%.*s]", r.line,
                                  (unsigned long long)r.line_offset, (int)n, l);
        ld_lines_free(&r);
        is_str(out, "1@0[one]2@5[two]3@9[]4@10[three]", "lines: CRLF, empty and unterminated lines (step %zu)", step);
    }
}

static void test_glob(void) {
    static const struct { const char *p, *s; int m; } cases[] = {
        {"*.txt", "a.txt", 1}, {"*.txt", "dir/a.txt", 0}, {"**/*.txt", "a.txt", 1},
        {"**/*.txt", "x/y/a.txt", 1}, {"news/2024-*.txt", "news/2024-01.txt", 1},
        {"news/2024-*.txt", "news/2023-01.txt", 0}, {"a?c", "abc", 1}, {"a?c", "a/c", 0},
        {"[ab]x", "bx", 1}, {"[!ab]x", "bx", 0}, {"[a-c]x", "cx", 1}, {"x/**", "x/a/b", 1},
        {"a**b", "axxb", 1}, {"\\*", "*", 1}, {"[", "[", 1}, {"a/**/b", "a/b", 1}, {"a/**/b", "a/x/y/b", 1},
    };
    for (size_t i = 0; i < sizeof cases / sizeof cases[0]; i++)
        is_int(ld_glob_match(cases[i].p, cases[i].s), cases[i].m, "glob '%s' vs '%s'", cases[i].p, cases[i].s);
}

static void test_decode(void) {
    static const struct { const char *s; size_t n, bad; } u[] = {
        {"plain ascii text, long enough for words", 39, 39}, {"caf\xc3\xa9", 5, 5}, {"\xc0\x80", 2, 0},
        {"ab\xed\xa0\x80", 5, 2}, {"\xf4\x90\x80\x80", 4, 0}, {"x\xe2\x82", 3, 1}, {"12345678\x80", 9, 8},
    };
    for (size_t i = 0; i < sizeof u / sizeof u[0]; i++)
        is_int(ld_utf8_check(u[i].s, u[i].n), u[i].bad, "utf8 check %zu", i);
    cr_buf out = {0};
    ld_decoded info;
    is_int(ld_decode("\xef\xbb\xbfok", 5, "auto", NULL, NULL, &out, &info), 0, "decode: UTF-8 BOM");
    ok(out.len == 2 && memcmp(out.data, "ok", 2) == 0 && info.bom, "decode: BOM dropped");
    out.len = 0;
    is_int(ld_decode("\xfe\xff\x00h\x00i", 6, "auto", NULL, NULL, &out, &info), 0, "decode: UTF-16BE BOM");
    ok(out.len == 2 && memcmp(out.data, "hi", 2) == 0, "decode: UTF-16BE text");
    is_str(info.encoding, "utf-16be", "decode: reports utf-16be");
    out.len = 0;
    is_int(ld_decode("a\x81\x93", 3, "auto", NULL, NULL, &out, &info), 0, "decode: fallback");
    ok(out.len == 6 && memcmp(out.data, "a\xc2\x81\xe2\x80\x9c", 6) == 0,
       "decode: windows-1252 with an undefined byte kept as its code point");
    ok(info.fell_back && info.bad_at == 1, "decode: fell back at byte 1");
    out.len = 0;
    is_int(ld_decode("a\x81", 2, "utf-8", NULL, NULL, &out, &info), -1, "decode: strict UTF-8 fails");
    is_str(info.msg, "invalid UTF-8 at byte 1", "decode: strict failure message");
    out.len = 0;
    is_int(ld_decode("\xff\xfe\x41", 3, "auto", NULL, NULL, &out, &info), -1, "decode: truncated UTF-16 fails");
    is_str(info.msg, "truncated character at byte 2 (as UTF-16LE)", "decode: ... with the byte");
    out.len = 0;
    is_int(ld_decode("x", 1, "no-such-encoding", NULL, NULL, &out, &info), -1, "decode: unknown encoding");
    cr_buf_free(&out);
    char s[] = "a\r\nb\rc\x01\x7f\xc2\x85" "d\0e";
    size_t n = ld_clean_text(s, sizeof s - 1, 0);
    ok(n == 12 && memcmp(s, "a\nb\nc\x01\x7f\xc2\x85" "d\0e", 12) == 0, "clean: newlines only");
    char s2[] = "a\r\nb\rc\x01\x7f\xc2\x85" "d\0e\t";
    n = ld_clean_text(s2, sizeof s2 - 1, 1);
    ok(n == 8 && memcmp(s2, "a\nb\ncde\t", 8) == 0, "clean: controls stripped, tab kept");
}

typedef struct guessed {
    size_t n, line[4];
    uint64_t offset[4];
    int mixed[4];
} guessed;

static int note_guess(void *ud, size_t line, uint64_t offset, int mixed, const char *encoding) {
    guessed *g = ud;
    (void)encoding;
    if (g->n < 4) g->line[g->n] = line, g->offset[g->n] = offset, g->mixed[g->n] = mixed;
    g->n++;
    return 0;
}

static int stop_guess(void *ud, size_t line, uint64_t offset, int mixed, const char *encoding) {
    (void)ud, (void)line, (void)offset, (void)mixed, (void)encoding;
    return 7;
}

static void test_decode_lines(void) {
    cr_buf out = {0};
    ld_decoded info;
    guessed g = {0};
    /* UTF-8, Latin-1, both in one line, an undefined windows-1252 byte, no final newline */
    static const char in[] = "Caf\xc3\xa9\nCaf\xe9\r\nM\xc3\xbcnchen M\xfcnchen\nx\x81";
    is_int(ld_decode_lines(in, sizeof in - 1, NULL, &out, &info, note_guess, &g), 0, "lines: decoded");
    static const char want[] = "Caf\xc3\xa9\nCaf\xc3\xa9\r\nM\xc3\xbcnchen M\xc3\xbcnchen\nx\xc2\x81";
    ok(out.len == sizeof want - 1 && memcmp(out.data, want, out.len) == 0,
       "lines: UTF-8 lines kept, Latin-1 lines and runs decoded, newlines kept");
    is_int((long long)g.n, 3, "lines: three lines guessed");
    ok(g.line[0] == 2 && g.offset[0] == 9 && !g.mixed[0], "lines: line 2, byte 9, all of it");
    ok(g.line[1] == 3 && g.offset[1] == 22 && g.mixed[1], "lines: line 3, byte 22, only its invalid run");
    ok(g.line[2] == 4 && g.offset[2] == 30 && !g.mixed[2], "lines: line 4 without a newline");
    ok(info.fell_back && info.bad_at == 9, "lines: the first guess in info");
    out.len = 0;
    memset(&g, 0, sizeof g);
    is_int(ld_decode_lines("\xef\xbb\xbf" "a\nb", 6, NULL, &out, &info, note_guess, &g), 0, "lines: UTF-8 BOM");
    ok(out.len == 3 && memcmp(out.data, "a\nb", 3) == 0 && g.n == 0 && info.bom, "lines: BOM dropped, nothing guessed");
    out.len = 0;
    is_int(ld_decode_lines("\xff\xfe" "a\0\xfc\0", 6, NULL, &out, &info, note_guess, &g), 0, "lines: UTF-16LE BOM");
    ok(out.len == 3 && memcmp(out.data, "a\xc3\xbc", 3) == 0 && g.n == 0, "lines: UTF-16LE decided by its BOM");
    out.len = 0;
    is_int(ld_decode_lines("ok\n\xe9", 4, NULL, &out, &info, stop_guess, NULL), 7, "lines: a guess callback can stop");
    out.len = 0;
    is_int(ld_decode_lines("", 0, NULL, &out, &info, NULL, NULL), 0, "lines: empty input");
    is_int((long long)out.len, 0, "lines: nothing out");
    cr_buf_free(&out);
}

int main(void) {
    diag("loaders: json, csv, lines, glob, decode");
    test_decode_lines();
    test_json();
    test_csv();
    test_lines();
    test_glob();
    test_decode();
    return tap_done();
}
