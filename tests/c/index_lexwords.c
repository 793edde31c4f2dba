/* index_lexwords.c — the words a lexicon's strings hold (lexwords.c) over a
 * small hand-made lexicon: each string's words at a level, the words'
 * totals weighted by the strings' frequencies, the strings holding a word
 * or a prefix, strings that hold no word or several, the check that every
 * string is one token, and an unreadable string. */
#include <stdlib.h>
#include <string.h>

#include "cpos.h"
#include "lexwords.h"
#include "tap.h"

/* A corpus that is only a lexicon of attribute 0, in byte order. */
typedef struct fake {
    cp_corpus c;
    const char *const *strs;
    const uint64_t *freqs;
    cp_id n;
    cp_id broken;   /* the id whose string cannot be read (-1: none) */
} fake;

static cp_id f_size(const cp_corpus *self, int a) {
    (void)a;
    return ((const fake *)self)->n;
}
static const char *f_str(const cp_corpus *self, int a, cp_id id, size_t *len) {
    (void)a;
    const fake *f = (const fake *)self;
    if (id == f->broken) return NULL;
    *len = strlen(f->strs[id]);
    return f->strs[id];
}
static uint64_t f_freq(const cp_corpus *self, int a, cp_id id) {
    (void)a;
    return ((const fake *)self)->freqs[id];
}
static const cp_ops fake_ops = {.lex_size = f_size, .lex_str = f_str, .lex_freq = f_freq};

static const char *const STRS[] = {",", "Iran", "Iran's", "Iran’s", "New York", "don't", "iran", "irate", "the"};
static const uint64_t FREQS[] = {7, 3, 2, 1, 4, 5, 6, 1, 9};
enum { NSTR = sizeof STRS / sizeof *STRS };

static fake make(void) {
    fake f = {{&fake_ops, 0, 1, 0, NULL, NULL, NULL}, STRS, FREQS, NSTR, -1};
    return f;
}

/* The words of string id joined by '|'. */
static const char *words_of(const cr_lexwords *w, size_t id) {
    static char out[256];
    size_t k = 0;
    out[0] = '\0';
    for (uint32_t j = w->off[id]; j < w->off[id + 1]; j++) {
        const cr_centry *e = &w->words.entries[w->wid[j]];
        k += (size_t)snprintf(out + k, sizeof out - k, "%s%s", j > w->off[id] ? "|" : "", e->key);
    }
    return out;
}

static int64_t total(const cr_lexwords *w, const char *word) { return cr_counter_get(&w->words, word, strlen(word)); }

/* The strings holding word as "id*times" pairs. */
static const char *holding(const cr_lexwords *w, const char *word, int prefix) {
    static char out[256];
    cp_id ids[NSTR];
    int64_t times[NSTR];
    size_t n, k = 0;
    out[0] = '\0';
    if (cr_lexwords_holding(w, word, strlen(word), prefix, ids, times, &n) != CP_OK) return "error";
    for (size_t i = 0; i < n; i++)
        k += (size_t)snprintf(out + k, sizeof out - k, "%s%lld*%lld", i ? " " : "", (long long)ids[i],
                              (long long)times[i]);
    return out;
}

int main(void) {
    fake f = make();
    cr_lexwords w;
    cp_id bad;

    is_int(cr_lexwords_build(&w, &f.c, 0, CR_NORM_KEY, 0, &bad), CP_OK, "key: builds");
    is_int(w.nstr, NSTR, "one entry per string");
    is_str(words_of(&w, 0), "", "punctuation holds no word");
    is_str(words_of(&w, 2), "iran", "a possessive's key is the name");
    is_str(words_of(&w, 3), "iran", "so is a typographic apostrophe's");
    is_str(words_of(&w, 4), "new|york", "a string with a space holds two words");
    is_int(cr_lexwords_count(&w, 4), 2, "and counts them");
    is_int(total(&w, "iran"), 3 + 2 + 1 + 6, "a word's total: the frequencies of the strings holding it");
    is_int(total(&w, "york"), 4, "a word of a two-word string");
    is_int(total(&w, ","), 0, "punctuation is no word");
    is_str(holding(&w, "iran", 0), "1*1 2*1 3*1 6*1", "the strings holding a word");
    is_str(holding(&w, "ira", 1), "1*1 2*1 3*1 6*1 7*1", "the strings holding a word with a prefix");
    is_str(holding(&w, "", 1), "1*1 2*1 3*1 4*2 5*1 6*1 7*1 8*1", "the empty prefix: every string with a word, "
                                                                  "as often as it holds words");
    is_str(holding(&w, "absent", 0), "", "a word no string holds");
    is_str(holding(&w, "ira", 0), "", "a prefix is no word");
    cr_lexwords_free(&w);
    cr_lexwords_free(&w);
    ok(1, "freeing twice is harmless");

    is_int(cr_lexwords_build(&w, &f.c, 0, CR_NORM_CASEFOLD, 0, &bad), CP_OK, "casefold: builds");
    is_str(words_of(&w, 2), "iran's", "casefold keeps the possessive");
    is_int(total(&w, "iran"), 3 + 6, "and counts the name apart");
    cr_lexwords_free(&w);

    is_int(cr_lexwords_build(&w, &f.c, 0, CR_NORM_RAW, 1, &bad), LW_ENOTTOKEN,
           "whole: a string of two tokens is refused");
    is_int(bad, 4, "naming its id");
    is_int(w.nstr, 0, "and the structure is left empty");
    cr_lexwords_free(&w);

    static const char *const TOKENS[] = {",", "Iran", "Iran's", "the"};
    f.strs = TOKENS;
    f.n = 4;
    is_int(cr_lexwords_build(&w, &f.c, 0, CR_NORM_RAW, 1, &bad), CP_OK, "whole: the tokeniser's own tokens pass");
    is_str(words_of(&w, 2), "Iran's", "raw keeps the bytes");
    cr_lexwords_free(&w);

    f.broken = 2;
    is_int(cr_lexwords_build(&w, &f.c, 0, CR_NORM_RAW, 0, &bad), CP_EIO, "an unreadable string: CP_EIO");
    is_int(bad, 2, "naming its id");
    cr_lexwords_free(&w);

    f.n = 0;
    is_int(cr_lexwords_build(&w, &f.c, 0, CR_NORM_KEY, 1, &bad), CP_OK, "an empty lexicon builds");
    is_str(holding(&w, "", 1), "", "and holds nothing");
    cr_lexwords_free(&w);
    return tap_done();
}
