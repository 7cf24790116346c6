#!/usr/bin/env bash
# run.sh REGULA [--update] — golden-file tests of what people read.
#   diag/NAME.rg or diag/NAME/ (a pack directory): `NO_COLOR=1 REGULA check`
#     run inside diag/, its stderr and exit status compared with diag/NAME.err;
#   disasm/NAME.rg or disasm/NAME/: `REGULA disasm` run inside disasm/, its
#     stdout (and exit status 0) compared with disasm/NAME.dis;
#   run/NAME/ (a pack directory with claims.jsonl): `REGULA run` of the claims,
#     with the pack from source, compiled to bytecode, and with --explain
#     (the explanations left out), each compared with run/NAME/expected.jsonl.
#   json/NAME.rg or json/NAME/: `REGULA check --format json` run inside json/,
#     its stdout and exit status compared with json/NAME.json;
#   and for every diag case, `check --format json` gives the same diagnostics
#     (place, severity, message, hint) as the text of diag/NAME.err, and
#     `regula compile` (which makes the code check does not) the same stderr.
# In Chinese (po/zh_CN.po): every diag case again with `--lang zh` and with
#   LANG=zh_CN.UTF-8, compared with zh/diag/NAME.err; the json cases with
#   --lang zh against zh/json/NAME.json (messages in Chinese, keys in English);
#   `regula --help` and `regula check --help` against zh/help.out; and the
#   settlements with --lang zh against the same run/NAME/expected.jsonl.
# The English cases run with no language chosen (LANG=C): English is the fallback.
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
unset LANGUAGE LC_ALL LC_MESSAGES REGULA_LANG
export LANG=C
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
  # check makes no code; compile, making it all, finds the same errors
  (cd "$here/diag" && NO_COLOR=1 "$regula" compile "$name" -o "$tmp/$name.rgc" 2>"$out.compile" >/dev/null
   echo "[exit status $?]" >>"$out.compile")
  if grep -q '^\[exit status 0\]$' "$out"; then
    grep -q '^\[exit status 0\]$' "$out.compile" && ok=1 || ok=0
  else
    cmp -s "$out" "$out.compile" && ok=1 || ok=0
  fi
  if [ $ok = 1 ]; then passed=$((passed + 1)); echo "ok      diag/$name: regula compile reports the same"
  else failed=$((failed + 1)); echo "FAILED  diag/$name: regula compile reports otherwise"; diff "$out" "$out.compile" | head -10; fi
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

# diagnostics as JSON for editors: stdout and exit status of `regula check --format json`
for c in "$here"/json/*.rg "$here"/json/*/; do
  [ -e "$c" ] || continue
  c=${c%/}
  name=$(basename "$c")
  out="$tmp/$name.json"
  (cd "$here/json" && "$regula" check --format json "$name" >"$out" 2>"$tmp/stderr"; echo "[exit status $?]" >>"$out"
   cat "$tmp/stderr" >>"$out")
  compare "json/$name" "$here/json/$name.json" "$out"
done

# the JSON records are the text diagnostics, one for one
for c in "$here"/diag/*.rg "$here"/diag/*/; do
  [ -e "$c" ] || continue
  c=${c%/}
  name=$(basename "$c")
  (cd "$here/diag" && "$regula" check --format json "$name" >"$tmp/$name.records" 2>/dev/null)
  if python3 - "$here/diag/$name.err" "$tmp/$name.records" >"$tmp/why" 2>&1 <<'PY'
import json, re, sys
text = open(sys.argv[1], encoding="utf-8").read().splitlines()
want = []
for i, l in enumerate(text):
    m = re.match(r"^(.+?):(\d+):(\d+): (error|warning|note): (.*)$", l) or re.match(r"^()()()regula: (error|warning|note): (.*)$", l)
    if m:
        hint = None
        for k in range(i + 1, min(i + 4, len(text))):
            if text[k].startswith("      = hint: "):
                hint = text[k][len("      = hint: "):]
                break
            if not text[k].startswith(" "):
                break
        f, ln, col, sev, msg = m.groups()
        want.append((f or None, int(ln) if ln else None, int(col) if col else None, sev, msg, hint))
doc = json.load(open(sys.argv[2], encoding="utf-8"))
got = [(d["file"], d["line"], d["col"], d["severity"], d["message"], d["hint"]) for d in doc["diagnostics"]]
if got != want or doc["ok"] != (not want):
    print("text:", want, "\njson:", got)
    sys.exit(1)
PY
  then
    echo "ok      json = text: diag/$name"; passed=$((passed + 1))
  else
    echo "FAILED  json = text: diag/$name"; sed 's/^/        /' "$tmp/why" | head -10; failed=$((failed + 1))
  fi
done

# in Chinese: the same diagnostics, chosen by --lang and by the locale
mkdir -p "$here/zh/diag" "$here/zh/json"
for c in "$here"/diag/*.rg "$here"/diag/*/; do
  [ -e "$c" ] || continue
  c=${c%/}
  name=$(basename "$c")
  out="$tmp/$name.zh.err"
  (cd "$here/diag" && NO_COLOR=1 "$regula" --lang zh check "$name" 2>"$out" >/dev/null; echo "[exit status $?]" >>"$out")
  compare "zh/diag/$name" "$here/zh/diag/$name.err" "$out"
  [ "$update" = 1 ] && continue
  (cd "$here/diag" && NO_COLOR=1 LANG=zh_CN.UTF-8 "$regula" check "$name" 2>"$out" >/dev/null; echo "[exit status $?]" >>"$out")
  compare "zh/diag/$name (LANG=zh_CN.UTF-8)" "$here/zh/diag/$name.err" "$out"
done
for c in "$here"/json/*.rg "$here"/json/*/; do
  [ -e "$c" ] || continue
  c=${c%/}
  name=$(basename "$c")
  out="$tmp/$name.zh.json"
  (cd "$here/json" && "$regula" check --format json --lang zh "$name" >"$out" 2>"$tmp/stderr"; echo "[exit status $?]" >>"$out"
   cat "$tmp/stderr" >>"$out")
  compare "zh/json/$name" "$here/zh/json/$name.json" "$out"
done
{ "$regula" --lang zh --help; echo "[exit status $?]"; "$regula" check --help --lang=zh; echo "[exit status $?]"
  "$regula" --lang zh nosuchcommand 2>&1 | head -1; } >"$tmp/help.zh" 2>&1
compare "zh/help" "$here/zh/help.out" "$tmp/help.zh"
for c in "$here"/run/*/; do
  [ -e "$c" ] || continue
  c=${c%/}
  name=$(basename "$c")
  "$regula" --lang zh run --pack "$c" "$c/claims.jsonl" >"$tmp/$name.zh.out" 2>&1
  [ "$update" = 1 ] || compare "run/$name (--lang zh: results are not translated)" "$c/expected.jsonl" "$tmp/$name.zh.out"
done

echo "golden: $passed passed, $failed failed"
[ "$failed" -eq 0 ]
