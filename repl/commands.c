/* commands.c — the REPL's colon commands and their :help (load, policy, claim, settle, explain, type, disasm).
 * Must not read input itself: it is given one command line and writes to the session's output. */
#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "api_impl.h"
#include "compiler.h"
#include "driver.h"
#include "disasm.h"
#include "explain.h"
#include "file_io.h"
#include "repl.h"
#include "i18n.h"
#include "text.h"
#include "values.h"

static void cmd_help(repl *r, const char *arg);
static void cmd_quit(repl *r, const char *arg);
static void cmd_load(repl *r, const char *arg);
static void cmd_reload(repl *r, const char *arg);
static void cmd_policy(repl *r, const char *arg);
static void cmd_policies(repl *r, const char *arg);
static void cmd_claim(repl *r, const char *arg);
static void cmd_settle(repl *r, const char *arg);
static void cmd_explain(repl *r, const char *arg);
static void cmd_defs(repl *r, const char *arg);
static void cmd_type(repl *r, const char *arg);
static void cmd_disasm(repl *r, const char *arg);

/* The colon commands: the one table of their names, other names, :help text
 * and what runs them; completion, :help and dispatch read it. */
typedef struct {
    const char *name;
    const char *alias[2]; /* other names that run it; those of one letter are not completed */
    void (*run)(repl *r, const char *arg); /* the argument has no blanks around it */
    const char *usage;
    const char *summary;
    const char *help;
} command;

static const command commands[] = {
    {"help", {"h", "?"}, cmd_help, ":help [COMMAND]", N_("list the commands, or describe one"),
     N_("Without an argument, lists every command. `:help set` describes :set.\n"
     "Anything that does not start with ':' is Regula: an expression is evaluated\n"
     "against the current claim and shown with its type (`pct(¥1000, 55%)` gives\n"
     "`¥550.00 : money`); a declaration (def, param, table, decide, for, version …)\n"
     "is added to the session in the current policy and replaces the pack's own\n"
     "declaration of that name there. An unfinished entry goes on over the next\n"
     "lines (the prompt changes); Ctrl-C drops it, Ctrl-D leaves.")},
    {"quit", {"q", "exit"}, cmd_quit, ":quit", N_("leave the session (Ctrl-D too)"),
     N_("Leaves the session. The history is saved in ~/.regula_history (or $REGULA_HISTORY).")},
    {"load", {NULL, NULL}, cmd_load, ":load PATH", N_("load a pack: a policy directory, a .rg file or a .rgc bytecode file"),
     N_("Loads PATH as the session's pack and starts afresh: session definitions and\n"
     "overrides are dropped, the current policy becomes the base policy unless the\n"
     "new pack has one of the same name. A .rg file is compiled alone (as\n"
     "`regula run --pack FILE.rg` would). A .rgc file can be settled and\n"
     "disassembled, but expressions and definitions need the sources.")},
    {"reload", {NULL, NULL}, cmd_reload, ":reload", N_("compile the pack's files again, keeping the session"),
     N_("Reads the pack's files again (after you edited them) and recompiles them with\n"
     "the session's definitions and overrides. When that fails the old pack stays.")},
    {"policy", {NULL, NULL}, cmd_policy, ":policy [NAME]", N_("switch the current policy (or show it)"),
     N_("New definitions go into the current policy, and the sample claim is set in\n"
     "it (its region fields take the policy's name, as `regula test` does), so\n"
     "expressions are evaluated the way that policy settles. A claim set with\n"
     ":claim keeps its own region, and the current policy follows it: the\n"
     "policy that settles the claim becomes the current one.")},
    {"policies", {NULL, NULL}, cmd_policies, ":policies", N_("list the policies with their parents and versions"),
     N_("One line per policy: its name, what it extends, its source file, then its\n"
     "versions with their dates. The current policy is marked with *.")},
    {"claim", {NULL, NULL}, cmd_claim, ":claim [FILE [LINE|CLAIM_ID] | JSON | set PATH = VALUE | reset | json]", N_("show or set the current claim"),
     N_(":claim                  shows the current claim, one field a line\n"
     ":claim json             shows it as one JSON line\n"
     ":claim FILE             takes the claim in FILE (a JSON file, or the first line of a JSON Lines file)\n"
     ":claim FILE 7           takes line 7 of a JSON Lines file;  :claim FILE S2-05  the claim with that claim_id\n"
     ":claim {\"claim_id\": …}  takes inline JSON\n"
     ":claim set PATH = VALUE changes one field; VALUE is written in Regula:\n"
     "                        :claim set visit.date = 2025-03-01\n"
     "                        :claim set person.scheme = resident\n"
     "                        :claim set items[0].amount = ¥800\n"
     "                        :claim set items = [{code: \"S0001\", amount: ¥500}]\n"
     ":claim reset            goes back to the pack's sample claim\n"
     "Until a claim is set, the current claim is the pack's `sample claim` in the current policy.\n"
     "A claim set here makes the policy that settles it the current policy.")},
    {"settle", {NULL, NULL}, cmd_settle, ":settle", N_("settle the current claim: every result field, and the ledger it leaves"),
     N_("Settles the current claim with the session's pack (definitions and overrides\n"
     "included), from an empty ledger, and shows each result field and value, then\n"
     "the ledger fields the claim's updates change.")},
    {"explain", {NULL, NULL}, cmd_explain, ":explain", N_("where each amount of the current claim came from"),
     N_("Settles the current claim and lists every step in the order it was computed:\n"
     "the definition, its value, the policy (and version) whose source gave it, the\n"
     "table row or decision arm chosen, and the source line.")},
    {"set", {NULL, NULL}, repl_cmd_set, ":set [POLICY[@VERSION].]NAME = VALUE | :set [POLICY[@VERSION].]TABLE | a | b -> VALUE",
     N_("override a parameter, definition or table row for this session"),
     /* xgettext:no-c-format */ N_("Overrides are what :whatif measures. They change the session's pack only,\n"
     "never the files.\n"
     "  :set LN-CY.outpatient_cap_employee = ¥3500       everywhere in LN-CY (all its versions)\n"
     "  :set LN-CY@2025.outpatient_cap_employee = ¥3500  only in LN-CY's version 2025\n"
     "  :set LN-CY.outpatient_ratio | employee | L1 -> 65%  one table row\n"
     "  :set CN.reduction = 0%                           a decision: every case gives VALUE\n"
     "Without POLICY. the current policy is meant. Setting the same thing again\n"
     "replaces the earlier override.")},
    {"unset", {NULL, NULL}, repl_cmd_unset, ":unset [POLICY[@VERSION].]NAME | all", N_("remove overrides"),
     N_("Removes the overrides of NAME (every row of a table) in that policy and\n"
     "scope, or all of them.")},
    {"overrides", {NULL, NULL}, repl_cmd_overrides, ":overrides", N_("list the overrides"), N_("Lists the session's overrides as they were typed.")},
    {"defs", {NULL, NULL}, cmd_defs, ":defs", N_("list the session's definitions"), N_("Lists what was defined in this session, policy by policy.")},
    {"whatif", {NULL, NULL}, repl_cmd_whatif, ":whatif CLAIMS.jsonl [--out FILE]", N_("settle a file with and without the overrides, and compare"),
     N_("Settles every line of CLAIMS.jsonl twice, in order and each with its own\n"
     "year ledger, as `regula run` does: once with the session's pack without the\n"
     "overrides, once with them. Shows how many claims changed, the totals of\n"
     "fund, critical, account and cash before and after and their difference,\n"
     "and the ten claims whose fund changed most. --out FILE writes one JSON line\n"
     "per changed claim: {\"line\": N, \"claim_id\": …, FIELD: {\"before\": …, \"after\": …}, …}.")},
    {"show", {NULL, NULL}, repl_cmd_show, ":show [POLICY[@VERSION].]TABLE", N_("show a table as the current policy sees it"),
     N_("Lists every row of TABLE as the current policy sees it on the current\n"
     "claim's date: the rows it inherits merged with its own and its version's,\n"
     "a child's row replacing its parent's of the same cells, each with the\n"
     "policy (and version) that wrote it and its source line; the session's\n"
     ":set rows too.\n"
     "  :show outpatient_ratio              in the current policy, on the claim's date\n"
     "  :show LN-CY.outpatient_ratio        in LN-CY, on the claim's date\n"
     "  :show LN-CY@2024.outpatient_ratio   in LN-CY's version 2024")},
    {"type", {NULL, NULL}, cmd_type, ":type EXPR", N_("show the type of an expression, without evaluating it"),
     N_("Type-checks EXPR in the current pack and shows its type; no claim is needed.")},
    {"disasm", {NULL, NULL}, cmd_disasm, ":disasm NAME", N_("show the bytecode of a definition"),
     N_("Shows every chunk that computes NAME: one per policy or version that\n"
     "defines it, each instruction with its source line.")},
};

#define N_COMMANDS (sizeof commands / sizeof commands[0])

const char *repl_command_completion(uint32_t i)
{
    for (size_t c = 0; c < N_COMMANDS; c++) {
        if (i-- == 0)
            return commands[c].name;
        for (size_t k = 0; k < 2; k++)
            if (commands[c].alias[k] && strlen(commands[c].alias[k]) > 1 && i-- == 0)
                return commands[c].alias[k];
    }
    return NULL;
}

static void cmd_help(repl *r, const char *arg)
{
    if (*arg == ':')
        arg++;
    if (*arg) {
        for (size_t i = 0; i < N_COMMANDS; i++)
            if (strcmp(commands[i].name, arg) == 0) {
                fprintf(r->out, "%s\n  %s\n\n%s\n", commands[i].usage, _(commands[i].summary), _(commands[i].help));
                return;
            }
        repl_error(r, _("no command :%s (:help lists them)"), arg);
        return;
    }
    fprintf(r->out, _("Type a Regula expression to evaluate it, a declaration to add it to the session.\n"
                    "Commands:\n"));
    for (size_t i = 0; i < N_COMMANDS; i++) {
        char name[24];
        snprintf(name, sizeof name, ":%s", commands[i].name);
        fprintf(r->out, "  %-11s %s\n", name, _(commands[i].summary));
    }
    fprintf(r->out, _(":help NAME tells more. Tab completes commands, names, and claim fields.\n"));
}

/* ---- aligned two-column tables ---- */

typedef struct {
    char **left, **right;
    uint32_t n, cap;
} table2;

static void t2_add(table2 *t, const char *l, const char *rt)
{
    if (t->n == t->cap) {
        t->cap = t->cap ? t->cap * 2 : 32;
        t->left = realloc(t->left, t->cap * sizeof *t->left);
        t->right = realloc(t->right, t->cap * sizeof *t->right);
    }
    t->left[t->n] = strdup(l);
    t->right[t->n++] = strdup(rt);
}

static void t2_print(repl *r, table2 *t, const char *h1, const char *h2)
{
    size_t w = h1 ? repl_text_width(h1) : 0;
    for (uint32_t i = 0; i < t->n; i++)
        if (repl_text_width(t->left[i]) > w)
            w = repl_text_width(t->left[i]);
    if (h1) {
        fprintf(r->out, "  %s%*s  %s\n", h1, (int)(w - repl_text_width(h1)), "", h2);
        fprintf(r->out, "  ");
        for (size_t i = 0; i < w; i++)
            fputc('-', r->out);
        fprintf(r->out, "  ");
        for (size_t i = 0; i < repl_text_width(h2) || i < 12; i++)
            fputc('-', r->out);
        fputc('\n', r->out);
    }
    for (uint32_t i = 0; i < t->n; i++) {
        fprintf(r->out, "  %s%*s  %s\n", t->left[i], (int)(w - repl_text_width(t->left[i])), "", t->right[i]);
        free(t->left[i]);
        free(t->right[i]);
    }
    free(t->left);
    free(t->right);
    memset(t, 0, sizeof *t);
}

/* ---- :policies, :policy ---- */

static void version_dates(const rg_version *v, char *buf, size_t cap)
{
    char a[32] = "", b[32] = "";
    if (v->from != RG_NONE)
        rg_format_date(v->from, a);
    if (v->until != RG_NONE)
        rg_format_date(v->until, b);
    if (v->until == RG_NONE)
        snprintf(buf, cap, "from %s", a);
    else if (v->from == RG_NONE)
        snprintf(buf, cap, "until %s", b);
    else
        snprintf(buf, cap, "%s..%s", a, b);
}

/* The versions of policy POL in date order (a session's rewritten versions come last in the program). */
static uint32_t versions_of(const rg_program *p, uint32_t pol, uint32_t *out, uint32_t cap)
{
    uint32_t n = 0;
    for (uint32_t v = 0; v < p->n_versions && n < cap; v++)
        if (p->versions[v].policy == pol) {
            uint32_t k = n++;
            while (k > 0 && p->versions[out[k - 1]].from > p->versions[v].from) {
                out[k] = out[k - 1];
                k--;
            }
            out[k] = v;
        }
    return n;
}

static void cmd_policies(repl *r, const char *arg)
{
    (void)arg;
    const rg_program *p = repl_program(r->cur);
    if (!p) {
        repl_error(r, _("no pack loaded"));
        return;
    }
    for (uint32_t i = 0; i < p->n_policies; i++) {
        const rg_policy *pol = &p->policies[i];
        const char *name = p->str[pol->name];
        fprintf(r->out, "%s %s", strcmp(name, r->policy) == 0 ? "*" : " ", name);
        if (pol->parent != RG_NO_INDEX)
            fprintf(r->out, " extends %s", p->str[p->policies[pol->parent].name]);
        else
            fprintf(r->out, " (base)");
        fprintf(r->out, "  %s\n", p->str[pol->file]);
        uint32_t vs[64];
        uint32_t nv = versions_of(p, i, vs, 64);
        for (uint32_t k = 0; k < nv; k++) {
            char d[80];
            version_dates(&p->versions[vs[k]], d, sizeof d);
            fprintf(r->out, "      version %s %s\n", p->str[p->versions[vs[k]].name], d);
        }
    }
}

static void cmd_policy(repl *r, const char *arg)
{
    const rg_program *p = repl_program(r->cur);
    if (!p) {
        repl_error(r, _("no pack loaded"));
        return;
    }
    if (*arg) {
        int i = repl_policy_index(p, arg);
        if (i < 0) {
            const char *cands[256];
            uint32_t n = 0;
            for (uint32_t k = 0; k < p->n_policies && n < 256; k++)
                cands[n++] = p->str[p->policies[k].name];
            const char *best = rgc_closest(arg, cands, n);
            if (best)
                repl_error(r, _("no policy '%s' (did you mean %s?)"), arg, best);
            else
                repl_error(r, _("no policy '%s' (:policies lists them)"), arg);
            return;
        }
        free(r->policy);
        r->policy = strdup(arg);
    }
    int i = repl_policy_index(p, r->policy);
    fprintf(r->out, "policy %s", r->policy);
    if (p->policies[i].parent != RG_NO_INDEX)
        fprintf(r->out, " extends %s", p->str[p->policies[p->policies[i].parent].name]);
    uint32_t vs[64];
    uint32_t nv = versions_of(p, (uint32_t)i, vs, 64);
    for (uint32_t k = 0; k < nv; k++)
        fprintf(r->out, "%s%s", k ? ", " : "; versions ", p->str[p->versions[vs[k]].name]);
    fputc('\n', r->out);
    if (r->claim) {
        json_t *person = json_object_get(r->claim, "person");
        json_t *reg = person ? json_object_get(person, "insured_region") : NULL;
        if (json_is_string(reg) && strcmp(json_string_value(reg), r->policy) != 0)
            fprintf(r->out, _("note: the current claim is insured in %s, so %s settles it (:claim reset for the sample claim)\n"),
                    json_string_value(reg), json_string_value(reg));
    }
}

/* ---- :claim ---- */

static void flat_claim(table2 *t, json_t *v, const char *prefix)
{
    char path[300];
    if (json_is_object(v)) {
        const char *key;
        json_t *x;
        json_object_foreach(v, key, x)
        {
            snprintf(path, sizeof path, "%s%s%s", prefix, *prefix ? "." : "", key);
            flat_claim(t, x, path);
        }
    } else if (json_is_array(v)) {
        size_t i;
        json_t *x;
        if (json_array_size(v) == 0)
            t2_add(t, prefix, "[]");
        json_array_foreach(v, i, x)
        {
            snprintf(path, sizeof path, "%s[%zu]", prefix, i);
            flat_claim(t, x, path);
        }
    } else {
        char *s = json_is_string(v) ? strdup(json_string_value(v)) : json_dumps(v, JSON_ENCODE_ANY);
        t2_add(t, prefix, s ? s : "?");
        free(s);
    }
}

/* The current claim changed: say at once when it will not settle, and let
 * the current policy follow it (the policy that settles it becomes current,
 * so that definitions and :show are that policy's). */
static void claim_changed(repl *r, const char *not_settling)
{
    const rg_program *p = repl_program(r->cur);
    rg_vm *vm = p ? rg_vm_new(p) : NULL;
    char err[600];
    if (!vm) {
        rg_vm_free(vm);
        return;
    }
    if (rgd_bind_json(vm, r->claim, err, sizeof err) != RG_OK) {
        fprintf(r->out, "%s: %s: %s\n", _("warning"), not_settling, err);
    } else if (rg_vm_begin(vm), vm->policy_chosen) {
        const char *pol = p->str[p->policies[vm->policy].name];
        if (strcmp(pol, r->policy) != 0) {
            free(r->policy);
            r->policy = strdup(pol);
            fprintf(r->out, _("current policy %s: it settles this claim\n"), pol);
        }
    }
    rg_vm_free(vm);
}

static void set_claim(repl *r, json_t *c, const char *from)
{
    if (r->claim)
        json_decref(r->claim);
    r->claim = c;
    free(r->claim_from);
    r->claim_from = strdup(from);
    json_t *id = json_object_get(c, "claim_id");
    fprintf(r->out, "claim %s from %s\n", json_is_string(id) ? json_string_value(id) : "(no claim_id)", from);
    claim_changed(r, _("this claim does not settle as it is"));
}

/* Line `want` of a claims file, or (want 0) the first whose claim_id is id,
 * read line by line: a file of any size, and no line past RG_MAX_LINE, is
 * read in bounded memory. */
static json_t *claim_line(repl *r, const char *path, long want, const char *id, char *from, size_t cap)
{
    FILE *f = fopen(path, "rb");
    if (!f) {
        repl_error(r, _("cannot read %s: %s"), path, strerror(errno));
        return NULL;
    }
    rg_lines lines;
    rg_lines_init(&lines, f, RG_MAX_LINE);
    lines.stop_long = 1; /* :claim /dev/zero 1 ends at the limit */
    const char *s;
    ssize_t n;
    long lineno = 0;
    json_t *c = NULL;
    json_error_t je;
    int done = 0;
    while (!done && (n = rg_lines_next(&lines, &s)) != -1) {
        lineno++;
        if (n == RG_LINE_TOO_LONG) { /* nothing after it is read */
            repl_error(r, _("%s line %ld is longer than the %zu MiB a claim may have"), path, lineno, RG_MAX_LINE >> 20);
            done = 1;
            continue;
        }
        if (want ? lineno != want : !memmem(s, (size_t)n, id, strlen(id)))
            continue;
        json_t *x = json_loadb(s, (size_t)n, 0, &je);
        json_t *cid = x ? json_object_get(x, "claim_id") : NULL;
        if (want || (json_is_string(cid) && strcmp(json_string_value(cid), id) == 0)) {
            done = 1;
            if (!x)
                repl_error(r, _("%s line %ld: not valid JSON: %s (column %d)"), path, lineno, je.text, je.column);
            c = x;
            snprintf(from, cap, "%s line %ld", path, lineno);
        } else if (x) {
            json_decref(x);
        }
    }
    if (lines.err)
        repl_error(r, _("cannot read %s: %s"), path, strerror(lines.err));
    else if (!done && want)
        repl_error(r, _("%s has %ld lines"), path, lineno);
    else if (!done)
        repl_error(r, _("no claim with claim_id %s in %s"), id, path);
    rg_lines_free(&lines);
    fclose(f);
    return c;
}

static void claim_from_file(repl *r, const char *path, const char *which)
{
    json_t *c = NULL;
    char from[1200];
    if (!*which) { /* the whole file is one claim */
        size_t len;
        char *text = rg_read_file_max(path, RG_MAX_LINE, &len);
        if (!text) {
            repl_error(r, _("cannot read %s: %s"), path, rg_read_error(errno, RG_MAX_LINE));
            return;
        }
        json_error_t je;
        c = json_loadb(text, len, JSON_DISABLE_EOF_CHECK, &je);
        free(text);
        if (!c) {
            repl_error(r, _("%s: not valid JSON: %s (line %d)"), path, je.text, je.line);
            return;
        }
        snprintf(from, sizeof from, "%s", path);
    } else {
        char *end;
        long want = strtol(which, &end, 10);
        c = claim_line(r, path, *end == '\0' && want > 0 ? want : 0, which, from, sizeof from);
        if (!c)
            return;
    }
    if (!json_is_object(c)) {
        repl_error(r, _("%s: a claim is a JSON object"), path);
        json_decref(c);
        return;
    }
    set_claim(r, c, from);
}

/* For an enumeration or region field, NAME must be one of its values. */
static int name_fits(repl *r, const char *path, const char *name)
{
    char schema[256];
    size_t n = 0;
    for (const char *s = path; *s && n + 3 < sizeof schema; s++) {
        if (*s == '[') {
            schema[n++] = '[';
            schema[n++] = ']';
            while (*s && *s != ']')
                s++;
            if (!*s)
                break;
        } else {
            schema[n++] = *s;
        }
    }
    schema[n] = '\0';
    uint32_t f = rgc_schema_field(r->cur->pk, schema);
    const rg_program *p = repl_program(r->cur);
    if (f == RG_NO_INDEX)
        return 1; /* rgd_claim_set says so */
    uint32_t type = p->fields[f].type;
    char list[600];
    rg_sb b;
    rg_sb_fixed(&b, list, sizeof list);
    if (RG_TYPE_KIND(type) == RG_T_ENUM) {
        const rg_enum *e = &p->enums[RG_TYPE_AUX(type)];
        for (uint32_t i = 0; i < e->n_members; i++) {
            const char *m = p->str[p->member_names[e->first_member + i]];
            if (strcmp(m, name) == 0)
                return 1;
            rg_sb_printf(&b, "%s%s", i ? ", " : "", m);
        }
        repl_error(r, _("%s: unknown %s '%s' (one of: %s)"), path, p->str[e->name], name, list);
        return 0;
    }
    if (RG_TYPE_KIND(type) == RG_T_REGION) {
        if (repl_policy_index(p, name) >= 0)
            return 1;
        for (uint32_t i = 0; i < p->n_policies; i++)
            rg_sb_printf(&b, "%s%s", i ? ", " : "", p->str[p->policies[i].name]);
        repl_error(r, _("%s: unknown region '%s' (one of: %s)"), path, name, list);
        return 0;
    }
    return 1;
}

static void claim_set(repl *r, const char *args)
{
    if (!r->cur || !r->cur->pk) {
        repl_error(r, "%s", r->cur ? _(":claim set writes values in Regula: it needs the policy sources") : _("no pack loaded"));
        return;
    }
    const char *eq = strchr(args, '=');
    if (!eq) {
        repl_error(r, _("usage: :claim set PATH = VALUE"));
        return;
    }
    char path[256];
    size_t pl = (size_t)(eq - args);
    while (pl && (args[pl - 1] == ' ' || args[pl - 1] == '\t'))
        pl--;
    snprintf(path, sizeof path, "%.*s", (int)pl, args);
    const char *value = eq + 1;
    while (*value == ' ' || *value == '\t')
        value++;
    char err[600];
    json_t *c = repl_claim(r, err, sizeof err);
    if (!c) {
        repl_error(r, "%s", err);
        return;
    }
    json_t *copy = json_deep_copy(c);
    json_decref(c);
    /* parse VALUE in the pack's own diagnostics, so that constant folding reports into it */
    rg_diag *d = rgc_pack_diag(r->cur->pk);
    rg_arena arena = {0};
    rg_repl_item item;
    int rc = repl_parse(r, &arena, d, value, &item, 2);
    if (rc == 1)
        repl_error(r, _("the value is unfinished"));
    if (rc == 0 && !item.expr)
        repl_error(r, _("the value is an expression, not a declaration"));
    if (rc == 0 && item.expr && item.expr->kind == RG_E_NAME && !name_fits(r, path, item.expr->name))
        rc = -1;
    if (rc == 0 && item.expr) {
        unsigned reported = d->n_errors; /* the pack's diagnostics show at once (repl_compile) */
        int ok = rgd_claim_set(r->cur->pk, copy, path, item.expr, err, sizeof err);
        if (ok != 0 && d->n_errors > reported) {
            /* already said */
        } else if (ok != 0) {
            repl_error(r, "%s", err);
        } else {
            int had = r->claim != NULL;
            if (r->claim)
                json_decref(r->claim);
            r->claim = copy;
            copy = NULL;
            if (!had) {
                free(r->claim_from);
                r->claim_from = strdup(_("the sample claim, changed"));
            }
            fprintf(r->out, "%s = %s\n", path, value);
            claim_changed(r, _("the claim does not settle now"));
        }
    }
    rg_arena_free(&arena);
    if (copy)
        json_decref(copy);
}

static void cmd_claim(repl *r, const char *arg)
{
    if (strncmp(arg, "set ", 4) == 0 || strcmp(arg, "set") == 0) {
        const char *rest = arg + 3;
        while (*rest == ' ' || *rest == '\t')
            rest++;
        claim_set(r, rest);
        return;
    }
    if (strcmp(arg, "reset") == 0) {
        if (r->claim)
            json_decref(r->claim);
        r->claim = NULL;
        fprintf(r->out, _("the current claim is the sample claim again, in %s\n"), r->policy);
        return;
    }
    if (*arg == '{') {
        json_error_t je;
        json_t *c = json_loads(arg, 0, &je);
        if (!c) {
            repl_error(r, _("not valid JSON: %s (column %d)"), je.text, je.column);
            return;
        }
        if (!json_is_object(c)) {
            repl_error(r, _("a claim is a JSON object"));
            json_decref(c);
            return;
        }
        set_claim(r, c, _("the command line"));
        return;
    }
    if (*arg && strcmp(arg, "json") != 0) {
        char path[1024];
        size_t pl = strcspn(arg, " \t");
        snprintf(path, sizeof path, "%.*s", (int)pl, arg);
        const char *which = arg + pl;
        while (*which == ' ' || *which == '\t')
            which++;
        claim_from_file(r, path, which);
        return;
    }
    char err[600];
    json_t *c = repl_claim(r, err, sizeof err);
    if (!c) {
        repl_error(r, "%s", err);
        return;
    }
    if (strcmp(arg, "json") == 0) {
        char *s = json_dumps(c, JSON_PRESERVE_ORDER);
        fprintf(r->out, "%s\n", s ? s : "");
        free(s);
    } else {
        fprintf(r->out, _("claim (%s):\n"), r->claim ? r->claim_from : _("the sample claim"));
        table2 t = {0};
        flat_claim(&t, c, "");
        t2_print(r, &t, NULL, NULL);
    }
    json_decref(c);
}

/* ---- :settle, :explain ---- */

static const char *version_at(const rg_program *p, uint32_t policy, rg_value asof)
{
    for (uint32_t pol = policy; pol != RG_NO_INDEX; pol = p->policies[pol].parent)
        for (uint32_t v = 0; v < p->n_versions; v++) {
            const rg_version *x = &p->versions[v];
            if (x->policy == pol && (x->from == RG_NONE || asof >= x->from) &&
                (x->until == RG_NONE || asof <= x->until))
                return p->str[x->name];
        }
    return NULL;
}

static void settled_by(repl *r, const rg_vm *vm)
{
    const rg_program *p = vm->prog;
    char d[32] = "?";
    if (vm->asof != RG_NONE)
        rg_format_date(vm->asof, d);
    const char *v = version_at(p, vm->policy, vm->asof);
    fprintf(r->out, _("settled by %s as of %s%s%s\n"), p->str[p->policies[vm->policy].name], d, v ? _(", version ") : "",
            v ? v : "");
}

static void cmd_settle(repl *r, const char *arg)
{
    (void)arg;
    regula_ctx *ctx = repl_settle(r, 0);
    if (!ctx)
        return;
    const rg_vm *vm = rg_api_ctx_vm(ctx);
    const rg_program *p = vm->prog;
    settled_by(r, vm);
    table2 t = {0};
    char val[512];
    for (uint32_t i = 0; i < p->n_outputs; i++) {
        rg_value v = vm->defs[p->outputs[i].def]; /* settled: every output computed */
        if (RG_TYPE_KIND(p->outputs[i].type) == RG_T_STRING)
            rg_value_text(p, p->outputs[i].type, v, val, sizeof val);
        else
            repl_value_text(p, p->outputs[i].type, v, val, sizeof val);
        t2_add(&t, p->str[p->outputs[i].name], val);
    }
    t2_print(r, &t, _("field"), _("value"));
    char a[128], b[700];
    for (uint32_t f = 0; f < p->n_ledger_fields; f++) {
        if (vm->ledger_in[f] == vm->ledger_out[f])
            continue;
        const rg_ledger_field *lf = &p->ledger_fields[f];
        char name[200];
        snprintf(name, sizeof name, "%s.%s", p->str[p->ledger_scopes[lf->scope].name], p->str[lf->name]);
        repl_value_text(p, lf->type, vm->ledger_in[f], a, sizeof a);
        repl_value_text(p, lf->type, vm->ledger_out[f], val, sizeof val);
        snprintf(b, sizeof b, "%s -> %s", a, val);
        t2_add(&t, name, b);
    }
    if (t.n) {
        fprintf(r->out, _("ledger after this claim:\n"));
        t2_print(r, &t, NULL, NULL);
    }
    regula_ctx_free(ctx);
}

/* "policies/CN.rg:12"; the session's own sources have no useful line. */
static void where(const rg_program *p, uint32_t file, uint32_t line, char *buf, size_t cap)
{
    const char *f = p->str[file];
    if (f[0] == '<')
        snprintf(buf, cap, "%s", strcmp(f, "<set>") == 0 ? ":set" : "session");
    else
        snprintf(buf, cap, "%s:%u", f, line);
}

static void cmd_explain(repl *r, const char *arg)
{
    (void)arg;
    regula_ctx *ctx = repl_settle(r, 1);
    if (!ctx)
        return;
    const rg_vm *vm = rg_api_ctx_vm(ctx);
    const rg_program *p = vm->prog;
    settled_by(r, vm);
    /* columns: step, value, from, at */
    uint32_t n = vm->n_trace;
    char **c1 = calloc(n + 1, sizeof *c1), **c2 = calloc(n + 1, sizeof *c2), **c3 = calloc(n + 1, sizeof *c3),
         **c4 = calloc(n + 1, sizeof *c4);
    uint32_t rows = 0;
    char pending_note[400] = "";
    for (uint32_t i = 0; i < n; i++) {
        const rg_trace_ent *t = &vm->trace[i];
        char buf[600];
        if (t->kind != 0) {
            const rg_note *nt = &p->notes[t->index];
            char at[200];
            where(p, nt->file, nt->line, at, sizeof at);
            if (nt->kind == RG_NOTE_OTHERWISE)
                snprintf(pending_note, sizeof pending_note, _("otherwise (%s)"), at);
            else
                snprintf(pending_note, sizeof pending_note, nt->kind == RG_NOTE_ROW ? _("row %u (%s)") : _("arm %u (%s)"),
                         nt->index, at);
            continue;
        }
        const rg_def *d = &p->defs[t->index];
        const char *name = p->str[d->name];
        if (strncmp(name, "result.", 7) == 0) {
            pending_note[0] = '\0';
            continue;
        }
        const rg_chunk *c = &p->chunks[t->chunk];
        if (t->row >= 0)
            snprintf(buf, sizeof buf, "%s [item %d]", name, t->row);
        else
            snprintf(buf, sizeof buf, "%s", name);
        c1[rows] = strdup(buf);
        repl_value_text(p, d->type, t->value, buf, sizeof buf);
        c2[rows] = strdup(buf);
        snprintf(buf, sizeof buf, "%s%s%s%s%s", p->str[p->policies[c->policy].name],
                 c->version != RG_NO_INDEX ? " " : "", c->version != RG_NO_INDEX ? p->str[p->versions[c->version].name] : "",
                 pending_note[0] ? ", " : "", pending_note);
        c3[rows] = strdup(buf);
        where(p, c->file, c->line, buf, sizeof buf);
        c4[rows] = strdup(buf);
        rows++;
        pending_note[0] = '\0';
    }
    const char *h1 = _("step"), *h2 = _("value"), *h3 = _("from"), *h4 = _("source");
    size_t w1 = repl_text_width(h1), w2 = repl_text_width(h2), w3 = repl_text_width(h3);
    for (uint32_t i = 0; i < rows; i++) {
        if (repl_text_width(c1[i]) > w1)
            w1 = repl_text_width(c1[i]);
        if (repl_text_width(c2[i]) > w2)
            w2 = repl_text_width(c2[i]);
        if (repl_text_width(c3[i]) > w3)
            w3 = repl_text_width(c3[i]);
    }
    fprintf(r->out, "  %s%*s  %s%*s  %s%*s  %s\n", h1, (int)(w1 - repl_text_width(h1)), "", h2,
            (int)(w2 - repl_text_width(h2)), "", h3, (int)(w3 - repl_text_width(h3)), "", h4);
    for (uint32_t i = 0; i < rows; i++) {
        fprintf(r->out, "  %s%*s  %s%*s  %s%*s  %s\n", c1[i], (int)(w1 - repl_text_width(c1[i])), "", c2[i],
                (int)(w2 - repl_text_width(c2[i])), "", c3[i], (int)(w3 - repl_text_width(c3[i])), "", c4[i]);
        free(c1[i]);
        free(c2[i]);
        free(c3[i]);
        free(c4[i]);
    }
    free(c1);
    free(c2);
    free(c3);
    free(c4);
    regula_ctx_free(ctx);
}

/* ---- :disasm ---- */

static void cmd_disasm(repl *r, const char *name)
{
    const rg_program *p = repl_program(r->cur);
    if (!p) {
        repl_error(r, _("no pack loaded"));
        return;
    }
    if (!*name) {
        repl_error(r, _("usage: :disasm NAME"));
        return;
    }
    char *text = NULL;
    size_t len = 0;
    FILE *mem = open_memstream(&text, &len);
    if (!mem)
        return;
    rgc_disasm(p, mem);
    fclose(mem);
    /* keep the paragraphs "chunk N: NAME in …" */
    size_t nl = strlen(name);
    int shown = 0, keep = 0;
    for (char *s = text; s && *s;) {
        char *e = strchr(s, '\n');
        size_t l = e ? (size_t)(e - s) : strlen(s);
        if (strncmp(s, "chunk ", 6) == 0) {
            const char *c = strchr(s, ':');
            keep = c && c < s + l && strncmp(c + 2, name, nl) == 0 && c[2 + nl] == ' ';
            if (keep && shown)
                fputc('\n', r->out);
            shown += keep;
        } else if (l == 0) {
            keep = 0;
        }
        if (keep) {
            fwrite(s, 1, l, r->out);
            fputc('\n', r->out);
        }
        s = e ? e + 1 : NULL;
    }
    free(text);
    if (!shown)
        repl_error(r, _("no chunk computes '%s'"), name);
}

/* ---- :defs ---- */

static void cmd_defs(repl *r, const char *arg)
{
    (void)arg;
    if (!r->n_defs) {
        fprintf(r->out, _("no session definitions\n"));
        return;
    }
    for (uint32_t i = 0; i < r->n_defs; i++)
        fprintf(r->out, _("-- in %s\n%s\n"), r->defs[i].policy, r->defs[i].text);
}

/* ---- :quit, :load, :reload, :type ---- */

static void cmd_quit(repl *r, const char *arg)
{
    (void)arg;
    r->quit = 1;
}

static void cmd_load(repl *r, const char *a)
{
    if (!*a)
        repl_error(r, _("usage: :load PATH"));
    else if (repl_load(r, a, 1) == 0)
        fprintf(r->out, ngettext("loaded %s: %u policy, base %s\n", "loaded %s: %u policies, base %s\n",
                                 repl_program(r->cur)->n_policies),
                a, repl_program(r->cur)->n_policies, repl_root(r));
}

static void cmd_reload(repl *r, const char *arg)
{
    (void)arg;
    if (!r->pack_path)
        repl_error(r, _("no pack loaded: use :load PATH"));
    else {
        char *path = strdup(r->pack_path);
        if (repl_load(r, path, 0) == 0)
            fprintf(r->out, _("reloaded %s\n"), path);
        free(path);
    }
}

static void cmd_type(repl *r, const char *a)
{
    if (!*a)
        repl_error(r, _("usage: :type EXPR"));
    else
        repl_eval(r, a, 1);
}

/* ---- dispatch ---- */

void repl_command(repl *r, const char *line)
{
    const char *s = line + 1;
    size_t n = strcspn(s, " \t");
    char cmd[32];
    snprintf(cmd, sizeof cmd, "%.*s", (int)(n < 31 ? n : 31), s);
    const char *arg = s + n;
    while (*arg == ' ' || *arg == '\t')
        arg++;
    char *a = strdup(arg);
    size_t al = strlen(a);
    while (al && (a[al - 1] == ' ' || a[al - 1] == '\t' || a[al - 1] == '\r'))
        a[--al] = '\0';
    const command *c = NULL;
    for (size_t i = 0; i < N_COMMANDS && !c; i++)
        if (strcmp(cmd, commands[i].name) == 0 || (commands[i].alias[0] && strcmp(cmd, commands[i].alias[0]) == 0) ||
            (commands[i].alias[1] && strcmp(cmd, commands[i].alias[1]) == 0))
            c = &commands[i];
    if (c) {
        c->run(r, a);
    } else {
        const char *cands[N_COMMANDS];
        for (size_t i = 0; i < N_COMMANDS; i++)
            cands[i] = commands[i].name;
        const char *best = rgc_closest(cmd, cands, N_COMMANDS);
        if (best)
            repl_error(r, _("no command :%s (did you mean :%s?)"), cmd, best);
        else
            repl_error(r, _("no command :%s (:help lists them)"), cmd);
    }
    free(a);
    fflush(r->out);
}
