#!/usr/bin/env bash
# layers.sh — the layers of docs/architecture.md hold: no source file reaches
# another folder by a relative include, every file of a layer compiles with
# that layer's include paths alone (`make layers-print`), and an upward
# include fails to build. Closing line "layers: N passed, M failed".
cd "$(dirname "$0")/.." || exit 2
B=${1:-build}
passed=0; failed=0
ok() { passed=$((passed + 1)); echo "ok      $1"; }
bad() { failed=$((failed + 1)); echo "FAILED  $1"; }
make -s B="$B" "$B/gen/parser.h" "$B/gen/lexer.h" >/dev/null || exit 2
rel=$(grep -rn '#include "\.\./' lang bytecode compiler vm stdlib native api driver repl lsp cli include 2>/dev/null)
[ -z "$rel" ] && ok "no relative includes between folders" || { bad "relative includes between folders:"; echo "$rel"; }
tmp=$(mktemp -d); trap 'rm -rf "$tmp"' EXIT
while read -r layer inc; do
  [ -n "$layer" ] || continue
  n=0; fails=""
  files="$layer/*.c"
  [ "$layer" = lang ] && files="$files $B/gen/*.c" # the scanner and parser Flex and Bison write
  for f in $files; do
    [ -e "$f" ] || continue
    n=$((n + 1))
    cc -std=c11 -D_GNU_SOURCE $inc -fsyntax-only "$f" 2>>"$tmp/err" || fails="$fails $f"
  done
  [ -z "$fails" ] && ok "$layer: $n files compile with $inc" || { bad "$layer: with $inc only:$fails"; head -5 "$tmp/err"; }
done < <(make -s B="$B" layers-print)
# an upward include must not build: the VM naming the compiler or the C generator, lang naming the VM
inc_vm=$(make -s B="$B" layers-print | awk '$1 == "vm" { $1 = ""; print }')
inc_lang=$(make -s B="$B" layers-print | awk '$1 == "lang" { $1 = ""; print }')
printf '#include "compiler.h"\n' > "$tmp/up.c"
cc -std=c11 $inc_vm -fsyntax-only "$tmp/up.c" 2>/dev/null && bad "vm can include compiler.h" || ok "vm cannot include compiler.h"
printf '#include "native.h"\n' > "$tmp/up3.c"
cc -std=c11 $inc_vm -fsyntax-only "$tmp/up3.c" 2>/dev/null && bad "vm can include native.h" || ok "vm cannot include native.h (the C generator)"
printf '#include "vm.h"\n' > "$tmp/up2.c"
cc -std=c11 $inc_lang -fsyntax-only "$tmp/up2.c" 2>/dev/null && bad "lang can include vm.h" || ok "lang cannot include vm.h"
echo "layers: $passed passed, $failed failed"
[ "$failed" -eq 0 ]
