# mk/tok.mk — the tokenizer: Unicode tables, conformance data, fuzzing.

# unicode-data: the UCD files the table generator and the conformance tests read.
# clang + libclang-rt-14-dev: the libFuzzer harness (make fuzz).
DEB_PACKAGES += unicode-data clang libclang-rt-14-dev

UNICODE_DIR ?= /usr/share/unicode

.PHONY: unicode-tables
# Regenerates the committed Word_Break/Sentence_Break/emoji tables.
unicode-tables:
	lua5.4 tools/gen_unicode_tables.lua $(UNICODE_DIR) host/text
