/* cqp.c — CQP's query language over token positions (cqp.h).
 *
 * Three stages.  The parser makes an AST (token conditions: boolean trees of
 * attribute tests; the pattern: sequences, alternatives, repetitions, tags).
 * cqp_run compiles it against a corpus: each attribute test becomes a bit
 * set over its attribute's lexicon (PCRE2 over the lexicon's strings, or a
 * binary search for a literal, or a range of ids for a literal prefix), the
 * pattern a Thompson automaton.  The plan picks the rarest token every match
 * must hold at a fixed offset from its start; its postings give the start
 * positions to try (else every position is tried).  From each start the
 * automaton runs token by token (ids_at through a small window per
 * attribute) to the shortest or longest match, and CQP's strategy then
 * removes the matches it would not report. */
#define PCRE2_CODE_UNIT_WIDTH 8
#include "cqp.h"

#include <pcre2.h>
#include <stdarg.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <utf8proc.h>

#include "buf.h"
#include "grow.h"
#include "interrupt.h"

#define MAX_DEPTH 100
#define MAX_COUNT 100000
#define MAX_STATES 200000
#define HARD_BOUNDARY 500
#define WIN 32

enum { F_C = 1, F_D = 2, F_L = 4 };

/* ---- the AST -------------------------------------------------------------- */

typedef enum { B_TRUE, B_TEST, B_AND, B_OR, B_NOT } btype;

typedef struct bnode {
    btype t;
    struct bnode *a, *b;
    char *name;        /* attribute; in a global constraint the structure */
    char *key;         /* global constraint: the structure's value name */
    char *pat;         /* the regular expression as written */
    size_t off;        /* the string's first byte in the query */
    size_t noff;       /* the name's */
    int neg;           /* != */
    unsigned flags;
    int id;            /* numbers the tests and trees of a query */
} bnode;

typedef enum { R_TOKEN, R_TAG, R_SEQ, R_ALT, R_REP } rtype;

typedef struct rnode {
    rtype t;
    bnode *cond;       /* token */
    int target;        /* token marked @ */
    char *sname;       /* tag: structure */
    int closing;
    bnode *value;      /* tag with a value test (name: structure, key) or NULL */
    struct rnode **kids;
    size_t nkids;
    struct rnode *kid; /* repetition */
    long min, max;     /* max -1: unbounded */
    size_t off;
} rnode;

typedef enum { W_NONE, W_STRUCT, W_WORDS } wtype;

struct cqp_query {
    rnode *root;
    bnode *gc;
    wtype within;
    char *wstruct;
    long wwords;
    size_t woff;
    long cut;          /* -1: none */
    cqp_strategy strategy;
    void **allocs;
    size_t nallocs, acap;
    int nb;            /* bnodes */
};

void cqp_hits_free(cqp_hits *h) {
    free(h->start);
    free(h->end);
    free(h->target);
    memset(h, 0, sizeof *h);
}

int cqp_strategy_from_name(const char *name) {
    if (strcmp(name, "standard") == 0) return CQP_STANDARD;
    if (strcmp(name, "shortest") == 0) return CQP_SHORTEST;
    if (strcmp(name, "longest") == 0) return CQP_LONGEST;
    return -2;
}

const char *cqp_strategy_name(cqp_strategy s) {
    switch (s) {
    case CQP_SHORTEST: return "shortest";
    case CQP_LONGEST: return "longest";
    default: return "standard";
    }
}

cqp_strategy cqp_query_strategy(const cqp_query *q) { return q->strategy; }

void cqp_free(cqp_query *q) {
    if (!q) return;
    for (size_t i = 0; i < q->nallocs; i++) free(q->allocs[i]);
    free(q->allocs);
    free(q);
}

/* ---- the parser ------------------------------------------------------------ */

typedef struct parser {
    const char *s;
    size_t n, i;
    cqp_query *q;
    cqp_error *err;
    int depth;
    int failed;
} parser;

static void perr(parser *p, size_t off, const char *fmt, ...) {
    if (p->failed) return;
    p->failed = 1;
    p->err->offset = off;
    va_list ap;
    va_start(ap, fmt);
    vsnprintf(p->err->msg, sizeof p->err->msg, fmt, ap);
    va_end(ap);
}

static void *palloc(parser *p, size_t size) {
    cqp_query *q = p->q;
    if (q->nallocs == q->acap) {
        void **g = cr_grow(q->allocs, &q->acap, q->nallocs + 1, sizeof *g, 32);
        if (!g) {
            perr(p, 0, "out of memory");
            return NULL;
        }
        q->allocs = g;
    }
    void *m = calloc(1, size);
    if (!m) {
        perr(p, 0, "out of memory");
        return NULL;
    }
    q->allocs[q->nallocs++] = m;
    return m;
}

static char *pstrdup(parser *p, const char *s, size_t n) {
    char *d = palloc(p, n + 1);
    if (d) memcpy(d, s, n);
    return d;
}

static void skip_ws(parser *p) {
    for (;;) {
        while (p->i < p->n && (p->s[p->i] == ' ' || p->s[p->i] == '\t' || p->s[p->i] == '\n' || p->s[p->i] == '\r'))
            p->i++;
        /* CQP's comments: # to the end of the line */
        if (p->i < p->n && p->s[p->i] == '#') {
            while (p->i < p->n && p->s[p->i] != '\n') p->i++;
            continue;
        }
        return;
    }
}

static int peek(parser *p) {
    skip_ws(p);
    return p->i < p->n ? (unsigned char)p->s[p->i] : -1;
}

static int accept(parser *p, char c) {
    if (peek(p) == (unsigned char)c) {
        p->i++;
        return 1;
    }
    return 0;
}

static const char *describe(parser *p) {
    static const char *end = "the end of the query";
    if (p->i >= p->n) return end;
    return NULL;
}

/* "expected X" at the current byte, saying what is there instead. */
static void expected(parser *p, const char *what) {
    skip_ws(p);
    if (describe(p)) perr(p, p->i, "expected %s, found the end of the query", what);
    else {
        unsigned char c = (unsigned char)p->s[p->i];
        if (c >= 0x20 && c < 0x7f) perr(p, p->i, "expected %s, found '%c'", what, c);
        else perr(p, p->i, "expected %s, found byte 0x%02x", what, c);
    }
}

static int is_name_start(int c) { return (c >= 'A' && c <= 'Z') || (c >= 'a' && c <= 'z') || c == '_'; }
static int is_name_char(int c) { return is_name_start(c) || (c >= '0' && c <= '9') || c == '-'; }

/* A name at the current byte (after blanks) into a new string; NULL if none. */
static char *name(parser *p, size_t *off) {
    skip_ws(p);
    *off = p->i;
    if (p->i >= p->n || !is_name_start((unsigned char)p->s[p->i])) return NULL;
    size_t b = p->i;
    while (p->i < p->n && is_name_char((unsigned char)p->s[p->i])) p->i++;
    return pstrdup(p, p->s + b, p->i - b);
}

static int is_word(parser *p, const char *w) {
    skip_ws(p);
    size_t n = strlen(w);
    return p->i + n <= p->n && memcmp(p->s + p->i, w, n) == 0 &&
           (p->i + n == p->n || !is_name_char((unsigned char)p->s[p->i + n]));
}

/* A quoted string: its content as written (escapes kept) and its flags. */
static char *string(parser *p, size_t *off, unsigned *flags) {
    skip_ws(p);
    *off = p->i;
    if (p->i >= p->n || (p->s[p->i] != '"' && p->s[p->i] != '\'')) {
        expected(p, "a string in quotes");
        return NULL;
    }
    char d = p->s[p->i++];
    size_t b = p->i;
    while (p->i < p->n && p->s[p->i] != d) {
        if (p->s[p->i] == '\\' && p->i + 1 < p->n) p->i++;
        if (p->s[p->i] == 0) {
            perr(p, p->i, "a NUL byte in a string");
            return NULL;
        }
        p->i++;
    }
    if (p->i >= p->n) {
        perr(p, *off, "string not closed (its %c is missing)", d);
        return NULL;
    }
    char *r = pstrdup(p, p->s + b, p->i - b);
    p->i++;
    *flags = 0;
    if (p->i < p->n && p->s[p->i] == '%') {
        size_t fo = p->i++;
        size_t nf = 0;
        while (p->i < p->n && is_name_char((unsigned char)p->s[p->i])) {
            char c = p->s[p->i];
            if (c == 'c') *flags |= F_C;
            else if (c == 'd') *flags |= F_D;
            else if (c == 'l') *flags |= F_L;
            else {
                perr(p, p->i, "unknown flag '%c' (flags are %%c, %%d and %%l)", c);
                return NULL;
            }
            p->i++;
            nf++;
        }
        if (!nf) {
            perr(p, fo, "'%%' without flags (flags are %%c, %%d and %%l)");
            return NULL;
        }
    }
    return r;
}

static bnode *bnew(parser *p, btype t) {
    bnode *b = palloc(p, sizeof *b);
    if (b) {
        b->t = t;
        b->id = p->q->nb++;
    }
    return b;
}

static bnode *bool_expr(parser *p, int global);

/* A test: NAME ("=" | "!=") STRING, or in a global constraint
 * match.STRUCT_KEY ("=" | "!=") STRING. */
static bnode *test(parser *p, int global) {
    size_t off;
    char *n = name(p, &off);
    if (!n) {
        if (!p->failed) expected(p, global ? "'match.' and a structure's value" : "an attribute name");
        return NULL;
    }
    bnode *b = bnew(p, B_TEST);
    if (!b) return NULL;
    b->noff = off;
    if (global) {
        if (strcmp(n, "match") != 0 || peek(p) != '.') {
            perr(p, off, "a global constraint tests match.STRUCTURE_VALUE (e.g. match.text_genre)");
            return NULL;
        }
        p->i++;
        size_t o2;
        char *sn = name(p, &o2);
        char *us = sn ? strchr(sn, '_') : NULL;
        if (!sn || !us || us == sn || !us[1]) {
            if (!p->failed) perr(p, o2, "expected a structure's value as STRUCTURE_VALUE (e.g. text_genre)");
            return NULL;
        }
        *us = 0;
        b->name = sn;
        b->key = us + 1;
    } else {
        b->name = n;
    }
    skip_ws(p);
    if (accept(p, '!')) {
        if (p->i >= p->n || p->s[p->i] != '=') {
            expected(p, "'=' after '!'");
            return NULL;
        }
        p->i++;
        b->neg = 1;
    } else if (!accept(p, '=')) {
        expected(p, "'=' or '!='");
        return NULL;
    }
    b->pat = string(p, &b->off, &b->flags);
    return b->pat ? b : NULL;
}

static bnode *bool_factor(parser *p, int global) {
    if (++p->depth > MAX_DEPTH) {
        perr(p, p->i, "nested too deeply (more than %d levels)", MAX_DEPTH);
        return NULL;
    }
    bnode *r = NULL;
    int c = peek(p);
    if (c == '!') {
        p->i++;
        bnode *k = bool_factor(p, global);
        if (k && (r = bnew(p, B_NOT))) r->a = k;
    } else if (c == '(') {
        p->i++;
        r = bool_expr(p, global);
        if (r && !accept(p, ')')) {
            expected(p, "')'");
            r = NULL;
        }
    } else {
        r = test(p, global);
    }
    p->depth--;
    return r;
}

static bnode *bool_binary(parser *p, int global, char op, btype t, bnode *(*sub)(parser *, int)) {
    bnode *l = sub(p, global);
    while (l && accept(p, op)) {
        bnode *r = sub(p, global);
        if (!r) return NULL;
        bnode *b = bnew(p, t);
        if (!b) return NULL;
        b->a = l;
        b->b = r;
        l = b;
    }
    return l;
}

static bnode *bool_term(parser *p, int global) { return bool_binary(p, global, '&', B_AND, bool_factor); }

static bnode *bool_expr(parser *p, int global) { return bool_binary(p, global, '|', B_OR, bool_term); }

static rnode *rnew(parser *p, rtype t, size_t off) {
    rnode *r = palloc(p, sizeof *r);
    if (r) {
        r->t = t;
        r->off = off;
    }
    return r;
}

static int add_kid(parser *p, rnode *r, rnode *k) {
    rnode **g = palloc(p, (r->nkids + 1) * sizeof *g);
    if (!g) return -1;
    if (r->nkids) memcpy(g, r->kids, r->nkids * sizeof *g);
    g[r->nkids++] = k;
    r->kids = g;
    return 0;
}

static rnode *alts(parser *p);

/* <NAME>, </NAME>, <STRUCT_KEY="value"> */
static rnode *tag(parser *p, size_t off) {
    int closing = 0;
    if (p->i < p->n && p->s[p->i] == '/') {
        closing = 1;
        p->i++;
    }
    size_t noff;
    char *n = name(p, &noff);
    if (!n) {
        if (!p->failed) expected(p, "a structure's name (as in <s> or </text>)");
        return NULL;
    }
    rnode *r = rnew(p, R_TAG, off);
    if (!r) return NULL;
    r->closing = closing;
    r->sname = n;
    if (!closing && accept(p, '=')) {
        char *us = strchr(n, '_');
        if (!us || us == n || !us[1]) {
            perr(p, noff, "a tag with a value names STRUCTURE_VALUE (e.g. <text_genre=\"news\">)");
            return NULL;
        }
        *us = 0;
        bnode *v = bnew(p, B_TEST);
        if (!v) return NULL;
        v->name = n;
        v->key = us + 1;
        v->pat = string(p, &v->off, &v->flags);
        if (!v->pat) return NULL;
        r->value = v;
    }
    if (!accept(p, '>')) {
        expected(p, "'>'");
        return NULL;
    }
    return r;
}

static int number(parser *p, long *v) {
    skip_ws(p);
    size_t b = p->i;
    long x = 0;
    while (p->i < p->n && p->s[p->i] >= '0' && p->s[p->i] <= '9') {
        if (x > MAX_COUNT) {
            perr(p, b, "number too large (at most %d)", MAX_COUNT);
            return -1;
        }
        x = x * 10 + (p->s[p->i++] - '0');
    }
    if (p->i == b) return 0;
    if (x > MAX_COUNT) {
        perr(p, b, "number too large (at most %d)", MAX_COUNT);
        return -1;
    }
    *v = x;
    return 1;
}

static rnode *atom(parser *p) {
    int c = peek(p);
    size_t off = p->i;
    if (c == '[') {
        p->i++;
        rnode *r = rnew(p, R_TOKEN, off);
        if (!r) return NULL;
        if (accept(p, ']')) {
            r->cond = bnew(p, B_TRUE);
            return r->cond ? r : NULL;
        }
        r->cond = bool_expr(p, 0);
        if (!r->cond) return NULL;
        if (!accept(p, ']')) {
            expected(p, "']' or a boolean operator (& | !)");
            return NULL;
        }
        return r;
    }
    if (c == '"' || c == '\'') {
        rnode *r = rnew(p, R_TOKEN, off);
        bnode *b = r ? bnew(p, B_TEST) : NULL;
        if (!b) return NULL;
        b->name = pstrdup(p, "word", 4);
        b->pat = string(p, &b->off, &b->flags);
        if (!b->pat || !b->name) return NULL;
        r->cond = b;
        return r;
    }
    if (c == '(') {
        p->i++;
        rnode *r = alts(p);
        if (r && !accept(p, ')')) {
            expected(p, "')'");
            return NULL;
        }
        return r;
    }
    if (c == '<') {
        p->i++;
        return tag(p, off);
    }
    expected(p, "a token ([...] or \"...\"), '(' or a tag (<s>)");
    return NULL;
}

static rnode *quantified(parser *p, rnode *a) {
    for (;;) {
        int c = peek(p);
        size_t off = p->i;
        long min, max;
        if (c == '?') min = 0, max = 1;
        else if (c == '*') min = 0, max = -1;
        else if (c == '+') min = 1, max = -1;
        else if (c == '{') {
            p->i++;
            min = 0;
            int r = number(p, &min);
            if (r < 0) return NULL;
            if (accept(p, ',')) {
                max = -1;
                int r2 = number(p, &max);
                if (r2 < 0) return NULL;
                if (!r && !r2) {
                    expected(p, "a number");
                    return NULL;
                }
            } else {
                if (!r) {
                    expected(p, "a number");
                    return NULL;
                }
                max = min;
            }
            if (!accept(p, '}')) {
                expected(p, "'}'");
                return NULL;
            }
            if (max >= 0 && max < min) {
                perr(p, off, "repetition {%ld,%ld}: the maximum is below the minimum", min, max);
                return NULL;
            }
            p->i--; /* the '}' is consumed below */
        } else {
            return a;
        }
        p->i++;
        if (a->t == R_TAG) {
            perr(p, off, "a tag matches no token and cannot be repeated");
            return NULL;
        }
        rnode *r = rnew(p, R_REP, off);
        if (!r) return NULL;
        r->kid = a;
        r->min = min;
        r->max = max;
        a = r;
    }
}

static rnode *item(parser *p) {
    int target = 0;
    size_t off = p->i;
    if (accept(p, '@')) {
        target = 1;
        off = p->i - 1;
    }
    rnode *a = atom(p);
    if (!a) return NULL;
    if (target) {
        if (a->t != R_TOKEN) {
            perr(p, off, "'@' marks a token ([...] or \"...\"), not a group or a tag");
            return NULL;
        }
        a->target = 1;
    }
    return quantified(p, a);
}

static int seq_end(parser *p) {
    int c = peek(p);
    return c < 0 || c == '|' || c == ')' || c == ';' || c == ':' || is_name_start(c);
}

static rnode *seq(parser *p) {
    if (seq_end(p)) {
        expected(p, "a token ([...] or \"...\"), '(' or a tag (<s>)");
        return NULL;
    }
    rnode *s = rnew(p, R_SEQ, p->i);
    if (!s) return NULL;
    while (!seq_end(p)) {
        rnode *k = item(p);
        if (!k || add_kid(p, s, k) != 0) return NULL;
    }
    return s->nkids == 1 ? s->kids[0] : s;
}

static rnode *alts(parser *p) {
    if (++p->depth > MAX_DEPTH) {
        perr(p, p->i, "nested too deeply (more than %d levels)", MAX_DEPTH);
        return NULL;
    }
    size_t off = p->i;
    rnode *first = seq(p);
    rnode *r = first;
    if (first && peek(p) == '|') {
        r = rnew(p, R_ALT, off);
        if (!r || add_kid(p, r, first) != 0) r = NULL;
        while (r && accept(p, '|')) {
            rnode *k = seq(p);
            if (!k || add_kid(p, r, k) != 0) r = NULL;
        }
    }
    p->depth--;
    return r;
}

cqp_query *cqp_parse(const char *s, size_t n, cqp_error *err) {
    parser p = {s, n, 0, NULL, err, 0, 0};
    err->offset = 0;
    err->msg[0] = 0;
    p.q = calloc(1, sizeof *p.q);
    if (!p.q) {
        perr(&p, 0, "out of memory");
        return NULL;
    }
    p.q->cut = -1;
    p.q->strategy = CQP_DEFAULT;
    /* (?strategy) */
    if (peek(&p) == '(' && p.i + 1 < n && s[p.i + 1] == '?') {
        size_t off = p.i;
        p.i += 2;
        size_t o2;
        char *m = name(&p, &o2);
        int st = m ? cqp_strategy_from_name(m) : -2;
        if (st == -2) {
            if (!p.failed) perr(&p, o2, "unknown matching strategy (use (?standard), (?shortest) or (?longest))");
        } else if (!accept(&p, ')')) {
            expected(&p, "')'");
        } else {
            p.q->strategy = (cqp_strategy)st;
        }
        (void)off;
    }
    if (!p.failed) p.q->root = alts(&p);
    if (!p.failed && accept(&p, ':')) {
        if (p.i >= n || s[p.i] != ':') expected(&p, "'::' before a global constraint");
        else {
            p.i++;
            p.q->gc = bool_expr(&p, 1);
        }
    }
    if (!p.failed && is_word(&p, "within")) {
        p.i += 6;
        skip_ws(&p);
        p.q->woff = p.i;
        long w;
        int r = number(&p, &w);
        if (r > 0) {
            if (w < 1) perr(&p, p.q->woff, "within 0 tokens: no match fits");
            p.q->within = W_WORDS;
            p.q->wwords = w;
            if (is_word(&p, "words")) p.i += 5;
        } else if (r == 0) {
            size_t off;
            p.q->wstruct = name(&p, &off);
            if (!p.q->wstruct) {
                if (!p.failed) expected(&p, "a structure (s, text) or a number after 'within'");
            } else {
                p.q->within = W_STRUCT;
            }
        }
    }
    if (!p.failed && is_word(&p, "cut")) {
        p.i += 3;
        long c;
        int r = number(&p, &c);
        if (r == 0) expected(&p, "a number after 'cut'");
        else if (r > 0) p.q->cut = c;
    }
    if (!p.failed) accept(&p, ';');
    if (!p.failed && peek(&p) >= 0) {
        if (is_name_start(peek(&p))) perr(&p, p.i, "unexpected word here (the pattern's tokens are [...] or \"...\"; after it come '::', 'within' and 'cut')");
        else expected(&p, "the end of the query");
    }
    if (p.failed) {
        cqp_free(p.q);
        return NULL;
    }
    return p.q;
}

/* ---- writing a query back ---------------------------------------------------- */

static void put_string(cr_buf *o, const bnode *b) {
    cr_buf_addc(o, '"');
    for (const char *c = b->pat; *c; c++) {
        if (*c == '\\' && c[1]) {
            cr_buf_addc(o, *c++);
            cr_buf_addc(o, *c);
        } else {
            if (*c == '"') cr_buf_addc(o, '\\');
            cr_buf_addc(o, *c);
        }
    }
    cr_buf_addc(o, '"');
    if (b->flags) {
        cr_buf_addc(o, '%');
        if (b->flags & F_C) cr_buf_addc(o, 'c');
        if (b->flags & F_D) cr_buf_addc(o, 'd');
        if (b->flags & F_L) cr_buf_addc(o, 'l');
    }
}

static void put_bool(cr_buf *o, const bnode *b, int global) {
    switch (b->t) {
    case B_TRUE: break;
    case B_TEST:
        if (global) cr_buf_addf(o, "match.%s_%s", b->name, b->key);
        else cr_buf_adds(o, b->name);
        cr_buf_adds(o, b->neg ? "!=" : "=");
        put_string(o, b);
        break;
    case B_NOT:
        cr_buf_addc(o, '!');
        put_bool(o, b->a, global);
        break;
    case B_AND:
    case B_OR:
        cr_buf_addc(o, '(');
        put_bool(o, b->a, global);
        cr_buf_adds(o, b->t == B_AND ? " & " : " | ");
        put_bool(o, b->b, global);
        cr_buf_addc(o, ')');
        break;
    }
}

static void put_regex(cr_buf *o, const rnode *r) {
    switch (r->t) {
    case R_TOKEN:
        if (r->target) cr_buf_addc(o, '@');
        cr_buf_addc(o, '[');
        put_bool(o, r->cond, 0);
        cr_buf_addc(o, ']');
        break;
    case R_TAG:
        cr_buf_addf(o, "<%s%s", r->closing ? "/" : "", r->sname);
        if (r->value) {
            cr_buf_addf(o, "_%s=", r->value->key);
            put_string(o, r->value);
        }
        cr_buf_addc(o, '>');
        break;
    case R_SEQ:
    case R_ALT:
        cr_buf_addc(o, '(');
        for (size_t i = 0; i < r->nkids; i++) {
            if (i) cr_buf_adds(o, r->t == R_SEQ ? " " : " | ");
            put_regex(o, r->kids[i]);
        }
        cr_buf_addc(o, ')');
        break;
    case R_REP:
        put_regex(o, r->kid);
        if (r->max < 0) cr_buf_addf(o, "{%ld,}", r->min);
        else cr_buf_addf(o, "{%ld,%ld}", r->min, r->max);
        break;
    }
}

int cqp_unparse(const cqp_query *q, cr_buf *o) {
    cr_buf_reset(o);
    if (q->strategy != CQP_DEFAULT) cr_buf_addf(o, "(?%s) ", cqp_strategy_name(q->strategy));
    put_regex(o, q->root);
    if (q->gc) {
        cr_buf_adds(o, " :: ");
        put_bool(o, q->gc, 1);
    }
    if (q->within == W_STRUCT) cr_buf_addf(o, " within %s", q->wstruct);
    else if (q->within == W_WORDS) cr_buf_addf(o, " within %ld", q->wwords);
    if (q->cut >= 0) cr_buf_addf(o, " cut %ld", q->cut);
    if (!o->data) cr_buf_addc(o, 0), o->len = 0;
    return o->failed ? -1 : 0;
}

static void names_bool(const bnode *b, int global, void (*fn)(void *, int, const char *), void *ud) {
    if (!b) return;
    if (b->t == B_TEST) fn(ud, global, b->name);
    names_bool(b->a, global, fn, ud);
    names_bool(b->b, global, fn, ud);
}

static void names_regex(const rnode *r, void (*fn)(void *, int, const char *), void *ud) {
    switch (r->t) {
    case R_TOKEN: names_bool(r->cond, 0, fn, ud); break;
    case R_TAG: fn(ud, 1, r->sname); break;
    case R_SEQ:
    case R_ALT:
        for (size_t i = 0; i < r->nkids; i++) names_regex(r->kids[i], fn, ud);
        break;
    case R_REP: names_regex(r->kid, fn, ud); break;
    }
}

void cqp_names(const cqp_query *q, void (*fn)(void *ud, int is_struct, const char *name), void *ud) {
    names_regex(q->root, fn, ud);
    names_bool(q->gc, 1, fn, ud);
    if (q->within == W_STRUCT) fn(ud, 1, q->wstruct);
}

/* ---- compiling against a corpus -------------------------------------------- */

/* A regular expression for values: PCRE2 code, the flags, and a scratch
 * match block. */
typedef struct vregex {
    pcre2_code *code;
    pcre2_match_data *md;
    unsigned flags;
} vregex;

typedef struct ccond {
    btype t;
    int a, b;          /* children (compiled indices) */
    int attr;
    int neg;
    uint8_t *bits;     /* test: one bit per lexicon id */
    cp_id nbits;
    uint64_t est;      /* positions estimated to satisfy it */
} ccond;

typedef struct ctag {
    int s;
    int closing;
    vregex re;         /* value test, code NULL when none */
    const char *key;
    int has_value;
} ctag;

enum { N_EPS, N_SPLIT, N_TOK, N_TAG, N_MATCH };

typedef struct nstate {
    uint8_t type, target;
    int out1, out2;
    int arg;           /* N_TOK: ccond; N_TAG: ctag */
} nstate;

typedef struct window {
    cp_pos from;
    size_t n;
    cp_id ids[WIN];
} window;

typedef struct engine {
    const cqp_query *q;
    const cp_corpus *c;
    cqp_error *err;
    int failed;
    ccond *conds;
    size_t nconds, ccap;
    int *cmap;         /* bnode id -> compiled cond, -1 */
    ctag *tags;
    size_t ntags, tcap;
    nstate *st;
    size_t nst, stcap;
    int start;
    int s_text;
    int single;        /* one token: no automaton to run (single_token) */
    /* global constraint */
    vregex *gre;       /* per bnode id */
    /* evaluation */
    window *win;       /* per attribute */
    int *set, *next;   /* state lists */
    size_t nset, nnext;
    unsigned *mark;    /* per state: generation it was added in */
    unsigned gen;
    cp_pos *tv, *tv2;  /* per state: target value (the set, the next set) */
    int *stack;
    size_t nstack;
    cr_buf scratch;
} engine;

static void eerr(engine *e, size_t off, const char *fmt, ...) {
    if (e->failed) return;
    e->failed = 1;
    e->err->offset = off;
    va_list ap;
    va_start(ap, fmt);
    vsnprintf(e->err->msg, sizeof e->err->msg, fmt, ap);
    va_end(ap);
}

/* A copy of s[0..n) with its combining marks removed (NFC), into e->scratch;
 * the string itself when it is not valid UTF-8. */
static const char *strip_marks(engine *e, const char *s, size_t n, size_t *out_n) {
    utf8proc_uint8_t *d = NULL;
    utf8proc_ssize_t r = utf8proc_map((const utf8proc_uint8_t *)s, (utf8proc_ssize_t)n, &d,
                                      UTF8PROC_COMPOSE | UTF8PROC_STRIPMARK);
    if (r < 0) {
        free(d);
        *out_n = n;
        return s;
    }
    cr_buf_reset(&e->scratch);
    cr_buf_add(&e->scratch, d, (size_t)r);
    free(d);
    if (e->scratch.failed) {
        *out_n = n;
        return s;
    }
    *out_n = e->scratch.len;
    return e->scratch.data ? e->scratch.data : "";
}

static int vregex_compile(engine *e, vregex *v, const bnode *b) {
    v->flags = b->flags;
    const char *pat = b->pat;
    size_t plen = strlen(pat);
    char *copy = NULL;
    if (b->flags & F_D) {
        size_t n;
        const char *s = strip_marks(e, pat, plen, &n);
        copy = malloc(n + 1);
        if (!copy) {
            eerr(e, 0, "out of memory");
            return -1;
        }
        memcpy(copy, s, n);
        copy[n] = 0;
        pat = copy;
        plen = n;
    }
    uint32_t opts = PCRE2_UTF | PCRE2_ANCHORED | PCRE2_ENDANCHORED | PCRE2_MATCH_INVALID_UTF;
    if (b->flags & F_L) opts |= PCRE2_LITERAL;
    else opts |= PCRE2_UCP;
    if (b->flags & F_C) opts |= PCRE2_CASELESS;
    int ec;
    PCRE2_SIZE eo;
    v->code = pcre2_compile((PCRE2_SPTR)pat, plen, opts, &ec, &eo, NULL);
    free(copy);
    if (!v->code) {
        PCRE2_UCHAR msg[120];
        pcre2_get_error_message(ec, msg, sizeof msg);
        eerr(e, b->off + 1 + (eo <= plen ? eo : plen), "in the regular expression \"%s\": %s", b->pat, (char *)msg);
        return -1;
    }
    pcre2_jit_compile(v->code, PCRE2_JIT_COMPLETE);
    v->md = pcre2_match_data_create_from_pattern(v->code, NULL);
    if (!v->md) {
        eerr(e, 0, "out of memory");
        return -1;
    }
    return 0;
}

static void vregex_free(vregex *v) {
    pcre2_match_data_free(v->md);
    pcre2_code_free(v->code);
    v->md = NULL;
    v->code = NULL;
}

static int vregex_match(engine *e, vregex *v, const char *s, size_t n) {
    if (v->flags & F_D) s = strip_marks(e, s, n, &n);
    return pcre2_match(v->code, (PCRE2_SPTR)(s ? s : ""), n, 0, 0, v->md, NULL) >= 0;
}

static int lexcmp(const char *a, size_t an, const char *b, size_t bn) {
    int c = memcmp(a, b, an < bn ? an : bn);
    if (c) return c;
    return an < bn ? -1 : an > bn;
}

static int is_meta(char c) { return strchr("\\^$.[|()?*+{", c) != NULL; }

/* The literal prefix every value the pattern matches starts with (no flags). */
static size_t literal_prefix(const char *pat) {
    if (strchr(pat, '|')) return 0;
    size_t i = 0;
    while (pat[i] && !is_meta(pat[i])) i++;
    if (pat[i] == '?' || pat[i] == '*' || pat[i] == '{') {
        /* the quantifier takes the last character: drop it (all its bytes) */
        while (i > 0 && ((unsigned char)pat[i - 1] & 0xC0) == 0x80) i--;
        if (i > 0) i--;
    }
    return i;
}

/* The first id of attribute a whose string, cut to plen bytes, is >= (ge)
 * or > (!ge) prefix. */
static cp_id lex_bound(const cp_corpus *c, int a, const char *prefix, size_t plen, int ge) {
    cp_id lo = 0, hi = c->ops->lex_size(c, a);
    while (lo < hi) {
        cp_id mid = lo + (hi - lo) / 2;
        size_t len;
        const char *s = c->ops->lex_str(c, a, mid, &len);
        int r = lexcmp(s ? s : "", len < plen ? len : plen, prefix, plen);
        if (ge ? r < 0 : r <= 0) lo = mid + 1;
        else hi = mid;
    }
    return lo;
}

static int add_cond(engine *e, ccond c) {
    if (e->nconds == e->ccap) {
        ccond *g = cr_grow(e->conds, &e->ccap, e->nconds + 1, sizeof *g, 16);
        if (!g) {
            eerr(e, 0, "out of memory");
            return -1;
        }
        e->conds = g;
    }
    e->conds[e->nconds] = c;
    return (int)e->nconds++;
}

static void setbit(ccond *c, cp_id id, const cp_corpus *cp) {
    c->bits[id >> 3] |= (uint8_t)(1u << (id & 7));
    c->est += cp->ops->lex_freq(cp, c->attr, id);
}

/* An attribute test as a bit set over the lexicon. */
static int compile_test(engine *e, const bnode *b) {
    const cp_corpus *c = e->c;
    int a = cp_attr(c, b->name);
    if (a < 0) {
        cr_buf names = CR_BUF_INIT;
        for (int i = 0; i < c->nattrs; i++) {
            if (i) cr_buf_adds(&names, ", ");
            cr_buf_adds(&names, c->attrs[i]);
        }
        eerr(e, b->noff, "no attribute '%s' in this corpus (it has %s)", b->name,
             names.data ? names.data : "none");
        cr_buf_free(&names);
        return -1;
    }
    ccond cc = {0};
    cc.t = B_TEST;
    cc.attr = a;
    cc.neg = b->neg;
    cc.a = cc.b = -1;
    cc.nbits = c->ops->lex_size(c, a);
    cc.bits = calloc((size_t)(cc.nbits / 8 + 1), 1);
    if (!cc.bits) {
        eerr(e, 0, "out of memory");
        return -1;
    }
    size_t plen = strlen(b->pat);
    int literal = (b->flags & F_L) ? !(b->flags & (F_C | F_D)) : (!b->flags && literal_prefix(b->pat) == plen);
    if (literal) {
        cp_id id = c->ops->lex_find(c, a, b->pat, plen);
        if (id >= 0) setbit(&cc, id, c);
    } else {
        vregex v = {0};
        if (vregex_compile(e, &v, b) != 0) {
            free(cc.bits);
            vregex_free(&v);
            return -1;
        }
        cp_id lo = 0, hi = cc.nbits;
        size_t pl = b->flags ? 0 : literal_prefix(b->pat);
        if (pl) {
            lo = lex_bound(c, a, b->pat, pl, 1);
            hi = lex_bound(c, a, b->pat, pl, 0);
        }
        for (cp_id id = lo; id < hi; id++) {
            size_t len;
            const char *s = c->ops->lex_str(c, a, id, &len);
            if (vregex_match(e, &v, s, len)) setbit(&cc, id, c);
            if ((id & 0xffff) == 0 && cr_interrupted()) {
                vregex_free(&v);
                free(cc.bits);
                eerr(e, 0, "interrupted");
                return -1;
            }
        }
        vregex_free(&v);
    }
    if (cc.neg) cc.est = (uint64_t)c->size - cc.est;
    int r = add_cond(e, cc);
    if (r < 0) free(cc.bits);
    return r;
}

static int compile_cond(engine *e, const bnode *b) {
    if (e->cmap[b->id] >= 0) return e->cmap[b->id];
    uint64_t size = (uint64_t)e->c->size;
    int r = -1;
    ccond cc = {0};
    cc.t = b->t;
    cc.a = cc.b = -1;
    switch (b->t) {
    case B_TRUE:
        cc.est = size;
        r = add_cond(e, cc);
        break;
    case B_TEST: r = compile_test(e, b); break;
    case B_NOT:
        if ((cc.a = compile_cond(e, b->a)) < 0) return -1;
        cc.est = size - e->conds[cc.a].est;
        r = add_cond(e, cc);
        break;
    case B_AND:
    case B_OR:
        if ((cc.a = compile_cond(e, b->a)) < 0 || (cc.b = compile_cond(e, b->b)) < 0) return -1;
        {
            uint64_t x = e->conds[cc.a].est, y = e->conds[cc.b].est;
            cc.est = b->t == B_AND ? (x < y ? x : y) : (x + y > size ? size : x + y);
        }
        r = add_cond(e, cc);
        break;
    }
    if (r >= 0) e->cmap[b->id] = r;
    return r;
}

static int add_state(engine *e, int type, int arg) {
    if (e->nst >= MAX_STATES) {
        eerr(e, 0, "query too large (its automaton would have more than %d states; lower the repetition counts)",
             MAX_STATES);
        return -1;
    }
    if (e->nst == e->stcap) {
        nstate *g = cr_grow(e->st, &e->stcap, e->nst + 1, sizeof *g, 64);
        if (!g) {
            eerr(e, 0, "out of memory");
            return -1;
        }
        e->st = g;
    }
    e->st[e->nst] = (nstate){(uint8_t)type, 0, -1, -1, arg};
    return (int)e->nst++;
}

static int compile_tag(engine *e, const rnode *r) {
    int s = cp_struct(e->c, r->sname);
    if (s < 0) {
        eerr(e, r->off, "no structure '%s' in this corpus", r->sname);
        return -1;
    }
    if (e->ntags == e->tcap) {
        ctag *g = cr_grow(e->tags, &e->tcap, e->ntags + 1, sizeof *g, 8);
        if (!g) {
            eerr(e, 0, "out of memory");
            return -1;
        }
        e->tags = g;
    }
    ctag *t = &e->tags[e->ntags];
    memset(t, 0, sizeof *t);
    t->s = s;
    t->closing = r->closing;
    if (r->value) {
        t->has_value = 1;
        t->key = r->value->key;
        if (vregex_compile(e, &t->re, r->value) != 0) {
            vregex_free(&t->re);
            return -1;
        }
    }
    return (int)e->ntags++;
}

/* Builds the automaton of r: *in its entry, *out its exit (an N_EPS whose
 * out1 the caller sets). */
static int build(engine *e, const rnode *r, int *in, int *out) {
    switch (r->t) {
    case R_TOKEN: {
        int c = compile_cond(e, r->cond);
        int t = c < 0 ? -1 : add_state(e, N_TOK, c);
        int x = t < 0 ? -1 : add_state(e, N_EPS, 0);
        if (x < 0) return -1;
        e->st[t].out1 = x;
        e->st[t].target = (uint8_t)r->target;
        *in = t;
        *out = x;
        return 0;
    }
    case R_TAG: {
        int g = compile_tag(e, r);
        int t = g < 0 ? -1 : add_state(e, N_TAG, g);
        int x = t < 0 ? -1 : add_state(e, N_EPS, 0);
        if (x < 0) return -1;
        e->st[t].out1 = x;
        *in = t;
        *out = x;
        return 0;
    }
    case R_SEQ: {
        int first = -1, last = -1;
        for (size_t i = 0; i < r->nkids; i++) {
            int a, b;
            if (build(e, r->kids[i], &a, &b) != 0) return -1;
            if (last >= 0) e->st[last].out1 = a;
            else first = a;
            last = b;
        }
        *in = first;
        *out = last;
        return 0;
    }
    case R_ALT: {
        int x = add_state(e, N_EPS, 0);
        if (x < 0) return -1;
        int prev_split = -1, first = -1;
        for (size_t i = 0; i < r->nkids; i++) {
            int a, b;
            if (build(e, r->kids[i], &a, &b) != 0) return -1;
            e->st[b].out1 = x;
            int entry = a;
            if (i + 1 < r->nkids) {
                int sp = add_state(e, N_SPLIT, 0);
                if (sp < 0) return -1;
                e->st[sp].out1 = a;
                entry = sp;
            }
            if (prev_split >= 0) e->st[prev_split].out2 = entry;
            else first = entry;
            prev_split = i + 1 < r->nkids ? entry : -1;
        }
        *in = first;
        *out = x;
        return 0;
    }
    case R_REP: {
        int first = -1, last = -1;
        for (long i = 0; i < r->min; i++) {
            int a, b;
            if (build(e, r->kid, &a, &b) != 0) return -1;
            if (last >= 0) e->st[last].out1 = a;
            else first = a;
            last = b;
        }
        int x = add_state(e, N_EPS, 0);
        if (x < 0) return -1;
        if (r->max < 0) {
            int sp = add_state(e, N_SPLIT, 0);
            int a, b;
            if (sp < 0 || build(e, r->kid, &a, &b) != 0) return -1;
            e->st[sp].out1 = a;
            e->st[sp].out2 = x;
            e->st[b].out1 = sp;
            if (last >= 0) e->st[last].out1 = sp;
            else first = sp;
        } else {
            for (long i = r->min; i < r->max; i++) {
                int sp = add_state(e, N_SPLIT, 0);
                int a, b;
                if (sp < 0 || build(e, r->kid, &a, &b) != 0) return -1;
                e->st[sp].out1 = a;
                e->st[sp].out2 = x;
                if (last >= 0) e->st[last].out1 = sp;
                else first = sp;
                last = b;
            }
            if (last >= 0) e->st[last].out1 = x;
            else first = x;
        }
        *in = first;
        *out = x;
        return 0;
    }
    }
    return -1;
}

/* Whether the start state reaches the end without a token (tags taken as
 * true): such a query could match nothing, which CQP refuses. */
static int matches_empty(engine *e) {
    memset(e->mark, 0, e->nst * sizeof *e->mark);
    e->nstack = 0;
    e->stack[e->nstack++] = e->start;
    e->mark[e->start] = 1;
    while (e->nstack) {
        int s = e->stack[--e->nstack];
        const nstate *n = &e->st[s];
        if (n->type == N_MATCH) return 1;
        if (n->type == N_TOK) continue;
        int outs[2] = {n->out1, n->out2};
        for (int k = 0; k < 2; k++)
            if (outs[k] >= 0 && !e->mark[outs[k]]) {
                e->mark[outs[k]] = 1;
                e->stack[e->nstack++] = outs[k];
            }
    }
    return 0;
}

static void compile_gc(engine *e, const bnode *b) {
    if (!b || e->failed) return;
    if (b->t == B_TEST) {
        if (cp_struct(e->c, b->name) < 0) {
            eerr(e, b->noff, "no structure '%s' in this corpus", b->name);
            return;
        }
        vregex_compile(e, &e->gre[b->id], b);
    }
    compile_gc(e, b->a);
    compile_gc(e, b->b);
}

static void engine_free(engine *e) {
    for (size_t i = 0; i < e->nconds; i++) free(e->conds[i].bits);
    free(e->conds);
    free(e->cmap);
    for (size_t i = 0; i < e->ntags; i++) vregex_free(&e->tags[i].re);
    free(e->tags);
    free(e->st);
    if (e->gre)
        for (int i = 0; i < e->q->nb; i++) vregex_free(&e->gre[i]);
    free(e->gre);
    free(e->win);
    free(e->set);
    free(e->next);
    free(e->mark);
    free(e->tv);
    free(e->tv2);
    free(e->stack);
    cr_buf_free(&e->scratch);
}

static int engine_compile(engine *e) {
    const cqp_query *q = e->q;
    e->cmap = malloc(((size_t)q->nb + 1) * sizeof *e->cmap);
    e->gre = calloc((size_t)q->nb + 1, sizeof *e->gre);
    e->win = calloc((size_t)e->c->nattrs + 1, sizeof *e->win);
    if (!e->cmap || !e->gre || !e->win) {
        eerr(e, 0, "out of memory");
        return -1;
    }
    for (int i = 0; i < q->nb; i++) e->cmap[i] = -1;
    for (int i = 0; i < e->c->nattrs; i++) e->win[i].from = -1;
    e->s_text = cp_struct(e->c, "text");
    int in, out;
    if (build(e, q->root, &in, &out) != 0) return -1;
    int m = add_state(e, N_MATCH, 0);
    if (m < 0) return -1;
    e->st[out].out1 = m;
    e->start = in;
    e->set = malloc(e->nst * sizeof *e->set);
    e->next = malloc(e->nst * sizeof *e->next);
    e->mark = calloc(e->nst, sizeof *e->mark);
    e->tv = malloc(e->nst * sizeof *e->tv);
    e->tv2 = malloc(e->nst * sizeof *e->tv2);
    e->stack = malloc(e->nst * 2 * sizeof *e->stack);
    if (!e->set || !e->next || !e->mark || !e->tv || !e->tv2 || !e->stack) {
        eerr(e, 0, "out of memory");
        return -1;
    }
    if (matches_empty(e)) {
        eerr(e, q->root->off, "the query can match without a token (every part of it is optional); CQP refuses such queries");
        return -1;
    }
    memset(e->mark, 0, e->nst * sizeof *e->mark);
    compile_gc(e, q->gc);
    if (!e->failed && q->within == W_STRUCT && cp_struct(e->c, q->wstruct) < 0)
        eerr(e, q->woff, "no structure '%s' in this corpus (within)", q->wstruct);
    if (!e->failed && e->s_text < 0) eerr(e, 0, "the corpus has no structure 'text'");
    return e->failed ? -1 : 0;
}

/* ---- evaluation ---------------------------------------------------------- */

static cp_id id_at(engine *e, int a, cp_pos pos) {
    window *w = &e->win[a];
    if (w->from < 0 || pos < w->from || pos >= w->from + (cp_pos)w->n) {
        cp_pos left = e->c->size - pos;
        size_t n = left < WIN ? (size_t)left : WIN;
        if (e->c->ops->ids_at(e->c, a, pos, n, w->ids) != CP_OK) {
            w->from = -1;
            eerr(e, 0, "cannot read the corpus at position %lld", (long long)pos);
            return -1;
        }
        w->from = pos;
        w->n = n;
    }
    return w->ids[pos - w->from];
}

static int eval_cond(engine *e, int ci, cp_pos pos) {
    const ccond *c = &e->conds[ci];
    switch (c->t) {
    case B_TRUE: return 1;
    case B_TEST: {
        cp_id id = id_at(e, c->attr, pos);
        int in = id >= 0 && id < c->nbits && (c->bits[id >> 3] >> (id & 7) & 1);
        return in != c->neg;
    }
    case B_NOT: return !eval_cond(e, c->a, pos);
    case B_AND: return eval_cond(e, c->a, pos) && eval_cond(e, c->b, pos);
    case B_OR: return eval_cond(e, c->a, pos) || eval_cond(e, c->b, pos);
    }
    return 0;
}

/* Whether tag t holds between tokens pos - 1 and pos, no later than bound. */
static int eval_tag(engine *e, const ctag *t, cp_pos pos, cp_pos bound) {
    const cp_corpus *c = e->c;
    cp_pos at = t->closing ? pos - 1 : pos;
    if (at < 0 || at > bound || at >= c->size) return 0;
    int64_t k = c->ops->region_of(c, t->s, at);
    if (k < 0) return 0;
    cp_pos s, en;
    if (c->ops->region(c, t->s, k, &s, &en) != CP_OK) return 0;
    if (t->closing) return en == pos;
    if (s != pos) return 0;
    if (!t->has_value) return 1;
    size_t len;
    const char *v = c->ops->region_value(c, t->s, k, t->key, strlen(t->key), &len);
    return vregex_match(e, (vregex *)&t->re, v ? v : "", v ? len : 0);
}

static cp_pos merge_target(cp_pos a, cp_pos b) {
    if (a < 0) return b;
    if (b < 0) return a;
    return a < b ? a : b;
}

/* Adds state s with target value v to the set being built at position pos,
 * following empty moves (tags tested at pos). */
static void add_closure(engine *e, int *list, size_t *nlist, cp_pos *tv, int s0, cp_pos v0, cp_pos pos,
                        cp_pos bound) {
    e->nstack = 0;
    e->stack[e->nstack++] = s0;
    tv[s0] = e->mark[s0] == e->gen ? merge_target(tv[s0], v0) : v0;
    if (e->mark[s0] != e->gen) {
        e->mark[s0] = e->gen;
        list[(*nlist)++] = s0;
    }
    while (e->nstack) {
        int s = e->stack[--e->nstack];
        const nstate *n = &e->st[s];
        cp_pos v = tv[s];
        int outs[2] = {-1, -1};
        if (n->type == N_EPS || n->type == N_SPLIT) {
            outs[0] = n->out1;
            outs[1] = n->out2;
        } else if (n->type == N_TAG) {
            if (eval_tag(e, &e->tags[n->arg], pos, bound)) outs[0] = n->out1;
        }
        for (int k = 0; k < 2; k++) {
            int o = outs[k];
            if (o < 0) continue;
            if (e->mark[o] != e->gen) {
                e->mark[o] = e->gen;
                tv[o] = v;
                list[(*nlist)++] = o;
                e->stack[e->nstack++] = o;
            } else {
                cp_pos m = merge_target(tv[o], v);
                if (m != tv[o]) {
                    tv[o] = m;
                    if (e->nstack < e->nst * 2) e->stack[e->nstack++] = o;
                }
            }
        }
    }
}

static void next_gen(engine *e) {
    if (++e->gen == 0) {
        memset(e->mark, 0, e->nst * sizeof *e->mark);
        e->gen = 1;
    }
}

/* Runs the automaton from start to at most bound; 1 with *end and *target
 * when it matches (shortest or longest by longest), else 0. */
static int simulate(engine *e, cp_pos start, cp_pos bound, int longest, cp_pos *end, cp_pos *target) {
    int found = 0;
    next_gen(e);
    e->nset = 0;
    add_closure(e, e->set, &e->nset, e->tv, e->start, -1, start, bound);
    for (cp_pos pos = start;; pos++) {
        if (pos > start) {
            for (size_t i = 0; i < e->nset; i++)
                if (e->st[e->set[i]].type == N_MATCH) {
                    *end = pos - 1;
                    *target = e->tv[e->set[i]];
                    found = 1;
                    break;
                }
            if (found && !longest) return 1;
        }
        if (pos > bound || e->failed) break;
        /* token moves, into the next set */
        next_gen(e);
        e->nnext = 0;
        for (size_t i = 0; i < e->nset; i++) {
            const nstate *n = &e->st[e->set[i]];
            if (n->type != N_TOK || !eval_cond(e, n->arg, pos)) continue;
            cp_pos v = n->target ? pos : e->tv[e->set[i]];
            add_closure(e, e->next, &e->nnext, e->tv2, n->out1, v, pos + 1, bound);
        }
        int *ts = e->set;
        e->set = e->next;
        e->next = ts;
        e->nset = e->nnext;
        cp_pos *tt = e->tv;
        e->tv = e->tv2;
        e->tv2 = tt;
        if (!e->nset) break;
    }
    return found;
}

/* ---- the global constraint --------------------------------------------------- */

/* match.STRUCT_KEY tests at the match's start (a start outside every region
 * of the structure fails every test). */
static int eval_gc(engine *e, const bnode *b, cp_pos pos) {
    switch (b->t) {
    case B_TRUE: return 1;
    case B_NOT: return !eval_gc(e, b->a, pos);
    case B_AND: return eval_gc(e, b->a, pos) && eval_gc(e, b->b, pos);
    case B_OR: return eval_gc(e, b->a, pos) || eval_gc(e, b->b, pos);
    case B_TEST: {
        const cp_corpus *c = e->c;
        int s = cp_struct(c, b->name);
        int64_t k = s < 0 ? -1 : c->ops->region_of(c, s, pos);
        if (k < 0) return 0;
        size_t len;
        const char *v = c->ops->region_value(c, s, k, b->key, strlen(b->key), &len);
        int m = vregex_match(e, &e->gre[b->id], v ? v : "", v ? len : 0);
        return m != b->neg;
    }
    }
    return 0;
}

/* ---- the plan: where matches can start ---------------------------------------- */

typedef struct anchor {
    int cond;
    long off;
} anchor;

typedef struct aset {
    anchor *v;
    size_t n;
    uint64_t cost;     /* UINT64_MAX: none */
} aset;

/* Whether the positions of cond can be listed from postings. */
static int listable(const engine *e, int ci) {
    const ccond *c = &e->conds[ci];
    switch (c->t) {
    case B_TEST: return !c->neg;
    case B_AND: return listable(e, c->a) || listable(e, c->b);
    case B_OR: return listable(e, c->a) && listable(e, c->b);
    default: return 0;
    }
}

/* The length of every match of r, or -1 when it varies. */
static long fixed_len(const rnode *r) {
    switch (r->t) {
    case R_TOKEN: return 1;
    case R_TAG: return 0;
    case R_SEQ: {
        long sum = 0;
        for (size_t i = 0; i < r->nkids; i++) {
            long l = fixed_len(r->kids[i]);
            if (l < 0 || sum > MAX_STATES) return -1;
            sum += l;
        }
        return sum;
    }
    case R_ALT: {
        long l0 = fixed_len(r->kids[0]);
        for (size_t i = 1; i < r->nkids; i++)
            if (fixed_len(r->kids[i]) != l0) return -1;
        return l0;
    }
    case R_REP: {
        long l = fixed_len(r->kid);
        if (r->min != r->max || l < 0 || (l && r->min > MAX_STATES / l)) return -1;
        return l * r->min;
    }
    }
    return -1;
}

static void aset_free(aset *a) {
    free(a->v);
    a->v = NULL;
    a->n = 0;
    a->cost = UINT64_MAX;
}

/* The anchors of r: tokens one of which every match of r holds, each at a
 * fixed offset from the match's start. */
static aset anchors(engine *e, const rnode *r) {
    aset none = {NULL, 0, UINT64_MAX};
    switch (r->t) {
    case R_TOKEN: {
        int c = e->cmap[r->cond->id];
        if (c < 0 || !listable(e, c)) return none;
        aset a = {malloc(sizeof(anchor)), 1, e->conds[c].est};
        if (!a.v) return none;
        a.v[0] = (anchor){c, 0};
        return a;
    }
    case R_TAG: return none;
    case R_REP: return r->min >= 1 ? anchors(e, r->kid) : none;
    case R_ALT: {
        aset acc = {NULL, 0, 0};
        for (size_t i = 0; i < r->nkids; i++) {
            aset k = anchors(e, r->kids[i]);
            if (k.cost == UINT64_MAX) {
                aset_free(&acc);
                return none;
            }
            anchor *g = realloc(acc.v, (acc.n + k.n) * sizeof *g);
            if (!g) {
                aset_free(&k);
                aset_free(&acc);
                return none;
            }
            memcpy(g + acc.n, k.v, k.n * sizeof *g);
            acc.v = g;
            acc.n += k.n;
            acc.cost += k.cost;
            aset_free(&k);
        }
        return acc;
    }
    case R_SEQ: {
        aset best = none;
        long off = 0;
        for (size_t i = 0; i < r->nkids; i++) {
            aset k = anchors(e, r->kids[i]);
            if (k.cost < best.cost) {
                for (size_t j = 0; j < k.n; j++) k.v[j].off += off;
                aset_free(&best);
                best = k;
            } else {
                aset_free(&k);
            }
            long l = fixed_len(r->kids[i]);
            if (l < 0) break;
            off += l;
        }
        return best;
    }
    }
    return none;
}

/* Merges the sorted runs of v (run k is [runs[k], runs[k+1])) into one
 * sorted list without duplicates. */
static int merge_runs(cp_posvec *v, size_t *runs, size_t nruns) {
    if (nruns <= 1) goto dedupe;
    cp_pos *tmp = malloc(v->n * sizeof *tmp);
    if (!tmp) return -1;
    while (nruns > 1) {
        size_t out = 0, w = 0;
        for (size_t k = 0; k < nruns; k += 2) {
            size_t a = runs[k], am = runs[k + 1];
            size_t b = am, bm = k + 2 <= nruns ? runs[k + 2] : am;
            if (k + 1 >= nruns) b = bm = am;
            runs[w++] = out;
            while (a < am && b < bm) tmp[out++] = v->v[a] <= v->v[b] ? v->v[a++] : v->v[b++];
            while (a < am) tmp[out++] = v->v[a++];
            while (b < bm) tmp[out++] = v->v[b++];
        }
        runs[w] = out;
        nruns = w;
        memcpy(v->v, tmp, out * sizeof *tmp);
    }
    free(tmp);
dedupe:;
    size_t w = 0;
    for (size_t i = 0; i < v->n; i++)
        if (!w || v->v[i] != v->v[w - 1]) v->v[w++] = v->v[i];
    v->n = w;
    return 0;
}

/* Appends the positions where cond may hold (a superset, sorted) as runs. */
static int list_cond(engine *e, int ci, long off, cp_posvec *v, size_t **runs, size_t *nruns, size_t *rcap) {
    const ccond *c = &e->conds[ci];
    if (c->t == B_AND) {
        int a = listable(e, c->a), b = listable(e, c->b);
        int pick = a && b ? (e->conds[c->a].est <= e->conds[c->b].est ? c->a : c->b) : (a ? c->a : c->b);
        return list_cond(e, pick, off, v, runs, nruns, rcap);
    }
    if (c->t == B_OR)
        return list_cond(e, c->a, off, v, runs, nruns, rcap) || list_cond(e, c->b, off, v, runs, nruns, rcap);
    for (cp_id id = 0; id < c->nbits; id++) {
        if (!(c->bits[id >> 3] >> (id & 7) & 1)) continue;
        size_t from = v->n;
        int rc = e->c->ops->postings(e->c, c->attr, id, v);
        if (rc != CP_OK) {
            eerr(e, 0, rc == CP_ENOMEM ? "out of memory" : "cannot read the corpus's postings");
            return -1;
        }
        /* start = position - off, dropping those before the corpus */
        size_t w = from;
        for (size_t i = from; i < v->n; i++)
            if (v->v[i] >= off) v->v[w++] = v->v[i] - off;
        v->n = w;
        if (*nruns + 2 > *rcap) {
            size_t *g = cr_grow(*runs, rcap, *nruns + 2, sizeof *g, 16);
            if (!g) {
                eerr(e, 0, "out of memory");
                return -1;
            }
            *runs = g;
        }
        (*runs)[(*nruns)++] = from;
        (*runs)[*nruns] = v->n;
    }
    return 0;
}

/* The start positions to try, sorted; *all set when every position is to
 * be tried instead. */
static int candidates(engine *e, cp_posvec *v, int *all) {
    aset a = anchors(e, e->q->root);
    *all = 0;
    if (a.cost == UINT64_MAX || a.cost > (uint64_t)e->c->size / 3) {
        aset_free(&a);
        *all = 1;
        return 0;
    }
    size_t *runs = NULL, nruns = 0, rcap = 0;
    int rc = 0;
    for (size_t i = 0; rc == 0 && i < a.n; i++) rc = list_cond(e, a.v[i].cond, a.v[i].off, v, &runs, &nruns, &rcap);
    aset_free(&a);
    if (rc == 0 && merge_runs(v, runs, nruns) != 0) {
        eerr(e, 0, "out of memory");
        rc = -1;
    }
    free(runs);
    return rc;
}

/* ---- running -------------------------------------------------------------------- */

/* Room for n hits in h (its three arrays at the same capacity); 0 or -1. */
static int hits_reserve(cqp_hits *h, size_t n) {
    if (n <= h->cap) return 0;
    size_t c1 = h->cap, c2 = h->cap, c3 = h->cap;
    cp_pos *a = cr_grow(h->start, &c1, n, sizeof *a, 256);
    if (!a) return -1;
    h->start = a;
    cp_pos *b = cr_grow(h->end, &c2, n, sizeof *b, 256);
    if (!b) return -1;
    h->end = b;
    cp_pos *c = cr_grow(h->target, &c3, n, sizeof *c, 256);
    if (!c) return -1;
    h->target = c;
    h->cap = c1;
    return 0;
}

int cqp_hits_push(cqp_hits *h, cp_pos s, cp_pos en, cp_pos t) {
    if (h->n == h->cap) {
        size_t c1 = h->cap, c2 = h->cap, c3 = h->cap;
        cp_pos *a = cr_grow(h->start, &c1, h->n + 1, sizeof *a, 256);
        if (!a) return -1;
        h->start = a;
        cp_pos *b = cr_grow(h->end, &c2, h->n + 1, sizeof *b, 256);
        if (!b) return -1;
        h->end = b;
        cp_pos *c = cr_grow(h->target, &c3, h->n + 1, sizeof *c, 256);
        if (!c) return -1;
        h->target = c;
        h->cap = c1;
    }
    h->start[h->n] = s;
    h->end[h->n] = en;
    h->target[h->n] = t;
    h->n++;
    return 0;
}

/* The last position a match starting at pos may reach, or -1 when none can
 * start there. */
static cp_pos boundary(engine *e, cp_pos pos) {
    const cp_corpus *c = e->c;
    int64_t d = c->ops->region_of(c, e->s_text, pos);
    cp_pos ds, de;
    if (d < 0 || c->ops->region(c, e->s_text, d, &ds, &de) != CP_OK) return -1;
    cp_pos b = de - 1;
    const cqp_query *q = e->q;
    if (q->within == W_NONE) {
        if (pos + HARD_BOUNDARY - 1 < b) b = pos + HARD_BOUNDARY - 1;
    } else if (q->within == W_WORDS) {
        if (pos + q->wwords - 1 < b) b = pos + q->wwords - 1;
    } else {
        int s = cp_struct(c, q->wstruct);
        int64_t k = c->ops->region_of(c, s, pos);
        cp_pos rs, re;
        if (k < 0 || c->ops->region(c, s, k, &rs, &re) != CP_OK) return -1;
        if (re - 1 < b) b = re - 1;
    }
    return b;
}

/* A query of one token (no tags, constraint or structure): its hits are the
 * positions where the token's condition holds, whatever the strategy. */
static int single_token(const cqp_query *q) {
    return q->root->t == R_TOKEN && !q->gc && q->within != W_STRUCT && (q->within != W_WORDS || q->wwords >= 1);
}

static int try_token(engine *e, cp_pos pos, cqp_hits *raw) {
    const rnode *r = e->q->root;
    if (!eval_cond(e, e->cmap[r->cond->id], pos) || e->failed) return e->failed ? -1 : 0;
    if (cqp_hits_push(raw, pos, pos, r->target ? pos : -1) != 0) {
        eerr(e, 0, "out of memory");
        return -1;
    }
    return 0;
}

static int try_start(engine *e, cp_pos pos, int longest, cqp_hits *raw) {
    if (e->single) return try_token(e, pos, raw);
    cp_pos b = boundary(e, pos);
    if (b < pos) return 0;
    if (e->q->gc && !eval_gc(e, e->q->gc, pos)) return 0;
    cp_pos end = -1, target = -1;
    if (!simulate(e, pos, b, longest, &end, &target)) return 0;
    if (cqp_hits_push(raw, pos, end, target) != 0) {
        eerr(e, 0, "out of memory");
        return -1;
    }
    return 0;
}

/* CQP's clean-up of the matches found from each start (one per start, sorted):
 * standard keeps the earliest of those ending at the same token, shortest
 * drops every match holding another, longest every match another holds. */
static void reduce(cqp_hits *h, cqp_strategy st) {
    size_t n = h->n;
    uint8_t *dead = calloc(n ? n : 1, 1);
    if (!dead) return; /* left as found: every match kept */
    for (size_t i = 0; i < n; i++) {
        if (dead[i]) continue;
        for (size_t j = i + 1; j < n && h->start[j] <= h->end[i]; j++) {
            if (st == CQP_STANDARD) {
                if (h->end[j] == h->end[i]) dead[j] = 1;
            } else if (st == CQP_SHORTEST) {
                if (h->end[j] <= h->end[i]) {
                    dead[i] = 1;
                    break;
                }
            } else if (!dead[j] && h->end[j] <= h->end[i]) {
                dead[j] = 1;
            }
        }
    }
    size_t w = 0;
    for (size_t i = 0; i < n; i++)
        if (!dead[i]) {
            h->start[w] = h->start[i];
            h->end[w] = h->end[i];
            h->target[w] = h->target[i];
            w++;
        }
    h->n = w;
    free(dead);
}

int cqp_run(const cqp_query *q, const cp_corpus *c, cqp_strategy strategy, cqp_hits *out, cqp_error *err) {
    engine e;
    memset(&e, 0, sizeof e);
    e.q = q;
    e.c = c;
    e.err = err;
    err->offset = 0;
    err->msg[0] = 0;
    if (strategy == CQP_DEFAULT) strategy = q->strategy == CQP_DEFAULT ? CQP_STANDARD : q->strategy;
    int longest = strategy == CQP_LONGEST;
    cqp_hits raw = {0};
    cp_posvec cand = {0};
    if (engine_compile(&e) == 0) {
        int all;
        e.single = single_token(q);
        if (candidates(&e, &cand, &all) == 0) {
            if (all) {
                for (cp_pos p = 0; p < c->size && !e.failed; p++) {
                    if ((p & 0xffff) == 0 && cr_interrupted()) eerr(&e, 0, "interrupted");
                    else if (try_start(&e, p, longest, &raw) != 0) break;
                }
            } else {
                /* a start gives at most one hit: room for them all at once */
                if (cand.n > 0 && hits_reserve(&raw, cand.n) != 0) eerr(&e, 0, "out of memory");
                for (size_t i = 0; i < cand.n && !e.failed; i++) {
                    if ((i & 0xffff) == 0 && cr_interrupted()) eerr(&e, 0, "interrupted");
                    else if (try_start(&e, cand.v[i], longest, &raw) != 0) break;
                }
            }
        }
    }
    cp_posvec_free(&cand);
    engine_free(&e);
    if (e.failed) {
        cqp_hits_free(&raw);
        return -1;
    }
    reduce(&raw, strategy);
    if (q->cut >= 0 && raw.n > (size_t)q->cut) raw.n = (size_t)q->cut;
    if (out->n == 0) {   /* the hits become out's, not copied */
        cqp_hits_free(out);
        *out = raw;
        return 0;
    }
    for (size_t i = 0; i < raw.n; i++)
        if (cqp_hits_push(out, raw.start[i], raw.end[i], raw.target[i]) != 0) {
            cqp_hits_free(&raw);
            snprintf(err->msg, sizeof err->msg, "out of memory");
            return -1;
        }
    cqp_hits_free(&raw);
    return 0;
}
