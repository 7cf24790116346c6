#!/usr/bin/env bash
# run.sh BUILD_DIR — the embedding suite (`make embed`, after `make embed-build`):
#   expected texts from `regula run` (the conformance claims with the seed pack
#   compiled to .rgc, the extern pack with --allow-extern), the API tests under
#   ASan+UBSan, resealed bit flips of the seed pack (tamper_test.c), the stress test under TSan, `make install` into a temporary
#   prefix, the docs/embedding.md example and examples/settlement-service built
#   against it with pkg-config and compared with `regula run`, and the service's
#   promises under kill -9, repeats and two processes (tests/embed/service.py).
# One line per check, then "embed: N passed, M failed"; exit 1 on any failure.
set -u
B=${1:-build}
root=$(cd "$(dirname "$0")/../.." && pwd)
cd "$root" || exit 2
case $B in /*) ;; *) B=$root/$B ;; esac
R=$B/regula
conf=${CONFORMANCE_DIR:-$root/../shared/conformance}
THREADS=${STRESS_THREADS:-8}
ROUNDS=${STRESS_ROUNDS:-50}
CC=${CC:-cc}
W=$(mktemp -d) || exit 2
trap 'rm -rf "$W"' EXIT
passed=0; failed=0

ok() { echo "ok      $1"; passed=$((passed + 1)); }
bad() { echo "FAILED  $1"; failed=$((failed + 1)); [ -s "$W/out" ] && sed 's/^/        /' "$W/out" | head -25; }
# check NAME CMD… — CMD must exit 0; its output is shown when it does not
check() { local n=$1; shift; if "$@" > "$W/out" 2>&1; then ok "$n"; else bad "$n"; fi; }
# check_fails NAME STATUS TEXT CMD… — CMD must exit STATUS and say TEXT on stderr
check_fails() {
  local n=$1 want=$2 text=$3; shift 3
  "$@" > /dev/null 2> "$W/out"; local st=$?
  if [ "$st" = "$want" ] && grep -qF -- "$text" "$W/out"; then ok "$n"
  else echo "exit status $st (want $want), stderr must contain: $text" >> "$W/out"; bad "$n"; fi
}
same() { cmp "$1" "$2" > "$W/out" 2>&1 || diff "$1" "$2" | head -20 >> "$W/out"; }

for f in "$R" "$B/san/asan/embed-tests/api_test" "$B/san/asan/embed-tests/tamper_test" "$B/san/tsan/embed-tests/stress"; do
  [ -x "$f" ] || { echo "embed: no $f (run: make B=${B#$root/} embed)"; exit 2; }
done

# ---- expected texts from the command line ----
D=$W/data; mkdir -p "$D"
cp "$conf/claims.jsonl" "$D/claims.jsonl"
cp tests/embed/extern_pack/claims.jsonl "$D/extern_claims.jsonl"
check "compile the seed pack to bytecode" "$R" compile policies -o "$D/seed.rgc"
"$R" run --pack "$D/seed.rgc" "$D/claims.jsonl" > "$D/expected.jsonl" 2> "$W/out"
[ $? = 1 ] && [ -s "$D/expected.jsonl" ] && ok "regula run: the conformance claims" || bad "regula run: the conformance claims"
"$R" run --pack "$D/seed.rgc" --explain "$D/claims.jsonl" > "$D/expected_explain.jsonl" 2> "$W/out"
[ $? = 1 ] && ok "regula run --explain: the conformance claims" || bad "regula run --explain: the conformance claims"
check "compile the extern pack" "$R" compile tests/embed/extern_pack/X.rg -o "$D/extern.rgc"

# ---- signed packs: regula keygen, compile --sign, run --public-key ----
check "regula keygen: a key pair" "$R" keygen "$D/k1"
"$R" keygen "$D/k2" > /dev/null 2>&1
[ "$(stat -c %a "$D/k1.key")" = 600 ] && ok "the secret key is readable by its owner only" || bad "the secret key is readable by its owner only"
check_fails "regula keygen never overwrites a key" 2 "a key is never overwritten" "$R" keygen "$D/k1"
check "regula compile --sign" "$R" compile policies -o "$D/signed.rgc" --sign "$D/k1.key"
"$R" run --pack "$D/signed.rgc" --public-key "$D/k1.pub" "$D/claims.jsonl" > "$W/signed.jsonl" 2> "$W/out"
[ $? = 1 ] && same "$D/expected.jsonl" "$W/signed.jsonl" && ok "regula run --public-key: the signed pack settles as the unsigned one" \
  || bad "regula run --public-key: the signed pack settles as the unsigned one"
"$R" run --pack "$D/signed.rgc" "$D/claims.jsonl" > "$W/signed.jsonl" 2> "$W/out"
[ $? = 1 ] && same "$D/expected.jsonl" "$W/signed.jsonl" && ok "a signed pack loads where no key is required" \
  || bad "a signed pack loads where no key is required"
check_fails "regula run --public-key refuses an unsigned pack" 2 "the pack is not signed, and only packs signed with key" \
  "$R" run --pack "$D/seed.rgc" --public-key "$D/k1.pub" "$D/claims.jsonl"
check_fails "regula run --public-key refuses a pack signed with another key" 2 "but only packs signed with key" \
  "$R" run --pack "$D/signed.rgc" --public-key "$D/k2.pub" "$D/claims.jsonl"
check_fails "regula run --public-key takes no policy source" 2 "is policy source: give the signed PACK.rgc" \
  "$R" run --pack policies --public-key "$D/k1.pub" "$D/claims.jsonl"
check_fails "regula compile --sign takes the secret key" 2 "this is a public key: sign with the secret key" \
  "$R" compile policies -o "$W/x.rgc" --sign "$D/k1.pub"
check "compile a pack whose regions keep ledgers of their own" "$R" compile tests/golden/run/region_ledger -o "$D/regions.rgc"

# ---- regula run --allow-extern ----
check "host functions as a shared library" $CC -shared -fPIC -O2 -Wall -Wextra -Werror -o "$D/libhost.so" tests/embed/hostlib.c
"$R" run --pack "$D/extern.rgc" --allow-extern "$D/libhost.so" "$D/extern_claims.jsonl" > "$D/extern_expected.jsonl" 2> "$W/out"
[ $? = 0 ] && same tests/embed/extern_pack/expected.jsonl "$D/extern_expected.jsonl" \
  && ok "regula run --allow-extern: results as committed" || bad "regula run --allow-extern: results as committed"
(cd "$D" && "$R" run --pack "$root/tests/embed/extern_pack/X.rg" --allow-extern libhost.so extern_claims.jsonl) > "$W/src.jsonl" 2> "$W/out"
[ $? = 0 ] && same tests/embed/extern_pack/expected.jsonl "$W/src.jsonl" \
  && ok "regula run --allow-extern NAME.so from source, in the current directory" || bad "regula run --allow-extern NAME.so from source"
check_fails "a pack with host functions needs --allow-extern" 2 "host function 'risk_score' (extern fn risk_score(string, money) -> percent)" \
  "$R" run --pack "$D/extern.rgc" "$D/extern_claims.jsonl"
printf 'long long risk_score(const char *p, long long a) { (void)p; return a; }\n' > "$W/partial.c"
$CC -shared -fPIC -o "$W/libpartial.so" "$W/partial.c"
check_fails "a function the library lacks is named, with its C prototype" 2 "host function 'tier_of', which '$W/libpartial.so' does not define: the policy declares \`extern fn tier_of(int) -> tier\`; define \`int64_t tier_of(int64_t)\`" \
  "$R" run --pack "$D/extern.rgc" --allow-extern "$W/libpartial.so" "$D/extern_claims.jsonl"
check_fails "a library that does not load" 2 "cannot load host functions from '$W/none.so'" \
  "$R" run --pack "$D/extern.rgc" --allow-extern "$W/none.so" "$D/extern_claims.jsonl"
"$R" run --help > "$W/out" 2>&1 && grep -q -- "--allow-extern LIB" "$W/out" && ok "regula run --help documents --allow-extern" || bad "regula run --help documents --allow-extern"
check "regula test --allow-extern" "$R" test --allow-extern "$D/libhost.so" tests/embed/extern_pack/X.rg

# ---- one input line, one output line, even when a ledger update fails (issue 21) ----
check "compile the update pack" "$R" compile tests/embed/update_pack/U.rg -o "$D/update.rgc"
check "compile the first-values pack" "$R" compile tests/embed/firsts_pack/F.rg -o "$D/firsts.rgc"
cp tests/embed/update_pack/claims.jsonl "$D/update_claims.jsonl"
"$R" run --pack "$D/update.rgc" "$D/update_claims.jsonl" > "$W/upd.jsonl" 2> "$W/out"
st=$?
[ $st = 1 ] && [ "$(wc -l < "$W/upd.jsonl")" = 94 ] \
  && sed -n 93p "$W/upd.jsonl" | grep -qF '{"line": 93, "claim_id": "U93", "error": "line 93: arithmetic overflow in ledger += at ' \
  && sed -n 94p "$W/upd.jsonl" | grep -qxF '{"claim_id": "U94", "paid_before": "0.00"}' \
  && ok "regula run: a ledger update that fails gives its error line in place of the result, one line a claim" \
  || { cp "$W/upd.jsonl" "$W/out"; bad "regula run: a ledger update that fails gives its error line in place of the result, one line a claim"; }

# ---- the API under ASan+UBSan, and 8 threads under TSan ----
check "api_test (ASan+UBSan)" env ASAN_OPTIONS=detect_leaks=1 UBSAN_OPTIONS=print_stacktrace=1 "$B/san/asan/embed-tests/api_test" "$D"
grep -E "^(damaged|api_test)" "$W/out" | sed 's/^/        /'
check "tamper: 3,000 resealed flips of the seed pack, every result well-typed (ASan+UBSan)" \
  env ASAN_OPTIONS=detect_leaks=1 UBSAN_OPTIONS=print_stacktrace=1 "$B/san/asan/embed-tests/tamper_test" \
  "$D/seed.rgc" "$D/claims.jsonl" "${TAMPER_FLIPS:-3000}"
grep -E "^tamper:" "$W/out" | sed 's/^/        /'
start=$(date +%s%N)
check "stress: $THREADS threads x $ROUNDS rounds, results as regula run's (TSan)" \
  env TSAN_OPTIONS="halt_on_error=1 exitcode=66" "$B/san/tsan/embed-tests/stress" "$D/seed.rgc" "$D/claims.jsonl" \
  "$D/expected.jsonl" "$THREADS" "$ROUNDS" "$D/expected_explain.jsonl"
echo "        $(tail -1 "$W/out"), $(( ($(date +%s%N) - start) / 1000000 )) ms"

# ---- make install, and programs built against it ----
P=$W/prefix
check "make install PREFIX=…" make --no-print-directory -C "$root" B="$B" install PREFIX="$P"
for f in bin/regula include/regula.h lib/libregula.a lib/libregula.so lib/libregula.so.0 lib/pkgconfig/regula.pc; do
  [ -e "$P/$f" ] || echo "missing $P/$f" >> "$W/missing"
done
[ ! -e "$W/missing" ] && ok "installed: regula, regula.h, libregula.a/.so, regula.pc" || { cp "$W/missing" "$W/out"; bad "installed files"; }
check "make install DESTDIR=… PREFIX=/opt/regula stages under DESTDIR" \
  sh -c "make --no-print-directory -C '$root' B='$B' install PREFIX=/opt/regula DESTDIR='$W/stage' &&
         test -f '$W/stage/opt/regula/lib/libregula.so.0' && grep -qx 'prefix=/opt/regula' '$W/stage/opt/regula/lib/pkgconfig/regula.pc'"
nm -D --defined-only "$P/lib/libregula.so.0" | awk '{print $3}' | sed 's/@.*//' | grep -v '^REGULA_0$' | sort -u > "$W/exported"
grep -o 'regula_[a-z_]*(' include/regula.h | tr -d '(' | sort -u > "$W/declared"
diff "$W/declared" "$W/exported" > "$W/out" && ok "libregula.so exports exactly the functions of regula.h" || bad "libregula.so exports exactly the functions of regula.h"
export PKG_CONFIG_PATH=$P/lib/pkgconfig
check "pkg-config --cflags --libs regula" sh -c 'set -- $(pkg-config --cflags --libs regula); test "$*" = "-I'"$P"'/include -L'"$P"'/lib -lregula"'

# the example of docs/embedding.md: the C block after <!-- example: settle_batch.c -->
awk '/<!-- example: settle_batch.c -->/{f=1; next} f && /^```c$/{p=1; next} p && /^```$/{exit} p' docs/embedding.md > "$W/settle_batch.c"
if [ -s "$W/settle_batch.c" ]; then
  check "docs/embedding.md example: build with pkg-config (shared)" \
    sh -c "$CC -std=c11 -Wall -Wextra -Werror \$(pkg-config --cflags regula) -o '$W/settle_batch' '$W/settle_batch.c' \$(pkg-config --libs regula)"
  LD_LIBRARY_PATH=$P/lib "$W/settle_batch" "$D/seed.rgc" "$D/claims.jsonl" > "$W/doc.jsonl" 2> "$W/out"
  [ $? = 1 ] && same "$D/expected.jsonl" "$W/doc.jsonl" && ok "docs/embedding.md example: results as regula run's" || bad "docs/embedding.md example: results as regula run's"
  check "docs/embedding.md example: build static (pkg-config --static)" \
    sh -c "$CC -std=c11 -Wall -Wextra -Werror \$(pkg-config --cflags regula) -o '$W/settle_static' '$W/settle_batch.c' '$P/lib/libregula.a' \$(pkg-config --static --libs regula | sed 's/-lregula//')"
  "$W/settle_static" "$D/seed.rgc" "$D/claims.jsonl" > "$W/doc2.jsonl" 2> "$W/out"
  [ $? = 1 ] && same "$D/expected.jsonl" "$W/doc2.jsonl" && ok "docs/embedding.md example, static: results as regula run's" || bad "docs/embedding.md example, static"
else
  echo "no example block in docs/embedding.md" > "$W/out"; bad "docs/embedding.md example"
fi

# ---- examples/settlement-service: SQLite ledger, 4 threads ----
S=$W/svc; mkdir -p "$S"
check "settlement-service: build against the install (pkg-config regula sqlite3)" \
  make --no-print-directory -C examples/settlement-service O="$S" CFLAGS="-O2 -g" LDFLAGS="-Wl,-rpath,$P/lib"
svc=$S/settle
if [ -x "$svc" ]; then
  check "settlement-service --help" "$svc" --help
  "$svc" --db "$S/ledger.db" --threads 4 -o "$S/out.jsonl" "$D/seed.rgc" "$D/claims.jsonl" 2> "$W/out"
  [ $? = 1 ] && same "$D/expected.jsonl" "$S/out.jsonl" && ok "settlement-service: conformance claims on 4 threads = regula run" \
    || bad "settlement-service: conformance claims on 4 threads = regula run"
  check "settlement-service: the ledger and results are in SQLite" python3 - "$S/ledger.db" "$D/claims.jsonl" <<'PY'
import sqlite3, sys
db = sqlite3.connect(sys.argv[1])
lines = sum(1 for _ in open(sys.argv[2]))
n = db.execute("select count(*) from results where batch = 1").fetchone()[0]
y = db.execute("select count(*) from ledger_yearly").fetchone()[0]
a = db.execute("select count(*) from ledger_personal_account").fetchone()[0]
assert n == lines and y > 0 and a > 0, (n, lines, y, a)
PY
  # generated claims with recurring persons: 1 thread and 4 threads, and a second batch on the same ledger
  python3 bench/gen --claims 3000 --seed 11 --bad-rate 0.02 > "$W/gen.jsonl"
  # the second batch's claims are other claims: claim_ids H… (a claim_id settled before is not settled again)
  python3 bench/gen --claims 1000 --seed 12 --bad-rate 0.02 | sed 's/"claim_id": "G/"claim_id": "H/' > "$W/gen2.jsonl"
  "$R" run --pack "$D/seed.rgc" "$W/gen.jsonl" > "$W/gen.expected" 2> /dev/null
  cat "$W/gen.jsonl" "$W/gen2.jsonl" > "$W/both.jsonl"
  "$R" run --pack "$D/seed.rgc" "$W/both.jsonl" 2> /dev/null | tail -n +3001 > "$W/gen2.expected"
  for t in 1 4; do
    "$svc" --db "$S/gen$t.db" --threads $t -o "$S/gen$t.jsonl" "$D/seed.rgc" "$W/gen.jsonl" 2> "$W/out"
    [ $? = 1 ] && same "$W/gen.expected" "$S/gen$t.jsonl" && ok "settlement-service: 3000 generated claims on $t thread(s) = regula run" \
      || bad "settlement-service: 3000 generated claims on $t thread(s) = regula run"
  done
  "$svc" --db "$S/gen4.db" --threads 4 -o "$S/gen2.jsonl" "$D/seed.rgc" "$W/gen2.jsonl" 2> "$W/out"
  # a second batch continues the ledger: as regula run on both files (error lines count lines from 1 again)
  python3 - "$W/gen2.expected" "$S/gen2.jsonl" > "$W/out" 2>&1 <<'PY' && ok "settlement-service: a second batch continues the SQLite ledger" || bad "settlement-service: a second batch continues the SQLite ledger"
import json, re, sys
want, got = (open(p).read().splitlines() for p in sys.argv[1:])
assert len(want) == len(got), (len(want), len(got))
for i, (w, g) in enumerate(zip(want, got), 1):
    w, g = json.loads(w), json.loads(g)
    if "error" in w:
        w["line"] -= 3000
        w["error"] = re.sub(r"^line \d+", "line %d" % w["line"], w["error"])
    assert w == g, (i, w, g)
PY
  check "settlement-service under TSan (the library's TSan build): 3000 claims on 4 threads = regula run" \
    sh -c "$CC -O1 -g -fsanitize=thread -std=c11 -Wall -Wextra -Werror -Iinclude -o '$S/settle_tsan' examples/settlement-service/settle.c \
             '$B/san/tsan/libregula.a' \$(pkg-config --libs sqlite3) -ljansson -lsodium -lffi -lm -lpthread &&
           TSAN_OPTIONS='halt_on_error=1 exitcode=66' '$S/settle_tsan' --db '$S/tsan.db' --threads 4 -o '$S/tsan.jsonl' '$D/seed.rgc' '$W/gen.jsonl';
           test \$? = 1 && cmp '$W/gen.expected' '$S/tsan.jsonl'"
  # nothing settled twice, nothing lost: kill -9 and rerun, the same claim twice, the same batch twice,
  # two processes on one database (tests/embed/service.py; `make soak-service`: 200,000 claims, 10 kills)
  python3 tests/embed/service.py "$svc" "$R" "$D/seed.rgc" "$S/reliability" --claims "${SERVICE_CLAIMS:-20000}" \
    --kills "${SERVICE_KILLS:-5}" 2>&1 | tee "$W/service.out"
  st=${PIPESTATUS[0]}
  passed=$((passed + $(grep -c '^ok ' "$W/service.out"))); failed=$((failed + $(grep -c '^FAILED ' "$W/service.out")))
  [ "$st" = 0 ] || grep -q '^FAILED ' "$W/service.out" || { tail -20 "$W/service.out" > "$W/out"; bad "tests/embed/service.py ran to its end (exit $st)"; }
  check_fails "settlement-service: a missing claims file is named" 2 "nothing.jsonl" "$svc" --db "$S/x.db" "$D/seed.rgc" "$W/nothing.jsonl"
  check_fails "settlement-service: a damaged pack is refused" 2 "cut.rgc: bytecode file is truncated" sh -c "head -c 3000 '$D/seed.rgc' > '$W/cut.rgc' && '$svc' --db '$S/y.db' '$W/cut.rgc' '$D/claims.jsonl'"
fi

echo "embed: $passed passed, $failed failed"
[ "$failed" -eq 0 ]
