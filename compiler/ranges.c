/* ranges.c — the values a parameter may take: the range its declaration
 * writes (`param max_ratio: percent in 0%..100%`), else money not negative
 * and a percentage within 0..100; every implementation of a parameter (each
 * region's, each version's, the REPL's) checked at compile time. Must not
 * emit code. */
#include <stdio.h>
#include <string.h>

#include "builder.h"
#include "i18n.h"

#define PERCENT_100 1000000 /* 100% in the VM's representation */

int rgc_value_range(const rg_texpr *te, rg_type_kind k, int64_t *lo, int64_t *hi)
{
    if (te && te->has_range) {
        *lo = te->lo;
        *hi = te->hi;
        return 1;
    }
    if (k == RG_T_MONEY) {
        *lo = 0;
        *hi = INT64_MAX;
        return 1;
    }
    if (k == RG_T_PERCENT) {
        *lo = 0;
        *hi = PERCENT_100;
        return 1;
    }
    return 0;
}

static void check_param(rgc_pack *pk, rgc_def *d, rgc_impl *im)
{
    rgc_ty t = rgc_def_type(pk, d);
    if (t.k != RGC_K_SCALAR || !im->decl->value)
        return;
    const rg_texpr *te = d->root->type;
    int64_t lo, hi;
    if (!rgc_value_range(te, t.scalar, &lo, &hi))
        return;
    rg_value v;
    rgc_ty vt;
    if (rgc_const_expr(pk, im->decl->value, &t, &v, &vt, 0) != 0 || v == RG_NONE || (v >= lo && v <= hi))
        return; /* a value the checker cannot work out here is not judged */
    char val[64], who[160], hint[400];
    rgc_value_text(pk, &t, v, val, sizeof val);
    if (im->decl == d->root)
        snprintf(who, sizeof who, "'%s'", d->name);
    else if (im->version)
        snprintf(who, sizeof who, _("%s's '%s' in version %s"), im->policy->name, d->name, im->version->decl->name);
    else
        snprintf(who, sizeof who, _("%s's '%s'"), im->policy->name, d->name);
    /* a region's override: the range is its declaration's, which the region cannot change */
    int own = im->decl == d->root;
    const char *owner = d->owner ? d->owner->name : pk->root->name;
    char at[200];
    rgc_place(pk, im->decl->value->loc, te ? te->loc : d->root->name_loc, at, sizeof at);
    if (te && te->has_range) {
        char range[100];
        rgc_range_text(te, range, sizeof range);
        if (own)
            snprintf(hint, sizeof hint, _("give a value within %s, or widen the range"), range);
        else
            snprintf(hint, sizeof hint, _("%s declares '%s' in %s (%s): give a value within it"), owner, d->name, range,
                     at);
        rgc_error_related(pk, im->decl->value->loc, hint, te->range_loc, _("the declared range"),
                          _("%s is %s, outside its range %s"), who, val, range);
    } else if (t.scalar == RG_T_MONEY) {
        if (own)
            snprintf(hint, sizeof hint, _("money is not negative unless its declaration says so: param %s: money in "
                                          "-¥1000..¥1000"), d->name);
        else
            snprintf(hint, sizeof hint, _("%s declares '%s' (%s) with no range, so it is not negative: give an amount "
                                          "of ¥0 or more"), owner, d->name, at);
        rgc_error(pk, im->decl->value->loc, hint, _("%s is %s: a negative amount"), who, val);
    } else {
        if (own)
            snprintf(hint, sizeof hint, _("a percentage is within 0%%..100%% unless its declaration says so: param "
                                          "%s: percent in 0%%..200%%"), d->name);
        else
            snprintf(hint, sizeof hint, _("%s declares '%s' (%s) with no range, so it is within 0%%..100%%: give a "
                                          "value within it"), owner, d->name, at);
        rgc_error(pk, im->decl->value->loc, hint, _("%s is %s, outside 0%%..100%%"), who, val);
    }
}

void rgc_check_ranges(rgc_pack *pk)
{
    for (uint32_t i = 0; i < pk->impls.n; i++) {
        rgc_impl *im = pk->impls.v[i];
        if (im->def->kind == RG_DEF_PARAM && !im->def->hidden)
            check_param(pk, im->def, im);
    }
}
