/* postag_lua.h — the part-of-speech tagger's model for the bindings
 * (tokenize.tag, counters fed text with an attribute): each model file is
 * read once per Lua state and kept in the registry, freed with it. */
#ifndef CORPUSRUN_POSTAG_LUA_H
#define CORPUSRUN_POSTAG_LUA_H

#include <lauxlib.h>
#include <lua.h>
#include <limits.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "postag.h"

#define CRL_POSTAG_MODELS "corpusrun.postag.models"
#define CRL_POSTAG_MT "corpusrun.postag.model"

static int crl_postag_gc(lua_State *L) {
    postag_model **p = luaL_checkudata(L, 1, CRL_POSTAG_MT);
    postag_model_free(*p);
    *p = NULL;
    return 0;
}

/* Pushes the default model path: $CORPUSRUN_TAGGER_MODEL, else postag.model
 * beside the executable (the build directory, where `make tagger-model`
 * writes it). */
static void crl_postag_default(lua_State *L) {
    const char *env = getenv("CORPUSRUN_TAGGER_MODEL");
    if (env && *env) {
        lua_pushstring(L, env);
        return;
    }
    char exe[PATH_MAX];
    ssize_t n = readlink("/proc/self/exe", exe, sizeof exe - 1);
    if (n <= 0) {
        lua_pushliteral(L, "postag.model");
        return;
    }
    exe[n] = '\0';
    char *slash = strrchr(exe, '/');
    if (slash) *slash = '\0';
    lua_pushfstring(L, "%s/postag.model", exe);
}

/* The model at path (NULL: the default).  On failure pushes nil and a
 * message and returns NULL; on success pushes nothing. */
static postag_model *crl_postag_model(lua_State *L, const char *path) {
    if (path) lua_pushstring(L, path);
    else crl_postag_default(L);
    int pi = lua_gettop(L);
    if (lua_getfield(L, LUA_REGISTRYINDEX, CRL_POSTAG_MODELS) != LUA_TTABLE) {
        lua_pop(L, 1);
        lua_newtable(L);
        lua_pushvalue(L, -1);
        lua_setfield(L, LUA_REGISTRYINDEX, CRL_POSTAG_MODELS);
    }
    int ti = lua_gettop(L);
    lua_pushvalue(L, pi);
    if (lua_gettable(L, ti) == LUA_TUSERDATA) {
        postag_model *m = *(postag_model **)lua_touserdata(L, -1);
        lua_settop(L, pi - 1);
        return m;
    }
    lua_pop(L, 1);
    postag_model **p = lua_newuserdatauv(L, sizeof *p, 0);
    *p = NULL;
    if (luaL_newmetatable(L, CRL_POSTAG_MT)) {
        lua_pushcfunction(L, crl_postag_gc);
        lua_setfield(L, -2, "__gc");
    }
    lua_setmetatable(L, -2);
    char err[512];
    *p = postag_model_load(lua_tostring(L, pi), err, sizeof err);
    if (!*p) {
        lua_settop(L, pi - 1);
        lua_pushnil(L);
        lua_pushfstring(L, "no part-of-speech tagger model: %s (`make tagger-model` builds it)", err);
        return NULL;
    }
    lua_pushvalue(L, pi);
    lua_pushvalue(L, -2);
    lua_settable(L, ti);
    postag_model *m = *p;
    lua_settop(L, pi - 1);
    return m;
}
#endif
