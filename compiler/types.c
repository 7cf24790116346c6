/* types.c — the checker's types: rgc_ty helpers, written types resolved
 * (rg_texpr to rgc_ty), a type's name in messages. Must not emit code nor
 * declare anything: it reads the declarations others made. */
#include <stdio.h>
#include <string.h>

#include "builder.h"

rgc_ty rgc_ty_scalar(rg_type_kind k)
{
    rgc_ty t = {.k = RGC_K_SCALAR, .scalar = (uint8_t)k};
    return t;
}

rgc_ty rgc_ty_from_packed(rg_type t)
{
    rgc_ty r = rgc_ty_scalar(RG_TYPE_KIND(t));
    r.aux = RG_TYPE_AUX(t);
    return r;
}

rg_type rgc_ty_pack(const rgc_ty *t)
{
    return RG_TYPE(t->scalar, t->aux);
}

int rgc_ty_same(const rgc_ty *a, const rgc_ty *b)
{
    if (a->k != b->k)
        return 0;
    if (a->k != RGC_K_SCALAR)
        return a->aux == b->aux;
    return a->scalar == b->scalar && a->aux == b->aux;
}

void rgc_ty_name(rgc_pack *pk, const rgc_ty *t, char *buf, size_t cap)
{
    const char *opt = t->optional ? "?" : "";
    switch (t->k) {
    case RGC_K_SCALAR:
        if (t->scalar == RG_T_ENUM)
            snprintf(buf, cap, "%s%s", rgc_str_text(pk, pk->prog->enums[t->aux].name), opt);
        else if (t->scalar == RG_T_LIST) {
            rgc_ty e = rgc_ty_from_packed(t->aux);
            char en[64];
            rgc_ty_name(pk, &e, en, sizeof en);
            snprintf(buf, cap, "list of %s", en);
        } else if (t->scalar == RG_T_ROW)
            snprintf(buf, cap, "a row of catalog %s%s", ((rg_decl *)pk->catalog_decls.v[t->aux])->name, opt);
        else
            snprintf(buf, cap, "%s%s", rg_type_kind_name(t->scalar), opt);
        return;
    case RGC_K_RECORD:
        snprintf(buf, cap, "record %s", t->aux == RG_NO_INDEX ? "claim" : rgc_str_text(pk, pk->prog->fields[t->aux].path));
        return;
    case RGC_K_ITEMS:
        snprintf(buf, cap, "the item list");
        return;
    case RGC_K_ITEM:
        snprintf(buf, cap, "an item");
        return;
    case RGC_K_LEDGER:
        snprintf(buf, cap, "ledger %s", rgc_str_text(pk, pk->prog->ledger_scopes[t->aux].name));
        return;
    case RGC_K_CATALOG:
        snprintf(buf, cap, "catalog");
        return;
    case RGC_K_BRACKETS:
        snprintf(buf, cap, "brackets");
        return;
    case RGC_K_NONE:
        snprintf(buf, cap, "none");
        return;
    default:
        snprintf(buf, cap, "an erroneous value");
    }
}

/* Resolve a written type. Records are allowed only where with_records. */
int rgc_resolve_type(rgc_pack *pk, rg_texpr *te, rgc_ty *out)
{
    if (te->elem) {
        rgc_ty e;
        if (rgc_resolve_type(pk, te->elem, &e) != 0)
            return -1;
        if (e.k != RGC_K_SCALAR || e.optional) {
            rgc_error(pk, te->loc, NULL, "a list holds plain values");
            return -1;
        }
        *out = rgc_ty_scalar(RG_T_LIST);
        out->aux = rgc_ty_pack(&e);
        return 0;
    }
    static const struct {
        const char *n;
        rg_type_kind k;
    } names[] = {{"bool", RG_T_BOOL}, {"int", RG_T_INT}, {"money", RG_T_MONEY}, {"percent", RG_T_PERCENT},
                 {"date", RG_T_DATE}, {"duration", RG_T_DURATION}, {"string", RG_T_STRING}, {"region", RG_T_REGION}};
    for (size_t i = 0; i < sizeof names / sizeof names[0]; i++)
        if (strcmp(te->name, names[i].n) == 0) {
            *out = rgc_ty_scalar(names[i].k);
            out->optional = (uint8_t)te->optional;
            if (te->has_range) {
                if (names[i].k != RG_T_INT || te->lo > te->hi) {
                    rgc_error(pk, te->loc, "write `int in 1..3`", "a range applies to int, low to high");
                    return -1;
                }
                out->has_range = 1;
                out->lo = te->lo;
                out->hi = te->hi;
            }
            return 0;
        }
    int en = rgc_enum_by_name(pk, te->name);
    if (en >= 0) {
        *out = rgc_ty_scalar(RG_T_ENUM);
        out->aux = (uint32_t)en;
        out->optional = (uint8_t)te->optional;
        return 0;
    }
    for (uint32_t i = 0; i < pk->records.n; i++)
        if (strcmp(((rg_decl *)pk->records.v[i])->name, te->name) == 0) {
            *out = (rgc_ty){.k = RGC_K_RECORD, .aux = i, .optional = (uint8_t)te->optional};
            return 0;
        }
    const char *cands[64];
    uint32_t n = 0;
    for (size_t i = 0; i < sizeof names / sizeof names[0]; i++)
        cands[n++] = names[i].n;
    for (uint32_t i = 0; i < pk->prog->n_enums && n < 64; i++)
        cands[n++] = rgc_str_text(pk, pk->prog->enums[i].name);
    const char *best = rgc_closest(te->name, cands, n);
    char hint[128];
    snprintf(hint, sizeof hint, "did you mean '%s'?", best ? best : "");
    rgc_error(pk, te->loc, best ? hint : "types are bool, int, money, percent, date, duration, string, region, "
                                         "an enum or a record",
              "unknown type '%s'", te->name);
    return -1;
}
