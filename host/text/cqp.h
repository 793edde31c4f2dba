/* cqp.h — a subset of CQP's query language (the IMS Open Corpus Workbench)
 * with CQP's meaning, evaluated over a corpus seen as token positions
 * (cpos.h).  Pure C; regular expressions by PCRE2, run over lexicons, never
 * over the text.  docs/api/query.md is the user's description.
 *
 *   query      := ["(?" strategy ")"] alts [":: " gconstraint] ["within" (NAME | N)] ["cut" N] [";"]
 *   alts       := seq ("|" seq)*
 *   seq        := item+
 *   item       := ["@"] atom [quant]
 *   atom       := "[" [bool] "]" | STRING flags | "(" alts ")" | "<" NAME [("_" KEY)? "=" STRING flags] ">" | "</" NAME ">"
 *   quant      := "?" | "*" | "+" | "{" n "}" | "{" n "," [m] "}" | "{" "," m "}"
 *   bool       := term ("|" term)*   term := factor ("&" factor)*
 *   factor     := "!" factor | "(" bool ")" | NAME ("=" | "!=") STRING flags
 *   gconstraint: the same with tests "match." STRUCT "_" KEY ("=" | "!=") STRING flags
 *   flags      := ("%" [cdl]+)?
 * A STRING is a PCRE2 regular expression matched against the whole value
 * ("..." or '...'; a backslash keeps the next character, the delimiter
 * included); %c ignores case, %d diacritics, %l takes it literally.
 *
 * Matching follows CQP: from each start position the shortest (standard,
 * shortest) or longest (longest) match; then shortest keeps the matches that
 * hold no other, longest those no other holds, and standard, CQP's default,
 * the earliest start of matches ending at the same token.  A match never
 * crosses a document and, without "within", is at most 500 tokens long
 * (CQP's HardBoundary).  A match's target is the leftmost position an
 * "@"-marked token takes in a reading of the match, or -1. */
#ifndef CORPUSRUN_CQP_H
#define CORPUSRUN_CQP_H

#include <stddef.h>

#include "cpos.h"

typedef enum cqp_strategy {
    CQP_STANDARD = 0,
    CQP_SHORTEST,
    CQP_LONGEST,
    CQP_DEFAULT = -1   /* the query's "(?...)" modifier, else standard */
} cqp_strategy;

/* Strategy by name ("standard", "shortest", "longest"); -2 when unknown. */
int cqp_strategy_from_name(const char *name);
const char *cqp_strategy_name(cqp_strategy s);

/* Where and why a query failed: offset is the byte of the query the problem
 * is at (its length when at the end). */
typedef struct cqp_error {
    size_t offset;
    char msg[200];
} cqp_error;

typedef struct cqp_query cqp_query;

/* Parses q[0..len) (any bytes).  NULL with *err filled when the query is
 * malformed or memory runs out (offset 0, "out of memory"). */
cqp_query *cqp_parse(const char *q, size_t len, cqp_error *err);
void cqp_free(cqp_query *q);

/* The parsed query written back in a canonical form (fully parenthesised
 * groups, flags sorted) into out, NUL-terminated; 0, or -1 when out of
 * memory.  For tests and error messages. */
struct cr_buf;
int cqp_unparse(const cqp_query *q, struct cr_buf *out);

/* The strategy the query sets itself ("(?longest)"), else CQP_DEFAULT. */
cqp_strategy cqp_query_strategy(const cqp_query *q);

/* The attribute names a query uses, for checks before it runs: calls fn for
 * each token test's attribute and each structure (within, tags, match.X). */
void cqp_names(const cqp_query *q, void (*fn)(void *ud, int is_struct, const char *name), void *ud);

/* The hits of a query: matches [start, end] (end inclusive, as CQP's
 * matchend), sorted by start then end, with their targets (-1: none). */
typedef struct cqp_hits {
    cp_pos *start, *end, *target;
    size_t n, cap;
} cqp_hits;

void cqp_hits_free(cqp_hits *h);
/* Appends one hit; 0, or -1 when out of memory (h unchanged). */
int cqp_hits_push(cqp_hits *h, cp_pos start, cp_pos end, cp_pos target);

/* Runs q over c.  strategy CQP_DEFAULT: the query's own, else standard.
 * Returns 0 with the hits appended to out; -1 with *err (an attribute or
 * structure the corpus lacks, a regular expression PCRE2 refuses — offset
 * in the query —, the query too large, out of memory, interrupted). */
int cqp_run(const cqp_query *q, const cp_corpus *c, cqp_strategy strategy, cqp_hits *out, cqp_error *err);

#endif
