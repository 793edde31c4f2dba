# repl.mk — the REPL's build needs.
# help() reads docs/api/<module>.md; after `make install` it finds them in
# PREFIX/share/corpusrun/docs/api, beside the Lua library.
.PHONY: install-repl-docs
install: install-repl-docs
install-repl-docs:
	install -d $(DESTDIR)$(PREFIX)/share/corpusrun/docs/api
	cp -R docs/api/. $(DESTDIR)$(PREFIX)/share/corpusrun/docs/api/
