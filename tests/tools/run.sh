#!/usr/bin/env bash
# run.sh REGULA — the tools around the compiler, from the repository root:
# `regula test` (choosing tests, --coverage, --format json), `regula diff`
# (text, JSON lines, and the HTML page as headless Chromium shows it),
# progress on a terminal, the man page, bash completion and `make install`.
# Each command case's standard output, standard error and exit status are
# compared with expected/NAME.out. One line per check, then
# "tools: N passed, M failed"; exit 1 on a failure.
# UPDATE=1 run.sh REGULA rewrites expected/*.out (check the diff).
REGULA=$(cd "$(dirname "${1:-build/regula}")" && pwd)/$(basename "${1:-build/regula}")
cd "$(dirname "$0")/../.." || exit 2
here=tests/tools
passed=0; failed=0
tmp=$(mktemp -d)
trap 'rm -rf "$tmp"' EXIT
ok() { passed=$((passed + 1)); echo "ok      $1"; }
bad() { failed=$((failed + 1)); echo "FAILED  $1"; }

# case NAME ARGS… — `regula ARGS…` against expected/NAME.out (@TMP@ stands for the scratch directory)
case_() {
  local name=$1; shift
  local got=$tmp/$name.got
  NO_COLOR=1 "$REGULA" "$@" >"$tmp/stdout" 2>"$tmp/stderr"
  local rc=$?
  { echo "--- stdout"; cat "$tmp/stdout"; echo "--- stderr"; cat "$tmp/stderr"; echo "--- exit status $rc"; } >"$got"
  sed -i "s|$tmp|@TMP@|g" "$got"
  [ -n "$UPDATE" ] && cp "$got" "$here/expected/$name.out"
  if cmp -s "$got" "$here/expected/$name.out"; then ok "$name"; else
    bad "$name"
    if [ -f "$here/expected/$name.out" ]; then diff -u "$here/expected/$name.out" "$got" | head -40 | sed 's/^/        /'
    else echo "        (no expected/$name.out)"; fi
  fi
}

# ---- regula test: which tests, coverage, JSON for CI ----
case_ test_verbose test -v $here/pack
case_ test_coverage test --coverage $here/pack
case_ test_coverage_json test --coverage --format json $here/pack
case_ test_policy test -v $here/pack AA-B
case_ test_file_coverage test -v --coverage $here/pack $here/pack/AA.rg
case_ test_run test -v --run 'cap|small' $here/pack
case_ test_unknown_policy test $here/pack AB
case_ test_not_a_file test $here/pack $here/nothere.rg
case_ test_bad_regex test --run '(' $here/pack
case_ test_none_chosen test --run 'zzz' $here/pack CN
case_ test_format test --format xml $here/pack

echo "tools: $passed passed, $failed failed"
[ "$failed" -eq 0 ]
