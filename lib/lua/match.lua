-- match.lua: the match module (docs/api/match.md): gazetteers of entities
-- and aliases matched in C, and the candidate scan behind entity discovery.
-- All of it is the private C core match.core (host/lmatch.c); this module
-- is its public face.
local core = require "match.core"

local match = {}
for k, v in pairs(core) do
  if k:sub(1, 1) ~= "_" then match[k] = v end
end

return match
