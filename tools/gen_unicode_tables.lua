-- gen_unicode_tables.lua — generates host/text/ucd_tables.{h,c} from the
-- Unicode Character Database files shipped by Debian's unicode-data package.
--
--   lua5.4 tools/gen_unicode_tables.lua [UNICODE_DIR [OUT_DIR]]
--
-- UNICODE_DIR defaults to /usr/share/unicode, OUT_DIR to host/text.
-- The output is deterministic: running it twice on the same files gives the
-- same bytes, and a test regenerates it and compares with the committed copy.
--
-- Every code point gets a 16-bit property word:
--   bits  0..4   Word_Break        (enum cr_wb)
--   bits  5..8   Sentence_Break    (enum cr_sb)
--   bits  9..11  coarse class      (enum cr_gc: letter, mark, number, punct,
--                                   symbol, space (White_Space), other)
--   bit  12      Extended_Pictographic
--   bit  13      Emoji_Presentation
--   bit  14      Emoji
-- The distinct words go in a small value table; a two-stage lookup maps a code
-- point to its value index: stage1[cp >> SHIFT] is a block number, and
-- stage2[block * BLOCK + (cp & (BLOCK - 1))] the index.

local udir = arg[1] or "/usr/share/unicode"
local odir = arg[2] or "host/text"
local SHIFT = 7
local BLOCK = 1 << SHIFT
local MAXCP = 0x110000

local WB = { "Other", "CR", "LF", "Newline", "Extend", "ZWJ", "Regional_Indicator",
  "Format", "Katakana", "Hebrew_Letter", "ALetter", "Single_Quote", "Double_Quote",
  "MidNumLet", "MidLetter", "MidNum", "Numeric", "ExtendNumLet", "WSegSpace" }
local SB = { "Other", "CR", "LF", "Extend", "Sep", "Format", "Sp", "Lower", "Upper",
  "OLetter", "Numeric", "ATerm", "SContinue", "STerm", "Close" }
local GC = { "other", "letter", "mark", "number", "punct", "symbol", "space" }

local function index_of(list)
  local t = {}
  for i, v in ipairs(list) do t[v] = i - 1 end
  return t
end
local WBI, SBI = index_of(WB), index_of(SB)

local function die(msg)
  io.stderr:write("gen_unicode_tables: ", msg, "\n")
  os.exit(1)
end

-- Calls fn(first, last, value) for each data line "XXXX[..YYYY] ; value [; more]".
local function each_range(path, fn)
  local f = io.open(path, "r")
  if not f then die("cannot open " .. path) end
  local version
  local lineno = 0
  for line in f:lines() do
    lineno = lineno + 1
    if lineno == 1 then version = line:match("%-(%d+%.%d+%.%d+)%.txt") end
    local data = line:gsub("#.*", "")
    local a, b, v = data:match("^%s*(%x+)%.%.(%x+)%s*;%s*([^;]-)%s*$")
    if not a then
      a, v = data:match("^%s*(%x+)%s*;%s*([^;]-)%s*$")
      b = a
    end
    if a then fn(tonumber(a, 16), tonumber(b, 16), v)
    elseif data:match("%S") then die(path .. ":" .. lineno .. ": cannot parse: " .. line) end
  end
  f:close()
  return version
end

local wb, sb, gc, flags = {}, {}, {}, {}
local versions = {}

versions.wb = each_range(udir .. "/auxiliary/WordBreakProperty.txt", function(a, b, v)
  local x = WBI[v] or die("unknown Word_Break value " .. v)
  for c = a, b do wb[c] = x end
end)
versions.sb = each_range(udir .. "/auxiliary/SentenceBreakProperty.txt", function(a, b, v)
  local x = SBI[v] or die("unknown Sentence_Break value " .. v)
  for c = a, b do sb[c] = x end
end)
local gcmap = { L = 1, M = 2, N = 3, P = 4, S = 5, Z = 6, C = 0 }
versions.gc = each_range(udir .. "/extracted/DerivedGeneralCategory.txt", function(a, b, v)
  local x = gcmap[v:sub(1, 1)] or die("unknown General_Category " .. v)
  for c = a, b do gc[c] = x end
end)
versions.pl = each_range(udir .. "/PropList.txt", function(a, b, v)
  if v == "White_Space" then for c = a, b do gc[c] = 6 end end
end)
local emoji_bits = { Extended_Pictographic = 1 << 12, Emoji_Presentation = 1 << 13, Emoji = 1 << 14 }
each_range(udir .. "/emoji/emoji-data.txt", function(a, b, v)
  local bit = emoji_bits[v]
  if bit then for c = a, b do flags[c] = (flags[c] or 0) | bit end end
end)

local version = versions.wb
if not version or versions.sb ~= version or versions.gc ~= version or versions.pl ~= version then
  die("inconsistent or missing Unicode versions in the data files")
end

-- Property words, value table, two-stage lookup.
local values, value_index = {}, {}
local function vindex(w)
  local i = value_index[w]
  if not i then
    values[#values + 1] = w
    i = #values - 1
    value_index[w] = i
  end
  return i
end
vindex(0)

local stage1, stage2, blocks = {}, {}, {}
for blk = 0, MAXCP // BLOCK - 1 do
  local idx = {}
  for c = blk * BLOCK, blk * BLOCK + BLOCK - 1 do
    local w = (wb[c] or 0) | ((sb[c] or 0) << 5) | ((gc[c] or 0) << 9) | (flags[c] or 0)
    idx[#idx + 1] = vindex(w)
  end
  local key = table.concat(idx, ",")
  local b = blocks[key]
  if not b then
    b = #stage2 // BLOCK
    blocks[key] = b
    for _, x in ipairs(idx) do stage2[#stage2 + 1] = x end
  end
  stage1[#stage1 + 1] = b
end
if #values > 256 then die("more than 256 distinct property words") end
local nblocks = #stage2 // BLOCK
local s1type = nblocks > 255 and "uint16_t" or "uint8_t"

local function emit_array(out, ctype, name, list, per_line, fmt)
  out[#out + 1] = string.format("const %s %s[%d] = {", ctype, name, #list)
  for i = 1, #list, per_line do
    local row = {}
    for j = i, math.min(i + per_line - 1, #list) do row[#row + 1] = string.format(fmt, list[j]) end
    out[#out + 1] = "    " .. table.concat(row, ",") .. ","
  end
  out[#out + 1] = "};"
end

local hdr = {}
local function h(s) hdr[#hdr + 1] = s end
h("/* ucd_tables.h — GENERATED by tools/gen_unicode_tables.lua from the Unicode")
h(" * Character Database " .. version .. "; do not edit.  Regenerate with `make unicode-tables`. */")
h("#ifndef CORPUSRUN_UCD_TABLES_H")
h("#define CORPUSRUN_UCD_TABLES_H")
h("#include <stdint.h>")
h("")
h('#define CR_UCD_VERSION "' .. version .. '"')
h("#define CR_UCD_SHIFT " .. SHIFT)
h("")
h("enum cr_wb {")
for i, v in ipairs(WB) do h(string.format("    CR_WB_%s = %d,", v, i - 1)) end
h("};")
h("enum cr_sb {")
for i, v in ipairs(SB) do h(string.format("    CR_SB_%s = %d,", v, i - 1)) end
h("};")
h("enum cr_gc {")
for i, v in ipairs(GC) do h(string.format("    CR_GC_%s = %d,", v:upper(), i - 1)) end
h("};")
h("")
h("#define CR_UCD_WB(p) ((unsigned)(p) & 31u)")
h("#define CR_UCD_SB(p) (((unsigned)(p) >> 5) & 15u)")
h("#define CR_UCD_GC(p) (((unsigned)(p) >> 9) & 7u)")
h("#define CR_UCD_EXTPICT      (1u << 12)")
h("#define CR_UCD_EMOJI_PRES   (1u << 13)")
h("#define CR_UCD_EMOJI        (1u << 14)")
h("")
h("extern const uint16_t cr_ucd_ascii[128];")
h(string.format("extern const uint16_t cr_ucd_values[%d];", #values))
h(string.format("extern const %s cr_ucd_stage1[%d];", s1type, #stage1))
h(string.format("extern const uint8_t cr_ucd_stage2[%d];", #stage2))
h("")
h("/* The property word of a code point (0 for code points out of range). */")
h("static inline unsigned cr_ucd_props(uint32_t cp) {")
h("    if (cp < 0x80u) return cr_ucd_ascii[cp];")
h("    if (cp >= 0x110000u) return 0;")
h("    return cr_ucd_values[cr_ucd_stage2[((unsigned)cr_ucd_stage1[cp >> CR_UCD_SHIFT] << CR_UCD_SHIFT)")
h("                                      | (cp & ((1u << CR_UCD_SHIFT) - 1u))]];")
h("}")
h("#endif")

local src = {}
src[1] = "/* ucd_tables.c — GENERATED by tools/gen_unicode_tables.lua from the Unicode"
src[2] = " * Character Database " .. version .. "; do not edit. */"
src[3] = '#include "ucd_tables.h"'
src[4] = ""
local ascii = {}
for c = 0, 127 do ascii[c + 1] = values[stage2[stage1[1] * BLOCK + c + 1] + 1] end
emit_array(src, "uint16_t", "cr_ucd_ascii", ascii, 12, "0x%04x")
emit_array(src, "uint16_t", "cr_ucd_values", values, 12, "0x%04x")
emit_array(src, s1type, "cr_ucd_stage1", stage1, 16, "%d")
emit_array(src, "uint8_t", "cr_ucd_stage2", stage2, 24, "%d")

local function write(path, lines)
  local f = io.open(path, "w") or die("cannot write " .. path)
  f:write(table.concat(lines, "\n"), "\n")
  f:close()
end
write(odir .. "/ucd_tables.h", hdr)
write(odir .. "/ucd_tables.c", src)
io.stderr:write(string.format("gen_unicode_tables: Unicode %s, %d values, %d blocks, %d bytes\n",
  version, #values, nblocks, #values * 2 + #stage1 * (s1type == "uint8_t" and 1 or 2) + #stage2))
