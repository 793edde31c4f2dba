/* parallel.c — corpusrun.parallel(n, fn): runs fn(k) for k = 1..n in n
 * forked worker processes and returns the n strings they return, in worker
 * order.  This is the process layer under c:fold; what the strings hold (the
 * serialised accumulators) is fold.lua's business.
 *
 * Protocol on each worker's pipe: one status byte ('+' success, '-' error)
 * followed by the payload (the returned string, or the error message).
 * A worker that dies without a status byte is reported with its exit status
 * or signal.  The parent reaps every child on every path: no zombies, and on
 * failure or Ctrl-C the remaining workers are terminated.
 *
 * corpusrun.parallel(n, fn, on_progress): fn(k, report) also gets a report
 * function; report(docs, bytes [, final]) sends worker k's running totals to
 * the parent (at most every 0.1 s unless final) through one progress pipe
 * that every worker shares (a record is shorter than PIPE_BUF, so writes
 * never interleave), and the parent calls on_progress(k, docs, bytes) as
 * records arrive.  Nothing of it reaches stdout or stderr.
 *
 * corpusrun.parallel(n, fn, on_progress, {sync = true}): fn(k, report,
 * sync) also gets sync(), a barrier: it returns once every worker has
 * called it (as many times).  Each worker has a pipe of its own that every
 * worker can write to; sync() writes one byte to each and reads n from its
 * own.  No worker can pass round r + 1 before every one has written its
 * byte of round r, so the n bytes read are those of one round.  A worker
 * that fails or dies never reaches it: the parent then stops the others
 * (a closed pipe without a success is a failure). */
#define _GNU_SOURCE /* F_SETPIPE_SZ (Linux) */
#include <errno.h>
#include <fcntl.h>
#include <poll.h>
#include <signal.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/types.h>
#include <sys/wait.h>
#include <time.h>
#include <unistd.h>

#include <lauxlib.h>

#include "buf.h"
#include "host.h"

/* The size asked of a worker's pipe. */
#define PIPE_SIZE (1 << 20)

typedef struct worker {
    pid_t pid;
    int fd;          /* read end of the worker's pipe; -1 once at EOF */
    int wfd;         /* its write end, until the worker is forked; then -1 */
    cr_buf out;      /* everything read from the pipe */
    int status;      /* waitpid status */
    int reaped;
    int stopped;     /* terminated by us while still running (its own output may be cut) */
} worker;

typedef struct worker_set {
    worker *w;
    int n;
    int prog[2];     /* the progress pipe, or -1 */
    cr_buf progress; /* bytes read from it, not yet a whole record */
    int *barrier;    /* with sync: 2n descriptors, worker i's pipe at 2i (read), 2i + 1 (write); -1 once closed */
    int n_barrier;   /* n, the pipes in it */
} worker_set;

/* One progress record: worker k's totals so far. */
typedef struct progress_rec {
    int64_t k, docs, bytes;
} progress_rec;

double cr_host_clock(void) {
    struct timespec ts;
    clock_gettime(CLOCK_MONOTONIC, &ts);
    return (double)ts.tv_sec + (double)ts.tv_nsec / 1e9;
}

static void write_all(int fd, const char *p, size_t n) {
    while (n > 0) {
        ssize_t k = write(fd, p, n);
        if (k < 0) {
            if (errno == EINTR) continue;
            _exit(3);
        }
        p += k;
        n -= (size_t)k;
    }
}

/* report(docs, bytes [, final]) in a worker: upvalues worker k and the
 * progress pipe's write end. */
static int l_report(lua_State *L) {
    static double last;
    progress_rec r;
    r.k = (int64_t)lua_tointeger(L, lua_upvalueindex(1));
    int fd = (int)lua_tointeger(L, lua_upvalueindex(2));
    r.docs = (int64_t)luaL_checkinteger(L, 1);
    r.bytes = (int64_t)luaL_checkinteger(L, 2);
    double now = cr_host_clock();
    if (!lua_toboolean(L, 3) && now - last < 0.1) return 0;
    last = now;
    const char *p = (const char *)&r;
    size_t n = sizeof r;
    while (n > 0) {
        ssize_t k = write(fd, p, n);
        if (k < 0) {
            if (errno == EINTR) continue;
            return 0; /* the parent stopped listening: progress is optional */
        }
        p += k;
        n -= (size_t)k;
    }
    return 0;
}

/* sync() in worker k (upvalues: k, n, the barrier descriptors' userdata). */
static int l_sync(lua_State *L) {
    int k = (int)lua_tointeger(L, lua_upvalueindex(1));
    int n = (int)lua_tointeger(L, lua_upvalueindex(2));
    const int *fds = lua_touserdata(L, lua_upvalueindex(3));
    char byte = 's';
    for (int i = 0; i < n; i++) {
        ssize_t w;
        while ((w = write(fds[2 * i + 1], &byte, 1)) < 0 && errno == EINTR && !cr_host_interrupted) {
        }
        if (cr_host_interrupted) return luaL_error(L, CR_HOST_INTERRUPTED);
        if (w != 1) return luaL_error(L, "fold: the workers' barrier: %s", w < 0 ? strerror(errno) : "short write");
    }
    char buf[64];
    int got = 0;
    while (got < n) {
        size_t want = (size_t)(n - got) < sizeof buf ? (size_t)(n - got) : sizeof buf;
        ssize_t r = read(fds[2 * (k - 1)], buf, want);
        if (r < 0 && errno == EINTR && !cr_host_interrupted) continue;
        if (cr_host_interrupted) return luaL_error(L, CR_HOST_INTERRUPTED);
        if (r <= 0) return luaL_error(L, "fold: the workers' barrier: %s", r < 0 ? strerror(errno) : "closed");
        got += (int)r;
    }
    return 0;
}

/* In the child: run fn(k [, report [, sync]]), send the outcome, never return. */
static void run_child(lua_State *L, worker_set *s, int k, int fd, int prog_fd) {
    lua_pushvalue(L, 2);
    lua_pushinteger(L, k);
    int nargs = 1;
    if (prog_fd >= 0) {
        lua_pushinteger(L, k);
        lua_pushinteger(L, prog_fd);
        lua_pushcclosure(L, l_report, 2);
        nargs = 2;
    }
    if (s->barrier) {
        if (nargs == 1) lua_pushnil(L), nargs = 2;
        /* the other workers' read ends are not this one's to hold */
        for (int i = 0; i < s->n_barrier; i++)
            if (i != k - 1 && s->barrier[2 * i] >= 0) close(s->barrier[2 * i]), s->barrier[2 * i] = -1;
        lua_pushinteger(L, k);
        lua_pushinteger(L, s->n_barrier);
        lua_pushlightuserdata(L, s->barrier);
        lua_pushcclosure(L, l_sync, 3);
        nargs = 3;
    }
    int status = cr_host_docall(L, nargs, 1);
    const char *tag = "+";
    size_t len = 0;
    const char *payload = "";
    if (status != LUA_OK) {
        tag = "-";
        payload = lua_tolstring(L, -1, &len);
        if (payload == NULL) payload = "(error object is not a string)", len = strlen(payload);
    } else if (lua_type(L, -1) == LUA_TSTRING) {
        payload = lua_tolstring(L, -1, &len);
    } else {
        tag = "-";
        payload = lua_pushfstring(L, "worker function returned %s, not a string",
                                  luaL_typename(L, -1));
        len = strlen(payload);
    }
    fflush(NULL);
    write_all(fd, tag, 1);
    write_all(fd, payload, len);
    close(fd);
    _exit(0);
}

static void terminate_all(worker_set *s) {
    for (int i = 0; i < s->n; i++)
        if (s->w[i].pid > 0 && !s->w[i].reaped) {
            kill(s->w[i].pid, SIGTERM);
            if (s->w[i].fd >= 0) s->w[i].stopped = 1;
        }
}

static void reap_all(worker_set *s) {
    for (int i = 0; i < s->n; i++) {
        worker *w = &s->w[i];
        if (w->pid <= 0 || w->reaped) continue;
        while (waitpid(w->pid, &w->status, 0) < 0 && errno == EINTR) {
        }
        w->reaped = 1;
    }
}

static void close_barrier(worker_set *s) {
    if (!s->barrier) return;
    for (int i = 0; i < 2 * s->n_barrier; i++)
        if (s->barrier[i] >= 0) close(s->barrier[i]), s->barrier[i] = -1;
}

static void free_all(worker_set *s) {
    close_barrier(s);
    free(s->barrier);
    s->barrier = NULL;
    for (int i = 0; i < s->n; i++) {
        if (s->w[i].fd >= 0) close(s->w[i].fd);
        if (s->w[i].wfd >= 0) close(s->w[i].wfd);
        cr_buf_free(&s->w[i].out);
    }
    free(s->w);
    s->w = NULL;
    cr_buf_free(&s->progress);
    for (int i = 0; i < 2; i++)
        if (s->prog[i] >= 0) close(s->prog[i]), s->prog[i] = -1;
}

/* __gc / __close of the set: on any exit path (errors included) the
 * workers are stopped, reaped and freed. */
static int set_gc(lua_State *L) {
    worker_set *s = luaL_checkudata(L, 1, "corpusrun.WorkerSet");
    if (s->w != NULL) {
        terminate_all(s);
        reap_all(s);
        free_all(s); /* the progress pipe too */
    }
    return 0;
}

/* The progress records waiting on the progress pipe: on_progress (stack
 * index cb) is called for each.  Returns 0; -1 when out of memory (errno
 * ENOMEM); -2 when on_progress raised (its message is then on the stack
 * top). */
static int read_progress(lua_State *L, worker_set *s, int cb) {
    cr_buf *pb = &s->progress;
    for (;;) {
        if (cr_buf_reserve(pb, sizeof(progress_rec) * 64)) {
            errno = ENOMEM;
            return -1;
        }
        ssize_t k = read(s->prog[0], pb->data + pb->len, pb->cap - pb->len);
        if (k < 0 && errno == EINTR) continue;
        if (k <= 0) return 0; /* EAGAIN (nothing more for now) or EOF */
        pb->len += (size_t)k;
        size_t off = 0;
        while (pb->len - off >= sizeof(progress_rec)) {
            progress_rec r;
            memcpy(&r, pb->data + off, sizeof r);
            off += sizeof r;
            lua_pushvalue(L, cb);
            lua_pushinteger(L, (lua_Integer)r.k);
            lua_pushinteger(L, (lua_Integer)r.docs);
            lua_pushinteger(L, (lua_Integer)r.bytes);
            if (lua_pcall(L, 3, 0, 0) != LUA_OK) return -2;
        }
        memmove(pb->data, pb->data + off, pb->len - off);
        pb->len -= off;
    }
}

/* Reads every result pipe to EOF, and the progress pipe (when cb is not 0)
 * as records come.  Returns 0; -1 on Ctrl-C, a failed read or out of
 * memory; -2 when on_progress raised an error (left on the stack). */
static int collect(lua_State *L, worker_set *s, int cb) {
    int np = s->n + (cb ? 1 : 0);
    struct pollfd *pfd = calloc((size_t)np, sizeof *pfd);
    if (pfd == NULL) return -1;
    int open_count = s->n;
    while (open_count > 0) {
        for (int i = 0; i < s->n; i++) {
            pfd[i].fd = s->w[i].fd;
            pfd[i].events = POLLIN;
        }
        if (cb) {
            pfd[s->n].fd = s->prog[0];
            pfd[s->n].events = POLLIN;
        }
        int r = poll(pfd, (nfds_t)np, -1);
        if (r < 0) {
            if (errno == EINTR && !cr_host_interrupted) continue;
            free(pfd);
            return -1;
        }
        if (cb && (pfd[s->n].revents & (POLLIN | POLLHUP | POLLERR))) {
            int e = read_progress(L, s, cb);
            if (e != 0) {
                free(pfd);
                return e;
            }
        }
        for (int i = 0; i < s->n; i++) {
            if (pfd[i].fd < 0 || !(pfd[i].revents & (POLLIN | POLLHUP | POLLERR))) continue;
            /* straight into the worker's buffer, as much as it has room for
             * (at least 64 KB; more as it grows) */
            cr_buf *out = &s->w[i].out;
            if (cr_buf_reserve(out, 65536) != 0) {
                free(pfd);
                errno = ENOMEM;
                return -1;
            }
            ssize_t k = read(s->w[i].fd, out->data + out->len, out->cap - out->len);
            if (k < 0 && errno == EINTR) continue;
            if (k > 0) {
                out->len += (size_t)k;
                continue;
            }
            close(s->w[i].fd);
            s->w[i].fd = -1;
            open_count--;
            /* fail fast: an error, or a worker gone without a result (the
             * others may wait for it at a barrier) */
            if (s->w[i].out.len == 0 || s->w[i].out.data[0] == '-') terminate_all(s);
        }
    }
    free(pfd);
    /* A worker writes its last record before its result: what is left in
     * the pipe once every result is in is the last of it. */
    return cb ? read_progress(L, s, cb) : 0;
}

/* Pushes the reason worker i failed, or returns 0 when it succeeded. */
static int push_failure(lua_State *L, const worker *w, int k) {
    if (w->out.len > 0 && w->out.data[0] == '-') {
        lua_pushfstring(L, "worker %d of the fold failed: ", k);
        lua_pushlstring(L, w->out.data + 1, w->out.len - 1);
        lua_concat(L, 2);
        return 1;
    }
    if (WIFSIGNALED(w->status)) {
        lua_pushfstring(L, "worker %d of the fold was killed by signal %d", k,
                        WTERMSIG(w->status));
        return 1;
    }
    if (!WIFEXITED(w->status) || WEXITSTATUS(w->status) != 0 || w->out.len == 0) {
        lua_pushfstring(L, "worker %d of the fold exited with status %d before finishing", k,
                        WIFEXITED(w->status) ? WEXITSTATUS(w->status) : -1);
        return 1;
    }
    return 0;
}

static int l_parallel(lua_State *L) {
    lua_Integer n = luaL_checkinteger(L, 1);
    luaL_checktype(L, 2, LUA_TFUNCTION);
    luaL_argcheck(L, n >= 1 && n <= 1024, 1, "worker count must be from 1 to 1024");
    int cb = 0;
    if (!lua_isnoneornil(L, 3)) {
        luaL_checktype(L, 3, LUA_TFUNCTION);
        cb = 3;
    }
    int sync = 0;
    if (!lua_isnoneornil(L, 4)) {
        luaL_checktype(L, 4, LUA_TTABLE);
        sync = lua_getfield(L, 4, "sync") != LUA_TNIL && lua_toboolean(L, -1);
        lua_pop(L, 1);
    }
    lua_settop(L, 3);

    worker_set *s = lua_newuserdatauv(L, sizeof *s, 0);
    s->w = NULL;
    s->n = 0;
    s->prog[0] = s->prog[1] = -1;
    s->barrier = NULL;
    s->n_barrier = 0;
    cr_buf_init(&s->progress);
    if (luaL_newmetatable(L, "corpusrun.WorkerSet")) {
        lua_pushcfunction(L, set_gc);
        lua_setfield(L, -2, "__gc");
        lua_pushcfunction(L, set_gc);
        lua_setfield(L, -2, "__close");
    }
    lua_setmetatable(L, -2);
    lua_toclose(L, 4);
    s->w = calloc((size_t)n, sizeof *s->w);
    if (s->w == NULL) return luaL_error(L, "not enough memory for %d workers", (int)n);
    if (cb) {
        if (pipe(s->prog) != 0) return luaL_error(L, "cannot create a pipe: %s", strerror(errno));
        /* the parent never blocks on it; programs a worker runs never inherit it */
        fcntl(s->prog[0], F_SETFL, fcntl(s->prog[0], F_GETFL) | O_NONBLOCK);
        fcntl(s->prog[0], F_SETFD, FD_CLOEXEC);
        fcntl(s->prog[1], F_SETFD, FD_CLOEXEC);
    }

    if (sync) {
        s->barrier = malloc(2 * (size_t)n * sizeof *s->barrier);
        if (s->barrier == NULL) return luaL_error(L, "not enough memory for %d workers", (int)n);
        for (int i = 0; i < 2 * (int)n; i++) s->barrier[i] = -1;
        s->n_barrier = (int)n;
        for (int i = 0; i < (int)n; i++) {
            if (pipe(s->barrier + 2 * i) != 0) return luaL_error(L, "cannot create a pipe: %s", strerror(errno));
            /* programs a worker runs never inherit them */
            fcntl(s->barrier[2 * i], F_SETFD, FD_CLOEXEC);
            fcntl(s->barrier[2 * i + 1], F_SETFD, FD_CLOEXEC);
        }
    }

    /* Every pipe before the first fork: a run that cannot have them all
     * (too many open files) fails before any worker has started, so the
     * caller may fall back to another way (fold: without the shuffle). */
    for (int i = 0; i < (int)n; i++) s->w[i].fd = s->w[i].wfd = -1;
    s->n = (int)n;
    for (int i = 0; i < (int)n; i++) {
        int fds[2];
        if (pipe(fds) != 0) return luaL_error(L, "cannot create a pipe: %s", strerror(errno));
        s->w[i].fd = fds[0];
        s->w[i].wfd = fds[1];
        /* a pipe that holds a whole accumulator of a few hundred KB lets its
         * worker write it and go, not wait for the parent 64 KB at a time
         * (the kernel may refuse the size: then the default) */
#ifdef F_SETPIPE_SZ
        (void)fcntl(fds[0], F_SETPIPE_SZ, PIPE_SIZE);
#endif
    }

    fflush(NULL); /* children must not write out the parent's buffers again */
    for (int i = 0; i < (int)n; i++) {
        pid_t pid = fork();
        if (pid < 0) {
            int e = errno;
            return luaL_error(L, "cannot start worker %d: %s", i + 1, strerror(e));
        }
        if (pid == 0) {
            int wfd = s->w[i].wfd;
            for (int j = 0; j < (int)n; j++) {   /* only its own write end stays */
                if (s->w[j].fd >= 0) close(s->w[j].fd);
                if (j != i && s->w[j].wfd >= 0) close(s->w[j].wfd);
            }
            if (cb) close(s->prog[0]);
            run_child(L, s, i + 1, wfd, cb ? s->prog[1] : -1);
        }
        close(s->w[i].wfd);
        s->w[i].wfd = -1;
        s->w[i].pid = pid;
    }

    if (cb) {
        close(s->prog[1]);
        s->prog[1] = -1;
    }
    close_barrier(s); /* the workers hold it */
    int rc = collect(L, s, cb);
    if (rc != 0) terminate_all(s);
    reap_all(s);
    if (cr_host_interrupted) return luaL_error(L, CR_HOST_INTERRUPTED);
    if (rc == -2) return lua_error(L); /* on_progress's own error */
    if (rc != 0) return luaL_error(L, "cannot read from the fold's workers: %s", strerror(errno));
    /* A worker's own error first, then a worker's own death: the others
     * may have been stopped for it (some halfway through writing an error
     * of their own, some waiting for it at a barrier). */
    for (int i = 0; i < s->n; i++)
        if (!s->w[i].stopped && s->w[i].out.len > 0 && s->w[i].out.data[0] == '-' && push_failure(L, &s->w[i], i + 1))
            return lua_error(L);
    for (int i = 0; i < s->n; i++)
        if (!s->w[i].stopped && push_failure(L, &s->w[i], i + 1)) return lua_error(L);
    for (int i = 0; i < s->n; i++)
        if (push_failure(L, &s->w[i], i + 1)) return lua_error(L);

    lua_createtable(L, s->n, 0);
    for (int i = 0; i < s->n; i++) {
        lua_pushlstring(L, s->w[i].out.data + 1, s->w[i].out.len - 1);
        lua_rawseti(L, -2, i + 1);
    }
    return 1; /* the to-be-closed set is freed on return */
}

void cr_host_open_parallel(lua_State *L) {
    lua_pushcfunction(L, l_parallel);
    lua_setfield(L, -2, "parallel");
}
