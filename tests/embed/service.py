#!/usr/bin/env python3
"""service.py SETTLE REGULA PACK WORKDIR [--claims N] [--kills K] [--seed S] [--only kill]

The settlement service's promises (examples/settlement-service/README.md), each
checked against what must hold, so that each fails on a service that breaks it:

  kill       kill -9 at K random points of a batch of N generated claims (one in
             the first moments, the others at random counts of settled lines),
             running it again after each; the last run ends with the output, the
             ledger, the results and the claims of one undisturbed run
  twice      the same claim twice in a file: one settlement, its stored result
             again with "repeat_of"; a changed line under a settled claim_id is
             an error line; the ledger is that of the file without the copies
  rerun      the same batch run twice changes nothing; a file holding settled
             claims and new ones settles only the new; --resume
  parallel   two processes at once on one database: 3,000 inpatient claims for
             one person each (6,000 admissions, caps kept), the same file twice
             (3,000), and the same claims in two files (3,000)
  misc       an old database is refused; -o /dev/null stays a device

One line per check ("ok      NAME" or "FAILED  NAME" and why), then
"service: N passed, M failed"; exit 1 on any failure. Run by tests/embed/run.sh
(N = 20,000, K = 5) and by `make soak-service` (N = 200,000, K = 10).
"""
import argparse
import json
import os
import random
import sqlite3
import stat
import subprocess
import sys
import time

ROOT = os.path.dirname(os.path.dirname(os.path.dirname(os.path.abspath(__file__))))
passed = failed = 0


def ok(name):
    global passed
    passed += 1
    print("ok      " + name, flush=True)


def bad(name, why):
    global failed
    failed += 1
    print("FAILED  " + name, flush=True)
    for line in str(why).splitlines()[:25]:
        print("        " + line, flush=True)


def check(name, cond, why=""):
    ok(name) if cond else bad(name, why)
    return cond


def gen(n, seed, path):
    with open(path, "w") as f:
        subprocess.run([sys.executable, os.path.join(ROOT, "bench/gen"), "--claims", str(n), "--seed", str(seed),
                        "--bad-rate", "0.02"], stdout=f, check=True)


def settle(db, claims, out, *extra, threads=4):
    """Run the service to its end: (exit status, stderr)."""
    p = subprocess.run([A.settle, "--db", db, "--threads", str(threads), "-o", out, *extra, A.pack, claims],
                       stdout=subprocess.DEVNULL, stderr=subprocess.PIPE, text=True)
    return p.returncode, p.stderr


def start(db, claims, out, *extra, threads=4):
    return subprocess.Popen([A.settle, "--db", db, "--threads", str(threads), "-o", out, *extra, A.pack, claims],
                            stdout=subprocess.DEVNULL, stderr=subprocess.PIPE, text=True)


def read(path):
    """The file's text exactly (no newline translation: generated claims may end in CR LF)."""
    try:
        with open(path, newline="") as f:
            return f.read()
    except OSError:
        return None


def lines_of(text):
    """Lines split at LF only (str.splitlines would split inside a line at U+2028, \\x1c, …)."""
    return text.split("\n")[:-1] if text else []


def query(db, sql, *args):
    with sqlite3.connect("file:%s?mode=ro" % db, uri=True, timeout=30) as c:
        return c.execute(sql, args).fetchall()


def ledger(db):
    """Every ledger table, every row, sorted: the state a run leaves."""
    tables = [t for (t,) in query(db, "SELECT name FROM sqlite_master WHERE type = 'table' AND name LIKE 'ledger_%' "
                                      "ORDER BY name")]
    return {t: sorted(map(tuple, query(db, 'SELECT * FROM "%s"' % t)), key=repr) for t in tables}


def ledger_diff(a, b):
    if a.keys() != b.keys():
        return "tables %s != %s" % (sorted(a), sorted(b))
    for t in a:
        if a[t] != b[t]:
            sa, sb = set(a[t]), set(b[t])
            return "%s: %d rows against %d; only in the first: %s; only in the second: %s" % (
                t, len(a[t]), len(b[t]), sorted(sa - sb, key=repr)[:3], sorted(sb - sa, key=repr)[:3])
    return ""


def text_diff(want, got):
    if want is None or got is None:
        return "missing output (%s)" % ("expected" if want is None else "got")
    w, g = lines_of(want), lines_of(got)
    for i, (x, y) in enumerate(zip(w, g), 1):
        if x != y:
            return "line %d differs:\n  want %s\n  got  %s" % (i, x[:300], y[:300])
    return "%d lines, want %d" % (len(g), len(w))


def money(s):
    """'1234.56' as fen, exactly."""
    neg = s.startswith("-")
    yuan, _, fen = s.lstrip("-").partition(".")
    v = int(yuan) * 100 + int((fen + "00")[:2])
    return -v if neg else v


# ---- kill -9 at random points, then run again ----------------------------------

def progress(db):
    """Lines of the newest batch with a result; -1 while the database cannot be read yet."""
    try:
        return query(db, "SELECT count(*) FROM results WHERE batch = (SELECT max(id) FROM batches)")[0][0]
    except sqlite3.Error:
        return -1


def test_kill(w, n, kills, rng):
    claims = os.path.join(w, "kill.jsonl")
    gen(n, 7, claims)
    want = subprocess.run([A.regula, "run", "--pack", A.pack, claims], capture_output=True, text=True).stdout
    udb, uout = os.path.join(w, "undisturbed.db"), os.path.join(w, "undisturbed.jsonl")
    t0 = time.monotonic()
    urc, uerr = settle(udb, claims, uout)
    t_undisturbed = time.monotonic() - t0
    print("        undisturbed: %s" % uerr.strip(), flush=True)
    check("kill: an undisturbed run of %d claims gives regula run's output" % n, urc == 1 and read(uout) == want,
          "exit %d; %s" % (urc, text_diff(want, read(uout))))

    kdb, kout = os.path.join(w, "killed.db"), os.path.join(w, "killed.jsonl")
    # the first kill in the first moments (loading, finding the records, the first transactions), the
    # others when a random number of lines has its result, each a few milliseconds later at random
    targets = sorted(rng.sample(range(n // 50, n - n // 50), kills - 1))
    landed, notes = 0, []
    for k in range(kills):
        p = start(kdb, claims, kout)
        if k == 0:
            time.sleep(rng.uniform(0.02, 0.25) * t_undisturbed)
        else:
            while p.poll() is None and progress(kdb) < targets[k - 1]:
                time.sleep(0.002)
            time.sleep(rng.uniform(0, 0.005))
        alive = p.poll() is None
        p.kill()  # SIGKILL
        p.wait()
        p.stderr.close()
        landed += alive
        notes.append("%s at %d lines" % ("kill" if alive else "(ended before the kill)", max(progress(kdb), 0)))
    print("        " + "; ".join(notes), flush=True)
    check("kill: all %d kill -9 landed while the batch ran" % kills, landed == kills, "; ".join(notes))
    rc, err = settle(kdb, claims, kout)
    print("        the run after the kills: %s" % err.strip(), flush=True)
    check("kill: run again after %d kills: the output of the undisturbed run" % kills,
          rc == urc and read(kout) == read(uout), "exit %d (want %d): %s; %s" % (rc, urc, err.strip(), text_diff(read(uout), read(kout))))
    d = ledger_diff(ledger(udb), ledger(kdb))
    check("kill: the ledger of the undisturbed run (every accumulator, every person)", not d, d)
    same = [query(udb, sql) == query(kdb, sql) for sql in (
        "SELECT batch, line, settled, result FROM results ORDER BY batch, line",
        "SELECT claim_id, digest, batch, line FROM claims ORDER BY claim_id",
        "SELECT count(*), sum(settled = 0) FROM results")] if not d and rc == urc else [False]
    check("kill: the results and settled claims of the undisturbed run, error lines counted once",
          all(same), "results, claims, counts equal: %s" % same)


# ---- the same claim twice in a file --------------------------------------------

def test_twice(w, rng):
    base = os.path.join(w, "base.jsonl")
    gen(600, 21, base)
    lines = read(base).split("\n")[:-1]
    want = lines_of(subprocess.run([A.regula, "run", "--pack", A.pack, base], capture_output=True, text=True).stdout)
    # copies of 30 lines (settled ones and error lines) later in the file, one with CR LF, one changed
    out_lines, origin = [], []  # origin: the base line a line copies, or None
    later = {}  # where a copy goes (after the line it copies): the line it copies
    for c in sorted(rng.sample(range(len(lines) // 2), 40)):
        if len(later) < 30:
            later.setdefault(rng.randrange(c + 1, len(lines)), c)
    copies = list(later.values())
    for i, l in enumerate(lines):
        out_lines.append(l)
        origin.append(None)
        if i in later:
            out_lines.append(lines[later[i]])
            origin.append(later[i])
    good = next(i for i, r in enumerate(want) if '"error"' not in r and i not in copies and '"emergency": false' in lines[i])
    crlf = next(i for i, r in enumerate(want) if '"error"' not in r and i not in copies and i != good)
    out_lines.append(lines[crlf].rstrip("\r") + "\r")  # the same claim with a CR LF line ending: a repeat
    origin.append(crlf)
    changed = lines[good].replace('"emergency": false', '"emergency": true', 1)
    out_lines.append(changed)
    origin.append("changed")
    dup = os.path.join(w, "twice.jsonl")
    with open(dup, "w", newline="") as f:
        f.write("\n".join(out_lines) + "\n")

    db1, o1 = os.path.join(w, "twice.db"), os.path.join(w, "twice.out")
    db2, o2 = os.path.join(w, "base.db"), os.path.join(w, "base.out")
    rc1, err1 = settle(db1, dup, o1)
    rc2, _ = settle(db2, base, o2)
    got = lines_of(read(o1))
    check("twice: one output line per input line (%d)" % len(out_lines), len(got) == len(out_lines),
          "%d lines, exit %d: %s" % (len(got), rc1, err1.strip()))
    d = ledger_diff(ledger(db2), ledger(db1)) if rc1 == 1 and rc2 == 1 else "exit %d and %d: %s" % (rc1, rc2, err1)
    check("twice: 30 lines copied in the file leave the ledger of the file without them", not d, d)
    # where each base line landed in the file with the copies
    first_at = {}
    for j, o in enumerate(origin):
        if o is None:
            first_at[len(first_at)] = j
    problems = []
    for j, (o, g) in enumerate(zip(origin, got)):
        if o is None or o == "changed":
            continue
        w0 = want[o]
        if '"error"' in w0:  # a bad line is an error line again, with its own line number, settling nothing
            if not ('"error"' in g and g.startswith('{"line": %d' % (j + 1))):
                problems.append("line %d: want an error line, got %s" % (j + 1, g[:200]))
        else:
            w1 = w0[:-1] + ', "repeat_of": {"batch": 1, "line": %d}}' % (first_at[o] + 1)
            if g != w1:
                problems.append("line %d: want %s\n  got %s" % (j + 1, w1[-120:], g[-120:]))
    check("twice: a copied claim gets its stored result with repeat_of, a copied bad line its error line",
          not problems and got, "\n".join(problems[:5]) or "no output")
    last = got[-1] if got else ""
    check("twice: a changed line under a settled claim_id is an error line that names the first",
          '"error": "line %d: claim_id' % len(out_lines) in last and "settled before from a different line (batch 1, line %d)"
          % (first_at[good] + 1) in last, last[:300])
    n_err = sum('"error"' in g for g in got)
    counts = query(db1, "SELECT sum(settled = 1), sum(settled = 2), sum(settled = 0) FROM results WHERE batch = 1")[0] \
        if got else None
    check("twice: the counts: settled once each, repeats, error lines once each",
          counts and counts[0] == sum('"error"' not in x for x in want) and counts[1] == len(out_lines) - len(lines) - 1 - sum(
              '"error"' in want[c] for c in copies) and counts[2] == n_err and "%d errors;" % n_err in err1,
          "settled/repeats/errors %s; %d error lines; %s" % (counts, n_err, err1.strip()))


# ---- the same batch twice; a file with settled claims and new ones; --resume ----

def test_rerun(w, rng):
    f = os.path.join(w, "rerun.jsonl")
    gen(1500, 31, f)
    db, o1, o2 = (os.path.join(w, x) for x in ("rerun.db", "rerun1.jsonl", "rerun2.jsonl"))
    rc1, err1 = settle(db, f, o1)
    before = ledger(db)
    rc2, err2 = settle(db, f, o2)
    check("rerun: the same batch again writes the same output", rc1 == 1 and rc2 == rc1 and read(o1) == read(o2),
          "exit %d, %d: %s; %s" % (rc1, rc2, err2.strip(), text_diff(read(o1), read(o2))))
    d = ledger_diff(before, ledger(db))
    check("rerun: the same batch again changes no accumulator", not d, d)
    n = query(db, "SELECT count(*), count(DISTINCT batch) FROM results")[0]
    check("rerun: the same batch again is one batch, its lines counted once", n == (1500, 1) and
          "this run: 0 settled, 0 repeats, 0 errors (1500 lines were done before it" in err2, "%s; %s" % (n, err2.strip()))

    # a second file: these 1,500 claims again and 300 new ones = one run of both in one file
    g, fresh = os.path.join(w, "new.jsonl"), os.path.join(w, "fresh.jsonl")
    gen(300, 32, fresh)
    with open(g, "w", newline="") as out:  # the 1,500 claims, then 300 others (their claim_ids N… instead of G…)
        out.write(read(f) + read(fresh).replace('"claim_id": "G', '"claim_id": "N'))
    both_db, both_out = os.path.join(w, "both.db"), os.path.join(w, "both.jsonl")
    settle(both_db, g, both_out)
    o3 = os.path.join(w, "rerun3.jsonl")
    rc3, err3 = settle(db, g, o3)
    d = ledger_diff(ledger(both_db), ledger(db)) if rc3 == 1 else "exit %d: %s" % (rc3, err3)
    check("rerun: a file of 1,500 settled claims and 300 new settles the new only (ledger of one run)", not d, d)
    got, want, first = lines_of(read(o3)), lines_of(read(both_out)), lines_of(read(o1))
    wrong = [i + 1 for i in range(1800) if i >= len(got) or got[i] != (
        want[i] if i >= 1500 or '"error"' in want[i] else first[i][:-1] + ', "repeat_of": {"batch": 1, "line": %d}}' % (i + 1))]
    check("rerun: its output: repeat_of for the settled claims, the new ones' results", not wrong,
          "%d lines differ, the first: %s" % (len(wrong), wrong[:5]))

    # --resume: refused for a file never started; continues a killed batch
    rc, err = settle(os.path.join(w, "none.db"), f, os.path.join(w, "none.jsonl"), "--resume")
    check("rerun: --resume refuses a file the database never started", rc == 2 and "never started there" in err,
          "exit %d: %s" % (rc, err.strip()))
    rdb, rout = os.path.join(w, "resume.db"), os.path.join(w, "resume.jsonl")
    p = start(rdb, f, rout)
    while p.poll() is None and progress(rdb) < 700:
        time.sleep(0.002)
    p.kill()
    p.wait()
    p.stderr.close()
    rc, err = settle(rdb, f, rout, "--resume")
    d = ledger_diff(before, ledger(rdb)) if rc == 1 else "exit %d: %s" % (rc, err)
    check("rerun: --resume after kill -9 ends as an undisturbed run", not d and read(rout) == read(o1),
          d or text_diff(read(o1), read(rout)))


# ---- two processes at once -------------------------------------------------------

def inpatient(prefix, n, path, reverse=False):
    rows = []
    for k in range(n):
        day = 1 + k % 28
        rows.append(json.dumps({
            "claim_id": "%s-%05d" % (prefix, k + 1),
            "person": {"id": "P-ONE", "insured_region": "BJ", "scheme": "employee", "status": "working",
                       "enrolled_on": "2015-01-01", "account_balance": "5000.00"},
            "institution": {"id": "H-BJ-3", "region": "BJ", "level": 3, "designated": True, "specialty": False},
            "visit": {"type": "inpatient", "date": "2024-%02d-%02d" % (1 + k * 12 // n, day), "emergency": False,
                      "card": True},
            "items": [{"code": "S0010", "amount": "10000.00"}]}, ensure_ascii=False))
    with open(path, "w") as f:
        f.write("\n".join(reversed(rows) if reverse else rows) + "\n")


def year_row(db):
    rows = query(db, "SELECT inpatient_admissions, inpatient_fund_paid, critical_paid FROM ledger_yearly "
                     "WHERE key1 = 'P-ONE'")
    acct = query(db, "SELECT balance FROM ledger_personal_account WHERE key1 = 'P-ONE'")
    return (rows[0] if rows else (0, 0, 0)) + (acct[0][0] if acct else None,)


def sums(paths, only_settled_db=None):
    fund = crit = acct = 0
    for p in paths:
        for l in lines_of(read(p)):
            r = json.loads(l)
            if "error" in r or "repeat_of" in r:
                continue
            fund, crit, acct = fund + money(r["fund"]), crit + money(r["critical"]), acct + money(r["account"])
    return fund, crit, acct


def together(db, runs, overlapped):
    """Both runs at once on a new database, until overlapped(db, stderrs) shows that their transactions
    alternated (8 tries: a loaded machine may start one late, and a batch of 3,000 claims settles in well under
    a second). (exit statuses, stderrs, how they alternated)"""
    for attempt in range(8):
        for x in ("", "-wal", "-shm"):
            if os.path.exists(db + x):
                os.remove(db + x)
        ps = [start(db, c, o, threads=2) for c, o in runs]
        errs = [p.communicate()[1] for p in ps]
        rcs = [p.returncode for p in ps]
        try:
            how = overlapped(db, errs)
        except (sqlite3.Error, IndexError, ValueError) as e:
            how = "cannot tell (%s)" % e
        if how is True or rcs != [0, 0]:
            break
    print("        alternated: %s (try %d)" % (how, attempt + 1), flush=True)
    return rcs, errs, how


def switches(db, errs):
    """The settled claims in commit order (claims' rowids) change batch at least twice."""
    b = [x for (x,) in query(db, "SELECT batch FROM claims ORDER BY rowid")]
    n = sum(1 for x, y in zip(b, b[1:]) if x != y)
    return True if n >= 2 else "%d changes of batch in the commit order" % n


def both_settled(db, errs):
    """Each process settled some of the lines ("this run: N settled")."""
    n = [int(e.split("this run: ")[1].split(" settled")[0]) for e in errs]
    return True if min(n) > 0 else "settled %s" % n


def test_parallel(w):
    n = 3000
    a, b, ar = (os.path.join(w, x) for x in ("A.jsonl", "B.jsonl", "Arev.jsonl"))
    inpatient("A", n, a)
    inpatient("B", n, b)
    inpatient("A", n, ar, reverse=True)
    ab = os.path.join(w, "AB.jsonl")
    with open(ab, "w") as f:
        f.write(read(a) + read(b))
    seq_db = os.path.join(w, "seq.db")
    settle(seq_db, ab, os.path.join(w, "seq.jsonl"))
    seq = year_row(seq_db)
    cap = 300000 * 100
    print("        one process, A then B: admissions, inpatient fund, critical, account = %s" % (seq,), flush=True)

    # different claim_ids: every claim counts
    db = os.path.join(w, "par.db")
    oa, ob = os.path.join(w, "parA.jsonl"), os.path.join(w, "parB.jsonl")
    rcs, errs, how = together(db, [(a, oa), (b, ob)], switches)
    got = year_row(db)
    fund, crit, acct = sums([oa, ob])
    why = "exits %s; %s\nledger %s; results' sums fund %d critical %d account %d" % (rcs, " / ".join(e.strip() for e in errs), got, fund, crit, acct)
    check("parallel: the two processes' transactions alternated on the database", how is True, how)
    check("parallel: two processes, 3,000 inpatient claims each for one person: 6,000 admissions",
          rcs == [0, 0] and got[0] == 2 * n, why)
    check("parallel: the fund and critical paid are the results' sums and one process's, within the caps",
          rcs == [0, 0] and got[1] == fund == seq[1] <= cap and got[2] == crit == seq[2] and got[3] == seq[3] == 500000 - acct,
          why)

    # the same file twice at once: one batch, settled once. The file is five times longer than the others, so
    # that a process started a little late still finds lines left to settle on a fast machine.
    big_n = 5 * n
    big = os.path.join(w, "big.jsonl")
    inpatient("S", big_n, big)
    db = os.path.join(w, "same.db")
    o1, o2 = os.path.join(w, "same1.jsonl"), os.path.join(w, "same2.jsonl")
    one_db, one = os.path.join(w, "one.db"), os.path.join(w, "one.jsonl")
    settle(one_db, big, one)
    rcs, errs, how = together(db, [(big, o1), (big, o2)], both_settled)
    got = year_row(db)
    why = "exits %s; %s\nledger %s, one run %s" % (rcs, " / ".join(e.strip() for e in errs), got, year_row(one_db))
    check("parallel: the same file in two processes at once: each settled a share", how is True, how)
    check("parallel: the same file in two processes at once: 15,000 admissions", rcs == [0, 0] and got[0] == big_n,
          why)
    check("parallel: ... both write one undisturbed run's output and ledger",
          read(o1) == read(one) == read(o2) and not ledger_diff(ledger(one_db), ledger(db)),
          why + "\n" + text_diff(read(one), read(o1)) + "\n" + text_diff(read(one), read(o2)))

    # the same claims in two files (one reversed) at once: each claim settled once, by one of them
    db = os.path.join(w, "rev.db")
    o1, o2 = os.path.join(w, "rev1.jsonl"), os.path.join(w, "rev2.jsonl")
    rcs, errs, how = together(db, [(a, o1), (ar, o2)], switches)
    got = year_row(db)
    fund, crit, acct = sums([o1, o2])
    settled = query(db, "SELECT count(*), count(DISTINCT json_extract(result, '$.claim_id')) FROM results WHERE settled = 1")[0]
    why = "exits %s; %s\nledger %s; settled lines, distinct claims %s; sums %d %d %d" % (
        rcs, " / ".join(e.strip() for e in errs), got, settled, fund, crit, acct)
    check("parallel: the same claims in two files at once: their transactions alternated", how is True, how)
    check("parallel: the same claims in two files at once: 3,000 admissions, each claim settled once",
          rcs == [0, 0] and got[0] == n and settled == (n, n), why)
    check("parallel: ... the fund paid is the settled lines' sum, within the cap",
          got[1] == fund <= cap and got[2] == crit and got[3] == 500000 - acct, why)


# ---- refusals ----------------------------------------------------------------------

def test_misc(w):
    f = os.path.join(w, "misc.jsonl")
    gen(50, 41, f)
    old = os.path.join(w, "old.db")
    with sqlite3.connect(old) as c:  # the layout of the service before claims were recorded
        c.executescript("CREATE TABLE batches (id INTEGER PRIMARY KEY, pack TEXT NOT NULL, claims TEXT NOT NULL, "
                        "started TEXT NOT NULL DEFAULT (datetime('now')));"
                        "CREATE TABLE results (batch INTEGER NOT NULL, line INTEGER NOT NULL, settled INTEGER NOT NULL,"
                        " result TEXT NOT NULL, PRIMARY KEY (batch, line));")
    rc, err = settle(old, f, os.path.join(w, "old.jsonl"))
    check("misc: a database of the earlier service (no claims recorded) is refused, not settled into",
          rc == 2 and "kept no record of settled claims" in err and "settle into a new --db" in err, "exit %d: %s" % (rc, err))
    rc, err = settle(os.path.join(w, "null.db"), f, "/dev/null")
    check("misc: -o /dev/null writes into the device and leaves it one",
          rc == 1 and stat.S_ISCHR(os.stat("/dev/null").st_mode), "exit %d: %s" % (rc, err))


def main():
    global A
    ap = argparse.ArgumentParser()
    ap.add_argument("settle")
    ap.add_argument("regula")
    ap.add_argument("pack")
    ap.add_argument("work")
    ap.add_argument("--claims", type=int, default=20000)
    ap.add_argument("--kills", type=int, default=5)
    ap.add_argument("--seed", type=int, default=None)
    ap.add_argument("--only", choices=["kill", "twice", "rerun", "parallel", "misc"])
    A = ap.parse_args()
    seed = A.seed if A.seed is not None else random.randrange(1 << 30)
    print("        random seed %d (--seed %d repeats the kill points)" % (seed, seed), flush=True)
    rng = random.Random(seed)
    os.makedirs(A.work, exist_ok=True)
    t0 = time.monotonic()
    for name, fn in (("kill", lambda: test_kill(A.work, A.claims, A.kills, rng)), ("twice", lambda: test_twice(A.work, rng)),
                     ("rerun", lambda: test_rerun(A.work, rng)), ("parallel", lambda: test_parallel(A.work)),
                     ("misc", lambda: test_misc(A.work))):
        if A.only in (None, name):
            t = time.monotonic()
            fn()
            print("        (%s: %.1f s)" % (name, time.monotonic() - t), flush=True)
    print("service: %d passed, %d failed, %.1f s" % (passed, failed, time.monotonic() - t0))
    sys.exit(1 if failed else 0)


if __name__ == "__main__":
    main()
