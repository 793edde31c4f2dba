/* ftstok.c — the `corpusrun` FTS5 tokenizer: cr_tokenizer segments, then
 * cr_normalize at the chosen level; FTS5 gets the normalised bytes with the
 * token's byte span in the original text (for highlight and snippet). */
#include <stdlib.h>
#include <string.h>

#include "ftstok.h"
#include "textopts.h"
#include "tokenizer.h"

/* FTS5 refuses nothing, but very long tokens are useless as terms and
 * costly in the index: cut them at this many bytes, on a character start. */
#define MAX_TERM_BYTES 4096

typedef struct ftstok {
    cr_tokenizer_opts opts;
    cr_norm_level level;
} ftstok;

unsigned cr_fts5_default_kinds(void) {
    unsigned all = 0;
    for (int k = 0; k < CR_TOK__COUNT; k++) all |= CR_KIND_BIT(k);
    return all & ~(CR_KIND_BIT(CR_TOK_PUNCT) | CR_KIND_BIT(CR_TOK_SYMBOL) | CR_KIND_BIT(CR_TOK_SPACE));
}

/* Arguments come in name/value pairs, the tokeniser options of
 * textopts.h: the names, values and defaults of every tokenising function
 * (kinds here default to cr_fts5_default_kinds, level to key). */
static int tok_create(void *ctx, const char **argv, int argc, Fts5Tokenizer **out) {
    (void)ctx;
    *out = NULL;
    if (argc % 2) return SQLITE_ERROR;
    cr_textopts o;
    cr_textopts_default(&o);
    o.kinds = cr_fts5_default_kinds();
    o.level = CR_NORM_KEY;
    for (int i = 0; i < argc; i += 2)
        if (cr_textopts_set(&o, argv[i], argv[i + 1], NULL, 0) != 0) return SQLITE_ERROR;
    ftstok *t = (ftstok *)malloc(sizeof *t);
    if (!t) return SQLITE_NOMEM;
    t->opts = o.tok;
    t->opts.kinds = o.kinds;
    t->opts.sentences = 0;
    t->level = o.level;
    *out = (Fts5Tokenizer *)t;
    return SQLITE_OK;
}

static void tok_delete(Fts5Tokenizer *p) {
    free(p);
}

static int tok_tokenize(Fts5Tokenizer *p, void *ctx, int flags, const char *text, int len,
                        int (*emit)(void *, int, const char *, int, int, int)) {
    (void)flags;
    ftstok *t = (ftstok *)p;
    if (len <= 0 || !text) return SQLITE_OK;
    cr_tokenizer it;
    cr_token tok;
    cr_buf buf = { 0 };
    int rc = SQLITE_OK;
    cr_tokenizer_init(&it, text, (size_t)len, &t->opts);
    while (rc == SQLITE_OK && cr_tokenizer_next(&it, &tok)) {
        if (cr_normalize(&buf, text + tok.start, tok.stop - tok.start, t->level) != 0) {
            rc = SQLITE_NOMEM;
            break;
        }
        size_t n = buf.len;
        if (n > MAX_TERM_BYTES) {
            n = MAX_TERM_BYTES;
            while (n > 0 && ((unsigned char)buf.data[n] & 0xC0) == 0x80) n--;
        }
        if (n == 0) continue;
        rc = emit(ctx, 0, buf.data, (int)n, (int)tok.start, (int)tok.stop);
    }
    cr_buf_free(&buf);
    return rc;
}

static fts5_api *fts5_api_of(sqlite3 *db) {
    fts5_api *api = NULL;
    sqlite3_stmt *st = NULL;
    if (sqlite3_prepare_v2(db, "SELECT fts5(?1)", -1, &st, NULL) != SQLITE_OK) return NULL;
    if (sqlite3_bind_pointer(st, 1, (void *)&api, "fts5_api_ptr", NULL) == SQLITE_OK) sqlite3_step(st);
    sqlite3_finalize(st);
    return api;
}

int cr_fts5_register(sqlite3 *db) {
    fts5_api *api = fts5_api_of(db);
    if (!api || api->iVersion < 2) return SQLITE_ERROR;
    fts5_tokenizer tk = { tok_create, tok_delete, tok_tokenize };
    return api->xCreateTokenizer(api, CR_FTS5_TOKENIZER, NULL, &tk, NULL);
}
