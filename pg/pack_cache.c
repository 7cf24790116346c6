/* pack_cache.c — the extension's entry points for packs: regula.load_pack, regula.pack_info, the per-backend cache of loaded packs (one handle and one context per pack), its invalidation when regula.packs changes, and the allocator that puts libregula's memory in a PostgreSQL memory context.
 * Must not free a pack while a call settles with it, and must not let the allocator raise an ERROR (libregula sees NULL and reports out of memory). */
#include "postgres.h"

#include "access/xact.h"
#include "catalog/namespace.h"
#include "catalog/pg_type.h"
#include "commands/trigger.h"
#include "common/hashfn.h"
#include "executor/spi.h"
#include "fmgr.h"
#include "utils/builtins.h"
#include "utils/guc.h"
#include "utils/hsearch.h"
#include "utils/inval.h"
#include "utils/json.h"
#include "utils/jsonb.h"
#include "utils/lsyscache.h"
#include "utils/memutils.h"

#include "regula_pg.h"

PG_MODULE_MAGIC;

void _PG_init(void);

static HTAB *packs;              /* name -> rp_pack, in TopMemoryContext */
static MemoryContext regula_mem; /* every allocation of libregula's packs and contexts */
static Oid packs_relid = InvalidOid;

/* ---- the allocator: PostgreSQL memory, NULL instead of an ERROR ---- */

#define HEAD MAXALIGN(sizeof(Size)) /* each block remembers its size, for realloc */

static void *rp_malloc(size_t size, void *ud)
{
    (void)ud;
    if (size > MaxAllocHugeSize - HEAD)
        return NULL;
    char *b = MemoryContextAllocExtended(regula_mem, size + HEAD, MCXT_ALLOC_HUGE | MCXT_ALLOC_NO_OOM);
    if (!b)
        return NULL;
    *(Size *)b = size;
    return b + HEAD;
}

static void rp_free(void *ptr, void *ud)
{
    (void)ud;
    if (ptr)
        pfree((char *)ptr - HEAD);
}

static void *rp_realloc(void *ptr, size_t size, void *ud)
{
    if (!ptr)
        return rp_malloc(size, ud);
    Size old = *(Size *)((char *)ptr - HEAD);
    if (size <= old && size + 4096 > old)
        return ptr;
    void *n = rp_malloc(size, ud);
    if (!n)
        return NULL;
    memcpy(n, ptr, Min(old, size));
    rp_free(ptr, ud);
    return n;
}

static const regula_allocator allocator = {rp_malloc, rp_realloc, rp_free, NULL};

/* ---- regula.public_key: when set, only packs its secret key signed load ---- */

static char *public_key_text; /* the GUC: the .pub file's line, or '' */
static unsigned char public_key[REGULA_PUBLIC_KEY_BYTES];
static bool have_public_key;

static bool check_public_key(char **newval, void **extra, GucSource source)
{
    (void)extra, (void)source;
    unsigned char k[REGULA_PUBLIC_KEY_BYTES];
    char err[256];
    if (!*newval || !**newval || regula_public_key_parse(*newval, k, err, sizeof err) == REGULA_OK)
        return true;
    GUC_check_errdetail("%s", err);
    GUC_check_errhint("give the line of the public key file regula keygen wrote (NAME.pub), or '' for no key");
    return false;
}

static void packs_changed(Datum arg, Oid relid);

static void assign_public_key(const char *newval, void *extra)
{
    (void)extra;
    char err[256];
    have_public_key = newval && *newval && regula_public_key_parse(newval, public_key, err, sizeof err) == REGULA_OK;
    packs_changed((Datum)0, InvalidOid); /* every cached pack is loaded again under the new rule */
}

/* ---- invalidation: regula.packs changed (its trigger), or everything was flushed ---- */

static void packs_changed(Datum arg, Oid relid)
{
    (void)arg;
    if (!packs || (relid != InvalidOid && relid != packs_relid))
        return;
    if (relid != InvalidOid)
        packs_relid = InvalidOid; /* looked up again: the extension may have been re-created */
    HASH_SEQ_STATUS it;
    hash_seq_init(&it, packs);
    for (rp_pack *p; (p = hash_seq_search(&it));)
        p->stale = true;
}

/* An ERROR ends whatever was settling: the packs are free to be reloaded. */
static void release_all(void)
{
    if (!packs)
        return;
    HASH_SEQ_STATUS it;
    hash_seq_init(&it, packs);
    for (rp_pack *p; (p = hash_seq_search(&it));)
        p->busy = false;
}

static void on_xact(XactEvent event, void *arg)
{
    (void)arg;
    if (event == XACT_EVENT_ABORT || event == XACT_EVENT_PARALLEL_ABORT)
        release_all();
}

static void on_subxact(SubXactEvent event, SubTransactionId sub, SubTransactionId parent, void *arg)
{
    (void)sub, (void)parent, (void)arg;
    if (event == SUBXACT_EVENT_ABORT_SUB)
        release_all();
}

void _PG_init(void)
{
    DefineCustomStringVariable("regula.public_key",
                               "Load only packs signed with this public key's secret (the line of regula keygen's NAME.pub).",
                               "Empty: any pack loads, signed or not. Set in postgresql.conf (or ALTER SYSTEM) and reload.",
                               &public_key_text, "", PGC_SIGHUP, 0, check_public_key, assign_public_key, NULL);
    CacheRegisterRelcacheCallback(packs_changed, (Datum)0);
    RegisterXactCallback(on_xact, NULL);
    RegisterSubXactCallback(on_subxact, NULL);
}

PG_FUNCTION_INFO_V1(regula_packs_changed);
/* The statement trigger of regula.packs: every backend drops its copies at commit. */
Datum regula_packs_changed(PG_FUNCTION_ARGS)
{
    if (!CALLED_AS_TRIGGER(fcinfo))
        ereport(ERROR, (errmsg("regula_packs_changed: not called as a trigger")));
    CacheInvalidateRelcache(((TriggerData *)fcinfo->context)->tg_relation);
    return PointerGetDatum(NULL);
}

/* ---- loading ---- */

static const char *type_name(regula_type t)
{
    switch (t) {
    case REGULA_T_VOID: return "void";
    case REGULA_T_BOOL: return "bool";
    case REGULA_T_INT: return "int";
    case REGULA_T_MONEY: return "money";
    case REGULA_T_PERCENT: return "percent";
    case REGULA_T_DATE: return "date";
    case REGULA_T_DURATION: return "duration";
    case REGULA_T_STRING: return "string";
    case REGULA_T_REGION: return "region";
    case REGULA_T_ENUM: return "enum";
    }
    return "unknown";
}

static void drop_loaded(rp_pack *p)
{
    if (p->ctx)
        regula_ctx_free(p->ctx);
    if (p->pack)
        regula_pack_free(p->pack);
    p->ctx = NULL;
    p->pack = NULL;
    for (unsigned s = 0; s < p->n_scopes && p->scopes; s++) {
        pfree(p->scopes[s].key_types);
        pfree(p->scopes[s].field_types);
        pfree(p->scopes[s].field_names);
    }
    if (p->scopes)
        pfree(p->scopes);
    p->scopes = NULL;
    p->n_scopes = p->max_fields = 0;
}

static void init_cache(void);

static regula_status load_image(const char *image, Size len, regula_pack **out, char *err, size_t errlen)
{
    init_cache();
    regula_options opt = {0};
    opt.allocator = &allocator;
    opt.public_key = have_public_key ? public_key : NULL;
    return regula_pack_load(image, len, &opt, out, err, errlen);
}

/* What the pack says of its ledger, copied into the cache's memory (names
 * point into the pack, which lives as long). */
static void describe(rp_pack *p)
{
    MemoryContext old = MemoryContextSwitchTo(regula_mem);
    p->n_scopes = regula_ledger_scope_count(p->pack);
    p->scopes = palloc0(sizeof(rp_scope) * Max(p->n_scopes, 1));
    for (unsigned s = 0; s < p->n_scopes; s++) {
        rp_scope *sc = &p->scopes[s];
        sc->name = regula_ledger_scope_name(p->pack, s);
        sc->n_keys = regula_ledger_key_count(p->pack, s);
        sc->n_fields = regula_ledger_field_count(p->pack, s);
        sc->key_types = palloc(sizeof(regula_type) * Max(sc->n_keys, 1));
        for (unsigned k = 0; k < sc->n_keys; k++)
            sc->key_types[k] = regula_ledger_key_type(p->pack, s, k);
        sc->field_types = palloc(sizeof(regula_type) * Max(sc->n_fields, 1));
        sc->field_names = palloc(sizeof(char *) * Max(sc->n_fields, 1));
        for (unsigned f = 0; f < sc->n_fields; f++) {
            sc->field_types[f] = regula_ledger_field_type(p->pack, s, f);
            sc->field_names[f] = regula_ledger_field_name(p->pack, s, f);
        }
        p->max_fields = Max(p->max_fields, sc->n_fields);
    }
    MemoryContextSwitchTo(old);
}

static Oid find_packs_relid(void)
{
    if (!OidIsValid(packs_relid)) {
        Oid ns = get_namespace_oid("regula", true);
        packs_relid = OidIsValid(ns) ? get_relname_relid("packs", ns) : InvalidOid;
    }
    return packs_relid;
}

static void check_name(const char *name)
{
    if (strlen(name) == 0 || strlen(name) >= sizeof(((rp_pack *)0)->name))
        ereport(ERROR, (errcode(ERRCODE_INVALID_PARAMETER_VALUE),
                        errmsg("regula: a pack name has 1 to %zu bytes, not %zu", sizeof(((rp_pack *)0)->name) - 1,
                               strlen(name))));
}

/* The cache and the memory of libregula's packs, made on first use. */
static void init_cache(void)
{
    if (packs)
        return;
    regula_mem = AllocSetContextCreate(TopMemoryContext, "regula packs", ALLOCSET_DEFAULT_SIZES);
    HASHCTL ctl = {0};
    ctl.keysize = sizeof(((rp_pack *)0)->name);
    ctl.entrysize = sizeof(rp_pack);
    ctl.hcxt = TopMemoryContext;
    packs = hash_create("regula packs", 16, &ctl, HASH_ELEM | HASH_STRINGS | HASH_CONTEXT);
}

rp_pack *rp_pack_get(const char *name)
{
    check_name(name);
    init_cache();
    bool found;
    rp_pack *p = hash_search(packs, name, HASH_FIND, &found);
    if (p && p->busy)
        ereport(ERROR, (errcode(ERRCODE_OBJECT_IN_USE),
                        errmsg("regula: pack \"%s\" is already settling in this statement", name),
                        errhint("A query that regula.settle_batch reads must not settle with the same pack itself.")));
    if (p && !p->stale)
        return p;
    (void)find_packs_relid(); /* before reading, so that a change from now on marks it stale */

    /* read the stored image; a change committed from here on marks it stale again */
    Oid argtypes[1] = {TEXTOID};
    Datum args[1] = {CStringGetTextDatum(name)};
    if (SPI_connect() != SPI_OK_CONNECT)
        elog(ERROR, "regula: SPI_connect failed");
    int rc = SPI_execute_with_args("SELECT image FROM regula.packs WHERE name = $1", 1, argtypes, args, NULL, true, 1);
    if (rc != SPI_OK_SELECT)
        elog(ERROR, "regula: reading regula.packs failed (%d)", rc);
    bytea *image = NULL;
    if (SPI_processed == 1) {
        bool isnull;
        Datum d = SPI_getbinval(SPI_tuptable->vals[0], SPI_tuptable->tupdesc, 1, &isnull);
        if (!isnull)
            image = DatumGetByteaPP(d);
    }
    if (!image) {
        SPI_finish();
        if (p) {
            drop_loaded(p);
            hash_search(packs, name, HASH_REMOVE, NULL);
        }
        ereport(ERROR, (errcode(ERRCODE_UNDEFINED_OBJECT), errmsg("regula: no pack named \"%s\"", name),
                        errhint("Load one with regula.load_pack('%s', pg_read_binary_file(...)) or from psql.", name)));
    }
    const char *bytes = VARDATA_ANY(image);
    Size len = VARSIZE_ANY_EXHDR(image);
    uint64 h = hash_bytes_extended((const unsigned char *)bytes, (int)len, 0);
    if (p && p->pack && p->image_len == len && p->image_hash == h) {
        SPI_finish();
        p->stale = false;
        return p;
    }
    char err[512];
    regula_pack *pk = NULL;
    regula_status st = load_image(bytes, len, &pk, err, sizeof err);
    SPI_finish();
    if (!p) {
        p = hash_search(packs, name, HASH_ENTER, &found);
        memset((char *)p + sizeof p->name, 0, sizeof *p - sizeof p->name);
    }
    drop_loaded(p);
    regula_ctx *ctx = NULL;
    if (st == REGULA_OK && regula_ctx_new(pk, &ctx) != REGULA_OK) {
        regula_pack_free(pk);
        st = REGULA_ERR_MEMORY;
        snprintf(err, sizeof err, "out of memory creating a context");
    }
    if (st != REGULA_OK) {
        hash_search(packs, name, HASH_REMOVE, NULL);
        ereport(ERROR, (errcode(ERRCODE_DATA_CORRUPTED),
                        errmsg("regula: pack \"%s\" in regula.packs cannot be loaded: %s", name, err),
                        errhint("Load it again from `regula compile POLICIES -o PACK.rgc` with regula.load_pack.")));
    }
    p->pack = pk;
    p->ctx = ctx;
    p->image_hash = h;
    p->image_len = len;
    p->stale = false;
    describe(p);
    return p;
}

void rp_pack_acquire(rp_pack *p)
{
    p->busy = true;
}

void rp_pack_release(rp_pack *p)
{
    p->busy = false;
}

/* {"outputs": [...], "ledger": {"yearly": {"key": ["string", "int"], "fields": {"outpatient_fund_paid": "money", ...}}}} */
static Datum info_json(const regula_pack *pk)
{
    StringInfoData b;
    initStringInfo(&b);
    appendStringInfoString(&b, "{\"outputs\": [");
    for (unsigned o = 0; o < regula_output_count(pk); o++) {
        if (o)
            appendStringInfoString(&b, ", ");
        escape_json(&b, regula_output_name(pk, o));
    }
    appendStringInfoString(&b, "], \"ledger\": {");
    for (unsigned s = 0; s < regula_ledger_scope_count(pk); s++) {
        if (s)
            appendStringInfoString(&b, ", ");
        escape_json(&b, regula_ledger_scope_name(pk, s));
        appendStringInfoString(&b, ": {\"key\": [");
        for (unsigned k = 0; k < regula_ledger_key_count(pk, s); k++)
            appendStringInfo(&b, "%s\"%s\"", k ? ", " : "", type_name(regula_ledger_key_type(pk, s, k)));
        appendStringInfoString(&b, "], \"fields\": {");
        for (unsigned f = 0; f < regula_ledger_field_count(pk, s); f++) {
            if (f)
                appendStringInfoString(&b, ", ");
            escape_json(&b, regula_ledger_field_name(pk, s, f));
            appendStringInfo(&b, ": \"%s\"", type_name(regula_ledger_field_type(pk, s, f)));
        }
        appendStringInfoString(&b, "}}");
    }
    appendStringInfoString(&b, "}}");
    return DirectFunctionCall1(jsonb_in, CStringGetDatum(b.data));
}

PG_FUNCTION_INFO_V1(regula_load_pack);
/* regula.load_pack(name text, image bytea) returns jsonb: verify the image
 * completely, store it (replacing a pack of that name), describe it. */
Datum regula_load_pack(PG_FUNCTION_ARGS)
{
    if (PG_ARGISNULL(0) || PG_ARGISNULL(1))
        ereport(ERROR, (errcode(ERRCODE_NULL_VALUE_NOT_ALLOWED), errmsg("regula.load_pack: name and image are required")));
    char *name = text_to_cstring(PG_GETARG_TEXT_PP(0));
    bytea *image = PG_GETARG_BYTEA_PP(1);
    check_name(name);
    char err[512];
    regula_pack *pk = NULL;
    if (load_image(VARDATA_ANY(image), VARSIZE_ANY_EXHDR(image), &pk, err, sizeof err) != REGULA_OK)
        ereport(ERROR, (errcode(ERRCODE_INVALID_PARAMETER_VALUE),
                        errmsg("regula.load_pack: \"%s\" is not a valid pack: %s", name, err),
                        errhint("Give the bytes of a file written by `regula compile POLICIES -o PACK.rgc`.")));
    Datum info = info_json(pk); /* jsonb_in does not fail on text we wrote */
    regula_pack_free(pk);

    Oid argtypes[2] = {TEXTOID, BYTEAOID};
    Datum args[2] = {PG_GETARG_DATUM(0), PointerGetDatum(image)};
    if (SPI_connect() != SPI_OK_CONNECT)
        elog(ERROR, "regula: SPI_connect failed");
    int rc = SPI_execute_with_args("INSERT INTO regula.packs (name, image) VALUES ($1, $2) "
                                   "ON CONFLICT (name) DO UPDATE SET image = excluded.image, loaded_at = now()",
                                   2, argtypes, args, NULL, false, 0);
    if (rc != SPI_OK_INSERT)
        elog(ERROR, "regula: storing the pack failed (%d)", rc);
    SPI_finish();
    PG_RETURN_DATUM(info);
}

PG_FUNCTION_INFO_V1(regula_pack_info);
/* regula.pack_info(name text) returns jsonb: its outputs and ledger scopes. */
Datum regula_pack_info(PG_FUNCTION_ARGS)
{
    rp_pack *p = rp_pack_get(text_to_cstring(PG_GETARG_TEXT_PP(0)));
    PG_RETURN_DATUM(info_json(p->pack));
}
