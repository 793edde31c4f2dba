-- sandbox.lua: the environment of `corpusrun --sandbox script.lua`, for
-- scripts written by someone else (see docs/sandbox.md).
--
-- The script runs from text only, in an allow-listed environment whose
-- library tables are read-only views. What it may read and write is decided
-- in C (host/text/pathpolicy.c), where every module opens its files: this
-- file only tells the C policy, once and before the script runs, which
-- paths the command line names, and builds the environment from C functions
-- (io.open, string.rep) and from references taken before the script runs,
-- so that nothing the script can reach or replace takes part in a check.
-- The host adds the memory cap, the CPU-time limit and the separate process
-- with OS limits.
local host = require "corpusrun"
local cli = require "cli"
local receipt = require "receipt"

local sandbox = {}

-- Private references, taken before any script runs: the policy code below
-- never goes through the string metatable or the script's globals.
local s_match, s_find, s_format = string.match, string.find, string.format
local raw_io_open, raw_io_lines = io.open, io.lines
local raw_getmetatable = debug.getmetatable
local next_, rawset_, type_, error_, select_, tostring_ = next, rawset, type, error, select, tostring
local pairs_ = pairs

local EXIT_MT = { __tostring = function() return "os.exit" end, __metatable = "os.exit" }

-- ---- what the command line grants ------------------------------------------------

-- The spec with every default and every requirement removed, and every
-- value taken as a plain string (nothing is looked at before the grants):
-- parsing the command line with it yields only the values the user typed.
local function typed_only(spec)
  local copy = {}
  for k, v in next_, spec do copy[k] = v end
  for _, list in ipairs({ "options", "args" }) do
    if type_(spec[list]) == "table" then
      local l = {}
      for i, o in ipairs(spec[list]) do
        local c = {}
        if type_(o) == "table" then for k, v in next_, o do c[k] = v end end
        c.default, c.required = nil, false
        if c.type ~= "boolean" then c.type, c.choices, c.min, c.max = "string", nil, nil, nil end
        l[i] = c
      end
      copy[list] = l
    end
  end
  return copy
end

-- The paths the script may touch: itself, the corpus (-c, $CORPUSRUN_CORPUS
-- or ./corpus), and the values given on the command line for its declared
-- input options (read) and output options (written, with the receipt
-- sidecar the host writes beside each).  Defaults in the script's own spec
-- grant nothing.
local function grants_for(script, args)
  local list = { { script, "read" } }
  local corpus = host.default_corpus()
  if corpus then list[#list + 1] = { corpus, "read" } end
  local spec = cli.describe(script)
  if not spec then return list end
  local values = cli.try(typed_only(spec), args)
  if type_(values) ~= "table" then return list end
  local declared = {}
  for _, o in ipairs(spec.options or {}) do declared[#declared + 1] = o end
  for _, a in ipairs(spec.args or {}) do declared[#declared + 1] = a end
  for _, o in ipairs(declared) do
    local key = o.key or o.name:gsub("-", "_")
    local v = values[key]
    for _, x in ipairs(type_(v) == "table" and v or { v }) do
      if type_(x) == "string" and x ~= "-" and x ~= "" then
        if o.type == "output" then
          list[#list + 1] = { x, "write" }
          list[#list + 1] = { receipt.sidecar_name(x), "write" }
        elseif o.type == "file" or o.type == "corpus" or o.type == "path" then
          list[#list + 1] = { x, "read" }
        end
      end
    end
  end
  return list
end

-- ---- the environment -------------------------------------------------------------

-- Read-only views handed to the script, by view -> name.
local READ_ONLY = setmetatable({}, { __mode = "k" })

-- A read-only view of t: reads go through, writes raise (rawset too: the
-- sandbox's rawset refuses these views), pairs iterates without handing out
-- the table behind the view, and the view's metatable cannot be fetched or
-- replaced.
local function frozen(name, t)
  local copy = {}
  -- pairs, not next: a private core (corpus.core, ...) is a view whose
  -- __pairs reaches its functions; t is always a table the host built.
  for k, v in pairs_(t) do copy[k] = v end
  local view = setmetatable({}, {
    __index = copy,
    __newindex = function(_, k) error_(s_format("sandbox: %s.%s is read-only", name, tostring_(k)), 2) end,
    __pairs = function() return function(_, k) return next_(copy, k) end, nil, nil end,
    __len = function() return #copy end,
    __metatable = "read-only library table",
  })
  READ_ONLY[view] = name
  return view
end

local function pick(t, names)
  local out = {}
  for _, n in ipairs(names) do out[n] = t[n] end
  return out
end

local SAFE_GLOBALS = { "assert", "error", "ipairs", "next", "pairs", "pcall", "print", "rawequal",
  "rawget", "rawlen", "select", "setmetatable", "getmetatable", "tonumber", "tostring",
  "type", "xpcall", "_VERSION" }

-- core: the C functions of host/sandbox.c (open, rep); opts.max_output.
function sandbox.environment(core, opts)
  opts = opts or {}
  local core_open, core_rep = core.open, core.rep
  local max_output = opts.max_output or 0
  local written = 0
  local function count_output(n)
    written = written + n
    if max_output > 0 and written > max_output then
      error_(s_format("sandbox: output limit exceeded (%d bytes)", max_output), 3)
    end
  end

  local env = {}
  for _, name in ipairs(SAFE_GLOBALS) do env[name] = _G[name] end
  env.rawset = function(t, k, v)
    local name = READ_ONLY[t]
    if name then error_(s_format("sandbox: %s is read-only", name), 2) end
    return rawset_(t, k, v)
  end

  -- Output: print and every file write count against --max-output.
  local raw_print = print
  env.print = function(...)
    local n = select_("#", ...)
    local size = n
    for i = 1, n do size = size + #tostring_((select_(i, ...))) end
    count_output(size)
    return raw_print(...)
  end
  local file_methods = raw_getmetatable(io.stdout).__index
  local raw_write = file_methods.write
  local function counted_write(f, ...)
    local size = 0
    for i = 1, select_("#", ...) do
      local v = select_(i, ...)
      size = size + (type_(v) == "string" and #v or #tostring_(v))
    end
    count_output(size)
    return raw_write(f, ...)
  end
  file_methods.write = counted_write

  local str = pick(string, { "byte", "char", "find", "format", "gmatch", "gsub", "len", "lower",
    "match", "pack", "packsize", "reverse", "sub", "unpack", "upper" })
  str.rep = core_rep   -- refuses results larger than what the memory limit leaves
  env.string = frozen("string", str)
  env.table = frozen("table", table)
  env.math = frozen("math", math)
  env.utf8 = frozen("utf8", utf8)
  env.coroutine = frozen("coroutine", coroutine)
  env.os = frozen("os", {
    clock = os.clock, date = os.date, time = os.time, difftime = os.difftime,
    getenv = function() return nil end,   -- the environment is not the script's to read
    exit = function(code) error_(setmetatable({ code = code }, EXIT_MT), 0) end,
  })
  -- counting and a full collection (what a script uses to free memory
  -- early) reach nothing; stopping or tuning the collector is refused
  env.collectgarbage = function(what)
    if what == "count" then return collectgarbage("count") end
    if what == nil or what == "collect" then return collectgarbage("collect") end
    error_("sandbox: collectgarbage only answers 'count' and 'collect'", 2)
  end

  -- Text-only loading, in this environment unless another is given.
  env.load = function(chunk, name, _, e)
    return load(chunk, name, "t", e == nil and env or e)
  end

  -- Files: opened in C, through the policy (a refusal raises).
  env.io = frozen("io", {
    open = core_open,
    lines = function(path, ...)
      if path == nil then return raw_io_lines() end
      local f, err = core_open(path, "r")
      if not f then error_(err, 2) end
      return f:lines(...), nil, nil, f
    end,
    read = io.read,
    write = function(...) return counted_write(io.stdout, ...) end,
    stdout = io.stdout, stderr = io.stderr, stdin = io.stdin,
    type = io.type,
  })

  -- Modules: corpusrun's built-in C modules (their file access is checked in
  -- C) and Lua modules from corpusrun's own lib/lua, loaded here, from text.
  local loaded = {}
  local function wrap_module(name, m)
    if name == "lsqlite3" or name == "lsqlite3complete" then
      local w = {}
      for k, v in next_, m do w[k] = v end
      w.load_extension = nil
      return frozen(name, w)
    elseif name == "corpusrun" then
      return frozen(name, {
        version = m.version, lua_version = m.lua_version, utf8proc_version = m.utf8proc_version,
        unicode_version = m.unicode_version, sqlite_version = m.sqlite_version, jobs = m.jobs,
        default_corpus = m.default_corpus, interrupted = m.interrupted, sha256 = m.sha256,
        started = m.started, cwd = m.cwd, receipt_state = m.receipt_state, libdir = m.libdir,
        script = m.script, clock = m.clock,
        sha256_file = m.sha256_file, file_kind = m.file_kind, list_dir = m.list_dir,
      })
    end
    return frozen(name, m)
  end

  -- Shared metatables of corpusrun's types and of files stay out of reach.
  local registry = debug.getregistry()
  local function protect_metatables()
    for key, mt in next_, registry do
      if type_(key) == "string" and type_(mt) == "table" and rawget(mt, "__metatable") == nil
          and (s_find(key, "^corpusrun%.") or s_find(key, "sqlite") or key == "FILE*") then
        mt.__metatable = "protected"
      end
    end
  end
  protect_metatables()

  local preload = package.preload
  local libdir = host.libdir
  local real_require = require
  env.require = function(name)
    if type_(name) ~= "string" then error_("bad argument #1 to 'require' (string expected)", 2) end
    if loaded[name] ~= nil then return loaded[name] end
    if preload[name] or preload[name .. ".core"] then
      loaded[name] = wrap_module(name, real_require(name))
      protect_metatables()
      return loaded[name]
    end
    if not s_match(name, "^[%w_]+$") or not libdir then
      error_(s_format("sandbox: module '%s' not found (only corpusrun's modules can be required)", name), 2)
    end
    local path = libdir .. "/" .. name .. ".lua"
    local f = raw_io_open(path, "rb")
    if not f then error_(s_format("sandbox: module '%s' not found in corpusrun's library", name), 2) end
    local src = f:read("a")
    f:close()
    local fn, err = load(src, "@" .. path, "t", env)
    if not fn then error_(err, 2) end
    local result = fn(name, path)
    if result == nil then result = true end
    loaded[name] = result
    return result
  end

  -- What library modules look at in `package`: the modules loaded here and
  -- the names of the built-in ones (loading them goes through require).
  local preload_view = {}
  for name in next_, preload do
    preload_view[name] = function() return env.require(name) end
    local public = s_match(name, "^([%w_]+)%.core$")
    if public then preload_view[public] = function() return env.require(public) end end
  end
  env.package = frozen("package", { loaded = loaded, preload = frozen("package.preload", preload_view) })

  env._G = env
  -- The string metatable is shared by every string: point it at the
  -- sandbox's string table and keep it out of reach.
  local smt = raw_getmetatable("")
  smt.__index = env.string
  smt.__metatable = "protected"
  return env
end

-- Runs the script at path with args in the sandbox: grants what the command
-- line names (opts.core.grant, which locks the policy), then runs it.
-- Returns the exit code, or nil and the error message (with its traceback).
function sandbox.run(script, args, opts)
  local core = opts and opts.core
  if not core then   -- a stock lua5.4 or a C program that loads the modules (docs/embedding.md)
    error("the sandbox runs only in the corpusrun binary (corpusrun --sandbox SCRIPT): "
      .. "its file policy and limits are set up by the host before any script runs", 2)
  end
  core.grant(grants_for(script, args))
  -- What the host itself requires while the script runs (corpus.open of a
  -- database loads corpusdb, c:fold loads fold) comes from corpusrun's own
  -- lib/lua only: not from the current directory, LUA_PATH or
  -- CORPUSRUN_PATH, and no C library.
  package.path = host.libdir and (host.libdir .. "/?.lua;" .. host.libdir .. "/?/init.lua") or ""
  package.cpath = ""
  local env = sandbox.environment(core, opts)
  local f, err = raw_io_open(script, "rb")
  if not f then error_(err, 0) end
  local src = f:read("a")
  f:close()
  if s_find(src, "^#") then src = "--" .. src end   -- keep line numbers for #! scripts
  local chunk, lerr = load(src, "@" .. script, "t", env)
  if not chunk then error_(lerr, 0) end
  env.arg = {}
  for i, a in ipairs(args) do env.arg[i] = a end
  env.arg[0] = script
  local ok, e = xpcall(chunk, function(m)
    if raw_getmetatable(m) == EXIT_MT then return m end
    return debug.traceback(tostring_(m), 2)
  end, table.unpack(args))
  if ok then return 0 end
  if raw_getmetatable(e) == EXIT_MT then
    local code = rawget(e, "code")
    if code == nil or code == true then return 0 end
    if code == false then return 1 end
    return math.tointeger(code) or 1
  end
  return nil, tostring_(e)
end

return sandbox
