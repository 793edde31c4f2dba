/* positions_lua.h — the userdata corpusrun.Positions: a corpus seen as token
 * positions with attributes (host/text/cpos.h), made by the binding that
 * opened it (an index on disk, or documents read into memory) and read by
 * the query language's binding.  Static inline functions only. */
#ifndef CORPUSRUN_POSITIONS_LUA_H
#define CORPUSRUN_POSITIONS_LUA_H

#include <lauxlib.h>
#include <lua.h>

#include "text/cpos.h"

#define POSITIONS_MT "corpusrun.Positions"

typedef struct crl_positions {
    cp_corpus *c;   /* closed when collected unless borrowed; NULL once closed */
    int borrowed;   /* c belongs to the owner in user value 1, which stays
                       alive as long as this userdata does */
} crl_positions;

static int crl_positions_gc(lua_State *L) {
    crl_positions *u = luaL_checkudata(L, 1, POSITIONS_MT);
    if (u->borrowed) return 0;   /* the owner closes it */
    if (u->c) u->c->ops->close(u->c);
    u->c = NULL;
    return 0;
}

/* Pushes a new Positions owning c (closed when the userdata is collected). */
static inline void crl_push_positions(lua_State *L, cp_corpus *c) {
    crl_positions *u = lua_newuserdatauv(L, sizeof *u, 1);
    u->c = c;
    u->borrowed = 0;
    if (luaL_newmetatable(L, POSITIONS_MT)) {
        lua_pushcfunction(L, crl_positions_gc);
        lua_setfield(L, -2, "__gc");
        lua_pushcfunction(L, crl_positions_gc);
        lua_setfield(L, -2, "__close");
    }
    lua_setmetatable(L, -2);
}

/* Pushes a new Positions over c, which the value at index owner owns and
 * closes (kept alive by the Positions), or which the Positions comes to own
 * by crl_positions_take: one mapping of an index for its documents and its
 * positions. */
static inline void crl_push_positions_borrowed(lua_State *L, cp_corpus *c, int owner) {
    owner = lua_absindex(L, owner);
    crl_push_positions(L, c);
    ((crl_positions *)lua_touserdata(L, -1))->borrowed = 1;
    lua_pushvalue(L, owner);
    lua_setiuservalue(L, -2, 1);
}

/* The Positions at index arg (made by crl_push_positions_borrowed) owns its
 * corpus from now on, and no longer keeps its former owner alive. */
static inline void crl_positions_take(lua_State *L, int arg) {
    crl_positions *u = luaL_checkudata(L, arg, POSITIONS_MT);
    u->borrowed = 0;
    lua_pushnil(L);
    lua_setiuservalue(L, lua_absindex(L, arg), 1);
}

/* The corpus of the Positions at index arg; raises when it is not one or
 * has been closed. */
static inline cp_corpus *crl_check_positions(lua_State *L, int arg) {
    crl_positions *u = luaL_checkudata(L, arg, POSITIONS_MT);
    if (!u->c) luaL_argerror(L, arg, "positions closed");
    return u->c;
}

#endif
