#!/usr/bin/env bash
# limits.sh REGULA — what the tools say at the edges of what they read
# (docs/claims.md "Limits"): a directory or a closed standard input given as
# claims, results that cannot be written, a claims line past 16 MiB (its error
# line in place, the next lines settled), a UTF-8 byte order mark before the
# claims and before a policy file, a policy file past 256 MiB, the REPL's
# `:claim /dev/zero 1` in bounded memory. Closing line: "limits: N passed, M failed".
R=$(cd "$(dirname "$1")" && pwd)/$(basename "$1")
cd "$(dirname "$0")/.." || exit 2
W=$(mktemp -d); trap 'rm -rf "$W"' EXIT
passed=0; failed=0
ok() { passed=$((passed + 1)); echo "ok      $1"; }
bad() { failed=$((failed + 1)); echo "FAILED  $1"; [ -s "$W/err" ] && head -5 "$W/err"; }
# fails NAME STATUS TEXT CMD… — CMD exits STATUS and says TEXT on stderr
fails() {
  local n=$1 want=$2 text=$3; shift 3
  "$@" > "$W/out" 2> "$W/err"; local st=$?
  if [ "$st" = "$want" ] && grep -qF -- "$text" "$W/err"; then ok "$n"; else echo "exit $st" >> "$W/err"; bad "$n"; fi
}
C=examples/claims.jsonl
fails "regula run DIR names the directory" 2 "regula run: '$W' is a directory: give a claims file" \
  "$R" run --pack policies "$W"
fails "regula run with standard input closed says so" 2 "regula run: standard input is closed" \
  sh -c "exec \"$R\" run --pack policies <&-"
fails "results that cannot be written: the path and the cause" 2 \
  "regula run: cannot write the results to '/dev/full': No space left on device" "$R" run --pack policies "$C" -o /dev/full

"$R" run --pack policies "$C" > "$W/plain.jsonl" 2> "$W/err"
{ printf '\xef\xbb\xbf'; cat "$C"; } > "$W/bom.jsonl"
"$R" run --pack policies "$W/bom.jsonl" > "$W/bom.out" 2> "$W/err"
cmp -s "$W/plain.jsonl" "$W/bom.out" && ok "a byte order mark before the claims is skipped" \
  || bad "a byte order mark before the claims is skipped"

python3 - "$C" "$W/long.jsonl" <<'PY'
import sys
lines = open(sys.argv[1]).read().splitlines()
with open(sys.argv[2], "w") as f:
    f.write(lines[0] + "\n")
    f.write('{"claim_id": "' + "x" * (17 << 20) + '"}\n')
    f.write(lines[1] + "\n")
PY
"$R" run --pack policies "$W/long.jsonl" > "$W/long.out" 2> "$W/err"; st=$?
head -1 "$C" > "$W/want"; head -2 "$C" | tail -1 >> "$W/want"
if [ $st = 1 ] && [ "$(wc -l < "$W/long.out")" = 3 ] &&
   sed -n 2p "$W/long.out" | grep -qF '{"line": 2, "error": "line 2: the line has 17825808 bytes, more than the 16 MiB a claim may have: give one claim a line"}' &&
   [ "$(sed -n '1p;3p' "$W/long.out")" = "$(head -2 "$W/plain.jsonl")" ]; then
  ok "a claims line past 16 MiB: its error line in place, the lines after it settled"
else bad "a claims line past 16 MiB: its error line in place, the lines after it settled"; fi

cp -r policies "$W/bom_pack"
{ printf '\xef\xbb\xbf'; cat policies/LN-LY.rg; } > "$W/bom_pack/LN-LY.rg"
"$R" check "$W/bom_pack" > "$W/out" 2> "$W/err" && "$R" fmt --check "$W/bom_pack" > "$W/out" 2>> "$W/err" &&
  "$R" test "$W/bom_pack" 2>> "$W/err" | tail -1 | grep -q ' 0 failed' &&
  ok "a byte order mark before a policy file: check, fmt and test as without it" ||
  bad "a byte order mark before a policy file: check, fmt and test as without it"

cp -r policies "$W/big_pack" && truncate -s 300M "$W/big_pack/XX.rg"
fails "a policy file past 256 MiB is refused with the limit" 1 \
  "cannot read '$W/big_pack/XX.rg': it is larger than 256 MiB, the most regula reads from one file" \
  "$R" check "$W/big_pack"

# the REPL reads line 1 of an endless file in bounded memory (it grew to 15 GB)
printf ':claim /dev/zero 1\n' | (ulimit -v 1000000; exec "$R" repl --pack policies) > "$W/out" 2> "$W/err"; st=$?
[ $st = 1 ] && grep -qF 'error: /dev/zero line 1 is longer than the 16 MiB a claim may have' "$W/out" \
  && ok "REPL :claim /dev/zero 1: an error at the limit, in bounded memory (exit 1)" \
  || { cat "$W/out" >> "$W/err"; bad "REPL :claim /dev/zero 1: an error at the limit, in bounded memory (exit 1)"; }
echo "limits: $passed passed, $failed failed"
[ "$failed" -eq 0 ]
