/* engine_fuzz_gaz.c — libFuzzer: the gazetteer's TSV and JSONL loaders on
 * any bytes, then the loaded gazetteer over the same bytes as text.  The
 * first byte picks the format. */
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <unistd.h>

#include "gaztext.h"

static int count_hit(void *ud, const cr_gaz_hit *m) {
    (void)m;
    ++*(size_t *)ud;
    return 0;
}

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size) {
    if (size == 0) return 0;
    char path[64];
    snprintf(path, sizeof path, "/tmp/engine_fuzz_gaz.%ld", (long)getpid());
    FILE *f = fopen(path, "wb");
    if (!f) return 0;
    fwrite(data + 1, 1, size - 1, f);
    fclose(f);
    cr_gaztext gt;
    char err[256];
    cr_gaztext_init(&gt, data[0] & 2 ? CR_NORM_CASEFOLD : CR_NORM_KEY, NULL);
    int e = data[0] & 1 ? cr_gaztext_load_jsonl(&gt, path, err, sizeof err)
                        : cr_gaztext_load_tsv(&gt, path, err, sizeof err);
    (void)e;
    size_t hits = 0;
    cr_gaztext_match(&gt, (const char *)data + 1, size - 1, data[0] & 4 ? CR_GAZ_ALL : CR_GAZ_LONGEST,
                     count_hit, &hits);
    cr_gaztext_free(&gt);
    unlink(path);
    return 0;
}
