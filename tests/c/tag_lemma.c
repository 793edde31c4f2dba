/* tag_lemma.c — the lemmatiser: WordNet's exceptions and rules under the
 * tag, what WordNet lacks (be, have, do, modals, pronouns, contractions,
 * possessives), proper nouns as written, unknown words by rule. */
#include "lemma.h"
#include "tap.h"

#include <string.h>

static void L(const char *word, const char *tag, const char *want) {
    char out[256];
    size_t n = lemma_of(word, strlen(word), tag, out);
    ok(n == strlen(out), "%s/%s: the length returned is the lemma's", word, tag);
    if (!ok(strcmp(out, want) == 0, "%s/%s -> %s", word, tag, want)) printf("#      got: \"%s\"\n", out);
}

int main(void) {
    /* WordNet's exception lists */
    L("said", "vbd", "say");
    L("went", "vbd", "go");
    L("children", "nns", "child");
    L("mice", "nns", "mouse");
    L("better", "jjr", "good");
    L("best", "rbt", "well");
    L("faster", "rbr", "fast");
    /* WordNet's rules, checked against its index */
    L("dogs", "nns", "dog");
    L("churches", "nns", "church");
    L("cities", "nns", "city");
    L("women", "nns", "woman");
    L("boxes", "nns", "box");
    L("making", "vbg", "make");
    L("walked", "vbd", "walk");
    L("hoped", "vbn", "hope");
    L("tries", "vbz", "try");
    L("larger", "jjr", "large");
    L("Biggest", "jjt", "big");
    /* the tag decides */
    L("news", "nn", "news");
    L("glasses", "nns", "glass");
    L("saw", "nn", "saw");
    L("saw", "vbd", "see");
    L("her", "ppo", "she");
    L("her", "pp$", "her");
    /* unknown words, by rule */
    L("blorps", "nns", "blorp");
    L("frobbed", "vbd", "frob");
    L("zorching", "vbg", "zorch");
    /* auxiliaries, modals, pronouns */
    L("was", "bedz", "be");
    L("Is", "bez", "be");
    L("been", "ben", "be");
    L("had", "hvd", "have");
    L("does", "doz", "do");
    L("could", "md", "could");
    L("me", "ppo", "I");
    L("them", "ppo", "they");
    L("I", "ppss", "I");
    L("The", "at", "the");
    L("not", "*", "not");
    /* contractions: one token, two words */
    L("didn't", "dod*", "do not");
    L("can't", "md*", "can not");
    L("won't", "md*", "will not");
    L("isn't", "bez*", "be not");
    L("don\xE2\x80\x99t", "do*", "do not");
    L("cannot", "md*", "can not");
    L("he's", "pps+bez", "he be");
    L("it's", "pps+hvz", "it have");
    L("I'll", "ppss+md", "I will");
    L("we're", "ppss+ber", "we be");
    L("I'm", "ppss+bem", "I be");
    L("you've", "ppss+hv", "you have");
    L("they'd", "ppss+hvd", "they have");
    L("she'd", "pps+md", "she would");
    L("let's", "vb+ppo", "let we");
    L("that's", "dt+bez", "that be");
    /* possessives, proper nouns */
    L("Atlanta's", "np$", "Atlanta");
    L("Atlanta", "np", "Atlanta");
    L("Smiths", "nps", "Smiths");
    L("dog's", "nn$", "dog");
    L("men's", "nns$", "man");
    L("Co.", "np", "Co.");
    /* nothing to do */
    L("quickly", "rb", "quickly");
    L(",", ",", ",");
    L("", "nn", "");
    /* a very long word is kept, not cut */
    char lw[600];
    memset(lw, 'a', sizeof lw - 2);
    lw[sizeof lw - 2] = 's';
    lw[sizeof lw - 1] = 0;
    char out[600 + LEMMA_EXTRA];
    size_t n = lemma_of(lw, strlen(lw), "nns", out);
    ok(n == strlen(lw) && out[n] == 0, "a 599-byte word is lowercased and kept whole");
    return tap_done();
}
