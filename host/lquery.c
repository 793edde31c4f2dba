/* lquery.c — `query.core`, the private core of the `query` module
 * (lib/lua/query.lua): CQP queries (host/text/cqp.c) over a corpus seen as
 * token positions (a corpusrun.Positions: an index's, or documents read into
 * memory by a Builder here, host/text/cpos_mem.c), their hits as the
 * userdata corpusrun.Hits, and the loops over hits of host/text/qhits.c.
 * Converts only.  Exports luaopen_query_core. */
#include <lauxlib.h>
#include <lua.h>
#include <stdint.h>
#include <stdlib.h>
#include <string.h>

#include "buf_lua.h"
#include "cpos_mem.h"
#include "cqp.h"
#include "lexwords.h"
#include "positions_lua.h"
#include "qhits.h"
#include "tokens_lua.h"

#define BUILDER_MT "corpusrun.PositionsBuilder"
#define HITS_MT "corpusrun.Hits"
#define LEXWORDS_MT "corpusrun.LexWords"

/* ---- Positions ------------------------------------------------------------ */

static int attr_arg(lua_State *L, const cp_corpus *c, int arg) {
    const char *name = luaL_checkstring(L, arg);
    int a = cp_attr(c, name);
    if (a < 0) luaL_argerror(L, arg, lua_pushfstring(L, "no attribute '%s'", name));
    return a;
}

static int struct_arg(lua_State *L, const cp_corpus *c, int arg) {
    const char *name = luaL_checkstring(L, arg);
    int s = cp_struct(c, name);
    if (s < 0) luaL_argerror(L, arg, lua_pushfstring(L, "no structure '%s'", name));
    return s;
}

/* core.info(pos) -> {size =, attrs = {...}, structs = {name = {keys...}}} */
static int q_info(lua_State *L) {
    const cp_corpus *c = crl_check_positions(L, 1);
    lua_createtable(L, 0, 3);
    lua_pushinteger(L, (lua_Integer)c->size);
    lua_setfield(L, -2, "size");
    lua_createtable(L, c->nattrs, 0);
    for (int i = 0; i < c->nattrs; i++) {
        lua_pushstring(L, c->attrs[i]);
        lua_rawseti(L, -2, i + 1);
    }
    lua_setfield(L, -2, "attrs");
    lua_createtable(L, 0, c->nstructs);
    for (int s = 0; s < c->nstructs; s++) {
        lua_newtable(L);
        for (int k = 0; c->keys[s] && c->keys[s][k]; k++) {
            lua_pushstring(L, c->keys[s][k]);
            lua_rawseti(L, -2, k + 1);
        }
        lua_pushinteger(L, c->ops->regions(c, s));
        lua_setfield(L, -2, "n");
        lua_setfield(L, -2, c->structs[s]);
    }
    lua_setfield(L, -2, "structs");
    return 1;
}

/* core.region(pos, struct, k) -> start, stop (0-based, exclusive) */
static int q_region(lua_State *L) {
    const cp_corpus *c = crl_check_positions(L, 1);
    int s = struct_arg(L, c, 2);
    lua_Integer k = luaL_checkinteger(L, 3);
    cp_pos a, b;
    if (c->ops->region(c, s, (int64_t)k, &a, &b) != CP_OK) return 0;
    lua_pushinteger(L, (lua_Integer)a);
    lua_pushinteger(L, (lua_Integer)b);
    return 2;
}

/* core.region_of(pos, struct, cpos) -> k or nil */
static int q_region_of(lua_State *L) {
    const cp_corpus *c = crl_check_positions(L, 1);
    int s = struct_arg(L, c, 2);
    lua_Integer p = luaL_checkinteger(L, 3);
    int64_t k = p >= 0 && p < c->size ? c->ops->region_of(c, s, (cp_pos)p) : -1;
    if (k < 0) return 0;
    lua_pushinteger(L, (lua_Integer)k);
    return 1;
}

/* core.value(pos, struct, k, key) -> string or nil */
static int q_value(lua_State *L) {
    const cp_corpus *c = crl_check_positions(L, 1);
    int s = struct_arg(L, c, 2);
    lua_Integer k = luaL_checkinteger(L, 3);
    size_t kl, len;
    const char *key = luaL_checklstring(L, 4, &kl);
    const char *v = c->ops->region_value(c, s, (int64_t)k, key, kl, &len);
    if (!v) return 0;
    lua_pushlstring(L, v, len);
    return 1;
}

/* core.join(pos, attr, from, to [, sep]) -> the strings of [from, to) */
static int q_join(lua_State *L) {
    const cp_corpus *c = crl_check_positions(L, 1);
    int a = attr_arg(L, c, 2);
    lua_Integer from = luaL_checkinteger(L, 3), to = luaL_checkinteger(L, 4);
    const char *sep = luaL_optstring(L, 5, " ");
    cr_buf *b = crl_newbuf(L);
    if (qh_join(c, a, (cp_pos)from, (cp_pos)to, sep, b) != CP_OK) return luaL_error(L, "query: cannot read the corpus");
    lua_pushlstring(L, b->data ? b->data : "", b->len);
    return 1;
}

/* core.freq(pos, attr, string) -> frequency in the corpus */
static int q_freq(lua_State *L) {
    const cp_corpus *c = crl_check_positions(L, 1);
    int a = attr_arg(L, c, 2);
    size_t n;
    const char *s = luaL_checklstring(L, 3, &n);
    cp_id id = c->ops->lex_find(c, a, s, n);
    lua_pushinteger(L, id < 0 ? 0 : (lua_Integer)c->ops->lex_freq(c, a, id));
    return 1;
}

/* core.lexicon(pos, attr) -> strings, freqs: the lexicon of attr in id order
 * (ids from 0: strings[id + 1]) and each string's frequency */
static int q_lexicon(lua_State *L) {
    const cp_corpus *c = crl_check_positions(L, 1);
    int a = attr_arg(L, c, 2);
    cp_id n = c->ops->lex_size(c, a);
    luaL_argcheck(L, n >= 0 && n < INT32_MAX, 1, "lexicon too large");
    lua_createtable(L, (int)n, 0);
    lua_createtable(L, (int)n, 0);
    for (cp_id id = 0; id < n; id++) {
        size_t len;
        const char *str = c->ops->lex_str(c, a, id, &len);
        if (!str) return luaL_error(L, "query: cannot read the lexicon of '%s'", c->attrs[a]);
        lua_pushlstring(L, str, len);
        lua_rawseti(L, -3, (lua_Integer)id + 1);
        lua_pushinteger(L, (lua_Integer)c->ops->lex_freq(c, a, id));
        lua_rawseti(L, -2, (lua_Integer)id + 1);
    }
    return 2;
}

/* core.ids(pos, attr, from, to) -> the lexicon ids (0-based) of attr at
 * positions [from, to), clipped to the corpus */
static int q_ids(lua_State *L) {
    const cp_corpus *c = crl_check_positions(L, 1);
    int a = attr_arg(L, c, 2);
    lua_Integer from = luaL_checkinteger(L, 3), to = luaL_checkinteger(L, 4);
    if (from < 0) from = 0;
    if (to > (lua_Integer)c->size) to = (lua_Integer)c->size;
    size_t n = to > from ? (size_t)(to - from) : 0;
    luaL_argcheck(L, n < INT32_MAX, 4, "too many positions");
    cp_id *ids = lua_newuserdatauv(L, (n + 1) * sizeof *ids, 0);
    if (n > 0 && c->ops->ids_at(c, a, (cp_pos)from, n, ids) != CP_OK)
        return luaL_error(L, "query: cannot read the ids of '%s' (a damaged index)", c->attrs[a]);
    lua_createtable(L, (int)n, 0);
    for (size_t i = 0; i < n; i++) {
        lua_pushinteger(L, (lua_Integer)ids[i]);
        lua_rawseti(L, -2, (lua_Integer)i + 1);
    }
    return 1;
}

/* core.region_sums(pos, attr, ids, weights, struct) -> sums: sums[k] (region
 * k, 1-based) is the sum of weights[i] over the positions of ids[i] (0-based
 * ids of attr) in region k */
static int q_region_sums(lua_State *L) {
    const cp_corpus *c = crl_check_positions(L, 1);
    int a = attr_arg(L, c, 2);
    luaL_checktype(L, 3, LUA_TTABLE);
    luaL_checktype(L, 4, LUA_TTABLE);
    int s = struct_arg(L, c, 5);
    size_t n = (size_t)luaL_len(L, 3);
    luaL_argcheck(L, (size_t)luaL_len(L, 4) == n, 4, "one weight per id expected");
    cp_id lex = c->ops->lex_size(c, a);
    int64_t nreg = c->ops->regions(c, s);
    luaL_argcheck(L, nreg >= 0 && nreg < INT32_MAX, 5, "too many regions");
    cp_id *ids = lua_newuserdatauv(L, (n + 1) * sizeof *ids, 0);
    int64_t *w = lua_newuserdatauv(L, (n + 1) * sizeof *w, 0);
    for (size_t i = 0; i < n; i++) {
        lua_rawgeti(L, 3, (lua_Integer)i + 1);
        lua_rawgeti(L, 4, (lua_Integer)i + 1);
        int isnum;
        lua_Integer id = lua_tointegerx(L, -2, &isnum);
        luaL_argcheck(L, isnum && id >= 0 && id < lex, 3, "lexicon ids expected");
        lua_Integer wt = lua_tointegerx(L, -1, &isnum);
        luaL_argcheck(L, isnum, 4, "integer weights expected");
        ids[i] = (cp_id)id;
        w[i] = (int64_t)wt;
        lua_pop(L, 2);
    }
    int64_t *out = lua_newuserdatauv(L, ((size_t)nreg + 1) * sizeof *out, 0);
    memset(out, 0, ((size_t)nreg + 1) * sizeof *out);
    int rc = qh_region_sums(c, a, ids, w, n, s, out);
    if (rc == CP_ENOMEM) return luaL_error(L, "not enough memory");
    if (rc != CP_OK) return luaL_error(L, "query: cannot read the postings of '%s' (a damaged index)", c->attrs[a]);
    lua_createtable(L, (int)nreg, 0);
    for (int64_t k = 0; k < nreg; k++) {
        lua_pushinteger(L, (lua_Integer)out[k]);
        lua_rawseti(L, -2, (lua_Integer)k + 1);
    }
    return 1;
}

/* ---- the words of a lexicon's strings (host/text/lexwords.c) ---------------- */

typedef struct LexWords {
    cr_lexwords w;
    int built;
} LexWords;

static LexWords *check_lexwords(lua_State *L, int arg) {
    LexWords *u = luaL_checkudata(L, arg, LEXWORDS_MT);
    if (!u->built) luaL_argerror(L, arg, "lexicon words not built");
    return u;
}

static int lexwords_gc(lua_State *L) {
    LexWords *u = luaL_checkudata(L, 1, LEXWORDS_MT);
    if (u->built) cr_lexwords_free(&u->w);
    u->built = 0;
    return 0;
}

/* core.lexwords(pos, attr, level [, whole]) -> the words of attr's lexicon
 * strings at level (a LexWords), or nil and why: with whole, a string that
 * is not one token of the tokeniser when read alone */
static int q_lexwords(lua_State *L) {
    const cp_corpus *c = crl_check_positions(L, 1);
    int a = attr_arg(L, c, 2);
    const char *lname = luaL_checkstring(L, 3);
    int level = cr_norm_level_from_name(lname);
    luaL_argcheck(L, level >= 0, 3, "level: raw, nfc, casefold or key expected");
    int whole = lua_toboolean(L, 4);
    LexWords *u = lua_newuserdatauv(L, sizeof *u, 0);
    memset(u, 0, sizeof *u);
    luaL_setmetatable(L, LEXWORDS_MT);
    cp_id bad;
    int rc = cr_lexwords_build(&u->w, c, a, (cr_norm_level)level, whole, &bad);
    if (rc == CP_ENOMEM) return luaL_error(L, "not enough memory");
    if (rc == LW_ENOTTOKEN) {
        size_t len;
        const char *s = c->ops->lex_str(c, a, bad, &len);
        lua_pushnil(L);
        lua_pushfstring(L, "the index's token '%s' is not one token of the tokeniser when read alone",
                        lua_pushlstring(L, s, len));
        return 2;
    }
    if (rc != CP_OK)
        return luaL_error(L, "query: cannot read the lexicon of '%s' (a damaged index)", c->attrs[a]);
    u->built = 1;
    return 1;
}

/* core.words_total(lw) -> words, counts: every word and its occurrences in
 * the corpus (in the order the lexicon first gives them) */
static int q_words_total(lua_State *L) {
    const cr_counter *f = &check_lexwords(L, 1)->w.words;
    luaL_argcheck(L, f->size < INT32_MAX, 1, "too many words");
    lua_createtable(L, (int)f->size, 0);
    lua_createtable(L, (int)f->size, 0);
    for (size_t k = 0; k < f->size; k++) {
        lua_pushlstring(L, f->entries[k].key, cr_centry_len(&f->entries[k]));
        lua_rawseti(L, -3, (lua_Integer)k + 1);
        lua_pushinteger(L, (lua_Integer)f->entries[k].count);
        lua_rawseti(L, -2, (lua_Integer)k + 1);
    }
    return 2;
}

/* Pushes ids[0..n) and weights[0..n) as two arrays. */
static void push_ids_weights(lua_State *L, const cp_id *ids, const int64_t *weights, size_t n) {
    lua_createtable(L, (int)n, 0);
    lua_createtable(L, (int)n, 0);
    for (size_t i = 0; i < n; i++) {
        lua_pushinteger(L, (lua_Integer)ids[i]);
        lua_rawseti(L, -3, (lua_Integer)i + 1);
        lua_pushinteger(L, (lua_Integer)weights[i]);
        lua_rawseti(L, -2, (lua_Integer)i + 1);
    }
}

/* core.words_holding(lw, word [, prefix]) -> ids, weights: the strings (ids
 * from 0) holding word (with prefix: a word beginning with it), and how many
 * times each holds it */
static int q_words_holding(lua_State *L) {
    const cr_lexwords *w = &check_lexwords(L, 1)->w;
    size_t len;
    const char *word = luaL_checklstring(L, 2, &len);
    int prefix = lua_toboolean(L, 3);
    luaL_argcheck(L, w->nstr < INT32_MAX, 1, "lexicon too large");
    cp_id *ids = lua_newuserdatauv(L, (w->nstr + 1) * sizeof *ids, 0);
    int64_t *weights = lua_newuserdatauv(L, (w->nstr + 1) * sizeof *weights, 0);
    size_t n;
    if (cr_lexwords_holding(w, word, len, prefix, ids, weights, &n) != CP_OK)
        return luaL_error(L, "not enough memory");
    push_ids_weights(L, ids, weights, n);
    return 2;
}

/* core.words_split(lw) -> ids, weights: the strings that do not hold
 * exactly one word (ids from 0), and their words less one (-1: none) */
static int q_words_split(lua_State *L) {
    const cr_lexwords *w = &check_lexwords(L, 1)->w;
    luaL_argcheck(L, w->nstr < INT32_MAX, 1, "lexicon too large");
    lua_createtable(L, 0, 0);
    lua_createtable(L, 0, 0);
    lua_Integer k = 0;
    for (size_t i = 0; i < w->nstr; i++) {
        size_t n = cr_lexwords_count(w, i);
        if (n == 1) continue;
        k++;
        lua_pushinteger(L, (lua_Integer)i);
        lua_rawseti(L, -3, k);
        lua_pushinteger(L, (lua_Integer)n - 1);
        lua_rawseti(L, -2, k);
    }
    return 2;
}

/* core.words_of(lw, ids) -> the words of the strings ids (from 0), in order */
static int q_words_of(lua_State *L) {
    const cr_lexwords *w = &check_lexwords(L, 1)->w;
    luaL_checktype(L, 2, LUA_TTABLE);
    lua_Integer n = luaL_len(L, 2), k = 0;
    lua_createtable(L, (int)(n > 0 && n < INT32_MAX ? n : 0), 0);
    for (lua_Integer i = 1; i <= n; i++) {
        int isnum;
        lua_Integer id = (lua_rawgeti(L, 2, i), lua_tointegerx(L, -1, &isnum));
        lua_pop(L, 1);
        luaL_argcheck(L, isnum && id >= 0 && (uint64_t)id < w->nstr, 2, "lexicon ids expected");
        for (uint32_t j = w->off[id]; j < w->off[id + 1]; j++) {
            const cr_centry *e = &w->words.entries[w->wid[j]];
            lua_pushlstring(L, e->key, cr_centry_len(e));
            lua_rawseti(L, -2, ++k);
        }
    }
    return 1;
}

/* ---- the builder of documents in memory ------------------------------------ */

typedef struct Builder {
    cpm_builder *b;
} Builder;

static Builder *check_builder(lua_State *L) {
    Builder *u = luaL_checkudata(L, 1, BUILDER_MT);
    if (!u->b) luaL_argerror(L, 1, "builder finished");
    return u;
}

static int builder_gc(lua_State *L) {
    Builder *u = luaL_checkudata(L, 1, BUILDER_MT);
    cpm_free(u->b);
    u->b = NULL;
    return 0;
}

static int q_builder(lua_State *L) {
    Builder *u = lua_newuserdatauv(L, sizeof *u, 0);
    u->b = NULL;
    luaL_setmetatable(L, BUILDER_MT);
    u->b = cpm_new(NULL);
    if (!u->b) return luaL_error(L, "not enough memory");
    return 1;
}

static int meta_cmp(const void *x, const void *y) {
    const char *const *a = x, *const *b = y;
    return strcmp(a[0], b[0]);
}

static const char *rc_message(int rc) {
    return rc == CP_ERANGE ? "more tokens than documents in memory can hold (2^32 - 2): build an index"
                           : "not enough memory";
}

/* core.add(b, doc): doc.id, doc.meta (strings, numbers, booleans), and doc.tokens
 * or doc.text */
static int builder_add(lua_State *L) {
    Builder *u = check_builder(L);
    luaL_checktype(L, 2, LUA_TTABLE);
    lua_settop(L, 2);
    size_t idn = 0, tn = 0;
    lua_getfield(L, 2, "id");       /* 3 */
    const char *id = luaL_tolstring(L, 3, &idn);   /* 4 */
    lua_getfield(L, 2, "meta");     /* 5 */
    lua_newtable(L);                /* 6: meta as strings, kept alive */
    size_t nmeta = 0;
    if (lua_istable(L, 5)) {
        lua_pushnil(L);
        while (lua_next(L, 5)) {
            int t = lua_type(L, -1);
            if (lua_type(L, -2) == LUA_TSTRING && (t == LUA_TSTRING || t == LUA_TNUMBER || t == LUA_TBOOLEAN)) {
                lua_pushvalue(L, -2);
                lua_rawseti(L, 6, (lua_Integer)(2 * nmeta + 1));
                luaL_tolstring(L, -1, NULL);
                lua_rawseti(L, 6, (lua_Integer)(2 * nmeta + 2));
                nmeta++;
            }
            lua_pop(L, 1);
        }
    }
    const char **meta = lua_newuserdatauv(L, (2 * nmeta + 1) * sizeof *meta, 0);     /* 7 */
    size_t *mlen = lua_newuserdatauv(L, (2 * nmeta + 1) * sizeof *mlen, 0);           /* 8 */
    for (size_t i = 0; i < 2 * nmeta; i++) {
        lua_rawgeti(L, 6, (lua_Integer)i + 1);
        meta[i] = lua_tostring(L, -1);   /* held by table 6 */
        lua_pop(L, 1);
    }
    qsort(meta, nmeta, 2 * sizeof *meta, meta_cmp);
    for (size_t i = 0; i < 2 * nmeta; i++) mlen[i] = strlen(meta[i]);
    cpm_doc d = {id, idn, meta, mlen, nmeta};
    lua_getfield(L, 2, "tokens");   /* 9 */
    const ld_tokens *toks = crl_totokens(L, 9);
    int rc;
    if (toks) {
        rc = cpm_add_tokens(u->b, &d, toks);
    } else {
        lua_getfield(L, 2, "text");
        const char *text = lua_tolstring(L, -1, &tn);
        if (!text) return luaL_argerror(L, 2, "a document with text or tokens expected");
        rc = cpm_add_text(u->b, &d, text, tn);
    }
    if (rc != CP_OK) return luaL_error(L, "query: %s", rc_message(rc));
    return 0;
}

static int builder_finish(lua_State *L) {
    Builder *u = check_builder(L);
    cpm_builder *b = u->b;
    u->b = NULL;
    cp_corpus *c = cpm_finish(b);
    if (!c) return luaL_error(L, "not enough memory");
    crl_push_positions(L, c);
    return 1;
}

/* ---- hits ------------------------------------------------------------------------- */

typedef struct Hits {
    cqp_hits h;
} Hits;

static Hits *check_hits(lua_State *L, int arg) { return luaL_checkudata(L, arg, HITS_MT); }

static int hits_gc(lua_State *L) {
    Hits *u = check_hits(L, 1);
    cqp_hits_free(&u->h);
    return 0;
}

/* A new empty Hits over the positions at index pos_arg (kept alive). */
static Hits *new_hits(lua_State *L, int pos_arg) {
    pos_arg = lua_absindex(L, pos_arg);
    Hits *u = lua_newuserdatauv(L, sizeof *u, 1);
    memset(u, 0, sizeof *u);
    luaL_setmetatable(L, HITS_MT);
    lua_pushvalue(L, pos_arg);
    lua_setiuservalue(L, -2, 1);
    return u;
}

/* The positions a Hits was made over. */
static const cp_corpus *hits_corpus(lua_State *L, int arg) {
    lua_getiuservalue(L, arg, 1);
    const cp_corpus *c = crl_check_positions(L, -1);
    lua_pop(L, 1);
    return c;
}

/* An error at a byte of the query: the message, the query and a caret. */
static int push_query_error(lua_State *L, const char *q, size_t qn, const cqp_error *e) {
    lua_pushnil(L);
    luaL_Buffer b;
    luaL_buffinit(L, &b);
    lua_pushfstring(L, "query: byte %d: %s", (int)e->offset + 1, e->msg);
    luaL_addvalue(&b);
    if (qn <= 200 && !memchr(q, '\n', qn)) {
        luaL_addstring(&b, "\n  ");
        luaL_addlstring(&b, q, qn);
        luaL_addstring(&b, "\n  ");
        for (size_t i = 0; i < e->offset && i < qn; i++)
            if (((unsigned char)q[i] & 0xC0) != 0x80) luaL_addchar(&b, q[i] == '\t' ? '\t' : ' ');
        luaL_addchar(&b, '^');
    }
    luaL_pushresult(&b);
    lua_pushinteger(L, (lua_Integer)e->offset + 1);
    return 3;
}

static int q_parse(lua_State *L) {
    size_t n;
    const char *q = luaL_checklstring(L, 1, &n);
    cqp_error e;
    cqp_query *p = cqp_parse(q, n, &e);
    if (!p) return push_query_error(L, q, n, &e);
    cr_buf *b = crl_newbuf(L);
    int rc = cqp_unparse(p, b);
    cqp_free(p);
    if (rc != 0) return luaL_error(L, "not enough memory");
    lua_pushlstring(L, b->data ? b->data : "", b->len);
    return 1;
}

/* The names a query uses: core.names(q) -> {attrs}, {structs} */
static void add_name(void *ud, int is_struct, const char *name) {
    lua_State *L = ud;
    lua_pushboolean(L, 1);
    lua_setfield(L, is_struct ? -2 : -3, name);
}

static int q_names(lua_State *L) {
    size_t n;
    const char *q = luaL_checklstring(L, 1, &n);
    cqp_error e;
    cqp_query *p = cqp_parse(q, n, &e);
    if (!p) return push_query_error(L, q, n, &e);
    lua_newtable(L);
    lua_newtable(L);
    cqp_names(p, add_name, L);
    cqp_free(p);
    return 2;
}

/* core.run(pos, query [, strategy]) -> Hits | nil, message, byte */
static int q_run(lua_State *L) {
    const cp_corpus *c = crl_check_positions(L, 1);
    size_t n;
    const char *q = luaL_checklstring(L, 2, &n);
    static const char *const names[] = {"default", "standard", "shortest", "longest", NULL};
    static const cqp_strategy codes[] = {CQP_DEFAULT, CQP_STANDARD, CQP_SHORTEST, CQP_LONGEST};
    cqp_strategy st = codes[luaL_checkoption(L, 3, "default", names)];
    cqp_error e;
    cqp_query *p = cqp_parse(q, n, &e);
    if (!p) return push_query_error(L, q, n, &e);
    Hits *u = new_hits(L, 1);
    int rc = cqp_run(p, c, st, &u->h, &e);
    cqp_free(p);
    if (rc != 0) return push_query_error(L, q, n, &e);
    return 1;
}

static int hits_len(lua_State *L) {
    lua_pushinteger(L, (lua_Integer)check_hits(L, 1)->h.n);
    return 1;
}

static size_t index_arg(lua_State *L, const Hits *u, int arg) {
    lua_Integer i = luaL_checkinteger(L, arg);
    luaL_argcheck(L, i >= 1 && (lua_Unsigned)i <= u->h.n, arg, "hit out of range");
    return (size_t)(i - 1);
}

/* core.get(h, i) -> start, end, target (0-based corpus positions; end inclusive;
 * target nil when none) */
static int hits_get(lua_State *L) {
    Hits *u = check_hits(L, 1);
    size_t i = index_arg(L, u, 2);
    lua_pushinteger(L, (lua_Integer)u->h.start[i]);
    lua_pushinteger(L, (lua_Integer)u->h.end[i]);
    if (u->h.target[i] >= 0) lua_pushinteger(L, (lua_Integer)u->h.target[i]);
    else lua_pushnil(L);
    return 3;
}

static qh_at at_arg(lua_State *L, int arg) {
    const char *s = luaL_checkstring(L, arg);
    qh_at at;
    if (qh_parse_at(s, &at) != 0)
        luaL_argerror(L, arg, lua_pushfstring(L, "'%s': expected match, target, start, end, L<n> or R<n>", s));
    return at;
}

/* core.order(h, levels, limit) -> the first limit hit numbers (1-based) sorted by
 * levels, a list of {attr, at} */
static int hits_order(lua_State *L) {
    Hits *u = check_hits(L, 1);
    const cp_corpus *c = hits_corpus(L, 1);
    luaL_checktype(L, 2, LUA_TTABLE);
    lua_Integer limit = luaL_optinteger(L, 3, (lua_Integer)u->h.n);
    size_t nl = (size_t)luaL_len(L, 2);
    int *attrs = lua_newuserdatauv(L, (nl + 1) * sizeof *attrs, 0);
    qh_at *levels = lua_newuserdatauv(L, (nl + 1) * sizeof *levels, 0);
    size_t *perm = lua_newuserdatauv(L, (u->h.n + 1) * sizeof *perm, 0);
    for (size_t l = 0; l < nl; l++) {
        lua_rawgeti(L, 2, (lua_Integer)l + 1);
        luaL_argcheck(L, lua_istable(L, -1), 2, "levels are {attribute, place}");
        lua_rawgeti(L, -1, 1);
        attrs[l] = attr_arg(L, c, lua_gettop(L));
        lua_rawgeti(L, -2, 2);
        levels[l] = at_arg(L, lua_gettop(L));
        lua_pop(L, 3);
    }
    if (qh_sort(c, &u->h, attrs, levels, nl, perm) != CP_OK) return luaL_error(L, "query: sorting failed");
    size_t n = limit < 0 ? 0 : (size_t)limit < u->h.n ? (size_t)limit : u->h.n;
    lua_createtable(L, (int)n, 0);
    for (size_t i = 0; i < n; i++) {
        lua_pushinteger(L, (lua_Integer)perm[i] + 1);
        lua_rawseti(L, -2, (lua_Integer)i + 1);
    }
    return 1;
}

/* core.count(h, attr, at) -> list of {value, count}, by count descending */
static int hits_count(lua_State *L) {
    Hits *u = check_hits(L, 1);
    const cp_corpus *c = hits_corpus(L, 1);
    int a = attr_arg(L, c, 2);
    qh_at at = at_arg(L, 3);
    qh_group *g;
    size_t n;
    if (qh_count(c, &u->h, a, at, &g, &n) != CP_OK) return luaL_error(L, "query: counting failed");
    cr_buf *b = crl_newbuf(L);
    lua_createtable(L, (int)n, 0);
    for (size_t i = 0; i < n; i++) {
        size_t f = g[i].first;
        cp_pos from, to;
        if (at.kind == QH_MATCH) from = u->h.start[f], to = u->h.end[f] + 1;
        else {
            /* the position is known to hold a value: find it again */
            cp_pos p = at.kind == QH_TARGET ? u->h.target[f] : at.kind == QH_START ? u->h.start[f]
                     : at.kind == QH_END    ? u->h.end[f]    : at.kind == QH_LEFT  ? u->h.start[f] - at.n
                                                                                   : u->h.end[f] + at.n;
            from = p, to = p + 1;
        }
        cr_buf_reset(b);
        if (qh_join(c, a, from, to, " ", b) != CP_OK) {
            free(g);
            return luaL_error(L, "query: cannot read the corpus");
        }
        lua_createtable(L, 2, 0);
        lua_pushlstring(L, b->data ? b->data : "", b->len);
        lua_rawseti(L, -2, 1);
        lua_pushinteger(L, (lua_Integer)g[i].count);
        lua_rawseti(L, -2, 2);
        lua_rawseti(L, -2, (lua_Integer)i + 1);
    }
    free(g);
    return 1;
}

/* core.colloc(h, attr, left, right) -> list of {value, count, corpus frequency}, positions */
static int hits_colloc(lua_State *L) {
    Hits *u = check_hits(L, 1);
    const cp_corpus *c = hits_corpus(L, 1);
    int a = attr_arg(L, c, 2);
    lua_Integer l = luaL_checkinteger(L, 3), r = luaL_checkinteger(L, 4);
    luaL_argcheck(L, l >= 0 && l <= 1000, 3, "window from 0 to 1000 tokens");
    luaL_argcheck(L, r >= 0 && r <= 1000, 4, "window from 0 to 1000 tokens");
    uint64_t *counts, positions;
    if (qh_colloc(c, &u->h, a, (long)l, (long)r, &counts, &positions) != CP_OK)
        return luaL_error(L, "query: counting collocates failed");
    lua_newtable(L);
    lua_Integer k = 0;
    cp_id nlex = c->ops->lex_size(c, a);
    for (cp_id id = 0; id < nlex; id++) {
        if (!counts[id]) continue;
        size_t len;
        const char *s = c->ops->lex_str(c, a, id, &len);
        lua_createtable(L, 3, 0);
        lua_pushlstring(L, s ? s : "", s ? len : 0);
        lua_rawseti(L, -2, 1);
        lua_pushinteger(L, (lua_Integer)counts[id]);
        lua_rawseti(L, -2, 2);
        lua_pushinteger(L, (lua_Integer)c->ops->lex_freq(c, a, id));
        lua_rawseti(L, -2, 3);
        lua_rawseti(L, -2, ++k);
    }
    free(counts);
    lua_pushinteger(L, (lua_Integer)positions);
    return 2;
}

/* core.regions(h, struct) -> {[k + 1] = hits starting in region k} */
/* Each hit's region of structure s (-1: none), in a userdata left on the
 * stack; raises when the positions cannot be read. */
static int64_t *hits_regions_of(lua_State *L, const Hits *u, const cp_corpus *c, int s) {
    int64_t *r = lua_newuserdatauv(L, (u->h.n + 1) * sizeof *r, 0);
    if (qh_regions(c, &u->h, s, r) != CP_OK) luaL_error(L, "query: reading regions failed (out of memory, or a damaged index)");
    return r;
}

static int hits_regions(lua_State *L) {
    Hits *u = check_hits(L, 1);
    const cp_corpus *c = hits_corpus(L, 1);
    int64_t *r = hits_regions_of(L, u, c, struct_arg(L, c, 2));
    lua_newtable(L);
    for (size_t i = 0; i < u->h.n; i++) {
        if (r[i] < 0) continue;
        lua_Integer k = (lua_Integer)r[i] + 1;
        lua_rawgeti(L, -1, k);
        lua_Integer n = lua_tointeger(L, -1);
        lua_pop(L, 1);
        lua_pushinteger(L, n + 1);
        lua_rawseti(L, -2, k);
    }
    return 1;
}

/* core.pick(h, list) -> a new Hits of the hits numbered in list (sorted, once each) */
static int hits_pick(lua_State *L) {
    Hits *u = check_hits(L, 1);
    luaL_checktype(L, 2, LUA_TTABLE);
    size_t n = (size_t)luaL_len(L, 2);
    uint8_t *take = lua_newuserdatauv(L, u->h.n + 1, 0);
    memset(take, 0, u->h.n + 1);
    for (size_t i = 1; i <= n; i++) {
        lua_rawgeti(L, 2, (lua_Integer)i);
        lua_Integer k = lua_tointeger(L, -1);
        luaL_argcheck(L, k >= 1 && (lua_Unsigned)k <= u->h.n, 2, "hit number out of range");
        take[k - 1] = 1;
        lua_pop(L, 1);
    }
    lua_getiuservalue(L, 1, 1);
    Hits *o = new_hits(L, -1);
    for (size_t i = 0; i < u->h.n; i++)
        if (take[i] && cqp_hits_push(&o->h, u->h.start[i], u->h.end[i], u->h.target[i]) != 0)
            return luaL_error(L, "not enough memory");
    return 1;
}

/* core.hit_regions(h, structure) -> a list: hit i's region (0-based) of the
 * structure, or false when none holds it */
static int hits_hit_regions(lua_State *L) {
    Hits *u = check_hits(L, 1);
    const cp_corpus *c = hits_corpus(L, 1);
    int64_t *r = hits_regions_of(L, u, c, struct_arg(L, c, 2));
    lua_createtable(L, (int)u->h.n, 0);
    for (size_t i = 0; i < u->h.n; i++) {
        if (r[i] < 0) lua_pushboolean(L, 0);
        else lua_pushinteger(L, (lua_Integer)r[i]);
        lua_rawseti(L, -2, (lua_Integer)i + 1);
    }
    return 1;
}

/* core.within(h, structure, set) -> a new Hits of the hits whose start lies
 * in a region k of the structure with set[k + 1] true (a sub-corpus of an
 * index: the documents it keeps) */
static int hits_within(lua_State *L) {
    Hits *u = check_hits(L, 1);
    const cp_corpus *c = hits_corpus(L, 1);
    luaL_checktype(L, 3, LUA_TTABLE);
    int64_t *r = hits_regions_of(L, u, c, struct_arg(L, c, 2));
    lua_getiuservalue(L, 1, 1);
    Hits *o = new_hits(L, -1);
    for (size_t i = 0; i < u->h.n; i++) {
        if (r[i] < 0) continue;
        int keep = lua_rawgeti(L, 3, (lua_Integer)r[i] + 1) != LUA_TNIL && lua_toboolean(L, -1);
        lua_pop(L, 1);
        if (keep && cqp_hits_push(&o->h, u->h.start[i], u->h.end[i], u->h.target[i]) != 0)
            return luaL_error(L, "not enough memory");
    }
    return 1;
}

/* core.setop(a, b, "and" | "minus" | "or") -> Hits */
static int q_setop(lua_State *L) {
    Hits *a = check_hits(L, 1), *b = check_hits(L, 2);
    static const char *const names[] = {"and", "minus", "or", NULL};
    int op = luaL_checkoption(L, 3, NULL, names);
    lua_getiuservalue(L, 1, 1);
    lua_getiuservalue(L, 2, 1);
    if (!lua_rawequal(L, -1, -2)) return luaL_argerror(L, 2, "results of another corpus");
    lua_pop(L, 1);
    Hits *o = new_hits(L, -1);
    if (qh_setop(&a->h, &b->h, op, &o->h) != 0) return luaL_error(L, "not enough memory");
    return 1;
}

/* core.positions(h) -> the Positions the hits are of */
static int hits_positions(lua_State *L) {
    check_hits(L, 1);
    lua_getiuservalue(L, 1, 1);
    return 1;
}

/* The userdata have no methods: query.lua calls these functions of the
 * private core on them (core.get(hits, i), core.add(builder, doc)...). */
static const luaL_Reg funcs[] = {{"builder", q_builder},   {"add", builder_add},       {"finish", builder_finish},
                                 {"parse", q_parse},       {"names", q_names},         {"run", q_run},
                                 {"setop", q_setop},       {"info", q_info},           {"region", q_region},
                                 {"region_of", q_region_of}, {"value", q_value},       {"join", q_join},
                                 {"freq", q_freq},  {"lexicon", q_lexicon}, {"ids", q_ids}, {"region_sums", q_region_sums},
                                 {"lexwords", q_lexwords}, {"words_total", q_words_total},
                                 {"words_holding", q_words_holding}, {"words_split", q_words_split},
                                 {"words_of", q_words_of},         {"get", hits_get},          {"order", hits_order},
                                 {"count", hits_count},    {"colloc", hits_colloc},    {"regions", hits_regions},
                                 {"pick", hits_pick},       {"within", hits_within}, {"hit_regions", hits_hit_regions},      {"positions", hits_positions}, {NULL, NULL}};

int luaopen_query_core(lua_State *L) {
    luaL_newmetatable(L, BUILDER_MT);
    lua_pushcfunction(L, builder_gc);
    lua_setfield(L, -2, "__gc");
    lua_pop(L, 1);
    luaL_newmetatable(L, HITS_MT);
    lua_pushcfunction(L, hits_gc);
    lua_setfield(L, -2, "__gc");
    lua_pushcfunction(L, hits_len);
    lua_setfield(L, -2, "__len");
    lua_pop(L, 1);
    luaL_newmetatable(L, LEXWORDS_MT);
    lua_pushcfunction(L, lexwords_gc);
    lua_setfield(L, -2, "__gc");
    lua_pop(L, 1);
    luaL_newlib(L, funcs);
    return 1;
}
