/* whatif.c — :whatif: a claims file settled without and with the overrides; changed claims, totals, per-claim differences.
 * Settles through the public API (include/regula.h), each line as `regula run` does (regula_settle_line).
 * Must not change the session (its packs, claim or overrides). */
#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "driver.h"
#include "repl.h"
#include "i18n.h"
#include "values.h"

typedef struct {
    long line;
    char id[64];
    int64_t *vals;          /* each money result before, then after, in fen (0 for an error line) */
} changed_claim;

/* One side of the comparison: a build's pack, its context and ledger. */
static int side_open(repl *r, const repl_build *b, rgd_settler *s)
{
    char err[1024];
    if (rgd_settler_open(s, repl_program(b), err, sizeof err) == 0)
        return 0;
    repl_error(r, "%s", err);
    return -1;
}

/* The line of `regula run` for LINE settled on one side, as JSON. */
static json_t *settle_json(rgd_settler *s, const char *line, size_t len, long lineno)
{
    const char *out;
    size_t n;
    regula_settle_line(s->ctx, s->ledger, line, len, lineno, &out, &n);
    return out ? json_loadb(out, n, 0, NULL) : NULL;
}

static int amount(json_t *o, const char *field, int64_t *fen)
{
    json_t *v = json_object_get(o, field);
    if (!json_is_string(v))
        return -1;
    const char *s = json_string_value(v);
    int neg = *s == '-';
    if (rg_parse_amount(s + neg, strlen(s + neg), fen) != RG_AMOUNT_OK)
        return -1;
    if (neg)
        *fen = -*fen;
    return 0;
}

typedef struct {
    uint32_t field, n; /* the money result ranked by, of n */
} ranking;

static int by_change(const void *a, const void *b, void *how)
{
    const changed_claim *x = a, *y = b;
    const ranking *k = how;
    return rgd_change_order(x->vals[k->field], x->vals[k->n + k->field], x->line, y->vals[k->field],
                            y->vals[k->n + k->field], y->line);
}

static void write_diff(FILE *o, long lineno, json_t *a, json_t *b)
{
    json_t *d = json_object();
    json_object_set_new(d, "line", json_integer(lineno));
    json_t *id = json_object_get(b, "claim_id");
    if (!id)
        id = json_object_get(a, "claim_id");
    if (id)
        json_object_set(d, "claim_id", id);
    json_t *changes = rgd_result_changes(a, b);
    json_object_update(d, changes);
    json_decref(changes);
    char *s = json_dumps(d, JSON_PRESERVE_ORDER);
    if (s)
        fprintf(o, "%s\n", s);
    free(s);
    json_decref(d);
}

void repl_cmd_whatif(repl *r, const char *args)
{
    char *buf = strdup(args), *path = NULL, *outpath = NULL;
    for (char *tok = strtok(buf, " \t"); tok; tok = strtok(NULL, " \t")) {
        if (strcmp(tok, "--out") == 0 || strcmp(tok, "-o") == 0) {
            outpath = strtok(NULL, " \t");
            if (!outpath) {
                repl_error(r, _("--out needs a file name"));
                free(buf);
                return;
            }
        } else if (strncmp(tok, "--out=", 6) == 0) {
            outpath = tok + 6;
        } else if (!path) {
            path = tok;
        } else {
            repl_error(r, _("usage: :whatif CLAIMS.jsonl [--out FILE]"));
            free(buf);
            return;
        }
    }
    if (!path) {
        repl_error(r, _("usage: :whatif CLAIMS.jsonl [--out FILE]"));
        free(buf);
        return;
    }
    if (!r->cur) {
        repl_error(r, _("no pack loaded"));
        free(buf);
        return;
    }
    FILE *in = fopen(path, "rb");
    if (!in) {
        repl_error(r, _("cannot read %s: %s"), path, strerror(errno));
        free(buf);
        return;
    }
    FILE *out = NULL;
    if (outpath && !(out = fopen(outpath, "w"))) {
        repl_error(r, _("cannot write %s: %s"), outpath, strerror(errno));
        fclose(in);
        free(buf);
        return;
    }
    if (!r->n_ovr)
        fprintf(r->out, _("note: no overrides, so before and after are the same (:set one first)\n"));
    rgd_settler sa = {0}, sb = {0};
    int opened = side_open(r, repl_base(r), &sa) == 0 && side_open(r, r->cur, &sb) == 0;
    /* the pack's money results: their totals, and the claims ranked by the one that changed most */
    const char *money[64];
    uint32_t n_money = 0;
    for (unsigned o = 0; opened && o < regula_output_count(sb.pack) && n_money < 64; o++)
        if (regula_output_type(sb.pack, o) == REGULA_T_MONEY)
            money[n_money++] = regula_output_name(sb.pack, o);
    int64_t tot[2][64] = {{0}};
    changed_claim *ch = NULL;
    size_t n_ch = 0, cap_ch = 0;
    long lineno = 0, errors_a = 0, errors_b = 0;
    int stopped = 0;
    rgd_lines l;
    rgd_lines_start(&l, in, ":whatif");
    while (opened && rgd_lines_next(&l)) {
        if (r->interrupted && *r->interrupted) {
            *r->interrupted = 0;
            stopped = 1;
            break;
        }
        lineno = l.lineno;
        const char *line = l.line;
        size_t len = l.len;
        json_t *a = settle_json(&sa, line, len, lineno), *b = settle_json(&sb, line, len, lineno);
        if (!a || !b) {
            if (a)
                json_decref(a);
            if (b)
                json_decref(b);
            continue;
        }
        errors_a += json_object_get(a, "error") != NULL;
        errors_b += json_object_get(b, "error") != NULL;
        json_t *sides[2] = {a, b};
        int64_t vals[2][64] = {{0}};
        for (int s = 0; s < 2; s++)
            for (uint32_t f = 0; f < n_money; f++)
                if (amount(sides[s], money[f], &vals[s][f]) == 0)
                    tot[s][f] += vals[s][f];
        if (!json_equal(a, b)) {
            if (n_ch == cap_ch) {
                cap_ch = cap_ch ? 2 * cap_ch : 64;
                ch = realloc(ch, cap_ch * sizeof *ch);
            }
            changed_claim *c = &ch[n_ch++];
            c->line = lineno;
            json_t *id = json_object_get(b, "claim_id");
            snprintf(c->id, sizeof c->id, "%s", json_is_string(id) ? json_string_value(id) : "");
            c->vals = malloc(2 * (n_money ? n_money : 1) * sizeof *c->vals);
            if (c->vals) {
                memcpy(c->vals, vals[0], n_money * sizeof *c->vals);
                memcpy(c->vals + n_money, vals[1], n_money * sizeof *c->vals);
            } else {
                n_ch--;
            }
            if (out)
                write_diff(out, lineno, a, b);
        }
        json_decref(a);
        json_decref(b);
    }
    int read_err = rgd_lines_end(&l) != 0 ? l.err : 0;
    fclose(in);
    if (out && fclose(out) != 0)
        repl_error(r, _("cannot write %s: %s"), outpath, strerror(errno));
    if (read_err)
        repl_error(r, _("cannot read %s after line %ld: %s"), path, lineno, strerror(read_err));
    if (stopped)
        fprintf(r->out, _("interrupted after %ld lines\n"), lineno);
    fprintf(r->out, _("%ld claims settled twice: %zu changed"), lineno, n_ch);
    if (errors_a || errors_b) {
        if (errors_a == errors_b)
            fprintf(r->out, ngettext(" (%ld error line both times)", " (%ld error lines both times)", errors_a), errors_a);
        else
            fprintf(r->out, _(" (error lines: %ld before, %ld after)"), errors_a, errors_b);
    }
    fputc('\n', r->out);
    /* totals */
    char (*cells)[3][48] = calloc(n_money ? n_money : 1, sizeof *cells);
    const char *head[3] = {_("before"), _("after"), _("difference")};
    size_t w[3] = {repl_text_width(head[0]), repl_text_width(head[1]), repl_text_width(head[2])}, wn = 0;
    uint32_t key = 0;
    for (uint32_t f = 0; cells && f < n_money; f++) {
        rg_format_money_grouped(tot[0][f], 0, cells[f][0], sizeof cells[f][0]);
        rg_format_money_grouped(tot[1][f], 0, cells[f][1], sizeof cells[f][1]);
        rg_format_money_grouped(tot[1][f] - tot[0][f], 1, cells[f][2], sizeof cells[f][2]);
        for (int c = 0; c < 3; c++)
            if (strlen(cells[f][c]) - 1 > w[c]) /* ¥ is two bytes, one column */
                w[c] = strlen(cells[f][c]) - 1;
        if (repl_text_width(money[f]) > wn)
            wn = repl_text_width(money[f]);
        int64_t d = tot[1][f] - tot[0][f], dk = tot[1][key] - tot[0][key];
        if ((d < 0 ? -d : d) > (dk < 0 ? -dk : dk))
            key = f;
    }
    fprintf(r->out, "  %-*s", (int)wn, "");
    for (int c = 0; c < 3; c++) /* right-aligned by display width */
        fprintf(r->out, "  %*s%s", (int)(w[c] - repl_text_width(head[c])), "", head[c]);
    fputc('\n', r->out);
    for (uint32_t f = 0; cells && f < n_money; f++)
        fprintf(r->out, "  %s%*s  %*s  %*s  %*s\n", money[f], (int)(wn - repl_text_width(money[f])), "", (int)w[0] + 1,
                cells[f][0], (int)w[1] + 1, cells[f][1], (int)w[2] + 1, cells[f][2]);
    free(cells);
    if (n_ch && n_money) {
        ranking how = {key, n_money};
        qsort_r(ch, n_ch, sizeof *ch, by_change, &how);
        size_t top = n_ch < 10 ? n_ch : 10;
        char hb[80], ha[80];
        snprintf(hb, sizeof hb, _("%s before"), money[key]);
        snprintf(ha, sizeof ha, _("%s after"), money[key]);
        fprintf(r->out, _("%s (by %s, the total that changed most):\n"),
                top == 1 ? _("the claim that changed") : _("the claims that changed most"), money[key]);
        const char *hl = _("line"), *hd = head[2];
        size_t wl = repl_text_width(hl) > 5 ? repl_text_width(hl) : 5;
        size_t wid = strlen("claim_id"), wb = repl_text_width(hb), wa = repl_text_width(ha), wd = repl_text_width(hd);
        char mb[10][48], ma[10][48], md[10][48];
        for (size_t i = 0; i < top; i++) {
            int64_t before = ch[i].vals[key], after = ch[i].vals[n_money + key];
            rg_format_money_grouped(before, 0, mb[i], sizeof mb[i]);
            rg_format_money_grouped(after, 0, ma[i], sizeof ma[i]);
            rg_format_money_grouped(after - before, 1, md[i], sizeof md[i]);
            if (repl_text_width(ch[i].id) > wid)
                wid = repl_text_width(ch[i].id);
            if (strlen(mb[i]) - 1 > wb)
                wb = strlen(mb[i]) - 1;
            if (strlen(ma[i]) - 1 > wa)
                wa = strlen(ma[i]) - 1;
            if (strlen(md[i]) - 1 > wd)
                wd = strlen(md[i]) - 1;
        }
        fprintf(r->out, "  %*s%s  %-*s  %*s%s  %*s%s  %*s%s\n", (int)(wl - repl_text_width(hl)), "", hl, (int)wid,
                "claim_id", (int)(wb - repl_text_width(hb)), "", hb, (int)(wa - repl_text_width(ha)), "", ha,
                (int)(wd - repl_text_width(hd)), "", hd);
        for (size_t i = 0; i < top; i++)
            fprintf(r->out, "  %*ld  %s%*s  %*s  %*s  %*s\n", (int)wl, ch[i].line, ch[i].id,
                    (int)(wid - repl_text_width(ch[i].id)), "", (int)wb + 1, mb[i],
                    (int)wa + 1, ma[i], (int)wd + 1, md[i]);
    }
    if (outpath)
        fprintf(r->out, ngettext("wrote %zu difference to %s\n", "wrote %zu differences to %s\n", n_ch), n_ch, outpath);
    for (size_t i = 0; i < n_ch; i++)
        free(ch[i].vals);
    free(ch);
    free(buf);
    rgd_settler_close(&sa); /* last: the money results' names are the packs' */
    rgd_settler_close(&sb);
}
