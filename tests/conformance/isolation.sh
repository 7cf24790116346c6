#!/usr/bin/env bash
# isolation.sh REGULA — changing one figure of one region (LN-CY's 2025
# outpatient cap, 3,000.00 -> 3,500.00) changes only claims insured in LN-CY,
# and changes some of them; `--explain` names the version and rows used.
set -u
R=$1
root=$(cd "$(dirname "$0")/../.." && pwd)
tmp=$(mktemp -d); trap 'rm -rf "$tmp"' EXIT
"$root/bench/gen" --claims 6000 --seed 11 --bad-rate 0 > "$tmp/claims.jsonl"
cp -r "$root/policies" "$tmp/pack"
python3 - "$tmp/pack/LN-CY.rg" <<'PY'
import sys
p = sys.argv[1]
s = open(p, encoding="utf-8").read()
old = "param outpatient_cap_employee = ¥3000"
assert s.count(old) == 1, "LN-CY.rg no longer has its 2025 cap line"
open(p, "w", encoding="utf-8").write(s.replace(old, "param outpatient_cap_employee = ¥3500"))
PY
"$R" run --pack "$root/policies" "$tmp/claims.jsonl" > "$tmp/before.jsonl"
"$R" run --pack "$tmp/pack" "$tmp/claims.jsonl" > "$tmp/after.jsonl"
python3 - "$tmp/claims.jsonl" "$tmp/before.jsonl" "$tmp/after.jsonl" <<'PY'
import json, sys
claims = [json.loads(l) for l in open(sys.argv[1], encoding="utf-8")]
before = open(sys.argv[2], encoding="utf-8").read().splitlines()
after = open(sys.argv[3], encoding="utf-8").read().splitlines()
assert len(before) == len(after) == len(claims)
changed = [i for i in range(len(claims)) if before[i] != after[i]]
others = [i for i in changed if claims[i]["person"]["insured_region"] != "LN-CY"]
ok = bool(changed) and not others
print("isolation: %d claims changed, all insured in LN-CY: %s" % (len(changed), "yes" if not others else "NO"))
if not changed:
    print("isolation: nothing changed - the test no longer exercises the cap")
print("isolation: %d passed, %d failed" % (1 if ok else 0, 0 if ok else 1))
sys.exit(0 if ok else 1)
PY
rc=$?
# --explain: the 2024 version of LN-CY, its table row and source lines are named
sed -n 4p "$root/../shared/conformance/claims.jsonl" | "$R" run --pack "$root/policies" --explain > "$tmp/explain.json"
python3 - "$tmp/explain.json" <<'PY' || rc=1
import json, sys
r = json.loads(open(sys.argv[1], encoding="utf-8").read())
e = r["explain"]
steps = {s.get("def"): s for s in e["steps"] if "def" in s}
checks = [
    e["policy"] == "LN-CY",
    steps["outpatient_ratio"]["version"] == "2024" and steps["outpatient_ratio"]["policy"] == "LN-CY",
    steps["outpatient_ratio"]["value"] == "60%",
    steps["fund"]["value"] == r["fund"] and "CN.rg:" in steps["fund"]["at"],
    any(s.get("table") == "outpatient_ratio" and s.get("row") == 1 and "LN-CY.rg" in s["at"] for s in e["steps"]),
    any(s.get("decision") == "reason" for s in e["steps"]),
]
ok = all(checks)
print("explain: %d passed, %d failed" % (sum(checks), len(checks) - sum(checks)))
sys.exit(0 if ok else 1)
PY
exit $rc
