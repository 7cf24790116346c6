#!/usr/bin/env bash
# run.sh REGULA — the tools around the compiler, from the repository root:
# `regula test` (choosing tests, --coverage, --format json), `regula diff`
# (text, JSON lines, and the HTML page as headless Chromium shows it),
# progress on a terminal, the man page and bash completion (man_test.py) and
# where `make install` puts them.
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

# case NAME ARGS… — `regula ARGS…` against expected/NAME.out (@TMP@ stands for
# the scratch directory; the .jsonl files a case writes into $W are appended)
W=$tmp/w
case_() {
  local name=$1; shift
  local got=$tmp/$name.got
  rm -rf "$W"; mkdir -p "$W"
  NO_COLOR=1 "$REGULA" "$@" >"$tmp/stdout" 2>"$tmp/stderr"
  local rc=$?
  { echo "--- stdout"; cat "$tmp/stdout"; echo "--- stderr"; cat "$tmp/stderr"; echo "--- exit status $rc"
    for f in "$W"/*.jsonl; do [ -f "$f" ] && { echo "--- $(basename "$f")"; cat "$f"; }; done; } >"$got"
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

# ---- regula diff: the fixture pack against a copy with AA's 2025 resident
# ratio 65% (60%) and AA-B's cap 2,500 (2,000); one with claims' levels 1..2 ----
new=$tmp/new
cp -r $here/pack "$new"
sed -i 's/| resident | _ -> 60%/| resident | _ -> 65%/' "$new/AA.rg"
sed -i 's/param cap = ¥2000/param cap = ¥2500/' "$new/AA-B.rg"
levels=$tmp/levels
cp -r $here/pack "$levels"
sed -i 's/level: int in 1..3/level: int in 1..2/' "$levels/CN.rg"
case_ diff_text diff --out "$W/changes.jsonl" $here/pack "$new" $here/claims.jsonl
case_ diff_same diff $here/pack $here/pack $here/claims.jsonl
case_ diff_by_cash diff --by cash --top 1 $here/pack "$new" $here/claims.jsonl
case_ diff_errors diff --out "$W/changes.jsonl" $here/pack "$levels" $here/claims.jsonl
case_ diff_bad_by diff --by ratio $here/pack "$new" $here/claims.jsonl
case_ diff_usage diff $here/pack $here/claims.jsonl
case_ diff_no_pack diff $here/pack $here/nothere $here/claims.jsonl
case_ diff_no_claims diff $here/pack "$new" $here/nothere.jsonl
case_ diff_html_stdin diff --html "$W/page.html" $here/pack "$new" -
case_ diff_bad_git diff git:no-such-rev:$here/pack "$new" $here/claims.jsonl
case_ repl_git repl --pack git:HEAD:$here/pack
# the same from the committed pack, when the fixture is as committed
if git rev-parse --verify -q HEAD >/dev/null 2>&1 && git diff --quiet HEAD -- $here/pack 2>/dev/null &&
   git cat-file -e HEAD:$here/pack/CN.rg 2>/dev/null; then
  case_ diff_git diff git:HEAD:$here/pack "$new" $here/claims.jsonl
else
  echo "skip    diff_git: $here/pack is not as committed here (or this is no git checkout)"
fi

# ---- the page, as headless Chromium shows it ----
"$REGULA" diff --html "$tmp/page.html" $here/pack "$new" $here/claims.jsonl >"$tmp/html.out" 2>&1
if [ $? -le 1 ] && [ -s "$tmp/page.html" ]; then
  if command -v chromium >/dev/null 2>&1; then
    if python3 $here/html_test.py "$tmp/page.html" "$new" >"$tmp/html.log" 2>&1; then ok "diff --html in Chromium"
    else bad "diff --html in Chromium"; sed 's/^/        /' "$tmp/html.log"; fi
  elif apt-cache policy chromium 2>/dev/null | grep -q 'Candidate: [0-9]'; then
    bad "diff --html in Chromium: chromium is installable but not installed (make deps installs it)"
  else
    echo "skip    diff --html in Chromium: this machine's package sources have no chromium (apt-cache policy chromium)"
  fi
else
  bad "diff --html wrote no page"; sed 's/^/        /' "$tmp/html.out"
fi

# ---- progress on a terminal, and none on a pipe ----
if python3 $here/progress_test.py "$REGULA" >"$tmp/progress.log" 2>&1; then ok "progress lines"
else bad "progress lines"; sed 's/^/        /' "$tmp/progress.log"; fi

# ---- the man page and bash completion, and where make install puts them ----
if python3 $here/man_test.py "$REGULA" docs/regula.1 cli/regula.bash >"$tmp/man.log" 2>&1; then
  ok "man page and bash completion"
else bad "man page and bash completion"; grep -v '^ok' "$tmp/man.log" | sed 's/^/        /'; fi
B=$(dirname "$REGULA")
stage=$tmp/stage
if make --no-print-directory -s B="$B" install PREFIX=/usr DESTDIR="$stage" >"$tmp/install.log" 2>&1 &&
   [ -x "$stage/usr/bin/regula" ] && [ -f "$stage/usr/share/man/man1/regula.1" ] &&
   [ -f "$stage/usr/share/bash-completion/completions/regula" ] &&
   cmp -s docs/regula.1 "$stage/usr/share/man/man1/regula.1" &&
   cmp -s cli/regula.bash "$stage/usr/share/bash-completion/completions/regula"; then
  ok "make install DESTDIR=… PREFIX=/usr: the man page in share/man/man1, the completion in share/bash-completion"
else bad "make install puts the man page and completion under DESTDIR and PREFIX"; find "$stage" | sed 's/^/        /'; cat "$tmp/install.log"; fi
if make --no-print-directory -s B="$B" install PREFIX=/opt/rg MANDIR=/opt/rg/man DESTDIR="$stage" >/dev/null 2>&1 &&
   [ -f "$stage/opt/rg/man/man1/regula.1" ] && [ -f "$stage/opt/rg/share/bash-completion/completions/regula" ]; then
  ok "make install MANDIR=…: the man page where asked"
else bad "make install MANDIR=…"; fi
if make --no-print-directory -s B="$B" uninstall PREFIX=/usr DESTDIR="$stage" >/dev/null 2>&1 &&
   [ ! -e "$stage/usr/share/man/man1/regula.1" ] && [ ! -e "$stage/usr/share/bash-completion/completions/regula" ] &&
   [ ! -e "$stage/usr/bin/regula" ]; then
  ok "make uninstall removes them"
else bad "make uninstall leaves files"; find "$stage/usr" -type f | sed 's/^/        /'; fi

# ---- docs/tools.md shows what these commands print ----
if python3 - docs/tools.md $here/expected tests/golden >"$tmp/docs.log" 2>&1 <<'PY'
import os, re, sys
doc, expected, golden = sys.argv[1:4]
text = open(doc, encoding="utf-8").read()
blocks = re.findall(r"<!-- output: (\S+) -->\n```text\n(.*?)```", text, re.S)
bad = 0
for name, block in blocks:
    if name.startswith("golden/"):
        want = open(os.path.join(golden, name[7:]), encoding="utf-8").read()
        want = "".join(l for l in want.splitlines(True) if not l.startswith("[exit status"))
    else:
        out = open(os.path.join(expected, name + ".out"), encoding="utf-8").read()
        want = out[out.index("--- stdout\n") + 11:out.index("--- stderr\n")]
    if block != want:
        bad += 1
        print("docs/tools.md: the block of %s is not what the command prints now" % name)
sys.exit(1 if bad or len(blocks) < 3 else 0)
PY
then ok "docs/tools.md shows the outputs of these cases"
else bad "docs/tools.md"; sed 's/^/        /' "$tmp/docs.log"; fi

echo "tools: $passed passed, $failed failed"
[ "$failed" -eq 0 ]
