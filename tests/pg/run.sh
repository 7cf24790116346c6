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
# from jansson or libffi that postgres defines too (it would call postgres's) ----
symbols_clean() {
  local so="$B/pg/regula.so" lib f clash
  [ -f "$so" ] || { echo "no $so: run make pg"; return 1; }
  nm -D --defined-only "$PGBIN/postgres" | awk '{print $3}' | sort -u > "$T/postgres.syms"
  nm -D --undefined-only "$so" | awk '{print $2}' | sed 's/@.*//' | sort -u > "$T/module.needs"
  for lib in libjansson.so.4 libffi.so.8; do
    f=$(ldconfig -p | awk -v l="$lib" '$1 == l {print $NF; exit}')
    [ -n "$f" ] && nm -D --defined-only "$f" | awk '{print $3}' | sed 's/@.*//'
  done | sort -u > "$T/libs.syms"
  clash=$(comm -12 "$T/libs.syms" "$T/module.needs" | comm -12 - "$T/postgres.syms")
  [ -z "$clash" ] || { echo "symbols that both postgres and jansson/libffi define: $clash"; return 1; }
  [ -z "$(nm -D --defined-only "$so" | awk '{print $3}' | grep -v -e '^Pg_magic_func$' -e '^_PG_init$' -e '^pg_finfo_regula_' -e '^regula_')" ]
}
check "regula.so exports the module's symbols only, takes none that postgres also defines" symbols_clean

pg_inst || { bad "installing the extension into a private tree"; finish; }
pg_start single || { bad "starting a server"; finish; }
PGDB=postgres pgsql single -c 'CREATE DATABASE regula' || { bad "creating the database"; finish; }
"$R" compile "$ROOT/policies" -o "$T/seed.rgc" || { bad "compiling the seed pack"; finish; }
pgsql single -v pack="$T/seed.rgc" <<'SQL' || { bad "CREATE EXTENSION regula; regula.load_pack"; finish; }
CREATE EXTENSION regula;
\set image `base64 -w0 :'pack'`
SELECT regula.load_pack('seed', decode(:'image', 'base64')) IS NULL AS failed \gset
SQL
ok "CREATE EXTENSION regula and regula.load_pack"

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
ledger_rows() { pgsql "$1" -At -c "SELECT person_id, scope, key, fields FROM $2_ledger ORDER BY 1, 2, 3::text"; }
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
