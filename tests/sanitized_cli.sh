#!/usr/bin/env bash
# sanitized_cli.sh REGULA — the real `regula` built with ASan+UBSan (make asan's
# build/asan/regula) over what users run: `check` and `test` of the seed pack,
# the conformance claims (Part 1 and Part 2, from source and bytecode) and the
# REPL's scripted sessions. A sanitizer report fails the command it stops, and
# every step below fails on a non-zero exit or a differing output.
# Closing line: "asan-cli: N passed, M failed".
R=$1
cd "$(dirname "$0")/.." || exit 2
export ASAN_OPTIONS=detect_leaks=1 UBSAN_OPTIONS=print_stacktrace=1:halt_on_error=1
passed=0; failed=0
step() {
  local name=$1; shift
  if "$@" >/tmp/regula-asan-cli.$$ 2>&1; then
    passed=$((passed + 1)); echo "ok      $name"
  else
    failed=$((failed + 1)); echo "FAILED  $name"; tail -40 /tmp/regula-asan-cli.$$
  fi
}
step "check policies/" "$R" check policies/
step "test policies/" "$R" test policies/
step "conformance (Part 1, Part 2)" tests/conformance/run.sh "$R"
step "repl sessions" tests/repl/run.sh "$R"
rm -f /tmp/regula-asan-cli.$$
echo "asan-cli: $passed passed, $failed failed"
[ "$failed" -eq 0 ]
