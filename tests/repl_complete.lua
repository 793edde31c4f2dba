-- Tab completion for the REPL (lib/lua/complete.lua).
local t = require "tap"
local complete = require "complete"
local c = complete.candidates

local w, list = c("string.fo")
t.is(w, "fo", "string.fo: the fragment")
t.is_deeply(list, { "format" }, "string.fo completes string.format")
w, list = c("x = string.")
t.ok(#list > 10 and list[1] == "byte", "string. lists the whole library, sorted")
w, list = c("pri")
t.is_deeply(list, { "print" }, "globals")
w, list = c("whi")
t.is_deeply(list, { "while" }, "keywords")
w, list = c("r")
t.ok(#list >= 5 and list[1] == "rawequal" and list[#list] == "return", "globals and keywords together, sorted")

-- __index chains: methods of a "userdata-like" object.
local Doc = { __name = "Doc" }
Doc.__index = Doc
function Doc.words() end
function Doc.text() end
Doc.kind = "method table field, not a function"
local env = { doc = setmetatable({ id = 1 }, Doc), s = "text", tbl = { alpha = 1, alps = 2, beta = 3 } }
w, list = c("doc:", env)
t.is_deeply(list, { "text", "words" }, "doc:<TAB> lists methods (functions only), no metamethods")
w, list = c("doc.", env)
t.is_deeply(list, { "id", "kind", "text", "words" }, "doc.<TAB> lists fields and the __index chain")
w, list = c("doc.__", env)
t.is_deeply(list, { "__index", "__name" }, "metamethods when asked for")
w, list = c("s:up", env)
t.is_deeply(list, { "upper" }, "string methods through the string metatable")
w, list = c("tbl.al", env)
t.is(w, "al", "fragment after a dot")
t.is_deeply(list, { "alpha", "alps" }, "table fields")
t.is(complete.common_prefix(list), "alp", "common prefix")
t.is(complete.common_prefix({}), "", "common prefix of nothing")

local called = false
local lazy = setmetatable({}, { __index = function() called = true; return {} end })
w, list = c("lazy.x.", { lazy = lazy })
t.ok(not called, "__index functions are never called")
t.is_deeply(list, {}, "and give no candidates")
t.is(c("nosuch.thing", env), "thing", "unknown path: no candidates")

t.is(c("f().x", env), nil, "results of calls are not completed")
t.is(c('print("str', env), nil, "not inside strings")
t.is(c("x = 1 -- pri", env), nil, "not inside comments")
t.is(c("a:b.c", env), nil, "a method call cannot be followed by a field")

package.preload["zz_test_module"] = function() return {} end
w, list = c('require "zz_', env)
t.is_deeply(list, { "zz_test_module" }, "module names in require")
w, list = c("require('zz_test", env, function() return { "zz_test_file.lua", "zz_test_x.txt" } end)
t.is_deeply(list, { "zz_test_file", "zz_test_module" }, "module files along package.path")
t.done()
