-- sandbox.lua: the environment of `corpusrun --sandbox script.lua`, for
-- scripts written by someone else (see docs/sandbox.md).
--
-- The script runs from text only, in an allow-listed environment whose
-- library tables are read-only copies. It reads only the corpus it was
-- given and the files named by its declared input options, and writes only
-- the files named by its declared output options. The host adds the memory
-- cap, the CPU-time limit and the separate process with OS limits.
local host = require "corpusrun"
local cli = require "cli"
local receipt = require "receipt"

local sandbox = {}

local EXIT = setmetatable({}, { __tostring = function() return "os.exit" end })

-- ---- path policy --------------------------------------------------------------

local function policy_error(what, path)
  error(("sandbox: %s '%s' is not allowed (only the corpus and the script's declared inputs can be read, and its declared outputs written)")
    :format(what, tostring(path)), 3)
end

local function within(path, root)
  return path == root or (root == "/" and path:sub(1, 1) == "/") or path:sub(1, #root + 1) == root .. "/"
end

-- The one sidecar name the receipt layer writes beside an output.
local function receipt_sidecar(path) return receipt.sidecar_name(path) end

-- A policy: read roots (directories or files) and write targets (files).
local function new_policy()
  local p = { read = {}, write = {}, dirs = {} }

  function p.allow_read(path)
    local real = host.realpath(path)
    if real then p.read[#p.read + 1] = real end
  end

  function p.allow_write(path)
    local real = host.realpath(path, true)
    if real then
      p.write[#p.write + 1] = real
      p.read[#p.read + 1] = real
      -- its directory may be looked at (does it exist?), not read through
      p.dirs[real:match("^(.*)/[^/]*$") or "/"] = true
    end
  end

  function p.can_read(path)
    local real = host.realpath(path, true)
    if not real then return false end
    if p.dirs[real] then return true end
    for _, root in ipairs(p.read) do if within(real, root) then return true end end
    return false
  end

  function p.can_write(path)
    local real = host.realpath(path, true)
    if not real then return false end
    for _, target in ipairs(p.write) do
      -- the output itself, and the receipt sidecar the host writes beside it
      -- (out.csv.receipt.json); no other name derived from it
      if real == target or real == receipt_sidecar(target) then return true end
    end
    return false
  end

  return p
end

-- What the script may touch, from its declared options and the arguments.
local function policy_for(script, args)
  local p = new_policy()
  p.allow_read(script)   -- its own text, e.g. to hash it for provenance
  local corpus = host.default_corpus()
  if corpus then p.allow_read(corpus) end
  local spec = cli.describe(script)
  if spec then
    local values = cli.try(spec, args)
    if type(values) == "table" then
      for _, o in ipairs(spec.options or {}) do
        local key = o.key or o.name:gsub("-", "_")
        local v = values[key]
        local list = type(v) == "table" and v or { v }
        for _, x in ipairs(list) do
          if type(x) == "string" then
            if o.type == "output" then p.allow_write(x)
            elseif o.type == "file" or o.type == "corpus" or o.type == "path" then p.allow_read(x) end
          end
        end
        -- a declared corpus option without a value falls back to the default corpus
      end
    end
  end
  return p
end

-- ---- the environment -------------------------------------------------------------

-- A read-only view of t: reads go through, writes raise, and the view's
-- metatable cannot be fetched or replaced.
local function frozen(name, t)
  local copy = {}
  for k, v in pairs(t) do copy[k] = v end
  return setmetatable({}, {
    __index = copy,
    __newindex = function(_, k) error(("sandbox: %s.%s is read-only"):format(name, tostring(k)), 2) end,
    __pairs = function() return next, copy, nil end,
    __len = function() return #copy end,
    __metatable = "read-only library table",
  }), copy
end

local function pick(t, names)
  local out = {}
  for _, n in ipairs(names) do out[n] = t[n] end
  return out
end

local SAFE_GLOBALS = { "assert", "error", "ipairs", "next", "pairs", "pcall", "print", "rawequal",
  "rawget", "rawlen", "rawset", "select", "setmetatable", "getmetatable", "tonumber", "tostring",
  "type", "xpcall", "_VERSION" }

function sandbox.environment(policy, opts)
  opts = opts or {}
  local max_output = opts.max_output or 0
  local written = 0
  local function count_output(n)
    written = written + n
    if max_output > 0 and written > max_output then
      error(("sandbox: output limit exceeded (%d bytes)"):format(max_output), 3)
    end
  end

  local env = {}
  for _, name in ipairs(SAFE_GLOBALS) do env[name] = _G[name] end

  -- Output: print and every file write count against --max-output.
  local raw_print, tostring_ = print, tostring
  env.print = function(...)
    local n = select("#", ...)
    local size = n
    for i = 1, n do size = size + #tostring_((select(i, ...))) end
    count_output(size)
    return raw_print(...)
  end
  local file_methods = getmetatable(io.stdout).__index
  local raw_write = file_methods.write
  local function counted_write(f, ...)
    local size = 0
    for i = 1, select("#", ...) do
      local v = select(i, ...)
      size = size + (type(v) == "string" and #v or #tostring_(v))
    end
    count_output(size)
    return raw_write(f, ...)
  end
  file_methods.write = counted_write

  -- Memory cap for strings built in one C call.
  local raw_rep = string.rep
  local function checked_rep(s, n, sep)
    local total = #s * math.max(n, 0) + (sep and #sep * math.max(n - 1, 0) or 0)
    local used, limit = host.memory()
    if limit > 0 and total > limit - used then
      error(("sandbox: string.rep of %d bytes exceeds the memory limit"):format(total), 2)
    end
    return raw_rep(s, n, sep)
  end

  local str = pick(string, { "byte", "char", "find", "format", "gmatch", "gsub", "len", "lower",
    "match", "pack", "packsize", "reverse", "sub", "unpack", "upper" })
  str.rep = checked_rep
  env.string = frozen("string", str)
  env.table = frozen("table", table)
  env.math = frozen("math", math)
  env.utf8 = frozen("utf8", utf8)
  env.coroutine = frozen("coroutine", coroutine)
  env.os = frozen("os", {
    clock = os.clock, date = os.date, time = os.time, difftime = os.difftime,
    getenv = function() return nil end,   -- the environment is not the script's to read
    exit = function(code) error(setmetatable({ code = code }, getmetatable(EXIT)), 0) end,
  })
  env.collectgarbage = function(what)
    if what == "count" then return collectgarbage("count") end
    error("sandbox: collectgarbage only answers 'count'", 2)
  end

  -- Text-only loading, in this environment unless another is given.
  env.load = function(chunk, name, _, e)
    return load(chunk, name, "t", e == nil and env or e)
  end

  -- Files: reads and writes checked against the policy.
  local function open(path, mode)
    mode = mode or "r"
    if type(path) ~= "string" then error("bad argument #1 to 'open' (string expected)", 2) end
    local writing = mode:find("[wa+]") ~= nil
    if writing then
      if not policy.can_write(path) then policy_error("writing", path) end
    elseif not policy.can_read(path) then
      policy_error("reading", path)
    end
    return io.open(path, mode)
  end
  env.io = frozen("io", {
    open = open,
    lines = function(path, ...)
      if path == nil then return io.lines() end
      if not policy.can_read(path) then policy_error("reading", path) end
      return io.lines(path, ...)
    end,
    read = io.read,
    write = function(...) return counted_write(io.stdout, ...) end,
    stdout = io.stdout, stderr = io.stderr, stdin = io.stdin,
    type = io.type,
  })

  -- Modules: corpusrun's built-in modules (wrapped where they touch files):
  -- its C modules (lsqlite3, corpusrun, the private cores NAME.core) and the
  -- public modules over the cores (corpus, count, match, tokenize); and the
  -- other Lua modules of corpusrun's own lib/lua, loaded here, from text.
  local loaded = {}
  local function wrap_module(name, m)
    if name == "corpus" or name == "corpus.core" then
      local w = {}
      for k, v in pairs(m) do w[k] = v end
      w.open = function(source, o)
        local s = source or host.default_corpus()
        local list = type(s) == "table" and s or { s }
        for _, p in ipairs(list) do
          if not policy.can_read(p) then policy_error("reading corpus", p) end
        end
        return m.open(source, o)
      end
      if name == "corpus" and m.ingest then
        w.ingest = function(source, db, o)
          if not policy.can_read(source) then policy_error("reading corpus", source) end
          if not policy.can_write(db) then policy_error("writing", db) end
          return m.ingest(source, db, o)
        end
      end
      return frozen(name, w)
    elseif name == "match" or name == "match.core" then
      local w = {}
      for k, v in pairs(m) do w[k] = v end
      w.gazetteer = function(entries, o)
        if type(entries) == "string" and not policy.can_read(entries) then policy_error("reading", entries) end
        return m.gazetteer(entries, o)
      end
      return frozen(name, w)
    elseif name == "lsqlite3" or name == "lsqlite3complete" then
      local w = {}
      for k, v in pairs(m) do w[k] = v end
      w.open = function(path, flags)
        if path ~= ":memory:" and path ~= "" then
          if policy.can_write(path) then return m.open(path, flags) end
          if not policy.can_read(path) then policy_error("opening database", path) end
          return m.open(path, m.OPEN_READONLY or 1)
        end
        return m.open(path, flags)
      end
      w.load_extension = nil
      return frozen(name, w)
    elseif name == "corpusrun" then
      return frozen(name, {
        version = m.version, lua_version = m.lua_version, utf8proc_version = m.utf8proc_version,
        unicode_version = m.unicode_version, sqlite_version = m.sqlite_version, jobs = m.jobs,
        default_corpus = m.default_corpus, interrupted = m.interrupted, sha256 = m.sha256,
        started = m.started, cwd = m.cwd, receipt_state = m.receipt_state, libdir = m.libdir,
        script = m.script, clock = m.clock,
        sha256_file = function(path)
          if not policy.can_read(path) then policy_error("reading", path) end
          return m.sha256_file(path)
        end,
        file_kind = function(path)
          if not policy.can_read(path) then policy_error("looking at", path) end
          return m.file_kind(path)
        end,
      })
    end
    return frozen(name, m)
  end

  -- Shared metatables of corpusrun's types and of files stay out of reach.
  local function protect_metatables()
    for key, mt in pairs(debug.getregistry()) do
      if type(key) == "string" and type(mt) == "table" and rawget(mt, "__metatable") == nil
          and (key:find("^corpusrun%.") or key:find("sqlite") or key == "FILE*") then
        mt.__metatable = "protected"
      end
    end
  end
  protect_metatables()

  local preload = package.preload
  local libdir = host.libdir
  env.require = function(name)
    if type(name) ~= "string" then error("bad argument #1 to 'require' (string expected)", 2) end
    if loaded[name] ~= nil then return loaded[name] end
    if preload[name] or preload[name .. ".core"] then
      loaded[name] = wrap_module(name, require(name))
      protect_metatables()
      return loaded[name]
    end
    if not name:match("^[%w_]+$") or not libdir then
      error(("sandbox: module '%s' not found (only corpusrun's modules can be required)"):format(name), 2)
    end
    local path = libdir .. "/" .. name .. ".lua"
    local f = io.open(path, "rb")
    if not f then error(("sandbox: module '%s' not found in corpusrun's library"):format(name), 2) end
    local src = f:read("a")
    f:close()
    local fn, err = load(src, "@" .. path, "t", env)
    if not fn then error(err, 2) end
    local result = fn(name, path)
    if result == nil then result = true end
    loaded[name] = result
    return result
  end

  -- What library modules look at in `package`: the modules loaded here and
  -- the names of the built-in ones (loading them goes through require).
  local preload_view = {}
  for name in pairs(preload) do
    preload_view[name] = function() return env.require(name) end
    local public = name:match("^([%w_]+)%.core$")
    if public then preload_view[public] = function() return env.require(public) end end
  end
  env.package = frozen("package", { loaded = loaded, preload = frozen("package.preload", preload_view) })

  env._G = env
  -- The string metatable is shared by every string: point it at the
  -- sandbox's string table and keep it out of reach.
  local smt = getmetatable("")
  smt.__index = env.string
  smt.__metatable = "protected"
  return env
end

-- Runs the script at path with args in the sandbox.  Returns the exit code,
-- or nil and the error message (with its traceback).
function sandbox.run(script, args, opts)
  local policy = policy_for(script, args)
  local env = sandbox.environment(policy, opts)
  local f, err = io.open(script, "rb")
  if not f then error(err, 0) end
  local src = f:read("a")
  f:close()
  if src:sub(1, 1) == "#" then src = "--" .. src end   -- keep line numbers for #! scripts
  local chunk, lerr = load(src, "@" .. script, "t", env)
  if not chunk then error(lerr, 0) end
  env.arg = {}
  for i, a in ipairs(args) do env.arg[i] = a end
  env.arg[0] = script
  local ok, e = xpcall(chunk, function(m)
    if getmetatable(m) == getmetatable(EXIT) then return m end
    return debug.traceback(tostring(m), 2)
  end, table.unpack(args))
  if ok then return 0 end
  if getmetatable(e) == getmetatable(EXIT) then
    local code = e.code
    if code == nil or code == true then return 0 end
    if code == false then return 1 end
    return math.tointeger(code) or 1
  end
  return nil, tostring(e)
end

return sandbox
