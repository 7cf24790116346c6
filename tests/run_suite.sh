#!/usr/bin/env bash
# run_suite.sh NAME PROGRAM… — runs each test program, prints its output, and
# a closing "NAME: N passed, M failed" line counting programs.
name=$1; shift
passed=0; failed=0
for t in "$@"; do
  if "$t"; then passed=$((passed + 1)); else failed=$((failed + 1)); echo "FAILED: $t"; fi
done
echo "$name: $passed passed, $failed failed"
[ "$failed" -eq 0 ]
