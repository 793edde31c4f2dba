-- browser.lua: headless Chromium for the tests of HTML pages.  A test gives
-- probe JavaScript that, once the page has loaded, pushes "key=value"
-- strings onto `out`; they are written into <pre id="probe"> (with
-- resources=<number of resources the page fetched>), Chromium dumps the
-- DOM, and the pairs come back as a table.
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

return browser
