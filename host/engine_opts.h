/* engine_opts.h — the count and match bindings' shared types and the
 * checks of their own options (the tokeniser options are textopts_lua.h's).  Included by
 * lcount.c and lmatch.c only (static functions). */
#ifndef CORPUSRUN_ENGINE_OPTS_H
#define CORPUSRUN_ENGINE_OPTS_H

#include <lauxlib.h>
#include <lua.h>
#include <string.h>

#include "cooc.h"
#include "countattr.h"
#include "counter.h"
#include "countext.h"
#include "textopts_lua.h"
#include "tokenizer.h"

/* The counter userdata of lcount.c (the match binding counts into a Freq). */
#define FREQ_MT "corpusrun.Freq"
#define NGRAMS_MT "corpusrun.Ngrams"
#define COOC_MT "corpusrun.Cooc"

enum { K_CLOSED = 0, K_FREQ = 1, K_DF = 2, K_NGRAMS = 3, K_COOC = 4 };
/* Or'ed into a dump's kind: an n-gram or co-occurrence counter of an attribute. */
#define K_ATTR_FLAG 0x10u

typedef struct Count {
    int kind;            /* K_CLOSED once closed */
    int opened;          /* the kind it was opened as (for messages) */
    unsigned version;    /* bumped by every change: iterators check it */
    cr_textopts o;
    char lang[8];        /* lang of an undumped counter (c:dump keeps it) */
    int directed;        /* cooc: pairs() reports directions by default */
    cr_textscratch s;
    cr_buf key;          /* an n-gram's joined key for top() and items(); freed on close */
    char attr[CR_ATTR_MAX];  /* the tokens' attribute counted ("lemma", "lemma/upos"); "" words */
    cr_buf join;         /* a pair's joined key (attr "a/b"); freed on close */
    char *where;         /* with attr: the tokens counted (countattr.h's encoding), NULL all; freed on close */
    size_t where_len;
    struct cr_tagscratch *tagged; /* with attr, fed text: its tagged tokens (tagtext.h); freed on close */
    union {
        cr_counter f;
        cr_ngrams g;
        cr_cooc c;
    } u;
} Count;

/* The tokeniser options (textopts_lua.h) plus these names of the function,
 * checked and read from the table at argument arg. */
static inline void eng_textopts(lua_State *L, int arg, cr_textopts *o, const char *extra) {
    crl_textopts(L, arg, o, extra);
}

/* The option table at idx must be nil or a table. */
static inline void eng_check_opts(lua_State *L, int idx) {
    if (!lua_isnoneornil(L, idx)) luaL_checktype(L, idx, LUA_TTABLE);
}

/* Raises, on argument arg, for a key of the table not among allowed
 * (space-separated names) nor a tokeniser option. */
static inline void eng_check_keys(lua_State *L, int arg, const char *allowed) {
    crl_check_keys(L, arg, allowed);
}

/* The messages of the function's own options follow those of the tokeniser
 * options: "option 'k' must be ALLOWED, not 'v'". */
static inline void eng_opt_enum(lua_State *L, int idx, const char *field, const char *const names[], int *out) {
    if (lua_getfield(L, idx, field) != LUA_TNIL) {
        const char *s = lua_type(L, -1) == LUA_TSTRING ? lua_tostring(L, -1) : NULL;
        int i = 0;
        if (s)
            for (; names[i]; i++)
                if (strcmp(names[i], s) == 0) break;
        if (!s || !names[i]) {
            luaL_Buffer b;
            luaL_buffinit(L, &b);
            for (int j = 0; names[j]; j++) {
                if (j) luaL_addstring(&b, names[j + 1] ? ", " : " or ");
                luaL_addchar(&b, '"');
                luaL_addstring(&b, names[j]);
                luaL_addchar(&b, '"');
            }
            luaL_pushresult(&b);
            const char *allowed = lua_tostring(L, -1);
            if (s) luaL_argerror(L, idx, lua_pushfstring(L, "option '%s' must be %s, not '%s'", field, allowed, s));
            luaL_argerror(L, idx, lua_pushfstring(L, "option '%s' must be %s, not a %s", field, allowed,
                                                  luaL_typename(L, -2)));
        }
        *out = i;
    }
    lua_pop(L, 1);
}

static inline void eng_opt_bool(lua_State *L, int idx, const char *field, int *out) {
    if (lua_getfield(L, idx, field) != LUA_TNIL) {
        if (!lua_isboolean(L, -1))
            luaL_argerror(L, idx, lua_pushfstring(L, "option '%s' must be true or false, not a %s", field,
                                                  luaL_typename(L, -1)));
        *out = lua_toboolean(L, -1);
    }
    lua_pop(L, 1);
}

static inline lua_Integer eng_opt_int(lua_State *L, int idx, const char *field, lua_Integer dflt,
                               lua_Integer lo, lua_Integer hi) {
    lua_Integer v = dflt;
    if (lua_getfield(L, idx, field) != LUA_TNIL) {
        int isint;
        v = lua_tointegerx(L, -1, &isint);
        if (!isint)
            luaL_argerror(L, idx, lua_pushfstring(L, "option '%s' must be an integer, not a %s", field,
                                                  luaL_typename(L, -1)));
        if (v < lo || v > hi)
            luaL_argerror(L, idx, lua_pushfstring(L, "option '%s' must be %I..%I, not %I", field, lo, hi, v));
    }
    lua_pop(L, 1);
    return v;
}

#endif
