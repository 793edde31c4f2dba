/* sandbox.c — the process side of `corpusrun --sandbox`: a memory cap on
 * Lua's allocator, a CPU-time limit enforced by an instruction hook that
 * re-arms (so pcall cannot swallow it), and a supervised child process with
 * OS limits (address space, CPU time, file size).  The Lua side — what a
 * sandboxed script may call and touch — is lib/lua/sandbox.lua. */
#include <errno.h>
#include <limits.h>
#include <signal.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/resource.h>
#include <sys/wait.h>
#include <time.h>
#include <unistd.h>

#include <lauxlib.h>

#include "host.h"

/* ---- counting allocator ------------------------------------------------ */

typedef struct mem_account {
    lua_Alloc inner;
    void *inner_ud;
    size_t used;
    size_t limit; /* 0: none */
    size_t peak;
} mem_account;

static mem_account account;

static void *counting_alloc(void *ud, void *ptr, size_t osize, size_t nsize) {
    mem_account *a = ud;
    size_t old = ptr ? osize : 0;
    if (nsize > old && a->limit != 0 && a->used - old + nsize > a->limit) return NULL;
    void *p = a->inner(a->inner_ud, ptr, osize, nsize);
    if (p != NULL || nsize == 0) {
        a->used = a->used - old + nsize;
        if (a->used > a->peak) a->peak = a->used;
    }
    return p;
}

/* Routes the state's allocations through the counter, starting from what
 * Lua has already allocated, so frees of earlier blocks balance. */
void cr_sandbox_count_memory(lua_State *L) {
    if (account.inner != NULL) return;
    account.inner = lua_getallocf(L, &account.inner_ud);
    account.used = (size_t)lua_gc(L, LUA_GCCOUNT) * 1024 + (size_t)lua_gc(L, LUA_GCCOUNTB);
    account.peak = account.used;
    lua_setallocf(L, counting_alloc, &account);
}

void cr_sandbox_set_memory_limit(size_t bytes) { account.limit = bytes; }

/* ---- CPU time limit ----------------------------------------------------- */

static double cpu_deadline = 0; /* seconds of process CPU time; 0: none */
static double cpu_limit = 0;
static int timed_out = 0;

static double cpu_seconds(void) {
    struct timespec ts;
    if (clock_gettime(CLOCK_PROCESS_CPUTIME_ID, &ts) != 0) return 0;
    return (double)ts.tv_sec + (double)ts.tv_nsec / 1e9;
}

/* Every 10 000 instructions: past the deadline, raise, and from then on
 * raise at every instruction, in every coroutine that runs. */
static void cpu_hook(lua_State *L, lua_Debug *ar) {
    (void)ar;
    if (!timed_out && cpu_seconds() < cpu_deadline) return;
    if (!timed_out) {
        timed_out = 1;
        lua_sethook(L, cpu_hook, LUA_MASKCOUNT, 1);
    }
    luaL_error(L, "CPU time limit exceeded (%f s)", cpu_limit);
}

void cr_sandbox_set_cpu_limit(lua_State *L, double seconds) {
    cpu_limit = seconds;
    cpu_deadline = cpu_seconds() + seconds;
    lua_sethook(L, cpu_hook, LUA_MASKCOUNT, 10000);
    /* Bindings that run long C work (SQLite) read the deadline from here. */
    lua_pushnumber(L, cpu_deadline);
    lua_setfield(L, LUA_REGISTRYINDEX, "corpusrun.sandbox");
}

/* ---- the supervised child ------------------------------------------------ */

static int set_limit(int resource, rlim_t value) {
    struct rlimit r;
    if (getrlimit(resource, &r) != 0) return -1;
    if (r.rlim_max != RLIM_INFINITY && value > r.rlim_max) value = r.rlim_max;
    r.rlim_cur = value;
    return setrlimit(resource, &r);
}

#if defined(__SANITIZE_ADDRESS__)
#define ADDRESS_SPACE_LIMIT 0 /* ASan reserves terabytes of address space */
#else
#define ADDRESS_SPACE_LIMIT 1
#endif

/* Forks: the child returns 0 with its limits set and goes on to run the
 * script; the parent waits, then exits with the child's status (a child
 * killed for its limits is reported).  Returns -1 when fork fails. */
int cr_sandbox_fork(size_t memory, double seconds, size_t file_size) {
    fflush(NULL);
    pid_t pid = fork();
    if (pid < 0) return -1;
    if (pid == 0) {
        /* Headroom over the Lua cap: the program, libraries and C buffers. */
        if (ADDRESS_SPACE_LIMIT && memory > 0)
            set_limit(RLIMIT_AS, (rlim_t)memory + (rlim_t)256 * 1024 * 1024);
        if (seconds > 0) set_limit(RLIMIT_CPU, (rlim_t)seconds + 2);
        if (file_size > 0) set_limit(RLIMIT_FSIZE, (rlim_t)file_size);
        set_limit(RLIMIT_CORE, 0);
        return 0;
    }
    signal(SIGINT, SIG_IGN); /* the child gets Ctrl-C and reports it */
    int status;
    while (waitpid(pid, &status, 0) < 0) {
        if (errno != EINTR) {
            perror(CORPUSRUN_PROGNAME ": waitpid");
            _exit(1);
        }
    }
    if (WIFEXITED(status)) _exit(WEXITSTATUS(status));
    int sig = WTERMSIG(status);
    const char *why = sig == SIGXCPU   ? "CPU time limit exceeded"
                      : sig == SIGXFSZ ? "file size limit exceeded"
                      : sig == SIGKILL ? "killed (memory or CPU limit)"
                                       : strsignal(sig);
    fprintf(stderr, "%s: sandboxed script stopped: %s\n", CORPUSRUN_PROGNAME, why);
    _exit(1);
}

/* ---- Lua helpers for lib/lua/sandbox.lua -------------------------------- */

/* realpath(path) → absolute path, or nil, message.  With `parent` true, the
 * last component may not exist yet (a file about to be written): its
 * directory is resolved and the name appended. */
static int l_realpath(lua_State *L) {
    const char *path = luaL_checkstring(L, 1);
    int parent = lua_toboolean(L, 2);
    char out[PATH_MAX];
    if (realpath(path, out) != NULL) {
        lua_pushstring(L, out);
        return 1;
    }
    if (!parent || errno != ENOENT) return luaL_fileresult(L, 0, path);
    const char *slash = strrchr(path, '/');
    const char *base = slash ? slash + 1 : path;
    if (*base == '\0' || strcmp(base, ".") == 0 || strcmp(base, "..") == 0)
        return luaL_fileresult(L, 0, path);
    char dir[PATH_MAX];
    if (slash == NULL) snprintf(dir, sizeof dir, ".");
    else if (slash == path) snprintf(dir, sizeof dir, "/");
    else snprintf(dir, sizeof dir, "%.*s", (int)(slash - path), path);
    if (realpath(dir, out) == NULL) return luaL_fileresult(L, 0, dir);
    size_t n = strlen(out);
    if (n + 1 + strlen(base) >= sizeof out) return luaL_error(L, "path too long: %s", path);
    if (n > 1) out[n++] = '/';
    strcpy(out + n, base);
    lua_pushstring(L, out);
    return 1;
}

static int l_memory(lua_State *L) {
    lua_pushinteger(L, (lua_Integer)account.used);
    lua_pushinteger(L, (lua_Integer)account.limit);
    lua_pushinteger(L, (lua_Integer)account.peak);
    return 3;
}

void cr_sandbox_open(lua_State *L) {
    lua_pushcfunction(L, l_realpath);
    lua_setfield(L, -2, "realpath");
    lua_pushcfunction(L, l_memory);
    lua_setfield(L, -2, "memory");
}
