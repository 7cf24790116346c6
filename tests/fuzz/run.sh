#!/usr/bin/env bash
# run.sh RUNS — each fuzz target (make fuzz-ci builds them) for RUNS inputs
# from a copy of its saved corpus, with a fixed seed, so that make test gives
# the same inputs each time; a crash, leak, sanitizer report, timeout or an
# input's own check (abort) fails the target and keeps the input in
# build/fuzz/crashes. `make fuzz` runs longer and grows the corpus.
# Closing line: "fuzz: N passed, M failed".
RUNS=${1:-3000}
cd "$(dirname "$0")/../.." || exit 2
W=$(mktemp -d); trap 'rm -rf "$W"' EXIT
mkdir -p build/fuzz/crashes
passed=0; failed=0
run() {
  local name=$1; shift
  cp -r "tests/fuzz/corpus/$name" "$W/$name"
  local start=$(date +%s)
  if "build/fuzz/fuzz_$name" -runs="$RUNS" -seed=1 -timeout=20 -rss_limit_mb=3072 \
       -artifact_prefix=build/fuzz/crashes/"$name"- "$@" "$W/$name" > "$W/$name.log" 2>&1; then
    passed=$((passed + 1))
    echo "ok      fuzz_$name: $RUNS runs from $(ls "tests/fuzz/corpus/$name" | wc -l) saved inputs, $(( $(date +%s) - start )) s"
  else
    failed=$((failed + 1))
    echo "FAILED  fuzz_$name (the input is in build/fuzz/crashes):"
    grep -E 'ERROR|SUMMARY|==[0-9]+==|abort|Test unit written' "$W/$name.log" | head -15
  fi
}
run parser -max_len=131072
run loader
run claim -dict=tests/fuzz/claim.dict
echo "fuzz: $passed passed, $failed failed"
[ "$failed" -eq 0 ]
