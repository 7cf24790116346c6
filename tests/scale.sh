#!/usr/bin/env bash
# scale.sh REGULA — the compiler at a province's size (docs/performance.md,
# "Compiling large packs"): a pack of 300 generated cities (bench/province) and
# one with a 100,000-row table compile and pass their tests (the first's
# cities' code stored once, settling as its sources; code the compiler made
# for one city reused for the others', byte for byte what it makes anew), and
# so do 300 cities with a 100,000-drug catalog, in a pack under 20 MB; in a 5,000-row
# `hit first` table every row is reachable but one that earlier rows shadow,
# which alone is reported; the peephole pass names none of the opcodes it
# is taken never to read; with transparent huge pages, the province compiles
# in a few hundred page faults. Closing line: "scale: N passed, M failed".
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

# its cities' chunks are copies of one another's (docs/bytecode.md, "Copies"):
# the file holds their code once, and settles and explains as the sources do
"$R" compile "$tmp/province" -o "$tmp/province.rgc" >"$tmp/out" 2>&1
copies=$("$R" disasm "$tmp/province.rgc" 2>/dev/null | sed -n 's/.*, copies \([0-9]*\),.*/\1/p')
sed -e 's/"region": "[A-Z-]*"/"region": "LN-C017"/g' -e 's/"insured_region": "[A-Z-]*"/"insured_region": "LN-C250"/' \
    "$root/../shared/conformance/claims.jsonl" > "$tmp/cities.jsonl" 2>/dev/null ||
  sed -e 's/"region": "[A-Z-]*"/"region": "LN-C017"/g' "$root/tests/native/claims.jsonl" > "$tmp/cities.jsonl"
"$R" run --no-native --explain --pack "$tmp/province" "$tmp/cities.jsonl" > "$tmp/src.out" 2>&1
"$R" run --no-native --explain --pack "$tmp/province.rgc" "$tmp/cities.jsonl" > "$tmp/rgc.out" 2>&1
size=$(stat -c %s "$tmp/province.rgc")
# the steps of the city whose chunks are copies are at its own file, not the copied one's
own=$(grep -o '"policy": "LN-C250", "at": "[^"]*"' "$tmp/rgc.out" | grep -c '/LN-C250\.rg:17"')
other=$(grep -o '"policy": "LN-C250", "at": "[^"]*"' "$tmp/rgc.out" | grep -vc '/LN-C250\.rg:')
if [ "${copies:-0}" -gt 2000 ] && [ "$size" -lt 1500000 ] && [ "$own" -gt 0 ] && [ "$other" -eq 0 ] &&
   cmp -s "$tmp/src.out" "$tmp/rgc.out"; then
  ok "300 cities: $copies chunks stored as copies, a $size-byte pack that settles and explains as its sources"
else bad "300 cities: $copies copies, $size bytes; the .rgc settles or explains otherwise than the sources"; fi

# the batch commands' heap in transparent huge pages (cli/heap.c): where the
# kernel gives them (on, and none refused meanwhile), the province's compile
# takes a few hundred page faults, not the thousand its heap's 4 KiB pages took
thp=$(cat /sys/kernel/mm/transparent_hugepage/enabled 2>/dev/null)
refused() { awk '/^thp_fault_fallback /{print $2}' /proc/vmstat 2>/dev/null; }
case $thp in
  *'[always]'*|*'[madvise]'*)
    before=$(refused)
    # the compile's own faults: spawned without a fork (close_fds=False), whose copy-on-write
    # faults would count, and less what the interpreter's children took before it
    faults=$(python3 -c 'import resource, subprocess, sys
before = resource.getrusage(resource.RUSAGE_CHILDREN).ru_minflt
subprocess.run(sys.argv[1:], stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL, check=True, close_fds=False)
print(resource.getrusage(resource.RUSAGE_CHILDREN).ru_minflt - before)' "$R" compile "$tmp/province" -o "$tmp/faults.rgc")
    if [ "$(refused)" != "$before" ]; then
      echo "skip    300 cities' page faults: the kernel refused huge pages meanwhile"
    elif [ "${faults:-9999}" -lt 500 ]; then
      ok "300 cities: compiled in $faults page faults (its heap in huge pages)"
    else bad "300 cities: $faults page faults compiling (the heap not in huge pages?)"; fi ;;
  *) echo "skip    300 cities' page faults: transparent huge pages are off" ;;
esac

# the peephole pass's results and a plan's bodies kept by shape and reused
# (compiler/peephole_memo.c, plan_memo.c) give the pack it makes chunk by
# chunk, here and for the seed pack
REGULA_COMPILE_ANEW=1 "$R" compile "$tmp/province" -o "$tmp/anew.rgc" >"$tmp/out" 2>&1
"$R" compile "$root/policies" -o "$tmp/seed.rgc" >>"$tmp/out" 2>&1
REGULA_COMPILE_ANEW=1 "$R" compile "$root/policies" -o "$tmp/seed-anew.rgc" >>"$tmp/out" 2>&1
# and with cities that change what the nation's bodies read: a parameter made
# another constant, a definition the others read overridden, two at once
cp -r "$tmp/province" "$tmp/mixed"
printf '\nparam max_ratio = 90%%\n' >> "$tmp/mixed/LN-C002.rg"
printf '\nparam waiting_period = 30 days\ndef chronic = visit.chronic_disease != none and institution.level != 1\n' >> "$tmp/mixed/LN-C003.rg"
printf '\ndef manual = visit.channel == manual and institution.level != 3\n' >> "$tmp/mixed/LN-C005.rg"
printf '\nparam max_ratio = 90%%\nparam outpatient_retiree_bonus = 12%%\n' >> "$tmp/mixed/LN-C006.rg"
"$R" compile "$tmp/mixed" -o "$tmp/mixed.rgc" >>"$tmp/out" 2>&1
REGULA_COMPILE_ANEW=1 "$R" compile "$tmp/mixed" -o "$tmp/mixed-anew.rgc" >>"$tmp/out" 2>&1
if cmp -s "$tmp/province.rgc" "$tmp/anew.rgc" && cmp -s "$tmp/seed.rgc" "$tmp/seed-anew.rgc" &&
   cmp -s "$tmp/mixed.rgc" "$tmp/mixed-anew.rgc"; then
  ok "300 cities (also mixed) and the seed pack: code reused by shape is what the compiler makes anew, byte for byte"
else bad "300 cities (also mixed) or the seed pack: code reused by shape differs from what the compiler makes anew"; fi

# what makes that reuse right: the peephole pass names none of the opcodes
# whose operands it is taken never to read (compiler/builder.h)
opaque=$(sed -n '/static inline int rgc_peephole_opaque/,/return 1;/p' "$root/compiler/builder.h" | grep -o 'RG_OP_[A-Z0-9_]*')
named=$(for op in $opaque; do grep -qw "$op" "$root/compiler/peephole.c" && echo "$op"; done)
if [ -n "$opaque" ] && [ -z "$named" ]; then ok "the peephole pass names none of the $(echo $opaque | wc -w) opcodes it moves unread"
else bad "the peephole pass names opcodes it is taken never to read: ${named:-none listed}"; fi

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
