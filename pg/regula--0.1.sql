-- regula--0.1.sql — what CREATE EXTENSION regula makes: the packs table, the table shapes of claims, results and ledgers, and the SQL names of the C functions.
-- Must not hold settlement logic (that is the pack's, run by libregula) nor anything tied to one pack's ledger scopes.
\echo Use "CREATE EXTENSION regula" to load this file. \quit

-- compiled packs (regula compile POLICIES -o PACK.rgc), by name; each backend
-- loads a pack once and reloads it when this table changes
CREATE TABLE regula.packs (
    name text PRIMARY KEY,
    image bytea NOT NULL,
    loaded_at timestamptz NOT NULL DEFAULT now()
);
SELECT pg_catalog.pg_extension_config_dump('regula.packs', '');

CREATE FUNCTION regula.packs_changed() RETURNS trigger
    AS 'MODULE_PATHNAME', 'regula_packs_changed' LANGUAGE C;
CREATE TRIGGER packs_changed AFTER INSERT OR UPDATE OR DELETE OR TRUNCATE ON regula.packs
    FOR EACH STATEMENT EXECUTE FUNCTION regula.packs_changed();

-- The shapes regula.settle_batch reads and writes: CREATE TABLE t (LIKE
-- regula.results_template INCLUDING ALL), partitioned by person_id if wanted.
-- claims: in claim order (seq), the claim as jsonb, json or text (a raw line)
CREATE TABLE regula.claims_template (
    claim_id text PRIMARY KEY,
    person_id text,
    seq bigint NOT NULL,
    claim jsonb
);
-- results: one row per claim settled; result is what `regula run` writes for
-- it (its error object when it failed: ok false, error its message)
CREATE TABLE regula.results_template (
    claim_id text PRIMARY KEY,
    seq bigint,
    person_id text,
    ok boolean NOT NULL,
    result jsonb NOT NULL,
    error text,
    settled_at timestamptz NOT NULL DEFAULT now()
);
-- ledger: one record per person, scope and key (["P01", 2024] for the seed
-- pack's yearly scope), its fields as {"outpatient_fund_paid": 1200.00, ...}
CREATE TABLE regula.ledger_template (
    person_id text NOT NULL,
    scope text NOT NULL,
    key jsonb NOT NULL,
    fields jsonb NOT NULL,
    claim_id text,
    PRIMARY KEY (person_id, scope, key)
);

CREATE FUNCTION regula.load_pack(name text, image bytea) RETURNS jsonb
    AS 'MODULE_PATHNAME', 'regula_load_pack' LANGUAGE C VOLATILE;
COMMENT ON FUNCTION regula.load_pack(text, bytea) IS
    'verify a compiled pack and store it under a name (replacing one); returns its outputs and ledger scopes';

CREATE FUNCTION regula.pack_info(name text) RETURNS jsonb
    AS 'MODULE_PATHNAME', 'regula_pack_info' LANGUAGE C STABLE STRICT PARALLEL SAFE;

CREATE FUNCTION regula.settle(pack text, claim jsonb, ledger jsonb DEFAULT NULL, line bigint DEFAULT 0)
    RETURNS jsonb AS 'MODULE_PATHNAME', 'regula_settle_jsonb' LANGUAGE C STABLE PARALLEL SAFE;
CREATE FUNCTION regula.settle(pack text, claim text, ledger jsonb DEFAULT NULL, line bigint DEFAULT 0)
    RETURNS jsonb AS 'MODULE_PATHNAME', 'regula_settle_text' LANGUAGE C STABLE PARALLEL SAFE;
COMMENT ON FUNCTION regula.settle(text, jsonb, jsonb, bigint) IS
    'settle one claim with the given ledger records: {"result": what regula run writes, "ledger": the new records}';

CREATE FUNCTION regula.settle_batch(pack text, claims regclass, results regclass, ledger regclass,
                                    OUT settled bigint, OUT failed bigint, OUT already_settled bigint)
    AS 'MODULE_PATHNAME', 'regula_settle_batch' LANGUAGE C VOLATILE STRICT;
COMMENT ON FUNCTION regula.settle_batch(text, regclass, regclass, regclass) IS
    'settle the claims not yet in results, in seq order, with and into the ledger table, in this transaction';

-- the records of NEW replace those of OLD with the same scope and key (a fold
-- over regula.settle's "ledger")
CREATE FUNCTION regula.ledger_merge(old jsonb, new jsonb) RETURNS jsonb LANGUAGE sql IMMUTABLE PARALLEL SAFE AS $$
    SELECT coalesce(jsonb_object_agg(scope, recs), '{}'::jsonb) FROM (
        SELECT scope, jsonb_agg(rec) AS recs FROM (
            SELECT o.key AS scope, r.rec
              FROM jsonb_each(coalesce(old, '{}'::jsonb)) o, jsonb_array_elements(o.value) r(rec)
             WHERE NOT EXISTS (SELECT 1 FROM jsonb_array_elements(coalesce(new -> o.key, '[]'::jsonb)) n(rec)
                                WHERE n.rec -> 'key' = r.rec -> 'key')
            UNION ALL
            SELECT n.key, r.rec FROM jsonb_each(coalesce(new, '{}'::jsonb)) n, jsonb_array_elements(n.value) r(rec)
        ) x GROUP BY scope
    ) y
$$;
