/* diff_text.c — `regula diff`'s report on standard output: how many claims
 * changed, by field with money totals, by region, and the biggest changes.
 * Must not settle or compare: it prints what cmd_diff.c counted. */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "cli.h"
#include "i18n.h"
#include "values.h"

static void money(int64_t fen, int sign, char *buf, size_t cap)
{
    rg_format_money_grouped(fen, sign, buf, cap);
}

void diff_print_text(FILE *out, const diff_report *d)
{
    fprintf(out, _("old: %s\nnew: %s\n"), d->pack[0], d->pack[1]);
    fprintf(out, ngettext("%ld line of %s settled with both packs: ", "%ld lines of %s settled with both packs: ", d->lines),
            d->lines, d->claims);
    fprintf(out, ngettext("%ld claim changed", "%ld claims changed", d->changed), d->changed);
    if (d->errors[0] == d->errors[1] && d->errors[0])
        fprintf(out, ngettext(" (%ld error line both times)", " (%ld error lines both times)", d->errors[0]), d->errors[0]);
    else if (d->errors[0] || d->errors[1])
        fprintf(out, _(" (error lines: %ld before, %ld after)"), d->errors[0], d->errors[1]);
    fputc('\n', out);

    /* by field */
    cli_table t;
    char b[3][48];
    cli_table_init(&t, "lrrrr");
    cli_table_row(&t, _("field"), _("changed"), _("before"), _("after"), _("difference"));
    for (uint32_t i = 0; i < d->n_fields; i++) {
        const diff_field *f = &d->fields[i];
        char changed[32];
        snprintf(changed, sizeof changed, "%ld", f->changed);
        if (f->index[0] < 0 || f->index[1] < 0)
            snprintf(changed, sizeof changed, "%s", f->index[0] < 0 ? _("(new)") : _("(gone)"));
        if (f->money) {
            money(f->total[0], 0, b[0], sizeof b[0]);
            money(f->total[1], 0, b[1], sizeof b[1]);
            money(f->total[1] - f->total[0], 1, b[2], sizeof b[2]);
            cli_table_row(&t, f->name, changed, b[0], b[1], b[2]);
        } else {
            cli_table_row(&t, f->name, changed, NULL, NULL, NULL);
        }
    }
    if (d->errors[0] || d->errors[1]) {
        char n[32];
        snprintf(n, sizeof n, "%ld", d->errors_changed);
        cli_table_row(&t, _("(error line)"), n, NULL, NULL, NULL);
    }
    fprintf(out, _("\nby field (claims it changed in; money: the totals of the claims each pack settled):\n"));
    cli_table_print(out, &t, "  ");

    if (!d->key)
        return; /* no money field: nothing to sum by region or rank by */

    /* by region */
    cli_table_init(&t, "lrrrrr");
    char head[3][96];
    snprintf(head[0], sizeof head[0], _("%s before"), d->key);
    snprintf(head[1], sizeof head[1], _("%s after"), d->key);
    cli_table_row(&t, _("region"), _("claims"), _("changed"), head[0], head[1], _("difference"));
    for (uint32_t i = 0; i < d->n_regions; i++) {
        const diff_region *r = &d->regions[i];
        char n[2][32];
        snprintf(n[0], sizeof n[0], "%ld", r->claims);
        snprintf(n[1], sizeof n[1], "%ld", r->changed);
        money(r->total[0], 0, b[0], sizeof b[0]);
        money(r->total[1], 0, b[1], sizeof b[1]);
        money(r->total[1] - r->total[0], 1, b[2], sizeof b[2]);
        cli_table_row(&t, *r->name ? r->name : _("(no claim)"), n[0], n[1], b[0], b[1], b[2]);
    }
    fprintf(out, _("\nby region (the policy that settles the claim), %s:\n"), d->key);
    cli_table_print(out, &t, "  ");

    /* the biggest changes */
    if (!d->n_top)
        return;
    fprintf(out, _("\n%s, by %s:\n"),
            d->n_changed == 1 ? _("the claim that changed")
            : d->n_top == 1   ? _("the claim that changed most")
                              : _("the claims that changed most"),
            d->key);
    cli_table_init(&t, "rllrrrl");
    cli_table_row(&t, _("line"), "claim_id", _("region"), head[0], head[1], _("difference"), _("what changed"));
    for (size_t i = 0; i < d->n_top; i++) {
        const diff_claim *c = &d->claims_changed[d->top[i]];
        char line[32];
        snprintf(line, sizeof line, "%ld", c->line);
        for (int k = 0; k < 2; k++) {
            if (c->settled[k])
                money(c->key[k], 0, b[k], sizeof b[k]);
            else
                snprintf(b[k], sizeof b[k], "%s", _("error"));
        }
        money(c->key[1] - c->key[0], 1, b[2], sizeof b[2]);
        const char *region = d->regions[c->region].name;
        cli_table_row(&t, line, c->claim_id ? c->claim_id : "", *region ? region : "-", b[0], b[1], b[2], c->fields);
    }
    cli_table_print(out, &t, "  ");
}
