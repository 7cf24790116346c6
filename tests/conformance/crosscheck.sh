#!/usr/bin/env bash
# crosscheck.sh REGULA — the conformance claims, then generated claims (every
# path of the spec, recurring persons, bad lines), settled by Regula and by
# the two hand-written ports (bench/c in C, bench/lua in Lua 5.4) must agree
# line for line (only the JSON parser's wording of "not valid JSON" may
# differ); the generated results must keep the spec's invariants. Then Part 2
# (part2-claims.jsonl and bench/gen --part2 0.5), Regula against bench/c.
set -u -o pipefail
R=$1
root=$(cd "$(dirname "$0")/../.." && pwd)
conf=${CONFORMANCE_DIR:-$root/../shared/conformance}
tmp=$(mktemp -d); trap 'rm -rf "$tmp"' EXIT
make -s -C "$root/bench/c" >/dev/null || exit 1
rc=0
# ports FILE: settle FILE with the C and Lua ports into $tmp/c.jsonl, $tmp/lua.jsonl
ports() {
  "$root/bench/c/settle-c" --catalogs "$root/policies/catalog" "$1" > "$tmp/c.jsonl"
  lua5.4 "$root/bench/lua/settle.lua" --catalogs "$root/policies/catalog" "$1" > "$tmp/lua.jsonl"
}
echo "conformance claims:"
"$R" run --pack "$root/policies" "$conf/claims.jsonl" > "$tmp/r.jsonl"
ports "$conf/claims.jsonl"
python3 "$root/tests/conformance/jsonl_compare.py" "$tmp/c.jsonl" "$tmp/r.jsonl" || rc=1
python3 "$root/tests/conformance/jsonl_compare.py" "$tmp/lua.jsonl" "$tmp/r.jsonl" || rc=1
for seed in 1 2 3; do
  "$root/bench/gen" --claims 4000 --seed $seed --bad-rate 0.02 > "$tmp/claims.jsonl"
  "$R" run --pack "$root/policies" "$tmp/claims.jsonl" > "$tmp/r.jsonl"
  ports "$tmp/claims.jsonl"
  echo "seed $seed:"
  python3 "$root/tests/conformance/jsonl_compare.py" "$tmp/c.jsonl" "$tmp/r.jsonl" || rc=1
  python3 "$root/tests/conformance/jsonl_compare.py" "$tmp/lua.jsonl" "$tmp/r.jsonl" || rc=1
  python3 "$root/tests/conformance/invariants.py" "$tmp/claims.jsonl" "$tmp/r.jsonl" | tail -1 || rc=1
done
# Part 2 of the spec: Regula against the C port only (bench/lua is Part 1).
if [ "${PART2:-1}" = 1 ]; then
  echo "Part 2 conformance claims:"
  "$R" run --pack "$root/policies" "$conf/part2-claims.jsonl" > "$tmp/r.jsonl"
  "$root/bench/c/settle-c" --catalogs "$root/policies/catalog" "$conf/part2-claims.jsonl" > "$tmp/c.jsonl"
  python3 "$root/tests/conformance/jsonl_compare.py" "$tmp/c.jsonl" "$tmp/r.jsonl" || rc=1
  for seed in 1 2 3; do
    "$root/bench/gen" --claims 4000 --seed $seed --bad-rate 0.02 --part2 0.5 > "$tmp/claims.jsonl"
    "$R" run --pack "$root/policies" "$tmp/claims.jsonl" > "$tmp/r.jsonl"
    "$root/bench/c/settle-c" --catalogs "$root/policies/catalog" "$tmp/claims.jsonl" > "$tmp/c.jsonl"
    echo "Part 2 seed $seed:"
    python3 "$root/tests/conformance/jsonl_compare.py" "$tmp/c.jsonl" "$tmp/r.jsonl" || rc=1
    python3 "$root/tests/conformance/invariants.py" "$tmp/claims.jsonl" "$tmp/r.jsonl" | tail -1 || rc=1
  done
fi
exit $rc
