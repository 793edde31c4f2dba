/* main.c — the corpusrun command line.
 *
 * Mirrors the standalone `lua` interpreter (options -e -l -i -v -E -W -- -,
 * the `arg` table, LUA_INIT as CORPUSRUN_INIT, messages and exit status),
 * and adds corpusrun's own options.  Options are handled in command-line
 * order, as lua.c does. */
#include <errno.h>
#include <stddef.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include <lauxlib.h>
#include <lua.h>
#include <lualib.h>
#include <sqlite3.h>
#include <sys/stat.h>
#include <utf8proc.h>

#include "host.h"


#define has_error 1 /* bad option */
#define has_i 2     /* -i */
#define has_v 4     /* -v */
#define has_e 8     /* -e */
#define has_E 16    /* -E */
#define has_help 32 /* -h, --help */
#define has_version 64 /* --version */
#define has_describe 128 /* --describe SCRIPT */
#define has_sandbox 256  /* --sandbox */
#define has_map 512      /* --map */
#define has_reduce 1024  /* --reduce */
#define has_quiet 2048   /* --quiet */
#define has_list 4096    /* --list */
#define has_install_kernel 8192 /* --install-kernel */
#define has_user 16384   /* --user (with --install-kernel) */

static const char *progname = CORPUSRUN_PROGNAME;

static void print_usage_text(FILE *out) {
    fprintf(out,
            "usage: %s [options] [script [args]]\n"
            "       %s [options] NAME [args]   (a script of the scripts directory: freq, kwic, ...)\n"
            "       %s plan --shards N [-c CORPUS] -o manifest.tsv\n"
            "       %s replay RESULT [--force]\n"
            "       %s index -c SOURCE -o PATH [-j N]   (corpusrun index --help)\n"
            "       %s [options] --kernel CONNECTION_FILE   (a Jupyter kernel, docs/kernel.md)\n"
            "       %s --install-kernel [--user | --prefix P]\n"
            "Available options are:\n"
            "  -e stat        execute string 'stat'\n"
            "  -i             enter interactive mode after executing 'script'\n"
            "  -l mod         require library 'mod' into global 'mod'\n"
            "  -l g=mod       require library 'mod' into global 'g'\n"
            "  -v             show version information\n"
            "  -E             ignore environment variables\n"
            "  -W             turn warnings on\n"
            "  -c PATH, --corpus PATH\n"
            "                 default corpus (else $CORPUSRUN_CORPUS, else ./corpus)\n"
            "  -j N, --jobs N worker processes for c:fold (else $CORPUSRUN_JOBS, else 1)\n"
            "  --quiet        no progress lines on stderr (also $CORPUSRUN_QUIET=1)\n"
            "  -h, --help     show this help\n"
            "  --version      show corpusrun, Lua, utf8proc, Unicode and SQLite versions\n"
            "  --shard K/N --parts DIR [--manifest FILE]\n"
            "                 run only shard K (0..N-1) of the script's fold and write\n"
            "                 it to DIR/part-K-of-N (K from $SLURM_ARRAY_TASK_ID if omitted)\n"
            "  --partitions R with --shard: split the part into R partitions by key hash,\n"
            "                 DIR/part-K-of-N.p-r-of-R (r = 0..R-1)\n"
            "  --merge DIR    merge the parts in DIR instead of reading the corpus (or\n"
            "                 concatenate its merged partitions, merged-r-of-R)\n"
            "  --partition r  with --merge: merge partition r of every shard into\n"
            "                 DIR/merged-r-of-R; the script does not report\n"
            "  --map          streaming: fold the JSON Lines documents on stdin and\n"
            "                 write one 'key<TAB>accumulator' line (Hadoop Streaming)\n"
            "  --reduce       streaming: merge the sorted lines on stdin, then report\n"
            "  --sandbox      run a script written by someone else with limits: it reads\n"
            "                 only its corpus and declared inputs, writes only its\n"
            "                 declared outputs (see docs/sandbox.md)\n"
            "  --max-memory SIZE, --max-seconds S, --max-output SIZE\n"
            "                 the sandbox's limits (defaults 1G, 600, 1G)\n"
            "  --list         list the scripts a bare NAME runs, with what each does\n"
            "  --kernel CONNECTION_FILE\n"
            "                 serve as a Jupyter kernel (what kernel.json runs)\n"
            "  --install-kernel\n"
            "                 write the Jupyter kernelspec (by default for this user)\n"
            "  --user         with --install-kernel: into Jupyter's user data directory\n"
            "  --prefix P     with --install-kernel: into P/share/jupyter/kernels\n"
            "  --describe SCRIPT\n"
            "                 print a script's declared name, version and options\n"
            "                 without running it\n"
            "  --             stop handling options\n"
            "  -              stop handling options and execute stdin\n",
            progname, progname, progname, progname, progname, progname, progname);
    fflush(out);
}

static const struct long_option *find_option(const char *a);

static void print_usage(const char *badoption) {
    fprintf(stderr, "%s: ", progname);
    const struct long_option *o = badoption[1] == '-' ? find_option(badoption) : NULL;
    if (badoption[1] == 'e' || badoption[1] == 'l' || badoption[1] == 'c' ||
        badoption[1] == 'j' || o != NULL)
        fprintf(stderr, "'%s' needs argument\n", badoption);
    else
        fprintf(stderr, "unrecognized option '%s'\n", badoption);
    print_usage_text(stderr);
}

static void print_version(void) {
    printf("corpusrun %s -- %s\n", CORPUSRUN_VERSION, LUA_COPYRIGHT);
    fflush(stdout);
}

static void print_long_version(void) {
    printf("corpusrun %s\n", CORPUSRUN_VERSION);
    printf("%s\n", LUA_RELEASE);
    printf("utf8proc %s (Unicode %s)\n", utf8proc_version(), utf8proc_unicode_version());
    printf("SQLite %s\n", sqlite3_libversion());
    fflush(stdout);
}

static int dochunk(lua_State *L, int status) {
    if (status == LUA_OK) status = cr_host_docall(L, 0, 0);
    return cr_host_report(L, status);
}

static int dofile(lua_State *L, const char *name) {
    return dochunk(L, luaL_loadfile(L, name));
}

static int dostring(lua_State *L, const char *s, const char *name) {
    return dochunk(L, luaL_loadbuffer(L, s, strlen(s), name));
}

/* -l mod or -l g=mod: require 'mod' into global 'g'. */
static int dolibrary(lua_State *L, const char *spec) {
    const char *eq = strchr(spec, '=');
    lua_getglobal(L, "require");
    lua_pushstring(L, eq ? eq + 1 : spec);
    int status = cr_host_docall(L, 1, 1);
    if (status == LUA_OK) {
        if (eq) lua_pushlstring(L, spec, (size_t)(eq - spec));
        else lua_pushstring(L, spec);
        lua_insert(L, -2);
        lua_setglobal(L, lua_tostring(L, -2));
        lua_pop(L, 1);
    }
    return cr_host_report(L, status);
}

/* arg: the script at 0, its arguments at 1..n, earlier words at negative
 * indices (as lua.c builds it). */
static void createargtable(lua_State *L, char **argv, int argc, int script) {
    if (script == argc) script = 0; /* no script name */
    int narg = argc - (script + 1);
    lua_createtable(L, narg, script + 1);
    for (int i = 0; i < argc; i++) {
        lua_pushstring(L, argv[i]);
        lua_rawseti(L, -2, i - script);
    }
    lua_setglobal(L, "arg");
}

static int pushargs(lua_State *L) {
    if (lua_getglobal(L, "arg") != LUA_TTABLE) luaL_error(L, "'arg' is not a table");
    int n = (int)luaL_len(L, -1);
    luaL_checkstack(L, n + 3, "too many arguments to script");
    for (int i = 1; i <= n; i++) lua_rawgeti(L, -i, i);
    lua_remove(L, -n - 1);
    return n;
}

static int handle_script(lua_State *L, char **argv) {
    const char *fname = argv[0];
    if (strcmp(fname, "-") == 0 && strcmp(argv[-1], "--") != 0)
        fname = NULL; /* stdin */
    if (fname != NULL) {
        cr_host_add_script_dir(L, fname);
        cr_host_set_script(fname);
    }
    int status = luaL_loadfile(L, fname);
    if (status == LUA_OK) {
        int n = pushargs(L);
        status = cr_host_docall(L, n, LUA_MULTRET);
    }
    return cr_host_report(L, status);
}

/* corpusrun's own options; the lua ones (-e -l -i -v -E -W) are handled
 * as lua.c handles them. */
typedef struct host_options {
    const char *corpus;   /* -c, --corpus */
    const char *jobs;     /* -j, --jobs */
    const char *describe; /* --describe */
    const char *shard;    /* --shard K/N */
    const char *parts;    /* --parts DIR */
    const char *merge;    /* --merge DIR */
    const char *manifest; /* --manifest FILE */
    const char *partitions; /* --partitions R (with --shard) */
    const char *partition;  /* --partition r (with --merge) */
    const char *max_memory;  /* --max-memory SIZE (sandbox) */
    const char *max_seconds; /* --max-seconds S (sandbox) */
    const char *max_output;  /* --max-output SIZE (sandbox) */
    const char *kernel;      /* --kernel CONNECTION_FILE */
    const char *prefix;      /* --prefix P (with --install-kernel) */
} host_options;

typedef struct long_option {
    const char *name;
    char short_name;      /* 0: long form only */
    int flag;             /* has_* bit for options without a value */
    size_t value;         /* offsetof the value in host_options, for options with one */
} long_option;

#define NO_VALUE ((size_t)-1)
static const long_option long_options[] = {
    {"corpus", 'c', 0, offsetof(host_options, corpus)},
    {"jobs", 'j', 0, offsetof(host_options, jobs)},
    {"describe", 0, has_describe, offsetof(host_options, describe)},
    {"shard", 0, 0, offsetof(host_options, shard)},
    {"parts", 0, 0, offsetof(host_options, parts)},
    {"merge", 0, 0, offsetof(host_options, merge)},
    {"manifest", 0, 0, offsetof(host_options, manifest)},
    {"partitions", 0, 0, offsetof(host_options, partitions)},
    {"partition", 0, 0, offsetof(host_options, partition)},
    {"max-memory", 0, 0, offsetof(host_options, max_memory)},
    {"max-seconds", 0, 0, offsetof(host_options, max_seconds)},
    {"max-output", 0, 0, offsetof(host_options, max_output)},
    {"kernel", 0, 0, offsetof(host_options, kernel)},
    {"prefix", 0, 0, offsetof(host_options, prefix)},
    {"install-kernel", 0, has_install_kernel, NO_VALUE},
    {"user", 0, has_user, NO_VALUE},
    {"sandbox", 0, has_sandbox, NO_VALUE},
    {"map", 0, has_map, NO_VALUE},
    {"reduce", 0, has_reduce, NO_VALUE},
    {"quiet", 0, has_quiet, NO_VALUE},
    {"list", 0, has_list, NO_VALUE},
    {"help", 'h', has_help, NO_VALUE},
    {"version", 0, has_version, NO_VALUE},
    {NULL, 0, 0, 0}};

/* The entry for "--name", "--name=value" or "-x"; NULL when unknown. */
static const long_option *find_option(const char *a) {
    for (const long_option *o = long_options; o->name != NULL; o++) {
        if (a[1] == '-') {
            size_t n = strlen(o->name);
            if (strncmp(a + 2, o->name, n) == 0 &&
                (a[2 + n] == '\0' || (a[2 + n] == '=' && o->value != NO_VALUE)))
                return o;
        } else if (o->short_name != 0 && a[1] == o->short_name) {
            return o;
        }
    }
    return NULL;
}

/* Does this word take the next one as its argument? */
static int takes_next_word(const char *a) {
    if (a[0] != '-' || a[1] == '\0') return 0;
    if (a[1] == 'e' || a[1] == 'l') return a[2] == '\0';
    const long_option *o = find_option(a);
    if (o == NULL || o->value == NO_VALUE) return 0;
    if (a[1] == '-') return strchr(a, '=') == NULL;
    return a[2] == '\0';
}

/* The value of an option that takes one, attached or following. */
static const char *option_value(char **argv, int *i) {
    const char *a = argv[*i];
    if (a[1] == '-') {
        const char *eq = strchr(a, '=');
        if (eq) return eq + 1;
        return argv[++*i];
    }
    if (a[2] != '\0') return a + 2;
    return argv[++*i];
}

/* Scans the options; *first is the index of the script (0: none) or of the
 * bad option.  Returns the has_* bits and fills *ho. */
static int collectargs(char **argv, int *first, host_options *ho) {
    int args = 0;
    if (argv[0] == NULL) {
        *first = -1;
        return 0;
    }
    for (int i = 1; argv[i] != NULL; i++) {
        *first = i;
        const char *a = argv[i];
        if (a[0] != '-') return args; /* the script */
        switch (a[1]) {
        case '\0':
            return args; /* script "name" is '-' */
        case 'E':
        case 'W':
            if (a[2] != '\0') return has_error;
            if (a[1] == 'E') args |= has_E;
            break;
        case 'i':
            args |= has_i; /* -i implies -v */
            /* fall through */
        case 'v':
            if (a[2] != '\0') return has_error;
            args |= has_v;
            break;
        case 'e':
            args |= has_e;
            /* fall through */
        case 'l':
            if (a[2] == '\0') { /* no attached argument: take the next word */
                i++;
                if (argv[i] == NULL || argv[i][0] == '-') return has_error;
            }
            break;
        default: {
            if (a[1] == '-' && a[2] == '\0') { /* -- : the script follows, if any */
                *first = argv[i + 1] != NULL ? i + 1 : 0;
                return args;
            }
            const long_option *o = find_option(a);
            if (o == NULL) return has_error;
            if (o->value == NO_VALUE) {
                if (a[1] != '-' && a[2] != '\0') return has_error;
                args |= o->flag;
                break;
            }
            if (takes_next_word(a) && (argv[i + 1] == NULL || argv[i + 1][0] == '-'))
                return has_error;
            *(const char **)((char *)ho + o->value) = option_value(argv, &i);
            args |= o->flag;
            break;
        }
        }
    }
    *first = 0; /* no script */
    return args;
}

static int parse_jobs(const char *s, int *jobs) {
    char *end;
    long n = strtol(s, &end, 10);
    if (*s == '\0' || *end != '\0' || n < 1 || n > 1024) return 0;
    *jobs = (int)n;
    return 1;
}

/* "K/N", or "/N" with K from $SLURM_ARRAY_TASK_ID; shards count from 0. */
static int parse_shard(const char *s, long *k, long *n, const char **why) {
    char *end;
    const char *slash = strchr(s, '/');
    *why = "expected K/N with 0 <= K < N";
    if (slash == NULL) return 0;
    if (slash == s) {
        const char *task = getenv("SLURM_ARRAY_TASK_ID");
        if (task == NULL || *task == '\0') {
            *why = "K is omitted and $SLURM_ARRAY_TASK_ID is not set";
            return 0;
        }
        *k = strtol(task, &end, 10);
        if (*end != '\0') {
            *why = "$SLURM_ARRAY_TASK_ID is not a number";
            return 0;
        }
    } else {
        *k = strtol(s, &end, 10);
        if (end != slash) return 0;
    }
    *n = strtol(slash + 1, &end, 10);
    if (slash[1] == '\0' || *end != '\0' || *n < 1 || *n > 1000000 || *k < 0 || *k >= *n) return 0;
    return 1;
}

/* A whole number in lo..hi, else -1. */
static long parse_count(const char *s, long lo, long hi) {
    char *end;
    errno = 0;
    long v = strtol(s, &end, 10);
    if (*s == '\0' || *end != '\0' || errno || v < lo || v > hi) return -1;
    return v;
}

/* --shard, --parts, --merge, --manifest, --partitions, --partition:
 * checked before any Lua runs. */
static int apply_cluster_options(const host_options *ho) {
    long k = 0, n = 0, parts = 0, part = -1;
    if (ho->partitions) {
        if (ho->shard == NULL) {
            fprintf(stderr, "%s: '--partitions' goes with '--shard K/N'\n", progname);
            return 0;
        }
        if ((parts = parse_count(ho->partitions, 1, 65536)) < 0) {
            fprintf(stderr, "%s: bad value for '--partitions': '%s' (a whole number from 1 to 65536)\n",
                    progname, ho->partitions);
            return 0;
        }
    }
    if (ho->partition) {
        if (ho->merge == NULL) {
            fprintf(stderr, "%s: '--partition' goes with '--merge DIR'\n", progname);
            return 0;
        }
        if ((part = parse_count(ho->partition, 0, 65535)) < 0) {
            fprintf(stderr, "%s: bad value for '--partition': '%s' (a partition number, from 0)\n",
                    progname, ho->partition);
            return 0;
        }
    }
    if (ho->shard) {
        const char *why;
        if (!parse_shard(ho->shard, &k, &n, &why)) {
            fprintf(stderr, "%s: bad value for '--shard': '%s' (%s)\n", progname, ho->shard, why);
            return 0;
        }
        if (ho->parts == NULL) {
            fprintf(stderr, "%s: '--shard' needs '--parts DIR' to write its part to\n", progname);
            return 0;
        }
        if (ho->merge) {
            fprintf(stderr, "%s: '--shard' and '--merge' cannot be used together\n", progname);
            return 0;
        }
    } else if (ho->parts) {
        fprintf(stderr, "%s: '--parts' goes with '--shard K/N'\n", progname);
        return 0;
    }
    if (ho->shard || ho->merge || ho->manifest) {
        cr_host_set_cluster(ho->shard ? k : -1, ho->shard ? n : 0, ho->parts, ho->merge, ho->manifest);
        cr_host_set_partitions(parts, part);
    }
    return 1;
}

/* -c PATH: a path that does not exist (and is not a glob for corpus.open
 * to expand), or that is neither a file nor a directory, is reported before
 * the script runs. */
static int check_corpus_path(const char *path) {
    struct stat st;
    if (stat(path, &st) == 0) {
        if (S_ISREG(st.st_mode) || S_ISDIR(st.st_mode)) return 1;
        fprintf(stderr, "%s: -c %s: not a regular file or directory\n", progname, path);
        return 0;
    }
    if (errno == ENOENT && strpbrk(path, "*?[") != NULL) return 1;
    fprintf(stderr, "%s: -c %s: %s\n", progname, path, strerror(errno));
    return 0;
}

/* Options that must hold before any Lua runs: -c and -j. */
static int apply_early_options(const host_options *ho) {
    if (!apply_cluster_options(ho)) return 0;
    if (ho->corpus && !check_corpus_path(ho->corpus)) return 0;
    if (ho->corpus) cr_host_set_default_corpus(ho->corpus);
    if (ho->jobs) {
        int jobs;
        if (!parse_jobs(ho->jobs, &jobs)) {
            fprintf(stderr, "%s: bad value for '-j': '%s' (a whole number from 1 to 1024)\n",
                    progname, ho->jobs);
            return 0;
        }
        cr_host_set_jobs(jobs);
    }
    return 1;
}

/* Runs -e and -l (and -W) in order. */
static int runargs(lua_State *L, char **argv, int optlim) {
    for (int i = 1; i < optlim; i++) {
        const char *a = argv[i];
        if (a[0] != '-') continue;
        if (a[1] == 'W' && a[2] == '\0') {
            lua_warning(L, "@on", 0);
            continue;
        }
        if (a[1] != 'e' && a[1] != 'l') {
            if (takes_next_word(a)) i++;
            continue;
        }
        int opt = a[1];
        const char *extra = option_value(argv, &i);
        int status = (opt == 'e') ? dostring(L, extra, "=(command line)") : dolibrary(L, extra);
        if (status != LUA_OK) return 0;
    }
    return 1;
}

/* Calls require("commands")[fn](word) for two results, left on the stack;
 * returns the status (an error reported). */
static int call_commands(lua_State *L, const char *fn, const char *word) {
    lua_getglobal(L, "require");
    lua_pushliteral(L, "commands");
    int status = cr_host_docall(L, 1, 1);
    if (status != LUA_OK) return cr_host_report(L, status);
    lua_getfield(L, -1, fn);
    lua_remove(L, -2);
    if (word) lua_pushstring(L, word);
    status = cr_host_docall(L, word ? 1 : 0, 2);
    return cr_host_report(L, status);
}

/* A bare name that is not a file ("freq", "kwic.lua") names a script of the
 * scripts directory, as git runs its subcommands; a file of that name in
 * the current directory comes first, as lua5.4 would run it.  Returns the
 * path to run (word itself, or the script's path, kept alive in the
 * registry), or NULL after saying what is wrong (with a suggestion). */
static const char *resolve_script(lua_State *L, const char *word) {
    if (strcmp(word, "-") == 0 || strchr(word, '/') != NULL || access(word, F_OK) == 0) return word;
    if (call_commands(L, "resolve", word) != LUA_OK) return NULL;
    if (lua_isnil(L, -2)) {
        cr_host_message(progname, luaL_optstring(L, -1, "no such script"));
        lua_pop(L, 2);
        return NULL;
    }
    lua_pop(L, 1);
    const char *path = lua_tostring(L, -1);
    lua_setfield(L, LUA_REGISTRYINDEX, "corpusrun.script_path"); /* anchors path */
    return path;
}

/* --list: the scripts a bare name runs, each with its one-line summary. */
static int list_scripts(lua_State *L) {
    if (call_commands(L, "list_text", NULL) != LUA_OK) return 0;
    int ok = lua_isstring(L, -2);
    if (ok) fputs(lua_tostring(L, -2), stdout);
    else cr_host_message(progname, luaL_optstring(L, -1, "no scripts"));
    lua_pop(L, 2);
    fflush(stdout);
    return ok;
}

/* --describe SCRIPT: the script's declared header, read by lib/lua/cli.lua
 * from its leading spec table; the script itself does not run. */
static int describe(lua_State *L, const char *path) {
    static const char chunk[] =
        "local path = ...\n"
        "local cli = require 'cli'\n"
        "local spec, err = cli.describe(path)\n"
        "if not spec then return err end\n"
        "io.write(cli.describe_header(spec, path))\n";
    int status = luaL_loadbuffer(L, chunk, sizeof chunk - 1, "=describe");
    if (status == LUA_OK) {
        lua_pushstring(L, path);
        status = cr_host_docall(L, 1, 1);
        if (status == LUA_OK) {
            if (lua_isstring(L, -1)) { /* the script declares nothing usable */
                cr_host_message(progname, lua_tostring(L, -1));
                status = LUA_ERRRUN;
            }
            lua_pop(L, 1);
            return status;
        }
    }
    return cr_host_report(L, status);
}

static int handle_init(lua_State *L) {
    const char *name = "=CORPUSRUN_INIT";
    const char *init = getenv(name + 1);
    if (init == NULL) return LUA_OK;
    if (init[0] == '@') return dofile(L, init + 1);
    return dostring(L, init, name);
}

static void apply_env_jobs(int no_env) {
    const char *env = no_env ? NULL : getenv("CORPUSRUN_JOBS");
    int jobs;
    if (env != NULL && parse_jobs(env, &jobs)) cr_host_set_jobs(jobs);
}

/* "512M", "2G", "1000" → bytes; 0 when malformed. */
static size_t parse_size(const char *s) {
    char *end;
    double v = strtod(s, &end);
    double unit = 1;
    if (*end == 'K' || *end == 'k') unit = 1024.0, end++;
    else if (*end == 'M' || *end == 'm') unit = 1024.0 * 1024, end++;
    else if (*end == 'G' || *end == 'g') unit = 1024.0 * 1024 * 1024, end++;
    if (end == s || *end != '\0' || v <= 0 || v * unit > 1e15) return 0;
    return (size_t)(v * unit);
}

/* The limits of --sandbox (--max-memory, --max-output, --max-seconds),
 * defaults where not given; 0 with a message for a bad value.  Checked with
 * the other options, before the script is looked for. */
typedef struct sandbox_limits {
    size_t memory, output;
    double seconds;
} sandbox_limits;

static int parse_sandbox_limits(const host_options *ho, sandbox_limits *lim) {
    lim->memory = (size_t)1 << 30;
    lim->output = (size_t)1 << 30;
    lim->seconds = 600;
    if (ho->max_memory && !(lim->memory = parse_size(ho->max_memory))) {
        fprintf(stderr, "%s: bad value for '--max-memory': '%s'\n", progname, ho->max_memory);
        return 0;
    }
    if (ho->max_output && !(lim->output = parse_size(ho->max_output))) {
        fprintf(stderr, "%s: bad value for '--max-output': '%s'\n", progname, ho->max_output);
        return 0;
    }
    if (ho->max_seconds) {
        char *end;
        lim->seconds = strtod(ho->max_seconds, &end);
        if (end == ho->max_seconds || *end != '\0' || !(lim->seconds > 0) || lim->seconds > 1e7) {
            fprintf(stderr, "%s: bad value for '--max-seconds': '%s'\n", progname, ho->max_seconds);
            return 0;
        }
    }
    return 1;
}

/* --sandbox script [args]: a supervised child with OS limits runs the
 * script in lib/lua/sandbox.lua's environment. */
static int run_sandboxed(lua_State *L, const host_options *ho, int args, char **argv, int script,
                         int argc) {
    if (script <= 0 || strcmp(argv[script], "-") == 0 || (args & (has_e | has_i))) {
        fprintf(stderr, "%s: --sandbox runs a script file: no -e, -l, -i, stdin or REPL\n", progname);
        return 0;
    }
    sandbox_limits lim;
    if (!parse_sandbox_limits(ho, &lim)) return 0;
    cr_host_set_script(argv[script]);
    if (cr_sandbox_fork(lim.memory, lim.seconds, lim.output) != 0) {
        fprintf(stderr, "%s: cannot start the sandbox process: %s\n", progname, strerror(errno));
        return 0;
    }
    if (cr_sandbox_policy_begin() != 0) {
        fprintf(stderr, "%s: cannot route SQLite through the sandbox's file policy\n", progname);
        return 0;
    }
    cr_sandbox_count_memory(L);
    cr_sandbox_set_memory_limit(lim.memory);
    lua_getglobal(L, "require");
    lua_pushliteral(L, "sandbox");
    int status = cr_host_docall(L, 1, 1);
    if (status != LUA_OK) return cr_host_report(L, status) == LUA_OK;
    lua_getfield(L, -1, "run");
    lua_pushstring(L, argv[script]);
    lua_createtable(L, argc - script - 1, 0);
    for (int i = script + 1; i < argc; i++) {
        lua_pushstring(L, argv[i]);
        lua_rawseti(L, -2, i - script);
    }
    lua_createtable(L, 0, 2);
    lua_pushinteger(L, (lua_Integer)lim.output);
    lua_setfield(L, -2, "max_output");
    cr_sandbox_push_core(L);
    lua_setfield(L, -2, "core");
    cr_sandbox_set_cpu_limit(L, lim.seconds);
    status = cr_host_docall(L, 3, 2);
    if (status != LUA_OK) return cr_host_report(L, status) == LUA_OK;
    if (lua_isnil(L, -2)) { /* the script failed: its message has the traceback */
        cr_host_message(progname, luaL_optstring(L, -1, "(no message)"));
        return 0;
    }
    int code = (int)lua_tointeger(L, -2);
    if (code != 0) {
        fflush(NULL);
        exit(code); /* the script's os.exit(code) */
    }
    return 1;
}

/* In shard mode c:fold writes the part and ends the script; in merge mode
 * it reads the parts.  A script that never folds would silently do
 * neither: say so. */
static int cluster_run_complete(lua_State *L, const host_options *ho, int args) {
    int map = (args & has_map) != 0, reduce = (args & has_reduce) != 0;
    if (ho->shard == NULL && ho->merge == NULL && !map && !reduce) return 1;
    int merged = 0;
    lua_getfield(L, LUA_REGISTRYINDEX, LUA_LOADED_TABLE);
    if (lua_getfield(L, -1, "fold") == LUA_TTABLE) {
        lua_getfield(L, -1, "merged_parts");
        merged = lua_toboolean(L, -1);
        lua_pop(L, 1);
    }
    lua_pop(L, 2);
    if ((ho->merge || reduce) && merged) return 1;
    const char *opt = ho->shard ? "--shard" : ho->merge ? "--merge" : map ? "--map" : "--reduce";
    const char *what = ho->shard ? "no part was written"
                       : map     ? "no accumulator was written"
                                 : "the parts were not used";
    fprintf(stderr, "%s: %s: the script ended without calling c:fold, so %s\n", progname, opt, what);
    return 0;
}

/* `corpusrun plan ...`: a subcommand implemented in Lua, as
 * require(module)[fn](args) returning true, or nil and a message. */
static int run_subcommand(lua_State *L, const char *module, const char *fn, int argc, char **argv) {
    cr_host_setup(L, argv[0]);
    lua_gc(L, LUA_GCRESTART);   /* stopped by main while the state was set up; incremental as for scripts */
    lua_gc(L, LUA_GCINC, 0, 0, 0);
    lua_getglobal(L, "require");
    lua_pushstring(L, module);
    int status = cr_host_docall(L, 1, 1);
    if (status != LUA_OK) return cr_host_report(L, status);
    lua_getfield(L, -1, fn);
    lua_createtable(L, argc - 2, 0);
    for (int i = 2; i < argc; i++) {
        lua_pushstring(L, argv[i]);
        lua_rawseti(L, -2, i - 1);
    }
    status = cr_host_docall(L, 1, 2);
    if (status != LUA_OK) return cr_host_report(L, status);
    int ok = lua_toboolean(L, -2);
    if (!ok) cr_host_message(progname, luaL_optstring(L, -1, "failed"));
    lua_pop(L, 3);
    return ok ? LUA_OK : LUA_ERRRUN;
}

/* --install-kernel [--user | --prefix P]: writes the kernelspec. */
static int install_kernel(const host_options *ho, int args, int script) {
    if ((args & has_user) && ho->prefix) {
        fprintf(stderr, "%s: '--user' and '--prefix' cannot be used together\n", progname);
        return 0;
    }
    if (script > 0 || ho->kernel || (args & (has_sandbox | has_i | has_map | has_reduce))) {
        fprintf(stderr, "%s: '--install-kernel' takes no script and none of --kernel, -i, --sandbox, "
                        "--map, --reduce\n", progname);
        return 0;
    }
    return cr_kernel_install(ho->prefix) == 0;
}

static int pmain(lua_State *L) {
    int argc = (int)lua_tointeger(L, 1);
    char **argv = (char **)lua_touserdata(L, 2);
    if (argc >= 2 && strcmp(argv[1], "plan") == 0) {
        lua_pushboolean(L, run_subcommand(L, "plan", "plan_command", argc, argv) == LUA_OK);
        return 1;
    }
    if (argc >= 2 && strcmp(argv[1], "replay") == 0) {
        lua_pushboolean(L, run_subcommand(L, "replay", "replay_command", argc, argv) == LUA_OK);
        return 1;
    }
    if (argc >= 2 && strcmp(argv[1], "index") == 0) {
        lua_pushboolean(L, run_subcommand(L, "index", "index_command", argc, argv) == LUA_OK);
        return 1;
    }
    int script;
    host_options ho = {0};
    int args = collectargs(argv, &script, &ho);
    int optlim = (script > 0) ? script : argc;
    luaL_checkversion(L);
    if (args == has_error) {
        print_usage(argv[script]);
        return 0;
    }
    if (args & has_help) {
        print_usage_text(stdout);
        lua_pushboolean(L, 1);
        return 1;
    }
    if (args & has_version) {
        print_long_version();
        lua_pushboolean(L, 1);
        return 1;
    }
    if (args & has_v) print_version();
    if (args & has_E) {
        lua_pushboolean(L, 1);
        lua_setfield(L, LUA_REGISTRYINDEX, "LUA_NOENV");
    }
    apply_env_jobs(args & has_E);
    if (!apply_early_options(&ho)) return 0;
    if (((args & has_user) || ho.prefix) && !(args & has_install_kernel)) {
        fprintf(stderr, "%s: '%s' goes with '--install-kernel'\n", progname,
                ho.prefix ? "--prefix" : "--user");
        return 0;
    }
    if (args & has_install_kernel) {
        lua_pushboolean(L, install_kernel(&ho, args, script));
        return 1;
    }
    if (ho.kernel && (script > 0 || (args & (has_sandbox | has_i | has_map | has_reduce | has_describe)) ||
                      ho.shard || ho.merge)) {
        fprintf(stderr, "%s: '--kernel' takes no script and none of -i, --sandbox, --describe, "
                        "--shard, --merge, --map, --reduce\n", progname);
        return 0;
    }
    sandbox_limits checked_limits;
    if ((args & has_sandbox) && !parse_sandbox_limits(&ho, &checked_limits)) return 0;
    if (args & has_quiet) setenv("CORPUSRUN_QUIET", "1", 1); /* lib/lua/progress.lua and workers read it */
    if (args & (has_map | has_reduce)) {
        if ((args & has_map) && (args & has_reduce)) {
            fprintf(stderr, "%s: '--map' and '--reduce' cannot be used together\n", progname);
            return 0;
        }
        if (ho.shard || ho.merge) {
            fprintf(stderr, "%s: '--map'/'--reduce' and '--shard'/'--merge' cannot be used together\n", progname);
            return 0;
        }
        cr_host_set_streaming((args & has_map) != 0, (args & has_reduce) != 0);
    }
    cr_host_setup(L, argv[0]);
    if (args & has_list) {
        lua_pushboolean(L, list_scripts(L));
        return 1;
    }
    if (script > 0 && !(script > 1 && strcmp(argv[script - 1], "--") == 0 && strcmp(argv[script], "-") == 0)) {
        const char *path = resolve_script(L, argv[script]);
        if (path == NULL) return 0;
        argv[script] = (char *)path; /* arg[0] and the script run: the resolved path */
    }
    if (ho.describe && (ho.describe = resolve_script(L, ho.describe)) == NULL) return 0;
    createargtable(L, argv, argc, script);
    lua_gc(L, LUA_GCRESTART);
    /* Incremental, not generational as lua.c: a corpus run allocates one
     * large string per document that dies at once, and with a small live
     * heap Lua 5.4's generational collector then runs a major collection
     * about every twenty documents (2-3 % of the time of counting Brown's
     * 8 500 files).
     * The default pause bounds the heap at twice what is live, as the
     * generational default does. */
    lua_gc(L, LUA_GCINC, 0, 0, 0);
    if (args & has_sandbox) {
        if (!run_sandboxed(L, &ho, args, argv, script, argc)) return 0;
        lua_pushboolean(L, 1);
        return 1;
    }
    if (!(args & has_E)) {
        if (handle_init(L) != LUA_OK) return 0;
    }
    if (!runargs(L, argv, optlim)) return 0;
    if (ho.kernel) { /* after -l, -e and the init file: they prepare the session */
        lua_pushboolean(L, cr_kernel_run(L, ho.kernel) == 0);
        return 1;
    }
    if (args & has_describe) {
        if (describe(L, ho.describe) != LUA_OK) return 0;
        lua_pushboolean(L, 1);
        return 1;
    }
    if (script > 0) {
        if (handle_script(L, argv + script) != LUA_OK) return 0;
        if (!cluster_run_complete(L, &ho, args)) return 0;
    }
    if (args & has_i) {
        cr_repl_run(L);
    } else if (script < 1 && !(args & (has_e | has_v))) {
        if (isatty(STDIN_FILENO)) {
            print_version();
            cr_repl_run(L);
        } else {
            dofile(L, NULL); /* stdin as a script */
        }
    }
    lua_pushboolean(L, 1);
    return 1;
}

int main(int argc, char **argv) {
    lua_State *L = luaL_newstate();
    if (L == NULL) {
        cr_host_message(progname, "cannot create state: not enough memory");
        return EXIT_FAILURE;
    }
    lua_gc(L, LUA_GCSTOP);
    lua_pushcfunction(L, &pmain);
    lua_pushinteger(L, argc);
    lua_pushlightuserdata(L, argv);
    int status = lua_pcall(L, 2, 1, 0);
    int result = lua_toboolean(L, -1);
    cr_host_report(L, status);
    lua_close(L);
    if (cr_host_was_interrupted()) return CR_HOST_INTERRUPTED_STATUS;
    return (result && status == LUA_OK) ? EXIT_SUCCESS : EXIT_FAILURE;
}
