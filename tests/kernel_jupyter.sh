#!/usr/bin/env bash
# The Jupyter kernel with Jupyter's own client: installs the kernelspec into
# a temporary prefix (corpusrun --install-kernel --prefix), drives it with
# jupyter_client (tests/kernel_client.py) and executes docs/tutorial.ipynb
# with jupyter nbconvert.  Skips without python3's jupyter_client or
# nbconvert, except under CI=true where that fails.
cd "${CORPUSRUN_ROOT:-.}" || exit 1
CR=${CORPUSRUN:-./corpusrun}
case "$CR" in /*) ;; *) CR="$PWD/$CR" ;; esac
PY=/usr/bin/python3 # Debian's, where python3-jupyter-client installs
[ -x "$PY" ] || PY=python3
missing=
"$PY" -c "import jupyter_client" 2> /dev/null || missing="python3-jupyter-client"
"$PY" -c "import nbconvert" 2> /dev/null || missing="$missing jupyter-nbconvert"
if [ -n "$missing" ]; then
    if [ "${CI:-}" = true ]; then echo "1..1"; echo "not ok 1 - $missing installed (CI installs it)"; exit 1; fi
    echo "1..0 # SKIP needs $missing"
    exit 0
fi
T=$(mktemp -d "${TMPDIR:-/tmp}/kernel.XXXXXX")
trap 'rm -rf "$T"' EXIT
export JUPYTER_PATH="$T/prefix/share/jupyter" JUPYTER_DATA_DIR="$T/data" JUPYTER_RUNTIME_DIR="$T/runtime"
export JUPYTER_CONFIG_DIR="$T/config" IPYTHONDIR="$T/ipython" HOME="$T/home"
mkdir -p "$HOME"
n=0 failed=0
ok() { n=$((n + 1)); if [ "$1" = 0 ]; then echo "ok $n - $2"; else echo "not ok $n - $2"; failed=$((failed + 1)); fi; }

"$CR" --install-kernel --prefix "$T/prefix" > "$T/install.out" 2>&1
ok $? "--install-kernel --prefix writes the kernelspec"
spec="$T/prefix/share/jupyter/kernels/corpusrun/kernel.json"
"$PY" - "$spec" "$CR" > "$T/spec.out" 2>&1 << 'PY'
import json, sys
s = json.load(open(sys.argv[1]))
assert s["argv"][1:] == ["--kernel", "{connection_file}"], s["argv"]
assert s["display_name"] == "corpusrun (Lua 5.4)" and s["language"] == "lua", s
assert s["interrupt_mode"] == "signal", s
PY
ok $? "kernel.json: argv, display_name, language, interrupt_mode ($(head -c 300 "$T/spec.out"))"
logo="$T/prefix/share/jupyter/kernels/corpusrun/logo-svg.svg"
[ -s "$logo" ] && "$PY" -c 'import sys, xml.dom.minidom as m; d = m.parse(sys.argv[1]); sys.exit(d.documentElement.tagName != "svg")' "$logo"
ok $? "the kernelspec has its logo (logo-svg.svg, an SVG picture)"
# The classic notebook's logos: valid PNGs (every chunk's CRC, IHDR, the
# zlib stream, each row's filter: tests/png_read.py), of their size, the
# picture drawn: clear corners, the blue square, white letters.
"$PY" - "$T/prefix/share/jupyter/kernels/corpusrun" > "$T/png.out" 2>&1 << 'PY'
import sys
sys.path.insert(0, "tests")
from png_read import read_png
for size in (32, 64):
    w, h, px = read_png("%s/logo-%dx%d.png" % (sys.argv[1], size, size))
    assert (w, h) == (size, size), (w, h)
    assert px(0, 0)[3] == 0 and px(w - 1, h - 1)[3] == 0, "corners clear"
    assert px(w // 2, h // 8) == (0x1F, 0x4E, 0x79, 255), "the blue square: %r" % (px(w // 2, h // 8),)
    white = sum(1 for y in range(h) for x in range(w) if px(x, y) == (255, 255, 255, 255))
    assert white > size * size // 20, "white letters: %d pixels" % white
print("ok")
PY
ok $? "the kernelspec has logo-32x32.png and logo-64x64.png: valid PNGs of their size with the logo drawn ($(tail -2 "$T/png.out" | tr '\n' '|'))"
# The PNG is the SVG's picture: Chromium's rendering of logo-svg.svg at
# 64 px against logo-64x64.png, both over white, differ by little.
CHROMIUM=$(command -v chromium || command -v chromium-browser)
if [ -n "$CHROMIUM" ]; then
    kdir="$T/prefix/share/jupyter/kernels/corpusrun"
    printf '<html><body style="margin:0;background:#fff"><img src="%s" width="64" height="64" style="display:block"></body></html>' \
        "$kdir/logo-svg.svg" > "$T/logo.html"
    timeout 60 "$CHROMIUM" --headless --no-sandbox --disable-gpu --hide-scrollbars --force-device-scale-factor=1 \
        --user-data-dir="$T/chromium" --window-size=200,200 --screenshot="$T/logo-shot.png" "file://$T/logo.html" > /dev/null 2>&1
    "$PY" - "$T/logo-shot.png" "$kdir/logo-64x64.png" > "$T/same.out" 2>&1 << 'PY'
import sys
sys.path.insert(0, "tests")
from png_read import read_png
_, _, shot = read_png(sys.argv[1])
_, _, ours = read_png(sys.argv[2])
def over_white(p):
    a = p[3] / 255 if len(p) == 4 else 1
    return [c * a + 255 * (1 - a) for c in p[:3]]
diff = sum(abs(a - b) for y in range(64) for x in range(64)
           for a, b in zip(over_white(shot(x, y)), over_white(ours(x, y)))) / (64 * 64 * 3)
print("mean difference %.2f of 255" % diff)
assert diff < 6, "the PNG is not the SVG's picture"
PY
    ok $? "logo-64x64.png is the picture of logo-svg.svg as Chromium draws it ($(tail -1 "$T/same.out"))"
else
    ok 0 "# SKIP no Chromium to draw logo-svg.svg"
fi
"$CR" --install-kernel --prefix "$T/again" > /dev/null 2>&1 && (
    for f in logo-svg.svg logo-32x32.png logo-64x64.png; do
        cmp -s "$T/prefix/share/jupyter/kernels/corpusrun/$f" "$T/again/share/jupyter/kernels/corpusrun/$f" || exit 1
    done
)
ok $? "the logos are the same bytes on every install"
"$CR" --install-kernel --user > /dev/null 2>&1 && [ -f "$T/data/kernels/corpusrun/kernel.json" ]
ok $? "--install-kernel --user writes into Jupyter's data directory"
"$CR" --install-kernel --bogus > /dev/null 2> "$T/bad.err"
[ $? != 0 ] && grep -q "usage" "$T/bad.err"; ok $? "--install-kernel with a bad option fails with its usage"
"$CR" --prefix "$T/p2" 2> "$T/alone.err"
[ $? != 0 ] && grep -q "'--prefix' goes with '--install-kernel'" "$T/alone.err"; ok $? "--prefix without --install-kernel is refused"
"$CR" --install-kernel --user --prefix "$T/p2" 2> "$T/both.err"
[ $? != 0 ] && [ ! -e "$T/p2" ]; ok $? "--install-kernel refuses --user with --prefix"
"$CR" --sandbox --install-kernel --prefix "$T/p3" 2> /dev/null
[ $? != 0 ] && [ ! -e "$T/p3" ]; ok $? "--install-kernel refuses --sandbox"
"$CR" --sandbox --kernel "$T/none.json" 2> "$T/sb.err"
[ $? != 0 ] && grep -q "'--kernel' takes no script" "$T/sb.err"; ok $? "--kernel refuses --sandbox"
"$CR" --kernel "$T/none.json" 2> "$T/none.err"
[ $? != 0 ] && grep -q "none.json" "$T/none.err"; ok $? "--kernel: a missing connection file is named"
printf '{"shell_port": 1, "key": "k"' > "$T/broken.json"
"$CR" --kernel "$T/broken.json" 2> "$T/broken.err"
[ $? != 0 ] && grep -q "broken.json: byte" "$T/broken.err"; ok $? "--kernel: a broken connection file is named with the byte"

printf '{"key": "k", "signature_scheme": "hmac-md5", "shell_port": 1, "control_port": 2, "iopub_port": 3, "stdin_port": 4, "hb_port": 5}' > "$T/md5.json"
"$CR" --kernel "$T/md5.json" 2> "$T/md5.err"
[ $? != 0 ] && grep -q "signature_scheme 'hmac-md5' is not supported" "$T/md5.err"; ok $? "--kernel: a signature scheme other than hmac-sha256 is refused"
printf '{"key": "k", "shell_port": 1, "control_port": 2, "iopub_port": 3, "stdin_port": 4}' > "$T/nohb.json"
"$CR" --kernel "$T/nohb.json" 2> "$T/nohb.err"
[ $? != 0 ] && grep -q 'no "hb_port"' "$T/nohb.err"; ok $? "--kernel: a missing port is named"

# The client's checks, renumbered into this plan.
"$PY" tests/kernel_client.py > "$T/client.out" 2> "$T/client.err"
rc=$?
while IFS= read -r line; do
    case "$line" in
    "ok "*) ok 0 "client: ${line#ok * - }" ;;
    "not ok "*) ok 1 "client: ${line#not ok * - }" ;;
    esac
done < "$T/client.out"
[ $rc = 0 ]; ok $? "the client ran to its end (exit $rc; $(tail -3 "$T/client.err" | tr '\n' '|'))"

# The tutorial notebook, executed end to end.
( cd docs && timeout 300 "$PY" -m nbconvert --to notebook --execute --ExecutePreprocessor.kernel_name=corpusrun \
    --output-dir "$T" --output tutorial.out tutorial.ipynb ) > "$T/nb.log" 2>&1
ok $? "nbconvert --execute runs docs/tutorial.ipynb ($(tail -3 "$T/nb.log" | tr '\n' '|'))"
"$PY" - "$T/tutorial.out.ipynb" > "$T/nbcheck.out" 2>&1 << 'PY'
import json, sys
nb = json.load(open(sys.argv[1]))
code = [c for c in nb["cells"] if c["cell_type"] == "code"]
assert code and all(c["execution_count"] for c in code), "a cell was not executed"
assert not any(o["output_type"] == "error" for c in code for o in c["outputs"]), "an error output"
assert all(c["outputs"] for c in code), "a cell without output"
text = lambda v: "".join(v) if isinstance(v, list) else v  # nbformat keeps long text as a list of lines
data = [{k: text(v) for k, v in o.get("data", {}).items()} for c in code for o in c["outputs"]]
svgs = [d["image/svg+xml"] for d in data if "image/svg+xml" in d]
assert len(svgs) >= 2 and all(s.startswith("<svg") for s in svgs), "pictures: %d" % len(svgs)
assert any('class="hit"' in s for s in svgs), "no dispersion plot among the pictures"
assert any("<table" in d.get("text/html", "") for d in data), "no HTML table"
PY
ok $? "the executed notebook: every cell ran and shows output, no error; its charts are pictures, its concordance a table ($(head -c 300 "$T/nbcheck.out"))"
echo "1..$n"
[ $failed = 0 ]
