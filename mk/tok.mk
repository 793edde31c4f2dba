# mk/tok.mk — the tokenizer: Unicode tables, conformance data, fuzzing.

# Fragments are included before the Makefile's own rules: keep `make` = `make all`.
.DEFAULT_GOAL := all

# unicode-data: the UCD files the table generator and the conformance tests read.
# clang + libclang-rt-14-dev: the libFuzzer harness (make fuzz).
DEB_PACKAGES += unicode-data clang libclang-rt-14-dev

UNICODE_DIR ?= /usr/share/unicode

.PHONY: unicode-tables
# Regenerates the committed Word_Break/Sentence_Break/emoji tables.
unicode-tables:
	lua5.4 tools/gen_unicode_tables.lua $(UNICODE_DIR) host/text

# Snowball stemmers for tokenize.stem and the stem= option.
DEB_PACKAGES += libstemmer-dev
EXTRA_LIBS   += -lstemmer

STOPWORDS_ISO_VERSION ?= 1.1.0
.PHONY: stopwords
# Regenerates host/text/stopwords_data.c from the npm package stopwords-iso.
stopwords:
	@mkdir -p $(BUILD)/npm
	cd $(BUILD)/npm && npm pack --silent stopwords-iso@$(STOPWORDS_ISO_VERSION) && \
	  tar xzf stopwords-iso-$(STOPWORDS_ISO_VERSION).tgz
	STOPWORDS_ISO_VERSION=$(STOPWORDS_ISO_VERSION) \
	  lua5.4 tools/gen_stopwords.lua $(BUILD)/npm/package/stopwords-iso.json host/text/stopwords_data.c
