/* lazylib.c — libraries opened with dlopen when first needed (lazylib.h). */
#include "lazylib.h"

#include <dlfcn.h>
#include <stdio.h>

int cr_lazylib_load(cr_lazylib *lib, char *err, size_t errsize) {
    if (lib->handle) return 0;
    if (!lib->failed) {
        void *h = dlopen(lib->soname, RTLD_NOW | RTLD_LOCAL);
        if (!h) {
            const char *why = dlerror();
            snprintf(lib->err, sizeof lib->err, "cannot load %s: %s", lib->soname, why ? why : "unknown error");
        }
        for (size_t i = 0; h && lib->names[i]; i++) {
            void *f = dlsym(h, lib->names[i]);
            if (!f) {
                snprintf(lib->err, sizeof lib->err, "cannot load %s: it has no %s", lib->soname, lib->names[i]);
                dlclose(h);
                h = NULL;
                break;
            }
            lib->fns[i] = f;
        }
        lib->handle = h;
        lib->failed = h == NULL;
    }
    if (lib->handle) return 0;
    snprintf(err, errsize, "%s", lib->err);
    return -1;
}
