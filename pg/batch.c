/* batch.c — regula.settle_batch(pack, claims, results, ledger): the set-based path. Settles the claims of a table (or view) in claim order, each claim's records read from a ledger table keyed by person, scope and key, and writes one result row per claim and the new records, all in the caller's transaction.
 * Must not settle a claim whose claim_id already has a result (it counts it and says so), must not write a record of a failed claim, must not hold a regula_* call on the stack while it runs SQL or raises an ERROR, and must not hold more than a chunk of claims and FLUSH_RECORDS records in memory. */
#include "postgres.h"

#include <limits.h>

#include "catalog/pg_type.h"
#include "common/hashfn.h"
#include "executor/spi.h"
#include "fmgr.h"
#include "funcapi.h"
#include "miscadmin.h"
#include "utils/array.h"
#include "utils/builtins.h"
#include "utils/hsearch.h"
#include "utils/jsonb.h"
#include "utils/lsyscache.h"
#include "utils/memutils.h"
#include "utils/regproc.h"

#include "regula_pg.h"

static const char *const WHAT = "regula.settle_batch";

#define FETCH 1000           /* claims read at a time; results and records written at a time */
#define FLUSH_RECORDS 200000 /* records held in memory before they are written */

/* A ledger record as this batch knows it: read (FOR UPDATE) with its
 * person's others before the person's first claim, updated in memory claim
 * after claim, written at the end. */
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
    char *tables[3];      /* claims, results, ledger */
    MemoryContext recmem; /* the records and the persons read (reset at each flush) */
    HTAB *records, *persons;
    SPIPlanPtr read, ins, upd, res;
    long n_records;
    MemoryContext resmem; /* the results not yet inserted */
    ArrayBuildState *r[6];
    int n_results;
} batch;

static const Oid result_types[6] = {TEXTOID, INT8OID, TEXTOID, BOOLOID, TEXTOID, TEXTOID};

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

/* Adds S to the set; true when it was there already. */
static bool set_add(HTAB *set, const char *s, MemoryContext cxt)
{
    bool found;
    char *k = (char *)s;
    hash_search(set, &k, HASH_FIND, &found);
    if (!found) {
        k = MemoryContextStrdup(cxt, s);
        char **slot = hash_search(set, &k, HASH_ENTER, &found);
        *slot = k;
    }
    return found;
}

static bool set_has(HTAB *set, const char *s)
{
    bool found;
    char *k = (char *)s;
    hash_search(set, &k, HASH_FIND, &found);
    return found;
}

static SPIPlanPtr prepare(const char *sql, int n, Oid *types)
{
    SPIPlanPtr plan = SPI_prepare(sql, n, types);
    if (!plan)
        elog(ERROR, "%s: preparing \"%s\" failed: %s", WHAT, sql, SPI_result_code_string(SPI_result));
    return plan;
}

static void exec(SPIPlanPtr plan, Datum *args, int expect)
{
    int rc = SPI_execute_plan(plan, args, NULL, false, 0);
    if (rc != expect)
        elog(ERROR, "%s: a statement failed: %s", WHAT, SPI_result_code_string(rc));
}

static Datum array_of(ArrayBuildState *a)
{
    return makeArrayResult(a, CurrentMemoryContext);
}

static void new_records(batch *b)
{
    b->records = string_table("regula ledger records", sizeof(record), b->recmem);
    b->persons = string_table("regula persons read", sizeof(char *), b->recmem);
    b->n_records = 0;
}

/* ---- the ledger: read a person's records, write the changed ones ---- */

/* Read (and lock) every record of the persons of PERSONS (a text[]) not yet read. */
static void read_persons(batch *b, Datum persons)
{
    exec(b->read, &persons, SPI_OK_SELECT);
    SPITupleTable *rows = SPI_tuptable;
    MemoryContext old = MemoryContextSwitchTo(b->recmem);
    for (uint64 i = 0; i < SPI_processed; i++) {
        bool n1, n2, n3, n4;
        HeapTuple t = rows->vals[i];
        char *person = TextDatumGetCString(SPI_getbinval(t, rows->tupdesc, 1, &n1));
        char *scope = TextDatumGetCString(SPI_getbinval(t, rows->tupdesc, 2, &n2));
        char *key = TextDatumGetCString(SPI_getbinval(t, rows->tupdesc, 3, &n3));
        Datum fields = SPI_getbinval(t, rows->tupdesc, 4, &n4);
        unsigned s = 0;
        while (s < b->p->n_scopes && strcmp(b->p->scopes[s].name, scope) != 0)
            s++;
        if (s == b->p->n_scopes) /* a scope of another pack: not this batch's */
            continue;
        if (n4)
            elog(ERROR, "%s: the ledger record %s of %s has null fields", WHAT, key, person);
        char *id = psprintf("%s\x1f%u\x1f%s", person, s, key);
        bool found;
        record *r = hash_search(b->records, &id, HASH_ENTER, &found);
        if (found)
            continue;
        *r = (record){.id = id, .person = person, .scope = s, .key = key, .stored = true};
        r->fields = palloc(sizeof(int64) * Max(b->p->scopes[s].n_fields, 1));
        rp_fields_parse(b->p, s, &DatumGetJsonbP(fields)->root, r->fields, WHAT);
        b->n_records++;
    }
    MemoryContextSwitchTo(old);
    SPI_freetuptable(rows);
}

/* The record of scope S that the bound claim touches (its person's records read). */
static record *find(batch *b, const char *person, unsigned s, StringInfo key, StringInfo id)
{
    if (!set_has(b->persons, person)) { /* not read with its chunk (a flush came between) */
        set_add(b->persons, person, b->recmem);
        Datum one = CStringGetTextDatum(person);
        read_persons(b, PointerGetDatum(construct_array(&one, 1, TEXTOID, -1, false, TYPALIGN_INT)));
    }
    resetStringInfo(key);
    rp_key_text(b->p, s, key);
    resetStringInfo(id);
    appendStringInfo(id, "%s\x1f%u\x1f%s", person, s, key->data);
    char *idp = id->data;
    bool found;
    record *r = hash_search(b->records, &idp, HASH_FIND, &found);
    if (r)
        return r;
    MemoryContext old = MemoryContextSwitchTo(b->recmem);
    char *rid = pstrdup(id->data);
    r = hash_search(b->records, &rid, HASH_ENTER, &found);
    *r = (record){.id = rid, .person = pstrdup(person), .scope = s, .key = pstrdup(key->data)};
    MemoryContextSwitchTo(old);
    b->n_records++;
    return r;
}

/* Write the changed records, FETCH to a statement, and forget them all (their rows stay locked). */
static void write_records(batch *b, MemoryContext tmp)
{
    for (int stored = 0; stored <= 1; stored++) {
        HASH_SEQ_STATUS it;
        hash_seq_init(&it, b->records);
        MemoryContext old = MemoryContextSwitchTo(tmp);
        ArrayBuildState *a[5];
        int n = 0;
        StringInfoData f;
        for (record *r = hash_seq_search(&it);; r = hash_seq_search(&it)) {
            if (r && (!r->dirty || r->stored != stored))
                continue;
            if (n == 0 && r) {
                for (int k = 0; k < 5; k++)
                    a[k] = initArrayResult(TEXTOID, tmp, false);
                initStringInfo(&f);
            }
            if (r) {
                resetStringInfo(&f);
                rp_fields_json(b->p, r->scope, r->fields, &f);
                const char *v[5] = {r->person, b->p->scopes[r->scope].name, r->key, f.data, r->claim_id};
                for (int k = 0; k < 5; k++)
                    accumArrayResult(a[k], CStringGetTextDatum(v[k]), false, TEXTOID, tmp);
                n++;
            }
            if (n > 0 && (n == FETCH || !r)) {
                CHECK_FOR_INTERRUPTS();
                Datum args[5];
                for (int k = 0; k < 5; k++)
                    args[k] = array_of(a[k]);
                exec(stored ? b->upd : b->ins, args, stored ? SPI_OK_UPDATE : SPI_OK_INSERT);
                if (SPI_processed != (uint64)n)
                    elog(ERROR, "%s: %d ledger records to write, " UINT64_FORMAT " written: %s changed under the batch",
                         WHAT, n, SPI_processed, b->tables[2]);
                MemoryContextReset(tmp);
                n = 0;
            }
            if (!r)
                break;
        }
        MemoryContextSwitchTo(old);
    }
    hash_destroy(b->records);
    hash_destroy(b->persons);
    MemoryContextReset(b->recmem);
    new_records(b);
}

/* ---- results: FETCH to a statement ---- */

static void add_result(batch *b, Datum *v, bool *isnull)
{
    if (b->n_results == 0)
        for (int k = 0; k < 6; k++)
            b->r[k] = initArrayResult(result_types[k], b->resmem, false);
    MemoryContext old = MemoryContextSwitchTo(b->resmem);
    for (int k = 0; k < 6; k++)
        accumArrayResult(b->r[k], isnull[k] ? (Datum)0 : v[k], /* copied into resmem */
                         isnull[k], result_types[k], b->resmem);
    MemoryContextSwitchTo(old);
    b->n_results++;
}

static void write_results(batch *b)
{
    if (b->n_results == 0)
        return;
    MemoryContext old = MemoryContextSwitchTo(b->resmem);
    Datum args[6];
    for (int k = 0; k < 6; k++)
        args[k] = array_of(b->r[k]);
    exec(b->res, args, SPI_OK_INSERT);
    MemoryContextSwitchTo(old);
    MemoryContextReset(b->resmem);
    b->n_results = 0;
}

/* A table of the wrong shape: say which column it lacks, before any SQL runs. */
static void check_columns(Oid rel, const char *table, const char *role, const char *const *cols, int n)
{
    for (int i = 0; i < n; i++)
        if (get_attnum(rel, cols[i]) == InvalidAttrNumber) {
            StringInfoData all;
            initStringInfo(&all);
            for (int k = 0; k < n; k++)
                appendStringInfo(&all, "%s%s", k ? ", " : "", cols[k]);
            ereport(ERROR, (errcode(ERRCODE_UNDEFINED_COLUMN),
                            errmsg("%s: the %s table %s has no column %s", WHAT, role, table, cols[i]),
                            errhint("A %s table has the columns %s (regula.%s_template has them).", role, all.data,
                                    role)));
        }
}

static void prepare_all(batch *b)
{
    StringInfoData sql;
    initStringInfo(&sql);
    Oid arr[1] = {TEXTARRAYOID};
    appendStringInfo(&sql, "SELECT person_id, scope, key::text, fields FROM %s WHERE person_id = ANY ($1) FOR UPDATE",
                     b->tables[2]);
    b->read = prepare(sql.data, 1, arr);
    Oid t5[5] = {TEXTARRAYOID, TEXTARRAYOID, TEXTARRAYOID, TEXTARRAYOID, TEXTARRAYOID};
    resetStringInfo(&sql);
    appendStringInfo(&sql, "INSERT INTO %s (person_id, scope, key, fields, claim_id) "
                     "SELECT u.p, u.s, u.k::jsonb, u.f::jsonb, u.c FROM unnest($1, $2, $3, $4, $5) AS u(p, s, k, f, c)",
                     b->tables[2]);
    b->ins = prepare(sql.data, 5, t5);
    resetStringInfo(&sql);
    appendStringInfo(&sql, "UPDATE %s AS l SET fields = u.f::jsonb, claim_id = u.c "
                     "FROM unnest($1, $2, $3, $4, $5) AS u(p, s, k, f, c) "
                     "WHERE l.person_id = u.p AND l.scope = u.s AND l.key = u.k::jsonb",
                     b->tables[2]);
    b->upd = prepare(sql.data, 5, t5);
    resetStringInfo(&sql);
    Oid t6[6] = {TEXTARRAYOID, INT8ARRAYOID, TEXTARRAYOID, BOOLARRAYOID, TEXTARRAYOID, TEXTARRAYOID};
    appendStringInfo(&sql, "INSERT INTO %s (claim_id, seq, person_id, ok, result, error) "
                     "SELECT u.i, u.q, u.p, u.o, u.r::jsonb, u.e FROM unnest($1, $2, $3, $4, $5, $6) AS u(i, q, p, o, r, e)",
                     b->tables[1]);
    b->res = prepare(sql.data, 6, t6);
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
    batch b = {0};
    for (int i = 0; i < 3; i++) /* quoted, qualified when not on the search path */
        b.tables[i] = DatumGetCString(DirectFunctionCall1(regclassout, PG_GETARG_DATUM(i + 1)));
    static const char *const claim_cols[] = {"claim_id", "person_id", "seq", "claim"};
    static const char *const result_cols[] = {"claim_id", "seq", "person_id", "ok", "result", "error"};
    static const char *const ledger_cols[] = {"person_id", "scope", "key", "fields", "claim_id"};
    check_columns(PG_GETARG_OID(1), b.tables[0], "claims", claim_cols, 4);
    check_columns(PG_GETARG_OID(2), b.tables[1], "results", result_cols, 6);
    check_columns(PG_GETARG_OID(3), b.tables[2], "ledger", ledger_cols, 5);
    TupleDesc rdesc;
    if (get_call_result_type(fcinfo, NULL, &rdesc) != TYPEFUNC_COMPOSITE)
        elog(ERROR, "%s: must return a row", WHAT);
    rdesc = BlessTupleDesc(rdesc);

    b.p = rp_pack_get(pack);
    rp_pack_acquire(b.p);
    MemoryContext fnmem = CurrentMemoryContext;
    b.recmem = AllocSetContextCreate(fnmem, "regula batch records", ALLOCSET_DEFAULT_SIZES);
    b.resmem = AllocSetContextCreate(fnmem, "regula batch results", ALLOCSET_DEFAULT_SIZES);
    MemoryContext claimmem = AllocSetContextCreate(fnmem, "regula batch claim", ALLOCSET_DEFAULT_SIZES);
    new_records(&b);

    if (SPI_connect() != SPI_OK_CONNECT)
        elog(ERROR, "%s: SPI_connect failed", WHAT);
    prepare_all(&b);
    /* the fifth column: settled before, or a later row of a claim_id the table lists twice */
    char *sql = psprintf("SELECT c.claim_id::text, c.seq::bigint, c.person_id::text, c.claim::text, "
                         "r.claim_id IS NOT NULL OR row_number() OVER (PARTITION BY c.claim_id ORDER BY c.seq) > 1 "
                         "FROM %s c LEFT JOIN %s r ON r.claim_id = c.claim_id ORDER BY c.seq, c.claim_id",
                         b.tables[0], b.tables[1]);
    Portal cur = SPI_cursor_open(NULL, prepare(sql, 0, NULL), NULL, NULL, true);

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
        TupleDesc desc = rows->tupdesc;
        /* every record of this chunk's persons, read and locked at once */
        MemoryContext old = MemoryContextSwitchTo(claimmem);
        ArrayBuildState *persons = initArrayResult(TEXTOID, claimmem, false);
        int n_persons = 0;
        for (uint64 i = 0; i < n; i++) {
            bool isnull;
            Datum d = SPI_getbinval(rows->vals[i], desc, 3, &isnull);
            if (!isnull && !set_add(b.persons, TextDatumGetCString(d), b.recmem)) {
                accumArrayResult(persons, d, false, TEXTOID, claimmem);
                n_persons++;
            }
        }
        if (n_persons > 0)
            read_persons(&b, array_of(persons));
        MemoryContextSwitchTo(old);
        MemoryContextReset(claimmem);

        for (uint64 i = 0; i < n; i++) {
            CHECK_FOR_INTERRUPTS();
            old = MemoryContextSwitchTo(claimmem);
            HeapTuple tup = rows->vals[i];
            bool null_id, null_seq, null_person, null_claim, isnull;
            Datum d_id = SPI_getbinval(tup, desc, 1, &null_id);
            Datum d_seq = SPI_getbinval(tup, desc, 2, &null_seq);
            Datum d_person = SPI_getbinval(tup, desc, 3, &null_person);
            Datum d_claim = SPI_getbinval(tup, desc, 4, &null_claim);
            bool done = DatumGetBool(SPI_getbinval(tup, desc, 5, &isnull));
            if (null_id)
                ereport(ERROR, (errcode(ERRCODE_NOT_NULL_VIOLATION),
                                errmsg("%s: a claim of %s has a null claim_id", WHAT, b.tables[0])));
            char *claim_id = TextDatumGetCString(d_id);
            if (done) {
                already++;
                MemoryContextSwitchTo(old);
                MemoryContextReset(claimmem);
                continue;
            }
            int64 seq = null_seq ? 0 : DatumGetInt64(d_seq);
            char *person = null_person ? NULL : TextDatumGetCString(d_person);
            text *claim = null_claim ? cstring_to_text("null") : DatumGetTextPP(d_claim);

            regula_status st = rp_bind(b.p, VARDATA_ANY(claim), VARSIZE_ANY_EXHDR(claim),
                                       seq > 0 && seq <= LONG_MAX ? (long)seq : 0);
            for (unsigned s = 0; s < b.p->n_scopes && st == REGULA_OK; s++) {
                if (!person)
                    ereport(ERROR, (errcode(ERRCODE_NOT_NULL_VIOLATION),
                                    errmsg("%s: claim %s of %s has a null person_id", WHAT, claim_id, b.tables[0]),
                                    errhint("A claim that settles needs the person its ledger records belong to.")));
                touched[s] = rp_applies(b.p, s) ? find(&b, person, s, &key, &id) : NULL;
                if (touched[s]) /* else a key part is absent: the claim has no record there */
                    st = rp_give(b.p, s, touched[s]->fields);
            }
            if (st == REGULA_OK)
                st = rp_settle(b.p);
            for (unsigned s = 0; s < b.p->n_scopes && st == REGULA_OK; s++) {
                record *r = touched[s];
                if (!r)
                    continue;
                if (!r->fields)
                    r->fields = MemoryContextAlloc(b.recmem, sizeof(int64) * Max(b.p->scopes[s].n_fields, 1));
                rp_take(b.p, s, r->fields);
                r->dirty = true;
                r->claim_id = MemoryContextStrdup(b.recmem, claim_id);
            }
            char *result = rp_copy_result(b.p);
            char *error = st == REGULA_OK ? NULL : pstrdup(regula_errmsg(b.p->ctx));
            Datum v[6] = {d_id, Int64GetDatum(seq), person ? CStringGetTextDatum(person) : (Datum)0,
                          BoolGetDatum(st == REGULA_OK), CStringGetTextDatum(result),
                          error ? CStringGetTextDatum(error) : (Datum)0};
            bool nulls[6] = {false, null_seq, !person, false, false, !error};
            add_result(&b, v, nulls);
            if (st == REGULA_OK)
                settled++;
            else
                failed++;
            MemoryContextSwitchTo(old);
            MemoryContextReset(claimmem);
            if (b.n_records >= FLUSH_RECORDS)
                write_records(&b, claimmem);
        }
        write_results(&b);
        SPI_freetuptable(rows);
    }
    SPI_cursor_close(cur);
    write_records(&b, claimmem);
    SPI_finish();
    rp_pack_release(b.p);
    if (already > 0)
        ereport(NOTICE, (errmsg("regula: " INT64_FORMAT " claim%s of %s %s already settled in %s: left as %s", already,
                                already == 1 ? "" : "s", b.tables[0], already == 1 ? "was" : "were", b.tables[1],
                                already == 1 ? "it was" : "they were")));
    Datum vals[3] = {Int64GetDatum(settled), Int64GetDatum(failed), Int64GetDatum(already)};
    bool nulls[3] = {false, false, false};
    PG_RETURN_DATUM(HeapTupleGetDatum(heap_form_tuple(rdesc, vals, nulls)));
}
