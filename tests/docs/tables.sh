#!/usr/bin/env bash
# tables.sh BYTECODE_TABLES [--update] — docs/bytecode.md's generated tables
# (the opcodes, the sections) are the ones the code gives: BYTECODE_TABLES
# (built from tests/docs/bytecode_tables.c) prints each, and it must stand
# unchanged between the doc's markers for it. --update rewrites the doc's
# tables instead (review the diff).
set -u
gen=${1:?usage: tests/docs/tables.sh BYTECODE_TABLES [--update]}
doc="$(cd "$(dirname "$0")/../.." && pwd)/docs/bytecode.md"
tmp=$(mktemp -d); trap 'rm -rf "$tmp"' EXIT
status=0
for table in opcodes sections; do
  case $table in
    opcodes) from=bytecode/opcodes.h ;;
    sections) from=bytecode/program.h ;;
  esac
  begin="<!-- $table: begin (generated from $from by tests/docs/tables.sh --update) -->"
  end="<!-- $table: end -->"
  "$gen" "$table" > "$tmp/want" || { echo "tables: $gen $table failed"; exit 1; }
  grep -qxF "$begin" "$doc" && grep -qxF "$end" "$doc" || { echo "tables: docs/bytecode.md lacks the $table table's markers"; exit 1; }
  awk -v b="$begin" -v e="$end" '$0 == e { on = 0 } on { print } $0 == b { on = 1 }' "$doc" > "$tmp/have"
  if [ "${2:-}" = --update ]; then
    awk -v b="$begin" -v e="$end" -v f="$tmp/want" '
      $0 == b { print; while ((getline l < f) > 0) print l; skip = 1; next }
      $0 == e { skip = 0 } !skip { print }' "$doc" > "$tmp/doc" && cp "$tmp/doc" "$doc"
    echo "tables: docs/bytecode.md's $table table rewritten"
  elif cmp -s "$tmp/want" "$tmp/have"; then
    echo "tables: docs/bytecode.md lists the $(($(wc -l < "$tmp/want") - 2)) $table of $from"
  else
    echo "tables: docs/bytecode.md's $table table differs from $from (tests/docs/tables.sh $gen --update rewrites it):"
    diff -u "$tmp/have" "$tmp/want" | sed 's/^/        /' | head -40
    status=1
  fi
done
exit $status
