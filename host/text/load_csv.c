/* load_csv.c — streaming readers: RFC 4180 CSV/TSV records and lines, each
 * over a byte source with one reusable input window. */
#include "load.h"

#include <stdlib.h>
#include <string.h>

#define CHUNK (256 * 1024)

/* Reads more input at the end of the window, dropping consumed bytes first.
 * Returns bytes added, 0 at end, -1 on error. */
static ssize_t refill(ld_src *src, cr_buf *in, size_t *pos, uint64_t *offset, int *eof,
                      int *src_error, size_t keep_from, size_t *chunk) {
    if (*eof) return 0;
    if (keep_from > 0) {
        memmove(in->data, in->data + keep_from, in->len - keep_from);
        in->len -= keep_from;
        *pos -= keep_from;
        *offset += keep_from;
    }
    /* reads start small and double up to CHUNK while the source fills
     * them: short inputs stay cheap, long streams are read in big blocks */
    if (*chunk < 4096) *chunk = 4096;
    if (cr_buf_reserve(in, *chunk)) { *src_error = 1; return -1; }
    size_t offered = in->cap - in->len;
    ssize_t r = src->read(src->ud, in->data + in->len, offered);
    if (r < 0) { *src_error = 1; *eof = 1; return -1; }
    if (r == 0) { *eof = 1; return 0; }
    in->len += (size_t)r;
    if ((size_t)r == offered && *chunk < CHUNK) *chunk *= 2;
    return r;
}

/* ---- CSV ---------------------------------------------------------------- */
void ld_csv_init(ld_csv *c, ld_src src, char delim) {
    memset(c, 0, sizeof *c);
    c->src = src;
    c->delim = delim;
    c->line = 1;
}

static int end_field(ld_csv *c) {
    if (c->nf + 2 > c->fcap) {
        size_t cap = c->fcap ? c->fcap * 2 : 32;
        size_t *f = realloc(c->fstart, cap * sizeof *f);
        if (!f) return -1;
        c->fstart = f;
        c->fcap = cap;
    }
    c->nf++;
    c->fstart[c->nf] = c->rec.len;
    return 0;
}

/* Peeks the byte at pos, refilling as needed: the bytes from *keep on stay
 * in the window, and *keep becomes their new index (0). */
static int peek(ld_csv *c, size_t *keep) {
    if (c->pos >= c->in.len) {
        if (c->eof) return -1;   /* nothing moved: *keep stays valid */
        size_t k = *keep;
        ssize_t r = refill(&c->src, &c->in, &c->pos, &c->offset, &c->eof, &c->src_error, k, &c->chunk);
        *keep = 0;
        if (r <= 0) return -1;
    }
    return (unsigned char)c->in.data[c->pos];
}

/* Cuts a malformed record that runs over several lines back to its first
 * line (the raw record starts at in.data[rs]): the next record starts on
 * the line after.  Returns 1 if the record was cut. */
static int cut_to_first_line(ld_csv *c, size_t rs) {
    const char *p = c->in.data + rs;
    size_t n = c->pos - rs, i = 0;
    while (i < n && p[i] != '\n' && p[i] != '\r') i++;
    if (i == n) return 0;
    if (p[i] == '\r' && i + 1 < n && p[i + 1] == '\n') i++;
    if (i + 1 >= n) return 0;   /* the break is the record's own end */
    c->pos = rs + i + 1;
    c->line = c->rec_line + 1;
    return 1;
}

int ld_csv_next(ld_csv *c) {
    for (;;) {
        cr_buf_reset(&c->rec);
        c->nf = 0;
        c->err = NULL;
        if (c->fcap == 0 && end_field(c)) return -1;   /* allocate */
        c->nf = 0;
        c->fstart[0] = 0;
        size_t keep = c->pos;
        int ch = peek(c, &keep);
        if (ch < 0) return c->src_error ? -1 : 0;
        c->rec_line = c->line;
        c->rec_offset = c->offset + c->pos;
        /* blank line */
        if (ch == '\n' || ch == '\r') {
            c->pos++;
            if (ch == '\r') {
                keep = c->pos;
                if (peek(c, &keep) == '\n') c->pos++;
            }
            c->line++;
            continue;
        }
        /* the raw record is kept in the window from rs (peek moves it to 0
         * when it refills) so a malformed one can be cut to its first line */
        size_t rs = c->pos;
        uint64_t quote_at = 0;
        enum { START, UNQ, QUO, AFTER } st = START;
        for (;;) {
            ch = peek(c, &rs);
            if (ch < 0) {
                if (c->src_error) return -1;
                if (st == QUO) {
                    c->err = "unterminated quoted field";
                    c->err_at = quote_at;
                }
                if (end_field(c)) return -1;
                break;
            }
            char b = (char)ch;
            if (st == QUO) {
                if (b == '"') {
                    c->pos++;
                    if (peek(c, &rs) == '"') {
                        if (cr_buf_addc(&c->rec, '"')) return -1;
                        c->pos++;
                    } else st = AFTER;
                    continue;
                }
                if (b == '\n') c->line++;
                else if (b == '\r') {
                    c->pos++;
                    if (peek(c, &rs) != '\n') c->line++;
                    if (cr_buf_addc(&c->rec, '\r')) return -1;
                    continue;
                }
                if (cr_buf_addc(&c->rec, b)) return -1;
                c->pos++;
                continue;
            }
            if (b == c->delim) {
                if (end_field(c)) return -1;
                c->pos++;
                st = START;
                continue;
            }
            if (b == '\n' || b == '\r') {
                c->pos++;
                if (b == '\r' && peek(c, &rs) == '\n') c->pos++;
                c->line++;
                if (end_field(c)) return -1;
                break;
            }
            if (st == START && b == '"') {
                st = QUO;
                quote_at = c->offset + c->pos;
                c->pos++;
                continue;
            }
            if (st == AFTER && !c->err) {
                c->err = "text after a closing quote";
                c->err_at = quote_at;
            }
            if (st == START) st = UNQ;
            if (cr_buf_addc(&c->rec, b)) return -1;
            c->pos++;
        }
        c->resume_line = c->err && cut_to_first_line(c, rs) ? c->line : 0;
        c->rec_bytes = c->offset + c->pos - c->rec_offset;
        return 1;
    }
}

const char *ld_csv_field(const ld_csv *c, size_t i, size_t *len) {
    if (i >= c->nf) { *len = 0; return NULL; }
    *len = c->fstart[i + 1] - c->fstart[i];
    return c->rec.data ? c->rec.data + c->fstart[i] : "";
}

void ld_csv_free(ld_csv *c) {
    cr_buf_free(&c->in);
    cr_buf_free(&c->rec);
    free(c->fstart);
    c->fstart = NULL;
    c->fcap = c->nf = 0;
}

/* ---- lines -------------------------------------------------------------- */
void ld_lines_init(ld_lines *r, ld_src src) {
    memset(r, 0, sizeof *r);
    r->src = src;
}

int ld_lines_next(ld_lines *r, const char **s, size_t *n) {
    size_t start = r->pos, scan = r->pos;
    for (;;) {
        char *nl = scan < r->in.len ? memchr(r->in.data + scan, '\n', r->in.len - scan) : NULL;
        if (nl) {
            size_t end = (size_t)(nl - r->in.data);
            r->pos = end + 1;
            r->line++;
            r->line_offset = r->offset + start;
            *s = r->in.data + start;
            *n = end - start;
            if (*n && (*s)[*n - 1] == '\r') (*n)--;
            return 1;
        }
        scan = r->in.len;
        size_t before = start;
        ssize_t got = refill(&r->src, &r->in, &r->pos, &r->offset, &r->eof, &r->src_error, start, &r->chunk);
        scan -= before;
        start = 0;
        if (got < 0) return -1;
        if (got == 0) {
            if (r->pos >= r->in.len) return 0;
            r->line++;
            r->line_offset = r->offset + r->pos;
            *s = r->in.data + r->pos;
            *n = r->in.len - r->pos;
            r->pos = r->in.len;
            if (*n && (*s)[*n - 1] == '\r') (*n)--;
            return 1;
        }
    }
}

void ld_lines_free(ld_lines *r) { cr_buf_free(&r->in); }
