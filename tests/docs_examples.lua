-- Every example in docs/*.md and docs/api/*.md (a ```lua block followed by an ```output
-- block) runs with corpusrun from the project root and prints exactly its
-- output block.
local t = require "tap"
local q = t.shell_quote

local function examples(path)
  local f = assert(io.open(path, "rb")); local text = f:read("a"); f:close()
  local found = {}
  local lines = {}
  for l in (text .. "\n"):gmatch("(.-)\n") do lines[#lines + 1] = l end
  local i = 1
  while i <= #lines do
    if lines[i]:match("^```lua%s*$") then
      local start, code = i, {}
      i = i + 1
      while i <= #lines and not lines[i]:match("^```%s*$") do code[#code + 1] = lines[i]; i = i + 1 end
      local j = i + 1
      while j <= #lines and lines[j]:match("^%s*$") do j = j + 1 end
      if j <= #lines and lines[j]:match("^```output%s*$") then
        local out = {}
        j = j + 1
        while j <= #lines and not lines[j]:match("^```%s*$") do out[#out + 1] = lines[j]; j = j + 1 end
        found[#found + 1] = { line = start, code = table.concat(code, "\n") .. "\n",
                              output = #out > 0 and table.concat(out, "\n") .. "\n" or "" }
        i = j
      end
    end
    i = i + 1
  end
  return found
end

local files = {}
local p = io.popen("ls docs/*.md docs/api/*.md 2>/dev/null")
for f in p:lines() do files[#files + 1] = f end
p:close()

-- Examples that tag text need the tagger's model (built through make on first use).
local has_model, no_model = t.tagger_model()
local function needs_model(code)
  return code:find("tokenize%.tag") or (code:find("attr") and code:find("add_text"))
end

local total, bare = 0, {}
for _, file in ipairs(files) do
  local exs = examples(file)
  if #exs == 0 and file:match("^docs/api/") then bare[#bare + 1] = file end
  for _, ex in ipairs(exs) do
    total = total + 1
    if not has_model and needs_model(ex.code) and os.getenv("CI") ~= "true" then
      t.skip(string.format("%s:%d: %s", file, ex.line, no_model), 1)
      goto continue
    end
    local tmp = os.tmpname()
    local f = assert(io.open(tmp, "wb")); f:write(ex.code); f:close()
    local out, code, err = t.run(q(t.corpusrun) .. " " .. q(tmp))
    os.remove(tmp)
    local name = string.format("%s:%d", file, ex.line)
    t.ok(out == ex.output and code == 0, name .. " prints its documented output",
      "     got: " .. t.repr(out), "expected: " .. t.repr(ex.output),
      "exit " .. tostring(code) .. "; stderr: " .. err)
    ::continue::
  end
end
t.ok(#files > 0, "docs/*.md and docs/api/*.md are found")
t.ok(total > 0, "the documentation holds examples (" .. total .. " found)")
t.is_deeply(bare, {}, "every page of docs/api/ has an example")
t.done()
