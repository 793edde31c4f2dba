/* engine_gazetteer.c — unit tests of the token-trie gazetteer from
 * hand-made token arrays (keys lower-cased, exact forms as written). */
#include "tap.h"
#include "gazetteer.h"

#include <ctype.h>
#include <stdlib.h>
#include <string.h>

/* Adds an alias written as space-separated tokens; a trailing '*' on a token
 * makes it a prefix.  Keys are lower-cased unless sensitive. */
static int add(cr_gazetteer *g, const char *entity, const char *type, const char *alias, int sensitive) {
    cr_gaz_token toks[CR_GAZ_MAX_TOKENS];
    static char buf[64][64];
    size_t n = 0;
    const char *p = alias;
    while (*p) {
        while (*p == ' ') p++;
        if (!*p) break;
        size_t len = 0;
        while (p[len] && p[len] != ' ') len++;
        int prefix = p[len - 1] == '*';
        size_t kl = len - (size_t)prefix;
        for (size_t i = 0; i < kl; i++) buf[n][i] = sensitive ? p[i] : (char)tolower((unsigned char)p[i]);
        toks[n] = (cr_gaz_token){ buf[n], kl, prefix };
        n++;
        p += len;
    }
    return cr_gaz_add(g, toks, n, sensitive, entity, strlen(entity), type, strlen(type), alias, strlen(alias));
}

/* Text: tokens separated by spaces; a token "|" starts a new sentence. */
typedef struct text {
    cr_gaz_text toks[256];
    char keys[256][64];
    size_t n;
} text;

static void make_text(text *t, const char *s) {
    size_t sentence = 0, pos = 0;
    t->n = 0;
    while (s[pos]) {
        while (s[pos] == ' ') pos++;
        if (!s[pos]) break;
        size_t len = 0;
        while (s[pos + len] && s[pos + len] != ' ') len++;
        if (len == 1 && s[pos] == '|') { sentence++; pos++; continue; }
        for (size_t i = 0; i < len; i++) t->keys[t->n][i] = (char)tolower((unsigned char)s[pos + i]);
        t->toks[t->n] = (cr_gaz_text){ pos, pos + len, sentence, t->keys[t->n], len, s + pos, len };
        t->n++;
        pos += len;
    }
}

typedef struct result { char buf[2048]; size_t len; int stop_after; int seen; } result;

static int collect(void *ud, const cr_gaz_hit *m) {
    result *r = ud;
    r->len += (size_t)snprintf(r->buf + r->len, sizeof r->buf - r->len, "%.*s/%.*s[%zu,%zu)s%zu;",
                               (int)m->elen, m->entity, (int)m->alen, m->alias, m->start, m->stop, m->sentence);
    r->seen++;
    return r->stop_after && r->seen >= r->stop_after ? 7 : 0;
}

static const char *run(const cr_gazetteer *g, const char *s, cr_gaz_policy policy) {
    static text t;
    static result r;
    memset(&r, 0, sizeof r);
    make_text(&t, s);
    int e = cr_gaz_match(g, t.toks, t.n, policy, collect, &r);
    if (e) snprintf(r.buf, sizeof r.buf, "error %d", e);
    return r.buf;
}

static void test_cases(void) {
    cr_gazetteer g;
    ok(cr_gaz_init(&g) == 0, "init");
    is_str(run(&g, "nothing to see", CR_GAZ_LONGEST), "", "an empty gazetteer matches nothing");
    ok(add(&g, "Human Rights Council", "ORG", "Human Rights Council", 0) == 0, "add HRC");
    ok(add(&g, "United Nations Human Rights Council", "ORG", "United Nations Human Rights Council", 0) == 0, "add UNHRC");
    ok(add(&g, "European Union", "ORG", "European Union", 0) == 0, "add EU long");
    ok(add(&g, "European Union", "ORG", "EU", 0) == 0, "add EU short");
    ok(add(&g, "European Union", "ORG", "EU", 0) == 0, "add EU short again");
    ok(add(&g, "United States", "GPE", "US", 1) == 0, "add US, case-sensitive");
    ok(add(&g, "Iran", "GPE", "Iran*", 0) == 0, "add Iran* prefix");
    ok(add(&g, "Zakani", "PERSON", "Zakani", 0) == 0, "add Zakani");
    ok(add(&g, "Zakani", "PERSON", "Alireza Zakani", 0) == 0, "add Alireza Zakani");
    ok(add(&g, "Tehran", "GPE", "Tehran", 0) == 0, "add Tehran");
    ok(add(&g, "Tehran municipality", "ORG", "Tehran", 0) == 0, "add an ambiguous alias");
    is_int(g.nentries, 10, "ten distinct entries");

    is_str(run(&g, "the United Nations Human Rights Council said", CR_GAZ_LONGEST),
           "United Nations Human Rights Council/United Nations Human Rights Council[4,39)s0;",
           "the longer alias wins and is counted once");
    is_str(run(&g, "the Human Rights Council said", CR_GAZ_LONGEST),
           "Human Rights Council/Human Rights Council[4,24)s0;", "the shorter alias alone");
    is_str(run(&g, "United Nations Human Rights Council", CR_GAZ_ALL),
           "United Nations Human Rights Council/United Nations Human Rights Council[0,35)s0;"
           "Human Rights Council/Human Rights Council[15,35)s0;",
           "all matches reports the overlap too");
    is_str(run(&g, "the EU and the european union", CR_GAZ_LONGEST),
           "European Union/EU[4,6)s0;European Union/European Union[15,29)s0;",
           "EU and European Union are one entity, case-insensitive");
    is_str(run(&g, "the US and us", CR_GAZ_LONGEST), "United States/US[4,6)s0;",
           "case-sensitive US does not match us");
    is_str(run(&g, "Iranian and Iran and Ira", CR_GAZ_LONGEST),
           "Iran/Iran*[0,7)s0;Iran/Iran*[12,16)s0;", "prefix matches Iranian and Iran, not Ira");
    is_str(run(&g, "Alireza Zakani met Zakani", CR_GAZ_LONGEST),
           "Zakani/Alireza Zakani[0,14)s0;Zakani/Zakani[19,25)s0;", "full name then surname");
    is_str(run(&g, "Alireza | Zakani", CR_GAZ_LONGEST), "Zakani/Zakani[10,16)s1;",
           "no match across a sentence boundary; sentence index reported");
    is_str(run(&g, "in Tehran", CR_GAZ_LONGEST),
           "Tehran/Tehran[3,9)s0;Tehran municipality/Tehran[3,9)s0;",
           "an ambiguous alias reports every entity, in the order added");
    is_str(run(&g, "United Nations Human", CR_GAZ_LONGEST), "", "an unfinished alias does not match");
    is_str(run(&g, "European European Union", CR_GAZ_LONGEST),
           "European Union/European Union[9,23)s0;", "restart after a failed partial match");

    text t;
    result r;
    memset(&r, 0, sizeof r);
    r.stop_after = 1;
    make_text(&t, "EU EU EU");
    is_int(cr_gaz_match(&g, t.toks, t.n, CR_GAZ_LONGEST, collect, &r), 7, "emit can stop the match");
    is_int(r.seen, 1, "after one match");

    cr_gaz_token none[1];
    is_int(cr_gaz_add(&g, none, 0, 0, "x", 1, "", 0, "", 0), CR_EINVAL, "an alias of no tokens is refused");
    cr_gaz_free(&g);
    cr_gaz_free(&g);
    ok(1, "free twice is harmless");
}

static void test_million(void) {
    cr_gazetteer g;
    cr_gaz_init(&g);
    char a[32], b[32], name[48];
    int bad = 0;
    for (unsigned i = 0; i < 1000000; i++) {
        int la = snprintf(a, sizeof a, "w%u", i % 5003);
        int lb = snprintf(b, sizeof b, "x%u", i);
        int ln = snprintf(name, sizeof name, "E%u", i);
        cr_gaz_token toks[2] = { { a, (size_t)la, 0 }, { b, (size_t)lb, 0 } };
        if (cr_gaz_add(&g, toks, 2, 0, name, (size_t)ln, "T", 1, name, (size_t)ln)) bad++;
    }
    is_int(bad, 0, "1 000 000 two-token aliases added");
    is_int(g.nentries, 1000000, "1 000 000 entries");
    is_str(run(&g, "w4 x5 w999 x999 w999 x1000", CR_GAZ_LONGEST), "E999/E999[6,15)s0;",
           "one document matched against the million aliases");
    cr_gaz_free(&g);
}

int main(void) {
    diag("engine: gazetteer core");
    test_cases();
    test_million();
    return tap_done();
}
