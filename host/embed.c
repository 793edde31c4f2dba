/* embed.c — the public embedding API (corpusrun.h) over the host's own
 * setup (cr_host_setup) and protected call (cr_host_docall): the state a
 * program gets is the one the binary runs its scripts in. */
#include <string.h>

#include <lauxlib.h>
#include <lua.h>

#include "corpusrun.h"
#include "host.h"

/* Registry key of the last error message, created (as false) by
 * cr_host_new, so that storing a message later allocates nothing: a state
 * out of memory still reports "not enough memory". */
#define ERROR_KEY "corpusrun.embed.error"

static int setup(lua_State *L) {
    const cr_host_config *config = lua_touserdata(L, 1);
    lua_settop(L, 0);
    if (config->ignore_env) {
        lua_pushboolean(L, 1);
        lua_setfield(L, LUA_REGISTRYINDEX, "LUA_NOENV");
    }
    cr_host_setup(L, NULL);
    cr_host_set_jobs(config->jobs);
    if (config->jobs == 0) cr_host_jobs_from_env(L);
    lua_pushboolean(L, 0);
    lua_setfield(L, LUA_REGISTRYINDEX, ERROR_KEY);
    return 0;
}

lua_State *cr_host_new(const cr_host_config *config) {
    static const cr_host_config defaults = {0};
    if (config == NULL) config = &defaults;
    if (config->jobs < 0 || config->jobs > 1024) return NULL;
    if (cr_host_set_lib_dir(config->libdir) != 0) return NULL;
    cr_host_set_default_corpus(config->corpus); /* NULL: cr_host_setup looks for one */
    lua_State *L = luaL_newstate();
    if (L == NULL) return NULL;
    lua_gc(L, LUA_GCSTOP);
    lua_pushcfunction(L, setup);
    lua_pushlightuserdata(L, (void *)config);
    if (lua_pcall(L, 1, 0, 0) != LUA_OK) {
        lua_close(L);
        return NULL;
    }
    /* Incremental, as the binary (main.c says why). */
    lua_gc(L, LUA_GCRESTART);
    lua_gc(L, LUA_GCINC, 0, 0, 0);
    return L;
}

/* The error on top of the stack (status != LUA_OK), popped and kept under
 * ERROR_KEY; the message. */
static const char *keep_error(lua_State *L) {
    if (lua_type(L, -1) != LUA_TSTRING) { /* only the message handler makes strings of others */
        lua_pop(L, 1);
        lua_pushliteral(L, "(error object is not a string)");
    }
    lua_setfield(L, LUA_REGISTRYINDEX, ERROR_KEY);
    lua_getfield(L, LUA_REGISTRYINDEX, ERROR_KEY);
    const char *msg = lua_tostring(L, -1); /* anchored in the registry */
    lua_pop(L, 1);
    return msg;
}

const char *cr_host_pcall(lua_State *L, int narg, int nres) {
    if (!lua_checkstack(L, 2)) {
        lua_pop(L, narg + 1);
        return "not enough memory";
    }
    if (cr_host_docall(L, narg, nres) == LUA_OK) return NULL;
    return keep_error(L);
}

static const char *run(lua_State *L, int status) {
    if (status != LUA_OK) return keep_error(L);
    return cr_host_pcall(L, 0, 0);
}

const char *cr_host_dofile(lua_State *L, const char *path) {
    return run(L, luaL_loadfile(L, path));
}

const char *cr_host_dostring(lua_State *L, const char *code) {
    return run(L, luaL_loadbuffer(L, code, strlen(code), code));
}

void cr_host_close(lua_State *L) {
    if (L != NULL) lua_close(L);
}
