/* settle_core.c — one claim settled with a pack of the cache: binding its text, the ledger keys as JSON text, giving and taking the records' fields, and the exact decimal text of money, percent, int and duration values.
 * Must not query tables (the callers find the records) and must not raise an ERROR between rp_bind and the end of a regula_* call: ERRORs come only from parsing what the caller gives. */
#include "postgres.h"

#include "fmgr.h"
#include "utils/builtins.h"
#include "utils/datetime.h"
#include "utils/json.h"
#include "utils/jsonb.h"
#include "utils/numeric.h"

#include "regula_pg.h"

/* ---- exact decimals: v / 10^scale ---- */

static int scale_of(regula_type t)
{
    return t == REGULA_T_MONEY ? 2 : t == REGULA_T_PERCENT ? 4 : 0;
}

/* Money keeps its two decimals (200.00, as results print it); a percent drops
 * trailing zeros (60, 12.5). */
static void append_scaled(StringInfo out, int64 v, regula_type t)
{
    int scale = scale_of(t);
    if (scale == 0) {
        appendStringInfo(out, INT64_FORMAT, v);
        return;
    }
    uint64 mag = v < 0 ? (uint64)0 - (uint64)v : (uint64)v, unit = scale == 2 ? 100 : 10000;
    char frac[8];
    snprintf(frac, sizeof frac, "%0*llu", scale, (unsigned long long)(mag % unit));
    if (t == REGULA_T_PERCENT) {
        int n = scale;
        while (n > 0 && frac[n - 1] == '0')
            frac[--n] = 0;
    }
    appendStringInfo(out, "%s%llu%s%s", v < 0 ? "-" : "", (unsigned long long)(mag / unit), frac[0] ? "." : "", frac);
}

/* "-12.5" with scale 2 -> -1250; false when not a number, more decimals than
 * the scale allows (but zeros), or out of range. */
static bool parse_scaled(const char *s, int scale, int64 *out)
{
    bool neg = *s == '-';
    if (*s == '-' || *s == '+')
        s++;
    if (!isdigit((unsigned char)*s))
        return false;
    uint64 v = 0;
    int decimals = -1;
    for (; *s; s++) {
        if (*s == '.' && decimals < 0) {
            decimals = 0;
            continue;
        }
        if (!isdigit((unsigned char)*s))
            return false;
        if (decimals >= scale) {
            if (*s != '0')
                return false;
            continue;
        }
        if (decimals >= 0)
            decimals++;
        if (v > ((uint64)INT64_MAX - 9) / 10)
            return false;
        v = v * 10 + (uint64)(*s - '0');
    }
    for (int d = decimals < 0 ? 0 : decimals; d < scale; d++) {
        if (v > (uint64)INT64_MAX / 10)
            return false;
        v *= 10;
    }
    *out = neg ? -(int64)v : (int64)v;
    return true;
}

static void append_value(StringInfo out, const regula_value *v)
{
    if (!v->present) {
        appendStringInfoString(out, "null");
        return;
    }
    switch (v->type) {
    case REGULA_T_STRING:
    case REGULA_T_ENUM:
    case REGULA_T_REGION:
        escape_json(out, v->s ? v->s : "");
        break;
    case REGULA_T_BOOL:
        appendStringInfoString(out, v->i ? "true" : "false");
        break;
    case REGULA_T_DATE: {
        int y, m, d;
        j2date((int)(v->i + UNIX_EPOCH_JDATE), &y, &m, &d);
        appendStringInfo(out, "\"%04d-%02d-%02d\"", y, m, d);
        break;
    }
    default:
        append_scaled(out, v->i, v->type);
    }
}

/* ---- one claim ---- */

regula_status rp_bind(rp_pack *p, const char *json, size_t len, long line)
{
    return regula_claim_json(p->ctx, json, len, line > 0 ? line : 0);
}

/* The key as jsonb prints it: ["PA01", 2024] — so that a key read back from a
 * jsonb column compares equal as text. */
void rp_key_text(rp_pack *p, unsigned scope, StringInfo out)
{
    appendStringInfoChar(out, '[');
    for (unsigned k = 0; k < p->scopes[scope].n_keys; k++) {
        regula_value v = {0};
        if (regula_ledger_key(p->ctx, scope, k, &v) != REGULA_OK)
            v.present = 0;
        if (k)
            appendStringInfoString(out, ", ");
        append_value(out, &v);
    }
    appendStringInfoChar(out, ']');
}

bool rp_applies(rp_pack *p, unsigned scope)
{
    return regula_ledger_applies(p->ctx, scope) == 1;
}

regula_status rp_give(rp_pack *p, unsigned scope, const int64 *fields)
{
    if (!fields)
        return regula_ledger_none(p->ctx, scope);
    regula_status st = REGULA_OK;
    for (unsigned f = 0; f < p->scopes[scope].n_fields && st == REGULA_OK; f++)
        st = regula_ledger_set(p->ctx, scope, f, fields[f]);
    return st;
}

regula_status rp_settle(rp_pack *p)
{
    return regula_settle(p->ctx);
}

void rp_take(rp_pack *p, unsigned scope, int64 *fields)
{
    for (unsigned f = 0; f < p->scopes[scope].n_fields; f++)
        if (regula_ledger_get(p->ctx, scope, f, &fields[f]) != REGULA_OK)
            fields[f] = 0;
}

char *rp_copy_result(rp_pack *p)
{
    const char *json = regula_result_json(p->ctx);
    if (json)
        return pstrdup(json);
    StringInfoData b;
    initStringInfo(&b);
    appendStringInfoString(&b, "{\"error\": ");
    escape_json(&b, regula_errmsg(p->ctx));
    appendStringInfoChar(&b, '}');
    return b.data;
}

void rp_fields_json(rp_pack *p, unsigned scope, const int64 *fields, StringInfo out)
{
    const rp_scope *sc = &p->scopes[scope];
    appendStringInfoChar(out, '{');
    for (unsigned f = 0; f < sc->n_fields; f++) {
        if (f)
            appendStringInfoString(out, ", ");
        escape_json(out, sc->field_names[f]);
        appendStringInfoString(out, ": ");
        append_scaled(out, fields[f], sc->field_types[f]);
    }
    appendStringInfoChar(out, '}');
}

void rp_fields_parse(rp_pack *p, unsigned scope, JsonbContainer *obj, int64 *fields, const char *what)
{
    const rp_scope *sc = &p->scopes[scope];
    if (!obj || !JsonContainerIsObject(obj))
        ereport(ERROR, (errcode(ERRCODE_INVALID_PARAMETER_VALUE),
                        errmsg("%s: the fields of a record of ledger scope \"%s\" are not a JSON object", what, sc->name)));
    for (unsigned f = 0; f < sc->n_fields; f++) {
        const char *name = sc->field_names[f];
        JsonbValue v, *got = getKeyJsonValueFromContainer(obj, name, (int)strlen(name), &v);
        char *text = NULL;
        if (got && got->type == jbvNumeric)
            text = DatumGetCString(DirectFunctionCall1(numeric_out, NumericGetDatum(got->val.numeric)));
        else if (got && got->type == jbvString)
            text = pnstrdup(got->val.string.val, got->val.string.len);
        if (!got)
            ereport(ERROR, (errcode(ERRCODE_INVALID_PARAMETER_VALUE),
                            errmsg("%s: a record of ledger scope \"%s\" has no field \"%s\"", what, sc->name, name)));
        if (!text || !parse_scaled(text, scale_of(sc->field_types[f]), &fields[f]))
            ereport(ERROR, (errcode(ERRCODE_INVALID_PARAMETER_VALUE),
                            errmsg("%s: field \"%s\" of ledger scope \"%s\" is not an exact %s amount", what, name,
                                   sc->name, sc->field_types[f] == REGULA_T_MONEY ? "money (2 decimals)"
                                             : sc->field_types[f] == REGULA_T_PERCENT ? "percent (4 decimals)"
                                                                                       : "whole-number")));
    }
}
