/* pathpolicy.h — which files a sandboxed script may read and write, checked
 * where files are opened.
 *
 * Off by default: then pp_open, pp_fopen and pp_opendir are open, fopen and
 * opendir, and pp_check allows everything.  `corpusrun --sandbox` turns it
 * on (pp_activate) in the process that runs the script, grants what the
 * command line names (pp_grant) and locks it (pp_lock): from then on the
 * grants cannot change, and every path a module opens by name goes through
 * pp_check: resolved (`..`, symbolic links) to the real file, which must lie
 * under a granted read root, or be a granted write target.  pp_open also
 * checks the file it actually opened (through /proc/self/fd), so a link
 * swapped in between the check and the open is refused too.
 *
 * The state is one per process and is inherited by forked workers. */
#ifndef CR_PATHPOLICY_H
#define CR_PATHPOLICY_H

#include <dirent.h>
#include <stddef.h>
#include <stdio.h>
#include <sys/types.h>

typedef enum {
    PP_LOOK,  /* stat it: a read root, or the directory of a write target */
    PP_READ,  /* open it for reading */
    PP_WRITE  /* open it for writing (create, truncate, append) */
} pp_access;

/* Room for a message from the functions below: a path and a sentence. */
#define PP_MSG_SIZE 4352

int pp_active(void);
/* Turns the policy on with nothing granted.  Returns 0. */
int pp_activate(void);
/* Grants path: PP_READ a file or a directory tree, PP_WRITE one file (and
 * reading it).  -1 with msg set when the policy is locked or off, or the path
 * cannot be resolved (a path whose directory is missing is kept, so that
 * opening it is later reported as a missing directory, not a refusal). */
int pp_grant(const char *path, pp_access how, char *msg, size_t msgsize);
/* No more grants from now on. */
void pp_lock(void);

/* 0 when path may be accessed as `how`; with real (PATH_MAX bytes) non-NULL,
 * the real path checked.  -1 with msg set ("sandbox: reading 'x' is not
 * allowed ...", or why the path cannot be resolved) otherwise. */
int pp_check(const char *path, pp_access how, char *real, char *msg, size_t msgsize);

/* open(2), fopen(3) and opendir(3) through the policy: the file or
 * directory, or -1 / NULL with msg set ("PATH: strerror" when the system
 * refused, the policy's reason when it did; errno EACCES then). */
int pp_open(const char *path, int flags, mode_t mode, char *msg, size_t msgsize);
FILE *pp_fopen(const char *path, const char *mode, char *msg, size_t msgsize);
DIR *pp_opendir(const char *path, char *msg, size_t msgsize);

/* Whether the last pp_check, pp_open, pp_fopen or pp_opendir that failed
 * was refused by the policy (1), rather than by the system or for a missing
 * directory (0). */
int pp_refused(void);

/* Whether the file open as fd lies where `how` allows (1), judged by the
 * path the kernel reports for it; 1 when the policy is off or the kernel
 * cannot say. */
int pp_fd_allowed(int fd, pp_access how);

/* Back to off with no grants (tests). */
void pp_reset(void);

#endif
