-- progress.lua: a progress line on stderr for long runs (documents done,
-- MB/s, ETA), shown only when stderr is a terminal and never when quiet.
--
--   local p = progress.new{total = #c, bytes = size, label = "counting"}
--   for doc in c:docs() do ...; p:add(1, #doc.text) end
--   p:finish()
local host = require "corpusrun"

local progress = {}

--- Set by the command line's --quiet (or by a script): silences every
--- progress line of the run.
progress.quiet = false

--- Set by a host that shows progress elsewhere than on a terminal (the
--- notebook kernel: a display updated in place in the cell): a function
--- display(id, text, html, final) called instead of writing the line, with
--- the id it returned the first time (nil then).  While it is set every
--- progress line is on unless quiet, whatever stderr is.
progress.display = nil

local tty_cache
--- Whether stderr is a terminal (asked once).
function progress.isatty()
  if tty_cache == nil then tty_cache = host.isatty(2) end
  return tty_cache
end

local function env_quiet()
  local v = os.getenv("CORPUSRUN_QUIET")
  return v ~= nil and v ~= "" and v ~= "0"
end

-- Wall-clock seconds (corpusrun.clock, monotonic): a parent waiting on
-- its workers uses no CPU time, so os.clock would stand still.
local clock_default = host.clock or os.clock

local Progress = {}
Progress.__index = Progress
Progress.__name = "corpusrun.Progress"
-- registered under its name, as luaL_newmetatable registers the C types, so
-- that help() and completion find its methods (not inside --sandbox, whose
-- modules have no debug library)
if debug then debug.getregistry()["corpusrun.Progress"] = Progress end

--- A progress reporter.  opts: total (documents expected), bytes (bytes
--- expected), label, unit (default "docs"), quiet, stream (default
--- io.stderr), tty (force on or off; default: is stderr a terminal),
--- clock (seconds; default corpusrun.clock, a monotonic wall clock), interval (seconds between redraws,
--- default 0.2).
function progress.new(opts)
  opts = opts or {}
  local p = setmetatable({
    total = opts.total, bytes_total = opts.bytes, label = opts.label or "progress",
    unit = opts.unit or "docs", stream = opts.stream or io.stderr,
    clock = opts.clock or clock_default, interval = opts.interval or 0.2,
    done = 0, bytes = 0, last_draw = nil, width = 0, finished = false,
  }, Progress)
  local tty = opts.tty
  if progress.display and opts.stream == nil and tty == nil then
    p.enabled = not (opts.quiet or progress.quiet)
    p.display = progress.display
  else
    local quiet = opts.quiet or progress.quiet or env_quiet()
    if tty == nil and not quiet then tty = progress.isatty() end
    p.enabled = not quiet and tty and true or false
  end
  p.start = p.clock()
  return p
end

--- The progress line for reading a corpus (or any source whose `#` counts
--- its documents; a count that fails is left out), or nil when the line is
--- off (stderr is no terminal, or quiet).  opts as for progress.new.
function progress.for_corpus(c, opts)
  local p = progress.new(opts)
  if not p.enabled then return nil end
  local ok, total = pcall(function() return #c end)
  if ok and math.type(total) == "integer" then p.total = total end
  return p
end

--- A function(k, docs, bytes) that takes worker k's counts (of jobs
--- workers, each counting its own share) and shows their sums on the line
--- p; nil when p is nil (the line is off).
function progress.per_worker(p, jobs)
  if not p then return nil end
  local docs, bytes = {}, {}
  for k = 1, jobs do docs[k], bytes[k] = 0, 0 end
  return function(k, d, b)
    docs[k], bytes[k] = d, b
    local sd, sb = 0, 0
    for i = 1, jobs do sd, sb = sd + docs[i], sb + bytes[i] end
    p:update(sd, sb)
  end
end

local function fmt_time(s)
  if s ~= s or s == math.huge or s < 0 then return "--:--" end
  s = math.floor(s + 0.5)
  local h, m = s // 3600, (s % 3600) // 60
  if h > 0 then return string.format("%d:%02d:%02d", h, m, s % 60) end
  return string.format("%d:%02d", m, s % 60)
end

--- The text of the progress line as it stands.
function Progress:line()
  local elapsed = self.clock() - self.start
  local parts = { self.label }
  if self.total then
    parts[#parts + 1] = string.format("%d/%d %s", self.done, self.total, self.unit)
    if self.total > 0 then parts[#parts + 1] = string.format("%3.0f%%", 100 * self.done / self.total) end
  else
    parts[#parts + 1] = string.format("%d %s", self.done, self.unit)
  end
  if self.bytes > 0 then
    parts[#parts + 1] = string.format("%.1f MB", self.bytes / 1e6)
    if elapsed > 0 then parts[#parts + 1] = string.format("%.1f MB/s", self.bytes / 1e6 / elapsed) end
  end
  if not self.finished and elapsed > 0 then
    local frac
    if self.bytes_total and self.bytes_total > 0 then frac = self.bytes / self.bytes_total
    elseif self.total and self.total > 0 then frac = self.done / self.total end
    if frac and frac > 0 then parts[#parts + 1] = "ETA " .. fmt_time(elapsed * (1 - frac) / frac) end
  elseif self.finished then
    parts[#parts + 1] = "in " .. fmt_time(elapsed)
  end
  return table.concat(parts, "  ")
end

local HTML_ESC = { ["&"] = "&amp;", ["<"] = "&lt;", [">"] = "&gt;" }

--- The progress as an HTML fragment: a <progress> bar (when the total is
--- known) and the line.
function Progress:html()
  local bar = ""
  if self.total and self.total > 0 then
    bar = string.format('<progress value="%d" max="%d"></progress> ', math.min(self.done, self.total), self.total)
  end
  return '<div class="corpusrun-progress">' .. bar .. "<code>" .. self:line():gsub("[&<>]", HTML_ESC) .. "</code></div>"
end

function Progress:draw(force)
  if not self.enabled then return end
  local now = self.clock()
  -- the first line only after one interval: quick runs print nothing
  if not force and now - (self.last_draw or self.start) < self.interval then return end
  self.last_draw = now
  local s = self:line()
  if self.display then
    self.display_id = self.display(self.display_id, s, self:html(), self.finished)
    return
  end
  local pad = self.width > #s and string.rep(" ", self.width - #s) or ""
  self.width = #s
  self.stream:write("\r", s, pad)
  if self.stream.flush then self.stream:flush() end
end

--- Sets the counts reached so far (documents, bytes) and redraws when due.
function Progress:update(done, bytes)
  if self.finished then error("progress: update after finish", 2) end
  self.done = done or self.done
  self.bytes = bytes or self.bytes
  self:draw(false)
end

--- Adds to the counts (default one document, no bytes).
function Progress:add(ndocs, nbytes)
  self:update(self.done + (ndocs or 1), self.bytes + (nbytes or 0))
end

--- Draws the final line and ends it with a newline.  Idempotent.
function Progress:finish()
  if self.finished then return end
  self.finished = true
  if self.enabled and self.last_draw then
    self:draw(true)
    if not self.display then self.stream:write("\n") end
  end
end
Progress.__close = Progress.finish

return progress
