/* batch.c — regula.settle_batch(pack, claims, results, ledger): the set-based path. Settles the claims of a table (or view) in claim order, each claim's records read from a ledger table keyed by person, scope and key, and writes one result row per claim and the new records, all in the caller's transaction.
 * Must not settle a claim whose claim_id already has a result (it counts it and says so), must not write a record of a failed claim, and must not hold a regula_* call on the stack while it runs SQL or raises an ERROR. */
#include "postgres.h"

#include <limits.h>

#include "catalog/pg_type.h"
#include "common/hashfn.h"
#include "executor/spi.h"
#include "fmgr.h"
#include "funcapi.h"
#include "miscadmin.h"
#include "utils/builtins.h"
#include "utils/hsearch.h"
#include "utils/jsonb.h"
#include "utils/lsyscache.h"
#include "utils/memutils.h"
#include "utils/regproc.h"

#include "regula_pg.h"

static const char *const WHAT = "regula.settle_batch";

#define FETCH 1000             /* claims read at a time */
#define FLUSH_RECORDS 200000   /* records held in memory before they are written */

/* A ledger record as this batch knows it: read (FOR UPDATE) on first use,
 * updated in memory claim after claim, written at the end. */
typedef struct record {
    char *id;       /* hash key: person \x1f scope \x1f key text */
    char *person;
    unsigned scope;
    char *key;      /* as jsonb prints it */
    int64 *fields;  /* NULL: no record yet */
    bool stored;    /* a row exists in the ledger table */
    bool dirty;
    char *claim_id; /* the last claim that changed it */
} record;

typedef struct {
    rp_pack *p;
    MemoryContext recmem; /* the records (reset at each flush) */
    HTAB *records;
    HTAB *done;           /* claim_ids settled by this batch: a repeated one is not settled again */
    SPIPlanPtr sel, ins, upd, res;
    long n_records;
} batch;

static uint32 str_hash(const void *key, Size size)
{
    (void)size;
    const char *s = *(char *const *)key;
    return hash_bytes((const unsigned char *)s, (int)strlen(s));
}

static int str_match(const void *a, const void *b, Size size)
{
    (void)size;
    return strcmp(*(char *const *)a, *(char *const *)b);
}

static HTAB *string_table(const char *name, Size entrysize, MemoryContext cxt)
{
    HASHCTL ctl = {0};
    ctl.keysize = sizeof(char *);
    ctl.entrysize = entrysize;
    ctl.hash = str_hash;
    ctl.match = str_match;
    ctl.hcxt = cxt;
    return hash_create(name, 1024, &ctl, HASH_ELEM | HASH_FUNCTION | HASH_COMPARE | HASH_CONTEXT);
}

static SPIPlanPtr prepare(const char *sql, int n, Oid *types)
{
    SPIPlanPtr plan = SPI_prepare(sql, n, types);
    if (!plan)
        elog(ERROR, "%s: preparing \"%s\" failed: %s", WHAT, sql, SPI_result_code_string(SPI_result));
    return plan;
}

static void exec(SPIPlanPtr plan, Datum *args, const char *nulls, int expect)
{
    int rc = SPI_execute_plan(plan, args, nulls, false, 0);
    if (rc != expect)
        elog(ERROR, "%s: a statement failed: %s", WHAT, SPI_result_code_string(rc));
}

/* Write the changed records and forget them all (their rows are locked). */
static void flush(batch *b, MemoryContext tmp)
{
    MemoryContext old = MemoryContextSwitchTo(tmp);
    HASH_SEQ_STATUS it;
    hash_seq_init(&it, b->records);
    StringInfoData f;
    initStringInfo(&f);
    for (record *r; (r = hash_seq_search(&it));) {
        if (!r->dirty)
            continue;
        CHECK_FOR_INTERRUPTS();
        resetStringInfo(&f);
        rp_fields_json(b->p, r->scope, r->fields, &f);
        Datum args[5] = {CStringGetTextDatum(r->person), CStringGetTextDatum(b->p->scopes[r->scope].name),
                         CStringGetTextDatum(r->key), CStringGetTextDatum(f.data), CStringGetTextDatum(r->claim_id)};
        exec(r->stored ? b->upd : b->ins, args, NULL, r->stored ? SPI_OK_UPDATE : SPI_OK_INSERT);
        if (SPI_processed != 1)
            elog(ERROR, "%s: the ledger record %s of %s changed under the batch", WHAT, r->key, r->person);
        MemoryContextReset(tmp);
        initStringInfo(&f);
    }
    MemoryContextSwitchTo(old);
    MemoryContextReset(tmp);
    hash_destroy(b->records);
    MemoryContextReset(b->recmem);
    b->records = string_table("regula ledger records", sizeof(record), b->recmem);
    b->n_records = 0;
}

/* The record of scope S that the bound claim touches, read on first use. */
static record *find(batch *b, const char *person, unsigned s, StringInfo key, StringInfo id)
{
    resetStringInfo(key);
    rp_key_text(b->p, s, key);
    resetStringInfo(id);
    appendStringInfo(id, "%s\x1f%u\x1f%s", person, s, key->data);
    char *idp = id->data;
    bool found;
    record *r = hash_search(b->records, &idp, HASH_FIND, &found);
    if (r)
        return r;
    Datum args[3] = {CStringGetTextDatum(person), CStringGetTextDatum(b->p->scopes[s].name),
                     CStringGetTextDatum(key->data)};
    exec(b->sel, args, NULL, SPI_OK_SELECT);
    MemoryContext old = MemoryContextSwitchTo(b->recmem);
    char *rid = pstrdup(id->data);
    r = hash_search(b->records, &rid, HASH_ENTER, &found);
    r->id = rid;
    r->person = pstrdup(person);
    r->scope = s;
    r->key = pstrdup(key->data);
    r->fields = NULL;
    r->stored = SPI_processed > 0;
    r->dirty = false;
    r->claim_id = NULL;
    if (r->stored) {
        bool isnull;
        Datum d = SPI_getbinval(SPI_tuptable->vals[0], SPI_tuptable->tupdesc, 1, &isnull);
        r->fields = palloc(sizeof(int64) * Max(b->p->scopes[s].n_fields, 1));
        if (isnull)
            elog(ERROR, "%s: the ledger record %s of %s has null fields", WHAT, r->key, person);
        Jsonb *j = DatumGetJsonbP(d);
        rp_fields_parse(b->p, s, &j->root, r->fields, WHAT);
    }
    MemoryContextSwitchTo(old);
    SPI_freetuptable(SPI_tuptable);
    b->n_records++;
    return r;
}

PG_FUNCTION_INFO_V1(regula_settle_batch);
/* regula.settle_batch(pack text, claims regclass, results regclass, ledger regclass)
 *   returns table (settled bigint, failed bigint, already_settled bigint) */
Datum regula_settle_batch(PG_FUNCTION_ARGS)
{
    for (int i = 0; i < 4; i++)
        if (PG_ARGISNULL(i))
            ereport(ERROR, (errcode(ERRCODE_NULL_VALUE_NOT_ALLOWED), errmsg("%s: no argument may be null", WHAT)));
    char *pack = text_to_cstring(PG_GETARG_TEXT_PP(0));
    char *tables[3]; /* claims, results, ledger: quoted, qualified when not on the search path */
    for (int i = 0; i < 3; i++)
        tables[i] = DatumGetCString(DirectFunctionCall1(regclassout, PG_GETARG_DATUM(i + 1)));
    TupleDesc rdesc;
    if (get_call_result_type(fcinfo, NULL, &rdesc) != TYPEFUNC_COMPOSITE)
        elog(ERROR, "%s: must return a row", WHAT);
    rdesc = BlessTupleDesc(rdesc);

    batch b = {0};
    b.p = rp_pack_get(pack);
    rp_pack_acquire(b.p);
    MemoryContext fnmem = CurrentMemoryContext;
    b.recmem = AllocSetContextCreate(fnmem, "regula batch records", ALLOCSET_DEFAULT_SIZES);
    b.records = string_table("regula ledger records", sizeof(record), b.recmem);
    b.done = string_table("regula settled claims", sizeof(char *), fnmem);
    MemoryContext claimmem = AllocSetContextCreate(fnmem, "regula batch claim", ALLOCSET_SMALL_SIZES);

    if (SPI_connect() != SPI_OK_CONNECT)
        elog(ERROR, "%s: SPI_connect failed", WHAT);
    StringInfoData sql;
    initStringInfo(&sql);
    Oid t3[3] = {TEXTOID, TEXTOID, TEXTOID}, t5[5] = {TEXTOID, TEXTOID, TEXTOID, TEXTOID, TEXTOID};
    appendStringInfo(&sql, "SELECT fields FROM %s WHERE person_id = $1 AND scope = $2 AND key = $3::jsonb FOR UPDATE",
                     tables[2]);
    b.sel = prepare(sql.data, 3, t3);
    resetStringInfo(&sql);
    appendStringInfo(&sql, "INSERT INTO %s (person_id, scope, key, fields, claim_id) VALUES ($1, $2, $3::jsonb, $4::jsonb, $5)",
                     tables[2]);
    b.ins = prepare(sql.data, 5, t5);
    resetStringInfo(&sql);
    appendStringInfo(&sql, "UPDATE %s SET fields = $4::jsonb, claim_id = $5 WHERE person_id = $1 AND scope = $2 AND key = $3::jsonb",
                     tables[2]);
    b.upd = prepare(sql.data, 5, t5);
    resetStringInfo(&sql);
    Oid tr[6] = {TEXTOID, INT8OID, TEXTOID, BOOLOID, TEXTOID, TEXTOID};
    appendStringInfo(&sql, "INSERT INTO %s (claim_id, seq, person_id, ok, result, error) VALUES ($1, $2, $3, $4, $5::jsonb, $6)",
                     tables[1]);
    b.res = prepare(sql.data, 6, tr);
    resetStringInfo(&sql);
    appendStringInfo(&sql,
                     "SELECT c.claim_id::text, c.seq::bigint, c.person_id::text, c.claim::text, r.claim_id IS NOT NULL "
                     "FROM %s c LEFT JOIN %s r ON r.claim_id = c.claim_id ORDER BY c.seq, c.claim_id",
                     tables[0], tables[1]);
    SPIPlanPtr all = prepare(sql.data, 0, NULL);
    Portal cur = SPI_cursor_open(NULL, all, NULL, NULL, true);

    int64 settled = 0, failed = 0, already = 0;
    StringInfoData key, id;
    initStringInfo(&key);
    initStringInfo(&id);
    record **touched = palloc(sizeof(record *) * Max(b.p->n_scopes, 1));
    for (;;) {
        SPI_cursor_fetch(cur, true, FETCH);
        SPITupleTable *rows = SPI_tuptable;
        uint64 n = SPI_processed;
        if (n == 0)
            break;
        for (uint64 i = 0; i < n; i++) {
            CHECK_FOR_INTERRUPTS();
            MemoryContext old = MemoryContextSwitchTo(claimmem);
            HeapTuple tup = rows->vals[i];
            TupleDesc desc = rows->tupdesc;
            bool null_id, null_seq, null_person, null_claim, isnull;
            Datum d_id = SPI_getbinval(tup, desc, 1, &null_id);
            Datum d_seq = SPI_getbinval(tup, desc, 2, &null_seq);
            Datum d_person = SPI_getbinval(tup, desc, 3, &null_person);
            Datum d_claim = SPI_getbinval(tup, desc, 4, &null_claim);
            bool done = DatumGetBool(SPI_getbinval(tup, desc, 5, &isnull));
            if (null_id)
                ereport(ERROR, (errcode(ERRCODE_NOT_NULL_VIOLATION),
                                errmsg("%s: a claim of %s has a null claim_id", WHAT, tables[0])));
            char *claim_id = TextDatumGetCString(d_id);
            bool seen = false;
            if (!done) { /* settled already by this batch (the same claim_id twice in the table)? */
                char *cid = MemoryContextStrdup(fnmem, claim_id);
                char **slot = hash_search(b.done, &cid, HASH_ENTER, &seen);
                if (seen)
                    pfree(cid);
                else
                    *slot = cid;
            }
            if (done || seen) {
                already++;
                MemoryContextSwitchTo(old);
                MemoryContextReset(claimmem);
                continue;
            }
            int64 seq = null_seq ? 0 : DatumGetInt64(d_seq);
            char *person = null_person ? pstrdup("") : TextDatumGetCString(d_person);
            text *claim = null_claim ? cstring_to_text("null") : DatumGetTextPP(d_claim);

            regula_status st = rp_bind(b.p, VARDATA_ANY(claim), VARSIZE_ANY_EXHDR(claim), seq > 0 && seq <= LONG_MAX ? (long)seq : 0);
            for (unsigned s = 0; s < b.p->n_scopes && st == REGULA_OK; s++) {
                if (null_person)
                    ereport(ERROR, (errcode(ERRCODE_NOT_NULL_VIOLATION),
                                    errmsg("%s: claim %s of %s has a null person_id", WHAT, claim_id, tables[0]),
                                    errhint("A claim that settles needs the person its ledger records belong to.")));
                touched[s] = find(&b, person, s, &key, &id);
                st = rp_give(b.p, s, touched[s]->fields);
            }
            if (st == REGULA_OK)
                st = rp_settle(b.p);
            for (unsigned s = 0; s < b.p->n_scopes && st == REGULA_OK; s++) {
                record *r = touched[s];
                if (!r->fields)
                    r->fields = MemoryContextAlloc(b.recmem, sizeof(int64) * Max(b.p->scopes[s].n_fields, 1));
                rp_take(b.p, s, r->fields);
                r->dirty = true;
                r->claim_id = MemoryContextStrdup(b.recmem, claim_id);
            }
            char *result = rp_copy_result(b.p);
            char *error = st == REGULA_OK ? NULL : pstrdup(regula_errmsg(b.p->ctx));
            Datum args[6] = {d_id, Int64GetDatum(seq), CStringGetTextDatum(person), BoolGetDatum(st == REGULA_OK),
                             CStringGetTextDatum(result), error ? CStringGetTextDatum(error) : (Datum)0};
            char nulls[7] = {' ', null_seq ? 'n' : ' ', null_person ? 'n' : ' ', ' ', ' ', error ? ' ' : 'n', 0};
            exec(b.res, args, nulls, SPI_OK_INSERT);
            if (st == REGULA_OK)
                settled++;
            else
                failed++;
            MemoryContextSwitchTo(old);
            MemoryContextReset(claimmem);
            if (b.n_records >= FLUSH_RECORDS)
                flush(&b, claimmem);
        }
        SPI_freetuptable(rows);
    }
    SPI_cursor_close(cur);
    flush(&b, claimmem);
    SPI_finish();
    rp_pack_release(b.p);
    if (already > 0)
        ereport(NOTICE, (errmsg("regula: " INT64_FORMAT " claim%s of %s %s already settled in %s: left as %s", already,
                                already == 1 ? "" : "s", tables[0], already == 1 ? "was" : "were", tables[1],
                                already == 1 ? "it was" : "they were")));
    Datum vals[3] = {Int64GetDatum(settled), Int64GetDatum(failed), Int64GetDatum(already)};
    bool nulls[3] = {false, false, false};
    PG_RETURN_DATUM(HeapTupleGetDatum(heap_form_tuple(rdesc, vals, nulls)));
}
