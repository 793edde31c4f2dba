/* tokfast.h — the tokenizer's fast paths for plain ASCII text, as inline
 * pieces shared by the iterator (tokenizer.c) and the bulk counting loop
 * (countext.c), so that both take exactly the same tokens the same way.
 * Private to host/text; pure C, header only.
 *
 * A token the fast path takes is a run of ASCII letters and digits that
 * starts where a token search starts and is followed by a character that
 * ends a UAX #29 word after a letter or digit and that no tailoring rule
 * joins (cr_fast_word_ends), or a lone ASCII punctuation mark between
 * spaces (cr_fast_punct).  A run starting with h, w or f followed by t or w
 * may be a URL ("http://", "ftp://", "www."): the iterator tries its URL
 * rule first then.  Everything else goes to the general path.
 */
#ifndef CORPUSRUN_TOKFAST_H
#define CORPUSRUN_TOKFAST_H

#include <stddef.h>
#include <stdint.h>
#include <string.h>

/* ---- What a plain ASCII word is: the one definition ----------------------
 *
 * Every fast path (the iterator's in tokenizer.c, the segmenter's entry in
 * wordbreak.c, the counting loop and its 64-byte blocks in countext.c) and
 * the small helpers of tokenizer.c and sentbreak.c read the predicates
 * below or the tables built from them here; nothing spells the classes out
 * again.  The predicates are constant expressions, so the tables are built
 * by the compiler (tests/c/tok_fastpath.c checks them against the rules
 * written out independently). */

#define CR_ASCII_LETTER(c) (((c) | 32) >= 'a' && ((c) | 32) <= 'z')
#define CR_ASCII_DIGIT(c) ((c) >= '0' && (c) <= '9')
#define CR_ASCII_ALNUM(c) (CR_ASCII_LETTER(c) || CR_ASCII_DIGIT(c))
/* white space the iterator skips without segmenting: \t \n \v \f \r and space */
#define CR_ASCII_SPACE(c) \
    ((c) == ' ' || (c) == '\n' || (c) == '\t' || (c) == '\r' || (c) == '\v' || (c) == '\f')
/* printable ASCII that is no letter, digit or space */
#define CR_ASCII_PUNCT(c) ((c) > ' ' && (c) < 0x7f && !CR_ASCII_ALNUM(c))
/* the ASCII characters UAX #29 may join between letters or digits
 * (MidLetter, MidNum, MidNumLet, Single_Quote): . , ; : ' */
#define CR_ASCII_MID(c) ((c) == '.' || (c) == ',' || (c) == ';' || (c) == ':' || (c) == '\'')

/* ASCII characters after which a run of ASCII letters and digits is not
 * known to be a whole token: the ones UAX #29 may join to a letter or digit
 * (CR_ASCII_MID and ExtendNumLet's _), CR, and what starts an e-mail
 * address or a hyphen compound (@ % + -).  (Bytes >= 0x80 are not either:
 * Extend, Format, ZWJ, non-ASCII letters.) */
#define CR_FAST_JOIN(c) (CR_ASCII_MID(c) || (c) == '_' || (c) == '\r' || (c) == '@' || (c) == '%' \
                         || (c) == '+' || (c) == '-')
/* ASCII punctuation that is a token of its own when an ASCII character
 * that is no letter, digit or join (a space, say) stands on either side:
 * UAX #29 breaks around it and no tailoring rule starts with it. */
#define CR_FAST_PUNCT_CHAR(c) ((c) == '.' || (c) == ',' || (c) == ';' || (c) == ':' || (c) == '!' \
                               || (c) == '?' || (c) == '"' || (c) == '(' || (c) == ')')

/* A byte table of F(c) for c in 0x00..0x7f (bytes from 0x80 on are 0). */
#define CR_ASCII_ROW(F, r)                                                                         \
    F((r) * 16 + 0), F((r) * 16 + 1), F((r) * 16 + 2), F((r) * 16 + 3), F((r) * 16 + 4),         \
    F((r) * 16 + 5), F((r) * 16 + 6), F((r) * 16 + 7), F((r) * 16 + 8), F((r) * 16 + 9),         \
    F((r) * 16 + 10), F((r) * 16 + 11), F((r) * 16 + 12), F((r) * 16 + 13), F((r) * 16 + 14),    \
    F((r) * 16 + 15)
#define CR_ASCII_TABLE(F)                                                                          \
    CR_ASCII_ROW(F, 0), CR_ASCII_ROW(F, 1), CR_ASCII_ROW(F, 2), CR_ASCII_ROW(F, 3),              \
    CR_ASCII_ROW(F, 4), CR_ASCII_ROW(F, 5), CR_ASCII_ROW(F, 6), CR_ASCII_ROW(F, 7)

/* 1 for ASCII letters, 2 for ASCII digits, else 0. */
#define CR_FAST_PLAIN_OF(c) (CR_ASCII_LETTER(c) ? 1 : CR_ASCII_DIGIT(c) ? 2 : 0)
static const unsigned char cr_fast_plain[256] = { CR_ASCII_TABLE(CR_FAST_PLAIN_OF) };
static const unsigned char cr_fast_join[128] = { CR_ASCII_TABLE(CR_FAST_JOIN) };
static const unsigned char cr_fast_punct_char[128] = { CR_ASCII_TABLE(CR_FAST_PUNCT_CHAR) };

/* ASCII white space the iterator skips without segmenting (when space
 * tokens are not wanted). */
static inline int cr_fast_space(unsigned char c) { return CR_ASCII_SPACE(c); }
/* Whether the byte at j ends what came before it for the fast paths: the
 * end of the text, or a space, tab or line feed. */
static inline int cr_fast_plain_end(const unsigned char *s, size_t len, size_t j) {
    return j >= len || s[j] == ' ' || s[j] == '\n' || s[j] == '\t';
}

/* Whether the ASCII punctuation mark at a is a token by itself: an ASCII
 * character (or nothing) before it, a space or the end after it. */
static inline int cr_fast_punct(const unsigned char *s, size_t len, size_t a) {
    return s[a] < 0x80 && cr_fast_punct_char[s[a]] && (a == 0 || s[a - 1] < 0x80)
           && cr_fast_plain_end(s, len, a + 1);
}

/* The same decisions as a table, for loops that would rather look up than
 * branch (natural text makes such branches hard to predict):
 *   CR_FAST_ENDS: a run of letters and digits followed by this byte is a
 *     whole token (an ASCII byte that joins nothing);
 *   CR_FAST_MID: it is when the byte after this one is a CR_FAST_NOT_WORD
 *     (comma, semicolon, colon, apostrophe);
 *   CR_FAST_NOT_WORD: an ASCII byte that is no letter or digit;
 *   CR_FAST_DOT: the full stop, which ends the run when the byte after it
 *     is a CR_FAST_DOT_END;
 *   CR_FAST_DOT_END: a CR_FAST_NOT_WORD that is none of . _ % + - @;
 *   CR_FAST_URL1, CR_FAST_URL2: h w f and t w, the first and second
 *     letters of what may start a URL;
 *   CR_FAST_NEXT_OWN: an ASCII byte that is no white space (a single space
 *     before it ends there);
 *   CR_FAST_SKIP: ASCII punctuation and symbols that make a token of one
 *     byte wherever a token search starts at them, when the bytes on both
 *     sides are ASCII: UAX #29 joins them to nothing on their right (the
 *     rules that join such a mark need a letter or digit on its left, which
 *     would have taken it already) and no tailoring rule starts with them
 *     (not @ # _, which start mentions, hashtags and identifiers). */
enum {
    CR_FAST_ENDS = 1, CR_FAST_MID = 2, CR_FAST_NOT_WORD = 4, CR_FAST_URL1 = 8, CR_FAST_URL2 = 16,
    CR_FAST_NEXT_OWN = 32, CR_FAST_SKIP = 64, CR_FAST_DOT_END = 128, CR_FAST_DOT = 256
};
#define CR_FAST_BITS_OF(c)                                                                          \
    ((!CR_ASCII_ALNUM(c) && !CR_FAST_JOIN(c) ? CR_FAST_ENDS : 0)                                     \
     | ((c) == ',' || (c) == ';' || (c) == ':' || (c) == '\'' ? CR_FAST_MID : 0)                   \
     | (!CR_ASCII_ALNUM(c) ? CR_FAST_NOT_WORD : 0)                                                   \
     | (((c) | 32) == 'h' || ((c) | 32) == 'w' || ((c) | 32) == 'f' ? CR_FAST_URL1 : 0)             \
     | (((c) | 32) == 't' || ((c) | 32) == 'w' ? CR_FAST_URL2 : 0)                                  \
     | (!CR_ASCII_SPACE(c) ? CR_FAST_NEXT_OWN : 0)                                                   \
     | (CR_ASCII_PUNCT(c) && (c) != '@' && (c) != '#' && (c) != '_' ? CR_FAST_SKIP : 0)             \
     | (!CR_ASCII_ALNUM(c) && (c) != '.' && (c) != '_' && (c) != '%' && (c) != '+' && (c) != '-'     \
        && (c) != '@' ? CR_FAST_DOT_END : 0)                                                         \
     | ((c) == '.' ? CR_FAST_DOT : 0))
static const uint16_t cr_fast_bits[256] = { CR_ASCII_TABLE(CR_FAST_BITS_OF) };

/* cr_fast_word_ends without a branch, when i + 1 < len. */
static inline unsigned cr_fast_word_ends_at(const unsigned char *s, size_t i) {
    unsigned c = cr_fast_bits[s[i]], d = cr_fast_bits[s[i + 1]];
    return (c | ((c >> 1) & (d >> 2)) | ((c >> 8) & (d >> 7))) & 1;
}

/* Whether the run of letters and digits that ends at i (the first byte
 * after it) is a whole token:
 *   - the end of the text, or an ASCII character that ends a word and joins
 *     nothing;
 *   - a comma, semicolon, colon or apostrophe (UAX #29 MidNum, MidLetter,
 *     Single_Quote) followed by the end or by an ASCII character that is no
 *     letter or digit: those rules join only between letters or digits, and
 *     no tailoring rule starts at them;
 *   - a full stop followed likewise, and by none of . _ % + - @: then it
 *     ends no dotted abbreviation (the run has no full stop), and no e-mail
 *     address can go on through it. */
static inline int cr_fast_word_ends(const unsigned char *s, size_t len, size_t i) {
    if (i >= len) return 1;
    if (i + 1 < len) return (int)cr_fast_word_ends_at(s, i);
    /* the last byte of the text: nothing follows a mark that ends a word
     * only when no letter or digit follows it */
    return (cr_fast_bits[s[i]] & (CR_FAST_ENDS | CR_FAST_MID | CR_FAST_DOT)) != 0;
}

#define CR_FAST_ONES 0x0101010101010101ull
#define CR_FAST_HIGH 0x8080808080808080ull

/* Eight bytes w classified: the high bit of each byte of *letters, *digits
 * and *upper says whether it is an ASCII letter, digit or capital (computed
 * on the low seven bits, so that no sum carries into the next byte, then
 * bytes >= 0x80 are left out). */
static inline void cr_fast_classify8(uint64_t w, uint64_t *letters, uint64_t *digits, uint64_t *upper) {
    const uint64_t ones = CR_FAST_ONES, high = CR_FAST_HIGH;
    uint64_t w7 = w & ~high;
    uint64_t f = w7 | ones * 0x20; /* A-Z and a-z, and only they, fold into a-z */
    uint64_t l = (f + ones * (0x80 - 'a')) & ~(f + ones * (0x7f - 'z')) & ~w & high;
    *letters = l;
    *digits = (w7 + ones * (0x80 - '0')) & ~(w7 + ones * (0x7f - '9')) & ~w & high;
    *upper = l & ~(w << 2); /* bit 5 clear: a capital */
}

/* The end of the run of ASCII letters and digits from i; *acc gains 1 when
 * the run has a letter, 2 when it has a digit. */
static inline size_t cr_fast_run(const unsigned char *s, size_t len, size_t i, unsigned *acc) {
    unsigned x, m = *acc;
#if defined(__GNUC__) && __BYTE_ORDER__ == __ORDER_LITTLE_ENDIAN__
    while (i + 8 <= len) {
        uint64_t w, letters, digits, upper;
        memcpy(&w, s + i, 8);
        cr_fast_classify8(w, &letters, &digits, &upper);
        uint64_t stop = ~(letters | digits) & CR_FAST_HIGH;
        uint64_t run = stop ? (stop & (0 - stop)) - 1 : ~0ull; /* the bits before the first stop */
        if (letters & run) m |= 1;
        if (digits & run) m |= 2;
        if (stop) {
            *acc = m;
            return i + (size_t)(__builtin_ctzll(stop) >> 3);
        }
        i += 8;
    }
#endif
    while (i < len && (x = cr_fast_plain[s[i]]) != 0) { m |= x; i++; }
    *acc = m;
    return i;
}

#endif
