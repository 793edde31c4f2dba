/* lflock.c — the `flock` module: advisory whole-file locks (flock(2)) that
 * the kernel releases when the process holding them ends, however it ends.
 * corpusdb takes one on a corpus database for the length of an ingest, so
 * that two writers never interleave; SQLite's own locks (fcntl byte ranges)
 * are a separate mechanism and are not disturbed.
 *
 * A descriptor this module opens is never closed while the process runs:
 * closing any descriptor of a file drops every fcntl lock the process holds
 * on it, SQLite's read and write locks on the same database included.  A
 * released lock's descriptor is kept and reused by the next lock of the
 * same file.  Exports luaopen_flock. */
#include <lauxlib.h>
#include <lua.h>

#include "pathpolicy.h"

#include <errno.h>
#include <fcntl.h>
#include <string.h>
#include <sys/file.h>
#include <sys/stat.h>
#include <time.h>
#include <unistd.h>

#define LOCK_MT "corpusrun.Lock"

typedef struct Lock {
    int fd;      /* -1 once released */
    pid_t owner; /* the process that took it (a forked child does not release it) */
} Lock;

static Lock *checklock(lua_State *L, int idx) { return luaL_checkudata(L, idx, LOCK_MT); }

/* Descriptors of released locks, by file, for the next lock of the same
 * file (the host is single-threaded; forked workers get their own copy).
 * One more than the table holds stays open unrecorded. */
#define PARKED 16
static struct { dev_t dev; ino_t ino; int fd; } parked[PARKED];
static int nparked;

static void park(int fd) {
    struct stat st;
    if (nparked < PARKED && fstat(fd, &st) == 0) {
        parked[nparked].dev = st.st_dev;
        parked[nparked].ino = st.st_ino;
        parked[nparked].fd = fd;
        nparked++;
    }
}

/* A parked descriptor of the file at path, or -1. */
static int unpark(const char *path) {
    struct stat st;
    if (stat(path, &st) != 0) return -1;
    for (int i = 0; i < nparked; i++)
        if (parked[i].dev == st.st_dev && parked[i].ino == st.st_ino) {
            int fd = parked[i].fd;
            parked[i] = parked[--nparked];
            return fd;
        }
    return -1;
}

static void release(Lock *k) {
    if (k->fd < 0) return;
    /* a forked child holds the same open file description: unlocking there
     * would unlock the parent */
    if (k->owner == getpid()) flock(k->fd, LOCK_UN);
    park(k->fd);
    k->fd = -1;
}

static void sleep_ms(long ms) {
    struct timespec ts = { ms / 1000, (ms % 1000) * 1000000L };
    while (nanosleep(&ts, &ts) != 0 && errno == EINTR) {}
}

/* flock.lock(path [, opts]) -> lock, or nil, message, "busy" | "error".
 * opts: shared (default false: exclusive), wait (seconds to wait for a lock
 * held elsewhere, default 0), create (default false: the file must exist). */
static int l_lock(lua_State *L) {
    const char *path = luaL_checkstring(L, 1);
    int shared = 0, create = 0;
    lua_Number wait = 0;
    if (!lua_isnoneornil(L, 2)) {
        luaL_checktype(L, 2, LUA_TTABLE);
        lua_getfield(L, 2, "shared");
        shared = lua_toboolean(L, -1);
        lua_getfield(L, 2, "create");
        create = lua_toboolean(L, -1);
        lua_getfield(L, 2, "wait");
        if (!lua_isnil(L, -1)) {
            int isnum;
            wait = lua_tonumberx(L, -1, &isnum);
            if (!isnum || !(wait >= 0) || wait > 86400)
                luaL_argerror(L, 2, "option 'wait' must be a number of seconds from 0 to 86400");
        }
        lua_pop(L, 3);
    }
    Lock *k = lua_newuserdatauv(L, sizeof *k, 0);
    k->fd = -1;
    k->owner = getpid();
    luaL_setmetatable(L, LOCK_MT);
    int fd = unpark(path);
    if (fd < 0) {
        /* Through the sandbox's path policy: locking reads the file, and
         * creating it is a write. */
        char msg[PP_MSG_SIZE];
        if (create && pp_check(path, PP_WRITE, NULL, msg, sizeof msg) != 0) fd = -1;
        else fd = pp_open(path, O_RDONLY | (create ? O_CREAT : 0), 0666, msg, sizeof msg);
        if (fd < 0 && pp_refused()) return luaL_error(L, "%s", msg); /* as io.open: a refusal raises */
        if (fd < 0) {
            lua_pushnil(L);
            lua_pushstring(L, msg);
            lua_pushliteral(L, "error");
            return 3;
        }
    }
    k->fd = fd;
    long waited = 0, limit = (long)(wait * 1000);
    for (;;) {
        if (flock(fd, (shared ? LOCK_SH : LOCK_EX) | LOCK_NB) == 0) return 1;
        int e = errno;
        if (e == EINTR) continue;
        if (e != EWOULDBLOCK || waited >= limit) {
            release(k);
            lua_pushnil(L);
            if (e == EWOULDBLOCK) lua_pushfstring(L, "%s: already locked", path);
            else lua_pushfstring(L, "%s: %s", path, strerror(e));
            lua_pushstring(L, e == EWOULDBLOCK ? "busy" : "error");
            return 3;
        }
        long step = limit - waited < 50 ? limit - waited : 50;
        sleep_ms(step);
        waited += step;
    }
}

/* lock:release(): idempotent; also on garbage collection and <close>. */
static int m_release(lua_State *L) {
    release(checklock(L, 1));
    return 0;
}

static int m_held(lua_State *L) {
    lua_pushboolean(L, checklock(L, 1)->fd >= 0);
    return 1;
}

static int m_tostring(lua_State *L) {
    Lock *k = checklock(L, 1);
    lua_pushfstring(L, "Lock (%s)", k->fd >= 0 ? "held" : "released");
    return 1;
}

/* flock.pid() -> the id of this process (a fold worker has its own). */
static int l_pid(lua_State *L) {
    lua_pushinteger(L, (lua_Integer)getpid());
    return 1;
}

int luaopen_flock(lua_State *L) {
    static const luaL_Reg methods[] = { { "release", m_release }, { "held", m_held }, { NULL, NULL } };
    static const luaL_Reg meta[] = {
        { "__gc", m_release }, { "__close", m_release }, { "__tostring", m_tostring }, { NULL, NULL } };
    static const luaL_Reg funcs[] = { { "lock", l_lock }, { "pid", l_pid }, { NULL, NULL } };
    luaL_newmetatable(L, LOCK_MT);
    luaL_setfuncs(L, meta, 0);
    luaL_newlib(L, methods);
    lua_setfield(L, -2, "__index");
    lua_pop(L, 1);
    luaL_newlib(L, funcs);
    return 1;
}
