#!/usr/bin/env python3
"""summary.py RESULTS.jsonl — one line: claims, eligible, errors, and the
fund, critical, account and cash totals, summed exactly in fen."""
import json
import sys


def fen(s):
    whole, _, frac = s.partition(".")
    return int(whole) * 100 + int((frac + "00")[:2])


def yuan(f):
    return "%d.%02d" % (f // 100, f % 100)


claims = eligible = errors = 0
tot = {"fund": 0, "critical": 0, "account": 0, "cash": 0}
with open(sys.argv[1], encoding="utf-8") as fh:
    for line in fh:
        r = json.loads(line)
        claims += 1
        if "error" in r:
            errors += 1
            continue
        eligible += r["eligible"]
        for k in tot:
            tot[k] += fen(r[k])
print("claims %d, eligible %d, errors %d, fund %s, critical %s, account %s, cash %s"
      % (claims, eligible, errors, yuan(tot["fund"]), yuan(tot["critical"]),
         yuan(tot["account"]), yuan(tot["cash"])))
