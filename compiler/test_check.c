/* test_check.c — the `test` blocks and the sample claim checked with the pack:
 * every name a `given` or an `expect` writes is a claim field, a ledger field,
 * a definition or a result field, and every value is of its type. Must not
 * run a test: `regula test` (cli/cmd_test.c) does, on the checked pack. */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "builder.h"
#include "i18n.h"

/* "¥100", "60%", …: a value of that type, for a hint. */
static const char *example_of(const rgc_ty *t)
{
    if (t->k != RGC_K_SCALAR)
        return NULL;
    switch (t->scalar) {
    case RG_T_MONEY: return _("money is written with its unit: ¥245 or 245.00 CNY");
    case RG_T_PERCENT: return _("a percentage is written with %: 65%");
    case RG_T_INT: return _("write a whole number: 3");
    case RG_T_BOOL: return _("write true or false");
    case RG_T_DATE: return _("write a date: 2024-03-01");
    case RG_T_DURATION: return _("write a duration: 30 days");
    case RG_T_STRING: return _("write a string in double quotes: \"D0001\"");
    case RG_T_REGION: return _("write the name of a policy of the pack");
    default: return NULL;
    }
}

/* Type t's name in buf (96 bytes). */
static const char *type_text(rgc_pack *pk, const rgc_ty *t, char *buf)
{
    rgc_ty_name(pk, t, buf, 96);
    return buf;
}

/* Value e for something (WHAT, e.g. "'ratio'") of type want: reports what is
 * wrong with it. */
static void check_value(rgc_pack *pk, rg_expr *e, const rgc_ty *want, const char *what)
{
    char wn[96], gn[96]; /* the types' names, made only for a message */
    if (want->k != RGC_K_SCALAR)
        return;
    if (e->kind == RG_E_NONE && !(want->scalar == RG_T_ENUM && rgc_enum_member(pk, want->aux, "none") >= 0)) {
        if (!want->optional)
            rgc_error(pk, e->loc, _("write a value, or make it optional (TYPE?) where it is declared"),
                      _("%s is %s, never none"), what, type_text(pk, want, wn));
        return;
    }
    if (want->scalar == RG_T_STRING) {
        if (e->kind != RG_E_STRING)
            rgc_error(pk, e->loc, example_of(want), _("%s is a string, this is not"), what);
        return;
    }
    if (e->kind == RG_E_STRING) {
        rgc_error(pk, e->loc, example_of(want), _("%s is %s, not a string"), what, type_text(pk, want, wn));
        return;
    }
    if (e->kind == RG_E_NAME && want->scalar == RG_T_ENUM && rgc_enum_member(pk, want->aux, e->name) < 0 &&
        rgc_policy_index(pk, e->name) < 0) {
        if (!pk->from_dir) /* one file of a pack: the members its regions add are not here */
            return;
        const rg_enum *en = &pk->prog->enums[want->aux];
        const char *cands[256];
        uint32_t n = 0;
        for (uint32_t m = 0; m < en->n_members && n < 256; m++)
            cands[n++] = rgc_str_text(pk, pk->prog->member_names[en->first_member + m]);
        const char *best = rgc_closest(e->name, cands, n);
        char hint[160];
        snprintf(hint, sizeof hint, _("did you mean '%s'?"), best ? best : "");
        rgc_error(pk, e->loc, best ? hint : NULL, _("%s is %s, and '%s' is no member of it"), what,
                  type_text(pk, want, wn), e->name);
        return;
    }
    if (e->kind == RG_E_NAME && want->scalar == RG_T_REGION && rgc_policy_index(pk, e->name) < 0) {
        if (!pk->from_dir) /* one file of a pack: the other policies are not here */
            return;
        const char *cands[256];
        uint32_t n = 0;
        for (uint32_t i = 0; i < pk->policies.n && n < 256; i++)
            cands[n++] = ((rgc_policy *)pk->policies.v[i])->name;
        const char *best = rgc_closest(e->name, cands, n);
        char hint[160];
        snprintf(hint, sizeof hint, _("did you mean '%s'?"), best ? best : "");
        rgc_error(pk, e->loc, best ? hint : _("a region is the name of a policy of the pack"),
                  _("%s is a region, and the pack has no policy '%s'"), what, e->name);
        return;
    }
    rg_value v;
    rgc_ty got;
    if (rgc_const_expr(pk, e, want, &v, &got, 1) != 0)
        return;
    if (got.k != RGC_K_SCALAR || !rgc_ty_same(&got, want)) {
        rgc_ty_name(pk, &got, gn, sizeof gn);
        rgc_error(pk, e->loc, example_of(want), _("%s is %s, this value is %s"), what, type_text(pk, want, wn), gn);
        return;
    }
    if (want->has_range && (v < want->lo || v > want->hi)) {
        char hint[160];
        snprintf(hint, sizeof hint, _("give a value from %lld to %lld"), (long long)want->lo, (long long)want->hi);
        rgc_error(pk, e->loc, hint, _("%s is %s, and %lld is outside that range"), what, type_text(pk, want, wn),
                  (long long)v);
    }
}

/* ---- given claim { … } and the sample claim ---- */

/* Where segment k of a's path is written (the path's first written segment
 * is `first`: a ledger's name comes from `given NAME`); a's place when the
 * text is not the plain dotted path. */
static rg_loc segment_loc(rgc_pack *pk, const rg_assign *a, uint32_t first, uint32_t k)
{
    const rg_source *s = rg_diag_source(pk->diag, a->loc.file);
    uint32_t at = a->loc.start;
    for (uint32_t i = first; i <= k && i < a->path.n; i++) {
        const char *seg = a->path.v[i];
        size_t n = strlen(seg);
        if (at + n > a->loc.end || memcmp(s->text + at, seg, n) != 0)
            return a->loc;
        if (i == k)
            return (rg_loc){a->loc.file, at, at + (uint32_t)n};
        at += (uint32_t)n;
        if (at >= a->loc.end || s->text[at] != '.')
            return a->loc;
        at++;
    }
    return a->loc;
}

static void field_value(rgc_pack *pk, uint32_t f, rg_expr *e);

/* The names of the fields under parent (a record or a list's element), for "did you mean". */
static const char *closest_field(rgc_pack *pk, int32_t parent, const char *name)
{
    const rg_program *p = pk->prog;
    const char **cands = malloc((p->n_fields + 1) * sizeof *cands);
    uint32_t n = 0;
    for (uint32_t i = 0; cands && i < p->n_fields; i++)
        if (p->fields[i].parent == parent && *rgc_str_text(pk, p->fields[i].key))
            cands[n++] = rgc_str_text(pk, p->fields[i].key);
    const char *best = cands ? rgc_closest(name, cands, n) : NULL;
    free(cands);
    return best;
}

static void unknown_field(rgc_pack *pk, rg_loc loc, int32_t parent, const char *name)
{
    const char *best = closest_field(pk, parent, name);
    char hint[200];
    snprintf(hint, sizeof hint, _("did you mean '%s'?"), best ? best : "");
    if (parent < 0)
        rgc_error(pk, loc, best ? hint : _("a claim field is one the `claim { … }` declaration names"),
                  _("the claim has no field '%s'"), name);
    else
        rgc_error(pk, loc, best ? hint : NULL, _("%s has no field '%s'"),
                  rgc_str_text(pk, pk->prog->fields[parent].path), name);
}

/* {key: value, …} for the record (or list element) whose fields are under parent. */
static void record_value(rgc_pack *pk, int32_t parent, rg_expr *e)
{
    if (e->kind != RG_E_RECORD) {
        if (e->kind != RG_E_NONE)
            rgc_error(pk, e->loc, _("write {field: value, …}"), _("%s is a record"),
                      rgc_str_text(pk, pk->prog->fields[parent].path));
        return;
    }
    for (uint32_t i = 0; i < e->keys.n; i++) {
        const char *key = e->keys.v[i];
        uint32_t f = rgc_child_field(pk, parent, key);
        rg_expr *v = e->args.v[i];
        if (f == RG_NO_INDEX)
            unknown_field(pk, v->loc, parent, key);
        else
            field_value(pk, f, v);
    }
}

static void field_value(rgc_pack *pk, uint32_t f, rg_expr *e)
{
    const rg_field *fd = &pk->prog->fields[f];
    rg_type_kind k = RG_TYPE_KIND(fd->type);
    char what[300];
    snprintf(what, sizeof what, _("claim field '%s'"), rgc_str_text(pk, fd->path));
    if (k == RG_T_RECORD) {
        record_value(pk, (int32_t)f, e);
        return;
    }
    if (k == RG_T_LIST) {
        if (e->kind == RG_E_NONE)
            return;
        if (e->kind != RG_E_LIST) {
            rgc_error(pk, e->loc, _("write [ … ]"), _("%s is a list"), what);
            return;
        }
        uint32_t elem = f + 1 < pk->prog->n_fields && pk->prog->fields[f + 1].parent == (int32_t)f &&
                                *rgc_str_text(pk, pk->prog->fields[f + 1].key) == '\0'
                            ? f + 1 : RG_NO_INDEX;
        for (uint32_t i = 0; i < e->args.n; i++) {
            if (elem != RG_NO_INDEX)
                field_value(pk, elem, e->args.v[i]);
            else
                record_value(pk, (int32_t)f, e->args.v[i]);
        }
        return;
    }
    rgc_ty want = rgc_ty_from_packed(fd->type);
    want.optional = fd->optional;
    if (fd->has_range) {
        want.has_range = 1;
        want.lo = fd->lo;
        want.hi = fd->hi;
    }
    check_value(pk, e, &want, what);
}

static void claim_assigns(rgc_pack *pk, const rg_vec *assigns)
{
    for (uint32_t i = 0; i < assigns->n; i++) {
        rg_assign *a = assigns->v[i];
        int32_t parent = -1;
        uint32_t f = RG_NO_INDEX;
        for (uint32_t k = 0; k < a->path.n; k++) {
            f = rgc_child_field(pk, parent, a->path.v[k]);
            if (f == RG_NO_INDEX) {
                unknown_field(pk, segment_loc(pk, a, 0, k), parent, a->path.v[k]);
                break;
            }
            if (k + 1 < a->path.n && RG_TYPE_KIND(pk->prog->fields[f].type) != RG_T_RECORD) {
                rgc_error(pk, a->loc, NULL, _("claim field '%s' is no record: it has no field '%s'"),
                          rgc_str_text(pk, pk->prog->fields[f].path), (const char *)a->path.v[k + 1]);
                f = RG_NO_INDEX;
                break;
            }
            parent = (int32_t)f;
        }
        if (f != RG_NO_INDEX)
            field_value(pk, f, a->value);
    }
}

/* ---- given LEDGER { … } ---- */

static void ledger_assigns(rgc_pack *pk, const rg_vec *assigns)
{
    const rg_program *p = pk->prog;
    const rg_assign *told = NULL; /* the last one whose ledger is unknown: one error for its block */
    for (uint32_t i = 0; i < assigns->n; i++) {
        rg_assign *a = assigns->v[i];
        const char *scope = a->path.v[0];
        uint32_t s = RG_NO_INDEX;
        for (uint32_t k = 0; k < p->n_ledger_scopes; k++)
            if (strcmp(rgc_str_text(pk, p->ledger_scopes[k].name), scope) == 0)
                s = k;
        if (s == RG_NO_INDEX) {
            int same_block = told && told->scope_loc.end && told->scope_loc.file == a->scope_loc.file &&
                             told->scope_loc.start == a->scope_loc.start;
            told = a;
            if (same_block)
                continue;
            const char *cands[64];
            uint32_t n = 0;
            for (uint32_t k = 0; k < p->n_ledger_scopes && n < 64; k++)
                cands[n++] = rgc_str_text(pk, p->ledger_scopes[k].name);
            const char *best = rgc_closest(scope, cands, n);
            char hint[160];
            snprintf(hint, sizeof hint, _("did you mean '%s'?"), best ? best : "");
            rgc_error(pk, a->scope_loc.end ? a->scope_loc : a->loc,
                      best ? hint : _("`given NAME { … }` sets the fields of a ledger, or of the claim with `given "
                                      "claim { … }`"),
                      _("there is no ledger '%s'"), scope);
            continue;
        }
        const char *field = a->path.n == 2 ? a->path.v[1] : NULL;
        uint32_t f = field ? rgc_ledger_field(pk, scope, field) : RG_NO_INDEX;
        if (f == RG_NO_INDEX) {
            const rg_ledger_scope *ls = &p->ledger_scopes[s];
            const char *cands[64];
            uint32_t n = 0;
            for (uint32_t k = 0; k < ls->n_fields && n < 64; k++)
                cands[n++] = rgc_str_text(pk, p->ledger_fields[ls->first_field + k].name);
            const char *best = field ? rgc_closest(field, cands, n) : NULL;
            char hint[160];
            snprintf(hint, sizeof hint, _("did you mean '%s'?"), best ? best : "");
            rgc_error(pk, segment_loc(pk, a, 1, 1), best ? hint : NULL, _("ledger '%s' has no field '%s'"), scope,
                      field ? field : (const char *)a->path.v[a->path.n - 1]);
            continue;
        }
        rgc_ty want = rgc_ty_from_packed(p->ledger_fields[f].type);
        char what[200];
        snprintf(what, sizeof what, _("ledger field '%s.%s'"), scope, field);
        check_value(pk, a->value, &want, what);
    }
}

/* ---- expect { … } ---- */

typedef struct {
    const char **v;
    uint32_t n;
} names;

/* a's path as written: visit.date */
static void path_text(const rg_assign *a, char *buf, size_t cap)
{
    rg_sb b;
    rg_sb_fixed(&b, buf, cap);
    for (uint32_t k = 0; k < a->path.n; k++)
        rg_sb_printf(&b, "%s%s", k ? "." : "", (const char *)a->path.v[k]);
}

static void expects(rgc_pack *pk, const rgc_test *t)
{
    const rg_vec *ex = &t->decl->expects;
    for (uint32_t i = 0; i < ex->n; i++) {
        rg_assign *a = ex->v[i];
        const char *name = a->path.v[0];
        if (a->path.n == 1 && strcmp(name, "error") == 0) {
            if (a->value->kind != RG_E_STRING)
                rgc_error(pk, a->value->loc, _("write the error line's message: expect { error = \"…\" }"),
                          _("the error a test expects is a string"));
            continue;
        }
        rgc_def *d = a->path.n == 1 ? rgc_find_def_in(pk, name, t->policy) : NULL;
        if (!d && a->path.n == 1) {
            char hidden[160];
            snprintf(hidden, sizeof hidden, "result.%s", name);
            d = rgc_find_def_in(pk, hidden, t->policy);
        }
        if (!d) {
            names c = {malloc((pk->defs.n + 1) * sizeof(char *)), 0};
            for (uint32_t k = 0; c.v && k < pk->defs.n; k++) {
                rgc_def *x = pk->defs.v[k];
                const char *n = strncmp(x->name, "result.", 7) == 0 ? x->name + 7 : x->name;
                if (!x->per_item && rgc_find_def_in(pk, x->name, t->policy))
                    c.v[c.n++] = n;
            }
            char full[200];
            path_text(a, full, sizeof full);
            const char *best = c.v ? rgc_closest(full, c.v, c.n) : NULL;
            char hint[200];
            snprintf(hint, sizeof hint, _("did you mean '%s'?"), best ? best : "");
            rgc_error(pk, segment_loc(pk, a, 0, 0), best ? hint : _("expect names a definition or a result field"),
                      _("test '%s' expects '%s', which %s does not define"), t->decl->name, full, t->policy->name);
            free(c.v);
            continue;
        }
        if (d->per_item) {
            rgc_error(pk, a->loc, _("expect a definition of the claim, or a sum of this one over the list"),
                      _("'%s' is computed for each element of a list: a test cannot expect one value of it"), name);
            continue;
        }
        rgc_ty want = rgc_def_type(pk, d);
        if (want.k == RGC_K_ERROR)
            continue;
        char what[200];
        snprintf(what, sizeof what, "'%s'", name);
        check_value(pk, a->value, &want, what);
    }
}

/* A name given twice in one list of assignments: the second would hide the
 * first. msg has one %s, the name. */
static void twice(rgc_pack *pk, const rg_vec *as, const char *msg)
{
    for (uint32_t i = 0; i < as->n; i++) {
        const rg_assign *a = as->v[i];
        for (uint32_t k = 0; k < i; k++) {
            const rg_assign *o = as->v[k];
            uint32_t j = 0;
            while (j < a->path.n && j < o->path.n && strcmp(a->path.v[j], o->path.v[j]) == 0)
                j++;
            if (j < a->path.n || j < o->path.n)
                continue;
            char full[200];
            path_text(a, full, sizeof full);
            rgc_error_related(pk, a->loc, _("keep one of them: the later would hide the first"), o->loc,
                              _("first written here"), msg, full);
            break;
        }
    }
}

/* ---- the claim a test settles has every field it must ---- */

/* What a claim's assignments leave written: a dotted path ("person.id") and
 * its value, a record's fields each under its own path beside the record's. */
typedef struct {
    struct given {
        char *path;
        const rg_expr *e;
    } *v;
    uint32_t n, cap;
} givens;

static int path_under(const char *path, const char *top)
{
    size_t n = strlen(top);
    return strncmp(path, top, n) == 0 && path[n] == '.';
}

static void givens_put(givens *g, const char *path, const rg_expr *e)
{
    /* the value replaces what was under it, and a none written above it (the claim's objects are made on the way) */
    uint32_t k = 0;
    for (uint32_t i = 0; i < g->n; i++) {
        struct given x = g->v[i];
        if (strcmp(x.path, path) == 0 || path_under(x.path, path) || (path_under(path, x.path) && x.e->kind == RG_E_NONE))
            free(x.path);
        else
            g->v[k++] = x;
    }
    g->n = k;
    if (g->n == g->cap) {
        uint32_t cap = g->cap ? 2 * g->cap : 32;
        struct given *v = realloc(g->v, cap * sizeof *v);
        if (!v)
            return;
        g->v = v;
        g->cap = cap;
    }
    char *copy = strdup(path);
    if (!copy)
        return;
    g->v[g->n++] = (struct given){copy, e};
    if (e->kind != RG_E_RECORD)
        return;
    for (uint32_t i = 0; i < e->keys.n; i++) {
        char sub[512];
        snprintf(sub, sizeof sub, "%s%s%s", path, *path ? "." : "", (const char *)e->keys.v[i]);
        givens_put(g, sub, e->args.v[i]);
    }
}

static void givens_apply(givens *g, const rg_vec *assigns)
{
    for (uint32_t i = 0; i < assigns->n; i++) {
        const rg_assign *a = assigns->v[i];
        char path[512];
        path_text(a, path, sizeof path);
        givens_put(g, path, a->value);
    }
}

static void givens_free(givens *g)
{
    for (uint32_t i = 0; i < g->n; i++)
        free(g->v[i].path);
    free(g->v);
    *g = (givens){0};
}

/* The value written at path; NULL when nothing is (none counts as written). */
static const rg_expr *given_at(const givens *g, const char *path)
{
    for (uint32_t i = 0; i < g->n; i++)
        if (strcmp(g->v[i].path, path) == 0)
            return g->v[i].e;
    return NULL;
}

static int given_under(const givens *g, const char *path)
{
    for (uint32_t i = 0; i < g->n; i++)
        if (path_under(g->v[i].path, path))
            return 1;
    return 0;
}

/* What a claim lacks: a field it must have (or a list that must have an element), as the binder would say it. */
typedef struct {
    char path[8][256];
    uint8_t empty[8]; /* a list without the element it must have */
    uint32_t n;
} lacking;

static void lack(lacking *l, const char *path, int empty)
{
    if (l->n < 8) {
        snprintf(l->path[l->n], sizeof l->path[0], "%s", path);
        l->empty[l->n++] = (uint8_t)empty;
    }
}

/* Field f's value as the binder would hold it, for a condition; 0 when it is not a constant here. */
static int given_value(rgc_pack *pk, const givens *g, uint32_t f, const char *path, rg_value *v)
{
    const rg_field *fd = &pk->prog->fields[f];
    const rg_expr *e = given_at(g, path);
    if (!e || e->kind == RG_E_NONE) {
        *v = fd->has_default ? fd->default_value : RG_NONE;
        return 1;
    }
    rgc_ty want = rgc_ty_from_packed(fd->type), got;
    want.optional = 1;
    return rgc_const_expr(pk, (rg_expr *)e, &want, v, &got, 0) == 0;
}

/* The fields under parent (a record, or a list's element) that the claim
 * written in g lacks, with the binder's rules: a field is required unless
 * optional or defaulted, a conditional one while its condition holds. Paths
 * are written after prefix ("person.", "items[1]."). */
static void lacks(rgc_pack *pk, const givens *g, int32_t parent, const char *prefix, const char *shown,
                  lacking *l)
{
    const rg_program *p = pk->prog;
    for (uint32_t j = (uint32_t)(parent + 1); j < p->n_fields; j++) {
        const rg_field *fd = &p->fields[j];
        if (fd->parent != parent)
            continue;
        const char *key = rgc_str_text(pk, fd->key);
        char path[256], seen[256];
        snprintf(path, sizeof path, "%s%s", prefix, key);
        snprintf(seen, sizeof seen, "%s%s", shown, key);
        rg_type_kind k = RG_TYPE_KIND(fd->type);
        const rg_expr *e = given_at(g, path);
        int present = (e && e->kind != RG_E_NONE) || (k == RG_T_RECORD && given_under(g, path));
        rg_value cv = RG_NONE;
        if (fd->cond_op) {
            char cpath[256];
            if (fd->cond_field < 0)
                continue;
            snprintf(cpath, sizeof cpath, "%s%s", prefix, rgc_str_text(pk, p->fields[fd->cond_field].key));
            if (!given_value(pk, g, (uint32_t)fd->cond_field, cpath, &cv))
                continue; /* not a constant here: `regula test` decides */
        }
        rg_field_need need = rg_field_need_of(fd, cv);
        if (need == RG_FIELD_IGNORED)
            continue;
        if (!present) {
            if (need == RG_FIELD_REQUIRED)
                lack(l, seen, 0);
            continue;
        }
        if (k == RG_T_RECORD) {
            char sub[300], subshown[300];
            snprintf(sub, sizeof sub, "%s.", path);
            snprintf(subshown, sizeof subshown, "%s.", seen);
            lacks(pk, g, (int32_t)j, sub, subshown, l);
        } else if (k == RG_T_LIST && e && e->kind == RG_E_LIST) {
            if (fd->nonempty && e->args.n == 0)
                lack(l, seen, 1);
            for (uint32_t i = 0; i < e->args.n; i++) {
                const rg_expr *el = e->args.v[i];
                if (el->kind != RG_E_RECORD)
                    continue; /* a plain list's value, or an error check_value tells */
                givens eg = {0};
                givens_put(&eg, "", el);
                char elshown[300];
                snprintf(elshown, sizeof elshown, "%s[%u].", seen, (unsigned)i);
                lacks(pk, &eg, (int32_t)j, "", elshown, l);
                givens_free(&eg);
            }
        }
    }
}

/* Whether the test's changes leave the claim lacking what the sample lacks
 * and nothing else, seen without walking the claim: each writes a value (not
 * none) to a field that is no record or list, that no condition reads, and
 * whose records the sample has (a record made by a test's field has fields
 * of its own to give). */
static int changes_nothing_required(rgc_pack *pk, const givens *sample, const rgc_test *t, const uint8_t *cond_read)
{
    for (uint32_t i = 0; i < t->decl->assigns.n; i++) {
        const rg_assign *a = t->decl->assigns.v[i];
        if (a->value->kind == RG_E_NONE || a->value->kind == RG_E_RECORD || a->value->kind == RG_E_LIST)
            return 0;
        int32_t parent = -1;
        uint32_t f = RG_NO_INDEX;
        char path[512] = "";
        size_t n = 0;
        for (uint32_t k = 0; k < a->path.n; k++) {
            if (k > 0) { /* the record written so far: the sample has it */
                const rg_expr *was = given_at(sample, path);
                if (!(was && was->kind != RG_E_NONE) && !given_under(sample, path))
                    return 0;
            }
            if ((f = rgc_child_field(pk, parent, a->path.v[k])) == RG_NO_INDEX)
                return 0;
            size_t len = strlen(a->path.v[k]);
            if (n + len + 2 > sizeof path)
                return 0;
            if (k)
                path[n++] = '.';
            memcpy(path + n, a->path.v[k], len + 1);
            n += len;
            parent = (int32_t)f;
        }
        rg_type_kind kind = RG_TYPE_KIND(pk->prog->fields[f].type);
        if (kind == RG_T_RECORD || kind == RG_T_LIST || cond_read[f])
            return 0;
    }
    return 1;
}

static int expects_error(const rgc_test *t)
{
    for (uint32_t i = 0; i < t->decl->expects.n; i++) {
        const rg_assign *a = t->decl->expects.v[i];
        if (a->path.n == 1 && strcmp(a->path.v[0], "error") == 0)
            return 1;
    }
    return 0;
}

/* Each test that expects values settles the sample claim with its changes:
 * that claim must have every field a claim must (`regula test` would find it
 * an error line). What the sample lacks is told once, at the sample; what a
 * test's changes take away or make required, at the test. */
static void tests_claims_complete(rgc_pack *pk)
{
    const rg_program *p = pk->prog;
    givens sample = {0};
    lacking by_sample = {0};
    uint8_t told[8] = {0};
    uint8_t *cond_read = calloc(p->n_fields + 1, 1); /* a field some field's condition reads */
    if (!cond_read)
        return;
    for (uint32_t f = 0; f < p->n_fields; f++)
        if (p->fields[f].cond_op && p->fields[f].cond_field >= 0)
            cond_read[p->fields[f].cond_field] = 1;
    if (pk->sample) {
        givens_apply(&sample, &pk->sample->assigns);
        lacks(pk, &sample, -1, "", "", &by_sample);
    }
    for (uint32_t i = 0; i < pk->tests.n; i++) {
        const rgc_test *t = pk->tests.v[i];
        if (expects_error(t))
            continue;
        givens g = {0};
        lacking l = {0};
        if (changes_nothing_required(pk, &sample, t, cond_read)) { /* most tests: no walk of their own */
            for (uint32_t k = 0; k < by_sample.n; k++) { /* what the sample lacks, but what the test gives */
                int given = 0;
                for (uint32_t j = 0; j < t->decl->assigns.n && !given; j++) {
                    char path[512];
                    path_text(t->decl->assigns.v[j], path, sizeof path);
                    given = strcmp(path, by_sample.path[k]) == 0;
                }
                if (!given)
                    lack(&l, by_sample.path[k], by_sample.empty[k]);
            }
        } else {
            for (uint32_t k = 0; k < sample.n; k++)
                givens_put(&g, sample.v[k].path, sample.v[k].e);
            givens_apply(&g, &t->decl->assigns);
            lacks(pk, &g, -1, "", "", &l);
        }
        for (uint32_t k = 0; k < l.n; k++) {
            uint32_t s = 0;
            while (s < by_sample.n && strcmp(by_sample.path[s], l.path[k]) != 0)
                s++;
            char hint[600];
            if (s < by_sample.n) {
                if (told[s])
                    continue;
                told[s] = 1;
                rg_loc at = pk->sample->loc;
                at.end = at.start + 6; /* `sample` */
                snprintf(hint, sizeof hint,
                         _("give it here, or in each test that expects values: test '%s' settles this claim"),
                         t->decl->name);
                if (l.empty[k])
                    rgc_error(pk, at, hint, _("the sample claim's '%s' is an empty list, and must have an element"),
                              l.path[k]);
                else
                    rgc_error(pk, at, hint, _("the sample claim has no '%s', which every claim must have"), l.path[k]);
                continue;
            }
            snprintf(hint, sizeof hint,
                     _("give it in the test, or expect the error line: expect { error = \"missing field %s\" }"),
                     l.path[k]);
            if (l.empty[k])
                rgc_error(pk, t->decl->name_loc, _("give the list an element in the test"),
                          _("test '%s': the claim's '%s' is an empty list, and must have an element"), t->decl->name,
                          l.path[k]);
            else
                rgc_error(pk, t->decl->name_loc, hint, _("test '%s': the claim has no '%s', which it must have here"),
                          t->decl->name, l.path[k]);
        }
        givens_free(&g);
    }
    givens_free(&sample);
    free(cond_read);
}

void rgc_check_tests(rgc_pack *pk)
{
    if (pk->sample) {
        claim_assigns(pk, &pk->sample->assigns);
        twice(pk, &pk->sample->assigns, _("'%s' is given twice"));
    }
    for (uint32_t i = 0; i < pk->tests.n; i++) {
        const rgc_test *t = pk->tests.v[i];
        claim_assigns(pk, &t->decl->assigns);
        twice(pk, &t->decl->assigns, _("'%s' is given twice"));
        ledger_assigns(pk, &t->decl->ledger_given);
        expects(pk, t);
        twice(pk, &t->decl->expects, _("'%s' is expected twice"));
    }
    tests_claims_complete(pk);
}
