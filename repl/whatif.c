/* whatif.c — :whatif: a claims file settled without and with the overrides; changed claims, totals, per-claim differences.
 * Must not change the session (its packs, claim or overrides). */
#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "file_io.h"
#include "repl.h"
#include "values.h"

static const char *const money_fields[] = {"fund", "critical", "account", "cash"};
#define N_MONEY 4

typedef struct {
    long line;
    char id[64];
    int64_t before, after; /* fund, in fen */
} changed_claim;

/* One result line of `regula run` for LINE settled with VM. */
static json_t *settle_json(rg_vm *vm, rg_ledger_store *ls, const char *line, size_t len, long lineno)
{
    char *out = NULL;
    size_t n = 0;
    FILE *mem = open_memstream(&out, &n);
    if (!mem)
        return NULL;
    cli_settle_line(vm, ls, line, len, lineno, 0, mem);
    fclose(mem);
    json_t *j = json_loads(out, 0, NULL);
    free(out);
    return j;
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

/* ¥1,234.56; with sign: +¥1.00, -¥1.00, ¥0.00 */
static void money_text(int64_t fen, int sign, char *buf, size_t cap)
{
    char digits[40];
    uint64_t a = fen < 0 ? (uint64_t)(-(fen + 1)) + 1 : (uint64_t)fen;
    snprintf(digits, sizeof digits, "%llu", (unsigned long long)(a / 100));
    char grouped[64];
    size_t n = strlen(digits), k = 0;
    for (size_t i = 0; i < n; i++) {
        if (i && (n - i) % 3 == 0)
            grouped[k++] = ',';
        grouped[k++] = digits[i];
    }
    grouped[k] = '\0';
    const char *pre = fen < 0 ? "-" : (sign && fen > 0 ? "+" : "");
    snprintf(buf, cap, "%s¥%s.%02u", pre, grouped, (unsigned)(a % 100));
}

static int by_fund_change(const void *a, const void *b)
{
    const changed_claim *x = a, *y = b;
    int64_t dx = x->after - x->before, dy = y->after - y->before;
    if (dx < 0)
        dx = -dx;
    if (dy < 0)
        dy = -dy;
    if (dx != dy)
        return dx > dy ? -1 : 1;
    return x->line < y->line ? -1 : x->line > y->line;
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
    json_t *both[2] = {a, b};
    for (int side = 0; side < 2; side++) {
        const char *key;
        json_t *v;
        json_object_foreach(both[side], key, v)
        {
            if (strcmp(key, "claim_id") == 0 || strcmp(key, "line") == 0 || json_object_get(d, key))
                continue;
            json_t *va = json_object_get(a, key), *vb = json_object_get(b, key);
            if (va && vb && json_equal(va, vb))
                continue;
            json_t *pair = json_object();
            json_object_set(pair, "before", va ? va : json_null());
            json_object_set(pair, "after", vb ? vb : json_null());
            json_object_set_new(d, key, pair);
        }
    }
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
                repl_error(r, "--out needs a file name");
                free(buf);
                return;
            }
        } else if (strncmp(tok, "--out=", 6) == 0) {
            outpath = tok + 6;
        } else if (!path) {
            path = tok;
        } else {
            repl_error(r, "usage: :whatif CLAIMS.jsonl [--out FILE]");
            free(buf);
            return;
        }
    }
    if (!path) {
        repl_error(r, "usage: :whatif CLAIMS.jsonl [--out FILE]");
        free(buf);
        return;
    }
    if (!r->cur) {
        repl_error(r, "no pack loaded");
        free(buf);
        return;
    }
    FILE *in = fopen(path, "rb");
    if (!in) {
        repl_error(r, "cannot read %s: %s", path, strerror(errno));
        free(buf);
        return;
    }
    FILE *out = NULL;
    if (outpath && !(out = fopen(outpath, "w"))) {
        repl_error(r, "cannot write %s: %s", outpath, strerror(errno));
        fclose(in);
        free(buf);
        return;
    }
    if (!r->n_ovr)
        fprintf(r->out, "note: no overrides, so before and after are the same (:set one first)\n");
    const rg_program *pa = repl_program(repl_base(r)), *pb = repl_program(r->cur);
    rg_vm *va = rg_vm_new(pa), *vb = rg_vm_new(pb);
    rg_ledger_store *la = rg_ledger_store_new(pa), *lb = rg_ledger_store_new(pb);
    int64_t tot[2][N_MONEY] = {{0}};
    changed_claim *ch = NULL;
    size_t n_ch = 0, cap_ch = 0;
    long lineno = 0, errors_a = 0, errors_b = 0;
    rg_lines lines;
    rg_lines_init(&lines, in, RG_MAX_LINE);
    const char *line;
    ssize_t n;
    int stopped = 0;
    while (va && vb && la && lb && (n = rg_lines_next(&lines, &line)) != -1) {
        if (r->interrupted && *r->interrupted) {
            *r->interrupted = 0;
            stopped = 1;
            break;
        }
        lineno++;
        if (n == RG_LINE_TOO_LONG) { /* an error line on both sides, as regula run writes */
            errors_a++, errors_b++;
            continue;
        }
        size_t len = (size_t)n;
        json_t *a = settle_json(va, la, line, len, lineno), *b = settle_json(vb, lb, line, len, lineno);
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
        for (int s = 0; s < 2; s++)
            for (int f = 0; f < N_MONEY; f++) {
                int64_t v;
                if (amount(sides[s], money_fields[f], &v) == 0)
                    tot[s][f] += v;
            }
        if (!json_equal(a, b)) {
            if (n_ch == cap_ch) {
                cap_ch = cap_ch ? 2 * cap_ch : 64;
                ch = realloc(ch, cap_ch * sizeof *ch);
            }
            changed_claim *c = &ch[n_ch++];
            c->line = lineno;
            json_t *id = json_object_get(b, "claim_id");
            snprintf(c->id, sizeof c->id, "%s", json_is_string(id) ? json_string_value(id) : "");
            c->before = c->after = 0;
            amount(a, "fund", &c->before);
            amount(b, "fund", &c->after);
            if (out)
                write_diff(out, lineno, a, b);
        }
        json_decref(a);
        json_decref(b);
    }
    int read_err = lines.err;
    rg_lines_free(&lines);
    fclose(in);
    if (out && fclose(out) != 0)
        repl_error(r, "cannot write %s: %s", outpath, strerror(errno));
    rg_ledger_store_free(la);
    rg_ledger_store_free(lb);
    rg_vm_free(va);
    rg_vm_free(vb);
    if (read_err)
        repl_error(r, "cannot read %s after line %ld: %s", path, lineno, strerror(read_err));
    if (stopped)
        fprintf(r->out, "interrupted after %ld lines\n", lineno);
    fprintf(r->out, "%ld claims settled twice: %zu changed", lineno, n_ch);
    if (errors_a || errors_b) {
        if (errors_a == errors_b)
            fprintf(r->out, " (%ld error line%s both times)", errors_a, errors_a == 1 ? "" : "s");
        else
            fprintf(r->out, " (error lines: %ld before, %ld after)", errors_a, errors_b);
    }
    fputc('\n', r->out);
    /* totals */
    char cells[N_MONEY][3][48];
    size_t w[3] = {strlen("before"), strlen("after"), strlen("difference")};
    for (int f = 0; f < N_MONEY; f++) {
        money_text(tot[0][f], 0, cells[f][0], sizeof cells[f][0]);
        money_text(tot[1][f], 0, cells[f][1], sizeof cells[f][1]);
        money_text(tot[1][f] - tot[0][f], 1, cells[f][2], sizeof cells[f][2]);
        for (int c = 0; c < 3; c++)
            if (strlen(cells[f][c]) - 1 > w[c]) /* ¥ is two bytes, one column */
                w[c] = strlen(cells[f][c]) - 1;
    }
    fprintf(r->out, "  %-8s  %*s  %*s  %*s\n", "", (int)w[0], "before", (int)w[1], "after", (int)w[2], "difference");
    for (int f = 0; f < N_MONEY; f++)
        fprintf(r->out, "  %-8s  %*s  %*s  %*s\n", money_fields[f], (int)w[0] + 1, cells[f][0], (int)w[1] + 1,
                cells[f][1], (int)w[2] + 1, cells[f][2]);
    if (n_ch) {
        qsort(ch, n_ch, sizeof *ch, by_fund_change);
        size_t top = n_ch < 10 ? n_ch : 10;
        fprintf(r->out, "%s (by fund):\n", top == 1 ? "the claim that changed" : "the claims that changed most");
        size_t wid = strlen("claim_id"), wb = strlen("fund before"), wa = strlen("fund after"), wd = strlen("difference");
        char mb[10][48], ma[10][48], md[10][48];
        for (size_t i = 0; i < top; i++) {
            money_text(ch[i].before, 0, mb[i], sizeof mb[i]);
            money_text(ch[i].after, 0, ma[i], sizeof ma[i]);
            money_text(ch[i].after - ch[i].before, 1, md[i], sizeof md[i]);
            if (repl_text_width(ch[i].id) > wid)
                wid = repl_text_width(ch[i].id);
            if (strlen(mb[i]) - 1 > wb)
                wb = strlen(mb[i]) - 1;
            if (strlen(ma[i]) - 1 > wa)
                wa = strlen(ma[i]) - 1;
            if (strlen(md[i]) - 1 > wd)
                wd = strlen(md[i]) - 1;
        }
        fprintf(r->out, "  %5s  %-*s  %*s  %*s  %*s\n", "line", (int)wid, "claim_id", (int)wb, "fund before", (int)wa,
                "fund after", (int)wd, "difference");
        for (size_t i = 0; i < top; i++)
            fprintf(r->out, "  %5ld  %s%*s  %*s  %*s  %*s\n", ch[i].line, ch[i].id,
                    (int)(wid - repl_text_width(ch[i].id)), "", (int)wb + 1, mb[i],
                    (int)wa + 1, ma[i], (int)wd + 1, md[i]);
    }
    if (outpath)
        fprintf(r->out, "wrote %zu difference%s to %s\n", n_ch, n_ch == 1 ? "" : "s", outpath);
    free(ch);
    free(buf);
}
