/* jmsg.h — Jupyter wire messages (protocol 5.3): splitting the frames of a
 * received message, checking its HMAC-SHA256 signature, reading its header
 * and content, and writing JSON strings for the replies.  Pure C: no Lua,
 * no ZeroMQ (the caller hands the frames over). */
#ifndef CR_JMSG_H
#define CR_JMSG_H

#include <stddef.h>

#include "buf.h"
#include "load.h"

#define JMSG_DELIM "<IDS|MSG>"
#define JMSG_SIG_HEX 64 /* hex digits of an HMAC-SHA256 signature */

typedef struct jmsg_frame {
    const char *data;
    size_t len;
} jmsg_frame;

typedef struct jmsg {
    size_t nids;                  /* routing identities: frames[0..nids) */
    jmsg_frame header, parent, metadata, content; /* the signed parts */
    ld_json hdr;                  /* the header's members */
    ld_json body;                 /* the content's members */
    const char *msg_type, *msg_id, *session, *username; /* from hdr; "" when absent */
    const char *err;              /* why the message was refused */
} jmsg;

/* Parses the n frames of a message signed with key (keylen 0: unsigned,
 * as a connection file with an empty key says).  Returns 0, or -1 with
 * m->err set; either way jmsg_free releases what m holds.  The frames are
 * borrowed: they must outlive m's use of header/parent/metadata/content. */
int jmsg_parse(jmsg *m, const jmsg_frame *frames, size_t n, const unsigned char *key,
               size_t keylen);
void jmsg_free(jmsg *m);

/* The value of content member name as text (strings unescaped, numbers and
 * literals as written, nested values as JSON), or NULL when absent. */
const char *jmsg_content(const jmsg *m, const char *name, ld_vtype *type);
/* A boolean member: 1 for true, 0 for false, dflt when absent or not boolean. */
int jmsg_content_bool(const jmsg *m, const char *name, int dflt);
/* An integer member in [0, max], dflt when absent or out of range. */
long jmsg_content_long(const jmsg *m, const char *name, long max, long dflt);

/* The lower-case hex HMAC-SHA256 of the four parts with key into
 * out[JMSG_SIG_HEX + 1] (empty when keylen is 0). */
void jmsg_sign(const unsigned char *key, size_t keylen, const jmsg_frame parts[4], char *out);

/* Appends s[0..n) as a JSON string (quotes included); bytes that are not
 * UTF-8 become U+FFFD.  Returns 0, or -1 when the buffer failed. */
int jmsg_put_string(cr_buf *b, const char *s, size_t n);

/* The byte offset of code point cursor (Jupyter counts code points) in the
 * UTF-8 text s[0..n); n when the text is shorter. */
size_t jmsg_cursor_bytes(const char *s, size_t n, size_t cursor);
/* The number of code points in s[0..n) (a byte not part of UTF-8 counts one). */
size_t jmsg_code_points(const char *s, size_t n);

#endif
