-- browser.lua: headless Chromium for the tests of HTML pages and pictures.
-- A test gives probe JavaScript that, once the page has loaded, pushes
-- "key=value" strings onto `out`; they are written into <pre id="probe">
-- (with resources=<number of resources the page fetched>), Chromium dumps
-- the DOM, and the pairs come back as a table.  For SVG pictures: parsed
-- as XML (xmllint from libxml2-utils, else Python's xml module), and drawn
-- by headless Chromium into a screenshot compared with one of a blank page
-- of the same size.
local t = require "tap"
local browser = {}

-- The Chromium binary; skips the whole test file when there is none.
function browser.find()
  for _, name in ipairs({ "chromium", "chromium-browser" }) do
    local path = t.which(name)
    if path then return path end
  end
  t.require_or_skip("chromium not installed (make deps installs it)")
end

-- Loads the page in file with the probe added before </body>, with a
-- Chromium profile under dir, and returns the probe's key=value pairs.
-- Checks that Chromium ran and the probe ran; ends the test file when it
-- did not.
function browser.probe(exe, file, js, dir)
  local q = t.shell_quote
  local probe = '<script>\nwindow.addEventListener("load", function () {\n  var out = [];\n' .. js
    .. '  out.push("resources=" + performance.getEntriesByType("resource").length);\n'
    .. '  var p = document.createElement("pre"); p.id = "probe"; p.textContent = out.join("\\n");\n'
    .. '  document.body.appendChild(p);\n});\n</script>\n'
  local f = assert(io.open(file, "rb"))
  local html = f:read("a")
  f:close()
  f = assert(io.open(file, "wb"))
  f:write((html:gsub("</body>", function() return probe .. "</body>" end)))
  f:close()
  local cmd = string.format("timeout 120 %s --headless --no-sandbox --disable-gpu --disable-background-networking"
    .. " --disable-component-update --disable-sync --no-first-run --user-data-dir=%s --dump-dom %s",
    q(exe), q(dir .. "/profile"), q("file://" .. file))
  local dom, status, err = t.run(cmd)
  t.is(status, 0, "chromium ran")
  local out = dom:match('<pre id="probe">(.-)</pre>')
  if not t.ok(out ~= nil, "the page loaded and the probe ran") then
    t.diag(err:sub(1, 2000))
    t.done()
  end
  local seen = {}
  for line in (out .. "\n"):gmatch("(.-)\n") do
    local k, v = line:match("^([%w-]+)=(.*)$")
    if k then seen[k] = v end
  end
  return seen
end

-- ---- pictures ----------------------------------------------------------------

local q = t.shell_quote

local function write(path, s)
  local f = assert(io.open(path, "wb"))
  f:write(s)
  f:close()
end

local function read(path)
  local f = io.open(path, "rb")
  if not f then return nil end
  local s = f:read("a")
  f:close()
  return s
end
browser.read = read

-- How to parse XML here: "xmllint", "python" or nil.
local parser
local function find_parser()
  if parser ~= nil then return parser end
  if t.which("xmllint") then parser = "xmllint"
  elseif t.debian_python() then parser = "python"
  else parser = false end
  return parser
end

--- Checks that svg (a string) is well-formed XML whose root is an svg
--- element in the SVG namespace, with no script anywhere; one test named
--- name (skipped when no parser is there, failing under CI=true); the
--- file is written in dir.
function browser.valid(svg, name, dir)
  local p = find_parser()
  if not p then return t.missing("xmllint or python3 to parse XML", 1) end
  local path = dir .. "/check.svg"
  write(path, svg)
  local out, code, err
  if p == "xmllint" then
    out, code, err = t.run("xmllint --noout " .. q(path) .. " && xmllint --xpath "
      .. q("concat(name(/*), ' ', namespace-uri(/*), ' ', count(//*[local-name()='script' or local-name()='foreignObject']))") .. " " .. q(path))
  else
    out, code, err = t.run(q(t.debian_python()) .. " -c " .. q([[
import sys, xml.etree.ElementTree as ET
r = ET.parse(sys.argv[1]).getroot()
ns, name = r.tag[1:].split('}')
bad = sum(1 for e in r.iter() if e.tag.endswith('}script') or e.tag.endswith('}foreignObject'))
print(name, ns, bad, end='')
]]) .. " " .. q(path))
  end
  out = (out or ""):gsub("%s+$", "")
  local okv = t.ok(code == 0 and out == "svg http://www.w3.org/2000/svg 0", name)
  if not okv then t.diag((out or "") .. (err or "")) end
  return okv
end

--- The Chromium binary, or nil (and n tests skipped; failing under CI=true).
function browser.chromium(n)
  for _, name in ipairs({ "chromium", "chromium-browser" }) do
    local path = t.which(name)
    if path then return path end
  end
  t.missing("chromium not installed (make deps installs it)", n)
  return nil
end

local function screenshot(exe, html_path, png, w, h, dir)
  local cmd = string.format("timeout 120 %s --headless --no-sandbox --disable-gpu --disable-background-networking"
    .. " --disable-component-update --disable-sync --no-first-run --hide-scrollbars --user-data-dir=%s"
    .. " --window-size=%d,%d --screenshot=%s %s", q(exe), q(dir .. "/profile"), w, h, q(png), q("file://" .. html_path))
  local _, code, err = t.run(cmd)
  return code == 0 and read(png) or nil, err
end

--- Draws svg in headless Chromium (an HTML page holding it, nothing else)
--- and compares the screenshot with that of the same page blank: one test,
--- passing when both were taken and they differ.
function browser.renders(exe, svg, name, dir)
  local w = tonumber(svg:match('^<svg[^>]- width="([%d.]+)"')) or 800
  local h = tonumber(svg:match('^<svg[^>]- height="([%d.]+)"')) or 600
  w, h = math.floor(w + 0.5), math.floor(h + 0.5)
  local page = '<!DOCTYPE html><html><head><meta charset="utf-8"><style>body{margin:0;background:#fff}</style></head><body>'
  write(dir .. "/chart.html", page .. svg .. "</body></html>")
  write(dir .. "/blank.html", page .. "</body></html>")
  local drawn, err1 = screenshot(exe, dir .. "/chart.html", dir .. "/chart.png", w, h, dir)
  local blank, err2 = screenshot(exe, dir .. "/blank.html", dir .. "/blank.png", w, h, dir)
  local okr = t.ok(drawn and blank and drawn:sub(1, 8) == "\137PNG\r\n\26\n" and drawn ~= blank and #drawn > #blank,
    name .. " (renders non-blank in headless Chromium)")
  if not okr then t.diag(string.format("png sizes %s / %s; %s %s", drawn and #drawn or "none", blank and #blank or "none",
    (err1 or ""):sub(1, 500), (err2 or ""):sub(1, 500))) end
  return okr
end

return browser
