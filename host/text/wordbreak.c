/* wordbreak.c — UAX #29 word boundaries over the generated Word_Break table.
 *
 * One forward pass per segment.  State: the raw previous Word_Break value
 * (rules WB3..WB3d look at it), the last two values that WB4 did not absorb
 * (WB5..WB13b), and the count of consecutive Regional_Indicators (WB15/16).
 * Rules WB6, WB7b and WB12 look one non-ignorable character ahead.
 * ASCII letters and digits inside a word take a tight loop.
 */
#include "wordbreak.h"

#include "tokfast.h"
#include "ucd_tables.h"
#include "utf8.h"

#define NONE 0xFFu /* "no character" in the history */

#define B(x) CR_WB_BIT(CR_WB_##x)
#define AHLETTER (B(ALetter) | B(Hebrew_Letter))
#define MIDLETTER_Q (B(MidLetter) | B(MidNumLet) | B(Single_Quote))
#define MIDNUM_Q (B(MidNum) | B(MidNumLet) | B(Single_Quote))
#define IGNORABLE (B(Extend) | B(Format) | B(ZWJ))
#define NEWLINES (B(CR) | B(LF) | B(Newline))
/* Values that rules WB5..WB16 can join: before and after a position. */
#define JOIN_PREV (AHLETTER | MIDLETTER_Q | MIDNUM_Q | B(Numeric) | B(Katakana) | B(ExtendNumLet) \
                   | B(Regional_Indicator) | B(Double_Quote))
#define JOIN_CUR JOIN_PREV

static inline int in(unsigned wb, uint32_t set) { return wb != NONE && ((1u << wb) & set) != 0; }

/* Word_Break of a code point. */
static inline unsigned wb_of(uint32_t cp) { return CR_UCD_WB(cr_ucd_props(cp)); }

static inline uint32_t decode(const unsigned char *s, size_t len, size_t i, size_t *n) {
    if (s[i] < 0x80) { *n = 1; return s[i]; }
    return cr_utf8_decode(s + i, len - i, n);
}

/* Word_Break of the first character at or after i that WB4 does not absorb;
 * NONE at the end of text. */
static unsigned next_solid(const unsigned char *s, size_t len, size_t i) {
    while (i < len) {
        size_t n;
        unsigned wb = wb_of(decode(s, len, i, &n));
        if (!in(wb, IGNORABLE)) return wb;
        i += n;
    }
    return NONE;
}

/* Whether rules WB5..WB16 keep prev2 prev | cur together (no break). */
static int joins(unsigned prev2, unsigned prev, unsigned cur, unsigned ri_count,
                 const unsigned char *s, size_t len, size_t after) {
    if (in(prev, AHLETTER)) {
        if (in(cur, AHLETTER)) return 1;                                    /* WB5 */
        if (in(cur, MIDLETTER_Q) && in(next_solid(s, len, after), AHLETTER)) return 1; /* WB6 */
        if (cur == CR_WB_Numeric) return 1;                                 /* WB9 */
    }
    if (in(prev2, AHLETTER) && in(prev, MIDLETTER_Q) && in(cur, AHLETTER)) return 1; /* WB7 */
    if (prev == CR_WB_Hebrew_Letter) {
        if (cur == CR_WB_Single_Quote) return 1;                            /* WB7a */
        if (cur == CR_WB_Double_Quote && next_solid(s, len, after) == CR_WB_Hebrew_Letter)
            return 1;                                                       /* WB7b */
    }
    if (prev2 == CR_WB_Hebrew_Letter && prev == CR_WB_Double_Quote && cur == CR_WB_Hebrew_Letter)
        return 1;                                                           /* WB7c */
    if (prev == CR_WB_Numeric) {
        if (cur == CR_WB_Numeric || in(cur, AHLETTER)) return 1;            /* WB8, WB10 */
        if (in(cur, MIDNUM_Q) && next_solid(s, len, after) == CR_WB_Numeric) return 1; /* WB12 */
    }
    if (prev2 == CR_WB_Numeric && in(prev, MIDNUM_Q) && cur == CR_WB_Numeric) return 1; /* WB11 */
    if (prev == CR_WB_Katakana && cur == CR_WB_Katakana) return 1;          /* WB13 */
    if (cur == CR_WB_ExtendNumLet
        && in(prev, AHLETTER | B(Numeric) | B(Katakana) | B(ExtendNumLet))) return 1; /* WB13a */
    if (prev == CR_WB_ExtendNumLet && in(cur, AHLETTER | B(Numeric) | B(Katakana)))
        return 1;                                                           /* WB13b */
    if (prev == CR_WB_Regional_Indicator && cur == CR_WB_Regional_Indicator && (ri_count & 1))
        return 1;                                                           /* WB15, WB16 */
    return 0;                                                               /* WB999 */
}

/* ASCII classes for the entry fast path: which bytes can never be joined to
 * an ASCII neighbour at the start of a segment (everything but letters,
 * digits, space, CR and the connector '_'), and which can be joined to a
 * preceding ASCII letter or digit only by WB6/7/11/12/13a (the "joiners"). */
enum { A_ALONE = 0, A_LETTER = 1, A_DIGIT = 2, A_SPACE = 3, A_SPECIAL = 4, A_JOINER = 5 };
#define ASCII_CLASS_OF(c)                                                                          \
    (CR_ASCII_LETTER(c) ? A_LETTER : CR_ASCII_DIGIT(c) ? A_DIGIT : (c) == ' ' ? A_SPACE          \
     : (c) == '\r' || (c) == '_' ? A_SPECIAL : CR_ASCII_MID(c) ? A_JOINER : A_ALONE)
static const unsigned char ascii_class[128] = { CR_ASCII_TABLE(ASCII_CLASS_OF) };

static size_t wb_loop(const unsigned char *s, size_t len, size_t i, unsigned prev,
                      unsigned prev2, unsigned raw, unsigned ri_count, uint32_t mask, uint32_t *seen);

size_t cr_wb_next(const char *text, size_t len, size_t pos, uint32_t *seen) {
    const unsigned char *s = (const unsigned char *)text;
    unsigned char c = s[pos];
    if (c < 0x80 && pos + 1 < len) {
        unsigned k = ascii_class[c];
        if (k == A_LETTER || k == A_DIGIT) {
            /* An ASCII word: letters and digits always join (WB5, WB8..10). */
            unsigned acc = k, b;
            size_t i = pos + 1;
            while (i < len && (b = cr_fast_plain[s[i]]) != 0) { acc |= b; i++; }
            uint32_t mask = ((acc & 1) ? 1u << CR_WB_ALetter : 0) | ((acc & 2) ? 1u << CR_WB_Numeric : 0);
            if (i >= len || (s[i] < 0x80 && (k = ascii_class[s[i]]) != A_JOINER && k != A_SPECIAL)) {
                if (seen) *seen = mask;
                return i;
            }
            unsigned last = cr_fast_plain[s[i - 1]] == 1 ? CR_WB_ALetter : CR_WB_Numeric;
            unsigned before = i - pos >= 2 ? (cr_fast_plain[s[i - 2]] == 1 ? CR_WB_ALetter : CR_WB_Numeric) : NONE;
            return wb_loop(s, len, i, last, before, last, 0, mask, seen);
        }
        unsigned char d = s[pos + 1];
        if (d < 0x80 && (k == A_ALONE || k == A_JOINER || (k == A_SPACE && d != ' '))) {
            /* Nothing joins an ASCII character at the start of a segment to a
             * following ASCII character, but WB3 (CR LF), WB3d (spaces) and
             * WB13b (a connector before a letter or digit). */
            if (seen) *seen = 1u << CR_UCD_WB(cr_ucd_ascii[c]);
            return pos + 1;
        }
    }
    size_t n;
    uint32_t cp = decode(s, len, pos, &n);
    unsigned raw = CR_UCD_WB(cr_ucd_props(cp));
    return wb_loop(s, len, pos + n, raw, NONE, raw, raw == CR_WB_Regional_Indicator,
                   1u << raw, seen);
}

/* The general loop from i, the state describing the segment so far. */
static size_t wb_loop(const unsigned char *s, size_t len, size_t i, unsigned prev,
                      unsigned prev2, unsigned raw, unsigned ri_count, uint32_t mask, uint32_t *seen) {
    size_t n;
    while (i < len) {
        unsigned char c = s[i];
        unsigned cur;
        if (c < 0x80) {
            unsigned a = cr_fast_plain[c];
            if (a && raw == prev && in(prev, AHLETTER | B(Numeric) | B(ExtendNumLet))) {
                /* WB5, WB8, WB9, WB10, WB13b: an ASCII letter or digit after a
                 * letter, digit or connector; run through the ASCII word. */
                size_t start = i;
                unsigned before = prev;
                do {
                    mask |= 1u << (a == 1 ? CR_WB_ALetter : CR_WB_Numeric);
                    i++;
                } while (i < len && s[i] < 0x80 && (a = cr_fast_plain[s[i]]) != 0);
                if (i < len && s[i] < 0x80 && ascii_class[s[i]] != A_JOINER && ascii_class[s[i]] != A_SPECIAL)
                    break; /* an ASCII character no rule joins to a letter or digit */
                prev = raw = cr_fast_plain[s[i - 1]] == 1 ? CR_WB_ALetter : CR_WB_Numeric;
                prev2 = i - start >= 2 ? (cr_fast_plain[s[i - 2]] == 1 ? CR_WB_ALetter : CR_WB_Numeric)
                                       : before;
                ri_count = 0;
                continue;
            }
            cur = CR_UCD_WB(cr_ucd_props(c));
            n = 1;
        } else {
            cur = wb_of(cr_utf8_decode(s + i, len - i, &n));
        }
        if (raw == CR_WB_CR && cur == CR_WB_LF) {                             /* WB3 */
        } else if (in(raw, NEWLINES) || in(cur, NEWLINES)) {                  /* WB3a, WB3b */
            break;
        } else if (raw == CR_WB_ZWJ && (cr_ucd_props(cr_utf8_decode(s + i, len - i, &n)) & CR_UCD_EXTPICT)) {
            /* WB3c: ZWJ × \p{Extended_Pictographic} */
        } else if (raw == CR_WB_WSegSpace && cur == CR_WB_WSegSpace) {        /* WB3d */
        } else if (in(cur, IGNORABLE)) {                                      /* WB4 */
            mask |= CR_WB_SEEN_EXTEND;
            raw = cur;
            i += n;
            continue;
        } else if (!in(prev, JOIN_PREV) || !in(cur, JOIN_CUR)
                   || !joins(prev2, prev, cur, ri_count, s, len, i + n)) {
            break;
        }
        mask |= 1u << cur;
        ri_count = cur == CR_WB_Regional_Indicator ? ri_count + 1 : 0;
        prev2 = prev;
        prev = raw = cur;
        i += n;
    }
    if (seen) *seen = mask;
    return i < len ? i : len;
}
