/* libFuzzer target: the kernel's message parser (host/text/jmsg.c) on
 * arbitrary frames.  The input is split into frames at each 0xFF byte; the
 * first byte chooses between a signed parse (with key "k") and an unsigned
 * one.  The JSON string writer and the cursor helpers run on every frame. */
#include <stdint.h>
#include <stdlib.h>
#include <string.h>

#include "jmsg.h"

#define MAX_FRAMES 16

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size) {
    if (size == 0) return 0;
    int signed_parse = data[0] & 1;
    jmsg_frame frames[MAX_FRAMES];
    size_t n = 0, start = 1;
    for (size_t i = 1; i <= size && n < MAX_FRAMES; i++) {
        if (i == size || data[i] == 0xFF) {
            frames[n].data = (const char *)data + start;
            frames[n].len = i - start;
            n++;
            start = i + 1;
        }
    }
    jmsg m = {0};
    static const unsigned char key[] = "k";
    if (jmsg_parse(&m, frames, n, key, signed_parse ? 1 : 0) == 0) {
        ld_vtype t;
        const char *code = jmsg_content(&m, "code", &t);
        if (code != NULL && t == LD_STR) {
            size_t len = strlen(code);
            size_t cur = (size_t)jmsg_content_long(&m, "cursor_pos", 1L << 30, 0);
            size_t b = jmsg_cursor_bytes(code, len, cur);
            if (b > len) abort();
            if (jmsg_code_points(code, b) > cur) abort();
        }
        (void)jmsg_content_bool(&m, "silent", 0);
    }
    jmsg_free(&m);
    cr_buf b = {0};
    for (size_t i = 0; i < n; i++) jmsg_put_string(&b, frames[i].data, frames[i].len);
    cr_buf_free(&b);
    return 0;
}
