# load: the corpus module's loaders (host/text/load_*.c) and binding
# (host/lcorpus.c): libxml2 for HTML/XML, libarchive for archives.
DEB_PACKAGES += libxml2-dev libarchive-dev zstd clang
PKG_MODULES  += libxml-2.0 libarchive
