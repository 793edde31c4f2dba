/* tokens_lua.h — the userdata corpusrun.Tokens (doc.tokens of an annotated
 * document: CoNLL-U, VRT, word/TAG), made by lcorpus.c and read by lcount.c
 * (f:add_tokens counts one attribute of every token in C).  Static inline
 * functions only. */
#ifndef CORPUSRUN_TOKENS_LUA_H
#define CORPUSRUN_TOKENS_LUA_H

#include <lauxlib.h>
#include <lua.h>

#include "load.h"

#define TOKENS_MT "corpusrun.Tokens"

typedef struct crl_tokens {
    ld_tokens *t;   /* owned (ld_tokens_dup); NULL once collected */
} crl_tokens;

/* The tokens at index i, or NULL when the value is not a Tokens. */
static inline const ld_tokens *crl_totokens(lua_State *L, int i) {
    crl_tokens *u = luaL_testudata(L, i, TOKENS_MT);
    return u ? u->t : NULL;
}

/* Index of the attribute named by the string at index arg of t; raises,
 * naming the attributes there are, when t has no such attribute. */
static inline size_t crl_tokens_attr(lua_State *L, const ld_tokens *t, const char *name, size_t len, int arg) {
    long a = ld_tokens_attr(t, name, len);
    if (a < 0) {
        luaL_Buffer b;
        luaL_buffinit(L, &b);
        for (size_t k = 0; k < t->nattr; k++) {
            if (k) luaL_addstring(&b, ", ");
            luaL_addstring(&b, ld_tokens_name(t, k));
        }
        luaL_pushresult(&b);
        luaL_argerror(L, arg, lua_pushfstring(L, "no attribute '%s' (the tokens have %s)", name, lua_tostring(L, -1)));
    }
    return (size_t)a;
}

#endif
