/* repl.c — the interactive loop.
 *
 * As lua.c's REPL: a line is first tried as `return <line>`, continuation
 * lines are read while the chunk is incomplete (its syntax error ends in
 * "<eof>"), _PROMPT and _PROMPT2 give the prompts.  On a terminal, lines are
 * edited with libedit, with a history file and tab completion
 * (lib/lua/complete.lua); results are printed by lib/lua/pretty.lua, `_`
 * holds the last result and a trailing `;` keeps a result quiet.  Ctrl-C at
 * the prompt abandons the line, Ctrl-C during evaluation interrupts it
 * (cr_host_docall), Ctrl-D ends the session. */
#include <dirent.h>
#include <errno.h>
#include <limits.h>
#include <langinfo.h>
#include <locale.h>
#include <signal.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/ioctl.h>
#include <sys/stat.h>
#include <unistd.h>

#include <histedit.h>
#include <lauxlib.h>
#include <lua.h>
#include <lualib.h>

#include "host.h"

#define HISTORY_SIZE 1000

/* Registry keys of the Lua helpers the REPL keeps. */
#define KEY_PRINT "corpusrun.repl.print"
#define KEY_COMPLETE CR_REPL_KEY_COMPLETE

struct repl {
    lua_State *L;
    EditLine *el; /* NULL when stdin is not a terminal */
    History *hist;
    char *histfile;    /* NULL: no history file */
    int history_warned;
    char *prompt;      /* the prompt libedit shows */
    int interrupted;   /* Ctrl-C at the prompt */
    char *locale;      /* LC_CTYPE outside line editing */
    char *edit_locale; /* LC_CTYPE while editing: the user's, made UTF-8 */
};

/* ---- small helpers ------------------------------------------------- */

static void repl_message(const char *msg) {
    cr_host_message(NULL, msg);
}

/* Reports an error on top of the stack (status != LUA_OK) without the
 * program name, as lua.c's REPL does, and pops it. */
static void report(lua_State *L, int status) {
    if (status == LUA_OK) return;
    const char *msg = lua_tostring(L, -1);
    if (msg == NULL) msg = "(error object is not a string)";
    repl_message(msg);
    lua_pop(L, 1);
}

/* "dir/name" in a new malloc'd string, or NULL. */
static char *join_path(const char *dir, const char *name) {
    size_t n = strlen(dir) + strlen(name) + 2;
    char *p = malloc(n);
    if (p != NULL) snprintf(p, n, "%s/%s", dir, name);
    return p;
}

/* mkdir -p for the directory part of path (mode 0700 for new ones). */
static int make_parent_dirs(const char *path) {
    char *copy = strdup(path);
    if (copy == NULL) return -1;
    for (char *p = copy + 1; *p; p++) {
        if (*p != '/') continue;
        *p = '\0';
        if (mkdir(copy, 0700) != 0 && errno != EEXIST) {
            free(copy);
            return -1;
        }
        *p = '/';
    }
    free(copy);
    return 0;
}

static const char *nonempty_env(const char *name) {
    const char *v = getenv(name);
    return (v != NULL && v[0] != '\0') ? v : NULL;
}

/* $XDG_STATE_HOME/corpusrun/history, else ~/.corpusrun_history. */
static char *history_path(void) {
    const char *state = nonempty_env("XDG_STATE_HOME");
    if (state != NULL) return join_path(state, "corpusrun/history");
    const char *home = nonempty_env("HOME");
    if (home != NULL) return join_path(home, ".corpusrun_history");
    return NULL;
}

/* $XDG_CONFIG_HOME/corpusrun/init.lua, else ~/.config/corpusrun/init.lua. */
static char *startup_path(void) {
    const char *config = nonempty_env("XDG_CONFIG_HOME");
    if (config != NULL) return join_path(config, "corpusrun/init.lua");
    const char *home = nonempty_env("HOME");
    if (home != NULL) return join_path(home, ".config/corpusrun/init.lua");
    return NULL;
}

static int no_env(lua_State *L) {
    lua_getfield(L, LUA_REGISTRYINDEX, "LUA_NOENV");
    int b = lua_toboolean(L, -1);
    lua_pop(L, 1);
    return b;
}

/* ---- Lua helpers: pretty-printer, completion, help ---------------- */

/* require(name) into the registry under key; nothing when it fails. */
static void keep_module(lua_State *L, const char *name, const char *key) {
    lua_getglobal(L, "require");
    lua_pushstring(L, name);
    if (lua_pcall(L, 1, 1, 0) == LUA_OK && lua_istable(L, -1))
        lua_setfield(L, LUA_REGISTRYINDEX, key);
    else
        lua_pop(L, 1);
}

/* help = require "help", unless a global of that name exists. */
static void set_help_global(lua_State *L) {
    int top = lua_gettop(L);
    if (lua_getglobal(L, "help") == LUA_TNIL) {
        lua_getglobal(L, "require");
        lua_pushliteral(L, "help");
        if (lua_pcall(L, 1, 1, 0) == LUA_OK) lua_setglobal(L, "help");
    }
    lua_settop(L, top);
}

/* The modules an interactive session has as globals (corpus, tokenize,
 * sqlite3, count, match, report, ...); one that fails to load is skipped. */
static void set_module_globals(lua_State *L) {
    static const char *const globals[][2] = {
        {"corpus", "corpus"}, {"tokenize", "tokenize"}, {"sqlite3", "lsqlite3"},
        {"count", "count"},   {"match", "match"},       {"report", "report"},
        {"stats", "stats"},   {"kwic", "kwic"},         {"db", "db"},
        {"chart", "chart"},
        {NULL, NULL}};
    for (int i = 0; globals[i][0] != NULL; i++) {
        int top = lua_gettop(L);
        lua_getglobal(L, "require");
        lua_pushstring(L, globals[i][1]);
        if (lua_pcall(L, 1, 1, 0) == LUA_OK)
            lua_setglobal(L, globals[i][0]);
        lua_settop(L, top);
    }
}

/* ---- prompts and line reading ---------------------------------------- */

/* The prompt: _PROMPT or _PROMPT2 converted with tostring, else the default. */
static void update_prompt(struct repl *r, int firstline) {
    lua_State *L = r->L;
    int top = lua_gettop(L);
    const char *p = firstline ? "> " : ">> ";
    if (lua_getglobal(L, firstline ? "_PROMPT" : "_PROMPT2") != LUA_TNIL)
        p = luaL_tolstring(L, -1, NULL);
    char *copy = strdup(p);
    lua_settop(L, top);
    if (copy != NULL) {
        free(r->prompt);
        r->prompt = copy;
    }
}

static char *prompt_fn(EditLine *el) {
    struct repl *r;
    el_get(el, EL_CLIENTDATA, &r);
    return r->prompt ? r->prompt : "> ";
}

static void editing_locale(struct repl *r, int on) {
    if (r->locale != NULL && r->edit_locale != NULL)
        setlocale(LC_CTYPE, on ? r->edit_locale : r->locale);
}

/* The locale for line editing: the user's (LC_ALL, LC_CTYPE, LANG), but
 * with UTF-8 characters even when that is "C", so non-English text can be
 * typed.  Leaves LC_CTYPE as it was. */
static void choose_edit_locale(struct repl *r) {
    const char *now = setlocale(LC_CTYPE, NULL);
    r->locale = now ? strdup(now) : NULL;
    if (r->locale == NULL) return;
    const char *user = setlocale(LC_CTYPE, "");
    if (user != NULL && strcmp(nl_langinfo(CODESET), "UTF-8") == 0)
        r->edit_locale = strdup(user);
    else if (setlocale(LC_CTYPE, "C.UTF-8") != NULL)
        r->edit_locale = strdup("C.UTF-8");
    else if (user != NULL)
        r->edit_locale = strdup(user);
    setlocale(LC_CTYPE, r->locale);
}

enum { LINE_EOF = -1, LINE_CANCELLED = 0, LINE_OK = 1 };

/* Reads one line (without its newline) onto the stack. */
static int read_line(struct repl *r, int firstline) {
    lua_State *L = r->L;
    update_prompt(r, firstline);
    if (r->el == NULL) { /* not a terminal: as lua.c without readline */
        fputs(r->prompt ? r->prompt : "> ", stdout);
        fflush(stdout);
        char *buf = NULL;
        size_t cap = 0;
        ssize_t n = getline(&buf, &cap, stdin);
        if (n < 0) {
            free(buf);
            return LINE_EOF;
        }
        if (n > 0 && buf[n - 1] == '\n') n--;
        lua_pushlstring(L, buf, (size_t)n);
        free(buf);
        return LINE_OK;
    }
    int count = 0;
    r->interrupted = 0;
    editing_locale(r, 1);
    const char *line = el_gets(r->el, &count);
    editing_locale(r, 0);
    if (r->interrupted) return LINE_CANCELLED;
    if (line == NULL || count <= 0) return LINE_EOF;
    size_t n = (size_t)count;
    if (n > 0 && line[n - 1] == '\n') n--;
    lua_pushlstring(L, line, n);
    return LINE_OK;
}

/* ---- chunks ----------------------------------------------------------- */

static int incomplete(lua_State *L, int status) {
    static const char mark[] = "<eof>";
    if (status != LUA_ERRSYNTAX) return 0;
    size_t len;
    const char *msg = lua_tolstring(L, -1, &len);
    size_t lmark = sizeof mark - 1;
    return msg != NULL && len >= lmark && strcmp(msg + len - lmark, mark) == 0;
}

/* Does the chunk end with ";" (ignoring white space)?  Then it prints
 * nothing.  *len gets the length without that ";". */
static int quiet_chunk(const char *s, size_t *len) {
    size_t n = *len;
    while (n > 0 && (s[n - 1] == ' ' || s[n - 1] == '\t' || s[n - 1] == '\r' || s[n - 1] == '\n'))
        n--;
    if (n > 0 && s[n - 1] == ';') {
        *len = n - 1;
        return 1;
    }
    return 0;
}

/* Tries `return <line>` for the line at index 1; leaves the function on
 * top on success. */
static int try_return(lua_State *L) {
    size_t len;
    const char *line = lua_tolstring(L, 1, &len);
    int quiet = quiet_chunk(line, &len);
    (void)quiet;
    luaL_Buffer b;
    luaL_buffinit(L, &b);
    luaL_addstring(&b, "return ");
    luaL_addlstring(&b, line, len);
    luaL_addchar(&b, ';');
    luaL_pushresult(&b);
    size_t rlen;
    const char *ret = lua_tolstring(L, -1, &rlen);
    int status = luaL_loadbuffer(L, ret, rlen, "=stdin");
    lua_remove(L, -2); /* the text */
    if (status != LUA_OK) lua_pop(L, 1);
    return status;
}

static void add_history(struct repl *r, const char *chunk) {
    if (r->hist == NULL || chunk[0] == '\0') return;
    HistEvent ev;
    history(r->hist, &ev, H_ENTER, chunk);
    if (r->histfile == NULL) return;
    if (history(r->hist, &ev, H_SAVE, r->histfile) < 0 && !r->history_warned) {
        r->history_warned = 1;
        fprintf(stderr, "%s: cannot write history file %s\n", CORPUSRUN_PROGNAME, r->histfile);
    }
}

enum { CHUNK_EOF = -1, CHUNK_CANCELLED = -2 };

/* Reads a chunk: the first line, then more while it is incomplete.  On
 * return the chunk text is at index 1 and, when the status is LUA_OK, the
 * compiled function at index 2; otherwise the error message is at 2. */
static int read_chunk(struct repl *r, int *quiet) {
    lua_State *L = r->L;
    lua_settop(L, 0);
    int got = read_line(r, 1);
    if (got != LINE_OK) return got == LINE_EOF ? CHUNK_EOF : CHUNK_CANCELLED;
    size_t len;
    const char *line = lua_tolstring(L, 1, &len);
    if (line[0] == '=') { /* lua 5.1's "=expr" */
        lua_pushfstring(L, "return %s", line + 1);
        lua_replace(L, 1);
    }
    line = lua_tolstring(L, 1, &len);
    *quiet = quiet_chunk(line, &len);
    int status = try_return(L);
    if (status == LUA_OK) {
        add_history(r, lua_tostring(L, 1));
        return status;
    }
    for (;;) {
        size_t n;
        const char *chunk = lua_tolstring(L, 1, &n);
        status = luaL_loadbuffer(L, chunk, n, "=stdin");
        if (!incomplete(L, status)) break;
        got = read_line(r, 0);
        if (got == LINE_CANCELLED) {
            add_history(r, lua_tostring(L, 1));
            return CHUNK_CANCELLED;
        }
        if (got == LINE_EOF) break; /* report the syntax error */
        lua_remove(L, 2); /* the "<eof>" message */
        lua_pushliteral(L, "\n");
        lua_insert(L, -2);
        lua_concat(L, 3);
        lua_insert(L, 1);
        lua_settop(L, 1);
    }
    add_history(r, lua_tostring(L, 1));
    line = lua_tolstring(L, 1, &len);
    *quiet = quiet_chunk(line, &len);
    if (status == LUA_OK && lua_gettop(L) > 2) lua_settop(L, 2);
    return status;
}

/* ---- results ------------------------------------------------------ */

/* Sets _ to the first result and prints them all with pretty.print (or
 * print when the pretty-printer is missing). */
static void show_results(lua_State *L, int base, int quiet) {
    int n = lua_gettop(L) - base;
    if (n <= 0) return;
    lua_pushvalue(L, base + 1);
    lua_setglobal(L, "_");
    if (quiet) return;
    luaL_checkstack(L, LUA_MINSTACK, "too many results to print");
    if (lua_getfield(L, LUA_REGISTRYINDEX, KEY_PRINT) != LUA_TFUNCTION) {
        lua_pop(L, 1);
        lua_getglobal(L, "print");
    }
    lua_insert(L, base + 1);
    if (lua_pcall(L, n, 0, 0) != LUA_OK) {
        repl_message(lua_pushfstring(L, "error calling 'print' (%s)", lua_tostring(L, -1)));
        lua_pop(L, 2);
    }
}

/* ---- completion --------------------------------------------------- */

/* listdir(path): the names in a directory, or nil. */
int cr_repl_listdir(lua_State *L) {
    const char *path = luaL_checkstring(L, 1);
    DIR *d = opendir(path);
    if (d == NULL) return 0;
    lua_newtable(L);
    lua_Integer i = 0;
    struct dirent *e;
    while ((e = readdir(d)) != NULL) {
        if (e->d_name[0] == '.') continue;
        lua_pushstring(L, e->d_name);
        lua_rawseti(L, -2, ++i);
    }
    closedir(d);
    return 1;
}

static int terminal_width(void) {
    struct winsize ws;
    if (ioctl(STDOUT_FILENO, TIOCGWINSZ, &ws) == 0 && ws.ws_col > 0) return ws.ws_col;
    return 80;
}

/* Prints the candidates (a table at idx) in columns below the line. */
static void list_candidates(lua_State *L, int idx, lua_Integer count) {
    const lua_Integer max_shown = 200;
    size_t widest = 0;
    for (lua_Integer i = 1; i <= count && i <= max_shown; i++) {
        lua_rawgeti(L, idx, i);
        size_t len = lua_rawlen(L, -1);
        if (len > widest) widest = len;
        lua_pop(L, 1);
    }
    size_t colw = widest + 2;
    size_t cols = (size_t)terminal_width() / colw;
    if (cols == 0) cols = 1;
    fputc('\n', stdout);
    size_t col = 0;
    for (lua_Integer i = 1; i <= count && i <= max_shown; i++) {
        lua_rawgeti(L, idx, i);
        const char *s = lua_tostring(L, -1);
        col++;
        if (col == cols || i == count || i == max_shown) {
            fprintf(stdout, "%s\n", s ? s : "");
            col = 0;
        } else {
            fprintf(stdout, "%-*s", (int)colw, s ? s : "");
        }
        lua_pop(L, 1);
    }
    if (count > max_shown)
        fprintf(stdout, "... and %lld more\n", (long long)(count - max_shown));
    fflush(stdout);
}

/* Calls complete.candidates(text before the cursor, _G, listdir) and
 * leaves fragment and list on the stack; returns 0 when there is nothing. */
static int candidates(lua_State *L, const LineInfo *li) {
    if (lua_getfield(L, LUA_REGISTRYINDEX, KEY_COMPLETE) != LUA_TTABLE) return 0;
    lua_getfield(L, -1, "candidates");
    lua_pushlstring(L, li->buffer, (size_t)(li->cursor - li->buffer));
    lua_pushglobaltable(L);
    lua_pushcfunction(L, cr_repl_listdir);
    if (lua_pcall(L, 3, 2, 0) != LUA_OK) return 0;
    return lua_isstring(L, -2) && lua_istable(L, -1);
}

static unsigned char complete_fn(EditLine *el, int ch) {
    (void)ch;
    struct repl *r;
    el_get(el, EL_CLIENTDATA, &r);
    lua_State *L = r->L;
    int top = lua_gettop(L);
    unsigned char result = CC_REFRESH_BEEP;
    const LineInfo *li = el_line(el);
    if (li != NULL && candidates(L, li)) {
        size_t fraglen = lua_rawlen(L, -2);
        lua_Integer count = (lua_Integer)lua_rawlen(L, -1);
        if (count > 0) {
            lua_getfield(L, top + 1, "common_prefix");
            lua_pushvalue(L, -2);
            if (lua_pcall(L, 1, 1, 0) == LUA_OK && lua_isstring(L, -1)) {
                size_t plen;
                const char *prefix = lua_tolstring(L, -1, &plen);
                if (plen > fraglen) {
                    char *add = strndup(prefix + fraglen, plen - fraglen);
                    if (add != NULL && el_insertstr(el, add) == 0) result = CC_REFRESH;
                    free(add);
                } else if (count == 1) {
                    result = CC_REFRESH; /* already complete */
                } else {
                    list_candidates(L, top + 3, count);
                    result = CC_REDISPLAY;
                }
            }
        }
    }
    lua_settop(L, top);
    return result;
}

/* Ctrl-C at the prompt: show "^C" after the line, end it, and throw it
 * away (read_line sees r->interrupted). */
static unsigned char interrupt_fn(EditLine *el, int ch) {
    (void)ch;
    struct repl *r;
    el_get(el, EL_CLIENTDATA, &r);
    const LineInfo *li = el_line(el);
    if (li != NULL) el_cursor(el, (int)(li->lastchar - li->cursor));
    r->interrupted = 1;
    el_insertstr(el, "^C");
    el_push(el, "\n");
    return CC_REFRESH;
}

/* Ctrl-Z at the prompt: with the terminal's signal keys off while editing,
 * suspend ourselves; libedit restores the terminal around the stop. */
static unsigned char suspend_fn(EditLine *el, int ch) {
    (void)el;
    (void)ch;
    kill(getpid(), SIGTSTP);
    return CC_REDISPLAY;
}

/* ---- setup ---------------------------------------------------------- */

static void history_setup(struct repl *r) {
    HistEvent ev;
    r->hist = history_init();
    if (r->hist == NULL) return;
    history(r->hist, &ev, H_SETSIZE, HISTORY_SIZE);
    history(r->hist, &ev, H_SETUNIQUE, 1);
    r->histfile = history_path();
    if (r->histfile == NULL) return;
    if (make_parent_dirs(r->histfile) != 0) {
        fprintf(stderr, "%s: cannot create the directory of %s: %s\n", CORPUSRUN_PROGNAME,
                r->histfile, strerror(errno));
        free(r->histfile);
        r->histfile = NULL;
        return;
    }
    history(r->hist, &ev, H_LOAD, r->histfile); /* a missing file is fine */
}

static int editor_setup(struct repl *r) {
    choose_edit_locale(r);
    editing_locale(r, 1);
    r->el = el_init(CORPUSRUN_PROGNAME, stdin, stdout, stderr);
    if (r->el == NULL) {
        editing_locale(r, 0);
        return -1;
    }
    history_setup(r);
    el_set(r->el, EL_CLIENTDATA, r);
    el_set(r->el, EL_EDITOR, "emacs");
    el_set(r->el, EL_PROMPT, prompt_fn);
    el_set(r->el, EL_SIGNAL, 1);
    if (r->hist != NULL) el_set(r->el, EL_HIST, history, r->hist);
    /* The wide call keeps libedit from copying (and leaking) the names. */
    el_wset(r->el, EL_ADDFN, L"corpusrun-complete", L"Complete the name before the cursor",
            complete_fn);
    el_set(r->el, EL_BIND, "^I", "corpusrun-complete", NULL);
    el_wset(r->el, EL_ADDFN, L"corpusrun-interrupt", L"Abandon the line", interrupt_fn);
    /* Ctrl-C reaches the editor as a key instead of a signal. */
    el_set(r->el, EL_SETTY, "-d", "-isig", NULL);
    el_set(r->el, EL_BIND, "^C", "corpusrun-interrupt", NULL);
    el_wset(r->el, EL_ADDFN, L"corpusrun-suspend", L"Suspend corpusrun", suspend_fn);
    el_set(r->el, EL_BIND, "^Z", "corpusrun-suspend", NULL);
    el_set(r->el, EL_BIND, "^R", "em-inc-search-prev", NULL);
    el_source(r->el, NULL); /* ~/.editrc */
    editing_locale(r, 0);
    return 0;
}

static void repl_close(struct repl *r) {
    if (r->el != NULL) el_end(r->el);
    if (r->hist != NULL) history_end(r->hist);
    free(r->histfile);
    free(r->prompt);
    free(r->locale);
    free(r->edit_locale);
}

/* The startup file, unless -E. */
static void run_startup(lua_State *L) {
    if (no_env(L)) return;
    char *path = startup_path();
    if (path == NULL) return;
    struct stat st;
    if (stat(path, &st) == 0 && S_ISREG(st.st_mode)) {
        int status = luaL_loadfile(L, path);
        if (status == LUA_OK) status = cr_host_docall(L, 0, 0);
        report(L, status);
    }
    free(path);
}

/* One line naming the default corpus and its size. */
static const char banner_lua[] =
    "local path = ...\n"
    "if not path then return 'no default corpus (-c PATH or $CORPUSRUN_CORPUS)' end\n"
    "local line = 'Default corpus: ' .. path\n"
    "local ok, c = pcall(function() return corpus.open(path) end)\n"
    "if ok and c then\n"
    "  local okn, n = pcall(function() return #c end)\n"
    "  if okn and math.type(n) == 'integer' then\n"
    "    line = line .. ' (' .. n .. (n == 1 and ' document)' or ' documents)')\n"
    "  end\n"
    "end\n"
    "return line\n";

static void print_banner(lua_State *L) {
    int top = lua_gettop(L);
    const char *corpus = cr_host_default_corpus();
    const char *line = NULL;
    if (luaL_loadstring(L, banner_lua) == LUA_OK) {
        if (corpus) lua_pushstring(L, corpus);
        else lua_pushnil(L);
        if (lua_pcall(L, 1, 1, 0) == LUA_OK) line = lua_tostring(L, -1);
    }
    printf("%s%shelp() lists the modules, Ctrl-D quits.\n", line ? line : "",
           line ? ". " : "");
    fflush(stdout);
    lua_settop(L, top);
}

void cr_repl_prepare(lua_State *L) {
    set_module_globals(L);
    set_help_global(L);
    keep_module(L, "pretty", CR_REPL_KEY_PRETTY);
    if (lua_getfield(L, LUA_REGISTRYINDEX, CR_REPL_KEY_PRETTY) == LUA_TTABLE) {
        lua_getfield(L, -1, "print");
        lua_setfield(L, LUA_REGISTRYINDEX, KEY_PRINT);
    }
    lua_pop(L, 1);
    keep_module(L, "complete", KEY_COMPLETE);
    keep_module(L, "display", CR_REPL_KEY_DISPLAY);
    keep_module(L, "progress", CR_REPL_KEY_PROGRESS);
}

int cr_repl_run(lua_State *L) {
    struct repl r = {0};
    r.L = L;
    int tty = isatty(STDIN_FILENO);
    cr_repl_prepare(L);
    if (tty) {
        if (editor_setup(&r) != 0) r.el = NULL;
        print_banner(L);
    }
    run_startup(L);
    for (;;) {
        int quiet = 0;
        int status = read_chunk(&r, &quiet);
        if (status == CHUNK_EOF) break;
        if (status == CHUNK_CANCELLED) continue;
        if (status == LUA_OK) {
            lua_remove(L, 1); /* the text */
            status = cr_host_docall(L, 0, LUA_MULTRET);
        }
        if (status == LUA_OK) show_results(L, 0, quiet);
        else report(L, status);
        lua_settop(L, 0);
    }
    lua_settop(L, 0);
    fputs("\n", stdout);
    fflush(stdout);
    repl_close(&r);
    return 0;
}
