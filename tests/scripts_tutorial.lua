-- docs/TUTORIAL.md runs as written: every command of its ```sh blocks,
-- read from the page itself, runs verbatim in a scratch copy of a fresh
-- checkout (the project's scripts/ and corpus/, nothing else: no
-- tutorial/ directory, no ./corpusrun) with only the system's directories
-- on the PATH, and exits 0; when an ```output block follows, the commands
-- print exactly that.  `make` is the one command not run: it stands for
-- the build, which puts the binary under test at ./corpusrun, so a command
-- that uses ./corpusrun before the page builds it fails, and so does one
-- that calls a bare `corpusrun`.
-- Run with TUTORIAL_UPDATE=1 to rewrite the output blocks from a fresh run.
local t = require "tap"
local q = t.shell_quote

for _, m in ipairs({ "kwic", "lsqlite3" }) do
  if not pcall(require, m) then t.skip_all("the tutorial uses the " .. m .. " module, not built yet") end
end

local path = "docs/TUTORIAL.md"
local f = assert(io.open(path, "rb"))
local text = f:read("a")
f:close()

local lines = {}
for l in (text .. "\n"):gmatch("(.-)\n") do lines[#lines + 1] = l end
if lines[#lines] == "" then lines[#lines] = nil end

-- the fresh checkout: the files the tutorial reads, and nothing it makes
local root = t.root:sub(1, 1) == "/" and t.root or (os.getenv("PWD") .. "/" .. t.root)
local bin = t.corpusrun:sub(1, 1) == "/" and t.corpusrun or (root .. "/" .. t.corpusrun)
local tmp = os.tmpname()
os.remove(tmp)
os.execute("mkdir -p " .. q(tmp) .. " && cp -R " .. q(root .. "/scripts") .. " " .. q(root .. "/corpus") .. " " .. q(tmp))
local built = false
local PATH = "/usr/local/bin:/usr/bin:/bin"

local function run(cmd)
  if cmd:match("^make%s*$") or cmd:match("^make%s+#") then
    -- what make leaves in the project root
    built = os.execute("ln -s " .. q(bin) .. " " .. q(tmp .. "/corpusrun")) == true
    return "", built and 0 or 1, built and "" or "cannot link ./corpusrun"
  end
  local out, code, err = t.run("cd " .. q(tmp) .. " && PATH=" .. PATH .. " " .. cmd)
  -- CSV records end in CRLF (RFC 4180); the tutorial shows them as lines
  out = out:gsub("\r\n", "\n")
  return out, code, err
end

local update = os.getenv("TUTORIAL_UPDATE") == "1"
local new = {}
local i, n = 1, 0
while i <= #lines do
  local l = lines[i]
  new[#new + 1] = l
  if l:match("^```sh%s*$") then
    local cmds = {}
    i = i + 1
    while i <= #lines and not lines[i]:match("^```%s*$") do
      new[#new + 1] = lines[i]
      if lines[i]:match("%S") and not lines[i]:match("^%s*#") then cmds[#cmds + 1] = lines[i] end
      i = i + 1
    end
    new[#new + 1] = lines[i]
    local outputs = {}
    for _, cmd in ipairs(cmds) do
      n = n + 1
      local out, code, err = run(cmd)
      t.ok(code == 0, "tutorial: " .. cmd, "exit " .. tostring(code) .. "; stderr: " .. err)
      outputs[#outputs + 1] = out
    end
    -- an output block right after (blank lines between allowed)
    local j = i + 1
    while j <= #lines and lines[j]:match("^%s*$") do j = j + 1 end
    if j <= #lines and lines[j]:match("^```output%s*$") then
      local k = j + 1
      local want = {}
      while k <= #lines and not lines[k]:match("^```%s*$") do want[#want + 1] = lines[k]; k = k + 1 end
      local got = table.concat(outputs)
      local wanttext = #want > 0 and (table.concat(want, "\n") .. "\n") or ""
      if update then
        for x = i + 1, j do new[#new + 1] = lines[x] end
        for ol in got:gmatch("(.-)\n") do new[#new + 1] = ol end
        new[#new + 1] = "```"
      else
        t.ok(got == wanttext, "tutorial output of: " .. cmds[#cmds],
             "     got: " .. t.repr(got), "expected: " .. t.repr(wanttext))
        for x = i + 1, k do new[#new + 1] = lines[x] end
      end
      i = k
    end
  end
  i = i + 1
end
if update then
  local o = assert(io.open(path, "wb"))
  o:write(table.concat(new, "\n") .. "\n")
  o:close()
end
os.execute("rm -rf " .. q(tmp))
t.ok(built, "the tutorial builds corpusrun (make) before it runs it")
if n == 0 then t.skip("no commands in the tutorial") end
t.done()
