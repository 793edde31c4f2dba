/* The tokeniser options by name (textopts.h): every option's values, the
 * messages for an unknown option and a bad value, and that a refused value
 * leaves the options as they were. */
#include <string.h>

#include "tap.h"
#include "textopts.h"

static int same(const cr_textopts *a, const cr_textopts *b) {
    return a->level == b->level && a->kinds == b->kinds && a->sentences == b->sentences
           && a->tok.tailor == b->tok.tailor && a->tok.hyphens == b->tok.hyphens
           && a->tok.possessive == b->tok.possessive && a->tok.elisions == b->tok.elisions
           && a->tok.spaces == b->tok.spaces && a->tok.lang == b->tok.lang && a->tok.urls == b->tok.urls
           && a->tok.emails == b->tok.emails && a->tok.mentions == b->tok.mentions
           && a->tok.hashtags == b->tok.hashtags && a->tok.acronyms == b->tok.acronyms;
}

int main(void) {
    cr_textopts o, before;
    char err[256];
    cr_textopts_default(&o);
    ok(o.level == CR_NORM_CASEFOLD && o.kinds == CR_KINDS_WORDS && !o.sentences && o.tok.tailor && o.tok.urls,
       "defaults: casefold, words and numbers, tailored");

    is_int(cr_textopts_set(&o, "level", "key", err, sizeof err), 0, "level key");
    ok(o.level == CR_NORM_KEY, "level is key");
    is_int(cr_textopts_set(&o, "kinds", "word,url", err, sizeof err), 0, "kinds word,url");
    ok(o.kinds == (CR_KIND_BIT(CR_TOK_WORD) | CR_KIND_BIT(CR_TOK_URL)) && !o.tok.spaces, "two kinds, no spaces");
    is_int(cr_textopts_set(&o, "kinds", "all", err, sizeof err), 0, "kinds all");
    ok(o.kinds == (((1u << CR_TOK__COUNT) - 1u) & ~CR_KIND_BIT(CR_TOK_SPACE)), "all: every kind but space");
    is_int(cr_textopts_set(&o, "spaces", "true", err, sizeof err), 0, "spaces true");
    ok((o.kinds & CR_KIND_BIT(CR_TOK_SPACE)) && o.tok.spaces, "spaces adds space to kinds");
    is_int(cr_textopts_set(&o, "spaces", "false", err, sizeof err), 0, "spaces false");
    ok(!(o.kinds & CR_KIND_BIT(CR_TOK_SPACE)) && !o.tok.spaces, "and takes it out");
    is_int(cr_textopts_set(&o, "kinds", "word,space", err, sizeof err), 0, "space in kinds");
    ok(o.tok.spaces, "space in kinds makes the tokenizer return spaces");
    is_int(cr_textopts_set(&o, "sentences", "true", err, sizeof err), 0, "sentences");
    ok(o.sentences, "sentences is on");
    static const char *const bools[] = { "tailor", "elisions", "urls", "emails", "mentions", "hashtags", "acronyms" };
    for (size_t i = 0; i < sizeof bools / sizeof *bools; i++) {
        ok(cr_textopts_is_bool(bools[i]), "%s is a boolean option", bools[i]);
        is_int(cr_textopts_set(&o, bools[i], "false", err, sizeof err), 0, "%s false", bools[i]);
    }
    ok(!o.tok.tailor && !o.tok.elisions && !o.tok.urls && !o.tok.emails && !o.tok.mentions && !o.tok.hashtags
       && !o.tok.acronyms, "every boolean off");
    is_int(cr_textopts_set(&o, "hyphens", "split", err, sizeof err), 0, "hyphens split");
    is_int(cr_textopts_set(&o, "possessive", "strip", err, sizeof err), 0, "possessive strip");
    is_int(cr_textopts_set(&o, "lang", "fr", err, sizeof err), 0, "lang fr");
    ok(o.tok.hyphens == CR_HYPHENS_SPLIT && o.tok.possessive == CR_POSSESSIVE_STRIP && !strcmp(o.tok.lang, "fr"),
       "hyphens, possessive, lang set");

    /* the names, in the order a table is applied */
    int n = 0, kinds_at = -1, spaces_at = -1;
    for (const char *const *k = cr_textopts_keys; *k; k++, n++) {
        ok(cr_textopts_is_key(*k) && cr_textopts_allowed(*k) != NULL, "%s is an option with allowed values", *k);
        if (!strcmp(*k, "kinds")) kinds_at = n;
        if (!strcmp(*k, "spaces")) spaces_at = n;
    }
    is_int(n, 14, "fourteen options");
    ok(kinds_at >= 0 && kinds_at < spaces_at, "kinds comes before spaces");

    /* errors: the message, and nothing changed */
    before = o;
    is_int(cr_textopts_set(&o, "urlz", "true", err, sizeof err), CR_TEXTOPT_UNKNOWN, "an unknown option");
    is_str(err, "unknown option 'urlz'", "its message");
    is_int(cr_textopts_set(&o, "urls", "maybe", err, sizeof err), CR_TEXTOPT_BADVALUE, "a bad boolean");
    is_str(err, "option 'urls' must be true or false, not 'maybe'", "its message");
    is_int(cr_textopts_set(&o, "level", "loud", err, sizeof err), CR_TEXTOPT_BADVALUE, "a bad level");
    is_str(err, "option 'level' must be \"raw\", \"nfc\", \"casefold\" or \"key\", not 'loud'", "its message");
    is_int(cr_textopts_set(&o, "lang", "de", err, sizeof err), CR_TEXTOPT_BADVALUE, "a language without lists");
    is_str(err, "option 'lang' must be \"en\", \"fr\" or \"nl\", not 'de'", "its message");
    is_int(cr_textopts_set(&o, "kinds", "word,verb", err, sizeof err), CR_TEXTOPT_BADVALUE, "an unknown kind");
    is_int(cr_textopts_set(&o, "kinds", "", err, sizeof err), CR_TEXTOPT_BADVALUE, "no kinds");
    is_int(cr_textopts_set(&o, "kinds", "word,", err, sizeof err), CR_TEXTOPT_BADVALUE, "an empty kind name");
    is_int(cr_textopts_set(&o, "hyphens", "Join", err, sizeof err), CR_TEXTOPT_BADVALUE, "values are case-sensitive");
    is_int(cr_textopts_set(&o, "possessive", NULL, err, sizeof err), CR_TEXTOPT_BADVALUE, "a value of the wrong type");
    is_str(err, "option 'possessive' must be \"keep\", \"strip\" or \"split\"", "its message, for the caller to end");
    ok(same(&o, &before), "refused values change nothing");
    char tiny[8];
    is_int(cr_textopts_set(&o, "urls", "maybe", tiny, sizeof tiny), CR_TEXTOPT_BADVALUE, "a short message buffer");
    is_str(tiny, "option ", "the message is cut, NUL-terminated");
    is_int(cr_textopts_set(&o, "urls", "maybe", NULL, 0), CR_TEXTOPT_BADVALUE, "no message buffer");
    is_int(cr_textopts_set(&o, NULL, "x", err, sizeof err), CR_TEXTOPT_UNKNOWN, "no key");
    return tap_done();
}
