#!/usr/bin/env python3
"""progress_test.py REGULA — long runs show a progress line on standard error
while it is a terminal, and nothing when it is not: `regula run` (results to
a file), `regula diff` and `regula bench`, each once on a pseudo-terminal and
once with standard error a pipe. One line per check; exit 1 on a failure."""
import os, pty, re, select, subprocess, sys, tempfile

from checks import check, done

REGULA = os.path.abspath(sys.argv[1] if len(sys.argv) > 1 else "build/regula")


def on_terminal(args):
    """What the command writes on its standard error when that is a terminal."""
    master, slave = pty.openpty()
    p = subprocess.Popen([REGULA] + args, stdin=subprocess.DEVNULL, stdout=subprocess.DEVNULL, stderr=slave)
    os.close(slave)
    out = b""
    while True:
        r, _, _ = select.select([master], [], [], 30)
        if not r:
            break
        try:
            chunk = os.read(master, 4096)
        except OSError:
            break
        if not chunk:
            break
        out += chunk
    p.wait()
    os.close(master)
    return p.returncode, out.decode("utf-8", "replace")


def on_pipe(args):
    p = subprocess.run([REGULA] + args, stdin=subprocess.DEVNULL, stdout=subprocess.DEVNULL, stderr=subprocess.PIPE)
    return p.returncode, p.stderr.decode("utf-8", "replace")


tmp = tempfile.mkdtemp()
claims = os.path.join(tmp, "claims.jsonl")
with open(claims, "w", encoding="utf-8") as f, open("tests/tools/claims.jsonl", encoding="utf-8") as src:
    f.write(src.read() * 200)  # 2,400 lines: the line is drawn more than once
runs = [
    ("regula run", ["run", "--pack", "tests/tools/pack", claims, "-o", os.path.join(tmp, "out.jsonl")]),
    ("regula diff", ["diff", "tests/tools/pack", "tests/tools/pack", claims]),
    ("regula bench", ["bench", "--pack", "tests/tools/pack", "--passes", "2", claims]),
]
for what, args in runs:
    rc, err = on_terminal(args)
    unit = "passes" if what == "regula bench" else "claims"
    found = list(re.finditer(r"\r\x1b\[K(%s[^\r]*?: \d+(?: of \d+)? %s(?: \(\d+%%\))?)" % (re.escape(what), unit), err))
    shown = [m.group(1) for m in found]
    check("%s shows its progress on a terminal" % what, rc in (0, 1) and shown, err)
    if what != "regula bench":
        check("%s tells how far into the file it is" % what, any(re.search(r"\(\d+%\)$", s) for s in shown), shown)
    check("%s erases the line when it is done" % what, found and err[found[-1].end():].startswith("\r\x1b[K"), err)
    rc, err = on_pipe(args)
    # bench's closing lines name claims too: its count, and what native code settled
    rest = "\n".join(l for l in err.splitlines() if not re.match(r"regula bench: (\d+ lines, |native code settled )", l))
    check("%s shows nothing when standard error is not a terminal" % what, "\x1b[K" not in err and "claims" not in rest, err)
subprocess.run(["rm", "-rf", tmp])
done("progress")
