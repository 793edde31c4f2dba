/* wordbreak.h — UAX #29 word boundaries (Unicode 15.0), exactly, no tailoring.
 * Pure C.  Positions are byte offsets; invalid UTF-8 decodes as U+FFFD per byte.
 */
#ifndef CORPUSRUN_WORDBREAK_H
#define CORPUSRUN_WORDBREAK_H

#include <stddef.h>
#include <stdint.h>

/* Bit of a Word_Break value (enum cr_wb) in a segment's `seen` mask. */
#define CR_WB_BIT(wb) (1u << (unsigned)(wb))

/* Returns the first word boundary after pos (pos < len), treating pos as the
 * start of text; len when the segment runs to the end.  When seen is not NULL
 * it receives the set of Word_Break values (CR_WB_BIT) of the segment's
 * characters, ignoring Extend, Format and ZWJ characters that rule WB4
 * attaches, plus CR_WB_SEEN_EXTEND when there were any. */
size_t cr_wb_next(const char *text, size_t len, size_t pos, uint32_t *seen);

#define CR_WB_SEEN_EXTEND (1u << 31)

#endif
