/* lcorpus.c — `corpus.core`, the private core of the `corpus` module
 * (lib/lua/corpus.lua): corpus.open and the corpusrun.Corpus type over the
 * loaders of host/text/load.h.  It requires nothing: what lives in Lua (the
 * corpus databases of lib/lua/corpusdb.lua, c:fold) is handed to it.
 *
 *   local c = corpus.open("news", {include = {"*.txt"}})
 *   for doc in c:docs() do print(doc.id, #doc.text) end
 *
 * A Corpus userdata keeps, as user values, the shared core (a
 * corpusrun.CorpusCore userdata owning the ld_corpus: entries, options,
 * problems) and its list of filters; sub-corpora from filter/sample share the
 * core.  Documents are tables with the metatable corpusrun.Document.
 */
#include <errno.h>
#include <limits.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>

#include "lauxlib.h"
#include "lua.h"
#include "lualib.h"

#include "buf_lua.h"
#include "cindex.h"
#include "corpusplan.h"
#include "interrupt.h"
#include "load.h"
#include "pathpolicy.h"
#include "tokens_lua.h"

#define CORE_MT "corpusrun.CorpusCore"
#define CORPUS_MT "corpusrun.Corpus"
#define ITER_MT "corpusrun.DocIter"
#define DOC_MT "corpusrun.Document"
#define DEFAULT_KEY "corpusrun.default_corpus"
#define DATABASE_KEY "corpusrun.corpus.database_open"
#define INDEX_KEY "corpusrun.corpus.index_open"

enum { ON_WARN, ON_ERROR, ON_SKIP };

typedef struct Core {
    ld_corpus *c;
    size_t told;          /* problems already announced */
    size_t summed;        /* problems already counted in a summary line */
    int on_error;
    char *name;           /* the source, for __tostring */
} Core;

typedef struct Corpus {
    Core *core;           /* NULL once closed; kept alive by user value 1 */
    lua_Integer count;    /* cached #c, -1 unknown */
    uint64_t lo, hi;      /* the slots of this corpus (c:shard), [lo, hi) */
} Corpus;

typedef struct Iter {
    ld_iter *it;
    Core *core;
    lua_State *L;   /* while a step runs: the state and the corpus's index, */
    int ci;         /* for ids_accept */
} Iter;

/* ---- core --------------------------------------------------------------- */
static int core_gc(lua_State *L) {
    Core *k = luaL_checkudata(L, 1, CORE_MT);
    ld_corpus_free(k->c);
    k->c = NULL;
    free(k->name);
    k->name = NULL;
    return 0;
}

static void problem_message(luaL_Buffer *b, const ld_problem *p) {
    luaL_addstring(b, p->path);
    if (p->line > 0) {
        char num[32];
        snprintf(num, sizeof num, ":%ld", p->line);
        luaL_addstring(b, num);
    }
    luaL_addstring(b, ": ");
    luaL_addstring(b, p->reason);
}

static void push_problem_message(lua_State *L, const ld_problem *p) {
    luaL_Buffer b;
    luaL_buffinit(L, &b);
    problem_message(&b, p);
    luaL_pushresult(&b);
}

/* Announces problems recorded since the last call, per on_error. */
static void tell_problems(lua_State *L, Core *k) {
    size_t n = ld_corpus_nproblems(k->c);
    while (k->told < n) {
        const ld_problem *p = ld_corpus_problem(k->c, k->told++);
        if (k->on_error == ON_SKIP || p->kind == LD_IGNORED) continue;
        push_problem_message(L, p);
        if (k->on_error == ON_ERROR && p->kind == LD_SKIPPED) {
            lua_pushstring(L, "corpus: ");
            lua_insert(L, -2);
            lua_concat(L, 2);
            lua_error(L);
        }
        fprintf(stderr, "corpusrun: corpus: %s\n", lua_tostring(L, -1));
        fflush(stderr);
        lua_pop(L, 1);
    }
}

/* ---- options ------------------------------------------------------------ */
/* Every misuse of an option raises "bad argument #2 to 'open' (option 'key'
 * must be ..., not ...)": the options table is open's second argument. */
static int opt_error(lua_State *L, const char *key, const char *want, int idx) {
    int ty = lua_type(L, idx);
    const char *got = ty == LUA_TSTRING   ? lua_pushfstring(L, "'%s'", lua_tostring(L, idx))
                      : ty == LUA_TNUMBER ? luaL_tolstring(L, idx, NULL)
                                          : lua_pushfstring(L, "a %s", luaL_typename(L, idx));
    return luaL_argerror(L, 2, lua_pushfstring(L, "option '%s' must be %s, not %s", key, want, got));
}

static void opt_list(lua_State *L, int t, const char *key, char ***list, size_t *n) {
    static const char want[] = "a string or a list of strings";
    lua_getfield(L, t, key);
    if (lua_type(L, -1) == LUA_TSTRING) {
        if (ld_opts_push(list, n, lua_tostring(L, -1))) luaL_error(L, "out of memory");
    } else if (lua_istable(L, -1)) {
        lua_Integer len = luaL_len(L, -1);
        for (lua_Integer i = 1; i <= len; i++) {
            lua_geti(L, -1, i);
            if (lua_type(L, -1) != LUA_TSTRING)
                luaL_argerror(L, 2, lua_pushfstring(L, "option '%s' must be %s, not a list holding a %s at %I",
                                                    key, want, luaL_typename(L, -1), i));
            if (ld_opts_push(list, n, lua_tostring(L, -1))) luaL_error(L, "out of memory");
            lua_pop(L, 1);
        }
    } else if (!lua_isnil(L, -1))
        opt_error(L, key, want, lua_gettop(L));
    lua_pop(L, 1);
}

static void opt_str(lua_State *L, int t, const char *key, char **slot) {
    lua_getfield(L, t, key);
    if (!lua_isnil(L, -1)) {
        if (lua_type(L, -1) != LUA_TSTRING) opt_error(L, key, "a string", lua_gettop(L));
        if (ld_opts_set(slot, lua_tostring(L, -1))) luaL_error(L, "out of memory");
    }
    lua_pop(L, 1);
}

/* A boolean option: *slot unchanged when absent. */
static void opt_bool(lua_State *L, int t, const char *key, int *slot) {
    lua_getfield(L, t, key);
    if (!lua_isnil(L, -1)) {
        if (!lua_isboolean(L, -1)) opt_error(L, key, "true or false", lua_gettop(L));
        *slot = lua_toboolean(L, -1);
    }
    lua_pop(L, 1);
}

/* One of a list of names: returns its index, or dflt when absent.  want
 * is the list as the message shows it. */
static int opt_choice(lua_State *L, int t, const char *key, const char *const names[], const char *want,
                      int dflt) {
    int r = dflt;
    lua_getfield(L, t, key);
    if (!lua_isnil(L, -1)) {
        const char *v = lua_type(L, -1) == LUA_TSTRING ? lua_tostring(L, -1) : NULL;
        int i = 0;
        while (v && names[i] && strcmp(v, names[i]) != 0) i++;
        if (!v || !names[i]) opt_error(L, key, want, lua_gettop(L));
        r = i;
    }
    lua_pop(L, 1);
    return r;
}

/* An encoding option naming an iconv encoding (checked here so a typo is
 * misuse, not a problem per file). */
static void opt_encoding(lua_State *L, const char *key, const char *name) {
    cr_buf out = {0};
    ld_decoded info;
    int bad = ld_decode("", 0, name, NULL, NULL, &out, &info);
    cr_buf_free(&out);
    if (bad)
        luaL_argerror(L, 2, lua_pushfstring(L, "option '%s' must be %san encoding iconv knows (iconv -l), not '%s'",
                                            key, strcmp(key, "encoding") == 0 ? "\"auto\" or " : "", name));
}

static const char *const known_opts[] = {
    "format", "text", "id", "title", "encoding", "fallback", "element", "include", "exclude",
    "name_fields", "hidden", "control", "sidecar", "max_bytes", "on_error", "attributes", "separator", NULL};

/* Parses the options table at index t into o (already initialised) and
 * *on_error.  Raises on misuse; o's strings are freed by the caller's
 * cleanup (the options live in a userdata with a __gc, see open). */
static void read_opts(lua_State *L, int t, ld_opts *o, int *on_error) {
    lua_pushnil(L);
    while (lua_next(L, t)) {
        lua_pop(L, 1);
        const char *k = lua_type(L, -1) == LUA_TSTRING ? lua_tostring(L, -1) : NULL;
        int ok = 0;
        for (int i = 0; k && known_opts[i]; i++) ok |= strcmp(k, known_opts[i]) == 0;
        if (!ok) {
            lua_pushfstring(L, "unknown option '%s'", k ? k : luaL_typename(L, -1));
            luaL_argerror(L, 2, lua_tostring(L, -1));
        }
    }
    lua_getfield(L, t, "format");
    if (!lua_isnil(L, -1)) {
        const char *f = lua_type(L, -1) == LUA_TSTRING ? lua_tostring(L, -1) : NULL;
        o->format = f ? ld_format_from_name(f) : LD_FMT_NONE;
        if (o->format == LD_FMT_NONE || o->format == LD_FMT_ARCHIVE)
            opt_error(L, "format", "\"text\", \"jsonl\", \"csv\", \"tsv\", \"html\", \"xml\", \"conllu\", "
                      "\"vrt\" or \"tagged\"", lua_gettop(L));
    }
    lua_pop(L, 1);
    opt_str(L, t, "text", &o->text_field);
    opt_str(L, t, "id", &o->id_field);
    opt_str(L, t, "title", &o->title_field);
    opt_str(L, t, "encoding", &o->encoding);
    opt_str(L, t, "fallback", &o->fallback);
    opt_str(L, t, "element", &o->element);
    opt_list(L, t, "include", &o->include, &o->n_include);
    opt_list(L, t, "exclude", &o->exclude, &o->n_exclude);
    opt_list(L, t, "name_fields", &o->name_fields, &o->n_name_fields);
    opt_list(L, t, "attributes", &o->attributes, &o->n_attributes);
    for (size_t i = 0; i < o->n_attributes; i++)
        if (!o->attributes[i][0] || strpbrk(o->attributes[i], " \t\n")) {
            lua_getfield(L, t, "attributes");
            opt_error(L, "attributes", "a list of names (not empty, without spaces)", lua_gettop(L));
        }
    opt_str(L, t, "separator", &o->separator);
    if (o->separator && (!o->separator[0] || strpbrk(o->separator, " \t\n\r\f\v"))) {
        lua_getfield(L, t, "separator");
        opt_error(L, "separator", "a string without spaces (such as \"/\" or \"_\")", lua_gettop(L));
    }
    opt_bool(L, t, "hidden", &o->hidden);
    opt_bool(L, t, "sidecar", &o->sidecar);
    static const char *const ctl[] = {"keep", "strip", NULL};
    o->strip_control = opt_choice(L, t, "control", ctl, "\"keep\" or \"strip\"", o->strip_control);
    lua_getfield(L, t, "max_bytes");
    if (!lua_isnil(L, -1)) {
        if (!lua_isinteger(L, -1) || lua_tointeger(L, -1) < 0)
            opt_error(L, "max_bytes", "an integer >= 0 (bytes)", lua_gettop(L));
        o->max_bytes = (uint64_t)lua_tointeger(L, -1);
    }
    lua_pop(L, 1);
    static const char *const modes[] = {"warn", "error", "skip", NULL};
    *on_error = opt_choice(L, t, "on_error", modes, "\"warn\", \"error\" or \"skip\"", *on_error);
    if (o->encoding && strcasecmp(o->encoding, "auto") != 0) opt_encoding(L, "encoding", o->encoding);
    if (o->fallback) opt_encoding(L, "fallback", o->fallback);
}

/* Holds an ld_opts during open so a raised error cannot leak it. */
static int opts_gc(lua_State *L) {
    ld_opts *o = lua_touserdata(L, 1);
    ld_opts_free(o);
    return 0;
}

/* ---- documents ---------------------------------------------------------- */
static int doc_tostring(lua_State *L) {
    luaL_checktype(L, 1, LUA_TTABLE);
    lua_getfield(L, 1, "id");
    lua_getfield(L, 1, "title");
    lua_getfield(L, 1, "bytes");
    const char *id = lua_tostring(L, -3);
    size_t tl = 0;
    const char *title = lua_tolstring(L, -2, &tl);
    long long bytes = (long long)lua_tointeger(L, -1);
    luaL_Buffer b;
    luaL_buffinit(L, &b);
    luaL_addstring(&b, "Document ");
    luaL_addstring(&b, id ? id : "?");
    if (title && tl) {
        luaL_addstring(&b, " \"");
        size_t cut = tl > 60 ? 60 : tl;
        while (cut < tl && cut > 0 && ((unsigned char)title[cut] & 0xC0) == 0x80) cut--;
        luaL_addlstring(&b, title, cut);
        if (cut < tl) luaL_addstring(&b, "...");
        luaL_addstring(&b, "\"");
    }
    char num[48];
    snprintf(num, sizeof num, " (%lld bytes)", bytes);
    luaL_addstring(&b, num);
    luaL_pushresult(&b);
    return 1;
}

static void push_meta_value(lua_State *L, const ld_meta *m) {
    switch (m->type) {
    case LD_NUM:
        if (lua_stringtonumber(L, m->val) == 0) lua_pushlstring(L, m->val, m->vlen);
        break;
    case LD_BOOL: lua_pushboolean(L, m->val[0] == 't'); break;
    case LD_NULL: lua_pushnil(L); break;
    default: lua_pushlstring(L, m->val, m->vlen);
    }
}

/* ---- tokens of annotated documents ---------------------------------------- */
static const ld_tokens *check_tokens(lua_State *L, int i) {
    crl_tokens *u = luaL_checkudata(L, i, TOKENS_MT);
    if (!u->t) luaL_error(L, "attempt to use released tokens");
    return u->t;
}

static int tokens_gc(lua_State *L) {
    crl_tokens *u = luaL_checkudata(L, 1, TOKENS_MT);
    ld_tokens_free(u->t);
    free(u->t);
    u->t = NULL;
    return 0;
}

/* Pushes a Tokens owning a copy of t (the reader's store is reused for the
 * next document). */
static void push_tokens(lua_State *L, const ld_tokens *t) {
    crl_tokens *u = lua_newuserdatauv(L, sizeof *u, 0);
    u->t = NULL;
    luaL_setmetatable(L, TOKENS_MT);
    if (!(u->t = ld_tokens_dup(t))) luaL_error(L, "out of memory");
}

static int tokens_len(lua_State *L) {
    lua_pushinteger(L, (lua_Integer)check_tokens(L, 1)->n);
    return 1;
}

/* t[i]: a table of token i's attributes, its start and stop in doc.text
 * (text:sub(start, stop)) and its sentence number; nil out of range.
 * t.name: a method. */
static int tokens_index(lua_State *L) {
    const ld_tokens *t = check_tokens(L, 1);
    if (lua_type(L, 2) == LUA_TSTRING) {
        lua_getmetatable(L, 1);
        lua_getfield(L, -1, "__methods");
        lua_getfield(L, -1, lua_tostring(L, 2));
        return 1;
    }
    lua_Integer i = lua_tointeger(L, 2);
    if (!lua_isinteger(L, 2) || i < 1 || (lua_Unsigned)i > t->n) return 0;
    size_t k = (size_t)i - 1;
    lua_createtable(L, 0, (int)t->nattr + 3);
    for (size_t a = 0; a < t->nattr; a++) {
        size_t len;
        const char *v = ld_tokens_val(t, k, a, &len);
        lua_pushlstring(L, v, len);
        lua_setfield(L, -2, ld_tokens_name(t, a));
    }
    lua_pushinteger(L, (lua_Integer)t->span[2 * k] + 1);
    lua_setfield(L, -2, "start");
    lua_pushinteger(L, (lua_Integer)t->span[2 * k + 1]);
    lua_setfield(L, -2, "stop");
    size_t s = ld_tokens_sentence_of(t, k);
    if (s < t->nsent) {
        lua_pushinteger(L, (lua_Integer)s + 1);
        lua_setfield(L, -2, "sentence");
    }
    return 1;
}

/* t:column(name) -> the values of one attribute, token by token. */
static int tokens_column(lua_State *L) {
    const ld_tokens *t = check_tokens(L, 1);
    size_t nl;
    const char *name = luaL_checklstring(L, 2, &nl);
    size_t a = crl_tokens_attr(L, t, name, nl, 2);
    lua_createtable(L, t->n > INT_MAX ? INT_MAX : (int)t->n, 0);
    for (size_t k = 0; k < t->n; k++) {
        size_t len;
        const char *v = ld_tokens_val(t, k, a, &len);
        lua_pushlstring(L, v, len);
        lua_rawseti(L, -2, (lua_Integer)k + 1);
    }
    return 1;
}

/* t:attributes() -> the attribute names, in the input's order. */
static int tokens_attributes(lua_State *L) {
    const ld_tokens *t = check_tokens(L, 1);
    lua_createtable(L, (int)t->nattr, 0);
    for (size_t a = 0; a < t->nattr; a++) {
        lua_pushstring(L, ld_tokens_name(t, a));
        lua_rawseti(L, -2, (lua_Integer)a + 1);
    }
    return 1;
}

/* t:sentences() -> {first =, last =, id =, text =} for every sentence. */
static int tokens_sentences(lua_State *L) {
    const ld_tokens *t = check_tokens(L, 1);
    lua_createtable(L, t->nsent > INT_MAX ? INT_MAX : (int)t->nsent, 0);
    for (size_t k = 0; k < t->nsent; k++) {
        size_t first, end;
        const char *id, *text;
        ld_tokens_sentence(t, k, &first, &end, &id, &text);
        lua_createtable(L, 0, 4);
        lua_pushinteger(L, (lua_Integer)first + 1);
        lua_setfield(L, -2, "first");
        lua_pushinteger(L, (lua_Integer)end);
        lua_setfield(L, -2, "last");
        if (*id) {
            lua_pushstring(L, id);
            lua_setfield(L, -2, "id");
        }
        if (*text) {
            lua_pushstring(L, text);
            lua_setfield(L, -2, "text");
        }
        lua_rawseti(L, -2, (lua_Integer)k + 1);
    }
    return 1;
}

static int tokens_tostring(lua_State *L) {
    const ld_tokens *t = check_tokens(L, 1);
    luaL_Buffer b;
    luaL_buffinit(L, &b);
    char num[96];
    snprintf(num, sizeof num, "Tokens (%zu token%s, %zu sentence%s: ", t->n, t->n == 1 ? "" : "s", t->nsent,
             t->nsent == 1 ? "" : "s");
    luaL_addstring(&b, num);
    for (size_t a = 0; a < t->nattr; a++) {
        if (a) luaL_addchar(&b, ' ');
        luaL_addstring(&b, ld_tokens_name(t, a));
    }
    luaL_addchar(&b, ')');
    luaL_pushresult(&b);
    return 1;
}

static void push_doc(lua_State *L, const ld_doc *d) {
    lua_createtable(L, 0, 6);
    lua_pushlstring(L, d->id, d->id_len);
    lua_setfield(L, -2, "id");
    lua_pushstring(L, d->path);
    lua_setfield(L, -2, "path");
    if (d->title) {
        lua_pushlstring(L, d->title, d->title_len);
        lua_setfield(L, -2, "title");
    }
    if (d->text) {
        lua_pushlstring(L, d->text, d->text_len);
        lua_setfield(L, -2, "text");
    }
    lua_pushinteger(L, (lua_Integer)d->bytes);
    lua_setfield(L, -2, "bytes");
    lua_createtable(L, 0, (int)d->n_meta);
    for (size_t i = 0; i < d->n_meta; i++) {
        lua_pushlstring(L, d->meta[i].key, d->meta[i].klen);
        push_meta_value(L, &d->meta[i]);
        lua_rawset(L, -3);
    }
    lua_setfield(L, -2, "meta");
    if (d->tokens) {
        push_tokens(L, d->tokens);
        lua_setfield(L, -2, "tokens");
    }
    luaL_setmetatable(L, DOC_MT);
}

/* ---- corpus userdata ---------------------------------------------------- */
static Corpus *check_corpus(lua_State *L, int i) {
    Corpus *c = luaL_checkudata(L, i, CORPUS_MT);
    if (!c->core) luaL_error(L, "attempt to use a closed corpus");
    return c;
}

/* Pushes a new Corpus sharing the core at index core_ix, with filters from
 * the table at filters_ix (0: none). */
static Corpus *new_corpus(lua_State *L, int core_ix, int filters_ix) {
    core_ix = lua_absindex(L, core_ix);
    if (filters_ix) filters_ix = lua_absindex(L, filters_ix);
    Corpus *c = lua_newuserdatauv(L, sizeof *c, 2);
    c->core = NULL;
    c->count = -1;
    c->lo = 0;
    c->hi = UINT64_MAX;
    luaL_setmetatable(L, CORPUS_MT);
    lua_pushvalue(L, core_ix);
    lua_setiuservalue(L, -2, 1);
    if (filters_ix) lua_pushvalue(L, filters_ix);
    else lua_newtable(L);
    lua_setiuservalue(L, -2, 2);
    c->core = lua_touserdata(L, core_ix);
    return c;
}

static int corpus_close(lua_State *L) {
    Corpus *c = luaL_checkudata(L, 1, CORPUS_MT);
    if (c->core) {
        c->core = NULL;
        lua_pushnil(L);
        lua_setiuservalue(L, 1, 1);
    }
    return 0;
}

static int corpus_len(lua_State *L);

/* "Corpus NAME (N documents)": N is #c (counted once, as __len counts it). */
static int corpus_tostring(lua_State *L) {
    Corpus *c = luaL_checkudata(L, 1, CORPUS_MT);
    if (!c->core) {
        lua_pushstring(L, "Corpus (closed)");
        return 1;
    }
    const char *name = c->core->name ? c->core->name : "?";
    lua_pushcfunction(L, corpus_len);
    lua_pushvalue(L, 1);
    if (lua_pcall(L, 1, 1, 0) != LUA_OK || !lua_isinteger(L, -1)) {
        lua_pushfstring(L, "Corpus %s (documents not counted: %s)", name, luaL_tolstring(L, -1, NULL));
        return 1;
    }
    lua_Integer n = lua_tointeger(L, -1);
    lua_pushfstring(L, "Corpus %s (%I %s)", name, (LUAI_UACINT)n, n == 1 ? "document" : "documents");
    return 1;
}

/* c:source() -> what corpus.open was given (for provenance receipts). */
static int corpus_source(lua_State *L) {
    Corpus *c = check_corpus(L, 1);
    if (c->core->name) lua_pushstring(L, c->core->name);
    else lua_pushnil(L);
    return 1;
}

static const char IDS_KEY = 'i';   /* marks a filter holding a set of ids */

static int scalar(lua_State *L, int i) {
    int t = lua_type(L, i);
    return t == LUA_TSTRING || t == LUA_TNUMBER;
}

/* Whether the document at index d matches the table of meta key = value at
 * index f ("2024" matches 2024). */
static int meta_match(lua_State *L, int d, int f) {
    lua_getfield(L, d, "meta");
    int mt = lua_gettop(L);
    int ok = 1;
    lua_pushnil(L);
    while (lua_next(L, f)) {                 /* key, want */
        lua_pushvalue(L, -2);
        if (lua_type(L, mt) == LUA_TTABLE) lua_rawget(L, mt);
        else { lua_pop(L, 1); lua_pushnil(L); }   /* key, want, got */
        int eq = lua_rawequal(L, -1, -2);
        if (!eq && scalar(L, -1) && scalar(L, -2)) {
            const char *a = luaL_tolstring(L, -1, NULL);
            const char *b = luaL_tolstring(L, -3, NULL);
            eq = strcmp(a, b) == 0;
            lua_pop(L, 2);
        }
        lua_pop(L, 2);
        if (!eq) { ok = 0; break; }
    }
    lua_settop(L, mt - 1);
    return ok;
}

/* Whether the document table on top passes every filter of the corpus at
 * index ci.  Leaves the stack as it was. */
static int passes(lua_State *L, int ci) {
    int d = lua_gettop(L);
    lua_getiuservalue(L, ci, 2);
    int ft = lua_gettop(L);
    lua_Integer n = luaL_len(L, ft);
    int ok = 1;
    for (lua_Integer i = 1; i <= n && ok; i++) {
        lua_geti(L, ft, i);
        if (lua_isfunction(L, -1)) {
            lua_pushvalue(L, d);
            lua_call(L, 1, 1);
            ok = lua_toboolean(L, -1);
        } else if (lua_rawgetp(L, -1, &IDS_KEY) == LUA_TTABLE) {
            lua_getfield(L, d, "id");
            lua_rawget(L, -2);
            ok = lua_toboolean(L, -1);
        } else {
            lua_pop(L, 1);
            ok = meta_match(L, d, lua_gettop(L));
        }
        lua_settop(L, ft);
    }
    lua_settop(L, d);
    return ok;
}

static int has_filters(lua_State *L, int ci) {
    lua_getiuservalue(L, ci, 2);
    int yes = luaL_len(L, -1) > 0;
    lua_pop(L, 1);
    return yes;
}

/* ---- iteration ---------------------------------------------------------- */
static int iter_gc(lua_State *L) {
    Iter *it = luaL_checkudata(L, 1, ITER_MT);
    ld_iter_free(it->it);
    it->it = NULL;
    return 0;
}

/* Whether the corpus at index ci has a filter that is a set of ids (a
 * sample). */
static int has_id_sets(lua_State *L, int ci) {
    lua_getiuservalue(L, ci, 2);
    int ft = lua_gettop(L);
    lua_Integer n = luaL_len(L, ft);
    int yes = 0;
    for (lua_Integer i = 1; i <= n && !yes; i++) {
        yes = lua_geti(L, ft, i) == LUA_TTABLE && lua_rawgetp(L, -1, &IDS_KEY) == LUA_TTABLE;
        lua_settop(L, ft);
    }
    lua_settop(L, ft - 1);
    return yes;
}

/* ld_iter_accept's test: the id is in every set of ids among the filters
 * of the corpus being stepped, so that a sample's other documents are not
 * read at all (passes() checks every filter of those that are). */
static int ids_accept(void *ud, const char *id, size_t len) {
    Iter *it = ud;
    lua_State *L = it->L;
    lua_getiuservalue(L, it->ci, 2);
    int ft = lua_gettop(L);
    lua_Integer n = luaL_len(L, ft);
    int ok = 1;
    for (lua_Integer i = 1; i <= n && ok; i++) {
        if (lua_geti(L, ft, i) == LUA_TTABLE && lua_rawgetp(L, -1, &IDS_KEY) == LUA_TTABLE) {
            lua_pushlstring(L, id, len);
            ok = lua_rawget(L, -2) != LUA_TNIL && lua_toboolean(L, -1);
        }
        lua_settop(L, ft);
    }
    lua_settop(L, ft - 1);
    return ok;
}

/* Pushes a new Iter over corpus ci (its user value 1 keeps the corpus alive). */
static Iter *new_iter(lua_State *L, int ci, int flags) {
    Corpus *c = check_corpus(L, ci);
    Iter *it = lua_newuserdatauv(L, sizeof *it, 1);
    it->it = NULL;
    it->core = c->core;
    luaL_setmetatable(L, ITER_MT);
    lua_pushvalue(L, ci);
    lua_setiuservalue(L, -2, 1);
    it->L = NULL;
    it->ci = 0;
    if (!(it->it = ld_iter_new(c->core->c, flags))) luaL_error(L, "out of memory");
    ld_iter_range(it->it, c->lo, c->hi);
    if (!(flags & LD_SLOTS_ONLY) && has_id_sets(L, ci)) ld_iter_accept(it->it, ids_accept, it);
    return it;
}

/* Next raw document, problems announced.  0 at the end. */
static int iter_step(lua_State *L, Iter *it, int ci, ld_doc *d) {
    it->L = L;
    it->ci = lua_absindex(L, ci);
    int r = ld_iter_next(it->it, d);
    tell_problems(L, it->core);
    return r;
}

/* Next document passing the filters of corpus ci, pushed; 0 at the end. */
static int iter_next_doc(lua_State *L, Iter *it, int ci) {
    ld_doc d;
    while (iter_step(L, it, ci, &d)) {
        push_doc(L, &d);
        if (passes(L, ci)) return 1;
        lua_pop(L, 1);
    }
    return 0;
}

/* At the end of a pass, in warn mode: one line counting the problems met
 * since the last summary. */
static void summarize(Core *k) {
    size_t n = ld_corpus_nproblems(k->c), skipped = 0, enc = 0;
    if (k->on_error != ON_WARN || k->summed >= n) return;
    for (size_t i = k->summed; i < n; i++) {
        const ld_problem *p = ld_corpus_problem(k->c, i);
        skipped += p->kind == LD_SKIPPED;
        enc += p->kind == LD_ENCODING;
    }
    k->summed = n;
    if (skipped + enc == 0) return;
    fprintf(stderr, "corpusrun: corpus: %zu item%s skipped, %zu file%s decoded with a fallback encoding "
            "(c:problems() lists them)\n", skipped, skipped == 1 ? "" : "s", enc, enc == 1 ? "" : "s");
    fflush(stderr);
}

static int docs_next(lua_State *L) {
    Iter *it = luaL_checkudata(L, lua_upvalueindex(1), ITER_MT);
    if (!it->it) return 0;
    lua_getiuservalue(L, lua_upvalueindex(1), 1);
    int ci = lua_gettop(L);
    Corpus *c = luaL_checkudata(L, ci, CORPUS_MT);
    if (!c->core) luaL_error(L, "attempt to use a closed corpus");
    if (iter_next_doc(L, it, ci)) return 1;
    ld_iter_free(it->it);
    it->it = NULL;
    summarize(it->core);
    return 0;
}

/* c:docs() -> iterator, nil, nil, closer */
static int corpus_docs(lua_State *L) {
    check_corpus(L, 1);
    new_iter(L, 1, 0);
    lua_pushvalue(L, -1);
    lua_pushcclosure(L, docs_next, 1);
    lua_insert(L, -2);
    lua_pushnil(L);
    lua_insert(L, -2);
    lua_pushnil(L);
    lua_insert(L, -2);
    return 4;   /* f, nil, nil, the iterator as to-be-closed value */
}

/* Calls fn(doc_or_id) for each document; ids_only when no filter needs the
 * documents.  The callback is C: it receives the raw ld_doc or the pushed
 * doc on top. */
static lua_Integer each(lua_State *L, int ci, int want_docs, int (*fn)(lua_State *, const ld_doc *, void *),
                        void *ud) {
    int filtered = has_filters(L, ci);
    Iter *it = new_iter(L, ci, want_docs || filtered ? 0 : LD_IDS_ONLY);
    int iti = lua_gettop(L);
    ld_doc d;
    lua_Integer n = 0;
    while (iter_step(L, it, ci, &d)) {
        if ((n & 0x3FF) == 0 && cr_interrupted()) luaL_error(L, "interrupted"); /* Ctrl-C */
        if (filtered) {
            push_doc(L, &d);
            int ok = passes(L, ci);
            lua_pop(L, 1);
            if (!ok) continue;
        }
        n++;
        if (fn && fn(L, &d, ud)) break;
    }
    ld_iter_free(it->it);
    it->it = NULL;
    lua_remove(L, iti);
    return n;
}

static int corpus_len(lua_State *L) {
    Corpus *c = check_corpus(L, 1);
    if (c->count < 0) c->count = each(L, 1, 0, NULL, NULL);
    lua_pushinteger(L, c->count);
    return 1;
}

typedef struct list_ctx { int list; lua_Integer n; } list_ctx;

static int add_id(lua_State *L, const ld_doc *d, void *ud) {
    list_ctx *x = ud;
    lua_pushlstring(L, d->id, d->id_len);
    lua_rawseti(L, x->list, ++x->n);
    return 0;
}

static int corpus_ids(lua_State *L) {
    check_corpus(L, 1);
    lua_newtable(L);
    list_ctx x = {lua_gettop(L), 0};
    each(L, 1, 0, add_id, &x);
    return 1;
}

static int corpus_get(lua_State *L) {
    check_corpus(L, 1);
    size_t len;
    const char *id = luaL_checklstring(L, 2, &len);
    Iter *it = new_iter(L, 1, 0);
    if (ld_iter_only(it->it, id, len)) luaL_error(L, "out of memory");
    if (!iter_next_doc(L, it, 1)) lua_pushnil(L);
    ld_iter_free(it->it);   /* release the file now, not at collection */
    it->it = NULL;
    return 1;
}

static int corpus_filter(lua_State *L) {
    check_corpus(L, 1);
    int t = lua_type(L, 2);
    luaL_argexpected(L, t == LUA_TFUNCTION || t == LUA_TTABLE, 2, "function or table");
    lua_getiuservalue(L, 1, 1);
    int core = lua_gettop(L);
    lua_getiuservalue(L, 1, 2);
    lua_Integer n = luaL_len(L, -1);
    lua_createtable(L, (int)n + 1, 0);
    for (lua_Integer i = 1; i <= n; i++) {
        lua_geti(L, -2, i);
        lua_rawseti(L, -2, i);
    }
    if (t == LUA_TTABLE) {   /* copy so later changes to the caller's table do not matter */
        lua_newtable(L);
        lua_pushnil(L);
        while (lua_next(L, 2)) {
            lua_pushvalue(L, -2);
            lua_insert(L, -2);
            lua_rawset(L, -4);
        }
    } else lua_pushvalue(L, 2);
    lua_rawseti(L, -2, n + 1);
    Corpus *parent = lua_touserdata(L, 1);
    Corpus *c = new_corpus(L, core, -1);
    c->lo = parent->lo;
    c->hi = parent->hi;
    return 1;
}

static int push_id_subset(lua_State *L, lua_Integer count);

/* c:sample(n [, seed]) -> a sub-corpus of n documents, chosen by a hash of
 * seed and id (corpusplan.h: the choice does not depend on the order), in
 * corpus order. */
static int corpus_sample(lua_State *L) {
    check_corpus(L, 1);
    lua_Integer n = luaL_checkinteger(L, 2);
    lua_Integer seed = luaL_optinteger(L, 3, 0);
    luaL_argcheck(L, n >= 0, 2, "must be >= 0");
    lua_newtable(L);
    int ids = lua_gettop(L);
    list_ctx sc = {ids, 0};
    each(L, 1, 0, add_id, &sc);
    size_t total = (size_t)sc.n;
    cr_sample_item *items = lua_newuserdatauv(L, (total ? total : 1) * sizeof *items, 0);
    for (size_t i = 0; i < total; i++) {
        size_t len;
        lua_rawgeti(L, ids, (lua_Integer)i + 1);
        const char *id = lua_tolstring(L, -1, &len);
        items[i].key = cr_sample_key((int64_t)seed, id, len);
        items[i].pos = i + 1;
        lua_pop(L, 1);
    }
    cr_sample_order(items, total);
    lua_newtable(L);   /* the set of chosen ids */
    for (size_t i = 0; i < total && (lua_Integer)i < n; i++) {
        lua_rawgeti(L, ids, (lua_Integer)items[i].pos);
        lua_pushboolean(L, 1);
        lua_rawset(L, -3);
    }
    return push_id_subset(L, n < (lua_Integer)total ? n : (lua_Integer)total);
}

/* Pushes the sub-corpus of corpus 1 whose documents have an id in the set
 * on top of the stack (which it takes), holding count documents: the
 * parent's filters plus {[IDS_KEY] = set}.  Iterations ask the set before
 * reading a document (ids_accept). */
static int push_id_subset(lua_State *L, lua_Integer count) {
    lua_newtable(L);   /* the filter {[IDS_KEY] = set} */
    lua_insert(L, -2);
    lua_rawsetp(L, -2, &IDS_KEY);
    /* filters: parent's plus this one */
    lua_getiuservalue(L, 1, 1);
    int core = lua_gettop(L);
    lua_getiuservalue(L, 1, 2);
    lua_Integer nf = luaL_len(L, -1);
    lua_createtable(L, (int)nf + 1, 0);
    for (lua_Integer i = 1; i <= nf; i++) {
        lua_geti(L, -2, i);
        lua_rawseti(L, -2, i);
    }
    lua_pushvalue(L, core - 1);
    lua_rawseti(L, -2, nf + 1);
    Corpus *parent = lua_touserdata(L, 1);
    Corpus *c = new_corpus(L, core, -1);
    c->lo = parent->lo;
    c->hi = parent->hi;
    c->count = count;
    return 1;
}

/* c:subset(ids) -> the sub-corpus of the documents whose id is in the array
 * ids (or a set: {[id] = true}), in corpus order; the others are not read. */
static int corpus_subset(lua_State *L) {
    check_corpus(L, 1);
    luaL_checktype(L, 2, LUA_TTABLE);
    lua_settop(L, 2);
    lua_newtable(L);   /* 3: the set */
    lua_Integer n = luaL_len(L, 2);
    if (n > 0) {
        for (lua_Integer i = 1; i <= n; i++) {
            if (lua_geti(L, 2, i) != LUA_TSTRING) return luaL_argerror(L, 2, "an array of ids (strings) expected");
            lua_pushboolean(L, 1);
            lua_rawset(L, 3);
        }
    } else {
        lua_pushnil(L);
        while (lua_next(L, 2)) {
            if (lua_type(L, -2) != LUA_TSTRING) return luaL_argerror(L, 2, "a set of ids (strings) expected");
            if (lua_toboolean(L, -1)) {
                lua_pushvalue(L, -2);
                lua_pushboolean(L, 1);
                lua_rawset(L, 3);
            }
            lua_pop(L, 1);
        }
    }
    /* how many of them the corpus holds: its ids, listed without reading */
    lua_newtable(L);
    int all = lua_gettop(L);
    list_ctx sc = {all, 0};
    each(L, 1, 0, add_id, &sc);
    lua_Integer count = 0;
    for (lua_Integer i = 1; i <= sc.n; i++) {
        lua_rawgeti(L, all, i);
        count += lua_rawget(L, 3) != LUA_TNIL;
        lua_pop(L, 1);
    }
    lua_settop(L, 3);
    return push_id_subset(L, count);
}

/* A shard plan owned by a userdata, so that an error raised while the
 * documents are listed (on_error = "error") does not leak its weights. */
#define SHARDPLAN_MT "corpusrun.ShardPlan"

static int shardplan_gc(lua_State *L) {
    cr_shardplan_free(luaL_checkudata(L, 1, SHARDPLAN_MT));
    return 0;
}

static cr_shardplan *new_shardplan(lua_State *L) {
    cr_shardplan *p = lua_newuserdatauv(L, sizeof *p, 0);
    memset(p, 0, sizeof *p);
    if (luaL_newmetatable(L, SHARDPLAN_MT)) {
        lua_pushcfunction(L, shardplan_gc);
        lua_setfield(L, -2, "__gc");
        lua_pushcfunction(L, shardplan_gc);
        lua_setfield(L, -2, "__close");
    }
    lua_setmetatable(L, -2);
    return p;
}

/* c:shard(k, n) -> the k-th of n contiguous parts of the corpus, balanced
 * by bytes; together the parts hold every document once, in order.  Used by
 * c:fold; documents of other parts are not read where the format allows. */
static int corpus_shard(lua_State *L) {
    Corpus *c = check_corpus(L, 1);
    lua_Integer k = luaL_checkinteger(L, 2), n = luaL_checkinteger(L, 3);
    luaL_argcheck(L, n >= 1, 3, "must be >= 1");
    luaL_argcheck(L, k >= 1 && k <= n, 2, "must be in 1..n");
    lua_settop(L, 3);
    cr_shardplan *p = new_shardplan(L);
    lua_toclose(L, 4);
    uint64_t first = c->lo;
    Iter *it = new_iter(L, 1, LD_SLOTS_ONLY);
    ld_doc d;
    int err = 0;
    while (!err && iter_step(L, it, 1, &d)) {
        if (p->n == 0) first = d.slot;
        err = cr_shardplan_add(p, d.bytes);
    }
    ld_iter_free(it->it);
    it->it = NULL;
    lua_pop(L, 1);
    if (err) return luaL_error(L, "out of memory");
    size_t from, to;
    cr_shardplan_part(p, (uint64_t)k, (uint64_t)n, &from, &to);
    lua_getiuservalue(L, 1, 1);
    lua_getiuservalue(L, 1, 2);
    Corpus *s = new_corpus(L, -2, -1);
    s->lo = k == 1 ? c->lo : first + from;
    s->hi = k == n ? c->hi : first + to;
    return 1;
}

static int add_fp(lua_State *L, const ld_doc *d, void *ud) {
    (void)L;
    cr_fingerprint_add(ud, d->id, d->id_len, d->text, d->text_len);
    return 0;
}

/* c:fingerprint() -> 32 hex digits over ids and texts, in order. */
static int corpus_fingerprint(lua_State *L) {
    check_corpus(L, 1);
    cr_fingerprint f;
    cr_fingerprint_init(&f);
    each(L, 1, 1, add_fp, &f);
    char hex[33];
    cr_fingerprint_hex(&f, hex);
    lua_pushstring(L, hex);
    return 1;
}

/* c:problems() -> list of {path, line, offset, reason, kind, message},
 * counts {skipped = n, encoding = m} */
static int corpus_problems(lua_State *L) {
    Corpus *c = check_corpus(L, 1);
    ld_corpus *lc = c->core->c;
    size_t n = ld_corpus_nproblems(lc);
    lua_createtable(L, (int)n, 0);
    for (size_t i = 0; i < n; i++) {
        const ld_problem *p = ld_corpus_problem(lc, i);
        lua_createtable(L, 0, 6);
        lua_pushstring(L, p->path);
        lua_setfield(L, -2, "path");
        if (p->line > 0) {
            lua_pushinteger(L, p->line);
            lua_setfield(L, -2, "line");
        }
        if (p->offset >= 0) {
            lua_pushinteger(L, (lua_Integer)p->offset);
            lua_setfield(L, -2, "offset");
        }
        lua_pushstring(L, p->reason);
        lua_setfield(L, -2, "reason");
        lua_pushstring(L, p->kind == LD_SKIPPED ? "skipped" : p->kind == LD_ENCODING ? "encoding" : "ignored");
        lua_setfield(L, -2, "kind");
        push_problem_message(L, p);
        lua_setfield(L, -2, "message");
        lua_rawseti(L, -2, (lua_Integer)i + 1);
    }
    lua_createtable(L, 0, 3);
    lua_pushinteger(L, (lua_Integer)ld_corpus_count(lc, LD_IGNORED));
    lua_setfield(L, -2, "ignored");
    lua_pushinteger(L, (lua_Integer)ld_corpus_count(lc, LD_SKIPPED));
    lua_setfield(L, -2, "skipped");
    lua_pushinteger(L, (lua_Integer)ld_corpus_count(lc, LD_ENCODING));
    lua_setfield(L, -2, "encoding");
    return 2;
}

/* ---- open --------------------------------------------------------------- */
enum { KIND_FILES, KIND_SQLITE, KIND_INDEX };

/* What the file at path is by its first bytes: an SQLite corpus database,
 * a positional index (text/cindex.h), or anything else. */
static int source_kind(const char *path) {
    struct stat st; /* the type first: opening a FIFO would block */
    if (stat(path, &st) != 0 || !S_ISREG(st.st_mode)) return KIND_FILES;
    char why[PP_MSG_SIZE];
    FILE *f = pp_fopen(path, "rb", why, sizeof why);
    if (!f) return KIND_FILES;
    char magic[16];
    size_t n = fread(magic, 1, sizeof magic, f);
    fclose(f);
    if (n == 16 && memcmp(magic, "SQLite format 3", 16) == 0) return KIND_SQLITE;
    return ci_is_index(magic, n) ? KIND_INDEX : KIND_FILES;
}

/* corpus.open of a file another module opens (a positional index:
 * corpusindex.open; an SQLite corpus database: corpusdb.open): the opener
 * that module handed to the core (core._set_index, core._set_database),
 * kept in the registry at key; what names the file's kind for the message
 * when the module is not loaded. */
static int open_by_hook(lua_State *L, const char *key, const char *what, const char *module, int src, int opts) {
    if (lua_getfield(L, LUA_REGISTRYINDEX, key) != LUA_TFUNCTION) {
        lua_pushnil(L);
        lua_pushfstring(L, "%s: %s, but the %s module is not loaded", lua_tostring(L, src), what, module);
        return 2;
    }
    int base = lua_gettop(L) - 1;
    lua_pushvalue(L, src);
    if (opts) lua_pushvalue(L, opts);
    else lua_pushnil(L);
    lua_call(L, 2, LUA_MULTRET);
    return lua_gettop(L) - base;
}

static int open_index(lua_State *L, int src, int opts) {
    return open_by_hook(L, INDEX_KEY, "a positional index", "corpusindex", src, opts);
}

static int open_db(lua_State *L, int src, int opts) {
    return open_by_hook(L, DATABASE_KEY, "an SQLite corpus database", "corpusdb", src, opts);
}

/* core._set_index(open): open(path, opts) opens a positional index. */
static int corpus_set_index(lua_State *L) {
    luaL_checktype(L, 1, LUA_TFUNCTION);
    lua_settop(L, 1);
    lua_setfield(L, LUA_REGISTRYINDEX, INDEX_KEY);
    return 0;
}

/* core._set_database(open): open(path, opts) opens an SQLite corpus database. */
static int corpus_set_database(lua_State *L) {
    luaL_checktype(L, 1, LUA_TFUNCTION);
    lua_settop(L, 1);
    lua_setfield(L, LUA_REGISTRYINDEX, DATABASE_KEY);
    return 0;
}

static const char *default_source(lua_State *L) {
    lua_getfield(L, LUA_REGISTRYINDEX, DEFAULT_KEY);
    const char *s = lua_tostring(L, -1);
    if (s && *s) return s;   /* stays on the stack: anchored */
    lua_pop(L, 1);
    s = getenv("CORPUSRUN_CORPUS");
    return s && *s ? s : "corpus";
}

/* Under the sandbox, a source must be readable (a glob: the directory it
 * walks; the walk checks each file and link).  Raises the refusal. */
static void check_source(lua_State *L, const char *source) {
    if (!pp_active()) return;
    char path[PATH_MAX];
    if (snprintf(path, sizeof path, "%s", source) >= (int)sizeof path) luaL_error(L, "path too long: %s", source);
    char *cut = NULL;
    for (char *p = path; *p; p++) {
        if (*p == '/') cut = p;
        if (*p == '*' || *p == '?' || *p == '[') {
            if (cut == NULL) strcpy(path, ".");
            else if (cut == path) cut[1] = '\0';
            else *cut = '\0';
            break;
        }
    }
    char msg[PP_MSG_SIZE];
    if (pp_check(path, PP_READ, NULL, msg, sizeof msg) != 0 && pp_refused()) {
        luaL_error(L, "%s", msg);
    }
}

/* corpus.open([source [, opts]]) -> Corpus | nil, message */
static int corpus_open(lua_State *L) {
    int st = lua_type(L, 1);
    luaL_argexpected(L, st == LUA_TNONE || st == LUA_TNIL || st == LUA_TSTRING || st == LUA_TTABLE, 1,
                     "string, list of strings or nil");
    if (!lua_isnoneornil(L, 2)) luaL_checktype(L, 2, LUA_TTABLE);
    lua_settop(L, 2);
    if (lua_isnil(L, 1)) {
        lua_pushstring(L, default_source(L));
        lua_replace(L, 1);
        lua_settop(L, 2);
    }
    if (lua_type(L, 1) == LUA_TSTRING) check_source(L, lua_tostring(L, 1));
    else if (lua_type(L, 1) == LUA_TTABLE) {
        for (lua_Integer i = 1, n = luaL_len(L, 1); i <= n; i++) {
            if (lua_geti(L, 1, i) == LUA_TSTRING) check_source(L, lua_tostring(L, -1));
            lua_pop(L, 1);
        }
    }
    int kind = lua_type(L, 1) == LUA_TSTRING ? source_kind(lua_tostring(L, 1)) : KIND_FILES;
    if (kind == KIND_SQLITE) return open_db(L, 1, lua_isnil(L, 2) ? 0 : 2);
    if (kind == KIND_INDEX) return open_index(L, 1, lua_isnil(L, 2) ? 0 : 2);

    ld_opts *o = lua_newuserdatauv(L, sizeof *o, 0);   /* index 3 */
    ld_opts_init(o);
    lua_createtable(L, 0, 1);
    lua_pushcfunction(L, opts_gc);
    lua_setfield(L, -2, "__gc");
    lua_setmetatable(L, -2);
    int on_error = ON_WARN;
    if (!lua_isnil(L, 2)) read_opts(L, 2, o, &on_error);

    Core *k = lua_newuserdatauv(L, sizeof *k, 0);      /* index 4 */
    memset(k, 0, sizeof *k);
    luaL_setmetatable(L, CORE_MT);
    if (!(k->c = ld_corpus_new(o))) luaL_error(L, "out of memory");
    k->on_error = on_error;

    /* sources */
    lua_Integer nsrc = lua_type(L, 1) == LUA_TTABLE ? luaL_len(L, 1) : 1;
    if (lua_type(L, 1) == LUA_TTABLE && nsrc == 0) luaL_argerror(L, 1, "empty list of sources");
    for (lua_Integer i = 1; i <= nsrc; i++) {
        const char *s;
        if (lua_type(L, 1) == LUA_TTABLE) {
            lua_geti(L, 1, i);
            if (lua_type(L, -1) != LUA_TSTRING) luaL_argerror(L, 1, "sources must be strings");
            s = lua_tostring(L, -1);
            lua_pop(L, 1);   /* still referenced by the table */
        } else s = lua_tostring(L, 1);
        char msg[512];
        if (ld_corpus_add(k->c, s, msg, sizeof msg)) {
            lua_pushnil(L);
            lua_pushstring(L, msg);
            return 2;
        }
        tell_problems(L, k);
    }
    if (lua_type(L, 1) == LUA_TTABLE) lua_pushfstring(L, "(%d sources)", (int)nsrc);
    else lua_pushvalue(L, 1);
    if (!(k->name = strdup(lua_tostring(L, -1)))) luaL_error(L, "out of memory");
    new_corpus(L, 4, 0);
    return 1;
}

/* ---- module ------------------------------------------------------------- */
static const luaL_Reg corpus_methods[] = {
    {"docs", corpus_docs},
    {"ids", corpus_ids},
    {"get", corpus_get},
    {"filter", corpus_filter},
    {"sample", corpus_sample},
    {"subset", corpus_subset},
    {"shard", corpus_shard},
    {"fingerprint", corpus_fingerprint},
    {"problems", corpus_problems},
    {"source", corpus_source},
    {"close", corpus_close},
    {NULL, NULL},
};

static const luaL_Reg corpus_meta[] = {
    {"__len", corpus_len},
    {"__tostring", corpus_tostring},
    {"__close", corpus_close},
    {"__gc", corpus_close},
    {"__index", NULL},
    {NULL, NULL},
};

/* ---- word lists ---------------------------------------------------------- */
typedef struct line_notes {
    lua_State *L;
    int list;              /* stack index of the problems table */
    const char *name;
} line_notes;

static int note_line(void *ud, size_t line, uint64_t offset, int mixed, const char *encoding) {
    line_notes *c = ud;
    lua_State *L = c->L;
    char reason[160];
    if (mixed)
        snprintf(reason, sizeof reason, "invalid UTF-8 at byte %llu: its invalid bytes decoded as %s, its UTF-8 kept",
                 (unsigned long long)offset, encoding);
    else
        snprintf(reason, sizeof reason, "invalid UTF-8 at byte %llu: decoded as %s", (unsigned long long)offset,
                 encoding);
    lua_createtable(L, 0, 6);
    lua_pushstring(L, c->name);
    lua_setfield(L, -2, "path");
    lua_pushinteger(L, (lua_Integer)line);
    lua_setfield(L, -2, "line");
    lua_pushinteger(L, (lua_Integer)offset);
    lua_setfield(L, -2, "offset");
    lua_pushstring(L, reason);
    lua_setfield(L, -2, "reason");
    lua_pushliteral(L, "encoding");
    lua_setfield(L, -2, "kind");
    lua_pushfstring(L, "%s:%I: %s", c->name, (lua_Integer)line, reason);
    lua_setfield(L, -2, "message");
    lua_rawseti(L, c->list, (lua_Integer)luaL_len(L, c->list) + 1);
    return 0;
}

/* corpus.decode_lines(bytes [, name]) -> text, problems: a word list or
 * other line-oriented file as UTF-8, decided line by line as the gazetteer
 * loader does (load.h, ld_decode_lines); problems lists the lines decoded
 * with a guess, as c:problems() lists files. */
static int corpus_decode_lines(lua_State *L) {
    size_t n;
    const char *s = luaL_checklstring(L, 1, &n);
    const char *name = luaL_optstring(L, 2, "(text)");
    lua_settop(L, 2);
    lua_newtable(L); /* 3: problems */
    line_notes c = { L, 3, name };
    cr_buf *out = crl_newbuf(L); /* 4: Lua's, freed even when note_line or a push raises */
    ld_decoded info;
    int r = ld_decode_lines(s, n, NULL, out, &info, note_line, &c);
    if (r) {
        cr_buf_free(out);
        return luaL_error(L, "corpus.decode_lines: %s: %s", name, info.msg);
    }
    lua_pushlstring(L, out->data ? out->data : "", out->len);
    cr_buf_free(out);
    lua_pushvalue(L, 3);
    return 2;
}

/* corpus.glob_match(pattern, path): whether path matches the shell-style
 * pattern as the corpus's include and exclude globs match (ld_glob_match). */
static int corpus_glob_match(lua_State *L) {
    size_t plen, slen;
    const char *p = luaL_checklstring(L, 1, &plen);
    const char *s = luaL_checklstring(L, 2, &slen);
    luaL_argcheck(L, strlen(p) == plen, 1, "pattern holds a NUL byte");
    luaL_argcheck(L, strlen(s) == slen, 2, "path holds a NUL byte");
    lua_pushboolean(L, ld_glob_match(p, s));
    return 1;
}

/* ---- corpus plans for corpora kept elsewhere (an index) ---------------------
 * The same choices as c:sample, c:shard and c:fingerprint make over the
 * documents they list, so that a corpus gives the same sample, parts and
 * fingerprint whatever keeps it. */

/* core._sample_pick(ids, n [, seed]) -> the positions (1-based, in corpus
 * order) of the n documents c:sample(n, seed) keeps. */
static int corpus_sample_pick(lua_State *L) {
    luaL_checktype(L, 1, LUA_TTABLE);
    lua_Integer n = luaL_checkinteger(L, 2), seed = luaL_optinteger(L, 3, 0);
    luaL_argcheck(L, n >= 0, 2, "must be >= 0");
    size_t total = (size_t)luaL_len(L, 1);
    cr_sample_item *items = lua_newuserdatauv(L, (total ? total : 1) * sizeof *items, 0);
    for (size_t i = 0; i < total; i++) {
        size_t len;
        lua_rawgeti(L, 1, (lua_Integer)i + 1);
        const char *id = luaL_tolstring(L, -1, &len);
        items[i].key = cr_sample_key((int64_t)seed, id, len);
        items[i].pos = i + 1;
        lua_pop(L, 2);
    }
    cr_sample_order(items, total);
    size_t k = (lua_Unsigned)n < total ? (size_t)n : total;
    char *take = lua_newuserdatauv(L, total + 1, 0);
    memset(take, 0, total + 1);
    for (size_t i = 0; i < k; i++) take[items[i].pos - 1] = 1;
    lua_createtable(L, (int)k, 0);
    lua_Integer out = 0;
    for (size_t i = 0; i < total; i++)
        if (take[i]) {
            lua_pushinteger(L, (lua_Integer)i + 1);
            lua_rawseti(L, -2, ++out);
        }
    return 1;
}

/* core._shard_range(bytes, k, n) -> first, last: the positions (1-based,
 * inclusive; last < first when empty) of part k of n, documents weighing
 * bytes[i] each, as c:shard cuts them. */
static int corpus_shard_range(lua_State *L) {
    luaL_checktype(L, 1, LUA_TTABLE);
    lua_Integer k = luaL_checkinteger(L, 2), n = luaL_checkinteger(L, 3);
    luaL_argcheck(L, n >= 1, 3, "must be >= 1");
    luaL_argcheck(L, k >= 1 && k <= n, 2, "must be in 1..n");
    lua_settop(L, 3);
    cr_shardplan *p = new_shardplan(L);
    lua_toclose(L, 4);
    lua_Integer total = luaL_len(L, 1);
    for (lua_Integer i = 1; i <= total; i++) {
        lua_rawgeti(L, 1, i);
        lua_Integer b = lua_tointeger(L, -1);
        lua_pop(L, 1);
        if (cr_shardplan_add(p, b > 0 ? (uint64_t)b : 0) != 0) return luaL_error(L, "out of memory");
    }
    size_t from, to;
    cr_shardplan_part(p, (uint64_t)k, (uint64_t)n, &from, &to);
    lua_pushinteger(L, (lua_Integer)from + 1);
    lua_pushinteger(L, (lua_Integer)to);
    return 2;
}

/* core._fingerprint(iter) -> c:fingerprint()'s 32 hex digits over the id,
 * text pairs iter() gives until it gives nil. */
static int corpus_fingerprint_of(lua_State *L) {
    luaL_checktype(L, 1, LUA_TFUNCTION);
    cr_fingerprint f;
    cr_fingerprint_init(&f);
    for (;;) {
        lua_settop(L, 1);
        lua_pushvalue(L, 1);
        lua_call(L, 0, 2);
        if (lua_isnil(L, 2)) break;
        size_t il, tl;
        const char *id = luaL_checklstring(L, 2, &il), *text = luaL_checklstring(L, 3, &tl);
        cr_fingerprint_add(&f, id, il, text, tl);
    }
    char hex[33];
    cr_fingerprint_hex(&f, hex);
    lua_pushstring(L, hex);
    return 1;
}

/* core._pack_tokens(tokens): the tokens as a string (ld_tokens_pack), for a
 * corpus database. */
static int corpus_pack_tokens(lua_State *L) {
    const ld_tokens *t = check_tokens(L, 1);
    cr_buf b = {0};
    if (ld_tokens_pack(t, &b)) {
        cr_buf_free(&b);
        return luaL_error(L, "out of memory");
    }
    lua_pushlstring(L, b.data ? b.data : "", b.len);
    cr_buf_free(&b);
    return 1;
}

/* core._unpack_tokens(s, text_length): Tokens, or nil and a message when s
 * is not tokens packed for a text of that length. */
static int corpus_unpack_tokens(lua_State *L) {
    size_t n;
    const char *s = luaL_checklstring(L, 1, &n);
    lua_Integer tl = luaL_checkinteger(L, 2);
    luaL_argcheck(L, tl >= 0, 2, "a text length");
    ld_tokens t;
    char err[128];
    int rc = ld_tokens_unpack(s, n, (size_t)tl, &t, err, sizeof err);
    if (rc == -2) return luaL_error(L, "out of memory");
    if (rc) {
        lua_pushnil(L);
        lua_pushstring(L, err);
        return 2;
    }
    crl_tokens *u = lua_newuserdatauv(L, sizeof *u, 0);
    u->t = NULL;
    luaL_setmetatable(L, TOKENS_MT);
    u->t = malloc(sizeof *u->t);
    if (!u->t) {
        ld_tokens_free(&t);
        return luaL_error(L, "out of memory");
    }
    *u->t = t;   /* the userdata owns the arrays now */
    return 1;
}

static const luaL_Reg funcs[] = {
    {"open", corpus_open},
    {"_pack_tokens", corpus_pack_tokens},
    {"_sample_pick", corpus_sample_pick},
    {"_shard_range", corpus_shard_range},
    {"_fingerprint", corpus_fingerprint_of},
    {"_unpack_tokens", corpus_unpack_tokens},
    {"_set_database", corpus_set_database},
    {"_set_index", corpus_set_index},
    {"decode_lines", corpus_decode_lines},
    {"glob_match", corpus_glob_match},
    {NULL, NULL},
};

int luaopen_corpus_core(lua_State *L) {
    if (luaL_newmetatable(L, CORE_MT)) {
        lua_pushcfunction(L, core_gc);
        lua_setfield(L, -2, "__gc");
    }
    lua_pop(L, 1);
    if (luaL_newmetatable(L, ITER_MT)) {
        lua_pushcfunction(L, iter_gc);
        lua_setfield(L, -2, "__gc");
        lua_pushcfunction(L, iter_gc);
        lua_setfield(L, -2, "__close");
    }
    lua_pop(L, 1);
    if (luaL_newmetatable(L, DOC_MT)) {
        lua_pushcfunction(L, doc_tostring);
        lua_setfield(L, -2, "__tostring");
    }
    lua_pop(L, 1);
    if (luaL_newmetatable(L, TOKENS_MT)) {
        static const luaL_Reg tokens_meta[] = {
            {"__gc", tokens_gc}, {"__len", tokens_len}, {"__index", tokens_index},
            {"__tostring", tokens_tostring}, {NULL, NULL}};
        static const luaL_Reg tokens_methods[] = {
            {"column", tokens_column}, {"attributes", tokens_attributes}, {"sentences", tokens_sentences},
            {NULL, NULL}};
        luaL_setfuncs(L, tokens_meta, 0);
        luaL_newlib(L, tokens_methods);
        lua_setfield(L, -2, "__methods");
    }
    lua_pop(L, 1);
    if (luaL_newmetatable(L, CORPUS_MT)) {
        luaL_setfuncs(L, corpus_meta, 0);
        luaL_newlib(L, corpus_methods);
        lua_setfield(L, -2, "__index");
    }
    luaL_newlib(L, funcs);
    lua_getfield(L, -2, "__index");
    lua_setfield(L, -2, "_methods");   /* the Corpus methods, for c:fold */
    lua_remove(L, -2);
    return 1;
}
