#!/bin/sh
# check_port.sh — build the C baseline (bench/c), check it against the shared conformance
# cases (Part 1 and Part 2), then check the invariants on 5000 generated claims, Part 1
# only and half of them with Part 2 fields. Run from the repo root.
set -eu

root=$(cd "$(dirname "$0")/../.." && pwd)
cd "$root"
shared=${REGULA_SHARED:-$(cd "$root/../shared" && pwd)}
claims=${CLAIMS:-5000}
seed=${SEED:-1}
tmp=$(mktemp -d)
trap 'rm -rf "$tmp"' EXIT INT TERM
fail=0

# Runs settle-c on $1 into $2; exit status 0 (all ok) and 1 (some error lines) are fine.
settle() {
    rc=0
    bench/c/settle-c --catalogs "$shared/spec/catalog" "$1" > "$2" || rc=$?
    if [ "$rc" -gt 1 ]; then
        echo "check_port: settle-c failed on $1 (exit status $rc)" >&2
        exit 1
    fi
}

same_line_count() {
    a=$(wc -l < "$1"); b=$(wc -l < "$2")
    if [ "$a" -ne "$b" ]; then
        echo "check_port: $1 has $a lines but $2 has $b" >&2
        fail=1
    else
        echo "line counts: $a in, $b out"
    fi
}

echo "== build bench/c"
make -s -C bench/c

echo "== conformance: $shared/conformance"
settle "$shared/conformance/claims.jsonl" "$tmp/conformance.out"
same_line_count "$shared/conformance/claims.jsonl" "$tmp/conformance.out"
python3 tests/conformance/jsonl_compare.py "$shared/conformance/expected.jsonl" \
    "$tmp/conformance.out" || fail=1

echo "== conformance, Part 2: $shared/conformance/part2-claims.jsonl"
settle "$shared/conformance/part2-claims.jsonl" "$tmp/part2.out"
same_line_count "$shared/conformance/part2-claims.jsonl" "$tmp/part2.out"
python3 tests/conformance/jsonl_compare.py "$shared/conformance/part2-expected.jsonl" \
    "$tmp/part2.out" || fail=1

echo "== generated: bench/gen --claims $claims --seed $seed"
bench/gen --claims "$claims" --seed "$seed" > "$tmp/gen.jsonl"
settle "$tmp/gen.jsonl" "$tmp/gen.out"
same_line_count "$tmp/gen.jsonl" "$tmp/gen.out"
python3 tests/conformance/invariants.py "$tmp/gen.jsonl" "$tmp/gen.out" || fail=1

echo "== generated, Part 2: bench/gen --claims $claims --seed $seed --bad-rate 0.02 --part2 0.5"
bench/gen --claims "$claims" --seed "$seed" --bad-rate 0.02 --part2 0.5 > "$tmp/gen2.jsonl"
settle "$tmp/gen2.jsonl" "$tmp/gen2.out"
same_line_count "$tmp/gen2.jsonl" "$tmp/gen2.out"
python3 tests/conformance/invariants.py "$tmp/gen2.jsonl" "$tmp/gen2.out" || fail=1

# The Lua port, when there is one and lua5.4 is installed, must agree byte for byte.
if [ -f bench/lua/settle.lua ] && command -v lua5.4 >/dev/null 2>&1; then
    echo "== bench/lua/settle.lua against settle-c"
    for f in "$shared/conformance/claims.jsonl" "$tmp/gen.jsonl"; do
        rc=0
        lua5.4 bench/lua/settle.lua --catalogs "$shared/spec/catalog" "$f" > "$tmp/lua.out" || rc=$?
        if [ "$rc" -gt 1 ]; then
            echo "check_port: settle.lua failed on $f (exit status $rc)" >&2
            fail=1
            continue
        fi
        [ "$f" = "$tmp/gen.jsonl" ] && ref="$tmp/gen.out" || ref="$tmp/conformance.out"
        # Only the wording of the JSON parser's messages may differ.
        if python3 tests/conformance/jsonl_compare.py "$ref" "$tmp/lua.out" > "$tmp/cmp.txt"; then
            echo "lua: $(tail -n 1 "$tmp/cmp.txt") ($(basename "$f"))"
        else
            cat "$tmp/cmp.txt"
            fail=1
        fi
    done
fi

if [ "$fail" -ne 0 ]; then
    echo "check_port: FAILED"
    exit 1
fi
echo "check_port: OK"
