/* tok_fastpath.c — the fast paths give what the general paths give: the
 * tokenizer's ASCII word path (cr_tokenizer.fast) against the general path,
 * the short ASCII keys (asciikey.h) against cr_normalize, the decision
 * table of tokfast.h against its definitions, and the counting loop of
 * cr_freq_add_text (which takes the fast paths itself) against counting
 * what the general path gives, on random text built from the characters
 * the rules look at and on Brown files, under many option sets. */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "asciikey.h"
#include "countext.h"
#include "sentbreak.h"
#include "tap.h"
#include "tokenizer.h"
#include "tokfast.h"

static unsigned long long rng = 0x9e3779b97f4a7c15ull;
static unsigned rnd(unsigned n) {
    rng ^= rng << 13;
    rng ^= rng >> 7;
    rng ^= rng << 17;
    return (unsigned)(rng % n);
}

/* Pieces that the word and sentence rules and the tailoring look at. */
static const char *const pieces[] = {
    "a", "b", "Z", "s", "S", "h", "w", "f", "t", "x", "0", "7", "1st", "the", "The", "Iran",
    "http", "https://", "www.", "ftp://", "://", "/", ".", ",", ";", ":", "'", "\xe2\x80\x99",
    "_", "-", "\xe2\x80\x90", "@", "#", "%", "+", "!", "?", "\"", "(", ")", " ", " ", " ", "  ",
    "\t", "\n", "\r\n", "\r", "\xc3\xa9", "e\xcc\x81", "\xe2\x80\x8d", "\xc2\xad", "\xd7\x90",
    "\xe3\x82\xa2", "\xef\xbc\x83", "\xf0\x9f\x98\x80", "\xe2\x80\x80", "\x00", "\xff", "l'",
    "qu'", "U.S.", "e.g.", "co-op", "'s", "\xe2\x80\x99s", "mr.", "Dr. ", "A. ", "x@y.org",
    "12,5", "3.14", "ABCDEFGHIJKLMNOPQRSTU", "abcdefgh", "abcdefghi",
    /* what the counting loop takes without the iterator, and its edges */
    "don't", "rock'n'roll", "80's", "a'", "'b", "well-known", "Well-Known-", "1-2", "x-1", "e-mail",
    "-", "--", ";;", ".;", ".-", ".@", "..", ",,", ":)", "' ", "word:", "x.x", "ABCDEFGHIJKLMNO",
    "abcdefghijklmnop", "ABCDEFGHIJKLMNOPQ", "internationalization", "Mississippi", "HTTP", "www",
    "wt", "ft", "%", "$", "&", "*", "/", "<", "[", "]", "{", "|", "~", "\xe2\x80\x94", "\xcc\x81",
    "     ", "\n\n", "\t", "\v", "\f",
};
#define NPIECES (sizeof pieces / sizeof pieces[0])

static size_t random_text(char *buf, size_t cap) {
    size_t n = 0, want = 1 + rnd((unsigned)cap / 4);
    while (n < want) {
        const char *p = pieces[rnd(NPIECES)];
        size_t l = *p ? strlen(p) : 1; /* "\x00" is one NUL byte */
        if (n + l > cap) break;
        memcpy(buf + n, p, l);
        n += l;
    }
    return n;
}

/* Prose: mostly ASCII words (some long, some capitalised or numbers) with
 * spaces and common punctuation between them, now and then one of the
 * pieces above, so that the counting loop's 64-byte blocks are taken whole
 * and are stopped at every kind of byte and word, at every offset. */
static const char *const prose_words[] = {
    "the", "of", "and", "to", "a", "in", "was", "he", "with", "for", "from", "which", "Fulton", "County",
    "jury", "said", "Friday", "investigation", "Atlanta", "1961", "3", "42nd", "B52", "x", "I", "US",
    "Internationalization", "abcdefghijklmno", "abcdefghijklmnop", "Wt", "hTw", "ftw",
};
static const char *const prose_gaps[] = {
    " ", " ", " ", " ", " ", " ", " ", " ", ", ", ". ", "\n", "\n\n", "\t", " (", ") ", " \"", "\" ",
    "; ", ": ", "! ", "? ", " - ", "--", " ' ", "'", ",", ".", "  ", " $", "% ", " *", "/", "[", "]",
};

static size_t prose_text(char *buf, size_t cap) {
    size_t n = 0, want = 80 + rnd((unsigned)cap - 80);
    while (n < want) {
        const char *p;
        unsigned k = rnd(100);
        if (k < 3) p = pieces[rnd(NPIECES)];
        else if (k < 55) p = prose_words[rnd(sizeof prose_words / sizeof prose_words[0])];
        else p = prose_gaps[rnd(sizeof prose_gaps / sizeof prose_gaps[0])];
        size_t l = *p ? strlen(p) : 1;
        if (n + l > cap) break;
        memcpy(buf + n, p, l);
        n += l;
    }
    return n;
}

static void set_opts(cr_tokenizer_opts *o, unsigned flags) {
    cr_tokenizer_opts_default(o);
    o->tailor = !(flags & 1);
    o->hyphens = (flags & 2) ? CR_HYPHENS_SPLIT : CR_HYPHENS_JOIN;
    o->possessive = (cr_possessive)((flags >> 2) % 3);
    o->elisions = (flags & 16) ? 1 : -1;
    o->spaces = (flags & 32) != 0;
    o->sentences = (flags & 64) != 0;
    o->lang = (flags & 128) ? "fr" : NULL;
    o->urls = !(flags & 256);
    o->emails = !(flags & 512);
}

static cr_buf nb;

/* 1 when the fast and general paths agree on every token, and every short
 * ASCII key equals its normalised form at every level. */
static int same(const char *s, size_t len, const cr_tokenizer_opts *o, size_t *ntok, size_t *nkeys) {
    cr_tokenizer a, b;
    cr_token x, y;
    cr_tokenizer_init(&a, s, len, o);
    cr_tokenizer_init(&b, s, len, o);
    b.fast = 0;
    for (;;) {
        int ra = cr_tokenizer_next(&a, &x), rb = cr_tokenizer_next(&b, &y);
        if (ra != rb) return 0;
        if (!ra) return 1;
        if (x.start != y.start || x.stop != y.stop || x.kind != y.kind || x.sentence != y.sentence) {
            printf("# fast [%zu,%zu) %d, general [%zu,%zu) %d\n", x.start, x.stop, (int)x.kind, y.start,
                   y.stop, (int)y.kind);
            return 0;
        }
        ++*ntok;
        for (int level = CR_NORM_RAW; level <= CR_NORM_KEY; level++) {
            cr_akey k;
            if (!cr_akey_make(&k, s, len, x.start, x.stop, (cr_norm_level)level)) continue;
            char kb[16];
            cr_akey_bytes(&k, kb);
            if (cr_normalize(&nb, s + x.start, x.stop - x.start, (cr_norm_level)level)) return 0;
            if (k.len != nb.len || memcmp(kb, nb.data, nb.len)) {
                printf("# key of [%zu,%zu) at level %d differs\n", x.start, x.stop, level);
                return 0;
            }
            ++*nkeys;
        }
    }
}

/* Sentence boundaries (exact UAX #29) of s and of the same text with every
 * ASCII letter and digit replaced by a non-ASCII character of the same
 * Sentence_Break value, which the ASCII scan of cr_sb_next cannot skip:
 * 1 when they are the same boundaries. */
static int same_sentences(const char *s, size_t len) {
    char *w = malloc(len * 2 + 1);
    size_t *map = malloc((len + 1) * sizeof *map);
    size_t o = 0;
    for (size_t i = 0; i < len; i++) {
        unsigned char c = (unsigned char)s[i];
        map[i] = o;
        if (c >= 'a' && c <= 'z') { w[o++] = (char)0xC3; w[o++] = (char)0xA0; }      /* U+00E0 Lower */
        else if (c >= 'A' && c <= 'Z') { w[o++] = (char)0xC3; w[o++] = (char)0x80; } /* U+00C0 Upper */
        else if (c >= '0' && c <= '9') { w[o++] = (char)0xD9; w[o++] = (char)0xA0; } /* U+0660 Numeric */
        else w[o++] = (char)c;
    }
    map[len] = o;
    int same = 1;
    size_t p = 0, q = 0;
    while (p < len && same) {
        size_t np = cr_sb_next(s, len, p, NULL), nq = cr_sb_next(w, o, q, NULL);
        same = nq == map[np];
        p = np;
        q = nq;
    }
    free(w);
    free(map);
    return same;
}

/* Whether a run of letters and digits ending at i is a whole token, spelled
 * out as tokfast.h states it: the end of the text; an ASCII byte that joins
 * nothing; , ; : ' followed by the end or an ASCII byte that is no letter or
 * digit; a full stop followed likewise, and by none of . _ % + - @. */
static int word_ends_by_definition(const unsigned char *s, size_t len, size_t i) {
    if (i >= len) return 1;
    unsigned char c = s[i];
    if (c >= 0x80) return 0;
    if (!cr_fast_join[c]) return 1;
    if (c != ',' && c != ';' && c != ':' && c != '\'' && c != '.') return 0;
    if (i + 1 >= len) return 1;
    unsigned char d = s[i + 1];
    if (d >= 0x80 || cr_fast_plain[d]) return 0;
    return c != '.' || !d || !strchr("._%+-@", d);
}

/* Every entry of cr_fast_bits against the definitions it encodes, and
 * cr_fast_word_ends (with its branch-free form) against the definition for
 * every byte after a word, last or followed by any byte: the number of
 * disagreements. */
static size_t table_errors(void) {
    size_t bad = 0;
    for (unsigned c = 0; c < 256; c++) {
        int ascii = c < 0x80, alnum = cr_fast_plain[c] != 0;
        int join = ascii && cr_fast_join[c];
        unsigned want = 0;
        if (ascii && !alnum && !join) want |= CR_FAST_ENDS;
        if (c == ',' || c == ';' || c == ':' || c == '\'') want |= CR_FAST_MID;
        if (ascii && !alnum) want |= CR_FAST_NOT_WORD;
        if (ascii && !alnum && !(c && strchr("._%+-@", (int)c))) want |= CR_FAST_DOT_END;
        if (c == '.') want |= CR_FAST_DOT;
        if (c && strchr("hHwWfF", (int)c)) want |= CR_FAST_URL1;
        if (c && strchr("tTwW", (int)c)) want |= CR_FAST_URL2;
        if (ascii && !cr_fast_space((unsigned char)c)) want |= CR_FAST_NEXT_OWN;
        if (c && strchr("!\"$%&'()*+,-./:;<=>?[\\]^`{|}~", (int)c)) want |= CR_FAST_SKIP;
        if (cr_fast_bits[c] != want) {
            printf("# cr_fast_bits[0x%02x] is 0x%03x, not 0x%03x\n", c, cr_fast_bits[c], want);
            bad++;
        }
    }
    unsigned char w[6] = { 'a', 'b', 0, 0, 'x', 'x' };
    for (unsigned c = 0; c < 256; c++) {
        if (cr_fast_plain[c]) continue; /* (not the end of the run) */
        w[2] = (unsigned char)c;
        /* c the last byte of the text, then c followed by each byte d */
        if (cr_fast_word_ends(w, 3, 2) != word_ends_by_definition(w, 3, 2) && bad++ < 5)
            printf("# word end before a final 0x%02x differs\n", c);
        for (unsigned d = 0; d < 256; d++) {
            w[3] = (unsigned char)d;
            int want = word_ends_by_definition(w, sizeof w, 2);
            if ((cr_fast_word_ends_at(w, 2) != (unsigned)want || cr_fast_word_ends(w, sizeof w, 2) != want)
                && bad++ < 5)
                printf("# word end before 0x%02x 0x%02x differs\n", c, d);
        }
    }
    return bad;
}

/* Counts s the plain way: every token of the general path, normalised by
 * cr_normalize, added one by one. */
static int count_plainly(cr_counter *c, const char *s, size_t len, const cr_textopts *o) {
    cr_tokenizer t;
    cr_token tok;
    cr_tokenizer_opts topts = o->tok;
    topts.sentences = 0;
    cr_tokenizer_init(&t, s, len, &topts);
    t.fast = 0;
    while (cr_tokenizer_next(&t, &tok)) {
        if (!(o->kinds & CR_KIND_BIT(tok.kind))) continue;
        if (cr_normalize(&nb, s + tok.start, tok.stop - tok.start, o->level)) return CR_ENOMEM;
        int e = cr_counter_add(c, nb.data ? nb.data : "", nb.len, 1);
        if (e) return e;
    }
    return CR_OK;
}

/* 1 when two counters hold the same keys with the same ids and counts. */
static int same_counts(const cr_counter *a, const cr_counter *b) {
    if (a->size != b->size || a->total != b->total) {
        printf("# %zu types, %lld tokens against %zu, %lld\n", a->size, (long long)a->total, b->size,
               (long long)b->total);
        return 0;
    }
    for (size_t i = 0; i < a->size; i++) {
        const cr_centry *x = &a->entries[i], *y = &b->entries[i];
        size_t n = cr_centry_len(x);
        if (n != cr_centry_len(y) || memcmp(x->key, y->key, n) || x->count != y->count) {
            printf("# id %zu: \"%.*s\" %lld against \"%.*s\" %lld\n", i, (int)n, x->key,
                   (long long)x->count, (int)cr_centry_len(y), y->key, (long long)y->count);
            return 0;
        }
    }
    return 1;
}

/* Counting options of round r: tokenizer options, levels and kinds. */
static void set_textopts(cr_textopts *o, unsigned r) {
    static const unsigned kinds[] = {
        CR_KINDS_WORDS, CR_KIND_BIT(CR_TOK_WORD), CR_KIND_BIT(CR_TOK_NUMBER),
        CR_KINDS_WORDS | CR_KIND_BIT(CR_TOK_PUNCT), ~0u,
        CR_KINDS_WORDS | CR_KIND_BIT(CR_TOK_URL) | CR_KIND_BIT(CR_TOK_ID),
    };
    cr_textopts_default(o);
    set_opts(&o->tok, r);
    o->level = (cr_norm_level)((r >> 10) % 4);
    o->kinds = kinds[(r >> 12) % (sizeof kinds / sizeof kinds[0])];
    if ((r >> 15) % 5 == 0) o->tok.kinds = CR_KIND_BIT(CR_TOK_WORD) | CR_KIND_BIT(CR_TOK_PUNCT);
}

/* The ids of s's tokens the plain way (one segment; by sentence when
 * o->sentences), checked against the segments cr_text_segments gives. */
typedef struct segcheck {
    const uint32_t *want;   /* the plain ids, all segments one after another */
    size_t nwant, at;
    const size_t *ends;     /* where each plain segment ends in want */
    size_t nsegs, seg;
    int bad;
} segcheck;

static int check_segment(void *ud, const uint32_t *ids, size_t n) {
    segcheck *k = ud;
    size_t end = k->seg < k->nsegs ? k->ends[k->seg] : (size_t)-1;
    if (k->seg >= k->nsegs || end - k->at != n || memcmp(ids, k->want + k->at, n * sizeof *ids)) {
        k->bad = 1;
        return 1;
    }
    k->at = end;
    k->seg++;
    return 0;
}

static int same_segments(const char *s, size_t len, const cr_textopts *o) {
    cr_counter a, b;
    cr_counter_init(&a);
    cr_counter_init(&b);
    cr_textscratch sc = { 0 };
    size_t cap = len + 1, n = 0, nsegs = 0;
    uint32_t *ids = malloc(cap * sizeof *ids);
    size_t *ends = malloc(cap * sizeof *ends);
    int same = ids && ends;
    for (int pass = 0; pass < 2 && same; pass++) { /* twice: the cache knows the keys the second time */
        cr_tokenizer t;
        cr_token tok;
        cr_tokenizer_opts topts = o->tok;
        topts.sentences = o->sentences != 0;
        cr_tokenizer_init(&t, s, len, &topts);
        t.fast = 0;
        size_t sentence = 0;
        n = nsegs = 0;
        while (same && cr_tokenizer_next(&t, &tok)) {
            if (!(o->kinds & CR_KIND_BIT(tok.kind))) continue;
            if (o->sentences && tok.sentence != sentence && n) ends[nsegs++] = n;
            sentence = tok.sentence;
            same = !cr_normalize(&nb, s + tok.start, tok.stop - tok.start, o->level);
            int64_t id = same ? cr_counter_intern(&b, nb.data ? nb.data : "", nb.len) : -1;
            same = id >= 0;
            if (same) ids[n++] = (uint32_t)id;
        }
        if (n) ends[nsegs++] = n;
        segcheck k = { ids, n, 0, ends, nsegs, 0, 0 };
        same = same && cr_text_segments(&a, s, len, o, &sc, check_segment, &k) == 0 && !k.bad
               && k.seg == nsegs && a.size == b.size;
    }
    free(ids);
    free(ends);
    cr_textscratch_free(&sc);
    cr_counter_free(&a);
    cr_counter_free(&b);
    return same;
}

/* Counts texts into one counter both ways (so that the key cache carries
 * over from text to text): 1 when they agree after every text. */
static int same_freq(char *const *texts, const size_t *lens, size_t n, const cr_textopts *o) {
    cr_counter a, b;
    cr_counter_init(&a);
    cr_counter_init(&b);
    cr_textscratch sc = { 0 };
    int same = 1;
    for (size_t i = 0; i < n && same; i++) {
        int ea = cr_freq_add_text(&a, texts[i], lens[i], o, &sc);
        int eb = count_plainly(&b, texts[i], lens[i], o);
        same = ea == 0 && eb == 0 && same_counts(&a, &b);
    }
    cr_textscratch_free(&sc);
    cr_counter_free(&a);
    cr_counter_free(&b);
    return same;
}

/* cr_freq_add_text and cr_text_segments (whole, then by sentence, in turn)
 * against the general path on s under the first rounds option sets. */
static int agree(char *s, size_t len, unsigned rounds) {
    int all = 1;
    for (unsigned r = 0; r < rounds; r++) {
        cr_textopts o;
        set_textopts(&o, r * 2654435761u);
        all &= same_freq(&s, &len, 1, &o);
        o.sentences = r & 1;
        all &= same_segments(s, len, &o);
    }
    return all;
}

/* rounds of batch texts made by gen (every small_every-th round's of at
 * most small bytes), each batch counted into one counter, and one of its
 * texts segmented, under the option sets of round * seed, both against the
 * general path: two TAP results named after what. */
static void compare_rounds(const char *what, size_t (*gen)(char *, size_t), unsigned rounds, size_t batch,
                           unsigned small_every, size_t small, unsigned seed) {
    static char text[4096];
    char *texts[8];
    size_t lens[8], bytes = 0, fbad = 0, sbad = 0;
    for (unsigned round = 0; round < rounds; round++) {
        for (size_t i = 0; i < batch; i++) {
            size_t n = gen(text, (round % small_every == 0) ? small : sizeof text);
            texts[i] = malloc(n ? n : 1);
            memcpy(texts[i], text, n);
            lens[i] = n;
            bytes += n;
        }
        cr_textopts o;
        set_textopts(&o, round * seed);
        if (!same_freq(texts, lens, batch, &o) && fbad++ < 5) printf("# %s: counting round %u differs\n", what, round);
        o.sentences = round & 1;
        size_t k = round % batch;
        if (!same_segments(texts[k], lens[k], &o) && sbad++ < 5) printf("# %s: segments round %u differ\n", what, round);
        for (size_t i = 0; i < batch; i++) free(texts[i]);
    }
    is_int(fbad, 0, "%s: cr_freq_add_text counts what the general path gives (%zu bytes)", what, bytes);
    is_int(sbad, 0, "%s: cr_text_segments gives the general path's ids, whole and by sentence", what);
}

static char *slurp(const char *path, size_t *len) {
    FILE *f = fopen(path, "rb");
    if (!f) return NULL;
    size_t cap = 1 << 16, n = 0, r;
    char *buf = malloc(cap);
    while (buf && (r = fread(buf + n, 1, cap - n, f)) > 0) {
        n += r;
        if (n == cap) {
            char *nbuf = realloc(buf, cap *= 2);
            if (!nbuf) { free(buf); buf = NULL; }
            buf = nbuf;
        }
    }
    fclose(f);
    *len = n;
    return buf;
}

int main(void) {
    static char text[4096];
    size_t ntok = 0, nkeys = 0, bad = 0;
    for (int round = 0; round < 20000; round++) {
        /* exact-size copies, so that reading past the end shows under ASan */
        size_t n = random_text(text, sizeof text);
        char *s = malloc(n ? n : 1);
        memcpy(s, text, n);
        cr_tokenizer_opts o;
        set_opts(&o, (unsigned)round);
        if (!same(s, n, &o, &ntok, &nkeys) && bad++ < 5) printf("# round %d differs\n", round);
        free(s);
    }
    size_t sbad = 0;
    for (int round = 0; round < 5000; round++) {
        size_t n = random_text(text, sizeof text);
        char *s = malloc(n ? n : 1);
        memcpy(s, text, n);
        sbad += !same_sentences(s, n);
        free(s);
    }
    is_int(sbad, 0, "random text: sentence boundaries do not depend on the ASCII scan");
    is_int(bad, 0, "random text: the fast paths agree with the general paths (%zu tokens, %zu keys)",
           ntok, nkeys);
    ok(ntok > 100000 && nkeys > 10000, "random text exercised the fast paths");

    is_int(table_errors(), 0, "the fast path's table says what its definitions say");

    /* counting: batches of random texts, sizes around the 32 bytes below
     * which the counting loop leaves everything to the iterator; then prose,
     * where the loop takes 64-byte blocks */
    compare_rounds("random text", random_text, 4000, 6, 3, 64, 2654435761u);
    compare_rounds("prose", prose_text, 3000, 3, 4, 200, 2246822519u);

    const char *root = getenv("CORPUSRUN_ROOT");
    const char *files[] = { "ca01.txt", "cg22.txt", "cj01.txt" };
    char *brown[9] = { 0 };
    size_t brown_len[9] = { 0 };
    for (size_t f = 0; f < 3; f++) {
        char path[4096];
        snprintf(path, sizeof path, "%s/tests/data/load/brown/%s", root ? root : ".", files[f]);
        size_t len = 0;
        char *s = slurp(path, &len);
        if (!ok(s != NULL, "read %s", path)) continue;
        int all = 1;
        ntok = nkeys = 0;
        for (unsigned flags = 0; flags < 1024; flags += 37) {
            cr_tokenizer_opts o;
            set_opts(&o, flags);
            all &= same(s, len, &o, &ntok, &nkeys);
        }
        ok(same_sentences(s, len), "Brown %s: sentence boundaries do not depend on the ASCII scan", files[f]);
        ok(agree(s, len, 48), "Brown %s: cr_freq_add_text and cr_text_segments agree with the general path, "
           "under 48 option sets", files[f]);
        /* the same with every e accented: most words go to the iterator,
         * which then takes the rest of the text */
        char *acc = malloc(2 * len + 1);
        size_t alen = 0;
        for (size_t k = 0; k < len; k++) {
            if (s[k] == 'e') { acc[alen++] = (char)0xC3; acc[alen++] = (char)0xA9; }
            else acc[alen++] = s[k];
        }
        ok(agree(acc, alen, 8), "Brown %s with every e accented: the same counts and ids as the general path",
           files[f]);
        free(acc);
        for (size_t k = 0; k < 3; k++) {
            brown[3 * k + f] = malloc(len);
            memcpy(brown[3 * k + f], s, len);
            brown_len[3 * k + f] = len;
        }
        ok(all, "Brown %s: the fast paths agree with the general paths (%zu tokens, %zu keys)", files[f],
           ntok, nkeys);
        free(s);
    }
    /* one counter through all three files three times: its key cache grows
     * on the way, keeping what it knew */
    int grown = brown[8] != NULL;
    for (unsigned r = 0; r < 8 && grown; r++) {
        cr_textopts o;
        set_textopts(&o, r * 40503u);
        grown &= same_freq(brown, brown_len, 9, &o);
    }
    ok(grown, "Brown: counting file after file into one counter, while its key cache grows");
    for (size_t i = 0; i < 9; i++) free(brown[i]);
    cr_buf_free(&nb);
    return tap_done();
}
