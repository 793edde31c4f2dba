/* query_cqp.c — the query language (cqp.c) over documents in memory
 * (cpos_mem.c): parsing, errors with their byte, the lexicons in byte
 * order, and hits by strategy on small hand-made texts. */
#include <stdio.h>
#include <string.h>

#include "buf.h"
#include "cpos_mem.h"
#include "cqp.h"
#include "tap.h"

static cp_corpus *corpus_of(const char *const *texts, size_t n) {
    cpm_builder *b = cpm_new(NULL);
    for (size_t i = 0; i < n; i++) {
        char id[16];
        snprintf(id, sizeof id, "d%zu", i + 1);
        const char *meta[2] = {"genre", i % 2 ? "fiction" : "news"};
        size_t mlen[2] = {5, strlen(meta[1])};
        cpm_doc d = {id, strlen(id), meta, mlen, 1};
        if (cpm_add_text(b, &d, texts[i], strlen(texts[i])) != CP_OK) return NULL;
    }
    return cpm_finish(b);
}

/* The hits of q as "start-end" pairs (target after '@'), space-separated. */
static const char *hits_of(cp_corpus *c, const char *q, cqp_strategy st) {
    static char out[4096];
    cqp_error err;
    cqp_query *p = cqp_parse(q, strlen(q), &err);
    if (!p) {
        snprintf(out, sizeof out, "parse error at %zu: %s", err.offset, err.msg);
        return out;
    }
    cqp_hits h = {0};
    if (cqp_run(p, c, st, &h, &err) != 0) {
        snprintf(out, sizeof out, "error at %zu: %s", err.offset, err.msg);
        cqp_free(p);
        return out;
    }
    size_t w = 0;
    out[0] = 0;
    for (size_t i = 0; i < h.n && w + 64 < sizeof out; i++) {
        w += (size_t)snprintf(out + w, sizeof out - w, "%s%lld-%lld", i ? " " : "", (long long)h.start[i],
                              (long long)h.end[i]);
        if (h.target[i] >= 0) w += (size_t)snprintf(out + w, sizeof out - w, "@%lld", (long long)h.target[i]);
    }
    cqp_hits_free(&h);
    cqp_free(p);
    return out;
}

static void parse_error(const char *q, size_t offset, const char *part) {
    cqp_error err;
    cqp_query *p = cqp_parse(q, strlen(q), &err);
    ok(!p && err.offset == offset && strstr(err.msg, part), "error in <%s> at byte %zu (%s): got %zu %s", q, offset,
       part, err.offset, err.msg);
    cqp_free(p);
}

static void unparse_is(const char *q, const char *want) {
    cqp_error err;
    cqp_query *p = cqp_parse(q, strlen(q), &err);
    cr_buf b = CR_BUF_INIT;
    if (p) cqp_unparse(p, &b);
    is_str(p ? b.data : err.msg, want, "parse of <%s>", q);
    cr_buf_free(&b);
    cqp_free(p);
}

int main(void) {
    /* parsing */
    unparse_is("\"the\"", "[word=\"the\"]");
    unparse_is("[pos=\"JJ.*\" & !word!='x'%cd] \"house\"%c", "([(pos=\"JJ.*\" & !word!=\"x\"%cd)] [word=\"house\"%c])");
    unparse_is("(?longest) \"a\" ([] | \"b\"{2,})? @[] <s> </text> within s;",
               "(?longest) ([word=\"a\"] ([] | [word=\"b\"]{2,}){0,1} @[] <s> </text>) within s");
    unparse_is("<text_genre=\"news\"> [] :: match.text_genre!=\"x\" & !match.s_id=\"1\" within 10 cut 5",
               "(<text_genre=\"news\"> []) :: (match.text_genre!=\"x\" & !match.s_id=\"1\") within 10 cut 5");
    unparse_is("\"a\\\"b\" # comment\n", "[word=\"a\\\"b\"]");
    parse_error("[word=\"x\"", 9, "expected ']'");
    parse_error("\"abc", 0, "not closed");
    parse_error("[word=\"x\"%q]", 10, "unknown flag");
    parse_error("\"a\"{3,2}", 3, "maximum is below");
    parse_error("@(\"a\" \"b\")", 0, "'@' marks a token");
    parse_error("<s>*", 3, "cannot be repeated");
    parse_error("\"a\" within", 10, "after 'within'");
    parse_error("", 0, "expected a token");
    parse_error("(?fastest) \"a\"", 2, "unknown matching strategy");
    parse_error("\"a\" :: genre=\"x\"", 7, "match.");
    parse_error("\"a\" foo", 4, "unexpected word");
    {
        cqp_error err;
        ok(!cqp_parse("\"a\0b\"", 5, &err) && err.offset == 2 && strstr(err.msg, "NUL"), "a NUL byte in a string: %s", err.msg);
    }

    static const char *texts[] = {
        "The old man saw the old house. The man left.",
        "An old old tree stood there.",
        "Caf\xc3\xa9 cafe CAFE caf\xc3\xa9s.",
    };
    cp_corpus *c = corpus_of(texts, 3);
    ok(c != NULL, "corpus built");
    if (!c) return tap_done();
    is_int(c->size, 12 + 7 + 5, "tokens");
    int w = cp_attr(c, "word");
    is_int(w, 0, "word is attribute 0");
    ok(cp_attr(c, "lower") > 0 && cp_attr(c, "key") > 0, "lower and key");
    /* lexicon in byte order */
    int sorted = 1;
    for (cp_id i = 1; i < c->ops->lex_size(c, w); i++) {
        size_t la, lb;
        const char *a = c->ops->lex_str(c, w, i - 1, &la), *b = c->ops->lex_str(c, w, i, &lb);
        int r = memcmp(a, b, la < lb ? la : lb);
        if (r > 0 || (r == 0 && la >= lb)) sorted = 0;
    }
    ok(sorted, "lexicon in byte order, shorter first");
    cp_id the = c->ops->lex_find(c, w, "the", 3);
    ok(the >= 0 && c->ops->lex_freq(c, w, the) == 1, "lex_find and lex_freq");
    is_int(c->ops->regions(c, cp_struct(c, "s")), 4, "sentences");
    size_t len;
    const char *g = c->ops->region_value(c, 0, 1, "genre", 5, &len);
    ok(g && len == 7 && memcmp(g, "fiction", 7) == 0, "text metadata");

    /* words and regular expressions: the whole value, over the lexicon */
    is_str(hits_of(c, "\"old\"", CQP_DEFAULT), "1-1 5-5 13-13 14-14", "a word");
    is_str(hits_of(c, "\"ol\"", CQP_DEFAULT), "", "anchored: no partial match");
    is_str(hits_of(c, "\"the\"%c", CQP_DEFAULT), "0-0 4-4 8-8", "flag c");
    is_str(hits_of(c, "[lower=\"the\"]", CQP_DEFAULT), "0-0 4-4 8-8", "lower");
    is_str(hits_of(c, "\"cafe\"%cd", CQP_DEFAULT), "19-19 20-20 21-21", "flags cd");
    is_str(hits_of(c, "\"cafe\"%d", CQP_DEFAULT), "20-20", "flag d");
    is_str(hits_of(c, "\"caf.*\"", CQP_DEFAULT), "20-20 22-22", "prefix range");
    is_str(hits_of(c, "\".\"%l", CQP_DEFAULT), "7-7 11-11 18-18 23-23", "flag l");
    is_str(hits_of(c, "[word!=\"old\" & lower=\"the|an\"]", CQP_DEFAULT), "0-0 4-4 8-8 12-12", "& and !=");
    /* sequences and strategies: CQP's example */
    is_str(hits_of(c, "\"the\"%c? \"old\"* \"man|house\"", CQP_STANDARD), "0-2 4-6 8-9", "standard");
    is_str(hits_of(c, "\"the\"%c? \"old\"* \"man|house\"", CQP_SHORTEST), "2-2 6-6 9-9", "shortest");
    is_str(hits_of(c, "\"the\"%c? \"old\"* \"man|house\"", CQP_LONGEST), "0-2 4-6 8-9", "longest");
    is_str(hits_of(c, "\"old\"+", CQP_STANDARD), "1-1 5-5 13-13 14-14", "standard + on repeats");
    is_str(hits_of(c, "\"old\"+", CQP_LONGEST), "1-1 5-5 13-14", "longest +");
    is_str(hits_of(c, "(?longest) \"old\"+", CQP_DEFAULT), "1-1 5-5 13-14", "(?longest)");
    is_str(hits_of(c, "\"old\"{2}", CQP_DEFAULT), "13-14", "{2}");
    is_str(hits_of(c, "[] @\"man\"", CQP_DEFAULT), "1-2@2 8-9@9", "target");
    is_str(hits_of(c, "\"saw\" []{0,3} \"house\"", CQP_DEFAULT), "3-6", "{0,3}");
    is_str(hits_of(c, "\"the\"%c | \"an\"%c \"old\"", CQP_DEFAULT), "0-0 4-4 8-8 12-13", "alternatives");
    /* structures */
    is_str(hits_of(c, "<s> []", CQP_DEFAULT), "0-0 8-8 12-12 19-19", "<s>");
    is_str(hits_of(c, "[] </s>", CQP_DEFAULT), "7-7 11-11 18-18 23-23", "</s>");
    is_str(hits_of(c, "\"house\" [] []", CQP_DEFAULT), "6-8", "across sentences");
    is_str(hits_of(c, "\"house\" [] [] within s", CQP_DEFAULT), "", "within s");
    is_str(hits_of(c, "\"there\" [] []", CQP_DEFAULT), "", "never across documents");
    is_str(hits_of(c, "<text_genre=\"fiction\"> []", CQP_DEFAULT), "12-12", "tag with a value");
    is_str(hits_of(c, "\"old\" :: match.text_genre=\"news\"", CQP_DEFAULT), "1-1 5-5", "global constraint");
    is_str(hits_of(c, "\"old\" cut 1", CQP_DEFAULT), "1-1", "cut");
    /* errors against the corpus */
    ok(strstr(hits_of(c, "[lemma=\"x\"]", CQP_DEFAULT), "error at 1: no attribute 'lemma'") != NULL,
       "unknown attribute: %s", hits_of(c, "[lemma=\"x\"]", CQP_DEFAULT));
    ok(strstr(hits_of(c, "\"a(\"", CQP_DEFAULT), "error at 3: in the regular expression") != NULL,
       "bad regex: %s", hits_of(c, "\"a(\"", CQP_DEFAULT));
    ok(strstr(hits_of(c, "\"a\"?", CQP_DEFAULT), "without a token") != NULL, "empty match refused");
    ok(strstr(hits_of(c, "\"a\"{100000}{100000}", CQP_DEFAULT), "too large") != NULL, "automaton size capped");
    ok(strstr(hits_of(c, "\"a\" within p", CQP_DEFAULT), "no structure 'p'") != NULL, "unknown structure");
    c->ops->close(c);
    return tap_done();
}
