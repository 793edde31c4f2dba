/* engine_discover.c — the discovery scan (discover.c) on its own: runs,
 * particles, possessives, function words, acronyms, covered spans, title-case
 * sentences, invalid UTF-8, and the scratch reused across texts.  The
 * differential test against the Lua reference is tests/engine_discover.lua. */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "discover.h"
#include "tap.h"

/* The candidates of text as "form@start-stop[i]" joined by "|". */
static const char *scan(cr_discover *d, const char *text, const cr_span *cov, size_t ncov) {
    static char out[4096];
    size_t n = 0;
    out[0] = '\0';
    if (cr_discover_scan(d, text, strlen(text), cov, ncov) < 0) return "(out of memory)";
    for (size_t i = 0; i < d->ncands; i++) {
        const cr_candidate *c = &d->cands[i];
        int k = snprintf(out + n, sizeof out - n, "%s%.*s@%zu-%zu%s", i ? "|" : "", (int)c->form_len,
                         d->forms + c->form_off, c->start, c->stop, c->initial ? "i" : "");
        if (k < 0 || (size_t)k >= sizeof out - n) return "(too long)";
        n += (size_t)k;
    }
    return out;
}

int main(void) {
    cr_discover *d = cr_discover_new();
    ok(d != NULL, "new");

    is_str(scan(d, "", NULL, 0), "", "empty text");
    is_str(scan(d, "nothing to see here.", NULL, 0), "", "no capitals");
    is_str(scan(d, "He met Mayor Bonte.", NULL, 0), "Mayor Bonte@7-18", "a run");
    is_str(scan(d, "Mayor Bonte spoke.", NULL, 0), "Mayor Bonte@0-11i", "a run that starts its sentence");
    is_str(scan(d, "The Society of Iranian Experts met.", NULL, 0), "Society of Iranian Experts@4-30",
           "a function word dropped from the front, a particle inside");
    is_str(scan(d, "We met Foo of the de Bar.", NULL, 0), "", "at most two particles join (one word alone is nothing)");
    is_str(scan(d, "We met Foo of the Bar.", NULL, 0), "Foo of the Bar@7-21", "two particles join");
    is_str(scan(d, "We saw Iran’s Foreign Office.", NULL, 0), "Foreign Office@16-30", "a possessive ends a run");
    is_str(scan(d, "We saw Brussels Signal’s story.", NULL, 0), "Brussels Signal@7-26",
           "the possessive out of the form, in the span");
    is_str(scan(d, "We saw Foo, Bar.", NULL, 0), "", "punctuation breaks a run");
    is_str(scan(d, "We saw Foo\nBar today.", NULL, 0), "", "a line break breaks a run");
    is_str(scan(d, "We saw Foo\xC2\xA0" "Bar today.", NULL, 0), "Foo Bar@7-15", "a no-break space joins");
    is_str(scan(d, "the JCPOA Violations report", NULL, 0), "JCPOA@4-9|JCPOA Violations@4-20",
           "an acronym inside a run is a candidate of its own");
    is_str(scan(d, "the U.N. said", NULL, 0), "U.N.@4-8", "a dotted acronym");
    is_str(scan(d, "Chapter XII began", NULL, 0), "Chapter XII@0-11i", "a Roman numeral is no acronym");
    is_str(scan(d, "it was XII.", NULL, 0), "", "a lone Roman numeral is nothing");
    is_str(scan(d, "Prime Minister Visits Belgian Capital Today", NULL, 0),
           "Prime Minister Visits Belgian Capital Today@0-43i", "a title-case sentence is initial");
    is_str(scan(d, "Who is Élysée Palace?", NULL, 0), "Élysée Palace@7-22", "capitals beyond ASCII");
    is_str(scan(d, "with ßtraße Nord", NULL, 0), "", "ß is no capital");
    is_str(scan(d, "\xFF Foo \xC3 Bar Baz \xC2", NULL, 0), "Bar Baz@8-15i", "invalid UTF-8 passed over (three capitalised words: title case)");

    /* covered spans (a gazetteer's matches): the run's last word decides */
    const char *text = "He met Mayor Bonte in Vilvoorde with NATO.";
    cr_span c1[] = { { 13, 18 } };
    is_str(scan(d, text, c1, 1), "NATO@37-41", "a run ending in a covered span is explained");
    cr_span c2[] = { { 7, 12 } };
    is_str(scan(d, text, c2, 1), "Mayor Bonte@7-18|NATO@37-41", "a covered first word is not enough");
    cr_span c3[] = { { 0, 2 }, { 13, 18 }, { 37, 41 } };
    is_str(scan(d, text, c3, 3), "", "several spans, by binary search");

    /* the scratch is reused: results of one text do not leak into the next */
    is_str(scan(d, "the NATO and EU summit", NULL, 0), "NATO@4-8|EU@13-15", "two acronyms");
    is_str(scan(d, "nothing", NULL, 0), "", "then nothing");

    /* the word tests */
    cr_buf b = { 0 };
    ok(cr_discover_is_capitalised("Iran", 4, &b), "is_capitalised: ASCII");
    ok(!cr_discover_is_capitalised("iran", 4, &b), "is_capitalised: lower case");
    ok(cr_discover_is_capitalised("\xC3\x89lys\xC3\xA9" "e", 7, &b), "is_capitalised: É");
    ok(!cr_discover_is_capitalised("", 0, &b), "is_capitalised: empty");
    ok(cr_discover_is_acronym("AT&T", 4) && cr_discover_is_acronym("U.S.-E.U.", 9), "is_acronym: & . -");
    ok(!cr_discover_is_acronym("Iran", 4) && !cr_discover_is_acronym("IV", 2), "is_acronym: no");
    cr_buf_free(&b);

    /* a long text: the scratch grows */
    const char *unit = "and Foo Bar met NATO ";
    size_t ulen = strlen(unit), n = ulen * 10000;
    char *big = malloc(n + 1);
    if (!big) return 1;
    for (size_t i = 0; i < n; i += ulen) memcpy(big + i, unit, ulen);
    big[n] = '\0';
    ok(cr_discover_scan(d, big, n, NULL, 0) == 0, "a 210 kB text");
    is_int(d->ncands, 2 * 10000, "two candidates a repeat");
    free(big);

    /* A word's classes are worked out once per word of the scanner's
     * vocabulary: a scanner that has seen other texts (the same words
     * written otherwise, invalid bytes that all become U+FFFD in a key)
     * finds what a new one finds. */
    static const char *const texts[] = {
        "Foo \xC0 Bar met \xC3 Baz in Oslo. \xC0Zed and \xC3Zed went to The Hague.",
        "\xC9" "cole Normale and \xC3\x89" "cole Normale, \xFF\xFE Bar Foo.",
        "the Bank of England. The Bank Of England. THE BANK. Of The Bank.",
        "\xE2\x80 Alpha Beta \xF0\x9F Gamma Delta's NATO. U.S. and E.U. met.",
        "\xC0\xC0 \xC1\xC1 \xC0\xC0 A.B.C. \xC1Q \xC0Q Van der Berg van der Berg.",
    };
    size_t nt = sizeof texts / sizeof texts[0];
    for (size_t i = nt; i-- > 0;) scan(d, texts[i], NULL, 0);
    int same = 1;
    for (size_t i = 0; i < nt; i++) {
        cr_discover *fresh = cr_discover_new();
        if (!fresh) return 1;
        char want[4096];
        snprintf(want, sizeof want, "%s", scan(fresh, texts[i], NULL, 0));
        const char *got = scan(d, texts[i], NULL, 0);
        if (strcmp(want, got) != 0) {
            printf("# text %zu: new scanner %s, used one %s\n", i, want, got);
            same = 0;
        }
        cr_discover_free(fresh);
    }
    ok(same, "a used scanner finds what a new one finds (invalid bytes, the same words written otherwise)");

    cr_discover_free(d);
    cr_discover_free(NULL);
    return tap_done();
}
