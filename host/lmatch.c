/* lmatch.c — `match.core`, the private core of the `match` module
 * (lib/lua/match.lua): a gazetteer of entities and aliases, compiled into a
 * token trie and matched in C.  Exports luaopen_match_core. */
#include <lauxlib.h>
#include <lua.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "discover.h"
#include "engine_opts.h"
#include "grow.h"
#include "gaztext.h"
#include "postag_lua.h"
#include "tagtext.h"

#define GAZ_MT "corpusrun.Gazetteer"

typedef struct Gaz {
    int open;
    cr_gaz_policy policy;
    cr_gaztext gt;
} Gaz;

static const char *const policy_names[] = { "longest", "all", NULL };

static Gaz *checkgaz(lua_State *L, int idx) {
    Gaz *g = luaL_checkudata(L, idx, GAZ_MT);
    if (!g->open) luaL_error(L, "attempt to use a closed " GAZ_MT);
    return g;
}

static int add_error(lua_State *L, int e, const char *what) {
    if (e == CR_EINVAL)
        return luaL_error(L, "match: alias of %s has no tokens or more than %d", what, CR_GAZ_MAX_TOKENS);
    return luaL_error(L, "match: %s", cr_strerror(e));
}

/* A string field of the entry table at idx, by name or position. */
static const char *entry_field(lua_State *L, int idx, const char *name, int pos, size_t *len) {
    if (lua_getfield(L, idx, name) == LUA_TNIL) {
        lua_pop(L, 1);
        lua_geti(L, idx, pos);
    }
    const char *s = NULL;
    *len = 0;
    if (lua_type(L, -1) == LUA_TSTRING) s = lua_tolstring(L, -1, len);
    else if (!lua_isnil(L, -1)) luaL_error(L, "match: entry field '%s' must be a string", name);
    return s; /* left on the stack */
}

static int entry_sensitive(lua_State *L, int idx) {
    int sens = 0;
    if (lua_getfield(L, idx, "case") != LUA_TNIL) {
        const char *c = lua_tostring(L, -1);
        if (c && strcmp(c, "sensitive") == 0) sens = 1;
        else if (!c || strcmp(c, "insensitive") != 0)
            luaL_error(L, "match: entry field 'case' must be \"sensitive\" or \"insensitive\"");
    }
    lua_pop(L, 1);
    return sens;
}

/* Adds one entry table: {entity=, type=, alias= or aliases={...}, case=}
 * (or positionally {entity, type, alias}). */
static void add_entry(lua_State *L, Gaz *g, int idx) {
    idx = lua_absindex(L, idx);
    if (!lua_istable(L, idx)) luaL_error(L, "match: an entry must be a table, got %s", luaL_typename(L, idx));
    int top = lua_gettop(L);
    size_t elen, tlen, alen;
    const char *entity = entry_field(L, idx, "entity", 1, &elen);
    if (!entity || elen == 0) luaL_error(L, "match: an entry needs a non-empty 'entity'");
    const char *type = entry_field(L, idx, "type", 2, &tlen);
    if (!type) type = "";
    int sens = entry_sensitive(L, idx);
    int e;
    if (lua_getfield(L, idx, "aliases") == LUA_TTABLE) {
        lua_Integer n = luaL_len(L, -1);
        for (lua_Integer i = 1; i <= n; i++) {
            lua_geti(L, -1, i);
            const char *alias = lua_tolstring(L, -1, &alen);
            if (!alias || lua_type(L, -1) != LUA_TSTRING) luaL_error(L, "match: 'aliases' of %s must be strings", entity);
            if ((e = cr_gaztext_add(&g->gt, entity, elen, type, tlen, alias, alen, sens))) add_error(L, e, entity);
            lua_pop(L, 1);
        }
    } else {
        lua_pop(L, 1);
        const char *alias = entry_field(L, idx, "alias", 3, &alen);
        if (!alias) alen = 0;
        if ((e = cr_gaztext_add(&g->gt, entity, elen, type, tlen, alias ? alias : "", alen, sens)))
            add_error(L, e, entity);
    }
    lua_settop(L, top);
}

static void load_file(lua_State *L, Gaz *g, const char *path, const char *format) {
    char err[512];
    if (!format) {
        size_t n = strlen(path);
        format = n >= 6 && (strcmp(path + n - 6, ".jsonl") == 0) ? "jsonl" : "tsv";
    }
    int e = CR_OK;
    size_t told = g->gt.nnotes;
    if (strcmp(format, "jsonl") == 0) e = cr_gaztext_load_jsonl(&g->gt, path, err, sizeof err);
    else if (strcmp(format, "tsv") == 0) e = cr_gaztext_load_tsv(&g->gt, path, err, sizeof err);
    else luaL_error(L, "match: unknown format '%s' (tsv or jsonl)", format);
    /* every line decoded with a guess is told, as the corpus reader tells
     * its files (g:problems() lists them) */
    for (size_t i = told; i < g->gt.nnotes; i++) {
        const cr_gaz_note *n = &g->gt.notes[i];
        char reason[160];
        fprintf(stderr, "corpusrun: gazetteer: %s:%zu: %s\n", n->path, n->line,
                cr_gaz_note_reason(n, reason, sizeof reason));
    }
    if (told < g->gt.nnotes) fflush(stderr);
    if (e) luaL_error(L, "match: %s", err);
}

/* g:problems() -> list of {path, line, offset, reason, kind = "encoding",
 * message}: the lines of its files decoded with a guess. */
static int m_problems(lua_State *L) {
    Gaz *g = checkgaz(L, 1);
    lua_createtable(L, (int)g->gt.nnotes, 0);
    for (size_t i = 0; i < g->gt.nnotes; i++) {
        const cr_gaz_note *n = &g->gt.notes[i];
        char reason[160];
        cr_gaz_note_reason(n, reason, sizeof reason);
        lua_createtable(L, 0, 6);
        lua_pushstring(L, n->path);
        lua_setfield(L, -2, "path");
        lua_pushinteger(L, (lua_Integer)n->line);
        lua_setfield(L, -2, "line");
        lua_pushinteger(L, (lua_Integer)n->offset);
        lua_setfield(L, -2, "offset");
        lua_pushstring(L, reason);
        lua_setfield(L, -2, "reason");
        lua_pushliteral(L, "encoding");
        lua_setfield(L, -2, "kind");
        lua_pushfstring(L, "%s:%I: %s", n->path, (lua_Integer)n->line, reason);
        lua_setfield(L, -2, "message");
        lua_rawseti(L, -2, (lua_Integer)i + 1);
    }
    return 1;
}

/* match.gazetteer(entries [, opts]) */
static int l_gazetteer(lua_State *L) {
    lua_settop(L, 2);
    int t = lua_type(L, 1);
    if (t != LUA_TTABLE && t != LUA_TSTRING) luaL_typeerror(L, 1, "table of entries or file name");
    eng_check_opts(L, 2);
    eng_check_keys(L, 2, "policy format");
    Gaz *g = lua_newuserdatauv(L, sizeof *g, 0);
    memset(g, 0, sizeof *g);
    luaL_setmetatable(L, GAZ_MT);
    cr_textopts o;
    cr_textopts_default(&o);
    o.level = CR_NORM_KEY;
    int policy = CR_GAZ_LONGEST;
    const char *format = NULL;
    if (lua_istable(L, 2)) {
        crl_read_textopts(L, 2, &o);
        eng_opt_enum(L, 2, "policy", policy_names, &policy);
        if (lua_getfield(L, 2, "format") != LUA_TNIL) format = luaL_checkstring(L, -1);
        lua_pop(L, 1); /* the string stays alive in opts */
    }
    if (cr_gaztext_init(&g->gt, o.level, &o.tok)) {
        cr_gaztext_free(&g->gt);
        return luaL_error(L, "match: out of memory");
    }
    g->open = 1;
    g->policy = (cr_gaz_policy)policy;
    if (t == LUA_TSTRING) {
        load_file(L, g, lua_tostring(L, 1), format);
    } else {
        lua_Integer n = luaL_len(L, 1);
        for (lua_Integer i = 1; i <= n; i++) {
            lua_geti(L, 1, i);
            add_entry(L, g, -1);
            lua_pop(L, 1);
        }
    }
    return 1;
}

/* g:add(entry) */
static int m_add(lua_State *L) {
    Gaz *g = checkgaz(L, 1);
    add_entry(L, g, 2);
    lua_settop(L, 1);
    return 1;
}

/* g:load(path [, format]) */
static int m_load(lua_State *L) {
    Gaz *g = checkgaz(L, 1);
    load_file(L, g, luaL_checkstring(L, 2), luaL_optstring(L, 3, NULL));
    lua_settop(L, 1);
    return 1;
}

/* ---- matching ---------------------------------------------------------- */
typedef struct hitrec {
    uint32_t entry;
    size_t start, stop, sentence;
} hitrec;

typedef struct collect {
    hitrec *h;
    size_t n, cap;
} collect;

static int collect_hit(void *ud, const cr_gaz_hit *m) {
    collect *c = ud;
    if (c->n == c->cap) {
        hitrec *p = cr_grow(c->h, &c->cap, c->n + 1, sizeof *p, 64);
        if (!p) return CR_ENOMEM;
        c->h = p;
    }
    c->h[c->n++] = (hitrec){ m->entry, m->start, m->stop, m->sentence };
    return 0;
}

static cr_gaz_policy opt_policy(lua_State *L, Gaz *g, int idx, const char *allowed) {
    int policy = (int)g->policy;
    eng_check_opts(L, idx);
    eng_check_keys(L, idx, allowed);
    if (lua_istable(L, idx)) eng_opt_enum(L, idx, "policy", policy_names, &policy);
    return (cr_gaz_policy)policy;
}

/* Runs the matcher; the hits end up in a userdata pushed on the stack. */
/* The hits of the text at text_idx.  Without sentences (the caller does not
 * read g->gt.sentences), a text that certainly holds no alias is not
 * tokenised (cr_gaztext_may_match). */
static hitrec *run(lua_State *L, Gaz *g, int text_idx, int opts_idx, int sentences, size_t *n) {
    size_t len;
    const char *text = luaL_checklstring(L, text_idx, &len);
    cr_gaz_policy policy = opt_policy(L, g, opts_idx, "policy");
    collect c = { NULL, 0, 0 };
    int e = !sentences && !cr_gaztext_may_match(&g->gt, text, len)
                ? CR_OK : cr_gaztext_match(&g->gt, text, len, policy, collect_hit, &c);
    if (e) {
        free(c.h);
        luaL_error(L, "match: %s", cr_strerror(e));
    }
    hitrec *keep = lua_newuserdatauv(L, (c.n ? c.n : 1) * sizeof *keep, 0);
    if (c.n) memcpy(keep, c.h, c.n * sizeof *keep);
    free(c.h);
    *n = c.n;
    return keep;
}

static void push_str(lua_State *L, const cr_gazetteer *g, uint32_t sid) {
    lua_pushlstring(L, g->strings.entries[sid].key, cr_centry_len(&g->strings.entries[sid]));
}

/* entity, type, alias, start (1-based), stop (inclusive), sentence (1-based) */
static int push_hit(lua_State *L, Gaz *g, const hitrec *h) {
    const cr_gaz_entry *e = &g->gt.g.entries[h->entry];
    push_str(L, &g->gt.g, e->entity);
    push_str(L, &g->gt.g, e->type);
    push_str(L, &g->gt.g, e->alias);
    lua_pushinteger(L, (lua_Integer)h->start + 1);
    lua_pushinteger(L, (lua_Integer)h->stop);
    lua_pushinteger(L, (lua_Integer)h->sentence + 1);
    return 6;
}

static int find_next(lua_State *L) {
    Gaz *g = checkgaz(L, lua_upvalueindex(1));
    const hitrec *h = lua_touserdata(L, lua_upvalueindex(2));
    size_t n = (size_t)lua_tointeger(L, lua_upvalueindex(3));
    size_t pos = (size_t)lua_tointeger(L, lua_upvalueindex(4));
    if (pos >= n) return 0;
    lua_pushinteger(L, (lua_Integer)pos + 1);
    lua_replace(L, lua_upvalueindex(4));
    return push_hit(L, g, &h[pos]);
}

/* g:find(text [, opts]) → iterator of entity, type, alias, start, stop, sentence */
static int m_find(lua_State *L) {
    Gaz *g = checkgaz(L, 1);
    lua_settop(L, 3);
    size_t n;
    run(L, g, 2, 3, 0, &n);
    lua_pushvalue(L, 1);
    lua_insert(L, -2);
    lua_pushinteger(L, (lua_Integer)n);
    lua_pushinteger(L, 0);
    lua_pushcclosure(L, find_next, 4);
    return 1;
}

/* g:matches(text [, opts]) → array of {entity, type, alias, start, stop,
 * sentence}, and the number of sentences in text */
static int m_matches(lua_State *L) {
    static const char *const fields[] = { "entity", "type", "alias", "start", "stop", "sentence" };
    Gaz *g = checkgaz(L, 1);
    lua_settop(L, 3);
    size_t n;
    hitrec *h = run(L, g, 2, 3, 1, &n);
    lua_createtable(L, n > INT32_MAX ? 0 : (int)n, 0);
    for (size_t i = 0; i < n; i++) {
        lua_createtable(L, 0, 6);
        push_hit(L, g, &h[i]);
        for (int f = 5; f >= 0; f--) lua_setfield(L, -2 - f, fields[f]);
        lua_rawseti(L, -2, (lua_Integer)i + 1);
    }
    lua_pushinteger(L, (lua_Integer)g->gt.sentences);
    return 2;
}

typedef struct counting {
    Count *c;
    const cr_gazetteer *g;
    int by;              /* 0 entity, 1 type, 2 alias */
    int64_t n;
} counting;

static int count_hit(void *ud, const cr_gaz_hit *m) {
    counting *k = ud;
    const char *s = k->by == 0 ? m->entity : k->by == 1 ? m->type : m->alias;
    size_t len = k->by == 0 ? m->elen : k->by == 1 ? m->tlen : m->alen;
    k->n++;
    return cr_counter_add(&k->c->u.f, s, len, 1);
}

static const char *const by_names[] = { "entity", "type", "alias", NULL };

/* g:count(text, freq [, opts{by=, policy=}]) → number of matches */
static int m_count(lua_State *L) {
    Gaz *g = checkgaz(L, 1);
    size_t len;
    const char *text = luaL_checklstring(L, 2, &len);
    Count *c = luaL_testudata(L, 3, FREQ_MT);
    if (!c || (c->kind != K_FREQ && c->kind != K_CLOSED)) luaL_typeerror(L, 3, "count.freq counter");
    if (c->kind == K_CLOSED) luaL_error(L, "attempt to use a closed " FREQ_MT);
    cr_gaz_policy policy = opt_policy(L, g, 4, "policy by");
    int by = 0;
    if (lua_istable(L, 4)) eng_opt_enum(L, 4, "by", by_names, &by);
    counting k = { c, &g->gt.g, by, 0 };
    c->version++;
    int e = cr_gaztext_match(&g->gt, text, len, policy, count_hit, &k);
    if (e) return luaL_error(L, "match: %s", cr_strerror(e));
    lua_pushinteger(L, k.n);
    return 1;
}

static int m_len(lua_State *L) {
    Gaz *g = checkgaz(L, 1);
    lua_pushinteger(L, (lua_Integer)g->gt.g.nentries);
    return 1;
}

static int m_close(lua_State *L) {
    Gaz *g = luaL_checkudata(L, 1, GAZ_MT);
    if (g->open) cr_gaztext_free(&g->gt);
    g->open = 0;
    return 0;
}

static int m_tostring(lua_State *L) {
    Gaz *g = luaL_checkudata(L, 1, GAZ_MT);
    if (!g->open) lua_pushliteral(L, GAZ_MT " (closed)");
    else lua_pushfstring(L, GAZ_MT " (%d entries, %d trie nodes)", (int)g->gt.g.nentries, (int)g->gt.g.nnodes);
    return 1;
}

/* ---- match.candidates: discovery of entities the gazetteer misses ---- */

#define SCRATCH_MT "corpusrun.DiscoverScratch"

/* Reused across calls (an upvalue of match.candidates): the scanner's
 * buffers and the covered spans converted from Lua. */
typedef struct Scratch {
    cr_discover *d;
    cr_span *cov;
    size_t cov_cap;
    cr_tagscratch *tags;   /* {tags = true}: the text tagged */
} Scratch;

static int scratch_gc(lua_State *L) {
    Scratch *s = luaL_checkudata(L, 1, SCRATCH_MT);
    cr_discover_free(s->d);
    free(s->cov);
    if (s->tags) cr_tagscratch_free(s->tags);
    free(s->tags);
    s->tags = NULL;
    s->d = NULL;
    s->cov = NULL;
    s->cov_cap = 0;
    return 0;
}

/* A bound of covered span i: field name, else position pos. */
static lua_Integer span_bound(lua_State *L, lua_Integer i, const char *name, int pos) {
    if (lua_getfield(L, -1, name) == LUA_TNIL) {
        lua_pop(L, 1);
        lua_geti(L, -1, pos);
    }
    int isnum;
    lua_Integer v = lua_tointegerx(L, -1, &isnum);
    if (!isnum) luaL_error(L, "match.candidates: covered[%I] needs integer %s (or [%d])", i, name, pos);
    lua_pop(L, 1);
    return v;
}

/* The covered spans at idx ({start, stop} or rows with start and stop,
 * 1-based and inclusive, sorted by start) as byte ranges. */
static size_t read_covered(lua_State *L, int idx, Scratch *s) {
    if (lua_isnoneornil(L, idx)) return 0;
    luaL_checktype(L, idx, LUA_TTABLE);
    lua_Integer n = luaL_len(L, idx);
    if (n <= 0) return 0;
    if ((size_t)n > s->cov_cap) {
        cr_span *p = realloc(s->cov, (size_t)n * sizeof *p);
        if (!p) luaL_error(L, "match.candidates: out of memory");
        s->cov = p;
        s->cov_cap = (size_t)n;
    }
    for (lua_Integer i = 1; i <= n; i++) {
        if (lua_geti(L, idx, i) != LUA_TTABLE) luaL_error(L, "match.candidates: covered[%I] is not a table", i);
        lua_Integer a = span_bound(L, i, "start", 1), b = span_bound(L, i, "stop", 2);
        lua_pop(L, 1);
        if (a < 1 || b < a - 1) luaL_error(L, "match.candidates: covered[%I] is not a span (%I, %I)", i, a, b);
        s->cov[i - 1] = (cr_span){ (size_t)a - 1, (size_t)b };
    }
    return (size_t)n;
}

/* The tagged tokens of a candidate [start, stop): how many, and how many
 * tagged PROPN (t's tokens sorted by their start). */
static void candidate_tags(const ld_tokens *t, size_t start, size_t stop, lua_Integer *words, lua_Integer *propn) {
    size_t lo = 0, hi = t->n;
    while (lo < hi) {
        size_t mid = lo + (hi - lo) / 2;
        if (t->span[2 * mid] < start) lo = mid + 1;
        else hi = mid;
    }
    *words = *propn = 0;
    for (size_t i = lo; i < t->n && t->span[2 * i + 1] <= stop; i++) {
        size_t vlen;
        const char *v = ld_tokens_val(t, i, CR_TAG_UPOS, &vlen);
        (*words)++;
        *propn += vlen == 5 && memcmp(v, "PROPN", 5) == 0;
    }
}

/* match.candidates(text [, covered [, {tags = true}]]) -> array of {form,
 * start, stop, initial [, words, propn]} */
static int l_candidates(lua_State *L) {
    size_t len;
    const char *text = luaL_checklstring(L, 1, &len);
    Scratch *s = luaL_checkudata(L, lua_upvalueindex(1), SCRATCH_MT);
    int tags = 0;
    if (lua_istable(L, 3)) {   /* anything else is not options: candidates(text, g:matches(text)) passes a count */
        eng_check_keys(L, 3, "tags");
        eng_opt_bool(L, 3, "tags", &tags);
    }
    if (!s->d && !(s->d = cr_discover_new())) return luaL_error(L, "match.candidates: out of memory");
    size_t ncov = read_covered(L, 2, s);
    if (cr_discover_scan(s->d, text, len, s->cov, ncov) < 0) return luaL_error(L, "match.candidates: out of memory");
    const ld_tokens *t = NULL;
    if (tags) {
        const postag_model *m = crl_postag_model(L, NULL);
        if (!m) return luaL_error(L, "match.candidates: %s", lua_tostring(L, -1));
        if (!s->tags && !(s->tags = calloc(1, sizeof *s->tags))) return luaL_error(L, "match.candidates: out of memory");
        if (cr_tag_text(m, text, len, NULL, s->tags) != 0) return luaL_error(L, "match.candidates: out of memory");
        t = &s->tags->t;
    }
    const cr_discover *d = s->d;
    lua_createtable(L, d->ncands > INT32_MAX ? 0 : (int)d->ncands, 0);
    for (size_t i = 0; i < d->ncands; i++) {
        const cr_candidate *c = &d->cands[i];
        lua_createtable(L, 0, t ? 6 : 4);
        if (t) {
            lua_Integer words, propn;
            candidate_tags(t, c->start, c->stop, &words, &propn);
            lua_pushinteger(L, words);
            lua_setfield(L, -2, "words");
            lua_pushinteger(L, propn);
            lua_setfield(L, -2, "propn");
        }
        lua_pushlstring(L, d->forms + c->form_off, c->form_len);
        lua_setfield(L, -2, "form");
        lua_pushinteger(L, (lua_Integer)c->start + 1);
        lua_setfield(L, -2, "start");
        lua_pushinteger(L, (lua_Integer)c->stop);
        lua_setfield(L, -2, "stop");
        lua_pushboolean(L, c->initial);
        lua_setfield(L, -2, "initial");
        lua_rawseti(L, -2, (lua_Integer)i + 1);
    }
    return 1;
}

/* match.is_capitalised(word), match.is_acronym(word): the tests behind
 * match.candidates, for scripts that judge words the same way. */
static int l_is_capitalised(lua_State *L) {
    size_t len;
    const char *w = luaL_checklstring(L, 1, &len);
    cr_buf b = { 0 };
    int cap = cr_discover_is_capitalised(w, len, &b);
    cr_buf_free(&b);
    if (cap < 0) return luaL_error(L, "match.is_capitalised: out of memory");
    lua_pushboolean(L, cap);
    return 1;
}

static int l_is_acronym(lua_State *L) {
    size_t len;
    const char *w = luaL_checklstring(L, 1, &len);
    lua_pushboolean(L, cr_discover_is_acronym(w, len));
    return 1;
}

static const luaL_Reg methods[] = {
    { "add", m_add }, { "load", m_load }, { "find", m_find }, { "matches", m_matches },
    { "count", m_count }, { "problems", m_problems }, { "close", m_close }, { NULL, NULL }
};
static const luaL_Reg meta[] = {
    { "__len", m_len }, { "__gc", m_close }, { "__close", m_close }, { "__tostring", m_tostring },
    { "__index", NULL }, { NULL, NULL }
};
static const luaL_Reg funcs[] = {
    { "gazetteer", l_gazetteer }, { "is_capitalised", l_is_capitalised }, { "is_acronym", l_is_acronym },
    { NULL, NULL }
};

int luaopen_match_core(lua_State *L) {
    luaL_newmetatable(L, GAZ_MT);
    luaL_setfuncs(L, meta, 0);
    luaL_newlib(L, methods);
    lua_setfield(L, -2, "__index");
    lua_pop(L, 1);
    luaL_newlib(L, funcs);
    Scratch *s = lua_newuserdatauv(L, sizeof *s, 0);
    *s = (Scratch){ 0 };
    if (luaL_newmetatable(L, SCRATCH_MT)) {
        lua_pushcfunction(L, scratch_gc);
        lua_setfield(L, -2, "__gc");
    }
    lua_setmetatable(L, -2);
    lua_pushcclosure(L, l_candidates, 1);
    lua_setfield(L, -2, "candidates");
    return 1;
}
