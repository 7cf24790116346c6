/* session.c — the REPL session: the pack recompiled with the session's extras, the current claim, typed expressions and definitions.
 * Must not read the terminal (lineedit.c does) nor know the colon commands (commands.c does). */
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "api_impl.h"
#include "compiler.h"
#include "bytecode_io.h"
#include "driver.h"
#include "file_io.h"
#include "repl.h"
#include "i18n.h"
#include "text.h"
#include "values.h"

void repl_init(repl *r, FILE *out)
{
    memset(r, 0, sizeof *r);
    r->out = out;
}

void repl_build_free(repl_build *b)
{
    if (!b)
        return;
    regula_pack_free(b->api);
    rgc_pack_free(b->pk);
    if (b->prog)
        rg_program_free(b->prog);
    rg_diag_free(&b->diag);
    free(b);
}

static void free_defs(repl *r)
{
    for (uint32_t i = 0; i < r->n_defs; i++) {
        free(r->defs[i].policy);
        free(r->defs[i].key);
        free(r->defs[i].text);
    }
    r->n_defs = 0;
}

static void free_overrides(repl *r)
{
    for (uint32_t i = 0; i < r->n_ovr; i++)
        repl_override_free(&r->ovr[i]);
    r->n_ovr = 0;
}

void repl_free(repl *r)
{
    repl_build_free(r->base);
    repl_build_free(r->cur);
    free_defs(r);
    free_overrides(r);
    free(r->defs);
    free(r->ovr);
    free(r->pack_path);
    free(r->policy);
    free(r->claim_from);
    free(r->pending);
    if (r->claim)
        json_decref(r->claim);
    memset(r, 0, sizeof *r);
}

void repl_line_too_long(repl *r, size_t len)
{
    repl_error(r, _("this line has %zu bytes, more than the %zu MiB the REPL reads as one line: it is dropped"), len,
               RG_MAX_LINE >> 20);
}

void repl_error(repl *r, const char *fmt, ...)
{
    va_list ap;
    r->failed = 1;
    va_start(ap, fmt);
    fprintf(r->out, r->color ? "\033[1;31m%s:\033[0m " : "%s: ", _("error"));
    vfprintf(r->out, fmt, ap);
    fputc('\n', r->out);
    va_end(ap);
}

void repl_vm_error(repl *r, const char *msg)
{
    /* "… at <input>:3": the REPL's own sources have no line worth giving */
    const char *at = strstr(msg, " at <");
    if (at && strchr(at, '>'))
        repl_error(r, "%.*s%s", (int)(at - msg), msg, strncmp(at, " at <input>", 11) == 0 ? "" : _(" in the session"));
    else
        repl_error(r, "%s", msg);
}

const rg_program *repl_program(const repl_build *b)
{
    return b ? (b->pk ? rgc_pack_program(b->pk) : b->prog) : NULL;
}

const repl_build *repl_base(const repl *r)
{
    return r->base ? r->base : r->cur;
}

const char *repl_root(const repl *r)
{
    const rg_program *p = repl_program(r->cur);
    return p && p->n_policies ? p->str[p->policies[0].name] : "";
}

int repl_policy_index(const rg_program *p, const char *name)
{
    for (uint32_t i = 0; p && i < p->n_policies; i++)
        if (strcmp(p->str[p->policies[i].name], name) == 0)
            return (int)i;
    return -1;
}

/* ---- compiling ---- */

static int is_bytecode(const char *path)
{
    size_t n = strlen(path);
    return n >= 4 && strcmp(path + n - 4, ".rgc") == 0;
}

repl_build *repl_compile(repl *r, const rgc_extra *more, uint32_t n_more, int with_overrides, uint32_t offset)
{
    if (!r->pack_path) {
        repl_error(r, _("no pack loaded: use :load PATH"));
        return NULL;
    }
    if (is_bytecode(r->pack_path)) {
        repl_error(r, _("%s is bytecode: expressions and definitions need the policy sources (:load DIR)"),
                   r->pack_path);
        return NULL;
    }
    rgc_extra *ovx = NULL;
    uint32_t n_ovx = 0;
    if (with_overrides && r->n_ovr && repl_override_extras(r, repl_base(r), &ovx, &n_ovx) != 0)
        return NULL;
    uint32_t n = r->n_defs + n_ovx + n_more;
    rgc_extra *x = calloc(n ? n : 1, sizeof *x);
    uint32_t k = 0;
    for (uint32_t i = 0; i < r->n_defs; i++)
        x[k++] = (rgc_extra){r->defs[i].policy, "<session>", r->defs[i].text, r->defs[i].new_name, 0};
    for (uint32_t i = 0; i < n_ovx; i++)
        x[k++] = ovx[i];
    for (uint32_t i = 0; i < n_more; i++)
        x[k++] = more[i];
    repl_build *b = calloc(1, sizeof *b);
    rg_diag_init(&b->diag, r->out);
    b->diag.color = r->color;
    b->diag.sink = repl_show_sink; /* what the pack reports later (constant values) shows at once */
    b->diag.sink_ud = r;
    repl_held held;
    repl_hold(&held, &b->diag);
    b->pk = rgc_compile_ex(r->pack_path, &b->diag, x, n);
    int said = held.n > 0;
    repl_release(r, &held, !b->pk, offset);
    free(x);
    repl_free_extras(ovx, n_ovx);
    if (!b->pk) {
        if (!said)
            repl_error(r, _("%s does not compile"), r->pack_path);
        repl_build_free(b);
        return NULL;
    }
    return b;
}

/* Compile base (when there are overrides) and cur; sets both or neither. */
static int compile_pair(repl *r, repl_build **nb, repl_build **nc)
{
    repl_build *old_base = r->base;
    *nb = *nc = NULL;
    if (r->n_ovr) {
        r->base = NULL;
        *nb = repl_compile(r, NULL, 0, 0, 0);
        if (!*nb) {
            r->base = old_base;
            return -1;
        }
        r->base = *nb;
    }
    *nc = repl_compile(r, NULL, 0, 1, 0);
    r->base = old_base;
    if (!*nc) {
        repl_build_free(*nb);
        *nb = NULL;
        return -1;
    }
    return 0;
}

int repl_rebuild(repl *r)
{
    if (!r->pack_path || is_bytecode(r->pack_path))
        return 0;
    repl_build *nb, *nc;
    if (compile_pair(r, &nb, &nc) != 0)
        return -1;
    repl_build_free(r->base);
    repl_build_free(r->cur);
    r->base = nb;
    r->cur = nc;
    return 0;
}

int repl_load(repl *r, const char *path, int fresh)
{
    repl saved = *r;
    if (fresh) {
        r->defs = NULL;
        r->n_defs = r->cap_defs = 0;
        r->ovr = NULL;
        r->n_ovr = r->cap_ovr = 0;
    }
    r->pack_path = strdup(path);
    repl_build *nb = NULL, *nc = NULL;
    int rc = -1;
    if (is_bytecode(path)) {
        if (r->n_defs || r->n_ovr) {
            repl_error(r, _("%s is bytecode: it cannot take the session's definitions and overrides (:load it)"), path);
        } else {
            rgd_pack cp;
            if (rgd_pack_open(&cp, path) == 0) {
                nc = calloc(1, sizeof *nc);
                rg_diag_init(&nc->diag, r->out);
                nc->prog = cp.prog;
                cp.prog = NULL;
                rc = 0;
            }
            rgd_pack_close(&cp);
        }
    } else {
        rc = compile_pair(r, &nb, &nc);
    }
    if (rc != 0) {
        free(r->pack_path);
        if (fresh) {
            free(r->defs);
            free(r->ovr);
        }
        *r = saved;
        return -1;
    }
    free(saved.pack_path);
    repl_build_free(saved.base);
    repl_build_free(saved.cur);
    if (fresh) {
        repl tmp = saved;
        free_defs(&tmp);
        free_overrides(&tmp);
        free(tmp.defs);
        free(tmp.ovr);
    }
    r->base = nb;
    r->cur = nc;
    const rg_program *p = repl_program(r->cur);
    if (!r->policy || repl_policy_index(p, r->policy) < 0) {
        free(r->policy);
        r->policy = strdup(repl_root(r));
    }
    return 0;
}

/* ---- the claim ---- */

json_t *repl_claim(repl *r, char *err, size_t errlen)
{
    if (r->claim)
        return json_incref(r->claim);
    if (!r->cur) {
        snprintf(err, errlen, _("no pack loaded"));
        return NULL;
    }
    if (!r->cur->pk) {
        snprintf(err, errlen, _("no claim: a bytecode pack has no sample claim (set one with :claim FILE|JSON)"));
        return NULL;
    }
    rg_loc where;
    const char *root = repl_root(r);
    json_t *c = rgd_sample_claim(r->cur->pk, strcmp(r->policy, root) == 0 ? NULL : r->policy, err, errlen, &where);
    if (!c) {
        char tmp[600];
        snprintf(tmp, sizeof tmp, _("no claim: %s (set one with :claim FILE|JSON)"), err);
        snprintf(err, errlen, "%s", tmp);
    }
    return c;
}

int repl_bind(repl *r, rg_vm *vm, char *err, size_t errlen)
{
    json_t *c = repl_claim(r, err, errlen);
    if (!c)
        return -1;
    char e[512];
    rg_status s = rgd_bind_json(vm, c, e, sizeof e);
    json_decref(c);
    if (s != RG_OK) {
        snprintf(err, errlen, _("the current claim is not valid: %s"), s == RG_ERR_INPUT ? e : "out of memory");
        return -1;
    }
    s = rgd_begin_empty(vm);
    if (s != RG_OK) {
        snprintf(err, errlen, "%s", vm->error[0] ? vm->error : "the claim could not be settled");
        return -1;
    }
    return 0;
}

regula_ctx *repl_settle(repl *r, int explain)
{
    if (!r->cur) {
        repl_error(r, _("no pack loaded"));
        return NULL;
    }
    char err[1024];
    if (!r->cur->api && rgd_program_api(repl_program(r->cur), NULL, &r->cur->api, err, sizeof err) != 0) {
        repl_error(r, "%s", err);
        return NULL;
    }
    json_t *c = repl_claim(r, err, sizeof err);
    if (!c) {
        repl_error(r, "%s", err);
        return NULL;
    }
    size_t len = 0;
    char *text = rgd_claim_text(c, &len);
    json_decref(c);
    regula_ctx *ctx = NULL;
    if (!text || regula_ctx_new(r->cur->api, &ctx) != REGULA_OK) {
        free(text);
        repl_error(r, _("out of memory"));
        return NULL;
    }
    regula_ctx_set_explain(ctx, explain);
    regula_status s = regula_claim_json(ctx, text, len, 0);
    free(text);
    if (s == REGULA_ERR_INPUT && !rg_api_ctx_vm(ctx)->policy_chosen) {
        repl_error(r, _("the current claim is not valid: %s"), regula_errmsg(ctx));
    } else if (s == REGULA_OK && (s = regula_ledger_none(ctx, REGULA_ALL_SCOPES)) == REGULA_OK &&
               (s = regula_settle(ctx)) == REGULA_OK) {
        return ctx;
    } else {
        repl_vm_error(r, regula_errmsg(ctx));
    }
    regula_ctx_free(ctx);
    return NULL;
}

/* ---- values ---- */

void repl_value_text(const rg_program *p, uint32_t type, rg_value v, char *buf, size_t cap)
{
    char tmp[64];
    if (v == RG_NONE) {
        snprintf(buf, cap, "none");
        return;
    }
    switch (RG_TYPE_KIND(type)) {
    case RG_T_MONEY:
        rg_format_money(v < 0 ? -v : v, tmp);
        snprintf(buf, cap, "%s¥%s", v < 0 ? "-" : "", tmp);
        return;
    case RG_T_STRING: {
        const char *s = (const char *)(uintptr_t)v;
        snprintf(buf, cap, "\"%s\"", s ? s : "");
        return;
    }
    case RG_T_LIST:
        if (v >= 0 && (uint64_t)v < p->n_lists) {
            const rg_list *l = &p->lists[v];
            rg_sb b;
            rg_sb_fixed(&b, buf, cap);
            rg_sb_puts(&b, "[");
            for (uint32_t i = 0; i < l->count && b.n + 1 < cap; i++) {
                rg_value e = p->list_values[l->first + i];
                if (RG_TYPE_KIND(l->type) == RG_T_STRING)
                    snprintf(tmp, sizeof tmp, "\"%s\"", e >= 0 && (uint64_t)e < p->n_strings ? p->str[e] : "?");
                else
                    repl_value_text(p, l->type, e, tmp, sizeof tmp);
                rg_sb_printf(&b, "%s%s", i ? ", " : "", tmp);
            }
            rg_sb_puts(&b, "]");
            return;
        }
        break;
    default:
        break;
    }
    rg_value_text(p, type, v, buf, cap);
}

/* Display width of UTF-8 text (CJK counts two columns). */
size_t repl_text_width(const char *s)
{
    return rg_text_width(s);
}

/* ---- typed input ---- */

static int blank_input(const char *s);

int repl_parse(repl *r, rg_arena *arena, rg_diag *diag, const char *text, rg_repl_item *item, int report)
{
    repl_held held;
    repl_hold(&held, diag);
    uint32_t f = rg_diag_add_source(diag, "<input>", text, strlen(text));
    int incomplete = 0;
    memset(item, 0, sizeof *item);
    int rc = rg_parse_repl(arena, diag, f, item, &incomplete);
    repl_release(r, &held, rc != 0 && (report == 2 || (report == 1 && !incomplete)), 0);
    if (rc != 0 && incomplete)
        rc = 1;
    return rc;
}

static rgc_def *find_def(rgc_pack *pk, const char *name)
{
    uint32_t slot = rgc_def_slot(pk, name);
    return slot == RG_NO_INDEX ? NULL : pk->defs.v[slot];
}

/* An element (row) of the claim's list field list as the REPL writes a
 * record: {region: BJ, from: 2024-03-01, to: none}. */
static void element_text(const rg_program *p, const rg_vm *vm, uint32_t list, rg_value row, char *buf, size_t cap)
{
    rg_sb b;
    rg_sb_fixed(&b, buf, cap);
    rg_sb_printf(&b, "{");
    int n = 0;
    for (uint32_t i = list + 1; i < p->n_fields && p->fields[i].parent >= (int32_t)list; i++) {
        const rg_field *f = &p->fields[i];
        if (f->parent != (int32_t)list || RG_TYPE_KIND(f->type) == RG_T_RECORD)
            continue;
        char v[256];
        repl_value_text(p, f->type, vm->items[(size_t)row * p->n_item_slots + f->slot], v, sizeof v);
        const char *key = p->str[f->key];
        rg_sb_printf(&b, "%s%s%s%s", n++ ? ", " : "", *key ? key : "", *key ? ": " : "", v);
    }
    rg_sb_printf(&b, "}");
}

/* The policy the current claim selects (names are read as it reads them),
 * the current policy when the claim does not settle as it is. */
static char *claim_policy(repl *r)
{
    const rg_program *p = r->cur ? repl_program(r->cur) : NULL;
    rg_vm *vm = p ? rg_vm_new(p) : NULL;
    char err[600];
    char *name = vm && repl_bind(r, vm, err, sizeof err) == 0 ? strdup(p->str[p->policies[vm->policy].name])
                                                                     : strdup(r->policy);
    rg_vm_free(vm);
    return name;
}

void repl_eval(repl *r, const char *text, int only_type)
{
    const char *t = text;
    while (*t == ' ' || *t == '\t' || *t == '\n')
        t++;
    if (strncmp(t, "none", 4) == 0 && blank_input(t + 4)) { /* cannot be typed alone */
        fprintf(r->out, "%s\n", only_type ? "none" : "none : none");
        return;
    }
    size_t n = strlen(text) + 32;
    char *src = malloc(n);
    snprintf(src, n, "def __it =\n%s", text);
    char *pol = claim_policy(r);
    rgc_extra x = {pol, "<input>", src, 1, 0};
    repl_build *b = repl_compile(r, &x, 1, 1, 2);
    free(src);
    free(pol);
    if (!b)
        return;
    rgc_def *d = find_def(b->pk, "__it");
    char ty[160], val[1024], err[700];
    rgc_ty_name(b->pk, &d->type, ty, sizeof ty);
    const char *dim = r->color ? "\033[2m" : "", *reset = r->color ? "\033[0m" : "";
    if (only_type) {
        fprintf(r->out, "%s\n", ty);
    } else {
        const rg_program *p = rgc_pack_program(b->pk);
        rg_vm *vm = rg_vm_new(p);
        rg_value v;
        if (!vm) {
            repl_error(r, _("out of memory"));
        } else if (repl_bind(r, vm, err, sizeof err) != 0) {
            fprintf(r->out, "? %s: %s%s\n", dim, ty, reset);
            repl_error(r, _("cannot evaluate: %s"), err);
        } else if (rg_vm_eval_def(vm, d->slot, &v) != RG_OK) {
            repl_vm_error(r, vm->error);
        } else {
            uint32_t type = p->defs[d->slot].type;
            if (RG_TYPE_KIND(type) == RG_T_ELEM && v != RG_NONE)
                element_text(p, vm, RG_TYPE_AUX(type), v, val, sizeof val);
            else
                repl_value_text(p, type, v, val, sizeof val);
            fprintf(r->out, "%s %s: %s%s\n", val, dim, ty, reset);
        }
        rg_vm_free(vm);
    }
    repl_build_free(b);
}

static const char *decl_word(rg_decl_kind k)
{
    static const char *words[] = {"enum", "record", "claim", "param", "def", "table", "decide", "brackets", "catalog",
                                  "ledger", "update", "result", "select", "sample", "test", "version", "for"};
    return (unsigned)k < sizeof words / sizeof words[0] ? words[k] : "declaration";
}

static int is_def_decl(const rg_decl *d)
{
    return d->kind == RG_D_PARAM || d->kind == RG_D_DEF || d->kind == RG_D_TABLE || d->kind == RG_D_DECIDE;
}

static void print_defined(repl *r, rgc_pack *pk, const rg_decl *d, const char *pol, int moved)
{
    char ty[160];
    const char *dim = r->color ? "\033[2m" : "", *reset = r->color ? "\033[0m" : "";
    if (is_def_decl(d)) {
        rgc_def *def = find_def(pk, d->name);
        if (!def)
            return;
        rgc_ty_name(pk, &def->type, ty, sizeof ty);
        fprintf(r->out, _("defined %s %s: %s%s"), d->name, dim, ty, reset);
        if (d->kind == RG_D_TABLE || d->kind == RG_D_DECIDE)
            fprintf(r->out, " (%s)", decl_word(d->kind));
        if (def->per_item)
            fprintf(r->out, _(" (for each item)"));
        if (moved && strcmp(pol, repl_root(r)) != 0)
            fprintf(r->out, _("  (a new name of %s, for it and the regions under it)"), pol);
        else if (strcmp(pol, repl_root(r)) != 0)
            fprintf(r->out, _("  (in %s)"), pol);
        fputc('\n', r->out);
    } else if (d->kind == RG_D_EACH) {
        for (uint32_t i = 0; i < d->decls.n; i++)
            print_defined(r, pk, d->decls.v[i], pol, moved);
    } else {
        fprintf(r->out, "defined %s%s%s in %s\n", decl_word(d->kind), d->name ? " " : "", d->name ? d->name : "", pol);
    }
}

void repl_define(repl *r, const char *text, const rg_decl *d)
{
    if (!r->cur) {
        repl_error(r, _("no pack loaded: use :load PATH"));
        return;
    }
    const char *pol = r->policy;
    int moved = 0;
    char key[300];
    if (is_def_decl(d)) {
        snprintf(key, sizeof key, "def %s", d->name);
        if (r->cur->pk && strcmp(pol, repl_root(r)) != 0 && !rgc_def_visible(r->cur->pk, d->name, pol))
            moved = 1; /* a new name of the current policy */
    } else if (d->kind == RG_D_EACH) {
        snprintf(key, sizeof key, "for %.280s", text);
    } else {
        snprintf(key, sizeof key, "%s %s", decl_word(d->kind), d->name ? d->name : "");
    }
    /* take out what it replaces while it compiles */
    repl_def old = {0};
    uint32_t at = r->n_defs;
    for (uint32_t i = 0; i < r->n_defs; i++)
        if (strcmp(r->defs[i].policy, pol) == 0 && strcmp(r->defs[i].key, key) == 0) {
            old = r->defs[i];
            at = i;
            memmove(&r->defs[i], &r->defs[i + 1], (r->n_defs - i - 1) * sizeof *r->defs);
            r->n_defs--;
            break;
        }
    rgc_extra x = {pol, "<input>", text, moved, 0};
    repl_build *b = repl_compile(r, &x, 1, 1, 1);
    if (!b) {
        if (old.key) {
            memmove(&r->defs[at + 1], &r->defs[at], (r->n_defs - at) * sizeof *r->defs);
            r->defs[at] = old;
            r->n_defs++;
        }
        return;
    }
    free(old.policy);
    free(old.key);
    free(old.text);
    if (r->n_defs == r->cap_defs) {
        r->cap_defs = r->cap_defs ? 2 * r->cap_defs : 8;
        r->defs = realloc(r->defs, r->cap_defs * sizeof *r->defs);
    }
    /* drop the trailing newline kept for the parser */
    size_t tl = strlen(text);
    while (tl && (text[tl - 1] == '\n' || text[tl - 1] == ' '))
        tl--;
    r->defs[r->n_defs++] = (repl_def){strdup(pol), strdup(key), strndup(text, tl), moved};
    print_defined(r, b->pk, d, pol, moved);
    repl_build_free(b);
    repl_rebuild(r);
}

/* Only blanks and comments (a # outside a string runs to the end of the line). */
static int blank_input(const char *s)
{
    for (; *s; s++) {
        if (*s == '#') {
            while (*s && *s != '\n')
                s++;
            if (!*s)
                break;
        } else if (*s != ' ' && *s != '\t' && *s != '\n' && *s != '\r') {
            return 0;
        }
    }
    return 1;
}

static void run_entry(repl *r, int final)
{
    rg_arena arena = {0};
    rg_diag diag;
    rg_diag_init(&diag, r->out);
    diag.color = r->color;
    rg_repl_item item;
    int rc = repl_parse(r, &arena, &diag, r->pending, &item, final ? 2 : 1);
    if (rc == 0) {
        if (item.decl)
            repl_define(r, r->pending, item.decl);
        else if (item.expr)
            repl_eval(r, r->pending, 0);
    }
    rg_diag_free(&diag);
    rg_arena_free(&arena);
    if (rc != 1 || final)
        repl_cancel(r);
}

int repl_feed(repl *r, const char *line)
{
    size_t ll = strlen(line);
    while (ll && (line[ll - 1] == '\n' || line[ll - 1] == '\r'))
        ll--;
    if (ll > RG_MAX_LINE) {
        repl_line_too_long(r, ll);
        return r->pending != NULL;
    }
    if (r->pending && r->n_pending + ll + 2 > REPL_MAX_ENTRY) {
        repl_error(r, _("this entry goes on past %d KiB over its lines, the most the REPL takes as one entry: it is "
                      "dropped; write a longer one into the pack's files"), REPL_MAX_ENTRY >> 10);
        repl_cancel(r);
        return 0;
    }
    const char *s = line;
    while (*s == ' ' || *s == '\t')
        s++;
    if (*s == ':') {
        char *cmd = strndup(s, ll - (size_t)(s - line));
        repl_command(r, cmd);
        free(cmd);
        return r->pending != NULL;
    }
    if (!r->pending && blank_input(s))
        return 0;
    char *np = realloc(r->pending, r->n_pending + ll + 2);
    if (!np)
        return 0;
    r->pending = np;
    memcpy(r->pending + r->n_pending, line, ll);
    r->n_pending += ll;
    r->pending[r->n_pending++] = '\n';
    r->pending[r->n_pending] = '\0';
    if (blank_input(r->pending)) {
        repl_cancel(r);
        return 0;
    }
    run_entry(r, 0);
    return r->pending != NULL;
}

void repl_cancel(repl *r)
{
    free(r->pending);
    r->pending = NULL;
    r->n_pending = 0;
}

void repl_finish(repl *r)
{
    if (r->pending)
        run_entry(r, 1);
}
