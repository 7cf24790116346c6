#!/usr/bin/env bash
# crosscheck.sh REGULA — generated claims (every path of the spec, recurring
# persons, bad lines) settled by Regula and by the hand-written C port must
# agree line for line; the results must keep the spec's invariants.
set -u
R=$1
root=$(cd "$(dirname "$0")/../.." && pwd)
tmp=$(mktemp -d); trap 'rm -rf "$tmp"' EXIT
make -s -C "$root/bench/c" >/dev/null || exit 1
rc=0
for seed in 1 2 3; do
  "$root/bench/gen" --claims 4000 --seed $seed --bad-rate 0.02 > "$tmp/claims.jsonl"
  "$root/bench/c/settle-c" --catalogs "$root/policies/catalog" "$tmp/claims.jsonl" > "$tmp/c.jsonl"
  "$R" run --pack "$root/policies" "$tmp/claims.jsonl" > "$tmp/r.jsonl"
  echo "seed $seed:"
  python3 "$root/tests/conformance/jsonl_compare.py" "$tmp/c.jsonl" "$tmp/r.jsonl" || rc=1
  python3 "$root/tests/conformance/invariants.py" "$tmp/claims.jsonl" "$tmp/r.jsonl" | tail -1 || rc=1
done
exit $rc
