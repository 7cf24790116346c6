#!/usr/bin/env bash
# run.sh [BUILD_DIR] — the editor package's tests (editors/): grammar_test.py
# tokenizes the seed pack with the TextMate grammar, with textmate.py and with
# VS Code's own engine (vscode-textmate + vscode-oniguruma under node). The
# node modules are installed by npm into BUILD_DIR/editor-test the first time;
# without node or npm, or when the registry cannot be reached, that engine is
# skipped and the reason said (textmate.py's checks still run).
# Closing line "grammar: N passed, M failed".
cd "$(dirname "$0")/../.." || exit 2
B=${1:-build}
dir=$B/editor-test
mods="vscode-textmate@9.3.2 vscode-oniguruma@2.0.1"
reason=""
if ! command -v node >/dev/null || ! command -v npm >/dev/null; then
  reason="node and npm are not installed (make deps installs Debian's nodejs and npm)"
elif [ ! -f "$dir/node_modules/vscode-textmate/package.json" ] || [ ! -f "$dir/node_modules/vscode-oniguruma/package.json" ]; then
  mkdir -p "$dir"
  [ -f "$dir/package.json" ] || echo '{"private": true, "description": "test-only: the engine VS Code highlights with"}' >"$dir/package.json"
  if ! (cd "$dir" && timeout 300 npm install --no-audit --no-fund --no-save $mods) >"$dir/npm.log" 2>&1; then
    reason="npm could not install $mods: $(tail -1 "$dir/npm.log")"
  fi
fi
if [ -n "$reason" ]; then
  exec python3 tests/editors/grammar_test.py --skip-node "$reason"
fi
exec python3 tests/editors/grammar_test.py --node "$PWD/$dir/node_modules"
