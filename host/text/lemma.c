/* lemma.c — tag-driven English lemmatiser (see lemma.h). */
#include "lemma.h"

#include <stdint.h>
#include <string.h>

#include "lemma_data.h"

typedef struct wlist {
    const char *words;
    const uint32_t *off;
    size_t n;
} wlist;

static const wlist INDEX_N = {wn_index_n_words, wn_index_n_off, wn_index_n_n};
static const wlist INDEX_V = {wn_index_v_words, wn_index_v_off, wn_index_v_n};
static const wlist INDEX_A = {wn_index_a_words, wn_index_a_off, wn_index_a_n};
static const wlist EXC_N = {wn_exc_n_words, wn_exc_n_off, wn_exc_n_n};
static const wlist EXC_V = {wn_exc_v_words, wn_exc_v_off, wn_exc_v_n};
static const wlist EXC_A = {wn_exc_a_words, wn_exc_a_off, wn_exc_a_n};
static const wlist EXC_R = {wn_exc_r_words, wn_exc_r_off, wn_exc_r_n};

/* Compare the entry e (ended by NUL or a tab) with w[0..len). */
static int cmp_entry(const char *e, const char *w, size_t len) {
    for (size_t i = 0; i < len; i++) {
        unsigned char a = (unsigned char)e[i], b = (unsigned char)w[i];
        if (a == 0 || a == '\t') return -1;
        if (a != b) return a < b ? -1 : 1;
    }
    return (e[len] == 0 || e[len] == '\t') ? 0 : 1;
}

/* The entry for w, or NULL. */
static const char *find(const wlist *l, const char *w, size_t len) {
    size_t lo = 0, hi = l->n;
    while (lo < hi) {
        size_t mid = lo + (hi - lo) / 2;
        int c = cmp_entry(l->words + l->off[mid], w, len);
        if (c == 0) return l->words + l->off[mid];
        if (c < 0) lo = mid + 1;
        else hi = mid;
    }
    return NULL;
}

static size_t put(char *out, const char *s, size_t len) {
    memcpy(out, s, len);
    out[len] = 0;
    return len;
}

static size_t put_str(char *out, const char *s) { return put(out, s, strlen(s)); }

/* An exception's base form into out; 0 when w has none. */
static size_t exception(const wlist *l, const char *w, size_t len, char *out, size_t cap) {
    const char *e = find(l, w, len);
    if (!e) return 0;
    const char *base = e + len + 1;
    size_t bl = strlen(base);
    if (bl == 0 || bl >= cap) return 0;
    return put(out, base, bl);
}

typedef struct rule {
    const char *suf, *rep;
} rule;

static const rule NOUN_RULES[] = {{"ses", "s"}, {"xes", "x"}, {"zes", "z"}, {"ches", "ch"},
                                  {"shes", "sh"}, {"men", "man"}, {"ies", "y"}, {"s", ""}};
static const rule VERB_RULES[] = {{"ies", "y"}, {"es", "e"}, {"es", ""}, {"ed", "e"},
                                  {"ed", ""},   {"ing", "e"}, {"ing", ""}, {"s", ""}};
static const rule ADJ_RULES[] = {{"er", ""}, {"est", ""}, {"er", "e"}, {"est", "e"}};

/* Fallbacks for words WordNet does not know, by the tag alone. */
static const rule NOUN_GUESS[] = {{"ies", "y"}, {"sses", "ss"}, {"xes", "x"}, {"zes", "z"},
                                  {"ches", "ch"}, {"shes", "sh"}, {"s", ""}};
static const rule VERB_GUESS[] = {{"ies", "y"}, {"ied", "y"}, {"ing", ""}, {"ed", ""}, {"s", ""}};

/* The first rule whose result is in index (any applying rule when index is
 * NULL, a final doubled consonant then undoubled: "frobbed" -> "frob");
 * 0 when none. */
static size_t by_rules(const rule *r, size_t nr, const wlist *index, const char *w, size_t len,
                       char *out, size_t cap) {
    char cand[256];
    for (size_t i = 0; i < nr; i++) {
        size_t sl = strlen(r[i].suf), rl = strlen(r[i].rep);
        if (len <= sl + 1 || memcmp(w + len - sl, r[i].suf, sl) != 0) continue;
        size_t cl = len - sl + rl;
        if (cl >= sizeof cand || cl >= cap) continue;
        memcpy(cand, w, len - sl);
        memcpy(cand + len - sl, r[i].rep, rl);
        if (!index && rl == 0 && sl > 1 && cl >= 3 && cand[cl - 1] == cand[cl - 2] &&
            strchr("bdgkmnprtz", cand[cl - 1]))
            cl--;
        if (!index || find(index, cand, cl)) return put(out, cand, cl);
    }
    return 0;
}

/* Exception, then a rule's result WordNet knows, then the word itself if
 * WordNet knows it, then a guess by rule; 0 when all fail. */
static size_t morphy(const wlist *exc, const rule *r, size_t nr, const wlist *index, const rule *guess,
                     size_t ng, const char *w, size_t len, char *out, size_t cap) {
    size_t n;
    if ((n = exception(exc, w, len, out, cap))) return n;
    if ((n = by_rules(r, nr, index, w, len, out, cap))) return n;
    if (find(index, w, len)) return 0;
    return guess ? by_rules(guess, ng, NULL, w, len, out, cap) : 0;
}

#define N(a) (sizeof a / sizeof a[0])

/* Words WordNet has no entry for, by tag class. */
typedef struct fixed {
    const char *word, *lemma;
} fixed;

static const fixed BE[] = {{"am", "be"}, {"are", "be"}, {"is", "be"}, {"was", "be"},
                           {"were", "be"}, {"been", "be"}, {"being", "be"}, {"be", "be"},
                           {"'s", "be"}, {"'re", "be"}, {"'m", "be"}, {"ai", "be"},
                           {"art", "be"}, {"wast", "be"}, {"wert", "be"}};
static const fixed HAVE[] = {{"has", "have"}, {"had", "have"}, {"having", "have"}, {"have", "have"},
                             {"'s", "have"}, {"'ve", "have"}, {"'d", "have"}, {"hath", "have"},
                             {"hast", "have"}, {"hadst", "have"}};
static const fixed DO[] = {{"does", "do"}, {"did", "do"}, {"done", "do"}, {"doing", "do"},
                           {"do", "do"}, {"doth", "do"}, {"dost", "do"}, {"didst", "do"}};
static const fixed MODAL[] = {{"'ll", "will"}, {"'d", "would"}, {"ca", "can"}, {"wo", "will"},
                              {"sha", "shall"}, {"can", "can"}, {"could", "could"},
                              {"may", "may"}, {"might", "might"}, {"must", "must"},
                              {"shall", "shall"}, {"should", "should"}, {"will", "will"},
                              {"would", "would"}, {"ought", "ought"}, {"wilt", "will"},
                              {"shalt", "shall"}};
static const fixed PRON_OBJ[] = {{"me", "I"}, {"him", "he"}, {"her", "she"}, {"us", "we"},
                                 {"them", "they"}, {"'em", "they"}, {"'s", "we"}, {"thee", "thou"}};

static const char *lookup_fixed(const fixed *f, size_t n, const char *w, size_t len) {
    for (size_t i = 0; i < n; i++)
        if (strlen(f[i].word) == len && memcmp(f[i].word, w, len) == 0) return f[i].lemma;
    return NULL;
}

#define FIXED(tab, w, len) lookup_fixed(tab, sizeof tab / sizeof tab[0], w, len)

/* A lowercased copy of w with the typographic apostrophe (U+2019) made '. */
static size_t fold(const char *w, size_t len, char *out, size_t cap) {
    size_t o = 0;
    for (size_t i = 0; i < len && o + 1 < cap; i++) {
        unsigned char c = (unsigned char)w[i];
        if (c == 0xE2 && i + 2 < len && (unsigned char)w[i + 1] == 0x80 && (unsigned char)w[i + 2] == 0x99) {
            out[o++] = '\'';
            i += 2;
        } else {
            out[o++] = (char)(c >= 'A' && c <= 'Z' ? c + 32 : c);
        }
    }
    out[o] = 0;
    return o;
}

/* The tag's head without fw-, and whether it ends in $ (possessive). */
static void head_of(const char *tag, size_t tl, char *head, size_t cap, int *poss, int *neg) {
    if (tl > 3 && !memcmp(tag, "fw-", 3)) tag += 3, tl -= 3;
    while (tl > 1 && (tag[tl - 1] == '$' || tag[tl - 1] == '*')) {
        if (tag[tl - 1] == '$') *poss = 1;
        else *neg = 1;
        tl--;
    }
    if (tl >= cap) tl = cap - 1;
    memcpy(head, tag, tl);
    head[tl] = 0;
}

static int starts(const char *s, const char *p) { return strncmp(s, p, strlen(p)) == 0; }

/* Remove a possessive ending ('s, s', ') from w[0..*len). */
static void drop_possessive(const char *w, size_t *len) {
    if (*len > 2 && w[*len - 2] == '\'' && (w[*len - 1] == 's' || w[*len - 1] == 'S')) *len -= 2;
    else if (*len > 1 && w[*len - 1] == '\'') *len -= 1;
    else if (*len > 4 && !memcmp(w + *len - 4, "\xE2\x80\x99s", 4)) *len -= 4;
    else if (*len > 3 && !memcmp(w + *len - 3, "\xE2\x80\x99", 3)) *len -= 3;
}

/* The lemma of one word (no clitic) under one simple tag. */
static size_t lemma_simple(const char *word, size_t len, const char *tag, size_t tl, char *out, size_t cap) {
    char head[32], low[256];
    int poss = 0, neg = 0;
    head_of(tag, tl, head, sizeof head, &poss, &neg);
    if (len == 0) return put(out, "", 0);
    if (starts(head, "np")) { /* proper nouns as written, less the possessive */
        size_t l = len;
        if (poss) drop_possessive(word, &l);
        return put(out, word, l < cap ? l : cap - 1);
    }
    if (len >= sizeof low) return put(out, word, len < cap ? len : cap - 1);
    size_t ll = fold(word, len, low, sizeof low);
    if (poss) drop_possessive(low, &ll), low[ll] = 0;
    const char *f = NULL;
    if (starts(head, "be")) f = FIXED(BE, low, ll);
    else if (starts(head, "hv")) f = FIXED(HAVE, low, ll);
    else if (starts(head, "do")) f = FIXED(DO, low, ll);
    else if (!strcmp(head, "md")) f = FIXED(MODAL, low, ll);
    else if (!strcmp(head, "ppo")) f = FIXED(PRON_OBJ, low, ll);
    else if (!strcmp(head, "ppss") || !strcmp(head, "pps")) {
        if (ll == 1 && low[0] == 'i') f = "I";
    } else if (!strcmp(head, "*")) f = "not";
    if (f) return put_str(out, f);
    size_t r = 0;
    if (!strcmp(head, "nns") || !strcmp(head, "nrs"))
        r = morphy(&EXC_N, NOUN_RULES, N(NOUN_RULES), &INDEX_N, NOUN_GUESS, N(NOUN_GUESS), low, ll, out, cap);
    else if (!strcmp(head, "vbd") || !strcmp(head, "vbn") || !strcmp(head, "vbg") || !strcmp(head, "vbz"))
        r = morphy(&EXC_V, VERB_RULES, N(VERB_RULES), &INDEX_V, VERB_GUESS, N(VERB_GUESS), low, ll, out, cap);
    else if (!strcmp(head, "jjr") || !strcmp(head, "jjt") || !strcmp(head, "jjs"))
        r = morphy(&EXC_A, ADJ_RULES, N(ADJ_RULES), &INDEX_A, NULL, 0, low, ll, out, cap);
    else if (!strcmp(head, "rbr") || !strcmp(head, "rbt")) {
        r = exception(&EXC_R, low, ll, out, cap); /* better -> well; else as an adjective: faster -> fast */
        if (!r) r = morphy(&EXC_A, ADJ_RULES, N(ADJ_RULES), &INDEX_A, NULL, 0, low, ll, out, cap);
    }
    if (r) return r;
    return put(out, low, ll < cap ? ll : cap - 1);
}

/* Where a clitic starts in w (its apostrophe), or 0: 's 're 'm 'll 've 'd 'em. */
static size_t clitic_at(const char *w, size_t len) {
    for (size_t i = len; i-- > 1;) {
        if (w[i] == '\'') return i;
        if (i >= 1 && i + 2 < len && (unsigned char)w[i] == 0xE2 && (unsigned char)w[i + 1] == 0x80 &&
            (unsigned char)w[i + 2] == 0x99)
            return i;
    }
    return 0;
}

size_t lemma_of(const char *word, size_t len, const char *tag, char *out) {
    size_t cap = len + LEMMA_EXTRA;
    size_t tl = strlen(tag);
    /* n't: the negation after a verb ("didn't", "can't", "won't"), tag X* */
    size_t cut = 0;
    char low[8];
    if (len >= 4 && fold(word + len - 3, 3, low, sizeof low) == 3 && !memcmp(low, "n't", 3)) cut = 3;
    else if (len >= 6 && (!memcmp(word + len - 5, "n\xE2\x80\x99t", 5) || !memcmp(word + len - 5, "N\xE2\x80\x99T", 5)))
        cut = 5;
    if (cut) {
        char t2[32];
        size_t l2 = tl < sizeof t2 ? tl : sizeof t2 - 1;
        memcpy(t2, tag, l2);
        t2[l2] = 0;
        char *star = strchr(t2, '*');
        if (star) *star = 0;
        size_t n = lemma_simple(word, len - cut, t2, strlen(t2), out, cap);
        return n + put_str(out + n, " not");
    }
    if (len == 6 && fold(word, len, low, sizeof low) == 6 && !memcmp(low, "cannot", 6))
        return put_str(out, "can not");
    const char *plus = memchr(tag, '+', tl);
    size_t ap = plus ? clitic_at(word, len) : 0;
    if (plus && ap) {
        size_t n = lemma_simple(word, ap, tag, (size_t)(plus - tag), out, cap);
        out[n++] = ' ';
        const char *t2 = plus + 1;
        const char *plus2 = strchr(t2, '+');
        size_t t2l = plus2 ? (size_t)(plus2 - t2) : strlen(t2);
        return n + lemma_simple(word + ap, len - ap, t2, t2l, out + n, cap - n);
    }
    return lemma_simple(word, len, tag, plus ? (size_t)(plus - tag) : tl, out, cap);
}
