#!/usr/bin/env bash
# The REPL on a real terminal, driven through tmux: expressions, a
# multi-line function, tab completion, pretty-printing, `_`, a quiet `;`,
# help, Ctrl-C at the prompt and during evaluation, Ctrl-D, the history
# file and the startup file.  Every wait is bounded and waits for output,
# never for time.
set -u
CORPUSRUN=${CORPUSRUN:-./corpusrun}

if ! command -v tmux >/dev/null 2>&1; then
    if [ "${CI:-}" = true ]; then echo "1..1"; echo "not ok 1 - tmux is installed (CI installs it)"; exit 1; fi
    echo "1..0 # SKIP tmux is not installed (Debian package tmux)"
    exit 0
fi

tmp=$(mktemp -d)
sock="$tmp/tmux.sock"
T() { tmux -S "$sock" -f /dev/null "$@"; }
cleanup() { T kill-server >/dev/null 2>&1; rm -rf "$tmp"; }
trap cleanup EXIT

n=0
failed=0
ok() { n=$((n + 1)); echo "ok $n - $1"; }
not_ok() {
    n=$((n + 1)); failed=$((failed + 1))
    echo "not ok $n - $1"
    screen | sed 's/^/# /'
}
screen() { T capture-pane -p -J -S -200 -t repl 2>/dev/null; }

# Waits (at most ~20 s) until the screen matches an extended regex.
wait_for() {
    local i
    for ((i = 0; i < 200; i++)); do
        if screen | grep -Eq -- "$1"; then return 0; fi
        sleep 0.1
    done
    return 1
}
expect() { if wait_for "$1"; then ok "$2"; else not_ok "$2"; fi; }
# Waits until the REPL shows an empty prompt ("> " or ">> ") as its last
# line: keys typed before it would be echoed by the terminal ahead of the
# prompt and garble the screen the next expect reads.
at_prompt() {
    local i
    for ((i = 0; i < 200; i++)); do
        case "$(screen | grep -v '^$' | tail -n 1)" in '>' | '>>' | '> ' | '>> ') return 0 ;; esac
        sleep 0.1
    done
}
type_line() { T send-keys -t repl -l -- "$1"; T send-keys -t repl Enter; }

mkdir -p "$tmp/home" "$tmp/config/corpusrun"
echo 'startup_value = 777' > "$tmp/config/corpusrun/init.lua"

echo "1..36"
T new-session -d -s repl -x 120 -y 50 \
    "cd '$PWD' && env HOME='$tmp/home' XDG_STATE_HOME='$tmp/state' XDG_CONFIG_HOME='$tmp/config' \
     TERM=screen LC_ALL=C '$CORPUSRUN'; echo \"[exited \$?]\"; sleep 600"

expect 'help\(\) lists the modules' "banner"
expect '^> $' "prompt"

type_line '6 * 7'
expect '^42$' "an expression is printed"

at_prompt
type_line 'function sq(x)'
expect '^>> $' "continuation prompt"
type_line 'return x * x'
type_line 'end'
type_line 'sq(12)'
expect '^144$' "a multi-line function"

at_prompt
T send-keys -t repl -l 'string.fo'
T send-keys -t repl Tab
expect '^> string\.format$' "string.fo<TAB> completes string.format"
type_line '("<%s>", "tab")'
expect '^"<tab>"$' "and the completed line runs"

at_prompt
type_line 'word = "abc"'
at_prompt
T send-keys -t repl -l 'word:upp'
T send-keys -t repl Tab
expect '^> word:upper$' "methods complete after a colon"
type_line '()'
expect '^"ABC"$' "string method call"

at_prompt
T send-keys -t repl -l 'io.'
T send-keys -t repl Tab
expect 'stdout +tmpfile' "an ambiguous completion lists the candidates"
T send-keys -t repl C-u
type_line '"naïve café", #"é"'
expect '^"naïve café" +2$' "UTF-8 text can be typed (even in the C locale)"
at_prompt
type_line '{ b = { 1, 2 }, a = "x" }'
expect '^\{ a = "x", b = \{ 1, 2 \} \}$' "tables are pretty-printed"

at_prompt
type_line '_.b[2] * 100'
expect '^200$' "_ holds the last result"

at_prompt
T send-keys -t repl -l '12345'
T send-keys -t repl -H 3b   # ";" (a bare ";" would separate tmux commands)
T send-keys -t repl Enter
at_prompt
type_line '_ + 1'
expect '^12346$' "a trailing ; keeps the result quiet, and sets _"
if screen | grep -Eq '^12345$'; then not_ok "nothing printed for the quiet line"; else ok "nothing printed for the quiet line"; fi

at_prompt
type_line 'help("pretty.quote")'
expect '^pretty\.quote\(s\)$' "help(name) prints the docs"

at_prompt
type_line 'startup_value'
expect '^777$' "the startup file ran"

at_prompt
type_line 'print("looping") while true do end'
expect '^looping$' "a long evaluation started"
T send-keys -t repl C-c
expect '(^|\^C)interrupted$' "Ctrl-C interrupts the evaluation: 'interrupted', no traceback"
if screen | grep -q 'stack traceback'; then not_ok "no traceback after Ctrl-C"; else ok "no traceback after Ctrl-C"; fi
at_prompt
type_line '1000 + 1'
expect '^1001$' "and the REPL goes on"

at_prompt
type_line 'corpus.open("corpus"):fold(function() return 0 end, function(n) print("in the fold") while true do end end)'
expect '^in the fold$' "a fold started"
T send-keys -t repl C-c
interrupted_twice() {
    local i
    for ((i = 0; i < 200; i++)); do
        [ "$(screen | grep -Ec '(^|\^C)interrupted$')" -ge 2 ] && return 0
        sleep 0.1
    done
    return 1
}
if interrupted_twice; then ok "Ctrl-C during a fold: 'interrupted'"; else not_ok "Ctrl-C during a fold: 'interrupted'"; fi
if screen | grep -Eq 'stack traceback|fold\.lua'; then not_ok "Ctrl-C during a fold: no traceback into fold.lua"; else ok "Ctrl-C during a fold: no traceback into fold.lua"; fi
at_prompt
type_line '1000 + 2'
expect '^1002$' "and the REPL goes on after the fold"

at_prompt
T send-keys -t repl -l 'abandoned line'
T send-keys -t repl C-c
expect '^> abandoned line\^C$' "Ctrl-C at the prompt abandons the line"
at_prompt
type_line '2000 + 2'
expect '^2002$' "and a fresh prompt follows"

at_prompt
type_line 'if true then'
expect '^>> $' "an unfinished chunk"
T send-keys -t repl C-c
at_prompt
type_line '3000 + 3'
expect '^3003$' "Ctrl-C abandons the unfinished chunk"

at_prompt
T send-keys -t repl C-d
expect '^\[exited 0\]$' "Ctrl-D ends the session"

hist="$tmp/state/corpusrun/history"
if [ -f "$hist" ] && grep -q 'function\\040sq(x)\\012return\\040x\\040\*\\040x\\012end' "$hist" &&
   ! grep -q 'abandoned' "$hist"; then
    ok "history written, a multi-line chunk as one entry"
else
    not_ok "history written, a multi-line chunk as one entry"
    sed 's/^/# /' "$hist" 2>/dev/null
fi
# Ctrl-Z at the prompt suspends corpusrun; fg brings back the line.
# (the new session starts before the old one ends: a tmux server with no
# session left exits, and a session started meanwhile can die with it)
T new-session -d -s shell -x 120 -y 50 \
    "cd '$PWD' && env -i PATH=\"\$PATH\" HOME='$tmp/home' XDG_STATE_HOME='$tmp/state' TERM=screen \
     PS1='$ ' bash --norc --noprofile -i"
T kill-session -t repl
T rename-session -t shell repl
expect '^\$ ?$' "a shell"
type_line "'$CORPUSRUN'"
expect '^> $' "corpusrun started from it"
at_prompt
T send-keys -t repl -l '40 +'
T send-keys -t repl C-z
expect 'Stopped' "Ctrl-Z suspends"
type_line 'fg'
expect '^> 40 \+$' "fg shows the line again"
type_line ' 5'
expect '^45$' "and editing goes on"
exit $((failed > 0))
