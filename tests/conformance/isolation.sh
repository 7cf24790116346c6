#!/usr/bin/env bash
# isolation.sh REGULA — changing one figure of one region changes only the
# claims insured there, and changes some of them: LN-CY's 2025 outpatient cap
# (3,000.00 -> 3,500.00) on Part 1 claims, LN's diabetes cap (5,000.00 ->
# 1,500.00) on Part 2 claims, which reaches LN and every LN-* region; then
# `--explain` names the version and rows used.
set -u
R=$1
root=$(cd "$(dirname "$0")/../.." && pwd)
tmp=$(mktemp -d); trap 'rm -rf "$tmp"' EXIT
# isolated NAME FILE OLD NEW PREFIX GEN-ARGS…: replace the line OLD of the
# pack's FILE with NEW; every claim whose result changes is insured in a
# region whose name starts with PREFIX, or is of a person an earlier claim of
# whom was (the ledger carries what was paid there), and some change.
isolated() {
  local name=$1 file=$2 old=$3 new=$4 prefix=$5; shift 5
  "$root/bench/gen" "$@" > "$tmp/claims.jsonl"
  rm -rf "$tmp/pack"; cp -r "$root/policies" "$tmp/pack"
  python3 - "$tmp/pack/$file" "$old" "$new" <<'PY' || return 1
import sys
p, old, new = sys.argv[1:4]
s = open(p, encoding="utf-8").read()
assert s.count(old) == 1, "%s no longer has the line %r" % (p, old)
open(p, "w", encoding="utf-8").write(s.replace(old, new))
PY
  "$R" run --pack "$root/policies" "$tmp/claims.jsonl" > "$tmp/before.jsonl"
  "$R" run --pack "$tmp/pack" "$tmp/claims.jsonl" > "$tmp/after.jsonl"
  python3 - "$name" "$prefix" "$tmp/claims.jsonl" "$tmp/before.jsonl" "$tmp/after.jsonl" <<'PY'
import json, sys
name, prefix = sys.argv[1:3]
claims = [json.loads(l) for l in open(sys.argv[3], encoding="utf-8")]
before = open(sys.argv[4], encoding="utf-8").read().splitlines()
after = open(sys.argv[5], encoding="utf-8").read().splitlines()
assert len(before) == len(after) == len(claims)
changed = {i for i in range(len(claims)) if before[i] != after[i]}
# a claim insured elsewhere may change through the ledger its person's earlier
# claims, insured there, left (a transfer between regions)
there = lambda c: c["person"]["insured_region"].startswith(prefix)
earlier = set()
others = []
for i, c in enumerate(claims):
    if i in changed and not there(c) and c["person"]["id"] not in earlier:
        others.append(i)
    if there(c):
        earlier.add(c["person"]["id"])
print("isolation: %s: %d claims changed, all insured in %s* or after a claim there: %s" % (name, len(changed), prefix, "yes" if not others else "NO"))
for i in others[:3]:
    print("  line %d (%s): %s -> %s" % (i + 1, claims[i]["person"]["insured_region"], before[i], after[i]))
if not changed:
    print("isolation: %s: nothing changed - the test no longer exercises the figure" % name)
sys.exit(0 if changed and not others else 1)
PY
}
passed=0; failed=0
for c in cap dm; do
  case $c in
    cap) isolated "LN-CY's 2025 outpatient cap" LN-CY.rg "param outpatient_cap_employee = ¥3000" \
           "param outpatient_cap_employee = ¥3500" LN-CY --claims 6000 --seed 11 --bad-rate 0 ;;
    dm) isolated "LN's diabetes cap" LN.rg "  | DM -> ¥5000" "  | DM -> ¥1500" LN \
           --claims 6000 --seed 12 --bad-rate 0 --part2 1 ;;
  esac && passed=$((passed + 1)) || failed=$((failed + 1))
done
echo "isolation: $passed passed, $failed failed"
rc=0; [ "$failed" -eq 0 ] || rc=1
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
