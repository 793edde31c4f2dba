/* sandbox.c — the process side of `corpusrun --sandbox`: a memory cap on
 * Lua's allocator, a CPU-time limit enforced by an instruction hook that
 * re-arms (so pcall cannot swallow it), a supervised child process with OS
 * limits (address space, CPU time, file size), and the file policy
 * (host/text/pathpolicy.c) turned on in that child, with SQLite's files
 * routed through it by a VFS.  The Lua side — what a sandboxed script may
 * call — is lib/lua/sandbox.lua; the functions it must not be able to
 * change (opening files, the grants, string.rep) are the C ones here. */
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
#include <lualib.h>
#include <sqlite3.h>

#include "host.h"
#include "pathpolicy.h"

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

/* ---- SQLite: every file it opens goes through the policy ------------------ */

static sqlite3_vfs *base_vfs;   /* the default VFS the policy one wraps */
static sqlite3_vfs policy_vfs;

/* A journal or WAL file is judged by its database: written when the database
 * may be written, read when it may be read.  Anonymous temporary files
 * (name NULL) are made in the system's temporary directory and unlinked at
 * once; a directory set for them (sqlite3.temp_directory is refused, but
 * `PRAGMA temp_store_directory` sets it too) would place them anywhere, so
 * none is made then. */
static int policy_xopen(sqlite3_vfs *vfs, const char *name, sqlite3_file *file, int flags, int *out) {
    (void)vfs;
    if (name == NULL && sqlite3_temp_directory != NULL) {
        sqlite3_log(SQLITE_CANTOPEN, "sandbox: a temporary file in '%s' is not allowed", sqlite3_temp_directory);
        return SQLITE_CANTOPEN;
    }
    if (name != NULL) {
        const char *path = (flags & (SQLITE_OPEN_MAIN_JOURNAL | SQLITE_OPEN_WAL)) ? sqlite3_filename_database(name)
                                                                                  : name;
        pp_access how = (flags & SQLITE_OPEN_READWRITE) ? PP_WRITE : PP_READ;
        char why[PP_MSG_SIZE];
        if (pp_check(path, how, NULL, why, sizeof why) != 0) {
            if (how == PP_READ || !(flags & SQLITE_OPEN_MAIN_DB) ||
                pp_check(path, PP_READ, NULL, why, sizeof why) != 0) {
                sqlite3_log(SQLITE_CANTOPEN, "%s", why);
                return SQLITE_CANTOPEN;
            }
            /* a database that may only be read opens read-only, as the unix
             * VFS does for a file it may not write */
            flags = (flags & ~(SQLITE_OPEN_READWRITE | SQLITE_OPEN_CREATE)) | SQLITE_OPEN_READONLY;
        }
    }
    return base_vfs->xOpen(base_vfs, name, file, flags, out);
}

static int policy_xdelete(sqlite3_vfs *vfs, const char *name, int sync_dir) {
    (void)vfs;
    static const char *const suffixes[] = {"-journal", "-wal", "-shm", NULL};
    char db[PATH_MAX];
    const char *path = name;
    size_t n = strlen(name);
    for (int i = 0; suffixes[i] != NULL; i++) {
        size_t k = strlen(suffixes[i]);
        if (n > k && n - k < sizeof db && strcmp(name + n - k, suffixes[i]) == 0) {
            memcpy(db, name, n - k);
            db[n - k] = '\0';
            path = db;
            break;
        }
    }
    char why[PP_MSG_SIZE];
    if (pp_check(path, PP_WRITE, NULL, why, sizeof why) != 0) return SQLITE_IOERR_DELETE;
    return base_vfs->xDelete(base_vfs, name, sync_dir);
}

static void *policy_xdlopen(sqlite3_vfs *vfs, const char *name) {
    (void)vfs;
    (void)name;
    return NULL; /* no extension is loaded under the sandbox */
}

static void policy_xdlerror(sqlite3_vfs *vfs, int n, char *out) {
    (void)vfs;
    if (n > 0) snprintf(out, (size_t)n, "loading extensions is not allowed in the sandbox");
}

/* Makes the policy VFS SQLite's only file VFS: URI names (SQLite here is
 * built with them on) can no longer pick another with ?vfs=. */
static int route_sqlite(void) {
    sqlite3_config(SQLITE_CONFIG_URI, 0); /* fails harmlessly once initialised */
    if (sqlite3_initialize() != SQLITE_OK || (base_vfs = sqlite3_vfs_find(NULL)) == NULL) return -1;
    policy_vfs = *base_vfs;
    policy_vfs.pNext = NULL;
    policy_vfs.zName = "corpusrun-sandbox";
    policy_vfs.xOpen = policy_xopen;
    policy_vfs.xDelete = policy_xdelete;
    policy_vfs.xDlOpen = policy_xdlopen;
    policy_vfs.xDlError = policy_xdlerror;
    if (sqlite3_vfs_register(&policy_vfs, 1) != SQLITE_OK) return -1;
    for (sqlite3_vfs *v = sqlite3_vfs_find(NULL); v != NULL;) {
        sqlite3_vfs *next = v->pNext;
        if (v != &policy_vfs && strcmp(v->zName, "memdb") != 0) sqlite3_vfs_unregister(v);
        v = next;
    }
    return 0;
}

/* Turns the file policy on, with nothing granted yet (lib/lua/sandbox.lua
 * grants what the command line names, once).  0, or -1 when SQLite could not
 * be routed through it. */
int cr_sandbox_policy_begin(void) {
    pp_activate();
    return route_sqlite();
}

/* ---- the C functions lib/lua/sandbox.lua builds the environment from ------ */

/* grant({ {path, "read"|"write"}, ... }): grants each path (a path that
 * cannot be resolved is skipped: opening it is refused or reported missing
 * later) and locks the policy; a second call raises. */
static int core_grant(lua_State *L) {
    luaL_checktype(L, 1, LUA_TTABLE);
    if (!pp_active()) return luaL_error(L, "sandbox: the file policy is off");
    lua_Integer n = luaL_len(L, 1);
    for (lua_Integer i = 1; i <= n; i++) {
        lua_geti(L, 1, i);
        luaL_checktype(L, -1, LUA_TTABLE);
        lua_geti(L, -1, 1);
        lua_geti(L, -2, 2);
        const char *path = luaL_checkstring(L, -2);
        const char *how = luaL_checkstring(L, -1);
        char why[PP_MSG_SIZE];
        if (pp_grant(path, strcmp(how, "write") == 0 ? PP_WRITE : PP_READ, why, sizeof why) != 0 &&
            strstr(why, "locked") != NULL)
            return luaL_error(L, "%s", why);
        lua_pop(L, 3);
    }
    pp_lock();
    return 0;
}

static int io_fclose(lua_State *L) {
    luaL_Stream *p = (luaL_Stream *)luaL_checkudata(L, 1, LUA_FILEHANDLE);
    errno = 0;
    return luaL_fileresult(L, fclose(p->f) == 0, NULL);
}

static int valid_mode(const char *mode) {
    if (*mode == '\0' || strchr("rwa", *mode++) == NULL) return 0;
    if (*mode == '+') mode++;
    return strspn(mode, "b") == strlen(mode);
}

/* open(path [, mode]): io.open through the policy.  A refusal raises; a file
 * that cannot be opened returns nil, message, errno, as io.open does. */
static int core_open(lua_State *L) {
    const char *path = luaL_checkstring(L, 1);
    const char *mode = luaL_optstring(L, 2, "r");
    luaL_argcheck(L, valid_mode(mode), 2, "invalid mode");
    luaL_Stream *p = (luaL_Stream *)lua_newuserdatauv(L, sizeof *p, 0);
    p->closef = NULL; /* closed, until it is open */
    luaL_setmetatable(L, LUA_FILEHANDLE);
    char why[PP_MSG_SIZE];
    p->f = pp_fopen(path, mode, why, sizeof why);
    if (p->f == NULL) {
        int e = errno;
        if (pp_refused()) return luaL_error(L, "%s", why);
        luaL_pushfail(L);
        lua_pushstring(L, why);
        lua_pushinteger(L, e);
        return 3;
    }
    p->closef = io_fclose;
    return 1;
}

/* rep(s, n [, sep]): string.rep (the upvalue), refused when the result would
 * not fit in what is left under the memory limit. */
static int core_rep(lua_State *L) {
    size_t l, lsep;
    luaL_checklstring(L, 1, &l);
    lua_Integer n = luaL_checkinteger(L, 2);
    luaL_optlstring(L, 3, "", &lsep);
    if (n > 0 && l + lsep > 0 && account.limit != 0) {
        size_t left = account.limit > account.used ? account.limit - account.used : 0;
        size_t unit = l + lsep;
        if ((lua_Unsigned)n > (SIZE_MAX >> 1) / unit)
            return luaL_error(L, "sandbox: string.rep of %I copies of %I bytes exceeds the memory limit (%I bytes left)",
                              n, (lua_Integer)unit, (lua_Integer)left);
        size_t total = (size_t)n * unit - lsep;
        if (total > left)
            return luaL_error(L, "sandbox: string.rep of %I bytes exceeds the memory limit (%I bytes left)",
                              (lua_Integer)total, (lua_Integer)left);
    }
    lua_pushvalue(L, lua_upvalueindex(1));
    lua_insert(L, 1);
    lua_call(L, lua_gettop(L) - 1, 1);
    return 1;
}

/* Pushes the table of the C functions above (for sandbox.run's options). */
void cr_sandbox_push_core(lua_State *L) {
    lua_createtable(L, 0, 3);
    lua_pushcfunction(L, core_grant);
    lua_setfield(L, -2, "grant");
    lua_pushcfunction(L, core_open);
    lua_setfield(L, -2, "open");
    luaL_requiref(L, LUA_STRLIBNAME, luaopen_string, 0);
    lua_getfield(L, -1, "rep");
    lua_pushcclosure(L, core_rep, 1);
    lua_setfield(L, -3, "rep");
    lua_pop(L, 1);
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
