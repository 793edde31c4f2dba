-- Word frequencies in plain Lua 5.4: gmatch("%a+") over each lowercased file.
-- usage: lua5.4 freq_gmatch.lua FILELIST  (NUL-separated paths)
local list = assert(io.open(arg[1], "rb")):read("a")
local counts = {}
for path in list:gmatch("[^%z]+") do
  local f = assert(io.open(path, "rb"))
  local text = f:read("a"):lower()
  f:close()
  for w in text:gmatch("%a+") do counts[w] = (counts[w] or 0) + 1 end
end
local words = {}
for w in pairs(counts) do words[#words + 1] = w end
table.sort(words, function(a, b)
  if counts[a] ~= counts[b] then return counts[a] > counts[b] end
  return a < b
end)
local out = io.stdout
for _, w in ipairs(words) do out:write(counts[w], "\t", w, "\n") end
