/* lazylib.h — a shared library the binary is compiled against but not
 * linked with (the Makefile's LAZY_LIBS), opened with dlopen when first
 * needed: every library linked in is mapped and relocated by the dynamic
 * linker at each start, with the libraries it needs (libxml2 brings ICU,
 * libarchive six compression libraries), though most runs use none of
 * them.  A user of one lists the functions it calls in an X-macro and
 * calls them through pointers under their own names:
 *
 *   #define XML_FUNCS(X) X(xmlReadMemory) X(xmlFreeDoc)
 *   static struct { XML_FUNCS(CR_LAZY_POINTER) } xml;
 *   static cr_lazylib xml_lib = {"libxml2.so.2", {XML_FUNCS(CR_LAZY_NAME) NULL}, (void **)&xml};
 *   ... if (cr_lazylib_load(&xml_lib, err, size)) fail;
 *   #define xmlReadMemory (*xml.xmlReadMemory)
 *
 * Pure C, no Lua.  Not thread-safe: load before starting threads that call. */
#ifndef CORPUSRUN_LAZYLIB_H
#define CORPUSRUN_LAZYLIB_H

#include <stddef.h>

#define CR_LAZY_POINTER(f) __typeof__(f) *f;
#define CR_LAZY_NAME(f) #f,
#define CR_LAZY_MAX 32

typedef struct cr_lazylib {
    const char *soname;
    const char *names[CR_LAZY_MAX + 1];   /* NULL-terminated */
    void **fns;      /* a struct of as many function pointers, in that order */
    void *handle;    /* once loaded */
    int failed;      /* a load failed: later ones fail at once, with err */
    char err[256];
} cr_lazylib;

/* Opens lib (once) and fills its pointers; 0, or -1 with why (naming the
 * library) in err (errsize bytes, NUL-terminated). */
int cr_lazylib_load(cr_lazylib *lib, char *err, size_t errsize);

#endif
