/* pack.c — compiles a pack: loads the policy files, builds the inheritance
 * tree, the claim schema, definitions and their per-policy implementations,
 * runs the check pass, the cycle check and the emit pass. Expressions and
 * tables are compiled by expr.c and tables.c. */
#include <dirent.h>
#include <errno.h>
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>

#include "builder.h"
#include "catalog_csv.h"
#include "opcodes.h"
#include "parse.h"

/* ---- small shared helpers ---- */

void rgc_error(rgc_pack *pk, rg_loc loc, const char *hint, const char *fmt, ...)
{
    if (pk->quiet) {
        pk->quiet_errors++;
        return;
    }
    char msg[1024];
    va_list ap;
    va_start(ap, fmt);
    vsnprintf(msg, sizeof msg, fmt, ap);
    va_end(ap);
    rg_report(pk->diag, RG_SEV_ERROR, loc, hint, "%s", msg);
}

uint32_t rgc_line(rgc_pack *pk, rg_loc loc)
{
    uint32_t line, col;
    rg_diag_linecol(pk->diag, loc.file, loc.start, &line, &col);
    return line;
}

const char *rgc_closest(const char *name, const char *const *cands, uint32_t n)
{
    const char *best = NULL;
    unsigned bd = 99;
    size_t len = strlen(name);
    unsigned limit = len <= 3 ? 1 : len <= 6 ? 2 : 3;
    for (uint32_t i = 0; i < n; i++) {
        if (!cands[i] || strcmp(cands[i], name) == 0)
            continue;
        unsigned d = rg_edit_distance(name, cands[i]);
        if (d < bd) {
            bd = d;
            best = cands[i];
        }
    }
    return bd <= limit ? best : NULL;
}

rgc_def *rgc_find_def(rgc_pack *pk, const char *name)
{
    for (uint32_t i = 0; i < pk->defs.n; i++) {
        rgc_def *d = pk->defs.v[i];
        if (strcmp(d->name, name) == 0)
            return d;
    }
    return NULL;
}

int rgc_enum_by_name(rgc_pack *pk, const char *name)
{
    for (uint32_t i = 0; i < pk->prog->n_enums; i++)
        if (strcmp(rgc_str_text(pk, pk->prog->enums[i].name), name) == 0)
            return (int)i;
    return -1;
}

int rgc_enum_member(rgc_pack *pk, uint32_t en, const char *name)
{
    const rg_enum *e = &pk->prog->enums[en];
    for (uint32_t i = 0; i < e->n_members; i++)
        if (strcmp(rgc_str_text(pk, pk->prog->member_names[e->first_member + i]), name) == 0)
            return (int)i;
    return -1;
}

uint32_t rgc_child_field(rgc_pack *pk, int32_t parent, const char *name)
{
    for (uint32_t i = 0; i < pk->prog->n_fields; i++)
        if (pk->prog->fields[i].parent == parent && strcmp(rgc_str_text(pk, pk->prog->fields[i].key), name) == 0)
            return i;
    return RG_NO_INDEX;
}

int rgc_policy_index(rgc_pack *pk, const char *name)
{
    for (uint32_t i = 0; i < pk->policies.n; i++)
        if (strcmp(((rgc_policy *)pk->policies.v[i])->name, name) == 0)
            return (int)i;
    return -1;
}

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
static int resolve_type(rgc_pack *pk, rg_texpr *te, rgc_ty *out)
{
    if (te->elem) {
        rgc_ty e;
        if (resolve_type(pk, te->elem, &e) != 0)
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

/* ---- loading ---- */

static int cmp_str(const void *a, const void *b)
{
    return strcmp(*(char *const *)a, *(char *const *)b);
}

static char *dir_of(const char *path)
{
    const char *slash = strrchr(path, '/');
    if (!slash)
        return strdup(".");
    return strndup(path, (size_t)(slash - path));
}

static int load_sources(rgc_pack *pk, const char *path, uint64_t *hash)
{
    struct stat st;
    if (stat(path, &st) != 0) {
        rg_report_plain(pk->diag, RG_SEV_ERROR, "cannot read '%s': %s", path, strerror(errno));
        return -1;
    }
    char **names = NULL;
    size_t n = 0;
    if (S_ISDIR(st.st_mode)) {
        DIR *d = opendir(path);
        if (!d) {
            rg_report_plain(pk->diag, RG_SEV_ERROR, "cannot open directory '%s': %s", path, strerror(errno));
            return -1;
        }
        struct dirent *de;
        while ((de = readdir(d))) {
            size_t l = strlen(de->d_name);
            if (l > 3 && strcmp(de->d_name + l - 3, ".rg") == 0) {
                names = realloc(names, (n + 1) * sizeof *names);
                size_t pl = strlen(path) + l + 2;
                names[n] = malloc(pl);
                snprintf(names[n], pl, "%s%s%s", path, path[strlen(path) - 1] == '/' ? "" : "/", de->d_name);
                n++;
            }
        }
        closedir(d);
        if (n == 0) {
            rg_report_plain(pk->diag, RG_SEV_ERROR, "no policy files (*.rg) in '%s'", path);
            return -1;
        }
        qsort(names, n, sizeof *names, cmp_str);
    } else {
        names = malloc(sizeof *names);
        names[0] = strdup(path);
        n = 1;
    }
    uint64_t h = 14695981039346656037ull;
    int rc = 0;
    for (size_t i = 0; i < n; i++) {
        int f = rg_diag_load_file(pk->diag, names[i]);
        if (f < 0) {
            rg_report_plain(pk->diag, RG_SEV_ERROR, "cannot read '%s': %s", names[i], strerror(errno));
            rc = -1;
        } else {
            const rg_source *s = rg_diag_source(pk->diag, (uint32_t)f);
            for (size_t k = 0; k < s->len; k++)
                h = (h ^ (unsigned char)s->text[k]) * 1099511628211ull;
            rg_file *ast = rg_parse_file(&pk->arena, pk->diag, (uint32_t)f);
            if (ast)
                rg_vec_push(&pk->files, ast);
            else
                rc = -1;
        }
        free(names[i]);
    }
    free(names);
    *hash = h;
    return rc;
}

static rgc_policy *policy_by_name(rg_vec *v, const char *name)
{
    for (uint32_t i = 0; i < v->n; i++)
        if (strcmp(((rgc_policy *)v->v[i])->name, name) == 0)
            return v->v[i];
    return NULL;
}

static int build_policies(rgc_pack *pk)
{
    rg_vec all = {0};
    for (uint32_t i = 0; i < pk->files.n; i++) {
        rg_file *f = pk->files.v[i];
        rgc_policy *dup = policy_by_name(&all, f->policy);
        if (dup) {
            rgc_error(pk, f->policy_loc, "each policy is written in one file", "policy '%s' is defined twice", f->policy);
            continue;
        }
        rgc_policy *p = rg_arena_alloc(&pk->arena, sizeof *p);
        p->name = f->policy;
        p->ast = f;
        char *d = dir_of(rg_diag_source(pk->diag, f->file)->path);
        p->dir = rg_arena_strndup(&pk->arena, d, strlen(d));
        free(d);
        rg_vec_push(&all, p);
    }
    rgc_policy *root = NULL;
    unsigned unknown_parents = 0;
    for (uint32_t i = 0; i < all.n; i++) {
        rgc_policy *p = all.v[i];
        if (!p->ast->parent) {
            if (root)
                rgc_error(pk, p->ast->policy_loc, "every policy but the base one says `extends PARENT`",
                          "two base policies: '%s' and '%s'", root->name, p->name);
            else
                root = p;
            continue;
        }
        p->parent = policy_by_name(&all, p->ast->parent);
        if (!p->parent) {
            const char *cands[256];
            uint32_t n = 0;
            for (uint32_t k = 0; k < all.n && n < 256; k++)
                if (all.v[k] != p) /* never suggest that a policy extend itself */
                    cands[n++] = ((rgc_policy *)all.v[k])->name;
            unknown_parents++;
            const char *best = rgc_closest(p->ast->parent, cands, n);
            char hint[128];
            snprintf(hint, sizeof hint, "did you mean '%s'?", best ? best : "");
            rgc_error(pk, p->ast->parent_loc, best ? hint : "the pack must contain the policy it extends",
                      "policy '%s' extends unknown policy '%s'", p->name, p->ast->parent);
        }
    }
    if (!root) {
        if (all.n && !unknown_parents) /* else the unknown parent explains it, and there is no cycle */
            rgc_error(pk, ((rgc_policy *)all.v[0])->ast->policy_loc, "one policy must extend nothing",
                      "the pack has no base policy (its `extends` form a cycle)");
        rg_vec_free(&all);
        return -1;
    }
    /* parents first, breadth by depth, file order within a depth */
    rg_vec_push(&pk->policies, root);
    root->index = 0;
    for (uint32_t at = 0; at < pk->policies.n; at++) {
        rgc_policy *parent = pk->policies.v[at];
        for (uint32_t i = 0; i < all.n; i++) {
            rgc_policy *p = all.v[i];
            if (p->parent == parent) {
                p->index = pk->policies.n;
                p->depth = parent->depth + 1;
                rg_vec_push(&pk->policies, p);
            }
        }
    }
    for (uint32_t i = 0; i < all.n; i++) {
        rgc_policy *p = all.v[i];
        if (p->parent && policy_by_name(&pk->policies, p->name) == NULL)
            rgc_error(pk, p->ast->parent_loc, "a policy cannot extend itself through its children",
                      "policy '%s' is part of an `extends` cycle", p->name);
    }
    pk->root = root;
    rg_vec_free(&all);
    return 0;
}

/* ---- the root's declarations: types, schema, ledger, brackets ---- */

static void add_enum(rgc_pack *pk, rg_decl *d)
{
    if (rgc_enum_by_name(pk, d->name) >= 0) {
        rgc_error(pk, d->name_loc, NULL, "enumeration '%s' is declared twice", d->name);
        return;
    }
    rg_enum e = {rgc_str(pk, d->name), pk->prog->n_member_names, d->members.n};
    for (uint32_t i = 0; i < d->members.n; i++) {
        uint32_t s = rgc_str(pk, d->members.v[i]);
        for (uint32_t k = 0; k < i; k++)
            if (strcmp(d->members.v[k], d->members.v[i]) == 0)
                rgc_error(pk, d->loc, NULL, "'%s' appears twice in enumeration '%s'", (char *)d->members.v[i], d->name);
        rgc_push_member_names(pk, &s, 1);
    }
    rgc_push_enums(pk, &e, 1);
}

static void flatten(rgc_pack *pk, rg_vec *members, int32_t parent, const char *prefix, int in_list, int depth)
{
    if (depth > 8) {
        rgc_error(pk, ((rg_member *)members->v[0])->loc, NULL, "records nest too deeply (or contain themselves)");
        return;
    }
    uint32_t first = pk->prog->n_fields;
    for (uint32_t i = 0; i < members->n; i++) {
        rg_member *m = members->v[i];
        if (rgc_child_field(pk, parent, m->name) != RG_NO_INDEX) {
            rgc_error(pk, m->loc, NULL, "field '%s' is declared twice", m->name);
            continue;
        }
        rgc_ty t = {.k = RGC_K_ERROR};
        if (!m->type->elem && resolve_type(pk, m->type, &t) != 0)
            continue;
        char path[256];
        snprintf(path, sizeof path, "%s%s%s", prefix, *prefix ? "." : "", m->name);
        rg_field f = {.key = rgc_str(pk, m->name), .parent = parent, .optional = (uint8_t)t.optional,
                      .in_list = (uint8_t)in_list, .cond_field = -1};
        if (m->type->elem) {
            /* handled below */
        } else if (t.k == RGC_K_RECORD) {
            f.type = RG_TYPE(RG_T_RECORD, 0);
        } else if (t.k == RGC_K_SCALAR && t.scalar == RG_T_LIST) {
            rgc_error(pk, m->loc, "a claim holds one list of records, e.g. `items: list of item`",
                      "a list field holds records");
            continue;
        } else {
            f.type = rgc_ty_pack(&t);
            f.has_range = t.has_range;
            f.lo = t.lo;
            f.hi = t.hi;
        }
        if (m->type->elem) {
            /* list of a record */
            rg_decl *rec = NULL;
            for (uint32_t k = 0; k < pk->records.n; k++)
                if (strcmp(((rg_decl *)pk->records.v[k])->name, m->type->elem->name) == 0)
                    rec = pk->records.v[k];
            if (!rec || parent != -1 || in_list || pk->prog->list_field != RG_NO_INDEX) {
                rgc_error(pk, m->loc, "the claim may hold one list of records at its top level",
                          "unsupported list field '%s'", m->name);
                continue;
            }
            f.type = RG_TYPE(RG_T_LIST, 0);
            snprintf(path, sizeof path, "%s", m->name);
            f.path = rgc_str(pk, path);
            f.slot = 0;
            uint32_t idx = rgc_push_fields(pk, &f, 1);
            pk->prog->list_field = idx;
            char sub[256];
            snprintf(sub, sizeof sub, "%s[]", m->name);
            flatten(pk, &rec->members, (int32_t)idx, sub, 1, depth + 1);
            continue;
        }
        f.path = rgc_str(pk, path);
        f.slot = in_list ? pk->prog->n_item_slots++ : pk->prog->n_claim_slots++;
        if (m->cond_field) {
            uint32_t sib = RG_NO_INDEX;
            for (uint32_t k = first; k < pk->prog->n_fields; k++)
                if (pk->prog->fields[k].parent == parent &&
                    strcmp(rgc_str_text(pk, pk->prog->fields[k].key), m->cond_field) == 0)
                    sib = k;
            if (sib == RG_NO_INDEX) {
                rgc_error(pk, m->loc, "the condition names an earlier field of the same record",
                          "unknown field '%s' in the condition of '%s'", m->cond_field, m->name);
            } else {
                rgc_ty st = rgc_ty_from_packed(pk->prog->fields[sib].type);
                rg_value v;
                rgc_ty vt;
                if (rgc_const_expr(pk, m->cond_value, &st, &v, &vt, 1) == 0) {
                    f.cond_field = (int32_t)sib;
                    f.cond_op = m->cond_op == RG_OPR_EQ ? 1 : 2;
                    f.cond_value = v;
                }
            }
        }
        uint32_t idx = rgc_push_fields(pk, &f, 1);
        if (t.k == RGC_K_RECORD) {
            rg_decl *rec = pk->records.v[t.aux];
            flatten(pk, &rec->members, (int32_t)idx, path, in_list, depth + 1);
        }
    }
}

static int root_only(rgc_pack *pk, rgc_policy *p, rg_decl *d, const char *what)
{
    if (p == pk->root)
        return 1;
    rgc_error(pk, d->loc, "declare it in the base policy", "%s belongs to the base policy '%s', not '%s'", what,
              pk->root->name, p->name);
    return 0;
}

static void add_ledger(rgc_pack *pk, rg_decl *d)
{
    rg_program *p = pk->prog;
    rg_ledger_scope s = {rgc_str(pk, d->name), p->n_ledger_fields, d->members.n, 0, d->inputs.n};
    for (uint32_t i = 0; i < d->members.n; i++) {
        rg_member *m = d->members.v[i];
        rgc_ty t;
        if (resolve_type(pk, m->type, &t) != 0)
            continue;
        if (t.k != RGC_K_SCALAR || t.optional ||
            !(t.scalar == RG_T_MONEY || t.scalar == RG_T_INT || t.scalar == RG_T_PERCENT || t.scalar == RG_T_DURATION)) {
            rgc_error(pk, m->loc, NULL, "a ledger field holds money, int, percent or duration");
            continue;
        }
        rg_ledger_field f = {rgc_str(pk, m->name), rgc_ty_pack(&t), p->n_ledger_scopes, RG_NO_INDEX};
        rgc_push_ledger_fields(pk, &f, 1);
    }
    s.n_fields = p->n_ledger_fields - s.first_field;
    rgc_push_ledger_scopes(pk, &s, 1);
    rg_vec_push(&pk->ledger_decls, d);
}

/* A type a host function takes or returns: a plain scalar (C gets an int64_t
 * or a const char *); arguments are never absent, a result may be (T?). */
static int extern_type(rgc_pack *pk, rg_texpr *te, int result, rgc_ty *t)
{
    if (resolve_type(pk, te, t) != 0)
        return -1;
    int scalar = t->k == RGC_K_SCALAR && t->scalar != RG_T_LIST && t->scalar != RG_T_ROW;
    if (scalar && t->optional && !result) {
        rgc_error(pk, te->loc, "write the type without '?': the policy gives a value, or writes `x ?? default`",
                  "an argument of a host function is never none");
        return -1;
    }
    if (!scalar || te->has_range) {
        rgc_error(pk, te->loc, "a host function takes and returns bool, int, money, percent, date, duration, string, "
                               "region or an enum; only its result may be optional (T?)",
                  "a host function cannot %s %s", result ? "return" : "take", te->elem ? "a list" : te->name);
        return -1;
    }
    return 0;
}

/* `extern fn name(types) -> type`: a function the host must supply. */
static void add_extern(rgc_pack *pk, rg_decl *d)
{
    rg_program *p = pk->prog;
    if (rgc_builtin(d->name)) {
        rgc_error(pk, d->name_loc, "give the host function another name", "'%s' is a built-in function", d->name);
        return;
    }
    for (uint32_t i = 0; i < p->n_externs; i++)
        if (strcmp(rgc_str_text(pk, p->externs[i].name), d->name) == 0) {
            rgc_error(pk, d->name_loc, NULL, "host function '%s' is declared twice", d->name);
            return;
        }
    if (d->params.n > RG_EXTERN_MAX_ARGS) {
        rgc_error(pk, d->loc, NULL, "a host function takes at most %u arguments, '%s' declares %u",
                  (unsigned)RG_EXTERN_MAX_ARGS, d->name, d->params.n);
        return;
    }
    rg_extern x = {.name = rgc_str(pk, d->name), .n_args = d->params.n};
    int ok = 1;
    rgc_ty t;
    for (uint32_t i = 0; i < d->params.n; i++) {
        if (extern_type(pk, d->params.v[i], 0, &t) != 0)
            ok = 0;
        else
            x.args[i] = rgc_ty_pack(&t);
    }
    if (extern_type(pk, d->type, 1, &t) != 0)
        return;
    x.result = rgc_ty_pack(&t);
    x.result_optional = t.optional;
    if (ok)
        rgc_push_externs(pk, &x, 1);
}

static void add_brackets(rgc_pack *pk, rg_decl *d)
{
    rg_bracket b = {rgc_str(pk, d->name), pk->prog->n_tiers, 0};
    int64_t prev_hi = 0;
    rgc_ty money = rgc_ty_scalar(RG_T_MONEY), pct = rgc_ty_scalar(RG_T_PERCENT);
    for (uint32_t i = 0; i < d->rows.n; i++) {
        rg_tier_ast *t = d->rows.v[i];
        rg_tier tier;
        rgc_ty ty;
        if (rgc_const_expr(pk, t->from, &money, &tier.lo, &ty, 1) != 0 ||
            rgc_const_expr(pk, t->pct, &pct, &tier.pct, &ty, 1) != 0)
            continue;
        tier.hi = RG_NONE;
        if (t->below && rgc_const_expr(pk, t->below, &money, &tier.hi, &ty, 1) != 0)
            continue;
        if (tier.lo != prev_hi)
            rgc_error(pk, t->loc, "tiers run from ¥0 upwards, each starting where the previous one ends",
                      "tier %u of '%s' starts at a gap or an overlap", i + 1, d->name);
        if (tier.hi != RG_NONE && tier.hi <= tier.lo)
            rgc_error(pk, t->loc, NULL, "a tier must end above where it starts");
        if (tier.hi == RG_NONE && i + 1 < d->rows.n)
            rgc_error(pk, t->loc, NULL, "only the last tier may be open-ended");
        prev_hi = tier.hi;
        rgc_push_tiers(pk, &tier, 1);
    }
    b.n_tiers = pk->prog->n_tiers - b.first_tier;
    rgc_push_brackets(pk, &b, 1);
    rg_vec_push(&pk->bracket_decls, d);
}

/* ---- definitions and their implementations ---- */

static rgc_def *new_def(rgc_pack *pk, rg_decl *d, int per_item)
{
    rgc_def *def = rg_arena_alloc(&pk->arena, sizeof *def);
    def->name = d->name;
    def->slot = pk->defs.n;
    def->root = d;
    def->per_item = per_item;
    def->kind = d->kind == RG_D_PARAM ? RG_DEF_PARAM : d->kind == RG_D_TABLE ? RG_DEF_TABLE
                : d->kind == RG_D_DECIDE ? RG_DEF_DECIDE : RG_DEF_DEF;
    if (per_item)
        def->item_index = pk->prog->n_item_defs++;
    rg_vec_push(&pk->defs, def);
    return def;
}

static int is_def_decl(rg_decl *d)
{
    return d->kind == RG_D_PARAM || d->kind == RG_D_DEF || d->kind == RG_D_TABLE || d->kind == RG_D_DECIDE;
}

static void add_impl(rgc_pack *pk, rgc_policy *p, rgc_version *v, rg_decl *d, int per_item)
{
    rgc_def *def = rgc_find_def(pk, d->name);
    if (!def) {
        const char *cands[512];
        uint32_t n = 0;
        for (uint32_t i = 0; i < pk->defs.n && n < 512; i++)
            cands[n++] = ((rgc_def *)pk->defs.v[i])->name;
        const char *best = rgc_closest(d->name, cands, n);
        char hint[200];
        if (best)
            snprintf(hint, sizeof hint, "did you mean '%s'?", best);
        else
            snprintf(hint, sizeof hint, "a child policy overrides what its parent defines; new definitions go in %s",
                     pk->root->name);
        rgc_error(pk, d->name_loc, hint, "%s overrides '%s', which %s does not define", p->name, d->name,
                  p->parent ? p->parent->name : pk->root->name);
        return;
    } else {
        if (def->per_item != per_item) {
            rgc_error(pk, d->name_loc, def->per_item ? "override it inside `for item in items { … }`" : NULL,
                      "'%s' is %s in %s", d->name, def->per_item ? "defined for each item" : "not per item",
                      pk->root->name);
            return;
        }
        if ((def->kind == RG_DEF_TABLE) != (d->kind == RG_D_TABLE) ||
            (def->kind == RG_DEF_DECIDE) != (d->kind == RG_D_DECIDE)) {
            rgc_error(pk, d->name_loc, NULL, "'%s' is a %s in %s and must be overridden as one", d->name,
                      def->kind == RG_DEF_TABLE ? "table" : def->kind == RG_DEF_DECIDE ? "decision" : "value",
                      pk->root->name);
            return;
        }
        if (d->kind == RG_D_TABLE && d->hit_first >= 0) {
            rgc_error(pk, d->loc, "a child lists only the rows it changes: table NAME { | … -> … }",
                      "table '%s' keeps the inputs its base policy gave it", d->name);
            return;
        }
    }
    rgc_impl **slot = v ? &v->impl[def->slot] : &p->impl[def->slot];
    if (*slot) {
        rgc_error(pk, d->name_loc, NULL, "'%s' is defined twice in %s", d->name, v ? "this version" : p->name);
        return;
    }
    rgc_impl *im = rg_arena_alloc(&pk->arena, sizeof *im);
    im->decl = d;
    im->def = def;
    im->policy = p;
    im->version = v;
    *slot = im;
    rg_vec_push(&pk->impls, im);
}

/* A `for item in items { … }` block: top level, over the claim's list. Marks
 * its declarations as belonging to it. */
static int each_block_ok(rgc_pack *pk, rg_decl *d, int nested, rgc_version *v)
{
    if (nested || v) {
        rgc_error(pk, d->loc, NULL, "`for %s in %s` blocks cannot nest or sit in a version", d->var, d->list);
        return 0;
    }
    if (pk->prog->list_field == RG_NO_INDEX ||
        strcmp(d->list, rgc_str_text(pk, pk->prog->fields[pk->prog->list_field].key)) != 0) {
        rgc_error(pk, d->loc, "per-item definitions range over the claim's list", "'%s' is not the claim's list",
                  d->list);
        return 0;
    }
    for (uint32_t k = 0; k < d->decls.n; k++)
        ((rg_decl *)d->decls.v[k])->each = d;
    return 1;
}

static void create_root_defs(rgc_pack *pk, rg_vec *decls, int per_item)
{
    for (uint32_t i = 0; i < decls->n; i++) {
        rg_decl *d = decls->v[i];
        if (is_def_decl(d)) {
            if (rgc_find_def(pk, d->name)) {
                rgc_error(pk, d->name_loc, "rename one of them", "'%s' is defined twice", d->name);
                continue;
            }
            if (d->kind == RG_D_TABLE && d->hit_first < 0) {
                rgc_error(pk, d->loc, "write `table NAME: TYPE by (inputs) { rows }`",
                          "table '%s' needs its result type and inputs", d->name);
                continue;
            }
            if (rgc_child_field(pk, -1, d->name) != RG_NO_INDEX)
                rgc_error(pk, d->name_loc, "rename the definition", "'%s' is also a field of the claim", d->name);
            new_def(pk, d, per_item);
        } else if (d->kind == RG_D_EACH && each_block_ok(pk, d, per_item, NULL)) {
            create_root_defs(pk, &d->decls, 1);
        }
    }
}

static void collect_defs(rgc_pack *pk, rgc_policy *p, rgc_version *v, rg_vec *decls, int per_item)
{
    for (uint32_t i = 0; i < decls->n; i++) {
        rg_decl *d = decls->v[i];
        if (is_def_decl(d))
            add_impl(pk, p, v, d, per_item);
        else if (d->kind == RG_D_EACH && each_block_ok(pk, d, per_item, v))
            collect_defs(pk, p, v, &d->decls, 1);
    }
}

static void grow_impl_arrays(rgc_pack *pk)
{
    uint32_t n = pk->defs.n + 1;
    for (uint32_t i = 0; i < pk->policies.n; i++) {
        rgc_policy *p = pk->policies.v[i];
        p->impl = rg_arena_alloc(&pk->arena, n * sizeof *p->impl);
        for (uint32_t k = 0; k < p->versions.n; k++) {
            rgc_version *v = p->versions.v[k];
            v->impl = rg_arena_alloc(&pk->arena, n * sizeof *v->impl);
        }
    }
}

/* Rows of table `def` as seen by policy p (version v or NULL). */
static void merge_rows(rgc_pack *pk, rg_vec *out, rg_vec *base, rg_vec *over)
{
    for (uint32_t i = 0; i < base->n; i++)
        rg_vec_push(out, base->v[i]);
    for (uint32_t i = 0; i < over->n; i++) {
        rg_row *r = over->v[i];
        int replaced = 0;
        for (uint32_t k = 0; k < out->n && !replaced; k++) {
            rg_row *b = out->v[k];
            if (b->pats.n != r->pats.n)
                continue;
            int same = 1;
            for (uint32_t c = 0; c < r->pats.n && same; c++) {
                rg_pattern *x = r->pats.v[c], *y = b->pats.v[c];
                const rg_source *sx = rg_diag_source(pk->diag, x->loc.file), *sy = rg_diag_source(pk->diag, y->loc.file);
                size_t lx = x->loc.end - x->loc.start, ly = y->loc.end - y->loc.start;
                same = lx == ly && memcmp(sx->text + x->loc.start, sy->text + y->loc.start, lx) == 0;
            }
            if (same) {
                out->v[k] = r;
                replaced = 1;
            }
        }
        if (!replaced)
            rg_vec_push(out, r);
    }
}

static rg_vec *base_rows(rgc_policy *p, rgc_def *def)
{
    for (rgc_policy *q = p; q; q = q->parent)
        if (q->impl[def->slot])
            return &q->impl[def->slot]->rows;
    return NULL;
}

static void table_rows(rgc_pack *pk)
{
    for (uint32_t i = 0; i < pk->policies.n; i++) {
        rgc_policy *p = pk->policies.v[i];
        for (uint32_t s = 0; s < pk->defs.n; s++) {
            rgc_def *def = pk->defs.v[s];
            if (def->kind != RG_DEF_TABLE)
                continue;
            rgc_impl *im = p->impl[s];
            if (im) {
                rg_vec empty = {0};
                rg_vec *base = p->parent ? base_rows(p->parent, def) : &empty;
                merge_rows(pk, &im->rows, base ? base : &empty, &im->decl->rows);
            }
            for (uint32_t k = 0; k < p->versions.n; k++) {
                rgc_version *v = p->versions.v[k];
                rgc_impl *vi = v->impl[s];
                if (!vi)
                    continue;
                rg_vec empty = {0};
                rg_vec *base = base_rows(p, def);
                merge_rows(pk, &vi->rows, base ? base : &empty, &vi->decl->rows);
            }
        }
    }
}

/* ---- typing of definitions ---- */

static rgc_ty compile_body(rgc_pack *pk, rgc_impl *im)
{
    rg_decl *d = im->decl;
    pk->cur.in_each = im->def->per_item;
    pk->cur.n_scope = 0;
    pk->cur.each_row = RG_ROW_OF_FRAME;
    if (im->def->per_item) {
        pk->cur.scope[0].name = d->each ? d->each->var : "item";
        pk->cur.scope[0].local = RG_ROW_OF_FRAME;
        pk->cur.n_scope = 1;
    }
    if (im->def->kind == RG_DEF_TABLE)
        return rgc_table_body(pk, im);
    if (im->def->kind == RG_DEF_DECIDE)
        return rgc_decide_body(pk, im, NULL);
    rgc_ty want;
    int have = 0;
    if (im->def->type_state == 2 || im->def->root->type) {
        want = rgc_def_type(pk, im->def);
        have = want.k == RGC_K_SCALAR;
    }
    rgc_ty t = rgc_expr(pk, d->value, have ? &want : NULL);
    return t;
}

static rgc_impl *root_impl(rgc_pack *pk, rgc_def *d)
{
    return pk->root->impl[d->slot];
}

rgc_ty rgc_def_type(rgc_pack *pk, rgc_def *d)
{
    if (d->type_state == 2)
        return d->type;
    if (d->type_state == 1)
        return (rgc_ty){.k = RGC_K_ERROR};
    d->type_state = 1;
    rgc_ty t = {.k = RGC_K_ERROR};
    if (d->root->type) {
        int saved_q = pk->quiet;
        if (resolve_type(pk, d->root->type, &t) == 0 && t.k != RGC_K_SCALAR) {
            rgc_error(pk, d->root->type->loc, NULL, "a definition's value is a plain value, not a record");
            t.k = RGC_K_ERROR;
        }
        pk->quiet = saved_q;
        t.has_range = 0;
    } else if (root_impl(pk, d)) {
        __typeof__(pk->cur) saved = pk->cur;
        int saved_dry = pk->dry, saved_quiet = pk->quiet;
        pk->dry = 1;
        pk->quiet = 1; /* the check pass reports this body's errors */
        rgc_chunk_begin(pk);
        pk->cur.impl = NULL;
        t = compile_body(pk, root_impl(pk, d));
        pk->cur = saved;
        pk->dry = saved_dry;
        pk->quiet = saved_quiet;
        if (t.k == RGC_K_NONE) {
            rgc_error(pk, d->root->loc, "declare its type, e.g. `def x: money? = none`",
                      "the type of '%s' cannot be inferred from none", d->name);
            t.k = RGC_K_ERROR;
        } else if (t.k != RGC_K_SCALAR && t.k != RGC_K_ERROR) {
            char tn[96];
            rgc_ty_name(pk, &t, tn, sizeof tn);
            rgc_error(pk, d->root->value->loc, NULL, "'%s' must be a value, this is %s", d->name, tn);
            t.k = RGC_K_ERROR;
        }
        t.has_range = 0;
    }
    d->type = t;
    d->type_state = 2;
    return t;
}

static void check_impl(rgc_pack *pk, rgc_impl *im)
{
    int saved = pk->dry;
    pk->dry = 1;
    rgc_chunk_begin(pk);
    pk->cur.impl = im;
    rgc_ty t = compile_body(pk, im);
    pk->cur.impl = NULL;
    pk->dry = saved;
    rgc_ty want = rgc_def_type(pk, im->def);
    if (t.k == RGC_K_ERROR || want.k == RGC_K_ERROR || im->def->kind == RG_DEF_TABLE || im->def->kind == RG_DEF_DECIDE)
        return;
    int ok = (rgc_ty_same(&t, &want) || (t.k == RGC_K_NONE && want.optional)) && (!t.optional || want.optional);
    if (!ok) {
        char a[96], b[96];
        rgc_ty_name(pk, &want, a, sizeof a);
        rgc_ty_name(pk, &t, b, sizeof b);
        if (im->policy == pk->root && !im->version)
            rgc_error(pk, im->decl->value->loc, NULL, "'%s' is declared %s but its value is %s", im->def->name, a, b);
        else
            rgc_error(pk, im->decl->value->loc, NULL, "%s's '%s' is %s, this override is %s", pk->root->name,
                      im->def->name, a, b);
    }
}

/* ---- cycles ---- */

void rgc_effective_impls(rgc_policy *p, uint32_t slot, rg_vec *out)
{
    for (uint32_t k = 0; k < p->versions.n; k++) {
        rgc_version *v = p->versions.v[k];
        if (v->impl[slot])
            rg_vec_push(out, v->impl[slot]);
    }
    if (p->impl[slot])
        rg_vec_push(out, p->impl[slot]);
    else if (p->parent)
        rgc_effective_impls(p->parent, slot, out);
}

static int dfs(rgc_pack *pk, rgc_policy *p, uint32_t slot, uint8_t *state, uint32_t *stack, uint32_t depth)
{
    if (state[slot] == 2)
        return 0;
    stack[depth] = slot;
    if (state[slot] == 1) {
        uint32_t from = 0;
        while (stack[from] != slot)
            from++;
        char msg[1024];
        size_t used = 0;
        for (uint32_t i = from; i <= depth && used < sizeof msg; i++)
            used += (size_t)snprintf(msg + used, sizeof msg - used, "%s%s", i > from ? " -> " : "",
                                     ((rgc_def *)pk->defs.v[stack[i]])->name);
        rgc_def *d = pk->defs.v[slot];
        rg_vec impls = {0};
        rgc_effective_impls(p, slot, &impls);
        rg_loc loc = impls.n ? ((rgc_impl *)impls.v[0])->decl->name_loc : d->root->name_loc;
        rg_vec_free(&impls);
        rgc_error(pk, loc, "a definition cannot depend on itself, directly or through others",
                  "definition cycle in %s: %s", p->name, msg);
        return 1;
    }
    state[slot] = 1;
    rg_vec impls = {0};
    rgc_effective_impls(p, slot, &impls);
    int found = 0;
    for (uint32_t i = 0; i < impls.n && !found; i++) {
        rgc_impl *im = impls.v[i];
        for (uint32_t k = 0; k < im->deps.n && !found; k++)
            found = dfs(pk, p, ((rgc_def *)im->deps.v[k])->slot, state, stack, depth + 1);
    }
    rg_vec_free(&impls);
    state[slot] = 2;
    return found;
}

static void check_cycles(rgc_pack *pk)
{
    uint32_t n = pk->defs.n;
    uint8_t *state = calloc(n + 1, 1);
    uint32_t *stack = calloc(n + 2, sizeof *stack);
    for (uint32_t i = 0; i < pk->policies.n; i++) {
        rgc_policy *p = pk->policies.v[i];
        memset(state, 0, n + 1);
        for (uint32_t s = 0; s < n; s++)
            if (state[s] == 0 && dfs(pk, p, s, state, stack, 0))
                break;
    }
    free(state);
    free(stack);
}

/* ---- entry chunks ---- */

static uint32_t file_str(rgc_pack *pk, uint32_t file)
{
    return rgc_str(pk, rg_diag_source(pk->diag, file)->path);
}

static uint32_t entry_chunk(rgc_pack *pk, rg_expr *e, const char *what, rg_type_kind want, int claim_only,
                            rgc_ty *out)
{
    rgc_chunk_begin(pk);
    pk->cur.claim_only = claim_only;
    pk->cur.claim_only_what = what;
    rgc_ty t = rgc_expr(pk, e, NULL);
    pk->cur.claim_only = 0;
    if (out)
        *out = t;
    if (t.k == RGC_K_SCALAR && want != RG_T_VOID && (t.scalar != want || t.optional)) {
        char tn[96];
        rgc_ty_name(pk, &t, tn, sizeof tn);
        rgc_error(pk, e->loc, NULL, "%s must be %s, this is %s", what, rg_type_kind_name(want), tn);
    }
    rgc_emit(pk, RG_OP_RET, 0, 0);
    if (pk->dry)
        return 0;
    return rgc_chunk_end(pk, RG_NO_INDEX, 0, RG_NO_INDEX, rgc_line(pk, e->loc), file_str(pk, e->loc.file));
}

void rgc_emit_updates(rgc_pack *pk)
{
    for (uint32_t u = 0; u < pk->updates.n; u++) {
        rg_decl *d = pk->updates.v[u];
        uint32_t skip = RG_NO_INDEX;
        if (d->value2) {
            rgc_ty bt = rgc_ty_scalar(RG_T_BOOL);
            rgc_ty c = rgc_expr(pk, d->value2, &bt);
            if (c.k == RGC_K_SCALAR && (c.scalar != RG_T_BOOL || c.optional))
                rgc_error(pk, d->value2->loc, NULL, "an update's condition must be a bool");
            skip = rgc_emit(pk, RG_OP_JUMP_IF_FALSE, 0, 0);
        }
        for (uint32_t i = 0; i < d->assigns.n; i++) {
            rg_assign *a = d->assigns.v[i];
            uint32_t f = a->path.n == 2 ? rgc_ledger_field(pk, a->path.v[0], a->path.v[1]) : RG_NO_INDEX;
            if (f == RG_NO_INDEX) {
                rgc_error(pk, a->loc, "updates name a ledger field: SCOPE.FIELD += value",
                          "not a ledger field");
                continue;
            }
            rgc_ty ft = rgc_ty_from_packed(pk->prog->ledger_fields[f].type);
            rgc_ty t = rgc_expr(pk, a->value, &ft);
            if (t.k == RGC_K_SCALAR && (!rgc_ty_same(&t, &ft) || t.optional)) {
                char an[96], bn[96];
                rgc_ty_name(pk, &ft, an, sizeof an);
                rgc_ty_name(pk, &t, bn, sizeof bn);
                rgc_error(pk, a->value->loc, NULL, "ledger field is %s, the value is %s", an, bn);
            }
            if (a->op == '-')
                rgc_emit(pk, RG_OP_NEG, 0, 0);
            rgc_emit(pk, a->op == '=' ? RG_OP_LEDGER_SET : RG_OP_LEDGER_ADD, f, 0);
        }
        if (skip != RG_NO_INDEX)
            rgc_patch(pk, skip, 0, rgc_here(pk));
    }
}

static uint32_t update_chunk(rgc_pack *pk)
{
    rgc_chunk_begin(pk);
    pk->cur.impl = &pk->update_reads; /* a plan memoises what the updates read (plan.c) */
    uint32_t line = 0, file = 0;
    if (pk->updates.n) {
        rg_decl *d = pk->updates.v[0];
        line = rgc_line(pk, d->loc);
        file = file_str(pk, d->loc.file);
    }
    rgc_emit_updates(pk);
    if (!line) { /* no update declared: the chunk belongs to the base policy's file, not string 0 */
        rg_loc at = pk->root->ast->policy_loc;
        line = rgc_line(pk, at);
        file = file_str(pk, at.file);
        rgc_set_line(pk, line, at.file);
    }
    rgc_emit_value(pk, 0);
    rgc_emit(pk, RG_OP_RET, 0, 0);
    pk->cur.impl = NULL;
    if (pk->dry)
        return 0;
    return rgc_chunk_end(pk, RG_NO_INDEX, 0, RG_NO_INDEX, line, file);
}

uint32_t rgc_ledger_field(const rgc_pack *pk, const char *scope, const char *field)
{
    const rg_program *p = pk->prog;
    for (uint32_t s = 0; s < p->n_ledger_scopes; s++) {
        const rg_ledger_scope *sc = &p->ledger_scopes[s];
        if (strcmp(p->blob + p->strings[sc->name].offset, scope) != 0)
            continue;
        for (uint32_t i = 0; i < sc->n_fields; i++)
            if (strcmp(p->blob + p->strings[p->ledger_fields[sc->first_field + i].name].offset, field) == 0)
                return sc->first_field + i;
    }
    return RG_NO_INDEX;
}

/* All entry chunks; dry during the check pass. */
static void entries(rgc_pack *pk)
{
    rg_program *p = pk->prog;
    if (!pk->select) {
        rgc_error(pk, pk->root->ast->policy_loc, "add `select policy by person.insured_region as of visit.date`",
                  "the base policy does not say how a claim picks its policy");
    } else {
        p->entry.select_policy = entry_chunk(pk, pk->select->value, "the policy selector", RG_T_REGION, 1, NULL);
        p->entry.asof = entry_chunk(pk, pk->select->value2, "the as-of date", RG_T_DATE, 1, NULL);
    }
    uint32_t kt = 0;
    for (uint32_t s = 0; s < pk->ledger_decls.n; s++) {
        rg_decl *d = pk->ledger_decls.v[s];
        rg_ledger_scope *sc = &p->ledger_scopes[s];
        if (!pk->dry)
            sc->first_key = p->n_ledger_keys;
        for (uint32_t k = 0; k < d->inputs.n; k++) {
            rgc_ty t;
            uint32_t c = entry_chunk(pk, d->inputs.v[k], "a ledger key", RG_T_VOID, 1, &t);
            if (t.k == RGC_K_SCALAR && (t.optional || !(t.scalar == RG_T_STRING || t.scalar == RG_T_INT)))
                rgc_error(pk, ((rg_expr *)d->inputs.v[k])->loc, NULL, "a ledger key is a string or an int, always present");
            if (!pk->dry) {
                rgc_push_ledger_keys(pk, &c, 1);
                rg_type ty = rgc_ty_pack(&t);
                rgc_push_ledger_key_types(pk, &ty, 1);
            }
        }
        for (uint32_t i = 0; i < d->members.n; i++) {
            rg_member *m = d->members.v[i];
            if (!m->init)
                continue;
            rgc_ty t;
            uint32_t c = entry_chunk(pk, m->init, "a ledger field's first value", RG_T_VOID, 1, &t);
            rgc_ty ft = rgc_ty_from_packed(p->ledger_fields[sc->first_field + i].type);
            if (t.k == RGC_K_SCALAR && (!rgc_ty_same(&t, &ft) || t.optional))
                rgc_error(pk, m->init->loc, NULL, "the first value must have the field's type");
            if (!pk->dry)
                p->ledger_fields[sc->first_field + i].init = c;
        }
        kt++;
    }
    (void)kt;
    p->entry.update = update_chunk(pk);
    p->entry.outcome_def = RG_NO_INDEX;
}

/* ---- emit ---- */

static uint32_t emit_impl(rgc_pack *pk, rgc_impl *im)
{
    rgc_chunk_begin(pk);
    pk->cur.impl = NULL;
    rgc_ty t = compile_body(pk, im);
    (void)t;
    if (im->def->kind != RG_DEF_TABLE && im->def->kind != RG_DEF_DECIDE)
        rgc_emit(pk, RG_OP_RET, 0, 0);
    return rgc_chunk_end(pk, im->def->slot, im->policy->index, im->version ? im->version->index : RG_NO_INDEX,
                         rgc_line(pk, im->decl->loc), file_str(pk, im->decl->loc.file));
}

static void emit_all(rgc_pack *pk)
{
    rg_program *p = pk->prog;
    uint32_t n = pk->defs.n;
    for (uint32_t i = 0; i < n; i++) {
        rgc_def *d = pk->defs.v[i];
        rgc_ty t = rgc_def_type(pk, d);
        rg_def rd = {rgc_str(pk, d->name), rgc_ty_pack(&t), (uint8_t)d->kind, (uint8_t)d->per_item, 0,
                     d->per_item ? d->item_index : RG_NO_INDEX};
        rgc_push_defs(pk, &rd, 1);
    }
    for (uint32_t i = 0; i < pk->versions.n; i++) {
        rgc_version *v = pk->versions.v[i];
        rg_version rv = {rgc_str(pk, v->decl->name), v->policy->index, v->from, v->until};
        rgc_push_versions(pk, &rv, 1);
    }
    for (uint32_t i = 0; i < pk->impls.n; i++) {
        rgc_impl *im = pk->impls.v[i];
        im->chunk = emit_impl(pk, im);
    }
    for (uint32_t i = 0; i < pk->policies.n; i++) {
        rgc_policy *pol = pk->policies.v[i];
        rg_policy rp = {rgc_str(pk, pol->name), pol->parent ? pol->parent->index : RG_NO_INDEX,
                        file_str(pk, pol->ast->file), p->n_vtable};
        uint32_t vt = rgc_push_vtable(pk, NULL, n);
        for (uint32_t s = 0; s < n; s++) {
            uint32_t base = pol->impl[s] ? pol->impl[s]->chunk
                            : pol->parent ? p->vtable[p->policies[pol->parent->index].vtable + s] : RG_NO_INDEX;
            uint32_t nv = 0;
            for (uint32_t k = 0; k < pol->versions.n; k++)
                nv += ((rgc_version *)pol->versions.v[k])->impl[s] != NULL;
            if (nv) {
                rg_vselector sel = {p->n_vsel_entries, nv, base};
                rg_loc at = {0, 0, 0}; /* the selector sits at the first version's definition */
                for (uint32_t k = 0; k < pol->versions.n; k++) {
                    rgc_version *v = pol->versions.v[k];
                    if (v->impl[s]) {
                        rg_vsel_entry e = {v->index, v->impl[s]->chunk};
                        rgc_push_vsel_entries(pk, &e, 1);
                        if (at.end == 0)
                            at = v->impl[s]->decl->loc;
                    }
                }
                uint32_t sid = rgc_push_vselectors(pk, &sel, 1);
                rgc_chunk_begin(pk);
                rgc_set_line(pk, rgc_line(pk, at), at.file);
                rgc_emit(pk, RG_OP_VSELECT, sid, 0);
                base = rgc_chunk_end(pk, s, pol->index, RG_NO_INDEX, rgc_line(pk, at), file_str(pk, at.file));
            }
            p->vtable[vt + s] = base;
        }
        rgc_push_policies(pk, &rp, 1);
    }
    entries(pk);
    /* outputs */
    if (pk->result) {
        for (uint32_t i = 0; i < pk->result->assigns.n; i++) {
            rg_assign *a = pk->result->assigns.v[i];
            rgc_def *d = a->value->sema;
            if (!d)
                continue;
            rgc_ty t = rgc_def_type(pk, d);
            rg_output o = {rgc_str(pk, a->path.v[0]), d->slot, rgc_ty_pack(&t)};
            rgc_push_outputs(pk, &o, 1);
        }
    }
    rgc_emit_plans(pk);
}

/* Result fields become definitions (hidden ones for expressions that are not
 * a definition's name). */
static void result_defs(rgc_pack *pk)
{
    if (!pk->result)
        return;
    for (uint32_t i = 0; i < pk->result->assigns.n; i++) {
        rg_assign *a = pk->result->assigns.v[i];
        if (a->path.n != 1) {
            rgc_error(pk, a->loc, NULL, "a result field is a plain name");
            continue;
        }
        rgc_def *d = NULL;
        if (a->value->kind == RG_E_NAME)
            d = rgc_find_def(pk, a->value->name);
        if (!d || d->per_item) {
            char name[128];
            snprintf(name, sizeof name, "result.%s", (char *)a->path.v[0]);
            rg_decl *syn = rg_arena_alloc(&pk->arena, sizeof *syn);
            syn->kind = RG_D_DEF;
            syn->loc = a->loc;
            syn->name_loc = a->loc;
            syn->name = rg_arena_strndup(&pk->arena, name, strlen(name));
            syn->value = a->value;
            d = new_def(pk, syn, 0);
            d->hidden = 1;
            a->value->sema = d;
        } else {
            a->value->sema = d;
        }
    }
}

/* ---- the whole compilation ---- */

static int process(rgc_pack *pk)
{
    rg_program *p = pk->prog;
    p->list_field = RG_NO_INDEX;
    p->entry.select_policy = p->entry.asof = p->entry.update = RG_NO_INDEX;
    p->entry.outcome_def = RG_NO_INDEX;
    if (build_policies(pk) != 0)
        return -1;
    rgc_policy *root = pk->root;
    /* types first, so that records may be declared after their use */
    for (uint32_t i = 0; i < root->ast->decls.n; i++) {
        rg_decl *d = root->ast->decls.v[i];
        if (d->kind == RG_D_ENUM)
            add_enum(pk, d);
        else if (d->kind == RG_D_RECORD)
            rg_vec_push(&pk->records, d);
    }
    for (uint32_t i = 0; i < pk->policies.n; i++) {
        rgc_policy *pol = pk->policies.v[i];
        for (uint32_t k = 0; k < pol->ast->decls.n; k++) {
            rg_decl *d = pol->ast->decls.v[k];
            switch (d->kind) {
            case RG_D_ENUM:
            case RG_D_RECORD:
                root_only(pk, pol, d, d->kind == RG_D_ENUM ? "an enumeration" : "a record");
                break;
            case RG_D_CLAIM:
                if (root_only(pk, pol, d, "the claim")) {
                    if (pk->claim)
                        rgc_error(pk, d->loc, NULL, "the claim is declared twice");
                    pk->claim = d;
                }
                break;
            case RG_D_SELECT:
                if (root_only(pk, pol, d, "`select policy`"))
                    pk->select = d;
                break;
            case RG_D_RESULT:
                if (root_only(pk, pol, d, "the result"))
                    pk->result = d;
                break;
            case RG_D_UPDATE:
                if (root_only(pk, pol, d, "a ledger update"))
                    rg_vec_push(&pk->updates, d);
                break;
            case RG_D_SAMPLE:
                if (root_only(pk, pol, d, "the sample claim"))
                    pk->sample = d;
                break;
            case RG_D_TEST: {
                rgc_test *t = rg_arena_alloc(&pk->arena, sizeof *t);
                t->decl = d;
                t->policy = pol;
                rg_vec_push(&pk->tests, t);
                break;
            }
            case RG_D_CATALOG:
                if (pol == root) {
                    if (d->members.n == 0)
                        rgc_error(pk, d->loc, "list the columns: catalog NAME \"file.csv\" { key code: string … }",
                                  "the base policy's catalog declares its columns");
                    else
                        rg_vec_push(&pk->catalog_decls, d);
                } else if (d->members.n) {
                    rgc_error(pk, d->loc, "a child names the catalog and its file only",
                              "the columns of catalog '%s' are declared by the base policy", d->name);
                }
                rg_vec_push(&pol->catalogs, d);
                break;
            case RG_D_LEDGER:
                break;
            case RG_D_BRACKETS:
                if (root_only(pk, pol, d, "brackets"))
                    add_brackets(pk, d);
                break;
            case RG_D_EXTERN:
                if (root_only(pk, pol, d, "a host function"))
                    add_extern(pk, d);
                break;
            case RG_D_VERSION: {
                rgc_version *v = rg_arena_alloc(&pk->arena, sizeof *v);
                v->decl = d;
                v->policy = pol;
                v->index = pk->versions.n;
                v->until = RG_NONE;
                if (d->from->kind != RG_E_DATE)
                    rgc_error(pk, d->from->loc, "write `version NAME from 2024-01-01 until 2024-12-31`",
                              "a version starts at a date");
                else
                    v->from = d->from->ival;
                if (d->until) {
                    if (d->until->kind != RG_E_DATE)
                        rgc_error(pk, d->until->loc, NULL, "a version ends at a date");
                    else if (d->until->ival < v->from)
                        rgc_error(pk, d->until->loc, NULL, "version '%s' ends before it starts", d->name);
                    else
                        v->until = d->until->ival;
                }
                for (uint32_t j = 0; j < pol->versions.n; j++) {
                    rgc_version *o = pol->versions.v[j];
                    int64_t ou = o->until == RG_NONE ? INT64_MAX : o->until, vu = v->until == RG_NONE ? INT64_MAX : v->until;
                    if (v->from <= ou && o->from <= vu)
                        rgc_error(pk, d->loc, "versions of one policy must not overlap in time",
                                  "version '%s' overlaps version '%s' of %s", d->name, o->decl->name, pol->name);
                }
                rg_vec_push(&pol->versions, v);
                rg_vec_push(&pk->versions, v);
                break;
            }
            default:
                break;
            }
        }
    }
    if (!pk->claim) {
        rgc_error(pk, root->ast->policy_loc, "declare `claim { … }` in the base policy",
                  "the base policy does not declare the claim");
        return -1;
    }
    flatten(pk, &pk->claim->members, -1, "", 0, 0);
    for (uint32_t k = 0; k < root->ast->decls.n; k++) {
        rg_decl *d = root->ast->decls.v[k];
        if (d->kind == RG_D_LEDGER)
            add_ledger(pk, d);
    }
    for (uint32_t i = 0; i < pk->policies.n; i++) {
        rgc_policy *pol = pk->policies.v[i];
        for (uint32_t k = 0; k < pol->ast->decls.n; k++) {
            rg_decl *d = pol->ast->decls.v[k];
            if (d->kind == RG_D_LEDGER && pol != root)
                root_only(pk, pol, d, "a ledger");
        }
    }
    /* definitions: the root's create the slots; then every policy's bodies */
    create_root_defs(pk, &root->ast->decls, 0);
    result_defs(pk);
    grow_impl_arrays(pk);
    for (uint32_t i = 0; i < pk->defs.n; i++) {
        rgc_def *d = pk->defs.v[i];
        rgc_impl *im = rg_arena_alloc(&pk->arena, sizeof *im);
        im->decl = d->root;
        im->def = d;
        im->policy = root;
        root->impl[d->slot] = im;
        rg_vec_push(&pk->impls, im);
    }
    for (uint32_t i = 1; i < pk->policies.n; i++) {
        rgc_policy *pol = pk->policies.v[i];
        collect_defs(pk, pol, NULL, &pol->ast->decls, 0);
    }
    for (uint32_t i = 0; i < pk->policies.n; i++) {
        rgc_policy *pol = pk->policies.v[i];
        for (uint32_t k = 0; k < pol->versions.n; k++) {
            rgc_version *v = pol->versions.v[k];
            collect_defs(pk, pol, v, &v->decl->decls, 0);
        }
    }
    table_rows(pk);
    if (pk->diag->n_errors || rgc_load_catalogs(pk) != 0)
        return -1;
    /* check pass */
    for (uint32_t i = 0; i < pk->defs.n; i++)
        rgc_def_type(pk, pk->defs.v[i]);
    for (uint32_t i = 0; i < pk->impls.n; i++)
        check_impl(pk, pk->impls.v[i]);
    for (uint32_t i = 0; i < pk->impls.n; i++) {
        rgc_impl *im = pk->impls.v[i];
        if (im->def->kind == RG_DEF_TABLE)
            rgc_check_table(pk, im);
    }
    pk->dry = 1;
    pk->count_reads = 1;
    entries(pk);
    pk->count_reads = 0;
    pk->dry = 0;
    /* outputs are computed by a call (rg_vm_eval_outputs): expr.c inlines no read of them */
    if (pk->result)
        for (uint32_t i = 0; i < pk->result->assigns.n; i++) {
            rgc_def *d = ((rg_assign *)pk->result->assigns.v[i])->value->sema;
            if (d)
                d->output = 1;
        }
    check_cycles(pk);
    if (pk->diag->n_errors)
        return -1;
    pk->quiet = 1;
    emit_all(pk);
    pk->quiet = 0;
    return pk->diag->n_errors ? -1 : 0;
}

static int decl_replaces(const rg_decl *old, const rg_decl *nw)
{
    int defl = old->kind == RG_D_PARAM || old->kind == RG_D_DEF || old->kind == RG_D_TABLE || old->kind == RG_D_DECIDE;
    int defn = nw->kind == RG_D_PARAM || nw->kind == RG_D_DEF || nw->kind == RG_D_TABLE || nw->kind == RG_D_DECIDE;
    if (defl && defn)
        return strcmp(old->name, nw->name) == 0;
    return old->kind == nw->kind && old->name && nw->name && strcmp(old->name, nw->name) == 0 &&
           (old->kind == RG_D_TEST || old->kind == RG_D_VERSION);
}

static void drop_named(rg_vec *decls, const rg_decl *nw)
{
    uint32_t w = 0;
    for (uint32_t i = 0; i < decls->n; i++) {
        rg_decl *d = decls->v[i];
        if (d->kind == RG_D_VERSION || d->kind == RG_D_EACH)
            drop_named(&d->decls, nw);
        if (!decl_replaces(d, nw))
            decls->v[w++] = d;
    }
    decls->n = w;
}

static int merge_extras(rgc_pack *pk, const rgc_extra *extras, uint32_t n)
{
    int rc = 0;
    for (uint32_t i = 0; i < n; i++) {
        rg_file *target = NULL;
        for (uint32_t k = 0; k < pk->files.n; k++)
            if (strcmp(((rg_file *)pk->files.v[k])->policy, extras[i].policy) == 0)
                target = pk->files.v[k];
        if (!target) {
            rg_report_plain(pk->diag, RG_SEV_ERROR, "no policy '%s' in this pack", extras[i].policy);
            rc = -1;
            continue;
        }
        size_t len = strlen(extras[i].policy) + strlen(extras[i].text) + 16;
        char *src = malloc(len);
        snprintf(src, len, "policy %s\n%s\n", extras[i].policy, extras[i].text);
        uint32_t f = rg_diag_add_source(pk->diag, extras[i].name, src, strlen(src));
        free(src);
        rg_file *ast = rg_parse_file(&pk->arena, pk->diag, f);
        if (!ast) {
            rc = -1;
            continue;
        }
        for (uint32_t k = 0; k < ast->decls.n; k++) {
            rg_decl *d = ast->decls.v[k];
            if (d->kind == RG_D_EACH) /* per-item definitions replace theirs one by one */
                for (uint32_t e = 0; e < d->decls.n; e++)
                    drop_named(&target->decls, d->decls.v[e]);
            else
                drop_named(&target->decls, d);
            rg_vec_push(&target->decls, d);
        }
    }
    return rc;
}

rgc_pack *rgc_compile(const char *path, rg_diag *diag)
{
    return rgc_compile_ex(path, diag, NULL, 0);
}

rgc_pack *rgc_compile_ex(const char *path, rg_diag *diag, const rgc_extra *extras, uint32_t n_extras)
{
    rgc_pack *pk = calloc(1, sizeof *pk);
    pk->diag = diag;
    pk->prog = calloc(1, sizeof *pk->prog);
    pk->prog->owns_arrays = 1;
    uint64_t hash = 0;
    unsigned before = diag->n_errors;
    int rc = load_sources(pk, path, &hash);
    if (rc == 0 && n_extras)
        rc = merge_extras(pk, extras, n_extras);
    if (rc == 0 && pk->files.n)
        rc = process(pk);
    pk->prog->source_hash = hash;
    if (rc != 0 || diag->n_errors > before || rg_program_finish(pk->prog) != 0) {
        rgc_pack_free(pk);
        return NULL;
    }
    return pk;
}

void rgc_pack_free(rgc_pack *pk)
{
    if (!pk)
        return;
    if (pk->prog)
        rg_program_free(pk->prog);
    for (uint32_t i = 0; i < pk->impls.n; i++) {
        rgc_impl *im = pk->impls.v[i];
        rg_vec_free(&im->rows);
        rg_vec_free(&im->deps);
    }
    for (uint32_t i = 0; i < pk->policies.n; i++) {
        rgc_policy *p = pk->policies.v[i];
        rg_vec_free(&p->versions);
        rg_vec_free(&p->catalogs);
    }
    rg_vec *vecs[] = {&pk->files, &pk->policies, &pk->defs, &pk->impls, &pk->versions, &pk->tests,
                      &pk->records, &pk->catalog_decls, &pk->ledger_decls, &pk->bracket_decls, &pk->updates};
    for (size_t i = 0; i < sizeof vecs / sizeof vecs[0]; i++)
        rg_vec_free(vecs[i]);
    rg_vec_free(&pk->update_reads.deps);
    free(pk->str_hash);
    rg_arena_free(&pk->arena);
    free(pk);
}

const rg_program *rgc_pack_program(const rgc_pack *pk)
{
    return pk->prog;
}

rg_program *rgc_pack_take_program(rgc_pack *pk)
{
    rg_program *p = pk->prog;
    pk->prog = NULL;
    return p;
}

uint32_t rgc_pack_n_tests(const rgc_pack *pk)
{
    return pk->tests.n;
}

const rgc_test *rgc_pack_test(const rgc_pack *pk, uint32_t i)
{
    return pk->tests.v[i];
}

const rg_decl *rgc_pack_sample(const rgc_pack *pk)
{
    return pk->sample;
}

rg_diag *rgc_pack_diag(rgc_pack *pk)
{
    return pk->diag;
}

int rgc_const_eval(rgc_pack *pk, const rg_expr *e, const rgc_ty *expected, rg_value *v, rgc_ty *ty)
{
    return rgc_const_expr(pk, (rg_expr *)e, expected, v, ty, 1);
}

uint32_t rgc_def_slot(const rgc_pack *pk, const char *name)
{
    rgc_def *d = rgc_find_def((rgc_pack *)pk, name);
    return d ? d->slot : RG_NO_INDEX;
}

uint32_t rgc_schema_field(const rgc_pack *pk, const char *path)
{
    const rg_program *p = pk->prog;
    for (uint32_t i = 0; i < p->n_fields; i++)
        if (strcmp(p->blob + p->strings[p->fields[i].path].offset, path) == 0)
            return i;
    return RG_NO_INDEX;
}
