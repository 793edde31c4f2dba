/* libFuzzer target: the word/TAG reader (load_annot.c) on arbitrary bytes. */
#include "annot_fuzz.h"

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size) {
    return fuzz_annot(LD_FMT_TAGGED, data, size);
}
