-- sha256.lua FILE: the SHA-256 of a file, as receipts and corpus databases
-- compute it (host.sha256_file), printed like sha256sum.
local host = require "corpusrun"
local path = assert(arg[1], "usage: sha256.lua FILE")
print(assert(host.sha256_file(path)) .. "  " .. path)
