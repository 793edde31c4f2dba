/* engine_opts.h — option tables shared by the count and match bindings:
 * tokeniser options, normalisation level and counted kinds.  Included by
 * lcount.c and lmatch.c only (static functions). */
#ifndef CORPUSRUN_ENGINE_OPTS_H
#define CORPUSRUN_ENGINE_OPTS_H

#include <lauxlib.h>
#include <lua.h>
#include <string.h>

#include "cooc.h"
#include "counter.h"
#include "countext.h"
#include "tokenizer.h"

/* The counter userdata of lcount.c (the match binding counts into a Freq). */
#define FREQ_MT "corpusrun.Freq"
#define NGRAMS_MT "corpusrun.Ngrams"
#define COOC_MT "corpusrun.Cooc"

enum { K_CLOSED = 0, K_FREQ = 1, K_DF = 2, K_NGRAMS = 3, K_COOC = 4 };

typedef struct Count {
    int kind;            /* K_CLOSED once closed */
    int opened;          /* the kind it was opened as (for messages) */
    unsigned version;    /* bumped by every change: iterators check it */
    cr_textopts o;
    char lang[8];
    int directed;        /* cooc: pairs() reports directions by default */
    cr_textscratch s;
    union {
        cr_counter f;
        cr_ngrams g;
        cr_cooc c;
    } u;
} Count;

static const char *const eng_level_names[] = { "raw", "nfc", "casefold", "key", NULL };
static const char *const eng_hyphen_names[] = { "join", "split", NULL };
static const char *const eng_possessive_names[] = { "keep", "strip", "split", NULL };

#define ENG_TEXT_OPTS "level kinds sentences hyphens possessive elisions tailor lang"

/* Raises when the option table at idx has a key not among the
 * space-separated names of allowed (a typo must not pass silently). */
static inline void eng_check_keys(lua_State *L, int idx, const char *allowed) {
    if (!lua_istable(L, idx)) return;
    idx = lua_absindex(L, idx);
    lua_pushnil(L);
    while (lua_next(L, idx)) {
        lua_pop(L, 1);
        const char *k = lua_type(L, -1) == LUA_TSTRING ? lua_tostring(L, -1) : NULL;
        int found = 0;
        if (k && *k && !strchr(k, ' ')) {
            size_t n = strlen(k);
            for (const char *p = strstr(allowed, k); p && !found; p = strstr(p + 1, k))
                found = (p == allowed || p[-1] == ' ') && (p[n] == ' ' || p[n] == 0);
        }
        if (!found) {
            luaL_error(L, "unknown option '%s' (options: %s)", k ? k : luaL_typename(L, -1), allowed);
        }
    }
}

/* The option table at idx must be nil or a table. */
static inline void eng_check_opts(lua_State *L, int idx) {
    if (!lua_isnoneornil(L, idx)) luaL_checktype(L, idx, LUA_TTABLE);
}

/* Field of the table at idx as one of names; keeps *out when absent. */
static inline void eng_opt_enum(lua_State *L, int idx, const char *field, const char *const names[], int *out) {
    if (lua_getfield(L, idx, field) != LUA_TNIL) {
        const char *s = lua_tostring(L, -1);
        int i = 0;
        if (s)
            for (; names[i]; i++)
                if (strcmp(names[i], s) == 0) break;
        if (!s || !names[i]) luaL_error(L, "bad option '%s' (invalid value '%s')", field, s ? s : luaL_typename(L, -1));
        *out = i;
    }
    lua_pop(L, 1);
}

static inline void eng_opt_bool(lua_State *L, int idx, const char *field, int *out) {
    if (lua_getfield(L, idx, field) != LUA_TNIL) {
        if (!lua_isboolean(L, -1)) luaL_error(L, "bad option '%s' (boolean expected, got %s)", field, luaL_typename(L, -1));
        *out = lua_toboolean(L, -1);
    }
    lua_pop(L, 1);
}

static inline lua_Integer eng_opt_int(lua_State *L, int idx, const char *field, lua_Integer dflt,
                               lua_Integer lo, lua_Integer hi) {
    lua_Integer v = dflt;
    if (lua_getfield(L, idx, field) != LUA_TNIL) {
        int isint;
        v = lua_tointegerx(L, -1, &isint);
        if (!isint) luaL_error(L, "bad option '%s' (integer expected, got %s)", field, luaL_typename(L, -1));
        if (v < lo || v > hi) luaL_error(L, "bad option '%s' (must be %I..%I)", field, lo, hi);
    }
    lua_pop(L, 1);
    return v;
}

/* kinds = {"word", "number", ...} or "all". */
static inline void eng_opt_kinds(lua_State *L, int idx, unsigned *out) {
    int t = lua_getfield(L, idx, "kinds");
    if (t == LUA_TSTRING && strcmp(lua_tostring(L, -1), "all") == 0) {
        *out = (1u << CR_TOK__COUNT) - 1u;
        *out &= ~CR_KIND_BIT(CR_TOK_SPACE);
    } else if (t == LUA_TSTRING) { /* "word,number" */
        const char *s = lua_tostring(L, -1);
        unsigned k = 0;
        while (*s) {
            size_t n = strcspn(s, ",");
            char name[16];
            int kind = -1;
            if (n < sizeof name) {
                memcpy(name, s, n);
                name[n] = 0;
                kind = cr_token_kind_from_name(name);
            }
            if (kind < 0) luaL_error(L, "bad option 'kinds' (unknown kind '%s')", s);
            k |= CR_KIND_BIT(kind);
            s += n + (s[n] == ',');
        }
        *out = k;
    } else if (t == LUA_TTABLE) {
        unsigned k = 0;
        lua_Integer n = luaL_len(L, -1);
        for (lua_Integer i = 1; i <= n; i++) {
            lua_geti(L, -1, i);
            const char *s = lua_tostring(L, -1);
            int kind = s ? cr_token_kind_from_name(s) : -1;
            if (kind < 0) luaL_error(L, "bad option 'kinds' (unknown kind '%s')", s ? s : luaL_typename(L, -1));
            k |= CR_KIND_BIT(kind);
            lua_pop(L, 1);
        }
        *out = k;
    } else if (t != LUA_TNIL) {
        luaL_error(L, "bad option 'kinds' (a list of kind names or \"all\" expected)");
    }
    lua_pop(L, 1);
}

/* lang is copied into langbuf (8 bytes) so that it outlives the table. */
static inline void eng_opt_lang(lua_State *L, int idx, char *langbuf, const char **lang) {
    if (lua_getfield(L, idx, "lang") != LUA_TNIL) {
        size_t n;
        const char *s = lua_tolstring(L, -1, &n);
        if (!s || n == 0 || n > 7) luaL_error(L, "bad option 'lang' (a language code such as \"en\" expected)");
        memcpy(langbuf, s, n + 1);
        *lang = langbuf;
    }
    lua_pop(L, 1);
}

/* Reads tokenizer and counting options from the table at idx (nil: keep). */
static inline void eng_read_textopts(lua_State *L, int idx, cr_textopts *o, char *langbuf) {
    if (lua_isnoneornil(L, idx)) return;
    luaL_checktype(L, idx, LUA_TTABLE);
    int v;
    v = (int)o->level; eng_opt_enum(L, idx, "level", eng_level_names, &v); o->level = (cr_norm_level)v;
    v = (int)o->tok.hyphens; eng_opt_enum(L, idx, "hyphens", eng_hyphen_names, &v); o->tok.hyphens = (cr_hyphens)v;
    v = (int)o->tok.possessive; eng_opt_enum(L, idx, "possessive", eng_possessive_names, &v);
    o->tok.possessive = (cr_possessive)v;
    eng_opt_bool(L, idx, "tailor", &o->tok.tailor);
    eng_opt_bool(L, idx, "elisions", &o->tok.elisions);
    eng_opt_bool(L, idx, "sentences", &o->sentences);
    eng_opt_kinds(L, idx, &o->kinds);
    eng_opt_lang(L, idx, langbuf, &o->tok.lang);
}

#endif
