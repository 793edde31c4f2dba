# mk/engine.mk — the count and match engine: the C baseline of its benchmarks.

.PHONY: engine-bench-tools
engine-bench-tools: $(BUILD)/bench/engine_scan

# (this file is read before the Makefile defines TEXT_LIB: name the library)
$(BUILD)/bench/engine_scan: bench/engine_scan.c $(BUILD)/libcorpustext.a $(BUILD)/.flags
	@mkdir -p $(@D)
	$(CC) $(CPPFLAGS) $(ALL_CFLAGS) -o $@ $< $(TEXT_LIB) $(LDLIBS)
