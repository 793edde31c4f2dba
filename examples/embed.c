/* embed.c — a C program that runs corpusrun's Lua inside itself.
 *
 *   make examples                       (builds build/examples/embed)
 *   build/examples/embed [CORPUS [LIBDIR]]
 *
 * or, against an installed corpusrun (make install PREFIX=...):
 *
 *   cc -o embed embed.c $(pkg-config --cflags --libs corpusrun)
 *   ./embed corpus /usr/local/share/corpusrun/lua
 *
 * It counts the words of a corpus (./corpus, the sample corpus, unless
 * CORPUS is given) with corpusrun's modules, prints the five most frequent
 * from Lua, then calls back into Lua from C for two counts.  LIBDIR is
 * corpusrun's Lua library (lib/lua in the source tree); without it the
 * library is looked for beside the executable, as the corpusrun binary
 * looks for it. */
#include <stdio.h>
#include <stdlib.h>

#include <corpusrun.h>
#include <lua.h>

/* A few lines of Lua, written as in a corpusrun script. */
static const char count_words[] =
    "local corpus, count = require 'corpus', require 'count'\n"
    "local c = assert(corpus.open())              -- the default corpus\n"
    "local acc = c:fold(\n"
    "  function() return { words = count.freq() } end,\n"
    "  function(acc, doc) acc.words:add_text(doc.text) end)\n"
    "for _, row in ipairs(acc.words:top(5)) do print(row[1], row[2]) end\n"
    "words = acc.words                            -- a global for the C side\n";

/* words:get(key), called from C: the count of one word, or -1 on error. */
static long long count_of(lua_State *L, const char *key) {
    lua_getglobal(L, "words");
    lua_getfield(L, -1, "get");      /* the method ... */
    lua_insert(L, -2);               /* ... below its object: words.get(words, key) */
    lua_pushstring(L, key);
    const char *err = cr_host_pcall(L, 2, 1);
    if (err != NULL) {
        fprintf(stderr, "embed: %s\n", err);
        return -1;
    }
    long long n = (long long)lua_tointeger(L, -1);
    lua_pop(L, 1);
    return n;
}

int main(int argc, char **argv) {
    cr_host_config config = {0};     /* zero: every default */
    config.corpus = argc > 1 ? argv[1] : "corpus";
    config.libdir = argc > 2 ? argv[2] : NULL;

    lua_State *L = cr_host_new(&config);
    if (L == NULL) {
        fprintf(stderr, "embed: cannot set up corpusrun's Lua (out of memory, or no directory %s)\n",
                config.libdir ? config.libdir : "(none given)");
        return EXIT_FAILURE;
    }

    /* An error comes back as a message with its traceback; nothing exits. */
    const char *err = cr_host_dostring(L, count_words);
    if (err != NULL) {
        fprintf(stderr, "embed: %s\n", err);
        cr_host_close(L);
        return EXIT_FAILURE;
    }

    long long the = count_of(L, "the"), iran = count_of(L, "iran");
    int ok = the >= 0 && iran >= 0;
    if (ok) printf("the: %lld, iran: %lld\n", the, iran);

    cr_host_close(L);
    return ok ? EXIT_SUCCESS : EXIT_FAILURE;
}
