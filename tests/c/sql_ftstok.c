/* The corpusrun FTS5 tokenizer on its own: registration, default terms,
 * options, bad options, and highlight spans in the original text. */
#include <sqlite3.h>
#include <stdio.h>
#include <string.h>

#include "ftstok.h"
#include "tap.h"

static sqlite3 *db;

static int exec(const char *sql) { return sqlite3_exec(db, sql, NULL, NULL, NULL); }

/* The terms of table t's row 1 in offset order, space-separated, into out. */
static void terms(const char *vocab, char *out, size_t cap) {
    char sql[256];
    sqlite3_stmt *st;
    out[0] = 0;
    snprintf(sql, sizeof sql, "SELECT term FROM %s ORDER BY offset", vocab);
    if (sqlite3_prepare_v2(db, sql, -1, &st, NULL) != SQLITE_OK) return;
    size_t used = 0;
    while (sqlite3_step(st) == SQLITE_ROW) {
        const char *t = (const char *)sqlite3_column_text(st, 0);
        int n = snprintf(out + used, cap - used, "%s%s", used ? " " : "", t);
        if (n < 0 || (size_t)n >= cap - used) break;
        used += (size_t)n;
    }
    sqlite3_finalize(st);
}

static const char *first_text(const char *sql, char *out, size_t cap) {
    sqlite3_stmt *st;
    out[0] = 0;
    if (sqlite3_prepare_v2(db, sql, -1, &st, NULL) != SQLITE_OK) return out;
    if (sqlite3_step(st) == SQLITE_ROW) snprintf(out, cap, "%s", (const char *)sqlite3_column_text(st, 0));
    sqlite3_finalize(st);
    return out;
}

int main(void) {
    char buf[1024];
    ok(sqlite3_open(":memory:", &db) == SQLITE_OK, "open");
    is_int(cr_fts5_register(db), SQLITE_OK, "register the tokenizer");
    is_int(exec("CREATE VIRTUAL TABLE t USING fts5(x, tokenize = 'corpusrun');"
                "CREATE VIRTUAL TABLE tv USING fts5vocab(t, 'instance');"
                "INSERT INTO t VALUES ('Iran’s Défi: heir-apparent, 2-3 U.N. @Zakani!')"), SQLITE_OK,
           "an FTS5 table with the default options");
    terms("tv", buf, sizeof buf);
    is_str(buf, "iran defi heir-apparent 2 3 u.n. @zakani", "default: key level, no punctuation");
    is_str(first_text("SELECT highlight(t, 0, '[', ']') FROM t WHERE t MATCH 'iran AND defi'", buf, sizeof buf),
           "[Iran’s] [Défi]: heir-apparent, 2-3 U.N. @Zakani!", "highlight spans are the original bytes");
    is_int(exec("CREATE VIRTUAL TABLE c USING fts5(x, tokenize = 'corpusrun level casefold possessive split kinds word');"
                "CREATE VIRTUAL TABLE cv USING fts5vocab(c, 'instance');"
                "INSERT INTO c VALUES ('Iran’s Défi 2015')"), SQLITE_OK, "options pass through");
    terms("cv", buf, sizeof buf);
    is_str(buf, "iran ’s défi", "casefold, possessive split, words only");
    ok(exec("CREATE VIRTUAL TABLE b1 USING fts5(x, tokenize = 'corpusrun level loud')") != SQLITE_OK,
       "an unknown level is refused");
    ok(exec("CREATE VIRTUAL TABLE b2 USING fts5(x, tokenize = 'corpusrun frob 1')") != SQLITE_OK,
       "an unknown option is refused");
    ok(exec("CREATE VIRTUAL TABLE b3 USING fts5(x, tokenize = 'corpusrun possessive')") != SQLITE_OK,
       "an option without value is refused");
    is_int(exec("INSERT INTO t VALUES (''); INSERT INTO t VALUES (NULL)"), SQLITE_OK, "empty and NULL texts");
    sqlite3_close(db);
    return tap_done();
}
