/* load_corpus.c — sources (directories, files, globs), the sorted entry
 * list, sidecar metadata, problems, and the document iterator that streams
 * plain text, JSON Lines, CSV/TSV, HTML, XML and archive members. */
#include "load.h"
#include "pathpolicy.h"

#include <archive.h>
#include <archive_entry.h>
#include <dirent.h>
#include <errno.h>
#include <fcntl.h>
#include <iconv.h>
#include <limits.h>
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <strings.h>
#include <sys/stat.h>
#include <unistd.h>

#include "lazylib.h"

/* libarchive is opened when the first archive is read, not linked: it brings
 * libxml2 (so ICU) and six compression libraries, which every start would
 * map and relocate (lazylib.h). */
#ifndef CR_ARCHIVE_SONAME
#define CR_ARCHIVE_SONAME "libarchive.so.13"
#endif
#define ARCHIVE_FUNCS(X)                                                                                     \
    X(archive_entry_filetype) X(archive_entry_pathname) X(archive_entry_size) X(archive_entry_size_is_set)   \
    X(archive_error_string) X(archive_filter_count) X(archive_read_data) X(archive_read_free)                \
    X(archive_read_new) X(archive_read_next_header) X(archive_read_open_fd) X(archive_read_support_filter_all) \
    X(archive_read_support_format_all) X(archive_read_support_format_raw)
static struct {
    ARCHIVE_FUNCS(CR_LAZY_POINTER)
} archive_api;
static cr_lazylib archive_lib = {CR_ARCHIVE_SONAME, {ARCHIVE_FUNCS(CR_LAZY_NAME) NULL}, (void **)&archive_api, NULL, 0,
                                 ""};
#define archive_entry_filetype (*archive_api.archive_entry_filetype)
#define archive_entry_pathname (*archive_api.archive_entry_pathname)
#define archive_entry_size (*archive_api.archive_entry_size)
#define archive_entry_size_is_set (*archive_api.archive_entry_size_is_set)
#define archive_error_string (*archive_api.archive_error_string)
#define archive_filter_count (*archive_api.archive_filter_count)
#define archive_read_data (*archive_api.archive_read_data)
#define archive_read_free (*archive_api.archive_read_free)
#define archive_read_new (*archive_api.archive_read_new)
#define archive_read_next_header (*archive_api.archive_read_next_header)
#define archive_read_open_fd (*archive_api.archive_read_open_fd)
#define archive_read_support_filter_all (*archive_api.archive_read_support_filter_all)
#define archive_read_support_format_all (*archive_api.archive_read_support_format_all)
#define archive_read_support_format_raw (*archive_api.archive_read_support_format_raw)

#define MAX_WALK_DEPTH 256
#define TITLE_MAX 200

/* ---- corpus ------------------------------------------------------------- */
/* The entries (files, archives) are kept packed, one record after another in
 * a byte buffer read front to back by the iterators, so that a corpus of many
 * small files costs a few bytes per file beyond its name:
 *   fmt (1 byte) | directory index (uvarint) | size (uvarint) | name | NUL
 * An entry's path and id base are its directory's prefixes followed by its
 * name (a single file named as a source has a directory of its own, holding
 * its whole path and id base, and an empty name). */
typedef struct edir {
    char *path;        /* prefix of the paths as opened ("dir/") */
    char *rel;         /* prefix of the id bases, relative to the source root */
    int root;          /* index into roots (sidecar), -1 for none */
    int walked;        /* its files were found by walking a directory or glob */
} edir;

typedef struct entry { /* one record, decoded */
    const char *path;  /* as opened */
    const char *rel;   /* id base: relative to the source root */
    ld_format fmt;
    uint64_t size;
    int root;          /* index into roots (sidecar), -1 for none */
    int walked;        /* found by walking a directory or glob */
} entry;

typedef struct sidecar_row { char *key; char **vals; } sidecar_row;

typedef struct root {
    char **cols;       /* column names after the key column */
    size_t ncols;
    sidecar_row *rows; /* sorted by key */
    size_t nrows;
} root;

struct ld_corpus {
    ld_opts o;
    cr_buf ents;       /* the packed entry records */
    size_t n;          /* how many */
    edir *dirs;
    size_t ndirs, dcap;
    root *roots;
    size_t nroots;
    ld_problem *p;
    size_t np, pcap;
    size_t *phash;     /* open addressing: index + 1, 0 empty */
    size_t phcap;
};

static char *xstrdup(const char *s) { return s ? strdup(s) : NULL; }

static int copy_list(char ***dst, size_t *dn, char **src, size_t n) {
    *dst = NULL;
    *dn = 0;
    for (size_t i = 0; i < n; i++)
        if (ld_opts_push(dst, dn, src[i])) return -1;
    return 0;
}

ld_corpus *ld_corpus_new(const ld_opts *opts) {
    ld_corpus *c = calloc(1, sizeof *c);
    if (!c) return NULL;
    ld_opts_init(&c->o);
    c->o.format = opts->format;
    c->o.hidden = opts->hidden;
    c->o.strip_control = opts->strip_control;
    c->o.sidecar = opts->sidecar;
    c->o.max_bytes = opts->max_bytes;
    c->o.text_field = xstrdup(opts->text_field ? opts->text_field : "text");
    c->o.id_field = xstrdup(opts->id_field ? opts->id_field : "id");
    c->o.title_field = xstrdup(opts->title_field ? opts->title_field : "title");
    c->o.encoding = xstrdup(opts->encoding ? opts->encoding : "auto");
    c->o.fallback = xstrdup(opts->fallback ? opts->fallback : "windows-1252");
    c->o.element = xstrdup(opts->element);
    c->o.separator = xstrdup(opts->separator);
    if ((opts->separator && !c->o.separator) ||
        copy_list(&c->o.attributes, &c->o.n_attributes, opts->attributes, opts->n_attributes) ||
        !c->o.text_field || !c->o.id_field || !c->o.title_field || !c->o.encoding ||
        !c->o.fallback || (opts->element && !c->o.element) ||
        copy_list(&c->o.include, &c->o.n_include, opts->include, opts->n_include) ||
        copy_list(&c->o.exclude, &c->o.n_exclude, opts->exclude, opts->n_exclude) ||
        copy_list(&c->o.name_fields, &c->o.n_name_fields, opts->name_fields, opts->n_name_fields)) {
        ld_corpus_free(c);
        return NULL;
    }
    return c;
}

void ld_corpus_free(ld_corpus *c) {
    if (!c) return;
    cr_buf_free(&c->ents);
    for (size_t i = 0; i < c->ndirs; i++) {
        free(c->dirs[i].path);
        free(c->dirs[i].rel);
    }
    free(c->dirs);
    for (size_t r = 0; r < c->nroots; r++) {
        root *rt = &c->roots[r];
        for (size_t i = 0; i < rt->nrows; i++) {
            free(rt->rows[i].key);
            for (size_t k = 0; k < rt->ncols; k++) free(rt->rows[i].vals[k]);
            free(rt->rows[i].vals);
        }
        for (size_t k = 0; k < rt->ncols; k++) free(rt->cols[k]);
        free(rt->cols);
        free(rt->rows);
    }
    free(c->roots);
    for (size_t i = 0; i < c->np; i++) {
        free(c->p[i].path);
        free(c->p[i].reason);
    }
    free(c->p);
    free(c->phash);
    ld_opts_free(&c->o);
    free(c);
}

size_t ld_corpus_entries(const ld_corpus *c) { return c->n; }
size_t ld_corpus_nproblems(const ld_corpus *c) { return c->np; }
const ld_problem *ld_corpus_problem(const ld_corpus *c, size_t i) { return i < c->np ? &c->p[i] : NULL; }
const ld_opts *ld_corpus_opts(const ld_corpus *c) { return &c->o; }

size_t ld_corpus_count(const ld_corpus *c, ld_pkind kind) {
    size_t k = 0;
    for (size_t i = 0; i < c->np; i++) k += c->p[i].kind == kind;
    return k;
}

/* ---- problems ----------------------------------------------------------- */
static uint64_t fnv(uint64_t h, const void *p, size_t n) {
    const unsigned char *s = p;
    for (size_t i = 0; i < n; i++) h = (h ^ s[i]) * 0x100000001b3ull;
    return h;
}

static uint64_t problem_hash(const char *path, long line, int64_t off, const char *reason) {
    uint64_t h = 0xcbf29ce484222325ull;
    h = fnv(h, path, strlen(path) + 1);
    h = fnv(h, &line, sizeof line);
    h = fnv(h, &off, sizeof off);
    return fnv(h, reason, strlen(reason));
}

static int phash_insert(ld_corpus *c, size_t idx, uint64_t h) {
    size_t m = c->phcap - 1, i = (size_t)h & m;
    while (c->phash[i]) i = (i + 1) & m;
    c->phash[i] = idx + 1;
    return 0;
}

static int phash_grow(ld_corpus *c) {
    size_t cap = c->phcap ? c->phcap * 2 : 64;
    size_t *t = calloc(cap, sizeof *t);
    if (!t) return -1;
    free(c->phash);
    c->phash = t;
    c->phcap = cap;
    for (size_t i = 0; i < c->np; i++) {
        ld_problem *p = &c->p[i];
        phash_insert(c, i, problem_hash(p->path, p->line, p->offset, p->reason));
    }
    return 0;
}

static void problem(ld_corpus *c, ld_pkind kind, const char *path, long line, int64_t off,
                    const char *fmt, ...) __attribute__((format(printf, 6, 7)));

static void problem(ld_corpus *c, ld_pkind kind, const char *path, long line, int64_t off,
                    const char *fmt, ...) {
    char reason[512];
    va_list ap;
    va_start(ap, fmt);
    vsnprintf(reason, sizeof reason, fmt, ap);
    va_end(ap);
    if (c->np > LD_MAX_PROBLEMS) return;   /* the list is full: memory stays bounded */
    if (c->np == LD_MAX_PROBLEMS) {
        snprintf(reason, sizeof reason, "more than %d problems: the rest are not listed", LD_MAX_PROBLEMS);
        path = "(corpus)", line = 0, off = -1, kind = LD_SKIPPED;
    }
    uint64_t h = problem_hash(path, line, off, reason);
    if (c->phcap) {
        size_t m = c->phcap - 1;
        for (size_t i = (size_t)h & m; c->phash[i]; i = (i + 1) & m) {
            ld_problem *p = &c->p[c->phash[i] - 1];
            if (p->line == line && p->offset == off && strcmp(p->path, path) == 0 &&
                strcmp(p->reason, reason) == 0) return;   /* seen in an earlier pass */
        }
    }
    if ((c->np + 1) * 2 > c->phcap && phash_grow(c)) return;
    if (c->np == c->pcap) {
        size_t cap = c->pcap ? c->pcap * 2 : 16;
        ld_problem *np = realloc(c->p, cap * sizeof *np);
        if (!np) return;
        c->p = np;
        c->pcap = cap;
    }
    ld_problem *p = &c->p[c->np];
    p->path = strdup(path);
    p->reason = strdup(reason);
    if (!p->path || !p->reason) {
        free(p->path);
        free(p->reason);
        return;
    }
    p->line = line;
    p->offset = off;
    p->kind = kind;
    phash_insert(c, c->np, h);
    c->np++;
}

/* ---- walking ------------------------------------------------------------ */
static char *join(const char *a, const char *b) {
    size_t la = strlen(a), lb = strlen(b);
    int slash = la > 0 && a[la - 1] != '/';
    char *s = malloc(la + slash + lb + 1);
    if (!s) return NULL;
    memcpy(s, a, la);
    if (slash) s[la] = '/';
    memcpy(s + la + slash, b, lb + 1);
    return s;
}

/* The index of a directory record with these prefixes: the last one when it
 * is the same, else a new one; -1 on ENOMEM. */
static long dir_for(ld_corpus *c, const char *ppre, const char *rpre, int rootix, int walked) {
    if (c->ndirs) {
        const edir *d = &c->dirs[c->ndirs - 1];
        if (d->root == rootix && d->walked == walked && strcmp(d->path, ppre) == 0 &&
            strcmp(d->rel, rpre) == 0)
            return (long)c->ndirs - 1;
    }
    if (c->ndirs >= (size_t)LONG_MAX) return -1;
    if (c->ndirs == c->dcap) {
        size_t cap = c->dcap ? c->dcap * 2 : 16;
        edir *d = realloc(c->dirs, cap * sizeof *d);
        if (!d) return -1;
        c->dirs = d;
        c->dcap = cap;
    }
    edir *d = &c->dirs[c->ndirs];
    d->path = strdup(ppre);
    d->rel = strdup(rpre);
    if (!d->path || !d->rel) {
        free(d->path);
        free(d->rel);
        return -1;
    }
    d->root = rootix;
    d->walked = walked;
    return (long)c->ndirs++;
}

static int put_uvarint(cr_buf *b, uint64_t v) {
    char tmp[10];
    size_t n = 0;
    while (v >= 0x80) {
        tmp[n++] = (char)(v | 0x80);
        v >>= 7;
    }
    tmp[n++] = (char)v;
    return cr_buf_add(b, tmp, n);
}

static uint64_t get_uvarint(const char **p) {
    const unsigned char *s = (const unsigned char *)*p;
    uint64_t v = 0;
    for (unsigned shift = 0;; shift += 7) {
        unsigned b = *s++;
        v |= (uint64_t)(b & 0x7f) << shift;
        if (!(b & 0x80)) break;
    }
    *p = (const char *)s;
    return v;
}

/* Adds the file whose path is ppre + name and id base rpre + name; *dirix
 * caches the directory record of ppre and rpre (-1: not yet made). */
static int add_entry(ld_corpus *c, long *dirix, const char *ppre, const char *rpre,
                     const char *name, uint64_t size, int rootix, int walked) {
    if (*dirix < 0 && (*dirix = dir_for(c, ppre, rpre, rootix, walked)) < 0) return -1;
    ld_format f = ld_format_of_path(name[0] ? name : rpre);
    if (c->o.format != LD_FMT_NONE && f != LD_FMT_ARCHIVE && f != LD_FMT_COMPRESSED) f = c->o.format;
    size_t len = c->ents.len;
    if (cr_buf_addc(&c->ents, (char)f) || put_uvarint(&c->ents, (uint64_t)*dirix) ||
        put_uvarint(&c->ents, size) || cr_buf_add(&c->ents, name, strlen(name) + 1)) {
        c->ents.len = len;       /* the entries before this one, whole: usable again */
        c->ents.failed = 0;
        return -1;
    }
    c->n++;
    return 0;
}

/* Decodes the record at *pos into e, its path and id base built in path and
 * rel; advances *pos.  -1 on ENOMEM. */
static int read_entry(const ld_corpus *c, size_t *pos, entry *e, cr_buf *path, cr_buf *rel) {
    const char *p = c->ents.data + *pos;
    e->fmt = (ld_format)(unsigned char)*p++;
    const edir *d = &c->dirs[get_uvarint(&p)];
    e->size = get_uvarint(&p);
    size_t n = strlen(p);
    cr_buf_reset(path);
    cr_buf_reset(rel);
    if (cr_buf_adds(path, d->path) || cr_buf_add(path, p, n + 1) ||
        cr_buf_adds(rel, d->rel) || cr_buf_add(rel, p, n + 1))
        return -1;
    *pos = (size_t)(p + n + 1 - c->ents.data);
    e->path = path->data;
    e->rel = rel->data;
    e->root = d->root;
    e->walked = d->walked;
    return 0;
}

static int match_any(char **pats, size_t n, const char *rel) {
    const char *base = strrchr(rel, '/');
    base = base ? base + 1 : rel;
    for (size_t i = 0; i < n; i++) {
        const char *p = pats[i];
        if (ld_glob_match(p, strchr(p, '/') ? rel : base)) return 1;
    }
    return 0;
}

typedef struct walk {
    ld_corpus *c;
    const char *glob;   /* pattern the relative path must match, or NULL */
    int rootix;
    dev_t dev[MAX_WALK_DEPTH];
    ino_t ino[MAX_WALK_DEPTH];
    int depth;
    size_t found;
} walk;

static int cmp_str(const void *a, const void *b) {
    return strcmp(*(char *const *)a, *(char *const *)b);
}

static int walk_dir(walk *w, const char *dir, const char *rel);

static int is_sidecar_name(const char *rel) {
    return strcmp(rel, "metadata.csv") == 0 || strcmp(rel, "metadata.tsv") == 0;
}

/* The directory being walked: the prefixes of its files' paths and id bases,
 * and its record once a file is added. */
typedef struct wdir {
    const char *ppre, *rpre;
    long ix;
} wdir;

/* What to say when a pp_* open failed: the sandbox's refusal, or the
 * system's reason. */
static const char *open_failure(const char *msg) { return pp_refused() ? msg : strerror(errno); }

/* Considers one directory entry (name in the directory open as dfd, at
 * path): recurse, add, or report.  The entry is looked at through dfd: a
 * lookup of one name, not of the whole path (a third of opening a corpus
 * of 8 500 files was the kernel walking their paths). */
static int walk_one(walk *w, wdir *wd, int dfd, const char *path, const char *rel, const char *name) {
    ld_corpus *c = w->c;
    if (name[0] == '.' && !c->o.hidden) return 0;
    if (c->o.n_exclude && match_any(c->o.exclude, c->o.n_exclude, rel)) return 0;
    struct stat st, lst;
    if (fstatat(dfd, name, &lst, AT_SYMLINK_NOFOLLOW) != 0) {
        problem(c, LD_SKIPPED, path, 0, -1, "cannot stat: %s", strerror(errno));
        return 0;
    }
    if (S_ISLNK(lst.st_mode)) {
        char why[PP_MSG_SIZE];
        if (pp_check(path, PP_LOOK, NULL, why, sizeof why) != 0) {
            problem(c, LD_SKIPPED, path, 0, -1, "symbolic link leads outside what the sandbox may read");
            return 0;
        }
        if (stat(path, &st) != 0) {
            problem(c, LD_SKIPPED, path, 0, -1, "broken symbolic link: %s", strerror(errno));
            return 0;
        }
    } else st = lst;
    if (S_ISDIR(st.st_mode)) {
        for (int i = 0; i < w->depth; i++)
            if (w->dev[i] == st.st_dev && w->ino[i] == st.st_ino) {
                problem(c, LD_SKIPPED, path, 0, -1, "symbolic link loop: leads back to an enclosing directory");
                return 0;
            }
        return walk_dir(w, path, rel);
    }
    if (!S_ISREG(st.st_mode)) {
        problem(c, LD_SKIPPED, path, 0, -1, "not a regular file");
        return 0;
    }
    if (w->glob && !ld_glob_match(w->glob, rel)) return 0;
    if (c->o.n_include && !match_any(c->o.include, c->o.n_include, rel)) return 0;
    if (w->rootix >= 0 && c->roots[w->rootix].cols && is_sidecar_name(rel)) return 0;
    w->found++;
    return add_entry(c, &wd->ix, wd->ppre, wd->rpre, name, (uint64_t)st.st_size, w->rootix, 1);
}

static int walk_dir(walk *w, const char *dir, const char *rel) {
    ld_corpus *c = w->c;
    if (w->depth >= MAX_WALK_DEPTH) {
        problem(c, LD_SKIPPED, dir, 0, -1, "directories nested too deep");
        return 0;
    }
    struct stat st;
    if (stat(dir, &st) != 0) {
        problem(c, LD_SKIPPED, dir, 0, -1, "cannot stat: %s", strerror(errno));
        return 0;
    }
    char why[PP_MSG_SIZE];
    DIR *d = pp_opendir(dir, why, sizeof why);
    if (!d) {
        problem(c, LD_SKIPPED, dir, 0, -1, "cannot read directory: %s", open_failure(why));
        return 0;
    }
    char **names = NULL;
    size_t n = 0, cap = 0;
    int rc = 0;
    struct dirent *de;
    errno = 0;
    while ((de = readdir(d))) {
        if (strcmp(de->d_name, ".") == 0 || strcmp(de->d_name, "..") == 0) continue;
        if (n == cap) {
            cap = cap ? cap * 2 : 32;
            char **nn = realloc(names, cap * sizeof *nn);
            if (!nn) { rc = -1; break; }
            names = nn;
        }
        if (!(names[n] = strdup(de->d_name))) { rc = -1; break; }
        n++;
    }
    if (rc == 0) {
        if (n > 1) qsort(names, n, sizeof *names, cmp_str); /* names is NULL for an empty directory */
        w->dev[w->depth] = st.st_dev;
        w->ino[w->depth] = st.st_ino;
        w->depth++;
        /* join(dir, name) is ppre + name */
        wdir wd = {join(dir, ""), rel[0] ? join(rel, "") : strdup(""), -1};
        if (!wd.ppre || !wd.rpre) rc = -1;
        for (size_t i = 0; i < n && rc == 0; i++) {
            char *path = join(dir, names[i]);
            char *r = rel[0] ? join(rel, names[i]) : strdup(names[i]);
            rc = path && r ? walk_one(w, &wd, dirfd(d), path, r, names[i]) : -1;
            free(path);
            free(r);
        }
        free((char *)wd.ppre);
        free((char *)wd.rpre);
        w->depth--;
    }
    closedir(d);
    for (size_t i = 0; i < n; i++) free(names[i]);
    free(names);
    return rc;
}

/* ---- sidecar metadata --------------------------------------------------- */
static int cmp_row(const void *a, const void *b) {
    return strcmp(((const sidecar_row *)a)->key, ((const sidecar_row *)b)->key);
}

static char *field_dup(const ld_csv *r, size_t i) {
    size_t len;
    const char *f = ld_csv_field(r, i, &len);
    char *s = malloc(len + 1);
    if (!s) return NULL;
    if (len) memcpy(s, f, len);
    s[len] = '\0';
    return s;
}

/* Reads dir/metadata.csv or .tsv into a new root.  Returns its index, -1 if
 * none, -2 on ENOMEM. */
static int load_sidecar(ld_corpus *c, const char *dir) {
    static const char *names[] = {"metadata.csv", "metadata.tsv"};
    for (int k = 0; k < 2; k++) {
        char *path = join(dir, names[k]);
        if (!path) return -2;
        char why[PP_MSG_SIZE];
        int fd = pp_open(path, O_RDONLY, 0, why, sizeof why);
        if (fd < 0) { free(path); continue; }
        root *nr = realloc(c->roots, (c->nroots + 1) * sizeof *nr);
        if (!nr) { close(fd); free(path); return -2; }
        c->roots = nr;
        root *rt = &c->roots[c->nroots];
        memset(rt, 0, sizeof *rt);
        int ix = (int)c->nroots++;
        ld_csv r;
        ld_csv_init(&r, ld_src_fd(&fd), k == 0 ? ',' : '\t');
        int got, rc = 0;
        size_t rowcap = 0;
        while ((got = ld_csv_next(&r)) == 1 && rc == 0) {
            if (r.err) {
                problem(c, LD_SKIPPED, path, r.rec_line, -1, "%s", r.err);
                continue;
            }
            if (!rt->cols) {
                if (r.nf < 2) {
                    problem(c, LD_SKIPPED, path, r.rec_line, -1, "sidecar needs a key column and at least one more");
                    break;
                }
                rt->ncols = r.nf - 1;
                if (!(rt->cols = calloc(rt->ncols, sizeof *rt->cols))) { rc = -2; break; }
                for (size_t i = 0; i < rt->ncols; i++)
                    if (!(rt->cols[i] = field_dup(&r, i + 1))) rc = -2;
                continue;
            }
            if (r.nf != rt->ncols + 1) {
                problem(c, LD_SKIPPED, path, r.rec_line, -1, "row has %zu fields, header has %zu",
                        r.nf, rt->ncols + 1);
                continue;
            }
            if (rt->nrows == rowcap) {
                rowcap = rowcap ? rowcap * 2 : 32;
                sidecar_row *rows = realloc(rt->rows, rowcap * sizeof *rows);
                if (!rows) { rc = -2; break; }
                rt->rows = rows;
            }
            sidecar_row *row = &rt->rows[rt->nrows];
            row->key = field_dup(&r, 0);
            row->vals = calloc(rt->ncols, sizeof *row->vals);
            if (!row->key || !row->vals) { free(row->key); free(row->vals); rc = -2; break; }
            rt->nrows++;
            for (size_t i = 0; i < rt->ncols; i++)
                if (!(row->vals[i] = field_dup(&r, i + 1))) rc = -2;
        }
        if (got < 0) problem(c, LD_SKIPPED, path, r.line, -1, "read error");
        ld_csv_free(&r);
        close(fd);
        free(path);
        if (rc) return rc;
        if (rt->nrows) qsort(rt->rows, rt->nrows, sizeof *rt->rows, cmp_row);
        if (!rt->cols) {   /* empty sidecar: a marker so the file is still not a document */
            rt->cols = calloc(1, sizeof *rt->cols);
            if (!rt->cols) return -2;
        }
        return ix;
    }
    return -1;
}

static const sidecar_row *sidecar_find(const ld_corpus *c, int rootix, const char *key) {
    if (rootix < 0 || !key) return NULL;
    const root *rt = &c->roots[rootix];
    sidecar_row probe = {(char *)key, NULL};
    return rt->nrows ? bsearch(&probe, rt->rows, rt->nrows, sizeof *rt->rows, cmp_row) : NULL;
}

/* ---- adding sources ----------------------------------------------------- */
static const char *basename_of(const char *p) {
    size_t n = strlen(p);
    while (n > 1 && p[n - 1] == '/') n--;
    const char *s = p + n;
    while (s > p && s[-1] != '/') s--;
    return s;
}

int ld_corpus_add(ld_corpus *c, const char *source, char *msg, size_t msgsize) {
    struct stat st;
    walk *w = calloc(1, sizeof *w);
    if (!w) { snprintf(msg, msgsize, "out of memory"); return -1; }
    w->c = c;
    w->rootix = -1;
    int rc = 0;
    if (stat(source, &st) == 0) {
        char why[PP_MSG_SIZE];
        if (pp_check(source, PP_READ, NULL, why, sizeof why) != 0) {
            snprintf(msg, msgsize, "%s", why);
            free(w);
            return -1;
        }
        if (S_ISDIR(st.st_mode)) {
            if (c->o.sidecar) {
                int ix = load_sidecar(c, source);
                if (ix == -2) rc = -1;
                w->rootix = ix;
            }
            if (rc == 0) rc = walk_dir(w, source, "");
        } else if (S_ISREG(st.st_mode)) {
            char *rel = strdup(basename_of(source));
            long ix = -1;
            rc = rel ? add_entry(c, &ix, source, rel, "", (uint64_t)st.st_size, -1, 0) : -1;
            free(rel);
        } else {
            snprintf(msg, msgsize, "%s: not a regular file or directory", source);
            free(w);
            return -1;
        }
        if (rc) snprintf(msg, msgsize, "out of memory");
    } else if (ld_has_glob(source)) {
        /* the directory part before the first component with a wildcard */
        char *base = strdup(source);
        if (!base) { free(w); snprintf(msg, msgsize, "out of memory"); return -1; }
        char *g = base, *cut = NULL;
        for (char *s = base; *s; s++) {
            if (*s == '/') cut = s;
            if (*s == '*' || *s == '?' || *s == '[') break;
        }
        const char *dir = ".";
        if (cut) {
            *cut = '\0';
            dir = cut == base ? "/" : base;
            g = cut + 1;
        }
        w->glob = g;
        rc = walk_dir(w, dir, "");
        if (rc) snprintf(msg, msgsize, "out of memory");
        else if (w->found == 0) {
            snprintf(msg, msgsize, "%s: no files match", source);
            rc = -1;
        }
        free(base);
    } else {
        snprintf(msg, msgsize, "%s: %s", source, strerror(errno));
        rc = -1;
    }
    free(w);
    return rc;
}

/* ---- the iterator ------------------------------------------------------- */
typedef struct xsrc {           /* a byte source that transcodes to UTF-8 */
    ld_src inner;
    iconv_t cd;
    char raw[65536];
    size_t rpos, rlen;
    int started, eof, conv;
    const char *encoding;       /* NULL: pass through (UTF-8 or auto) */
    uint64_t consumed;          /* raw bytes converted so far */
    char err[160];
} xsrc;

typedef enum mstate { M_NONE, M_JSONL, M_CSV, M_ANNOT } mstate;

struct ld_iter {
    ld_corpus *c;
    int flags;
    uint64_t lo, hi;
    char *only;
    size_t only_len;
    int only_found;
    int (*accept)(void *ud, const char *id, size_t len);   /* ld_iter_accept */
    void *accept_ud;
    size_t epos;                /* byte offset of the next entry record */
    entry cur;                  /* the entry last read */
    cr_buf cpath, crel;         /* its path and id base */
    uint64_t slot;

    /* current multi-document file */
    mstate ms;
    const entry *me;            /* its entry (for sidecar) */
    cr_buf mpath, mrel;         /* its path and id base */
    int fd;
    xsrc xs;
    ld_lines lines;
    ld_csv csv;
    ld_json json;
    cr_buf hdr;                 /* CSV header names, NUL-separated */
    size_t *hoff, nh;
    long text_col, id_col, title_col;
    int fallback_told;
    ld_annot *an;               /* CoNLL-U, VRT, word/TAG: the reader */
    cr_buf an_line;             /* the line it gave back (a document ended before it) */
    long an_lineno;
    size_t an_raw;              /* its bytes in the source */
    int an_pending, an_done;
    uint64_t an_docs;           /* documents of the file so far */
    ld_tokens xw;               /* XML with words (BNC, TEI): the words of the document */

    /* current archive */
    struct archive *ar;
    int arfd;                   /* the file it reads, or -1 */
    const entry *ae;

    /* document under construction */
    cr_buf raw, dec, text, title, id, path, mb;
    const char *text_ptr;       /* the text when it is not in it->text (JSON scratch) */
    size_t text_n;
    ld_meta *meta;
    size_t *moff;               /* 4 offsets per meta entry into mb */
    size_t nmeta, metacap;
};

ld_iter *ld_iter_new(ld_corpus *c, int flags) {
    ld_iter *it = calloc(1, sizeof *it);
    if (!it) return NULL;
    it->c = c;
    it->flags = flags;
    it->hi = UINT64_MAX;
    it->arfd = -1;
    it->fd = -1;
    return it;
}

void ld_iter_range(ld_iter *it, uint64_t lo, uint64_t hi) {
    it->lo = lo;
    it->hi = hi;
}

int ld_iter_only(ld_iter *it, const char *id, size_t len) {
    free(it->only);
    if (!(it->only = malloc(len + 1))) return -1;
    memcpy(it->only, id, len);
    it->only[len] = '\0';
    it->only_len = len;
    return 0;
}

void ld_iter_accept(ld_iter *it, int (*accept)(void *ud, const char *id, size_t len), void *ud) {
    it->accept = accept;
    it->accept_ud = ud;
}

static void close_multi(ld_iter *it) {
    if (it->ms == M_JSONL) ld_lines_free(&it->lines);
    if (it->ms == M_CSV) ld_csv_free(&it->csv);
    if (it->ms == M_ANNOT) {
        ld_lines_free(&it->lines);
        ld_annot_free(it->an);
        it->an = NULL;
    }
    if (it->xs.conv) iconv_close(it->xs.cd);
    it->xs.conv = 0;
    if (it->fd >= 0) close(it->fd);
    it->fd = -1;
    it->ms = M_NONE;
}

static void close_archive(ld_iter *it) {
    if (it->ar) archive_read_free(it->ar);
    it->ar = NULL;
    if (it->arfd >= 0) close(it->arfd);
    it->arfd = -1;
}

void ld_iter_free(ld_iter *it) {
    if (!it) return;
    close_multi(it);
    close_archive(it);
    ld_json_free(&it->json);
    cr_buf *bufs[] = {&it->mpath, &it->mrel, &it->hdr, &it->raw, &it->dec, &it->text,
                      &it->title, &it->id, &it->path, &it->mb, &it->cpath, &it->crel, &it->an_line};
    for (size_t i = 0; i < sizeof bufs / sizeof bufs[0]; i++) cr_buf_free(bufs[i]);
    ld_tokens_free(&it->xw);
    free(it->hoff);
    free(it->meta);
    free(it->moff);
    free(it->only);
    free(it);
}

/* -- document assembly -- */
/* Sets b to s[0..n) plus a terminating NUL (not counted).  s must not
 * point into b. */
static int set_buf(cr_buf *b, const char *s, size_t n) {
    cr_buf_reset(b);
    return cr_buf_add(b, s, n);
}

static int meta_add(ld_iter *it, const char *k, size_t kl, const char *v, size_t vl, ld_vtype t) {
    if (it->nmeta == it->metacap) {
        size_t cap = it->metacap ? it->metacap * 2 : 16;
        size_t *mo = realloc(it->moff, cap * 4 * sizeof *mo);
        if (!mo) return -1;
        it->moff = mo;
        ld_meta *m = realloc(it->meta, cap * sizeof *m);
        if (!m) return -1;
        it->meta = m;
        it->metacap = cap;
    }
    size_t *o = &it->moff[it->nmeta * 4];
    o[0] = it->mb.len;
    if (cr_buf_add(&it->mb, k, kl) || cr_buf_addc(&it->mb, '\0')) return -1;
    o[1] = it->mb.len;
    if (cr_buf_add(&it->mb, v, vl) || cr_buf_addc(&it->mb, '\0')) return -1;
    o[2] = kl;
    o[3] = vl;
    it->meta[it->nmeta].type = t;
    it->nmeta++;
    return 0;
}

static void doc_begin(ld_iter *it) {
    it->text_ptr = NULL;
    it->nmeta = 0;
    cr_buf_reset(&it->mb);
    cr_buf_reset(&it->title);
}

/* Title: the first non-empty line of text, trimmed, at most TITLE_MAX bytes
 * cut at a character boundary. */
static int title_from_text(cr_buf *title, const char *s, size_t n) {
    size_t i = 0;
    for (;;) {
        while (i < n && (s[i] == ' ' || s[i] == '\t' || s[i] == '\n' || s[i] == '\r' || s[i] == '\f'))
            i++;
        if (i >= n) return set_buf(title, "", 0);
        size_t j = i;
        while (j < n && s[j] != '\n') j++;
        size_t e = j;
        while (e > i && (s[e - 1] == ' ' || s[e - 1] == '\t' || s[e - 1] == '\r')) e--;
        if (e > i) {
            if (e - i > TITLE_MAX) {
                e = i + TITLE_MAX;
                while (e > i && ((unsigned char)s[e] & 0xC0) == 0x80) e--;
            }
            return set_buf(title, s + i, e - i);
        }
        i = j;
    }
}

static const char *ext_strip(const char *base, size_t *len) {
    const char *dot = strchr(base, '.');
    *len = dot ? (size_t)(dot - base) : strlen(base);
    return base;
}

/* name_fields, then the sidecar row for id (or file rel). */
static int file_meta(ld_iter *it, const entry *e, const char *id, const char *filerel) {
    const ld_opts *o = &it->c->o;
    if (o->n_name_fields && filerel) {
        const char *b = basename_of(filerel);
        size_t len;
        b = ext_strip(b, &len);
        size_t pos = 0;
        for (size_t f = 0; f < o->n_name_fields && pos <= len; f++) {
            size_t end = pos;
            if (f + 1 == o->n_name_fields) end = len;
            else while (end < len && b[end] != '_') end++;
            if (meta_add(it, o->name_fields[f], strlen(o->name_fields[f]), b + pos, end - pos, LD_STR))
                return -1;
            pos = end + 1;
        }
    }
    if (e && e->root >= 0) {
        const sidecar_row *row = sidecar_find(it->c, e->root, id);
        if (!row && filerel) row = sidecar_find(it->c, e->root, filerel);
        if (row) {
            const root *rt = &it->c->roots[e->root];
            for (size_t k = 0; k < rt->ncols; k++)
                if (meta_add(it, rt->cols[k], strlen(rt->cols[k]), row->vals[k], strlen(row->vals[k]), LD_STR))
                    return -1;
        }
    }
    return 0;
}

static void doc_finish(ld_iter *it, ld_doc *d, uint64_t bytes, int has_text) {
    for (size_t i = 0; i < it->nmeta; i++) {
        size_t *o = &it->moff[i * 4];
        it->meta[i].key = it->mb.data + o[0];
        it->meta[i].val = it->mb.data + o[1];
        it->meta[i].klen = o[2];
        it->meta[i].vlen = o[3];
    }
    d->id = it->id.data;
    d->id_len = it->id.len;
    d->path = it->path.data;
    d->title = has_text ? (it->title.data ? it->title.data : "") : NULL;
    d->title_len = has_text ? it->title.len : 0;
    if (it->text_ptr) {
        d->text = has_text ? it->text_ptr : NULL;
        d->text_len = has_text ? it->text_n : 0;
    } else {
        d->text = has_text ? (it->text.data ? it->text.data : "") : NULL;
        d->text_len = has_text ? it->text.len : 0;
    }
    d->bytes = bytes;
    d->meta = it->meta;
    d->n_meta = it->nmeta;
    d->tokens = NULL;
}

/* Whether the candidate with this id and slot is wanted by shard/only. */
static int wanted_slot(ld_iter *it, uint64_t slot) {
    return slot >= it->lo && slot < it->hi;
}

/* Whether the next document of an annotated file needs only its boundaries:
 * one of another shard, or a pass that lists ids or slots. */
static int annot_skip(ld_iter *it) {
    if (it->only) return 0;
    return (it->flags & (LD_IDS_ONLY | LD_SLOTS_ONLY)) || !wanted_slot(it, it->slot);
}

/* A candidate with only its slot and bytes (LD_SLOTS_ONLY). */
static int slot_doc(ld_iter *it, ld_doc *d, uint64_t slot, uint64_t bytes, const char *path) {
    if (set_buf(&it->id, "", 0) || set_buf(&it->path, path, strlen(path))) return -1;
    doc_begin(it);
    doc_finish(it, d, bytes, 0);
    d->slot = slot;
    return 1;
}

static int wanted_id(ld_iter *it, const char *id, size_t len) {
    if (it->only) return len == it->only_len && memcmp(id, it->only, len) == 0;
    return !it->accept || it->accept(it->accept_ud, id, len);
}

/* -- decoding a whole document -- */
static const char *sniff_charset(const char *s, size_t n, char *out, size_t outsz) {
    if (n > 2048) n = 2048;
    static const char *keys[] = {"charset=", "encoding="};
    for (int k = 0; k < 2; k++) {
        size_t kl = strlen(keys[k]);
        for (size_t i = 0; i + kl < n; i++) {
            if (strncasecmp(s + i, keys[k], kl) != 0) continue;
            size_t j = i + kl;
            if (j < n && (s[j] == '"' || s[j] == '\'')) j++;
            size_t m = 0;
            while (j < n && m + 1 < outsz &&
                   ((s[j] >= 'A' && s[j] <= 'Z') || (s[j] >= 'a' && s[j] <= 'z') ||
                    (s[j] >= '0' && s[j] <= '9') || s[j] == '-' || s[j] == '_' || s[j] == ':' || s[j] == '.'))
                out[m++] = s[j++];
            out[m] = '\0';
            if (m) return out;
        }
    }
    return NULL;
}

/* Decodes it->raw into it->dec.  Returns 0, or -1 after recording a problem. */
static int decode_doc(ld_iter *it, const char *path, ld_format fmt) {
    char declared_buf[64];
    const char *declared = NULL;
    if (fmt == LD_FMT_HTML || fmt == LD_FMT_XML)
        declared = sniff_charset(it->raw.data ? it->raw.data : "", it->raw.len, declared_buf, sizeof declared_buf);
    ld_decoded info;
    cr_buf_reset(&it->dec);
    const char *enc = it->c->o.encoding;
    const unsigned char *u = (const unsigned char *)(it->raw.data ? it->raw.data : "");
    size_t n = it->raw.len;
    int bom = (n >= 2 && ((u[0] == 0xFF && u[1] == 0xFE) || (u[0] == 0xFE && u[1] == 0xFF))) ||
              (n >= 3 && u[0] == 0xEF && u[1] == 0xBB && u[2] == 0xBF) ||
              (n >= 4 && u[0] == 0 && u[1] == 0 && u[2] == 0xFE && u[3] == 0xFF);
    if (!bom && (strcasecmp(enc, "auto") == 0 || strcasecmp(enc, "utf-8") == 0 || strcasecmp(enc, "utf8") == 0) &&
        ld_utf8_check((const char *)u, n) == n) {
        cr_buf t = it->dec;   /* valid UTF-8 as it is: swap the buffers, no copy */
        it->dec = it->raw;
        it->raw = t;
        return 0;
    }
    if (ld_decode(it->raw.data ? it->raw.data : "", it->raw.len, it->c->o.encoding, it->c->o.fallback,
                  declared, &it->dec, &info)) {
        problem(it->c, LD_SKIPPED, path, 0, info.bad_at ? (int64_t)info.bad_at : -1, "%s", info.msg);
        return -1;
    }
    if (info.fell_back)
        problem(it->c, LD_ENCODING, path, 0, (int64_t)info.bad_at,
                "invalid UTF-8 at byte %llu: decoded as %s", (unsigned long long)info.bad_at, info.encoding);
    return 0;
}

/* Turns it->raw (the bytes of one file or member) into the document. */
static int build_single(ld_iter *it, ld_format fmt, const char *path, ld_doc *d) {
    if (decode_doc(it, path, fmt)) return -1;
    cr_buf_reset(&it->text);
    cr_buf_reset(&it->title);
    if (fmt == LD_FMT_HTML) {
        char msg[200];
        if (ld_html_text(it->dec.data ? it->dec.data : "", it->dec.len, &it->text, &it->title, msg, sizeof msg)) {
            problem(it->c, LD_SKIPPED, path, 0, -1, "%s", msg);
            return -1;
        }
    } else if (fmt == LD_FMT_XML) {
        char msg[200];
        if (ld_xml_text(it->dec.data ? it->dec.data : "", it->dec.len, it->c->o.element, &it->text,
                        &it->title, &it->xw, msg, sizeof msg)) {
            problem(it->c, LD_SKIPPED, path, 0, -1, "%s", msg);
            return -1;
        }
    } else {
        cr_buf t = it->text;   /* swap: dec becomes text */
        it->text = it->dec;
        it->dec = t;
    }
    /* text rebuilt from words is kept as it is: the words' spans point into it */
    if (!(fmt == LD_FMT_XML && it->xw.n))
        it->text.len = ld_clean_text(it->text.data ? it->text.data : "", it->text.len, it->c->o.strip_control);
    if (cr_buf_addc(&it->text, '\0')) return -1;
    it->text.len--;
    if (it->title.len == 0 && title_from_text(&it->title, it->text.data, it->text.len)) return -1;
    if (it->title.len) it->title.len = ld_clean_text(it->title.data, it->title.len, 1);
    (void)d;
    return 0;
}

static int read_all(ld_iter *it, ld_src src) {
    cr_buf_reset(&it->raw);
    for (;;) {
        if (cr_buf_reserve(&it->raw, 65536)) return -1;
        ssize_t r = src.read(src.ud, it->raw.data + it->raw.len, it->raw.cap - it->raw.len);
        if (r < 0) return -1;
        if (r == 0) return 0;
        it->raw.len += (size_t)r;
    }
}

/* -- transcoding source for multi-document files -- */
static ssize_t xs_fill(xsrc *x) {
    if (x->rpos > 0) {
        memmove(x->raw, x->raw + x->rpos, x->rlen - x->rpos);
        x->rlen -= x->rpos;
        x->rpos = 0;
    }
    if (x->eof) return 0;
    ssize_t r = x->inner.read(x->inner.ud, x->raw + x->rlen, sizeof x->raw - x->rlen);
    if (r < 0) { snprintf(x->err, sizeof x->err, "read error"); return -1; }
    if (r == 0) x->eof = 1;
    x->rlen += (size_t)r;
    return r;
}

static ssize_t xs_read(void *ud, char *buf, size_t n) {
    xsrc *x = ud;
    if (!x->started) {
        x->started = 1;
        while (x->rlen < 4 && !x->eof)
            if (xs_fill(x) < 0) return -1;
        const unsigned char *u = (const unsigned char *)x->raw;
        const char *from = NULL;
        size_t skip = 0;
        int automatic = strcasecmp(x->encoding, "auto") == 0;
        int utf8 = strcasecmp(x->encoding, "utf-8") == 0 || strcasecmp(x->encoding, "utf8") == 0;
        if (x->rlen >= 3 && u[0] == 0xEF && u[1] == 0xBB && u[2] == 0xBF && (automatic || utf8)) skip = 3;
        else if (automatic) {
            if (x->rlen >= 4 && u[0] == 0xFF && u[1] == 0xFE && !u[2] && !u[3]) from = "UTF-32LE", skip = 4;
            else if (x->rlen >= 4 && !u[0] && !u[1] && u[2] == 0xFE && u[3] == 0xFF) from = "UTF-32BE", skip = 4;
            else if (x->rlen >= 2 && u[0] == 0xFF && u[1] == 0xFE) from = "UTF-16LE", skip = 2;
            else if (x->rlen >= 2 && u[0] == 0xFE && u[1] == 0xFF) from = "UTF-16BE", skip = 2;
        } else if (!utf8) from = x->encoding;
        x->rpos = skip;
        x->consumed = skip;
        if (from) {
            x->cd = iconv_open("UTF-8", from);
            if (x->cd == (iconv_t)-1) {
                snprintf(x->err, sizeof x->err, "unknown encoding '%s'", from);
                return -1;
            }
            x->conv = 1;
        }
    }
    if (!x->conv) {
        if (x->rpos < x->rlen) {
            size_t k = x->rlen - x->rpos < n ? x->rlen - x->rpos : n;
            memcpy(buf, x->raw + x->rpos, k);
            x->rpos += k;
            return (ssize_t)k;
        }
        ssize_t r = x->inner.read(x->inner.ud, buf, n);
        if (r < 0) snprintf(x->err, sizeof x->err, "read error");
        return r;
    }
    for (;;) {
        if (x->rpos == x->rlen && x->eof) return 0;
        char *ip = x->raw + x->rpos, *op = buf;
        size_t il = x->rlen - x->rpos, ol = n;
        size_t r = iconv(x->cd, &ip, &il, &op, &ol);
        size_t used = (size_t)(ip - (x->raw + x->rpos));
        x->rpos += used;
        x->consumed += used;
        if (op > buf) return op - buf;
        if (r == (size_t)-1 && errno == EILSEQ) {
            snprintf(x->err, sizeof x->err, "invalid byte sequence at byte %llu",
                     (unsigned long long)x->consumed);
            return -1;
        }
        if (x->eof) {
            if (x->rpos < x->rlen) {
                snprintf(x->err, sizeof x->err, "truncated character at byte %llu",
                         (unsigned long long)x->consumed);
                return -1;
            }
            return 0;
        }
        if (xs_fill(x) < 0) return -1;
    }
}

/* -- multi-document files: JSON Lines, CSV, annotated formats -- */
static void annot_report(void *ud, long line, const char *msg) {
    ld_iter *it = ud;
    problem(it->c, LD_SKIPPED, it->mpath.data, line, -1, "%s", msg);
}

static int open_multi(ld_iter *it, ld_format fmt, ld_src inner, const entry *e,
                      const char *path, const char *rel) {
    memset(&it->xs, 0, sizeof it->xs);
    it->xs.inner = inner;
    it->xs.encoding = it->c->o.encoding;
    ld_src src = {xs_read, &it->xs};
    it->me = e;
    it->fallback_told = 0;
    if (set_buf(&it->mpath, path, strlen(path)) || set_buf(&it->mrel, rel, strlen(rel))) return -1;
    if (fmt == LD_FMT_JSONL) {
        ld_lines_init(&it->lines, src);
        it->ms = M_JSONL;
    } else if (LD_FMT_IS_ANNOT(fmt)) {
        if (!(it->an = ld_annot_new(fmt, &it->c->o, annot_report, it))) return -1;
        ld_lines_init(&it->lines, src);
        it->ms = M_ANNOT;
        it->an_pending = it->an_done = 0;
        it->an_docs = 0;
        ld_annot_skip(it->an, annot_skip(it));
    } else {
        ld_csv_init(&it->csv, src, fmt == LD_FMT_TSV ? '\t' : ',');
        it->ms = M_CSV;
        it->nh = 0;
        cr_buf_reset(&it->hdr);
    }
    return 0;
}

/* In auto mode, decodes an invalid UTF-8 record with the fallback (telling
 * once per file); in strict mode reports and returns -1.  *s, *n are
 * replaced by the decoded bytes in it->dec when decoded. */
static int record_utf8(ld_iter *it, const char **s, size_t *n, long line) {
    size_t bad = ld_utf8_check(*s, *n);
    if (bad == *n) return 0;
    const ld_opts *o = &it->c->o;
    int automatic = strcasecmp(o->encoding, "auto") == 0;
    if (!automatic || it->xs.conv) {
        if (!it->xs.conv)
            problem(it->c, LD_SKIPPED, it->mpath.data, line, -1, "invalid UTF-8 at byte %zu of the line", bad);
        return it->xs.conv ? 0 : -1;
    }
    ld_decoded info;
    cr_buf_reset(&it->dec);
    if (ld_decode(*s, *n, "auto", o->fallback, NULL, &it->dec, &info)) {
        problem(it->c, LD_SKIPPED, it->mpath.data, line, -1, "%s", info.msg);
        return -1;
    }
    if (!it->fallback_told) {
        it->fallback_told = 1;
        problem(it->c, LD_ENCODING, it->mpath.data, line, -1,
                "invalid UTF-8 at byte %zu of the line: decoded as %s", bad, info.encoding);
    }
    *s = it->dec.data;
    *n = it->dec.len;
    return 0;
}

static int default_id(ld_iter *it, long line) {
    char num[32];
    int k = snprintf(num, sizeof num, "#%ld", line);
    cr_buf_reset(&it->id);
    if (cr_buf_add(&it->id, it->mrel.data, it->mrel.len) || cr_buf_add(&it->id, num, (size_t)k) ||
        cr_buf_addc(&it->id, '\0'))
        return -1;
    it->id.len--;
    return 0;
}

static int set_text(ld_iter *it, const char *s, size_t n) {
    if (set_buf(&it->text, s, n)) return -1;
    it->text.len = ld_clean_text(it->text.data, it->text.len, it->c->o.strip_control);
    it->text.data[it->text.len] = '\0';
    return 0;
}

/* 1 doc ready, 0 file finished, -1 ENOMEM. */
static int next_jsonl(ld_iter *it, ld_doc *d) {
    const ld_opts *o = &it->c->o;
    const char *s;
    size_t n;
    int r;
    while ((r = ld_lines_next(&it->lines, &s, &n)) == 1) {
        long line = it->lines.line;
        size_t k = 0;
        while (k < n && (s[k] == ' ' || s[k] == '\t')) k++;
        if (k == n) continue;   /* blank line */
        uint64_t slot = it->slot++;
        uint64_t bytes = n;
        if (slot >= it->hi) return 0;
        if (!wanted_slot(it, slot)) continue;
        if (it->flags & LD_SLOTS_ONLY) return slot_doc(it, d, slot, bytes, it->mpath.data);
        if (record_utf8(it, &s, &n, line)) continue;
        /* listing ids: the text is validated, not copied */
        it->json.only = it->flags & LD_IDS_ONLY && !it->only ? o->id_field : NULL;
        if (ld_json_parse(&it->json, s, n)) {
            problem(it->c, LD_SKIPPED, it->mpath.data, line, -1, "invalid JSON at column %zu: %s",
                    it->json.err_at + 1, it->json.err);
            continue;
        }
        long ti = -1, ii = -1, hi = -1;
        for (size_t f = 0; f < it->json.n; f++) {
            const char *key = ld_json_key(&it->json, f);
            if (ti < 0 && strcmp(key, o->text_field) == 0) ti = (long)f;
            else if (ii < 0 && strcmp(key, o->id_field) == 0) ii = (long)f;
            else if (hi < 0 && strcmp(key, o->title_field) == 0) hi = (long)f;
        }
        if (ti < 0) {
            problem(it->c, LD_SKIPPED, it->mpath.data, line, -1, "no \"%s\" field", o->text_field);
            continue;
        }
        ld_field *tf = &it->json.fields[ti];
        if (tf->type != LD_STR) {
            problem(it->c, LD_SKIPPED, it->mpath.data, line, -1, "field \"%s\" is not a string", o->text_field);
            continue;
        }
        if (ii >= 0 && (it->json.fields[ii].type == LD_STR || it->json.fields[ii].type == LD_NUM)) {
            if (set_buf(&it->id, ld_json_val(&it->json, (size_t)ii), it->json.fields[ii].vlen)) return -1;
        } else if (default_id(it, line)) return -1;
        if (!wanted_id(it, it->id.data, it->id.len)) continue;
        if (set_buf(&it->path, it->mpath.data, it->mpath.len)) return -1;
        doc_begin(it);
        if (it->flags & LD_IDS_ONLY && !it->only) {
            doc_finish(it, d, bytes, 0);
            d->slot = slot;
            return 1;
        }
        /* the text is cleaned in place in the parser's scratch: no copy */
        char *tv = it->json.scratch.data + tf->val;
        size_t tl = ld_clean_text(tv, tf->vlen, o->strip_control);
        tv[tl] = '\0';
        it->text_ptr = tv;
        it->text_n = tl;
        if (hi >= 0 && it->json.fields[hi].type == LD_STR) {
            if (set_buf(&it->title, ld_json_val(&it->json, (size_t)hi), it->json.fields[hi].vlen)) return -1;
        } else if (title_from_text(&it->title, tv, tl)) return -1;
        if (file_meta(it, it->me, it->id.data, it->mrel.data)) return -1;
        for (size_t f = 0; f < it->json.n; f++) {
            if ((long)f == ti || (long)f == ii || (long)f == hi) continue;
            ld_field *fl = &it->json.fields[f];
            if (meta_add(it, ld_json_key(&it->json, f), fl->klen, ld_json_val(&it->json, f), fl->vlen, fl->type))
                return -1;
        }
        doc_finish(it, d, bytes, 1);
        d->slot = slot;
        return 1;
    }
    if (r < 0)
        problem(it->c, LD_SKIPPED, it->mpath.data, it->lines.line + 1, -1, "%s; rest of file not read",
                it->xs.err[0] ? it->xs.err : "read error");
    return 0;
}

/* The next document of a CoNLL-U, VRT or word/TAG file: its lines are fed
 * to the reader until it has one.  1 doc ready, 0 file finished, -1 ENOMEM. */
static int next_annot(ld_iter *it, ld_doc *d) {
    for (;;) {
        if (it->an_done) return 0;
        int r;
        if (it->an_pending) {
            r = ld_annot_line(it->an, it->an_line.data, it->an_line.len, it->an_raw, it->an_lineno);
            if (r == 0) it->an_pending = 0;
        } else {
            const char *s;
            size_t n;
            int lr = ld_lines_next(&it->lines, &s, &n);
            if (lr < 0) {
                problem(it->c, LD_SKIPPED, it->mpath.data, it->lines.line + 1, -1, "%s; rest of file not read",
                        it->xs.err[0] ? it->xs.err : "read error");
            }
            if (lr == 1) {
                long line = it->lines.line;
                size_t raw = n;   /* the source's bytes, before any decoding */
                if (!ld_annot_unread(it->an, s, n) && record_utf8(it, &s, &n, line)) continue;
                r = ld_annot_line(it->an, s, n, raw, line);
                if (r == 1) {
                    if (set_buf(&it->an_line, s, n)) return -1;
                    it->an_raw = raw;
                    it->an_lineno = line;
                    it->an_pending = 1;
                }
            } else {
                it->an_done = 1;
                r = ld_annot_finish(it->an, it->lines.line);
            }
        }
        if (r < 0) return -1;
        if (r == 0) continue;
        ld_annot_doc ad;
        ld_annot_doc_get(it->an, &ad);
        uint64_t nth = it->an_docs++;
        uint64_t slot = it->slot++;
        ld_annot_skip(it->an, annot_skip(it));   /* for the document after this one */
        if (slot >= it->hi) return 0;
        if (!wanted_slot(it, slot)) continue;
        if (it->flags & LD_SLOTS_ONLY) return slot_doc(it, d, slot, ad.bytes, it->mpath.data);
        if (ad.id_len) {
            if (set_buf(&it->id, ad.id, ad.id_len)) return -1;
        } else if (nth == 0) {   /* the file's first document without an id: the file's */
            if (set_buf(&it->id, it->mrel.data, it->mrel.len)) return -1;
        } else if (default_id(it, ad.line)) return -1;
        if (!wanted_id(it, it->id.data, it->id.len)) continue;
        if (set_buf(&it->path, it->mpath.data, it->mpath.len)) return -1;
        doc_begin(it);
        if (it->flags & LD_IDS_ONLY && !it->only) {
            doc_finish(it, d, ad.bytes, 0);
            d->slot = slot;
            return 1;
        }
        it->text_ptr = ad.text;
        it->text_n = ad.text_len;
        if (title_from_text(&it->title, ad.text, ad.text_len)) return -1;
        if (file_meta(it, it->me, it->id.data, it->mrel.data)) return -1;
        for (size_t k = 0; k < ad.n_meta; k++)
            if (meta_add(it, ad.meta[2 * k], ad.meta_len[2 * k], ad.meta[2 * k + 1], ad.meta_len[2 * k + 1], LD_STR))
                return -1;
        doc_finish(it, d, ad.bytes, 1);
        d->tokens = ad.tokens;
        d->slot = slot;
        return 1;
    }
}

/* CSV field i, decoded to UTF-8 if needed, copied into out. */
static int csv_field_utf8(ld_iter *it, size_t i, cr_buf *out, long line, int *bad) {
    size_t len;
    const char *f = ld_csv_field(&it->csv, i, &len);
    if (!f) f = "";
    if (record_utf8(it, &f, &len, line)) { *bad = 1; return 0; }
    return set_buf(out, f, len);
}

static int next_csv(ld_iter *it, ld_doc *d) {
    const ld_opts *o = &it->c->o;
    ld_csv *cv = &it->csv;
    int r;
    while ((r = ld_csv_next(cv)) == 1) {
        long line = cv->rec_line;
        if (it->nh == 0) {   /* the header row */
            if (cv->err) {
                problem(it->c, LD_SKIPPED, it->mpath.data, line, -1, "%s in the header; file not read", cv->err);
                return 0;
            }
            cr_buf_reset(&it->hdr);
            free(it->hoff);
            if (!(it->hoff = malloc((cv->nf + 1) * sizeof *it->hoff))) return -1;
            it->text_col = it->id_col = it->title_col = -1;
            for (size_t i = 0; i < cv->nf; i++) {
                int bad = 0;
                if (csv_field_utf8(it, i, &it->title, line, &bad)) return -1;
                const char *name = bad ? "" : it->title.data;
                it->hoff[i] = it->hdr.len;
                if (cr_buf_adds(&it->hdr, name) || cr_buf_addc(&it->hdr, '\0')) return -1;
                if (it->text_col < 0 && strcmp(name, o->text_field) == 0) it->text_col = (long)i;
                else if (it->id_col < 0 && strcmp(name, o->id_field) == 0) it->id_col = (long)i;
                else if (it->title_col < 0 && strcmp(name, o->title_field) == 0) it->title_col = (long)i;
            }
            it->nh = cv->nf;
            if (it->text_col < 0) {
                /* one rule: a table that was found (walking a directory or
                 * a glob, or a member of an archive) holds no documents and
                 * is listed as ignored; a table named as a source is an
                 * item that could not be loaded */
                int found = it->me && (it->me->walked || (it->ar && it->me->fmt == LD_FMT_ARCHIVE));
                problem(it->c, found ? LD_IGNORED : LD_SKIPPED, it->mpath.data, line, -1,
                        "a table without a \"%s\" column: not documents (name the column with text=)",
                        o->text_field);
                return 0;
            }
            continue;
        }
        uint64_t slot = it->slot++;
        if (slot >= it->hi) return 0;
        if (!wanted_slot(it, slot)) continue;
        if (it->flags & LD_SLOTS_ONLY) return slot_doc(it, d, slot, cv->rec_bytes, it->mpath.data);
        if (cv->err) {
            int open_quote = strcmp(cv->err, "unterminated quoted field") == 0;
            char resume[64] = "";
            if (cv->resume_line)
                snprintf(resume, sizeof resume, "; reading resumes at line %ld", cv->resume_line);
            if (open_quote)
                problem(it->c, LD_SKIPPED, it->mpath.data, line, (int64_t)cv->err_at,
                        "%s: the quote at byte %llu is never closed%s", cv->err,
                        (unsigned long long)cv->err_at, resume);
            else if (cv->resume_line)
                problem(it->c, LD_SKIPPED, it->mpath.data, line, (int64_t)cv->err_at,
                        "%s: the field quoted at byte %llu runs over several lines%s", cv->err,
                        (unsigned long long)cv->err_at, resume);
            else
                problem(it->c, LD_SKIPPED, it->mpath.data, line, -1, "%s", cv->err);
            continue;
        }
        if (cv->nf != it->nh) {
            problem(it->c, LD_SKIPPED, it->mpath.data, line, -1, "row has %zu fields, header has %zu", cv->nf, it->nh);
            continue;
        }
        if (!it->xs.conv && strcasecmp(o->encoding, "auto") != 0) {   /* strict: the whole record */
            size_t bad = ld_utf8_check(cv->rec.data ? cv->rec.data : "", cv->rec.len);
            if (bad != cv->rec.len) {
                problem(it->c, LD_SKIPPED, it->mpath.data, line, -1, "invalid UTF-8 in the record");
                continue;
            }
        }
        int bad = 0;
        if (it->id_col >= 0) {
            if (csv_field_utf8(it, (size_t)it->id_col, &it->id, line, &bad)) return -1;
        } else if (default_id(it, line)) return -1;
        if (bad) continue;
        if (!wanted_id(it, it->id.data, it->id.len)) continue;
        if (set_buf(&it->path, it->mpath.data, it->mpath.len)) return -1;
        doc_begin(it);
        if (it->flags & LD_IDS_ONLY && !it->only) {
            doc_finish(it, d, cv->rec_bytes, 0);
            d->slot = slot;
            return 1;
        }
        if (csv_field_utf8(it, (size_t)it->text_col, &it->raw, line, &bad)) return -1;
        if (bad) continue;
        if (set_text(it, it->raw.data, it->raw.len)) return -1;
        if (it->title_col >= 0) {
            if (csv_field_utf8(it, (size_t)it->title_col, &it->title, line, &bad)) return -1;
            if (bad) continue;
        } else if (title_from_text(&it->title, it->text.data, it->text.len)) return -1;
        if (file_meta(it, it->me, it->id.data, it->mrel.data)) return -1;
        for (size_t i = 0; i < cv->nf && !bad; i++) {
            if ((long)i == it->text_col || (long)i == it->id_col || (long)i == it->title_col) continue;
            if (csv_field_utf8(it, i, &it->raw, line, &bad)) return -1;
            const char *key = it->hdr.data + it->hoff[i];
            if (!bad && meta_add(it, key, strlen(key), it->raw.data, it->raw.len, LD_STR)) return -1;
        }
        if (bad) continue;
        doc_finish(it, d, cv->rec_bytes, 1);
        d->slot = slot;
        return 1;
    }
    if (r < 0)
        problem(it->c, LD_SKIPPED, it->mpath.data, cv->line, -1, "%s; rest of file not read",
                it->xs.err[0] ? it->xs.err : "read error");
    return 0;
}

/* -- single files and archives -- */

/* Emits a single-document item whose bytes are read by readfn.  Returns 1
 * with *d ready, 0 when skipped, -1 on ENOMEM. */
static int single_doc(ld_iter *it, ld_format fmt, const entry *e, const char *path, const char *id,
                      const char *filerel, uint64_t size, ld_src src, int *src_used, ld_doc *d) {
    uint64_t slot = it->slot++;
    if (!wanted_slot(it, slot) || !wanted_id(it, id, strlen(id))) return 0;
    if (it->c->o.max_bytes && size > it->c->o.max_bytes) {
        problem(it->c, LD_SKIPPED, path, 0, -1, "%llu bytes, over the limit of %llu: not read",
                (unsigned long long)size, (unsigned long long)it->c->o.max_bytes);
        return 0;
    }
    if (set_buf(&it->id, id, strlen(id)) || set_buf(&it->path, path, strlen(path))) return -1;
    doc_begin(it);
    if (it->flags & (LD_IDS_ONLY | LD_SLOTS_ONLY) && !it->only) {
        doc_finish(it, d, size, 0);
        d->slot = slot;
        return 1;
    }
    *src_used = 1;
    /* a huge document's buffers are not kept for the next ones */
    cr_buf *bufs[] = {&it->raw, &it->dec, &it->text};
    for (int i = 0; i < 3; i++)
        if (bufs[i]->cap > (64u << 20)) cr_buf_free(bufs[i]);
    if (read_all(it, src)) {
        const char *why = it->ar && src.ud == (void *)it->ar && archive_error_string(it->ar)
                              ? archive_error_string(it->ar) : strerror(errno);
        problem(it->c, LD_SKIPPED, path, 0, (int64_t)it->raw.len, "read error at byte %zu: %s",
                it->raw.len, why);
        return 0;
    }
    uint64_t nbytes = it->raw.len;
    it->xw.n = 0;
    if (build_single(it, fmt, path, d)) return 0;
    if (file_meta(it, e, id, filerel)) return -1;
    doc_finish(it, d, nbytes, 1);
    if (fmt == LD_FMT_XML && it->xw.n) d->tokens = &it->xw;
    d->slot = slot;
    return 1;
}

static ssize_t ar_read(void *ud, char *buf, size_t n) {
    la_ssize_t r = archive_read_data(ud, buf, n);
    return r < 0 ? -1 : (ssize_t)r;
}

static int member_hidden(const char *name) {
    for (const char *s = name; *s; ) {
        if (*s == '.' && s[1] && s[1] != '/' && !(s[1] == '.' && (s[2] == '/' || !s[2]))) return 1;
        const char *sl = strchr(s, '/');
        if (!sl) break;
        s = sl + 1;
    }
    return 0;
}

/* Next document from the open archive.  1/0/-1 like single_doc, 2 when the
 * archive is finished. */
static int next_member(ld_iter *it, ld_doc *d) {
    const ld_opts *o = &it->c->o;
    const entry *e = it->ae;
    struct archive_entry *ae;
    int r = archive_read_next_header(it->ar, &ae);
    if (r == ARCHIVE_EOF) return 2;
    if (r < ARCHIVE_WARN) {
        problem(it->c, LD_SKIPPED, e->path, 0, -1, "archive error: %s; rest of archive not read",
                archive_error_string(it->ar) ? archive_error_string(it->ar) : "unknown");
        return 2;
    }
    const char *name = archive_entry_pathname(ae);
    char rawname[4096];
    if (e->fmt == LD_FMT_COMPRESSED && archive_filter_count(it->ar) < 2) {
        /* only the "none" filter: the bytes are not compressed at all */
        problem(it->c, LD_SKIPPED, e->path, 0, -1, "not compressed data (by its extension it should be)");
        return 2;
    }
    if (e->fmt == LD_FMT_COMPRESSED) {   /* the one member: the file's name less .gz */
        const char *b = basename_of(e->rel);
        size_t bl = strlen(b);
        const char *dot = strrchr(b, '.');
        snprintf(rawname, sizeof rawname, "%.*s", (int)(dot ? (size_t)(dot - b) : bl), b);
        name = rawname;
    } else if (archive_entry_filetype(ae) != AE_IFREG) {
        if (archive_entry_filetype(ae) != AE_IFDIR && name)
            problem(it->c, LD_SKIPPED, e->path, 0, -1, "member %s: not a regular file", name);
        return 0;
    }
    if (!name) {
        problem(it->c, LD_SKIPPED, e->path, 0, -1, "a member without a name");
        return 0;
    }
    while (name[0] == '.' && name[1] == '/') name += 2;
    if (!o->hidden && member_hidden(name)) return 0;
    if (o->n_exclude && match_any(o->exclude, o->n_exclude, name)) return 0;
    if (o->n_include && !match_any(o->include, o->n_include, name)) return 0;
    /* id: archive id + "/" + member (the compressed file keeps its own id) */
    cr_buf *idb = &it->mrel;
    cr_buf_reset(idb);
    if (e->fmt == LD_FMT_COMPRESSED) {
        if (set_buf(idb, e->rel, strlen(e->rel))) return -1;
    } else if (cr_buf_adds(idb, e->rel) || cr_buf_addc(idb, '/') || cr_buf_adds(idb, name) ||
               cr_buf_addc(idb, '\0')) return -1;
    else idb->len--;
    cr_buf *pb = &it->mpath;
    cr_buf_reset(pb);
    if (e->fmt == LD_FMT_COMPRESSED) {
        if (set_buf(pb, e->path, strlen(e->path))) return -1;
    } else if (cr_buf_adds(pb, e->path) || cr_buf_addc(pb, '/') || cr_buf_adds(pb, name) ||
               cr_buf_addc(pb, '\0')) return -1;
    else pb->len--;
    ld_format fmt = ld_format_of_path(name);
    if (o->format != LD_FMT_NONE && fmt != LD_FMT_ARCHIVE && fmt != LD_FMT_COMPRESSED) fmt = o->format;
    if (fmt == LD_FMT_ARCHIVE || fmt == LD_FMT_COMPRESSED) {
        problem(it->c, LD_SKIPPED, pb->data, 0, -1, "archive inside an archive: not read");
        return 0;
    }
    if (fmt == LD_FMT_NONE) {
        problem(it->c, LD_SKIPPED, pb->data, 0, -1, "unknown format (use format= or include=)");
        return 0;
    }
    if (fmt == LD_FMT_JSONL || fmt == LD_FMT_CSV || fmt == LD_FMT_TSV || LD_FMT_IS_ANNOT(fmt)) {
        char *p = strdup(pb->data), *rl = strdup(idb->data);
        int rc = p && rl ? open_multi(it, fmt, (ld_src){ar_read, it->ar}, e, p, rl) : -1;
        free(p);
        free(rl);
        return rc < 0 ? -1 : 0;
    }
    int used = 0;
    uint64_t size = archive_entry_size_is_set(ae) ? (uint64_t)archive_entry_size(ae) : 0;
    char *p = strdup(pb->data), *rl = strdup(idb->data);
    if (!p || !rl) { free(p); free(rl); return -1; }
    int rc = single_doc(it, fmt, e, p, rl, rl, size, (ld_src){ar_read, it->ar}, &used, d);
    free(p);
    free(rl);
    return rc;
}

static void open_archive(ld_iter *it, const entry *e) {
    char lib[256];
    if (cr_lazylib_load(&archive_lib, lib, sizeof lib)) {
        problem(it->c, LD_SKIPPED, e->path, 0, -1, "cannot open archive: %s", lib);
        return;
    }
    struct archive *a = archive_read_new();
    if (!a) return;
    archive_read_support_filter_all(a);
    if (e->fmt == LD_FMT_COMPRESSED) archive_read_support_format_raw(a);
    else archive_read_support_format_all(a);
    char why[PP_MSG_SIZE];
    int fd = pp_open(e->path, O_RDONLY, 0, why, sizeof why);
    if (fd < 0) {
        problem(it->c, LD_SKIPPED, e->path, 0, -1, "cannot open archive: %s", open_failure(why));
        archive_read_free(a);
        return;
    }
    if (archive_read_open_fd(a, fd, 65536) != ARCHIVE_OK) {
        problem(it->c, LD_SKIPPED, e->path, 0, -1, "cannot open archive: %s",
                archive_error_string(a) ? archive_error_string(a) : "unknown error");
        archive_read_free(a);
        close(fd);
        return;
    }
    it->ar = a;
    it->arfd = fd;
    it->ae = e;
}

int ld_iter_next(ld_iter *it, ld_doc *d) {
    ld_corpus *c = it->c;
    for (;;) {
        if (it->only && it->only_found) return 0;
        if (it->slot >= it->hi) return 0;
        if (it->ms != M_NONE) {
            int r = it->ms == M_JSONL ? next_jsonl(it, d) : it->ms == M_CSV ? next_csv(it, d) : next_annot(it, d);
            if (r == 1) { if (it->only) it->only_found = 1; return 1; }
            close_multi(it);
            if (r < 0) return 0;
            continue;
        }
        if (it->ar) {
            int r = next_member(it, d);
            if (r == 1) { if (it->only) it->only_found = 1; return 1; }
            if (r == 2 || r < 0) close_archive(it);
            continue;
        }
        if (it->epos >= c->ents.len) return 0;
        /* it->cur stays valid while its multi-document file or archive is open */
        const entry *e = &it->cur;
        if (read_entry(c, &it->epos, &it->cur, &it->cpath, &it->crel)) return 0;
        if (e->fmt == LD_FMT_ARCHIVE || e->fmt == LD_FMT_COMPRESSED) {
            open_archive(it, e);
            continue;
        }
        if (e->fmt == LD_FMT_NONE) {
            problem(c, LD_SKIPPED, e->path, 0, -1, "unknown format (use format= or include=)");
            continue;
        }
        int fd = -1;
        int multi = e->fmt == LD_FMT_JSONL || e->fmt == LD_FMT_CSV || e->fmt == LD_FMT_TSV || LD_FMT_IS_ANNOT(e->fmt);
        if (multi || !(it->flags & (LD_IDS_ONLY | LD_SLOTS_ONLY)) || it->only) {
            if (!multi) {   /* decide before opening: not wanted, no read */
                uint64_t slot = it->slot;
                if (!wanted_slot(it, slot) || !wanted_id(it, e->rel, strlen(e->rel))) {
                    it->slot++;
                    continue;
                }
            }
            char why[PP_MSG_SIZE];
            fd = pp_open(e->path, O_RDONLY, 0, why, sizeof why);
            if (fd < 0) {
                if (!multi) it->slot++;
                problem(c, LD_SKIPPED, e->path, 0, -1, "cannot open: %s", open_failure(why));
                continue;
            }
        }
        if (multi) {
            it->fd = fd;
            if (open_multi(it, e->fmt, ld_src_fd(&it->fd), e, e->path, e->rel)) { close_multi(it); return 0; }
            continue;
        }
        int used = 0;
        int r = single_doc(it, e->fmt, e, e->path, e->rel, e->rel, e->size, ld_src_fd(&fd), &used, d);
        if (fd >= 0) close(fd);
        if (r == 1) { if (it->only) it->only_found = 1; return 1; }
        if (r < 0) return 0;
    }
}
