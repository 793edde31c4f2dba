/* countext.c — tokenise, normalise, intern and count, all in C. */
#include "countext.h"

#include <stdlib.h>
#include <string.h>

#include "asciikey.h"
#include "grow.h"
#include "tokfast.h"

/* ---- the key cache --------------------------------------------------------
 * Most tokens are short ASCII words, and a few thousand types make up most of
 * them.  A cache of their keys (asciikey.h: made by cr_akey_make, or by the
 * counting loop while it reads the word) in front of the counter turns the
 * normalisation, the hash of the key bytes and the probe of the counter's
 * table (whose slots, entries and key bytes are three cache misses once the
 * vocabulary is large) into one look-up in a table that stays in the CPU's
 * cache.  Two-way set associative, the most recent first; it grows with the
 * counter's vocabulary up to KC_MAX_BITS (1.5 MB: room for the 48 854 types
 * of Brown, whose tokens missed 9 % of 2^14 slots and 2.5 % of 2^16; 2^17
 * slots would halve those misses and count Brown 5 % faster, but cost 1.5 MB
 * more, which tests/count_rss_types.sh counts against the vocabulary),
 * keeping what it holds, so that small counters stay small.  It holds ids of one counter at one
 * normalisation level; the counter's epoch tells when ids were renumbered. */
#define KC_MIN_BITS 8
#define KC_MAX_BITS 16

typedef struct kc_slot {
    uint64_t k[2];
    uint32_t tag;        /* key length + 1; 0: empty */
    uint32_t id;
} kc_slot;

struct cr_keycache {
    const cr_counter *owner;
    uint64_t epoch;
    cr_norm_level level;
    unsigned bits;       /* 1 << bits slots, in pairs */
    kc_slot slots[];
};

/* The set of a key: multiplicative hashing, whose top bits depend on every
 * bit of the key (the length needs no part in it: the tag tells keys that
 * differ only in trailing NUL bytes apart). */
static inline kc_slot *kc_set(cr_keycache *kc, const cr_akey *key) {
    uint64_t h = key->k[0] * 0x9e3779b97f4a7c15ull ^ key->k[1] * 0xc2b2ae3d27d4eb4full;
    return &kc->slots[(h >> (64 - kc->bits)) & ~(uint64_t)1];
}

/* The cache ready for counter c at level, or NULL (no cache: the general
 * path is taken for every token). */
static cr_keycache *cache_for(cr_textscratch *s, const cr_counter *c, cr_norm_level level) {
    if (!c->epoch) return NULL; /* a counter that was not initialised by cr_counter_init */
    cr_keycache *kc = s->cache;
    unsigned bits = KC_MIN_BITS;
    while (bits < KC_MAX_BITS && ((size_t)1 << bits) < 2 * c->size) bits++;
    if (!kc || kc->bits < bits) {
        cr_keycache *old = kc;
        kc = malloc(sizeof *kc + ((size_t)1 << bits) * sizeof(kc_slot));
        if (!kc) {
            if (!old) return NULL;
            kc = old; /* (the smaller cache still works) */
        } else {
            memset(kc->slots, 0, ((size_t)1 << bits) * sizeof(kc_slot));
            kc->owner = NULL;
            kc->bits = bits;
            if (old && old->owner == c && old->epoch == c->epoch && old->level == level) {
                /* What the old cache knew goes into the new one, so that
                 * growing costs no look-ups in the counter. */
                kc->owner = c;
                kc->epoch = c->epoch;
                kc->level = level;
                for (size_t i = 0; i < ((size_t)1 << old->bits); i += 2) {
                    for (size_t w = 2; w-- > 0;) { /* the less recent of the pair first */
                        const kc_slot *x = &old->slots[i + w];
                        if (!x->tag) continue;
                        cr_akey key = { { x->k[0], x->k[1] }, x->tag - 1 };
                        kc_slot *set = kc_set(kc, &key);
                        set[1] = set[0];
                        set[0] = *x;
                    }
                }
            }
            free(old);
            s->cache = kc;
        }
    }
    if (kc->owner != c || kc->epoch != c->epoch || kc->level != level) {
        memset(kc->slots, 0, ((size_t)1 << kc->bits) * sizeof(kc_slot));
        kc->owner = c;
        kc->epoch = c->epoch;
        kc->level = level;
    }
    return kc;
}

void cr_textscratch_free(cr_textscratch *s) {
    cr_buf_free(&s->norm);
    free(s->ids);
    free(s->starts);
    free(s->stops);
    free(s->idmap);
    free(s->cache);
    memset(s, 0, sizeof *s);
}

/* The id of a short key whose set is set, interned in c on a miss. */
static inline __attribute__((always_inline)) int64_t kc_id_in(cr_counter *c, kc_slot *set, const cr_akey *key) {
    uint32_t tag = key->len + 1;
    if (set[0].tag == tag && set[0].k[0] == key->k[0] && set[0].k[1] == key->k[1]) return set[0].id;
    kc_slot x;
    if (set[1].tag == tag && set[1].k[0] == key->k[0] && set[1].k[1] == key->k[1]) {
        x = set[1];
    } else {
        char bytes[16];
        cr_akey_bytes(key, bytes);
        int64_t id = cr_counter_intern(c, bytes, key->len);
        if (id < 0) return id;
        x = (kc_slot){ { key->k[0], key->k[1] }, tag, (uint32_t)id };
    }
    set[1] = set[0];
    set[0] = x;
    return x.id;
}

/* The id of a short key, interned in c on a miss. */
static inline int64_t kc_id(cr_counter *c, cr_keycache *kc, const cr_akey *key) {
    return kc_id_in(c, kc_set(kc, key), key);
}

/* Room for one more id (and its start, when starts; and its stop, when
 * starts is 2): CR_ENOMEM on failure. */
static __attribute__((noinline)) int grow_ids(cr_textscratch *s, int starts) {
    if (s->nids == s->capids) {
        uint32_t *p = cr_grow(s->ids, &s->capids, s->nids + 1, sizeof *p, 1024);
        if (!p) return CR_ENOMEM;
        s->ids = p;
    }
    if (starts && s->nids == s->capstarts) {
        size_t *p = cr_grow(s->starts, &s->capstarts, s->nids + 1, sizeof *p, 1024);
        if (!p) return CR_ENOMEM;
        s->starts = p;
    }
    if (starts == 2 && s->nids == s->capstops) {
        size_t *p = cr_grow(s->stops, &s->capstops, s->nids + 1, sizeof *p, 1024);
        if (!p) return CR_ENOMEM;
        s->stops = p;
    }
    return CR_OK;
}

static inline int push_id(cr_textscratch *s, uint32_t id) {
    if (s->nids == s->capids && grow_ids(s, 0)) return CR_ENOMEM;
    s->ids[s->nids++] = id;
    return CR_OK;
}

/* An id and where its token starts (s->starts[i] goes with s->ids[i]). */
static inline int push_id_at(cr_textscratch *s, uint32_t id, size_t start) {
    if ((s->nids == s->capids || s->nids == s->capstarts) && grow_ids(s, 1)) return CR_ENOMEM;
    s->starts[s->nids] = start;
    s->ids[s->nids++] = id;
    return CR_OK;
}

/* An id and its token's span. */
static __attribute__((noinline)) int push_id_span(cr_textscratch *s, uint32_t id, size_t start, size_t stop) {
    if ((s->nids == s->capids || s->nids == s->capstarts || s->nids == s->capstops) && grow_ids(s, 2))
        return CR_ENOMEM;
    s->starts[s->nids] = start;
    s->stops[s->nids] = stop;
    s->ids[s->nids++] = id;
    return CR_OK;
}

/* Interns the normalised key of tok (through the cache kc when not NULL). */
static inline int64_t intern_token(cr_counter *vocab, const char *text, size_t len, const cr_token *tok,
                                   cr_norm_level level, cr_textscratch *s, cr_keycache *kc) {
    cr_akey key;
    if (kc && cr_akey_make(&key, text, len, tok->start, tok->stop, level)) return kc_id(vocab, kc, &key);
    if (cr_normalize(&s->norm, text + tok->start, tok->stop - tok->start, level)) return CR_ENOMEM;
    return cr_counter_intern(vocab, s->norm.data ? s->norm.data : "", s->norm.len);
}

/* ---- a text's tokens as ids: cr_freq_add_text, cr_text_segments ----------
 * The tokenizer's fast paths (tokfast.h) are taken here rather than in the
 * iterator, so that the bytes of a short word become its key while they are
 * read, and the iterator is called only for what they do not take.  Each
 * token's id is counted (cr_freq_add_text) or collected in order
 * (cr_text_segments).  The ids are exactly what the iterator alone would
 * give: tests/c/tok_fastpath.c compares the two on random and real text
 * under many options. */

/* What the loop carries: the counter and its cache, the iterator for what
 * the fast paths do not take, and what becomes of the ids. */
typedef struct textrun {
    cr_counter *c;
    cr_keycache *kc;
    cr_tokenizer *t;
    const cr_textopts *o;
    cr_textscratch *sc;
    unsigned want;       /* kinds both taken and returned by the iterator */
    int collect;         /* ids go to sc->ids; else each is counted */
    int starts;          /* (collect) and their tokens' starts to sc->starts,
                            and when 2 their stops to sc->stops */
    int64_t added;       /* tokens counted */
} textrun;

/* One more of id; the caller adds to the counter's total. */
static inline int count_one(cr_counter *c, int64_t id) {
    int64_t n;
    if (__builtin_add_overflow(c->entries[id].count, 1, &n)) return CR_EOVERFLOW;
    c->entries[id].count = n;
    return CR_OK;
}

/* The next token's id: counted, or collected. */
static inline __attribute__((always_inline)) int take_id(textrun *r, int64_t id, size_t start, size_t stop) {
    if (r->collect) {
        if (!r->starts) return push_id(r->sc, (uint32_t)id);
        return r->starts == 1 ? push_id_at(r->sc, (uint32_t)id, start) : push_id_span(r->sc, (uint32_t)id, start, stop);
    }
    int e = count_one(r->c, id);
    if (!e) r->added++;
    return e;
}

/* The token [a, b) of kind, taken. */
static int take_span(textrun *r, size_t a, size_t b, cr_token_kind kind) {
    cr_token tok = { a, b, kind, 0 };
    int64_t id = intern_token(r->c, r->t->text, r->t->len, &tok, r->o->level, r->sc, r->kc);
    return id < 0 ? (int)id : take_id(r, id, a, b);
}

/* One step of the iterator from pos, and the token it split off that one,
 * if any, taken: the position after them, or 0 when no token is left or
 * on failure (*e set). */
static size_t iterator_step(textrun *r, size_t pos, int *e) {
    cr_tokenizer *t = r->t;
    cr_token tok;
    t->pos = pos;
    int more = cr_tokenizer_next(t, &tok);
    while (more) {
        if ((r->o->kinds & CR_KIND_BIT(tok.kind)) && (*e = take_span(r, tok.start, tok.stop, tok.kind)))
            return 0;
        more = t->pend_kind >= 0 && cr_tokenizer_next(t, &tok);
    }
    return t->pos > pos ? t->pos : 0;
}

#if defined(__GNUC__) && __BYTE_ORDER__ == __ORDER_LITTLE_ENDIAN__
#define LEAN_LOOP 1

/* With SSE2 (every x86-64), the first sixteen bytes of a word are classified
 * in one step; elsewhere, and when built with -DCR_NO_SIMD (as one of the
 * unit tests is, so that both are tested here), eight bytes a step with
 * integer arithmetic. */
#if defined(__SSE2__) && !defined(CR_NO_SIMD)
#define LEAN_SSE2 1
#include <emmintrin.h>
/* Sixteen bytes 0xff, then sixteen 0: the sixteen bytes from lean_keep +
 * 16 - n keep the first n bytes of a vector. */
static const unsigned char lean_keep[32] = {
    0xff, 0xff, 0xff, 0xff, 0xff, 0xff, 0xff, 0xff, 0xff, 0xff, 0xff, 0xff, 0xff, 0xff, 0xff, 0xff,
};

/* 0xff in each byte of x that is an ASCII letter, else 0.  (Signed
 * comparisons: bytes from 0x80 on are below every bound.) */
static inline __m128i sse_letters(__m128i x) {
    __m128i f = _mm_or_si128(x, _mm_set1_epi8(0x20)); /* A-Z and a-z, and only they, fold into a-z */
    return _mm_and_si128(_mm_cmpgt_epi8(f, _mm_set1_epi8('a' - 1)), _mm_cmpgt_epi8(_mm_set1_epi8('z' + 1), f));
}

/* The same for ASCII digits. */
static inline __m128i sse_digits(__m128i x) {
    return _mm_and_si128(_mm_cmpgt_epi8(x, _mm_set1_epi8('0' - 1)), _mm_cmpgt_epi8(_mm_set1_epi8('9' + 1), x));
}

/* The short key of the first n bytes (n < 16) of x, whose letters are let:
 * capitals made small when fold. */
static inline void sse_key(__m128i x, __m128i let, unsigned n, uint64_t fold, cr_akey *key) {
    if (fold) x = _mm_or_si128(x, _mm_and_si128(let, _mm_set1_epi8(0x20)));
    __m128i kv = _mm_and_si128(x, _mm_loadu_si128((const __m128i *)(lean_keep + 16 - n)));
    key->k[0] = (uint64_t)_mm_cvtsi128_si64(kv);
    key->k[1] = (uint64_t)_mm_cvtsi128_si64(_mm_unpackhi_epi64(kv, kv));
    key->len = n;
}
#endif

#ifndef LEAN_SSE2
/* ASCII letters and digits among eight bytes (the high bit of each byte
 * says), with the letters among them and the capitals. */
static inline uint64_t alnum8(uint64_t w, uint64_t *letter, uint64_t *upper) {
    uint64_t digit;
    cr_fast_classify8(w, letter, &digit, upper);
    return *letter | digit;
}
#endif

/* Short keys wait in a ring for LEAN_DEPTH words before they are looked up
 * and taken, while their sets come from memory (prefetched).  They are
 * taken in the order of the text, before anything else is, so that new keys
 * get their ids in order of first occurrence as with the iterator, and
 * collected ids come in the text's order. */
#define LEAN_DEPTH 4
typedef struct keyring {
    cr_akey key[LEAN_DEPTH];
    kc_slot *set[LEAN_DEPTH];
    size_t at[LEAN_DEPTH];   /* where each word starts */
    size_t to[LEAN_DEPTH];   /* and ends */
    unsigned first, end;  /* waiting: first .. end - 1, at index % LEAN_DEPTH */
} keyring;

static inline __attribute__((always_inline)) int ring_take_first(textrun *r, keyring *q) {
    unsigned k = q->first++ % LEAN_DEPTH;
    int64_t id = kc_id_in(r->c, q->set[k], &q->key[k]);
    return id < 0 ? (int)id : take_id(r, id, q->at[k], q->to[k]);
}

static inline __attribute__((always_inline)) int ring_push(textrun *r, keyring *q, const cr_akey *key, size_t start, size_t stop) {
    int e;
    if (q->end - q->first == LEAN_DEPTH && (e = ring_take_first(r, q))) return e;
    unsigned k = q->end++ % LEAN_DEPTH;
    q->key[k] = *key;
    q->at[k] = start;
    q->to[k] = stop;
    q->set[k] = kc_set(r->kc, key);
    __builtin_prefetch(q->set[k]);
    return CR_OK;
}

static int ring_drain(textrun *r, keyring *q) {
    int e;
    while (q->first != q->end)
        if ((e = ring_take_first(r, q))) return e;
    return CR_OK;
}

/* Where a word that the iterator makes of several runs of letters and
 * digits ends, in the two common cases taken here: run [.., i) joined by
 * hyphens to further runs (hyphens "join", with a letter on one side of
 * each hyphen at least), and by apostrophes between letters (UAX #29 WB6,
 * WB7) when neither possessives nor elisions split words; the word must end
 * as cr_fast_word_ends says.  0 when it is neither (the iterator decides).
 * left_letter: whether the run has a letter. */
static size_t joined_end(const textrun *r, const unsigned char *s, size_t len, size_t i, int left_letter) {
    const cr_tokenizer_opts *o = &r->t->opts;
    int hyphens = o->tailor && o->hyphens == CR_HYPHENS_JOIN;
    int apostrophes = !o->tailor || (o->possessive == CR_POSSESSIVE_KEEP && !r->t->elide);
    size_t end = i;
    for (;;) {
        if (end + 2 > len) return 0;
        unsigned char c = s[end], next = s[end + 1];
        unsigned acc = 0;
        if (c == '-' && hyphens && cr_fast_plain[next]) {
            size_t k = cr_fast_run(s, len, end + 1, &acc);
            int right_letter = (acc & 1) != 0;
            if (!left_letter && !right_letter) return 0;
            left_letter = right_letter;
            end = k;
        } else if (c == '\'' && apostrophes && cr_fast_plain[next] == 1 && cr_fast_plain[s[end - 1]] == 1) {
            end = cr_fast_run(s, len, end + 1, &acc);
            left_letter = 1;
        } else {
            break;
        }
    }
    if (end == i || end + 2 > len || !cr_fast_word_ends_at(s, end)) return 0;
    return end;
}

/* Where a single space after end goes with what ends there: one past it
 * when an ASCII character that is no white space follows (computed, not
 * branched on). */
static inline size_t past_one_space(const unsigned char *s, size_t end) {
    return end + ((s[end] == ' ') & (cr_fast_bits[s[end + 1]] >> 5));
}

/* ---- sixty-four bytes at a time ------------------------------------------
 * In plain ASCII prose the loop above is bound by latency: each word's end,
 * and so where the next word starts, waits on loads of the word's bytes.  A
 * block of 64 bytes is instead classified at once into bit masks (bit j for
 * byte j): where the runs of letters and digits start and end comes from
 * them with bit operations, and each word's key, look-up and count hang off
 * that short chain, so that several words are under way together.
 *
 * The block goes only as far as its first byte that is not "plain": an
 * ASCII letter or digit, a space, tab or line feed, or a mark the loop skips
 * (CR_FAST_SKIP: ASCII punctuation and symbols but # @ _; with no byte from
 * 0x80 on before the first bad byte, both neighbours of each such mark in it
 * are ASCII).  Between its words there are then only bytes that the loop
 * skips without a token, so taking its words is exactly what the loop would
 * do.  A word that does not end as cr_fast_word_ends says is taken as the
 * loop takes it when it is a hyphen compound or has an apostrophe inside
 * (joined_end).  Any other such word, one too long for a short key, or one
 * that may start a URL stops the block there: the loop takes it. */
typedef struct block_masks {
    uint64_t alnum, letter, plain;
    uint64_t space;   /* space, tab, line feed: a run of letters and digits ends before them */
    uint64_t url;     /* h w f followed by t w, either case: a run starting there may be a URL */
    uint64_t url2;    /* t w, either case */
} block_masks;

#ifdef LEAN_SSE2
static inline void block_part(const unsigned char *s, unsigned k, block_masks *m) {
    __m128i x = _mm_loadu_si128((const __m128i *)s);
    __m128i f = _mm_or_si128(x, _mm_set1_epi8(0x20)); /* A-Z and a-z fold into a-z */
    __m128i let = sse_letters(x), dig = sse_digits(x);
    /* (signed: bytes from 0x80 on are below ' ' + 1) */
    __m128i print = _mm_and_si128(_mm_cmpgt_epi8(x, _mm_set1_epi8(' ')), _mm_cmpgt_epi8(_mm_set1_epi8(0x7f), x));
    __m128i odd = _mm_or_si128(_mm_or_si128(_mm_cmpeq_epi8(x, _mm_set1_epi8('#')), _mm_cmpeq_epi8(x, _mm_set1_epi8('@'))),
                               _mm_cmpeq_epi8(x, _mm_set1_epi8('_')));
    __m128i ws = _mm_or_si128(_mm_or_si128(_mm_cmpeq_epi8(x, _mm_set1_epi8(' ')), _mm_cmpeq_epi8(x, _mm_set1_epi8('\n'))),
                              _mm_cmpeq_epi8(x, _mm_set1_epi8('\t')));
    __m128i w = _mm_cmpeq_epi8(f, _mm_set1_epi8('w'));
    __m128i u1 = _mm_or_si128(_mm_or_si128(_mm_cmpeq_epi8(f, _mm_set1_epi8('h')), _mm_cmpeq_epi8(f, _mm_set1_epi8('f'))), w);
    __m128i u2 = _mm_or_si128(_mm_cmpeq_epi8(f, _mm_set1_epi8('t')), w);
    m->alnum |= (uint64_t)(unsigned)_mm_movemask_epi8(_mm_or_si128(let, dig)) << k;
    m->letter |= (uint64_t)(unsigned)_mm_movemask_epi8(let) << k;
    m->plain |= (uint64_t)(unsigned)_mm_movemask_epi8(_mm_or_si128(_mm_andnot_si128(odd, print), ws)) << k;
    m->space |= (uint64_t)(unsigned)_mm_movemask_epi8(ws) << k;
    m->url |= (uint64_t)(unsigned)_mm_movemask_epi8(u1) << k;
    m->url2 |= (uint64_t)(unsigned)_mm_movemask_epi8(u2) << k;
}

static inline void block_classify(const unsigned char *s, block_masks *m) {
    memset(m, 0, sizeof *m);
    for (unsigned k = 0; k < 64; k += 16) block_part(s + k, k, m);
    m->url &= m->url2 >> 1;
}

/* The short key of the n bytes (n < 16) at s, capitals made small when fold. */
static inline void block_key(const unsigned char *s, unsigned n, uint64_t fold, cr_akey *key) {
    __m128i x = _mm_loadu_si128((const __m128i *)s);
    sse_key(x, sse_letters(x), n, fold, key);
}
#else
static inline void block_classify(const unsigned char *s, block_masks *m) {
    memset(m, 0, sizeof *m);
    for (unsigned k = 0; k < 64; k++) {
        unsigned c = s[k], x = cr_fast_plain[c], b = cr_fast_bits[c];
        uint64_t bit = 1ull << k;
        int space = c == ' ' || c == '\n' || c == '\t';
        if (x) m->alnum |= bit;
        if (x == 1) m->letter |= bit;
        if (x || space || (b & CR_FAST_SKIP)) m->plain |= bit;
        if (space) m->space |= bit;
        if (b & CR_FAST_URL1) m->url |= bit;
        if (b & CR_FAST_URL2) m->url2 |= bit;
    }
    m->url &= m->url2 >> 1;
}

static inline void block_key(const unsigned char *s, unsigned n, uint64_t fold, cr_akey *key) {
    uint64_t w[2], letter, digit, upper;
    memcpy(w, s, 16);
    for (unsigned h = 0; h < 2; h++) {
        cr_fast_classify8(w[h], &letter, &digit, &upper);
        w[h] |= (upper & fold) >> 2;
    }
    unsigned n0 = n < 8 ? n : 8, n1 = n - n0;
    key->k[0] = n0 == 8 ? w[0] : w[0] & ((1ull << (8 * n0)) - 1);
    key->k[1] = n1 ? w[1] & ((1ull << (8 * n1)) - 1) : 0;
    key->len = n;
}
#endif

/* Takes the words of the block at pos (at least pos + 80 <= len, so that
 * key loads stay in the text) as the loop would.  Returns where the loop
 * goes on: the start of the word that stopped the block, or the end of its
 * last word, or pos + 64 when the whole block was plain and the byte after
 * it is ASCII (the loop would have come there with no token on the way).
 * *resume: the position from which a block is worth trying again. */
static size_t block_words(textrun *r, keyring *q, const unsigned char *s, size_t pos, uint64_t fold,
                          unsigned urls, unsigned want, size_t *resume, int *e) {
    block_masks m;
    block_classify(s + pos, &m);
    uint64_t bad = ~m.plain;
    uint64_t valid = bad ? (bad & (0 - bad)) - 1 : ~0ull;  /* the bytes before the first bad one */
    uint64_t starts = m.alnum & ~(m.alnum << 1) & valid;
    uint64_t ends = ~m.alnum & (m.alnum << 1) & (valid | (valid + 1)); /* up to the first bad byte */
    uint64_t url = urls ? m.url : 0;
    int any_kind = (want & CR_KINDS_WORDS) == CR_KINDS_WORDS;
    size_t done = pos;
    *resume = bad ? pos + (size_t)__builtin_ctzll(bad) + 1 : 0;
    while (starts) {
        unsigned a = (unsigned)__builtin_ctzll(starts);
        if (!ends) return pos + a; /* a run on past the block */
        unsigned b = (unsigned)__builtin_ctzll(ends), n = b - a;
        starts &= starts - 1;
        ends &= ends - 1;
        size_t i = pos + b;
        if (n >= 16 || ((url >> a) & 1)) {
            if (*resume < i) *resume = i;
            return pos + a;
        }
        if (!((m.space >> b) & 1) && !cr_fast_word_ends_at(s, i)) {
            /* a hyphen compound or a word with an apostrophe, as the loop
             * would take it; anything else is the loop's */
            size_t end = joined_end(r, s, r->t->len, i, ((m.letter >> a) & ((1u << n) - 1)) != 0);
            if (!end) {
                if (*resume < i) *resume = i;
                return pos + a;
            }
            if (want & CR_KIND_BIT(CR_TOK_WORD)) {
                /* (its key as take_span would make it: a level may strip
                 * a possessive) */
                size_t p = pos + a;
                cr_akey key;
                if (cr_akey_make(&key, (const char *)s, r->t->len, p, end, r->o->level))
                    *e = ring_push(r, q, &key, p, end);
                else if (!(*e = ring_drain(r, q)))
                    *e = take_span(r, p, end, CR_TOK_WORD);
                if (*e) return pos;
            }
            if (end - pos >= 64) return end;
            uint64_t through = (2ull << (end - pos)) - 1; /* the bits up to the word's end */
            starts &= ~through;
            ends &= ~through;
            done = end;
            continue;
        }
        done = i;
        if (!any_kind) {
            cr_token_kind kind = ((m.letter >> a) & ((1u << n) - 1)) ? CR_TOK_WORD : CR_TOK_NUMBER;
            if (!(want & CR_KIND_BIT(kind))) continue;
        }
        cr_akey key;
        block_key(s + pos + a, n, fold, &key);
        if ((*e = ring_push(r, q, &key, pos + a, pos + b))) return pos;
    }
    if (!bad && s[pos + 64] < 0x80) return pos + 64;
    return done;
}

/* When more than one token in LEAN_BYTES_PER_STEP bytes goes to the
 * iterator (text with many non-ASCII words, say), the loop leaves the rest
 * of the text to the iterator: each such token costs a scan here first.
 * (English news and fiction hand on about one in 2 000 bytes.) */
#define LEAN_BYTES_PER_STEP 64

/* Takes the text's tokens up to where fewer than 32 bytes remain (so that
 * its eight-byte reads never pass the end), the common ones with as few
 * branches as natural text allows: words of ASCII letters and digits
 * (their keys made while they are read, looked up through the ring),
 * hyphen compounds and words with apostrophes, white space, and
 * punctuation (not counted: the loop runs only when punctuation and
 * symbols are not).  Returns where it stopped, len when the text is done or
 * on failure (*e set). */
static size_t lean_loop(textrun *r, int *e) {
    const unsigned char *s = (const unsigned char *)r->t->text;
    size_t len = r->t->len, pos = 0;
    if (len < 32) return 0;
    size_t limit = len - 32;
    uint64_t fold = r->o->level >= CR_NORM_CASEFOLD ? ~0ull : 0; /* small capitals in keys */
    unsigned urls = r->t->opts.tailor && r->t->opts.urls;
    unsigned want = r->want;
    keyring q = { .first = 0, .end = 0 };
    size_t handed = 0; /* tokens handed to the iterator */
    size_t block_limit = len - 80, resume = 0; /* (len >= 80: see below) */
    int blocks = len >= 80;
    while (pos < limit) {
        if (blocks && pos <= block_limit && pos >= resume && (pos == 0 || s[pos - 1] < 0x80)) {
            size_t next = block_words(r, &q, s, pos, fold, urls, want, &resume, e);
            if (*e) return len;
            if (next > pos) {
                pos = next;
                continue;
            }
        }
        unsigned ch = s[pos];
        if (cr_fast_plain[ch]) {
            if (urls & (cr_fast_bits[ch] >> 3) & (cr_fast_bits[s[pos + 1]] >> 4)) goto iterator;
            cr_akey key;
            uint64_t has_letter;
            size_t i;
#ifdef LEAN_SSE2
            {
                __m128i x = _mm_loadu_si128((const __m128i *)(s + pos));
                __m128i let = sse_letters(x);
                unsigned lm = (unsigned)_mm_movemask_epi8(let);
                unsigned stop = ~(lm | (unsigned)_mm_movemask_epi8(sse_digits(x))) & 0xffffu;
                if (stop) {
                    unsigned n = (unsigned)__builtin_ctz(stop);
                    sse_key(x, let, n, fold, &key);
                    has_letter = lm & ((1u << n) - 1);
                    i = pos + n;
                } else { /* sixteen bytes or more: no short key */
                    unsigned acc = 0;
                    i = cr_fast_run(s, len, pos + 16, &acc);
                    if (i + 2 > len) goto iterator;
                    has_letter = lm | (acc & 1);
                    key.len = 0;
                }
            }
#else
            uint64_t w0, l0, u0;
            memcpy(&w0, s + pos, 8);
            uint64_t stop = ~alnum8(w0, &l0, &u0) & CR_FAST_HIGH;
            if (stop) {
                unsigned n = (unsigned)__builtin_ctzll(stop) >> 3;
                uint64_t before = (stop & (0 - stop)) - 1; /* the bytes before the stop, and 7 bits */
                key.k[0] = (w0 | ((u0 & fold) >> 2)) & (before >> 7);
                key.k[1] = 0;
                key.len = n;
                has_letter = l0 & before;
                i = pos + n;
            } else {
                uint64_t w1, l1, u1;
                memcpy(&w1, s + pos + 8, 8);
                stop = ~alnum8(w1, &l1, &u1) & CR_FAST_HIGH;
                if (stop) {
                    unsigned n = 8 + ((unsigned)__builtin_ctzll(stop) >> 3);
                    uint64_t before = (stop & (0 - stop)) - 1;
                    key.k[0] = w0 | ((u0 & fold) >> 2);
                    key.k[1] = (w1 | ((u1 & fold) >> 2)) & (before >> 7);
                    key.len = n;
                    has_letter = l0 | (l1 & before);
                    i = pos + n;
                } else { /* sixteen bytes or more: no short key */
                    unsigned acc = 0;
                    i = cr_fast_run(s, len, pos + 16, &acc);
                    if (i + 2 > len) goto iterator;
                    has_letter = l0 | l1 | (acc & 1);
                    key.len = 0;
                }
            }
#endif
            cr_token_kind kind = has_letter ? CR_TOK_WORD : CR_TOK_NUMBER;
            if (!cr_fast_word_ends_at(s, i)) {
                size_t end = joined_end(r, s, len, i, has_letter != 0);
                if (!end) goto iterator;
                if ((want & CR_KIND_BIT(CR_TOK_WORD))
                    && ((*e = ring_drain(r, &q)) || (*e = take_span(r, pos, end, CR_TOK_WORD))))
                    return len;
                pos = past_one_space(s, end);
                continue;
            }
            if (want & CR_KIND_BIT(kind)) {
                if (key.len) *e = ring_push(r, &q, &key, pos, i);
                else if (!(*e = ring_drain(r, &q))) *e = take_span(r, pos, i, kind);
                if (*e) return len;
            }
            pos = past_one_space(s, i);
            continue;
        }
        if (cr_fast_space(ch)) {
            size_t i = pos + 1;
            while (i < len && cr_fast_space(s[i])) i++;
            if (i == len) break;
            if (s[i] >= 0x80) goto iterator; /* the last space may belong to it */
            pos = i;
            continue;
        }
        if ((cr_fast_bits[ch] & CR_FAST_SKIP) && (pos == 0 || s[pos - 1] < 0x80) && s[pos + 1] < 0x80) {
            pos = past_one_space(s, pos + 1);
            continue;
        }
    iterator:
        if ((*e = ring_drain(r, &q))) return len;
        if (++handed >= 64 && handed * LEAN_BYTES_PER_STEP > pos)
            return pos; /* text this loop mostly hands on: the iterator alone is faster */
        pos = iterator_step(r, pos, e);
        if (!pos) return len;
    }
    if ((*e = ring_drain(r, &q))) return len;
    return pos < limit ? len : pos;
}
#endif

/* Takes every token of r's text: the lean loop where it can, then the
 * iterator. */
static int run_text(textrun *r) {
    int e = CR_OK;
    size_t pos = 0;
#ifdef LEAN_LOOP
    /* (punctuation and symbols are taken only through the iterator) */
    if (r->kc && r->t->skip_ws && r->t->fast
        && !(r->want & (CR_KIND_BIT(CR_TOK_PUNCT) | CR_KIND_BIT(CR_TOK_SYMBOL))))
        pos = lean_loop(r, &e);
#endif
    while (!e && pos < r->t->len && (pos = iterator_step(r, pos, &e)) != 0) {}
    return e;
}

int cr_freq_add_text(cr_counter *c, const char *text, size_t len, const cr_textopts *o,
                     cr_textscratch *s) {
    cr_tokenizer_opts topts = o->tok;
    topts.sentences = 0;
    cr_tokenizer t;
    cr_tokenizer_init(&t, text, len, &topts);
    textrun r = { c, cache_for(s, c, o->level), &t, o, s, o->kinds & t.kinds, 0, 0, 0 };
    int e = run_text(&r);
    int64_t total;
    if (__builtin_add_overflow(c->total, r.added, &total)) return e ? e : CR_EOVERFLOW;
    c->total = total;
    return e;
}

/* By sentence, on the fast paths: the text's ids and their tokens' starts
 * first, then cut where the sentences end.  A token belongs to the sentence
 * in which it starts, as the iterator says (cr_tokenizer_next), and segments
 * without a counted token are skipped, as there. */
static int segments_by_sentence_fast(cr_counter *vocab, const char *text, size_t len, const cr_textopts *o,
                                     cr_textscratch *s, cr_keycache *kc, cr_segment_fn fn, void *ud) {
    cr_tokenizer_opts topts = o->tok;
    topts.sentences = 0;
    cr_tokenizer t;
    cr_tokenizer_init(&t, text, len, &topts);
    textrun r = { vocab, kc, &t, o, s, o->kinds & t.kinds, 1, 1, 0 };
    s->nids = 0;
    int e = run_text(&r);
    size_t n = s->nids, first = 0;
    size_t end = len > 0 ? cr_tokenizer_sentence_end(&t, 0) : 0;
    for (size_t i = 0; !e && i < n; i++) {
        if (s->starts[i] < end || end >= len) continue;
        if (i > first) e = fn(ud, s->ids + first, i - first);
        first = i;
        while (s->starts[i] >= end && end < len) end = cr_tokenizer_sentence_end(&t, end);
    }
    if (!e && n > first) e = fn(ud, s->ids + first, n - first);
    s->nids = 0;
    return e;
}

/* By sentence: each token's sentence from the iterator. */
static int segments_by_sentence(cr_counter *vocab, const char *text, size_t len, const cr_textopts *o,
                                cr_textscratch *s, cr_segment_fn fn, void *ud) {
    cr_tokenizer_opts topts = o->tok;
    topts.sentences = 1;
    cr_tokenizer t;
    cr_tokenizer_init(&t, text, len, &topts);
    cr_token tok;
    size_t sentence = 0;
    int e;
    cr_keycache *kc = cache_for(s, vocab, o->level);
#ifdef LEAN_LOOP
    if (kc && t.skip_ws && t.fast && !(o->kinds & t.kinds & (CR_KIND_BIT(CR_TOK_PUNCT) | CR_KIND_BIT(CR_TOK_SYMBOL))))
        return segments_by_sentence_fast(vocab, text, len, o, s, kc, fn, ud);
#endif
    s->nids = 0;
    while (cr_tokenizer_next(&t, &tok)) {
        if (!(o->kinds & CR_KIND_BIT(tok.kind))) continue;
        if (tok.sentence != sentence) {
            if (s->nids && (e = fn(ud, s->ids, s->nids))) return e;
            s->nids = 0;
            sentence = tok.sentence;
        }
        int64_t id = intern_token(vocab, text, len, &tok, o->level, s, kc);
        if (id < 0) return (int)id;
        if ((e = push_id(s, (uint32_t)id))) return e;
    }
    if (s->nids && (e = fn(ud, s->ids, s->nids))) return e;
    s->nids = 0;
    return CR_OK;
}

int cr_text_segments(cr_counter *vocab, const char *text, size_t len, const cr_textopts *o,
                     cr_textscratch *s, cr_segment_fn fn, void *ud) {
    if (o->sentences) return segments_by_sentence(vocab, text, len, o, s, fn, ud);
    cr_tokenizer_opts topts = o->tok;
    topts.sentences = 0;
    cr_tokenizer t;
    cr_tokenizer_init(&t, text, len, &topts);
    textrun r = { vocab, cache_for(s, vocab, o->level), &t, o, s, o->kinds & t.kinds, 1, 0, 0 };
    s->nids = 0;
    int e = run_text(&r);
    if (!e && s->nids) e = fn(ud, s->ids, s->nids);
    s->nids = 0;
    return e;
}

int cr_text_spans(cr_counter *vocab, const char *text, size_t len, const cr_textopts *o, cr_textscratch *s) {
    cr_tokenizer_opts topts = o->tok;
    topts.sentences = 0;
    cr_tokenizer t;
    cr_tokenizer_init(&t, text, len, &topts);
    textrun r = { vocab, cache_for(s, vocab, o->level), &t, o, s, o->kinds & t.kinds, 1, 2, 0 };
    s->nids = 0;
    return run_text(&r);
}

static int cmp_u32(const void *a, const void *b) {
    uint32_t x = *(const uint32_t *)a, y = *(const uint32_t *)b;
    return x < y ? -1 : x > y;
}

static int df_segment(void *ud, const uint32_t *ids, size_t n) {
    cr_counter *c = ud;
    uint32_t *v = (uint32_t *)ids; /* the scratch array, ours to reorder */
    if (n > 1) qsort(v, n, sizeof *v, cmp_u32); /* ids is NULL for no token */
    for (size_t i = 0; i < n; i++) {
        if (i && v[i] == v[i - 1]) continue;
        cr_centry *e = &c->entries[v[i]];
        if (__builtin_add_overflow(e->count, 1, &e->count)) return CR_EOVERFLOW;
    }
    return CR_OK;
}

int cr_df_add_text(cr_counter *c, const char *text, size_t len, const cr_textopts *o,
                   cr_textscratch *s) {
    cr_textopts whole = *o;
    whole.sentences = 0;
    int e = cr_text_segments(c, text, len, &whole, s, df_segment, c);
    if (e) return e;
    if (__builtin_add_overflow(c->total, 1, &c->total)) return CR_EOVERFLOW;
    return CR_OK;
}

static int ngrams_segment(void *ud, const uint32_t *ids, size_t n) {
    return cr_ngrams_feed(ud, ids, n);
}

int cr_ngrams_add_text(cr_ngrams *g, const char *text, size_t len, const cr_textopts *o,
                       cr_textscratch *s) {
    return cr_text_segments(&g->vocab, text, len, o, s, ngrams_segment, g);
}

static int cooc_segment(void *ud, const uint32_t *ids, size_t n) {
    return cr_cooc_feed(ud, ids, n);
}

int cr_cooc_add_text(cr_cooc *c, const char *text, size_t len, const cr_textopts *o,
                     cr_textscratch *s) {
    cr_textopts so = *o;
    if (c->mode == CR_COOC_SENTENCE) so.sentences = 1;
    else if (c->mode == CR_COOC_DOCUMENT) so.sentences = 0;
    return cr_text_segments(&c->vocab, text, len, &so, s, cooc_segment, c);
}

/* cr_cooc_add_text_counting: the pairs go to the cooc, each token's word to
 * a word counter too, through a map from the cooc's ids to the counter's. */
typedef struct counting {
    cr_cooc *c;
    cr_counter *f;
    cr_textscratch *s;
    int64_t added;
} counting;

static int map_reserve(cr_textscratch *s, size_t need) {
    if (need <= s->idmap_n) return CR_OK;
    size_t cap = s->idmap_n;
    uint32_t *m = cr_grow(s->idmap, &cap, need, sizeof *m, 1024);
    if (!m) return CR_ENOMEM;
    memset(m + s->idmap_n, 0xff, (cap - s->idmap_n) * sizeof *m);
    s->idmap = m;
    s->idmap_n = cap;
    return CR_OK;
}

static int counting_segment(void *ud, const uint32_t *ids, size_t n) {
    counting *k = ud;
    const cr_counter *v = &k->c->vocab;
    int e = map_reserve(k->s, v->size);
    if (e) return e;
    uint32_t *map = k->s->idmap;
    for (size_t i = 0; i < n; i++) {
        uint32_t id = ids[i];
        if (map[id] == UINT32_MAX) {
            const cr_centry *w = &v->entries[id];
            int64_t fid = cr_counter_intern(k->f, w->key, cr_centry_len(w));
            if (fid < 0) return (int)fid;
            map[id] = (uint32_t)fid;
        }
        if ((e = count_one(k->f, map[id]))) return e;
    }
    k->added += (int64_t)n;
    return cr_cooc_feed(k->c, ids, n);
}

int cr_cooc_add_text_counting(cr_cooc *c, cr_counter *f, const char *text, size_t len, const cr_textopts *o,
                              cr_textscratch *s) {
    if (f == &c->vocab) return CR_EINVAL;
    if (s->idmap_from != c->vocab.epoch || s->idmap_to != f->epoch) {
        if (s->idmap_n) memset(s->idmap, 0xff, s->idmap_n * sizeof *s->idmap);
        s->idmap_from = c->vocab.epoch;
        s->idmap_to = f->epoch;
    }
    cr_textopts so = *o;
    if (c->mode == CR_COOC_SENTENCE) so.sentences = 1;
    else if (c->mode == CR_COOC_DOCUMENT) so.sentences = 0;
    counting k = { c, f, s, 0 };
    int e = cr_text_segments(&c->vocab, text, len, &so, s, counting_segment, &k);
    if (__builtin_add_overflow(f->total, k.added, &f->total)) return e ? e : CR_EOVERFLOW;
    return e;
}
