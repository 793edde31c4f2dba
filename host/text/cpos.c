/* cpos.c — what every kind of positional corpus shares (cpos.h). */
#include "cpos.h"

#include <stdlib.h>
#include <string.h>

#include "grow.h"

static int find_name(const char *const *names, int n, const char *name) {
    for (int i = 0; i < n; i++)
        if (strcmp(names[i], name) == 0) return i;
    return -1;
}

int cp_attr(const cp_corpus *c, const char *name) {
    int a = find_name(c->attrs, c->nattrs, name);
    if (a < 0 && strcmp(name, "pos") == 0) { /* CWB's name for the tag */
        a = find_name(c->attrs, c->nattrs, "xpos");
        if (a < 0) a = find_name(c->attrs, c->nattrs, "tag");
    }
    return a;
}

int cp_struct(const cp_corpus *c, const char *name) { return find_name(c->structs, c->nstructs, name); }

int cp_posvec_push(cp_posvec *v, cp_pos p) {
    if (v->n == v->cap) {
        cp_pos *g = cr_grow(v->v, &v->cap, v->n + 1, sizeof *v->v, 256);
        if (!g) return CP_ENOMEM;
        v->v = g;
    }
    v->v[v->n++] = p;
    return CP_OK;
}

void cp_posvec_free(cp_posvec *v) {
    free(v->v);
    v->v = NULL;
    v->n = v->cap = 0;
}
