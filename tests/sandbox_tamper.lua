-- corpusrun --sandbox, attack class 2: the policy must not run on anything
-- the script can reach.  A script that replaces string methods (through
-- rawset on a library table, the table pairs() hands out, or the string
-- metatable) or other library functions still reads and writes only what it
-- was granted, and the library tables it sees stay read-only.
local t = require "tap"
local q = t.shell_quote
local CR = q(t.corpusrun)

local dir = t.tempdir()
os.execute("mkdir -p " .. q(dir .. "/corpus") .. " " .. q(dir .. "/out"))
local function write(name, text)
  local f = assert(io.open(dir .. "/" .. name, "wb")); f:write(text); f:close()
  return dir .. "/" .. name
end
local DOC = write("corpus/a.txt", "Zakani visited Brussels.\n")
local SECRET = write("secret.txt", "CANARY-secret\n")
local realdir = io.popen("cd " .. q(dir) .. " && pwd -P"):read("l")

local function sandboxed(body)
  local s = write("script.lua", body)
  return t.run(CR .. " -c " .. q(dir .. "/corpus") .. " --sandbox --max-seconds 5 --max-memory 64M " .. q(s))
end

-- Every way of getting at a writable string table, then the replacements
-- that made the old Lua-side checks allow everything: `sub` answering the
-- root's prefix, `find` and `match` answering nothing, `format` and `gsub`
-- answering their first argument.
local GRABS = {
  ["rawset on string"] = "local S = setmetatable({}, { __newindex = function(_, k, v) rawset(string, k, v) end })",
  ["the table pairs(string) returns"] = "local _, S = pairs(string) S = type(S) == 'table' and S or {}",
  ["next's view of string"] = "local S = {} for k in next, string do S = string end",
  ["the string metatable"] = "local S = {} local ok, mt = pcall(getmetatable, '') if type(mt) == 'table' then S = mt.__index end",
}
local POISON = ([[
local R = %q
local raw_sub, raw_len = string.sub, string.len
local function poison(S)
  pcall(function()
    S.sub = function(s, i, j) if j and j == raw_len(R) + 1 then return R .. "/" end return raw_sub(s, i, j) end
    S.find = function() return nil end
    S.match = function(s) return s end
    S.gsub = function(s) return s, 0 end
    S.format = function(f) return f end
    S.rep = function(s) return s end
    S.upper = function() return "PWNED" end
  end)
end
]]):format(realdir .. "/corpus")

for name, grab in pairs(GRABS) do
  local body = POISON .. grab .. "\npoison(S)\n" .. ([[
print(("x"):upper())
local ok, e = pcall(io.open, %q) print("read", ok and e and e:read("a") or tostring(e))
ok, e = pcall(io.open, %q, "w") print("write", ok and tostring(e ~= nil) or tostring(e))
]]):format(SECRET, DOC)
  local out, _, err = sandboxed(body)
  t.like(out, "^X\n", name .. ": the script's string methods are unchanged", err)
  t.ok(not out:find("CANARY", 1, true), name .. ": the secret is not read", out)
  t.like(out, "read\t[^\n]*reading '[^']*secret%.txt' is not allowed", name .. ": reading stays refused")
  t.like(out, "write\t[^\n]*writing '[^']*a%.txt' is not allowed", name .. ": writing into the corpus stays refused")
end
local f = io.open(DOC); t.is(f:read("a"), "Zakani visited Brussels.\n", "the corpus file is intact"); f:close()

-- The library tables the script sees are read-only, raw access included.
local READONLY = { "string", "table", "math", "utf8", "coroutine", "os", "io", "package" }
for _, lib in ipairs(READONLY) do
  local out, _, err = sandboxed(([[
local lib = %s
print(pcall(rawset, lib, "x", 1))
local _, inner = pairs(lib)
print(type(inner) ~= "table" or not pcall(rawset, inner, "x", 1) or rawequal(inner, lib))
print(rawget(lib, "x"), lib.x)
]]):format(lib))
  t.like(out, "^false\t[^\n]*read%-only[^\n]*\ntrue\nnil\tnil\n$", lib .. ": rawset and pairs give no writable table", err)
end

-- Replacing the globals the policy might use changes nothing for it.
do
  local out, _, err = sandboxed(([[
local raw_type = type
pcall(rawset, _G, "ipairs", function() return function() end end)
pcall(rawset, _G, "tostring", function() return "" end)
pcall(rawset, _G, "type", function() return "string" end)
pcall(rawset, _G, "select", function() return 0 end)
pcall(rawset, _G, "error", function() end)
local ok, e = pcall(io.open, %q)
print(ok, raw_type(e) == "userdata")
]]):format(SECRET))
  t.like(out, "^false\tfalse\n$", "replacing globals does not open the policy", err)
end

-- A script cannot forge the os.exit error of another script, nor change it.
do
  local out, code, err = sandboxed([[
local ok, e = pcall(os.exit, 3)
print(ok, type(e), pcall(setmetatable, e, {}), getmetatable(e) ~= nil)
os.exit(4)
]])
  t.is(code, 4, "os.exit caught by pcall does not end the script", err)
  t.like(out, "^false\ttable\tfalse\t", "and its error object's metatable is protected")
end

os.execute("rm -rf " .. q(dir))
t.done()
