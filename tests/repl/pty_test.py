#!/usr/bin/env python3
"""pty_test.py REGULA — drives `regula repl` through a pseudo-terminal, as a
person at a keyboard would: tab completion, Ctrl-C, Ctrl-D, the history file.
Prints one line per check and exits 1 when any failed."""
import os, pty, re, select, sys, tempfile, time

REGULA = os.path.abspath(sys.argv[1] if len(sys.argv) > 1 else "build/regula")
failed = 0


def spawn(hist):
    pid, fd = pty.fork()
    if pid == 0:
        env = dict(os.environ, REGULA_HISTORY=hist, TERM="xterm", NO_COLOR="1", LANG="C.UTF-8", LC_ALL="C.UTF-8",
                   INPUTRC="/dev/null")
        os.execve(REGULA, [REGULA, "repl", "--pack", "policies"], env)
    return pid, fd


pending = ""


def read_until(fd, pattern, timeout=10.0):
    """The output up to and including the first match of the regular
    expression (what follows stays for the next call); all of it when the
    time is up."""
    global pending
    end = time.time() + timeout
    raw = b""
    while True:
        m = re.search(pattern, pending + raw.decode("utf-8", "ignore"))
        if m:
            text = pending + raw.decode("utf-8", "ignore")
            pending = text[m.end():]
            return text[:m.end()]
        if time.time() >= end:
            break
        r, _, _ = select.select([fd], [], [], 0.1)
        if r:
            try:
                chunk = os.read(fd, 4096)
            except OSError:
                break
            if not chunk:
                break
            raw += chunk
    text = pending + raw.decode("utf-8", "replace")
    pending = ""
    return text


def check(name, ok, got=""):
    global failed
    print(("ok   " if ok else "FAIL ") + name)
    if not ok:
        failed += 1
        print("     got: " + repr(got[-600:]))


def send(fd, s):
    os.write(fd, s.encode("utf-8"))


def wait_exit(pid):
    for _ in range(100):
        p, status = os.waitpid(pid, os.WNOHANG)
        if p:
            return os.waitstatus_to_exitcode(status)
        time.sleep(0.05)
    os.kill(pid, 9)
    os.waitpid(pid, 0)
    return None


with tempfile.TemporaryDirectory() as tmp:
    hist = os.path.join(tmp, "history")
    pid, fd = spawn(hist)
    out = read_until(fd, r"CN=> ")
    check("prompt shows the current policy", "CN=> " in out, out)

    # tab completion: a command, a definition name, a claim field path, a policy.name
    send(fd, ":pol\t")
    out = read_until(fd, r":pol\x07?ic")
    send(fd, "\t\t")
    out += read_until(fd, r"CN=> :polic")  # the list, then the line again
    check("tab completes :pol to :polic… and lists :policy :policies", ":policies" in out and ":policy" in out, out)
    send(fd, "\x15")  # Ctrl-U: clear the line
    send(fd, "outpatient_cap_emp\t\r")
    out = read_until(fd, r": money")
    check("tab completes a definition name and evaluates it", "outpatient_cap_employee" in out and "¥2000.00 : money" in out, out)
    send(fd, "visit.da\t\r")
    out = read_until(fd, r": date")
    check("tab completes a claim field path", "visit.date" in out and "2024-03-05 : date" in out, out)
    send(fd, ":set LN-CY.outpatient_cap_e\t= ¥3500\r")
    out = read_until(fd, r"override")
    check("tab completes POLICY.name after :set", "LN-CY.outpatient_cap_employee" in out, out)
    read_until(fd, r"CN=> ")
    send(fd, ":show LN-CY@2024.outpatient_ra\t\r")
    out = read_until(fd, r"table of LN-CY 2024")
    check("tab completes POLICY@VERSION.table after :show", "LN-CY@2024.outpatient_ratio" in out and
          "as LN-CY sees it in its version 2024" in out, out)
    read_until(fd, r"CN=> ")

    # UTF-8: a Chinese name and string, edited with the cursor keys
    send(fd, 'def 门诊 = "门诊报销"\r')
    out = read_until(fd, r"defined 门诊 : string")
    check("a Chinese name is defined", "defined 门诊 : string" in out, out)
    send(fd, '门\t')
    out = read_until(fd, r"门诊")
    send(fd, "\r")
    out += read_until(fd, r": string")
    check("a Chinese name completes and evaluates", '"门诊报销" : string' in out, out)
    read_until(fd, r"CN=> ")  # keys typed before the prompt would meet the terminal's own line editing
    send(fd, '"报销"\x1b[D\x1b[D\x7f门\r')  # left twice, backspace a character, type one
    out = read_until(fd, r": string")
    check("editing inside Chinese text works a character at a time", '"门销" : string' in out, out)

    # Ctrl-C cancels the line and an unfinished entry; the session goes on
    read_until(fd, r"CN=> ")
    send(fd, "def unfinished = 1 +\r")
    out = read_until(fd, r"CN-> ")
    check("an unfinished definition gets the continuation prompt", "CN-> " in out, out)
    send(fd, "\x03")
    out = read_until(fd, r"CN=> ")
    check("Ctrl-C prints ^C and a fresh prompt", "^C" in out and "CN=> " in out, out)
    send(fd, "unfinished\r")  # after the fresh prompt
    out = read_until(fd, r"unknown name '\w+'|: int")
    check("Ctrl-C dropped the unfinished entry", "unknown name 'unfinished'" in out, out)
    read_until(fd, r"CN=> ")
    send(fd, "half typed\x03")
    out = read_until(fd, r"CN=> ")
    send(fd, "1 + 1\r")
    out = read_until(fd, r": int")
    check("the session goes on after Ctrl-C", "2 : int" in out, out)

    # Ctrl-C stops a long :whatif and keeps the session
    big = os.path.join(tmp, "big.jsonl")
    with open(big, "w", encoding="utf-8") as f, open("tests/repl/claims.jsonl", encoding="utf-8") as src:
        f.write(src.readline() * 120000)
    send(fd, ":whatif %s\r" % big)  # takes seconds: 120,000 claims settled twice
    time.sleep(0.2)
    send(fd, "\x03")
    out = read_until(fd, r"settled twice", timeout=30)
    check("Ctrl-C stops a running :whatif", "interrupted after" in out, out)
    check("a running :whatif shows its progress on the terminal", re.search(r"\r\x1b\[K:whatif: \d+ claims \(\d+%\)", out), out)
    read_until(fd, r"CN=> ", timeout=2)
    send(fd, "1 + 1\r")
    out = read_until(fd, r": int")
    check("the session goes on after the interrupted :whatif", "2 : int" in out, out)

    # up arrow recalls the previous line
    read_until(fd, r"CN=> ")
    send(fd, "\x1b[A\r")
    out = read_until(fd, r": int")
    check("the up arrow recalls the last line", "2 : int" in out, out)

    # Ctrl-D leaves with status 0
    read_until(fd, r"CN=> ")
    send(fd, "\x04")
    status = wait_exit(pid)
    check("Ctrl-D leaves with status 0", status == 0, str(status))
    os.close(fd)

    saved = open(hist, encoding="utf-8").read() if os.path.exists(hist) else ""
    check("the history file keeps the session's lines", "1 + 1" in saved and 'def 门诊 = "门诊报销"' in saved, saved)

    # a new session reads the history back
    pending = ""
    pid, fd = spawn(hist)
    read_until(fd, r"CN=> ")
    send(fd, "\x1b[A\r")
    out = read_until(fd, r": int")
    check("a new session recalls the last session's lines", "2 : int" in out, out)
    send(fd, ":quit\r")
    status = wait_exit(pid)
    check(":quit leaves with status 0", status == 0, str(status))
    os.close(fd)

print("pty: %d failed" % failed)
sys.exit(1 if failed else 0)
