/* kernel.c — corpusrun as a Jupyter kernel (messaging protocol 5.3).
 *
 * `corpusrun --kernel CONNECTION_FILE`: binds the five sockets the
 * connection file names (shell and control ROUTER, iopub PUB, stdin ROUTER,
 * heartbeat REP echoed by a thread), then answers the shell and control
 * requests against one Lua state, prepared as the REPL's (cr_repl_prepare).
 * Messages are split, verified and read by host/text/jmsg.c; a message
 * with a bad signature or that is not JSON is logged and dropped, an
 * unknown type is logged and ignored, as the protocol asks.
 *
 * A cell runs under cr_host_docall, so SIGINT (the kernelspec's
 * interrupt_mode "signal") stops it at the next safe point as Ctrl-C does in
 * the REPL; between cells SIGINT is ignored.  While Lua code runs, a count
 * hook also answers the control channel, where an interrupt_request
 * (interrupt_mode "message") raises that same SIGINT.  Standard output and error
 * are files in memory (memfd) while the kernel runs; what a cell writes to
 * them, by print, io.write, io.stdout, io.stderr or C code, is sent as
 * `stream` messages while it runs (a count hook looks every quarter of a
 * second) and when it ends. */
#define _GNU_SOURCE
#include <errno.h>
#include <fcntl.h>
#include <pthread.h>
#include <signal.h>
#include <stdarg.h>
#include <stdio.h>
#include <stdio_ext.h>
#include <stdlib.h>
#include <string.h>
#include <sys/mman.h>
#include <sys/random.h>
#include <sys/stat.h>
#include <time.h>
#include <unistd.h>

#include <dlfcn.h>
#include <lauxlib.h>
#include <lua.h>
#include <zmq.h>

#include "buf.h"
#include "host.h"
#include "jmsg.h"
#include "logo.h"

/* ---- ZeroMQ, loaded when the kernel starts ----------------------------------
 * Only --kernel uses ZeroMQ, whose library brings the C++ runtime, libsodium,
 * OpenPGM, NORM and Kerberos: linked into the binary, the dynamic linker
 * mapped and relocated them for every run (several ms of each process's
 * start, docs/performance.md "Whole processes").  The binary is not linked
 * with it; cr_kernel_run opens it (CR_ZMQ_SONAME, the soname the build found)
 * and takes the functions below from it; the calls in this file go through
 * these pointers under the functions' own names. */
#ifndef CR_ZMQ_SONAME
#define CR_ZMQ_SONAME "libzmq.so.5"
#endif
#define ZMQ_FUNCS(X)                                                                                            \
    X(zmq_bind) X(zmq_close) X(zmq_ctx_new) X(zmq_ctx_term) X(zmq_errno) X(zmq_msg_close) X(zmq_msg_data)        \
    X(zmq_msg_init) X(zmq_msg_more) X(zmq_msg_recv) X(zmq_msg_send) X(zmq_msg_size) X(zmq_poll) X(zmq_send)      \
    X(zmq_setsockopt) X(zmq_socket) X(zmq_strerror)
static struct {
#define ZMQ_POINTER(f) __typeof__(f) *f;
    ZMQ_FUNCS(ZMQ_POINTER)
#undef ZMQ_POINTER
} zmq_api;

/* Opens ZeroMQ and fills zmq_api (once); 0, or -1 with why in err. */
static int zmq_load(char *err, size_t errsize) {
    static void *lib;
    if (lib != NULL) return 0;
    void *h = dlopen(CR_ZMQ_SONAME, RTLD_NOW | RTLD_LOCAL);
    if (h == NULL) {
        snprintf(err, errsize, "cannot load ZeroMQ (%s): %s", CR_ZMQ_SONAME, dlerror());
        return -1;
    }
#define ZMQ_LOOKUP(f)                                                                         \
    if ((*(void **)&zmq_api.f = dlsym(h, #f)) == NULL) {                                      \
        snprintf(err, errsize, "cannot load ZeroMQ (%s): no function %s", CR_ZMQ_SONAME, #f); \
        dlclose(h);                                                                           \
        return -1;                                                                            \
    }
    ZMQ_FUNCS(ZMQ_LOOKUP)
#undef ZMQ_LOOKUP
    lib = h;
    return 0;
}
#define ZMQ_CALL(f) (*zmq_api.f)
#define zmq_bind ZMQ_CALL(zmq_bind)
#define zmq_close ZMQ_CALL(zmq_close)
#define zmq_ctx_new ZMQ_CALL(zmq_ctx_new)
#define zmq_ctx_term ZMQ_CALL(zmq_ctx_term)
#define zmq_errno ZMQ_CALL(zmq_errno)
#define zmq_msg_close ZMQ_CALL(zmq_msg_close)
#define zmq_msg_data ZMQ_CALL(zmq_msg_data)
#define zmq_msg_init ZMQ_CALL(zmq_msg_init)
#define zmq_msg_more ZMQ_CALL(zmq_msg_more)
#define zmq_msg_recv ZMQ_CALL(zmq_msg_recv)
#define zmq_msg_send ZMQ_CALL(zmq_msg_send)
#define zmq_msg_size ZMQ_CALL(zmq_msg_size)
#define zmq_poll ZMQ_CALL(zmq_poll)
#define zmq_send ZMQ_CALL(zmq_send)
#define zmq_setsockopt ZMQ_CALL(zmq_setsockopt)
#define zmq_socket ZMQ_CALL(zmq_socket)
#define zmq_strerror ZMQ_CALL(zmq_strerror)

#define MAX_FRAMES 64
#define MAX_CONNECTION_FILE (64 * 1024)

typedef struct kernel {
    void *ctx;
    void *shell, *control, *iopub, *stdin_sock, *hb;
    pthread_t hb_thread;
    int hb_started;
    unsigned char key[512];
    size_t keylen;
    char session[37];
    lua_State *L;
    long execution_count;
    int out_fd, err_fd; /* the memfds behind fd 1 and 2 */
    int log_fd;         /* the real standard error, for the kernel's own messages */
    int stop;           /* shutdown_request answered */
    pid_t pid;          /* the kernel's process (not a fold's forked worker) */
    FILE *in;           /* io.stdin's stream in a cell: asks the frontend (input_request) */
    const struct request *stdin_parent; /* the running execute_request, when it allows stdin */
    int input_asks;     /* input_requests the read being made may still send */
    cr_buf input;       /* the last input_reply's value and a newline, not yet read */
    size_t input_off;
} kernel;

/* ---- logging --------------------------------------------------------- */

static void klog(kernel *k, const char *fmt, ...) {
    char line[1024];
    va_list ap;
    va_start(ap, fmt);
    vsnprintf(line, sizeof line, fmt, ap);
    va_end(ap);
    dprintf(k->log_fd >= 0 ? k->log_fd : STDERR_FILENO, "%s: kernel: %s\n", CORPUSRUN_PROGNAME,
            line);
}

/* ---- the connection file --------------------------------------------- */

typedef struct connection {
    char transport[16];
    char ip[256];
    long ports[5]; /* shell, control, iopub, stdin, hb */
} connection;

static const char *const port_names[5] = {"shell_port", "control_port", "iopub_port",
                                          "stdin_port", "hb_port"};

static int copy_field(char *dst, size_t cap, const char *src, size_t len) {
    if (len >= cap) return -1;
    memcpy(dst, src, len);
    dst[len] = '\0';
    return 0;
}

/* Reads and checks the connection file; messages name the file. */
static int read_connection(kernel *k, const char *path, connection *c) {
    FILE *f = fopen(path, "rb");
    if (f == NULL) {
        klog(k, "cannot open connection file %s: %s", path, strerror(errno));
        return -1;
    }
    cr_buf text = {0};
    char chunk[4096];
    size_t n;
    while ((n = fread(chunk, 1, sizeof chunk, f)) > 0 && text.len <= MAX_CONNECTION_FILE)
        cr_buf_add(&text, chunk, n);
    int bad_read = ferror(f);
    fclose(f);
    if (bad_read || text.failed || text.len > MAX_CONNECTION_FILE) {
        klog(k, "cannot read connection file %s", path);
        cr_buf_free(&text);
        return -1;
    }
    ld_json j = {0};
    int rc = -1;
    if (ld_json_parse(&j, text.data ? text.data : "", text.len) != 0) {
        klog(k, "%s: byte %zu: %s", path, j.err_at + 1, j.err);
        goto out;
    }
    memset(c, 0, sizeof *c);
    strcpy(c->transport, "tcp");
    strcpy(c->ip, "127.0.0.1");
    for (int p = 0; p < 5; p++) c->ports[p] = -1;
    const char *scheme = "hmac-sha256";
    for (size_t i = 0; i < j.n; i++) {
        const char *name = ld_json_key(&j, i), *val = ld_json_val(&j, i);
        size_t vlen = j.fields[i].vlen;
        ld_vtype t = j.fields[i].type;
        if (strcmp(name, "transport") == 0 && t == LD_STR) {
            if (copy_field(c->transport, sizeof c->transport, val, vlen)) goto bad_value;
        } else if (strcmp(name, "ip") == 0 && t == LD_STR) {
            if (copy_field(c->ip, sizeof c->ip, val, vlen) || vlen == 0) goto bad_value;
        } else if (strcmp(name, "key") == 0 && t == LD_STR) {
            if (vlen > sizeof k->key) goto bad_value;
            memcpy(k->key, val, vlen);
            k->keylen = vlen;
        } else if (strcmp(name, "signature_scheme") == 0 && t == LD_STR) {
            scheme = val;
        } else {
            for (int p = 0; p < 5; p++) {
                if (strcmp(name, port_names[p]) != 0) continue;
                char *end;
                long v = strtol(val, &end, 10);
                if (t != LD_NUM || *end != '\0' || v < 0 || v > 65535) goto bad_value;
                c->ports[p] = v;
            }
        }
        continue;
    bad_value:
        klog(k, "%s: bad value for \"%s\"", path, name);
        goto out;
    }
    if (strcmp(scheme, "hmac-sha256") != 0 && !(scheme[0] == '\0' && k->keylen == 0)) {
        klog(k, "%s: signature_scheme '%s' is not supported (only hmac-sha256)", path, scheme);
        goto out;
    }
    if (strcmp(c->transport, "tcp") != 0 && strcmp(c->transport, "ipc") != 0) {
        klog(k, "%s: transport '%s' is not tcp or ipc", path, c->transport);
        goto out;
    }
    for (int p = 0; p < 5; p++)
        if (c->ports[p] < 0) {
            klog(k, "%s: no \"%s\"", path, port_names[p]);
            goto out;
        }
    rc = 0;
out:
    ld_json_free(&j);
    cr_buf_free(&text);
    return rc;
}

/* ---- sockets ------------------------------------------------------------ */

static void *bind_socket(kernel *k, int type, const connection *c, int which) {
    char endpoint[320];
    if (strcmp(c->transport, "tcp") == 0)
        snprintf(endpoint, sizeof endpoint, "tcp://%s:%ld", c->ip, c->ports[which]);
    else
        snprintf(endpoint, sizeof endpoint, "ipc://%s-%ld", c->ip, c->ports[which]);
    void *s = zmq_socket(k->ctx, type);
    if (s == NULL) {
        klog(k, "cannot create a socket: %s", zmq_strerror(zmq_errno()));
        return NULL;
    }
    int linger = 1000;
    zmq_setsockopt(s, ZMQ_LINGER, &linger, sizeof linger);
    if (zmq_bind(s, endpoint) != 0) {
        klog(k, "cannot bind %s (%s): %s", endpoint, port_names[which], zmq_strerror(zmq_errno()));
        zmq_close(s);
        return NULL;
    }
    return s;
}

/* The heartbeat: every message on the REP socket goes back as it came,
 * while cells run; ends when the context is terminated. */
static void *heartbeat(void *arg) {
    void *s = arg;
    for (;;) {
        zmq_msg_t m;
        zmq_msg_init(&m);
        if (zmq_msg_recv(&m, s, 0) < 0) {
            zmq_msg_close(&m);
            if (zmq_errno() == EINTR) continue;
            break;
        }
        int more = zmq_msg_more(&m);
        int rc = zmq_msg_send(&m, s, more ? ZMQ_SNDMORE : 0);
        if (rc < 0) zmq_msg_close(&m);
        if (rc < 0 && zmq_errno() != EINTR) break;
    }
    zmq_close(s);
    return NULL;
}

/* ---- sending ---------------------------------------------------------- */

static void new_uuid(char out[37]) {
    unsigned char b[16];
    if (getrandom(b, sizeof b, 0) != (ssize_t)sizeof b) {
        struct timespec ts;
        clock_gettime(CLOCK_REALTIME, &ts);
        unsigned long long x = (unsigned long long)ts.tv_nsec ^ ((unsigned long long)ts.tv_sec << 20) ^
                               (unsigned long long)getpid() << 40;
        static unsigned long long counter;
        x ^= ++counter * 0x9E3779B97F4A7C15ull;
        for (int i = 0; i < 16; i++) b[i] = (unsigned char)(x >> (8 * (i % 8))) ^ (unsigned char)(i * 37);
    }
    b[6] = (unsigned char)((b[6] & 0x0F) | 0x40);
    b[8] = (unsigned char)((b[8] & 0x3F) | 0x80);
    snprintf(out, 37, "%02x%02x%02x%02x-%02x%02x-%02x%02x-%02x%02x-%02x%02x%02x%02x%02x%02x", b[0],
             b[1], b[2], b[3], b[4], b[5], b[6], b[7], b[8], b[9], b[10], b[11], b[12], b[13], b[14],
             b[15]);
}

static void iso_date(char out[64]) {
    struct timespec ts;
    clock_gettime(CLOCK_REALTIME, &ts);
    struct tm tm;
    gmtime_r(&ts.tv_sec, &tm);
    char base[32];
    strftime(base, sizeof base, "%Y-%m-%dT%H:%M:%S", &tm);
    snprintf(out, 64, "%s.%06ldZ", base, (long)(ts.tv_nsec / 1000) % 1000000);
}

static int send_frame(void *s, const void *data, size_t len, int more) {
    for (;;) {
        if (zmq_send(s, data, len, more ? ZMQ_SNDMORE : 0) >= 0) return 0;
        if (zmq_errno() != EINTR) return -1;
    }
}

/* Sends msg_type with content (a JSON object) on s, in reply to parent
 * (NULL: none): to parent's identities on a ROUTER, with topic msg_type on
 * iopub. */
static void send_msg(kernel *k, void *s, const jmsg *parent, const jmsg_frame *ids,
                     const char *msg_type, const cr_buf *content) {
    char id[37], date[64];
    new_uuid(id);
    iso_date(date);
    cr_buf header = {0};
    cr_buf_addf(&header,
                "{\"msg_id\":\"%s\",\"session\":\"%s\",\"username\":\"kernel\",\"date\":\"%s\","
                "\"msg_type\":\"%s\",\"version\":\"5.3\"}",
                id, k->session, date, msg_type);
    if (header.failed || content->failed) {
        klog(k, "out of memory: %s not sent", msg_type);
        cr_buf_free(&header);
        return;
    }
    jmsg_frame parts[4] = {
        {header.data, header.len},
        parent ? parent->header : (jmsg_frame){"{}", 2},
        {"{}", 2},
        {content->data ? content->data : "{}", content->data ? content->len : 2},
    };
    char sig[JMSG_SIG_HEX + 1];
    jmsg_sign(k->key, k->keylen, parts, sig);
    int rc = 0;
    if (s == k->iopub) {
        rc |= send_frame(s, msg_type, strlen(msg_type), 1);
    } else if (parent != NULL) {
        for (size_t i = 0; i < parent->nids; i++) rc |= send_frame(s, ids[i].data, ids[i].len, 1);
    }
    rc |= send_frame(s, JMSG_DELIM, sizeof JMSG_DELIM - 1, 1);
    rc |= send_frame(s, sig, strlen(sig), 1);
    for (int i = 0; i < 4; i++) rc |= send_frame(s, parts[i].data, parts[i].len, i < 3);
    if (rc != 0) klog(k, "cannot send %s: %s", msg_type, zmq_strerror(zmq_errno()));
    cr_buf_free(&header);
}

/* The request being answered: its message, frames and socket. */
typedef struct request {
    jmsg m;
    const jmsg_frame *frames;
    void *sock;
} request;

static void reply(kernel *k, const request *r, const char *msg_type, const cr_buf *content) {
    send_msg(k, r->sock, &r->m, r->frames, msg_type, content);
}

static void publish(kernel *k, const request *r, const char *msg_type, const cr_buf *content) {
    send_msg(k, k->iopub, r ? &r->m : NULL, NULL, msg_type, content);
}

static void publish_status(kernel *k, const request *r, const char *state) {
    cr_buf c = {0};
    cr_buf_addf(&c, "{\"execution_state\":\"%s\"}", state);
    publish(k, r, "status", &c);
    cr_buf_free(&c);
}

/* ---- captured output ------------------------------------------------- */

/* Sends what fd (a memfd behind stdout or stderr) holds as a stream
 * message named name, and empties it. */
static void drain(kernel *k, const request *r, int fd, int target, const char *name) {
    if (target == STDOUT_FILENO) fflush(stdout);
    else fflush(stderr);
    off_t end = lseek(fd, 0, SEEK_CUR);
    if (end <= 0) return;
    cr_buf text = {0};
    if (cr_buf_reserve(&text, (size_t)end) == 0) {
        ssize_t got = pread(fd, text.data, (size_t)end, 0);
        if (got > 0) text.len = (size_t)got;
    }
    if (ftruncate(fd, 0) != 0 || lseek(fd, 0, SEEK_SET) != 0)
        klog(k, "cannot empty the captured %s", name);
    if (text.len > 0 && r != NULL) {
        cr_buf c = {0};
        cr_buf_addf(&c, "{\"name\":\"%s\",\"text\":", name);
        jmsg_put_string(&c, text.data, text.len);
        cr_buf_addc(&c, '}');
        publish(k, r, "stream", &c);
        cr_buf_free(&c);
    }
    cr_buf_free(&text);
}

static void drain_output(kernel *k, const request *r) {
    drain(k, r, k->out_fd, STDOUT_FILENO, "stdout");
    drain(k, r, k->err_fd, STDERR_FILENO, "stderr");
}

/* While a cell runs, a count hook sends its output every FLUSH_SECONDS,
 * so a long cell shows what it prints as it goes.  SIGINT replaces the
 * hook with the host's stop hook, which is what interrupting needs. */
#define FLUSH_SECONDS 0.25
#define FLUSH_COUNT 20000 /* VM instructions between looks at the clock */

#define CONTROL_SECONDS 0.05 /* how often a running cell looks at the control channel */

static kernel *running_kernel;
static const request *running_request;
static double last_flush, last_control;

static void handle(kernel *k, void *s, int busy);

/* Also answers the control channel while a cell runs: an
 * interrupt_request (interrupt_mode "message") or a shutdown_request
 * stops the cell as SIGINT does. */
static void flush_hook(lua_State *L, lua_Debug *ar) {
    (void)L;
    (void)ar;
    kernel *k = running_kernel;
    if (k == NULL) return;
    double now = cr_host_clock();
    if (now - last_control >= CONTROL_SECONDS) {
        last_control = now;
        zmq_pollitem_t item = {k->control, 0, ZMQ_POLLIN, 0};
        while (zmq_poll(&item, 1, 0) > 0 && (item.revents & ZMQ_POLLIN) && running_kernel != NULL)
            handle(k, k->control, 1);
    }
    if (now - last_flush < FLUSH_SECONDS) return;
    last_flush = now;
    drain_output(k, running_request);
}

/* Runs the compiled cell on top of the stack under cr_host_docall. */
static int run_cell(kernel *k, const request *r, int silent) {
    lua_State *L = k->L;
    running_kernel = k;
    running_request = silent ? NULL : r;
    last_flush = last_control = cr_host_clock();
    lua_sethook(L, flush_hook, LUA_MASKCOUNT, FLUSH_COUNT);
    int status = cr_host_docall(L, 0, LUA_MULTRET);
    if (lua_gethook(L) == flush_hook) lua_sethook(L, NULL, 0, 0);
    running_kernel = NULL;
    running_request = NULL;
    return status;
}

/* fd 1 and 2 become memfds; the real stderr stays for the kernel's log. */
static int capture_output(kernel *k) {
    k->log_fd = dup(STDERR_FILENO);
    k->out_fd = memfd_create("corpusrun-stdout", MFD_CLOEXEC);
    k->err_fd = memfd_create("corpusrun-stderr", MFD_CLOEXEC);
    if (k->log_fd < 0 || k->out_fd < 0 || k->err_fd < 0) return -1;
    fflush(stdout);
    fflush(stderr);
    if (dup2(k->out_fd, STDOUT_FILENO) < 0 || dup2(k->err_fd, STDERR_FILENO) < 0) return -1;
    int devnull = open("/dev/null", O_RDONLY | O_CLOEXEC);
    if (devnull >= 0) { /* io.read() in a cell sees end of input, not the client's terminal */
        dup2(devnull, STDIN_FILENO);
        close(devnull);
    }
    return 0;
}

/* ---- Lua helpers ------------------------------------------------------- */

/* Renders the values below it on the stack as the REPL prints them:
 * pretty.format of each, tab-separated (an iterator triple: its first
 * items); tostring when the pretty-printer is missing.  Returns that text
 * and what else the value shows as (lib/lua/display.lua): HTML (a table
 * of results, a value's __html) and SVG (a chart, a value's __svg), or
 * nil; a picture's text/plain is display's short one. */
static const char render_lua[] =
    "local pretty, display = ...\n"
    "local function plain(...)\n"
    "  local n = select('#', ...)\n"
    "  if not pretty then\n"
    "    local out = {}\n"
    "    for i = 1, n do out[i] = tostring((select(i, ...))) end\n"
    "    return table.concat(out, '\\t')\n"
    "  end\n"
    "  if pretty.is_iterator(...) then return pretty.format_iterator(...) end\n"
    "  local out = {}\n"
    "  for i = 1, n do out[i] = pretty.format((select(i, ...))) end\n"
    "  return table.concat(out, '\\t')\n"
    "end\n"
    "return function(...)\n"
    "  local mime\n"
    "  if display then\n"
    "    local ok, m = pcall(display.mime, ...)\n"
    "    if ok then mime = m\n"
    "    else io.stderr:write('error showing the result: ', tostring(m), '\\n') end\n"
    "  end\n"
    "  if mime then\n"
    "    return mime['text/plain'] or plain(...), mime['text/html'], mime['image/svg+xml']\n"
    "  end\n"
    "  return plain(...), nil, nil\n"
    "end\n";

#define KEY_RENDER "corpusrun.kernel.render"

/* progress.display (lib/lua/progress.lua) in the kernel: display(id, text,
 * html, final) shows a progress line in the running cell, a display_data
 * the first time (a new display_id, returned) and update_display_data with
 * that id after, so the line is updated in place.  Nothing (nil) outside a
 * cell, in a silent one, or in a fold's forked worker. */
static int l_display(lua_State *L) {
    const char *id = luaL_optstring(L, 1, NULL);
    size_t tlen, hlen = 0;
    const char *text = luaL_checklstring(L, 2, &tlen);
    const char *html = luaL_optlstring(L, 3, NULL, &hlen);
    kernel *k = running_kernel;
    if (k == NULL || running_request == NULL || getpid() != k->pid) {
        lua_pushnil(L);
        return 1;
    }
    char fresh[37];
    int first = id == NULL;
    if (first) {
        new_uuid(fresh);
        id = fresh;
    }
    lua_pushstring(L, id); /* before any buffer: nothing below raises */
    drain_output(k, running_request);
    cr_buf c = {0};
    cr_buf_adds(&c, "{\"data\":{\"text/plain\":");
    jmsg_put_string(&c, text, tlen);
    if (html != NULL) {
        cr_buf_adds(&c, ",\"text/html\":");
        jmsg_put_string(&c, html, hlen);
    }
    cr_buf_adds(&c, "},\"metadata\":{},\"transient\":{\"display_id\":");
    jmsg_put_string(&c, id, strlen(id));
    cr_buf_adds(&c, "}}");
    publish(k, running_request, first ? "display_data" : "update_display_data", &c);
    cr_buf_free(&c);
    return 1;
}

static void setup_lua(kernel *k) {
    lua_State *L = k->L;
    cr_repl_prepare(L);
    if (lua_getfield(L, LUA_REGISTRYINDEX, CR_REPL_KEY_PROGRESS) == LUA_TTABLE) {
        lua_pushcfunction(L, l_display);
        lua_setfield(L, -2, "display");
    }
    lua_settop(L, 0);
    if (luaL_loadstring(L, render_lua) == LUA_OK) {
        const char *keys[] = {CR_REPL_KEY_PRETTY, CR_REPL_KEY_DISPLAY};
        for (size_t i = 0; i < sizeof keys / sizeof keys[0]; i++)
            if (lua_getfield(L, LUA_REGISTRYINDEX, keys[i]) != LUA_TTABLE) {
                lua_pop(L, 1);
                lua_pushnil(L);
            }
        if (lua_pcall(L, 2, 1, 0) == LUA_OK) lua_setfield(L, LUA_REGISTRYINDEX, KEY_RENDER);
        else lua_pop(L, 1);
    } else {
        lua_pop(L, 1);
    }
    lua_settop(L, 0);
}

/* Compiles a cell: `return <code>;` first, as the REPL does, else the
 * code as statements.  Leaves the function or the error message. */
static int compile(lua_State *L, const char *code, size_t len, const char *name, int *quiet) {
    size_t n = len;
    while (n > 0 && (code[n - 1] == ' ' || code[n - 1] == '\t' || code[n - 1] == '\r' ||
                     code[n - 1] == '\n'))
        n--;
    *quiet = n > 0 && code[n - 1] == ';';
    if (*quiet) n--;
    luaL_Buffer b;
    luaL_buffinit(L, &b);
    luaL_addstring(&b, "return ");
    luaL_addlstring(&b, code, n);
    luaL_addchar(&b, ';');
    luaL_pushresult(&b);
    size_t rlen;
    const char *ret = lua_tolstring(L, -1, &rlen);
    int status = luaL_loadbuffer(L, ret, rlen, name);
    lua_remove(L, -2);
    if (status == LUA_OK) return status;
    lua_pop(L, 1);
    return luaL_loadbuffer(L, code, len, name);
}

/* ---- requests ------------------------------------------------------------ */

static void kernel_info(kernel *k, const request *r) {
    cr_buf c = {0};
    cr_buf_addf(&c,
                "{\"status\":\"ok\",\"protocol_version\":\"5.3\",\"implementation\":\"corpusrun\","
                "\"implementation_version\":\"%s\",\"language_info\":{\"name\":\"lua\","
                "\"version\":\"%s.%s\",\"mimetype\":\"text/x-lua\",\"file_extension\":\".lua\","
                "\"pygments_lexer\":\"lua\",\"codemirror_mode\":\"lua\"},\"banner\":",
                CORPUSRUN_VERSION, LUA_VERSION_MAJOR, LUA_VERSION_MINOR);
    char banner[256];
    snprintf(banner, sizeof banner, "corpusrun %s -- %s\nhelp() lists the modules.",
             CORPUSRUN_VERSION, LUA_COPYRIGHT);
    jmsg_put_string(&c, banner, strlen(banner));
    cr_buf_adds(&c, ",\"help_links\":[]}");
    reply(k, r, "kernel_info_reply", &c);
    cr_buf_free(&c);
}

/* Splits an error message into ename, evalue and traceback lines. */
static void add_error_fields(cr_buf *c, const char *msg, int interrupted) {
    const char *nl = strchr(msg, '\n');
    size_t first = nl ? (size_t)(nl - msg) : strlen(msg);
    cr_buf_adds(c, "\"ename\":");
    const char *ename = interrupted ? "Interrupted" : "LuaError";
    jmsg_put_string(c, ename, strlen(ename));
    cr_buf_adds(c, ",\"evalue\":");
    jmsg_put_string(c, msg, first);
    cr_buf_adds(c, ",\"traceback\":[");
    const char *p = msg;
    int comma = 0;
    for (;;) {
        const char *e = strchr(p, '\n');
        size_t len = e ? (size_t)(e - p) : strlen(p);
        if (comma) cr_buf_addc(c, ',');
        jmsg_put_string(c, p, len);
        comma = 1;
        if (e == NULL) break;
        p = e + 1;
    }
    cr_buf_addc(c, ']');
}

/* A string member's bytes and length (NULL when absent or not a string). */
static const char *content_string(const request *r, const char *name, size_t *len) {
    const ld_json *j = &r->m.body;
    for (size_t i = 0; i < j->n; i++)
        if (strcmp(ld_json_key(j, i), name) == 0 && j->fields[i].type == LD_STR) {
            *len = j->fields[i].vlen;
            return ld_json_val(j, i);
        }
    return NULL;
}

static void execute(kernel *k, const request *r) {
    lua_State *L = k->L;
    size_t len = 0;
    const char *code = content_string(r, "code", &len); /* may hold NULs (\u0000) */
    if (code == NULL) code = "";
    int silent = jmsg_content_bool(&r->m, "silent", 0);
    int store = silent ? 0 : jmsg_content_bool(&r->m, "store_history", 1);
    if (store) k->execution_count++;
    long count = k->execution_count;
    if (!silent) {
        cr_buf c = {0};
        cr_buf_adds(&c, "{\"code\":");
        jmsg_put_string(&c, code, len);
        cr_buf_addf(&c, ",\"execution_count\":%ld}", count);
        publish(k, r, "execute_input", &c);
        cr_buf_free(&c);
    }
    char name[48];
    snprintf(name, sizeof name, "=In[%ld]", count);
    lua_settop(L, 0);
    int quiet = 0;
    int status = compile(L, code, len, name, &quiet);
    if (k->in != NULL) { /* a cell reads only the input it asks for itself */
        __fpurge(k->in);
        clearerr(k->in);
        cr_buf_reset(&k->input);
        k->input_off = 0;
        k->input_asks = 0;
        k->stdin_parent = jmsg_content_bool(&r->m, "allow_stdin", 0) ? r : NULL;
    }
    if (status == LUA_OK) status = run_cell(k, r, silent);
    k->stdin_parent = NULL;
    k->input_asks = 0;
    int interrupted = status != LUA_OK && cr_host_was_interrupted();
    cr_buf text = {0}, html = {0}, svg = {0};
    int has_result = 0, has_html = 0, has_svg = 0;
    if (status == LUA_OK && lua_gettop(L) > 0) {
        lua_pushvalue(L, 1);
        lua_setglobal(L, "_");
        if (!quiet && lua_getfield(L, LUA_REGISTRYINDEX, KEY_RENDER) == LUA_TFUNCTION) {
            lua_insert(L, 1);
            if (lua_pcall(L, lua_gettop(L) - 1, 3, 0) == LUA_OK && lua_isstring(L, -3)) {
                size_t n;
                const char *s = lua_tolstring(L, -3, &n);
                cr_buf_add(&text, s, n);
                has_result = 1;
                if (lua_type(L, -2) == LUA_TSTRING) {
                    s = lua_tolstring(L, -2, &n);
                    cr_buf_add(&html, s, n);
                    has_html = 1;
                }
                if (lua_type(L, -1) == LUA_TSTRING) {
                    s = lua_tolstring(L, -1, &n);
                    cr_buf_add(&svg, s, n);
                    has_svg = 1;
                }
            } else {
                const char *e = lua_tostring(L, -1);
                fprintf(stderr, "error showing the result: %s\n", e ? e : "?");
            }
        }
    }
    drain_output(k, silent ? NULL : r);
    cr_buf c = {0};
    if (status == LUA_OK) {
        if (has_result && !silent) {
            cr_buf_addf(&c, "{\"execution_count\":%ld,\"data\":{\"text/plain\":", count);
            jmsg_put_string(&c, text.data ? text.data : "", text.len);
            if (has_html) {
                cr_buf_adds(&c, ",\"text/html\":");
                jmsg_put_string(&c, html.data ? html.data : "", html.len);
            }
            if (has_svg) {
                cr_buf_adds(&c, ",\"image/svg+xml\":");
                jmsg_put_string(&c, svg.data ? svg.data : "", svg.len);
            }
            cr_buf_adds(&c, "},\"metadata\":{}}");
            publish(k, r, "execute_result", &c);
            cr_buf_reset(&c);
        }
        cr_buf_addf(&c,
                    "{\"status\":\"ok\",\"execution_count\":%ld,\"payload\":[],"
                    "\"user_expressions\":{}}",
                    count);
    } else {
        const char *msg = lua_tostring(L, -1);
        if (msg == NULL) msg = "(error object is not a string)";
        cr_buf e = {0};
        cr_buf_addc(&e, '{');
        add_error_fields(&e, msg, interrupted);
        cr_buf_addc(&e, '}');
        if (!silent) publish(k, r, "error", &e);
        cr_buf_addf(&c, "{\"status\":\"error\",\"execution_count\":%ld,", count);
        add_error_fields(&c, msg, interrupted);
        cr_buf_addc(&c, '}');
        cr_buf_free(&e);
    }
    reply(k, r, "execute_reply", &c);
    cr_buf_free(&c);
    cr_buf_free(&text);
    cr_buf_free(&html);
    cr_buf_free(&svg);
    lua_settop(L, 0);
}

static void is_complete(kernel *k, const request *r) {
    lua_State *L = k->L;
    size_t len = 0;
    const char *code = content_string(r, "code", &len);
    const char *verdict = "complete";
    if (code != NULL) {
        int quiet;
        int status = compile(L, code, len, "=stdin", &quiet);
        if (status == LUA_ERRSYNTAX) {
            size_t mlen;
            const char *msg = lua_tolstring(L, -1, &mlen);
            static const char mark[] = "<eof>";
            int eof = msg != NULL && mlen >= sizeof mark - 1 &&
                      strcmp(msg + mlen - (sizeof mark - 1), mark) == 0;
            verdict = eof ? "incomplete" : "invalid";
        } else if (status != LUA_OK) {
            verdict = "unknown";
        }
        lua_settop(L, 0);
    }
    cr_buf c = {0};
    cr_buf_addf(&c, "{\"status\":\"%s\"%s}", verdict,
                strcmp(verdict, "incomplete") == 0 ? ",\"indent\":\"  \"" : "");
    reply(k, r, "is_complete_reply", &c);
    cr_buf_free(&c);
}

static int l_listdir(lua_State *L) {
    return cr_repl_listdir(L);
}

static void complete(kernel *k, const request *r) {
    lua_State *L = k->L;
    size_t len = 0;
    const char *code = content_string(r, "code", &len);
    if (code == NULL) code = "";
    long cursor_cp = jmsg_content_long(&r->m, "cursor_pos", 1L << 30, (long)jmsg_code_points(code, len));
    size_t cursor = jmsg_cursor_bytes(code, len, (size_t)cursor_cp);
    cursor_cp = (long)jmsg_code_points(code, cursor);
    cr_buf c = {0};
    cr_buf_adds(&c, "{\"status\":\"ok\",\"matches\":[");
    long start = cursor_cp;
    lua_settop(L, 0);
    if (lua_getfield(L, LUA_REGISTRYINDEX, CR_REPL_KEY_COMPLETE) == LUA_TTABLE &&
        lua_getfield(L, -1, "candidates") == LUA_TFUNCTION) {
        lua_pushlstring(L, code, cursor);
        lua_pushglobaltable(L);
        lua_pushcfunction(L, l_listdir);
        if (lua_pcall(L, 3, 2, 0) == LUA_OK && lua_type(L, -2) == LUA_TSTRING && lua_istable(L, -1)) {
            size_t flen;
            const char *frag = lua_tolstring(L, -2, &flen);
            start = cursor_cp - (long)jmsg_code_points(frag, flen);
            if (start < 0) start = 0;
            lua_Integer n = (lua_Integer)lua_rawlen(L, -1);
            for (lua_Integer i = 1; i <= n; i++) {
                if (lua_rawgeti(L, -1, i) == LUA_TSTRING) {
                    size_t mlen;
                    const char *s = lua_tolstring(L, -1, &mlen);
                    if (i > 1) cr_buf_addc(&c, ',');
                    jmsg_put_string(&c, s, mlen);
                }
                lua_pop(L, 1);
            }
        }
    }
    lua_settop(L, 0);
    cr_buf_addf(&c, "],\"cursor_start\":%ld,\"cursor_end\":%ld,\"metadata\":{}}", start, cursor_cp);
    reply(k, r, "complete_reply", &c);
    cr_buf_free(&c);
}

static int name_char(char c) {
    return (c >= 'a' && c <= 'z') || (c >= 'A' && c <= 'Z') || (c >= '0' && c <= '9') || c == '_' ||
           c == '.' || c == ':';
}

/* help.text of the dotted name around the cursor. */
static void inspect(kernel *k, const request *r) {
    lua_State *L = k->L;
    size_t len = 0;
    const char *code = content_string(r, "code", &len);
    if (code == NULL) code = "";
    long cursor_cp = jmsg_content_long(&r->m, "cursor_pos", 1L << 30, (long)jmsg_code_points(code, len));
    size_t cursor = jmsg_cursor_bytes(code, len, (size_t)cursor_cp);
    size_t b = cursor, e = cursor;
    while (b > 0 && name_char(code[b - 1])) b--;
    while (e < len && name_char(code[e])) e++;
    while (e > b && (code[e - 1] == '.' || code[e - 1] == ':')) e--;
    cr_buf c = {0};
    int found = 0;
    lua_settop(L, 0);
    if (e > b && lua_getglobal(L, "help") != LUA_TNIL) {
        lua_getfield(L, -1, "text");
        lua_pushlstring(L, code + b, e - b);
        if (lua_pcall(L, 1, 1, 0) == LUA_OK && lua_type(L, -1) == LUA_TSTRING) {
            size_t n;
            const char *s = lua_tolstring(L, -1, &n);
            if (strncmp(s, "No documentation for", 20) != 0) {
                cr_buf_adds(&c, "{\"status\":\"ok\",\"found\":true,\"data\":{\"text/plain\":");
                jmsg_put_string(&c, s, n);
                cr_buf_adds(&c, "},\"metadata\":{}}");
                found = 1;
            }
        }
    }
    lua_settop(L, 0);
    if (!found) cr_buf_adds(&c, "{\"status\":\"ok\",\"found\":false,\"data\":{},\"metadata\":{}}");
    reply(k, r, "inspect_reply", &c);
    cr_buf_free(&c);
}

static void shutdown_req(kernel *k, const request *r) {
    int restart = jmsg_content_bool(&r->m, "restart", 0);
    cr_buf c = {0};
    cr_buf_addf(&c, "{\"status\":\"ok\",\"restart\":%s}", restart ? "true" : "false");
    reply(k, r, "shutdown_reply", &c);
    publish(k, r, "shutdown_reply", &c);
    cr_buf_free(&c);
    k->stop = 1;
}

static void simple_reply(kernel *k, const request *r, const char *type, const char *content) {
    cr_buf c = {0};
    cr_buf_adds(&c, content);
    reply(k, r, type, &c);
    cr_buf_free(&c);
}

/* A control request that arrives while a cell runs (busy): only those
 * that need no Lua are answered, and the cell is stopped by raising the
 * SIGINT that cr_host_docall handles. */
static void dispatch_busy(kernel *k, const request *r) {
    const char *t = r->m.msg_type;
    if (strcmp(t, "interrupt_request") == 0) {
        simple_reply(k, r, "interrupt_reply", "{\"status\":\"ok\"}");
        running_kernel = NULL; /* one interruption per cell */
        raise(SIGINT);
    } else if (strcmp(t, "shutdown_request") == 0) {
        shutdown_req(k, r);
        running_kernel = NULL;
        raise(SIGINT);
    } else if (strcmp(t, "kernel_info_request") == 0) {
        kernel_info(k, r);
    } else {
        klog(k, "ignoring a '%s' that came while a cell runs", t);
    }
}

static void dispatch(kernel *k, const request *r) {
    const char *t = r->m.msg_type;
    publish_status(k, r, "busy");
    if (strcmp(t, "kernel_info_request") == 0) kernel_info(k, r);
    else if (strcmp(t, "execute_request") == 0) execute(k, r);
    else if (strcmp(t, "is_complete_request") == 0) is_complete(k, r);
    else if (strcmp(t, "complete_request") == 0) complete(k, r);
    else if (strcmp(t, "inspect_request") == 0) inspect(k, r);
    else if (strcmp(t, "shutdown_request") == 0) shutdown_req(k, r);
    else if (strcmp(t, "interrupt_request") == 0) /* idle: nothing runs */
        simple_reply(k, r, "interrupt_reply", "{\"status\":\"ok\"}");
    else if (strcmp(t, "comm_info_request") == 0)
        simple_reply(k, r, "comm_info_reply", "{\"status\":\"ok\",\"comms\":{}}");
    else if (strcmp(t, "history_request") == 0)
        simple_reply(k, r, "history_reply", "{\"status\":\"ok\",\"history\":[]}");
    else klog(k, "ignoring a message of unknown type '%s'", t);
    publish_status(k, r, "idle");
}

/* Receives one multipart message from s into parts and frames (at most
 * MAX_FRAMES; *n of them to close); -1 when it had more frames, or on a
 * receive error, both logged. */
static int recv_frames(kernel *k, void *s, zmq_msg_t *parts, jmsg_frame *frames, size_t *n) {
    int more = 1, dropped = 0, failed = 0;
    *n = 0;
    while (more) {
        zmq_msg_t m;
        zmq_msg_init(&m);
        if (zmq_msg_recv(&m, s, 0) < 0) {
            zmq_msg_close(&m);
            if (zmq_errno() == EINTR) continue;
            klog(k, "cannot receive: %s", zmq_strerror(zmq_errno()));
            failed = 1;
            break;
        }
        more = zmq_msg_more(&m);
        if (*n < MAX_FRAMES) {
            parts[*n] = m;
            frames[*n].data = zmq_msg_data(&parts[*n]);
            frames[*n].len = zmq_msg_size(&parts[*n]);
            (*n)++;
        } else {
            dropped = 1;
            zmq_msg_close(&m);
        }
    }
    if (dropped) klog(k, "ignoring a message of more than %d frames", MAX_FRAMES);
    return dropped || failed ? -1 : 0;
}

/* Receives one multipart message from s and answers it. */
static void handle(kernel *k, void *s, int busy) {
    zmq_msg_t parts[MAX_FRAMES];
    jmsg_frame frames[MAX_FRAMES];
    size_t n = 0;
    request r = {.frames = frames, .sock = s};
    if (recv_frames(k, s, parts, frames, &n) != 0) {
        /* logged */
    } else if (jmsg_parse(&r.m, frames, n, k->key, k->keylen) != 0) {
        klog(k, "ignoring a message: %s", r.m.err);
    } else if (busy) {
        dispatch_busy(k, &r);
    } else {
        dispatch(k, &r);
    }
    jmsg_free(&r.m);
    for (size_t i = 0; i < n; i++) zmq_msg_close(&parts[i]);
}

/* ---- standard input: input_request ---------------------------------------- */

/* In a cell, io.stdin (and so io.read, io.lines and their file methods on
 * it) reads k->in, whose read function sends an input_request on the stdin
 * channel and waits for the input_reply: its value and a newline are what
 * the cell reads.  Each read call made through Lua may send as many
 * requests as it has formats (one at least), so io.read("a") reads one
 * reply, not forever; the rest of a reply stays for the next read in the
 * same cell.  The wrappers below raise an error when the execute_request
 * did not allow stdin. */

static kernel *input_kernel; /* the kernel whose k->in io.stdin reads */

/* Waits for the input_reply to the input_request just sent, answering the
 * control channel meanwhile; its value into k->input.  0, or -1 when
 * interrupted (SIGINT, an interrupt_request) or the socket failed. */
static int await_input(kernel *k) {
    for (;;) {
        if (cr_host_interrupted || running_kernel == NULL) return -1;
        zmq_pollitem_t items[2] = {{k->stdin_sock, 0, ZMQ_POLLIN, 0}, {k->control, 0, ZMQ_POLLIN, 0}};
        int ready = zmq_poll(items, 2, 100);
        if (ready < 0) {
            if (zmq_errno() == EINTR) continue;
            klog(k, "poll failed: %s", zmq_strerror(zmq_errno()));
            return -1;
        }
        if (items[1].revents & ZMQ_POLLIN) handle(k, k->control, 1);
        if (!(items[0].revents & ZMQ_POLLIN)) continue;
        zmq_msg_t parts[MAX_FRAMES];
        jmsg_frame frames[MAX_FRAMES];
        size_t n = 0;
        request r = {.frames = frames, .sock = k->stdin_sock};
        int got = 0;
        if (recv_frames(k, k->stdin_sock, parts, frames, &n) != 0) {
            /* logged */
        } else if (jmsg_parse(&r.m, frames, n, k->key, k->keylen) != 0) {
            klog(k, "ignoring a message: %s", r.m.err);
        } else if (strcmp(r.m.msg_type, "input_reply") != 0) {
            klog(k, "ignoring a '%s' on the stdin channel", r.m.msg_type);
        } else {
            size_t len = 0;
            const char *value = content_string(&r, "value", &len);
            cr_buf_reset(&k->input);
            k->input_off = 0;
            if (value != NULL) cr_buf_add(&k->input, value, len);
            cr_buf_addc(&k->input, '\n');
            got = 1;
            if (k->input.failed) {
                klog(k, "out of memory reading an input_reply");
                cr_buf_reset(&k->input);
                got = -1;
            }
        }
        jmsg_free(&r.m);
        for (size_t i = 0; i < n; i++) zmq_msg_close(&parts[i]);
        if (got != 0) return got > 0 ? 0 : -1;
    }
}

/* k->in's read function (fopencookie): what is left of the last reply, else
 * a new one asked for; end of input when no read through Lua may ask. */
static ssize_t stdin_read(void *cookie, char *buf, size_t size) {
    kernel *k = cookie;
    if (k->input_off >= k->input.len) {
        if (k->input_asks <= 0 || k->stdin_parent == NULL || getpid() != k->pid) return 0;
        k->input_asks--;
        drain_output(k, running_request); /* what the cell wrote before asking shows first */
        cr_buf c = {0};
        cr_buf_adds(&c, "{\"prompt\":\"\",\"password\":false}");
        send_msg(k, k->stdin_sock, &k->stdin_parent->m, k->stdin_parent->frames, "input_request", &c);
        cr_buf_free(&c);
        if (await_input(k) != 0) {
            errno = EINTR;
            return -1;
        }
    }
    size_t n = k->input.len - k->input_off;
    if (n > size) n = size;
    memcpy(buf, k->input.data + k->input_off, n);
    k->input_off += n;
    return (ssize_t)n;
}

/* Before a read of io.stdin made by function what with nformats formats:
 * raises when this cell may not ask for input, else lets the read send up
 * to nformats input_requests. */
static void input_allow(lua_State *L, const char *what, int nformats) {
    kernel *k = input_kernel;
    if (getpid() != k->pid)
        luaL_error(L, "%s: a worker of a parallel fold cannot read the notebook's input", what);
    if (k->stdin_parent == NULL)
        luaL_error(L,
                   "%s: this cell cannot read input: the frontend did not allow it "
                   "(the execute_request's allow_stdin is false)",
                   what);
    k->input_asks = nformats > 0 ? nformats : 1;
}

/* Whether the stream at index i (a file handle, or anything) is io.stdin's. */
static int is_input(lua_State *L, int i) {
    luaL_Stream *p = luaL_testudata(L, i, LUA_FILEHANDLE);
    return p != NULL && input_kernel != NULL && p->f == input_kernel->in && p->closef != NULL;
}

/* Calls upvalue 1 with the arguments; returns what it returns.  The read's
 * allowance ends with it. */
static int call_original(lua_State *L) {
    lua_pushvalue(L, lua_upvalueindex(1));
    lua_insert(L, 1);
    lua_call(L, lua_gettop(L) - 1, LUA_MULTRET);
    if (input_kernel != NULL) input_kernel->input_asks = 0;
    return lua_gettop(L);
}

static int default_input_is_stdin(lua_State *L) {
    lua_getfield(L, LUA_REGISTRYINDEX, "_IO_input");
    int yes = is_input(L, -1);
    lua_pop(L, 1);
    return yes;
}

static int l_io_read(lua_State *L) {
    if (default_input_is_stdin(L)) input_allow(L, "io.read", lua_gettop(L));
    return call_original(L);
}

static int l_file_read(lua_State *L) {
    if (is_input(L, 1)) input_allow(L, "read", lua_gettop(L) - 1);
    return call_original(L);
}

/* A step of a lines iterator over io.stdin: upvalue 1 the iterator,
 * upvalue 2 its number of formats, upvalue 3 the name to blame. */
static int l_lines_step(lua_State *L) {
    input_allow(L, lua_tostring(L, lua_upvalueindex(3)), (int)lua_tointeger(L, lua_upvalueindex(2)));
    lua_settop(L, 0);
    lua_pushvalue(L, lua_upvalueindex(1));
    lua_call(L, 0, LUA_MULTRET);
    input_kernel->input_asks = 0;
    return lua_gettop(L);
}

/* Calls the original lines (upvalue 1); when the lines come from io.stdin,
 * its iterator is wrapped so that each step may ask the frontend. */
static int lines_of(lua_State *L, int from_stdin, int nformats, const char *what) {
    int n = call_original(L);
    if (from_stdin && n >= 1) {
        lua_pushvalue(L, 1);
        lua_pushinteger(L, nformats);
        lua_pushstring(L, what);
        lua_pushcclosure(L, l_lines_step, 3);
        lua_replace(L, 1);
    }
    return n;
}

static int l_io_lines(lua_State *L) {
    int from_stdin = lua_isnoneornil(L, 1) && default_input_is_stdin(L);
    if (from_stdin && input_kernel->stdin_parent == NULL) input_allow(L, "io.lines", 1); /* raises */
    int nformats = lua_gettop(L) > 1 ? lua_gettop(L) - 1 : 1;
    return lines_of(L, from_stdin, nformats, "io.lines");
}

static int l_file_lines(lua_State *L) {
    int from_stdin = is_input(L, 1);
    if (from_stdin && input_kernel->stdin_parent == NULL) input_allow(L, "lines", 1); /* raises */
    int nformats = lua_gettop(L) > 1 ? lua_gettop(L) - 1 : 1;
    return lines_of(L, from_stdin, nformats, "lines");
}

/* Replaces t[name] (t at index t) by f with the original as its upvalue. */
static void wrap_field(lua_State *L, int t, const char *name, lua_CFunction f) {
    t = lua_absindex(L, t);
    if (lua_getfield(L, t, name) != LUA_TFUNCTION) {
        lua_pop(L, 1);
        return;
    }
    lua_pushcclosure(L, f, 1);
    lua_setfield(L, t, name);
}

#define KEY_STDIN "corpusrun.kernel.stdin"

/* io.stdin reads k->in from now on; io.read, io.lines and the file
 * methods read and lines check, for io.stdin, that the cell may ask. */
static void setup_input(kernel *k) {
    lua_State *L = k->L;
    k->in = fopencookie(k, "r", (cookie_io_functions_t){.read = stdin_read});
    if (k->in == NULL) {
        klog(k, "cannot make the input stream: %s", strerror(errno));
        return;
    }
    if (lua_getglobal(L, "io") == LUA_TTABLE && lua_getfield(L, -1, "stdin") == LUA_TUSERDATA) {
        luaL_Stream *p = luaL_testudata(L, -1, LUA_FILEHANDLE);
        if (p != NULL && p->closef != NULL) {
            p->f = k->in;
            lua_pushvalue(L, -1);
            lua_setfield(L, LUA_REGISTRYINDEX, KEY_STDIN); /* for close_input */
            input_kernel = k;
            wrap_field(L, -2, "read", l_io_read);
            wrap_field(L, -2, "lines", l_io_lines);
            if (luaL_getmetatable(L, LUA_FILEHANDLE) == LUA_TTABLE &&
                lua_getfield(L, -1, "__index") == LUA_TTABLE) {
                wrap_field(L, -1, "read", l_file_read);
                wrap_field(L, -1, "lines", l_file_lines);
            }
        }
    }
    lua_settop(L, 0);
}

/* io.stdin reads the process's standard input again; k->in is closed. */
static void close_input(kernel *k) {
    if (k->in == NULL) return;
    if (lua_getfield(k->L, LUA_REGISTRYINDEX, KEY_STDIN) == LUA_TUSERDATA) {
        luaL_Stream *p = luaL_testudata(k->L, -1, LUA_FILEHANDLE);
        if (p != NULL && p->f == k->in) p->f = stdin;
    }
    lua_pop(k->L, 1);
    fclose(k->in);
    k->in = NULL;
    input_kernel = NULL;
    cr_buf_free(&k->input);
}

static void close_kernel(kernel *k) {
    void **socks[] = {&k->shell, &k->control, &k->iopub, &k->stdin_sock};
    for (size_t i = 0; i < sizeof socks / sizeof socks[0]; i++)
        if (*socks[i] != NULL) zmq_close(*socks[i]);
    if (!k->hb_started && k->hb != NULL) zmq_close(k->hb);
    if (k->ctx != NULL) zmq_ctx_term(k->ctx); /* ends the heartbeat's recv */
    if (k->hb_started) pthread_join(k->hb_thread, NULL);
}

int cr_kernel_run(lua_State *L, const char *connection_file) {
    kernel k = {0};
    k.L = L;
    k.log_fd = -1;
    k.pid = getpid();
    connection c;
    if (read_connection(&k, connection_file, &c) != 0) return -1;
    new_uuid(k.session);
    char why[512];
    if (zmq_load(why, sizeof why) != 0) {
        klog(&k, "%s", why);
        return -1;
    }
    k.ctx = zmq_ctx_new();
    if (k.ctx == NULL) {
        klog(&k, "cannot create a ZeroMQ context");
        return -1;
    }
    int rc = -1;
    if ((k.shell = bind_socket(&k, ZMQ_ROUTER, &c, 0)) == NULL ||
        (k.control = bind_socket(&k, ZMQ_ROUTER, &c, 1)) == NULL ||
        (k.iopub = bind_socket(&k, ZMQ_PUB, &c, 2)) == NULL ||
        (k.stdin_sock = bind_socket(&k, ZMQ_ROUTER, &c, 3)) == NULL ||
        (k.hb = bind_socket(&k, ZMQ_REP, &c, 4)) == NULL)
        goto out;
    if (pthread_create(&k.hb_thread, NULL, heartbeat, k.hb) != 0) {
        klog(&k, "cannot start the heartbeat thread");
        goto out;
    }
    k.hb_started = 1;
    signal(SIGINT, SIG_IGN); /* between cells; cr_host_docall takes it during one */
    setenv("CORPUSRUN_QUIET", "1", 0); /* no progress lines in a notebook's stderr stream */
    setup_lua(&k);
    setup_input(&k);
    if (capture_output(&k) != 0) {
        klog(&k, "cannot capture standard output: %s", strerror(errno));
        goto out;
    }
    publish_status(&k, NULL, "starting");
    while (!k.stop) {
        zmq_pollitem_t items[2] = {{k.control, 0, ZMQ_POLLIN, 0}, {k.shell, 0, ZMQ_POLLIN, 0}};
        int n = zmq_poll(items, 2, -1);
        if (n < 0) {
            if (zmq_errno() == EINTR) continue;
            klog(&k, "poll failed: %s", zmq_strerror(zmq_errno()));
            goto out;
        }
        if (items[0].revents & ZMQ_POLLIN) handle(&k, k.control, 0);
        else if (items[1].revents & ZMQ_POLLIN) handle(&k, k.shell, 0);
    }
    rc = 0;
out:
    close_kernel(&k);
    if (k.log_fd >= 0) {
        dup2(k.log_fd, STDERR_FILENO);
        close(k.log_fd);
    }
    close_input(&k);
    if (k.out_fd > 0) close(k.out_fd);
    if (k.err_fd > 0) close(k.err_fd);
    return rc;
}

/* ---- the kernelspec ------------------------------------------------------ */

/* mkdir -p path (0755 for new directories). */
static int make_dirs(const char *path) {
    char *copy = strdup(path);
    if (copy == NULL) return -1;
    int rc = 0;
    for (char *p = copy + 1; rc == 0; p++) {
        if (*p != '/' && *p != '\0') continue;
        char c = *p;
        *p = '\0';
        if (mkdir(copy, 0755) != 0 && errno != EEXIST) rc = -1;
        *p = c;
        if (c == '\0') break;
    }
    free(copy);
    return rc;
}

/* Writes data[0..len) to path, replacing it; 0, or -1 with a message. */
static int write_whole(const char *path, const char *data, size_t len) {
    FILE *f = fopen(path, "w");
    if (f == NULL) {
        fprintf(stderr, "%s: cannot write %s: %s\n", CORPUSRUN_PROGNAME, path, strerror(errno));
        return -1;
    }
    int bad = fwrite(data, 1, len, f) != len;
    bad |= fclose(f) != 0;
    if (bad) {
        fprintf(stderr, "%s: cannot write %s: %s\n", CORPUSRUN_PROGNAME, path, strerror(errno));
        return -1;
    }
    return 0;
}

/* The logos beside kernel.json in dir (restored to its length after):
 * logo-svg.svg for JupyterLab, logo-32x32.png and logo-64x64.png for the
 * classic notebook, one drawing (host/text/logo.c). */
static int write_logos(cr_buf *dir) {
    size_t base = dir->len;
    cr_buf pic = {0};
    int rc = -1;
    if (logo_svg(&pic) != 0) goto nomem;
    cr_buf_adds(dir, "/logo-svg.svg");
    if (dir->failed) goto nomem;
    if (write_whole(dir->data, pic.data, pic.len) != 0) goto out;
    static const unsigned sizes[] = {32, 64};
    for (size_t i = 0; i < sizeof sizes / sizeof sizes[0]; i++) {
        cr_buf_reset(&pic);
        dir->len = base;
        if (logo_png(sizes[i], &pic) != 0) goto nomem;
        cr_buf_addf(dir, "/logo-%ux%u.png", sizes[i], sizes[i]);
        if (dir->failed) goto nomem;
        if (write_whole(dir->data, pic.data, pic.len) != 0) goto out;
    }
    rc = 0;
    goto out;
nomem:
    fprintf(stderr, "%s: cannot draw the kernel's logo: out of memory\n", CORPUSRUN_PROGNAME);
out:
    dir->len = base;
    if (dir->data != NULL) dir->data[base] = '\0';
    cr_buf_free(&pic);
    return rc;
}

/* Jupyter's user data directory: $JUPYTER_DATA_DIR, else
 * $XDG_DATA_HOME/jupyter, else ~/.local/share/jupyter. */
static int user_data_dir(cr_buf *dir) {
    const char *v = getenv("JUPYTER_DATA_DIR");
    if (v != NULL && v[0] != '\0') return cr_buf_adds(dir, v);
    v = getenv("XDG_DATA_HOME");
    if (v != NULL && v[0] != '\0') return cr_buf_addf(dir, "%s/jupyter", v);
    v = getenv("HOME");
    if (v == NULL || v[0] == '\0') return -1;
    return cr_buf_addf(dir, "%s/.local/share/jupyter", v);
}

int cr_kernel_install(const char *prefix) {
    char exe[4096];
    ssize_t n = readlink("/proc/self/exe", exe, sizeof exe - 1);
    if (n <= 0) {
        fprintf(stderr, "%s: cannot find the executable's path: %s\n", CORPUSRUN_PROGNAME,
                strerror(errno));
        return -1;
    }
    exe[n] = '\0';
    cr_buf dir = {0}, json = {0};
    int rc = -1;
    if (prefix != NULL) {
        if (prefix[0] == '\0') {
            fprintf(stderr, "%s: --prefix needs a directory\n", CORPUSRUN_PROGNAME);
            goto out;
        }
        cr_buf_addf(&dir, "%s/share/jupyter", prefix);
    } else if (user_data_dir(&dir) != 0) {
        fprintf(stderr, "%s: no $HOME to install the kernel under\n", CORPUSRUN_PROGNAME);
        goto out;
    }
    cr_buf_adds(&dir, "/kernels/corpusrun");
    cr_buf_adds(&json, "{\n  \"argv\": [");
    jmsg_put_string(&json, exe, (size_t)n);
    cr_buf_adds(&json, ", \"--kernel\", \"{connection_file}\"],\n"
                       "  \"display_name\": \"corpusrun (Lua " LUA_VERSION_MAJOR "." LUA_VERSION_MINOR
                       ")\",\n  \"language\": \"lua\",\n  \"interrupt_mode\": \"signal\",\n"
                       "  \"metadata\": {}\n}\n");
    if (dir.failed || json.failed) {
        fprintf(stderr, "%s: out of memory\n", CORPUSRUN_PROGNAME);
        goto out;
    }
    if (make_dirs(dir.data) != 0) {
        fprintf(stderr, "%s: cannot create %s: %s\n", CORPUSRUN_PROGNAME, dir.data, strerror(errno));
        goto out;
    }
    size_t base = dir.len;
    if (write_logos(&dir) != 0) goto out;
    dir.len = base;
    cr_buf_adds(&dir, "/kernel.json");
    if (dir.failed || write_whole(dir.data, json.data, json.len) != 0) goto out;
    printf("installed the corpusrun kernel: %s\n", dir.data);
    rc = 0;
out:
    cr_buf_free(&dir);
    cr_buf_free(&json);
    return rc;
}
