/* ltokenize.c — `tokenize.core`, the private core of the `tokenize` module
 * (lib/lua/tokenize.lua): UAX #29 words and sentences with corpus
 * tailoring, normalisation, n-grams, stopwords, Snowball stems and display
 * width.  A thin binding over host/text/tokenizer.h: every per-token
 * loop is in C, and iterators return one value set per call without any Lua
 * function call per token.
 */
#include <lauxlib.h>
#include <libstemmer.h>
#include <lua.h>
#include <limits.h>
#include <stdlib.h>
#include <string.h>

#include "postag_lua.h"
#include "sentbreak.h"
#include "stopwords.h"
#include "tagtext.h"
#include "textopts_lua.h"
#include "tokenizer.h"
#include "ucd_tables.h"
#include "utf8.h"

#define ITER_MT "corpusrun.TokenIterator"
#define STEMMER_MT "corpusrun.Stemmer"
#define STEMMERS_KEY "corpusrun.tokenize.stemmers"

enum { MODE_WORDS, MODE_TOKENS, MODE_SENTENCES };

typedef struct {
    int closed;
    int mode;
    int done;
    cr_tokenizer tok;
    cr_buf buf;
    int level;                       /* -1: the token's own bytes (tokens) */
    const cr_stopword_list *stop;    /* built-in stopword list, or NULL */
    int stop_set;                    /* a Lua set in user value 2 */
    struct sb_stemmer *stemmer;
    cr_abbrevs *abbrevs;
    int with_sentence;
    int as_table;
    size_t spos;                     /* sentences: where the next one starts */
} iter_state;

/* ---- iterator userdata -------------------------------------------------------- */

static void iter_release(iter_state *st) {
    if (st->closed) return;
    st->closed = 1;
    cr_buf_free(&st->buf);
    sb_stemmer_delete(st->stemmer);
    st->stemmer = NULL;
    cr_abbrevs_free(st->abbrevs);
    st->abbrevs = NULL;
}

static int iter_gc(lua_State *L) {
    iter_release(luaL_checkudata(L, 1, ITER_MT));
    return 0;
}

static int iter_tostring(lua_State *L) {
    iter_state *st = luaL_checkudata(L, 1, ITER_MT);
    if (st->closed) lua_pushliteral(L, ITER_MT " (closed)");
    else lua_pushfstring(L, ITER_MT " (%p)", (void *)st);
    return 1;
}

/* ---- options ---------------------------------------------------------------------- */

typedef struct {
    const char *fn;      /* function name, for messages */
    int arg;             /* argument index of the options table */
    int mode;
} opt_ctx;

static int opt_error(lua_State *L, const opt_ctx *c, const char *fmt, const char *a, const char *b) {
    return luaL_argerror(L, c->arg, lua_pushfstring(L, fmt, a, b));
}

static struct sb_stemmer *new_stemmer(lua_State *L, const char *lang, const opt_ctx *c) {
    struct sb_stemmer *s = sb_stemmer_new(lang, "UTF_8");
    if (!s) {
        if (c) opt_error(L, c, "no Snowball stemmer for '%s'", lang, NULL);
        else luaL_error(L, "no Snowball stemmer for '%s'", lang);
    }
    return s;
}

/* option 'abbreviations': more abbreviations for sentence splitting. */
static void read_abbrevs(lua_State *L, const opt_ctx *c, iter_state *st, int vi) {
    if (lua_type(L, vi) != LUA_TTABLE) opt_error(L, c, "option 'abbreviations' must be an array of strings", NULL, NULL);
    if (!st->abbrevs && !(st->abbrevs = cr_abbrevs_new())) luaL_error(L, "out of memory");
    lua_Integer n = luaL_len(L, vi);
    for (lua_Integer i = 1; i <= n; i++) {
        lua_rawgeti(L, vi, i);
        size_t len;
        const char *w = lua_type(L, -1) == LUA_TSTRING ? lua_tolstring(L, -1, &len) : NULL;
        if (!w) opt_error(L, c, "option 'abbreviations' must be an array of strings", NULL, NULL);
        if (len && w[len - 1] == '.') len--;
        int r = cr_abbrevs_add(st->abbrevs, w, len);
        if (r == -1) luaL_error(L, "out of memory");
        if (r == -2) opt_error(L, c, "bad abbreviation '%s' (1 to 31 bytes)", w, NULL);
        lua_pop(L, 1);
    }
}

/* Reads the options table at c->arg: the tokeniser options into o
 * (textopts_lua.h, the same as every tokenising function's), this
 * module's own (table, abbreviations; stopwords and stem for words) into st
 * and its user values. */
static void read_opts(lua_State *L, const opt_ctx *c, iter_state *st, int ud, cr_textopts *o) {
    if (lua_isnoneornil(L, c->arg)) return;
    luaL_checktype(L, c->arg, LUA_TTABLE);
    crl_check_keys(L, c->arg, c->mode == MODE_WORDS ? "table abbreviations stopwords stem" : "table abbreviations");
    crl_read_textopts(L, c->arg, o);
    const char *stop_lang = NULL, *stem_lang = NULL;
    int stop_default = 0, t;
    if ((t = lua_getfield(L, c->arg, "table")) != LUA_TNIL) {
        if (t != LUA_TBOOLEAN) opt_error(L, c, "option 'table' must be true or false, not a %s", luaL_typename(L, -1), NULL);
        st->as_table = lua_toboolean(L, -1);
    }
    if (lua_getfield(L, c->arg, "abbreviations") != LUA_TNIL) read_abbrevs(L, c, st, lua_gettop(L));
    if (c->mode == MODE_WORDS) {
        if ((t = lua_getfield(L, c->arg, "stopwords")) == LUA_TSTRING) stop_lang = lua_tostring(L, -1);
        else if (t == LUA_TBOOLEAN) stop_default = lua_toboolean(L, -1);
        else if (t == LUA_TTABLE) {
            lua_pushvalue(L, -1);
            lua_setiuservalue(L, ud, 2);
            st->stop_set = 1;
        } else if (t != LUA_TNIL) opt_error(L, c, "option 'stopwords' must be a language, true or a set of words", NULL, NULL);
        if ((t = lua_getfield(L, c->arg, "stem")) != LUA_TNIL) {
            if (t != LUA_TSTRING) opt_error(L, c, "option 'stem' must be a language name", NULL, NULL);
            stem_lang = lua_tostring(L, -1);
        }
    }
    if (stop_lang || stop_default) {
        const char *lang = stop_lang ? stop_lang : (o->tok.lang ? o->tok.lang : "en");
        st->stop = cr_stopwords(lang);
        if (!st->stop) opt_error(L, c, "no stopword list for '%s'", lang, NULL);
    }
    if (stem_lang) st->stemmer = new_stemmer(L, stem_lang, c);
}

/* A new iterator state over the string at argument 1, options at 2. */
static iter_state *new_iter(lua_State *L, int mode, const char *fn) {
    size_t len;
    luaL_checklstring(L, 1, &len);
    lua_settop(L, 2);
    iter_state *st = lua_newuserdatauv(L, sizeof *st, 2);
    memset(st, 0, sizeof *st);
    st->closed = 1; /* nothing to release until set up */
    luaL_setmetatable(L, ITER_MT);
    int ud = lua_gettop(L);
    lua_pushvalue(L, 1);
    lua_setiuservalue(L, ud, 1);   /* keeps the text alive */
    st->closed = 0;
    st->mode = mode;
    /* defaults: words are words and numbers, casefolded; tokens are every
     * kind but space, with their own bytes unless a level is given */
    cr_textopts o;
    cr_textopts_default(&o);
    if (mode != MODE_WORDS) o.kinds = ((1u << CR_TOK__COUNT) - 1u) & ~CR_KIND_BIT(CR_TOK_SPACE);
    opt_ctx c = { fn, 2, mode };
    read_opts(L, &c, st, ud, &o);
    int level_given = lua_istable(L, 2) && lua_getfield(L, 2, "level") != LUA_TNIL;
    st->level = mode == MODE_WORDS || level_given ? (int)o.level : -1;
    st->with_sentence = mode == MODE_TOKENS && o.sentences;
    cr_tokenizer_opts topts = o.tok;
    topts.kinds = o.kinds;
    topts.sentences = st->with_sentence;
    topts.abbrevs = st->abbrevs;
    cr_tokenizer_init(&st->tok, lua_tostring(L, 1), len, &topts);
    lua_settop(L, ud);
    return st;
}

/* ---- producing values ----------------------------------------------------------- */

static void oom(lua_State *L) { luaL_error(L, "out of memory"); }

/* Pushes the next word (words mode); 0 at the end. */
static int next_word(lua_State *L, iter_state *st, int ud) {
    cr_token t;
    const char *text = st->tok.text;
    while (cr_tokenizer_next(&st->tok, &t)) {
        if (cr_normalize(&st->buf, text + t.start, t.stop - t.start, (cr_norm_level)st->level) < 0) oom(L);
        if (st->stop && cr_stopwords_has(st->stop, st->buf.data, st->buf.len)) continue;
        if (st->stop_set) {
            lua_getiuservalue(L, ud, 2);
            lua_pushlstring(L, st->buf.data, st->buf.len);
            int hit = lua_rawget(L, -2) != LUA_TNIL && lua_toboolean(L, -1);
            lua_pop(L, 2);
            if (hit) continue;
        }
        if (st->stemmer) {
            const sb_symbol *r = sb_stemmer_stem(st->stemmer, (const sb_symbol *)st->buf.data, (int)st->buf.len);
            if (!r) oom(L);
            lua_pushlstring(L, (const char *)r, (size_t)sb_stemmer_length(st->stemmer));
        } else {
            lua_pushlstring(L, st->buf.data, st->buf.len);
        }
        return 1;
    }
    return 0;
}

/* Pushes the text of token t: its bytes, or normalised at the chosen level. */
static void push_token_text(lua_State *L, iter_state *st, const cr_token *t) {
    const char *s = st->tok.text + t->start;
    size_t n = t->stop - t->start;
    if (st->level < 0) { lua_pushlstring(L, s, n); return; }
    if (cr_normalize(&st->buf, s, n, (cr_norm_level)st->level) < 0) oom(L);
    lua_pushlstring(L, st->buf.data, st->buf.len);
}

/* Pushes text, kind, start, stop [, sentence]; returns the count, 0 at the end. */
static int next_token(lua_State *L, iter_state *st) {
    cr_token t;
    if (!cr_tokenizer_next(&st->tok, &t)) return 0;
    push_token_text(L, st, &t);
    lua_pushstring(L, cr_token_kind_name(t.kind));
    lua_pushinteger(L, (lua_Integer)t.start + 1);
    lua_pushinteger(L, (lua_Integer)t.stop);
    if (!st->with_sentence) return 4;
    lua_pushinteger(L, (lua_Integer)t.sentence + 1);
    return 5;
}

/* Whether the code point at s[i] is White_Space; its length in *n. */
static int is_space_at(const char *s, size_t len, size_t i, size_t *n) {
    uint32_t cp = cr_utf8_decode((const unsigned char *)s + i, len - i, n);
    return CR_UCD_GC(cr_ucd_props(cp)) == CR_GC_SPACE;
}

/* Pushes sentence, start, stop (whitespace trimmed); 0 at the end. */
static int next_sentence(lua_State *L, iter_state *st) {
    const char *s = st->tok.text;
    size_t len = st->tok.len;
    while (st->spos < len) {
        size_t a = st->spos, b = cr_tokenizer_sentence_end(&st->tok, a), n;
        st->spos = b;
        while (a < b && is_space_at(s, b, a, &n)) a += n;
        while (b > a) {
            size_t k = b - 1;
            while (k > a && ((unsigned char)s[k] & 0xC0) == 0x80) k--;
            if (!is_space_at(s, b, k, &n) || k + n != b) break;
            b = k;
        }
        if (a == b) continue;
        lua_pushlstring(L, s + a, b - a);
        lua_pushinteger(L, (lua_Integer)a + 1);
        lua_pushinteger(L, (lua_Integer)b);
        return 3;
    }
    return 0;
}


static int produce(lua_State *L, iter_state *st, int ud) {
    switch (st->mode) {
    case MODE_WORDS: return next_word(L, st, ud);
    case MODE_TOKENS: return next_token(L, st);
    default: return next_sentence(L, st);
    }
}

static int iter_call(lua_State *L) {
    /* The upvalue is always our own iterator state: no metatable check per call. */
    iter_state *st = lua_touserdata(L, lua_upvalueindex(1));
    if (st->closed) return luaL_error(L, "attempt to use a closed " ITER_MT);
    if (st->done) return 0;
    int n = produce(L, st, lua_upvalueindex(1));
    if (n == 0) {
        st->done = 1;
        lua_pushnil(L);
        return 1;
    }
    return n;
}

/* Collects every value set into an array (the table form). */
static int collect(lua_State *L, iter_state *st, int ud) {
    lua_newtable(L);
    int arr = lua_gettop(L);
    lua_Integer i = 0;
    static const char *const token_fields[] = { "text", "kind", "start", "stop", "sentence" };
    static const char *const sentence_fields[] = { "text", "start", "stop" };
    int n;
    while ((n = produce(L, st, ud)) > 0) {
        if (st->mode == MODE_WORDS) {
            lua_rawseti(L, arr, ++i);
            continue;
        }
        const char *const *fields = st->mode == MODE_TOKENS ? token_fields : sentence_fields;
        lua_createtable(L, 0, n);
        for (int k = n - 1; k >= 0; k--) {
            lua_insert(L, -2);
            lua_setfield(L, -2, fields[k]);
        }
        lua_rawseti(L, arr, ++i);
    }
    st->done = 1;
    iter_release(st);
    return 1;
}

/* Returns the iterator (iter, nil, nil, closing value) or the table form. */
static int start(lua_State *L, int mode, const char *fn) {
    iter_state *st = new_iter(L, mode, fn);
    int ud = lua_gettop(L);
    if (st->as_table) return collect(L, st, ud);
    lua_pushvalue(L, ud);
    lua_pushcclosure(L, iter_call, 1);
    lua_pushnil(L);
    lua_pushnil(L);
    lua_pushvalue(L, ud);
    return 4;
}

static int l_words(lua_State *L) { return start(L, MODE_WORDS, "words"); }
static int l_tokens(lua_State *L) { return start(L, MODE_TOKENS, "tokens"); }

static int l_sentences(lua_State *L) { return start(L, MODE_SENTENCES, "sentences"); }

/* ---- plain functions ------------------------------------------------------------ */

static int l_normalize(lua_State *L) {
    size_t len;
    const char *s = luaL_checklstring(L, 1, &len);
    const char *name = luaL_optstring(L, 2, "casefold");
    int level = cr_norm_level_from_name(name);
    if (level < 0)
        return luaL_argerror(L, 2, lua_pushfstring(L, "unknown level '%s' (raw, nfc, casefold, key)", name));
    cr_buf b = { 0 };
    if (cr_normalize(&b, s, len, (cr_norm_level)level) < 0) {
        cr_buf_free(&b);
        return luaL_error(L, "out of memory");
    }
    lua_pushlstring(L, b.data, b.len);
    cr_buf_free(&b);
    return 1;
}

static int l_width(lua_State *L) {
    size_t len;
    const char *s = luaL_checklstring(L, 1, &len);
    lua_pushinteger(L, (lua_Integer)cr_display_width(s, len));
    return 1;
}

static int l_stopwords(lua_State *L) {
    const char *lang = luaL_checkstring(L, 1);
    const cr_stopword_list *list = cr_stopwords(lang);
    if (!list) {
        luaL_Buffer b;
        luaL_buffinit(L, &b);
        for (const cr_stopword_list *l = cr_stopword_lists; l->lang; l++) {
            if (l != cr_stopword_lists) luaL_addstring(&b, ", ");
            luaL_addstring(&b, l->lang);
        }
        luaL_pushresult(&b);
        return luaL_argerror(L, 1, lua_pushfstring(L, "no stopword list for '%s' (%s)", lang, lua_tostring(L, -1)));
    }
    lua_createtable(L, 0, (int)list->count);
    for (size_t i = 0; i < list->count; i++) {
        lua_pushboolean(L, 1);
        lua_setfield(L, -2, list->words[i]);
    }
    return 1;
}

/* Stemmers are cached per Lua state, one per language name. */
static int stemmer_gc(lua_State *L) {
    struct sb_stemmer **p = luaL_checkudata(L, 1, STEMMER_MT);
    sb_stemmer_delete(*p);
    *p = NULL;
    return 0;
}

static struct sb_stemmer *cached_stemmer(lua_State *L, const char *lang) {
    lua_getfield(L, LUA_REGISTRYINDEX, STEMMERS_KEY);
    lua_getfield(L, -1, lang);
    struct sb_stemmer **p = lua_touserdata(L, -1);
    if (p && *p) { lua_pop(L, 2); return *p; }
    lua_pop(L, 1);
    p = lua_newuserdatauv(L, sizeof *p, 0);
    *p = NULL;
    luaL_setmetatable(L, STEMMER_MT);
    *p = new_stemmer(L, lang, NULL);
    lua_setfield(L, -2, lang);
    lua_pop(L, 1);
    return *p;
}

static int l_stem(lua_State *L) {
    size_t len;
    const char *w = luaL_checklstring(L, 1, &len);
    const char *lang = luaL_optstring(L, 2, "en");
    struct sb_stemmer *s = cached_stemmer(L, lang);
    cr_buf b = { 0 };
    if (cr_normalize(&b, w, len, CR_NORM_RAW) < 0) { cr_buf_free(&b); return luaL_error(L, "out of memory"); }
    const sb_symbol *r = sb_stemmer_stem(s, (const sb_symbol *)b.data, (int)b.len);
    cr_buf_free(&b);
    if (!r) return luaL_error(L, "out of memory");
    lua_pushlstring(L, (const char *)r, (size_t)sb_stemmer_length(s));
    return 1;
}

static int l_stemmers(lua_State *L) {
    const char **list = sb_stemmer_list();
    lua_newtable(L);
    for (int i = 0; list[i]; i++) {
        lua_pushstring(L, list[i]);
        lua_rawseti(L, -2, i + 1);
    }
    return 1;
}

static int l_abbreviations(lua_State *L) {
    const char *lang = luaL_checkstring(L, 1);
    unsigned bit = cr_abbrevs_lang(lang);
    if (!bit) return luaL_argerror(L, 1, lua_pushfstring(L, "no abbreviation list for '%s' (en, fr, nl)", lang));
    lua_newtable(L);
    int i = 0;
    for (const char *const *w = cr_abbrevs_builtin_list(bit); *w; w++) {
        lua_pushstring(L, *w);
        lua_rawseti(L, -2, ++i);
    }
    return 1;
}

/* ---- n-grams ----------------------------------------------------------------------- */

#define MAX_N 64
#define MAX_SKIP 64

typedef struct {
    lua_State *L;
    int items;          /* array of strings */
    lua_Integer count;
    int n;
    int gaps[MAX_SKIP + 1];
    int ngaps;
    const char *join;
    size_t join_len;
    int out;
    lua_Integer nout;
    lua_Integer idx[MAX_N];
} ngram_ctx;

static void emit_gram(ngram_ctx *c) {
    lua_State *L = c->L;
    luaL_Buffer b;
    luaL_buffinit(L, &b);
    for (int k = 0; k < c->n; k++) {
        if (k) luaL_addlstring(&b, c->join, c->join_len);
        lua_rawgeti(L, c->items, c->idx[k]);
        luaL_addvalue(&b);
    }
    luaL_pushresult(&b);
    lua_rawseti(L, c->out, ++c->nout);
}

static void grams_from(ngram_ctx *c, int k) {
    if (k == c->n) { emit_gram(c); return; }
    for (int g = 0; g < c->ngaps; g++) {
        lua_Integer next = c->idx[k - 1] + 1 + c->gaps[g];
        if (next > c->count) break;
        c->idx[k] = next;
        grams_from(c, k + 1);
    }
}

static int cmp_int(const void *a, const void *b) { return *(const int *)a - *(const int *)b; }

static int l_ngrams(lua_State *L) {
    ngram_ctx c;
    memset(&c, 0, sizeof c);
    c.L = L;
    lua_Integer n = luaL_checkinteger(L, 2);
    luaL_argcheck(L, n >= 1 && n <= MAX_N, 2, "n must be between 1 and 64");
    c.n = (int)n;
    c.join = " ";
    c.join_len = 1;
    c.gaps[0] = 0;
    c.ngaps = 1;
    if (!lua_isnoneornil(L, 3)) {
        luaL_checktype(L, 3, LUA_TTABLE);
        lua_pushnil(L);
        while (lua_next(L, 3)) {
            const char *key = lua_type(L, -2) == LUA_TSTRING ? lua_tostring(L, -2) : NULL;
            if (key && !strcmp(key, "join")) {
                if (lua_type(L, -1) != LUA_TSTRING) luaL_argerror(L, 3, "option 'join' must be a string");
                c.join = lua_tolstring(L, -1, &c.join_len);
            } else if (key && !strcmp(key, "skip")) {
                c.ngaps = 0;
                if (lua_isinteger(L, -1)) {
                    lua_Integer g = lua_tointeger(L, -1);
                    if (g < 0 || g > MAX_SKIP) luaL_argerror(L, 3, "option 'skip' must be between 0 and 64");
                    c.gaps[c.ngaps++] = (int)g;
                } else if (lua_istable(L, -1)) {
                    lua_Integer m = luaL_len(L, -1);
                    if (m < 1 || m > MAX_SKIP + 1) luaL_argerror(L, 3, "option 'skip' needs 1 to 65 gap sizes");
                    for (lua_Integer i = 1; i <= m; i++) {
                        lua_rawgeti(L, -1, i);
                        int isint;
                        lua_Integer g = lua_tointegerx(L, -1, &isint);
                        if (!isint || g < 0 || g > MAX_SKIP) luaL_argerror(L, 3, "option 'skip' must hold integers between 0 and 64");
                        lua_pop(L, 1);
                        int dup = 0;
                        for (int j = 0; j < c.ngaps; j++) dup |= c.gaps[j] == (int)g;
                        if (!dup) c.gaps[c.ngaps++] = (int)g;
                    }
                    if (c.ngaps > 1) qsort(c.gaps, (size_t)c.ngaps, sizeof c.gaps[0], cmp_int);
                } else {
                    luaL_argerror(L, 3, "option 'skip' must be an integer or an array of integers");
                }
            } else {
                luaL_argerror(L, 3, lua_pushfstring(L, "unknown option '%s'", key ? key : luaL_typename(L, -2)));
            }
            lua_pop(L, 1);
        }
    }
    /* The items: an array, or every first value of an iterator. */
    lua_settop(L, 3);
    if (lua_type(L, 1) == LUA_TTABLE) {
        lua_pushvalue(L, 1);
        c.count = luaL_len(L, 1);
    } else if (lua_type(L, 1) == LUA_TFUNCTION) {
        lua_newtable(L);
        for (;;) {
            lua_pushvalue(L, 1);
            lua_call(L, 0, 1);
            if (lua_isnil(L, -1)) { lua_pop(L, 1); break; }
            lua_rawseti(L, 4, ++c.count);
        }
    } else {
        return luaL_typeerror(L, 1, "array or iterator");
    }
    c.items = 4;
    for (lua_Integer i = 1; i <= c.count; i++) {
        int t = lua_rawgeti(L, 4, i);
        if (t != LUA_TSTRING && t != LUA_TNUMBER)
            return luaL_argerror(L, 1, lua_pushfstring(L, "item %I is a %s, not a string", i, luaL_typename(L, -1)));
        lua_pop(L, 1);
    }
    lua_newtable(L);
    c.out = lua_gettop(L);
    for (lua_Integer i = 1; i <= c.count; i++) {
        c.idx[0] = i;
        grams_from(&c, 1);
    }
    return 1;
}

/* ---- module ------------------------------------------------------------------------- */

/* tokenize.options(opts) -> the tokeniser options as the arguments of the
 * FTS5 tokenizer `corpusrun` take them ("level casefold kinds word,number"),
 * checked with the messages of every tokenising function.  opts is a table
 * of options (written in the order of cr_textopts_keys) or such a string
 * (returned as it is). */
static int l_options(lua_State *L) {
    char err[256];
    cr_textopts o;
    cr_textopts_default(&o);
    if (lua_type(L, 1) == LUA_TSTRING) {
        const char *p = lua_tostring(L, 1), *key = NULL;
        size_t keylen = 0;
        for (;;) {
            while (*p == ' ' || *p == '\t' || *p == '\n') p++;
            if (!*p) break;
            size_t n = strcspn(p, " \t\n");
            if (!key) {
                key = p;
                keylen = n;
            } else {
                lua_pushlstring(L, key, keylen);
                lua_pushlstring(L, p, n);
                if (cr_textopts_set(&o, lua_tostring(L, -2), lua_tostring(L, -1), err, sizeof err) != 0)
                    return luaL_argerror(L, 1, err);
                lua_pop(L, 2);
                key = NULL;
            }
            p += n;
        }
        if (key) return luaL_argerror(L, 1, lua_pushfstring(L, "option '%s' has no value", lua_pushlstring(L, key, keylen)));
        lua_settop(L, 1);
        return 1;
    }
    luaL_checktype(L, 1, LUA_TTABLE);
    crl_check_keys(L, 1, NULL);
    lua_settop(L, 1);
    int parts = 0;
    for (const char *const *k = cr_textopts_keys; *k; k++) {
        if (lua_getfield(L, 1, *k) == LUA_TNIL) {
            lua_pop(L, 1);
            continue;
        }
        const char *v = crl_textopt_text(L, 1, *k, -1);
        if (cr_textopts_set(&o, *k, v, err, sizeof err) != 0) crl_textopt_error(L, 1, err, v ? 0 : -2);
        lua_remove(L, -2);   /* the value; its text stays */
        luaL_checkstack(L, 3, NULL);
        lua_pushstring(L, parts ? " " : "");
        lua_pushstring(L, *k);
        lua_pushliteral(L, " ");
        lua_rotate(L, -4, -1);   /* text after "key " */
        parts += 4;
    }
    lua_concat(L, parts);
    return 1;
}

/* tokenize.tag(text [, opts]): the tokens (spaces left out) with their
 * part-of-speech tags and lemmas, sentence by sentence. */
/* The state's scratch for tagging, kept between calls in the registry
 * (freed with the state): what its tagger learnt of the words and its
 * lemma cache (1 MB) serve every call, not one document each; its tagger
 * is made anew when a call brings another model.  While a call reads its
 * tokens out into Lua tables it is busy: a call made meanwhile (from a
 * finalizer the garbage collector runs) gets a scratch of its own, as does
 * every call after one that raised there. */
#define TAG_SCRATCH "corpusrun.tagscratch"
typedef struct tag_slot {
    cr_tagscratch s;
    int busy;
} tag_slot;

static int tag_slot_gc(lua_State *L) {
    cr_tagscratch_free(&((tag_slot *)lua_touserdata(L, 1))->s);
    return 0;
}

/* A new slot, on the stack, freed by Lua even when an error unwinds. */
static tag_slot *new_tag_slot(lua_State *L) {
    tag_slot *t = lua_newuserdatauv(L, sizeof *t, 0);
    memset(t, 0, sizeof *t);
    lua_createtable(L, 0, 1);
    lua_pushcfunction(L, tag_slot_gc);
    lua_setfield(L, -2, "__gc");
    lua_setmetatable(L, -2);
    return t;
}

/* The state's slot if it is free, else a new one; on the stack. */
static tag_slot *tag_scratch(lua_State *L) {
    if (lua_getfield(L, LUA_REGISTRYINDEX, TAG_SCRATCH) == LUA_TUSERDATA) {
        tag_slot *t = lua_touserdata(L, -1);
        if (!t->busy) return t;
        lua_pop(L, 1);
        return new_tag_slot(L);
    }
    lua_pop(L, 1);
    tag_slot *t = new_tag_slot(L);
    lua_pushvalue(L, -1);
    lua_setfield(L, LUA_REGISTRYINDEX, TAG_SCRATCH);
    return t;
}

static void set_str(lua_State *L, const char *k, const char *v, size_t len) {
    lua_pushlstring(L, v, len);
    lua_setfield(L, -2, k);
}

static int l_tag(lua_State *L) {
    size_t len;
    const char *text = luaL_checklstring(L, 1, &len);
    lua_settop(L, 2);
    cr_textopts o;
    cr_textopts_default(&o);
    const char *path = NULL;
    if (!lua_isnil(L, 2)) {
        luaL_checktype(L, 2, LUA_TTABLE);
        crl_check_keys(L, 2, "model");
        crl_read_textopts(L, 2, &o);
        int t = lua_getfield(L, 2, "model");
        if (t != LUA_TNIL && t != LUA_TSTRING) luaL_argerror(L, 2, "option 'model' must be a file name");
        path = lua_tostring(L, -1);
        lua_pop(L, 1);
    }
    const postag_model *m = crl_postag_model(L, path);
    if (!m) return 2;
    tag_slot *slot = tag_scratch(L);
    cr_tagscratch *s = &slot->s;
    cr_tokenizer_opts topts = o.tok;
    topts.kinds = ((1u << CR_TOK__COUNT) - 1u) & ~CR_KIND_BIT(CR_TOK_SPACE);
    if (cr_tag_text(m, text, len, &topts, s) != 0) oom(L);
    slot->busy = 1;
    const ld_tokens *t = &s->t;
    lua_createtable(L, (int)(t->n < INT_MAX ? t->n : INT_MAX), 0);
    size_t sent = 0;
    for (size_t i = 0; i < t->n; i++) {
        while (sent + 1 < t->nsent && t->sent[3 * (sent + 1)] <= i) sent++;
        lua_createtable(L, 0, 7);
        size_t vl;
        const char *v = ld_tokens_val(t, i, CR_TAG_FORM, &vl);
        set_str(L, "text", v, vl);
        lua_pushinteger(L, (lua_Integer)t->span[2 * i] + 1);
        lua_setfield(L, -2, "start");
        lua_pushinteger(L, (lua_Integer)t->span[2 * i + 1]);
        lua_setfield(L, -2, "stop");
        lua_pushinteger(L, (lua_Integer)sent + 1);
        lua_setfield(L, -2, "sentence");
        v = ld_tokens_val(t, i, CR_TAG_UPOS, &vl);
        set_str(L, "upos", v, vl);
        v = ld_tokens_val(t, i, CR_TAG_XPOS, &vl);
        set_str(L, "tag", v, vl);
        v = ld_tokens_val(t, i, CR_TAG_LEMMA, &vl);
        set_str(L, "lemma", v, vl);
        lua_rawseti(L, -2, (lua_Integer)i + 1);
    }
    slot->busy = 0;
    return 1;
}

/* tokenize.tagger([path]): the model's file name and SHA-256, or nil and a message. */
static int l_tagger(lua_State *L) {
    const char *path = luaL_optstring(L, 1, NULL);
    postag_model *m = crl_postag_model(L, path);
    if (!m) return 2;
    lua_createtable(L, 0, 3);
    if (path) lua_pushstring(L, path);
    else crl_postag_default(L);
    lua_setfield(L, -2, "path");
    lua_pushstring(L, postag_model_checksum(m));
    lua_setfield(L, -2, "sha256");
    lua_pushinteger(L, postag_model_ntags(m));
    lua_setfield(L, -2, "tags");
    return 1;
}

static const luaL_Reg funcs[] = {
    { "tag", l_tag },
    { "tagger", l_tagger },
    { "words", l_words },
    { "tokens", l_tokens },
    { "sentences", l_sentences },
    { "options", l_options },
    { "normalize", l_normalize },
    { "ngrams", l_ngrams },
    { "stopwords", l_stopwords },
    { "stem", l_stem },
    { "stemmers", l_stemmers },
    { "abbreviations", l_abbreviations },
    { "width", l_width },
    { NULL, NULL }
};

int luaopen_tokenize_core(lua_State *L) {
    luaL_newmetatable(L, ITER_MT);
    lua_pushcfunction(L, iter_gc);
    lua_setfield(L, -2, "__gc");
    lua_pushcfunction(L, iter_gc);
    lua_setfield(L, -2, "__close");
    lua_pushcfunction(L, iter_tostring);
    lua_setfield(L, -2, "__tostring");
    lua_pushliteral(L, ITER_MT);
    lua_setfield(L, -2, "__name");
    lua_pop(L, 1);
    luaL_newmetatable(L, STEMMER_MT);
    lua_pushcfunction(L, stemmer_gc);
    lua_setfield(L, -2, "__gc");
    lua_pop(L, 1);
    lua_newtable(L);
    lua_setfield(L, LUA_REGISTRYINDEX, STEMMERS_KEY);

    luaL_newlib(L, funcs);
    lua_pushliteral(L, CR_UCD_VERSION);
    lua_setfield(L, -2, "unicode_version");
    lua_createtable(L, CR_TOK__COUNT, 0);
    for (int k = 0; k < CR_TOK__COUNT; k++) {
        lua_pushstring(L, cr_token_kind_name((cr_token_kind)k));
        lua_rawseti(L, -2, k + 1);
    }
    lua_setfield(L, -2, "kinds");
    lua_pushstring(L, cr_stopwords_source);
    lua_setfield(L, -2, "stopwords_source");
    return 1;
}
