#!/usr/bin/env bash
# run.sh REGULA [--update] — golden-file tests of what people read.
#   diag/NAME.rg or diag/NAME/ (a pack directory): `NO_COLOR=1 REGULA check`
#     run inside diag/, its stderr and exit status compared with diag/NAME.err;
#   disasm/NAME.rg or disasm/NAME/: `REGULA disasm` run inside disasm/, its
#     stdout (and exit status 0) compared with disasm/NAME.dis;
#   run/NAME/ (a pack directory with claims.jsonl): `REGULA run` of the claims,
#     with the pack from source, compiled to bytecode, and with --explain
#     (the explanations left out), each compared with run/NAME/expected.jsonl.
# One line per case, then "golden: N passed, M failed"; exit 1 on any failure.
# --update rewrites the expected files from the current output (review the diff).
usage() { echo "usage: tests/golden/run.sh REGULA [--update]" >&2; exit 2; }
[ $# -ge 1 ] || usage
regula=$1; shift
update=0
for a in "$@"; do
  case $a in
    --update) update=1 ;;
    *) usage ;;
  esac
done
case $regula in /*) ;; *) regula=$PWD/$regula ;; esac
[ -x "$regula" ] || { echo "golden: no executable '$regula'" >&2; exit 2; }
here=$(cd "$(dirname "$0")" && pwd)
tmp=$(mktemp -d) || exit 2
trap 'rm -rf "$tmp"' EXIT

passed=0; failed=0

# compare NAME EXPECTED ACTUAL
compare() {
  if [ "$update" = 1 ]; then
    cp "$3" "$2"
    echo "updated $1"
    passed=$((passed + 1))
  elif [ -f "$2" ] && cmp -s "$2" "$3"; then
    echo "ok      $1"
    passed=$((passed + 1))
  else
    echo "FAILED  $1"
    if [ -f "$2" ]; then diff -u "$2" "$3" | sed 's/^/        /' | head -40
    else echo "        (no expected file $2)"; fi
    failed=$((failed + 1))
  fi
}

# diagnostics: stderr and exit status of `regula check`
for c in "$here"/diag/*.rg "$here"/diag/*/; do
  [ -e "$c" ] || continue
  c=${c%/}
  name=$(basename "$c")
  out="$tmp/$name.err"
  (cd "$here/diag" && NO_COLOR=1 "$regula" check "$name" 2>"$out" >/dev/null; echo "[exit status $?]" >>"$out")
  compare "diag/$name" "$here/diag/$name.err" "$out"
done

# disassembly: stdout of `regula disasm`
for c in "$here"/disasm/*.rg "$here"/disasm/*/; do
  [ -e "$c" ] || continue
  c=${c%/}
  name=$(basename "$c")
  out="$tmp/$name.dis"
  (cd "$here/disasm" && "$regula" disasm "$name" >"$out" 2>"$tmp/stderr"; s=$?
   [ $s -eq 0 ] || { echo "[exit status $s]"; cat "$tmp/stderr"; } >>"$out")
  compare "disasm/$name" "$here/disasm/$name.dis" "$out"
done

# settlement: the results of `regula run`, from source, from bytecode, explained
for c in "$here"/run/*/; do
  [ -e "$c" ] || continue
  c=${c%/}
  name=$(basename "$c")
  "$regula" compile "$c" -o "$tmp/$name.rgc" 2>"$tmp/stderr" || { cat "$tmp/stderr"; failed=$((failed + 1)); continue; }
  for how in source bytecode explain; do
    case $how in
      source) "$regula" run --pack "$c" "$c/claims.jsonl" >"$tmp/$name.out" 2>&1 ;;
      bytecode) "$regula" run --pack "$tmp/$name.rgc" "$c/claims.jsonl" >"$tmp/$name.out" 2>&1 ;;
      explain) "$regula" run --explain --pack "$c" "$c/claims.jsonl" 2>&1 |
                 sed 's/, "explain": {.*}}$/}/' >"$tmp/$name.out" ;;
    esac
    if [ "$how" = source ] || [ "$update" = 0 ]; then
      compare "run/$name ($how)" "$c/expected.jsonl" "$tmp/$name.out"
    fi
  done
done

echo "golden: $passed passed, $failed failed"
[ "$failed" -eq 0 ]
