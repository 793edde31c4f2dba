-- count.lua: the count module (docs/api/count.md): frequency, document-
-- frequency, n-gram and co-occurrence counters and document-term matrices,
-- counted in C by the private core count.core (host/lcount.c), and their
-- SQLite tables (count_sqlite.lua), which the core's f:save, count.load and
-- dtm:to_sqlite call through the storage handed to it here.
local core = require "count.core"
local count_sqlite = require "count_sqlite"

core._set_storage(count_sqlite)

local count = {}
for k, v in pairs(core) do
  if k:sub(1, 1) ~= "_" then count[k] = v end
end

return count
