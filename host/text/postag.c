/* postag.c — averaged-perceptron part-of-speech tagger (see postag.h). */
#include "postag.h"
#include "grow.h"
#include "pathpolicy.h"
#include "sha256.h"

#include <errno.h>
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <math.h>
#if defined(__SSE2__) && !defined(CR_NO_SIMD)
#include <emmintrin.h>
#define POSTAG_SSE2 1
#endif

#define MAGIC "CRPOSTG1"
/* version 2: the payload check is payload_check's 8 bytes at 32 (version 1
 * had the payload's SHA-256 there); feature slots at most 3/4 full */
#define MODEL_VERSION 2
#define HEADER_BYTES 64
#define NFEAT 30            /* features of one token at most */
#define DICT_MIN_COUNT 20   /* a word goes to the tag dictionary when seen */
#define DICT_MIN_SHARE 0.97 /* this often, with one tag this share of the time */
#define PRUNE 0.8f          /* averaged weights smaller than this are dropped */

static void seterr(char *err, size_t errlen, const char *fmt, ...) {
    if (!err || !errlen) return;
    va_list ap;
    va_start(ap, fmt);
    vsnprintf(err, errlen, fmt, ap);
    va_end(ap);
}

/* ---- hashing --------------------------------------------------------------- */
static inline uint64_t mix64(uint64_t x) {
    x ^= x >> 30;
    x *= 0xbf58476d1ce4e5b9ULL;
    x ^= x >> 27;
    x *= 0x94d049bb133111ebULL;
    x ^= x >> 31;
    return x;
}

static uint64_t hash_bytes(const char *s, size_t len, int lower) {
    uint64_t h = 0xcbf29ce484222325ULL;
    for (size_t i = 0; i < len; i++) {
        unsigned char c = (unsigned char)s[i];
        if (lower && c >= 'A' && c <= 'Z') c = (unsigned char)(c + 32);
        h = (h ^ c) * 0x100000001b3ULL;
    }
    return mix64(h ^ len);
}

static inline uint64_t feat(unsigned tpl, uint64_t a, uint64_t b) {
    uint64_t k = mix64(((uint64_t)tpl << 56) ^ a ^ 0x9e3779b97f4a7c15ULL);
    k = mix64(k ^ b);
    return k ? k : 1; /* 0 marks an empty slot */
}

/* ---- per-token properties -------------------------------------------------- */
typedef struct tokinfo {
    uint64_t w;           /* the word lowercased, or its number class */
    uint64_t raw;         /* the word as written */
    uint64_t suf[4], pre[3];
    uint64_t shape;
    unsigned flags;
} tokinfo;

enum { F_UPPER1 = 1, F_ALLUPPER = 2, F_DIGIT = 4, F_HYPHEN = 8, F_FIRST = 16 };

static int is_upper(unsigned char c) { return c >= 'A' && c <= 'Z'; }
static int is_lower(unsigned char c) { return c >= 'a' && c <= 'z'; }
static int is_digit(unsigned char c) { return c >= '0' && c <= '9'; }

/* Start of the k-th last UTF-8 character of s[0..len), at most len. */
static size_t utf8_back(const char *s, size_t len, int k) {
    size_t i = len;
    while (k-- > 0 && i > 0) {
        i--;
        while (i > 0 && ((unsigned char)s[i] & 0xC0) == 0x80) i--;
    }
    return i;
}

static size_t utf8_fwd(const char *s, size_t len, int k) {
    size_t i = 0;
    while (k-- > 0 && i < len) {
        i++;
        while (i < len && ((unsigned char)s[i] & 0xC0) == 0x80) i++;
    }
    return i;
}

/* w[0..len) with each typographic apostrophe (U+2019) made ' into buf (of
 * cap bytes), as Brown writes it (regime’s, don’t); w itself when it has
 * none or is too long. */
static const char *straight_apostrophes(const char *w, size_t *len, char *buf, size_t cap) {
    size_t n = *len, o = 0;
    int any = 0;
    for (size_t i = 0; i + 2 < n && !any; i++)
        any = (unsigned char)w[i] == 0xE2 && (unsigned char)w[i + 1] == 0x80 && (unsigned char)w[i + 2] == 0x99;
    if (!any || n > cap) return w;
    for (size_t i = 0; i < n; i++) {
        if (i + 2 < n && (unsigned char)w[i] == 0xE2 && (unsigned char)w[i + 1] == 0x80 &&
            (unsigned char)w[i + 2] == 0x99) {
            buf[o++] = '\'';
            i += 2;
        } else {
            buf[o++] = w[i];
        }
    }
    *len = o;
    return buf;
}

static void token_info(const postag_word *wd, int first, tokinfo *t) {
    size_t len = wd->len;
    char buf[256];
    const char *s = straight_apostrophes(wd->s, &len, buf, sizeof buf);
    unsigned flags = first ? F_FIRST : 0;
    size_t nupper = 0, nalpha = 0;
    /* the shape: X x d or the byte itself, runs collapsed, at most 8 */
    char shape[8] = {0};
    size_t ns = 0;
    char last = 0;
    for (size_t i = 0; i < len; i++) {
        unsigned char c = (unsigned char)s[i];
        char k;
        if (is_upper(c)) k = 'X', nupper++, nalpha++;
        else if (is_lower(c)) k = 'x', nalpha++;
        else if (is_digit(c)) k = 'd', flags |= F_DIGIT;
        else if (c >= 0x80) k = 'u';
        else k = (char)c;
        if (c == '-') flags |= F_HYPHEN;
        if (k != last && ns < sizeof shape) shape[ns++] = k;
        last = k;
    }
    if (len && is_upper((unsigned char)s[0])) flags |= F_UPPER1;
    if (nalpha > 1 && nupper == nalpha) flags |= F_ALLUPPER;
    t->flags = flags;
    t->shape = hash_bytes(shape, ns, 0);
    t->raw = hash_bytes(s, len, 0);
    if (len && is_digit((unsigned char)s[0])) {
        int year = len == 4 && is_digit((unsigned char)s[1]) && is_digit((unsigned char)s[2]) &&
                   is_digit((unsigned char)s[3]);
        t->w = year ? 0x5945415259454152ULL : t->shape ^ 0x4449474954534449ULL;
    } else {
        t->w = hash_bytes(s, len, 1);
    }
    for (int k = 0; k < 4; k++) {
        size_t b = utf8_back(s, len, k + 1);
        t->suf[k] = hash_bytes(s + b, len - b, 1);
    }
    for (int k = 0; k < 3; k++) t->pre[k] = hash_bytes(s, utf8_fwd(s, len, k + 1), 1);
}

static const tokinfo PAD_BEFORE = {0x1111, 0x1111, {0x1111, 0x1111, 0x1111, 0x1111},
                                   {0x1111, 0x1111, 0x1111}, 0x1111, 0};
static const tokinfo PAD_AFTER = {0x2222, 0x2222, {0x2222, 0x2222, 0x2222, 0x2222},
                                  {0x2222, 0x2222, 0x2222}, 0x2222, 0};

#define TAG_START1 0xFFF1u
#define TAG_START2 0xFFF2u

/* The features of token i given the previous two tags, in the trainer's
 * order; returns their count.  The tagger takes the same features from
 * the dense rows (0, 12, 27), word_features and context_features. */
static int context_features(const tokinfo *ti, size_t n, size_t i, unsigned p1, unsigned p2, uint64_t *f);

static int features(const tokinfo *ti, size_t n, size_t i, unsigned p1, unsigned p2, uint64_t *f) {
    const tokinfo *w = &ti[i];
    int k = 0;
    f[k++] = feat(0, 0, 0);
    f[k++] = feat(1, w->w, 0);
    f[k++] = feat(2, w->raw, 0);
    for (int j = 0; j < 4; j++) f[k++] = feat(3 + (unsigned)j, w->suf[j], 0);
    for (int j = 0; j < 3; j++) f[k++] = feat(7 + (unsigned)j, w->pre[j], 0);
    f[k++] = feat(10, w->shape, 0);
    f[k++] = feat(11, w->flags, 0);
    f[k++] = feat(12, p1, 0);
    k += context_features(ti, n, i, p1, p2, f + k);   /* 13 .. 25 */
    f[k++] = feat(26, w->flags, w->suf[1]);
    f[k++] = feat(27, p2, 0);
    return k;
}

/* ---- Brown tags ------------------------------------------------------------ */
int postag_brown_base(const char *tag, size_t len, char *out) {
    char buf[64];
    if (len == 0 || len >= sizeof buf) return 0;
    for (size_t i = 0; i < len; i++) {
        unsigned char c = (unsigned char)tag[i];
        buf[i] = (char)(is_upper(c) ? c + 32 : c);
    }
    buf[len] = 0;
    for (;;) {
        size_t l = strlen(buf);
        if (l > 3 && (!strcmp(buf + l - 3, "-tl") || !strcmp(buf + l - 3, "-hl") ||
                      !strcmp(buf + l - 3, "-nc")))
            buf[l - 3] = 0;
        else
            break;
    }
    size_t l = strlen(buf);
    if (l == 0 || l >= POSTAG_TAG_BYTES) return 0;
    memcpy(out, buf, l + 1);
    return 1;
}

/* The first component of a base tag, without fw-, $ and the negation *. */
static void brown_head(const char *tag, char *out, size_t outlen) {
    if (!strncmp(tag, "fw-", 3)) tag += 3;
    size_t l = strcspn(tag, "+");
    if (l == 0) l = strlen(tag); /* "+" alone, if ever */
    while (l > 1 && (tag[l - 1] == '$' || tag[l - 1] == '*')) l--;
    if (l >= outlen) l = outlen - 1;
    memcpy(out, tag, l);
    out[l] = 0;
}

typedef struct tagmap { const char *brown, *upos, *univ; } tagmap;
/* Heads of Brown tags, in the order they are tried: an entry ending in '.'
 * matches every head it begins (vb.: vb, vbd, vbg, ...). */
static const tagmap TAGMAP[] = {
    {"nps", "PROPN", "NOUN"}, {"np", "PROPN", "NOUN"}, {"nn.", "NOUN", "NOUN"},
    {"nr.", "NOUN", "NOUN"},  {"vb.", "VERB", "VERB"}, {"be.", "AUX", "VERB"},
    {"hv.", "AUX", "VERB"},   {"do.", "AUX", "VERB"},  {"md", "AUX", "VERB"},
    {"jj.", "ADJ", "ADJ"},    {"od", "ADJ", "ADJ"},    {"cd", "NUM", "NUM"},
    {"rp", "ADP", "PRT"},     {"rb.", "ADV", "ADV"},   {"rn", "ADV", "ADV"},
    {"ql.", "ADV", "ADV"},    {"wrb", "ADV", "ADV"},   {"wql", "ADV", "ADV"},
    {"abl", "ADV", "ADV"},    {"abn", "DET", "DET"},   {"abx", "DET", "DET"},
    {"at", "DET", "DET"},     {"ap", "DET", "DET"},    {"dt.", "DET", "DET"},
    {"wdt", "DET", "DET"},    {"ex", "PRON", "DET"},   {"pn", "PRON", "PRON"},
    {"pp.", "PRON", "PRON"},  {"wp.", "PRON", "PRON"}, {"in", "ADP", "ADP"},
    {"cc", "CCONJ", "CONJ"},  {"cs", "SCONJ", "CONJ"}, {"to", "PART", "PRT"},
    {"*", "PART", "ADV"},     {"uh", "INTJ", "X"},     {"nil", "X", "X"},
};

static const tagmap *brown_map(const char *tag) {
    char head[POSTAG_TAG_BYTES];
    brown_head(tag, head, sizeof head);
    for (size_t i = 0; i < sizeof TAGMAP / sizeof TAGMAP[0]; i++) {
        const char *b = TAGMAP[i].brown;
        size_t bl = strlen(b);
        if (b[bl - 1] == '.' ? !strncmp(head, b, bl - 1) : !strcmp(head, b)) return &TAGMAP[i];
    }
    return NULL;
}

static int is_punct_tag(const char *tag) {
    for (const char *p = tag; *p; p++)
        if ((*p >= 'a' && *p <= 'z') || *p == '*') return 0;
    return 1;
}

const char *postag_brown_upos(const char *tag) {
    if (!strncmp(tag, "fw-", 3)) return "X";
    if (is_punct_tag(tag)) return "PUNCT";
    const tagmap *m = brown_map(tag);
    return m ? m->upos : "X";
}

const char *postag_brown_univ12(const char *tag) {
    if (!strncmp(tag, "fw-", 3)) return "X";
    if (is_punct_tag(tag)) return ".";
    const tagmap *m = brown_map(tag);
    return m ? m->univ : "X";
}

/* ---- the model ------------------------------------------------------------- */
typedef struct slot {
    uint64_t key;
    uint32_t start, n;
} slot;

typedef struct entry {
    uint16_t tag, zero;
    float w;
} entry;

typedef struct dslot {
    uint64_t key;
    uint32_t tag1, pad; /* tag + 1; 0: empty */
} dslot;

struct postag_model {
    unsigned char *bytes;
    size_t len;
    uint32_t ntags, nslots, nentries, ndict;
    const char (*tags)[POSTAG_TAG_BYTES];
    const slot *slots;
    const dslot *dict;
    const entry *ent;
    char checksum[65];
    const char *upos[POSTAG_MAX_TAGS];
    /* (ntags + 2) rows of stride weights, a row per previous tag (then the
     * two sentence starts): bias + p1 features, and p2 features; the stride
     * is ntags rounded up to a multiple of 4, and ctx1's extra columns hold
     * -inf, so that no padding column ever wins */
    float *ctx1, *ctx2;
    uint32_t stride;
};

static uint32_t rd32(const unsigned char *p) {
    return (uint32_t)p[0] | (uint32_t)p[1] << 8 | (uint32_t)p[2] << 16 | (uint32_t)p[3] << 24;
}

static uint64_t rd64(const unsigned char *p) { return (uint64_t)rd32(p) | (uint64_t)rd32(p + 4) << 32; }

/* The check of a model's payload against damage (not against tampering:
 * the SHA-256 of the whole file, computed when asked, names a model).
 * Four lanes of 8-byte words, each multiplied and folded, then the tail
 * bytes and the length: about one instruction a byte, a few milliseconds
 * for a model, where checking a SHA-256 on every load took 10-15 ms with
 * the processor's SHA instructions and half a second without them. */
static uint64_t payload_check(const unsigned char *p, size_t n) {
    const uint64_t k = 0x9e3779b97f4a7c15ULL;
    uint64_t h[4] = {1, 2, 3, 4};
    size_t i = 0;
    for (; i + 32 <= n; i += 32)
        for (int j = 0; j < 4; j++) {
            h[j] = (h[j] ^ rd64(p + i + 8 * (size_t)j)) * k;
            h[j] ^= h[j] >> 29;
        }
    uint64_t x = mix64(h[0]) ^ mix64(h[1] + k) ^ mix64(h[2] + 2 * k) ^ mix64(h[3] + 3 * k);
    for (; i < n; i++) x = (x ^ p[i]) * k;
    return mix64(x ^ (uint64_t)n);
}

void postag_model_seal(unsigned char *b, size_t len) {
    if (len < HEADER_BYTES) return;
    uint64_t c = payload_check(b + HEADER_BYTES, len - HEADER_BYTES);
    for (int i = 0; i < 8; i++) b[32 + i] = (unsigned char)(c >> (8 * i));
}

static size_t pad8(size_t n) { return (n + 7) & ~(size_t)7; }

static int little_endian(void) {
    const uint16_t one = 1;
    unsigned char b;
    memcpy(&b, &one, 1);
    return b == 1;
}

void postag_model_free(postag_model *m) {
    if (!m) return;
    free(m->ctx1);
    free(m->ctx2);
    free(m->bytes);
    free(m);
}

static int is_pow2(uint32_t x) { return x && !(x & (x - 1)); }

static const slot *feat_lookup(const postag_model *m, uint64_t key);

static unsigned ctx_tag(const postag_model *m, uint32_t row) {
    return row < m->ntags ? row : row == m->ntags ? TAG_START1 : TAG_START2;
}

static void add_feature(const postag_model *m, uint64_t key, float *row) {
    const slot *s = feat_lookup(m, key);
    if (!s) return;
    for (uint32_t j = 0; j < s->n; j++) row[m->ent[s->start + j].tag] += m->ent[s->start + j].w;
}

/* The dense tables of the features of the previous tags alone. */
static int context_tables(postag_model *m) {
    size_t rows = (size_t)m->ntags + 2;
    m->stride = (m->ntags + 3) & ~3u;
    m->ctx1 = calloc(rows * m->stride, sizeof(float));
    m->ctx2 = calloc(rows * m->stride, sizeof(float));
    if (!m->ctx1 || !m->ctx2) return -1;
    for (uint32_t r = 0; r < rows; r++) {
        unsigned t = ctx_tag(m, r);
        float *row1 = m->ctx1 + (size_t)r * m->stride;
        add_feature(m, feat(0, 0, 0), row1);
        add_feature(m, feat(12, t, 0), row1);
        add_feature(m, feat(27, t, 0), m->ctx2 + (size_t)r * m->stride);
        for (uint32_t j = m->ntags; j < m->stride; j++) row1[j] = -INFINITY;
    }
    return 0;
}

static int model_parse(postag_model *m, char *err, size_t errlen) {
    const unsigned char *b = m->bytes;
    size_t len = m->len;
    if (len < HEADER_BYTES || memcmp(b, MAGIC, 8) != 0) {
        seterr(err, errlen, "not a tagger model (no %s header)", MAGIC);
        return -1;
    }
    if (rd32(b + 8) != MODEL_VERSION) {
        seterr(err, errlen, "tagger model version %u, expected %u (`make tagger-model` builds it anew)",
               (unsigned)rd32(b + 8), (unsigned)MODEL_VERSION);
        return -1;
    }
    if (!little_endian()) {
        seterr(err, errlen, "tagger models load on little-endian machines only");
        return -1;
    }
    if (rd64(b + 32) != payload_check(b + HEADER_BYTES, len - HEADER_BYTES)) {
        seterr(err, errlen, "tagger model checksum mismatch (damaged file)");
        return -1;
    }
    m->ntags = rd32(b + 12);
    m->nslots = rd32(b + 16);
    m->nentries = rd32(b + 20);
    m->ndict = rd32(b + 24);
    if (m->ntags == 0 || m->ntags > POSTAG_MAX_TAGS || !is_pow2(m->nslots) || !is_pow2(m->ndict) ||
        m->nslots > (1u << 28) || m->ndict > (1u << 28) || m->nentries > (1u << 30)) {
        seterr(err, errlen, "tagger model header out of range");
        return -1;
    }
    size_t off = HEADER_BYTES;
    size_t o_tags = off;
    off += (size_t)m->ntags * POSTAG_TAG_BYTES;
    off = pad8(off);
    size_t o_slots = off;
    off += (size_t)m->nslots * sizeof(slot);
    size_t o_dict = off;
    off += (size_t)m->ndict * sizeof(dslot);
    size_t o_ent = off;
    off += (size_t)m->nentries * sizeof(entry);
    if (off != len) {
        seterr(err, errlen, "tagger model is %zu bytes, its header says %zu", len, off);
        return -1;
    }
    m->tags = (const char(*)[POSTAG_TAG_BYTES])(b + o_tags);
    m->slots = (const slot *)(const void *)(b + o_slots);
    m->dict = (const dslot *)(const void *)(b + o_dict);
    m->ent = (const entry *)(const void *)(b + o_ent);
    for (uint32_t i = 0; i < m->ntags; i++)
        if (memchr(m->tags[i], 0, POSTAG_TAG_BYTES) == NULL || m->tags[i][0] == 0) {
            seterr(err, errlen, "tagger model: tag %u has no name", (unsigned)i);
            return -1;
        }
    uint32_t used = 0;
    for (uint32_t i = 0; i < m->nslots; i++) {
        const slot *s = &m->slots[i];
        if (s->n == 0) continue;
        used++;
        if (s->key == 0 || s->start > m->nentries || s->n > m->nentries - s->start) {
            seterr(err, errlen, "tagger model: feature slot %u out of range", (unsigned)i);
            return -1;
        }
    }
    if (used == m->nslots) { /* a full table would make a lookup never end */
        seterr(err, errlen, "tagger model: feature table has no empty slot");
        return -1;
    }
    used = 0;
    for (uint32_t i = 0; i < m->ndict; i++) {
        if (m->dict[i].tag1 == 0) continue;
        used++;
        if (m->dict[i].tag1 > m->ntags) {
            seterr(err, errlen, "tagger model: dictionary slot %u has no such tag", (unsigned)i);
            return -1;
        }
    }
    if (used == m->ndict) {
        seterr(err, errlen, "tagger model: dictionary has no empty slot");
        return -1;
    }
    for (uint32_t i = 0; i < m->nentries; i++)
        if (m->ent[i].tag >= m->ntags || m->ent[i].zero != 0) {
            seterr(err, errlen, "tagger model: weight %u has no such tag", (unsigned)i);
            return -1;
        }
    for (uint32_t i = 0; i < m->ntags; i++) m->upos[i] = postag_brown_upos(m->tags[i]);
    if (context_tables(m) != 0) {
        seterr(err, errlen, "out of memory");
        return -1;
    }
    return 0;
}

/* The whole file's SHA-256 (as sha256sum says), computed when first asked:
 * only receipts need it, and it costs as much as the check on loading. */
const char *postag_model_checksum(postag_model *m) {
    if (!m->checksum[0]) cr_sha256_hex(m->bytes, m->len, m->checksum);
    return m->checksum;
}

postag_model *postag_model_from_bytes(const void *data, size_t len, char *err, size_t errlen) {
    postag_model *m = calloc(1, sizeof *m);
    if (!m) {
        seterr(err, errlen, "out of memory");
        return NULL;
    }
    m->bytes = malloc(len ? len : 1);
    if (!m->bytes) {
        free(m);
        seterr(err, errlen, "out of memory");
        return NULL;
    }
    if (len) memcpy(m->bytes, data, len);
    m->len = len;
    if (model_parse(m, err, errlen) != 0) {
        postag_model_free(m);
        return NULL;
    }
    return m;
}

postag_model *postag_model_load(const char *path, char *err, size_t errlen) {
    char msg[256];
    FILE *f = pp_fopen(path, "rb", msg, sizeof msg);
    if (!f) {
        if (strstr(msg, path)) seterr(err, errlen, "%s", msg);
        else seterr(err, errlen, "%s: %s", path, msg);
        return NULL;
    }
    postag_model *m = calloc(1, sizeof *m);
    size_t cap = 0, len = 0;
    unsigned char *buf = NULL;
    int bad = !m;
    while (!bad) {
        unsigned char *nb = cr_grow(buf, &cap, len + 65536, 1, 1 << 20);
        if (!nb) {
            bad = 1;
            break;
        }
        buf = nb;
        size_t got = fread(buf + len, 1, cap - len, f);
        len += got;
        if (got == 0) break;
    }
    int rerr = ferror(f);
    fclose(f);
    if (bad || rerr) {
        seterr(err, errlen, "%s: %s", path, bad ? "out of memory" : "read error");
        free(buf);
        free(m);
        return NULL;
    }
    m->bytes = buf;
    m->len = len;
    char why[200];
    if (model_parse(m, why, sizeof why) != 0) {
        seterr(err, errlen, "%s: %s", path, why);
        postag_model_free(m);
        return NULL;
    }
    return m;
}

int postag_model_ntags(const postag_model *m) { return (int)m->ntags; }
const char *postag_model_upos(const postag_model *m, int tag) {
    return tag >= 0 && (uint32_t)tag < m->ntags ? m->upos[tag] : NULL;
}

const char *postag_model_tag(const postag_model *m, int tag) {
    return tag >= 0 && (uint32_t)tag < m->ntags ? m->tags[tag] : NULL;
}

static int dict_lookup(const postag_model *m, uint64_t key) {
    uint32_t mask = m->ndict - 1;
    for (uint32_t i = (uint32_t)key & mask;; i = (i + 1) & mask) {
        const dslot *d = &m->dict[i];
        if (d->tag1 == 0) return -1;
        if (d->key == key) return (int)d->tag1 - 1;
    }
}

static const slot *feat_lookup(const postag_model *m, uint64_t key) {
    uint32_t mask = m->nslots - 1;
    for (uint32_t i = (uint32_t)key & mask;; i = (i + 1) & mask) {
        const slot *s = &m->slots[i];
        if (s->n == 0) return NULL;
        if (s->key == key) return s;
    }
}

static uint32_t ctx_row(const postag_model *m, unsigned tag) {
    return tag < m->ntags ? tag : tag == TAG_START1 ? m->ntags : m->ntags + 1;
}

#define CHUNK 256

/* ---- scoring ----------------------------------------------------------------
 * A token's scores are the sum, in this order, of its previous tags' dense
 * rows (bias and p1, then p2), its word's vector (the weights of the
 * features of the word alone, added up once per word type when a tagger
 * keeps them), then the weights of its context features.  postag_tag and
 * a postag_tagger add in the same order, so they give the same tags, bit
 * for bit.  (The trainer scores in the order of features(): the model it
 * writes does not depend on this.) */

/* The features of the word alone: its forms, affixes, shape and flags. */
static int word_features(const tokinfo *w, uint64_t *f) {
    int k = 0;
    f[k++] = feat(1, w->w, 0);
    f[k++] = feat(2, w->raw, 0);
    for (int j = 0; j < 4; j++) f[k++] = feat(3 + (unsigned)j, w->suf[j], 0);
    for (int j = 0; j < 3; j++) f[k++] = feat(7 + (unsigned)j, w->pre[j], 0);
    f[k++] = feat(10, w->shape, 0);
    f[k++] = feat(11, w->flags, 0);
    f[k++] = feat(26, w->flags, w->suf[1]);
    return k;
}

/* The features of token i that are neither the word's own nor in the
 * dense rows: its previous tags with the word, its neighbours.  They read
 * of each token only w, suf[2] and shape. */
static int context_features(const tokinfo *ti, size_t n, size_t i, unsigned p1, unsigned p2, uint64_t *f) {
    const tokinfo *w = &ti[i];
    const tokinfo *wm1 = i >= 1 ? &ti[i - 1] : &PAD_BEFORE;
    const tokinfo *wm2 = i >= 2 ? &ti[i - 2] : &PAD_BEFORE;
    const tokinfo *wp1 = i + 1 < n ? &ti[i + 1] : &PAD_AFTER;
    const tokinfo *wp2 = i + 2 < n ? &ti[i + 2] : &PAD_AFTER;
    int k = 0;
    f[k++] = feat(13, p1, p2);
    f[k++] = feat(14, p1, w->w);
    f[k++] = feat(15, wm1->w, 0);
    f[k++] = feat(16, wm1->suf[2], 0);
    f[k++] = feat(17, wm2->w, 0);
    f[k++] = feat(18, wp1->w, 0);
    f[k++] = feat(19, wp1->suf[2], 0);
    f[k++] = feat(20, wp2->w, 0);
    f[k++] = feat(21, wm1->w, w->w);
    f[k++] = feat(22, w->w, wp1->w);
    f[k++] = feat(23, p1, w->suf[2]);
    f[k++] = feat(24, wp1->shape, w->shape);
    f[k++] = feat(25, p1, wp1->w);
    return k;
}

/* Adds the weights of features f[0..nf) to scores, feature by feature. */
static void add_sparse(const postag_model *m, const uint64_t *f, int nf, float *scores) {
    uint32_t mask = m->nslots - 1;
    /* the lookups miss the cache: ask for every line first */
    for (int k = 0; k < nf; k++) __builtin_prefetch(&m->slots[(uint32_t)f[k] & mask]);
    const slot *hit[NFEAT];
    int nh = 0;
    for (int k = 0; k < nf; k++) {
        const slot *s = feat_lookup(m, f[k]);
        if (!s) continue;
        __builtin_prefetch(&m->ent[s->start]);
        hit[nh++] = s;
    }
    for (int k = 0; k < nh; k++) {
        const entry *e = m->ent + hit[k]->start, *end = e + hit[k]->n;
        /* two at a time, both read before either is added (the two tags
         * differ in a model the trainer wrote; were they the same, both
         * additions would still be made, in order) */
        for (; e + 1 < end; e += 2) {
            unsigned ta = e[0].tag, tb = e[1].tag;
            float wa = e[0].w, wb = e[1].w;
            scores[ta] += wa;
            scores[tb] += wb;
        }
        if (e < end) scores[e->tag] += e->w;
    }
}

/* The word vector of t into v (m->stride floats). */
static void word_vector(const postag_model *m, const tokinfo *t, float *v) {
    uint64_t f[NFEAT];
    memset(v, 0, m->stride * sizeof *v);
    add_sparse(m, f, word_features(t, f), v);
}

/* out = (a + b) + c over stride floats (a multiple of 4). */
static void dense_sum(float *out, const float *a, const float *b, const float *c, uint32_t stride) {
#ifdef POSTAG_SSE2
    for (uint32_t j = 0; j < stride; j += 4)
        _mm_storeu_ps(out + j, _mm_add_ps(_mm_add_ps(_mm_loadu_ps(a + j), _mm_loadu_ps(b + j)),
                                          _mm_loadu_ps(c + j)));
#else
    for (uint32_t j = 0; j < stride; j++) out[j] = (a[j] + b[j]) + c[j];
#endif
}

/* The first of the highest scores among s[0..ntags) (the padding up to
 * stride is -inf); 0 when none compares equal to the highest (a NaN). */
static int argmax(const float *s, uint32_t ntags, uint32_t stride) {
    uint32_t j = 0;
#ifdef POSTAG_SSE2
    __m128 mx = _mm_loadu_ps(s);
    for (uint32_t b = 4; b < stride; b += 4) mx = _mm_max_ps(mx, _mm_loadu_ps(s + b));
    mx = _mm_max_ps(mx, _mm_shuffle_ps(mx, mx, _MM_SHUFFLE(1, 0, 3, 2)));
    mx = _mm_max_ps(mx, _mm_shuffle_ps(mx, mx, _MM_SHUFFLE(2, 3, 0, 1)));
    for (; j < stride; j += 4) {
        int hit = _mm_movemask_ps(_mm_cmpeq_ps(_mm_loadu_ps(s + j), mx));
        if (hit) {
            j += (uint32_t)__builtin_ctz((unsigned)hit);
            break;
        }
    }
#else
    float best = s[0];
    for (uint32_t b = 1; b < ntags; b++)
        if (s[b] > best) best = s[b];
    while (j < ntags && !(s[j] == best)) j++;
#endif
    return j < ntags ? (int)j : 0;
}

/* The best tag of token i given its word vector wv and the previous tags. */
static int best_tag(const postag_model *m, const float *wv, const tokinfo *ti, size_t n, size_t i,
                    unsigned p1, unsigned p2, float *scores) {
    uint64_t f[NFEAT];
    const float *c1 = m->ctx1 + (size_t)ctx_row(m, p1) * m->stride;
    const float *c2 = m->ctx2 + (size_t)ctx_row(m, p2) * m->stride;
    dense_sum(scores, c1, c2, wv, m->stride);
    add_sparse(m, f, context_features(ti, n, i, p1, p2, f), scores);
    return argmax(scores, m->ntags, m->stride);
}

/* ---- the tagger's word cache ------------------------------------------------ */
/* Word types kept, direct-mapped: 256 at first (about 240 KB, for a tagger
 * that tags a sentence or two), four times more each time it has tagged 16
 * tokens a slot, up to 8192 (about 7.8 MB).  The cache changes no tag, so
 * it may be emptied at any time. */
#define TYPE_SLOTS_MIN 256
#define TYPE_SLOTS_MAX 8192
#define FIRST_MARK 0x4649525354574f52ULL

/* What a word type costs to find out: its hashes, its dictionary tag and
 * (once it has been scored) its word vector. */
typedef struct wtype {
    uint64_t key;   /* the word's hash as written, marked when first in its sentence; 0: empty */
    uint64_t w, suf2, shape;
    int32_t dict;   /* its tag from the dictionary, or -1 */
    uint32_t hasvec;
} wtype;

struct postag_tagger {
    const postag_model *m;
    uint64_t model_check;   /* the model's payload check: a new model at the same address is another */
    wtype *types;           /* nslots, made on first use */
    size_t nslots;
    size_t tagged;          /* tokens tagged since the table was made */
    float *vecs;            /* a word vector (m->stride floats) per slot */
};

postag_tagger *postag_tagger_new(const postag_model *m) {
    postag_tagger *tg = calloc(1, sizeof *tg);
    if (!tg) return NULL;
    tg->m = m;
    tg->model_check = rd64(m->bytes + 32);
    return tg;
}

void postag_tagger_free(postag_tagger *tg) {
    if (!tg) return;
    free(tg->types);
    free(tg->vecs);
    free(tg);
}

int postag_tagger_uses(const postag_tagger *tg, const postag_model *m) {
    return tg->m == m && tg->model_check == rd64(m->bytes + 32);
}

static uint64_t type_key(uint64_t raw, int first) {
    uint64_t k = first ? mix64(raw ^ FIRST_MARK) : raw;
    return k ? k : 1;
}

/* The hash of the word as written (token_info's raw), alone. */
static uint64_t raw_hash(const postag_word *wd) {
    size_t len = wd->len;
    char buf[256];
    const char *s = straight_apostrophes(wd->s, &len, buf, sizeof buf);
    return hash_bytes(s, len, 0);
}

/* Token work: its properties (all of them when full; else w, suf[2], shape
 * and raw), its dictionary tag or -1. */
typedef struct tokwork {
    int dict;
    int full;
} tokwork;

static void prepare(const postag_model *m, postag_tagger *tg, const postag_word *wd, int first, tokinfo *t,
                    tokwork *k) {
    if (!tg) {
        token_info(wd, first, t);
        k->dict = dict_lookup(m, t->raw);
        k->full = 1;
        return;
    }
    uint64_t raw = raw_hash(wd), key = type_key(raw, first);
    wtype *e = &tg->types[key & (tg->nslots - 1)];
    if (e->key == key) {
        t->raw = raw;
        t->w = e->w;
        t->suf[2] = e->suf2;
        t->shape = e->shape;
        k->dict = e->dict;
        k->full = 0;
        return;
    }
    token_info(wd, first, t);
    k->dict = dict_lookup(m, t->raw);
    k->full = 1;
    e->key = key;
    e->w = t->w;
    e->suf2 = t->suf[2];
    e->shape = t->shape;
    e->dict = k->dict;
    e->hasvec = 0;
}

/* The word vector of a token to score: the cached one, or made (and kept). */
static const float *token_vector(const postag_model *m, postag_tagger *tg, const postag_word *wd, int first,
                                 tokinfo *t, tokwork *k, float *local) {
    if (!k->full) {
        token_info(wd, first, t);
        k->full = 1;
    }
    if (!tg) {
        word_vector(m, t, local);
        return local;
    }
    uint64_t key = type_key(t->raw, first);
    size_t slot = key & (tg->nslots - 1);
    wtype *e = &tg->types[slot];
    float *v = tg->vecs + slot * m->stride;
    if (e->key == key && e->hasvec) return v;
    word_vector(m, t, v);
    e->key = key;
    e->w = t->w;
    e->suf2 = t->suf[2];
    e->shape = t->shape;
    e->dict = k->dict;
    e->hasvec = 1;
    return v;
}

static void tag_words(const postag_model *m, postag_tagger *tg, const postag_word *words, size_t n, int *tags) {
    tokinfo ti[CHUNK + 2];
    tokwork tw[CHUNK + 2];
    float scores[POSTAG_MAX_TAGS], local[POSTAG_MAX_TAGS];
    unsigned p1 = TAG_START1, p2 = TAG_START2;
    /* a long sentence goes by chunks; the context crosses the seam by the
     * previous tags only */
    for (size_t base = 0; base < n; base += CHUNK) {
        size_t cn = n - base < CHUNK + 2 ? n - base : CHUNK + 2;
        for (size_t i = 0; i < cn; i++) prepare(m, tg, &words[base + i], base + i == 0, &ti[i], &tw[i]);
        size_t todo = n - base < CHUNK ? n - base : CHUNK;
        for (size_t i = 0; i < todo; i++) {
            int t = tw[i].dict;
            if (t < 0) {
                const float *wv = token_vector(m, tg, &words[base + i], base + i == 0, &ti[i], &tw[i], local);
                t = best_tag(m, wv, ti, cn, i, p1, p2, scores);
            }
            tags[base + i] = t;
            p2 = p1;
            p1 = (unsigned)t;
        }
    }
}

void postag_tag(const postag_model *m, const postag_word *words, size_t n, int *tags) {
    tag_words(m, NULL, words, n, tags);
}

int postag_tagger_tag(postag_tagger *tg, const postag_word *words, size_t n, int *tags) {
    const postag_model *m = tg->m;
    size_t want = tg->nslots ? tg->nslots : TYPE_SLOTS_MIN;
    if (tg->nslots && tg->nslots < TYPE_SLOTS_MAX && tg->tagged >= 16 * tg->nslots) want = 4 * tg->nslots;
    if (want != tg->nslots) {
        wtype *types = calloc(want, sizeof *types);
        float *vecs = malloc(want * m->stride * sizeof *vecs);
        if (!types || !vecs) {
            free(types);
            free(vecs);
            if (!tg->nslots) return -1;
        } else {
            free(tg->types);
            free(tg->vecs);
            tg->types = types;
            tg->vecs = vecs;
            tg->nslots = want;
            tg->tagged = 0;
        }
    }
    tg->tagged += n;
    tag_words(m, tg, words, n, tags);
    return 0;
}

/* ---- training -------------------------------------------------------------- */
typedef struct tweight {
    uint16_t tag;
    float w;
    double total;
    uint32_t ts;
} tweight;

typedef struct tfeat {
    tweight *e;
    uint32_t n, cap;
} tfeat;

typedef struct tsent {
    size_t first, n; /* into the trainer's token arrays */
} tsent;

struct postag_trainer {
    char (*tags)[POSTAG_TAG_BYTES];
    size_t ntags, tagcap;
    /* tokens */
    char *text;
    size_t textlen, textcap;
    size_t *woff, *wlen;
    uint16_t *wtag;
    size_t ntok, tokcap, offcap, lencap;
    tsent *sents;
    size_t nsent, sentcap;
    /* features: open addressing key -> index + 1 */
    uint64_t *fkey;
    uint32_t *fidx;
    size_t fcap, nfeat;
    tfeat *feats;
    size_t featcap;
    /* tag dictionary */
    uint64_t *dkey;
    uint16_t *dtag;
    size_t ndict;
    FILE *log;
};

void postag_trainer_log(postag_trainer *t, FILE *log) { t->log = log; }

postag_trainer *postag_trainer_new(void) { return calloc(1, sizeof(postag_trainer)); }

void postag_trainer_free(postag_trainer *t) {
    if (!t) return;
    free(t->tags);
    free(t->text);
    free(t->woff);
    free(t->wlen);
    free(t->wtag);
    free(t->sents);
    free(t->fkey);
    free(t->fidx);
    for (size_t i = 0; i < t->nfeat; i++) free(t->feats[i].e);
    free(t->feats);
    free(t->dkey);
    free(t->dtag);
    free(t);
}

static int tag_index(postag_trainer *t, const char *name) {
    for (size_t i = 0; i < t->ntags; i++)
        if (!strcmp(t->tags[i], name)) return (int)i;
    size_t l = strlen(name);
    if (l == 0 || l >= POSTAG_TAG_BYTES || t->ntags >= POSTAG_MAX_TAGS) return -1;
    void *p = cr_grow(t->tags, &t->tagcap, t->ntags + 1, POSTAG_TAG_BYTES, 64);
    if (!p) return -1;
    t->tags = p;
    memset(t->tags[t->ntags], 0, POSTAG_TAG_BYTES);
    memcpy(t->tags[t->ntags], name, l);
    return (int)t->ntags++;
}

int postag_trainer_add(postag_trainer *t, const postag_word *words, const char *const *tags, size_t n) {
    if (n == 0) return 0;
    void *p;
    if (!(p = cr_grow(t->sents, &t->sentcap, t->nsent + 1, sizeof(tsent), 1024))) return -1;
    t->sents = p;
    size_t need = t->ntok + n;
    if (!(p = cr_grow(t->woff, &t->offcap, need, sizeof(size_t), 4096))) return -1;
    t->woff = p;
    if (!(p = cr_grow(t->wlen, &t->lencap, need, sizeof(size_t), 4096))) return -1;
    t->wlen = p;
    size_t tc = t->tokcap;
    if (!(p = cr_grow(t->wtag, &tc, need, sizeof(uint16_t), 4096))) return -1;
    t->wtag = p;
    t->tokcap = tc;
    for (size_t i = 0; i < n; i++) {
        int ti = tag_index(t, tags[i]);
        if (ti < 0) return -1;
        if (!(p = cr_grow(t->text, &t->textcap, t->textlen + words[i].len + 1, 1, 1 << 16))) return -1;
        t->text = p;
        memcpy(t->text + t->textlen, words[i].s, words[i].len);
        t->woff[t->ntok] = t->textlen;
        t->wlen[t->ntok] = words[i].len;
        t->wtag[t->ntok] = (uint16_t)ti;
        t->textlen += words[i].len;
        t->ntok++;
    }
    t->sents[t->nsent].first = t->ntok - n;
    t->sents[t->nsent].n = n;
    t->nsent++;
    return 0;
}

static int fmap_grow(postag_trainer *t) {
    size_t ncap = t->fcap ? t->fcap * 2 : (1u << 16);
    uint64_t *nk = calloc(ncap, sizeof *nk);
    uint32_t *ni = calloc(ncap, sizeof *ni);
    if (!nk || !ni) {
        free(nk);
        free(ni);
        return -1;
    }
    for (size_t i = 0; i < t->fcap; i++) {
        if (!t->fidx[i]) continue;
        size_t j = t->fkey[i] & (ncap - 1);
        while (ni[j]) j = (j + 1) & (ncap - 1);
        nk[j] = t->fkey[i];
        ni[j] = t->fidx[i];
    }
    free(t->fkey);
    free(t->fidx);
    t->fkey = nk;
    t->fidx = ni;
    t->fcap = ncap;
    return 0;
}

/* The feature of key, created when create is set; NULL when absent or out of memory. */
static tfeat *tfeat_get(postag_trainer *t, uint64_t key, int create) {
    if (t->fcap) {
        for (size_t j = key & (t->fcap - 1);; j = (j + 1) & (t->fcap - 1)) {
            if (!t->fidx[j]) break;
            if (t->fkey[j] == key) return &t->feats[t->fidx[j] - 1];
        }
    }
    if (!create) return NULL;
    if ((t->nfeat + 1) * 2 > t->fcap && fmap_grow(t) != 0) return NULL;
    if (t->nfeat + 1 >= UINT32_MAX) return NULL;
    void *p = cr_grow(t->feats, &t->featcap, t->nfeat + 1, sizeof(tfeat), 1 << 16);
    if (!p) return NULL;
    t->feats = p;
    size_t j = key & (t->fcap - 1);
    while (t->fidx[j]) j = (j + 1) & (t->fcap - 1);
    t->fkey[j] = key;
    t->fidx[j] = (uint32_t)(t->nfeat + 1);
    tfeat *tf = &t->feats[t->nfeat++];
    memset(tf, 0, sizeof *tf);
    return tf;
}

static int tfeat_update(tfeat *tf, unsigned tag, float delta, uint32_t now) {
    for (uint32_t j = 0; j < tf->n; j++) {
        tweight *e = &tf->e[j];
        if (e->tag == tag) {
            e->total += (double)(now - e->ts) * e->w;
            e->ts = now;
            e->w += delta;
            return 0;
        }
    }
    if (tf->n == tf->cap) {
        uint32_t nc = tf->cap ? tf->cap * 2 : 2;
        tweight *ne = realloc(tf->e, nc * sizeof *ne);
        if (!ne) return -1;
        tf->e = ne;
        tf->cap = nc;
    }
    tweight *e = &tf->e[tf->n++];
    e->tag = (uint16_t)tag;
    e->w = delta;
    e->total = 0;
    e->ts = now;
    return 0;
}

typedef struct wt_pair {
    uint64_t key;
    uint16_t tag;
} wt_pair;

static int cmp_pair(const void *a, const void *b) {
    const wt_pair *x = a, *y = b;
    if (x->key != y->key) return x->key < y->key ? -1 : 1;
    return (x->tag > y->tag) - (x->tag < y->tag);
}

static int build_dict(postag_trainer *t) {
    wt_pair *pairs = malloc((t->ntok ? t->ntok : 1) * sizeof *pairs);
    if (!pairs) return -1;
    for (size_t i = 0; i < t->ntok; i++) {
        pairs[i].key = hash_bytes(t->text + t->woff[i], t->wlen[i], 0);
        pairs[i].tag = t->wtag[i];
    }
    qsort(pairs, t->ntok, sizeof *pairs, cmp_pair);
    size_t cap = 0;
    for (size_t i = 0; i < t->ntok;) {
        size_t j = i, best = 0, bestn = 0;
        while (j < t->ntok && pairs[j].key == pairs[i].key) {
            size_t k = j;
            while (k < t->ntok && pairs[k].key == pairs[j].key && pairs[k].tag == pairs[j].tag) k++;
            if (k - j > bestn) bestn = k - j, best = j;
            j = k;
        }
        size_t total = j - i;
        if (total >= DICT_MIN_COUNT && (double)bestn / (double)total >= DICT_MIN_SHARE) {
            size_t c1 = cap, c2 = cap;
            uint64_t *nk = cr_grow(t->dkey, &c1, t->ndict + 1, sizeof *nk, 1024);
            if (!nk) break;
            t->dkey = nk;
            uint16_t *nt = cr_grow(t->dtag, &c2, t->ndict + 1, sizeof *nt, 1024);
            if (!nt) break;
            t->dtag = nt;
            cap = c1 < c2 ? c1 : c2;
            t->dkey[t->ndict] = pairs[i].key;
            t->dtag[t->ndict] = pairs[best].tag;
            t->ndict++;
        }
        i = j;
    }
    free(pairs);
    return 0;
}

static int dict_find(const postag_trainer *t, uint64_t key) {
    /* the dictionary's keys are sorted: binary search */
    size_t lo = 0, hi = t->ndict;
    while (lo < hi) {
        size_t mid = lo + (hi - lo) / 2;
        if (t->dkey[mid] < key) lo = mid + 1;
        else hi = mid;
    }
    return lo < t->ndict && t->dkey[lo] == key ? t->dtag[lo] : -1;
}

static uint64_t rng_next(uint64_t *s) {
    *s += 0x9e3779b97f4a7c15ULL;
    return mix64(*s);
}

static int train_pass(postag_trainer *t, size_t *order, uint64_t *rng, uint32_t *now,
                      size_t *correct, tokinfo **tib, size_t *ticap, float *scores) {
    for (size_t i = t->nsent; i > 1; i--) { /* Fisher-Yates */
        size_t j = (size_t)(rng_next(rng) % i);
        size_t x = order[i - 1];
        order[i - 1] = order[j];
        order[j] = x;
    }
    uint64_t f[NFEAT];
    for (size_t si = 0; si < t->nsent; si++) {
        const tsent *s = &t->sents[order[si]];
        void *p = cr_grow(*tib, ticap, s->n, sizeof(tokinfo), 256);
        if (!p) return -1;
        *tib = p;
        tokinfo *ti = *tib;
        for (size_t i = 0; i < s->n; i++) {
            postag_word w = {t->text + t->woff[s->first + i], t->wlen[s->first + i]};
            token_info(&w, i == 0, &ti[i]);
        }
        unsigned p1 = TAG_START1, p2 = TAG_START2;
        for (size_t i = 0; i < s->n; i++) {
            unsigned gold = t->wtag[s->first + i];
            int guess = dict_find(t, ti[i].raw);
            if (guess < 0) {
                int nf = features(ti, s->n, i, p1, p2, f);
                memset(scores, 0, sizeof(float) * t->ntags);
                for (int k = 0; k < nf; k++) {
                    tfeat *tf = tfeat_get(t, f[k], 0);
                    if (!tf) continue;
                    for (uint32_t j = 0; j < tf->n; j++) scores[tf->e[j].tag] += tf->e[j].w;
                }
                guess = 0;
                for (size_t j = 1; j < t->ntags; j++)
                    if (scores[j] > scores[guess]) guess = (int)j;
                (*now)++;
                if ((unsigned)guess != gold) {
                    for (int k = 0; k < nf; k++) {
                        tfeat *tf = tfeat_get(t, f[k], 1);
                        if (!tf || tfeat_update(tf, gold, 1.0f, *now) != 0 ||
                            tfeat_update(tf, (unsigned)guess, -1.0f, *now) != 0)
                            return -1;
                    }
                }
            }
            if ((unsigned)guess == gold) (*correct)++;
            p2 = p1;
            p1 = (unsigned)guess;
        }
    }
    return 0;
}

static void wr32(unsigned char *p, uint32_t v) {
    p[0] = (unsigned char)v;
    p[1] = (unsigned char)(v >> 8);
    p[2] = (unsigned char)(v >> 16);
    p[3] = (unsigned char)(v >> 24);
}

static void wr64(unsigned char *p, uint64_t v) {
    wr32(p, (uint32_t)v);
    wr32(p + 4, (uint32_t)(v >> 32));
}

/* The smallest power of two (16 at least) that n fills at most num/den. */
static uint32_t pow2_room(size_t n, size_t num, size_t den) {
    uint32_t c = 16;
    while ((size_t)c * num < n * den) c *= 2;
    return c;
}

/* The averaged weights, serialised. */
static unsigned char *serialise(postag_trainer *t, uint32_t now, size_t *outlen) {
    /* count the weights that survive averaging */
    size_t nent = 0, nkept = 0;
    for (size_t i = 0; i < t->nfeat; i++) {
        tfeat *tf = &t->feats[i];
        uint32_t kept = 0;
        for (uint32_t j = 0; j < tf->n; j++) {
            tweight *e = &tf->e[j];
            double total = e->total + (double)(now - e->ts) * e->w;
            float avg = (float)(total / (double)(now ? now : 1));
            e->w = avg; /* now the averaged weight */
            if (fabsf(avg) < PRUNE) avg = e->w = 0.0f;
            if (avg != 0.0f) kept++;
        }
        nent += kept;
        if (kept) nkept++;
    }
    uint32_t nslots = pow2_room(nkept, 3, 4), ndict = pow2_room(t->ndict, 1, 2);
    size_t off = HEADER_BYTES;
    size_t o_tags = off;
    off = pad8(off + t->ntags * POSTAG_TAG_BYTES);
    size_t o_slots = off;
    off += (size_t)nslots * 16;
    size_t o_dict = off;
    off += (size_t)ndict * 16;
    size_t o_ent = off;
    off += nent * 8;
    unsigned char *b = calloc(1, off);
    if (!b) return NULL;
    memcpy(b, MAGIC, 8);
    wr32(b + 8, MODEL_VERSION);
    wr32(b + 12, (uint32_t)t->ntags);
    wr32(b + 16, nslots);
    wr32(b + 20, (uint32_t)nent);
    wr32(b + 24, ndict);
    for (size_t i = 0; i < t->ntags; i++) memcpy(b + o_tags + i * POSTAG_TAG_BYTES, t->tags[i], POSTAG_TAG_BYTES);
    /* features in the order of the training table's slots (deterministic) */
    size_t e = 0;
    for (size_t s = 0; s < t->fcap; s++) {
        if (!t->fidx[s]) continue;
        tfeat *tf = &t->feats[t->fidx[s] - 1];
        size_t start = e;
        for (uint32_t j = 0; j < tf->n; j++) {
            if (tf->e[j].w == 0.0f) continue;
            unsigned char *pt = b + o_ent + e * 8;
            pt[0] = (unsigned char)tf->e[j].tag;
            pt[1] = (unsigned char)(tf->e[j].tag >> 8);
            uint32_t bits;
            memcpy(&bits, &tf->e[j].w, 4);
            wr32(pt + 4, bits);
            e++;
        }
        if (e == start) continue;
        uint64_t key = t->fkey[s];
        uint32_t k = (uint32_t)key & (nslots - 1);
        while (rd32(b + o_slots + (size_t)k * 16 + 12) != 0) k = (k + 1) & (nslots - 1);
        unsigned char *ps = b + o_slots + (size_t)k * 16;
        wr64(ps, key);
        wr32(ps + 8, (uint32_t)start);
        wr32(ps + 12, (uint32_t)(e - start));
    }
    for (size_t i = 0; i < t->ndict; i++) {
        uint32_t k = (uint32_t)t->dkey[i] & (ndict - 1);
        while (rd32(b + o_dict + (size_t)k * 16 + 8) != 0) k = (k + 1) & (ndict - 1);
        wr64(b + o_dict + (size_t)k * 16, t->dkey[i]);
        wr32(b + o_dict + (size_t)k * 16 + 8, (uint32_t)t->dtag[i] + 1);
    }
    postag_model_seal(b, off);
    *outlen = off;
    return b;
}

int postag_trainer_write(postag_trainer *t, int iters, uint64_t seed, const char *path,
                         char *err, size_t errlen) {
    if (t->ntags == 0) {
        seterr(err, errlen, "no training sentences");
        return -1;
    }
    if (build_dict(t) != 0) {
        seterr(err, errlen, "out of memory");
        return -1;
    }
    size_t *order = malloc(t->nsent * sizeof *order);
    float *scores = malloc(t->ntags * sizeof *scores);
    tokinfo *ti = NULL;
    size_t ticap = 0;
    int rc = -1;
    if (!order || !scores) {
        seterr(err, errlen, "out of memory");
        goto done;
    }
    for (size_t i = 0; i < t->nsent; i++) order[i] = i;
    uint64_t rng = seed;
    uint32_t now = 0;
    for (int it = 0; it < iters; it++) {
        size_t correct = 0;
        if (train_pass(t, order, &rng, &now, &correct, &ti, &ticap, scores) != 0) {
            seterr(err, errlen, "out of memory");
            goto done;
        }
        if (t->log)
            fprintf(t->log, "postag: iteration %d: %.2f%% of %zu tokens right, %zu features\n", it + 1,
                t->ntok ? 100.0 * (double)correct / (double)t->ntok : 0.0, t->ntok, t->nfeat);
    }
    size_t len = 0;
    unsigned char *b = serialise(t, now, &len);
    if (!b) {
        seterr(err, errlen, "out of memory");
        goto done;
    }
    char msg[256];
    FILE *f = pp_fopen(path, "wb", msg, sizeof msg);
    if (!f) {
        seterr(err, errlen, "%s: %s", path, msg);
        free(b);
        goto done;
    }
    size_t w = fwrite(b, 1, len, f);
    int cerr = fclose(f);
    free(b);
    if (w != len || cerr != 0) {
        seterr(err, errlen, "%s: write error", path);
        goto done;
    }
    rc = 0;
done:
    free(order);
    free(scores);
    free(ti);
    return rc;
}
