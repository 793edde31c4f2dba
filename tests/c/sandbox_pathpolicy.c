/* The sandbox's file policy: what is granted, how paths are resolved
 * (`..`, links in and out of a granted tree, links swapped in after the
 * check), and the messages. */
#include <errno.h>
#include <fcntl.h>
#include <limits.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

#include "pathpolicy.h"
#include "tap.h"

static char root[PATH_MAX];

static const char *at(const char *rel) {
    static char buf[4][PATH_MAX + 64];
    static int k;
    k = (k + 1) % 4;
    if (snprintf(buf[k], sizeof buf[k], "%s/%s", root, rel) >= (int)sizeof buf[k]) abort();
    return buf[k];
}

static void put(const char *rel, const char *text) {
    FILE *f = fopen(at(rel), "wb");
    if (f) {
        fputs(text, f);
        fclose(f);
    }
}

static int can(const char *path, pp_access how) {
    char msg[PP_MSG_SIZE];
    return pp_check(path, how, NULL, msg, sizeof msg) == 0;
}

int main(void) {
    char tmpl[] = "/tmp/pathpolicy_XXXXXX";
    if (!mkdtemp(tmpl)) return 1;
    if (!realpath(tmpl, root)) return 1;
    mkdir(at("corpus"), 0700);
    mkdir(at("corpus/sub"), 0700);
    mkdir(at("secret"), 0700);
    mkdir(at("out"), 0700);
    put("corpus/a.txt", "a\n");
    put("corpus/sub/b.txt", "b\n");
    put("secret/s.txt", "secret\n");
    put("out/old.txt", "old\n");
    if (symlink(at("secret"), at("corpus/etcdir")) || symlink("../secret/s.txt", at("corpus/link.txt")) ||
        symlink("sub/b.txt", at("corpus/inside.txt")) || symlink(at("secret/none"), at("out/dangling.txt")))
        return 1;

    char msg[PP_MSG_SIZE];
    ok(!pp_active(), "off by default");
    ok(can("/etc/passwd", PP_READ), "off: everything passes");
    ok(pp_grant(at("corpus"), PP_READ, msg, sizeof msg) == -1, "no grants while off");

    pp_activate();
    ok(!can(at("corpus/a.txt"), PP_READ), "on with no grants: nothing may be read");
    ok(pp_grant(at("corpus"), PP_READ, msg, sizeof msg) == 0, "grant a directory tree");
    ok(pp_grant(at("out/new.txt"), PP_WRITE, msg, sizeof msg) == 0, "grant a file not yet made");
    ok(pp_grant(at("out/old.txt"), PP_WRITE, msg, sizeof msg) == 0, "grant an existing file");
    ok(pp_grant(at("nodir/x.txt"), PP_WRITE, msg, sizeof msg) == 0, "grant an output whose directory is missing");
    ok(pp_grant(at("out/dangling.txt"), PP_WRITE, msg, sizeof msg) == -1, "no grant through a dangling link");
    pp_lock();
    ok(pp_grant(at("secret"), PP_READ, msg, sizeof msg) == -1, "no grants once locked");
    ok(strstr(msg, "locked") != NULL, "and says so");

    ok(can(at("corpus/a.txt"), PP_READ), "a file in the tree");
    ok(can(at("corpus/sub/../a.txt"), PP_READ), "'..' inside the tree");
    ok(can(at("corpus/inside.txt"), PP_READ), "a link that stays inside");
    ok(can(at("corpus/missing.txt"), PP_READ), "a missing name inside (the open says it is missing)");
    ok(!can(at("corpus/../secret/s.txt"), PP_READ), "'..' out of the tree");
    ok(!can(at("corpus/etcdir/s.txt"), PP_READ), "through a directory link out");
    ok(!can(at("corpus/link.txt"), PP_READ), "a file link out");
    ok(!can(at("corpus/etcdir"), PP_LOOK), "looking at a link out");
    ok(!can(at("corpus/a.txt"), PP_WRITE), "readable is not writable");
    ok(!can(at("corpusx/a.txt"), PP_READ), "a sibling sharing the prefix is outside");
    ok(can(at("out/new.txt"), PP_WRITE) && can(at("out/new.txt"), PP_READ), "an output: written and read");
    ok(!can(at("out/new.txt.evil"), PP_WRITE), "no other name beside it");
    ok(!can(at("out/other.txt"), PP_WRITE), "nor another file of its directory");
    ok(can(at("out"), PP_LOOK) && !can(at("out"), PP_READ), "its directory: looked at, not read");
    ok(!can(at("out/dangling.txt"), PP_WRITE), "a dangling link is not written (its target would be made)");

    ok(pp_check(at("secret/s.txt"), PP_READ, NULL, msg, sizeof msg) == -1 && errno == EACCES && pp_refused(),
       "refused: EACCES, pp_refused");
    ok(strstr(msg, "sandbox: reading '") == msg && strstr(msg, "s.txt' is not allowed"), "message: %s", msg);
    ok(pp_check(at("nodir/x.txt"), PP_WRITE, NULL, msg, sizeof msg) == -1, "an output whose directory is missing");
    ok(strstr(msg, "the directory '") && strstr(msg, "nodir' does not exist"), "message: %s", msg);
    ok(!pp_refused() && errno == ENOENT, "a missing directory is no refusal: ENOENT");
    ok(pp_check(at("nodir"), PP_LOOK, NULL, msg, sizeof msg) == -1 && !pp_refused() && strstr(msg, "No such file"),
       "looking at that missing directory: it does not exist (%s)", msg);
    ok(pp_check(at("nodir2/x.txt"), PP_WRITE, NULL, msg, sizeof msg) == -1 && strstr(msg, "is not allowed"),
       "a missing directory that was not granted: not allowed");

    /* opening */
    int fd = pp_open(at("corpus/a.txt"), O_RDONLY, 0, msg, sizeof msg);
    ok(fd >= 0, "pp_open inside");
    if (fd >= 0) close(fd);
    ok(pp_open(at("corpus/link.txt"), O_RDONLY, 0, msg, sizeof msg) == -1 && pp_refused(), "pp_open through a link out");
    ok(pp_open(at("corpus/none.txt"), O_RDONLY, 0, msg, sizeof msg) == -1 && !pp_refused() && strstr(msg, "No such file"),
       "a missing file inside: the system's message (%s)", msg);
    ok(pp_fopen(at("corpus/a.txt"), "w", msg, sizeof msg) == NULL, "pp_fopen: no writing what is only readable");
    FILE *f = pp_fopen(at("out/old.txt"), "w", msg, sizeof msg);
    ok(f != NULL, "pp_fopen 'w' of an output");
    if (f) {
        fputs("new\n", f);
        fclose(f);
    }
    f = fopen(at("out/old.txt"), "rb");
    char line[16] = "";
    if (f) {
        if (!fgets(line, sizeof line, f)) line[0] = '\0';
        fclose(f);
    }
    is_str(line, "new\n", "and it was truncated and written");
    ok(pp_fopen(at("corpus/a.txt"), "rq", msg, sizeof msg) == NULL && strstr(msg, "Invalid argument"), "a bad mode");
    /* A FIFO inside: opening it does not wait for a writer (or a reader). */
    if (mkfifo(at("corpus/fifo"), 0600) == 0) {
        fd = pp_open(at("corpus/fifo"), O_RDONLY, 0, msg, sizeof msg);
        ok(fd >= 0, "a FIFO opens for reading without a writer");
        if (fd >= 0) {
            char c;
            ok(read(fd, &c, 1) == 0, "and reads as empty");
            ok(!(fcntl(fd, F_GETFL) & O_NONBLOCK), "and is blocking again");
            close(fd);
        }
    } else diag("mkfifo failed: FIFO checks skipped");
    DIR *d = pp_opendir(at("corpus"), msg, sizeof msg);
    ok(d != NULL, "pp_opendir inside");
    if (d) closedir(d);
    ok(pp_opendir(at("corpus/etcdir"), msg, sizeof msg) == NULL, "pp_opendir of a link out");

    /* A check passes, then the file is swapped for a link out before the
     * open: the file opened is checked as well. */
    fd = open(at("secret/s.txt"), O_RDONLY);
    ok(fd >= 0 && !pp_fd_allowed(fd, PP_READ), "an open file outside is seen as outside");
    if (fd >= 0) close(fd);
    fd = open(at("corpus/a.txt"), O_RDONLY);
    ok(fd >= 0 && pp_fd_allowed(fd, PP_READ), "an open file inside is seen as inside");
    if (fd >= 0) close(fd);

    pp_reset();
    ok(!pp_active(), "reset: off again");
    char cmd[PATH_MAX + 16];
    snprintf(cmd, sizeof cmd, "rm -rf '%s'", root);
    if (system(cmd) != 0) diag("could not remove the temporary directory");
    return tap_done();
}
