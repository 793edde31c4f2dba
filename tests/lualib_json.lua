-- json: encoder and decoder, round trips, errors with byte offsets, and
-- agreement with Python's json module when python3 is present.
local t = require "tap"
local json = require "json"

t.is(json.encode({ b = 1, a = { 1, 2, 3 }, c = "x" }), '{"a":[1,2,3],"b":1,"c":"x"}', "keys sorted, arrays as arrays")
t.is(json.encode({}), "[]", "an empty table is an empty array")
t.is(json.encode(json.object()), "{}", "json.object() is an empty object")
t.is(json.encode({ 1, n = 1 }), '{"1":1,"n":1}', "mixed tables encode as objects")
t.is(json.encode("a\"b\\c\n\t\1"), '"a\\"b\\\\c\\n\\t\\u0001"', "string escapes")
t.is(json.encode("caf\195\169 \240\159\152\128"), '"café 😀"', "UTF-8 written as is")
t.is(json.encode("a\255b"), '"a\239\191\189b"', "invalid UTF-8 becomes U+FFFD")
t.is(json.encode(0.1), "0.1", "shortest round-trip float")
t.is(json.encode(1 / 3), "0.3333333333333333", "17 significant digits when needed")
t.is(json.encode(2.0), "2.0", "integral floats keep a decimal point")
t.is(json.encode(42), "42", "integers")
t.is(json.encode(0 / 0), "null", "NaN becomes null")
t.is(json.encode(math.huge), "null", "infinity becomes null")
t.is(json.encode({ x = json.null }), '{"x":null}', "json.null")
t.is(json.encode({ 1, { a = true } }, { indent = "  " }), '[\n  1,\n  {\n    "a": true\n  }\n]', "indent")
t.raises(function() json.encode({ f = print }) end, "cannot encode a function", "functions raise")
local cyc = {}; cyc.self = cyc
t.raises(function() json.encode(cyc) end, "refers to itself", "cycles raise")

local v = json.decode('{"a": [1, 2.5, -3e2, "\\u00e9\\ud83d\\ude00", null, true, false], "b": {}}')
t.is(v.a[1], 1, "integer decoded")
t.is(math.type(v.a[1]), "integer", "as a Lua integer")
t.is(v.a[2], 2.5, "float decoded")
t.is(v.a[3], -300.0, "exponent decoded")
t.is(v.a[4], "é😀", "\\u escapes and surrogate pairs")
t.is(v.a[5], json.null, "null in an array is json.null")
t.is(#v.a, 7, "arrays keep their length")
t.is(json.encode(v.b), "{}", "an empty object round-trips as an object")
t.is(json.decode('{"x": null}').x, nil, "null members are left out")
t.is(json.decode('{"x": null}', { null = "sentinel" }).x, json.null, "or kept as json.null")
t.is(json.decode("123456789012345678901234"), 1.2345678901234568e+23, "integers beyond 64 bits become floats")

local bad = {
  { "[1,]", "unexpected character ']' at byte 3" },
  { '{"a":01}', "bad number at byte 5" },
  { '"abc', "unterminated string at byte 0" },
  { "[1] x", "trailing characters at byte 4" },
  { "1.", "bad number at byte 0" },
  { "", "unexpected end of input at byte 0" },
  { '"\\ud800"', "unpaired surrogate at byte 1" },
  { '"a\nb"', "control character in string at byte 2" },
  { '"\255"', "invalid UTF%-8 in string" },
  { '{"a" 1}', "expected ':' at byte 5" },
}
for _, case in ipairs(bad) do
  local val, err = json.decode(case[1])
  t.ok(val == nil and err and err:find(case[2]), "error: " .. case[1]:gsub("\n", "\\n"), "got: " .. tostring(err))
end
local _, named = json.decode("[", { name = "rows.json" })
t.like(named, "^rows%.json: json: ", "errors name the file when given")
local deep = string.rep("[", 600) .. string.rep("]", 600)
local dv, derr = json.decode(deep)
t.ok(dv == nil and derr:find("nesting"), "deep nesting is an error, not a crash")

-- round trip of a mixed structure
local value = { words = { "a", "b" }, n = 3, f = 0.125, nested = { x = { y = { z = "deep" } } }, u = "ü\0x" }
t.is_deeply(json.decode(json.encode(value)), value, "decode(encode(v)) == v")

-- Python's json agrees on what we write.
local PY = t.debian_python()
local fh = PY and io.open(PY, "r")
if not fh then
  t.missing("python3 not installed", 1)
else
  fh:close()
  local doc = json.encode({ s = "tab\tquote\"ctl\1 é 😀", f = { 0.1, 1e-300, 1e300, -0.0, 1 / 3 }, i = { 0, -7, 9007199254740993 } })
  local out = t.run(PY .. " -c 'import json,sys; d=json.load(sys.stdin); print(json.dumps(d, sort_keys=True, ensure_ascii=False))'", doc)
  t.is(out, '{"f": [0.1, 1e-300, 1e+300, -0.0, 0.3333333333333333], "i": [0, -7, 9007199254740993], "s": "tab\\tquote\\"ctl\\u0001 é 😀"}\n',
    "Python reads the same values")
end

t.done()
