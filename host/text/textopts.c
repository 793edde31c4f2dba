/* textopts.c — the tokeniser options by name (textopts.h). */
#include "textopts.h"

#include <stdio.h>
#include <string.h>

void cr_textopts_default(cr_textopts *o) {
    memset(o, 0, sizeof *o);
    cr_tokenizer_opts_default(&o->tok);
    o->level = CR_NORM_CASEFOLD;
    o->kinds = CR_KINDS_WORDS;
    o->sentences = 0;
}

const char *const cr_textopts_keys[] = {
    "level", "kinds", "spaces", "sentences", "tailor", "hyphens", "possessive", "elisions", "lang",
    "urls", "emails", "mentions", "hashtags", "acronyms", NULL
};

int cr_textopts_is_key(const char *key) {
    for (const char *const *k = cr_textopts_keys; *k; k++)
        if (!strcmp(*k, key)) return 1;
    return 0;
}

int cr_textopts_is_bool(const char *key) {
    return !strcmp(key, "spaces") || !strcmp(key, "sentences") || cr_tokenizer_opt_is_bool(key);
}

const char *cr_textopts_allowed(const char *key) {
    if (!cr_textopts_is_key(key)) return NULL;
    if (cr_textopts_is_bool(key)) return "true or false";
    if (!strcmp(key, "level")) return "\"raw\", \"nfc\", \"casefold\" or \"key\"";
    if (!strcmp(key, "kinds"))
        return "\"all\" or kind names (word, number, url, email, mention, hashtag, emoji, id, punct, "
               "symbol, space)";
    if (!strcmp(key, "hyphens")) return "\"join\" or \"split\"";
    if (!strcmp(key, "possessive")) return "\"keep\", \"strip\" or \"split\"";
    return "\"en\", \"fr\" or \"nl\"";   /* lang */
}

static int parse_bool(const char *v, int *out) {
    if (!strcmp(v, "true")) *out = 1;
    else if (!strcmp(v, "false")) *out = 0;
    else return -1;
    return 0;
}

/* "all" or "word,number": a nonempty set of kinds. */
static int parse_kinds(const char *v, unsigned *out) {
    if (!strcmp(v, "all")) {
        *out = ((1u << CR_TOK__COUNT) - 1u) & ~CR_KIND_BIT(CR_TOK_SPACE);
        return 0;
    }
    size_t n = strlen(v);
    if (n == 0 || v[n - 1] == ',') return -1;   /* "word," names an empty kind */
    cr_tokenizer_opts t;
    cr_tokenizer_opts_default(&t);
    if (cr_tokenizer_opt_set(&t, "kinds", v) != 0) return -1;
    *out = t.kinds;
    return 0;
}

static int set_value(cr_textopts *o, const char *key, const char *v) {
    int b;
    if (!strcmp(key, "level")) {
        int level = cr_norm_level_from_name(v);
        if (level < 0) return -1;
        o->level = (cr_norm_level)level;
    } else if (!strcmp(key, "kinds")) {
        unsigned k;
        if (parse_kinds(v, &k)) return -1;
        o->kinds = k;
        o->tok.spaces = (k & CR_KIND_BIT(CR_TOK_SPACE)) != 0;
    } else if (!strcmp(key, "spaces")) {
        if (parse_bool(v, &b)) return -1;
        o->tok.spaces = b;
        if (b) o->kinds |= CR_KIND_BIT(CR_TOK_SPACE);
        else o->kinds &= ~CR_KIND_BIT(CR_TOK_SPACE);
    } else if (!strcmp(key, "sentences")) {
        if (parse_bool(v, &b)) return -1;
        o->sentences = b;
    } else if (cr_tokenizer_opt_set(&o->tok, key, v) != 0) {
        return -1;
    }
    return 0;
}

int cr_textopts_set(cr_textopts *o, const char *key, const char *value, char *err, size_t errsize) {
    if (!key || !cr_textopts_is_key(key)) {
        if (err && errsize) snprintf(err, errsize, "unknown option '%s'", key ? key : "?");
        return CR_TEXTOPT_UNKNOWN;
    }
    if (value && set_value(o, key, value) == 0) return 0;
    if (err && errsize) {
        if (value) snprintf(err, errsize, "option '%s' must be %s, not '%s'", key, cr_textopts_allowed(key), value);
        else snprintf(err, errsize, "option '%s' must be %s", key, cr_textopts_allowed(key));
    }
    return CR_TEXTOPT_BADVALUE;
}
