/* llsqlite3.c — the `lsqlite3` module: LuaSQLite3 (0.9.x) compatible
 * binding of SQLite for corpusrun.
 *
 * The Lua surface and its conventions (return codes, `nil, code, msg` from
 * open, iterators that raise, context methods, constants) follow lsqlite3 so
 * that scripts written for it run unchanged.  On top of that:
 *   - the row iterators return a to-be-closed value, so a loop left with
 *     `break` (or an error) finalizes or resets its statement;
 *   - every object is safe after close: use raises, __gc/__close never do;
 *   - Lua code called by SQLite (functions, aggregates, collations, hooks)
 *     always runs under lua_pcall, so an error never unwinds through SQLite
 *     frames; errors in SQL functions become SQL errors with the message;
 *   - open connections are registered for cr_sqlite_interrupt_all (Ctrl-C);
 *   - every connection knows the FTS5 tokenizer `corpusrun` (ftstok.h);
 *   - what would run foreign native code or hand out raw pointers
 *     (load_extension, get_ptr, open_ptr) raises "not supported".
 */
#include <limits.h>
#include <stdatomic.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>

#include <lua.h>
#include <lauxlib.h>
#include <sqlite3.h>

#include "ftstok.h"
#include "llsqlite3.h"
#include "pathpolicy.h"

#define LSQLITE_VERSION "0.9.6"

#define DB_MT      "corpusrun.Database"
#define STMT_MT    "corpusrun.Statement"
#define CTX_MT     "corpusrun.Context"
#define BACKUP_MT  "corpusrun.Backup"
#define LOOP_MT    "corpusrun.StatementLoop"

/* ---- interrupt registry ---------------------------------------------------
 * A fixed table, so the signal path is a plain loop of atomic loads. */
#define SLOT_COUNT 256
_Static_assert(ATOMIC_POINTER_LOCK_FREE == 2, "lock-free pointers needed for the signal path");
static _Atomic(sqlite3 *) open_slots[SLOT_COUNT];

static int slot_acquire(sqlite3 *db) {
    for (int i = 0; i < SLOT_COUNT; i++) {
        sqlite3 *expected = NULL;
        if (atomic_compare_exchange_strong(&open_slots[i], &expected, db)) return i;
    }
    return -1; /* table full: this connection is not interruptible by Ctrl-C */
}

static void slot_release(int slot) {
    if (slot >= 0 && slot < SLOT_COUNT) atomic_store(&open_slots[slot], NULL);
}

void cr_sqlite_interrupt_all(void) {
    for (int i = 0; i < SLOT_COUNT; i++) {
        sqlite3 *db = atomic_load(&open_slots[i]);
        if (db) sqlite3_interrupt(db);
    }
}

/* ---- types ----------------------------------------------------------------- */

enum { CB_BUSY, CB_PROGRESS, CB_TRACE, CB_UPDATE, CB_COMMIT, CB_ROLLBACK, CB_COUNT };

typedef struct sq_db sq_db;
typedef struct sq_ctx sq_ctx;

/* A function, aggregate or collation registered on a connection; freed when
 * the connection closes. */
typedef struct sq_func {
    struct sq_func *next;
    sq_db *db;
    int fn;          /* registry refs */
    int fin;
    int ud;
    int ctx_ref;     /* scalar functions: the context object, reused */
    sq_ctx *ctx;
    int aggregate;
} sq_func;

struct sq_db {
    sqlite3 *db;      /* NULL when closed */
    lua_State *L;     /* the state running the current call; callbacks use it */
    int slot;
    sq_func *funcs;
    int cb[CB_COUNT];
    int ud[CB_COUNT];
    double cpu_deadline; /* sandboxed: process CPU seconds when queries stop */
};

typedef struct sq_stmt {
    sqlite3_stmt *vm; /* NULL when finalized */
    sq_db *db;        /* the connection (kept alive by user value 1) */
    int columns;      /* sqlite3_data_count after the last step */
    char has_row;     /* last step returned SQLITE_ROW */
    char temp;        /* made by db:rows/nrows/urows */
} sq_stmt;

struct sq_ctx {
    sqlite3_context *ctx; /* non-NULL only while SQLite is calling us */
    sq_func *func;
    int data_ref;         /* aggregate data (set_aggregate_data) */
    lua_Integer count;    /* aggregate: calls to step */
};

/* Per-group state of an aggregate, in SQLite's aggregate context memory. */
typedef struct sq_agg {
    int has_ctx;
    int ctx_ref;
    sq_ctx *ctx;
} sq_agg;

typedef struct sq_backup {
    sqlite3_backup *bu;
} sq_backup;

/* ---- small helpers ---------------------------------------------------------- */

static int check_int(lua_State *L, int arg) {
    lua_Integer v = luaL_checkinteger(L, arg);
    if (v < INT_MIN || v > INT_MAX) luaL_argerror(L, arg, "integer out of range");
    return (int)v;
}

static int opt_int(lua_State *L, int arg, int def) {
    return lua_isnoneornil(L, arg) ? def : check_int(L, arg);
}

static void push_column(lua_State *L, sqlite3_stmt *vm, int i) {
    switch (sqlite3_column_type(vm, i)) {
    case SQLITE_INTEGER:
        lua_pushinteger(L, (lua_Integer)sqlite3_column_int64(vm, i));
        break;
    case SQLITE_FLOAT:
        lua_pushnumber(L, sqlite3_column_double(vm, i));
        break;
    case SQLITE_TEXT: {
        const unsigned char *t = sqlite3_column_text(vm, i);
        int n = sqlite3_column_bytes(vm, i);
        if (t) lua_pushlstring(L, (const char *)t, (size_t)n);
        else lua_pushliteral(L, "");
        break;
    }
    case SQLITE_BLOB: {
        const void *b = sqlite3_column_blob(vm, i);
        int n = sqlite3_column_bytes(vm, i);
        if (b) lua_pushlstring(L, (const char *)b, (size_t)n);
        else lua_pushliteral(L, "");
        break;
    }
    default:
        lua_pushnil(L);
        break;
    }
}

static void push_value(lua_State *L, sqlite3_value *v) {
    switch (sqlite3_value_type(v)) {
    case SQLITE_INTEGER:
        lua_pushinteger(L, (lua_Integer)sqlite3_value_int64(v));
        break;
    case SQLITE_FLOAT:
        lua_pushnumber(L, sqlite3_value_double(v));
        break;
    case SQLITE_TEXT: {
        const unsigned char *t = sqlite3_value_text(v);
        int n = sqlite3_value_bytes(v);
        if (t) lua_pushlstring(L, (const char *)t, (size_t)n);
        else lua_pushliteral(L, "");
        break;
    }
    case SQLITE_BLOB: {
        const void *b = sqlite3_value_blob(v);
        int n = sqlite3_value_bytes(v);
        if (b) lua_pushlstring(L, (const char *)b, (size_t)n);
        else lua_pushliteral(L, "");
        break;
    }
    default:
        lua_pushnil(L);
        break;
    }
}

/* The message of the error object on top of the stack, never NULL. */
static const char *error_text(lua_State *L, size_t *len) {
    const char *msg = lua_tolstring(L, -1, len);
    if (!msg) {
        msg = "(error object is not a string)";
        *len = strlen(msg);
    }
    return msg;
}

/* ---- objects ------------------------------------------------------------------ */

static sq_db *to_db(lua_State *L, int i) {
    return (sq_db *)luaL_checkudata(L, i, DB_MT);
}

static sq_db *check_db(lua_State *L, int i) {
    sq_db *d = to_db(L, i);
    if (!d->db) luaL_argerror(L, i, "attempt to use closed sqlite database");
    d->L = L;
    return d;
}

static sq_stmt *to_stmt(lua_State *L, int i) {
    return (sq_stmt *)luaL_checkudata(L, i, STMT_MT);
}

static sq_stmt *check_stmt(lua_State *L, int i) {
    sq_stmt *s = to_stmt(L, i);
    if (!s->vm) luaL_argerror(L, i, "attempt to use closed sqlite virtual machine");
    s->db->L = L;
    return s;
}

static sq_ctx *to_ctx(lua_State *L, int i) {
    return (sq_ctx *)luaL_checkudata(L, i, CTX_MT);
}

static sq_ctx *check_ctx(lua_State *L, int i) {
    sq_ctx *c = to_ctx(L, i);
    if (!c->ctx) luaL_argerror(L, i, "invalid sqlite context");
    return c;
}

/* Pushes a new closed context object. */
static sq_ctx *new_ctx(lua_State *L, sq_func *f) {
    sq_ctx *c = (sq_ctx *)lua_newuserdatauv(L, sizeof *c, 0);
    c->ctx = NULL;
    c->func = f;
    c->data_ref = LUA_NOREF;
    c->count = 0;
    luaL_setmetatable(L, CTX_MT);
    return c;
}

static void unref(lua_State *L, int *ref) {
    luaL_unref(L, LUA_REGISTRYINDEX, *ref);
    *ref = LUA_NOREF;
}

/* ---- protected calls from SQLite into Lua -------------------------------------
 * SQLite calls C; C calls a body function under lua_pcall; the body does all
 * the pushing and the Lua call, so no error can unwind through SQLite. */

static int pcall_body(lua_State *L, lua_CFunction body, void *arg) {
    if (!lua_checkstack(L, 3)) return LUA_ERRMEM;
    lua_pushcfunction(L, body);
    lua_pushlightuserdata(L, arg);
    return lua_pcall(L, 1, 0, 0);
}

/* Hooks: callback(udata, args...) -> truthiness of the first result. */
typedef struct hookcall {
    sq_db *db;
    int which;
    int nargs;
    struct { int is_str; lua_Integer i; const char *s; } a[4];
    int result;
} hookcall;

static int hook_body(lua_State *L) {
    hookcall *h = (hookcall *)lua_touserdata(L, 1);
    lua_rawgeti(L, LUA_REGISTRYINDEX, h->db->cb[h->which]);
    lua_rawgeti(L, LUA_REGISTRYINDEX, h->db->ud[h->which]);
    for (int i = 0; i < h->nargs; i++) {
        if (h->a[i].is_str) lua_pushstring(L, h->a[i].s);
        else lua_pushinteger(L, h->a[i].i);
    }
    lua_call(L, 1 + h->nargs, 1);
    h->result = lua_toboolean(L, -1);
    return 0;
}

/* Runs the hook; returns its truthiness, or dflt when it raised. */
static int hook_run(hookcall *h, int dflt) {
    lua_State *L = h->db->L;
    int top = lua_gettop(L);
    int status = pcall_body(L, hook_body, h);
    lua_settop(L, top);
    return status == LUA_OK ? h->result : dflt;
}

static int busy_cb(void *p, int tries) {
    hookcall h = { .db = p, .which = CB_BUSY, .nargs = 1 };
    h.a[0].i = tries;
    return hook_run(&h, 0);
}

static int progress_cb(void *p) {
    hookcall h = { .db = p, .which = CB_PROGRESS, .nargs = 0 };
    return hook_run(&h, 1);
}

static int trace_cb(unsigned type, void *p, void *P, void *X) {
    if (type != SQLITE_TRACE_STMT) return 0;
    sq_db *d = p;
    const char *sql = X;
    char *expanded = NULL;
    if (sql && !(sql[0] == '-' && sql[1] == '-')) {
        expanded = sqlite3_expanded_sql((sqlite3_stmt *)P);
        if (expanded) sql = expanded;
    }
    hookcall h = { .db = d, .which = CB_TRACE, .nargs = 1 };
    h.a[0].is_str = 1;
    h.a[0].s = sql;
    hook_run(&h, 0);
    sqlite3_free(expanded);
    return 0;
}

static void update_cb(void *p, int op, const char *dbname, const char *tname, sqlite3_int64 rowid) {
    hookcall h = { .db = p, .which = CB_UPDATE, .nargs = 4 };
    h.a[0].i = op;
    h.a[1].is_str = 1;
    h.a[1].s = dbname;
    h.a[2].is_str = 1;
    h.a[2].s = tname;
    h.a[3].i = (lua_Integer)rowid;
    hook_run(&h, 0);
}

static int commit_cb(void *p) {
    hookcall h = { .db = p, .which = CB_COMMIT, .nargs = 0 };
    return hook_run(&h, 0);
}

static void rollback_cb(void *p) {
    hookcall h = { .db = p, .which = CB_ROLLBACK, .nargs = 0 };
    hook_run(&h, 0);
}

/* SQL functions and aggregates. */
typedef struct fcall {
    sq_func *func;
    sqlite3_context *context;
    int argc;
    sqlite3_value **argv;
    sq_agg *agg;
    sq_ctx *ctx;       /* the context object made valid for this call */
    sqlite3_context *saved;
    int final;
} fcall;

/* Pushes the per-group context of an aggregate, creating it on first use. */
static sq_ctx *agg_ctx(lua_State *L, fcall *c) {
    if (c->agg->has_ctx) {
        lua_rawgeti(L, LUA_REGISTRYINDEX, c->agg->ctx_ref);
        return c->agg->ctx;
    }
    sq_ctx *x = new_ctx(L, c->func);
    lua_pushvalue(L, -1);
    c->agg->ctx_ref = luaL_ref(L, LUA_REGISTRYINDEX);
    c->agg->ctx = x;
    c->agg->has_ctx = 1;
    return x;
}

static int fcall_body(lua_State *L) {
    fcall *c = (fcall *)lua_touserdata(L, 1);
    sq_func *f = c->func;
    lua_rawgeti(L, LUA_REGISTRYINDEX, c->final ? f->fin : f->fn);
    sq_ctx *x;
    if (f->aggregate) {
        x = agg_ctx(L, c);
        if (!c->final) x->count++;
    } else {
        lua_rawgeti(L, LUA_REGISTRYINDEX, f->ctx_ref);
        x = f->ctx;
    }
    c->saved = x->ctx;
    c->ctx = x;
    x->ctx = c->context;
    luaL_checkstack(L, c->argc, "too many arguments to SQL function");
    for (int i = 0; i < c->argc; i++) push_value(L, c->argv[i]);
    lua_call(L, c->argc + 1, 0);
    return 0;
}

static void fcall_run(fcall *c) {
    lua_State *L = c->func->db->L;
    int top = lua_gettop(L);
    int status = pcall_body(L, fcall_body, c);
    if (c->ctx) c->ctx->ctx = c->saved;
    if (status != LUA_OK) {
        if (status == LUA_ERRMEM) sqlite3_result_error_nomem(c->context);
        else {
            size_t len;
            const char *msg = error_text(L, &len);
            sqlite3_result_error(c->context, msg, len > INT_MAX ? INT_MAX : (int)len);
        }
    }
    lua_settop(L, top);
}

static void sql_function(sqlite3_context *context, int argc, sqlite3_value **argv) {
    fcall c = { .func = sqlite3_user_data(context), .context = context, .argc = argc, .argv = argv };
    if (c.func->aggregate) {
        c.agg = (sq_agg *)sqlite3_aggregate_context(context, (int)sizeof(sq_agg));
        if (!c.agg) {
            sqlite3_result_error_nomem(context);
            return;
        }
    }
    fcall_run(&c);
}

static void sql_final(sqlite3_context *context) {
    fcall c = { .func = sqlite3_user_data(context), .context = context, .final = 1 };
    c.agg = (sq_agg *)sqlite3_aggregate_context(context, (int)sizeof(sq_agg));
    if (!c.agg) {
        sqlite3_result_error_nomem(context);
        return;
    }
    fcall_run(&c);
    if (c.agg->has_ctx) {
        lua_State *L = c.func->db->L;
        c.agg->ctx->ctx = NULL;
        unref(L, &c.agg->ctx->data_ref);
        unref(L, &c.agg->ctx_ref);
        c.agg->has_ctx = 0;
    }
}

/* Collations. */
typedef struct collcall {
    sq_func *func;
    int l1, l2;
    const void *p1, *p2;
    int result;
} collcall;

static int coll_body(lua_State *L) {
    collcall *c = (collcall *)lua_touserdata(L, 1);
    lua_rawgeti(L, LUA_REGISTRYINDEX, c->func->fn);
    lua_pushlstring(L, (const char *)c->p1, (size_t)c->l1);
    lua_pushlstring(L, (const char *)c->p2, (size_t)c->l2);
    lua_call(L, 2, 1);
    lua_Number r = lua_tonumber(L, -1);
    c->result = r < 0 ? -1 : r > 0 ? 1 : 0;
    return 0;
}

static int sql_collate(void *p, int l1, const void *p1, int l2, const void *p2) {
    collcall c = { .func = p, .l1 = l1, .l2 = l2, .p1 = p1 ? p1 : "", .p2 = p2 ? p2 : "" };
    lua_State *L = c.func->db->L;
    int top = lua_gettop(L);
    int status = pcall_body(L, coll_body, &c);
    lua_settop(L, top);
    return status == LUA_OK ? c.result : 0;
}

/* db:exec callbacks: callback(udata, ncols, values, names), values as
 * strings (NULL as nil), fresh tables for every row. */
typedef struct execcall {
    lua_State *L;
    int columns;
    char **values;
    char **names;
    int result;
} execcall;

/* Stack of the body: 1 execcall, 2 function, 3 udata. */
static int exec_body(lua_State *L) {
    execcall *e = (execcall *)lua_touserdata(L, 1);
    lua_pushvalue(L, 2);
    lua_pushvalue(L, 3);
    lua_pushinteger(L, e->columns);
    lua_createtable(L, e->columns, 0);
    for (int i = 0; i < e->columns; i++) {
        lua_pushstring(L, e->values[i]);
        lua_rawseti(L, -2, i + 1);
    }
    lua_createtable(L, e->columns, 0);
    for (int i = 0; i < e->columns; i++) {
        lua_pushstring(L, e->names[i]);
        lua_rawseti(L, -2, i + 1);
    }
    lua_call(L, 4, 1);
    int isnum;
    lua_Integer v = lua_tointegerx(L, -1, &isnum);
    e->result = (isnum && v >= INT_MIN && v <= INT_MAX) ? (int)v : SQLITE_ABORT;
    return 0;
}

/* The caller's stack: 3 function, 4 udata. */
static int exec_cb(void *p, int columns, char **values, char **names) {
    execcall *e = p;
    lua_State *L = e->L;
    int top = lua_gettop(L);
    e->columns = columns;
    e->values = values;
    e->names = names;
    e->result = SQLITE_ABORT;
    if (!lua_checkstack(L, 6)) return SQLITE_ABORT;
    lua_pushcfunction(L, exec_body);
    lua_pushlightuserdata(L, e);
    lua_pushvalue(L, 3);
    lua_pushvalue(L, 4);
    if (lua_pcall(L, 3, 0, 0) != LUA_OK) e->result = SQLITE_ABORT;
    lua_settop(L, top);
    return e->result;
}

/* ---- statements ------------------------------------------------------------- */

/* Pushes a new closed statement of the database at index dbi and records it
 * in the database's statement table. */
static sq_stmt *new_stmt(lua_State *L, int dbi, sq_db *d) {
    dbi = lua_absindex(L, dbi);
    sq_stmt *s = (sq_stmt *)lua_newuserdatauv(L, sizeof *s, 1);
    s->vm = NULL;
    s->db = d;
    s->columns = 0;
    s->has_row = 0;
    s->temp = 0;
    luaL_setmetatable(L, STMT_MT);
    lua_pushvalue(L, dbi);
    lua_setiuservalue(L, -2, 1);
    lua_getiuservalue(L, dbi, 1);   /* the database's weak statement table */
    lua_pushvalue(L, -2);
    lua_pushboolean(L, 1);
    lua_rawset(L, -3);
    lua_pop(L, 1);
    return s;
}

/* Finalizes; returns sqlite3_finalize's code (SQLITE_OK when already closed). */
static int stmt_close(sq_stmt *s) {
    int rc = SQLITE_OK;
    if (s->vm) {
        rc = sqlite3_finalize(s->vm);
        s->vm = NULL;
    }
    s->columns = 0;
    s->has_row = 0;
    return rc;
}

static int stmt_gc(lua_State *L) {
    sq_stmt *s = to_stmt(L, 1);
    if (s->vm) {
        s->db->L = L;
        stmt_close(s);
    }
    return 0;
}

static int stmt_tostring(lua_State *L) {
    sq_stmt *s = to_stmt(L, 1);
    if (s->vm) lua_pushfstring(L, "sqlite virtual machine (%p)", (void *)s);
    else lua_pushliteral(L, "sqlite virtual machine (closed)");
    return 1;
}

static int stmt_isopen(lua_State *L) {
    lua_pushboolean(L, to_stmt(L, 1)->vm != NULL);
    return 1;
}

static int stmt_step(lua_State *L) {
    sq_stmt *s = check_stmt(L, 1);
    int rc = sqlite3_step(s->vm);
    s->has_row = rc == SQLITE_ROW;
    s->columns = sqlite3_data_count(s->vm);
    lua_pushinteger(L, rc);
    return 1;
}

static int stmt_finalize(lua_State *L) {
    sq_stmt *s = check_stmt(L, 1);
    lua_pushinteger(L, stmt_close(s));
    return 1;
}

static int stmt_reset(lua_State *L) {
    sq_stmt *s = check_stmt(L, 1);
    sqlite3_reset(s->vm);
    s->has_row = 0;
    s->columns = 0;
    lua_pushinteger(L, sqlite3_errcode(s->db->db));
    return 1;
}

static int stmt_columns(lua_State *L) {
    lua_pushinteger(L, sqlite3_column_count(check_stmt(L, 1)->vm));
    return 1;
}

static int stmt_last_insert_rowid(lua_State *L) {
    sq_stmt *s = check_stmt(L, 1);
    lua_pushinteger(L, (lua_Integer)sqlite3_last_insert_rowid(s->db->db));
    return 1;
}

static void need_row(lua_State *L, sq_stmt *s) {
    if (!s->has_row) luaL_error(L, "misuse of function");
}

static int column_index(lua_State *L, int arg, int columns) {
    lua_Integer i = luaL_checkinteger(L, arg);
    if (i < 0 || i >= columns) luaL_error(L, "index out of range [0..%d]", columns - 1);
    return (int)i;
}

static int stmt_get_value(lua_State *L) {
    sq_stmt *s = check_stmt(L, 1);
    need_row(L, s);
    push_column(L, s->vm, column_index(L, 2, s->columns));
    return 1;
}

static int stmt_get_name(lua_State *L) {
    sq_stmt *s = check_stmt(L, 1);
    lua_pushstring(L, sqlite3_column_name(s->vm, column_index(L, 2, sqlite3_column_count(s->vm))));
    return 1;
}

static int stmt_get_type(lua_State *L) {
    sq_stmt *s = check_stmt(L, 1);
    lua_pushstring(L, sqlite3_column_decltype(s->vm, column_index(L, 2, sqlite3_column_count(s->vm))));
    return 1;
}

/* What a get_* method reads of each column, and how it hands them back:
 * an array, a table keyed by column name, or as multiple results. */
typedef enum { COLUMN_VALUE, COLUMN_NAME, COLUMN_TYPE } column_field;
typedef enum { AS_ARRAY, AS_NAMED, AS_RESULTS } column_shape;

static void push_field(lua_State *L, sq_stmt *s, column_field field, int i) {
    switch (field) {
    case COLUMN_VALUE: push_column(L, s->vm, i); break;
    case COLUMN_NAME: lua_pushstring(L, sqlite3_column_name(s->vm, i)); break;
    case COLUMN_TYPE: lua_pushstring(L, sqlite3_column_decltype(s->vm, i)); break;
    }
}

static int push_fields(lua_State *L, column_field field, column_shape shape) {
    sq_stmt *s = check_stmt(L, 1);
    int n;
    if (field == COLUMN_VALUE) {
        need_row(L, s);
        n = s->columns;
    } else {
        n = sqlite3_column_count(s->vm);
    }
    if (shape == AS_RESULTS) {
        luaL_checkstack(L, n, "too many columns");
        for (int i = 0; i < n; i++) push_field(L, s, field, i);
        return n;
    }
    lua_createtable(L, shape == AS_ARRAY ? n : 0, shape == AS_NAMED ? n : 0);
    for (int i = 0; i < n; i++) {
        if (shape == AS_NAMED) {
            lua_pushstring(L, sqlite3_column_name(s->vm, i));
            push_field(L, s, field, i);
            lua_rawset(L, -3);
        } else {
            push_field(L, s, field, i);
            lua_rawseti(L, -2, i + 1);
        }
    }
    return 1;
}

static int stmt_get_values(lua_State *L) { return push_fields(L, COLUMN_VALUE, AS_ARRAY); }
static int stmt_get_names(lua_State *L) { return push_fields(L, COLUMN_NAME, AS_ARRAY); }
static int stmt_get_types(lua_State *L) { return push_fields(L, COLUMN_TYPE, AS_ARRAY); }
static int stmt_get_uvalues(lua_State *L) { return push_fields(L, COLUMN_VALUE, AS_RESULTS); }
static int stmt_get_unames(lua_State *L) { return push_fields(L, COLUMN_NAME, AS_RESULTS); }
static int stmt_get_utypes(lua_State *L) { return push_fields(L, COLUMN_TYPE, AS_RESULTS); }
static int stmt_get_named_values(lua_State *L) { return push_fields(L, COLUMN_VALUE, AS_NAMED); }
static int stmt_get_named_types(lua_State *L) { return push_fields(L, COLUMN_TYPE, AS_NAMED); }

/* ---- binding ------------------------------------------------------------------- */

static int bind_one(lua_State *L, sqlite3_stmt *vm, int index, int li) {
    switch (lua_type(L, li)) {
    case LUA_TSTRING: {
        size_t len;
        const char *s = lua_tolstring(L, li, &len);
        return sqlite3_bind_text64(vm, index, s, (sqlite3_uint64)len, SQLITE_TRANSIENT, SQLITE_UTF8);
    }
    case LUA_TNUMBER:
        if (lua_isinteger(L, li)) return sqlite3_bind_int64(vm, index, (sqlite3_int64)lua_tointeger(L, li));
        return sqlite3_bind_double(vm, index, (double)lua_tonumber(L, li));
    case LUA_TBOOLEAN:
        return sqlite3_bind_int(vm, index, lua_toboolean(L, li) ? 1 : 0);
    case LUA_TNONE:
    case LUA_TNIL:
        return sqlite3_bind_null(vm, index);
    default:
        return luaL_error(L, "index (%d) - invalid data type for bind (%s)", index, luaL_typename(L, li));
    }
}

static int bind_index(lua_State *L, sq_stmt *s, int arg) {
    lua_Integer i = luaL_checkinteger(L, arg);
    int n = sqlite3_bind_parameter_count(s->vm);
    if (i < 1 || i > n) luaL_error(L, "bind index out of range [1..%d]", n);
    return (int)i;
}

static int stmt_bind(lua_State *L) {
    sq_stmt *s = check_stmt(L, 1);
    int i = bind_index(L, s, 2);
    lua_pushinteger(L, bind_one(L, s->vm, i, 3));
    return 1;
}

static int stmt_bind_blob(lua_State *L) {
    sq_stmt *s = check_stmt(L, 1);
    int i = check_int(L, 2);
    size_t len;
    const char *b = luaL_checklstring(L, 3, &len);
    lua_pushinteger(L, sqlite3_bind_blob64(s->vm, i, b, (sqlite3_uint64)len, SQLITE_TRANSIENT));
    return 1;
}

static int stmt_bind_parameter_count(lua_State *L) {
    lua_pushinteger(L, sqlite3_bind_parameter_count(check_stmt(L, 1)->vm));
    return 1;
}

static int stmt_bind_parameter_name(lua_State *L) {
    sq_stmt *s = check_stmt(L, 1);
    lua_pushstring(L, sqlite3_bind_parameter_name(s->vm, bind_index(L, s, 2)));
    return 1;
}

/* Binds the values at stack positions first..last to parameters 1..n. */
static int bind_range(lua_State *L, sq_stmt *s, int first, int last) {
    int given = last - first + 1;
    int want = sqlite3_bind_parameter_count(s->vm);
    if (given != want)
        luaL_error(L, "incorrect number of parameters to bind (%d given, %d to bind)", given, want);
    for (int i = first; i <= last; i++) {
        int rc = bind_one(L, s->vm, i - first + 1, i);
        if (rc != SQLITE_OK) return rc;
    }
    return SQLITE_OK;
}

/* Binds from the table at index t: named parameters (:name, $name) by name,
 * the others by position. */
static int bind_table(lua_State *L, sq_stmt *s, int t) {
    int n = sqlite3_bind_parameter_count(s->vm);
    for (int i = 1; i <= n; i++) {
        const char *name = sqlite3_bind_parameter_name(s->vm, i);
        if (name && (name[0] == ':' || name[0] == '$')) lua_getfield(L, t, name + 1);
        else lua_geti(L, t, i);
        int rc = bind_one(L, s->vm, i, -1);
        lua_pop(L, 1);
        if (rc != SQLITE_OK) return rc;
    }
    return SQLITE_OK;
}

static int stmt_bind_values(lua_State *L) {
    sq_stmt *s = check_stmt(L, 1);
    lua_pushinteger(L, bind_range(L, s, 2, lua_gettop(L)));
    return 1;
}

static int stmt_bind_names(lua_State *L) {
    sq_stmt *s = check_stmt(L, 1);
    luaL_checktype(L, 2, LUA_TTABLE);
    lua_pushinteger(L, bind_table(L, s, 2));
    return 1;
}

/* ---- row iterators --------------------------------------------------------------- */

enum { ROWS_UNPACKED, ROWS_ARRAY, ROWS_NAMED };

static int next_row(lua_State *L, int mode) {
    sq_stmt *s = check_stmt(L, 1);
    int rc = sqlite3_step(s->vm);
    s->has_row = rc == SQLITE_ROW;
    s->columns = sqlite3_data_count(s->vm);
    if (rc == SQLITE_ROW) {
        int n = s->columns;
        switch (mode) {
        case ROWS_ARRAY:
            lua_createtable(L, n, 0);
            for (int i = 0; i < n; i++) {
                push_column(L, s->vm, i);
                lua_rawseti(L, -2, i + 1);
            }
            return 1;
        case ROWS_NAMED:
            lua_createtable(L, 0, n);
            for (int i = 0; i < n; i++) {
                lua_pushstring(L, sqlite3_column_name(s->vm, i));
                push_column(L, s->vm, i);
                lua_rawset(L, -3);
            }
            return 1;
        default:
            luaL_checkstack(L, n, "too many columns");
            for (int i = 0; i < n; i++) push_column(L, s->vm, i);
            return n;
        }
    }
    if (s->temp) rc = stmt_close(s);
    else if (rc == SQLITE_DONE) rc = sqlite3_reset(s->vm);
    if (rc != SQLITE_OK) {
        lua_pushstring(L, sqlite3_errmsg(s->db->db));
        return lua_error(L);
    }
    return 0;
}

static int next_unpacked(lua_State *L) { return next_row(L, ROWS_UNPACKED); }
static int next_array(lua_State *L) { return next_row(L, ROWS_ARRAY); }
static int next_named(lua_State *L) { return next_row(L, ROWS_NAMED); }

/* The closing value of stmt:rows() loops: resets the statement, so a loop
 * left early does not leave it (and the database) busy. */
static int loop_close(lua_State *L) {
    luaL_checkudata(L, 1, LOOP_MT);
    if (lua_getiuservalue(L, 1, 1) == LUA_TUSERDATA) {
        sq_stmt *s = (sq_stmt *)luaL_testudata(L, -1, STMT_MT);
        if (s && s->vm) {
            s->db->L = L;
            sqlite3_reset(s->vm);
            s->has_row = 0;
            s->columns = 0;
        }
    }
    return 0;
}

static int stmt_loop(lua_State *L, lua_CFunction next) {
    check_stmt(L, 1);
    lua_pushcfunction(L, next);
    lua_pushvalue(L, 1);
    lua_pushnil(L);
    lua_newuserdatauv(L, 0, 1);
    luaL_setmetatable(L, LOOP_MT);
    lua_pushvalue(L, 1);
    lua_setiuservalue(L, -2, 1);
    return 4;
}

static int stmt_rows(lua_State *L) { return stmt_loop(L, next_array); }
static int stmt_nrows(lua_State *L) { return stmt_loop(L, next_named); }
static int stmt_urows(lua_State *L) { return stmt_loop(L, next_unpacked); }

/* ---- database ------------------------------------------------------------------ */

static int db_prepare_into(lua_State *L, sq_db *d, sq_stmt *s, const char *sql, size_t len,
                           const char **tail) {
    if (len > INT_MAX) luaL_error(L, "SQL text too long");
    return sqlite3_prepare_v2(d->db, sql, (int)len, &s->vm, tail);
}

/* db:rows(sql [, values... | table]) and friends. */
static int db_loop(lua_State *L, lua_CFunction next) {
    sq_db *d = check_db(L, 1);
    size_t len;
    const char *sql = luaL_checklstring(L, 2, &len);
    int top = lua_gettop(L);
    sq_stmt *s = new_stmt(L, 1, d);
    s->temp = 1;
    if (db_prepare_into(L, d, s, sql, len, NULL) != SQLITE_OK) {
        lua_pushstring(L, sqlite3_errmsg(d->db));
        stmt_close(s);
        return lua_error(L);
    }
    int si = lua_gettop(L);
    if (top > 2 && s->vm) {
        int rc = (top == 3 && lua_istable(L, 3)) ? bind_table(L, s, 3) : bind_range(L, s, 3, top);
        if (rc != SQLITE_OK) {
            lua_pushstring(L, sqlite3_errmsg(d->db));
            stmt_close(s);
            return lua_error(L);
        }
    }
    lua_pushcfunction(L, next);
    lua_pushvalue(L, si);
    lua_pushnil(L);
    lua_pushvalue(L, si);   /* closing value: finalizes the statement */
    return 4;
}

static int db_rows(lua_State *L) { return db_loop(L, next_array); }
static int db_nrows(lua_State *L) { return db_loop(L, next_named); }
static int db_urows(lua_State *L) { return db_loop(L, next_unpacked); }

static int db_prepare(lua_State *L) {
    sq_db *d = check_db(L, 1);
    size_t len;
    const char *sql = luaL_checklstring(L, 2, &len);
    const char *tail = NULL;
    sq_stmt *s = new_stmt(L, 1, d);
    if (db_prepare_into(L, d, s, sql, len, &tail) != SQLITE_OK) {
        stmt_close(s);
        lua_pushnil(L);
        lua_pushinteger(L, sqlite3_errcode(d->db));
        return 2;
    }
    if (tail) lua_pushlstring(L, tail, len - (size_t)(tail - sql));
    else lua_pushliteral(L, "");
    return 2;
}

static int db_exec(lua_State *L) {
    sq_db *d = check_db(L, 1);
    const char *sql = luaL_checkstring(L, 2);
    int rc;
    if (!lua_isnoneornil(L, 3)) {
        luaL_checktype(L, 3, LUA_TFUNCTION);
        lua_settop(L, 4);   /* 3 function, 4 udata */
        execcall e = { .L = L };
        rc = sqlite3_exec(d->db, sql, exec_cb, &e, NULL);
    } else {
        rc = sqlite3_exec(d->db, sql, NULL, NULL, NULL);
    }
    lua_pushinteger(L, rc);
    return 1;
}

static int db_isopen(lua_State *L) {
    lua_pushboolean(L, to_db(L, 1)->db != NULL);
    return 1;
}

static int db_tostring(lua_State *L) {
    sq_db *d = to_db(L, 1);
    if (d->db) lua_pushfstring(L, "sqlite database (%p)", (void *)d);
    else lua_pushliteral(L, "sqlite database (closed)");
    return 1;
}

static void clear_callbacks(lua_State *L, sq_db *d) {
    if (d->db) {
        sqlite3_busy_handler(d->db, NULL, NULL);
        sqlite3_progress_handler(d->db, 0, NULL, NULL);
        sqlite3_trace_v2(d->db, 0, NULL, NULL);
        sqlite3_update_hook(d->db, NULL, NULL);
        sqlite3_commit_hook(d->db, NULL, NULL);
        sqlite3_rollback_hook(d->db, NULL, NULL);
    }
    for (int i = 0; i < CB_COUNT; i++) {
        unref(L, &d->cb[i]);
        unref(L, &d->ud[i]);
    }
}

static void free_funcs(lua_State *L, sq_db *d) {
    sq_func *f = d->funcs;
    while (f) {
        sq_func *next = f->next;
        if (f->ctx) f->ctx->ctx = NULL;
        unref(L, &f->fn);
        unref(L, &f->fin);
        unref(L, &f->ud);
        unref(L, &f->ctx_ref);
        free(f);
        f = next;
    }
    d->funcs = NULL;
}

/* Closes the database at index i: finalizes its statements, drops its
 * callbacks and functions.  Returns the close code. */
static int db_cleanup(lua_State *L, int i, sq_db *d) {
    if (!d->db) return SQLITE_OK;
    d->L = L;
    slot_release(d->slot);
    d->slot = -1;
    if (lua_getiuservalue(L, i, 1) == LUA_TTABLE) {
        lua_pushnil(L);
        while (lua_next(L, -2)) {
            lua_pop(L, 1);
            sq_stmt *s = (sq_stmt *)luaL_testudata(L, -1, STMT_MT);
            if (s) stmt_close(s);
        }
    }
    lua_pop(L, 1);
    clear_callbacks(L, d);
    /* close_v2: a backup still running keeps the connection as a zombie */
    int rc = sqlite3_close_v2(d->db);
    d->db = NULL;
    free_funcs(L, d);
    return rc;
}

static int db_close(lua_State *L) {
    sq_db *d = check_db(L, 1);
    lua_pushinteger(L, db_cleanup(L, 1, d));
    return 1;
}

static int db_gc(lua_State *L) {
    sq_db *d = to_db(L, 1);
    db_cleanup(L, 1, d);
    return 0;
}

static int db_close_vm(lua_State *L) {
    check_db(L, 1);
    int temponly = lua_toboolean(L, 2);
    lua_getiuservalue(L, 1, 1);
    lua_pushnil(L);
    while (lua_next(L, -2)) {
        lua_pop(L, 1);
        sq_stmt *s = (sq_stmt *)luaL_testudata(L, -1, STMT_MT);
        if (s && (!temponly || s->temp)) stmt_close(s);
    }
    return 0;
}

static int db_last_insert_rowid(lua_State *L) {
    lua_pushinteger(L, (lua_Integer)sqlite3_last_insert_rowid(check_db(L, 1)->db));
    return 1;
}

static int db_changes(lua_State *L) {
    lua_pushinteger(L, sqlite3_changes(check_db(L, 1)->db));
    return 1;
}

static int db_total_changes(lua_State *L) {
    lua_pushinteger(L, sqlite3_total_changes(check_db(L, 1)->db));
    return 1;
}

static int db_errcode(lua_State *L) {
    lua_pushinteger(L, sqlite3_errcode(check_db(L, 1)->db));
    return 1;
}

static int db_errmsg(lua_State *L) {
    lua_pushstring(L, sqlite3_errmsg(check_db(L, 1)->db));
    return 1;
}

static int db_interrupt(lua_State *L) {
    sqlite3_interrupt(check_db(L, 1)->db);
    return 0;
}

static int db_db_filename(lua_State *L) {
    sq_db *d = check_db(L, 1);
    const char *name = luaL_checkstring(L, 2);
    lua_pushstring(L, sqlite3_db_filename(d->db, name));
    return 1;
}

static int db_busy_timeout(lua_State *L) {
    sq_db *d = check_db(L, 1);
    sqlite3_busy_timeout(d->db, check_int(L, 2));
    unref(L, &d->cb[CB_BUSY]);
    unref(L, &d->ud[CB_BUSY]);
    return 0;
}

/* Stores callback (at fi) and udata (at fi + 1) for slot which; returns 1,
 * or 0 when the callback is nil or absent (and the slot is cleared). */
static int set_callback(lua_State *L, sq_db *d, int which, int fi) {
    unref(L, &d->cb[which]);
    unref(L, &d->ud[which]);
    if (lua_isnoneornil(L, fi)) return 0;
    luaL_checktype(L, fi, LUA_TFUNCTION);
    lua_settop(L, fi + 1);
    d->ud[which] = luaL_ref(L, LUA_REGISTRYINDEX);
    d->cb[which] = luaL_ref(L, LUA_REGISTRYINDEX);
    return 1;
}

static int db_busy_handler(lua_State *L) {
    sq_db *d = check_db(L, 1);
    if (set_callback(L, d, CB_BUSY, 2)) sqlite3_busy_handler(d->db, busy_cb, d);
    else sqlite3_busy_handler(d->db, NULL, NULL);
    return 0;
}

static int db_progress_handler(lua_State *L) {
    sq_db *d = check_db(L, 1);
    if (lua_isnoneornil(L, 2) || lua_isnoneornil(L, 3)) {
        sqlite3_progress_handler(d->db, 0, NULL, NULL);
        unref(L, &d->cb[CB_PROGRESS]);
        unref(L, &d->ud[CB_PROGRESS]);
        return 0;
    }
    int n = check_int(L, 2);
    luaL_checktype(L, 3, LUA_TFUNCTION);
    set_callback(L, d, CB_PROGRESS, 3);
    sqlite3_progress_handler(d->db, n, progress_cb, d);
    return 0;
}

static int db_trace(lua_State *L) {
    sq_db *d = check_db(L, 1);
    if (set_callback(L, d, CB_TRACE, 2)) sqlite3_trace_v2(d->db, SQLITE_TRACE_STMT, trace_cb, d);
    else sqlite3_trace_v2(d->db, 0, NULL, NULL);
    return 0;
}

static int db_update_hook(lua_State *L) {
    sq_db *d = check_db(L, 1);
    if (set_callback(L, d, CB_UPDATE, 2)) sqlite3_update_hook(d->db, update_cb, d);
    else sqlite3_update_hook(d->db, NULL, NULL);
    return 0;
}

static int db_commit_hook(lua_State *L) {
    sq_db *d = check_db(L, 1);
    if (set_callback(L, d, CB_COMMIT, 2)) sqlite3_commit_hook(d->db, commit_cb, d);
    else sqlite3_commit_hook(d->db, NULL, NULL);
    return 0;
}

static int db_rollback_hook(lua_State *L) {
    sq_db *d = check_db(L, 1);
    if (set_callback(L, d, CB_ROLLBACK, 2)) sqlite3_rollback_hook(d->db, rollback_cb, d);
    else sqlite3_rollback_hook(d->db, NULL, NULL);
    return 0;
}

static sq_func *new_func(lua_State *L, sq_db *d) {
    sq_func *f = (sq_func *)calloc(1, sizeof *f);
    if (!f) luaL_error(L, "out of memory");
    f->db = d;
    f->fn = f->fin = f->ud = f->ctx_ref = LUA_NOREF;
    return f;
}

static void link_func(sq_db *d, sq_func *f) {
    f->next = d->funcs;
    d->funcs = f;
}

/* create_function(name, nargs, fn [, udata]) and
 * create_aggregate(name, nargs, step, final [, udata]) -> boolean */
static int register_function(lua_State *L, int aggregate) {
    sq_db *d = check_db(L, 1);
    const char *name = luaL_checkstring(L, 2);
    int nargs = check_int(L, 3);
    luaL_checktype(L, 4, LUA_TFUNCTION);
    if (aggregate) luaL_checktype(L, 5, LUA_TFUNCTION);
    lua_settop(L, aggregate ? 6 : 5);
    /* Everything that may raise happens before SQLite knows the function. */
    sq_ctx *ctx = aggregate ? NULL : new_ctx(L, NULL);
    int ctx_ref = aggregate ? LUA_NOREF : luaL_ref(L, LUA_REGISTRYINDEX);
    sq_func *f = (sq_func *)calloc(1, sizeof *f);
    if (!f) {
        luaL_unref(L, LUA_REGISTRYINDEX, ctx_ref);
        return luaL_error(L, "out of memory");
    }
    f->db = d;
    f->aggregate = aggregate;
    f->ctx = ctx;
    f->ctx_ref = ctx_ref;
    if (ctx) ctx->func = f;
    lua_pushvalue(L, 4);
    f->fn = luaL_ref(L, LUA_REGISTRYINDEX);
    if (aggregate) {
        lua_pushvalue(L, 5);
        f->fin = luaL_ref(L, LUA_REGISTRYINDEX);
    } else {
        f->fin = LUA_NOREF;
    }
    lua_pushvalue(L, aggregate ? 6 : 5);
    f->ud = luaL_ref(L, LUA_REGISTRYINDEX);
    link_func(d, f);   /* freed at close, whether or not SQLite accepted it */
    int rc = sqlite3_create_function_v2(d->db, name, nargs, SQLITE_UTF8, f,
                                        aggregate ? NULL : sql_function,
                                        aggregate ? sql_function : NULL,
                                        aggregate ? sql_final : NULL, NULL);
    lua_pushboolean(L, rc == SQLITE_OK);
    return 1;
}

static int db_create_function(lua_State *L) { return register_function(L, 0); }
static int db_create_aggregate(lua_State *L) { return register_function(L, 1); }

static int db_create_collation(lua_State *L) {
    sq_db *d = check_db(L, 1);
    const char *name = luaL_checkstring(L, 2);
    lua_settop(L, 3);
    if (lua_isnil(L, 3)) {
        sqlite3_create_collation_v2(d->db, name, SQLITE_UTF8, NULL, NULL, NULL);
        return 0;
    }
    if (!lua_isfunction(L, 3)) return luaL_error(L, "create_collation: function or nil expected");
    sq_func *f = new_func(L, d);
    f->fn = luaL_ref(L, LUA_REGISTRYINDEX);
    link_func(d, f);
    sqlite3_create_collation_v2(d->db, name, SQLITE_UTF8, f, sql_collate, NULL);
    return 0;
}

static int not_supported(lua_State *L) {
    return luaL_error(L, "not supported: corpusrun's lsqlite3 does not load native code or hand out raw pointers");
}

/* ---- context methods ---------------------------------------------------------------- */

static int ctx_tostring(lua_State *L) {
    sq_ctx *c = to_ctx(L, 1);
    if (c->ctx) lua_pushfstring(L, "sqlite function context (%p)", (void *)c);
    else lua_pushliteral(L, "sqlite function context (closed)");
    return 1;
}

static sq_ctx *check_aggregate(lua_State *L) {
    sq_ctx *c = check_ctx(L, 1);
    if (!c->func || !c->func->aggregate)
        luaL_error(L, "attempt to call aggregate method from scalar function");
    return c;
}

static int ctx_user_data(lua_State *L) {
    sq_ctx *c = check_ctx(L, 1);
    lua_rawgeti(L, LUA_REGISTRYINDEX, c->func->ud);
    return 1;
}

static int ctx_get_aggregate_data(lua_State *L) {
    sq_ctx *c = check_aggregate(L);
    lua_rawgeti(L, LUA_REGISTRYINDEX, c->data_ref);
    return 1;
}

static int ctx_set_aggregate_data(lua_State *L) {
    sq_ctx *c = check_aggregate(L);
    lua_settop(L, 2);
    int ref = luaL_ref(L, LUA_REGISTRYINDEX);
    luaL_unref(L, LUA_REGISTRYINDEX, c->data_ref);
    c->data_ref = ref;
    return 0;
}

static int ctx_aggregate_count(lua_State *L) {
    sq_ctx *c = check_aggregate(L);
    lua_pushinteger(L, c->count);
    return 1;
}

static int ctx_result(lua_State *L) {
    sq_ctx *c = check_ctx(L, 1);
    switch (lua_type(L, 2)) {
    case LUA_TNUMBER:
        if (lua_isinteger(L, 2)) sqlite3_result_int64(c->ctx, (sqlite3_int64)lua_tointeger(L, 2));
        else sqlite3_result_double(c->ctx, (double)lua_tonumber(L, 2));
        break;
    case LUA_TSTRING: {
        size_t len;
        const char *s = lua_tolstring(L, 2, &len);
        sqlite3_result_text64(c->ctx, s, (sqlite3_uint64)len, SQLITE_TRANSIENT, SQLITE_UTF8);
        break;
    }
    case LUA_TNIL:
    case LUA_TNONE:
        sqlite3_result_null(c->ctx);
        break;
    default:
        return luaL_error(L, "invalid result type %s", luaL_typename(L, 2));
    }
    return 0;
}

static int ctx_result_null(lua_State *L) {
    sqlite3_result_null(check_ctx(L, 1)->ctx);
    return 0;
}

static int ctx_result_double(lua_State *L) {
    sq_ctx *c = check_ctx(L, 1);
    sqlite3_result_double(c->ctx, (double)luaL_checknumber(L, 2));
    return 0;
}

static int ctx_result_int(lua_State *L) {
    sq_ctx *c = check_ctx(L, 1);
    sqlite3_result_int64(c->ctx, (sqlite3_int64)luaL_checkinteger(L, 2));
    return 0;
}

static int ctx_result_text(lua_State *L) {
    sq_ctx *c = check_ctx(L, 1);
    size_t len;
    const char *s = luaL_checklstring(L, 2, &len);
    sqlite3_result_text64(c->ctx, s, (sqlite3_uint64)len, SQLITE_TRANSIENT, SQLITE_UTF8);
    return 0;
}

static int ctx_result_blob(lua_State *L) {
    sq_ctx *c = check_ctx(L, 1);
    size_t len;
    const char *s = luaL_checklstring(L, 2, &len);
    sqlite3_result_blob64(c->ctx, s, (sqlite3_uint64)len, SQLITE_TRANSIENT);
    return 0;
}

static int ctx_result_error(lua_State *L) {
    sq_ctx *c = check_ctx(L, 1);
    size_t len;
    const char *s = luaL_checklstring(L, 2, &len);
    sqlite3_result_error(c->ctx, s, len > INT_MAX ? INT_MAX : (int)len);
    return 0;
}

/* ---- online backup ---------------------------------------------------------------------- */

static sq_backup *to_backup(lua_State *L, int i) {
    return (sq_backup *)luaL_checkudata(L, i, BACKUP_MT);
}

static sq_backup *check_backup(lua_State *L, int i) {
    sq_backup *b = to_backup(L, i);
    if (!b->bu) luaL_argerror(L, i, "attempt to use closed sqlite database backup");
    return b;
}

/* Sets the L of both databases (user values 1 and 2) for callbacks. */
static void backup_set_state(lua_State *L, int i) {
    for (int k = 1; k <= 2; k++) {
        if (lua_getiuservalue(L, i, k) == LUA_TUSERDATA) {
            sq_db *d = (sq_db *)luaL_testudata(L, -1, DB_MT);
            if (d) d->L = L;
        }
        lua_pop(L, 1);
    }
}

static int backup_finish_at(lua_State *L, int i, sq_backup *b) {
    backup_set_state(L, i);
    int rc = sqlite3_backup_finish(b->bu);
    b->bu = NULL;
    return rc;
}

static int lsqlite_backup_init(lua_State *L) {
    sq_db *target = check_db(L, 1);
    const char *tname = luaL_checkstring(L, 2);
    sq_db *source = check_db(L, 3);
    const char *sname = luaL_checkstring(L, 4);
    sq_backup *b = (sq_backup *)lua_newuserdatauv(L, sizeof *b, 2);
    b->bu = NULL;
    luaL_setmetatable(L, BACKUP_MT);
    lua_pushvalue(L, 1);
    lua_setiuservalue(L, -2, 1);
    lua_pushvalue(L, 3);
    lua_setiuservalue(L, -2, 2);
    b->bu = sqlite3_backup_init(target->db, tname, source->db, sname);
    return b->bu ? 1 : 0;
}

static int backup_step(lua_State *L) {
    sq_backup *b = check_backup(L, 1);
    int n = check_int(L, 2);
    backup_set_state(L, 1);
    lua_pushinteger(L, sqlite3_backup_step(b->bu, n));
    return 1;
}

static int backup_remaining(lua_State *L) {
    lua_pushinteger(L, sqlite3_backup_remaining(check_backup(L, 1)->bu));
    return 1;
}

static int backup_pagecount(lua_State *L) {
    lua_pushinteger(L, sqlite3_backup_pagecount(check_backup(L, 1)->bu));
    return 1;
}

static int backup_finish(lua_State *L) {
    sq_backup *b = check_backup(L, 1);
    lua_pushinteger(L, backup_finish_at(L, 1, b));
    return 1;
}

static int backup_gc(lua_State *L) {
    sq_backup *b = to_backup(L, 1);
    if (b->bu) backup_finish_at(L, 1, b);
    return 0;
}

static int backup_tostring(lua_State *L) {
    sq_backup *b = to_backup(L, 1);
    if (b->bu) lua_pushfstring(L, "sqlite database backup (%p)", (void *)b);
    else lua_pushliteral(L, "sqlite database backup (closed)");
    return 1;
}

/* ---- module functions -------------------------------------------------------------------- */

/* Pushes a new closed database object with its (weak) statement table. */
static sq_db *new_db(lua_State *L) {
    sq_db *d = (sq_db *)lua_newuserdatauv(L, sizeof *d, 1);
    d->db = NULL;
    d->L = L;
    d->slot = -1;
    d->funcs = NULL;
    d->cpu_deadline = 0;
    for (int i = 0; i < CB_COUNT; i++) d->cb[i] = d->ud[i] = LUA_NOREF;
    luaL_setmetatable(L, DB_MT);
    lua_newtable(L);
    lua_createtable(L, 0, 1);
    lua_pushliteral(L, "k");
    lua_setfield(L, -2, "__mode");
    lua_setmetatable(L, -2);
    lua_setiuservalue(L, -2, 1);
    return d;
}

/* Sandboxed runs: a query stops once the process has used its CPU time. */
static int past_deadline(void *ud) {
    const sq_db *d = ud;
    struct timespec ts;
    if (clock_gettime(CLOCK_PROCESS_CPUTIME_ID, &ts) != 0) return 0;
    return (double)ts.tv_sec + (double)ts.tv_nsec / 1e9 >= d->cpu_deadline;
}

/* Under `corpusrun --sandbox` (the host sets the registry field to the CPU
 * deadline) a connection reaches no other database file — ATTACH and
 * VACUUM INTO both need an attached slot — and honours the time limit. */
static void apply_sandbox(lua_State *L, sq_db *d) {
    if (lua_getfield(L, LUA_REGISTRYINDEX, "corpusrun.sandbox") == LUA_TNUMBER) {
        sqlite3_limit(d->db, SQLITE_LIMIT_ATTACHED, 0);
        d->cpu_deadline = lua_tonumber(L, -1);
        sqlite3_progress_handler(d->db, 10000, past_deadline, d);
    }
    lua_pop(L, 1);
}

/* Under the sandbox a database file goes through the path policy (and every
 * file SQLite opens, through the sandbox's VFS): one that may be read but not
 * written opens read-only, one that may not be read raises the refusal.
 * Returns the flags to open with, or -1 with nil, code, message pushed. */
static int policy_flags(lua_State *L, const char *filename, int flags) {
    if (!pp_active()) return flags;
    flags &= ~SQLITE_OPEN_URI;
    if (strcmp(filename, ":memory:") == 0 || filename[0] == '\0') return flags;
    char why[PP_MSG_SIZE], rwhy[PP_MSG_SIZE];
    int writing = (flags & SQLITE_OPEN_READWRITE) != 0;
    if (writing) {
        if (pp_check(filename, PP_WRITE, NULL, why, sizeof why) == 0) return flags;
        if (!pp_refused()) goto fail;
        flags = (flags & ~(SQLITE_OPEN_READWRITE | SQLITE_OPEN_CREATE)) | SQLITE_OPEN_READONLY;
    }
    if (pp_check(filename, PP_READ, NULL, rwhy, sizeof rwhy) == 0) return flags;
    if (pp_refused()) return luaL_error(L, "%s", writing ? why : rwhy); /* what was asked for */
    memcpy(why, rwhy, sizeof why);
fail:
    lua_pushnil(L);
    lua_pushinteger(L, SQLITE_CANTOPEN);
    lua_pushstring(L, why);
    return -1;
}

static int do_open(lua_State *L, const char *filename, int flags) {
    if ((flags = policy_flags(L, filename, flags)) < 0) return 3;
    sq_db *d = new_db(L);
    int rc = sqlite3_open_v2(filename, &d->db, flags, NULL);
    if (rc == SQLITE_OK) {
        d->slot = slot_acquire(d->db);
        apply_sandbox(L, d);
        /* corpusrun's FTS5 tokenizer on every connection; a library without
         * FTS5 (or a file that is not a database) just goes without it */
        cr_fts5_register(d->db);
        return 1;
    }
    lua_pushnil(L);
    lua_pushinteger(L, d->db ? sqlite3_errcode(d->db) : rc);
    lua_pushstring(L, d->db ? sqlite3_errmsg(d->db) : sqlite3_errstr(rc));
    if (d->db) sqlite3_close_v2(d->db);
    d->db = NULL;
    return 3;
}

static int lsqlite_open(lua_State *L) {
    const char *filename = luaL_checkstring(L, 1);
    int flags = opt_int(L, 2, SQLITE_OPEN_READWRITE | SQLITE_OPEN_CREATE);
    return do_open(L, filename, flags);
}

static int lsqlite_open_memory(lua_State *L) {
    return do_open(L, ":memory:", SQLITE_OPEN_READWRITE | SQLITE_OPEN_CREATE);
}

static int lsqlite_version(lua_State *L) {
    lua_pushstring(L, sqlite3_libversion());
    return 1;
}

static int lsqlite_lversion(lua_State *L) {
    lua_pushliteral(L, LSQLITE_VERSION);
    return 1;
}

static int lsqlite_complete(lua_State *L) {
    lua_pushboolean(L, sqlite3_complete(luaL_checkstring(L, 1)));
    return 1;
}

/* temp_directory([dir]) -> previous directory; nil resets. */
static int lsqlite_temp_directory(lua_State *L) {
    char *old = sqlite3_temp_directory;
    if (pp_active() && !lua_isnone(L, 1))
        return luaL_error(L, "sandbox: setting SQLite's temporary directory to '%s' is not allowed",
                          luaL_optstring(L, 1, ""));
    lua_pushstring(L, old);
    if (!lua_isnone(L, 1)) {
        const char *dir = luaL_optstring(L, 1, NULL);
        char *copy = NULL;
        if (dir && !(copy = sqlite3_mprintf("%s", dir))) return luaL_error(L, "out of memory");
        sqlite3_temp_directory = copy;
        sqlite3_free(old);
    }
    return 1;
}

static int readonly_newindex(lua_State *L) {
    return luaL_error(L, "attempt to change readonly table");
}

/* ---- registration ------------------------------------------------------------------------ */

static const luaL_Reg db_methods[] = {
    { "isopen", db_isopen },
    { "last_insert_rowid", db_last_insert_rowid },
    { "changes", db_changes },
    { "total_changes", db_total_changes },
    { "errcode", db_errcode },
    { "error_code", db_errcode },
    { "errmsg", db_errmsg },
    { "error_message", db_errmsg },
    { "interrupt", db_interrupt },
    { "db_filename", db_db_filename },
    { "create_function", db_create_function },
    { "create_aggregate", db_create_aggregate },
    { "create_collation", db_create_collation },
    { "load_extension", not_supported },
    { "trace", db_trace },
    { "progress_handler", db_progress_handler },
    { "busy_timeout", db_busy_timeout },
    { "busy_handler", db_busy_handler },
    { "update_hook", db_update_hook },
    { "commit_hook", db_commit_hook },
    { "rollback_hook", db_rollback_hook },
    { "prepare", db_prepare },
    { "rows", db_rows },
    { "urows", db_urows },
    { "nrows", db_nrows },
    { "exec", db_exec },
    { "execute", db_exec },
    { "close", db_close },
    { "close_vm", db_close_vm },
    { "get_ptr", not_supported },
    { NULL, NULL }
};

static const luaL_Reg stmt_methods[] = {
    { "isopen", stmt_isopen },
    { "step", stmt_step },
    { "reset", stmt_reset },
    { "finalize", stmt_finalize },
    { "columns", stmt_columns },
    { "bind", stmt_bind },
    { "bind_values", stmt_bind_values },
    { "bind_names", stmt_bind_names },
    { "bind_blob", stmt_bind_blob },
    { "bind_parameter_count", stmt_bind_parameter_count },
    { "bind_parameter_name", stmt_bind_parameter_name },
    { "get_value", stmt_get_value },
    { "get_values", stmt_get_values },
    { "get_name", stmt_get_name },
    { "get_names", stmt_get_names },
    { "get_type", stmt_get_type },
    { "get_types", stmt_get_types },
    { "get_uvalues", stmt_get_uvalues },
    { "get_unames", stmt_get_unames },
    { "get_utypes", stmt_get_utypes },
    { "get_named_values", stmt_get_named_values },
    { "get_named_types", stmt_get_named_types },
    { "rows", stmt_rows },
    { "urows", stmt_urows },
    { "nrows", stmt_nrows },
    { "last_insert_rowid", stmt_last_insert_rowid },
    { "idata", stmt_get_values },
    { "inames", stmt_get_names },
    { "itypes", stmt_get_types },
    { "data", stmt_get_named_values },
    { "type", stmt_get_named_types },
    { NULL, NULL }
};

static const luaL_Reg ctx_methods[] = {
    { "user_data", ctx_user_data },
    { "get_aggregate_data", ctx_get_aggregate_data },
    { "set_aggregate_data", ctx_set_aggregate_data },
    { "aggregate_count", ctx_aggregate_count },
    { "result", ctx_result },
    { "result_null", ctx_result_null },
    { "result_number", ctx_result_double },
    { "result_double", ctx_result_double },
    { "result_int", ctx_result_int },
    { "result_text", ctx_result_text },
    { "result_blob", ctx_result_blob },
    { "result_error", ctx_result_error },
    { NULL, NULL }
};

static const luaL_Reg backup_methods[] = {
    { "step", backup_step },
    { "remaining", backup_remaining },
    { "pagecount", backup_pagecount },
    { "finish", backup_finish },
    { NULL, NULL }
};

static const luaL_Reg module_functions[] = {
    { "lversion", lsqlite_lversion },
    { "version", lsqlite_version },
    { "complete", lsqlite_complete },
    { "temp_directory", lsqlite_temp_directory },
    { "open", lsqlite_open },
    { "open_memory", lsqlite_open_memory },
    { "open_ptr", not_supported },
    { "backup_init", lsqlite_backup_init },
    { NULL, NULL }
};

#define SC(s) { #s, SQLITE_##s },
static const struct { const char *name; int value; } constants[] = {
    /* result codes */
    SC(OK) SC(ERROR) SC(INTERNAL) SC(PERM) SC(ABORT) SC(BUSY) SC(LOCKED) SC(NOMEM)
    SC(READONLY) SC(INTERRUPT) SC(IOERR) SC(CORRUPT) SC(NOTFOUND) SC(FULL) SC(CANTOPEN)
    SC(PROTOCOL) SC(EMPTY) SC(SCHEMA) SC(TOOBIG) SC(CONSTRAINT) SC(MISMATCH) SC(MISUSE)
    SC(NOLFS) SC(FORMAT) SC(RANGE) SC(NOTADB) SC(ROW) SC(DONE)
    /* column types */
    SC(INTEGER) SC(FLOAT) SC(TEXT) SC(BLOB) SC(NULL)
    /* authorizer action codes (also the update hook's operations) */
    SC(CREATE_INDEX) SC(CREATE_TABLE) SC(CREATE_TEMP_INDEX) SC(CREATE_TEMP_TABLE)
    SC(CREATE_TEMP_TRIGGER) SC(CREATE_TEMP_VIEW) SC(CREATE_TRIGGER) SC(CREATE_VIEW)
    SC(DELETE) SC(DROP_INDEX) SC(DROP_TABLE) SC(DROP_TEMP_INDEX) SC(DROP_TEMP_TABLE)
    SC(DROP_TEMP_TRIGGER) SC(DROP_TEMP_VIEW) SC(DROP_TRIGGER) SC(DROP_VIEW) SC(INSERT)
    SC(PRAGMA) SC(READ) SC(SELECT) SC(TRANSACTION) SC(UPDATE) SC(ATTACH) SC(DETACH)
    SC(ALTER_TABLE) SC(REINDEX) SC(ANALYZE) SC(CREATE_VTABLE) SC(DROP_VTABLE)
    SC(FUNCTION) SC(SAVEPOINT)
    /* open flags */
    SC(OPEN_READONLY) SC(OPEN_READWRITE) SC(OPEN_CREATE) SC(OPEN_URI) SC(OPEN_MEMORY)
    SC(OPEN_NOMUTEX) SC(OPEN_FULLMUTEX) SC(OPEN_SHAREDCACHE) SC(OPEN_PRIVATECACHE)
    { NULL, 0 }
};
#undef SC

/* Creates metatable name with methods in __index and the given metamethods. */
static void make_type(lua_State *L, const char *name, const luaL_Reg *methods,
                      lua_CFunction gc, lua_CFunction tostring) {
    luaL_newmetatable(L, name);
    lua_newtable(L);
    luaL_setfuncs(L, methods, 0);
    lua_setfield(L, -2, "__index");
    if (gc) {
        lua_pushcfunction(L, gc);
        lua_setfield(L, -2, "__gc");
        lua_pushcfunction(L, gc);
        lua_setfield(L, -2, "__close");
    }
    if (tostring) {
        lua_pushcfunction(L, tostring);
        lua_setfield(L, -2, "__tostring");
    }
    lua_pop(L, 1);
}

int luaopen_lsqlite3(lua_State *L) {
    make_type(L, DB_MT, db_methods, db_gc, db_tostring);
    make_type(L, STMT_MT, stmt_methods, stmt_gc, stmt_tostring);
    make_type(L, CTX_MT, ctx_methods, NULL, ctx_tostring);
    make_type(L, BACKUP_MT, backup_methods, backup_gc, backup_tostring);
    luaL_newmetatable(L, LOOP_MT);
    lua_pushcfunction(L, loop_close);
    lua_setfield(L, -2, "__close");
    lua_pop(L, 1);

    luaL_newlib(L, module_functions);
    for (int i = 0; constants[i].name; i++) {
        lua_pushinteger(L, constants[i].value);
        lua_setfield(L, -2, constants[i].name);
    }
    lua_createtable(L, 0, 1);
    lua_pushcfunction(L, readonly_newindex);
    lua_setfield(L, -2, "__newindex");
    lua_setmetatable(L, -2);
    return 1;
}
