# kernel.mk — corpusrun as a Jupyter kernel (host/kernel.c, host/text/jmsg.c,
# host/text/logo.c: the logo, its PNGs deflated by zlib):
# ZeroMQ for the sockets; HMAC-SHA256 from nettle (already linked).  The
# tests drive it with Jupyter's own client and nbconvert, test tools only.
DEB_PACKAGES      += libzmq3-dev zlib1g-dev
PKG_MODULES       += libzmq zlib
# ZeroMQ is opened by host/kernel.c when the kernel starts, not linked
# (LAZY_LIBS): under the soname of the library the build compiles against.
LAZY_LIBS         += -lzmq
ZMQ_SONAME        := $(shell objdump -p "$$(pkg-config --variable=libdir libzmq)/libzmq.so" 2>/dev/null | \
                       awk '/SONAME/ { print $$2 }')
$(BUILD)/host/kernel.o: CPPFLAGS += $(if $(ZMQ_SONAME),-DCR_ZMQ_SONAME='"$(ZMQ_SONAME)"')
DEB_TEST_PACKAGES += python3-jupyter-client jupyter-nbconvert
SLOW_TESTS        += tests/kernel_jupyter.sh

# The message parser's fuzz target: frames, signature, header and content,
# from the hand-written messages of tests/data/kernel/jmsg.
KERNEL_FUZZ_SRC = host/text/jmsg.c host/text/load_json.c host/text/buf.c
build-fuzz/kernel_fuzz_jmsg: tests/fuzz/kernel_fuzz_jmsg.c $(KERNEL_FUZZ_SRC) host/text/jmsg.h
	@mkdir -p $(@D)
	$(FUZZ_CC) $(LOAD_FUZZ_FLAGS) $(shell pkg-config --cflags nettle) -Ihost/text -o $@ $< \
	  $(KERNEL_FUZZ_SRC) $(shell pkg-config --libs nettle)

.PHONY: fuzz-check-kernel fuzz-kernel
fuzz-check-kernel: build-fuzz/kernel_fuzz_jmsg
	rm -rf build-fuzz/check-jmsg && mkdir -p build-fuzz/check-jmsg
	cp tests/data/kernel/jmsg/* build-fuzz/check-jmsg/
	build-fuzz/kernel_fuzz_jmsg -seed=1 -runs=$(FUZZ_RUNS) -max_len=4096 -timeout=10 \
	  -artifact_prefix=build-fuzz/ build-fuzz/check-jmsg
FUZZ_CHECKS += fuzz-check-kernel

fuzz-kernel: build-fuzz/kernel_fuzz_jmsg
	mkdir -p build-fuzz/corpus-jmsg && cp tests/data/kernel/jmsg/* build-fuzz/corpus-jmsg/
	build-fuzz/kernel_fuzz_jmsg -max_total_time=$(FUZZ_TIME) -max_len=4096 build-fuzz/corpus-jmsg
