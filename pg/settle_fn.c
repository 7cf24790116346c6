/* settle_fn.c — regula.settle(pack, claim, ledger, line): one claim settled with the ledger records given as jsonb, giving the result `regula run` writes and the new records; a pure function for any query.
 * Must not read or write any table but regula.packs (through the cache), and must not raise an ERROR for a bad claim: a claim that does not settle is an error result, as in `regula run`. */
#include "postgres.h"

#include <limits.h>

#include "fmgr.h"
#include "utils/builtins.h"
#include "utils/json.h"
#include "utils/jsonb.h"

#include "regula_pg.h"

static const char *const WHAT = "regula.settle";

/* The record of LEDGER (jsonb {"scope": [{"key": [...], "fields": {...}}, ...]},
 * a scope's value also a single record) whose key prints as KEY; NULL when none. */
static JsonbContainer *find_record(JsonbContainer *ledger, const char *scope, const char *key)
{
    JsonbValue sv, *recs = ledger ? getKeyJsonValueFromContainer(ledger, scope, (int)strlen(scope), &sv) : NULL;
    if (!recs || recs->type == jbvNull)
        return NULL;
    if (recs->type != jbvBinary)
        ereport(ERROR, (errcode(ERRCODE_INVALID_PARAMETER_VALUE),
                        errmsg("%s: ledger scope \"%s\" must be an array of records {\"key\": [...], \"fields\": {...}}",
                               WHAT, scope)));
    JsonbContainer *c = recs->val.binary.data;
    bool single = JsonContainerIsObject(c);
    uint32 n = single ? 1 : JsonContainerSize(c);
    StringInfoData kt;
    initStringInfo(&kt);
    for (uint32 i = 0; i < n; i++) {
        JsonbContainer *rec = c;
        JsonbValue *rv = single ? NULL : getIthJsonbValueFromContainer(c, i);
        if (!single) {
            if (!rv || rv->type != jbvBinary || !JsonContainerIsObject(rv->val.binary.data))
                ereport(ERROR, (errcode(ERRCODE_INVALID_PARAMETER_VALUE),
                                errmsg("%s: a record of ledger scope \"%s\" is not a JSON object", WHAT, scope)));
            rec = rv->val.binary.data;
        }
        JsonbValue kv, *k = getKeyJsonValueFromContainer(rec, "key", 3, &kv);
        if (!k || k->type != jbvBinary || !JsonContainerIsArray(k->val.binary.data))
            ereport(ERROR, (errcode(ERRCODE_INVALID_PARAMETER_VALUE),
                            errmsg("%s: a record of ledger scope \"%s\" has no \"key\" array", WHAT, scope)));
        resetStringInfo(&kt);
        JsonbToCString(&kt, k->val.binary.data, k->val.binary.len);
        if (strcmp(kt.data, key) != 0)
            continue;
        JsonbValue fv, *fields = getKeyJsonValueFromContainer(rec, "fields", 6, &fv);
        if (!fields || fields->type != jbvBinary)
            ereport(ERROR, (errcode(ERRCODE_INVALID_PARAMETER_VALUE),
                            errmsg("%s: the record %s of ledger scope \"%s\" has no \"fields\" object", WHAT, key, scope)));
        return fields->val.binary.data;
    }
    return NULL;
}

static Datum settle(FunctionCallInfo fcinfo, const char *json, size_t len)
{
    if (PG_ARGISNULL(0))
        ereport(ERROR, (errcode(ERRCODE_NULL_VALUE_NOT_ALLOWED), errmsg("%s: the pack name is null", WHAT)));
    char *name = text_to_cstring(PG_GETARG_TEXT_PP(0));
    JsonbContainer *ledger = NULL;
    if (!PG_ARGISNULL(2)) {
        Jsonb *lj = PG_GETARG_JSONB_P(2);
        if (JB_ROOT_IS_OBJECT(lj))
            ledger = &lj->root;
        else if (!JB_ROOT_IS_SCALAR(lj) || JB_ROOT_COUNT(lj) != 1 ||
                 getIthJsonbValueFromContainer(&lj->root, 0)->type != jbvNull)
            ereport(ERROR, (errcode(ERRCODE_INVALID_PARAMETER_VALUE),
                            errmsg("%s: the ledger must be a JSON object of scopes (or null), not %s", WHAT,
                                   JB_ROOT_IS_ARRAY(lj) && !JB_ROOT_IS_SCALAR(lj) ? "an array" : "a scalar")));
    }
    int64 line = PG_ARGISNULL(3) ? 0 : PG_GETARG_INT64(3);
    rp_pack *p = rp_pack_get(name);
    rp_pack_acquire(p);

    StringInfoData out, key;
    initStringInfo(&out);
    initStringInfo(&key);
    int64 *fields = palloc(sizeof(int64) * Max(p->max_fields, 1));
    regula_status st = rp_bind(p, json, len, line > 0 && line <= LONG_MAX ? (long)line : 0);
    for (unsigned s = 0; s < p->n_scopes && st == REGULA_OK; s++) {
        if (!rp_applies(p, s))
            continue; /* a key part is absent: no record to give */
        resetStringInfo(&key);
        rp_key_text(p, s, &key);
        JsonbContainer *rec = find_record(ledger, p->scopes[s].name, key.data);
        if (rec)
            rp_fields_parse(p, s, rec, fields, WHAT);
        st = rp_give(p, s, rec ? fields : NULL);
    }
    if (st == REGULA_OK)
        st = rp_settle(p);
    appendStringInfoString(&out, "{\"result\": ");
    appendStringInfoString(&out, rp_copy_result(p));
    appendStringInfoString(&out, ", \"ledger\": {");
    for (unsigned s = 0, n = 0; s < p->n_scopes && st == REGULA_OK; s++) {
        if (!rp_applies(p, s))
            continue; /* nothing to keep */
        resetStringInfo(&key);
        rp_key_text(p, s, &key);
        rp_take(p, s, fields);
        if (n++)
            appendStringInfoString(&out, ", ");
        escape_json(&out, p->scopes[s].name);
        appendStringInfo(&out, ": [{\"key\": %s, \"fields\": ", key.data);
        rp_fields_json(p, s, fields, &out);
        appendStringInfoString(&out, "}]");
    }
    appendStringInfoString(&out, "}}");
    rp_pack_release(p);
    PG_RETURN_DATUM(DirectFunctionCall1(jsonb_in, CStringGetDatum(out.data)));
}

PG_FUNCTION_INFO_V1(regula_settle_jsonb);
Datum regula_settle_jsonb(PG_FUNCTION_ARGS)
{
    if (PG_ARGISNULL(1))
        PG_RETURN_NULL();
    Jsonb *claim = PG_GETARG_JSONB_P(1);
    StringInfoData text;
    initStringInfo(&text);
    JsonbToCString(&text, &claim->root, VARSIZE(claim));
    return settle(fcinfo, text.data, (size_t)text.len);
}

PG_FUNCTION_INFO_V1(regula_settle_text);
Datum regula_settle_text(PG_FUNCTION_ARGS)
{
    if (PG_ARGISNULL(1))
        PG_RETURN_NULL();
    text *claim = PG_GETARG_TEXT_PP(1);
    return settle(fcinfo, VARDATA_ANY(claim), VARSIZE_ANY_EXHDR(claim));
}
