/* buf_lua.h — a cr_buf (host/text/buf.h) owned by a Lua userdata, for a
 * binding that fills a buffer while calling functions that can raise (a
 * push, a callback into Lua, luaL_error): the userdata's __gc and __close
 * free the bytes, so an error leaks nothing.  Free the buffer early with
 * cr_buf_free once its bytes are pushed; collecting it again is harmless.
 * Static functions: each binding includes this file. */
#ifndef CORPUSRUN_BUF_LUA_H
#define CORPUSRUN_BUF_LUA_H

#include <lauxlib.h>
#include <lua.h>

#include "buf.h"

#define CRL_BUF_MT "corpusrun.Buffer"

static inline int crl_buf_gc(lua_State *L) {
    cr_buf_free(luaL_checkudata(L, 1, CRL_BUF_MT));
    return 0;
}

/* Pushes a new userdata holding an empty cr_buf and returns the buffer. */
static inline cr_buf *crl_newbuf(lua_State *L) {
    cr_buf *b = lua_newuserdatauv(L, sizeof *b, 0);
    cr_buf_init(b);
    if (luaL_newmetatable(L, CRL_BUF_MT)) {
        lua_pushcfunction(L, crl_buf_gc);
        lua_setfield(L, -2, "__gc");
        lua_pushcfunction(L, crl_buf_gc);
        lua_setfield(L, -2, "__close");
    }
    lua_setmetatable(L, -2);
    return b;
}

#endif
