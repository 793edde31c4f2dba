/* tok_tokenizer.c — golden cases of the tailored tokenizer and its options. */
#include <stdlib.h>
#include <string.h>

#include "tap.h"
#include "tokenizer.h"
#include "wordbreak.h"

static char out[1 << 16];

/* "text/kind text/kind ..." for the tokens of s under opts. */
static const char *toks_len(const char *s, size_t len, const cr_tokenizer_opts *opts) {
    cr_tokenizer t;
    cr_token tok;
    size_t o = 0;
    cr_tokenizer_init(&t, s, len, opts);
    out[0] = 0;
    while (cr_tokenizer_next(&t, &tok) && o < sizeof out - 256) {
        if (tok.stop <= tok.start || tok.stop > len) return "BAD SPAN";
        o += (size_t)snprintf(out + o, sizeof out - o, "%s%.*s/%s", o ? " " : "",
                              (int)(tok.stop - tok.start), s + tok.start, cr_token_kind_name(tok.kind));
    }
    return out;
}
static const char *toks(const char *s, const cr_tokenizer_opts *opts) { return toks_len(s, strlen(s), opts); }

/* "text|text|..." sentences of s by the tokenizer's sentence rules. */
static const char *sents(const char *s, const cr_tokenizer_opts *opts) {
    cr_tokenizer t;
    size_t o = 0, len = strlen(s), pos = 0;
    cr_tokenizer_init(&t, s, len, opts);
    out[0] = 0;
    while (pos < len) {
        size_t e = cr_tokenizer_sentence_end(&t, pos);
        o += (size_t)snprintf(out + o, sizeof out - o, "%s%.*s", o ? "|" : "", (int)(e - pos), s + pos);
        pos = e;
    }
    return out;
}

/* Sentence index of each token: "word:0 word:1 ...". */
static const char *sent_index(const char *s) {
    cr_tokenizer_opts o;
    cr_tokenizer_opts_default(&o);
    o.sentences = 1;
    cr_tokenizer t;
    cr_token tok;
    size_t n = 0;
    cr_tokenizer_init(&t, s, strlen(s), &o);
    while (cr_tokenizer_next(&t, &tok))
        n += (size_t)snprintf(out + n, sizeof out - n, "%s%.*s:%zu", n ? " " : "",
                              (int)(tok.stop - tok.start), s + tok.start, tok.sentence);
    return out;
}

int main(void) {
    cr_tokenizer_opts d, o;
    cr_tokenizer_opts_default(&d);
    diag("golden cases of the tailored tokenizer");

    /* Kind names. */
    is_str(cr_token_kind_name(CR_TOK_HASHTAG), "hashtag", "kind name");
    is_int(cr_token_kind_from_name("emoji"), CR_TOK_EMOJI, "kind from name");
    is_int(cr_token_kind_from_name("nope"), -1, "unknown kind name");
    ok(cr_token_kind_name(CR_TOK__COUNT) == NULL, "kind out of range");

    /* The sample corpus's hard cases. */
    is_str(toks("Iran’s Zakani’s heir-apparent Défi", &d),
           "Iran’s/word Zakani’s/word heir-apparent/word Défi/word", "possessives kept, compound joined");
    is_str(toks("“30, 000” and 1,000 or 3.5", &d),
           "“/punct 30/number ,/punct 000/number ”/punct and/word 1,000/number or/word 3.5/number",
           "numbers as UAX #29 makes them, curly quotes apart");
    is_str(toks("2-3 minutes, ten-point plan, COVID-19", &d),
           "2/number -/punct 3/number minutes/word ,/punct ten-point/word plan/word ,/punct COVID-19/word",
           "digit ranges apart, compounds with a letter joined");
    is_str(toks("mother-in-law 1990-91 a–b c—d", &d),
           "mother-in-law/word 1990/number -/punct 91/number a/word –/punct b/word c/word —/punct d/word",
           "chains join, en and em dashes never");
    is_str(toks("14184314_1305892856128237_9025277871120378146_n.jpg snake_case", &d),
           "14184314_1305892856128237_9025277871120378146_n.jpg/id snake_case/id", "ids");
    is_str(toks("U.S. and U.N. forces, e.g. this. A.", &d),
           "U.S./word and/word U.N./word forces/word ,/punct e.g./word this/word ./punct A/word ./punct",
           "acronyms keep their final period");
    is_str(toks("a Ph.D. and M.Sc. or U.S.A. (i.e. so) etc. end.Next. example.com. Ph.D, x.y", &d),
           "a/word Ph.D./word and/word M.Sc./word or/word U.S.A./word (/punct i.e./word so/word )/punct "
           "etc/word ./punct end.Next/word ./punct example.com/word ./punct Ph.D/word ,/punct x.y/word",
           "dotted abbreviations (groups of one to three letters) keep their final period, as acronyms do");

    /* URLs, e-mail, mentions, hashtags, emoji. */
    is_str(toks("See https://example.com/a_(b)?q=1. Or www.x.org/path, (http://y.com/z).", &d),
           "See/word https://example.com/a_(b)?q=1/url ./punct Or/word www.x.org/path/url ,/punct "
           "(/punct http://y.com/z/url )/punct ./punct", "urls without trailing punctuation");
    is_str(toks("Mail jane.doe+x@mail.example.org. foo@bar", &d),
           "Mail/word jane.doe+x@mail.example.org/email ./punct foo/word @/punct bar/word",
           "emails; no mention right after a word");
    is_str(toks("@Zakani said #Iran2024 #1 a@b x#y", &d),
           "@Zakani/mention said/word #Iran2024/hashtag #/punct 1/number a/word @/punct b/word x/word #/punct y/word",
           "mentions and hashtags");
    is_str(toks("ok 👍🏽 🇫🇷🇧🇪 👨‍👩‍👧 1️⃣ ☺ © ❤️", &d),
           "ok/word 👍🏽/emoji 🇫🇷/emoji 🇧🇪/emoji 👨‍👩‍👧/emoji 1️⃣/emoji ☺/symbol ©/symbol ❤️/emoji",
           "emoji: modifiers, flags, ZWJ sequences, keycaps whole");
    is_str(toks("$5 + 3% § ½", &d), "$/symbol 5/number +/symbol 3/number %/punct §/punct ½/number",
           "symbols and punctuation");
    is_str(toks("東京は晴れ カタカナ", &d), "東/word 京/word は/word 晴/word れ/word カタカナ/word",
           "ideographs and kana as UAX #29 makes them");

    /* Options. */
    o = d; o.possessive = CR_POSSESSIVE_STRIP;
    is_str(toks("Iran’s Jones's it's ʼs", &o), "Iran/word Jones/word it/word ʼs/word", "possessive strip");
    o = d; o.possessive = CR_POSSESSIVE_SPLIT;
    is_str(toks("Iran’s Jones's", &o), "Iran/word ’s/word Jones/word 's/word", "possessive split");
    o = d; o.hyphens = CR_HYPHENS_SPLIT;
    is_str(toks("heir-apparent", &o), "heir/word -/punct apparent/word", "hyphens split");
    o = d; o.lang = "fr";
    is_str(toks("l’Iran d'abord jusqu’ici aujourd’hui", &o),
           "l’/word Iran/word d'/word abord/word jusqu’/word ici/word aujourd’hui/word", "French elisions by lang");
    o = d; o.elisions = 1;
    is_str(toks("l’Iran’s", &o), "l’/word Iran’s/word", "elisions asked for");
    is_str(toks("l’Iran", &d), "l’Iran/word", "no elisions by default");
    o = d; o.spaces = 1;
    is_str(toks("a  b\r\nc\u2028d\te", &o), "a/word   /space b/word \r\n/space c/word \u2028/space d/word \t/space e/word",
           "spaces when asked, CRLF whole, U+2028");
    o = d; o.kinds = CR_KINDS_WORDS;
    is_str(toks("Hi, 2 you! @me", &o), "Hi/word 2/number you/word", "kinds filter");
    o = d; o.urls = o.emails = o.mentions = o.hashtags = 0;
    is_str(toks("www.x.org @me #t a@b.cd", &o),
           "www.x.org/word @/punct me/word #/punct t/word a/word @/punct b.cd/word", "tailoring switches");
    o = d; o.tailor = 0;
    is_str(toks("heir-apparent U.S. @me can't", &o),
           "heir/word -/punct apparent/word U.S/word ./punct @/punct me/word can't/word", "tailor off: plain UAX #29");

    /* Sentences. */
    is_str(sents("Mr. Van Rompuy met Dr. Masoud Kashfi at the U.N. Human Rights Council. "
                 "It was in 2015 alone. He said so.", &d),
           "Mr. Van Rompuy met Dr. Masoud Kashfi at the U.N. Human Rights Council. |It was in 2015 alone. |He said so.",
           "abbreviations and acronyms stay inside the sentence");
    is_str(sents("She has a Ph.D. from Leiden, e.g. in law. It ended.", &d),
           "She has a Ph.D. from Leiden, e.g. in law. |It ended.",
           "a dotted abbreviation does not end a sentence, as a dotted acronym does not");
    is_str(sents("Turn left at the end.Next time. Done.", &d), "Turn left at the end.Next time. |Done.",
           "longer groups are no abbreviation");
    is_str(sents("M. Dupont et Mme. Martin. Dhr. Jansen zei: ja! Echt? Ja.\n\nNieuw.", &d),
           "M. Dupont et Mme. Martin. |Dhr. Jansen zei: ja! |Echt? |Ja.\n\n|Nieuw.",
           "French and Dutch abbreviations; blank lines stay with their sentence");
    o = d; o.lang = "en";
    is_str(sents("See Mme. Curie. Then Mr. X.", &o), "See Mme. |Curie. |Then Mr. X.", "lang selects a list");
    o = d; o.tailor = 0;
    is_str(sents("Mr. Van Rompuy.\n\nHi.", &o), "Mr. |Van Rompuy.\n|\n|Hi.", "tailor off: plain UAX #29");
    is_str(sent_index("One. Two three. Four"), "One:0 .:0 Two:1 three:1 .:1 Four:2", "sentence index on tokens");
    is_str(sent_index("A.\n\n\nB."), "A:0 .:0 B:1 .:1", "blank lines do not count as sentences");
    is_str(sent_index("\n\n  One. Two."), "One:0 .:0 Two:1 .:1", "leading blank lines belong to the first sentence");
    is_str(sents("\n\nOne. Two.", &d), "\n\nOne. |Two.", "leading whitespace starts the first sentence");

    /* Robustness. */
    is_str(toks("", &d), "", "empty input");
    is_str(toks_len("ab\xff" "cd \xe2\x82", 8, &d), "ab/word \xff/symbol cd/word \xe2/symbol \x82/symbol",
           "invalid UTF-8: one bad byte at a time, offsets kept");
    is_str(toks_len("a\0b", 3, &d), "a/word /symbol b/word", "NUL byte is a symbol (printed empty)");
    is_str(toks("Cafe\xcc\x81 na\xc3\xafve", &d), "Cafe\xcc\x81/word na\xc3\xafve/word", "NFD input stays one word");
    {
        size_t n = 10u << 20;
        char *big = malloc(n + 1);
        ok(big != NULL, "10 MB buffer");
        if (big) {
            memset(big, 'x', n);
            big[n] = 0;
            cr_tokenizer t;
            cr_token tok;
            cr_tokenizer_init(&t, big, n, &d);
            int got = cr_tokenizer_next(&t, &tok);
            ok(got && tok.start == 0 && tok.stop == n && tok.kind == CR_TOK_WORD, "a 10 MB single token");
            ok(!cr_tokenizer_next(&t, &tok), "and nothing after it");
            free(big);
        }
    }
    {
        /* Every token's span is inside the text and they never overlap. */
        const char *s = "x\xe2\x80\x8d\xf0\x9f\x91\x8d\xcc\x81--\xef\xbc\x83tag '\xe2\x80\x99s http:// @ # .";
        cr_tokenizer t;
        cr_token tok;
        size_t last = 0;
        int good = 1;
        o = d; o.spaces = 1;
        cr_tokenizer_init(&t, s, strlen(s), &o);
        while (cr_tokenizer_next(&t, &tok)) {
            if (tok.start != last || tok.stop <= tok.start) good = 0;
            last = tok.stop;
        }
        ok(good && last == strlen(s), "tokens with spaces tile the text exactly");
    }
    return tap_done();
}
