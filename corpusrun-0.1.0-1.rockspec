-- corpusrun's Lua modules for LuaRocks: the same build as `make lua-modules`
-- (docs/embedding.md).  From the source tree: `luarocks make`.
--
-- The C modules are one shared object, build/lua/corpusrun.so, installed
-- here under each module's name.  `make install` links the names to one
-- file; LuaRocks copies it, and then each name loads its own copy, which
-- works the same and costs the disk and memory of the copies.
rockspec_format = "3.0"
package = "corpusrun"
version = "0.1.0-1"
source = {
  url = ".",   -- the source tree `luarocks make` runs in (no release archive)
}
description = {
  summary = "Corpus linguistics in Lua: documents, exact Unicode tokenisation, counters, gazetteers, SQLite",
  detailed = [[
corpusrun's modules for any Lua 5.4: corpus (documents from directories,
archives, JSON Lines, CSV, HTML and corpus databases, with c:fold over
forked workers), tokenize (UAX #29 words and sentences, utf8proc
normalisation), count (frequencies, n-grams, co-occurrence, document-term
matrices), match (gazetteers), lsqlite3 (the LuaSQLite3 API with a corpusrun
FTS5 tokenizer), flock, and the Lua library built on them.  The corpusrun
command line, its REPL and --sandbox are not part of the rock.]],
  license = "MIT",
}
dependencies = {
  "lua >= 5.4, < 5.5",
}
-- Debian: libutf8proc-dev libsqlite3-dev nettle-dev libxml2-dev
-- libarchive-dev libstemmer-dev (the Makefile finds them with pkg-config);
-- wordnet-base (its morphology files, compiled into the lemmatiser).
external_dependencies = {
  UTF8PROC = { header = "utf8proc.h" },
  SQLITE = { header = "sqlite3.h" },
  NETTLE = { header = "nettle/sha2.h" },
  LIBXML2 = { header = "libxml2/libxml/parser.h" },
  LIBARCHIVE = { header = "archive.h" },
  STEMMER = { header = "libstemmer.h" },
}
build = {
  type = "make",
  build_target = "lua-modules",
  build_variables = { CFLAGS = "$(CFLAGS)" },
  install_pass = false,
  install = {
    lib = {
      ["corpusrun"] = "build/lua/corpusrun.so",
      ["corpus.core"] = "build/lua/corpusrun.so",
      ["corpusindex.core"] = "build/lua/corpusrun.so",
      ["count.core"] = "build/lua/corpusrun.so",
      ["tokenize.core"] = "build/lua/corpusrun.so",
      ["match.core"] = "build/lua/corpusrun.so",
      ["query.core"] = "build/lua/corpusrun.so",
      ["stats.core"] = "build/lua/corpusrun.so",
      ["lsqlite3"] = "build/lua/corpusrun.so",
      ["lsqlite3complete"] = "build/lua/corpusrun.so",
      ["flock"] = "build/lua/corpusrun.so",
    },
    lua = {
      ["cli"] = "lib/lua/cli.lua",
      ["commands"] = "lib/lua/commands.lua",
      ["complete"] = "lib/lua/complete.lua",
      ["chart"] = "lib/lua/chart.lua",
      ["corpus"] = "lib/lua/corpus.lua",
      ["corpusdb"] = "lib/lua/corpusdb.lua",
      ["corpusindex"] = "lib/lua/corpusindex.lua",
      ["count"] = "lib/lua/count.lua",
      ["count_sqlite"] = "lib/lua/count_sqlite.lua",
      ["db"] = "lib/lua/db.lua",
      ["discover"] = "lib/lua/discover.lua",
      ["display"] = "lib/lua/display.lua",
      ["entities"] = "lib/lua/entities.lua",
      ["fold"] = "lib/lua/fold.lua",
      ["help"] = "lib/lua/help.lua",
      ["index"] = "lib/lua/index.lua",
      ["json"] = "lib/lua/json.lua",
      ["kwic"] = "lib/lua/kwic.lua",
      ["match"] = "lib/lua/match.lua",
      ["plan"] = "lib/lua/plan.lua",
      ["pretty"] = "lib/lua/pretty.lua",
      ["progress"] = "lib/lua/progress.lua",
      ["query"] = "lib/lua/query.lua",
      ["receipt"] = "lib/lua/receipt.lua",
      ["replay"] = "lib/lua/replay.lua",
      ["report"] = "lib/lua/report.lua",
      ["sandbox"] = "lib/lua/sandbox.lua",
      ["scriptlib"] = "lib/lua/scriptlib.lua",
      ["shards"] = "lib/lua/shards.lua",
      ["stats"] = "lib/lua/stats.lua",
      ["tokenize"] = "lib/lua/tokenize.lua",
    },
  },
}
