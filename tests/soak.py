#!/usr/bin/env python3
"""tests/soak.py — many generated claims through `regula run` and through the
example settlement service, with memory and progress sampled (make soak; not
part of make test).

usage: tests/soak.py REGULA SETTLE PACK.rgc WORKDIR [--claims N] [--seed S] [--threads T]

Generates N claims (bench/gen, 1% bad lines) into WORKDIR/claims.jsonl, counting
as it goes the person-years they touch (a ledger record is a person and a
year), then runs `regula run --pack PACK` over the file and the service
(`settle --db WORKDIR/soak.db --threads T`), sampling each process's resident
memory (VmRSS) and how many claims it has settled twice a second. Prints, for
each tenth of the claims: seconds, claims a second over that tenth, resident
memory, person-years seen, bytes of memory a person-year and the memory added
per person-year the tenth added, so that linear time (a steady rate) and flat
memory per person-year (a steady number of bytes) can be read; and checks that the service's output is `regula run`'s.
Writes the same tables to WORKDIR/soak.md. Exit 1 when a run fails or the
outputs differ; the figures themselves are reported, not asserted."""
import argparse
import os
import re
import sqlite3
import subprocess
import sys
import time

ROOT = os.path.dirname(os.path.dirname(os.path.abspath(__file__)))
PERSON = re.compile(rb'"person": \{"id": "([^"]*)"')
VISIT_YEAR = re.compile(rb'"visit": \{[^}]*?"date": "(\d{4})')


def generate(path, n, seed):
    """bench/gen into path; returns person-years seen after each line, at each tenth."""
    marks = {max(1, n * k // 10): k for k in range(1, 11)}
    seen, at = set(), {}
    gen = subprocess.Popen([sys.executable, os.path.join(ROOT, "bench", "gen"), "--claims", str(n),
                            "--seed", str(seed), "--bad-rate", "0.01"], stdout=subprocess.PIPE)
    with open(path, "wb") as out:
        for i, line in enumerate(gen.stdout, 1):
            out.write(line)
            p, y = PERSON.search(line), VISIT_YEAR.search(line)
            if p and y:
                seen.add((p.group(1), y.group(1)))
            if i in marks:
                at[marks[i]] = len(seen)
    if gen.wait() != 0:
        sys.exit("soak: bench/gen failed")
    return at


def rss_kib(pid):
    try:
        with open("/proc/%d/status" % pid) as f:
            for line in f:
                if line.startswith("VmRSS:"):
                    return int(line.split()[1])
    except OSError:
        pass
    return None


def watch(cmd, progress, stdout=None):
    """Run cmd, sampling (seconds, claims done, RSS KiB) twice a second."""
    t0 = time.monotonic()
    proc = subprocess.Popen(cmd, stdout=stdout, stderr=subprocess.PIPE)
    samples = []
    while proc.poll() is None:
        r = rss_kib(proc.pid)
        if r is not None:
            samples.append((time.monotonic() - t0, progress(), r))
        time.sleep(0.5)
    err = proc.stderr.read().decode(errors="replace")
    return proc.returncode, time.monotonic() - t0, samples, err


class Lines:
    """Lines written to a file so far, counted incrementally."""

    def __init__(self, path):
        self.path, self.pos, self.n = path, 0, 0

    def __call__(self):
        try:
            with open(self.path, "rb") as f:
                f.seek(self.pos)
                chunk = f.read()
        except OSError:
            return self.n
        self.pos += len(chunk)
        self.n += chunk.count(b"\n")
        return self.n


class Settled:
    """Results the service has committed so far (its results table)."""

    def __init__(self, db):
        self.db, self.n, self.last = db, 0, 0.0

    def __call__(self):
        if time.monotonic() - self.last < 2:  # a count is a scan: every two seconds
            return self.n
        self.last = time.monotonic()
        try:
            c = sqlite3.connect("file:%s?mode=ro" % self.db, uri=True, timeout=0.2)
            self.n = c.execute("SELECT count(*) FROM results").fetchone()[0]
            c.close()
        except sqlite3.Error:
            pass
        return self.n


def table(name, n, samples, total_s, person_years):
    rows = ["### %s" % name, "",
            "| claims | seconds | claims/s over the tenth | RSS MiB | person-years | RSS bytes / person-year "
            "| bytes / new person-year over the tenth |",
            "|---:|---:|---:|---:|---:|---:|---:|"]
    prev_t, prev_c, prev_rss, prev_py = 0.0, 0, None, 0
    peak = max((s[2] for s in samples), default=0)
    for k in range(1, 11):
        target = max(1, n * k // 10)
        hit = next((s for s in samples if s[1] >= target), None)
        if hit is None:  # the last tenth: the process ended between samples
            hit = (total_s, n, samples[-1][2] if samples else 0)
        t, c, rss = hit
        rate = (target - prev_c) / (t - prev_t) if t > prev_t else float("nan")
        py = person_years.get(k, 0)
        grew = "" if prev_rss is None or py <= prev_py else "%.0f" % ((rss - prev_rss) * 1024 / (py - prev_py))
        rows.append("| %d | %.1f | %.0f | %.0f | %d | %.0f | %s |" % (target, t, rate, rss / 1024, py,
                                                                      rss * 1024 / py if py else 0, grew))
        prev_t, prev_c, prev_rss, prev_py = t, target, rss, py
    rows += ["", "%d claims in %.1f s (%.0f a second); peak RSS %.0f MiB." % (n, total_s, n / total_s, peak / 1024), ""]
    return "\n".join(rows)


def main():
    ap = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    ap.add_argument("regula")
    ap.add_argument("settle")
    ap.add_argument("pack")
    ap.add_argument("work")
    ap.add_argument("--claims", type=int, default=10_000_000)
    ap.add_argument("--seed", type=int, default=7)
    ap.add_argument("--threads", type=int, default=2)
    a = ap.parse_args()
    os.makedirs(a.work, exist_ok=True)
    claims = os.path.join(a.work, "claims.jsonl")
    t = time.monotonic()
    print("soak: generating %d claims (bench/gen --seed %d) …" % (a.claims, a.seed), flush=True)
    person_years = generate(claims, a.claims, a.seed)
    print("soak: generated in %.0f s, %d person-years" % (time.monotonic() - t, person_years[10]), flush=True)
    report, failed = ["## Soak: %d claims" % a.claims, ""], False

    out_run = os.path.join(a.work, "run.jsonl")
    rc, secs, samples, err = watch([a.regula, "run", "--pack", a.pack, claims, "-o", out_run], Lines(out_run))
    if rc not in (0, 1):
        print("soak: regula run failed (%d): %s" % (rc, err[-2000:]))
        failed = True
    report.append(table("regula run", a.claims, samples, secs, person_years))
    print(report[-1], flush=True)

    db = os.path.join(a.work, "soak.db")
    for suffix in ("", "-wal", "-shm"):
        if os.path.exists(db + suffix):
            os.remove(db + suffix)
    out_svc = os.path.join(a.work, "service.jsonl")
    rc, secs, samples, err = watch([a.settle, "--db", db, "--threads", str(a.threads), "-o", out_svc, a.pack, claims],
                                   Settled(db))
    if rc not in (0, 1):
        print("soak: the service failed (%d): %s" % (rc, err[-2000:]))
        failed = True
    report.append(table("the settlement service (SQLite, %d threads)" % a.threads, a.claims, samples, secs,
                        person_years))
    print(report[-1], flush=True)
    same = subprocess.run(["cmp", "-s", out_run, out_svc]).returncode == 0
    report.append("The service's output is %s `regula run`'s.\n" % ("byte for byte" if same else "NOT"))
    print(report[-1])
    failed |= not same
    with open(os.path.join(a.work, "soak.md"), "w") as f:
        f.write("\n".join(report))
    return 1 if failed else 0


if __name__ == "__main__":
    sys.exit(main())
