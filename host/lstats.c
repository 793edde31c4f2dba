/* lstats.c — `stats.core`, the private core of the `stats` module
 * (lib/lua/stats.lua): the loops of its measures over whole arrays, which
 * are as long as a corpus has documents.  The binding reads the arrays and
 * builds the result; host/text/dispersion.c computes.  Exports
 * luaopen_stats_core. */
#include <lauxlib.h>
#include <lua.h>
#include <stdlib.h>

#include "dispersion.h"

/* The array at idx as cr_lnums (CR_LNUM_NONE for an element that is not a
 * number: the core reports it in its turn).  A table without a metatable
 * is read raw: what v[i] gives; else through its metamethods. */
static void get_numbers(lua_State *L, int idx, lua_Integer k, cr_lnum *out) {
    int raw = !lua_getmetatable(L, idx);
    if (!raw) lua_pop(L, 1);
    for (lua_Integer i = 1; i <= k; i++) {
        cr_lnum *x = &out[i - 1];
        int t = raw ? lua_rawgeti(L, idx, i) : lua_geti(L, idx, i);
        x->i = 0;
        x->d = 0;
        if (t != LUA_TNUMBER) x->is_int = CR_LNUM_NONE;
        else if (lua_isinteger(L, -1)) x->is_int = 1, x->i = (int64_t)lua_tointeger(L, -1);
        else x->is_int = 0, x->d = (double)lua_tonumber(L, -1);
        lua_pop(L, 1);
    }
}

#define ARRAYS_MT "corpusrun.stats.arrays"

typedef struct {
    cr_lnum *v, *sizes;
} arrays;

static int free_arrays(lua_State *L) {
    arrays *a = lua_touserdata(L, 1);
    free(a->v);
    free(a->sizes);
    a->v = a->sizes = NULL;
    return 0;
}

/* t[name] = v, t the table on the stack top */
static void set_integer(lua_State *L, const char *name, int64_t v) {
    lua_pushinteger(L, (lua_Integer)v);
    lua_setfield(L, -2, name);
}

static void set_number(lua_State *L, const char *name, double v) {
    lua_pushnumber(L, (lua_Number)v);
    lua_setfield(L, -2, name);
}

static int fail(lua_State *L, const char *fmt, lua_Integer i) {
    lua_pushnil(L);
    lua_pushfstring(L, fmt, i);
    return 2;
}

/* dispersion(v, sizes or nil, k): the measures as stats.dispersion returns
 * them (without d, dp and dp_norm when f is 0), or nil and the message of
 * the first bad element; stats.dispersion has checked the arguments' types
 * and that both arrays hold k elements. */
static int l_dispersion(lua_State *L) {
    luaL_checktype(L, 1, LUA_TTABLE);
    int has_sizes = !lua_isnoneornil(L, 2);
    lua_Integer k = luaL_checkinteger(L, 3);
    luaL_argcheck(L, k >= 1 && (lua_Unsigned)k <= SIZE_MAX / sizeof(cr_lnum), 3, "bad length");
    lua_settop(L, 3);
    arrays *a = lua_newuserdatauv(L, sizeof *a, 0); /* freed on every path */
    a->v = a->sizes = NULL;
    if (luaL_newmetatable(L, ARRAYS_MT)) {
        lua_pushcfunction(L, free_arrays);
        lua_setfield(L, -2, "__close");
    }
    lua_setmetatable(L, -2);
    lua_toclose(L, 4);
    a->v = malloc((size_t)k * sizeof *a->v);
    if (has_sizes) a->sizes = malloc((size_t)k * sizeof *a->sizes);
    if (a->v == NULL || (has_sizes && a->sizes == NULL)) return luaL_error(L, "not enough memory");
    get_numbers(L, 1, k, a->v);
    if (has_sizes) get_numbers(L, 2, k, a->sizes);
    cr_dispersion_result r;
    size_t bad;
    switch (cr_dispersion(a->v, a->sizes, (size_t)k, &r, &bad)) {
    case CR_DISP_BAD_FREQ: return fail(L, "stats.dispersion: v[%I] must be a non-negative number", (lua_Integer)bad);
    case CR_DISP_BAD_SIZE: return fail(L, "stats.dispersion: sizes[%I] must be a non-negative number", (lua_Integer)bad);
    case CR_DISP_EMPTY_PART:
        lua_geti(L, 1, (lua_Integer)bad);
        lua_pushfstring(L, "stats.dispersion: part %I has size 0 but frequency %s", (lua_Integer)bad,
                        luaL_tolstring(L, -1, NULL));
        lua_pushnil(L);
        lua_insert(L, -2);
        return 2; /* nil, the message */
    default: break;
    }
    lua_createtable(L, 0, 7);
    if (r.f.is_int) lua_pushinteger(L, (lua_Integer)r.f.i);
    else lua_pushnumber(L, (lua_Number)r.f.d);
    lua_setfield(L, -2, "f");
    set_integer(L, "parts", r.parts);
    set_integer(L, "empty", r.empty);
    set_integer(L, "range", r.range);
    if (r.f.is_int ? r.f.i != 0 : r.f.d != 0) {
        set_number(L, "dp", r.dp);
        set_number(L, "dp_norm", r.dp_norm);
        set_number(L, "d", r.d);
    }
    return 1;
}

static const luaL_Reg funcs[] = { { "dispersion", l_dispersion }, { NULL, NULL } };

int luaopen_stats_core(lua_State *L) {
    luaL_newlib(L, funcs);
    return 1;
}
