/* textopts_lua.h — the tokeniser options of a Lua table, for every binding
 * that tokenises (ltokenize.c, lcount.c, lmatch.c): each value converted to
 * text and given to cr_textopts_set (host/text/textopts.h), so that every
 * function takes the same names and values and raises the same messages,
 * as luaL_argerror on the argument that holds the table.  Static functions:
 * each binding includes this file. */
#ifndef CORPUSRUN_TEXTOPTS_LUA_H
#define CORPUSRUN_TEXTOPTS_LUA_H

#include <lauxlib.h>
#include <lua.h>
#include <string.h>

#include "textopts.h"

/* Raises the setter's message for the option at arg, naming the type of a
 * value that has none of the forms an option takes. */
static inline int crl_textopt_error(lua_State *L, int arg, const char *err, int vi) {
    if (vi) return luaL_argerror(L, arg, lua_pushfstring(L, "%s, not a %s", err, luaL_typename(L, vi)));
    return luaL_argerror(L, arg, err);
}

/* Pushes the text of the Lua value at vi as option key takes it: a boolean
 * as true or false, a string, a number as text, for kinds an array of kind
 * names joined by commas; nil for any other value.  Raises for an array of
 * kinds with an entry that is not a string. */
static inline const char *crl_textopt_text(lua_State *L, int arg, const char *key, int vi) {
    vi = lua_absindex(L, vi);
    int t = lua_type(L, vi);
    if (t == LUA_TBOOLEAN) return lua_pushstring(L, lua_toboolean(L, vi) ? "true" : "false");
    if (t == LUA_TSTRING || t == LUA_TNUMBER) {
        lua_pushvalue(L, vi);
        return lua_tostring(L, -1);
    }
    if (t == LUA_TTABLE && !strcmp(key, "kinds")) {
        luaL_Buffer b;
        lua_Integer n = luaL_len(L, vi);
        luaL_buffinit(L, &b);
        for (lua_Integer i = 1; i <= n; i++) {
            int et = lua_rawgeti(L, vi, i);
            if (et != LUA_TSTRING) {
                char err[256];
                cr_textopts scratch;
                cr_textopts_set(&scratch, key, NULL, err, sizeof err);
                luaL_argerror(L, arg, lua_pushfstring(L, "%s, not a %s in the list", err, lua_typename(L, et)));
            }
            if (i > 1) luaL_addchar(&b, ',');
            luaL_addvalue(&b);
        }
        luaL_pushresult(&b);
        return lua_tostring(L, -1);
    }
    lua_pushnil(L);
    return NULL;
}

/* Sets the tokeniser option key of o from the Lua value at vi
 * (crl_textopt_text), raising luaL_argerror on argument arg with the
 * setter's message for a bad value; key must be one of cr_textopts_keys. */
static inline void crl_textopt_set(lua_State *L, int arg, cr_textopts *o, const char *key, int vi) {
    char err[256];
    vi = lua_absindex(L, vi);
    const char *v = crl_textopt_text(L, arg, key, vi);
    if (cr_textopts_set(o, key, v, err, sizeof err) != 0) crl_textopt_error(L, arg, err, v ? 0 : vi);
    lua_pop(L, 1);
}

/* Whether the space-separated list names has name. */
static inline int crl_has_name(const char *names, const char *name) {
    size_t n = strlen(name);
    if (!n || strchr(name, ' ')) return 0;
    for (const char *p = strstr(names, name); p; p = strstr(p + 1, name))
        if ((p == names || p[-1] == ' ') && (p[n] == ' ' || p[n] == 0)) return 1;
    return 0;
}

/* Raises "unknown option 'k'" for a key of the table at arg that is neither
 * a tokeniser option nor among extra (space-separated names; NULL: none). */
static inline void crl_check_keys(lua_State *L, int arg, const char *extra) {
    if (!lua_istable(L, arg)) return;
    arg = lua_absindex(L, arg);
    lua_pushnil(L);
    while (lua_next(L, arg)) {
        lua_pop(L, 1);
        if (lua_type(L, -1) != LUA_TSTRING)
            luaL_argerror(L, arg, lua_pushfstring(L, "option names must be strings, not a %s", luaL_typename(L, -1)));
        const char *k = lua_tostring(L, -1);
        if (!cr_textopts_is_key(k) && !(extra && crl_has_name(extra, k)))
            luaL_argerror(L, arg, lua_pushfstring(L, "unknown option '%s'", k));
    }
}

/* Reads the tokeniser options of the table at arg (nil or none: keep o) in
 * the order of cr_textopts_keys; other keys are the caller's, checked with
 * crl_check_keys. */
static inline void crl_read_textopts(lua_State *L, int arg, cr_textopts *o) {
    if (lua_isnoneornil(L, arg)) return;
    luaL_checktype(L, arg, LUA_TTABLE);
    arg = lua_absindex(L, arg);
    for (const char *const *k = cr_textopts_keys; *k; k++) {
        if (lua_getfield(L, arg, *k) != LUA_TNIL) crl_textopt_set(L, arg, o, *k, -1);
        lua_pop(L, 1);
    }
}

/* Both: checks the keys of the table at arg against the tokeniser options
 * and extra, then reads the tokeniser options into o. */
static inline void crl_textopts(lua_State *L, int arg, cr_textopts *o, const char *extra) {
    if (!lua_isnoneornil(L, arg)) luaL_checktype(L, arg, LUA_TTABLE);
    crl_check_keys(L, arg, extra);
    crl_read_textopts(L, arg, o);
}

#endif
