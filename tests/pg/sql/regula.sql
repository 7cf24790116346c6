-- regula.sql — pg_regress: the extension in one session: a pack's description, regula.settle with and without ledgers, bad claims as error results, malformed jsonb and ledgers as clean errors, damaged packs refused, the batch's idempotence and atomicity.
-- Must not depend on the machine: no timings, no paths; the seed pack is loaded as 'seed' before it runs.
\set VERBOSITY terse
CREATE TEMP TABLE c (name text PRIMARY KEY, claim jsonb);
INSERT INTO c VALUES
 ('out', '{"claim_id": "T-1", "person": {"id": "P1", "insured_region": "BJ", "scheme": "resident", "status": "working", "enrolled_on": "2015-01-01", "account_balance": "0.00"}, "institution": {"id": "H1", "region": "BJ", "level": 1, "designated": true, "specialty": false}, "visit": {"type": "outpatient", "date": "2024-03-05", "emergency": false, "card": true}, "items": [{"code": "D0001", "amount": "120.50"}]}'),
 ('emp', '{"claim_id": "T-2", "person": {"id": "P2", "insured_region": "LN-CY", "scheme": "employee", "status": "working", "enrolled_on": "2015-01-01", "account_balance": "500.00"}, "institution": {"id": "H2", "region": "LN-CY", "level": 1, "designated": true, "specialty": false}, "visit": {"type": "outpatient", "date": "2024-05-01", "emergency": false, "card": true}, "items": [{"code": "D0001", "amount": "1000.00"}]}');

-- what the pack says of itself: outputs, ledger scopes, key types, fields
SELECT regula.pack_info('seed') -> 'outputs' AS outputs;
SELECT s.key AS scope, s.value -> 'key' AS key, s.value -> 'fields' AS fields
  FROM jsonb_each(regula.pack_info('seed') -> 'ledger') s ORDER BY 1;

-- one claim, no ledger yet: the result and the new records
SELECT jsonb_pretty(regula.settle('seed', claim)) FROM c WHERE name = 'out';
-- the same person again with the records the first gave: the deductible is met
WITH first AS (SELECT regula.settle('seed', claim) AS s FROM c WHERE name = 'emp')
SELECT r -> 'result' ->> 'deductible' AS deductible_first,
       regula.settle('seed', jsonb_set(claim, '{claim_id}', '"T-3"'), r -> 'ledger') -> 'result' ->> 'deductible' AS deductible_again,
       regula.settle('seed', jsonb_set(claim, '{claim_id}', '"T-3"'), r -> 'ledger') #> '{ledger,yearly,0,fields,outpatient_fund_paid}' AS fund_paid_after
  FROM c, first f(r) WHERE name = 'emp';
-- records of other keys are ignored; a scope given as one record is taken
SELECT s -> 'result' ->> 'account' AS account_paid, s #> '{ledger,personal_account,0,fields}' AS account_after
  FROM (SELECT regula.settle('seed', claim, '{"yearly": [{"key": ["P9", 2024], "fields": {}}], "personal_account": {"key": ["P2"], "fields": {"balance": 12.5}}}') AS s
          FROM c WHERE name = 'emp') x;
-- text claims too (a raw line), with the line number in the error as regula run writes it
SELECT regula.settle('seed', '{"claim_id": "T-4"', NULL, 75) -> 'result' AS bad_json;

-- bad claims are error results, never errors
SELECT regula.settle('seed', j) -> 'result' AS result FROM (VALUES
  ('null'::jsonb), ('[]'), ('42'), ('"claim"'), ('{}'), ('{"claim_id": 7}'),
  ('{"claim_id": "T-5", "person": "nobody"}'),
  (jsonb_set((SELECT claim FROM c WHERE name = 'out'), '{items,0,amount}', '"-5.00"')),
  (jsonb_set((SELECT claim FROM c WHERE name = 'out'), '{visit,date}', '"2025-02-30"'))) v(j);
SELECT regula.settle('seed', NULL::jsonb) IS NULL AS null_claim_null_result;
-- deep and large jsonb survive
SELECT regula.settle('seed', (repeat('[', 5000) || repeat(']', 5000))::jsonb) -> 'result' ->> 'error' AS deep;
SELECT length(regula.settle('seed', jsonb_build_object('claim_id', repeat('x', 1000000))) -> 'result' ->> 'error') > 0 AS large;

-- malformed ledgers: a clear error each
SELECT regula.settle('seed', claim, '[1, 2]') FROM c WHERE name = 'out';
SELECT regula.settle('seed', claim, '"yearly"') FROM c WHERE name = 'out';
SELECT regula.settle('seed', claim, '{"yearly": 5}') FROM c WHERE name = 'out';
SELECT regula.settle('seed', claim, '{"yearly": [5]}') FROM c WHERE name = 'out';
SELECT regula.settle('seed', claim, '{"yearly": [{"fields": {}}]}') FROM c WHERE name = 'out';
SELECT regula.settle('seed', claim, '{"yearly": [{"key": ["P1", 2024]}]}') FROM c WHERE name = 'out';
SELECT regula.settle('seed', claim, '{"yearly": [{"key": ["P1", 2024], "fields": {"critical_base": 1}}]}') FROM c WHERE name = 'out';
SELECT regula.settle('seed', claim, '{"personal_account": [{"key": ["P1"], "fields": {"balance": 1.005}}]}') FROM c WHERE name = 'out';
SELECT regula.settle('seed', claim, '{"personal_account": [{"key": ["P1"], "fields": {"balance": true}}]}') FROM c WHERE name = 'out';
SELECT regula.settle('seed', claim, 'null') -> 'result' ->> 'fund' AS null_ledger_is_none FROM c WHERE name = 'out';

-- packs: unknown, damaged on load, damaged in the table, replaced
SELECT regula.settle('nosuch', '{}'::jsonb);
SELECT regula.settle(NULL, '{}'::jsonb);
SELECT regula.load_pack('bad', '\x00');
SELECT regula.load_pack('bad', substr(image, 1, length(image) - 10)) FROM regula.packs WHERE name = 'seed';
SELECT regula.load_pack(repeat('n', 200), image) FROM regula.packs WHERE name = 'seed';
INSERT INTO regula.packs (name, image) SELECT 'broken', substr(image, 1, 200) FROM regula.packs WHERE name = 'seed';
SELECT regula.settle('broken', claim) FROM c WHERE name = 'out';
DELETE FROM regula.packs WHERE name = 'broken';
-- 300 packs with one byte changed: each refused with an error or loaded and settling; the backend lives
DO $$
DECLARE img bytea := (SELECT image FROM regula.packs WHERE name = 'seed'); v bytea; i int; refused int := 0; settled int := 0;
BEGIN
  PERFORM setseed(0.19);
  FOR i IN 1..300 LOOP
    v := set_byte(img, (random() * (length(img) - 1))::int, (random() * 255)::int);
    BEGIN
      PERFORM regula.load_pack('fuzz', v);
      PERFORM regula.settle('fuzz', claim) FROM c;
      settled := settled + 1;
    EXCEPTION WHEN others THEN refused := refused + 1;
    END;
  END LOOP;
  RAISE NOTICE 'one-byte changes: % in all', refused + settled;
END $$;
SELECT count(*) AS fuzz_packs_left FROM regula.packs WHERE name = 'fuzz';
DELETE FROM regula.packs WHERE name = 'fuzz';
-- a pack replaced under the same name is used from the next statement on
SELECT regula.load_pack('copy', image) ->> 'outputs' IS NOT NULL AS loaded FROM regula.packs WHERE name = 'seed';
SELECT regula.settle('copy', claim) -> 'result' ->> 'fund' AS fund FROM c WHERE name = 'out';
UPDATE regula.packs SET image = substr(image, 1, 300) WHERE name = 'copy';
SELECT regula.settle('copy', claim) -> 'result' ->> 'fund' AS fund FROM c WHERE name = 'out';
UPDATE regula.packs p SET image = s.image FROM regula.packs s WHERE p.name = 'copy' AND s.name = 'seed';
SELECT regula.settle('copy', claim) -> 'result' ->> 'fund' AS fund FROM c WHERE name = 'out';

-- the batch: idempotent per claim_id, bad claims in the results, atomic
CREATE TABLE b_claims (LIKE regula.claims_template INCLUDING ALL);
CREATE TABLE b_results (LIKE regula.results_template INCLUDING ALL);
CREATE TABLE b_ledger (LIKE regula.ledger_template INCLUDING ALL);
INSERT INTO b_claims SELECT claim ->> 'claim_id', claim #>> '{person,id}', row_number() OVER (ORDER BY name), claim FROM c;
INSERT INTO b_claims VALUES ('T-9', 'P1', 3, '{"claim_id": "T-9"}'), ('T-10', NULL, 4, '[]');
SELECT * FROM regula.settle_batch('seed', 'b_claims', 'b_results', 'b_ledger');
SELECT claim_id, seq, person_id, ok, error, result ->> 'fund' AS fund FROM b_results ORDER BY seq;
SELECT person_id, scope, key, fields FROM b_ledger ORDER BY person_id, scope, key::text;
SELECT * FROM regula.settle_batch('seed', 'b_claims', 'b_results', 'b_ledger');
-- a second row with a claim_id already settled is not settled again
ALTER TABLE b_claims DROP CONSTRAINT b_claims_pkey;
INSERT INTO b_claims SELECT 'T-2', 'P2', 5, claim FROM c WHERE name = 'emp';
INSERT INTO b_claims SELECT 'T-11', 'P2', 6, jsonb_set(claim, '{claim_id}', '"T-11"') FROM c WHERE name = 'emp';
INSERT INTO b_claims SELECT 'T-11', 'P2', 7, jsonb_set(claim, '{claim_id}', '"T-11"') FROM c WHERE name = 'emp';
SELECT * FROM regula.settle_batch('seed', 'b_claims', 'b_results', 'b_ledger');
SELECT person_id, key, fields ->> 'outpatient_fund_paid' AS fund_paid FROM b_ledger WHERE scope = 'yearly' ORDER BY 1;
-- a claim that settles needs its person: the whole batch fails, nothing is written
INSERT INTO b_claims VALUES ('T-12', 'P1', 8, (SELECT jsonb_set(claim, '{claim_id}', '"T-12"') FROM c WHERE name = 'out')),
                            ('T-13', NULL, 9, (SELECT jsonb_set(claim, '{claim_id}', '"T-13"') FROM c WHERE name = 'out'));
SELECT * FROM regula.settle_batch('seed', 'b_claims', 'b_results', 'b_ledger');
SELECT count(*) AS results, (SELECT count(*) FROM b_ledger) AS records FROM b_results;
-- tables that are not of the shape: a clear error
SELECT * FROM regula.settle_batch('seed', 'c', 'b_results', 'b_ledger');
SELECT * FROM regula.settle_batch('seed', 'b_claims', 'b_results', 'nosuch');
SELECT regula.ledger_merge('{"s": [{"key": [1], "fields": {"a": 1}}, {"key": [2], "fields": {"a": 2}}]}',
                           '{"s": [{"key": [2], "fields": {"a": 3}}], "t": [{"key": [1], "fields": {}}]}');
