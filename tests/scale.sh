#!/usr/bin/env bash
# scale.sh REGULA — the compiler at a province's size (docs/performance.md,
# "Compiling large packs"): a pack of 300 generated cities (bench/province) and
# one with a 100,000-row table compile and pass their tests, and so do 300
# cities with a 100,000-drug catalog, in a pack under 20 MB; in a 5,000-row
# `hit first` table every row is reachable but one that earlier rows shadow,
# which alone is reported. Closing line: "scale: N passed, M failed".
R=$1
root=$(cd "$(dirname "$0")/.." && pwd)
tmp=$(mktemp -d); trap 'rm -rf "$tmp"' EXIT
passed=0; failed=0
ok() { passed=$((passed + 1)); echo "ok      $1"; }
bad() { failed=$((failed + 1)); echo "FAILED  $1"; [ -f "$tmp/out" ] && head -20 "$tmp/out"; }

"$root/bench/province" "$tmp/province" --cities 300
if "$R" test "$tmp/province" >"$tmp/out" 2>&1 && tail -1 "$tmp/out" | grep -qx '694 passed, 0 failed'; then
  ok "300 cities: regula test"
else bad "300 cities: regula test"; fi

"$root/bench/province" "$tmp/rows" --cities 0 --rows 100000
if "$R" check "$tmp/rows" >"$tmp/out" 2>&1; then ok "a 100,000-row table: regula check"
else bad "a 100,000-row table: regula check"; fi

"$root/bench/province" "$tmp/shadow" --cities 0 --rows 5000
# a row after the wildcard is shadowed; every one of the 5,000 before it is not
sed -i 's/^  | _ -> 0%$/  | _ -> 0%\n  | 100..200 -> 1%/' "$tmp/shadow/CN.rg"
NO_COLOR=1 "$R" check "$tmp/shadow" >"$tmp/out" 2>&1
if [ "$(grep -c 'error:' "$tmp/out")" = 1 ] &&
   grep -q "CN.rg:$(grep -n '100\.\.200' "$tmp/shadow/CN.rg" | cut -d: -f1):3: error: this row of table 'generated_rate' is unreachable" "$tmp/out"; then
  ok "a 5,000-row table: only the shadowed row is unreachable"
else bad "a 5,000-row table: only the shadowed row is unreachable"; fi
# a national catalog of 100,000 more drugs: the cities share its rows and its
# look-up table (each had a copy: 136 MB of pack, 2 GB to compile)
"$root/bench/province" "$tmp/catalog" --cities 300 --catalog-rows 100000
if "$R" compile "$tmp/catalog" -o "$tmp/catalog.rgc" >"$tmp/out" 2>&1 &&
   [ "$(stat -c %s "$tmp/catalog.rgc")" -lt 20000000 ] && "$R" test "$tmp/catalog" >/dev/null 2>&1; then
  ok "300 cities and a 100,000-drug catalog: a pack under 20 MB"
else bad "300 cities and a 100,000-drug catalog: a pack under 20 MB ($(stat -c %s "$tmp/catalog.rgc" 2>/dev/null) bytes)"; fi
echo "scale: $passed passed, $failed failed"
[ "$failed" -eq 0 ]
