#!/usr/bin/env bash
# run_all.sh BUILD_DIR — every suite of `make test`, then one closing line
# "N passed, M failed" counting suites. Suites: the layers (tests/layers.sh),
# unit tests, the same under
# ASan+UBSan, golden diagnostics and disassembly (in English and in Chinese),
# the message catalogues and the choice of language, the policy pack's tests,
# the conformance claims, native code against the interpreter on them and on
# generated claims, generated claims against the hand-written C port,
# the documentation's examples and opcode table, the REPL's sessions, the
# language server's scripted editor session, the editor grammar on the seed
# pack, the tools
# around the compiler (regula test's choices and coverage, regula diff and its
# page in Chromium, progress, the man page, completion, install), the embedding API
# (libregula under ASan/UBSan and TSan, install, the example service), and the
# PostgreSQL extension on servers the suite starts itself (tests/pg/run.sh),
# and each fuzz target for a fixed number of inputs from its saved corpus.
B=${1:-build}
cd "$(dirname "$0")/.." || exit 2
# messages in English whatever the locale of the shell (the suites that test
# Chinese choose it themselves)
export REGULA_LANG=en
# native code built by the suites kept in the build, not in the user's cache
case $B in /*) export REGULA_NATIVE_CACHE=$B/native-cache ;; *) export REGULA_NATIVE_CACHE=$PWD/$B/native-cache ;; esac
suites=(layers unit asan golden i18ntest packtest conformance nativetest crosscheck isolation doctest repltest lsptest editortest tooltest embed pgtest fuzz)
passed=0; failed=0; failed_names=""
for s in "${suites[@]}"; do
  echo "=== $s"
  case $s in
    crosscheck) tests/conformance/crosscheck.sh "$B/regula" ;;
    isolation) tests/conformance/isolation.sh "$B/regula" ;;
    layers) tests/layers.sh "$B" ;;
    fuzz) make --no-print-directory B="$B" fuzz-ci ;;
    *) make --no-print-directory B="$B" "$s" ;;
  esac
  if [ $? -eq 0 ]; then passed=$((passed + 1)); else failed=$((failed + 1)); failed_names="$failed_names $s"; fi
done
[ -n "$failed_names" ] && echo "failed suites:$failed_names"
echo "$passed passed, $failed failed"
[ "$failed" -eq 0 ]
