/* modules.c — corpusrun's C modules for a stock Lua 5.4 interpreter.
 *
 * `make lua-modules` links the bindings, the cores of host/text and the
 * host's own module into one shared object, build/lua/corpusrun.so, and
 * gives it every name Lua's C searcher looks for: corpus/core.so,
 * count/core.so, tokenize/core.so, match/core.so, lsqlite3.so,
 * lsqlite3complete.so and flock.so are symbolic links to it.  This file
 * holds the entry points the binary does not need:
 *
 *  - luaopen_<mod>_core of each private core, which gives what the host's
 *    package.preload gives (cr_host_open_core: the core's view).  In this
 *    build the Makefile renames each binding's own luaopen_<mod>_core to
 *    cr_core_open_<mod>_core, so that the names Lua looks for are these;
 *  - luaopen_lsqlite3complete, the other name the host gives lsqlite3;
 *  - luaopen_corpusrun, the host's module with what the command line sets
 *    taken from where a stock interpreter keeps it: the default corpus from
 *    $CORPUSRUN_CORPUS or ./corpus, the fold's workers from $CORPUSRUN_JOBS,
 *    the script from `arg` (lua.c's table), all ignored as lua5.4 -E says.
 *
 * The host's package.path has no equivalent here: LUA_PATH (or the install
 * directories) finds lib/lua, LUA_CPATH this object (docs/embedding.md). */
#include <limits.h>
#include <stdio.h>
#include <string.h>

#include <lauxlib.h>
#include <lua.h>

#include "host.h"

/* One entry per binding (build/preload.h): a private core (last argument 1)
 * gets its luaopen here; a public binding exports its own. */
#define CR_ENTRY_0(fn)
#define CR_ENTRY_1(fn)                                                                   \
    int cr_core_open_##fn(lua_State *L);                                                 \
    int luaopen_##fn(lua_State *L);                                                      \
    int luaopen_##fn(lua_State *L) { return cr_host_open_core(L, cr_core_open_##fn); }
#define CORPUSRUN_MODULE(fn, name, private_core) CR_ENTRY_##private_core(fn)
#include "preload.h"
#undef CORPUSRUN_MODULE

int luaopen_lsqlite3(lua_State *L);
int luaopen_lsqlite3complete(lua_State *L);
int luaopen_corpusrun(lua_State *L);

int luaopen_lsqlite3complete(lua_State *L) { return luaopen_lsqlite3(L); }

/* The script lua.c runs: arg[0] when arg[-1] exists (without a script,
 * lua.c puts the interpreter at arg[0] and nothing below it), not "-"
 * (standard input, which the command line does not count as a script
 * either).  Kept here: the host borrows the string. */
static char script[PATH_MAX];

static void script_from_arg(lua_State *L) {
    if (lua_getglobal(L, "arg") == LUA_TTABLE && lua_rawgeti(L, -1, -1) != LUA_TNIL &&
        lua_rawgeti(L, -2, 0) == LUA_TSTRING) {
        const char *s = lua_tostring(L, -1);
        if (strcmp(s, "-") != 0 && strlen(s) < sizeof script) {
            memcpy(script, s, strlen(s) + 1);
            cr_host_set_script(script);
        }
    }
    lua_settop(L, 0);
}

int luaopen_corpusrun(lua_State *L) {
    cr_host_init_default_corpus(L);
    cr_host_jobs_from_env(L);
    script_from_arg(L);
    return cr_host_open_module(L);
}
