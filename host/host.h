/* host.h — the corpusrun host: Lua state setup and the services that
 * main.c and repl.c share.  Above the bindings, below nothing but main. */
#ifndef CORPUSRUN_HOST_H
#define CORPUSRUN_HOST_H

#include <lua.h>

#define CORPUSRUN_PROGNAME "corpusrun"

/* Opens the standard libraries, registers the C modules in
 * package.preload, sets package.path (lib/lua beside the executable, then
 * CORPUSRUN_PATH), and records the default corpus.  argv0 locates the
 * executable.  Returns 0 or raises. */
int cr_host_setup(lua_State *L, const char *argv0);

/* The directory of corpusrun's Lua library, named by a program that embeds
 * the host (corpusrun.h), instead of the search from the executable; NULL
 * restores the search.  Returns 0, or -1 when dir is not a directory. */
int cr_host_set_lib_dir(const char *dir);

/* Records the default corpus ($CORPUSRUN_CORPUS unless the registry's
 * LUA_NOENV is set, else ./corpus when it is a directory) unless one is
 * set already, and hands it to the corpus core.  cr_host_setup calls it. */
void cr_host_init_default_corpus(lua_State *L);

/* The host's own module `corpusrun` (package.preload's opener). */
int cr_host_open_module(lua_State *L);

/* What require "<mod>.core" gives: opens the private core with open (the
 * two arguments of the require on the stack) and pushes its view, an empty
 * table whose __index and __pairs reach the core. */
int cr_host_open_core(lua_State *L, lua_CFunction open);

/* Calls the function below narg arguments on the stack, like lua_pcall,
 * with a traceback message handler and Ctrl-C turned into an error whose
 * message is CR_HOST_INTERRUPTED, without a traceback.  Returns the
 * lua_pcall status. */
int cr_host_docall(lua_State *L, int narg, int nres);

#define CR_HOST_INTERRUPTED "interrupted"
/* Exit status of a run stopped by Ctrl-C (128 + SIGINT, as shells report). */
#define CR_HOST_INTERRUPTED_STATUS 130
/* Did the last cr_host_docall end because of Ctrl-C? */
int cr_host_was_interrupted(void);

/* Prints the error message on top of the stack (if status != LUA_OK) to
 * stderr prefixed with the program name, and pops it.  Returns status. */
int cr_host_report(lua_State *L, int status);

/* Prints a message to stderr as "corpusrun: msg". */
void cr_host_message(const char *progname, const char *msg);

/* The default corpus path (-c, $CORPUSRUN_CORPUS, ./corpus) or NULL. */
const char *cr_host_default_corpus(void);
void cr_host_set_default_corpus(const char *path);

/* The directory of the analysis scripts (scripts/ in the source tree,
 * PREFIX/share/corpusrun/scripts when installed), or NULL. */
const char *cr_host_scripts_dir(void);

/* The script being run (NULL for -e, stdin, the REPL): corpusrun.script. */
void cr_host_set_script(const char *path);

/* Puts the script's directory after lib/lua in package.path. */
void cr_host_add_script_dir(lua_State *L, const char *script);

/* Worker count for c:fold (-j N, $CORPUSRUN_JOBS); 1 when unset. */
void cr_host_set_jobs(int jobs);
/* The worker count from $CORPUSRUN_JOBS (1 to 1024, else left alone),
 * unless the registry's LUA_NOENV is set. */
void cr_host_jobs_from_env(lua_State *L);

/* Set by the first Ctrl-C while Lua code runs; long C loops may poll it. */
#include <signal.h>
extern volatile sig_atomic_t cr_host_interrupted;

/* Cluster mode (--shard K/N --parts DIR [--manifest F] or --merge DIR):
 * shard < 0 when not sharding; strings are borrowed from argv. */
void cr_host_set_cluster(long shard, long shards, const char *parts, const char *merge,
                         const char *manifest);
/* --partitions R with --shard (0: none); --partition r with --merge (-1: none). */
void cr_host_set_partitions(long partitions, long partition);

/* Streaming mode (--map, --reduce) for Hadoop Streaming and pipes. */
void cr_host_set_streaming(int map, int reduce);

/* Adds corpusrun.parallel(n, fn) to the table on top of the stack. */
void cr_host_open_parallel(lua_State *L);
/* Seconds on a monotonic wall clock (host/parallel.c). */
double cr_host_clock(void);

/* sandbox.c: memory cap, CPU-time hook, supervised child with rlimits, and
 * corpusrun.realpath / corpusrun.memory for lib/lua/sandbox.lua. */
#include <stddef.h>
void cr_sandbox_count_memory(lua_State *L);
void cr_sandbox_set_memory_limit(size_t bytes);
void cr_sandbox_set_cpu_limit(lua_State *L, double seconds);
int cr_sandbox_fork(size_t memory, double seconds, size_t file_size);
int cr_sandbox_policy_begin(void);
void cr_sandbox_push_core(lua_State *L);
void cr_sandbox_open(lua_State *L);

/* Runs the interactive loop (repl.c) until end of input.  Returns 0. */
int cr_repl_run(lua_State *L);
/* What an interactive session has (repl.c): the modules as globals, help,
 * and in the registry the pretty-printer module and complete.lua. */
void cr_repl_prepare(lua_State *L);
#define CR_REPL_KEY_PRETTY "corpusrun.repl.pretty"
#define CR_REPL_KEY_COMPLETE "corpusrun.repl.complete"
#define CR_REPL_KEY_DISPLAY "corpusrun.repl.display"   /* lib/lua/display.lua, for the kernel */
#define CR_REPL_KEY_PROGRESS "corpusrun.repl.progress" /* lib/lua/progress.lua, for the kernel */
/* listdir(path): the names in a directory, or nothing (for complete.lua). */
int cr_repl_listdir(lua_State *L);

/* Serves the Jupyter kernel described by the connection file (kernel.c)
 * until a shutdown_request.  Returns 0, or -1 after a message on stderr. */
int cr_kernel_run(lua_State *L, const char *connection_file);
/* Writes the kernelspec into DIR/share/jupyter/kernels/corpusrun (prefix)
 * or the user's Jupyter data directory (prefix NULL).  Returns 0 or -1. */
int cr_kernel_install(const char *prefix);

#endif
