/* tokenizer.c — tokens from UAX #29 word segments, classified into kinds and
 * tailored for corpus text: URLs, e-mail addresses, @mentions, #hashtags,
 * hyphen compounds, dotted acronyms, possessives and French elisions.
 *
 * Tailoring works on top of exact segmentation: each step starts at a word
 * boundary (or at a point a tailoring rule chose), looks at the segment there
 * and at most a few following ones, and never allocates.
 */
#include "tokenizer.h"

#include <string.h>

#include "sentbreak.h"
#include "tokfast.h"
#include "ucd_tables.h"
#include "utf8.h"
#include "wordbreak.h"

static const char *const kind_names[CR_TOK__COUNT] = {
    "word", "number", "url", "email", "mention", "hashtag", "emoji", "id", "punct", "symbol",
    "space",
};

const char *cr_token_kind_name(cr_token_kind kind) {
    return (unsigned)kind < CR_TOK__COUNT ? kind_names[kind] : NULL;
}

int cr_token_kind_from_name(const char *name) {
    for (int k = 0; k < CR_TOK__COUNT; k++)
        if (!strcmp(kind_names[k], name)) return k;
    return -1;
}

void cr_tokenizer_opts_default(cr_tokenizer_opts *opts) {
    memset(opts, 0, sizeof *opts);
    opts->tailor = 1;
    opts->hyphens = CR_HYPHENS_JOIN;
    opts->possessive = CR_POSSESSIVE_KEEP;
    opts->elisions = -1;
    opts->urls = opts->emails = opts->mentions = opts->hashtags = opts->acronyms = 1;
}

/* ---- options by name ---------------------------------------------------------------- */

static const char *const bool_keys[] = {
    "tailor", "elisions", "spaces", "sentences", "urls", "emails", "mentions", "hashtags",
    "acronyms", NULL
};

static int *bool_field(cr_tokenizer_opts *o, const char *key) {
    if (!strcmp(key, "tailor")) return &o->tailor;
    if (!strcmp(key, "elisions")) return &o->elisions;
    if (!strcmp(key, "spaces")) return &o->spaces;
    if (!strcmp(key, "sentences")) return &o->sentences;
    if (!strcmp(key, "urls")) return &o->urls;
    if (!strcmp(key, "emails")) return &o->emails;
    if (!strcmp(key, "mentions")) return &o->mentions;
    if (!strcmp(key, "hashtags")) return &o->hashtags;
    if (!strcmp(key, "acronyms")) return &o->acronyms;
    return NULL;
}

int cr_tokenizer_opt_is_bool(const char *key) {
    for (const char *const *k = bool_keys; *k; k++)
        if (!strcmp(*k, key)) return 1;
    return 0;
}

int cr_tokenizer_opt_set(cr_tokenizer_opts *o, const char *key, const char *value) {
    int *b = bool_field(o, key);
    if (b) {
        if (!strcmp(value, "true")) *b = 1;
        else if (!strcmp(value, "false")) *b = 0;
        else return -2;
        return 0;
    }
    if (!strcmp(key, "hyphens")) {
        if (!strcmp(value, "join")) o->hyphens = CR_HYPHENS_JOIN;
        else if (!strcmp(value, "split")) o->hyphens = CR_HYPHENS_SPLIT;
        else return -2;
        return 0;
    }
    if (!strcmp(key, "possessive")) {
        if (!strcmp(value, "keep")) o->possessive = CR_POSSESSIVE_KEEP;
        else if (!strcmp(value, "strip")) o->possessive = CR_POSSESSIVE_STRIP;
        else if (!strcmp(value, "split")) o->possessive = CR_POSSESSIVE_SPLIT;
        else return -2;
        return 0;
    }
    if (!strcmp(key, "lang")) {
        static const char *const langs[] = { "en", "fr", "nl", NULL };
        for (const char *const *l = langs; *l; l++)
            if (!strcmp(*l, value)) { o->lang = *l; return 0; }
        return -2;
    }
    if (!strcmp(key, "kinds")) {
        /* A comma-separated list of kind names. */
        unsigned mask = 0;
        const char *p = value;
        while (*p) {
            const char *e = strchr(p, ',');
            size_t n = e ? (size_t)(e - p) : strlen(p);
            char name[16];
            if (n == 0 || n >= sizeof name) return -2;
            memcpy(name, p, n);
            name[n] = 0;
            int k = cr_token_kind_from_name(name);
            if (k < 0) return -2;
            mask |= CR_KIND_BIT(k);
            p += n + (e != NULL);
        }
        if (!mask) return -2;
        o->kinds = mask;
        return 0;
    }
    return -1;
}

/* ---- small byte helpers -------------------------------------------------------- */

static inline int is_alnum(unsigned char c) { return CR_ASCII_ALNUM(c); }
static inline int is_alpha(unsigned char c) { return CR_ASCII_LETTER(c); }
static inline int in_set(unsigned char c, const char *set) { return c && strchr(set, c); }

size_t cr_apostrophe_len(const char *text, size_t len, size_t i) {
    const unsigned char *s = (const unsigned char *)text;
    if (i >= len) return 0;
    if (s[i] == 0x27) return 1;
    if (s[i] == 0xCA && i + 1 < len && s[i + 1] == 0xBC) return 2;                 /* U+02BC */
    if (i + 2 < len && ((s[i] == 0xE2 && s[i + 1] == 0x80 && s[i + 2] == 0x99)     /* U+2019 */
                        || (s[i] == 0xEF && s[i + 1] == 0xBC && s[i + 2] == 0x87))) /* U+FF07 */
        return 3;
    return 0;
}

/* Length of a joining hyphen at s[i] (U+002D, U+2010, U+2011), else 0. */
static size_t hyphen_len(const unsigned char *s, size_t len, size_t i) {
    if (i >= len) return 0;
    if (s[i] == '-') return 1;
    if (i + 2 < len && s[i] == 0xE2 && s[i + 1] == 0x80 && (s[i + 2] == 0x90 || s[i + 2] == 0x91))
        return 3;
    return 0;
}

static int ci_prefix(const unsigned char *s, size_t len, size_t i, const char *p) {
    size_t n = strlen(p);
    if (len - i < n) return 0;
    for (size_t k = 0; k < n; k++) {
        unsigned char c = s[i + k];
        if (c >= 'A' && c <= 'Z') c = (unsigned char)(c + 32);
        if (c != (unsigned char)p[k]) return 0;
    }
    return 1;
}

/* ---- segments and kinds ------------------------------------------------------- */

typedef struct {
    size_t a, b;
    uint32_t seen;
    unsigned props0; /* property word of the first code point */
    cr_token_kind kind;
} seg;

#define WBB(x) CR_WB_BIT(CR_WB_##x)
#define LETTERS (WBB(ALetter) | WBB(Hebrew_Letter) | WBB(Katakana))

static int memfind(const unsigned char *s, size_t n, const char *needle, size_t m) {
    for (size_t i = 0; i + m <= n; i++)
        if (s[i] == (unsigned char)needle[0] && !memcmp(s + i, needle, m)) return 1;
    return 0;
}

static cr_token_kind classify(const unsigned char *s, const seg *g) {
    unsigned p = g->props0;
    unsigned gc = CR_UCD_GC(p);
    if (gc == CR_GC_SPACE) return CR_TOK_SPACE;
    if (p & CR_UCD_EMOJI_PRES) return CR_TOK_EMOJI;
    if (CR_UCD_WB(p) == CR_WB_Regional_Indicator) return CR_TOK_EMOJI;
    if ((p & (CR_UCD_EMOJI | CR_UCD_EXTPICT)) && (g->seen & CR_WB_SEEN_EXTEND)) {
        const unsigned char *t = s + g->a;
        size_t n = g->b - g->a;
        if (memfind(t, n, "\xEF\xB8\x8F", 3) || memfind(t, n, "\xE2\x83\xA3", 3)
            || memfind(t, n, "\xE2\x80\x8D", 3))
            return CR_TOK_EMOJI;
    }
    int letters = (g->seen & LETTERS) || gc == CR_GC_LETTER;
    if ((g->seen & WBB(ExtendNumLet)) && (letters || (g->seen & WBB(Numeric)))
        && memchr(s + g->a, '_', g->b - g->a))
        return CR_TOK_ID;
    if (letters) return CR_TOK_WORD;
    if ((g->seen & WBB(Numeric)) || gc == CR_GC_NUMBER) return CR_TOK_NUMBER;
    if (gc == CR_GC_PUNCT) return CR_TOK_PUNCT;
    return CR_TOK_SYMBOL;
}

static int has_letter(const seg *g) {
    return (g->seen & LETTERS) || CR_UCD_GC(g->props0) == CR_GC_LETTER;
}

static inline int wordish(cr_token_kind k) {
    return k == CR_TOK_WORD || k == CR_TOK_NUMBER || k == CR_TOK_ID;
}

/* The UAX #29 segment starting at a (a < len), classified; a lookahead
 * (store) keeps it for the step that will start there. */
static inline __attribute__((always_inline)) void segment_at(cr_tokenizer *t, size_t a, seg *g, int store) {
    const unsigned char *s = (const unsigned char *)t->text;
    g->a = a;
    if (t->la_start == a && t->la_stop) {
        g->b = t->la_stop;
        g->seen = t->la_seen;
    } else {
        g->b = cr_wb_next(t->text, t->len, a, &g->seen);
        if (store) {
            t->la_start = a;
            t->la_stop = g->b;
            t->la_seen = g->seen;
        }
    }
    if (s[a] < 0x80) {
        g->props0 = cr_ucd_ascii[s[a]];
        /* The common ASCII cases need no general classification. */
        if (g->seen == CR_WB_BIT(CR_WB_ALetter)) { g->kind = CR_TOK_WORD; return; }
        if (g->seen == CR_WB_BIT(CR_WB_Numeric)) { g->kind = CR_TOK_NUMBER; return; }
        if (g->b == a + 1) {
            static const unsigned char gc_kind[8] = {
                [CR_GC_OTHER] = CR_TOK_SYMBOL, [CR_GC_LETTER] = CR_TOK_WORD, [CR_GC_MARK] = CR_TOK_SYMBOL,
                [CR_GC_NUMBER] = CR_TOK_NUMBER, [CR_GC_PUNCT] = CR_TOK_PUNCT, [CR_GC_SYMBOL] = CR_TOK_SYMBOL,
                [CR_GC_SPACE] = CR_TOK_SPACE, [7] = CR_TOK_SYMBOL,
            };
            g->kind = (cr_token_kind)gc_kind[CR_UCD_GC(g->props0)];
            return;
        }
    } else {
        size_t n;
        g->props0 = cr_ucd_props(cr_utf8_decode(s + a, t->len - a, &n));
    }
    g->kind = classify(s, g);
}

/* ---- tailoring rules ---------------------------------------------------------------- */

/* A URL starting at a: "http://", "https://", "ftp://" or "www."; its end, or 0. */
static size_t match_url(const unsigned char *s, size_t len, size_t a) {
    size_t i;
    if (a + 4 >= len || ((s[a + 1] | 32) != 't' && (s[a + 1] | 32) != 'w')) return 0;
    if (ci_prefix(s, len, a, "http://")) i = a + 7;
    else if (ci_prefix(s, len, a, "https://")) i = a + 8;
    else if (ci_prefix(s, len, a, "ftp://")) i = a + 6;
    else if (ci_prefix(s, len, a, "www.")) i = a + 4;
    else return 0;
    size_t body = i;
    if (i >= len || !(is_alnum(s[i]) || s[i] >= 0x80)) return 0;
    while (i < len) {
        unsigned char c = s[i];
        if (c < 0x80) {
            if (c <= 0x20 || c == 0x7F || in_set(c, "<>\"{}|\\^`")) break;
            i++;
        } else {
            size_t n;
            unsigned gc = CR_UCD_GC(cr_ucd_props(cr_utf8_decode(s + i, len - i, &n)));
            if (gc != CR_GC_LETTER && gc != CR_GC_MARK && gc != CR_GC_NUMBER) break;
            i += n;
        }
    }
    /* Trailing punctuation belongs to the sentence, unbalanced brackets too. */
    while (i > body) {
        unsigned char c = s[i - 1];
        if (in_set(c, ".,;:!?'*")) { i--; continue; }
        if (c == ')' || c == ']') {
            unsigned char open = c == ')' ? '(' : '[';
            long depth = 0;
            for (size_t k = a; k < i; k++) depth += (s[k] == open) - (s[k] == c);
            if (depth < 0) { i--; continue; }
        }
        break;
    }
    return i > body ? i : 0;
}

/* An e-mail address starting at a; its end, or 0. */
static size_t match_email(const unsigned char *s, size_t len, size_t a) {
    size_t i = a;
    while (i < len && (is_alnum(s[i]) || in_set(s[i], "._%+-"))) i++;
    if (i == a || i >= len || s[i] != '@' || s[a] == '.' || s[i - 1] == '.') return 0;
    size_t j = i + 1, labels = 0, last = j;
    for (;;) {
        size_t start = j;
        while (j < len && (is_alnum(s[j]) || s[j] == '-')) j++;
        if (j == start || s[start] == '-' || s[j - 1] == '-') return labels >= 2 ? last : 0;
        labels++;
        int alpha_tld = j - start >= 2;
        for (size_t k = start; k < j && alpha_tld; k++) alpha_tld = is_alpha(s[k]);
        if (labels >= 2 && alpha_tld) last = j;
        if (j + 1 < len && s[j] == '.' && is_alnum(s[j + 1])) { j++; continue; }
        return labels >= 2 && last > i + 1 ? last : 0;
    }
}

/* A dotted abbreviation ("U.S", "e.g", "Ph.D"): see cr_dotted_abbrev. */
static int dotted_letters(const unsigned char *s, size_t a, size_t b) {
    return cr_dotted_abbrev((const char *)s + a, b - a);
}

static const char *const elision_prefixes[] = {
    "c", "d", "j", "l", "m", "n", "s", "t", "qu", "jusqu", "lorsqu", "puisqu", "quoiqu",
    "presqu", NULL
};

/* French elision at the start of word [a, b): the length of "l’" etc., or 0. */
static size_t elision_len(const unsigned char *s, size_t len, size_t a, size_t b) {
    size_t i = a;
    while (i < b && i - a < 7 && is_alpha(s[i])) i++;
    if (i == a || i >= b) return 0;
    size_t ap = cr_apostrophe_len((const char *)s, len, i);
    if (!ap || i + ap >= b) return 0;
    char low[8];
    for (size_t k = a; k < i; k++) low[k - a] = (char)(s[k] | 32);
    low[i - a] = 0;
    for (const char *const *p = elision_prefixes; *p; p++)
        if (!strcmp(*p, low)) return i + ap - a;
    return 0;
}

/* Where a possessive "’s" (any apostrophe) ends word [a, b): the apostrophe's
 * offset, or 0. */
static size_t possessive_at(const unsigned char *s, size_t len, size_t a, size_t b) {
    if (b - a < 3 || (s[b - 1] | 32) != 's') return 0;
    for (size_t n = 1; n <= 3; n++) {
        if (b - 1 - a <= n) break;
        size_t ap = b - 1 - n;
        if (cr_apostrophe_len((const char *)s, len, ap) == n) return ap;
    }
    return 0;
}

/* ---- the iterator ------------------------------------------------------------------- */

void cr_tokenizer_init(cr_tokenizer *t, const char *text, size_t len, const cr_tokenizer_opts *opts) {
    memset(t, 0, sizeof *t);
    t->text = text ? text : "";
    t->len = text ? len : 0;
    if (opts) t->opts = *opts;
    else cr_tokenizer_opts_default(&t->opts);
    t->pend_kind = -1;
    t->fast = 1;
    t->elide = t->opts.tailor && (t->opts.elisions > 0
                                  || (t->opts.elisions < 0 && t->opts.lang && !strcmp(t->opts.lang, "fr")));
    t->sb_langs = t->opts.lang ? cr_abbrevs_lang(t->opts.lang) : CR_ABBREVS_ALL;
    t->kinds = t->opts.kinds ? t->opts.kinds
                             : ((1u << CR_TOK__COUNT) - 1) & ~(t->opts.spaces ? 0u : CR_KIND_BIT(CR_TOK_SPACE));
    t->skip_ws = !(t->kinds & CR_KIND_BIT(CR_TOK_SPACE));
    if (t->opts.sentences && t->len > 0) t->next_sentence_start = cr_tokenizer_sentence_end(t, 0);
}

size_t cr_tokenizer_sentence_end(const cr_tokenizer *t, size_t pos) {
    if (!t->opts.tailor) return cr_sb_next(t->text, t->len, pos, NULL);
    cr_sb_tailor tl = { t->sb_langs, t->opts.abbrevs, 1, 1 };
    return cr_sb_next(t->text, t->len, pos, &tl);
}

static inline int wanted(const cr_tokenizer *t, cr_token_kind k) {
    return (t->kinds & CR_KIND_BIT(k)) != 0;
}

/* ASCII bytes that may start or continue something a tailoring rule joins. */
enum { T_URL = 1, T_AT = 2, T_HASH = 4, T_EMAIL = 8, T_WS = 16, T_NEXT = 32 };
static const unsigned char trig[256] = {
    ['h'] = T_URL, ['H'] = T_URL, ['w'] = T_URL, ['W'] = T_URL, ['f'] = T_URL, ['F'] = T_URL,
    /* T_NEXT: after a word, what may start an e-mail address, an acronym's
     * full stop or a joining hyphen (U+2010, U+2011 start with 0xE2). */
    ['@'] = T_AT | T_EMAIL | T_NEXT, ['#'] = T_HASH, [0xEF] = T_HASH, [0xE2] = T_NEXT,
    ['.'] = T_EMAIL | T_NEXT, ['_'] = T_EMAIL | T_NEXT, ['%'] = T_EMAIL | T_NEXT,
    ['+'] = T_EMAIL | T_NEXT, ['-'] = T_EMAIL | T_NEXT,
    [' '] = T_WS, ['\t'] = T_WS, ['\n'] = T_WS, ['\r'] = T_WS, ['\v'] = T_WS, ['\f'] = T_WS,
};

/* The next token before kind filtering: [*a, *b) of kind *kind; 0 at the end. */
static int raw_next(cr_tokenizer *t, size_t *ta, size_t *tb, cr_token_kind *tk) {
    const unsigned char *s = (const unsigned char *)t->text;
    size_t len = t->len;
    if (t->pend_kind >= 0) {
        *ta = t->pend_start;
        *tb = t->pend_stop;
        *tk = (cr_token_kind)t->pend_kind;
        t->pend_kind = -1;
        return 1;
    }
    size_t a = t->pos;
    if (a >= len) return 0;
    unsigned tr = trig[s[a]];
    if ((tr & T_WS) && t->skip_ws) {
        /* Unwanted ASCII whitespace: skip it without segmenting, except the
         * last one before a non-ASCII character (which WB4 may attach). */
        size_t i = a + 1;
        while (i < len && (trig[s[i]] & T_WS)) i++;
        if (i < len && s[i] >= 0x80) i--;
        if (i >= len) { t->pos = len; return 0; }
        a = t->pos = i;
        tr = trig[s[a]];
    }
    const cr_tokenizer_opts *o = &t->opts;
    seg g;
    unsigned char c = s[a];
    if (cr_fast_plain[c] && t->fast) {
        /* The fast path for the commonest token (tokfast.h).  Only a URL
         * can start here; with no apostrophe inside, elisions and
         * possessives cannot apply.  What it returns is what the general
         * path below returns. */
        size_t e;
        if ((tr & T_URL) && o->tailor && o->urls && (e = match_url(s, len, a)) != 0) {
            *ta = a; *tb = t->pos = e; *tk = CR_TOK_URL;
            return 1;
        }
        unsigned acc = cr_fast_plain[c];
        size_t i = cr_fast_run(s, len, a + 1, &acc);
        if (cr_fast_word_ends(s, len, i)) {
            *ta = a; *tb = t->pos = i; *tk = (acc & 1) ? CR_TOK_WORD : CR_TOK_NUMBER;
            return 1;
        }
    }
    if (t->fast && cr_fast_punct(s, len, a)) {
        *ta = a; *tb = t->pos = a + 1; *tk = CR_TOK_PUNCT;
        return 1;
    }
    if ((tr & (T_URL | T_AT | T_HASH)) && o->tailor) {
        size_t e;
        if (o->urls && (trig[c] & T_URL) && (e = match_url(s, len, a)) != 0) {
            *ta = a; *tb = t->pos = e; *tk = CR_TOK_URL;
            return 1;
        }
        if (c == '@' && o->mentions && a + 1 < len && !(a > 0 && is_alnum(s[a - 1]))) {
            segment_at(t, a + 1, &g, 1);
            if (wordish(g.kind)) {
                *ta = a; *tb = t->pos = g.b; *tk = CR_TOK_MENTION;
                return 1;
            }
        }
        size_t h = c == '#' ? 1 : (c == 0xEF && a + 2 < len && s[a + 1] == 0xBC && s[a + 2] == 0x83) ? 3 : 0;
        if (h && o->hashtags && a + h < len && !(a > 0 && is_alnum(s[a - 1]))) {
            segment_at(t, a + h, &g, 1);
            if (g.kind == CR_TOK_WORD || g.kind == CR_TOK_ID) {
                *ta = a; *tb = t->pos = g.b; *tk = CR_TOK_HASHTAG;
                return 1;
            }
        }
    }
    segment_at(t, a, &g, 0);
    size_t b = g.b;
    cr_token_kind kind = g.kind;
    if (o->tailor && wordish(kind) && b < len && (trig[s[b]] & T_NEXT)) {
        if (o->emails && (trig[s[b]] & T_EMAIL)) {
            size_t e = match_email(s, len, a);
            if (e) {
                *ta = a; *tb = t->pos = e; *tk = CR_TOK_EMAIL;
                return 1;
            }
        }
        if (o->acronyms && kind == CR_TOK_WORD && b < len && s[b] == '.' && dotted_letters(s, a, b))
            b++;
        else if (o->hyphens == CR_HYPHENS_JOIN) {
            int left_letter = has_letter(&g);
            size_t h;
            while ((h = hyphen_len(s, len, b)) != 0 && b + h < len) {
                seg r;
                segment_at(t, b + h, &r, 1);
                if (!wordish(r.kind)) break;
                int right_letter = has_letter(&r);
                if (!left_letter && !right_letter) break;
                kind = (kind == CR_TOK_ID || r.kind == CR_TOK_ID) ? CR_TOK_ID : CR_TOK_WORD;
                b = r.b;
                left_letter = right_letter;
            }
        }
    }
    if (kind == CR_TOK_WORD && (t->elide || o->possessive != CR_POSSESSIVE_KEEP) && o->tailor) {
        size_t el = t->elide ? elision_len(s, len, a, b) : 0;
        if (el) {
            *ta = a; *tb = t->pos = a + el; *tk = CR_TOK_WORD;
            return 1;
        }
        if (o->possessive != CR_POSSESSIVE_KEEP) {
            size_t ap = possessive_at(s, len, a, b);
            if (ap) {
                *ta = a; *tb = ap; *tk = CR_TOK_WORD;
                t->pos = b;
                if (o->possessive == CR_POSSESSIVE_SPLIT) {
                    t->pend_start = ap;
                    t->pend_stop = b;
                    t->pend_kind = CR_TOK_WORD;
                }
                return 1;
            }
        }
    }
    *ta = a; *tb = t->pos = b; *tk = kind;
    return 1;
}

int cr_tokenizer_next(cr_tokenizer *t, cr_token *tok) {
    size_t a, b;
    cr_token_kind k;
    do {
        if (!raw_next(t, &a, &b, &k)) return 0;
    } while (!wanted(t, k));
    tok->start = a;
    tok->stop = b;
    tok->kind = k;
    if (t->opts.sentences) {
        while (a >= t->next_sentence_start && t->next_sentence_start < t->len) {
            t->sentence++;
            t->next_sentence_start = cr_tokenizer_sentence_end(t, t->next_sentence_start);
        }
        tok->sentence = t->sentence;
    } else {
        tok->sentence = 0;
    }
    return 1;
}
