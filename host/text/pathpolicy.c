/* pathpolicy.c — the sandbox's file policy (see pathpolicy.h). */
#include "pathpolicy.h"

#include <errno.h>
#include <fcntl.h>
#include <limits.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

typedef struct plist {
    char **v;
    size_t n, cap;
} plist;

static struct {
    int active, locked;
    int refused; /* the last failure was the policy's */
    plist read;    /* real paths: directory trees or files that may be read */
    plist write;   /* real paths: files that may be written (and read) */
    plist missing; /* absolute paths granted whose directory is missing */
} pol;

static const char WHY[] =
    "(only the corpus and the paths given on the command line to the script's declared inputs can be read, "
    "and to its declared outputs written)";

static int plist_add(plist *l, const char *s) {
    if (l->n == l->cap) {
        size_t cap = l->cap ? l->cap * 2 : 8;
        char **v = realloc(l->v, cap * sizeof *v);
        if (v == NULL) return -1;
        l->v = v;
        l->cap = cap;
    }
    if ((l->v[l->n] = strdup(s)) == NULL) return -1;
    l->n++;
    return 0;
}

static void plist_free(plist *l) {
    for (size_t i = 0; i < l->n; i++) free(l->v[i]);
    free(l->v);
    memset(l, 0, sizeof *l);
}

int pp_active(void) { return pol.active; }

int pp_refused(void) { return pol.refused; }

int pp_activate(void) {
    pol.active = 1;
    return 0;
}

void pp_lock(void) { pol.locked = 1; }

void pp_reset(void) {
    plist_free(&pol.read);
    plist_free(&pol.write);
    plist_free(&pol.missing);
    pol.active = pol.locked = 0;
}

/* path made absolute against the working directory, without resolving. */
static int absolute(const char *path, char *out) {
    if (path[0] == '/') {
        if (strlen(path) >= PATH_MAX) return -1;
        strcpy(out, path);
        return 0;
    }
    if (getcwd(out, PATH_MAX) == NULL) return -1;
    size_t n = strlen(out);
    if (n + 1 + strlen(path) >= PATH_MAX) return -1;
    if (n > 1) out[n++] = '/';
    strcpy(out + n, path);
    return 0;
}

/* The real path of path into out (PATH_MAX bytes).  A last component that
 * does not exist yet is allowed: its directory is resolved and the name
 * appended (*exists 0).  -1 with errno set when it cannot be resolved; a
 * last component that is a symbolic link to nothing counts as unresolvable
 * (ELOOP), since creating it would create its target. */
static int resolve(const char *path, char *out, int *exists) {
    *exists = 1;
    if (realpath(path, out) != NULL) return 0;
    if (errno != ENOENT) return -1;
    *exists = 0;
    size_t len = strlen(path);
    while (len > 1 && path[len - 1] == '/') len--;
    const char *base = path + len;
    while (base > path && base[-1] != '/') base--;
    size_t blen = (size_t)(path + len - base);
    if (blen == 0 || (blen == 1 && base[0] == '.') || (blen == 2 && base[0] == '.' && base[1] == '.')) {
        errno = ENOENT;
        return -1;
    }
    char dir[PATH_MAX];
    size_t dlen = (size_t)(base - path);
    if (dlen == 0) strcpy(dir, ".");
    else if (dlen >= sizeof dir) {
        errno = ENAMETOOLONG;
        return -1;
    } else {
        memcpy(dir, path, dlen);
        dir[dlen] = '\0';
    }
    if (realpath(dir, out) == NULL) return -1;
    size_t n = strlen(out);
    if (n + 1 + blen >= PATH_MAX) {
        errno = ENAMETOOLONG;
        return -1;
    }
    if (n > 1) out[n++] = '/';
    memcpy(out + n, base, blen);
    out[n + blen] = '\0';
    struct stat st;
    if (lstat(out, &st) == 0) { /* there, but realpath could not follow it */
        errno = S_ISLNK(st.st_mode) ? ELOOP : ENOENT;
        return -1;
    }
    return 0;
}

static int within(const char *real, const char *root) {
    size_t n = strlen(root);
    if (n == 1 && root[0] == '/') return real[0] == '/';
    return strncmp(real, root, n) == 0 && (real[n] == '\0' || real[n] == '/');
}

static int is_parent_of(const char *dir, const char *file) {
    const char *slash = strrchr(file, '/');
    if (slash == NULL) return 0;
    size_t n = slash == file ? 1 : (size_t)(slash - file);
    return strlen(dir) == n && strncmp(dir, file, n) == 0;
}

/* Whether the real path `real` may be accessed as `how`. */
static int allowed(const char *real, pp_access how) {
    for (size_t i = 0; i < pol.write.n; i++) {
        if (strcmp(real, pol.write.v[i]) == 0) return 1;
        if (how == PP_LOOK && is_parent_of(real, pol.write.v[i])) return 1;
    }
    if (how == PP_WRITE) return 0;
    for (size_t i = 0; i < pol.read.n; i++)
        if (within(real, pol.read.v[i])) return 1;
    return 0;
}

static const char *verb(pp_access how) {
    return how == PP_WRITE ? "writing" : how == PP_READ ? "reading" : "looking at";
}

static void refuse(const char *path, pp_access how, char *msg, size_t msgsize) {
    pol.refused = 1;
    if (msg && msgsize) snprintf(msg, msgsize, "sandbox: %s '%s' is not allowed %s", verb(how), path, WHY);
    errno = EACCES;
}

int pp_grant(const char *path, pp_access how, char *msg, size_t msgsize) {
    if (!pol.active || pol.locked) {
        if (msg && msgsize) snprintf(msg, msgsize, "sandbox: the file policy is %s", pol.locked ? "locked" : "off");
        return -1;
    }
    char real[PATH_MAX];
    int exists;
    if (resolve(path, real, &exists) != 0) {
        int e = errno;
        char abs[PATH_MAX];
        if (e == ENOENT && absolute(path, abs) == 0) return plist_add(&pol.missing, abs);
        if (msg && msgsize) snprintf(msg, msgsize, "%s: %s", path, strerror(e));
        return -1;
    }
    if (plist_add(how == PP_WRITE ? &pol.write : &pol.read, real) != 0) {
        if (msg && msgsize) snprintf(msg, msgsize, "out of memory");
        return -1;
    }
    return 0;
}

/* A path that is not there because a granted path's directory is missing:
 * -1 with the reason (no refusal), or 0 when path is no such thing. */
static int missing_dir(const char *path, pp_access how, char *msg, size_t msgsize) {
    char abs[PATH_MAX];
    if (absolute(path, abs) != 0) return 0;
    for (size_t i = 0; i < pol.missing.n; i++) {
        if (how == PP_LOOK && is_parent_of(abs, pol.missing.v[i])) { /* "does it exist?": no */
            if (msg && msgsize) snprintf(msg, msgsize, "%s: %s", path, strerror(ENOENT));
            errno = ENOENT;
            return -1;
        }
        if (strcmp(abs, pol.missing.v[i]) != 0) continue;
        char *slash = strrchr(abs, '/');
        if (slash != NULL && slash != abs) *slash = '\0';
        if (msg && msgsize)
            snprintf(msg, msgsize, "sandbox: cannot %s '%s': the directory '%s' does not exist",
                     how == PP_WRITE ? "write" : "read", path, abs);
        errno = ENOENT;
        return -1;
    }
    return 0;
}

int pp_check(const char *path, pp_access how, char *real, char *msg, size_t msgsize) {
    char buf[PATH_MAX];
    if (real == NULL) real = buf;
    pol.refused = 0;
    if (!pol.active) {
        snprintf(real, PATH_MAX, "%s", path);
        return 0;
    }
    int exists;
    int rc = resolve(path, real, &exists);
    if (rc == 0 && allowed(real, how)) return 0;
    if ((rc == 0 ? !exists : errno == ENOENT) && missing_dir(path, how, msg, msgsize) != 0) return -1;
    refuse(path, how, msg, msgsize);
    return -1;
}

int pp_fd_allowed(int fd, pp_access how) {
    if (!pol.active) return 1;
    char link[64], real[PATH_MAX];
    snprintf(link, sizeof link, "/proc/self/fd/%d", fd);
    ssize_t n = readlink(link, real, sizeof real - 1);
    if (n <= 0) return 1; /* no /proc: the check before the open stands */
    real[n] = '\0';
    return allowed(real, how);
}

static void os_error(const char *path, char *msg, size_t msgsize) {
    int e = errno;
    if (msg && msgsize) snprintf(msg, msgsize, "%s: %s", path, strerror(e));
    errno = e;
}

int pp_open(const char *path, int flags, mode_t mode, char *msg, size_t msgsize) {
    pol.refused = 0;
    if (!pol.active) {
        int fd = open(path, flags | O_CLOEXEC, mode);
        if (fd < 0) os_error(path, msg, msgsize);
        return fd;
    }
    pp_access how = (flags & O_ACCMODE) == O_RDONLY ? PP_READ : PP_WRITE;
    char real[PATH_MAX];
    if (pp_check(path, how, real, msg, msgsize) != 0) return -1;
    /* The checked real path, no link followed at its end; truncation only
     * once the file opened is known to be the one allowed.  Non-blocking,
     * so that a FIFO does not hold the open (a sandboxed script's limit is
     * CPU time, not waiting); blocking again once open. */
    int fd = open(real, (flags & ~O_TRUNC) | O_NOFOLLOW | O_CLOEXEC | O_NONBLOCK, mode);
    if (fd < 0) {
        os_error(path, msg, msgsize);
        return -1;
    }
    if (!(flags & O_NONBLOCK)) {
        int fl = fcntl(fd, F_GETFL);
        if (fl < 0 || fcntl(fd, F_SETFL, fl & ~O_NONBLOCK) < 0) {
            os_error(path, msg, msgsize);
            close(fd);
            return -1;
        }
    }
    if (!pp_fd_allowed(fd, how)) {
        close(fd);
        refuse(path, how, msg, msgsize);
        return -1;
    }
    if ((flags & O_TRUNC) && how == PP_WRITE && ftruncate(fd, 0) != 0) {
        os_error(path, msg, msgsize);
        close(fd);
        return -1;
    }
    return fd;
}

/* fopen's mode as open(2) flags; -1 when it is not one fopen takes. */
static int mode_flags(const char *mode) {
    int flags;
    switch (mode[0]) {
    case 'r': flags = O_RDONLY; break;
    case 'w': flags = O_WRONLY | O_CREAT | O_TRUNC; break;
    case 'a': flags = O_WRONLY | O_CREAT | O_APPEND; break;
    default: return -1;
    }
    for (const char *m = mode + 1; *m; m++) {
        if (*m == '+') flags = (flags & ~O_ACCMODE) | O_RDWR;
        else if (*m == 'e') flags |= O_CLOEXEC;
        else if (*m == 'x') flags |= O_EXCL;
        else if (*m != 'b') return -1;
    }
    return flags;
}

FILE *pp_fopen(const char *path, const char *mode, char *msg, size_t msgsize) {
    pol.refused = 0;
    if (!pol.active) {
        FILE *f = fopen(path, mode);
        if (f == NULL) os_error(path, msg, msgsize);
        return f;
    }
    int flags = mode_flags(mode);
    if (flags < 0) {
        errno = EINVAL;
        os_error(path, msg, msgsize);
        return NULL;
    }
    int fd = pp_open(path, flags, 0666, msg, msgsize);
    if (fd < 0) return NULL;
    FILE *f = fdopen(fd, mode);
    if (f == NULL) {
        os_error(path, msg, msgsize);
        close(fd);
    }
    return f;
}

DIR *pp_opendir(const char *path, char *msg, size_t msgsize) {
    pol.refused = 0;
    if (!pol.active) {
        DIR *d = opendir(path);
        if (d == NULL) os_error(path, msg, msgsize);
        return d;
    }
    int fd = pp_open(path, O_RDONLY | O_DIRECTORY, 0, msg, msgsize);
    if (fd < 0) return NULL;
    DIR *d = fdopendir(fd);
    if (d == NULL) {
        os_error(path, msg, msgsize);
        close(fd);
    }
    return d;
}
