#!/usr/bin/env bash
# run.sh BUILD_DIR — the PostgreSQL extension's suite (make pgtest): starts its own servers from a private copy of the server's tree (Unix sockets in a temporary folder, no network), checks the extension against `regula run`, under concurrency, kills, damage and scale-out, runs docs/postgres.md's examples, and stops every server on exit.
# Must not leave a server running nor touch the system's clusters; each check prints ok or FAIL and the last line counts them.
set -u
ROOT=$(cd "$(dirname "$0")/../.." && pwd)
B=$(cd "${1:-build}" && pwd)
R="$B/regula"
CONF=${CONFORMANCE_DIR:-$ROOT/../shared/conformance}
GEN_CLAIMS=${PGTEST_CLAIMS:-100000}
. "$ROOT/tests/pg/cluster.sh"
T=$PG_TMP/work
mkdir -p "$T"
passed=0; failed=0
ok() { passed=$((passed + 1)); echo "ok   $*"; }
bad() { failed=$((failed + 1)); echo "FAIL $*"; }
check() { local what=$1; shift; if "$@"; then ok "$what"; else bad "$what"; fi; }
finish() { echo "pgtest: $passed passed, $failed failed"; [ "$failed" -eq 0 ]; exit $?; }
secs() { date +%s.%N; }

# ---- the module shows postgres none of the library's symbols, and takes none
# from jansson, libffi or libsodium that postgres defines too (it would call postgres's) ----
symbols_clean() {
  local so="$B/pg/regula.so" lib f clash
  [ -f "$so" ] || { echo "no $so: run make pg"; return 1; }
  nm -D --defined-only "$PGBIN/postgres" | awk '{print $3}' | sort -u > "$T/postgres.syms"
  nm -D --undefined-only "$so" | awk '{print $2}' | sed 's/@.*//' | sort -u > "$T/module.needs"
  for lib in libjansson.so.4 libffi.so.8 libsodium.so.23; do
    f=$(ldconfig -p | awk -v l="$lib" '$1 == l {print $NF; exit}')
    [ -n "$f" ] && nm -D --defined-only "$f" | awk '{print $3}' | sed 's/@.*//'
  done | sort -u > "$T/libs.syms"
  clash=$(comm -12 "$T/libs.syms" "$T/module.needs" | comm -12 - "$T/postgres.syms")
  [ -z "$clash" ] || { echo "symbols that both postgres and jansson/libffi/libsodium define: $clash"; return 1; }
  [ -z "$(nm -D --defined-only "$so" | awk '{print $3}' | grep -v -e '^Pg_magic_func$' -e '^_PG_init$' -e '^pg_finfo_regula_' -e '^regula_')" ]
}
check "regula.so exports the module's symbols only, takes none that postgres also defines" symbols_clean

pg_inst || { bad "installing the extension into a private tree"; finish; }
pg_start single || { bad "starting a server"; finish; }
PGDB=postgres pgsql single -c 'CREATE DATABASE regula' || { bad "creating the database"; finish; }
# from the repository's root: the image names its sources relative to it, so its
# bytes (and the damaged packs' messages below) do not depend on where the tree is
(cd "$ROOT" && "$R" compile policies -o "$T/seed.rgc") || { bad "compiling the seed pack"; finish; }
pgsql single -v pack="$T/seed.rgc" <<'SQL' || { bad "CREATE EXTENSION regula; regula.load_pack"; finish; }
CREATE EXTENSION regula;
\set image `base64 -w0 :'pack'`
SELECT regula.load_pack('seed', decode(:'image', 'base64')) IS NULL AS failed \gset
SQL
ok "CREATE EXTENSION regula and regula.load_pack"

# ---- signed packs: with regula.public_key set, only what its secret key signed loads ----
signed_packs() {
  local line out
  "$R" keygen "$T/k1" > /dev/null && "$R" keygen "$T/k2" > /dev/null &&
    "$R" compile "$ROOT/policies" -o "$T/signed.rgc" --sign "$T/k1.key" &&
    "$R" compile "$ROOT/policies" -o "$T/other.rgc" --sign "$T/k2.key" || return 1
  line=$(cat "$T/k1.pub")
  # (the session loads the module first: ALTER SYSTEM knows its settings then)
  pgsql single -c "SELECT regula.pack_info('seed') IS NOT NULL" -c "ALTER SYSTEM SET regula.public_key = '$line'" \
    -c 'SELECT pg_reload_conf()' > /dev/null || return 1
  sleep 1
  # the seed pack, unsigned and loaded before: refused now, when a backend loads it
  out=$(pgsql single -At -c "SELECT regula.settle('seed', '{}'::jsonb)" 2>&1)
  echo "$out" | grep -q 'the pack is not signed' || { echo "unsigned pack in the table: $out"; return 1; }
  out=$(pgsql single -v pack="$T/other.rgc" 2>&1 <<'SQL'
\set image `base64 -w0 :'pack'`
SELECT regula.load_pack('other', decode(:'image', 'base64'));
SQL
)
  echo "$out" | grep -q 'but only packs signed with key' || { echo "pack of another key: $out"; return 1; }
  pgsql single -v pack="$T/signed.rgc" > /dev/null <<'SQL' || return 1
\set image `base64 -w0 :'pack'`
SELECT regula.load_pack('signed', decode(:'image', 'base64'));
SQL
  out=$(pgsql single -At -c "SELECT regula.settle('signed', '{\"claim_id\": \"X\"}'::jsonb)->'result'->>'error'" 2>&1)
  echo "$out" | grep -q 'missing field' || { echo "settling with the signed pack: $out"; return 1; }
  out=$(pgsql single -c "SELECT regula.pack_info('signed') IS NOT NULL" \
    -c "ALTER SYSTEM SET regula.public_key = 'regula-ed25519-public 12'" 2>&1)
  echo "$out" | grep -q 'a key is 64 hex digits' || { echo "a malformed key was taken: $out"; return 1; }
}
signed_packs_then_none() { # whatever happened, the server ends with no key, as the other checks need
  local rc=0
  signed_packs || rc=1
  pgsql single -c 'ALTER SYSTEM RESET regula.public_key' -c 'SELECT pg_reload_conf()' > /dev/null &&
    pgsql single -c "DELETE FROM regula.packs WHERE name = 'signed'" > /dev/null && sleep 1 &&
    pgsql single -At -c "SELECT regula.settle('seed', '{}'::jsonb) IS NOT NULL" | grep -qx t || rc=1
  return $rc
}
check "regula.public_key: an unsigned pack and one of another key refused, the signed one settles" signed_packs_then_none

# ---- pg_regress: tests/pg/sql/*.sql against tests/pg/expected/*.out ----
regress() {
  local tests t
  PGDB=postgres pgsql single -c 'CREATE DATABASE regress' &&
    PGDB=regress pgsql single -v pack="$T/seed.rgc" <<'SQL' || return 1
CREATE EXTENSION regula;
\set image `base64 -w0 :'pack'`
SELECT regula.load_pack('seed', decode(:'image', 'base64')) IS NULL AS failed \gset
SQL
  tests=$(for t in "$ROOT"/tests/pg/sql/*.sql; do t=${t##*/}; echo "${t%.sql}"; done)
  mkdir -p "$T/regress"
  "$PGLIB/pgxs/src/test/regress/pg_regress" --use-existing --host="$PG_TMP/single/sock" --user=postgres \
    --dbname=regress --bindir="$PGBIN" --inputdir="$ROOT/tests/pg" --outputdir="$T/regress" $tests > "$T/regress.out" 2>&1 ||
    { cat "$T/regress.out"; head -80 "$T/regress/regression.diffs" 2>/dev/null
      mkdir -p "$B/pgtest" && cp "$T"/regress/results/*.out "$B/pgtest/"; echo "(the outputs are in $B/pgtest)"; return 1; }
}
check "pg_regress: packs, regula.settle, bad claims, malformed jsonb and ledgers, damaged packs, the batch" regress

# ---- tables, loading, settling, dumping ----
# mk_tables NODE PREFIX CLAIM_TYPE: PREFIX_claims, PREFIX_results, PREFIX_ledger
mk_tables() {
  pgsql "$1" <<SQL
CREATE TABLE $2_claims (LIKE regula.claims_template INCLUDING ALL);
ALTER TABLE $2_claims ALTER COLUMN claim TYPE $3;
CREATE TABLE $2_results (LIKE regula.results_template INCLUDING ALL);
CREATE TABLE $2_ledger (LIKE regula.ledger_template INCLUDING ALL);
SQL
}
# load NODE PREFIX FILE [--jsonb]
load() {
  python3 "$ROOT/tests/pg/claims.py" copy "$3" ${4:-} |
    pgsql "$1" -c "COPY $2_claims (claim_id, person_id, seq, claim) FROM STDIN"
}
# batch NODE PREFIX [CLAIMS]: settle PREFIX_claims (or the table or view CLAIMS); prints settled|failed|already
batch() {
  pgsql "$1" -At -c "SELECT settled, failed, already_settled FROM regula.settle_batch('seed', '${3:-$2_claims}', '$2_results', '$2_ledger')"
}
dump() { pgsql "$1" -At -c "SELECT result FROM $2_results ORDER BY seq"; }
# the ledger as one line per record, in a fixed order
ledger_rows() { pgsql "$1" -At -c "SELECT person_id, scope, key, fields FROM $2_ledger ORDER BY person_id, scope, key::text"; }
# same_json EXPECTED ACTUAL: line for line, as parsed JSON
same_json() {
  python3 "$ROOT/tests/conformance/jsonl_compare.py" "$1" "$2" > "$T/compare.out" ||
    { head -5 "$T/compare.out"; tail -1 "$T/compare.out"; return 1; }
  [ -s "$1" ]
}

# ---- results equal `regula run`'s: the conformance files, as text lines, as
# jsonb (the lines jsonb takes) and through regula.settle in a query ----
# fold NODE PREFIX: regula.settle claim by claim, each person's records threaded
fold() {
  pgsql "$1" <<SQL
CREATE TABLE $2_fold (seq bigint, result jsonb);
CREATE TABLE $2_fold_ledger (person_id text PRIMARY KEY, ledger jsonb);
DO \$\$
DECLARE c record; l jsonb; r jsonb;
BEGIN
  FOR c IN SELECT * FROM $2_claims ORDER BY seq LOOP
    SELECT ledger INTO l FROM $2_fold_ledger WHERE person_id = c.person_id;
    r := regula.settle('seed', c.claim, l, c.seq);
    INSERT INTO $2_fold VALUES (c.seq, r -> 'result');
    IF r -> 'ledger' <> '{}' THEN
      INSERT INTO $2_fold_ledger VALUES (c.person_id, regula.ledger_merge(l, r -> 'ledger'))
        ON CONFLICT (person_id) DO UPDATE SET ledger = excluded.ledger;
    END IF;
  END LOOP;
END \$\$;
SQL
}
fold_ledger_same() {
  [ "$(pgsql "$1" -At <<SQL
SELECT count(*) FROM (
  (SELECT person_id, s.key, r -> 'key', r -> 'fields' FROM $2_fold_ledger, jsonb_each(ledger) s, jsonb_array_elements(s.value) r
   EXCEPT ALL SELECT person_id, scope, key, fields FROM $2_ledger)
  UNION ALL
  (SELECT person_id, scope, key, fields FROM $2_ledger
   EXCEPT ALL SELECT person_id, s.key, r -> 'key', r -> 'fields' FROM $2_fold_ledger, jsonb_each(ledger) s, jsonb_array_elements(s.value) r)) d
SQL
)" = 0 ]
}

for f in claims part2-claims; do
  file="$CONF/$f.jsonl"
  [ -f "$file" ] || { bad "$file is missing"; continue; }
  p=${f//-/_}
  "$R" run --pack "$T/seed.rgc" "$file" > "$T/$p.expected"
  mk_tables single "$p" text && load single "$p" "$file" && batch single "$p" >/dev/null &&
    dump single "$p" > "$T/$p.batch"
  check "$f.jsonl: regula.settle_batch on text lines = regula run" same_json "$T/$p.expected" "$T/$p.batch"
  mk_tables single "${p}_j" jsonb && load single "${p}_j" "$file" --jsonb && batch single "${p}_j" >/dev/null &&
    dump single "${p}_j" > "$T/$p.jbatch"
  pgsql single -At -c "SELECT seq FROM ${p}_j_claims ORDER BY seq" > "$T/$p.jseqs"
  python3 "$ROOT/tests/pg/claims.py" pick "$T/$p.expected" "$T/$p.jseqs" > "$T/$p.jexpected"
  check "$f.jsonl: regula.settle_batch on jsonb claims = regula run (those lines)" same_json "$T/$p.jexpected" "$T/$p.jbatch"
  fold single "$p" && pgsql single -At -c "SELECT result FROM ${p}_fold ORDER BY seq" > "$T/$p.fold"
  check "$f.jsonl: regula.settle in a query, each person's ledger threaded = regula run" same_json "$T/$p.expected" "$T/$p.fold"
  check "$f.jsonl: the threaded ledger = the batch's ledger table" fold_ledger_same single "$p"
done

# ---- generated claims: the batch = regula run; settling again changes nothing ----
"$ROOT/bench/gen" --claims "$GEN_CLAIMS" --seed 19 --bad-rate 0.02 --part2 0.3 > "$T/gen.jsonl"
t0=$(secs); "$R" run --pack "$T/seed.rgc" "$T/gen.jsonl" > "$T/gen.expected"; t1=$(secs)
mk_tables single gen text && load single gen "$T/gen.jsonl" || bad "loading $GEN_CLAIMS generated claims"
t2=$(secs); counts=$(batch single gen); t3=$(secs)
dump single gen > "$T/gen.batch"
check "$GEN_CLAIMS generated claims (30% Part 2, 2% bad): regula.settle_batch = regula run" same_json "$T/gen.expected" "$T/gen.batch"
awk -v n="$GEN_CLAIMS" -v a="$t0" -v b="$t1" -v c="$t2" -v d="$t3" 'BEGIN {
  printf "     regula run %.0f claims/s, regula.settle_batch %.0f rows/s\n", n / (b - a), n / (d - c) }'
ledger_rows single gen > "$T/gen.ledger"
again=$(batch single gen 2>"$T/again.err")
ledger_rows single gen > "$T/gen.ledger2"
idempotent() {
  [ "$again" = "0|0|$GEN_CLAIMS" ] || { echo "second batch: $again (settled|failed|already)"; return 1; }
  grep -q "already settled" "$T/again.err" || { echo "no notice: $(cat "$T/again.err")"; return 1; }
  cmp -s "$T/gen.ledger" "$T/gen.ledger2" && [ -s "$T/gen.ledger" ] &&
    [ "$(pgsql single -At -c 'SELECT count(*) FROM gen_results')" = "$GEN_CLAIMS" ]
}
check "settling the same claims again: nothing settled, the ledger unchanged, a notice says so" idempotent

# ---- two sessions on disjoint persons at once = one session ----
mk_tables single con text
pgsql single <<'SQL'
CREATE VIEW con_a AS SELECT * FROM gen_claims WHERE person_id IS NULL OR hashtext(person_id) % 2 = 0;
CREATE VIEW con_b AS SELECT * FROM gen_claims WHERE hashtext(person_id) % 2 <> 0;
SQL
batch single con con_a > "$T/con_a.out" 2>&1 & a=$!
batch single con con_b > "$T/con_b.out" 2>&1 & b=$!
wait $a; ra=$?; wait $b; rb=$?
two_sessions() {
  [ $ra = 0 ] && [ $rb = 0 ] || { cat "$T/con_a.out" "$T/con_b.out"; return 1; }
  ledger_rows single con | diff - "$T/gen.ledger" > "$T/con.diff" || { echo "the ledgers differ:"; head -6 "$T/con.diff"; return 1; }
  dump single con | cmp -s - "$T/gen.batch"
}
check "two sessions settling disjoint persons at once: the same results and ledger as one" two_sessions

# ---- a backend killed in the middle of a batch leaves the ledger as it was;
# the batch run again gives the undisturbed results, nothing counted twice ----
mk_tables single kill text
pgsql single -c "CREATE VIEW kill_first AS SELECT * FROM gen_claims WHERE seq <= $GEN_CLAIMS / 2"
batch single kill kill_first >/dev/null
ledger_rows single kill > "$T/kill.before"
results_before=$(pgsql single -At -c 'SELECT count(*) FROM kill_results')
# kill_mid HOW: start the batch on every claim while another session holds the
# records of the person whose claims come last, so that the batch is surely
# in the middle (waiting for them, thousands of claims settled), and stop it
lock_person=$(pgsql single -At -c "SELECT c.person_id FROM gen_claims c JOIN kill_ledger l USING (person_id)
                                   WHERE c.seq > $GEN_CLAIMS / 2 GROUP BY c.person_id ORDER BY min(c.seq) DESC LIMIT 1")
waiting_batch() {
  pgsql single -At -c "SELECT pid FROM pg_stat_activity WHERE query LIKE '%settle_batch%kill_results%'
                       AND wait_event_type = 'Lock' AND pid <> pg_backend_pid()"
}
kill_mid() {
  local pid="" i bg locker
  PGAPPNAME=regula-locker pgsql single -c "BEGIN; SELECT 1 FROM kill_ledger WHERE person_id = '$lock_person' FOR UPDATE;
                                           SELECT pg_sleep(300)" >/dev/null 2>&1 & locker=$!
  batch single kill gen_claims > "$T/killed.out" 2>&1 & bg=$!
  for i in $(seq 600); do pid=$(waiting_batch); [ -n "$pid" ] && break; sleep 0.1; done
  [ -n "$pid" ] || { echo "the batch did not reach the locked records: $(cat "$T/killed.out")"; kill $locker; wait; return 1; }
  case $1 in
    cancel) pgsql single -At -c "SELECT pg_cancel_backend($pid)" >/dev/null ;;
    terminate) pgsql single -At -c "SELECT pg_terminate_backend($pid)" >/dev/null ;;
    kill9) kill -9 "$pid" ;;
  esac
  wait $bg && { echo "the batch finished: $(cat "$T/killed.out")"; return 1; }
  for i in $(seq 100); do pgsql single -At -c 'SELECT 1' >/dev/null 2>&1 && break; sleep 0.2; done
  pgsql single -At -c "SELECT pg_terminate_backend(pid) FROM pg_stat_activity WHERE application_name = 'regula-locker'" >/dev/null
  wait $locker
  ledger_rows single kill | cmp -s - "$T/kill.before" || { echo "the ledger changed"; return 1; }
  [ "$(pgsql single -At -c 'SELECT count(*) FROM kill_results')" = "$results_before" ]
}
check "pg_cancel_backend in the middle of a batch: ledger and results as before it" kill_mid cancel
check "pg_terminate_backend in the middle of a batch: ledger and results as before it" kill_mid terminate
check "kill -9 of the backend in the middle of a batch: ledger and results as before it" kill_mid kill9
rerun_same() {
  local counts
  counts=$(batch single kill gen_claims 2>/dev/null) || return 1
  [ "${counts##*|}" = "$results_before" ] || { echo "already settled: ${counts##*|}, expected $results_before"; return 1; }
  dump single kill | cmp -s - "$T/gen.batch" || { echo "the results differ from the undisturbed run"; return 1; }
  ledger_rows single kill | cmp -s - "$T/gen.ledger"
}
check "the batch run again after the kills = the undisturbed run" rerun_same

# ---- a pack replaced in another session is used from the next statement on ----
mkdir -p "$T/whatif" && cp -r "$ROOT/policies/." "$T/whatif/"
# the what-if of docs/postgres.md: LN-CY's 2024 employee outpatient cap ¥2500 -> ¥3000
sed -i '0,/outpatient_cap_employee = ¥2500/s//outpatient_cap_employee = ¥3000/' "$T/whatif/LN-CY.rg"
"$R" compile "$T/whatif" -o "$T/whatif.rgc" || bad "compiling the what-if pack"
cat > "$T/replace.sql" <<SQL
\set image \`base64 -w0 $T/whatif.rgc\`
SELECT regula.load_pack('inv', decode(:'image', 'base64')) IS NULL AS failed \gset
SQL
invalidated() {
  local out
  out=$(pgsql single -At <<SQL
\set image \`base64 -w0 $T/seed.rgc\`
SELECT regula.load_pack('inv', decode(:'image', 'base64')) IS NULL AS failed \gset
\set claim '{"claim_id": "W1", "person": {"id": "W", "insured_region": "LN-CY", "scheme": "employee", "status": "working", "enrolled_on": "2015-01-01", "account_balance": "0.00"}, "institution": {"id": "H", "region": "LN-CY", "level": 1, "designated": true, "specialty": false}, "visit": {"type": "outpatient", "date": "2024-05-01", "emergency": false, "card": true}, "items": [{"code": "D0001", "amount": "10000.00"}]}'
SELECT regula.settle('inv', :'claim'::jsonb) -> 'result' ->> 'fund';
\! $PSQL -X -q -v ON_ERROR_STOP=1 -h $PG_TMP/single/sock -U postgres -d regula -f $T/replace.sql
SELECT regula.settle('inv', :'claim'::jsonb) -> 'result' ->> 'fund';
SQL
)
  [ "$(echo $out)" = "2500.00 3000.00" ] || { echo "fund before and after: $out"; return 1; }
}
check "a pack replaced by another session: the next statement settles with the new one" invalidated

# ---- docs/postgres.md: every sh and sql block in order, each sql block's
# output = the text block after it ----
doc_examples() {
  local d="$T/doc" b n=0 rc=0
  mkdir -p "$d/bin" && cp -r "$ROOT/policies" "$ROOT/examples" "$d/" && ln -s "$R" "$d/bin/regula" || return 1
  python3 "$ROOT/tests/pg/docblocks.py" "$ROOT/docs/postgres.md" "$d/blocks" >/dev/null || return 1
  PGDB=postgres pgsql single -c 'CREATE DATABASE docs' || return 1
  for b in "$d"/blocks/*.sh "$d"/blocks/*.sql; do [ -e "$b" ] && echo "$b"; done | sort > "$d/order"
  while read -r b; do
    n=$((n + 1))
    case $b in
      *.sh) (cd "$d" && PATH="$d/bin:$PATH" bash -e "$b") > "$b.out" 2>&1 ||
              { echo "$(head -1 "$b"): failed:"; cat "$b.out"; rc=1; break; } ;;
      *.sql) (cd "$d" && PGDB=docs pgsql single < "$b") > "$b.out" 2>&1 ||
              { echo "$(head -1 "$b"): failed:"; cat "$b.out"; rc=1; break; }
             if [ -f "${b%.sql}.expected" ] && ! diff -u "${b%.sql}.expected" "$b.out" > "$b.diff"; then
               echo "$(head -1 "$b"): the output differs from the page:"; cat "$b.diff"; rc=1
             fi ;;
    esac
  done < "$d/order"
  [ $rc = 0 ] || { mkdir -p "$B/pgtest" && rm -rf "$B/pgtest/doc" && cp -r "$d/blocks" "$B/pgtest/doc"
                   echo "(the blocks and their outputs are in $B/pgtest/doc)"; }
  [ $rc = 0 ] && [ $n -gt 0 ]
}
check "docs/postgres.md: its examples run and print what the page shows" doc_examples

# ---- scale-out: claims and ledger hash-partitioned by person over two nodes
# (postgres_fdw and declarative partitioning on a coordinator), each node
# settling its own partition, the gathered results = the single node's ----
scale_out() {
  local n t0 t1 pids="" rc=0
  for n in w0 w1 coord; do
    pg_start $n && PGDB=postgres pgsql $n -c 'CREATE DATABASE regula' || return 1
  done
  for n in w0 w1; do
    pgsql $n -v pack="$T/seed.rgc" <<'SQL' || return 1
CREATE EXTENSION regula;
\set image `base64 -w0 :'pack'`
SELECT regula.load_pack('seed', decode(:'image', 'base64')) IS NULL AS failed \gset
SQL
    mk_tables $n sc text || return 1
  done
  pgsql coord <<SQL || return 1
CREATE EXTENSION postgres_fdw;
CREATE SERVER w0 FOREIGN DATA WRAPPER postgres_fdw OPTIONS (host '$PG_TMP/w0/sock', dbname 'regula', batch_size '1000');
CREATE SERVER w1 FOREIGN DATA WRAPPER postgres_fdw OPTIONS (host '$PG_TMP/w1/sock', dbname 'regula', batch_size '1000');
CREATE USER MAPPING FOR postgres SERVER w0 OPTIONS (user 'postgres');
CREATE USER MAPPING FOR postgres SERVER w1 OPTIONS (user 'postgres');
CREATE TABLE sc_claims (claim_id text, person_id text, seq bigint, claim text) PARTITION BY HASH (person_id);
CREATE TABLE sc_results (claim_id text, seq bigint, person_id text, ok boolean, result jsonb, error text,
                         settled_at timestamptz) PARTITION BY HASH (person_id);
CREATE TABLE sc_ledger (person_id text, scope text, key jsonb, fields jsonb, claim_id text) PARTITION BY HASH (person_id);
CREATE FOREIGN TABLE sc_claims_0 PARTITION OF sc_claims FOR VALUES WITH (MODULUS 2, REMAINDER 0) SERVER w0 OPTIONS (table_name 'sc_claims');
CREATE FOREIGN TABLE sc_claims_1 PARTITION OF sc_claims FOR VALUES WITH (MODULUS 2, REMAINDER 1) SERVER w1 OPTIONS (table_name 'sc_claims');
CREATE FOREIGN TABLE sc_results_0 PARTITION OF sc_results FOR VALUES WITH (MODULUS 2, REMAINDER 0) SERVER w0 OPTIONS (table_name 'sc_results');
CREATE FOREIGN TABLE sc_results_1 PARTITION OF sc_results FOR VALUES WITH (MODULUS 2, REMAINDER 1) SERVER w1 OPTIONS (table_name 'sc_results');
CREATE FOREIGN TABLE sc_ledger_0 PARTITION OF sc_ledger FOR VALUES WITH (MODULUS 2, REMAINDER 0) SERVER w0 OPTIONS (table_name 'sc_ledger');
CREATE FOREIGN TABLE sc_ledger_1 PARTITION OF sc_ledger FOR VALUES WITH (MODULUS 2, REMAINDER 1) SERVER w1 OPTIONS (table_name 'sc_ledger');
SQL
  # the claims go in through the coordinator, each to its person's node
  load coord sc "$T/gen.jsonl" || return 1
  for n in w0 w1; do
    [ "$(pgsql $n -At -c 'SELECT count(*) FROM sc_claims')" -gt 0 ] || { echo "node $n holds no claims"; return 1; }
  done
  t0=$(secs)
  for n in w0 w1; do batch $n sc > "$T/sc_$n.out" 2>&1 & pids="$pids $!"; done
  for n in $pids; do wait $n || rc=1; done
  t1=$(secs)
  [ $rc = 0 ] || { cat "$T"/sc_w*.out; return 1; }
  awk -v n="$GEN_CLAIMS" -v a="$t0" -v b="$t1" 'BEGIN { printf "     two nodes settling at once: %.0f rows/s\n", n / (b - a) }'
  dump coord sc | cmp -s - "$T/gen.batch" || { echo "the gathered results differ from the single node's"; return 1; }
  ledger_rows coord sc | cmp -s - "$T/gen.ledger" || { echo "the gathered ledger differs from the single node's"; return 1; }
}
check "scale-out: two nodes settle their persons' partitions; the gathered results and ledger = one node's" scale_out

[ -n "${PGTEST_HOLD:-}" ] && { echo "holding: $PG_TMP"; sleep "$PGTEST_HOLD"; }
finish
