#!/usr/bin/env bash
# run.sh BUILD_DIR — messages in other languages (po/, GNU gettext):
#   po/regula.pot is what xgettext takes out of the sources now (make pot), so
#   that a new message cannot go untranslated unseen; every po/LANG.po has
#   every message of it, none untranslated or fuzzy, and compiles with its
#   printf formats checked; the language is chosen by --lang (before or after
#   the command), $REGULA_LANG, then the locale, English when none is chosen
#   or the choice is no language of Regula's; Chinese works with no zh_CN
#   locale on the machine (LOCPATH=/nonexistent hides them all); make install
#   puts the catalogues under share/locale, where the installed tool finds them;
#   the language server publishes its diagnostics in Chinese with --lang zh.
# One line per check, then "i18n: N passed, M failed"; exit 1 on a failure.
B=${1:-build}
cd "$(dirname "$0")/../.." || exit 2
B=$(cd "$B" && pwd)
regula=$B/regula
tmp=$(mktemp -d) || exit 2
trap 'rm -rf "$tmp"' EXIT
unset LANGUAGE LC_ALL LC_MESSAGES REGULA_LANG
export LANG=C
passed=0; failed=0
ok() { echo "ok      $1"; passed=$((passed + 1)); }
bad() { echo "FAILED  $1"; failed=$((failed + 1)); }

# ---- the catalogues ----
if make --no-print-directory -s B="$B" pot-file POT_OUT="$tmp/regula.pot" >"$tmp/pot.log" 2>&1 &&
   cmp -s "$tmp/regula.pot" po/regula.pot; then
  ok "po/regula.pot has the messages of the sources"
else
  bad "po/regula.pot is not what the sources say: run make pot, then translate what is new in po/*.po"
  cat "$tmp/pot.log"; diff -u po/regula.pot "$tmp/regula.pot" | grep -E '^[-+](msgid|#:)' | head -20 | sed 's/^/        /'
fi
for po in po/*.po; do
  lang=$(basename "$po" .po)
  if msgfmt --check --statistics -o /dev/null "$po" >"$tmp/stats" 2>&1 &&
     ! grep -qE 'untranslated|fuzzy' "$tmp/stats"; then
    ok "$po: $(cat "$tmp/stats")"
  else bad "$po: every message translated, none fuzzy, formats as in English"; sed 's/^/        /' "$tmp/stats"; fi
  if msgcmp "$po" po/regula.pot >"$tmp/cmp" 2>&1 && ! grep -q '^#~' "$po"; then
    ok "$po has every message of po/regula.pot and no obsolete ones"
  else bad "$po against po/regula.pot (make pot merges them)"; head -10 "$tmp/cmp" | sed 's/^/        /'; fi
  [ -f "$B/locale/$lang/LC_MESSAGES/regula.mo" ] && ok "$B/locale/$lang/LC_MESSAGES/regula.mo built" ||
    bad "$B/locale/$lang/LC_MESSAGES/regula.mo built"
done

# ---- which language: first line of `regula --help` under ENV and ARGS ----
en="usage: regula [--lang zh|en] COMMAND [options] …"
zh="用法：regula [--lang zh|en] 命令 [选项] …"
# expect WANT DESCRIPTION ENV… -- ARGS…
expect() {
  local want=$1 what=$2; shift 2
  local envs=()
  while [ "$1" != -- ]; do envs+=("$1"); shift; done; shift
  local got
  got=$(env "${envs[@]}" "$regula" "$@" 2>&1 | head -1)
  if [ "$got" = "$want" ]; then ok "$what"; else bad "$what"; echo "        got: $got"; fi
}
expect "$en" "English with no language chosen" -- --help
expect "$en" "English with LANG=C.UTF-8" LANG=C.UTF-8 -- --help
expect "$en" "English for a language Regula has no catalogue of (LANG=de_DE.UTF-8)" LANG=de_DE.UTF-8 -- --help
expect "$zh" "--lang zh before the command" -- --lang zh --help
expect "$zh" "--lang=zh" -- --lang=zh --help
expect "用法：regula check [--format text|json] PACK" "--lang zh after the command" -- check --help --lang zh
expect "$zh" "LANG=zh_CN.UTF-8" LANG=zh_CN.UTF-8 -- --help
expect "$zh" "LC_ALL=zh_CN.UTF-8 over LANG=C.UTF-8" LANG=C.UTF-8 LC_ALL=zh_CN.UTF-8 -- --help
expect "$zh" "LANGUAGE=zh_CN beside a locale that is not C" LANG=C.UTF-8 LANGUAGE=zh_CN:en -- --help
expect "$en" "LANGUAGE alone does nothing while the locale is C, as in gettext" LANGUAGE=zh_CN -- --help
expect "$zh" "REGULA_LANG=zh" REGULA_LANG=zh -- --help
expect "$en" "REGULA_LANG=en over LANG=zh_CN.UTF-8" REGULA_LANG=en LANG=zh_CN.UTF-8 -- --help
expect "$en" "--lang en over LANG=zh_CN.UTF-8 and REGULA_LANG=zh" REGULA_LANG=zh LANG=zh_CN.UTF-8 -- --lang en --help
expect "$zh" "--lang zh with no locale on the machine" LOCPATH=/nonexistent -- --lang zh --help
expect "$zh" "LANG=zh_CN.UTF-8 with no locale on the machine" LOCPATH=/nonexistent LANG=zh_CN.UTF-8 -- --help
"$regula" --lang xx --help >/dev/null 2>"$tmp/err"; s=$?
if [ $s = 2 ] && grep -q 'zh' "$tmp/err"; then ok "--lang xx: a usage error naming the languages"
else bad "--lang xx: a usage error naming the languages (exit $s)"; cat "$tmp/err"; fi
if locale -a 2>/dev/null | grep -qix 'zh_CN\.utf-\?8'; then
  ok "the zh_CN.UTF-8 locale is generated (make deps)"
else echo "note    no zh_CN.UTF-8 locale on this machine (make deps generates it); Chinese works without it"; fi

# ---- the language server: diagnostics as you type, in Chinese ----
mkdir -p "$tmp/lsp" && cp tests/golden/diag/unknown_name.rg "$tmp/lsp/CN.rg" # a policy's file bears its name
printf "未知名称 'totl'\n提示: 你是不是想写 'total'？\n你是不是想写 'total'？\n" >"$tmp/lsp.want"
if python3 tests/i18n/lsp_zh.py "$regula" "$tmp/lsp/CN.rg" >"$tmp/lsp.got" 2>&1 && cmp -s "$tmp/lsp.want" "$tmp/lsp.got"; then
  ok "regula --lang zh lsp: the diagnostics it publishes, with their hints"
else bad "regula --lang zh lsp: the diagnostics it publishes"; diff "$tmp/lsp.want" "$tmp/lsp.got" | sed 's/^/        /'; fi

# ---- results do not depend on the language ----
pack=tests/golden/run/region_ledger
"$regula" run --explain --pack $pack $pack/claims.jsonl >"$tmp/en.jsonl" 2>&1
"$regula" --lang zh run --explain --pack $pack $pack/claims.jsonl >"$tmp/zh.jsonl" 2>&1
LANG=zh_CN.UTF-8 "$regula" run --explain --pack $pack $pack/claims.jsonl >"$tmp/zh2.jsonl" 2>&1
if cmp -s "$tmp/en.jsonl" "$tmp/zh.jsonl" && cmp -s "$tmp/en.jsonl" "$tmp/zh2.jsonl"; then
  ok "run --explain: the same bytes in Chinese and in English"
else bad "run --explain differs by language"; diff "$tmp/en.jsonl" "$tmp/zh.jsonl" | head -5; fi

# ---- make install ----
stage=$tmp/stage
if make --no-print-directory -s B="$B" install PREFIX=/usr DESTDIR="$stage" >"$tmp/install.log" 2>&1 &&
   [ -f "$stage/usr/share/locale/zh_CN/LC_MESSAGES/regula.mo" ] &&
   [ "$("$stage/usr/bin/regula" --lang zh --help | head -1)" = "$zh" ]; then
  ok "make install: share/locale/zh_CN/LC_MESSAGES/regula.mo, found by the installed regula"
else bad "make install puts the catalogue under share/locale"; cat "$tmp/install.log"; find "$stage" -name '*.mo'; fi
if make --no-print-directory -s B="$B" uninstall PREFIX=/usr DESTDIR="$stage" >/dev/null 2>&1 &&
   [ ! -e "$stage/usr/share/locale/zh_CN/LC_MESSAGES/regula.mo" ]; then
  ok "make uninstall removes the catalogue"
else bad "make uninstall leaves the catalogue"; fi

echo "i18n: $passed passed, $failed failed"
[ "$failed" -eq 0 ]
