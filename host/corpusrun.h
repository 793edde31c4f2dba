/* corpusrun.h — corpusrun's Lua environment inside another C program.
 *
 * A state from cr_host_new is the one the corpusrun binary runs its
 * scripts in: Lua's standard libraries, corpusrun's modules (corpus,
 * tokenize, count, match, lsqlite3, flock, the host module corpusrun and
 * the Lua library) found by require, package.path set from the library
 * directory, the default corpus, and Lua's incremental collector.  Code run
 * through cr_host_dofile, cr_host_dostring or cr_host_pcall gets the
 * binary's message handler (a traceback) and its Ctrl-C handling (the first
 * SIGINT stops the Lua code and the C loops at the next safe point, the
 * caller's SIGINT handler is put back after the call); an error comes back
 * as a message, never as an exit.
 *
 * Link with libcorpusrun.a and the libraries
 * `pkg-config --libs corpusrun` names (docs/embedding.md).
 *
 * Process-wide, as in the binary: the default corpus, the worker count and
 * the library directory are settings of the process, set by each
 * cr_host_new; states may live side by side, but not in two threads at
 * once. */
#ifndef CORPUSRUN_H
#define CORPUSRUN_H

#include <lua.h>

#ifdef __cplusplus
extern "C" {
#endif

/* Settings of cr_host_new; a zeroed struct (or NULL) takes every default. */
typedef struct cr_host_config {
    /* corpusrun's Lua library (lib/lua of the source tree, or
     * PREFIX/share/corpusrun/lua once installed); NULL: found from the
     * executable's location as the binary finds it (lib/lua beside it or one
     * level up, or ../share/corpusrun/lua).  $CORPUSRUN_PATH adds to it. */
    const char *libdir;
    /* the default corpus, as -c PATH; NULL: $CORPUSRUN_CORPUS, else
     * ./corpus when it is a directory */
    const char *corpus;
    /* worker processes for c:fold, as -j N (1 to 1024); 0: one */
    int jobs;
    /* nonzero: ignore the environment variables, as -E */
    int ignore_env;
} cr_host_config;

/* A new state set up as the binary's, or NULL when memory is short or the
 * library directory given does not exist. */
lua_State *cr_host_new(const cr_host_config *config);

/* Runs a Lua file (NULL: standard input) or a string of Lua code.  Returns
 * NULL when it ran, else the error message (with the traceback; "interrupted"
 * after Ctrl-C), which stays valid until the next cr_host_* call on this
 * state.  The stack is as before the call. */
const char *cr_host_dofile(lua_State *L, const char *path);
const char *cr_host_dostring(lua_State *L, const char *code);

/* Calls the function below narg arguments on the stack, as lua_pcall with
 * the host's message handler, leaving nres results (LUA_MULTRET: all).
 * Returns NULL, or the error message (function and arguments popped, as
 * they are on success). */
const char *cr_host_pcall(lua_State *L, int narg, int nres);

/* Closes the state (open corpora, databases and counters are closed by
 * their finalizers) and frees what cr_host_new allocated. */
void cr_host_close(lua_State *L);

#ifdef __cplusplus
}
#endif

#endif
