/* embed_api.c — the embedding API (host/corpusrun.h) from outside: states
 * set up as the binary's, errors returned as messages with tracebacks,
 * Ctrl-C stopping Lua without ending the program, the caller's SIGINT
 * handler kept, the stack balanced.  Linked with libcorpusrun.a; runs from
 * the project root (lib/lua, corpus/). */
#define _POSIX_C_SOURCE 200809L /* sigaction, setenv: as a program of its own */
#include <signal.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include <corpusrun.h>
#include <lauxlib.h>
#include <lua.h>

#include "tap.h"

static volatile sig_atomic_t own_handler_ran;
static void own_handler(int sig) {
    (void)sig;
    own_handler_ran = 1;
}
static void ring(int sig) {
    (void)sig;
    raise(SIGINT); /* as a Ctrl-C would */
}

/* ok when the call returned no error; else shows the message. */
static void no_error(const char *err, const char *name) {
    if (!ok(err == NULL, "%s", name)) printf("# %s\n", err);
}

static int has(const char *s, const char *part) { return s != NULL && strstr(s, part) != NULL; }

/* The value of a Lua expression as a string (tostring), or NULL. */
static char *eval(lua_State *L, const char *expr) {
    static char out[256];
    lua_getglobal(L, "tostring");
    if (luaL_loadstring(L, lua_pushfstring(L, "return %s", expr)) != LUA_OK) return NULL;
    lua_remove(L, -2);
    if (cr_host_pcall(L, 0, 1) != NULL) return NULL;
    if (cr_host_pcall(L, 1, 1) != NULL) return NULL;
    snprintf(out, sizeof out, "%s", lua_tostring(L, -1));
    lua_pop(L, 1);
    return out;
}

int main(void) {
    cr_host_config config = {.libdir = "lib/lua", .corpus = "corpus"};
    lua_State *L = cr_host_new(&config);
    ok(L != NULL, "cr_host_new gives a state");
    if (L == NULL) return tap_done();

    no_error(cr_host_dostring(L, "x = 6 * 7"), "a chunk that runs returns NULL");
    is_str(eval(L, "x"), "42", "and its globals stay in the state");
    is_int(lua_gettop(L), 0, "the stack is as before");

    is_str(eval(L, "#require('corpus').open()"), "5", "corpus.open() opens the configured default corpus");
    no_error(cr_host_dostring(L, "local count = require 'count'\n"
                                 "local acc = require('corpus').open():fold(\n"
                                 "  function() return count.freq() end,\n"
                                 "  function(f, doc) f:add_text(doc.text) end, { jobs = 2 })\n"
                                 "the = acc:get('the')"),
             "c:fold with two workers runs inside the program");
    is_str(eval(L, "the"), "216", "and counts the sample corpus as the binary does");
    char *cwd = getcwd(NULL, 0);
    const char *first = eval(L, "package.path:match('^[^;]+')");
    char want[4096];
    snprintf(want, sizeof want, "%s/lib/lua/?.lua", cwd ? cwd : "");
    is_str(first, want, "package.path begins with the library directory given");
    free(cwd);

    const char *err = cr_host_dostring(L, "local t = nil\nreturn t.field");
    ok(has(err, "attempt to index a nil value") && has(err, "stack traceback:"),
       "a runtime error comes back as its message with the traceback");
    char copy[1024];
    snprintf(copy, sizeof copy, "%s", err ? err : "");
    is_int(lua_gettop(L), 0, "the stack is as before the failed call");
    ok(err != NULL && strcmp(err, copy) == 0, "the message stays valid until the next call");
    err = cr_host_dostring(L, "return (");
    ok(has(err, "unexpected symbol") || has(err, "<eof>"), "a syntax error comes back as its message");
    err = cr_host_dofile(L, "tests/data/no/such/file.lua");
    ok(has(err, "cannot open") && has(err, "no/such/file.lua"), "a missing file is named in the message");
    err = cr_host_dostring(L, "error(setmetatable({}, {__tostring = function() return 'custom' end}))");
    is_str(err, "custom", "an error object with __tostring is shown by it");
    err = cr_host_dostring(L, "require('corpus').open(42)");
    if (!ok(has(err, "bad argument #1 to 'open'") && has(err, "in function 'corpus.open'"),
            "misuse raises; the traceback names the function as users call it"))
        printf("# %s\n", err ? err : "(no error)");

    /* cr_host_pcall: results stay, errors pop the function and arguments */
    lua_pushinteger(L, 7); /* something of the caller's below */
    lua_getglobal(L, "string");
    lua_getfield(L, -1, "rep");
    lua_remove(L, -2);
    lua_pushliteral(L, "ab");
    lua_pushinteger(L, 3);
    no_error(cr_host_pcall(L, 2, 1), "cr_host_pcall calls a function");
    is_str(lua_tostring(L, -1), "ababab", "and leaves its result");
    lua_pop(L, 1);
    lua_getglobal(L, "error");
    lua_pushliteral(L, "from C");
    err = cr_host_pcall(L, 1, 1);
    ok(has(err, "from C") && has(err, "stack traceback:"), "an error raised by the called function is its message");
    is_int(lua_gettop(L), 1, "the function and its arguments are popped, the caller's values kept");
    is_int(lua_tointeger(L, 1), 7, "(the caller's value)");
    lua_settop(L, 0);

    /* Ctrl-C: stops the Lua code, the program goes on, its handler stays */
    struct sigaction sa, now;
    memset(&sa, 0, sizeof sa);
    sa.sa_handler = own_handler;
    sigemptyset(&sa.sa_mask);
    sigaction(SIGINT, &sa, NULL);
    signal(SIGALRM, ring);
    alarm(1);
    err = cr_host_dostring(L, "while true do end");
    is_str(err, "interrupted", "Ctrl-C stops a running chunk and comes back as \"interrupted\"");
    sigaction(SIGINT, NULL, &now);
    ok(now.sa_handler == own_handler, "the program's own SIGINT handler is back after the call");
    is_int(own_handler_ran, 0, "(and the Ctrl-C went to the host, not to it)");
    no_error(cr_host_dostring(L, "y = 1"), "the state runs code again after an interruption");
    raise(SIGINT);
    is_int(own_handler_ran, 1, "a Ctrl-C between calls reaches the program's handler");
    signal(SIGINT, SIG_DFL);
    cr_host_close(L);

    /* settings: jobs, the environment, a bad library directory */
    setenv("CORPUSRUN_CORPUS", "tests/data", 1);
    setenv("CORPUSRUN_JOBS", "3", 1);
    L = cr_host_new(&(cr_host_config){.libdir = "lib/lua"});
    ok(L != NULL, "a second state after the first is closed");
    if (L != NULL) {
        is_str(eval(L, "require('corpusrun').default_corpus()"), "tests/data", "no corpus given: $CORPUSRUN_CORPUS");
        is_str(eval(L, "require('corpusrun').jobs"), "3", "no jobs given: $CORPUSRUN_JOBS");
        cr_host_close(L);
    }
    L = cr_host_new(&(cr_host_config){.libdir = "lib/lua", .ignore_env = 1, .jobs = 2});
    ok(L != NULL, "a state that ignores the environment");
    if (L != NULL) {
        is_str(eval(L, "require('corpusrun').default_corpus()"), "corpus", "ignore_env: ./corpus, not $CORPUSRUN_CORPUS");
        is_str(eval(L, "require('corpusrun').jobs"), "2", "jobs as configured");
        is_str(eval(L, "os.getenv('CORPUSRUN_CORPUS') ~= nil and package.path:find('tests/data', 1, true) == nil"),
               "true", "(the variable is set, and ignored)");
        cr_host_close(L);
    }
    unsetenv("CORPUSRUN_CORPUS");
    unsetenv("CORPUSRUN_JOBS");
    ok(cr_host_new(&(cr_host_config){.libdir = "no/such/dir"}) == NULL, "a library directory that does not exist: NULL");
    ok(cr_host_new(&(cr_host_config){.jobs = -1}) == NULL, "a negative worker count: NULL");
    cr_host_close(NULL);
    ok(1, "cr_host_close(NULL) does nothing");
    return tap_done();
}
