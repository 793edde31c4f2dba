/* gaztext.c — gazetteer aliases and documents through the tokeniser; TSV and
 * JSONL loaders. */
#include "gaztext.h"

#include "asciikey.h"
#include "load.h"
#include "pathpolicy.h"
#include "utf8.h"

#include <errno.h>
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

int cr_gaztext_init(cr_gaztext *gt, cr_norm_level level, const cr_tokenizer_opts *tok) {
    memset(gt, 0, sizeof *gt);
    if (tok) gt->tok = *tok;
    else cr_tokenizer_opts_default(&gt->tok);
    gt->tok.spaces = 0;
    gt->tok.sentences = 1;
    gt->level = level;
    return cr_gaz_init(&gt->g);
}

void cr_gaztext_free(cr_gaztext *gt) {
    cr_gaz_free(&gt->g);
    cr_buf_free(&gt->norm);
    cr_buf_free(&gt->keys);
    free(gt->toks);
    free(gt->labels);
    free(gt->ltab);
    for (size_t i = 0; i < gt->nnotes; i++) free(gt->notes[i].path);
    free(gt->notes);
    memset(gt, 0, sizeof *gt);
}

/* Appends the normalised form of s[0..n) to gt->keys; its offset in *off. */
static int keep_key(cr_gaztext *gt, const char *s, size_t n, cr_norm_level level, size_t *off) {
    if (cr_normalize(&gt->norm, s, n, level)) return CR_ENOMEM;
    *off = gt->keys.len;
    return cr_buf_add(&gt->keys, gt->norm.data, gt->norm.len) ? CR_ENOMEM : CR_OK;
}

static int is_star(const char *text, const cr_token *t) {
    return t->stop - t->start == 1 && text[t->start] == '*';
}

int cr_gaztext_add(cr_gaztext *gt, const char *entity, size_t elen, const char *type, size_t tlen,
                   const char *alias, size_t alen, int sensitive) {
    if (alen == 0) { alias = entity; alen = elen; }
    cr_gaz_token toks[CR_GAZ_MAX_TOKENS];
    size_t offs[CR_GAZ_MAX_TOKENS];
    size_t n = 0, prev_stop = (size_t)-1;
    cr_norm_level level = sensitive ? CR_NORM_NFC : gt->level;
    cr_tokenizer t;
    cr_tokenizer_init(&t, alias, alen, &gt->tok);
    cr_token tok;
    cr_buf_reset(&gt->keys);
    int e;
    while (cr_tokenizer_next(&t, &tok)) {
        if (tok.kind == CR_TOK_SPACE) continue;
        if (n > 0 && tok.start == prev_stop && is_star(alias, &tok) && !toks[n - 1].prefix) {
            toks[n - 1].prefix = 1;
            continue;
        }
        if (n == CR_GAZ_MAX_TOKENS) return CR_EINVAL;
        if ((e = keep_key(gt, alias + tok.start, tok.stop - tok.start, level, &offs[n]))) return e;
        toks[n].len = gt->keys.len - offs[n];
        toks[n].prefix = 0;
        n++;
        prev_stop = tok.stop;
    }
    if (n == 0) return CR_EINVAL;
    /* every token's key was appended: gt->keys.data is not NULL */
    for (size_t i = 0; i < n; i++) toks[i].key = gt->keys.data + offs[i];
    return cr_gaz_add(&gt->g, toks, n, sensitive, entity, elen, type, tlen, alias, alen);
}

/* ---- the label table -------------------------------------------------------
 * Text tokens are looked up one by one, and most of them are no alias
 * token.  For a token of at most 16 ASCII bytes the key is made and hashed
 * in one pass (cr_akey_make, exactly cr_normalize's key) and looked up in a
 * table that holds every insensitive exact key of that form: a miss there
 * is a miss in the gazetteer, with no normalisation, no hash of the key
 * bytes and no probe of the gazetteer's own tables. */
typedef struct cr_gaz_lslot {
    uint64_t k[2];
    uint32_t tag;        /* key length + 1; 0: empty */
    uint32_t label;
} lslot;

static int ltab_build(cr_gaztext *gt) {
    const cr_counter *keys = &gt->g.keys[0];
    size_t n = 0;
    for (size_t i = 0; i < keys->size; i++) n += cr_centry_len(&keys->entries[i]) <= CR_AKEY_MAX;
    size_t slots = 64;
    while (slots < 2 * n) slots *= 2;
    lslot *t = calloc(slots, sizeof *t);
    if (!t) return CR_ENOMEM;
    for (size_t i = 0; i < keys->size; i++) {
        const cr_centry *e = &keys->entries[i];
        size_t len = cr_centry_len(e);
        if (len > CR_AKEY_MAX || len == 0) continue;
        int ascii = 1;
        for (size_t j = 0; j < len; j++) ascii &= (unsigned char)e->key[j] < 0x80;
        if (!ascii) continue; /* no ASCII token has this key */
        unsigned char b[16] = { 0 };
        memcpy(b, e->key, len);
        cr_akey k;
        memcpy(&k.k[0], b, 8);
        memcpy(&k.k[1], b + 8, 8);
        k.len = len;
        size_t j = (size_t)(cr_akey_hash(&k) >> 32) & (slots - 1);
        while (t[j].tag) j = (j + 1) & (slots - 1);
        t[j] = (lslot){ { k.k[0], k.k[1] }, k.len + 1, (uint32_t)i };
    }
    free(gt->ltab);
    gt->ltab = t;
    gt->lmask = slots - 1;
    gt->lkeys = keys->size;
    return CR_OK;
}

static inline int64_t ltab_find(const cr_gaztext *gt, const cr_akey *k) {
    const lslot *t = gt->ltab;
    uint32_t tag = k->len + 1;
    for (size_t j = (size_t)(cr_akey_hash(k) >> 32) & gt->lmask;; j = (j + 1) & gt->lmask) {
        if (t[j].tag == tag && t[j].k[0] == k->k[0] && t[j].k[1] == k->k[1]) return t[j].label;
        if (!t[j].tag) return -1;
    }
}

/* Appends s[0..n) as it is to gt->keys; its offset in *off. */
static int keep_bytes(cr_gaztext *gt, const char *s, size_t n, size_t *off) {
    *off = gt->keys.len;
    return cr_buf_add(&gt->keys, s, n) ? CR_ENOMEM : CR_OK;
}

/* ---- the prefilter ------------------------------------------------------- */
#define PREFILTER_KEYS 8

/* Characters beyond ASCII that no level of normalisation turns into ASCII
 * letters or digits, nor drops from inside a word (default ignorables, as
 * the soft hyphen and the zero-width joiners are, would let "hou\u00ADse"
 * key as "house"): no-break and other spaces, Latin-1 punctuation and
 * symbols, general punctuation (dashes, quotes, ellipsis). */
static int inert(uint32_t cp) {
    if (cp >= 0xA0 && cp <= 0xBF) /* but ª º ² ³ ¹ ¼ ½ ¾ (letters and digits in NFKC), µ, the soft hyphen */
        return !(cp == 0xAA || cp == 0xBA || cp == 0xB2 || cp == 0xB3 || cp == 0xB9 || (cp >= 0xBC && cp <= 0xBE)
                 || cp == 0xB5 || cp == 0xAD);
    if (cp == 0xD7 || cp == 0xF7) return 1;
    return (cp >= 0x2000 && cp <= 0x200A) || (cp >= 0x2010 && cp <= 0x2029) || (cp >= 0x202F && cp <= 0x205F);
}

/* Whether every character of text beyond ASCII is inert. */
static int ascii_like(const unsigned char *s, size_t len) {
    size_t i = 0;
    while (i < len) {
        if (s[i] < 0x80) {
            i++;
            continue;
        }
        size_t n;
        uint32_t cp = cr_utf8_decode(s + i, len - i, &n);
        if (cp == CR_REPLACEMENT_CHAR || !inert(cp)) return 0;
        i += n;
    }
    return 1;
}

static int ascii_alnum(unsigned char c) {
    return (c >= '0' && c <= '9') || ((c | 0x20) >= 'a' && (c | 0x20) <= 'z');
}

/* Whether key (ASCII, small letters at casefolding levels) occurs in s,
 * letters compared without case when ci, as a token's key can: not right
 * after an ASCII letter or digit, nor (unless it is a prefix) right
 * before one, since the tokeniser never splits a run of them. */
static int occurs(const unsigned char *s, size_t len, const char *key, size_t klen, int ci, int prefix) {
    if (klen > len) return 0;
    unsigned char first = (unsigned char)key[0];
    int letter = first >= 'a' && first <= 'z';
    for (size_t i = 0; i + klen <= len; i++) {
        unsigned char c = s[i];
        if (ci && letter) c |= 0x20;
        if (c != first) continue;
        size_t k = 1;
        for (; k < klen; k++) {
            unsigned char x = s[i + k], y = (unsigned char)key[k];
            if (ci && y >= 'a' && y <= 'z') x |= 0x20;
            if (x != y) break;
        }
        if (k == klen && (i == 0 || !ascii_alnum(s[i - 1])) && (prefix || i + klen == len || !ascii_alnum(s[i + klen])))
            return 1;
    }
    return 0;
}

/* Whether a key can be looked for: ASCII letters, digits and hyphens,
 * small letters only at casefolding levels. */
static int plain_key(const char *k, size_t n, int ci) {
    if (n == 0) return 0;
    for (size_t i = 0; i < n; i++) {
        unsigned char c = (unsigned char)k[i];
        int ok = (c >= 'a' && c <= 'z') || (c >= '0' && c <= '9') || c == '-' || (!ci && c >= 'A' && c <= 'Z');
        if (!ok) return 0;
    }
    return 1;
}

int cr_gaztext_may_match(const cr_gaztext *gt, const char *text, size_t len) {
    const cr_gazetteer *g = &gt->g;
    if (g->nentries == 0 || g->has_sensitive) return 1;
    const cr_counter *exact = &g->keys[0], *prefix = &g->keys[2];
    if (exact->size + prefix->size == 0 || exact->size + prefix->size > PREFILTER_KEYS) return 1;
    int ci = gt->level >= CR_NORM_CASEFOLD;
    const cr_counter *sets[2] = { exact, prefix };
    for (int k = 0; k < 2; k++)
        for (size_t i = 0; i < sets[k]->size; i++)
            if (!plain_key(sets[k]->entries[i].key, cr_centry_len(&sets[k]->entries[i]), ci)) return 1;
    const unsigned char *s = (const unsigned char *)text;
    if (!ascii_like(s, len)) return 1;
    for (int k = 0; k < 2; k++)
        for (size_t i = 0; i < sets[k]->size; i++)
            if (occurs(s, len, sets[k]->entries[i].key, cr_centry_len(&sets[k]->entries[i]), ci, k == 1)) return 1;
    return 0;
}

int cr_gaztext_match(cr_gaztext *gt, const char *text, size_t len, cr_gaz_policy policy,
                     cr_gaz_emit emit, void *ud) {
    const cr_gazetteer *g = &gt->g;
    cr_tokenizer t;
    cr_tokenizer_init(&t, text, len, &gt->tok);
    cr_token tok;
    size_t sentence = SIZE_MAX; /* of the last token */
    gt->sentences = 0;
    if (g->nentries == 0) { /* nothing to match: the sentences still count */
        while (cr_tokenizer_next(&t, &tok))
            if (tok.kind != CR_TOK_SPACE && tok.sentence != sentence) {
                gt->sentences++;
                sentence = tok.sentence;
            }
        return CR_OK;
    }
    int e;
    if ((!gt->ltab || gt->lkeys != g->keys[0].size) && (e = ltab_build(gt))) return e;
    int sens = g->has_sensitive;
    int need_keys = (g->prefix_kinds & 1) != 0; /* prefix tokens compare key bytes */
    cr_buf_reset(&gt->keys);
    gt->ntoks = 0;
    /* keys are kept as offsets first: the buffer may move while growing */
    while (cr_tokenizer_next(&t, &tok)) {
        if (tok.kind == CR_TOK_SPACE) continue;
        if (tok.sentence != sentence) {
            gt->sentences++;
            sentence = tok.sentence;
        }
        if (gt->ntoks == gt->captoks) {
            size_t cap = gt->captoks ? gt->captoks * 2 : 1024;
            cr_gaz_text *p = realloc(gt->toks, cap * sizeof *p);
            if (!p) return CR_ENOMEM;
            gt->toks = p;
            gt->captoks = cap;
        }
        if (gt->ntoks * 2 + 2 > gt->caplabels) {
            size_t cap = gt->caplabels ? gt->caplabels * 2 : 2048;
            int64_t *p = realloc(gt->labels, cap * sizeof *p);
            if (!p) return CR_ENOMEM;
            gt->labels = p;
            gt->caplabels = cap;
        }
        int64_t *label = &gt->labels[2 * gt->ntoks];
        cr_gaz_text *x = &gt->toks[gt->ntoks++];
        size_t koff = gt->keys.len, xoff = 0;
        cr_akey k;
        if (cr_akey_make(&k, text, len, tok.start, tok.stop, gt->level)) {
            label[0] = ltab_find(gt, &k);
            if (need_keys) {
                char b[16];
                cr_akey_bytes(&k, b);
                if ((e = keep_bytes(gt, b, k.len, &koff))) return e;
            }
        } else {
            if ((e = keep_key(gt, text + tok.start, tok.stop - tok.start, gt->level, &koff))) return e;
            label[0] = cr_gaz_label(g, 0, gt->keys.data + koff, gt->keys.len - koff);
        }
        x->keylen = gt->keys.len - koff;
        x->exactlen = 0;
        label[1] = -1;
        if (sens) {
            if ((e = keep_key(gt, text + tok.start, tok.stop - tok.start, CR_NORM_NFC, &xoff))) return e;
            x->exactlen = gt->keys.len - xoff;
            label[1] = cr_gaz_label(g, 1, gt->keys.data + xoff, x->exactlen);
        }
        x->start = tok.start;
        x->stop = tok.stop;
        x->sentence = tok.sentence;
        x->key = (const char *)(uintptr_t)koff;
        x->exact = (const char *)(uintptr_t)xoff;
    }
    static const char empty[1] = "";
    for (size_t i = 0; i < gt->ntoks; i++) {
        cr_gaz_text *x = &gt->toks[i];
        /* no key was kept (short ASCII keys and no prefix entries): still valid pointers */
        x->key = gt->keys.data ? gt->keys.data + (uintptr_t)x->key : empty;
        x->exact = sens ? gt->keys.data + (uintptr_t)x->exact : NULL;
    }
    return cr_gaz_match_labels(g, gt->toks, gt->labels, gt->ntoks, policy, emit, ud);
}

/* ---- loaders ------------------------------------------------------------ */
__attribute__((format(printf, 3, 4)))
static void set_err(char *err, size_t errlen, const char *fmt, ...) {
    if (!err || !errlen) return;
    va_list ap;
    va_start(ap, fmt);
    vsnprintf(err, errlen, fmt, ap);
    va_end(ap);
}

/* Reads a whole file; *len its size.  NULL with err set on failure. */
static char *slurp(const char *path, size_t *len, char *err, size_t errlen) {
    char why[PP_MSG_SIZE];
    FILE *f = pp_fopen(path, "rb", why, sizeof why);
    if (!f) {
        set_err(err, errlen, "%s", why);
        return NULL;
    }
    cr_buf b = CR_BUF_INIT;
    for (;;) {
        if (cr_buf_reserve(&b, 65536)) break;
        size_t r = fread(b.data + b.len, 1, b.cap - b.len, f);
        b.len += r;
        if (r == 0) break;
    }
    int rerr = ferror(f);
    fclose(f);
    if (b.failed) set_err(err, errlen, "%s: out of memory", path);
    else if (rerr) set_err(err, errlen, "%s: read error", path);
    else return cr_buf_detach(&b, len);
    cr_buf_free(&b);
    return NULL;
}

const char *cr_gaz_note_reason(const cr_gaz_note *n, char *buf, size_t len) {
    if (n->mixed)
        snprintf(buf, len, "invalid UTF-8 at byte %llu: its invalid bytes decoded as %s, its UTF-8 kept",
                 (unsigned long long)n->offset, n->encoding);
    else
        snprintf(buf, len, "invalid UTF-8 at byte %llu: decoded as %s", (unsigned long long)n->offset,
                 n->encoding);
    return buf;
}

typedef struct note_ctx {
    cr_gaztext *gt;
    const char *path;
} note_ctx;

/* Keeps a note; 1 (stop: out of memory) or 0. */
static int add_note(void *ud, size_t line, uint64_t offset, int mixed, const char *encoding) {
    note_ctx *c = ud;
    cr_gaztext *gt = c->gt;
    if (gt->nnotes == gt->capnotes) {
        size_t cap = gt->capnotes ? gt->capnotes * 2 : 8;
        cr_gaz_note *p = cap > SIZE_MAX / sizeof *p ? NULL : realloc(gt->notes, cap * sizeof *p);
        if (!p) return 1;
        gt->notes = p;
        gt->capnotes = cap;
    }
    cr_gaz_note *n = &gt->notes[gt->nnotes];
    if (!(n->path = strdup(c->path))) return 1;
    n->line = line;
    n->offset = offset;
    n->mixed = mixed;
    snprintf(n->encoding, sizeof n->encoding, "%s", encoding);
    gt->nnotes++;
    return 0;
}

/* The file as UTF-8 (decoded line by line, guesses noted): the buffer, its
 * length in *len; NULL with err set on failure. */
static char *read_decoded(cr_gaztext *gt, const char *path, size_t *len, char *err, size_t errlen) {
    size_t n;
    char *raw = slurp(path, &n, err, errlen);
    if (!raw) return NULL;
    cr_buf out = { 0 };
    ld_decoded info;
    note_ctx ctx = { gt, path };
    int r = ld_decode_lines(raw, n, NULL, &out, &info, add_note, &ctx);
    free(raw);
    if (r) {
        if (r == 1) set_err(err, errlen, "%s: out of memory", path);
        else set_err(err, errlen, "%s: %s", path, info.msg);
        cr_buf_free(&out);
        return NULL;
    }
    if (cr_buf_reserve(&out, 1)) {   /* never NULL, even for an empty file */
        cr_buf_free(&out);
        set_err(err, errlen, "%s: out of memory", path);
        return NULL;
    }
    *len = out.len;
    return out.data;
}

static int add_checked(cr_gaztext *gt, const char *path, size_t line,
                       const char *entity, size_t elen, const char *type, size_t tlen,
                       const char *alias, size_t alen, int sensitive, char *err, size_t errlen) {
    if (elen == 0) {
        set_err(err, errlen, "%s:%zu: empty entity", path, line);
        return CR_EINVAL;
    }
    int e = cr_gaztext_add(gt, entity, elen, type, tlen, alias, alen, sensitive);
    if (e == CR_EINVAL)
        set_err(err, errlen, "%s:%zu: alias \"%.*s\" has no tokens or more than %d", path, line,
                (int)(alen ? alen : elen), alen ? alias : entity, CR_GAZ_MAX_TOKENS);
    else if (e)
        set_err(err, errlen, "%s:%zu: %s", path, line, cr_strerror(e));
    return e;
}

static int field_is(const char *s, size_t n, const char *want) {
    return n == strlen(want) && memcmp(s, want, n) == 0;
}

/* Sensitivity from a `case` value: 1 sensitive, 0 insensitive, -1 invalid. */
static int case_value(const char *s, size_t n) {
    if (n == 0 || field_is(s, n, "insensitive")) return 0;
    if (field_is(s, n, "sensitive")) return 1;
    return -1;
}

int cr_gaztext_load_tsv(cr_gaztext *gt, const char *path, char *err, size_t errlen) {
    size_t len;
    char *buf = read_decoded(gt, path, &len, err, errlen);
    if (!buf) return CR_EINVAL;
    int header = 0, ncols = 0, e = CR_OK;
    size_t line = 0, pos = 0;
    while (pos < len && !e) {
        size_t end = pos;
        while (end < len && buf[end] != '\n') end++;
        size_t next = end < len ? end + 1 : end;
        line++;
        if (end > pos && buf[end - 1] == '\r') end--;
        const char *s = buf + pos;
        size_t n = end - pos;
        pos = next;
        if (n == 0 || s[0] == '#') continue;
        const char *f[5];
        size_t fl[5];
        int nf = 0;
        size_t a = 0;
        for (size_t i = 0; i <= n; i++) {
            if (i == n || s[i] == '\t') {
                if (nf == 5) { nf++; break; }
                f[nf] = s + a;
                fl[nf++] = i - a;
                a = i + 1;
            }
        }
        if (memchr(s, 0, n)) {
            set_err(err, errlen, "%s:%zu: NUL byte in line", path, line);
            e = CR_EINVAL;
        } else if (!header) {
            if (nf < 3 || nf > 4 || !field_is(f[0], fl[0], "entity") || !field_is(f[1], fl[1], "type") ||
                !field_is(f[2], fl[2], "alias") || (nf == 4 && !field_is(f[3], fl[3], "case"))) {
                set_err(err, errlen, "%s:%zu: expected the header entity<TAB>type<TAB>alias[<TAB>case]",
                        path, line);
                e = CR_EINVAL;
            }
            header = 1;
            ncols = nf;
        } else if (nf != ncols && !(ncols == 4 && nf == 3)) {
            set_err(err, errlen, "%s:%zu: expected %d tab-separated fields, got %d", path, line, ncols, nf);
            e = CR_EINVAL;
        } else {
            int sens = nf == 4 ? case_value(f[3], fl[3]) : 0;
            if (sens < 0) {
                set_err(err, errlen, "%s:%zu: case must be sensitive or insensitive", path, line);
                e = CR_EINVAL;
            } else {
                e = add_checked(gt, path, line, f[0], fl[0], f[1], fl[1], f[2], fl[2], sens, err, errlen);
            }
        }
    }
    if (!e && !header) {
        set_err(err, errlen, "%s:%zu: no header line entity<TAB>type<TAB>alias", path, line ? line : 1);
        e = CR_EINVAL;
    }
    free(buf);
    return e;
}

/* ---- a small JSON reader for the EntityRuler lines ---------------------- */
typedef struct jp {
    const char *p, *end;
    cr_buf str;          /* decoded string */
    const char *why;
} jp;

static void skip_ws(jp *j) {
    while (j->p < j->end && (*j->p == ' ' || *j->p == '\t' || *j->p == '\r' || *j->p == '\n')) j->p++;
}

static int put_utf8(cr_buf *b, uint32_t cp) {
    unsigned char u[4];
    size_t n;
    if (cp < 0x80) { u[0] = (unsigned char)cp; n = 1; }
    else if (cp < 0x800) { u[0] = (unsigned char)(0xc0 | cp >> 6); u[1] = (unsigned char)(0x80 | (cp & 0x3f)); n = 2; }
    else if (cp < 0x10000) {
        u[0] = (unsigned char)(0xe0 | cp >> 12); u[1] = (unsigned char)(0x80 | ((cp >> 6) & 0x3f));
        u[2] = (unsigned char)(0x80 | (cp & 0x3f)); n = 3;
    } else {
        u[0] = (unsigned char)(0xf0 | cp >> 18); u[1] = (unsigned char)(0x80 | ((cp >> 12) & 0x3f));
        u[2] = (unsigned char)(0x80 | ((cp >> 6) & 0x3f)); u[3] = (unsigned char)(0x80 | (cp & 0x3f)); n = 4;
    }
    return cr_buf_add(b, u, n);
}

static int hex4(jp *j, uint32_t *out) {
    if (j->end - j->p < 4) return -1;
    uint32_t v = 0;
    for (int i = 0; i < 4; i++) {
        char c = *j->p++;
        v <<= 4;
        if (c >= '0' && c <= '9') v |= (uint32_t)(c - '0');
        else if (c >= 'a' && c <= 'f') v |= (uint32_t)(c - 'a' + 10);
        else if (c >= 'A' && c <= 'F') v |= (uint32_t)(c - 'A' + 10);
        else return -1;
    }
    *out = v;
    return 0;
}

/* Parses a JSON string into j->str. */
static int parse_string(jp *j) {
    cr_buf_reset(&j->str);
    if (cr_buf_reserve(&j->str, 16)) { j->why = "out of memory"; return -1; }
    if (j->p >= j->end || *j->p != '"') { j->why = "expected a string"; return -1; }
    j->p++;
    while (j->p < j->end) {
        unsigned char c = (unsigned char)*j->p++;
        if (c == '"') return 0;
        if (c < 0x20) { j->why = "control character in string"; return -1; }
        uint32_t cp = c;
        if (c == '\\') {
            if (j->p >= j->end) break;
            char esc = *j->p++;
            switch (esc) {
            case '"': cp = '"'; break;
            case '\\': cp = '\\'; break;
            case '/': cp = '/'; break;
            case 'b': cp = 8; break;
            case 'f': cp = 12; break;
            case 'n': cp = 10; break;
            case 'r': cp = 13; break;
            case 't': cp = 9; break;
            case 'u':
                if (hex4(j, &cp)) { j->why = "bad \\u escape"; return -1; }
                if (cp >= 0xd800 && cp < 0xdc00) {
                    uint32_t lo;
                    if (j->end - j->p < 6 || j->p[0] != '\\' || j->p[1] != 'u') { cp = 0xfffd; break; }
                    j->p += 2;
                    if (hex4(j, &lo) || lo < 0xdc00 || lo > 0xdfff) { j->why = "bad surrogate pair"; return -1; }
                    cp = 0x10000 + ((cp - 0xd800) << 10) + (lo - 0xdc00);
                } else if (cp >= 0xdc00 && cp < 0xe000) {
                    cp = 0xfffd;
                }
                break;
            default: j->why = "bad escape"; return -1;
            }
            if (put_utf8(&j->str, cp)) { j->why = "out of memory"; return -1; }
        } else {
            if (cr_buf_addc(&j->str, c)) { j->why = "out of memory"; return -1; }
        }
    }
    j->why = "unterminated string";
    return -1;
}

/* Skips any JSON value (for keys we do not use). */
static int skip_value(jp *j, int depth) {
    skip_ws(j);
    if (j->p >= j->end) { j->why = "unexpected end of line"; return -1; }
    if (depth > 64) { j->why = "nesting too deep"; return -1; }
    char c = *j->p;
    if (c == '"') return parse_string(j);
    if (c == '{' || c == '[') {
        char close = c == '{' ? '}' : ']';
        j->p++;
        skip_ws(j);
        if (j->p < j->end && *j->p == close) { j->p++; return 0; }
        for (;;) {
            if (c == '{') {
                skip_ws(j);
                if (parse_string(j)) return -1;
                skip_ws(j);
                if (j->p >= j->end || *j->p != ':') { j->why = "expected ':'"; return -1; }
                j->p++;
            }
            if (skip_value(j, depth + 1)) return -1;
            skip_ws(j);
            if (j->p < j->end && *j->p == ',') { j->p++; continue; }
            if (j->p < j->end && *j->p == close) { j->p++; return 0; }
            j->why = "expected ',' or a closing bracket";
            return -1;
        }
    }
    const char *s = j->p;
    while (j->p < j->end && (strchr("+-.eE", *j->p) || (*j->p >= '0' && *j->p <= '9') ||
                             (*j->p >= 'a' && *j->p <= 'z')))
        j->p++;
    size_t n = (size_t)(j->p - s);
    if (n == 0) { j->why = "unexpected character"; return -1; }
    if ((n == 4 && (!memcmp(s, "true", 4) || !memcmp(s, "null", 4))) || (n == 5 && !memcmp(s, "false", 5)))
        return 0;
    if (*s == '-' || (*s >= '0' && *s <= '9')) return 0;
    j->why = "unexpected literal";
    return -1;
}

/* A token-pattern list [{"LOWER": "x"}, {"ORTH": "y"}] as an alias string
 * joined by spaces in out; *sensitive when every token uses ORTH or TEXT. */
static int parse_token_list(jp *j, cr_buf *out, int *sensitive) {
    int any_insensitive = 0, count = 0;
    cr_buf_reset(out);
    j->p++; /* '[' */
    skip_ws(j);
    if (j->p < j->end && *j->p == ']') { j->why = "empty pattern"; return -1; }
    for (;;) {
        skip_ws(j);
        if (j->p >= j->end || *j->p != '{') { j->why = "expected a token pattern object"; return -1; }
        j->p++;
        int have = 0;
        for (;;) {
            skip_ws(j);
            if (parse_string(j)) return -1;
            int sens = !strcmp(j->str.data, "ORTH") || !strcmp(j->str.data, "TEXT");
            int ins = !strcmp(j->str.data, "LOWER") || !strcmp(j->str.data, "NORM");
            if (!sens && !ins) { j->why = "unsupported token attribute (only ORTH, TEXT, LOWER, NORM)"; return -1; }
            skip_ws(j);
            if (j->p >= j->end || *j->p != ':') { j->why = "expected ':'"; return -1; }
            j->p++;
            skip_ws(j);
            if (parse_string(j)) return -1;
            if (have++) { j->why = "one attribute per token pattern"; return -1; }
            any_insensitive |= ins;
            if ((count++ && cr_buf_addc(out, ' ')) || cr_buf_add(out, j->str.data, j->str.len)) {
                j->why = "out of memory";
                return -1;
            }
            skip_ws(j);
            if (j->p < j->end && *j->p == ',') { j->p++; continue; }
            if (j->p < j->end && *j->p == '}') { j->p++; break; }
            j->why = "expected ',' or '}'";
            return -1;
        }
        skip_ws(j);
        if (j->p < j->end && *j->p == ',') { j->p++; continue; }
        if (j->p < j->end && *j->p == ']') { j->p++; break; }
        j->why = "expected ',' or ']'";
        return -1;
    }
    *sensitive = !any_insensitive;
    return 0;
}

/* Copies src's bytes into dst (emptied first).  0, or -1. */
static int set_str(cr_buf *dst, const cr_buf *src) {
    cr_buf_reset(dst);
    return cr_buf_add(dst, src->data, src->len);
}

/* One line: {"label": ..., "pattern": "..." or [...], "id": ...}. */
static int parse_entry(jp *j, cr_buf *label, cr_buf *pattern, cr_buf *id, int *sensitive) {
    int have_label = 0, have_pattern = 0;
    skip_ws(j);
    if (j->p >= j->end || *j->p != '{') { j->why = "expected a JSON object"; return -1; }
    j->p++;
    skip_ws(j);
    if (j->p < j->end && *j->p == '}') { j->why = "empty object"; return -1; }
    for (;;) {
        skip_ws(j);
        if (parse_string(j)) return -1;
        char key[16];
        snprintf(key, sizeof key, "%s", j->str.len < sizeof key ? j->str.data : "");
        skip_ws(j);
        if (j->p >= j->end || *j->p != ':') { j->why = "expected ':'"; return -1; }
        j->p++;
        skip_ws(j);
        cr_buf *dst = !strcmp(key, "label") ? label : !strcmp(key, "id") ? id : NULL;
        if (dst) {
            if (parse_string(j)) return -1;
            if (set_str(dst, &j->str)) { j->why = "out of memory"; return -1; }
            have_label |= dst == label;
        } else if (!strcmp(key, "pattern")) {
            if (j->p < j->end && *j->p == '[') {
                if (parse_token_list(j, pattern, sensitive)) return -1;
            } else {
                if (parse_string(j)) return -1;
                if (set_str(pattern, &j->str)) { j->why = "out of memory"; return -1; }
                *sensitive = 0; /* phrase patterns: at the gazetteer's level */
            }
            have_pattern = 1;
        } else if (skip_value(j, 0)) {
            return -1;
        }
        skip_ws(j);
        if (j->p < j->end && *j->p == ',') { j->p++; continue; }
        if (j->p < j->end && *j->p == '}') { j->p++; break; }
        j->why = "expected ',' or '}'";
        return -1;
    }
    skip_ws(j);
    if (j->p != j->end) { j->why = "trailing characters after the object"; return -1; }
    if (!have_label) { j->why = "missing \"label\""; return -1; }
    if (!have_pattern) { j->why = "missing \"pattern\""; return -1; }
    return 0;
}

int cr_gaztext_load_jsonl(cr_gaztext *gt, const char *path, char *err, size_t errlen) {
    size_t len;
    char *buf = read_decoded(gt, path, &len, err, errlen);
    if (!buf) return CR_EINVAL;
    jp j;
    memset(&j, 0, sizeof j);
    cr_buf label = { 0 }, pattern = { 0 }, id = { 0 };
    size_t line = 0, pos = 0;
    int e = CR_OK;
    while (pos < len && !e) {
        size_t end = pos;
        while (end < len && buf[end] != '\n') end++;
        line++;
        j.p = buf + pos;
        j.end = buf + end;
        pos = end < len ? end + 1 : end;
        skip_ws(&j);
        if (j.p == j.end) continue;
        cr_buf_reset(&label);
        cr_buf_reset(&pattern);
        cr_buf_reset(&id);
        int sensitive = 0;
        j.why = NULL;
        if (parse_entry(&j, &label, &pattern, &id, &sensitive)) {
            set_err(err, errlen, "%s:%zu: %s", path, line, j.why ? j.why : "invalid JSON");
            e = CR_EINVAL;
            break;
        }
        const char *entity = id.len ? id.data : pattern.data;
        size_t elen = id.len ? id.len : pattern.len;
        e = add_checked(gt, path, line, entity, elen, label.data, label.len, pattern.data, pattern.len,
                        sensitive, err, errlen);
    }
    cr_buf_free(&label);
    cr_buf_free(&pattern);
    cr_buf_free(&id);
    cr_buf_free(&j.str);
    free(buf);
    return e;
}
