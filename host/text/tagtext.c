/* tagtext.c — plain text to tagged, lemmatised tokens (see tagtext.h). */
#include "tagtext.h"

#include <stdlib.h>
#include <string.h>

#include "counter.h"
#include "grow.h"
#include "lemma.h"

static const char NAMES[] = "form\0lemma\0upos\0xpos";

void cr_tagscratch_free(cr_tagscratch *s) {
    ld_tokens_free(&s->t);
    free(s->words);
    free(s->toks);
    free(s->tags);
    free(s->lemma);
    free(s->lemmas);
    postag_tagger_free(s->tagger);
    memset(s, 0, sizeof *s);
}

/* The word the tagger sees for a token: Brown writes its quotes `` and ''. */
static postag_word tagger_word(const char *text, size_t start, size_t stop) {
    postag_word w = {text + start, stop - start};
    size_t n = stop - start;
    int open;
    if (n == 1 && text[start] == '"') {
        open = start == 0 || strchr(" \t\r\n([{", text[start - 1]) != NULL;
    } else if (n == 3 && !memcmp(text + start, "\xE2\x80\x9C", 3)) {
        open = 1;
    } else if (n == 3 && !memcmp(text + start, "\xE2\x80\x9D", 3)) {
        open = 0;
    } else {
        return w;
    }
    w.s = open ? "``" : "''";
    w.len = 2;
    return w;
}

static int grow_sentence(cr_tagscratch *s, size_t need) {
    if (need <= s->cap) return 0;
    size_t c1 = s->cap, c2 = s->cap, c3 = s->cap;
    postag_word *w = cr_grow(s->words, &c1, need, sizeof *w, 64);
    if (!w) return -1;
    s->words = w;
    cr_token *t = cr_grow(s->toks, &c2, need, sizeof *t, 64);
    if (!t) return -1;
    s->toks = t;
    int *g = cr_grow(s->tags, &c3, need, sizeof *g, 64);
    if (!g) return -1;
    s->tags = g;
    s->cap = c1 < c2 ? (c1 < c3 ? c1 : c3) : (c2 < c3 ? c2 : c3);
    return 0;
}

/* The lemma of word w[0..wl) tagged tag (number t) into s->lemma (room
 * for wl + LEMMA_EXTRA bytes), through the cache; its length. */
static size_t lemma_cached(cr_tagscratch *s, const char *w, size_t wl, const char *tag, int t) {
    if (wl == 0 || wl > CR_LEMMA_CACHE_BYTES) return lemma_of(w, wl, tag, s->lemma);
    uint32_t h = 2166136261u ^ (uint32_t)t;
    for (size_t i = 0; i < wl; i++) h = (h ^ (unsigned char)w[i]) * 16777619u;
    cr_lemma_entry *e = &s->lemmas[h & (CR_LEMMA_CACHE_SLOTS - 1)];
    if (e->wlen == wl && e->tag == (uint16_t)t && memcmp(e->word, w, wl) == 0) {
        memcpy(s->lemma, e->lemma, e->llen);
        s->lemma[e->llen] = 0;
        return e->llen;
    }
    size_t ll = lemma_of(w, wl, tag, s->lemma);
    if (ll <= CR_LEMMA_CACHE_BYTES) {
        e->wlen = (uint8_t)wl;
        e->llen = (uint8_t)ll;
        e->tag = (uint16_t)t;
        memcpy(e->word, w, wl);
        memcpy(e->lemma, s->lemma, ll);
    }
    return ll;
}

/* Appends the n tokens of one sentence, tagged, to s->t. */
static int flush(const postag_model *m, const char *text, cr_tagscratch *s, size_t n) {
    if (n == 0) return 0;
    ld_tokens *t = &s->t;
    if (!s->lemmas && !(s->lemmas = calloc(CR_LEMMA_CACHE_SLOTS, sizeof *s->lemmas))) return -1;
    if (s->tagger && !postag_tagger_uses(s->tagger, m)) {
        postag_tagger_free(s->tagger);
        s->tagger = NULL;
    }
    if (!s->tagger) {
        if (!(s->tagger = postag_tagger_new(m))) return -1;
        for (int k = 0; k < postag_model_ntags(m); k++) {
            s->taglen[k] = (uint8_t)strlen(postag_model_tag(m, k));
            s->uposlen[k] = (uint8_t)strlen(postag_model_upos(m, k));
        }
    }
    if (postag_tagger_tag(s->tagger, s->words, n, s->tags) != 0) return -1;
    size_t need = t->n + n;
    if (need > t->cap) {
        size_t c1 = t->cap, c2 = t->cap;
        size_t *off = cr_grow(t->off, &c1, need, t->nattr * sizeof *off, 256);
        if (!off) return -1;
        t->off = off;
        size_t *span = cr_grow(t->span, &c2, need, 2 * sizeof *span, 256);
        if (!span) return -1;
        t->span = span;
        t->cap = c1 < c2 ? c1 : c2;
    }
    if (t->nsent == t->scap) {
        size_t *sent = cr_grow(t->sent, &t->scap, t->nsent + 1, 3 * sizeof *sent, 64);
        if (!sent) return -1;
        t->sent = sent;
    }
    t->sent[3 * t->nsent] = t->n;
    t->sent[3 * t->nsent + 1] = t->sent[3 * t->nsent + 2] = 0; /* no id, no text */
    t->nsent++;
    for (size_t k = 0; k < n; k++) {
        size_t i = t->n++;
        const cr_token *tok = &s->toks[k];
        size_t wl = tok->stop - tok->start;
        t->span[2 * i] = tok->start;
        t->span[2 * i + 1] = tok->stop;
        int tg = s->tags[k];
        const char *tag = postag_model_tag(m, tg);
        if (wl + LEMMA_EXTRA > s->lcap) {
            char *l = realloc(s->lemma, wl + LEMMA_EXTRA);
            if (!l) return -1;
            s->lemma = l;
            s->lcap = wl + LEMMA_EXTRA;
        }
        size_t ll = lemma_cached(s, text + tok->start, wl, tag, tg);
        const char *upos = postag_model_upos(m, tg);
        /* the four values, each with its NUL, into room reserved once */
        const char *v[4] = {text + tok->start, s->lemma, upos, tag};
        size_t vl[4] = {wl, ll, s->uposlen[tg], s->taglen[tg]};
        if (cr_buf_reserve(&t->vals, wl + ll + vl[2] + vl[3] + 4)) return -1;
        char *out = t->vals.data + t->vals.len;
        for (int a = 0; a < 4; a++) {
            t->off[i * t->nattr + (size_t)a] = (size_t)(out - t->vals.data);
            memcpy(out, v[a], vl[a]);
            out += vl[a];
            *out++ = 0;
        }
        t->vals.len = (size_t)(out - t->vals.data);
    }
    return 0;
}

int cr_tag_text(const postag_model *m, const char *text, size_t len, const cr_tokenizer_opts *opts,
                cr_tagscratch *s) {
    ld_tokens *t = &s->t;
    if (t->nattr == 0) {
        t->nattr = 4;
        cr_buf_add(&t->names, NAMES, sizeof NAMES);
        cr_buf_addc(&t->sinfo, 0);
        if (t->names.failed || t->sinfo.failed) return CR_ENOMEM;
    }
    t->n = 0;
    t->nsent = 0;
    cr_buf_reset(&t->vals);
    cr_tokenizer_opts o;
    if (opts) o = *opts;
    else cr_tokenizer_opts_default(&o);
    o.sentences = 1;
    o.spaces = 0;
    cr_tokenizer tk;
    cr_tokenizer_init(&tk, text, len, &o);
    cr_token tok;
    size_t n = 0, sentence = 0;
    while (cr_tokenizer_next(&tk, &tok)) {
        if (tok.kind == CR_TOK_SPACE) continue;
        if (n && tok.sentence != sentence) {
            if (flush(m, text, s, n)) return CR_ENOMEM;
            n = 0;
        }
        sentence = tok.sentence;
        if (grow_sentence(s, n + 1)) return CR_ENOMEM;
        s->toks[n] = tok;
        s->words[n] = tagger_word(text, tok.start, tok.stop);
        n++;
    }
    if (flush(m, text, s, n)) return CR_ENOMEM;
    return CR_OK;
}
