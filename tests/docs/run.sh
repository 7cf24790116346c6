#!/usr/bin/env bash
# run.sh REGULA — compiles every ```regula example of docs/*.md.
# (A fragment is tried as an addition to the base policy CN, then as a child.)
# A block that starts (after comments) with `policy NAME extends …` joins a copy of the seed
# pack as its own file, NAME.rg; a block whose first line is `# standalone` is a pack
# by itself; any other block is a fragment checked inside a child of CN.
# A ```regula-error block must fail to compile.
set -u
R=$1
root=$(cd "$(dirname "$0")/../.." && pwd)
tmp=$(mktemp -d); trap 'rm -rf "$tmp"' EXIT
python3 - "$root" "$tmp" <<'PY'
import os, re, sys
root, tmp = sys.argv[1], sys.argv[2]
n = 0
for doc in sorted(os.listdir(os.path.join(root, "docs"))):
    if not doc.endswith(".md"):
        continue
    text = open(os.path.join(root, "docs", doc), encoding="utf-8").read()
    for m in re.finditer(r"```(regula(?:-error)?)\n(.*?)```", text, re.S):
        n += 1
        line = text[:m.start()].count("\n") + 1
        with open(os.path.join(tmp, "%03d.block" % n), "w", encoding="utf-8") as f:
            f.write("%s\n%s:%d\n%s" % (m.group(1), doc, line, m.group(2)))
PY
passed=0; failed=0
for b in "$tmp"/*.block; do
  [ -e "$b" ] || continue
  kind=$(sed -n 1p "$b"); where=$(sed -n 2p "$b"); body=$(tail -n +3 "$b")
  work="$tmp/work"; rm -rf "$work"; mkdir -p "$work"
  first=$(printf '%s\n' "$body" | sed -n 1p)
  if [[ $first == "# standalone"* ]]; then
    printf '%s\n' "$body" > "$work/doc.rg"; target="$work/doc.rg"
    cp -r "$root/policies/catalog" "$work/"
  elif [[ $(printf '%s\n' "$body" | grep -v -e '^#' -e '^[[:space:]]*$' | sed -n 1p) =~ ^policy[[:space:]]+([A-Za-z0-9_-]+) ]]; then
    cp -r "$root/policies/." "$work/"; printf '%s\n' "$body" > "$work/${BASH_REMATCH[1]}.rg"; target="$work"
  else
    # a fragment: new definitions join the base policy, overrides a child of it
    cp -r "$root/policies/." "$work/"; printf '\n%s\n' "$body" >> "$work/CN.rg"; target="$work"
    out=$(NO_COLOR=1 "$R" check "$target" 2>&1); st=$?
    if [ $st != 0 ]; then
      rm -rf "$work"; mkdir -p "$work"; cp -r "$root/policies/." "$work/"
      printf 'policy DOC extends CN\n%s\n' "$body" > "$work/DOC.rg"
    fi
  fi
  out=$(NO_COLOR=1 "$R" check "$target" 2>&1); st=$?
  if [ "$kind" = regula-error ]; then want=1; else want=0; fi
  if { [ $want = 0 ] && [ $st = 0 ]; } || { [ $want = 1 ] && [ $st = 1 ]; }; then
    passed=$((passed + 1))
  else
    failed=$((failed + 1)); echo "FAIL $where ($kind):"; printf '%s\n' "$out" | head -20
  fi
done
echo "doctest: $passed passed, $failed failed"
[ "$failed" -eq 0 ] && [ "$passed" -gt 0 ]
