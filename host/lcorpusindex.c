/* lcorpusindex.c — corpusindex.core: the positional index (text/cindex.h)
 * for lib/lua/corpusindex.lua.  Builders fed documents as Lua tables (one
 * call per document, tokens in C), temporary run files, the merge, and the
 * opened index: documents rebuilt in C, and its corpusrun.Positions. */
#include <errno.h>
#include <fcntl.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

#include <lauxlib.h>
#include <lua.h>

#include "positions_lua.h"
#include "text/cindex.h"
#include "text/pathpolicy.h"
#include "tokens_lua.h"

#define TMP_MT "corpusrun.IndexRuns"
#define BUILDER_MT "corpusrun.IndexBuilder"
#define INDEX_MT "corpusrun.Index"

/* ---- temporary run files ---- */
typedef struct Tmp {
    FILE *f;    /* anonymous: removed by the system when closed */
} Tmp;

static int tmp_gc(lua_State *L) {
    Tmp *t = luaL_checkudata(L, 1, TMP_MT);
    if (t->f) fclose(t->f);
    t->f = NULL;
    return 0;
}

/* core.runs() -> a new temporary file for runs (anonymous, never named by a
 * script: the system removes it when it is closed). */
static int l_runs(lua_State *L) {
    Tmp *t = lua_newuserdatauv(L, sizeof *t, 0);
    t->f = NULL;
    luaL_setmetatable(L, TMP_MT);
    t->f = tmpfile();
    if (!t->f) return luaL_error(L, "index: a temporary file for the build: %s", strerror(errno));
    return 1;
}

static Tmp *check_tmp(lua_State *L, int i) {
    Tmp *t = luaL_checkudata(L, i, TMP_MT);
    if (!t->f) luaL_argerror(L, i, "runs file closed");
    return t;
}

/* ---- builders ---- */
typedef struct Builder {
    ci_builder *b;
} Builder;

static int builder_gc(lua_State *L) {
    Builder *u = luaL_checkudata(L, 1, BUILDER_MT);
    ci_builder_free(u->b);
    u->b = NULL;
    return 0;
}

/* core.builder(runs [, batch_tokens]) -> a builder writing its runs to runs. */
static int l_builder(lua_State *L) {
    Tmp *t = check_tmp(L, 1);
    lua_Integer batch = luaL_optinteger(L, 2, 0);
    luaL_argcheck(L, batch >= 0, 2, "batch size must not be negative");
    Builder *u = lua_newuserdatauv(L, sizeof *u, 1);
    u->b = NULL;
    luaL_setmetatable(L, BUILDER_MT);
    lua_pushvalue(L, 1);
    lua_setiuservalue(L, -2, 1);   /* keeps the file open */
    ci_build_opts o = {(size_t)batch};
    u->b = ci_builder_new(fileno(t->f), &o);
    if (!u->b) return luaL_error(L, "not enough memory");
    return 1;
}

static ci_builder *check_builder(lua_State *L) {
    Builder *u = luaL_checkudata(L, 1, BUILDER_MT);
    if (!u->b) luaL_argerror(L, 1, "builder closed");
    return u->b;
}

static const char *field(lua_State *L, int t, const char *k, size_t *len) {
    lua_getfield(L, t, k);
    const char *s = lua_type(L, -1) == LUA_TSTRING || lua_type(L, -1) == LUA_TNUMBER ? lua_tolstring(L, -1, len) : NULL;
    if (!s) *len = 0;
    return s;   /* stays on the stack */
}

/* b:add(doc): doc.id, doc.text (or doc.tokens), doc.path, doc.title,
 * doc.meta, doc.bytes. */
static int builder_add(lua_State *L) {
    ci_builder *b = check_builder(L);
    luaL_checktype(L, 2, LUA_TTABLE);
    lua_settop(L, 2);
    ci_doc d;
    memset(&d, 0, sizeof d);
    d.id = field(L, 2, "id", &d.id_len);
    d.text = field(L, 2, "text", &d.text_len);
    d.path = field(L, 2, "path", &d.path_len);
    d.title = field(L, 2, "title", &d.title_len);
    if (!d.id) return luaL_argerror(L, 2, "the document has no id");
    if (!d.text) return luaL_argerror(L, 2, "the document has no text");
    lua_getfield(L, 2, "tokens");
    d.tokens = lua_isnil(L, -1) ? NULL : crl_totokens(L, -1);
    if (!lua_isnil(L, -1) && !d.tokens) return luaL_argerror(L, 2, "doc.tokens is not a Tokens");
    lua_getfield(L, 2, "bytes");
    d.bytes = lua_isinteger(L, -1) && lua_tointeger(L, -1) > 0 ? (uint64_t)lua_tointeger(L, -1) : d.text_len;
    lua_pop(L, 1);
    /* metadata, sorted by key so that the order is the same in every run */
    size_t n = 0;
    lua_getfield(L, 2, "meta");
    int mt = lua_gettop(L);
    if (lua_istable(L, mt)) {
        lua_pushnil(L);
        while (lua_next(L, mt)) {
            if (lua_type(L, -2) == LUA_TSTRING) n++;
            lua_pop(L, 1);
        }
    }
    const char **keys = lua_newuserdatauv(L, (n + 1) * (2 * sizeof(char *) + 2 * sizeof(size_t) + sizeof(int)), 0);
    const char **vals = keys + n + 1;
    size_t *kl = (size_t *)(vals + n + 1), *vl = kl + n + 1;
    int *types = (int *)(vl + n + 1);
    lua_newtable(L);   /* anchors the converted values */
    int anchor = lua_gettop(L);
    if (n) {
        /* keys in sorted order */
        lua_newtable(L);
        int sorted = lua_gettop(L);
        lua_pushnil(L);
        lua_Integer k = 0;
        while (lua_next(L, mt)) {
            lua_pop(L, 1);
            if (lua_type(L, -1) == LUA_TSTRING) {
                lua_pushvalue(L, -1);
                lua_rawseti(L, sorted, ++k);
            }
        }
        lua_getglobal(L, "table");
        lua_getfield(L, -1, "sort");
        lua_pushvalue(L, sorted);
        lua_call(L, 1, 0);
        lua_pop(L, 1);
        for (size_t i = 0; i < n; i++) {
            lua_rawgeti(L, sorted, (lua_Integer)i + 1);
            keys[i] = lua_tolstring(L, -1, &kl[i]);
            lua_pushvalue(L, -1);
            lua_gettable(L, mt);
            int t = lua_type(L, -1);
            if (t == LUA_TNUMBER) {
                types[i] = LD_NUM;
                lua_pushstring(L, lua_tostring(L, -1));
                lua_replace(L, -2);
            } else if (t == LUA_TBOOLEAN) {
                types[i] = LD_BOOL;
                lua_pushstring(L, lua_toboolean(L, -1) ? "true" : "false");
                lua_replace(L, -2);
            } else if (t == LUA_TSTRING) {
                types[i] = LD_STR;
            } else {
                return luaL_error(L, "document '%s': metadata field '%s' is a %s (strings, numbers and booleans are kept)",
                                  d.id, keys[i], luaL_typename(L, -1));
            }
            vals[i] = lua_tolstring(L, -1, &vl[i]);
            lua_rawseti(L, anchor, (lua_Integer)(2 * i + 2));
            lua_rawseti(L, anchor, (lua_Integer)(2 * i + 1));
        }
    }
    d.meta_keys = keys;
    d.meta_vals = vals;
    d.meta_klen = kl;
    d.meta_vlen = vl;
    d.meta_types = types;
    d.n_meta = n;
    if (ci_builder_add(b, &d)) return luaL_error(L, "index: %s", ci_builder_error(b));
    return 0;
}

/* b:finish() -> the offsets of the runs written, an array. */
static int builder_finish(lua_State *L) {
    ci_builder *b = check_builder(L);
    if (ci_builder_finish(b)) return luaL_error(L, "index: %s", ci_builder_error(b));
    const uint64_t *offs;
    size_t n = ci_builder_runs(b, &offs);
    lua_createtable(L, (int)n, 0);
    for (size_t i = 0; i < n; i++) {
        lua_pushinteger(L, (lua_Integer)offs[i]);
        lua_rawseti(L, -2, (lua_Integer)i + 1);
    }
    lua_pushinteger(L, (lua_Integer)ci_builder_tokens(b));
    return 2;
}

/* core.merge(path, files, offsets, receipt) -> true, or nil and a message:
 * the runs at offsets[k] (arrays) of files[k], in order, merged into the
 * index at path. */
static int l_merge(lua_State *L) {
    const char *path = luaL_checkstring(L, 1);
    luaL_checktype(L, 2, LUA_TTABLE);
    luaL_checktype(L, 3, LUA_TTABLE);
    size_t rlen;
    const char *receipt = luaL_optlstring(L, 4, "", &rlen);
    lua_Integer nf = luaL_len(L, 2);
    luaL_argcheck(L, nf >= 1, 2, "at least one runs file (the merge's scratch space)");
    luaL_argcheck(L, luaL_len(L, 3) == nf, 3, "one array of offsets per file");
    size_t nr = 0;
    for (lua_Integer k = 1; k <= nf; k++) {
        lua_rawgeti(L, 3, k);
        luaL_argcheck(L, lua_istable(L, -1), 3, "arrays of offsets expected");
        nr += (size_t)luaL_len(L, -1);
        lua_pop(L, 1);
    }
    ci_run *runs = lua_newuserdatauv(L, (nr + 1) * sizeof *runs, 0);
    size_t r = 0;
    int scratch = -1;
    for (lua_Integer k = 1; k <= nf; k++) {
        lua_rawgeti(L, 2, k);
        Tmp *t = check_tmp(L, -1);
        lua_pop(L, 1);
        int fd = fileno(t->f);
        if (scratch < 0) scratch = fd;
        struct stat st;
        if (fstat(fd, &st)) return luaL_error(L, "index: %s", strerror(errno));
        lua_rawgeti(L, 3, k);
        lua_Integer m = luaL_len(L, -1);
        for (lua_Integer j = 1; j <= m; j++) {
            lua_rawgeti(L, -1, j);
            runs[r].fd = fd;
            runs[r].off = (uint64_t)lua_tointeger(L, -1);
            lua_pop(L, 1);
            if (j < m) {
                lua_rawgeti(L, -1, j + 1);
                runs[r].end = (uint64_t)lua_tointeger(L, -1);
                lua_pop(L, 1);
            } else {
                runs[r].end = (uint64_t)st.st_size;
            }
            r++;
        }
        lua_pop(L, 1);
    }
    char msg[PP_MSG_SIZE];
    int out = pp_open(path, O_RDWR | O_CREAT | O_TRUNC | O_CLOEXEC, 0644, msg, sizeof msg);
    if (out < 0) {
        lua_pushnil(L);
        lua_pushstring(L, msg);
        return 2;
    }
    char err[CI_ERR_SIZE];
    int rc = ci_merge(runs, nr, out, scratch, receipt, rlen, err, sizeof err);
    if (close(out) && rc == 0) {
        rc = -1;
        snprintf(err, sizeof err, "%s", strerror(errno));
    }
    if (rc) {
        lua_pushnil(L);
        lua_pushfstring(L, "%s: %s", path, err);
        return 2;
    }
    lua_pushboolean(L, 1);
    return 1;
}

/* core.index_run(runs, path) -> the offset in runs of the index at path
 * written as one run (to merge it with the runs of new documents), or nil
 * and a message. */
static int l_index_run(lua_State *L) {
    Tmp *t = check_tmp(L, 1);
    const char *path = luaL_checkstring(L, 2);
    char err[CI_ERR_SIZE];
    ci_index *ix = ci_open(path, err, sizeof err);
    if (!ix) {
        lua_pushnil(L);
        lua_pushstring(L, err);
        return 2;
    }
    uint64_t off;
    int rc = ci_index_to_run(ix, fileno(t->f), &off, err, sizeof err);
    ci_close(ix);
    if (rc) {
        lua_pushnil(L);
        lua_pushfstring(L, "%s: %s", path, err);
        return 2;
    }
    lua_pushinteger(L, (lua_Integer)off);
    return 1;
}

/* ---- the opened index ---- */
typedef struct Index {
    ci_index *ix;
    char *path;
} Index;

/* Pushes the Positions an Index has handed out (user value 1), else nil. */
static int index_shared(lua_State *L, int arg) { return lua_getiuservalue(L, arg, 1) == LUA_TUSERDATA; }

/* Closes the index (collect: as the Index is collected, so is its Positions,
 * which keeps it alive), or gives it to its Positions when it has handed one
 * out and is closed by a call: a Positions made before stays valid, as it
 * did when it was a mapping of its own. */
static void index_release(lua_State *L, Index *u, int collect) {
    if (index_shared(L, 1) && u->ix) {
        if (collect) ((crl_positions *)luaL_checkudata(L, -1, POSITIONS_MT))->c = NULL;
        else {
            crl_positions_take(L, -1);
            u->ix = NULL;
        }
    }
    lua_pop(L, 1);
    lua_pushnil(L);
    lua_setiuservalue(L, 1, 1);
    ci_close(u->ix);
}

static int index_gc(lua_State *L) {
    Index *u = luaL_checkudata(L, 1, INDEX_MT);
    index_release(L, u, 1);
    free(u->path);
    u->ix = NULL;
    u->path = NULL;
    return 0;
}

static Index *check_index(lua_State *L) {
    Index *u = luaL_checkudata(L, 1, INDEX_MT);
    if (!u->ix) luaL_argerror(L, 1, "index closed");
    return u;
}

/* core.is_index(path) -> whether the file at path starts as an index does. */
static int l_is_index(lua_State *L) {
    const char *path = luaL_checkstring(L, 1);
    char msg[PP_MSG_SIZE];
    int fd = pp_open(path, O_RDONLY | O_CLOEXEC, 0, msg, sizeof msg);
    int yes = 0;
    if (fd >= 0) {
        char head[8];
        struct stat st;
        yes = fstat(fd, &st) == 0 && S_ISREG(st.st_mode) && read(fd, head, 8) == 8 && ci_is_index(head, 8);
        close(fd);
    }
    lua_pushboolean(L, yes);
    return 1;
}

/* core.open(path) -> an Index, or nil and a message. */
static int l_open(lua_State *L) {
    const char *path = luaL_checkstring(L, 1);
    Index *u = lua_newuserdatauv(L, sizeof *u, 1);   /* 1: its Positions, once made */
    u->ix = NULL;
    u->path = NULL;
    luaL_setmetatable(L, INDEX_MT);
    if (!(u->path = strdup(path))) return luaL_error(L, "not enough memory");
    char err[CI_ERR_SIZE];
    u->ix = ci_open(path, err, sizeof err);
    if (!u->ix) {
        lua_pushnil(L);
        lua_pushstring(L, err);
        return 2;
    }
    return 1;
}

static int index_close(lua_State *L) {
    Index *u = luaL_checkudata(L, 1, INDEX_MT);
    index_release(L, u, 0);
    u->ix = NULL;
    return 0;
}

static int index_count(lua_State *L) {
    lua_pushinteger(L, (lua_Integer)ci_docs(check_index(L)->ix));
    return 1;
}

static int64_t check_docno(lua_State *L, ci_index *ix, int arg) {
    lua_Integer k = luaL_checkinteger(L, arg);
    luaL_argcheck(L, k >= 1 && k <= ci_docs(ix), arg, "no such document");
    return (int64_t)k - 1;
}

static void push_value(lua_State *L, const char *s, size_t len, int type) {
    switch (type) {
    case LD_NUM:
        lua_pushlstring(L, s, len);
        if (lua_stringtonumber(L, lua_tostring(L, -1))) lua_remove(L, -2);
        break;
    case LD_BOOL: lua_pushboolean(L, len && s[0] == 't'); break;
    default: lua_pushlstring(L, s ? s : "", len);
    }
}

static int raise_eio(lua_State *L, ci_index *ix, int rc) {
    if (rc == CP_ENOMEM) return luaL_error(L, "not enough memory");
    return luaL_error(L, "%s", ci_error(ix));
}

/* ix:doc(k [, with_text]) -> the document k (1-based) as a table. */
static int index_doc(lua_State *L) {
    Index *u = check_index(L);
    ci_index *ix = u->ix;
    int64_t k = check_docno(L, ix, 2);
    int with_text = lua_isnone(L, 3) || lua_toboolean(L, 3);
    cp_corpus *c = ci_corpus(ix);
    lua_createtable(L, 0, 7);
    size_t len;
    const char *s = c->ops->region_value(c, 0, k, "id", 2, &len);
    lua_pushlstring(L, s ? s : "", len);
    lua_setfield(L, -2, "id");
    s = ci_doc_path(ix, k, &len);
    if (s) lua_pushlstring(L, s, len);
    else lua_pushstring(L, u->path);
    lua_setfield(L, -2, "path");
    s = ci_doc_title(ix, k, &len);
    if (s) {
        lua_pushlstring(L, s, len);
        lua_setfield(L, -2, "title");
    }
    lua_pushinteger(L, (lua_Integer)ci_doc_bytes(ix, k));
    lua_setfield(L, -2, "bytes");
    lua_newtable(L);
    const char *const *keys = c->keys[0];
    for (size_t i = 1; keys[i]; i++) {
        int type = ci_doc_meta_type(ix, k, i);
        if (type < 0) continue;
        s = c->ops->region_value(c, 0, k, keys[i], strlen(keys[i]), &len);
        push_value(L, s, len, type);
        lua_setfield(L, -2, keys[i]);
    }
    lua_setfield(L, -2, "meta");
    if (with_text) {
        cr_buf b;
        cr_buf_init(&b);
        int rc = ci_doc_text(ix, k, &b);
        if (rc) {
            cr_buf_free(&b);
            return raise_eio(L, ix, rc);
        }
        lua_pushlstring(L, b.data ? b.data : "", b.len);
        cr_buf_free(&b);
        lua_setfield(L, -2, "text");
    }
    if (with_text && ci_doc_annotated(ix, k)) {
        if (luaL_getmetatable(L, TOKENS_MT) != LUA_TTABLE) return luaL_error(L, "the corpus module is not loaded");
        lua_pop(L, 1);
        crl_tokens *t = lua_newuserdatauv(L, sizeof *t, 0);
        t->t = NULL;
        luaL_setmetatable(L, TOKENS_MT);
        ld_tokens *lt = calloc(1, sizeof *lt);
        if (!lt) return luaL_error(L, "not enough memory");
        int rc = ci_doc_tokens(ix, k, lt);
        if (rc) {
            free(lt);
            return raise_eio(L, ix, rc);
        }
        t->t = lt;
        lua_setfield(L, -2, "tokens");
    }
    if (luaL_getmetatable(L, "corpusrun.Document") == LUA_TTABLE) lua_setmetatable(L, -2);
    else lua_pop(L, 1);
    return 1;
}

/* ix:find(id) -> the number of the document with this id, or nil. */
static int index_find(lua_State *L) {
    ci_index *ix = check_index(L)->ix;
    size_t len;
    const char *id = luaL_checklstring(L, 2, &len);
    int64_t k = ci_doc_find(ix, id, len);
    if (k < 0) lua_pushnil(L);
    else lua_pushinteger(L, (lua_Integer)k + 1);
    return 1;
}

/* ix:positions() -> the index as a corpusrun.Positions: the same mapping,
 * opened and checked once, and the same userdata at every call. */
static int index_positions(lua_State *L) {
    Index *u = check_index(L);
    if (index_shared(L, 1)) return 1;
    lua_pop(L, 1);
    crl_push_positions_borrowed(L, ci_corpus(u->ix), 1);
    lua_pushvalue(L, -1);
    lua_setiuservalue(L, 1, 1);
    return 1;
}

/* ix:verify() -> true, or nil and the first damaged section. */
static int index_verify(lua_State *L) {
    ci_index *ix = check_index(L)->ix;
    char err[CI_ERR_SIZE];
    if (ci_verify(ix, err, sizeof err)) {
        lua_pushnil(L);
        lua_pushstring(L, err);
        return 2;
    }
    lua_pushboolean(L, 1);
    return 1;
}

static int index_receipt(lua_State *L) {
    size_t n;
    const char *s = ci_receipt(check_index(L)->ix, &n);
    lua_pushlstring(L, s, n);
    return 1;
}

/* ix:info() -> {tokens, docs, bytes, attributes = {name...}, structures =
 * {name...}, sizes = {name = {lexicon, ids, postings}}}. */
static int index_info(lua_State *L) {
    ci_index *ix = check_index(L)->ix;
    cp_corpus *c = ci_corpus(ix);
    lua_createtable(L, 0, 6);
    lua_pushinteger(L, (lua_Integer)c->size);
    lua_setfield(L, -2, "tokens");
    lua_pushinteger(L, (lua_Integer)ci_docs(ix));
    lua_setfield(L, -2, "docs");
    lua_pushinteger(L, (lua_Integer)ci_file_size(ix));
    lua_setfield(L, -2, "bytes");
    lua_createtable(L, c->nattrs, 0);
    lua_createtable(L, 0, c->nattrs);
    for (int a = 0; a < c->nattrs; a++) {
        lua_pushstring(L, c->attrs[a]);
        lua_rawseti(L, -3, a + 1);
        uint64_t lx, ids, post;
        ci_attr_sizes(ix, a, &lx, &ids, &post);
        lua_createtable(L, 0, 4);
        lua_pushinteger(L, (lua_Integer)c->ops->lex_size(c, a));
        lua_setfield(L, -2, "types");
        lua_pushinteger(L, (lua_Integer)lx);
        lua_setfield(L, -2, "lexicon");
        lua_pushinteger(L, (lua_Integer)ids);
        lua_setfield(L, -2, "ids");
        lua_pushinteger(L, (lua_Integer)post);
        lua_setfield(L, -2, "postings");
        lua_setfield(L, -2, c->attrs[a]);
    }
    lua_setfield(L, -3, "sizes");
    lua_setfield(L, -2, "attributes");
    lua_createtable(L, c->nstructs, 0);
    for (int s = 0; s < c->nstructs; s++) {
        lua_pushstring(L, c->structs[s]);
        lua_rawseti(L, -2, s + 1);
    }
    lua_setfield(L, -2, "structures");
    return 1;
}

static const luaL_Reg index_methods[] = {
    {"close", index_close},     {"count", index_count},   {"doc", index_doc},
    {"find", index_find},       {"positions", index_positions}, {"verify", index_verify},
    {"receipt", index_receipt}, {"info", index_info},     {NULL, NULL}};

static const luaL_Reg builder_methods[] = {{"add", builder_add}, {"finish", builder_finish}, {NULL, NULL}};

static const luaL_Reg funcs[] = {{"runs", l_runs},       {"builder", l_builder}, {"merge", l_merge},
                                 {"open", l_open},       {"is_index", l_is_index}, {"index_run", l_index_run},
                                 {NULL, NULL}};

/* __index of the core's types: their methods (upvalue 1). */
static int method_index(lua_State *L) {
    lua_pushvalue(L, 2);
    lua_rawget(L, lua_upvalueindex(1));
    return 1;
}

/* The core's types are private to corpusindex.lua (a user meets the
 * IndexCorpus built on them), so their methods sit behind a function, as
 * corpusrun.Tokens's do, not in a table help() would list. */
static void new_type(lua_State *L, const char *name, lua_CFunction gc, const luaL_Reg *methods) {
    luaL_newmetatable(L, name);
    lua_pushcfunction(L, gc);
    lua_setfield(L, -2, "__gc");
    lua_pushcfunction(L, gc);
    lua_setfield(L, -2, "__close");
    if (methods) {
        lua_newtable(L);
        luaL_setfuncs(L, methods, 0);
        lua_pushcclosure(L, method_index, 1);
        lua_setfield(L, -2, "__index");
    }
    lua_pop(L, 1);
}

int luaopen_corpusindex_core(lua_State *L) {
    new_type(L, TMP_MT, tmp_gc, NULL);
    new_type(L, BUILDER_MT, builder_gc, builder_methods);
    new_type(L, INDEX_MT, index_gc, index_methods);
    luaL_getmetatable(L, INDEX_MT);   /* a to-be-closed Index closes as ix:close() does */
    lua_pushcfunction(L, index_close);
    lua_setfield(L, -2, "__close");
    lua_pop(L, 1);
    luaL_newlib(L, funcs);
    return 1;
}
