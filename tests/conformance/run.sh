#!/usr/bin/env bash
# run.sh REGULA — settles ../shared/conformance/claims.jsonl (Part 1) and
# part2-claims.jsonl (Part 2) with the seed pack, from source and from
# compiled bytecode, and compares with expected.jsonl and part2-expected.jsonl.
set -u
R=$1
root=$(cd "$(dirname "$0")/../.." && pwd)
conf=${CONFORMANCE_DIR:-$root/../shared/conformance}
tmp=$(mktemp -d); trap 'rm -rf "$tmp"' EXIT
rc=0
"$R" compile "$root/policies" -o "$tmp/pack.rgc" || rc=1
for part in "claims expected" "part2-claims part2-expected"; do
  set -- $part
  echo "$1.jsonl:"
  "$R" run --pack "$root/policies" "$conf/$1.jsonl" > "$tmp/src.jsonl"; st=$?
  [ $st -eq 1 ] || { echo "exit status $st, expected 1 (the file has bad lines)"; rc=1; }
  python3 "$root/tests/conformance/jsonl_compare.py" "$conf/$2.jsonl" "$tmp/src.jsonl" || rc=1
  "$R" run --pack "$tmp/pack.rgc" < "$conf/$1.jsonl" > "$tmp/rgc.jsonl"
  cmp -s "$tmp/src.jsonl" "$tmp/rgc.jsonl" || { echo "bytecode file and source give different results"; rc=1; }
done
exit $rc
