/* load_util.c — byte sources, glob matching, format names and
 * options for the document loaders. */
#include "load.h"

#include <errno.h>
#include <stdlib.h>
#include <string.h>
#include <strings.h>
#include <unistd.h>


/* ---- sources ------------------------------------------------------------ */
static ssize_t mem_read(void *ud, char *buf, size_t n) {
    ld_mem_src *m = ud;
    size_t left = m->n - m->pos;
    if (n > left) n = left;
    if (n) memcpy(buf, m->p + m->pos, n);
    m->pos += n;
    return (ssize_t)n;
}

ld_src ld_src_mem(ld_mem_src *m, const void *p, size_t n) {
    m->p = p;
    m->n = n;
    m->pos = 0;
    return (ld_src){mem_read, m};
}

static ssize_t fd_read(void *ud, char *buf, size_t n) {
    int fd = *(int *)ud;
    for (;;) {
        ssize_t r = read(fd, buf, n);
        if (r >= 0 || errno != EINTR) return r < 0 ? -1 : r;
    }
}

ld_src ld_src_fd(int *fd) { return (ld_src){fd_read, fd}; }

/* ---- glob --------------------------------------------------------------- */
int ld_has_glob(const char *s) {
    for (; *s; s++)
        if (*s == '*' || *s == '?' || *s == '[') return 1;
    return 0;
}

/* Matches a bracket class at p against c; returns the position after ']' or
 * NULL when the class is malformed (then '[' is literal). */
static const char *match_class(const char *p, unsigned char c, int *matched) {
    const char *q = p + 1;
    int neg = 0, hit = 0;
    if (*q == '!' || *q == '^') { neg = 1; q++; }
    const char *first = q;
    while (*q && (*q != ']' || q == first)) {
        unsigned char lo = (unsigned char)*q, hi = lo;
        if (*q == '\\' && q[1]) lo = hi = (unsigned char)*++q;
        if (q[1] == '-' && q[2] && q[2] != ']') {
            hi = (unsigned char)q[2];
            q += 2;
        }
        if (c >= lo && c <= hi) hit = 1;
        q++;
    }
    if (*q != ']') return NULL;
    *matched = hit != neg && c != '/';
    return q + 1;
}

/* Match within the pattern p (up to its end) against s, '/'-aware. */
static int glob_rec(const char *base, const char *p, const char *s, int depth) {
    if (depth > 64) return 0;
    while (*p) {
        if (p[0] == '*' && p[1] == '*' && (p[2] == '/' || p[2] == '\0') &&
            (p == base || p[-1] == '/')) {
            /* "**" as a whole segment: zero or more segments. */
            const char *rest = p[2] == '/' ? p + 3 : p + 2;
            if (!*rest) return 1;
            const char *t = s;
            for (;;) {
                if (glob_rec(base, rest, t, depth + 1)) return 1;
                t = strchr(t, '/');
                if (!t) return 0;
                t++;
            }
        }
        switch (*p) {
        case '*': {
            while (*p == '*') p++;
            for (const char *t = s;; t++) {
                if (glob_rec(base, p, t, depth + 1)) return 1;
                if (!*t || *t == '/') return 0;
            }
        }
        case '?':
            if (!*s || *s == '/') return 0;
            p++, s++;
            break;
        case '[': {
            int m = 0;
            const char *after = *s ? match_class(p, (unsigned char)*s, &m) : NULL;
            if (after) {
                if (!m) return 0;
                p = after, s++;
                break;
            }
            if (*s != '[') return 0;
            p++, s++;
            break;
        }
        case '\\':
            if (p[1]) p++;
            /* fall through */
        default:
            if (*p != *s) return 0;
            p++, s++;
        }
    }
    return *s == '\0';
}

int ld_glob_match(const char *pattern, const char *path) {
    return glob_rec(pattern, pattern, path, 0);
}

/* ---- formats ------------------------------------------------------------ */
static const struct { const char *name; ld_format f; } format_names[] = {
    {"text", LD_FMT_TEXT}, {"txt", LD_FMT_TEXT}, {"jsonl", LD_FMT_JSONL},
    {"ndjson", LD_FMT_JSONL}, {"csv", LD_FMT_CSV}, {"tsv", LD_FMT_TSV},
    {"html", LD_FMT_HTML}, {"xml", LD_FMT_XML}, {"tei", LD_FMT_XML},
    {"archive", LD_FMT_ARCHIVE}, {"conllu", LD_FMT_CONLLU}, {"vrt", LD_FMT_VRT},
    {"tagged", LD_FMT_TAGGED},
};

ld_format ld_format_from_name(const char *name) {
    for (size_t i = 0; i < sizeof format_names / sizeof format_names[0]; i++)
        if (strcasecmp(name, format_names[i].name) == 0) return format_names[i].f;
    return LD_FMT_NONE;
}

const char *ld_format_name(ld_format f) {
    switch (f) {
    case LD_FMT_TEXT: return "text";
    case LD_FMT_JSONL: return "jsonl";
    case LD_FMT_CSV: return "csv";
    case LD_FMT_TSV: return "tsv";
    case LD_FMT_HTML: return "html";
    case LD_FMT_XML: return "xml";
    case LD_FMT_ARCHIVE: return "archive";
    case LD_FMT_COMPRESSED: return "compressed";
    case LD_FMT_CONLLU: return "conllu";
    case LD_FMT_VRT: return "vrt";
    case LD_FMT_TAGGED: return "tagged";
    default: return "none";
    }
}

static int ends_with(const char *s, const char *suffix) {
    size_t n = strlen(s), m = strlen(suffix);
    return n >= m && strcasecmp(s + n - m, suffix) == 0;
}

ld_format ld_format_of_path(const char *path) {
    static const struct { const char *ext; ld_format f; } exts[] = {
        {".tar.gz", LD_FMT_ARCHIVE}, {".tgz", LD_FMT_ARCHIVE}, {".tar.zst", LD_FMT_ARCHIVE},
        {".tar.bz2", LD_FMT_ARCHIVE}, {".tar.xz", LD_FMT_ARCHIVE}, {".tar", LD_FMT_ARCHIVE},
        {".zip", LD_FMT_ARCHIVE}, {".gz", LD_FMT_COMPRESSED}, {".zst", LD_FMT_COMPRESSED},
        {".bz2", LD_FMT_COMPRESSED}, {".xz", LD_FMT_COMPRESSED},
        {".txt", LD_FMT_TEXT}, {".text", LD_FMT_TEXT}, {".md", LD_FMT_TEXT},
        {".jsonl", LD_FMT_JSONL}, {".ndjson", LD_FMT_JSONL}, {".csv", LD_FMT_CSV},
        {".tsv", LD_FMT_TSV}, {".tab", LD_FMT_TSV}, {".html", LD_FMT_HTML},
        {".htm", LD_FMT_HTML}, {".xhtml", LD_FMT_HTML}, {".xml", LD_FMT_XML},
        {".tei", LD_FMT_XML}, {".conllu", LD_FMT_CONLLU}, {".vrt", LD_FMT_VRT},
    };
    for (size_t i = 0; i < sizeof exts / sizeof exts[0]; i++)
        if (ends_with(path, exts[i].ext)) return exts[i].f;
    const char *base = strrchr(path, '/');
    base = base ? base + 1 : path;
    return strchr(base, '.') ? LD_FMT_NONE : LD_FMT_TEXT;   /* no extension: text */
}

/* ---- options ------------------------------------------------------------ */
void ld_opts_init(ld_opts *o) {
    memset(o, 0, sizeof *o);
    o->sidecar = 1;
}

int ld_opts_set(char **slot, const char *value) {
    char *s = NULL;
    if (value && !(s = strdup(value))) return -1;
    free(*slot);
    *slot = s;
    return 0;
}

int ld_opts_push(char ***list, size_t *n, const char *value) {
    char **l = realloc(*list, (*n + 1) * sizeof *l);
    if (!l) return -1;
    *list = l;
    if (!(l[*n] = strdup(value))) return -1;
    (*n)++;
    return 0;
}

static void free_list(char **l, size_t n) {
    for (size_t i = 0; i < n; i++) free(l[i]);
    free(l);
}

void ld_opts_free(ld_opts *o) {
    free(o->text_field);
    free(o->id_field);
    free(o->title_field);
    free(o->encoding);
    free(o->fallback);
    free(o->element);
    free(o->separator);
    free_list(o->attributes, o->n_attributes);
    free_list(o->include, o->n_include);
    free_list(o->exclude, o->n_exclude);
    free_list(o->name_fields, o->n_name_fields);
    ld_opts_init(o);
}
