/* types.c — the checker's types: rgc_ty helpers, written types resolved
 * (rg_texpr to rgc_ty), a type's name in messages. Must not emit code nor
 * declare anything: it reads the declarations others made. */
#include <stdio.h>
#include <string.h>

#include "builder.h"
#include "i18n.h"
#include "values.h"

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
        else if (t->scalar == RG_T_ELEM && t->aux < pk->prog->n_fields)
            snprintf(buf, cap, "an element of %s%s", rgc_str_text(pk, pk->prog->fields[t->aux].path), opt);
        else
            snprintf(buf, cap, "%s%s", rg_type_kind_name(t->scalar), opt);
        return;
    case RGC_K_RECORD:
        snprintf(buf, cap, "record %s", t->aux == RG_NO_INDEX ? "claim" : rgc_str_text(pk, pk->prog->fields[t->aux].path));
        return;
    case RGC_K_ITEMS:
        snprintf(buf, cap, "the list %s", t->aux < pk->prog->n_fields ? rgc_str_text(pk, pk->prog->fields[t->aux].path) : "items");
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

/* ---- the names of the types a policy writes ---- */

/* The scalar types written by name, in the order messages list them: the one
 * table of written type names (each name is its kind's, rg_type_kind_name). */
static const rg_type_kind written[] = {RG_T_BOOL, RG_T_INT,      RG_T_MONEY,  RG_T_PERCENT,
                                       RG_T_DATE, RG_T_DURATION, RG_T_STRING, RG_T_REGION};

const char *rgc_type_name_at(uint32_t i)
{
    return i < sizeof written / sizeof written[0] ? rg_type_kind_name(written[i]) : NULL;
}

int rgc_scalar_named(const char *name, rg_type_kind *k)
{
    for (size_t i = 0; i < sizeof written / sizeof written[0]; i++)
        if (strcmp(name, rg_type_kind_name(written[i])) == 0) {
            *k = written[i];
            return 1;
        }
    return 0;
}

void rgc_type_list(rg_sb *b, rg_type_kind skip)
{
    const char *sep = "";
    for (size_t i = 0; i < sizeof written / sizeof written[0]; i++)
        if (written[i] != skip) {
            rg_sb_printf(b, "%s%s", sep, rg_type_kind_name(written[i]));
            sep = ", ";
        }
}

/* Resolve a written type: a scalar, an enumeration, a record, a list of a scalar. */
int rgc_resolve_type(rgc_pack *pk, rg_texpr *te, rgc_ty *out)
{
    if (te->elem) {
        rgc_ty e;
        if (rgc_resolve_type(pk, te->elem, &e) != 0)
            return -1;
        if (e.k != RGC_K_SCALAR || e.optional) {
            rgc_error(pk, te->loc, NULL, _("a list holds plain values"));
            return -1;
        }
        *out = rgc_ty_scalar(RG_T_LIST);
        out->aux = rgc_ty_pack(&e);
        return 0;
    }
    rg_type_kind k;
    if (rgc_scalar_named(te->name, &k)) {
        *out = rgc_ty_scalar(k);
        out->optional = (uint8_t)te->optional;
        if (te->has_range) {
            static const rg_type_kind unit_of[] = {[RG_E_INT] = RG_T_INT, [RG_E_MONEY] = RG_T_MONEY,
                                                   [RG_E_PERCENT] = RG_T_PERCENT};
            int ranged = k == RG_T_INT || k == RG_T_MONEY || k == RG_T_PERCENT;
            if (!ranged) {
                out->k = RGC_K_ERROR;
                rgc_error(pk, te->loc, _("write `int in 1..3`"), _("a range applies to int, money and percent"));
                return -1;
            }
            if (te->range_unit < 0 || te->range_unit > RG_E_PERCENT || unit_of[te->range_unit] != k) {
                out->k = RGC_K_ERROR;
                rgc_error(pk, te->range_loc, _("write the bounds as the type's values: int in 1..3, money in ¥0..¥5000, "
                                               "percent in 0%..100%"),
                          _("the range of %s is written in its own values"), rg_type_kind_name(k));
                return -1;
            }
            if (te->lo > te->hi) {
                out->k = RGC_K_ERROR;
                rgc_error(pk, te->range_loc, _("write the lower bound first: 1..3"), _("a range is written low to high"));
                return -1;
            }
            if (k == RG_T_INT) { /* money's and percent's are checked where they are declared (ranges.c) */
                out->has_range = 1;
                out->lo = te->lo;
                out->hi = te->hi;
            }
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
    for (const char *t; (t = rgc_type_name_at(n)) != NULL;)
        cands[n++] = t;
    for (uint32_t i = 0; i < pk->prog->n_enums && n < 64; i++)
        cands[n++] = rgc_str_text(pk, pk->prog->enums[i].name);
    const char *best = rgc_closest(te->name, cands, n);
    char hint[128];
    rg_sb h;
    rg_sb_fixed(&h, hint, sizeof hint);
    if (best) {
        rg_sb_printf(&h, _("did you mean '%s'?"), best);
    } else {
        rg_sb_puts(&h, _("types are "));
        rgc_type_list(&h, RG_T_VOID);
        rg_sb_puts(&h, _(", an enum or a record"));
    }
    rgc_error(pk, te->loc, hint, _("unknown type '%s'"), te->name);
    return -1;
}

void rgc_value_text(rgc_pack *pk, const rgc_ty *t, rg_value v, char *buf, size_t cap)
{
    rg_program *p = pk->prog;
    if (v == RG_NONE)
        snprintf(buf, cap, "none");
    else if (t->scalar == RG_T_ENUM)
        snprintf(buf, cap, "%s", rgc_str_text(pk, p->member_names[p->enums[t->aux].first_member + v]));
    else if (t->scalar == RG_T_BOOL)
        snprintf(buf, cap, "%s", v ? "true" : "false");
    else if (t->scalar == RG_T_REGION)
        snprintf(buf, cap, "%s", ((rgc_policy *)pk->policies.v[v])->name);
    else if (t->scalar == RG_T_MONEY) { /* as written in policies: ¥12.50 */
        char m[32];
        rg_format_money(v, m);
        snprintf(buf, cap, "%s%s", v < 0 ? "-\xc2\xa5" : "\xc2\xa5", m + (v < 0));
    } else if (t->scalar == RG_T_PERCENT) {
        char m[32];
        rg_format_percent(v, m);
        snprintf(buf, cap, "%s%%", m);
    } else if (t->scalar == RG_T_DATE) {
        char d[32];
        rg_format_date(v, d);
        snprintf(buf, cap, "%s", d);
    } else if (t->scalar == RG_T_DURATION)
        snprintf(buf, cap, "%lld day%s", (long long)v, v == 1 ? "" : "s");
    else
        snprintf(buf, cap, "%lld", (long long)v);
}

void rgc_range_text(const rg_texpr *te, char *buf, size_t cap)
{
    char lo[40], hi[40];
    int64_t b[2] = {te->lo, te->hi};
    char *out[2] = {lo, hi};
    for (int i = 0; i < 2; i++) {
        char m[32];
        if (te->range_unit == RG_E_MONEY) {
            rg_format_money(b[i], m);
            snprintf(out[i], 40, "%s\xc2\xa5%s", b[i] < 0 ? "-" : "", m + (b[i] < 0));
        } else if (te->range_unit == RG_E_PERCENT) {
            rg_format_percent(b[i], m);
            snprintf(out[i], 40, "%s%%", m);
        } else
            snprintf(out[i], 40, "%lld", (long long)b[i]);
    }
    snprintf(buf, cap, "%s..%s", lo, hi);
}
