/* cmd_diff.c — `regula diff OLD NEW CLAIMS.jsonl`: a claims file settled with
 * two packs (folders, .rg or .rgc files, git:REV:PATH), in order, each with
 * its own year ledger, through the embedding API as a service would; the
 * claims whose results change, by field and by region. Must not decide a
 * claim itself (libregula settles) nor format the report (diff_text.c,
 * diff_html.c do). */
#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "bcwrite.h"
#include "cli.h"
#include "i18n.h"
#include "regula.h"

static void usage(FILE *o)
{
    fprintf(o, _("usage: regula diff [--by FIELD] [--top N] [--out FILE.jsonl] [--html FILE.html] OLD NEW CLAIMS.jsonl\n\n"
               "Settle every line of CLAIMS.jsonl twice, in order and each time with its own year ledger\n"
               "(as `regula run` does): with the policies OLD and with NEW. Each is a policy directory,\n"
               "a .rg file, a .rgc bytecode file, or git:REV:PATH — the folder or file PATH (relative\n"
               "to this directory) as it was at commit REV of the git repository here, e.g.\n"
               "git:HEAD:policies for the policies as last committed. Prints how many claims changed;\n"
               "for each result field how many claims it changed in and, for money, its totals before\n"
               "and after; the same by region (the policy that settles each claim); and the claims that\n"
               "changed most.\n\n"
               "  --by FIELD      the money field that ranks claims and is summed by region (default\n"
               "                  fund, else the first money field)\n"
               "  --top N         how many of the biggest changes to list (default 10)\n"
               "  --out FILE      write one JSON line per changed claim: {\"line\", \"claim_id\", \"region\",\n"
               "                  FIELD: {\"before\", \"after\"}, …} with every field that changed\n"
               "  --html FILE     write the report as one self-contained page (no network): charts of the\n"
               "                  change by region and of the change per claim, and the biggest changes\n"
               "                  with where each of their amounts came from, before and after\n\n"
               "A progress line shows on standard error while it is a terminal.\n"
               "exit status: 0 no claim changed, 1 some claims changed, 2 usage, pack or I/O error\n"));
}

/* One pack, loaded into libregula, with a context and a year ledger. */
typedef struct {
    const char *name;
    rgd_settler s;
} side;

static int open_side(side *s, const char *name)
{
    memset(s, 0, sizeof *s);
    s->name = name;
    rgd_pack cp;
    if (rgd_pack_open(&cp, name) != 0) {
        rgd_pack_close(&cp);
        return -1;
    }
    const rg_program *p = rgd_pack_program(&cp);
    if (p->n_externs) {
        fprintf(stderr, _("regula diff: %s calls host functions (extern fn %s): diff settles packs without them; "
                        "compare two runs of `regula run --allow-extern` instead\n"), name, p->str[p->externs[0].name]);
        rgd_pack_close(&cp);
        return -1;
    }
    char err[600];
    int rc = rgd_settler_open(&s->s, p, err, sizeof err);
    rgd_pack_close(&cp);
    if (rc != 0)
        fprintf(stderr, _("regula diff: %s: %s\n"), name, err);
    return rc;
}

/* Settle one line with one pack, its ledger carried on: 1 settled, 0 an error line. */
static int settle(side *s, const char *line, size_t len, long lineno, int explain)
{
    regula_ctx_set_explain(s->s.ctx, explain);
    regula_status st = regula_claim_json(s->s.ctx, line, len, lineno);
    if (st == REGULA_OK)
        st = regula_ledger_load(s->s.ctx, s->s.ledger);
    if (st == REGULA_OK)
        st = regula_settle(s->s.ctx);
    if (st == REGULA_OK)
        st = regula_ledger_commit(s->s.ctx, s->s.ledger);
    return st == REGULA_OK;
}

/* ---- the fields and regions compared ---- */

static void add_fields(diff_report *d, side *s, int k)
{
    for (unsigned i = 0; i < regula_output_count(s->s.pack); i++) {
        const char *name = regula_output_name(s->s.pack, i);
        int money = regula_output_type(s->s.pack, i) == REGULA_T_MONEY;
        diff_field *f = NULL;
        for (uint32_t j = 0; j < d->n_fields && !f; j++)
            if (strcmp(d->fields[j].name, name) == 0)
                f = &d->fields[j];
        if (!f) {
            d->fields = realloc(d->fields, (d->n_fields + 1) * sizeof *d->fields);
            f = &d->fields[d->n_fields++];
            *f = (diff_field){name, money, {-1, -1}, 0, {0, 0}};
        }
        f->index[k] = (int)i;
        f->money = f->money && money;
    }
}

static uint32_t region_of(diff_report *d, side sides[2])
{
    regula_value v;
    const char *name = "";
    if (regula_claim_region(sides[1].s.ctx, &v) == REGULA_OK && v.s)
        name = v.s;
    else if (regula_claim_region(sides[0].s.ctx, &v) == REGULA_OK && v.s)
        name = v.s;
    for (uint32_t i = 0; i < d->n_regions; i++)
        if (strcmp(d->regions[i].name, name) == 0)
            return i;
    d->regions = realloc(d->regions, (d->n_regions + 1) * sizeof *d->regions);
    d->regions[d->n_regions] = (diff_region){strdup(name), 0, 0, {0, 0}};
    return d->n_regions++;
}

static int same_value(const regula_value *a, const regula_value *b)
{
    if (a->type != b->type || a->present != b->present)
        return 0;
    if (a->type == REGULA_T_STRING)
        return !a->present || strcmp(a->s, b->s) == 0;
    return a->i == b->i;
}

/* The result lines of both sides (as `regula run` writes them) compared key by
 * key: {"line", "claim_id", "region", KEY: {"before", "after"}…} for the keys
 * that differ. */
static json_t *changes(side sides[2], long lineno, const char *region, const char **claim_id)
{
    json_t *r[2];
    for (int k = 0; k < 2; k++) {
        const char *text = regula_result_json(sides[k].s.ctx);
        r[k] = text ? json_loads(text, 0, NULL) : NULL;
        if (!r[k])
            r[k] = json_object();
    }
    json_t *d = json_object();
    json_object_set_new(d, "line", json_integer(lineno));
    json_t *id = json_object_get(r[1], "claim_id");
    if (!json_is_string(id))
        id = json_object_get(r[0], "claim_id");
    if (json_is_string(id))
        json_object_set(d, "claim_id", id);
    if (*region)
        json_object_set_new(d, "region", json_string(region));
    json_t *c = rgd_result_changes(r[0], r[1]);
    json_object_update(d, c);
    json_decref(c);
    *claim_id = json_is_string(id) ? strdup(json_string_value(id)) : NULL;
    json_decref(r[0]);
    json_decref(r[1]);
    return d;
}

/* One line settled with both packs, compared and counted. */
static void compare_line(diff_report *d, side sides[2], const char *line, size_t len, long lineno, FILE *out)
{
    int settled[2];
    for (int k = 0; k < 2; k++) {
        settled[k] = settle(&sides[k], line, len, lineno, 0);
        d->errors[k] += !settled[k];
    }
    uint32_t ri = region_of(d, sides);
    diff_region *reg = &d->regions[ri];
    reg->claims++;
    int changed = 0;
    int64_t key[2] = {0, 0};
    char names[600] = "";
    size_t nn = 0;
    for (uint32_t i = 0; i < d->n_fields; i++) {
        diff_field *f = &d->fields[i];
        regula_value v[2];
        int have[2];
        for (int k = 0; k < 2; k++) {
            have[k] = settled[k] && f->index[k] >= 0 &&
                      regula_result(sides[k].s.ctx, (unsigned)f->index[k], &v[k]) == REGULA_OK;
            if (have[k] && f->money) {
                f->total[k] += v[k].i;
                if (d->key && strcmp(f->name, d->key) == 0)
                    key[k] = v[k].i;
            }
        }
        if (settled[0] && settled[1] && (have[0] != have[1] || (have[0] && !same_value(&v[0], &v[1])))) {
            f->changed++;
            changed = 1;
            if (nn + strlen(f->name) + 3 < sizeof names)
                nn += (size_t)snprintf(names + nn, sizeof names - nn, "%s%s", nn ? ", " : "", f->name);
        }
    }
    if (settled[0] != settled[1]) {
        changed = 1;
        d->errors_changed++;
        snprintf(names, sizeof names, "%s", settled[1] ? "no longer an error" : "became an error");
    } else if (!settled[0] && strcmp(regula_errmsg(sides[0].s.ctx), regula_errmsg(sides[1].s.ctx)) != 0) {
        changed = 1;
        d->errors_changed++;
        snprintf(names, sizeof names, "error");
    }
    for (int k = 0; k < 2; k++)
        reg->total[k] += key[k];
    if (!changed)
        return;
    d->changed++;
    reg->changed++;
    const char *cid = NULL;
    json_t *c = changes(sides, lineno, reg->name, &cid);
    if (out) {
        char *s = json_dumps(c, JSON_PRESERVE_ORDER);
        if (s)
            fprintf(out, "%s\n", s);
        free(s);
    }
    json_object_del(c, "line");
    json_object_del(c, "claim_id");
    json_object_del(c, "region");
    if (d->n_changed % 256 == 0)
        d->claims_changed = realloc(d->claims_changed, (d->n_changed + 256) * sizeof *d->claims_changed);
    diff_claim *dc = &d->claims_changed[d->n_changed++];
    memset(dc, 0, sizeof *dc);
    dc->line = lineno;
    dc->claim_id = (char *)cid;
    dc->region = ri;
    dc->settled[0] = settled[0];
    dc->settled[1] = settled[1];
    dc->key[0] = key[0];
    dc->key[1] = key[1];
    dc->fields = strdup(names);
    dc->changes = json_dumps(c, JSON_PRESERVE_ORDER);
    json_decref(c);
}

static int by_change(const void *a, const void *b, void *claims)
{
    const diff_claim *c = claims, *x = &c[*(const size_t *)a], *y = &c[*(const size_t *)b];
    return rgd_change_order(x->key[0], x->key[1], x->line, y->key[0], y->key[1], y->line);
}

/* The trails of the biggest changes: the file settled again, with the
 * explanation on for their lines only (the ledger must be rebuilt in order). */
static int explain_top(diff_report *d, side sides[2], FILE *in)
{
    long *want = malloc((d->n_top + 1) * sizeof *want);
    size_t n_want = d->n_top;
    for (size_t i = 0; i < n_want; i++)
        want[i] = d->claims_changed[d->top[i]].line;
    for (int k = 0; k < 2; k++) {
        regula_ledger_free(sides[k].s.ledger);
        sides[k].s.ledger = NULL;
        if (regula_ledger_new(sides[k].s.pack, &sides[k].s.ledger) != REGULA_OK) {
            free(want);
            return -1;
        }
    }
    rewind(in);
    rgd_lines l;
    rgd_lines_start(&l, in, "regula diff: explaining");
    while (rgd_lines_next(&l)) {
        size_t hit = n_want;
        for (size_t i = 0; i < n_want; i++)
            if (want[i] == l.lineno)
                hit = i;
        for (int k = 0; k < 2; k++) {
            int ok = settle(&sides[k], l.line, l.len, l.lineno, hit < n_want);
            const char *trail = ok && hit < n_want ? regula_explain_json(sides[k].s.ctx) : NULL;
            if (trail)
                d->claims_changed[d->top[hit]].trail[k] = strdup(trail);
        }
    }
    free(want);
    return rgd_lines_end(&l);
}

/* The key field: FIELD when given (a money field of the packs), else fund, else the first money field. */
static int choose_key(diff_report *d, const char *by)
{
    d->key = NULL;
    for (uint32_t i = 0; i < d->n_fields; i++)
        if (d->fields[i].money && (by ? strcmp(d->fields[i].name, by) == 0 : strcmp(d->fields[i].name, "fund") == 0))
            d->key = d->fields[i].name;
    if (!d->key && by) {
        char list[600] = "";
        size_t n = 0;
        for (uint32_t i = 0; i < d->n_fields; i++)
            if (d->fields[i].money && n + strlen(d->fields[i].name) + 3 < sizeof list)
                n += (size_t)snprintf(list + n, sizeof list - n, "%s%s", n ? ", " : "", d->fields[i].name);
        fprintf(stderr, _("regula diff: --by %s: not a money field of both packs (%s%s)\n"), by, n ? "they have " : "they have none",
                list);
        return -1;
    }
    for (uint32_t i = 0; i < d->n_fields && !d->key; i++)
        if (d->fields[i].money)
            d->key = d->fields[i].name;
    return 0;
}

static void free_report(diff_report *d)
{
    for (size_t i = 0; i < d->n_changed; i++) {
        diff_claim *c = &d->claims_changed[i];
        free(c->claim_id);
        free(c->fields);
        free(c->changes);
        free(c->trail[0]);
        free(c->trail[1]);
    }
    for (uint32_t i = 0; i < d->n_regions; i++)
        free((char *)d->regions[i].name);
    free(d->claims_changed);
    free(d->regions);
    free(d->fields);
    free(d->top);
}

int cmd_diff(int argc, char **argv)
{
    const char *args[3] = {NULL, NULL, NULL}, *by = NULL, *outpath = NULL, *html = NULL, *v;
    int n_args = 0;
    long top = 10;
    for (int i = 1; i < argc; i++) {
        if (strcmp(argv[i], "--help") == 0 || strcmp(argv[i], "-h") == 0) {
            usage(stdout);
            return EXIT_OK;
        } else if (cli_opt(argc, argv, &i, "--by", &v)) {
            if (!(by = v))
                return EXIT_USAGE;
        } else if (cli_opt(argc, argv, &i, "--out", &v) || cli_opt(argc, argv, &i, "-o", &v)) {
            if (!(outpath = v))
                return EXIT_USAGE;
        } else if (cli_opt(argc, argv, &i, "--html", &v)) {
            if (!(html = v))
                return EXIT_USAGE;
        } else if (cli_opt(argc, argv, &i, "--top", &v)) {
            char *end;
            if (!v)
                return EXIT_USAGE;
            errno = 0;
            top = strtol(v, &end, 10);
            if (errno || *end || end == v || top < 0 || top > 1000) {
                fprintf(stderr, _("regula diff: --top wants a number from 0 to 1000, not '%s'\n"), v);
                return EXIT_USAGE;
            }
        } else if (argv[i][0] == '-' && argv[i][1] != '\0') {
            fprintf(stderr, _("regula diff: unknown option '%s'\n"), argv[i]);
            usage(stderr);
            return EXIT_USAGE;
        } else if (n_args < 3) {
            args[n_args++] = argv[i];
        } else {
            fprintf(stderr, _("regula diff: one claims file, after the two packs ('%s' is one too many)\n"), argv[i]);
            return EXIT_USAGE;
        }
    }
    if (n_args != 3) {
        fprintf(stderr, _("regula diff: give the old pack, the new pack and a claims file\n"));
        usage(stderr);
        return EXIT_USAGE;
    }
    FILE *in = strcmp(args[2], "-") == 0 ? stdin : fopen(args[2], "rb");
    if (!in) {
        fprintf(stderr, _("regula diff: cannot read %s: %s\n"), args[2], strerror(errno));
        return EXIT_USAGE;
    }
    if (html && in == stdin) {
        fprintf(stderr, _("regula diff: --html reads the claims twice (the second time for the trails): give them as a "
                        "file, not -\n"));
        return EXIT_USAGE;
    }
    side sides[2];
    memset(sides, 0, sizeof sides);
    diff_report d;
    memset(&d, 0, sizeof d);
    d.pack[0] = args[0];
    d.pack[1] = args[1];
    d.claims = args[2];
    int rc = EXIT_USAGE;
    FILE *out = NULL;
    if (open_side(&sides[0], args[0]) != 0 || open_side(&sides[1], args[1]) != 0)
        goto done;
    add_fields(&d, &sides[0], 0);
    add_fields(&d, &sides[1], 1);
    if (choose_key(&d, by) != 0)
        goto done;
    if (outpath && !(out = fopen(outpath, "w"))) {
        fprintf(stderr, _("regula diff: cannot write %s: %s\n"), outpath, strerror(errno));
        goto done;
    }
    rgd_lines l;
    rgd_lines_start(&l, in, "regula diff");
    while (rgd_lines_next(&l))
        compare_line(&d, sides, l.line, l.len, l.lineno, out);
    d.lines = l.lineno;
    int read_err = rgd_lines_end(&l) != 0;
    if (read_err || (out && fclose(out) != 0)) {
        fprintf(stderr, _("regula diff: %s failed\n"), read_err ? "reading the claims" : "writing --out");
        out = NULL;
        goto done;
    }
    out = NULL;
    d.top = malloc((d.n_changed + 1) * sizeof *d.top);
    for (size_t i = 0; i < d.n_changed; i++)
        d.top[i] = i;
    qsort_r(d.top, d.n_changed, sizeof *d.top, by_change, d.claims_changed);
    d.n_top = d.n_changed < (size_t)top ? d.n_changed : (size_t)top;
    if (html && explain_top(&d, sides, in) != 0) {
        fprintf(stderr, _("regula diff: reading the claims again failed\n"));
        goto done;
    }
    diff_print_text(stdout, &d);
    if (html && diff_write_html(html, &d) != 0) {
        fprintf(stderr, _("regula diff: cannot write %s: %s\n"), html, strerror(errno));
        goto done;
    }
    if (html)
        printf(_("wrote %s\n"), html);
    rc = fflush(stdout) != 0 ? EXIT_USAGE : d.changed ? EXIT_FAIL : EXIT_OK;
done:
    if (out)
        fclose(out);
    if (in != stdin)
        fclose(in);
    rgd_settler_close(&sides[0].s);
    rgd_settler_close(&sides[1].s);
    free_report(&d);
    return rc;
}
