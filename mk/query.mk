# query: the query language (host/text/cqp.c: PCRE2 over the lexicons) and
# the in-memory positional view (host/text/cpos_mem.c), bound as query.core.
DEB_PACKAGES += libpcre2-dev
PKG_MODULES  += libpcre2-8
