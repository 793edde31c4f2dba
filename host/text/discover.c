/* discover.c — candidate named entities: the rules of discover.h over the
 * tokens of one text.  One pass tokenises and classifies the word tokens,
 * a second finds the runs; nothing is allocated per token once the scratch
 * has grown to the text. */
#include "discover.h"

#include <stdint.h>
#include <stdlib.h>
#include <string.h>

#include "grow.h"
#include "tokfast.h"

enum {
    TOK_CAP = 1,       /* starts with an upper-case character */
    TOK_STOP = 2,      /* casefolded, a function word capitalised by position */
    TOK_PART = 4,      /* as written, a name particle ("of", "van", "al") */
    TYPE_CONTENT = 8,  /* (types[]) has a letter and is in no list */
    TYPE_KNOWN = 16    /* (types[]) the flags above are worked out */
};

/* The vocabulary of word ids starts again past this many words (a cache:
 * its memory stays bounded on corpora of millions of word types). */
#define TYPES_MAX ((size_t)1 << 18)

struct cr_discover_tok {
    size_t start, stop, sentence;
    unsigned flags;
};

/* Function words capitalised only by their place in a sentence. */
static const char *const initial_stop[] = {
    "a", "about", "according", "after", "all", "also", "although", "an", "and", "another", "as",
    "at", "because", "before", "both", "but", "by", "dr", "during", "each", "either", "even",
    "every", "for", "from", "he", "her", "here", "his", "how", "however", "i", "if", "in", "it",
    "its", "just", "last", "less", "madame", "many", "meanwhile", "miss", "mlle", "mme", "monsieur",
    "more", "most", "mr", "mrs", "ms", "my", "neither", "next", "no", "nor", "not", "now", "of",
    "on", "once", "one", "only", "or", "other", "our", "over", "she", "since", "sir", "so", "some",
    "such", "than", "that", "the", "their", "then", "there", "these", "they", "this", "those",
    "though", "three", "to", "today", "tomorrow", "two", "under", "unless", "until", "we", "what",
    "when", "where", "whether", "which", "while", "who", "whom", "why", "with", "without",
    "yesterday", "yet", "you", "your"
};
static const char *const particles[] = {
    "al", "bin", "da", "de", "del", "den", "der", "des", "di", "du", "el", "ibn", "la", "le", "of",
    "the", "van", "von"
};
static const char *const roman[] = { "II", "III", "IV", "IX", "VI", "VII", "VIII", "XI", "XII" };

#define COUNT(a) (sizeof(a) / sizeof((a)[0]))

/* A word of at most 16 bytes as two integers, zero-padded (for equality
 * only: the byte order is the machine's). */
typedef struct word_key {
    uint64_t hi, lo;
} word_key;

static inline word_key pack(const char *s, size_t n) {
    unsigned char b[16] = { 0 };
    memcpy(b, s, n);
    word_key k;
    memcpy(&k.hi, b, 8);
    memcpy(&k.lo, b + 8, 8);
    return k;
}

/* The function-word and particle lists in one small hash table, made once
 * per scanner: a word's classes (TOK_STOP, TOK_PART) in one probe or two. */
#define LIST_SLOTS 512 /* a power of two, over three times the words */
#define LIST_MAX_LEN 9 /* the longest listed word */

struct cr_discover_lists {
    word_key key[LIST_SLOTS]; /* {0, 0}: empty (no listed word is empty) */
    unsigned char flags[LIST_SLOTS];
    /* bit l of ends[n][f]: some listed word of n bytes starts with letter f
     * and ends with letter l (a-z), so most words need no probe at all */
    uint32_t ends[LIST_MAX_LEN + 1][26];
};

static size_t slot_of(word_key k) {
    return (size_t)(((k.hi ^ (k.lo * 0x9E3779B97F4A7C15u)) * 0xD6E8FEB86659FD93u) >> 55) & (LIST_SLOTS - 1);
}

/* 0, or -1 for a word the table cannot hold (only a-z, at most
 * LIST_MAX_LEN letters): cr_discover_new then fails, not a look-up. */
static int list_add(struct cr_discover_lists *ls, const char *w, unsigned flag) {
    size_t n = strlen(w);
    if (n == 0 || n > LIST_MAX_LEN || strspn(w, "abcdefghijklmnopqrstuvwxyz") != n) return -1;
    word_key k = pack(w, n);
    size_t i = slot_of(k);
    while ((ls->key[i].hi || ls->key[i].lo) && !(ls->key[i].hi == k.hi && ls->key[i].lo == k.lo))
        i = (i + 1) & (LIST_SLOTS - 1);
    ls->key[i] = k;
    ls->flags[i] |= (unsigned char)flag;
    ls->ends[n][w[0] - 'a'] |= 1u << (w[n - 1] - 'a');
    return 0;
}

/* The classes of s[0..len): 0 unless it is a listed word. */
static inline unsigned list_flags(const struct cr_discover_lists *ls, const char *s, size_t len) {
    if (len == 0 || len > LIST_MAX_LEN) return 0; /* no listed word is longer */
    unsigned first = (unsigned char)s[0] - 'a', last = (unsigned char)s[len - 1] - 'a';
    if (first >= 26 || last >= 26 || !(ls->ends[len][first] >> last & 1)) return 0;
    word_key k = pack(s, len);
    for (size_t i = slot_of(k);; i = (i + 1) & (LIST_SLOTS - 1)) {
        if (ls->key[i].hi == k.hi && ls->key[i].lo == k.lo) return ls->flags[i];
        if (!ls->key[i].hi && !ls->key[i].lo) return 0;
    }
}

static int is_roman(const char *s, size_t len) {
    for (size_t i = 0; i < COUNT(roman); i++)
        if (strlen(roman[i]) == len && memcmp(roman[i], s, len) == 0) return 1;
    return 0;
}

int cr_discover_is_capitalised(const char *s, size_t len, cr_buf *scratch) {
    if (len == 0) return 0;
    unsigned char b = (unsigned char)s[0];
    if (b >= 'A' && b <= 'Z') return 1;
    if (b < 0xC0 || b > 0xF7) return 0;
    size_t n = 1;
    while (n < len && ((unsigned char)s[n] & 0xC0) == 0x80) n++;
    if (n == 2 && b == 0xC3 && (unsigned char)s[1] == 0x9F) return 0; /* ß has no capital of its own */
    if (cr_normalize(scratch, s, n, CR_NORM_CASEFOLD) < 0) return -1;
    return scratch->len != n || memcmp(scratch->data, s, n) != 0;
}

int cr_discover_is_acronym(const char *s, size_t len) {
    if (len < 2 || len > 12 || !(s[0] >= 'A' && s[0] <= 'Z')) return 0;
    size_t caps = 0;
    for (size_t i = 0; i < len; i++) {
        char c = s[i];
        if (c >= 'A' && c <= 'Z') caps++;
        else if (c != '.' && c != '-' && c != '&') return 0;
    }
    return caps >= 2 && !is_roman(s, len);
}

/* The length of s without a final possessive ('s, ’s, ‘s), which must
 * leave at least one byte. */
static size_t strip_possessive(const char *s, size_t len) {
    if (len > 2 && s[len - 1] == 's' && s[len - 2] == '\'') return len - 2;
    if (len > 4 && s[len - 1] == 's' && (unsigned char)s[len - 4] == 0xE2 && (unsigned char)s[len - 3] == 0x80 &&
        ((unsigned char)s[len - 2] == 0x99 || (unsigned char)s[len - 2] == 0x98))
        return len - 4;
    return len;
}

/* Whether the text between two tokens keeps them in one run: one or more
 * spaces, tabs and no-break spaces, nothing else. */
static int joins(const unsigned char *g, size_t n) {
    if (n == 0) return 0;
    for (size_t i = 0; i < n; i++) {
        unsigned char c = g[i];
        if (c == 0xC2) {
            if (i + 1 < n && g[i + 1] != 0xA0) return 0;
        } else if (c != ' ' && c != '\t' && c != 0xA0) {
            return 0;
        }
    }
    return 1;
}

static int has_letter(const unsigned char *s, size_t n) {
    for (size_t i = 0; i < n; i++) {
        unsigned char c = s[i];
        if (c >= 0x80 || CR_ASCII_LETTER(c)) return 1;
    }
    return 0;
}

static void *grow(void *p, size_t *cap, size_t need, size_t size) {
    return cr_grow(p, cap, need, size, 64);
}

cr_discover *cr_discover_new(void) {
    cr_discover *d = calloc(1, sizeof *d);
    if (!d) return NULL;
    d->lists = malloc(sizeof *d->lists);
    if (!d->lists) {
        free(d);
        return NULL;
    }
    memset(d->lists, 0, sizeof *d->lists);
    cr_counter_init(&d->vocab);
    int bad = 0;
    for (size_t i = 0; i < COUNT(initial_stop); i++) bad |= list_add(d->lists, initial_stop[i], TOK_STOP);
    for (size_t i = 0; i < COUNT(particles); i++) bad |= list_add(d->lists, particles[i], TOK_PART);
    if (bad) {
        cr_discover_free(d);
        return NULL;
    }
    return d;
}

void cr_discover_free(cr_discover *d) {
    if (!d) return;
    free(d->cands);
    free(d->forms);
    free(d->toks);
    free(d->title);
    free(d->lists);
    cr_buf_free(&d->fold);
    cr_counter_free(&d->vocab);
    cr_textscratch_free(&d->ts);
    free(d->types);
    free(d);
}

/* The casefolded token, as far as the word lists need it (*f, *fn): plain
 * ASCII lower-cased in place of NFKC_Casefold, which is the same there, and
 * nothing for ASCII words longer than any listed one.  *same: the token is
 * its own casefolding. */
static int folded(cr_discover *d, const char *w, size_t wn, const char **f, size_t *fn, int *same) {
    size_t i = 0;
    int upper = 0;
    for (; i < wn && (unsigned char)w[i] < 0x80; i++) upper |= w[i] >= 'A' && w[i] <= 'Z';
    if (i == wn) {
        *same = !upper;
        *f = upper ? d->lower : w;
        *fn = wn > sizeof d->lower ? 0 : wn;
        if (upper)
            for (i = 0; i < *fn; i++) d->lower[i] = (char)(w[i] >= 'A' && w[i] <= 'Z' ? w[i] + 32 : w[i]);
        return 0;
    }
    *same = 0;
    if (cr_normalize(&d->fold, w, wn, CR_NORM_CASEFOLD) < 0) return -1;
    *f = d->fold.data;
    *fn = d->fold.len;
    return 0;
}

/* Records whether sentence sent is in title case: three or more content
 * words, nine in ten of them capitalised. */
static int close_sentence(cr_discover *d, size_t sent, size_t words, size_t caps) {
    void *p = grow(d->title, &d->title_cap, sent + 1, 1);
    if (!p) return -1;
    d->title = p;
    d->title[sent] = (unsigned char)(words >= 3 && caps * 10 >= words * 9);
    return 0;
}

/* The classes of the word w[0..wn) (TOK_CAP, TOK_STOP, TOK_PART,
 * TYPE_CONTENT), or -1 when out of memory. */
static int word_flags(cr_discover *d, const char *w, size_t wn) {
    unsigned flags = 0;
    int cap = cr_discover_is_capitalised(w, wn, &d->fold);
    if (cap < 0) return -1;
    if (cap) flags |= TOK_CAP;
    const struct cr_discover_lists *ls = d->lists;
    unsigned raw = list_flags(ls, w, wn);
    flags |= raw & TOK_PART;
    const char *f;
    size_t fn;
    int same;
    if (folded(d, w, wn, &f, &fn, &same) < 0) return -1;
    unsigned fl = same ? raw : list_flags(ls, f, fn);
    if (fl & TOK_STOP) flags |= TOK_STOP;
    if (has_letter((const unsigned char *)w, wn) && !fl) flags |= TYPE_CONTENT;
    return (int)flags;
}

/* Whether a key holds U+FFFD, which stands for any invalid byte: tokens of
 * different bytes would share the key, so their classes are not cached.
 * (A guard: the tokenizer splits invalid bytes off words.) */
static int has_replacement(const char *k, size_t n) {
    for (size_t i = 0; i + 2 < n; i++)
        if ((unsigned char)k[i] == 0xEF && (unsigned char)k[i + 1] == 0xBF && (unsigned char)k[i + 2] == 0xBD) return 1;
    return 0;
}

/* The word and number tokens of the default tokeniser, as ids of d->vocab
 * with their spans (the counting loop's fast paths: the same tokens as the
 * iterator's). */
static int word_tokens(cr_discover *d, const char *text, size_t len) {
    if (d->vocab.size > TYPES_MAX) {
        cr_counter_free(&d->vocab);
        cr_counter_init(&d->vocab);
        d->types_cap = 0;
        free(d->types);
        d->types = NULL;
    }
    cr_textopts o;
    cr_textopts_default(&o);
    cr_tokenizer_opts_default(&o.tok);
    o.level = CR_NORM_RAW;
    o.kinds = CR_KIND_BIT(CR_TOK_WORD) | CR_KIND_BIT(CR_TOK_NUMBER);
    o.sentences = 0;
    if (cr_text_spans(&d->vocab, text, len, &o, &d->ts) != CR_OK) return -1;
    if (d->vocab.size > d->types_cap) {
        size_t old = d->types_cap;
        unsigned char *p = cr_grow(d->types, &d->types_cap, d->vocab.size, 1, 1024);
        if (!p) return -1;
        memset(p + old, 0, d->types_cap - old);
        d->types = p;
    }
    return 0;
}

/* The word and number tokens with their flags, and per sentence whether it
 * is in title case.  A token belongs to the sentence it starts in. */
static int classify(cr_discover *d, const char *text, size_t len) {
    if (word_tokens(d, text, len) < 0) return -1;
    cr_tokenizer_opts o;
    cr_tokenizer_opts_default(&o);
    cr_tokenizer t;   /* (for its sentence ends) */
    cr_tokenizer_init(&t, text, len, &o);
    const cr_textscratch *ts = &d->ts;
    size_t n = ts->nids;
    size_t words = 0, caps = 0, sent = 0, tok_sent = 0;
    size_t end = len > 0 ? cr_tokenizer_sentence_end(&t, 0) : 0;
    d->ntoks = 0;
    void *p = grow(d->toks, &d->toks_cap, n, sizeof *d->toks);
    if (!p) return -1;
    d->toks = p;
    for (size_t i = 0; i < n; i++) {
        size_t start = ts->starts[i], stop = ts->stops[i];
        while (start >= end && end < len) {
            end = cr_tokenizer_sentence_end(&t, end);
            tok_sent++;
        }
        for (; sent < tok_sent; sent++, words = caps = 0)
            if (close_sentence(d, sent, words, caps) < 0) return -1;
        uint32_t id = ts->ids[i];
        unsigned flags = d->types[id];
        if (!(flags & TYPE_KNOWN)) {
            int f = word_flags(d, text + start, stop - start);
            if (f < 0) return -1;
            flags = (unsigned)f | TYPE_KNOWN;
            const cr_centry *e = &d->vocab.entries[id];
            if (!has_replacement(e->key, cr_centry_len(e))) d->types[id] = (unsigned char)flags;
        }
        if (flags & TYPE_CONTENT) {
            words++;
            if (flags & TOK_CAP) caps++;
        }
        d->toks[d->ntoks++] = (struct cr_discover_tok){ start, stop, tok_sent, flags & (TOK_CAP | TOK_STOP | TOK_PART) };
    }
    return d->ntoks ? close_sentence(d, sent, words, caps) : 0;
}

/* Whether byte p lies inside a covered span (binary search). */
static int inside(const cr_span *cov, size_t n, size_t p) {
    ptrdiff_t lo = 0, hi = (ptrdiff_t)n - 1;
    while (lo <= hi) {
        ptrdiff_t mid = lo + (hi - lo) / 2;
        if (p < cov[mid].start) hi = mid - 1;
        else if (p >= cov[mid].stop) lo = mid + 1;
        else return 1;
    }
    return 0;
}

static int add(cr_discover *d, size_t form_off, size_t start, size_t stop, int initial) {
    void *p = grow(d->cands, &d->cands_cap, d->ncands + 1, sizeof *d->cands);
    if (!p) return -1;
    d->cands = p;
    d->cands[d->ncands++] = (cr_candidate){ form_off, d->forms_len - form_off, start, stop, initial };
    return 0;
}

static int append(cr_discover *d, const char *s, size_t n) {
    void *p = grow(d->forms, &d->forms_cap, d->forms_len + n + 1, 1);
    if (!p) return -1;
    d->forms = p;
    memcpy(d->forms + d->forms_len, s, n);
    d->forms_len += n;
    d->forms[d->forms_len] = '\0';
    return 0;
}

/* The run of tokens first..last (inclusive), trimmed and recorded. */
static int emit(cr_discover *d, const char *text, size_t first, size_t last, int initial, const cr_span *cov,
                size_t ncov) {
    const struct cr_discover_tok *tk = d->toks;
    while (first <= last && (tk[first].flags & TOK_STOP)) {
        first++;
        initial = 0;
    }
    if (first > last) return 0;
    if (d->title[tk[first].sentence]) initial = 1;
    while (last >= first && (tk[last].flags & TOK_PART)) {
        if (last == first) return 0;
        last--;
    }
    int single = first == last;
    size_t last_len = strip_possessive(text + tk[last].start, tk[last].stop - tk[last].start);
    if (single && !cr_discover_is_acronym(text + tk[first].start, last_len)) return 0;
    if (inside(cov, ncov, tk[last].start)) return 0;
    if (!single) {
        for (size_t i = first; i <= last; i++) {
            const char *w = text + tk[i].start;
            size_t wn = i == last ? last_len : tk[i].stop - tk[i].start;
            wn = strip_possessive(w, wn);
            if (cr_discover_is_acronym(w, wn) && !inside(cov, ncov, tk[i].start)) {
                size_t off = d->forms_len;
                if (append(d, w, wn) < 0 || add(d, off, tk[i].start, tk[i].stop, 0) < 0) return -1;
            }
        }
    }
    size_t off = d->forms_len;
    for (size_t i = first; i <= last; i++) {
        if (i > first && append(d, " ", 1) < 0) return -1;
        if (append(d, text + tk[i].start, i == last ? last_len : tk[i].stop - tk[i].start) < 0) return -1;
    }
    return add(d, off, tk[first].start, tk[last].stop, initial && !single);
}

static int scan(cr_discover *d, const char *text, size_t len, const cr_span *cov, size_t ncov) {
    if (classify(d, text, len) < 0) return -1;
    const struct cr_discover_tok *tk = d->toks;
    size_t n = d->ntoks;
    int sent_first = 0;
    size_t i = 0;
    while (i < n) {
        if (i == 0 || tk[i].sentence != tk[i - 1].sentence) sent_first = 1;
        if (tk[i].flags & TOK_CAP) {
            size_t last = i, j = i;
            const char *w = text + tk[i].start;
            size_t wn = tk[i].stop - tk[i].start;
            int poss = strip_possessive(w, wn) != wn;
            while (!poss) {
                /* extend across up to two particles to the next capitalised word */
                size_t k = j + 1;
                int ok = 0;
                while (k < n && k - j <= 3) {
                    if (tk[k].sentence != tk[i].sentence ||
                        !joins((const unsigned char *)text + tk[k - 1].stop, tk[k].start - tk[k - 1].stop))
                        break;
                    if (tk[k].flags & TOK_CAP) {
                        ok = 1;
                        break;
                    }
                    if (!(tk[k].flags & TOK_PART)) break;
                    k++;
                }
                if (!ok) break;
                j = last = k;
                w = text + tk[k].start;
                wn = tk[k].stop - tk[k].start;
                poss = strip_possessive(w, wn) != wn;
            }
            if (emit(d, text, i, last, sent_first, cov, ncov) < 0) return -1;
            i = last + 1;
        } else {
            i++;
        }
        sent_first = 0;
    }
    return 0;
}

int cr_discover_scan(cr_discover *d, const char *text, size_t len, const cr_span *covered, size_t ncovered) {
    d->ncands = 0;
    d->forms_len = 0;
    if (scan(d, text, len, covered, ncovered) < 0) {
        d->ncands = 0;
        d->forms_len = 0;
        return -1;
    }
    return 0;
}
