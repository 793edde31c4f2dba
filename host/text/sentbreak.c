/* sentbreak.c — UAX #29 sentence boundaries over the generated
 * Sentence_Break table, plus corpus tailoring (abbreviations, initials,
 * whitespace between sentences).
 *
 * One forward pass per sentence.  The state follows the suffix
 * "SATerm Close* Sp*" that rules SB6..SB11 look back at; rule SB8 looks ahead
 * for a lower-case letter, and only where no cheaper rule applies, so the
 * scan stays linear.
 */
#include "sentbreak.h"

#include <stdlib.h>
#include <string.h>
#ifdef __SSE2__
#include <emmintrin.h>
#endif

#include "tokfast.h"
#include "ucd_tables.h"
#include "utf8.h"

#define NONE 0xFFu
#define B(x) (1u << CR_SB_##x)
#define PARASEP (B(Sep) | B(CR) | B(LF))
#define SATERM (B(ATerm) | B(STerm))

static inline int in(unsigned sb, unsigned set) { return sb != NONE && ((1u << sb) & set) != 0; }

static inline uint32_t decode(const unsigned char *s, size_t len, size_t i, size_t *n) {
    if (s[i] < 0x80) { *n = 1; return s[i]; }
    return cr_utf8_decode(s + i, len - i, n);
}

/* ---- abbreviations ------------------------------------------------------ */

static const char *const abbr_en[] = {
    "adm", "apr", "aug", "capt", "cmdr", "col", "corp", "dec", "dr", "feb", "gen", "gov",
    "hon", "jan", "jr", "jul", "jun", "lt", "maj", "messrs", "mr", "mrs", "ms", "mt", "nov",
    "oct", "prof", "rep", "rev", "sen", "sep", "sept", "sgt", "sr", "st", "vs", NULL
};
static const char *const abbr_fr[] = {
    "av", "bd", "cf", "dr", "mgr", "mlle", "mlles", "mm", "mme", "mmes", "pr", "st", "ste",
    "vol", NULL
};
static const char *const abbr_nl[] = {
    "bijv", "blz", "ca", "dhr", "dr", "drs", "ing", "ir", "jl", "mevr", "mr", "mw", "nr",
    "prof", "vgl", NULL
};

unsigned cr_abbrevs_lang(const char *lang) {
    if (!lang) return 0;
    if (!strcmp(lang, "en")) return 1;
    if (!strcmp(lang, "fr")) return 2;
    if (!strcmp(lang, "nl")) return 4;
    return 0;
}

const char *const *cr_abbrevs_builtin_list(unsigned lang_bit) {
    switch (lang_bit) {
    case 1: return abbr_en;
    case 2: return abbr_fr;
    case 4: return abbr_nl;
    default: return NULL;
    }
}

/* ASCII-lowercases word into buf (CR_ABBREV_MAX + 1 bytes); 0 when too long or empty. */
static int lower_key(const char *word, size_t len, char *buf) {
    if (len == 0 || len > CR_ABBREV_MAX) return 0;
    for (size_t i = 0; i < len; i++) {
        char c = word[i];
        buf[i] = (c >= 'A' && c <= 'Z') ? (char)(c + 32) : c;
    }
    buf[len] = 0;
    return 1;
}

int cr_abbrevs_builtin_has(unsigned langs, const char *word, size_t len) {
    char key[CR_ABBREV_MAX + 1];
    if (!lower_key(word, len, key)) return 0;
    for (unsigned bit = 1; bit <= 4; bit <<= 1) {
        if (!(langs & bit)) continue;
        for (const char *const *w = cr_abbrevs_builtin_list(bit); *w; w++)
            if (!strcmp(*w, key)) return 1;
    }
    return 0;
}

struct cr_abbrevs {
    char **slots; /* open addressing; NULL = empty */
    size_t cap;   /* power of two */
    size_t count;
};

static uint32_t hash_key(const char *k) {
    uint32_t h = 2166136261u;
    for (; *k; k++) h = (h ^ (unsigned char)*k) * 16777619u;
    return h;
}

cr_abbrevs *cr_abbrevs_new(void) { return calloc(1, sizeof(cr_abbrevs)); }

void cr_abbrevs_free(cr_abbrevs *a) {
    if (!a) return;
    for (size_t i = 0; i < a->cap; i++) free(a->slots[i]);
    free(a->slots);
    free(a);
}

static char **find_slot(char **slots, size_t cap, const char *key) {
    size_t i = hash_key(key) & (cap - 1);
    while (slots[i] && strcmp(slots[i], key)) i = (i + 1) & (cap - 1);
    return &slots[i];
}

int cr_abbrevs_has(const cr_abbrevs *a, const char *word, size_t len) {
    char key[CR_ABBREV_MAX + 1];
    if (!a || !a->cap || !lower_key(word, len, key)) return 0;
    return *find_slot(a->slots, a->cap, key) != NULL;
}

int cr_abbrevs_add(cr_abbrevs *a, const char *word, size_t len) {
    char key[CR_ABBREV_MAX + 1];
    if (!lower_key(word, len, key)) return -2;
    if ((a->count + 1) * 2 > a->cap) {
        size_t ncap = a->cap ? a->cap * 2 : 16;
        char **ns = calloc(ncap, sizeof *ns);
        if (!ns) return -1;
        for (size_t i = 0; i < a->cap; i++)
            if (a->slots[i]) *find_slot(ns, ncap, a->slots[i]) = a->slots[i];
        free(a->slots);
        a->slots = ns;
        a->cap = ncap;
    }
    char **slot = find_slot(a->slots, a->cap, key);
    if (*slot) return 0;
    char *copy = malloc(len + 1);
    if (!copy) return -1;
    memcpy(copy, key, len + 1);
    *slot = copy;
    a->count++;
    return 0;
}

/* ---- tailoring decisions ------------------------------------------------- */

static int ascii_alpha(unsigned char c) { return CR_ASCII_LETTER(c); }

int cr_dotted_abbrev(const char *word, size_t len) {
    size_t groups = 0, run = 0;
    for (size_t k = 0; k < len; k++) {
        unsigned char c = (unsigned char)word[k];
        if (ascii_alpha(c)) {
            if (++run > 3) return 0;
        } else if (c == '.' && run > 0) {
            groups++;
            run = 0;
        } else {
            return 0;
        }
    }
    return run > 0 && groups >= 1;
}

/* Whether the full stop at s[term] closes an abbreviation or an initial, so
 * that the break SB11 would make after it is cancelled.  next is the first
 * character of what would be the next sentence. */
static int keeps_sentence(const unsigned char *s, size_t term, const cr_sb_tailor *t) {
    size_t w = term;
    while (w > 0 && (ascii_alpha(s[w - 1]) || s[w - 1] == '.')) w--;
    if (w > 0 && s[w - 1] >= 0x80) return 0; /* a word with non-ASCII letters */
    size_t len = term - w;
    if (len == 0) return 0;
    const char *word = (const char *)s + w;
    if (t->initials) {
        /* "J." or "U.N." / "U.S" + "." : single letters separated by full stops. */
        int dotted = 1;
        for (size_t k = 0; k < len; k++) {
            int letter_place = (k % 2) == 0;
            if (letter_place ? !ascii_alpha(s[w + k]) : s[w + k] != '.') { dotted = 0; break; }
        }
        if (dotted && (len % 2) == 1 && (len > 1 || (s[w] >= 'A' && s[w] <= 'Z'))) return 1;
        if (cr_dotted_abbrev(word, len)) return 1; /* "Ph.D.", "e.g." */
    }
    if (memchr(word, '.', len)) return 0;
    if (t->langs && cr_abbrevs_builtin_has(t->langs, word, len)) return 1;
    if (t->extra && cr_abbrevs_has(t->extra, word, len)) return 1;
    return 0;
}

/* ---- the segmenter ----------------------------------------------------------- */

typedef struct {
    unsigned prev;    /* last character SB5 did not absorb */
    unsigned term;    /* CR_SB_ATerm / CR_SB_STerm while in "SATerm Close* Sp*", else NONE */
    unsigned before;  /* the character before that terminator (SB7) */
    int spaces;       /* Sp seen after the terminator */
    int direct;       /* prev is the terminator itself (SB6, SB7) */
    size_t term_pos;  /* byte offset of the terminator */
} sb_state;

static void accept(sb_state *st, unsigned c, size_t at) {
    if (in(c, SATERM)) {
        st->before = st->prev;
        st->term = c;
        st->spaces = 0;
        st->direct = 1;
        st->term_pos = at;
    } else if (st->term != NONE && c == CR_SB_Close && !st->spaces) {
        st->direct = 0;
    } else if (st->term != NONE && c == CR_SB_Sp) {
        st->spaces = 1;
        st->direct = 0;
    } else if (st->term != NONE && in(c, PARASEP)) {
        st->direct = 0;
    } else {
        st->term = NONE;
    }
    st->prev = c;
}

/* SB8: from i, skip characters other than OLetter, Upper, Lower, ParaSep and
 * SATerm; whether the first such character is Lower. */
static int lower_follows(const unsigned char *s, size_t len, size_t i) {
    while (i < len) {
        size_t n;
        unsigned c = CR_UCD_SB(cr_ucd_props(decode(s, len, i, &n)));
        if (in(c, B(OLetter) | B(Upper) | B(Lower) | PARASEP | SATERM)) return c == CR_SB_Lower;
        i += n;
    }
    return 0;
}

/* Whether rules SB6..SB10 keep the sentence going before c (at i). */
static int joins(const sb_state *st, unsigned c, const unsigned char *s, size_t len, size_t i) {
    if (st->term == NONE) return 1;                                       /* SB998 */
    if (st->term == CR_SB_ATerm && st->direct) {
        if (c == CR_SB_Numeric) return 1;                                 /* SB6 */
        if (c == CR_SB_Upper && in(st->before, B(Upper) | B(Lower))) return 1; /* SB7 */
    }
    if (in(c, B(SContinue) | SATERM)) return 1;                           /* SB8a */
    if (!st->spaces && in(c, B(Close) | B(Sp) | PARASEP)) return 1;       /* SB9 */
    if (in(c, B(Sp) | PARASEP)) return 1;                                 /* SB10 */
    if (st->term == CR_SB_ATerm && lower_follows(s, len, i)) return 1;    /* SB8 */
    return 0;                                                             /* SB11 */
}

/* ASCII characters that can end a sentence or a paragraph. */
static const unsigned char sb_special[128] = { ['.'] = 1, ['!'] = 1, ['?'] = 1, ['\r'] = 1, ['\n'] = 1 };

/* The first position from i holding . ! ? CR LF or a byte >= 0x80 (len when
 * none): sixteen bytes a step where SSE2 is there. */
static size_t ascii_plain_end(const unsigned char *s, size_t len, size_t i) {
#ifdef __SSE2__
    const __m128i dot = _mm_set1_epi8('.'), bang = _mm_set1_epi8('!'), q = _mm_set1_epi8('?'),
                  cr = _mm_set1_epi8('\r'), lf = _mm_set1_epi8('\n');
    while (i + 16 <= len) {
        __m128i v = _mm_loadu_si128((const __m128i *)(const void *)(s + i));
        __m128i hit = _mm_or_si128(_mm_or_si128(_mm_cmpeq_epi8(v, dot), _mm_cmpeq_epi8(v, bang)),
                                   _mm_or_si128(_mm_or_si128(_mm_cmpeq_epi8(v, q), _mm_cmpeq_epi8(v, cr)),
                                                _mm_cmpeq_epi8(v, lf)));
        /* movemask also takes each byte's high bit: the bytes >= 0x80 */
        unsigned m = (unsigned)_mm_movemask_epi8(_mm_or_si128(hit, v));
        if (m) return i + (unsigned)__builtin_ctz(m);
        i += 16;
    }
#endif
    while (i < len && s[i] < 0x80 && !sb_special[s[i]]) i++;
    return i;
}

/* Skips whitespace from i; returns the first other position (or len). */
static size_t skip_space(const unsigned char *s, size_t len, size_t i) {
    while (i < len) {
        size_t n;
        if (CR_UCD_GC(cr_ucd_props(decode(s, len, i, &n))) != CR_GC_SPACE) break;
        i += n;
    }
    return i;
}

size_t cr_sb_next(const char *text, size_t len, size_t pos, const cr_sb_tailor *tailor) {
    const unsigned char *s = (const unsigned char *)text;
    sb_state st = { NONE, NONE, NONE, 0, 0, 0 };
    size_t n, i = pos;
    /* Leading whitespace (blank lines at the start of a text) belongs to the
     * sentence that follows it, so that no sentence is only whitespace. */
    if (tailor && tailor->merge_blank && (i = skip_space(s, len, pos)) >= len) return len;
    unsigned raw = NONE;
    while (i < len) {
        if (st.term == NONE && raw != NONE && !in(raw, PARASEP) && s[i] < 0x80 && !sb_special[s[i]]) {
            /* Inside a sentence, ASCII other than . ! ? CR LF changes nothing
             * but the previous character. */
            i = ascii_plain_end(s, len, i + 1);
            st.prev = raw = CR_UCD_SB(cr_ucd_ascii[s[i - 1]]);
            continue;
        }
        unsigned c = CR_UCD_SB(cr_ucd_props(decode(s, len, i, &n)));
        if (raw == NONE) {                                                /* sot */
        } else if (raw == CR_SB_CR && c == CR_SB_LF) {                    /* SB3 */
        } else if (in(raw, PARASEP)) {                                    /* SB4 */
            break;
        } else if (c == CR_SB_Extend || c == CR_SB_Format) {              /* SB5 */
            raw = c;
            i += n;
            continue;
        } else if (!joins(&st, c, s, len, i)) {
            if (!(tailor && st.term == CR_SB_ATerm && c != NONE
                  && keeps_sentence(s, st.term_pos, tailor)))
                break;                                                    /* SB11 */
            st.term = NONE;
        }
        accept(&st, c, i);
        raw = c;
        i += n;
    }
    if (i < len && tailor && tailor->merge_blank) i = skip_space(s, len, i);
    return i < len ? i : len;
}
