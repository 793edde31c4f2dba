/* repl.c — the interactive loop, as lua.c's: lines from stdin, `return
 * <line>` tried first, continuation lines while the chunk is incomplete. */
#include <stdio.h>
#include <string.h>

#include <lauxlib.h>

#include "host.h"

#define MAXINPUT 4096

static const char *get_prompt(lua_State *L, int firstline) {
    if (lua_getglobal(L, firstline ? "_PROMPT" : "_PROMPT2") == LUA_TNIL) {
        lua_pop(L, 1);
        return lua_pushstring(L, firstline ? "> " : ">> ");
    }
    const char *p = luaL_tolstring(L, -1, NULL);
    lua_remove(L, -2);
    return p;
}

/* Reads one line into a new string on the stack; 0 at end of input. */
static int pushline(lua_State *L, int firstline) {
    char buffer[MAXINPUT];
    const char *prompt = get_prompt(L, firstline);
    fputs(prompt, stdout);
    fflush(stdout);
    lua_pop(L, 1);
    if (fgets(buffer, sizeof buffer, stdin) == NULL) return 0;
    size_t l = strlen(buffer);
    if (l > 0 && buffer[l - 1] == '\n') buffer[--l] = '\0';
    if (firstline && buffer[0] == '=')
        lua_pushfstring(L, "return %s", buffer + 1);
    else
        lua_pushlstring(L, buffer, l);
    return 1;
}

static int incomplete(lua_State *L, int status) {
    static const char eofmark[] = "<eof>";
    if (status == LUA_ERRSYNTAX) {
        size_t lmsg;
        const char *msg = lua_tolstring(L, -1, &lmsg);
        size_t lmark = sizeof eofmark - 1;
        if (lmsg >= lmark && strcmp(msg + lmsg - lmark, eofmark) == 0) {
            lua_pop(L, 1);
            return 1;
        }
    }
    return 0;
}

static int addreturn(lua_State *L) {
    const char *line = lua_tostring(L, -1);
    const char *retline = lua_pushfstring(L, "return %s;", line);
    int status = luaL_loadbuffer(L, retline, strlen(retline), "=stdin");
    if (status == LUA_OK) lua_remove(L, -2);
    else lua_pop(L, 2);
    return status;
}

static int multiline(lua_State *L) {
    for (;;) {
        size_t len;
        const char *line = lua_tolstring(L, 1, &len);
        int status = luaL_loadbuffer(L, line, len, "=stdin");
        if (!incomplete(L, status) || !pushline(L, 0)) return status;
        lua_pushliteral(L, "\n");
        lua_insert(L, -2);
        lua_concat(L, 3);
    }
}

static int loadline(lua_State *L) {
    lua_settop(L, 0);
    if (!pushline(L, 1)) return -1;
    int status = addreturn(L);
    if (status != LUA_OK) status = multiline(L);
    lua_remove(L, 1);
    return status;
}

static void print_results(lua_State *L) {
    int n = lua_gettop(L);
    if (n == 0) return;
    luaL_checkstack(L, LUA_MINSTACK, "too many results to print");
    lua_getglobal(L, "print");
    lua_insert(L, 1);
    if (lua_pcall(L, n, 0, 0) != LUA_OK)
        cr_host_message(CORPUSRUN_PROGNAME,
                        lua_pushfstring(L, "error calling 'print' (%s)", lua_tostring(L, -1)));
}

int cr_repl_run(lua_State *L) {
    int status;
    while ((status = loadline(L)) != -1) {
        if (status == LUA_OK) status = cr_host_docall(L, 0, LUA_MULTRET);
        if (status == LUA_OK) print_results(L);
        else cr_host_report(L, status);
    }
    lua_settop(L, 0);
    fputs("\n", stdout);
    fflush(stdout);
    return 0;
}
