#!/usr/bin/env bash
# opcodes.sh OPCODE_TABLE [--update] — docs/bytecode.md's opcode table is the
# one bytecode/opcodes.h gives: OPCODE_TABLE (built from tests/docs/opcode_table.c)
# prints it, and it must stand unchanged between the doc's two opcode markers.
# --update rewrites the doc's table instead (review the diff).
set -u
gen=${1:?usage: tests/docs/opcodes.sh OPCODE_TABLE [--update]}
doc="$(cd "$(dirname "$0")/../.." && pwd)/docs/bytecode.md"
begin='<!-- opcodes: begin (generated from bytecode/opcodes.h by tests/docs/opcodes.sh --update) -->'
end='<!-- opcodes: end -->'
tmp=$(mktemp -d); trap 'rm -rf "$tmp"' EXIT
"$gen" > "$tmp/want" || { echo "opcodes: $gen failed"; exit 1; }
grep -qxF "$begin" "$doc" && grep -qxF "$end" "$doc" || { echo "opcodes: docs/bytecode.md lacks the opcode table's markers"; exit 1; }
awk -v b="$begin" -v e="$end" '$0 == e { on = 0 } on { print } $0 == b { on = 1 }' "$doc" > "$tmp/have"
if [ "${2:-}" = --update ]; then
  awk -v b="$begin" -v e="$end" -v f="$tmp/want" '
    $0 == b { print; while ((getline l < f) > 0) print l; skip = 1; next }
    $0 == e { skip = 0 } !skip { print }' "$doc" > "$tmp/doc" && cp "$tmp/doc" "$doc"
  echo "opcodes: docs/bytecode.md's table rewritten"
elif cmp -s "$tmp/want" "$tmp/have"; then
  echo "opcodes: docs/bytecode.md lists the $(($(wc -l < "$tmp/want") - 2)) opcodes of bytecode/opcodes.h"
else
  echo "opcodes: docs/bytecode.md's opcode table differs from bytecode/opcodes.h (tests/docs/opcodes.sh $gen --update rewrites it):"
  diff -u "$tmp/have" "$tmp/want" | sed 's/^/        /' | head -40
  exit 1
fi
