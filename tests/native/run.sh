#!/usr/bin/env bash
# run.sh REGULA — the native back end gives byte-identical output to the
# interpreter: the conformance claims (Part 1 and Part 2, bad lines too),
# 100,000 generated claims of each part, a pack whose plans fail at run time
# (tests/native/pack: the interpreter takes those claims over and words the
# errors), from source and from a .rgc; native code is refused when it was
# generated from another pack, regula bench builds it unless told not to and
# regula run takes it built, regions that change only figures share one plan
# function, and REGULA_NATIVE=0 turns it off. Skips, and
# says why, when there is no C compiler. Closing line
# "nativetest: N passed, M failed".
set -u
R=$1
root=$(cd "$(dirname "$0")/../.." && pwd)
conf=${CONFORMANCE_DIR:-$root/../shared/conformance}
cc=${REGULA_CC:-cc}
if ! command -v "${cc%% *}" >/dev/null 2>&1; then
  echo "nativetest: skipped: no C compiler ('$cc') to build native code with (install one, or set REGULA_CC)"
  exit 0
fi
tmp=$(mktemp -d); trap 'rm -rf "$tmp"' EXIT
export REGULA_NATIVE_CACHE=$tmp/cache
unset REGULA_NATIVE
passed=0; failed=0
ok() { passed=$((passed + 1)); echo "ok      $1"; }
bad() { failed=$((failed + 1)); echo "FAILED  $1"; }

# same NAME PACK CLAIMS: interpreter and native output byte-identical, native code attached
same() {
  local name=$1 pack=$2 claims=$3
  "$R" run --no-native --pack "$pack" "$claims" > "$tmp/interp.out" 2>/dev/null
  local si=$?
  "$R" run --native --pack "$pack" "$claims" > "$tmp/native.out" 2> "$tmp/native.err"
  local sn=$?
  if grep -q "no native code" "$tmp/native.err"; then
    bad "$name: $(head -1 "$tmp/native.err")"
  elif [ $si -ne $sn ] || ! cmp -s "$tmp/interp.out" "$tmp/native.out"; then
    bad "$name: native output differs (exit $si and $sn)"
    diff "$tmp/interp.out" "$tmp/native.out" | head -4
  else
    ok "$name: $(wc -l < "$tmp/native.out") lines byte-identical"
  fi
}

# native code ran: N claims' plans, M given back (regula bench's report)
ran() {
  local name=$1 pack=$2 claims=$3 want_back=$4
  local line
  line=$("$R" bench --only settle --passes 1 --pack "$pack" "$claims" 2>&1 >/dev/null | grep "native code settled")
  local runs back
  runs=$(echo "$line" | sed -n 's/.*settled \([0-9]*\) .*/\1/p')
  back=$(echo "$line" | sed -n 's/.*gave \([0-9]*\) back.*/\1/p')
  if [ -z "$runs" ] || [ "$runs" -eq 0 ]; then
    bad "$name: native code settled no claim ($line)"
  elif [ "$want_back" = some ] && [ "$back" -eq 0 ]; then
    bad "$name: no claim was given back to the interpreter ($line)"
  elif [ "$want_back" = none ] && [ "$back" -ne 0 ]; then
    bad "$name: $back claims were given back to the interpreter ($line)"
  else
    ok "$name: native code settled $runs, gave $back back"
  fi
}

same "conformance Part 1" "$root/policies" "$conf/claims.jsonl"
same "conformance Part 2" "$root/policies" "$conf/part2-claims.jsonl"
"$root/bench/gen" --claims 100000 --seed 11 > "$tmp/gen1.jsonl" || exit 2
"$root/bench/gen" --claims 100000 --seed 12 --part2 1 > "$tmp/gen2.jsonl" || exit 2
same "100,000 generated claims, Part 1" "$root/policies" "$tmp/gen1.jsonl"
same "100,000 generated claims, Part 2" "$root/policies" "$tmp/gen2.jsonl"
ran "generated claims run natively" "$root/policies" "$tmp/gen2.jsonl" none
same "plans that fail at run time" "$root/tests/native/pack" "$root/tests/native/claims.jsonl"
ran "failing plans given back" "$root/tests/native/pack" "$root/tests/native/claims.jsonl" some
"$R" compile "$root/policies" -o "$tmp/pack.rgc" >/dev/null || exit 2
same "a .rgc" "$tmp/pack.rgc" "$conf/part2-claims.jsonl"

# regions that change only figures share one plan function, each with its figures
rm -rf "$tmp/keep"
REGULA_NATIVE_CACHE=$tmp/keep REGULA_NATIVE_KEEP=1 "$R" bench --only settle --passes 1 --pack "$root/policies" \
  "$conf/claims.jsonl" >/dev/null 2>&1
gen=$(ls "$tmp"/keep/*.c 2>/dev/null | head -1)
cases=$(grep -c '^    \[[0-9]*\] = {c[0-9]*, ' "$gen" 2>/dev/null)
fns=$(grep '^    \[[0-9]*\] = {c[0-9]*, ' "$gen" 2>/dev/null | sed 's/.*{\(c[0-9]*\),.*/\1/' | sort -u | wc -l)
figured=$(grep -c '^    \[[0-9]*\] = {c[0-9]*, [0-9]*, K[0-9]*},' "$gen" 2>/dev/null)
if [ -z "$gen" ]; then bad "no generated C kept (REGULA_NATIVE_KEEP)"
elif [ "$cases" -lt 9 ] || [ "$fns" -gt 2 ] || [ "$figured" -lt 8 ]; then
  bad "the seed pack's $cases plans run on $fns functions, $figured with their figures (want 9 plans on at most 2, 8 with figures)"
else ok "the seed pack's $cases plans run on $fns functions, $figured of them shared with their own figures"
fi

# an object generated from another pack, put where this pack's belongs, is refused
"$R" compile "$root/tests/native/pack" -o "$tmp/other.rgc" >/dev/null || exit 2
rm -f "$tmp/cache"/*.so
"$R" run --native --pack "$tmp/pack.rgc" "$conf/claims.jsonl" >/dev/null 2>&1
mine=$(ls "$tmp/cache"/*.so)
"$R" run --native --pack "$tmp/other.rgc" "$root/tests/native/claims.jsonl" >/dev/null 2>&1
other=$(ls "$tmp/cache"/*.so | grep -vxF "$mine")
cp "$mine" "$other"
"$R" run --native --pack "$tmp/other.rgc" "$root/tests/native/claims.jsonl" > "$tmp/swapped.out" 2> "$tmp/swapped.err"
"$R" run --no-native --pack "$tmp/other.rgc" "$root/tests/native/claims.jsonl" > "$tmp/plain.out" 2>/dev/null
if grep -q "generated from another pack" "$tmp/swapped.err" && cmp -s "$tmp/swapped.out" "$tmp/plain.out"; then
  ok "another pack's native code refused: $(head -1 "$tmp/swapped.err" | cut -c1-90)…"
else
  bad "another pack's native code was not refused: $(head -2 "$tmp/swapped.err")"
fi

# unless told, regula bench builds native code and measures it; regula run
# takes it from the cache once it is built (the dynamic loader's trace says
# which object was opened), only when a claim comes, and never builds it
rm -rf "$tmp/cache"
"$R" compile "$root/tests/native/pack" -o "$tmp/fresh.rgc" >/dev/null || exit 2
LD_DEBUG=files "$R" run --pack "$tmp/fresh.rgc" "$root/tests/native/claims.jsonl" 2> "$tmp/ld0.err" > "$tmp/r0.out"
n0=$(ls "$tmp/cache"/*.so 2>/dev/null | wc -l)
b=$("$R" bench --only settle --passes 1 --pack "$tmp/fresh.rgc" "$root/tests/native/claims.jsonl" 2>/dev/null | grep "^native=")
so=$(ls "$tmp/cache"/*.so 2>/dev/null)
LD_DEBUG=files "$R" run --pack "$tmp/fresh.rgc" "$root/tests/native/claims.jsonl" 2> "$tmp/ld1.err" > "$tmp/r1.out"
LD_DEBUG=files "$R" run --no-native --pack "$tmp/fresh.rgc" "$root/tests/native/claims.jsonl" 2> "$tmp/ld2.err" >/dev/null
LD_DEBUG=files "$R" run --pack "$tmp/fresh.rgc" /dev/null 2> "$tmp/ld3.err" >/dev/null
nb=$("$R" bench --no-native --only settle --passes 1 --pack "$tmp/fresh.rgc" "$root/tests/native/claims.jsonl" 2>/dev/null | grep "^native=")
if [ "$n0" -ne 0 ]; then bad "regula run built native code unasked"
elif [ "$b" != native=1 ] || [ -z "$so" ]; then bad "regula bench did not build and run native code ($b)"
elif ! grep -qF "file=$so " "$tmp/ld1.err"; then bad "regula run did not take the native code built before"
elif grep -qF "file=$so " "$tmp/ld0.err" "$tmp/ld2.err" "$tmp/ld3.err"; then bad "native code opened with --no-native or no claims"
elif [ "$nb" != native=0 ]; then bad "regula bench --no-native ran native code ($nb)"
elif ! cmp -s "$tmp/r0.out" "$tmp/r1.out"; then bad "regula run's results changed with native code taken from the cache"
else ok "bench builds native code; run takes it from the cache when claims come, never builds it; --no-native"
fi

# a pack over 512 KiB of bytecode (its C would take the compiler minutes) is
# built by regula bench only when asked (--native), and bench says why not
# (its code: the file holds a chunk that repeats another's as its patches)
python3 "$root/bench/province" "$tmp/province" --cities 150 >/dev/null || exit 2
"$R" compile "$tmp/province" -o "$tmp/province.rgc" >/dev/null || exit 2
b=$("$R" bench --only settle --passes 1 --pack "$tmp/province.rgc" "$conf/claims.jsonl" 2> "$tmp/large.err" | grep "^native=")
size=$("$R" disasm "$tmp/province.rgc" | sed -n 's/.*, code \([0-9]*\),.*/\1/p')
if [ "${size:-0}" -le 524288 ]; then bad "the province pack has ${size:-no} bytes of code, not over 512 KiB: the test tests nothing"
elif [ "$b" = native=0 ] && grep -q "no native code (the pack's native code is not built" "$tmp/large.err" &&
     [ -z "$(ls "$tmp/cache" | grep -v -xF "$(basename "$so")")" ]; then
  ok "a pack of $size bytes of code: regula bench settles it on the interpreter, saying why, builds nothing"
else bad "a pack of $size bytes of code: regula bench built or ran native code unasked ($b): $(head -1 "$tmp/large.err")"
fi

# without a C compiler regula bench settles on the interpreter, saying why, and regula run the same
b=$(REGULA_CC=/nonexistent/cc "$R" bench --only settle --passes 1 --pack "$root/tests/native/pack" \
      "$root/tests/native/claims.jsonl" 2> "$tmp/nocc.err" | grep "^native=")
REGULA_CC=/nonexistent/cc "$R" run --pack "$root/tests/native/pack" "$root/tests/native/claims.jsonl" > "$tmp/nocc.out" 2>/dev/null
"$R" run --no-native --pack "$root/tests/native/pack" "$root/tests/native/claims.jsonl" > "$tmp/nocc.ref" 2>/dev/null
if [ "$b" = native=0 ] && grep -q "no native code (the C compiler '/nonexistent/cc' could not build" "$tmp/nocc.err" &&
   cmp -s "$tmp/nocc.out" "$tmp/nocc.ref"; then
  ok "no C compiler: bench and run settle on the interpreter, bench says why"
else bad "no C compiler ($b): $(head -1 "$tmp/nocc.err")"
fi

# REGULA_NATIVE=0 has the last word
n=$(REGULA_NATIVE=0 "$R" bench --native --only settle --passes 1 --pack "$root/policies" "$conf/claims.jsonl" 2>&1 | grep -c "^native=1")
[ "$n" -eq 0 ] && ok "REGULA_NATIVE=0 turns native code off" || bad "REGULA_NATIVE=0 left native code on"

echo "nativetest: $passed passed, $failed failed"
[ "$failed" -eq 0 ]
