"""Drives `corpusrun --kernel` with Jupyter's own client (jupyter_client's
KernelManager and blocking client) and prints TAP.  The kernelspec is the
one `corpusrun --install-kernel --prefix` writes, found through
JUPYTER_PATH (set by tests/kernel_jupyter.sh)."""
import hashlib
import hmac
import json
import queue
import sys
import time

from jupyter_client.kernelspec import KernelSpec, KernelSpecManager
from jupyter_client.manager import KernelManager
from jupyter_client.session import Session

count = 0
failed = 0


def ok(cond, name):
    global count, failed
    count += 1
    if not cond:
        failed += 1
    print(("ok" if cond else "not ok") + " %d - %s" % (count, name), flush=True)


def run(kc, code, timeout=60):
    """Executes code; returns the reply content and the iopub messages."""
    out = []
    reply = kc.execute_interactive(code, output_hook=lambda m: out.append(m), timeout=timeout)
    return reply["content"], out


def of_type(msgs, t):
    return [m["content"] for m in msgs if m["msg_type"] == t]


def shell_reply(kc, msg_id, timeout=30):
    while True:
        m = kc.get_shell_msg(timeout=timeout)
        if m["parent_header"].get("msg_id") == msg_id:
            return m


def main():
    km = KernelManager(kernel_name="corpusrun")
    km.start_kernel()
    kc = km.client()
    kc.start_channels()
    try:
        kc.wait_for_ready(timeout=30)
        checks(km, kc)
    finally:
        kc.stop_channels()
        km.shutdown_kernel(now=False)
    ok(not km.is_alive(), "the kernel process has ended after shutdown")
    parallel_progress()
    print("1..%d" % count)
    return 1 if failed else 0


def checks(km, kc):
    info = kc.kernel_info(reply=True)["content"]
    ok(info["protocol_version"] == "5.3", "kernel_info: protocol 5.3")
    ok(info["implementation"] == "corpusrun", "kernel_info: implementation corpusrun")
    li = info["language_info"]
    ok(li["name"] == "lua" and li["version"] == "5.4", "kernel_info: Lua 5.4 (%r)" % li)
    ok(li["file_extension"] == ".lua" and li["mimetype"] == "text/x-lua",
       "kernel_info: .lua, text/x-lua")

    reply, msgs = run(kc, 'print("hello", 1)\nio.write("more\\n")\nx = 41')
    ok(reply["status"] == "ok", "execute: status ok")
    streams = "".join(s["text"] for s in of_type(msgs, "stream") if s["name"] == "stdout")
    ok(streams == "hello\t1\nmore\n", "execute: print and io.write as stdout (%r)" % streams)
    ok(of_type(msgs, "execute_input") and of_type(msgs, "execute_input")[0]["code"].startswith("print"),
       "execute: execute_input published")
    states = [s["execution_state"] for s in of_type(msgs, "status")]
    ok(states[:1] == ["busy"] and states[-1:] == ["idle"], "execute: status busy then idle")

    reply, msgs = run(kc, "x + 1")
    res = of_type(msgs, "execute_result")
    ok(res and res[0]["data"]["text/plain"] == "42", "state kept between cells: x + 1 is 42")
    ok(res and res[0]["execution_count"] == reply["execution_count"], "execute_result has the execution count")

    reply, msgs = run(kc, '{ word = "Zakani", n = 3 }')
    res = of_type(msgs, "execute_result")
    ok(res and res[0]["data"]["text/plain"] == '{ n = 3, word = "Zakani" }',
       "a table through the pretty-printer (%r)" % (res and res[0]["data"]["text/plain"]))

    reply, msgs = run(kc, "for i = 1, 3 do print(i) local t = os.clock() while os.clock() - t < 0.4 do end end")
    outs = [s["text"] for s in of_type(msgs, "stream") if s["name"] == "stdout"]
    ok("".join(outs) == "1\n2\n3\n" and len(outs) >= 2,
       "a long cell's output arrives while it runs, not all at its end (%r)" % outs)
    reply, msgs = run(kc, "io.stderr:write('careful\\n')")
    errs = [s["text"] for s in of_type(msgs, "stream") if s["name"] == "stderr"]
    ok(errs == ["careful\n"], "io.stderr is the stderr stream (%r)" % errs)

    reply, msgs = run(kc, "x + 1;")
    ok(not of_type(msgs, "execute_result"), "a trailing ';' keeps the result quiet")

    reply, msgs = run(kc, "local function f() error('boom') end\nf()")
    ok(reply["status"] == "error", "error: status error")
    err = of_type(msgs, "error")
    ok(err and "boom" in err[0]["evalue"], "error: evalue names the error")
    ok(err and any("stack traceback" in line for line in err[0]["traceback"]),
       "error: the traceback is there")
    ok(err and any("in local 'f'" in line or "in function 'f'" in line
                   or "in upvalue 'f'" in line for line in err[0]["traceback"]),
       "error: the traceback names f (%r)" % (err and err[0]["traceback"]))

    reply, msgs = run(kc, "y = x * 2\nreturn y")
    res = of_type(msgs, "execute_result")
    ok(res and res[0]["data"]["text/plain"] == "82", "a cell ending in return shows its values")

    reply, msgs = run(kc, "return x")
    res = of_type(msgs, "execute_result")
    ok(res and res[0]["data"]["text/plain"] == "41", "state kept after an error")

    mid = kc.is_complete("function f()\n  return 1")
    ok(shell_reply(kc, mid)["content"]["status"] == "incomplete", "is_complete: an open function is incomplete")
    mid = kc.is_complete("function f()\n  return 1\nend")
    ok(shell_reply(kc, mid)["content"]["status"] == "complete", "is_complete: a whole function is complete")
    mid = kc.is_complete("x = = 1")
    ok(shell_reply(kc, mid)["content"]["status"] == "invalid", "is_complete: x = = 1 is invalid")

    mid = kc.complete("corpus.op", 9)
    c = shell_reply(kc, mid)["content"]
    text = "corpus.op"
    done = [text[: c["cursor_start"]] + m for m in c["matches"]]
    ok(c["status"] == "ok" and done == ["corpus.open"], "complete: corpus.op becomes corpus.open (%r)" % done)
    ok(c["cursor_end"] == 9, "complete: cursor_end is the cursor")
    mid = kc.complete("s = 'Brüssel' ; corpus.op", 25)
    c = shell_reply(kc, mid)["content"]
    ok(c["cursor_start"] == 23, "complete: cursor positions count code points, not bytes (%r)" % c["cursor_start"])

    mid = kc.inspect("corpus.open", 8)
    c = shell_reply(kc, mid)["content"]
    ok(c["status"] == "ok" and c["found"], "inspect: corpus.open found")
    ok("corpus.open" in c["data"].get("text/plain", ""), "inspect: help text of corpus.open")
    mid = kc.inspect("no_such_name_here", 3)
    ok(not shell_reply(kc, mid)["content"]["found"], "inspect: an unknown name is not found")

    pictures(kc)
    progress(kc)
    stdin_input(km, kc)

    bad_messages(kc)

    # interrupt: a loop that never ends, stopped by the kernelspec's SIGINT
    mid = kc.execute("while true do end")
    time.sleep(1.0)
    km.interrupt_kernel()
    r = shell_reply(kc, mid, timeout=20)["content"]
    ok(r["status"] == "error" and r["ename"] == "Interrupted", "interrupt: the loop stops (%r)" % r.get("ename"))
    reply, msgs = run(kc, "x")
    res = of_type(msgs, "execute_result")
    ok(km.is_alive() and res and res[0]["data"]["text/plain"] == "41", "interrupt: the session goes on")

    # interrupt_mode "message": an interrupt_request on the control channel
    mid = kc.execute("local n = 0 while true do n = n + 1 end")
    time.sleep(1.0)
    req = kc.session.msg("interrupt_request", {})
    kc.control_channel.send(req)
    c = kc.get_control_msg(timeout=10)
    ok(c["msg_type"] == "interrupt_reply" and c["parent_header"]["msg_id"] == req["header"]["msg_id"],
       "interrupt_request: answered on the control channel while the cell runs")
    r = shell_reply(kc, mid, timeout=20)["content"]
    ok(r["status"] == "error" and r["ename"] == "Interrupted", "interrupt_request: the loop stops (%r)" % r.get("ename"))
    reply, msgs = run(kc, "x")
    res = of_type(msgs, "execute_result")
    ok(km.is_alive() and res and res[0]["data"]["text/plain"] == "41", "interrupt_request: the session goes on")


def ask_with(answers, asked):
    """A stdin_hook answering each input_request with the next of answers."""
    def hook(msg):
        asked.append(msg["content"])
        kc_reply = hook.kc.input
        kc_reply(answers.pop(0))
    return hook


def interactive(kc, code, answers, allow=True):
    asked = []
    hook = ask_with(list(answers), asked)
    hook.kc = kc
    out = []
    reply = kc.execute_interactive(code, output_hook=out.append, stdin_hook=hook,
                                   allow_stdin=allow, timeout=30)
    res = of_type(out, "execute_result")
    return reply["content"], asked, out, (res[0]["data"]["text/plain"] if res else None)


def stdin_input(km, kc):
    # io.read asks the frontend when the execute_request allows stdin
    r, asked, out, res = interactive(
        kc, 'io.write("name? ")\nlocal a = io.read()\nlocal b = io.read("n")\nreturn a .. "|" .. b',
        ["Zakani", "42"])
    ok(r["status"] == "ok" and res == '"Zakani|42"', "input_request: io.read() and io.read('n') read the replies (%r, %r)" % (res, r.get("evalue")))
    ok(len(asked) == 2 and all(a == {"prompt": "", "password": False} for a in asked),
       "input_request: one request per read, prompt empty, password false (%r)" % asked)
    before = "".join(s["text"] for s in of_type(out, "stream"))
    ok(before == "name? ", "input_request: what the cell wrote before reading is shown first (%r)" % before)
    r, asked, out, res = interactive(
        kc, 'local t = {}\nfor l in io.lines() do t[#t + 1] = l if #t == 3 then break end end\n'
            'return table.concat(t, ",") .. ";" .. io.stdin:read("a")', ["a b", "", "c", "rest"])
    ok(res == '"a b,,c;rest\\n"' and len(asked) == 4,
       "input_request: io.lines() asks at each step, io.stdin:read('a') reads one reply (%r, %d asked)" % (res, len(asked)))
    r, asked, out, res = interactive(kc, 'return io.read("n", "l")', ["7 left"])
    ok(res == '7\t" left"' and len(asked) == 1,
       "input_request: what is left of a reply is read without asking again (%r)" % res)
    # not allowed: a clear error, nothing asked
    r, asked, out, res = interactive(kc, "return io.read()", ["never"], allow=False)
    ok(r["status"] == "error" and "allow_stdin is false" in r["evalue"] and not asked,
       "input_request: io.read without allow_stdin raises a clear error (%r)" % r.get("evalue"))
    r, asked, out, res = interactive(kc, "for l in io.lines() do end", ["never"], allow=False)
    ok(r["status"] == "error" and "io.lines" in r["evalue"] and not asked,
       "input_request: io.lines() without allow_stdin raises too (%r)" % r.get("evalue"))
    r, asked, out, res = interactive(kc, 'local f = io.open("/dev/null") local v = f:read("a") f:close() return v', [], allow=False)
    ok(r["status"] == "ok" and res == '""', "input_request: other files read as ever (%r)" % (r.get("evalue") or res))
    # interrupted while it waits for the reply
    mid = kc.execute("return io.read()", allow_stdin=True)
    m = kc.get_stdin_msg(timeout=10)
    ok(m["msg_type"] == "input_request", "input_request: sent on the stdin channel (%r)" % m["msg_type"])
    km.interrupt_kernel()
    r = shell_reply(kc, mid, timeout=20)["content"]
    ok(r["status"] == "error" and r["ename"] == "Interrupted",
       "input_request: interrupting stops a cell that waits for input (%r)" % r.get("ename"))
    r, asked, out, res = interactive(kc, "return io.read()", ["again"])
    ok(res == '"again"', "input_request: the next cell asks afresh (%r)" % res)


def result_data(kc, code):
    reply, msgs = run(kc, code)
    res = of_type(msgs, "execute_result")
    return reply, msgs, (res[0]["data"] if res else {})


def pictures(kc):
    """Results that show themselves as more than text."""
    reply, msgs, d = result_data(kc, 'chart.bar({ { key = "Zakani", n = 15 }, { key = "Iran", n = 41 } }, { title = "Mentions" })')
    svg = d.get("image/svg+xml", "")
    ok(svg.startswith("<svg") and 'class="chart bar-chart"' in svg and svg.count('<g class="bar">') == 2,
       "a chart is sent as image/svg+xml (%r)" % svg[:60])
    ok(d.get("text/plain") == "chart: Mentions", "a chart's text/plain is its title (%r)" % d.get("text/plain"))
    reply, msgs, d = result_data(kc, 'chart.new(chart.keyness({ { key = "mayor", a = 9, b = 2, log_ratio = 2.17 } }))')
    ok(d.get("image/svg+xml", "").count('<g class="bar">') == 1, "a chart value (chart.new) is sent as image/svg+xml")
    reply, msgs, d = result_data(kc, 'setmetatable({ n = 3 }, { __html = function(o) return "<b>" .. o.n .. " hits</b>" end })')
    ok(d.get("text/html") == "<b>3 hits</b>", "a value's __html is sent as text/html (%r)" % d.get("text/html"))
    ok(d.get("text/plain", "").startswith("{"), "... with its text/plain from the pretty-printer (%r)" % d.get("text/plain"))
    reply, msgs, d = result_data(kc, 'setmetatable({}, { __svg = function() return chart.bar({ { key = "a", n = 1 } }) end })')
    ok(d.get("image/svg+xml", "").startswith("<svg"), "a value's __svg is sent as image/svg+xml")
    reply, msgs, d = result_data(kc, '{ { word = "iran", n = 41 }, { word = "zakani<", n = 15 } }')
    html = d.get("text/html", "")
    ok("<table" in html and "<td>iran</td>" in html and "zakani&lt;" in html and html.count("<tr>") == 3,
       "a table of results is sent as an HTML table, escaped (%r)" % html[:200])
    ok(d.get("text/plain", "").startswith("{"), "... and as text/plain")
    reply, msgs, d = result_data(kc, 'kwic.lines(corpus.open("corpus"), "Zakani", { progress = false })')
    html = d.get("text/html", "")
    ok("<table" in html and ">left<" in html and html.count("<tr>") == 16,
       "KWIC lines are sent as an HTML table, a row per line (%d rows)" % html.count("<tr>"))
    reply, msgs, d = result_data(kc, "41 + 1")
    ok(set(d) == {"text/plain"}, "a number is text/plain only (%r)" % sorted(d))
    reply, msgs, d = result_data(kc, 'setmetatable({}, { __html = function() error("no html today") end })')
    errs = "".join(s["text"] for s in of_type(msgs, "stream") if s["name"] == "stderr")
    ok(reply["status"] == "ok" and "no html today" in errs and "text/html" not in d and "text/plain" in d,
       "an __html that fails is told on stderr, the value still shown as text (%r)" % errs)


def progress(kc):
    """Progress lines in the cell: display_data, then update_display_data."""
    reply, msgs = run(kc, 'local progress = require "progress"\n'
                          'local p = progress.new({ label = "steps", total = 3, interval = 0 })\n'
                          'for i = 1, 3 do p:add(1) end\np:finish()')
    shown = of_type(msgs, "display_data")
    updates = of_type(msgs, "update_display_data")
    ids = {m.get("transient", {}).get("display_id") for m in shown + updates}
    ok(len(shown) == 1 and len(updates) >= 2 and len(ids) == 1 and None not in ids,
       "progress: one display_data, then update_display_data with its display_id (%d, %d, %r)"
       % (len(shown), len(updates), ids))
    last = (updates or shown or [{}])[-1].get("data", {})
    ok("steps" in last.get("text/plain", "") and "3/3" in last.get("text/plain", "")
       and '<progress value="3" max="3">' in last.get("text/html", ""),
       "progress: the last update says 3/3, as text and as an HTML bar (%r)" % last)
    errs = "".join(s["text"] for s in of_type(msgs, "stream") if s["name"] == "stderr")
    ok(errs == "", "progress: nothing on the kernel's stderr stream (%r)" % errs)
    reply, msgs = run(kc, 'local host = require "corpusrun"\n'
                          'local acc = corpus.open("corpus"):fold(function() return { n = 0 } end, function(a, d)\n'
                          '  local t = host.clock() while host.clock() - t < 0.15 do end\n'
                          '  a.n = a.n + 1 end, { progress = "folding" })\n'
                          'return acc.n')
    shown = of_type(msgs, "display_data")
    updates = of_type(msgs, "update_display_data")
    res = of_type(msgs, "execute_result")
    texts = [m["data"]["text/plain"] for m in shown + updates]
    ok(len(shown) == 1 and texts and "folding" in texts[-1] and "5/5" in texts[-1],
       "a long fold shows its progress in the cell, updated in place (%r)" % texts[-1:])
    ok(res and res[0]["data"]["text/plain"] == "5", "... and then its result")
    reply, msgs = run(kc, 'corpus.open("corpus"):fold(function() return { n = 0 } end, function(a) a.n = a.n + 1 end, '
                          '{ quiet = true }).n')
    ok(not of_type(msgs, "display_data"), "a quiet fold shows no progress")


def parallel_progress():
    """A kernel started with -j 2 (the kernelspec's argv edited so): a fold
    runs in two workers and its progress is drawn in the cell by the
    kernel's process from the workers' counts."""
    spec = KernelSpecManager().get_kernel_spec("corpusrun")
    argv = [spec.argv[0], "-j", "2"] + spec.argv[1:]
    km = KernelManager()
    km._kernel_spec = KernelSpec(argv=argv, display_name=spec.display_name, language="lua",
                                 interrupt_mode="signal")
    km.start_kernel()
    kc = km.client()
    kc.start_channels()
    try:
        kc.wait_for_ready(timeout=30)
        reply, msgs = run(kc, 'local host = require "corpusrun"\n'
                              'local acc = corpus.open("corpus"):fold(function() return { n = 0 } end, function(a, d)\n'
                              '  local t = host.clock() while host.clock() - t < 0.3 do end\n'
                              '  a.n = a.n + 1 end, { progress = "folding" })\n'
                              'return acc.n, host.jobs')
        res = of_type(msgs, "execute_result")
        ok(res and res[0]["data"]["text/plain"] == "5\t2", "-j 2: a fold from the notebook runs in two workers (%r)"
           % (res and res[0]["data"]["text/plain"]))
        shown = of_type(msgs, "display_data")
        texts = [m["data"]["text/plain"] for m in shown + of_type(msgs, "update_display_data")]
        ok(len(shown) == 1 and texts and "5/5" in texts[-1],
           "-j 2: its progress is drawn in the cell, updated in place (%r)" % texts[-1:])
        errs = "".join(m["text"] for m in of_type(msgs, "stream") if m["name"] == "stderr")
        ok(errs == "", "-j 2: nothing on the stderr stream (%r)" % errs)
    finally:
        kc.stop_channels()
        km.shutdown_kernel(now=False)


def no_reply(kc, seconds=1.0):
    try:
        kc.get_shell_msg(timeout=seconds)
        return False
    except queue.Empty:
        return True


def bad_messages(kc):
    """Messages the kernel must drop without a reply and without dying."""
    sock = kc.shell_channel.socket
    good = kc.session
    wrong = Session(key=b"not the key", username=good.username)
    wrong.send(sock, "kernel_info_request", {})
    ok(no_reply(kc), "a message with a bad signature gets no reply")
    header = json.dumps({"msg_id": "m1", "session": good.session, "username": "u",
                         "msg_type": "kernel_info_request", "version": "5.3"}).encode()
    for name, parts in [
        ("content that is not JSON", [header, b"{}", b"{}", b"{\"code\": "]),
        ("a header that is not JSON", [b"[1, 2", b"{}", b"{}", b"{}"]),
        ("a header without msg_type", [b'{"msg_id": "m2"}', b"{}", b"{}", b"{}"]),
    ]:
        sig = hmac.new(good.key, b"".join(parts), hashlib.sha256).hexdigest().encode()
        sock.send_multipart([b"<IDS|MSG>", sig] + parts)
        ok(no_reply(kc), "%s gets no reply" % name)
    sock.send_multipart([b"<IDS|MSG>"])
    ok(no_reply(kc), "a message of too few frames gets no reply")
    mid = kc.session.send(sock, kc.session.msg("no_such_request", {}))["header"]["msg_id"]
    ok(no_reply(kc), "an unknown msg_type gets no reply")
    info = kc.kernel_info(reply=True, timeout=10)["content"]
    ok(info["status"] == "ok", "the kernel answers after the bad messages")
    del mid


sys.exit(main())
