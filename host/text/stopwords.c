/* stopwords.c — look-ups in the generated stopword lists. */
#include "stopwords.h"

#include <string.h>

#include "tokenizer.h"

const cr_stopword_list *cr_stopwords(const char *lang) {
    if (!lang) return NULL;
    for (const cr_stopword_list *l = cr_stopword_lists; l->lang; l++)
        if (!strcmp(l->lang, lang)) return l;
    return NULL;
}

/* Compares a NUL-terminated list entry with word[0..len). */
static int cmp_entry(const char *entry, const char *word, size_t len) {
    size_t n = strlen(entry);
    int c = memcmp(entry, word, n < len ? n : len);
    if (c) return c;
    return n < len ? -1 : n > len;
}

static int find(const cr_stopword_list *list, const char *word, size_t len) {
    size_t lo = 0, hi = list->count;
    while (lo < hi) {
        size_t mid = lo + (hi - lo) / 2;
        int c = cmp_entry(list->words[mid], word, len);
        if (c == 0) return 1;
        if (c < 0) lo = mid + 1;
        else hi = mid;
    }
    return 0;
}

int cr_stopwords_has(const cr_stopword_list *list, const char *word, size_t len) {
    if (!list || !word) return 0;
    if (!memchr(word, 0xE2, len) && !memchr(word, 0xCA, len) && !memchr(word, 0xEF, len))
        return find(list, word, len);
    /* Lump apostrophe variants to U+0027, in a bounded copy. */
    char tmp[128];
    size_t o = 0;
    for (size_t i = 0; i < len; ) {
        if (o >= sizeof tmp) return 0; /* longer than any stopword */
        size_t ap = cr_apostrophe_len(word, len, i);
        if (ap) { tmp[o++] = '\''; i += ap; }
        else tmp[o++] = word[i++];
    }
    return find(list, tmp, o);
}
