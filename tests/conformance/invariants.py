#!/usr/bin/env python3
"""Check settlement results against the invariants of shared/spec/settlement.md (stdlib only).

usage: invariants.py CLAIMS.jsonl RESULTS.jsonl

Every input line must have exactly one result line.  A result is either an error line
({"line": N, ["claim_id": …,] "error": "…"} with N its own line number) or a settlement
whose keys are those of docs/claims.md, in that order, and for which:
  total = fund + critical + account + cash = ownpay + overlimit + preselfpay + inscope,
  total = the sum of the claim's item amounts, every amount is "digits.dd" (>= 0),
  deductible <= inscope, 0 <= ratio <= 95, critical = 0 for outpatient claims,
  an ineligible claim has ratio 0, deductible 0, fund 0, critical 0, account 0, cash = total,
  and over the batch: the account payments of a person never exceed the balance of
  their first valid claim, and per person and year the outpatient fund stays within
  3,000.00, the inpatient fund within 300,000.00, the critical paid within 400,000.00
  (the largest caps of the pack).
Part 2 (sections 9-15), where a claim uses its fields:
  NO_CARD only for a direct claim without card, LATE and MISSING_DOCUMENTS only for a
  manual claim, LAPSED only with person.coverage, MANUAL_ONLY only for a direct chronic
  claim outside the insured region; an eligible claim is designated, has a card or is
  manual, was submitted in time with every required document when manual, and has a
  period covering the visit when coverage is given; a pharmacy purchase has ratio 0,
  deductible 0, fund 0 and critical 0; a chronic or special-disease visit has deductible
  0; critical is paid only for inpatients and special diseases (CA, ESRD); a resident's
  account pays nothing; per person and year, the ordinary outpatient fund (chronic visits
  and pharmacies apart) stays within 3,000.00, and the fund of each disease within its
  largest cap in the pack (HTN 3,000.00, DM 5,000.00, CA 300,000.00, ESRD 200,000.00,
  PD 2,500.00); critical illness, inpatient and special together, within 400,000.00.
Prints each failure (at most 20), then "N passed, M failed" (N lines passed); exits 1
if any line failed.
"""
import calendar
import datetime as dt
import json
import re
import sys
from collections import defaultdict
from decimal import Decimal

KEYS = ["claim_id", "eligible", "reason", "ratio", "total", "ownpay", "overlimit",
        "preselfpay", "inscope", "deductible", "fund", "critical", "account", "cash"]
AMOUNTS = KEYS[4:]
AMOUNT_RE = re.compile(r"^[0-9]+\.[0-9]{2}$")
REASONS = {"NO_CARD", "NOT_DESIGNATED", "WAITING", "NOT_FILED",
           "LATE", "MISSING_DOCUMENTS", "LAPSED", "MANUAL_ONLY"}
MAX_OUT_FUND, MAX_IN_FUND, MAX_CRITICAL = 300000, 30000000, 40000000  # fen
MAX_DISEASE_FUND = {"HTN": 300000, "DM": 500000, "CA": 30000000, "ESRD": 20000000,
                    "PD": 250000}                                      # fen, any region
SPECIAL = ("CA", "ESRD")
MAX_SHOWN = 20


def read_lines(path):
    with open(path, "rb") as f:
        lines = f.read().split(b"\n")
    if lines and lines[-1] == b"":
        lines.pop()
    return [l[:-1] if l.endswith(b"\r") else l for l in lines]


def fen(text):
    return int(Decimal(text) * 100)


def amount_of(value):
    """Fen of an input amount (already accepted by the settler)."""
    if isinstance(value, str):
        return fen(value)
    return fen(repr(value)) if isinstance(value, float) else value * 100


def add_months(d, n):
    m = d.year * 12 + d.month - 1 + n
    y, m = divmod(m, 12)
    return dt.date(y, m + 1, min(d.day, calendar.monthrange(y, m + 1)[1]))


def first_of_next_month(d):
    return dt.date(d.year + 1, 1, 1) if d.month == 12 else dt.date(d.year, d.month + 1, 1)


def part2_problems(claim, res, a):
    """The Part 2 invariants of one settled claim (its fields already validated)."""
    problems = []
    person, inst, visit = claim["person"], claim["institution"], claim["visit"]
    manual = visit.get("channel") == "manual"
    disease = visit.get("chronic_disease")
    pharmacy = inst.get("kind") == "pharmacy"
    coverage = person.get("coverage")
    home = inst["region"] == person["insured_region"]
    v = dt.date.fromisoformat(visit["date"])
    reason = res["reason"]
    if reason == "NO_CARD" and (manual or visit["card"]):
        problems.append("NO_CARD but manual or with card")
    if reason in ("LATE", "MISSING_DOCUMENTS") and not manual:
        problems.append("%s on a direct claim" % reason)
    if reason == "LAPSED" and not coverage:
        problems.append("LAPSED without coverage")
    if reason == "MANUAL_ONLY" and (manual or not disease or home):
        problems.append("MANUAL_ONLY but not a direct chronic claim away from home")
    if res["eligible"] is True:
        if not inst["designated"]:
            problems.append("eligible but not designated")
        if not manual and not visit["card"]:
            problems.append("eligible direct claim without card")
        if manual:
            deadline = (add_months(v, 1) if visit["type"] == "outpatient"
                        else dt.date(v.year + 1, 3, 31))
            if dt.date.fromisoformat(visit["submitted_on"]) > deadline:
                problems.append("eligible but submitted after the deadline")
            need = ["invoice", "itemized_list"] + ([] if home else ["travel_certificate"])
            need += ["prescription", "medical_record"] if disease else []
            if any(d not in visit["documents"] for d in need):
                problems.append("eligible but a required document is missing")
        if coverage:
            cover = [p for p in coverage if dt.date.fromisoformat(p["from"]) <= v
                     and (p.get("to") is None or v <= dt.date.fromisoformat(p["to"]))]
            if len(cover) != 1:
                problems.append("eligible but no period covers the visit")
            elif cover[0].get("backpaid_on") and v < first_of_next_month(
                    dt.date.fromisoformat(cover[0]["backpaid_on"])):
                problems.append("eligible before the month after the back-payment")
    if pharmacy and (res["ratio"] or a["deductible"] or a["fund"] or a["critical"]):
        problems.append("pharmacy purchase with ratio/deductible/fund/critical")
    if disease and a["deductible"]:
        problems.append("chronic visit with a deductible")
    return problems


class Batch:
    def __init__(self):
        self.balance = {}                        # person -> first valid balance (fen)
        self.account_paid = defaultdict(int)
        self.year = defaultdict(lambda: [0, 0, 0])  # (person, year) -> out fund, in fund, critical
        self.disease = defaultdict(int)          # (person, year, disease) -> fund


def check_line(n, claim_text, result_text, batch):
    """A list of problems of line N."""
    try:
        res = json.loads(result_text)
    except ValueError as e:
        return ["result is not JSON (%s)" % e]
    if not isinstance(res, dict):
        return ["result is not an object"]
    if "error" in res:
        problems = []
        if res.get("line") != n:
            problems.append("error line has line %r" % res.get("line"))
        if not isinstance(res["error"], str) or not res["error"]:
            problems.append("error is not a message")
        if set(res) - {"line", "claim_id", "error"}:
            problems.append("error line has keys %s" % sorted(res))
        return problems

    problems = []
    if list(res) != KEYS:
        return ["keys %s" % list(res)]
    for k in AMOUNTS:
        if not isinstance(res[k], str) or not AMOUNT_RE.match(res[k]):
            problems.append("%s is not a non-negative amount: %r" % (k, res[k]))
    if problems:
        return problems
    a = {k: fen(res[k]) for k in AMOUNTS}
    if a["total"] != a["fund"] + a["critical"] + a["account"] + a["cash"]:
        problems.append("total != fund + critical + account + cash")
    if a["total"] != a["ownpay"] + a["overlimit"] + a["preselfpay"] + a["inscope"]:
        problems.append("total != ownpay + overlimit + preselfpay + inscope")
    if a["deductible"] > a["inscope"]:
        problems.append("deductible > inscope")
    ratio = res["ratio"]
    if type(ratio) is not int or not 0 <= ratio <= 95:
        problems.append("ratio %r out of 0..95" % ratio)
    if type(res["eligible"]) is not bool:
        problems.append("eligible is not a boolean")
    elif res["eligible"]:
        if res["reason"] != "OK":
            problems.append("eligible with reason %r" % res["reason"])
    else:
        if res["reason"] not in REASONS:
            problems.append("ineligible with reason %r" % res["reason"])
        if ratio != 0 or any(a[k] for k in ("deductible", "fund", "critical", "account")):
            problems.append("ineligible but ratio/deductible/fund/critical/account not 0")
        if a["cash"] != a["total"]:
            problems.append("ineligible but cash != total")

    try:
        claim = json.loads(claim_text)
        total = sum(amount_of(it["amount"]) for it in claim["items"])
        person = claim["person"]["id"]
        year = int(claim["visit"]["date"][:4])
        inpatient = claim["visit"]["type"] == "inpatient"
        balance = amount_of(claim["person"]["account_balance"])
        disease = claim["visit"].get("chronic_disease")
        pharmacy = claim["institution"].get("kind") == "pharmacy"
        problems += part2_problems(claim, res, a)
    except (ValueError, KeyError, TypeError, IndexError) as e:
        return problems + ["settled, but its claim line does not read (%s)" % e]
    if res["claim_id"] != claim.get("claim_id"):
        problems.append("claim_id %r, the claim's is %r" % (res["claim_id"], claim.get("claim_id")))
    if total != a["total"]:
        problems.append("total %s != sum of items %d.%02d" % (res["total"], *divmod(total, 100)))
    if not inpatient and disease not in SPECIAL and a["critical"]:
        problems.append("critical paid on an outpatient claim (not a special disease)")
    if claim["person"]["scheme"] == "resident" and a["account"]:
        problems.append("account paid for a resident")

    first = batch.balance.setdefault(person, balance)
    batch.account_paid[person] += a["account"]
    if batch.account_paid[person] > first:
        problems.append("account payments of %s exceed their first balance" % person)
    y = batch.year[(person, year)]
    y[2] += a["critical"]
    if inpatient:
        y[1] += a["fund"]
    elif disease:
        batch.disease[(person, year, disease)] += a["fund"]
        if batch.disease[(person, year, disease)] > MAX_DISEASE_FUND.get(disease, 0):
            problems.append("annual %s cap exceeded for %s in %d" % (disease, person, year))
    elif not pharmacy:
        y[0] += a["fund"]
    if y[0] > MAX_OUT_FUND or y[1] > MAX_IN_FUND or y[2] > MAX_CRITICAL:
        problems.append("annual caps exceeded for %s in %d" % (person, year))
    return problems


def main(argv):
    if len(argv) != 3:
        print("usage: invariants.py CLAIMS.jsonl RESULTS.jsonl", file=sys.stderr)
        return 2
    try:
        claims, results = read_lines(argv[1]), read_lines(argv[2])
    except OSError as e:
        print("invariants.py: %s" % e, file=sys.stderr)
        return 2
    batch = Batch()
    passed = failed = shown = 0
    for n, (c, r) in enumerate(zip(claims, results), 1):
        problems = check_line(n, c, r, batch)
        if problems:
            failed += 1
            for p in problems:
                if shown < MAX_SHOWN:
                    print("line %d: %s" % (n, p))
                shown += 1
        else:
            passed += 1
    if len(claims) != len(results):
        failed += abs(len(claims) - len(results))
        print("%d claim lines but %d result lines" % (len(claims), len(results)))
    print("%d passed, %d failed" % (passed, failed))
    return 1 if failed else 0


if __name__ == "__main__":
    sys.exit(main(sys.argv))
