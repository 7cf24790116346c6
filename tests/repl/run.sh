#!/usr/bin/env bash
# run.sh REGULA — the REPL's tests. Each tests/repl/NAME.in is replayed with
# `REGULA repl --echo --pack policies/` from the repository root and its output
# compared with NAME.out (@TMP@ in a script stands for a scratch directory; the
# files a script writes there are appended to its output). Then pty_test.py
# drives the REPL through a pseudo-terminal: completion, Ctrl-C, history; and
# the transcript docs/repl.md pastes must be walkthrough.out.
# Scripts named zh-*.in run in Chinese (--lang zh), the others in English.
# Closing line: "repl: N passed, M failed"; exit 1 on a failure.
# UPDATE=1 run.sh REGULA rewrites the .out files (check the diff).
REGULA=$(cd "$(dirname "${1:-build/regula}")" && pwd)/$(basename "${1:-build/regula}")
cd "$(dirname "$0")/../.." || exit 2
passed=0; failed=0
tmp=$(mktemp -d)
trap 'rm -rf "$tmp"' EXIT
for in in tests/repl/*.in; do
  name=$(basename "$in" .in)
  want=tests/repl/$name.out
  got=$tmp/$name.got
  work=$tmp/$name.d
  mkdir -p "$work"
  lang=en; case $name in zh-*) lang=zh ;; esac
  sed "s|@TMP@|$work|g" "$in" | NO_COLOR=1 "$REGULA" --lang $lang repl --echo --pack policies/ >"$got" 2>&1
  rc=$?
  echo "exit status $rc" >>"$got"
  for f in "$work"/*; do
    [ -f "$f" ] || continue
    echo "--- @TMP@/$(basename "$f")" >>"$got"
    cat "$f" >>"$got"
  done
  sed -i "s|$work|@TMP@|g" "$got"
  if [ -n "$UPDATE" ]; then
    cp "$got" "$want"
  fi
  if cmp -s "$got" "$want"; then
    passed=$((passed + 1))
  else
    failed=$((failed + 1))
    echo "FAIL $name: output differs from $want"
    diff -u "$want" "$got" | head -40
  fi
done
# docs/repl.md pastes the walk-through's transcript: it must still be what the REPL prints
if python3 - tests/repl/walkthrough.out docs/repl.md <<'PY'
import re, sys
out = open(sys.argv[1], encoding="utf-8").read()
out = out[:out.index("exit status")].replace("@TMP@", "/tmp")
doc = open(sys.argv[2], encoding="utf-8").read()
blocks = re.findall(r"<!-- walkthrough -->\n```text\n(.*?)```", doc, re.S)
sys.exit(0 if blocks and "".join(blocks) == out else 1)
PY
then
  passed=$((passed + 1))
else
  failed=$((failed + 1))
  echo "FAIL docs/repl.md: its walk-through is not tests/repl/walkthrough.out any more"
fi
if python3 tests/repl/pty_test.py "$REGULA" >"$tmp/pty.out" 2>&1; then
  passed=$((passed + 1))
else
  failed=$((failed + 1))
  echo "FAIL pty: a session on a terminal"
  cat "$tmp/pty.out"
fi
echo "repl: $passed passed, $failed failed"
[ "$failed" -eq 0 ]
