# embed: corpusrun's modules in a stock lua5.4 (make lua-modules) and its
# Lua environment in other C programs (libcorpusrun.a, host/corpusrun.h,
# examples/embed.c); the rules are in the Makefile's "embedding" section,
# which needs the lists of sources.  tests/embed_lua_modules.sh runs the
# interpreter of DEB_PACKAGES' lua5.4.
#
# The example's test compiles it twice and installs into a temporary prefix.
SLOW_TESTS += tests/embed_example.sh
