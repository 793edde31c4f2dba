#!/usr/bin/env bash
# --kernel opens ZeroMQ when it starts (the binary is not linked with it:
# host/kernel.c, zmq_load) and binds the connection file's five ports; a
# plain run does not map it.  Needs no Jupyter (kernel_jupyter.sh talks to
# the kernel through Jupyter's own client).
set -u
cr=${CORPUSRUN:?}
n=0; failed=0
ok() { n=$((n+1)); if [ "$1" = 0 ]; then echo "ok $n - $2"; else echo "not ok $n - $2"; failed=$((failed+1)); fi; }
T=$(mktemp -d /tmp/corpusrun-kernel.XXXXXX)
pid=
trap '[ -n "$pid" ] && kill "$pid" 2>/dev/null; rm -rf "$T"' EXIT

! ldd "$cr" | grep -q libzmq; ok $? "the binary is not linked with ZeroMQ"
"$cr" -e 'for l in io.lines("/proc/self/maps") do if l:find("libzmq", 1, true) then os.exit(1) end end'
ok $? "a plain run does not map ZeroMQ"

base=$(( 20000 + ($$ % 20000) ))
cat > "$T/conn.json" <<JSON
{"transport": "tcp", "ip": "127.0.0.1", "shell_port": $base, "iopub_port": $((base+1)),
 "stdin_port": $((base+2)), "control_port": $((base+3)), "hb_port": $((base+4)),
 "key": "", "signature_scheme": "hmac-sha256"}
JSON
"$cr" --kernel "$T/conn.json" > "$T/out" 2> "$T/err" &
pid=$!
listening() {   # every port of the connection file in /proc/net/tcp, state LISTEN (0A)
  for p in $base $((base+1)) $((base+2)) $((base+3)) $((base+4)); do
    grep -qi "$(printf ':%04X 00000000:0000 0A' "$p")" /proc/net/tcp || return 1
  done
}
for _ in $(seq 100); do listening && break; kill -0 "$pid" 2>/dev/null || break; sleep 0.1; done
listening; ok $? "the kernel binds its five ports ($(cat "$T/err"))"
grep -q libzmq "/proc/$pid/maps" 2>/dev/null; ok $? "the kernel has opened ZeroMQ"
kill "$pid" 2>/dev/null; wait "$pid" 2>/dev/null; pid=

echo "1..$n"
[ "$failed" = 0 ]
