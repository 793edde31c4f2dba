-- commands.lua: the analysis scripts as subcommands (`corpusrun freq`, as git
-- runs `git-NAME`): finding a script by its bare name in the scripts
-- directory (scripts/ in the source tree, PREFIX/share/corpusrun/scripts
-- once installed), listing them with a one-line summary (`corpusrun
-- --list`), and suggesting the nearest name for a misspelt one.
local host = require "corpusrun"
local cli = require "cli"

local commands = {}

-- The names of the scripts (file names without ".lua"), sorted.
function commands.names(dir)
  dir = dir or host.scripts_dir
  local names = {}
  local files = dir and host.list_dir(dir)
  for _, f in ipairs(files or {}) do
    local name = f:match("^(.+)%.lua$")
    if name and host.file_kind(dir .. "/" .. f) == "file" then names[#names + 1] = name end
  end
  return names
end

local distance = cli.distance

-- The script name nearest to word (a prefix of it, or at most a third of
-- its letters wrong, and at most 2), or nil; ties go to the first name.
function commands.suggest(word, names)
  local best, bestd
  word = word:lower()
  for _, name in ipairs(names) do
    local d = distance(word, name:lower())
    if #word >= 2 and name:lower():sub(1, #word) == word then d = 0 end
    if d <= math.min(2, math.max(1, #word // 3)) and (bestd == nil or d < bestd) then
      best, bestd = name, d
    end
  end
  return best
end

-- resolve(word) -> the path of the script word names, or nil and a message
-- (with a suggestion when a name is near).  word is a bare name ("freq" or
-- "freq.lua"); the caller has checked that no file of that name exists.
function commands.resolve(word)
  local dir = host.scripts_dir
  local name = word:match("^(.-)%.lua$") or word
  if dir and name ~= "" and not name:find("/", 1, true) then
    local path = dir .. "/" .. name .. ".lua"
    if host.file_kind(path) == "file" then return path end
  end
  local msg = ("cannot open %s (no such file, nor a script of that name%s)"):format(
    word, dir and (" in " .. dir) or "")
  local near = dir and commands.suggest(name, commands.names(dir))
  if near then
    msg = msg .. ("; did you mean '%s'?"):format(near)
  end
  if dir then msg = msg .. "; 'corpusrun --list' lists the scripts" end
  return nil, msg
end

-- A script's one-line summary: spec.summary, else the first sentence of its
-- description up to a colon, cut at a word to fit width columns.
function commands.summary(spec, width)
  local text = spec.summary or spec.description or ""
  text = text:gsub("%s+", " "):gsub("^ ", "")
  text = text:match("^(.-[%.!?])%s") or text
  text = text:match("^(.-):%s") or text
  text = text:gsub("%.$", "")
  if utf8.len(text) and utf8.len(text) > width then
    local cut = text:sub(1, utf8.offset(text, width) - 1):match("^(.*%S)%s") or ""
    text = cut:gsub("[%s,;(]+$", "") .. "…"
  end
  return text
end

-- The lines `corpusrun --list` prints: each script's name and summary.
function commands.list_text(dir)
  dir = dir or host.scripts_dir
  if not dir then return nil, "no scripts directory beside this corpusrun" end
  local names = commands.names(dir)
  local w = 0
  for _, name in ipairs(names) do w = math.max(w, #name) end
  local out = {}
  for _, name in ipairs(names) do
    local spec = cli.describe(dir .. "/" .. name .. ".lua")
    local summary = spec and commands.summary(spec, math.max(20, 78 - w - 2)) or ""
    out[#out + 1] = ("%-" .. w .. "s  %s"):format(name, summary):gsub("%s+$", "")
  end
  return table.concat(out, "\n") .. (#out > 0 and "\n" or ""), dir
end

return commands
