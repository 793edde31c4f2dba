/* lcount.c — `count.core`, the private core of the `count` module
 * (lib/lua/count.lua): frequency, document-frequency, n-gram and
 * co-occurrence counters fed whole documents in C.  Exports
 * luaopen_count_core.  It requires nothing: saving to SQLite lives in Lua
 * (lib/lua/count_sqlite.lua), handed to it by count.lua. */
#include <lauxlib.h>
#include <limits.h>
#include <lua.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "buf_lua.h"
#include "cooc.h"
#include "counter.h"
#include "countext.h"
#include "dtm.h"
#include "engine_opts.h"
#include "tokens_lua.h"
#include "grow.h"
#include "interrupt.h"
#include "postag_lua.h"
#include "tagtext.h"

static const char *kind_mt(int kind) {
    return kind == K_NGRAMS ? NGRAMS_MT : kind == K_COOC ? COOC_MT : FREQ_MT;
}

/* A new closed userdata; the caller opens it. */
static Count *newcount(lua_State *L, int kind) {
    Count *c = lua_newuserdatauv(L, sizeof *c, 0);
    memset(c, 0, sizeof *c);
    c->opened = kind;
    cr_textopts_default(&c->o);
    luaL_setmetatable(L, kind_mt(kind));
    return c;
}

static void count_release(Count *c) {
    switch (c->kind) {
    case K_FREQ: case K_DF: cr_counter_free(&c->u.f); break;
    case K_NGRAMS: cr_ngrams_free(&c->u.g); break;
    case K_COOC: cr_cooc_free(&c->u.c); break;
    default: break;
    }
    cr_textscratch_free(&c->s);
    if (c->tagged) cr_tagscratch_free(c->tagged);
    free(c->tagged);
    c->tagged = NULL;
    cr_buf_free(&c->key);
    cr_buf_free(&c->join);
    free(c->where);
    c->where = NULL;
    c->where_len = 0;
    c->kind = K_CLOSED;
}

static Count *tocount(lua_State *L, int idx) {
    Count *c = luaL_testudata(L, idx, FREQ_MT);
    if (!c) c = luaL_testudata(L, idx, NGRAMS_MT);
    if (!c) c = luaL_testudata(L, idx, COOC_MT);
    return c;
}

static Count *checkcount(lua_State *L, int idx) {
    Count *c = tocount(L, idx);
    if (!c) luaL_typeerror(L, idx, "counter");
    if (c->kind == K_CLOSED) luaL_error(L, "attempt to use a closed %s", kind_mt(c->opened));
    return c;
}

static Count *checkkind(lua_State *L, int idx, int kind) {
    Count *c = checkcount(L, idx);
    if (c->kind != kind && !(kind == K_FREQ && c->kind == K_DF))
        luaL_typeerror(L, idx, kind_mt(kind));
    return c;
}

static cr_counter *vocab(Count *c) {
    return c->kind == K_NGRAMS ? &c->u.g.vocab : c->kind == K_COOC ? &c->u.c.vocab : &c->u.f;
}

static int fail(lua_State *L, int err) {
    return luaL_error(L, "count: %s", cr_strerror(err));
}

static void check(lua_State *L, int err) {
    if (err) fail(L, err);
}

/* ---- constructors -------------------------------------------------------- */
/* Whether s[0..n) is an attribute spec: a name, or two names joined by '/'. */
static int attr_spec_ok(const char *s, size_t n) {
    if (n == 0 || n >= CR_ATTR_MAX || s[0] == '/' || s[n - 1] == '/') return 0;
    int slashes = 0;
    for (size_t i = 0; i < n; i++) {
        unsigned char ch = (unsigned char)s[i];
        if (ch <= ' ' || ch == 0x7f) return 0;
        slashes += ch == '/';
    }
    return slashes <= 1;
}

static int cmp_cstr(const void *a, const void *b) {
    return strcmp(*(const char *const *)a, *(const char *const *)b);
}

/* A where value (a string) appended to b after a separator; raises on a
 * value that is not a string or holds the encoding's bytes. */
static void where_value(lua_State *L, cr_buf *b, int idx) {
    static const char want[] = "option 'where' must map attribute names to a value or a list of values (strings)";
    size_t len;
    const char *v = lua_type(L, idx) == LUA_TSTRING ? lua_tolstring(L, idx, &len) : NULL;
    if (!v) luaL_argerror(L, 1, want);
    if (memchr(v, CR_WHERE_SEP, len) || memchr(v, CR_WHERE_END, len))
        luaL_argerror(L, 1, "option 'where': a value holds the control character 0x1E or 0x1F");
    cr_buf_addc(b, CR_WHERE_SEP);
    cr_buf_add(b, v, len);
}

/* The where table at idx, encoded (countattr.h), into b: conditions sorted
 * by attribute name, values in the order given. */
static void read_where(lua_State *L, int idx, cr_buf *b) {
    static const char want[] = "option 'where' must map attribute names to a value or a list of values (strings)";
    if (!lua_istable(L, idx)) luaL_argerror(L, 1, want);
    const char *names[CR_WHERE_MAX];
    size_t n = 0;
    lua_pushnil(L);
    while (lua_next(L, idx)) {
        lua_pop(L, 1);
        size_t len;
        const char *k = lua_type(L, -1) == LUA_TSTRING ? lua_tolstring(L, -1, &len) : NULL;
        if (!k || !attr_spec_ok(k, len) || memchr(k, '/', len)) luaL_argerror(L, 1, want);
        if (n == CR_WHERE_MAX) luaL_argerror(L, 1, "option 'where' takes at most 8 attributes");
        names[n++] = k;   /* alive: the key stays in the table */
    }
    if (n == 0) luaL_argerror(L, 1, "option 'where' names no attribute");
    qsort(names, n, sizeof *names, cmp_cstr);
    for (size_t i = 0; i < n; i++) {
        cr_buf_adds(b, names[i]);
        int ty = lua_getfield(L, idx, names[i]);
        if (ty == LUA_TTABLE) {
            lua_Integer m = luaL_len(L, -1);
            if (m < 1) luaL_argerror(L, 1, lua_pushfstring(L, "option 'where': the list for '%s' is empty", names[i]));
            for (lua_Integer j = 1; j <= m; j++) {
                lua_geti(L, -1, j);
                where_value(L, b, -1);
                lua_pop(L, 1);
            }
        } else where_value(L, b, -1);
        lua_pop(L, 1);
        cr_buf_addc(b, CR_WHERE_END);
    }
    if (b->failed) luaL_error(L, "out of memory");
}

/* Option attr of the table at idx into out ("" when absent). */
static void read_attr(lua_State *L, int idx, char out[CR_ATTR_MAX]) {
    out[0] = '\0';
    if (!lua_istable(L, idx)) return;
    size_t alen = 0;
    const char *attr = NULL;
    if (lua_getfield(L, idx, "attr") != LUA_TNIL) {
        attr = lua_type(L, -1) == LUA_TSTRING ? lua_tolstring(L, -1, &alen) : NULL;
        if (!attr || !attr_spec_ok(attr, alen))
            luaL_argerror(L, idx, "option 'attr' must be an attribute name, or two joined by '/' "
                                  "(such as \"lemma\" or \"lemma/upos\")");
        memcpy(out, attr, alen + 1);
    }
    lua_pop(L, 1);
}

/* Option where of the table at idx (which needs attr) into c, an open
 * counter (so that its __gc frees the filter whatever raises after). */
static void set_where(lua_State *L, int idx, Count *c) {
    if (!lua_istable(L, idx)) return;
    if (lua_getfield(L, idx, "where") == LUA_TNIL) {
        lua_pop(L, 1);
        return;
    }
    if (!c->attr[0]) luaL_argerror(L, idx, "option 'where' chooses tokens to count: it needs 'attr'");
    cr_buf *w = crl_newbuf(L);   /* Lua's: freed even when reading the table raises */
    read_where(L, lua_gettop(L) - 1, w);
    if (!(c->where = malloc(w->len))) luaL_error(L, "out of memory");
    memcpy(c->where, w->data, w->len);
    c->where_len = w->len;
    lua_pop(L, 2);
}

static int l_freq(lua_State *L) {
    lua_settop(L, 1);
    eng_check_opts(L, 1);
    eng_check_keys(L, 1, "attr where");
    char abuf[CR_ATTR_MAX];
    read_attr(L, 1, abuf);
    const char *attr = abuf[0] ? abuf : NULL;
    size_t alen = strlen(abuf);
    cr_buf *w = NULL;
    if (lua_istable(L, 1) && lua_getfield(L, 1, "where") != LUA_TNIL) {
        if (!attr) luaL_argerror(L, 1, "option 'where' chooses tokens to count: it needs 'attr'");
        w = crl_newbuf(L);   /* Lua's: freed even when reading the table raises */
        read_where(L, lua_gettop(L) - 1, w);
    }
    Count *c = newcount(L, K_FREQ);
    if (attr) memcpy(c->attr, attr, alen + 1);
    if (w) {
        if (!(c->where = malloc(w->len))) return luaL_error(L, "out of memory");
        memcpy(c->where, w->data, w->len);
        c->where_len = w->len;
    }
    crl_read_textopts(L, 1, &c->o);
    cr_counter_init(&c->u.f);
    c->kind = K_FREQ;
    return 1;
}

static int l_df(lua_State *L) {
    l_freq(L);
    Count *c = lua_touserdata(L, -1);
    c->kind = c->opened = K_DF;
    return 1;
}

static size_t focus_words(lua_State *L, int idx, const char *field, int one_ok);

static int l_ngrams(lua_State *L) {
    lua_settop(L, 2);
    lua_Integer n = luaL_checkinteger(L, 1);
    luaL_argcheck(L, n >= 1 && n <= CR_NGRAM_MAX, 1, "n must be 1..8");
    eng_check_opts(L, 2);
    size_t seplen = 1;
    const char *sep = " ";
    lua_Integer skip = 0;
    size_t nonly = 0;
    int only_at = 0;
    eng_check_keys(L, 2, "sep skip only attr where");
    char attr[CR_ATTR_MAX];
    read_attr(L, 2, attr);
    if (lua_istable(L, 2)) {
        if (lua_getfield(L, 2, "sep") != LUA_TNIL) {
            sep = lua_tolstring(L, -1, &seplen);
            if (lua_type(L, -1) != LUA_TSTRING || seplen >= CR_SEP_MAX)
                luaL_argerror(L, 2, "option 'sep' must be a string of at most 15 bytes");
        }
        skip = eng_opt_int(L, 2, "skip", 0, 0, 8);
        if ((nonly = focus_words(L, 2, "only", 0))) only_at = lua_gettop(L);
    }
    Count *c = newcount(L, K_NGRAMS);
    memcpy(c->attr, attr, sizeof attr);
    crl_read_textopts(L, 2, &c->o);
    check(L, cr_ngrams_init(&c->u.g, (unsigned)n, (unsigned)skip, sep, seplen));
    c->kind = K_NGRAMS;
    if (nonly) {
        const char **keys = lua_touserdata(L, only_at);
        check(L, cr_ngrams_only(&c->u.g, keys, (const size_t *)(keys + nonly), nonly));
    }
    set_where(L, 2, c);
    return 1;
}

static const char *const mode_names[] = { "window", "sentence", "document", NULL };

/* The words of option `field` (a string, or a non-empty array of strings)
 * in a userdata array of pointers then lengths on the stack; 0 when the
 * option is absent (nothing pushed). */
static size_t focus_words(lua_State *L, int idx, const char *field, int one_ok) {
    int t = lua_getfield(L, idx, field);
    if (t == LUA_TNIL) {
        lua_pop(L, 1);
        return 0;
    }
    int top = lua_gettop(L);
    size_t n = t == LUA_TSTRING && one_ok ? 1 : t == LUA_TTABLE ? (size_t)luaL_len(L, top) : 0;
    if (n == 0 || n > (1u << 20))
        luaL_argerror(L, idx, lua_pushfstring(L, "option '%s' must be %sa non-empty array of strings", field,
                                              one_ok ? "a word or " : ""));
    const char **keys = lua_newuserdatauv(L, n * (sizeof *keys + sizeof(size_t)), 1);
    size_t *lens = (size_t *)(keys + n);
    lua_pushvalue(L, top);
    lua_setiuservalue(L, -2, 1);   /* the strings stay alive with the array */
    for (size_t i = 0; i < n; i++) {
        if (t == LUA_TSTRING) lua_pushvalue(L, top);
        else lua_geti(L, top, (lua_Integer)i + 1);
        if (lua_type(L, -1) != LUA_TSTRING)
            luaL_argerror(L, idx, lua_pushfstring(L, "option '%s': item %d must be a string, not a %s", field,
                                                  (int)i + 1, luaL_typename(L, -1)));
        keys[i] = lua_tolstring(L, -1, &lens[i]);
        lua_pop(L, 1);   /* still held by the table (or is the option) */
    }
    lua_remove(L, top);
    return n;
}

static int l_cooc(lua_State *L) {
    lua_settop(L, 1);
    eng_check_opts(L, 1);
    int mode = CR_COOC_WINDOW, directed = 0;
    lua_Integer window = 5;
    size_t nfocus = 0;
    unsigned need = 0;
    eng_check_keys(L, 1, "mode window directed node among attr where");
    char attr[CR_ATTR_MAX];
    read_attr(L, 1, attr);
    if (lua_istable(L, 1)) {
        eng_opt_enum(L, 1, "mode", mode_names, &mode);
        window = eng_opt_int(L, 1, "window", 5, 1, 1000);
        eng_opt_bool(L, 1, "directed", &directed);
        if ((nfocus = focus_words(L, 1, "node", 1))) need = 1;
        size_t among = focus_words(L, 1, "among", 0);
        if (among && nfocus) return luaL_argerror(L, 1, "options 'node' and 'among' exclude each other");
        if (among) nfocus = among, need = 2;
    }
    Count *c = newcount(L, K_COOC);
    memcpy(c->attr, attr, sizeof attr);
    crl_read_textopts(L, 1, &c->o);
    check(L, cr_cooc_init(&c->u.c, (cr_cooc_mode)mode, (unsigned)window));
    c->kind = K_COOC;
    c->directed = directed;
    if (nfocus) {
        const char **keys = lua_touserdata(L, 2);
        check(L, cr_cooc_focus(&c->u.c, keys, (const size_t *)(keys + nfocus), nfocus, need));
    }
    set_where(L, 1, c);
    return 1;
}

/* ---- feeding ------------------------------------------------------------- */
static int add_attr(lua_State *L, Count *c, const ld_tokens *t);

/* add_text to a counter of an attribute: the text tagged and lemmatised in
 * C (tagtext.h), its tokens counted as an annotated document's are. */
static int add_tagged(lua_State *L, Count *c) {
    size_t len;
    const char *text = luaL_checklstring(L, 2, &len);
    const postag_model *m = crl_postag_model(L, NULL);
    if (!m) return luaL_error(L, "%s", lua_tostring(L, -1));
    cr_textopts o = c->o;
    eng_textopts(L, 3, &o, NULL);
    if (!c->tagged && !(c->tagged = calloc(1, sizeof *c->tagged))) return luaL_error(L, "out of memory");
    cr_tokenizer_opts topts = o.tok;
    topts.kinds = ((1u << CR_TOK__COUNT) - 1u) & ~CR_KIND_BIT(CR_TOK_SPACE);
    if (cr_tag_text(m, text, len, &topts, c->tagged) != 0) return luaL_error(L, "out of memory");
    lua_settop(L, 1);
    lua_pushnil(L);   /* add_attr reports at argument 2 */
    return add_attr(L, c, &c->tagged->t);
}

/* cooc:add_text's option `count`: a word counter (count.freq, no attribute,
 * the cooc's normalisation level) that counts every token too, or NULL. */
static Count *also_counting(lua_State *L, int opts, const cr_textopts *o) {
    if (!lua_istable(L, opts) || lua_getfield(L, opts, "count") == LUA_TNIL) return NULL;
    Count *f = tocount(L, -1);
    if (!f || f->kind != K_FREQ || f->attr[0])
        luaL_argerror(L, opts, "option 'count' must be a counter of words (count.freq)");
    if (f->o.level != o->level)
        luaL_argerror(L, opts, "option 'count': a counter of another normalisation level");
    lua_pop(L, 1);   /* (the options table keeps it) */
    return f;
}

static int m_add_text(lua_State *L) {
    Count *c = checkcount(L, 1);
    if (c->attr[0]) return add_tagged(L, c);
    size_t len;
    const char *text = luaL_checklstring(L, 2, &len);
    cr_textopts o = c->o;
    eng_textopts(L, 3, &o, c->kind == K_COOC ? "count" : NULL);
    Count *words = c->kind == K_COOC ? also_counting(L, 3, &o) : NULL;
    int e;
    switch (c->kind) {
    case K_FREQ: e = cr_freq_add_text(&c->u.f, text, len, &o, &c->s); break;
    case K_DF: e = cr_df_add_text(&c->u.f, text, len, &o, &c->s); break;
    case K_NGRAMS: e = cr_ngrams_add_text(&c->u.g, text, len, &o, &c->s); break;
    default:
        e = words ? cr_cooc_add_text_counting(&c->u.c, &words->u.f, text, len, &o, &c->s)
                  : cr_cooc_add_text(&c->u.c, text, len, &o, &c->s);
        break;
    }
    c->version++;
    if (words) words->version++;
    check(L, e);
    lua_settop(L, 1);
    return 1;
}

/* add_tokens(doc.tokens): the counter's attribute of every token, in C. */
static int ngrams_segment(void *ud, const uint32_t *ids, size_t n) {
    return cr_ngrams_feed(ud, ids, n);
}

static int cooc_segment(void *ud, const uint32_t *ids, size_t n) {
    return cr_cooc_feed(ud, ids, n);
}

static int add_attr(lua_State *L, Count *c, const ld_tokens *t) {
    if (!c->attr[0])
        return luaL_argerror(L, 2, c->kind == K_NGRAMS ? "the counter has no attribute to count: make it with count.ngrams(n, {attr = \"lemma\"})"
                                 : c->kind == K_COOC ? "the counter has no attribute to count: make it with count.cooc{attr = \"lemma\"}"
                                 : "the counter has no attribute to count: make it with count.freq{attr = \"lemma\"}");
    size_t cols[2], missing = 0;
    int n = cr_attr_columns(t, c->attr, strlen(c->attr), cols, &missing);
    if (n < 0) {
        const char *name = c->attr + missing;
        const char *slash = strchr(name, '/');
        lua_pushlstring(L, name, slash ? (size_t)(slash - name) : strlen(name));
        crl_tokens_attr(L, t, lua_tostring(L, -1), lua_rawlen(L, -1), 2);   /* raises */
    }
    cr_where where = {0};
    if (c->where) {
        const char *name;
        size_t nlen;
        int r = cr_where_resolve(t, c->where, c->where_len, &where, &name, &nlen);
        if (r > 0) {
            lua_pushlstring(L, name, nlen);
            crl_tokens_attr(L, t, lua_tostring(L, -1), nlen, 2);   /* raises */
        }
        if (r < 0) return luaL_error(L, "count: a corrupt 'where' filter");
    }
    c->version++;
    int e;
    if (c->kind == K_NGRAMS) {
        e = cr_attr_segments(&c->u.g.vocab, t, cols, (size_t)n, c->o.level, c->o.sentences, c->where ? &where : NULL,
                             NULL, &c->s, &c->join, ngrams_segment, &c->u.g);
    } else if (c->kind == K_COOC) {
        cr_cooc_mode mode = c->u.c.mode;
        int by_sentence = mode == CR_COOC_SENTENCE || (mode == CR_COOC_WINDOW && c->o.sentences);
        /* the node (or among) words of a counter of pairs stand for every pair they begin */
        const cr_counter *words = n == 2 ? c->u.c.focus : NULL;
        e = cr_attr_segments(&c->u.c.vocab, t, cols, (size_t)n, c->o.level, by_sentence, c->where ? &where : NULL,
                             words, &c->s, &c->join, cooc_segment, &c->u.c);
    } else {
        e = cr_freq_add_attr(&c->u.f, t, cols, (size_t)n, c->o.level, c->kind == K_DF, c->where ? &where : NULL,
                             &c->s, &c->join);
    }
    check(L, e);
    lua_settop(L, 1);
    return 1;
}

/* add_tokens(array): the keys as given (not normalised), one segment;
 * add_tokens(doc.tokens): the counter's attribute. */
static int m_add_tokens(lua_State *L) {
    Count *c = checkcount(L, 1);
    const ld_tokens *t = crl_totokens(L, 2);
    if (t) return add_attr(L, c, t);
    if (lua_type(L, 2) != LUA_TTABLE) luaL_typeerror(L, 2, "table or Tokens");
    lua_Integer n = luaL_len(L, 2);
    cr_counter *v = vocab(c);
    c->s.nids = 0;
    for (lua_Integer i = 1; i <= n; i++) {
        lua_geti(L, 2, i);
        size_t len;
        const char *k = lua_tolstring(L, -1, &len);
        if (!k || lua_type(L, -1) != LUA_TSTRING)
            return luaL_error(L, "bad argument #1 to 'add_tokens' (string expected at index %I)", i);
        int64_t id = cr_counter_intern(v, k, len);
        if (id < 0) fail(L, (int)id);
        lua_pop(L, 1);
        if (c->s.nids == c->s.capids) {
            uint32_t *p = cr_grow(c->s.ids, &c->s.capids, c->s.nids + 1, sizeof *p, 1024);
            if (!p) fail(L, CR_ENOMEM);
            c->s.ids = p;
        }
        c->s.ids[c->s.nids++] = (uint32_t)id;
    }
    int e = CR_OK;
    c->version++;
    if (c->kind == K_FREQ) {
        for (size_t i = 0; i < c->s.nids && !e; i++) e = cr_counter_add_id(v, c->s.ids[i], 1);
    } else if (c->kind == K_DF) {
        /* once per type */
        for (size_t i = 0; i < c->s.nids; i++) {
            cr_centry *x = &v->entries[c->s.ids[i]];
            int seen = 0;
            for (size_t j = 0; j < i && !seen; j++) seen = c->s.ids[j] == c->s.ids[i];
            if (!seen && __builtin_add_overflow(x->count, 1, &x->count)) e = CR_EOVERFLOW;
        }
        if (!e && __builtin_add_overflow(v->total, 1, &v->total)) e = CR_EOVERFLOW;
    } else if (c->kind == K_NGRAMS) {
        e = cr_ngrams_feed(&c->u.g, c->s.ids, c->s.nids);
    } else {
        e = cr_cooc_feed(&c->u.c, c->s.ids, c->s.nids);
    }
    c->s.nids = 0;
    check(L, e);
    lua_settop(L, 1);
    return 1;
}

static int m_add(lua_State *L) {
    Count *c = checkkind(L, 1, K_FREQ);
    size_t len;
    const char *k = luaL_checklstring(L, 2, &len);
    lua_Integer n = luaL_optinteger(L, 3, 1);
    c->version++;
    check(L, cr_counter_add(&c->u.f, k, len, n));
    lua_settop(L, 1);
    return 1;
}

/* ---- queries ------------------------------------------------------------- */
static int64_t ngram_index(lua_State *L, Count *c, int idx) {
    if (lua_type(L, idx) == LUA_TTABLE) {
        const char *keys[CR_NGRAM_MAX];
        size_t lens[CR_NGRAM_MAX];
        if (luaL_len(L, idx) != (lua_Integer)c->u.g.n) return -1;
        for (unsigned j = 0; j < c->u.g.n; j++) {
            lua_geti(L, idx, j + 1);
            keys[j] = lua_tolstring(L, -1, &lens[j]);
            if (!keys[j]) luaL_argerror(L, idx, "an array of strings expected");
            lua_pop(L, 1); /* the string stays in the table */
        }
        return cr_ngrams_find(&c->u.g, keys, lens);
    }
    size_t len;
    const char *k = luaL_checklstring(L, idx, &len);
    return cr_ngrams_find_joined(&c->u.g, k, len);
}

static int64_t word_id(lua_State *L, Count *c, int idx) {
    size_t len;
    const char *k = luaL_checklstring(L, idx, &len);
    return cr_counter_find(vocab(c), k, len);
}

static int m_get(lua_State *L) {
    Count *c = checkcount(L, 1);
    if (c->kind == K_NGRAMS) {
        int64_t i = ngram_index(L, c, 2);
        lua_pushinteger(L, i < 0 ? 0 : c->u.g.grams.counts[i]);
    } else if (c->kind == K_COOC) {
        int64_t a = word_id(L, c, 2), b = word_id(L, c, 3);
        lua_pushinteger(L, a < 0 || b < 0 ? 0
                        : c->directed ? cr_cooc_get_directed(&c->u.c, (uint32_t)a, (uint32_t)b)
                                      : cr_cooc_get(&c->u.c, (uint32_t)a, (uint32_t)b));
    } else {
        size_t len;
        const char *k = luaL_checklstring(L, 2, &len);
        lua_pushinteger(L, cr_counter_get(&c->u.f, k, len));
    }
    return 1;
}

/* The count of the key at stack index idx (0 when absent), for a frequency
 * or n-gram counter. */
static int64_t key_count(lua_State *L, Count *c, int idx) {
    if (c->kind == K_NGRAMS) {
        int64_t i = ngram_index(L, c, idx);
        return i < 0 ? 0 : c->u.g.grams.counts[i];
    }
    size_t len;
    const char *k = luaL_checklstring(L, idx, &len);
    return cr_counter_get(&c->u.f, k, len);
}

/* f:delta(keys, last) → what each key of the array gained since the counts
 * kept in last (absent: 0), as one unsigned LEB128 varint per key; last
 * then holds the counts.  One call per document records its counts of the
 * chosen keys (count.columns reads them back). */
static int m_delta(lua_State *L) {
    Count *c = checkcount(L, 1);
    luaL_argcheck(L, c->kind != K_COOC, 1, "a frequency or n-gram counter expected");
    luaL_checktype(L, 2, LUA_TTABLE);
    luaL_checktype(L, 3, LUA_TTABLE);
    lua_Integer n = luaL_len(L, 2);
    luaL_Buffer b;
    luaL_buffinit(L, &b);   /* the buffer may take a stack slot: index from the bottom */
    for (lua_Integer i = 1; i <= n; i++) {
        lua_geti(L, 2, i);
        int64_t now = key_count(L, c, lua_gettop(L));
        lua_pop(L, 1);
        lua_Integer before = lua_geti(L, 3, i) == LUA_TNIL ? 0 : lua_tointeger(L, -1);
        lua_pop(L, 1);
        if (before < 0 || now < before) luaL_error(L, "f:delta: key %I counted %I, fewer than the %I before",
                                                    i, (lua_Integer)now, before);
        lua_pushinteger(L, now);
        lua_seti(L, 3, i);
        unsigned char tmp[10];
        size_t len = 0;
        for (uint64_t v = (uint64_t)(now - before); ; v >>= 7) {
            tmp[len++] = (unsigned char)(v >= 0x80 ? (v & 0x7f) | 0x80 : v);
            if (v < 0x80) break;
        }
        luaL_addlstring(&b, (const char *)tmp, len);
    }
    luaL_pushresult(&b);
    return 1;
}

/* cooc:freq(word): the word's marginal (tokens, or units containing it). */
static int m_freq(lua_State *L) {
    Count *c = checkkind(L, 1, K_COOC);
    int64_t id = word_id(L, c, 2);
    lua_pushinteger(L, id < 0 ? 0 : c->u.c.vocab.entries[id].count);
    return 1;
}

static int m_total(lua_State *L) {
    Count *c = checkcount(L, 1);
    lua_pushinteger(L, c->kind == K_NGRAMS ? c->u.g.total
                       : c->kind == K_COOC ? cr_cooc_n(&c->u.c) : c->u.f.total);
    return 1;
}

static size_t count_size(Count *c) {
    return c->kind == K_NGRAMS ? c->u.g.grams.size : c->kind == K_COOC ? c->u.c.pairs.size : c->u.f.size;
}

static int m_len(lua_State *L) {
    Count *c = checkcount(L, 1);
    lua_pushinteger(L, (lua_Integer)count_size(c));
    return 1;
}

/* Pushes key i.  An n-gram's key is joined in c->key, owned by the counter,
 * so that nothing leaks when a push raises. */
static void push_key(lua_State *L, Count *c, uint32_t i) {
    if (c->kind == K_NGRAMS) {
        cr_buf_reset(&c->key);
        cr_ngrams_key(&c->u.g, i, &c->key);
        if (c->key.failed) fail(L, CR_ENOMEM);
        lua_pushlstring(L, c->key.data, c->key.len);
    } else {
        const cr_centry *e = &c->u.f.entries[i];
        lua_pushlstring(L, e->key, cr_centry_len(e));
    }
}

static int64_t entry_count(Count *c, uint32_t i) {
    return c->kind == K_NGRAMS ? c->u.g.grams.counts[i] : c->u.f.entries[i].count;
}

/* The canonical order of every entry, in a new userdata on the stack. */
static uint32_t *push_order(lua_State *L, Count *c, size_t k, size_t *n) {
    size_t size = count_size(c);
    if (k > size) k = size;
    uint32_t *order = lua_newuserdatauv(L, (k ? k : 1) * sizeof *order, 0);
    *n = c->kind == K_NGRAMS ? cr_ngrams_top(&c->u.g, k, order) : cr_counter_top(&c->u.f, k, order);
    return order;
}

static void push_pair_row(lua_State *L, Count *c, const cr_cooc_pair *p) {
    const cr_centry *a = &c->u.c.vocab.entries[p->a], *b = &c->u.c.vocab.entries[p->b];
    lua_createtable(L, 3, 3);
    lua_pushlstring(L, a->key, cr_centry_len(a));
    lua_pushvalue(L, -1);
    lua_setfield(L, -3, "a");
    lua_rawseti(L, -2, 1);
    lua_pushlstring(L, b->key, cr_centry_len(b));
    lua_pushvalue(L, -1);
    lua_setfield(L, -3, "b");
    lua_rawseti(L, -2, 2);
    lua_pushinteger(L, p->n);
    lua_pushvalue(L, -1);
    lua_setfield(L, -3, "n");
    lua_rawseti(L, -2, 3);
}

/* Pairs of a cooc, sorted, in a userdata on the stack. */
static cr_cooc_pair *push_pairs(lua_State *L, Count *c, int64_t min, int directed, size_t *n) {
    cr_cooc_pair *p;
    check(L, cr_cooc_pairs(&c->u.c, min, directed, &p, n));
    cr_cooc_pair *copy = lua_newuserdatauv(L, (*n ? *n : 1) * sizeof *copy, 0);
    if (*n) memcpy(copy, p, *n * sizeof *p);
    free(p);
    return copy;
}

static int pairs_directed(lua_State *L, Count *c, int idx) {
    int directed = c->directed;
    eng_check_keys(L, idx, "directed");
    if (lua_istable(L, idx)) eng_opt_bool(L, idx, "directed", &directed);
    else if (!lua_isnoneornil(L, idx)) luaL_checktype(L, idx, LUA_TTABLE);
    return directed && c->u.c.mode == CR_COOC_WINDOW;
}

static int m_pairs(lua_State *L) {
    Count *c = checkkind(L, 1, K_COOC);
    lua_Integer min = luaL_optinteger(L, 2, 1);
    int directed = pairs_directed(L, c, 3);
    size_t n;
    cr_cooc_pair *p = push_pairs(L, c, min, directed, &n);
    lua_createtable(L, n > INT32_MAX ? 0 : (int)n, 0);
    for (size_t i = 0; i < n; i++) {
        if ((i & 0xFFF) == 0 && cr_interrupted()) return luaL_error(L, "interrupted");
        push_pair_row(L, c, &p[i]);
        lua_rawseti(L, -2, (lua_Integer)i + 1);
    }
    return 1;
}

static int m_top(lua_State *L) {
    Count *c = checkcount(L, 1);
    lua_Integer k = luaL_optinteger(L, 2, -1);
    if (k < 0) k = (lua_Integer)count_size(c);
    if (c->kind == K_COOC) {
        size_t n;
        cr_cooc_pair *p = push_pairs(L, c, 1, pairs_directed(L, c, 3), &n);
        if ((lua_Integer)n > k) n = (size_t)k;
        lua_createtable(L, (int)(n > INT32_MAX ? 0 : n), 0);
        for (size_t i = 0; i < n; i++) {
            if ((i & 0xFFF) == 0 && cr_interrupted()) return luaL_error(L, "interrupted");
            push_pair_row(L, c, &p[i]);
            lua_rawseti(L, -2, (lua_Integer)i + 1);
        }
        return 1;
    }
    size_t n;
    uint32_t *order = push_order(L, c, (size_t)k, &n);
    lua_createtable(L, n > INT32_MAX ? 0 : (int)n, 0);
    for (size_t i = 0; i < n; i++) {
        if ((i & 0xFFF) == 0 && cr_interrupted()) /* Ctrl-C: a million rows take seconds */
            return luaL_error(L, "interrupted");
        lua_createtable(L, 2, 2);
        push_key(L, c, order[i]);
        lua_pushvalue(L, -1);
        lua_setfield(L, -3, "key");
        lua_rawseti(L, -2, 1);
        lua_pushinteger(L, entry_count(c, order[i]));
        lua_pushvalue(L, -1);
        lua_setfield(L, -3, "n");
        lua_rawseti(L, -2, 2);
        lua_rawseti(L, -2, (lua_Integer)i + 1);
    }
    return 1;
}

/* items(): upvalues counter, order userdata, count, position, version. */
static int items_next(lua_State *L) {
    Count *c = checkcount(L, lua_upvalueindex(1));
    size_t n = (size_t)lua_tointeger(L, lua_upvalueindex(3));
    size_t pos = (size_t)lua_tointeger(L, lua_upvalueindex(4));
    if ((unsigned)lua_tointeger(L, lua_upvalueindex(5)) != c->version)
        return luaL_error(L, "%s changed during iteration", kind_mt(c->kind));
    if (pos >= n) return 0;
    lua_pushinteger(L, (lua_Integer)pos + 1);
    lua_replace(L, lua_upvalueindex(4));
    if (c->kind == K_COOC) {
        const cr_cooc_pair *p = (const cr_cooc_pair *)lua_touserdata(L, lua_upvalueindex(2)) + pos;
        const cr_centry *a = &c->u.c.vocab.entries[p->a], *b = &c->u.c.vocab.entries[p->b];
        lua_pushlstring(L, a->key, cr_centry_len(a));
        lua_pushlstring(L, b->key, cr_centry_len(b));
        lua_pushinteger(L, p->n);
        return 3;
    }
    uint32_t id = ((const uint32_t *)lua_touserdata(L, lua_upvalueindex(2)))[pos];
    push_key(L, c, id);
    lua_pushinteger(L, entry_count(c, id));
    return 2;
}

static int m_items(lua_State *L) {
    Count *c = checkcount(L, 1);
    size_t n;
    int directed = c->kind == K_COOC ? pairs_directed(L, c, 2) : 0; /* before pushing at 2 */
    lua_settop(L, 1);
    lua_pushvalue(L, 1);
    if (c->kind == K_COOC) push_pairs(L, c, 1, directed, &n);
    else push_order(L, c, count_size(c), &n);
    lua_pushinteger(L, (lua_Integer)n);
    lua_pushinteger(L, 0);
    lua_pushinteger(L, (lua_Integer)c->version);
    lua_pushcclosure(L, items_next, 5);
    return 1;
}

static const char *const side_names[] = { "both", "left", "right", NULL };

/* with(word [, {side=, min=}]) → rows {key, o11, r1, c1, n, f1, f2}: the
 * contingency table of cr_cooc_margin / cr_cooc_events, and the two
 * words' frequencies. */
static int m_with(lua_State *L) {
    Count *c = checkkind(L, 1, K_COOC);
    int64_t node = word_id(L, c, 2);
    int side = CR_SIDE_BOTH;
    lua_Integer min = 1;
    eng_check_opts(L, 3);
    eng_check_keys(L, 3, "side min");
    if (lua_istable(L, 3)) {
        eng_opt_enum(L, 3, "side", side_names, &side);
        min = eng_opt_int(L, 3, "min", 1, 1, INT64_MAX);
    }
    if (node < 0) {
        lua_newtable(L);
        return 1;
    }
    cr_colloc *col;
    size_t n;
    check(L, cr_cooc_with(&c->u.c, (uint32_t)node, (cr_cooc_side)side, min, &col, &n));
    const cr_counter *v = &c->u.c.vocab;
    int64_t r1 = cr_cooc_margin(&c->u.c, (uint32_t)node, (cr_cooc_side)side);
    int64_t total = cr_cooc_events(&c->u.c, (cr_cooc_side)side);
    int64_t f1 = v->entries[node].count;
    /* the table may raise on memory: keep col in a userdata */
    cr_colloc *keep = lua_newuserdatauv(L, (n ? n : 1) * sizeof *keep, 0);
    if (n) memcpy(keep, col, n * sizeof *col);
    free(col);
    lua_createtable(L, n > INT32_MAX ? 0 : (int)n, 0);
    for (size_t i = 0; i < n; i++) {
        const cr_centry *e = &v->entries[keep[i].id];
        lua_createtable(L, 0, 7);
        lua_pushlstring(L, e->key, cr_centry_len(e));
        lua_setfield(L, -2, "key");
        lua_pushinteger(L, keep[i].o11);
        lua_setfield(L, -2, "o11");
        lua_pushinteger(L, r1);
        lua_setfield(L, -2, "r1");
        lua_pushinteger(L, keep[i].c1);
        lua_setfield(L, -2, "c1");
        lua_pushinteger(L, total);
        lua_setfield(L, -2, "n");
        lua_pushinteger(L, f1);
        lua_setfield(L, -2, "f1");
        lua_pushinteger(L, e->count);
        lua_setfield(L, -2, "f2");
        lua_rawseti(L, -2, (lua_Integer)i + 1);
    }
    return 1;
}

/* ---- merge, prune ---------------------------------------------------------- */
static int m_merge(lua_State *L) {
    Count *c = checkcount(L, 1);
    Count *o = checkcount(L, 2);
    if (c == o) return luaL_argerror(L, 2, "cannot merge a counter into itself");
    if (c->kind != o->kind)
        return luaL_argerror(L, 2, lua_pushfstring(L, "cannot merge a %s%s into a %s%s", kind_mt(o->kind),
                                                   o->kind == K_DF ? " (document frequencies)" : "",
                                                   kind_mt(c->kind), c->kind == K_DF ? " (document frequencies)" : ""));
    if (strcmp(c->attr, o->attr) == 0 &&
        (c->where_len != o->where_len || (c->where_len && memcmp(c->where, o->where, c->where_len) != 0)))
        return luaL_argerror(L, 2, "counters with different settings (where)");
    if (strcmp(c->attr, o->attr) != 0)
        return luaL_argerror(L, 2, lua_pushfstring(L, "cannot merge counts of %s%s%s into counts of %s%s%s",
                                                   o->attr[0] ? "attribute '" : "words", o->attr, o->attr[0] ? "'" : "",
                                                   c->attr[0] ? "attribute '" : "words", c->attr, c->attr[0] ? "'" : ""));
    int e;
    if (c->kind == K_NGRAMS) e = cr_ngrams_merge(&c->u.g, &o->u.g);
    else if (c->kind == K_COOC) e = cr_cooc_merge(&c->u.c, &o->u.c);
    else e = cr_counter_merge(&c->u.f, &o->u.f);
    c->version++;
    if (e == CR_EINVAL) return luaL_argerror(L, 2, "counters with different settings (n, skip, sep, only, mode, window, node or among)");
    check(L, e);
    lua_settop(L, 1);
    return 1;
}

static int m_prune(lua_State *L) {
    Count *c = checkcount(L, 1);
    lua_Integer min = luaL_checkinteger(L, 2);
    int e = c->kind == K_NGRAMS ? cr_ngrams_prune(&c->u.g, min)
          : c->kind == K_COOC ? cr_cooc_prune(&c->u.c, min) : cr_counter_prune(&c->u.f, min);
    c->version++;
    check(L, e);
    lua_settop(L, 1);
    return 1;
}

/* ---- dump, undump ---------------------------------------------------------- */
static void dump_opts(cr_buf *w, const Count *c) {
    cr_buf_addc(w, (unsigned)c->o.level);
    cr_put_uvarint(w, c->o.kinds);
    cr_buf_addc(w, (unsigned)c->o.sentences);
    cr_buf_addc(w, (unsigned)c->o.tok.tailor);
    cr_buf_addc(w, (unsigned)c->o.tok.hyphens);
    cr_buf_addc(w, (unsigned)c->o.tok.possessive);
    cr_buf_addc(w, (unsigned)c->o.tok.elisions & 0xff);
    const char *lang = c->o.tok.lang ? c->o.tok.lang : "";
    cr_put_str(w, lang, strlen(lang));
    cr_buf_addc(w, (unsigned)c->directed);
}

static int undump_opts(cr_rbuf *r, Count *c) {
    unsigned level, sentences, tailor, hyphens, possessive, elisions, directed;
    uint64_t kinds;
    const char *lang;
    size_t langlen;
    int e;
    if ((e = cr_rbuf_byte(r, &level)) || (e = cr_rbuf_uvarint(r, &kinds)) || (e = cr_rbuf_byte(r, &sentences)) ||
        (e = cr_rbuf_byte(r, &tailor)) || (e = cr_rbuf_byte(r, &hyphens)) || (e = cr_rbuf_byte(r, &possessive)) ||
        (e = cr_rbuf_byte(r, &elisions)) || (e = cr_rbuf_str(r, &lang, &langlen, 7)) ||
        (e = cr_rbuf_byte(r, &directed)))
        return e;
    if (level > CR_NORM_KEY || kinds >= (1u << CR_TOK__COUNT) || sentences > 1 || tailor > 1 ||
        hyphens > CR_HYPHENS_SPLIT || possessive > CR_POSSESSIVE_SPLIT || (elisions > 1 && elisions != 0xff) ||
        directed > 1 || memchr(lang, 0, langlen))
        return CR_ECORRUPT;
    c->o.level = (cr_norm_level)level;
    c->o.kinds = (unsigned)kinds;
    c->o.sentences = (int)sentences;
    c->o.tok.tailor = (int)tailor;
    c->o.tok.hyphens = (cr_hyphens)hyphens;
    c->o.tok.possessive = (cr_possessive)possessive;
    c->o.tok.elisions = elisions == 0xff ? -1 : (int)elisions;
    memcpy(c->lang, lang, langlen);
    c->lang[langlen] = 0;
    c->o.tok.lang = langlen ? c->lang : NULL;
    c->directed = (int)directed;
    return CR_OK;
}

/* c:dump([{partition = r, partitions = R}]): the whole counter, or only the
 * keys of partition r (0..R-1) by their stable hash. */
static int m_dump(lua_State *L) {
    Count *c = checkcount(L, 1);
    lua_Integer parts = 1, part = 0;
    eng_check_opts(L, 2);
    eng_check_keys(L, 2, "partition partitions");
    if (lua_istable(L, 2)) {
        parts = eng_opt_int(L, 2, "partitions", 1, 1, CR_MAX_PARTITIONS);
        part = eng_opt_int(L, 2, "partition", 0, 0, parts - 1);
    }
    cr_buf *w = crl_newbuf(L);   /* Lua's: freed even when the push below raises */
    int e = CR_OK;
    /* n-grams and co-occurrences of an attribute: flagged in the kind, the
     * attribute after the options (their counts read to the frame's end) */
    int attr_first = c->attr[0] && (c->kind == K_NGRAMS || c->kind == K_COOC);
    cr_frame_begin(w, (unsigned)c->kind | (attr_first ? K_ATTR_FLAG : 0u));
    dump_opts(w, c);
    if (attr_first) {
        cr_put_str(w, c->attr, strlen(c->attr));
        cr_put_str(w, c->where ? c->where : "", c->where_len);
    }
    if (parts == 1) {
        if (c->kind == K_NGRAMS) cr_ngrams_dump(w, &c->u.g);
        else if (c->kind == K_COOC) cr_cooc_dump(w, &c->u.c);
        else cr_counter_dump(w, &c->u.f);
    } else if (c->kind == K_NGRAMS) {
        e = cr_ngrams_dump_part(w, &c->u.g, (unsigned)part, (unsigned)parts);
    } else if (c->kind == K_COOC) {
        e = cr_cooc_dump_part(w, &c->u.c, (unsigned)part, (unsigned)parts);
    } else {
        cr_counter_dump_part(w, &c->u.f, (unsigned)part, (unsigned)parts);
    }
    if (c->attr[0] && !attr_first) {   /* after the counts: older dumps have none */
        cr_put_str(w, c->attr, strlen(c->attr));
        cr_put_str(w, c->where ? c->where : "", c->where_len);
    }
    cr_frame_end(w);
    if (w->failed || e) {
        cr_buf_free(w);
        return fail(L, CR_ENOMEM);
    }
    lua_pushlstring(L, w->data, w->len);
    cr_buf_free(w);
    return 1;
}

/* count.partition(key, R) → the partition (0..R-1) of a key by the stable
 * hash c:dump{partition=} uses. */
static int l_partition(lua_State *L) {
    size_t len;
    const char *k = luaL_checklstring(L, 1, &len);
    lua_Integer parts = luaL_checkinteger(L, 2);
    luaL_argcheck(L, parts >= 1 && parts <= CR_MAX_PARTITIONS, 2, "partitions must be 1..65536");
    lua_pushinteger(L, cr_partition_of(k, len, (unsigned)parts));
    return 1;
}

/* count.columns(records, n [, wanted]) → n arrays, array j holding the j-th
 * value of every record; each string of records holds one or more records
 * of n varints (f:delta's results, or several of them concatenated).  With
 * wanted (an array of column numbers), only those columns, in that order.
 * The arrays sit on the stack while the strings are read. */
static int l_columns(lua_State *L) {
    luaL_checktype(L, 1, LUA_TTABLE);
    lua_Integer n = luaL_checkinteger(L, 2);
    luaL_argcheck(L, n >= 1 && n <= 1 << 16, 2, "column count out of range (1..65536)");
    int have_wanted = !lua_isnoneornil(L, 3);
    if (have_wanted) luaL_checktype(L, 3, LUA_TTABLE);
    lua_Integer strings = luaL_len(L, 1);
    lua_Integer nout = have_wanted ? luaL_len(L, 3) : n;
    /* the records, to size the arrays once: a varint ends at a byte < 0x80 */
    lua_Integer values = 0;
    for (lua_Integer r = 1; r <= strings; r++) {
        size_t len;
        const char *s = lua_geti(L, 1, r) == LUA_TSTRING ? lua_tolstring(L, -1, &len) : NULL;
        if (!s) return luaL_error(L, "count.columns: records[%I] is not a string", r);
        for (size_t i = 0; i < len; i++) values += (unsigned char)s[i] < 0x80;
        lua_pop(L, 1);
    }
    lua_Integer rows = values / n;
    luaL_argcheck(L, nout >= 0 && nout <= 1 << 16, 3, "too many columns wanted");
    /* slot[j]: the stack index of column j + 1's array, or 0 when not wanted */
    int *slot = lua_newuserdatauv(L, (size_t)n * sizeof *slot, 0);
    memset(slot, 0, (size_t)n * sizeof *slot);
    luaL_checkstack(L, (int)nout + 4, "too many columns");
    int base = lua_gettop(L);
    for (lua_Integer k = 1; k <= nout; k++) {
        lua_Integer j = k;
        if (have_wanted) {
            lua_geti(L, 3, k);
            int ok;
            j = lua_tointegerx(L, -1, &ok);
            lua_pop(L, 1);
            if (!ok || j < 1 || j > n) return luaL_error(L, "count.columns: wanted[%I] is not a column 1..%I", k, n);
        }
        lua_createtable(L, rows > INT_MAX ? INT_MAX : (int)rows, 0);
        if (slot[j - 1] == 0) slot[j - 1] = lua_gettop(L);
        else lua_pushvalue(L, slot[j - 1]), lua_replace(L, -2);   /* a column wanted twice: one array */
    }
    lua_Integer row = 0;
    for (lua_Integer r = 1; r <= strings; r++) {
        size_t len;
        const char *s = lua_geti(L, 1, r) == LUA_TSTRING ? lua_tolstring(L, -1, &len) : NULL;
        if (!s) return luaL_error(L, "count.columns: records[%I] is not a string", r);
        cr_rbuf in = { .p = (const unsigned char *)s, .end = (const unsigned char *)s + len };
        while (in.p < in.end) {
            row++;
            for (lua_Integer j = 1; j <= n; j++) {
                uint64_t v;
                if (cr_rbuf_uvarint(&in, &v) != CR_OK || v > (uint64_t)LUA_MAXINTEGER)
                    return luaL_error(L, "count.columns: records[%I] is damaged or cut at value %I of a record", r, j);
                if (slot[j - 1]) {
                    lua_pushinteger(L, (lua_Integer)v);
                    lua_rawseti(L, slot[j - 1], row);
                }
            }
        }
        lua_pop(L, 1);
    }
    lua_createtable(L, (int)nout, 0);
    for (lua_Integer k = 1; k <= nout; k++) {
        lua_pushvalue(L, base + (int)k);
        lua_rawseti(L, -2, k);
    }
    return 1;
}

/* A dump's where filter (possibly empty) into c. */
static int undump_where(cr_rbuf *r, Count *c) {
    const char *w;
    size_t wlen;
    int e = cr_rbuf_str(r, &w, &wlen, 1u << 20);
    if (!e && wlen && cr_where_check(w, wlen)) e = CR_ECORRUPT;
    if (!e && wlen) {
        if (!(c->where = malloc(wlen))) return CR_ENOMEM;
        memcpy(c->where, w, wlen);
        c->where_len = wlen;
    }
    return e;
}

/* The attribute a dump's counter counts, and its where filter, into c. */
static int undump_attr(cr_rbuf *r, Count *c) {
    const char *attr;
    size_t alen;
    int e = cr_rbuf_str(r, &attr, &alen, CR_ATTR_MAX - 1);
    if (!e && !attr_spec_ok(attr, alen)) e = CR_ECORRUPT;
    if (e) return e;
    memcpy(c->attr, attr, alen);
    c->attr[alen] = '\0';
    return undump_where(r, c);
}

/* count.undump(s) → counter, or nil, message. */
static int l_undump(lua_State *L) {
    size_t len;
    const char *s = luaL_checklstring(L, 1, &len);
    unsigned kind;
    cr_rbuf r;
    int e = cr_frame_open(s, len, &kind, &r);
    int attr_first = !e && (kind & K_ATTR_FLAG);
    kind &= ~K_ATTR_FLAG;
    if (!e && (kind < K_FREQ || kind > K_COOC || (attr_first && kind != K_NGRAMS && kind != K_COOC))) e = CR_EVERSION;
    if (e) {
        luaL_pushfail(L);
        lua_pushfstring(L, "count.undump: %s", cr_strerror(e));
        return 2;
    }
    Count *c = newcount(L, (int)kind);
    e = undump_opts(&r, c);
    if (!e && attr_first) e = undump_attr(&r, c);
    if (!e) {
        if (kind == K_NGRAMS) {
            e = cr_ngrams_undump(&r, &c->u.g);
            if (!e) c->kind = K_NGRAMS;
        } else if (kind == K_COOC) {
            e = cr_cooc_undump(&r, &c->u.c);
            if (!e) c->kind = K_COOC;
        } else {
            cr_counter_init(&c->u.f);
            c->kind = (int)kind; /* owns the counter from here, even on error */
            e = cr_counter_undump(&r, &c->u.f);
        }
    }
    if (!e && r.p != r.end && (kind == K_FREQ || kind == K_DF)) e = undump_attr(&r, c); /* the attribute counted */
    if (!e && r.p != r.end) e = CR_ECORRUPT;
    if (e) {
        count_release(c);
        luaL_pushfail(L);
        lua_pushfstring(L, "count.undump: %s", cr_strerror(e));
        return 2;
    }
    return 1;
}

/* ---- save, load (count_sqlite.lua, handed over by count.lua) --------------- */
#define STORAGE_KEY "corpusrun.count.storage"

/* Calls storage[fn] with the nargs arguments on the stack, the storage being
 * the table that count.lua gave core._set_storage. */
static int call_sqlite_helper(lua_State *L, const char *fn, int nargs) {
    if (lua_getfield(L, LUA_REGISTRYINDEX, STORAGE_KEY) != LUA_TTABLE)
        return luaL_error(L, "count: saving to SQLite needs the count module (require \"count\")");
    lua_getfield(L, -1, fn);
    lua_insert(L, 1);
    lua_pop(L, 1);
    lua_call(L, nargs, LUA_MULTRET);
    return lua_gettop(L);
}

/* core._set_storage(t): t.save(counter, db, name), t.load(db, name),
 * t.save_dtm(dtm, db, name) back f:save, count.load and dtm:to_sqlite. */
static int l_set_storage(lua_State *L) {
    luaL_checktype(L, 1, LUA_TTABLE);
    lua_settop(L, 1);
    lua_setfield(L, LUA_REGISTRYINDEX, STORAGE_KEY);
    return 0;
}

static int m_save(lua_State *L) {
    checkcount(L, 1);
    lua_settop(L, 3);
    return call_sqlite_helper(L, "save", 3);
}

static int l_load(lua_State *L) {
    lua_settop(L, 2);
    return call_sqlite_helper(L, "load", 2);
}

/* ---- lifetime ---------------------------------------------------------------- */
static int m_close(lua_State *L) {
    Count *c = tocount(L, 1);
    if (!c) return luaL_typeerror(L, 1, "counter");
    count_release(c);
    return 0;
}

static int m_tostring(lua_State *L) {
    Count *c = tocount(L, 1);
    if (!c) return luaL_typeerror(L, 1, "counter");
    if (c->kind == K_CLOSED) {
        lua_pushfstring(L, "%s (closed)", kind_mt(c->opened));
    } else if (c->kind == K_COOC) {
        lua_pushfstring(L, "%s (%d pairs, %d words, n=%d%s%s)", COOC_MT, (int)c->u.c.pairs.size,
                        (int)c->u.c.vocab.size, (int)cr_cooc_n(&c->u.c), c->attr[0] ? ", attr " : "", c->attr);
    } else if (c->kind == K_NGRAMS) {
        lua_pushfstring(L, "%s (n=%d, %d types, %d tokens%s%s)", NGRAMS_MT, (int)c->u.g.n,
                        (int)c->u.g.grams.size, (int)c->u.g.total, c->attr[0] ? ", attr " : "", c->attr);
    } else {
        luaL_Buffer b;
        luaL_buffinit(L, &b);
        char head[160];
        snprintf(head, sizeof head, "%s (%d types, %d %s", FREQ_MT, (int)c->u.f.size, (int)c->u.f.total,
                 c->kind == K_DF ? "documents" : "tokens");
        luaL_addstring(&b, head);
        if (c->attr[0]) {
            luaL_addstring(&b, ", attr ");
            luaL_addstring(&b, c->attr);
        }
        int first = 1;   /* where upos=NOUN|PROPN, xpos=NN */
        for (size_t i = 0; i < c->where_len; i++) {
            char ch = c->where[i];
            if (i == 0) luaL_addstring(&b, " where ");
            if (ch == CR_WHERE_END) {
                first = 1;
                if (i + 1 < c->where_len) luaL_addstring(&b, ", ");
            } else if (ch == CR_WHERE_SEP) {
                luaL_addchar(&b, first ? '=' : '|');
                first = 0;
            } else luaL_addchar(&b, ch);
        }
        luaL_addchar(&b, ')');
        luaL_pushresult(&b);
    }
    return 1;
}

static const luaL_Reg common_methods[] = {
    { "add_text", m_add_text }, { "add_tokens", m_add_tokens }, { "get", m_get },
    { "delta", m_delta }, { "total", m_total }, { "top", m_top }, { "items", m_items }, { "merge", m_merge },
    { "prune", m_prune }, { "dump", m_dump }, { "save", m_save }, { "close", m_close },
    { NULL, NULL }
};
static const luaL_Reg freq_methods[] = { { "add", m_add }, { NULL, NULL } };
static const luaL_Reg cooc_methods[] = {
    { "with", m_with }, { "pairs", m_pairs }, { "freq", m_freq }, { NULL, NULL }
};
static const luaL_Reg metamethods[] = {
    { "__len", m_len }, { "__gc", m_close }, { "__close", m_close }, { "__tostring", m_tostring },
    { "__index", NULL }, { NULL, NULL }
};

static void make_meta(lua_State *L, const char *name, const luaL_Reg *extra) {
    luaL_newmetatable(L, name);
    luaL_setfuncs(L, metamethods, 0);
    lua_newtable(L);
    luaL_setfuncs(L, common_methods, 0);
    if (extra) luaL_setfuncs(L, extra, 0);
    lua_setfield(L, -2, "__index");
    lua_pop(L, 1);
}

/* ---- count.dtm: a sparse document-term matrix ------------------------------- */
#define DTM_MT "corpusrun.DTM"

typedef struct Dtm {
    int open;
    cr_dtm m;
    cr_textopts o;
} Dtm;

static void dtm_release(Dtm *d) {
    if (!d->open) return;
    cr_dtm_free(&d->m);
    d->open = 0;
}

static Dtm *checkdtm(lua_State *L, int idx) {
    Dtm *d = luaL_checkudata(L, idx, DTM_MT);
    if (!d->open) luaL_error(L, "attempt to use a closed " DTM_MT);
    return d;
}

/* Adds one document (id at idx_id, text at idx_text). */
static void dtm_add(lua_State *L, Dtm *d, int idx_id, int idx_text) {
    size_t idlen, len;
    const char *id = luaL_tolstring(L, idx_id, &idlen);
    const char *text = lua_tolstring(L, idx_text, &len);
    if (!text) luaL_error(L, "count.dtm: document %s has no text", id);
    int e = cr_dtm_add(&d->m, id, idlen, text, len, &d->o);
    if (e == CR_EINVAL) luaL_error(L, "count.dtm: duplicate document id %s", id);
    lua_pop(L, 1);
    check(L, e);
}

/* count.dtm(docs [, opts]): docs is a corpus (with :docs()), an array of
 * strings, or an array of {id=, text=} tables. */
static int l_dtm(lua_State *L) {
    int corpus = 0;
    lua_settop(L, 2);
    if (lua_type(L, 1) != LUA_TTABLE) {
        if (luaL_getmetafield(L, 1, "__index") == LUA_TNIL) luaL_typeerror(L, 1, "corpus or array of documents");
        lua_pop(L, 1);
        corpus = 1;
    } else if (lua_getfield(L, 1, "docs"), lua_isfunction(L, -1)) {
        corpus = 1;
    }
    if (lua_type(L, 1) == LUA_TTABLE) lua_pop(L, 1);
    eng_check_opts(L, 2);
    eng_check_keys(L, 2, NULL);
    Dtm *d = lua_newuserdatauv(L, sizeof *d, 0);
    memset(d, 0, sizeof *d);
    luaL_setmetatable(L, DTM_MT);
    cr_textopts_default(&d->o);
    crl_read_textopts(L, 2, &d->o);
    cr_dtm_init(&d->m);
    d->open = 1;
    int self = lua_gettop(L);
    if (corpus) {
        /* for doc in corpus:docs() do ... end */
        lua_getfield(L, 1, "docs");
        lua_pushvalue(L, 1);
        lua_call(L, 1, 3);
        for (;;) {
            lua_pushvalue(L, -3);
            lua_pushvalue(L, -3);
            lua_pushvalue(L, -3);
            lua_call(L, 2, 1);
            if (lua_isnil(L, -1)) { lua_pop(L, 1); break; }
            lua_replace(L, -2); /* control variable */
            int doc = lua_gettop(L);
            lua_getfield(L, doc, "id");
            lua_getfield(L, doc, "text");
            dtm_add(L, d, doc + 1, doc + 2);
            lua_settop(L, doc);
        }
        lua_settop(L, self);
    } else {
        lua_Integer n = luaL_len(L, 1);
        for (lua_Integer i = 1; i <= n; i++) {
            int t = lua_geti(L, 1, i);
            int doc = lua_gettop(L);
            if (t == LUA_TSTRING) {
                lua_pushinteger(L, i);
                lua_pushvalue(L, doc);
            } else if (t == LUA_TTABLE) {
                if (lua_getfield(L, doc, "id") == LUA_TNIL) { lua_pop(L, 1); lua_pushinteger(L, i); }
                lua_getfield(L, doc, "text");
            } else {
                return luaL_error(L, "count.dtm: document %I is a %s (string or table expected)", i, luaL_typename(L, -1));
            }
            dtm_add(L, d, doc + 1, doc + 2);
            lua_settop(L, self);
        }
    }
    return 1;
}

static int64_t dtm_row(lua_State *L, Dtm *d, int idx) {
    size_t len;
    const char *id = luaL_tolstring(L, idx, &len);
    int64_t row = cr_dtm_row_of(&d->m, id, len);
    lua_pop(L, 1);
    return row;
}

/* d:row(doc) → {term = n}, or nil when the document is unknown. */
static int d_row(lua_State *L) {
    Dtm *d = checkdtm(L, 1);
    luaL_checkany(L, 2);
    int64_t row = dtm_row(L, d, 2);
    if (row < 0) { luaL_pushfail(L); return 1; }
    lua_newtable(L);
    const cr_dtm *m = &d->m;
    for (size_t i = m->row_start[row]; i < m->row_start[row + 1]; i++) {
        size_t n;
        const char *term = cr_dtm_term(m, m->cols[i], &n);
        lua_pushlstring(L, term, n);
        lua_pushinteger(L, m->vals[i]);
        lua_rawset(L, -3);
    }
    return 1;
}

/* d:col(term) → {doc id = n} */
static int d_col(lua_State *L) {
    Dtm *d = checkdtm(L, 1);
    size_t len;
    const char *k = luaL_checklstring(L, 2, &len);
    const cr_dtm *m = &d->m;
    int64_t id = cr_dtm_col_of(m, k, len);
    lua_newtable(L);
    if (id < 0) return 1;
    for (size_t r = 0; r < cr_dtm_rows(m); r++)
        for (size_t i = m->row_start[r]; i < m->row_start[r + 1]; i++)
            if (m->cols[i] == (uint32_t)id) {
                size_t n;
                const char *doc = cr_dtm_doc(m, r, &n);
                lua_pushlstring(L, doc, n);
                lua_pushinteger(L, m->vals[i]);
                lua_rawset(L, -3);
            }
    return 1;
}

static int d_df(lua_State *L) {
    Dtm *d = checkdtm(L, 1);
    size_t len;
    const char *k = luaL_checklstring(L, 2, &len);
    int64_t id = cr_dtm_col_of(&d->m, k, len);
    lua_pushinteger(L, id < 0 ? 0 : cr_dtm_df(&d->m, (uint32_t)id));
    return 1;
}

static int d_docs(lua_State *L) {
    Dtm *d = checkdtm(L, 1);
    size_t rows = cr_dtm_rows(&d->m);
    lua_createtable(L, (int)rows, 0);
    for (size_t r = 0; r < rows; r++) {
        size_t n;
        const char *doc = cr_dtm_doc(&d->m, r, &n);
        lua_pushlstring(L, doc, n);
        lua_rawseti(L, -2, (lua_Integer)r + 1);
    }
    return 1;
}

/* d:terms() → rows {key, n, df} sorted by n desc then key. */
static int d_terms(lua_State *L) {
    Dtm *d = checkdtm(L, 1);
    const cr_dtm *m = &d->m;
    size_t k = cr_dtm_nterms(m);
    uint32_t *order = lua_newuserdatauv(L, (k ? k : 1) * sizeof *order, 0);
    size_t n = cr_counter_top(&m->terms, k, order);
    lua_createtable(L, (int)n, 0);
    for (size_t i = 0; i < n; i++) {
        size_t len;
        const char *term = cr_dtm_term(m, order[i], &len);
        lua_createtable(L, 0, 3);
        lua_pushlstring(L, term, len);
        lua_setfield(L, -2, "key");
        lua_pushinteger(L, cr_dtm_term_count(m, order[i]));
        lua_setfield(L, -2, "n");
        lua_pushinteger(L, cr_dtm_df(m, order[i]));
        lua_setfield(L, -2, "df");
        lua_rawseti(L, -2, (lua_Integer)i + 1);
    }
    return 1;
}

/* d:entries() → iterator of doc, term, n in row order, terms by key. */
static int d_next(lua_State *L) {
    Dtm *d = checkdtm(L, lua_upvalueindex(1));
    size_t r = (size_t)lua_tointeger(L, lua_upvalueindex(2)), i = (size_t)lua_tointeger(L, lua_upvalueindex(3));
    const cr_dtm *m = &d->m;
    while (r < cr_dtm_rows(m) && i >= m->row_start[r + 1]) r++;
    if (r >= cr_dtm_rows(m)) return 0;
    if (i < m->row_start[r]) i = m->row_start[r];
    lua_pushinteger(L, (lua_Integer)r);
    lua_replace(L, lua_upvalueindex(2));
    lua_pushinteger(L, (lua_Integer)i + 1);
    lua_replace(L, lua_upvalueindex(3));
    size_t n;
    const char *s = cr_dtm_doc(m, r, &n);
    lua_pushlstring(L, s, n);
    s = cr_dtm_term(m, m->cols[i], &n);
    lua_pushlstring(L, s, n);
    lua_pushinteger(L, m->vals[i]);
    return 3;
}

static int d_entries(lua_State *L) {
    checkdtm(L, 1);
    lua_settop(L, 1);
    lua_pushinteger(L, 0);
    lua_pushinteger(L, 0);
    lua_pushcclosure(L, d_next, 3);
    return 1;
}

static int d_to_sqlite(lua_State *L) {
    checkdtm(L, 1);
    lua_settop(L, 3);
    return call_sqlite_helper(L, "save_dtm", 3);
}

static int d_len(lua_State *L) {
    Dtm *d = checkdtm(L, 1);
    lua_pushinteger(L, (lua_Integer)cr_dtm_rows(&d->m));
    return 1;
}

static int d_nterms(lua_State *L) {
    Dtm *d = checkdtm(L, 1);
    lua_pushinteger(L, (lua_Integer)cr_dtm_nterms(&d->m));
    return 1;
}

static int d_close(lua_State *L) {
    dtm_release(luaL_checkudata(L, 1, DTM_MT));
    return 0;
}

static int d_tostring(lua_State *L) {
    Dtm *d = luaL_checkudata(L, 1, DTM_MT);
    if (!d->open) lua_pushliteral(L, DTM_MT " (closed)");
    else lua_pushfstring(L, DTM_MT " (%d documents, %d terms, %d entries)", (int)cr_dtm_rows(&d->m),
                         (int)cr_dtm_nterms(&d->m), (int)d->m.nnz);
    return 1;
}

static void make_dtm_meta(lua_State *L) {
    static const luaL_Reg meta[] = {
        { "__len", d_len }, { "__gc", d_close }, { "__close", d_close }, { "__tostring", d_tostring },
        { "__index", NULL }, { NULL, NULL }
    };
    static const luaL_Reg methods[] = {
        { "row", d_row }, { "col", d_col }, { "df", d_df }, { "docs", d_docs }, { "terms", d_terms },
        { "nterms", d_nterms }, { "entries", d_entries }, { "to_sqlite", d_to_sqlite }, { "close", d_close },
        { NULL, NULL }
    };
    luaL_newmetatable(L, DTM_MT);
    luaL_setfuncs(L, meta, 0);
    luaL_newlib(L, methods);
    lua_setfield(L, -2, "__index");
    lua_pop(L, 1);
}

static const luaL_Reg funcs[] = {
    { "freq", l_freq }, { "df", l_df }, { "ngrams", l_ngrams }, { "cooc", l_cooc },
    { "undump", l_undump }, { "partition", l_partition }, { "columns", l_columns }, { "load", l_load }, { "dtm", l_dtm },
    { "_set_storage", l_set_storage }, { NULL, NULL }
};

int luaopen_count_core(lua_State *L) {
    make_meta(L, FREQ_MT, freq_methods);
    make_meta(L, NGRAMS_MT, NULL);
    make_meta(L, COOC_MT, cooc_methods);
    make_dtm_meta(L);
    luaL_newlib(L, funcs);
    lua_createtable(L, 4, 0);
    lua_pushliteral(L, FREQ_MT);
    lua_rawseti(L, -2, 1);
    lua_pushliteral(L, NGRAMS_MT);
    lua_rawseti(L, -2, 2);
    lua_pushliteral(L, COOC_MT);
    lua_rawseti(L, -2, 3);
    lua_pushliteral(L, DTM_MT);
    lua_rawseti(L, -2, 4);
    lua_setfield(L, -2, "types");
    return 1;
}
