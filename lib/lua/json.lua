-- json.lua: a strict JSON (RFC 8259) encoder and decoder.
--
--   json.encode(value [, opts])  -> string
--   json.decode(text [, opts])   -> value | nil, message
--
-- Deterministic: object keys are written in sorted order unless a key order
-- is given.  json.null stands for null inside tables.
local json = {}

local concat, format, byte, char = table.concat, string.format, string.byte, string.char

json.null = setmetatable({}, { __name = "json.null", __tostring = function() return "null" end })

-- Marks a table so that it encodes as an object even when empty.
local object_mt = { __name = "json.object" }
local array_mt = { __name = "json.array" }
function json.object(t) return setmetatable(t or {}, object_mt) end
function json.array(t) return setmetatable(t or {}, array_mt) end

-- ---------------------------------------------------------------------------
-- Encoding.

local ESC = {
  ['"'] = '\\"', ["\\"] = "\\\\", ["\b"] = "\\b", ["\f"] = "\\f",
  ["\n"] = "\\n", ["\r"] = "\\r", ["\t"] = "\\t",
}
for i = 0, 31 do
  local c = char(i)
  if not ESC[c] then ESC[c] = format("\\u%04x", i) end
end
ESC["\127"] = "\\u007f"

-- Replaces every byte that is not part of well-formed UTF-8 by U+FFFD.
local function valid_utf8(s)
  if utf8.len(s) then return s end
  local out, i, n = {}, 1, #s
  while i <= n do
    local c = byte(s, i)
    local len = (c < 0x80 and 1) or (c >= 0xC2 and c < 0xE0 and 2) or (c >= 0xE0 and c < 0xF0 and 3)
                or (c >= 0xF0 and c < 0xF5 and 4) or 0
    local piece = len > 0 and s:sub(i, i + len - 1) or ""
    if #piece == len and len > 0 and utf8.len(piece) == 1 then
      out[#out + 1] = piece; i = i + len
    else
      out[#out + 1] = "\239\191\189"; i = i + 1
    end
  end
  return concat(out)
end

json.valid_utf8 = valid_utf8

--- A JSON string literal for s.
function json.quote(s)
  s = valid_utf8(s)
  return '"' .. s:gsub('[%c"\\\127]', ESC) .. '"'
end

-- The shortest decimal that reads back as the same double.
function json.number(x)
  if math.type(x) == "integer" then return format("%d", x) end
  if x ~= x or x == math.huge or x == -math.huge then return "null" end
  for prec = 15, 17 do
    local s = format("%." .. prec .. "g", x)
    if tonumber(s) == x then
      if not s:find("[%.eEn]") then s = s .. ".0" end
      return s
    end
  end
  return format("%.17g", x)
end

local function is_array(t)
  local mt = getmetatable(t)
  if mt == array_mt then return true, #t end
  if mt == object_mt then return false end
  local n = #t
  local count = 0
  for _ in pairs(t) do count = count + 1 end
  if count == n then return true, n end
  return false
end

local function key_less(a, b)
  local ta, tb = type(a), type(b)
  if ta ~= tb then return ta < tb end
  return a < b
end

local encode_value

local function encode_table(t, out, opts, depth, seen)
  if seen[t] then error("json.encode: a table refers to itself", 0) end
  if depth > 500 then error("json.encode: nesting deeper than 500", 0) end
  seen[t] = true
  local ind, nl, sep = opts.indent, "", ":"
  local pad, padin = "", ""
  if ind then
    nl = "\n"; sep = ": "
    pad = string.rep(ind, depth); padin = string.rep(ind, depth + 1)
  end
  local arr, n = is_array(t)
  if arr then
    if n == 0 then out[#out + 1] = "[]"
    else
      out[#out + 1] = "[" .. nl
      for i = 1, n do
        out[#out + 1] = padin
        encode_value(t[i], out, opts, depth + 1, seen)
        out[#out + 1] = (i < n and "," or "") .. nl
      end
      out[#out + 1] = pad .. "]"
    end
  else
    local keys = {}
    for k in pairs(t) do
      local tk = type(k)
      if tk ~= "string" and tk ~= "number" then
        error("json.encode: object keys must be strings or numbers, got " .. tk, 0)
      end
      keys[#keys + 1] = k
    end
    table.sort(keys, key_less)
    if #keys == 0 then out[#out + 1] = "{}"
    else
      out[#out + 1] = "{" .. nl
      for i, k in ipairs(keys) do
        local ks = type(k) == "string" and k or json.number(k)
        out[#out + 1] = padin .. json.quote(ks) .. sep
        encode_value(t[k], out, opts, depth + 1, seen)
        out[#out + 1] = (i < #keys and "," or "") .. nl
      end
      out[#out + 1] = pad .. "}"
    end
  end
  seen[t] = nil
end

encode_value = function(v, out, opts, depth, seen)
  local tv = type(v)
  if v == nil or v == json.null then out[#out + 1] = "null"
  elseif tv == "boolean" then out[#out + 1] = v and "true" or "false"
  elseif tv == "number" then out[#out + 1] = json.number(v)
  elseif tv == "string" then out[#out + 1] = json.quote(v)
  elseif tv == "table" then encode_table(v, out, opts, depth, seen)
  else error("json.encode: cannot encode a " .. tv, 0) end
end

--- Encodes a Lua value as JSON.  opts.indent (a string such as "  ")
--- pretty-prints.  NaN and infinities become null; invalid UTF-8 bytes
--- become U+FFFD.  Raises on functions, userdata and cycles.
function json.encode(v, opts)
  opts = opts or {}
  local out = {}
  local ok, err = pcall(encode_value, v, out, opts, 0, {})
  if not ok then error(err, 2) end
  return concat(out)
end

-- ---------------------------------------------------------------------------
-- Decoding.

local function decode_error(msg, pos) error({ msg = msg, pos = pos }, 0) end

local ESCAPES = { ['"'] = '"', ["\\"] = "\\", ["/"] = "/", b = "\b", f = "\f", n = "\n", r = "\r", t = "\t" }

local function skip_ws(s, i)
  return s:find("[^ \t\r\n]", i) or #s + 1
end

local decode_value

local function decode_string(s, i)
  -- s:sub(i, i) == '"'
  local out, j = {}, i + 1
  while true do
    local a, b = s:find('^[^"\\%c]+', j)
    if a then out[#out + 1] = s:sub(a, b); j = b + 1 end
    local c = s:sub(j, j)
    if c == '"' then
      local str = concat(out)
      local okl, pos = utf8.len(str)
      if not okl then decode_error("invalid UTF-8 in string", i + pos) end
      return str, j + 1
    elseif c == "\\" then
      local e = s:sub(j + 1, j + 1)
      if ESCAPES[e] then out[#out + 1] = ESCAPES[e]; j = j + 2
      elseif e == "u" then
        local hex = s:match("^%x%x%x%x", j + 2)
        if not hex then decode_error("bad \\u escape", j) end
        local cp = tonumber(hex, 16)
        j = j + 6
        if cp >= 0xD800 and cp <= 0xDBFF then
          local lo = s:match("^\\u([dD][c-fC-F]%x%x)", j)
          if not lo then decode_error("unpaired surrogate", j - 6) end
          cp = 0x10000 + (cp - 0xD800) * 0x400 + (tonumber(lo, 16) - 0xDC00)
          j = j + 6
        elseif cp >= 0xDC00 and cp <= 0xDFFF then
          decode_error("unpaired surrogate", j - 6)
        end
        out[#out + 1] = utf8.char(cp)
      else
        decode_error("bad escape", j)
      end
    elseif c == "" then
      decode_error("unterminated string", i)
    else
      decode_error("control character in string", j)
    end
  end
end

local function decode_number(s, i)
  local j = i
  if s:sub(j, j) == "-" then j = j + 1 end
  local int = s:match("^%d+", j)
  if not int or (#int > 1 and int:sub(1, 1) == "0") then decode_error("bad number", i) end
  j = j + #int
  local float = false
  local frac = s:match("^%.%d*", j)
  if frac then
    if #frac == 1 then decode_error("bad number", i) end
    j = j + #frac; float = true
  end
  local ex = s:match("^[eE][-+]?%d*", j)
  if ex then
    if not ex:match("%d$") then decode_error("bad number", i) end
    j = j + #ex; float = true
  end
  local num = s:sub(i, j - 1)
  local v
  if float then v = tonumber(num) + 0.0
  else
    v = math.tointeger(tonumber(num))
    if not v then v = tonumber(num .. ".0") end   -- beyond 64 bits: a float
  end
  return v, j
end

decode_value = function(s, i, opts, depth)
  if depth > 500 then decode_error("nesting deeper than 500", i) end
  i = skip_ws(s, i)
  local c = s:sub(i, i)
  if c == "{" then
    local t = setmetatable({}, object_mt)
    i = skip_ws(s, i + 1)
    if s:sub(i, i) == "}" then return t, i + 1 end
    while true do
      if s:sub(i, i) ~= '"' then decode_error("expected a string key", i) end
      local k
      k, i = decode_string(s, i)
      i = skip_ws(s, i)
      if s:sub(i, i) ~= ":" then decode_error("expected ':'", i) end
      local v
      v, i = decode_value(s, i + 1, opts, depth + 1)
      if v == json.null and opts.null ~= "sentinel" then v = nil end
      t[k] = v
      i = skip_ws(s, i)
      local d = s:sub(i, i)
      if d == "}" then return t, i + 1 end
      if d ~= "," then decode_error("expected ',' or '}'", i) end
      i = skip_ws(s, i + 1)
    end
  elseif c == "[" then
    local t, n = {}, 0
    i = skip_ws(s, i + 1)
    if s:sub(i, i) == "]" then return t, i + 1 end
    while true do
      local v
      v, i = decode_value(s, i, opts, depth + 1)
      n = n + 1
      t[n] = v
      i = skip_ws(s, i)
      local d = s:sub(i, i)
      if d == "]" then return t, i + 1 end
      if d ~= "," then decode_error("expected ',' or ']'", i) end
      i = i + 1
    end
  elseif c == '"' then return decode_string(s, i)
  elseif c == "-" or c:match("%d") then return decode_number(s, i)
  elseif s:sub(i, i + 3) == "true" then return true, i + 4
  elseif s:sub(i, i + 4) == "false" then return false, i + 5
  elseif s:sub(i, i + 3) == "null" then return json.null, i + 4
  elseif c == "" then decode_error("unexpected end of input", i)
  end
  decode_error("unexpected character '" .. c .. "'", i)
end

--- Decodes JSON text.  Returns the value, or nil and a message naming the
--- byte offset (0-based) of the error.  Objects become tables marked with
--- json.object's metatable, so that {} encodes back as {} (null members
--- are left out unless opts.null == "sentinel"); null inside arrays is
--- json.null, so arrays keep their length.
function json.decode(s, opts)
  if type(s) ~= "string" then error("json.decode: expects a string", 2) end
  opts = opts or {}
  local ok, v, i = pcall(decode_value, s, 1, opts, 0)
  if ok then
    i = skip_ws(s, i)
    if i <= #s then ok, v = false, { msg = "trailing characters", pos = i } end
  end
  if not ok then
    if type(v) ~= "table" then error(v, 0) end
    local label = opts.name and (opts.name .. ": ") or ""
    return nil, string.format("%sjson: %s at byte %d", label, v.msg, v.pos - 1)
  end
  return v
end

return json
