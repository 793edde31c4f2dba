-- progress: the line it draws, when it draws, and silence when stderr is
-- not a terminal or the run is quiet.
local t = require "tap"
local progress = require "progress"

local function sink()
  local s = { buf = {} }
  function s:write(...) for _, x in ipairs({ ... }) do self.buf[#self.buf + 1] = x end end
  function s:text() return table.concat(self.buf) end
  return s
end
local now = 0
local function clock() return now end

do
  now = 0
  local out = sink()
  local p = progress.new { total = 4, bytes = 4e6, label = "counting", stream = out, tty = true, clock = clock, interval = 1 }
  now = 2; p:add(1, 1e6)
  t.is(out:text(), "\rcounting  1/4 docs   25%  1.0 MB  0.5 MB/s  ETA 0:06", "first line: count, percent, rate, ETA")
  now = 2.5; p:add(1, 1e6)
  t.is(out:text(), "\rcounting  1/4 docs   25%  1.0 MB  0.5 MB/s  ETA 0:06", "no redraw before the interval")
  now = 4; p:add(2, 2e6)
  p:finish()
  t.like(out:text(), "\rcounting  4/4 docs  100%%  4%.0 MB  1%.0 MB/s  in 0:04 *\n$", "final line ends with a newline")
  p:finish()
  t.like(out:text(), "in 0:04 *\n$", "finish is idempotent")
  t.raises(function() p:update(5) end, "after finish", "update after finish raises")
end

do
  now = 0
  local out = sink()
  local p = progress.new { stream = out, tty = true, clock = clock, interval = 0 }
  now = 3725; p:update(10)
  t.is(out:text(), "\rprogress  10 docs", "without a total: the count only")
  t.is(p:line(), "progress  10 docs", "line()")
end

do
  local out = sink()
  local p = progress.new { total = 2, stream = out, tty = false, clock = clock }
  p:add(); p:add(); p:finish()
  t.is(out:text(), "", "nothing when stderr is not a terminal")
  local q = progress.new { total = 2, stream = out, tty = true, quiet = true, clock = clock }
  q:add(); q:finish()
  t.is(out:text(), "", "nothing when quiet")
  progress.quiet = true
  local g = progress.new { total = 2, stream = out, tty = true, clock = clock }
  g:add(); g:finish()
  t.is(out:text(), "", "nothing when the run is quiet (--quiet)")
  progress.quiet = false
end

do
  -- a shorter line after a longer one is padded so no stale characters stay
  now = 0
  local out = sink()
  local p = progress.new { label = "x", stream = out, tty = true, clock = clock, interval = 0, unit = "d" }
  now = 1; p:update(100000)
  now = 2; p:update(5)
  t.is(out:text(), "\rx  100000 d\rx  5 d     ", "shorter lines overwrite longer ones")
  local quick = sink()
  now = 0
  local q = progress.new { total = 3, stream = quick, tty = true, clock = clock, interval = 1 }
  now = 0.5; q:add(3); q:finish()
  t.is(quick:text(), "", "a run shorter than one interval prints nothing")
end

-- In a child whose stderr is a file, progress.isatty() is false.
do
  local cr = os.getenv("CORPUSRUN") or "lua5.4"
  local code = 'local p=require("progress"); io.write(tostring(p.isatty())); local x=p.new{total=1}; x:add(); x:finish()'
  local out, status, err = t.run(t.shell_quote(cr) .. " -e " .. t.shell_quote(code))
  t.is(status, 0, "child ran")
  t.is(out, "false", "stderr redirected: not a terminal")
  t.is(err, "", "and nothing written to it")
end

t.done()
