#!/usr/bin/env bash
# run.sh REGULA [--update] — golden-file tests of what people read.
#   diag/NAME.rg or diag/NAME/ (a pack directory): `NO_COLOR=1 REGULA check`
#     run inside diag/, its stderr and exit status compared with diag/NAME.err;
#   disasm/NAME.rg or disasm/NAME/: `REGULA disasm` run inside disasm/, its
#     stdout (and exit status 0) compared with disasm/NAME.dis.
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

echo "golden: $passed passed, $failed failed"
[ "$failed" -eq 0 ]
