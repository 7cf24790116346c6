#!/usr/bin/env bash
# bench.sh BUILD_DIR [CLAIMS] — the extension's speed (make pgbench): rows per second of regula.settle_batch and of regula.settle in a query, beside `regula run`'s claims per second, on the same generated claims, on a server of its own.
# Must not assert a time (it prints figures for docs/performance.md) and must leave no server running.
set -u
ROOT=$(cd "$(dirname "$0")/../.." && pwd)
B=$(cd "${1:-build}" && pwd)
N=${2:-100000}
ROUNDS=${PGBENCH_ROUNDS:-3}
R="$B/regula"
. "$ROOT/tests/pg/cluster.sh"
T=$PG_TMP/work; mkdir -p "$T"
pg_inst && pg_start bench && PGDB=postgres pgsql bench -c 'CREATE DATABASE regula' || exit 1
"$R" compile "$ROOT/policies" -o "$T/seed.rgc" || exit 1
"$ROOT/bench/gen" --claims "$N" --seed 7 --bad-rate 0 > "$T/claims.jsonl"
pgsql bench -v pack="$T/seed.rgc" <<'SQL' || exit 1
CREATE EXTENSION regula;
\set image `base64 -w0 :'pack'`
SELECT regula.load_pack('seed', decode(:'image', 'base64')) IS NULL AS failed \gset
CREATE TABLE claims (LIKE regula.claims_template INCLUDING ALL);
SQL
python3 "$ROOT/tests/pg/claims.py" copy "$T/claims.jsonl" --jsonb |
  pgsql bench -c "COPY claims (claim_id, person_id, seq, claim) FROM STDIN" || exit 1
pgsql bench -c 'CREATE TABLE claims_text AS SELECT claim_id, person_id, seq, claim::text AS claim FROM claims' &&
  pgsql bench -c 'VACUUM ANALYZE claims, claims_text' || exit 1
secs() { date +%s.%N; }
median() { sort -g | awk '{v[NR] = $1} END {print v[int((NR + 1) / 2)]}'; }
rate() { awk -v n="$N" -v a="$1" -v b="$2" 'BEGIN {printf "%.0f\n", n / (b - a)}'; }
measure() { # NAME COMMAND...: rows per second, the median of ROUNDS runs
  local name=$1 i t0 t1; shift
  for i in $(seq "$ROUNDS"); do
    t0=$(secs); "$@" >/dev/null 2>&1 || { echo "$name failed" >&2; return 1; }; t1=$(secs); rate "$t0" "$t1"
  done | median | xargs printf "%-44s %8s /s\n" "$name"
}
run_cli() { "$R" run --pack "$T/seed.rgc" "$T/claims.jsonl" > /dev/null; [ $? -le 1 ]; }
batch() { # a fresh results and ledger table each round
  pgsql bench -c "DROP TABLE IF EXISTS r, l; CREATE TABLE r (LIKE regula.results_template INCLUDING ALL);
                  CREATE TABLE l (LIKE regula.ledger_template INCLUDING ALL)" &&
    pgsql bench -At -c "SELECT * FROM regula.settle_batch('seed', '$1', 'r', 'l')"
}
in_query() { pgsql bench -At -c "SELECT count(regula.settle('seed', claim)) FROM $1"; }
in_query_parallel() {
  pgsql bench -At -c "SET max_parallel_workers_per_gather = 2; SET parallel_setup_cost = 0; SET min_parallel_table_scan_size = 0;
                      SELECT count(regula.settle('seed', claim)) FROM $1"
}
echo "$N claims (bench/gen --seed 7 --bad-rate 0), $ROUNDS rounds, median; $(nproc) cores"
measure "regula run (file to /dev/null)" run_cli
measure "regula.settle_batch, jsonb claims" batch claims
measure "regula.settle_batch, text claims" batch claims_text
measure "regula.settle in a query, jsonb claims" in_query claims
measure "regula.settle in a query, text claims" in_query claims_text
measure "regula.settle in a query, 2 parallel workers" in_query_parallel claims
