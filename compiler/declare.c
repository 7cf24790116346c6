/* declare.c — the pack's declarations: enumerations, records and the claim
 * schema they flatten to, ledger scopes, host functions, brackets, versions,
 * tests, and what belongs to the base policy only. Must not compile a
 * definition's body (defs.c, check.c) nor emit code (emit.c). */
#include <stdio.h>
#include <string.h>

#include "builder.h"
#include "i18n.h"
#include "values.h"
#include "parse.h"

int rgc_enum_by_name(rgc_pack *pk, const char *name)
{
    uint32_t e = rgc_names_find(&pk->enum_names, name);
    return e == RG_NO_INDEX ? -1 : (int)pk->enum_names.ents[e].value;
}

const char *rgc_closest_enum(rgc_pack *pk, const char *name)
{
    const char *cands[64];
    uint32_t n = 0;
    for (uint32_t e = 0; e < pk->prog->n_enums && n < 64; e++)
        cands[n++] = rgc_str_text(pk, pk->prog->enums[e].name);
    return name ? rgc_closest(name, cands, n) : NULL;
}

int rgc_enum_member(rgc_pack *pk, uint32_t en, const char *name)
{
    const rg_enum *e = &pk->prog->enums[en];
    for (uint32_t i = rgc_names_find(&pk->member_names, name); i != RG_NO_INDEX; i = pk->member_names.ents[i].next) {
        uint32_t at = pk->member_names.ents[i].value; /* members of every enumeration by that name, in order */
        if (at >= e->first_member && at - e->first_member < e->n_members)
            return (int)(at - e->first_member);
    }
    return -1;
}

uint32_t rgc_child_field(rgc_pack *pk, int32_t parent, const char *name)
{
    /* the fields of that key, in schema order: the first under parent */
    for (uint32_t e = rgc_names_find(&pk->field_names, name); e != RG_NO_INDEX; e = pk->field_names.ents[e].next)
        if (pk->prog->fields[pk->field_names.ents[e].value].parent == parent)
            return pk->field_names.ents[e].value;
    return RG_NO_INDEX;
}

/* A range of money or percent written where nothing checks it. */
void rgc_misplaced_range(rgc_pack *pk, const rg_texpr *te)
{
    rgc_error(pk, te->range_loc, _("a claim's amounts are checked by `reject` rules: reject \"…\" when amount < ¥0"),
              _("a range of %s is declared on a param or a catalog column"), te->name);
}

/* Push field f, whose key is name, into the schema; its index. */
static uint32_t push_field(rgc_pack *pk, const rg_field *f, const char *name)
{
    uint32_t idx = rgc_push_fields(pk, f, 1);
    rgc_names_add(&pk->field_names, name, idx);
    return idx;
}

/* The first of the regions that added member m of enumeration en (a pair
 * number in member_owner), or RG_NO_INDEX: a base policy's member. */
static uint32_t first_owner(const rgc_pack *pk, uint32_t en, uint32_t m)
{
    uint32_t gm = pk->prog->enums[en].first_member + m;
    return gm < pk->owner_first.n ? (uint32_t)(uintptr_t)pk->owner_first.v[gm] : RG_NO_INDEX;
}

static uint32_t next_owner(const rgc_pack *pk, uint32_t i) { return (uint32_t)(uintptr_t)pk->member_owner.v[2 * i + 1]; }

const rgc_policy *rgc_owner_policy(const rgc_pack *pk, uint32_t i)
{
    return pk->policies.v[(uintptr_t)pk->member_owner.v[2 * i]];
}

int rgc_member_visible(const rgc_pack *pk, uint32_t en, uint32_t m, const rgc_policy *p)
{
    uint32_t i = first_owner(pk, en, m);
    if (i == RG_NO_INDEX)
        return 1; /* no region added it: the base policy's */
    for (; i != RG_NO_INDEX; i = next_owner(pk, i))
        if (rgc_policy_within(p ? p : pk->root, rgc_owner_policy(pk, i)))
            return 1;
    return 0;
}

uint32_t rgc_visible_members(const rgc_pack *pk, uint32_t en, const rgc_policy *p, uint32_t *out)
{
    const rg_enum *e = &pk->prog->enums[en];
    uint32_t n = 0;
    while (n < e->n_members && first_owner(pk, en, n) == RG_NO_INDEX)
        out[n] = n, n++; /* the base policy's come first */
    uint32_t base = n;
    for (const rgc_policy *q = p ? p : pk->root; q; q = q->parent)
        for (uint32_t i = 0; i < q->added_members.n; i++) {
            uint32_t gm = (uint32_t)(uintptr_t)q->added_members.v[i], m = gm - e->first_member, k = base;
            if (gm < e->first_member || m >= e->n_members)
                continue; /* another enumeration's */
            while (k < n && out[k] != m) /* a member a region and one above it both add: once */
                k++;
            if (k == n)
                out[n++] = m;
        }
    rgc_sort_u32(out + base, n - base);
    return n;
}

uint32_t rgc_last_owner(const rgc_pack *pk, uint32_t en, uint32_t m)
{
    uint32_t i = first_owner(pk, en, m);
    while (i != RG_NO_INDEX && next_owner(pk, i) != RG_NO_INDEX)
        i = next_owner(pk, i);
    return i;
}

/* Enumeration d of the base policy, with the members regions add to it
 * (`enum NAME += { … }`, in policy order): their ordinals follow the base
 * policy's, a member two regions add is one member, and each is known only
 * in the regions under those that added it. */
static void add_enum(rgc_pack *pk, rg_decl *d)
{
    if (rgc_enum_by_name(pk, d->name) >= 0) {
        rgc_error(pk, d->name_loc, NULL, _("enumeration '%s' is declared twice"), d->name);
        return;
    }
    rg_enum e = {rgc_str(pk, d->name), pk->prog->n_member_names, 0};
    rg_vec names = {0};
    rgc_names index = {0}; /* names' ordinals by name: a province adds a member a city */
    rg_vec first = {0}, last = {0}; /* per ordinal: its first and last pair in member_owner, or RG_NO_INDEX */
    for (uint32_t i = 0; i < d->members.n; i++) {
        if (rgc_names_find(&index, d->members.v[i]) != RG_NO_INDEX)
            rgc_error(pk, d->loc, NULL, _("'%s' appears twice in enumeration '%s'"), (char *)d->members.v[i], d->name);
        rgc_names_add(&index, d->members.v[i], names.n);
        rg_vec_push(&names, d->members.v[i]);
        rg_vec_push(&first, (void *)(uintptr_t)RG_NO_INDEX);
        rg_vec_push(&last, (void *)(uintptr_t)RG_NO_INDEX);
    }
    for (uint32_t pi = 1; pi < pk->policies.n; pi++) {
        rgc_policy *pol = pk->policies.v[pi];
        for (uint32_t k = 0; k < pol->ast->decls.n; k++) {
            rg_decl *x = pol->ast->decls.v[k];
            if (x->kind != RG_D_ENUM || !x->extend || strcmp(x->name, d->name) != 0)
                continue;
            for (uint32_t i = 0; i < x->members.n; i++) {
                const char *m = x->members.v[i];
                uint32_t found = rgc_names_find(&index, m), at = found == RG_NO_INDEX ? names.n : index.ents[found].value;
                if (at < d->members.n) {
                    rgc_error(pk, x->loc, NULL, _("'%s' is already a member of enumeration '%s' in %s"), m, d->name,
                              pk->root->name);
                    continue;
                }
                if (at == names.n) {
                    rgc_names_add(&index, m, names.n);
                    rg_vec_push(&names, (void *)m);
                    rg_vec_push(&first, (void *)(uintptr_t)RG_NO_INDEX);
                    rg_vec_push(&last, (void *)(uintptr_t)RG_NO_INDEX);
                }
                uintptr_t pair = pk->member_owner.n / 2, prev = (uintptr_t)last.v[at];
                rg_vec_push(&pk->member_owner, (void *)(uintptr_t)pi);
                rg_vec_push(&pk->member_owner, (void *)(uintptr_t)RG_NO_INDEX);
                if (prev == RG_NO_INDEX)
                    first.v[at] = (void *)pair;
                else
                    pk->member_owner.v[2 * prev + 1] = (void *)pair;
                last.v[at] = (void *)pair;
                rg_vec_push(&pol->added_members, (void *)(uintptr_t)(e.first_member + at));
            }
        }
    }
    for (uint32_t i = 0; i < names.n; i++) {
        uint32_t s = rgc_str(pk, names.v[i]);
        rgc_names_add(&pk->member_names, names.v[i], rgc_push_member_names(pk, &s, 1));
        rg_vec_push(&pk->owner_first, first.v[i]); /* at the member's index in member_names */
    }
    e.n_members = names.n;
    rg_vec_free(&names);
    rg_vec_free(&first);
    rg_vec_free(&last);
    rgc_names_free(&index);
    rgc_names_add(&pk->enum_names, d->name, rgc_push_enums(pk, &e, 1));
}

/* A region's `reject` rules (and `for` blocks holding some), in file order,
 * each message template split into its parts (d->inputs). */
static void add_rejects(rgc_pack *pk, rgc_policy *pol, rg_decl *d)
{
    if (d->kind == RG_D_REJECT) {
        if (rg_parse_template(&pk->arena, pk->diag, d->name_loc, &d->inputs) != 0)
            rgc_error(pk, d->name_loc, NULL, _("the message of this rule cannot be read"));
        rg_vec_push(&pol->rejects, d);
        return;
    }
    int any = 0;
    for (uint32_t k = 0; k < d->decls.n; k++) {
        rg_decl *r = d->decls.v[k];
        if (r->kind != RG_D_REJECT)
            continue;
        any = 1;
        if (rg_parse_template(&pk->arena, pk->diag, r->name_loc, &r->inputs) != 0)
            rgc_error(pk, r->name_loc, NULL, _("the message of this rule cannot be read"));
    }
    if (any)
        rg_vec_push(&pol->rejects, d);
}

static rg_decl *record_named(rgc_pack *pk, const char *name)
{
    for (uint32_t k = 0; k < pk->records.n; k++)
        if (strcmp(((rg_decl *)pk->records.v[k])->name, name) == 0)
            return pk->records.v[k];
    return NULL;
}

/* The condition of member m (`when F op V`, `only when …`) on an earlier
 * sibling among fields [first, n_fields) of parent, into f. */
static void field_condition(rgc_pack *pk, rg_member *m, int32_t parent, uint32_t first, rg_field *f)
{
    uint32_t sib = RG_NO_INDEX;
    for (uint32_t k = first; k < pk->prog->n_fields; k++)
        if (pk->prog->fields[k].parent == parent && strcmp(rgc_str_text(pk, pk->prog->fields[k].key), m->cond_field) == 0)
            sib = k;
    if (sib == RG_NO_INDEX) {
        rgc_error(pk, m->loc, _("the condition names an earlier field of the same record"),
                  _("unknown field '%s' in the condition of '%s'"), m->cond_field, m->name);
        return;
    }
    rgc_ty st = rgc_ty_from_packed(pk->prog->fields[sib].type);
    rg_value v;
    rgc_ty vt;
    if (rgc_const_expr(pk, m->cond_value, &st, &v, &vt, 1) == 0) {
        f->cond_field = (int32_t)sib;
        f->cond_op = m->cond_op == RG_OPR_EQ ? 1 : 2;
        f->cond_value = v;
        f->cond_only = (uint8_t)m->cond_only;
    }
}

/* A slot of the element rows for a field of type t of one list, whose
 * fields have taken the slots in *used. Every list's rows have the same
 * slots, and a slot holds strings in every list or in none (the verifier
 * knows what a slot holds by its number alone). */
static uint32_t row_slot(rgc_pack *pk, uint64_t *used, rg_type t, rg_loc at)
{
    int str = RG_TYPE_KIND(t) == RG_T_STRING;
    const rg_program *p = pk->prog;
    for (uint32_t s = 0; s < 64; s++) {
        if (*used >> s & 1)
            continue;
        int free_slot = s >= p->n_item_slots;
        int same = 0;
        for (uint32_t i = 0; !free_slot && i < p->n_fields; i++)
            if (p->fields[i].in_list && p->fields[i].slot == s)
                same = (RG_TYPE_KIND(p->fields[i].type) == RG_T_STRING) == str;
        if (free_slot || same) {
            *used |= (uint64_t)1 << s;
            if (s >= pk->prog->n_item_slots)
                pk->prog->n_item_slots = s + 1;
            return s;
        }
    }
    rgc_error(pk, at, NULL, _("the elements of a list hold at most 64 values"));
    return 0;
}

/* The claim schema: the members of a record (or of the claim) as fields
 * under parent. A list's elements are rows of their own (list `list`, the
 * slots its fields took in *row_slots); lists sit outside lists. */
static void flatten(rgc_pack *pk, rg_vec *members, int32_t parent, const char *prefix, uint32_t list,
                    uint64_t *row_slots, int depth)
{
    if (depth > 8) {
        rgc_error(pk, ((rg_member *)members->v[0])->loc, NULL, _("records nest too deeply (or contain themselves)"));
        return;
    }
    int in_list = list != RG_NO_INDEX;
    uint32_t first = pk->prog->n_fields;
    for (uint32_t i = 0; i < members->n; i++) {
        rg_member *m = members->v[i];
        if (rgc_child_field(pk, parent, m->name) != RG_NO_INDEX) {
            rgc_error(pk, m->loc, _("keep one of them, or give this one a name of its own"), _("field '%s' is declared twice"),
                      m->name);
            continue;
        }
        rgc_ty t = {.k = RGC_K_ERROR}, et = {.k = RGC_K_ERROR};
        rg_decl *elem_rec = NULL;
        if (m->type->elem) {
            elem_rec = record_named(pk, m->type->elem->name);
            if (!elem_rec && rgc_resolve_type(pk, m->type->elem, &et) != 0)
                continue;
            if (in_list) {
                rgc_error(pk, m->loc, _("a list's elements hold plain values and records, not lists"),
                          _("list '%s' inside a list's element"), m->name);
                continue;
            }
            if (!elem_rec && (et.k != RGC_K_SCALAR || et.optional || et.scalar == RG_T_LIST)) {
                rgc_error(pk, m->type->elem->loc, _("write `list of RECORD` or `list of string`, `list of an_enum` …"),
                          _("a list of the claim holds records or plain values"));
                continue;
            }
        } else if (rgc_resolve_type(pk, m->type, &t) != 0) {
            continue;
        } else if (m->type->has_range && !(t.k == RGC_K_SCALAR && t.scalar == RG_T_INT)) {
            rgc_misplaced_range(pk, m->type);
            continue;
        } else if (t.k == RGC_K_SCALAR && t.scalar == RG_T_LIST) {
            rgc_error(pk, m->loc, _("write `NAME: list of RECORD`"), _("a list field of the claim names what it holds"));
            continue;
        }
        char path[256];
        snprintf(path, sizeof path, "%s%s%s", prefix, *prefix ? "." : "", m->name);
        rg_field f = {.key = rgc_str(pk, m->name), .parent = parent, .optional = (uint8_t)(m->type->optional || t.optional),
                      .in_list = (uint8_t)in_list, .cond_field = -1, .list = list, .message = RG_NO_INDEX,
                      .elem_message = RG_NO_INDEX};
        f.path = rgc_str(pk, path);
        if (m->message)
            f.message = rgc_str(pk, m->message);
        if (m->nonempty && !m->type->elem)
            rgc_error(pk, m->loc, NULL, _("only a list can be `nonempty`"));
        f.nonempty = (uint8_t)m->nonempty;
        if (m->cond_field)
            field_condition(pk, m, parent, first, &f);
        if (m->type->elem) {
            f.type = RG_TYPE(RG_T_LIST, 0);
            f.list = pk->prog->n_claim_lists++;
            f.slot = pk->prog->n_claim_slots++; /* its number of elements, or none */
            if (elem_rec && elem_rec->message)
                f.elem_message = rgc_str(pk, elem_rec->message);
            if (m->init)
                rgc_error(pk, m->init->loc, NULL, _("a list has no default"));
            uint32_t idx = push_field(pk, &f, m->name);
            if (parent < 0 && pk->prog->list_field == RG_NO_INDEX)
                pk->prog->list_field = idx;
            char sub[260];
            snprintf(sub, sizeof sub, "%s[]", path);
            uint64_t slots = 0;
            if (elem_rec) {
                flatten(pk, &elem_rec->members, (int32_t)idx, sub, f.list, &slots, depth + 1);
            } else {
                /* a plain value per element: one field, key "" */
                rg_field e = {.key = rgc_str(pk, ""), .path = rgc_str(pk, sub), .type = rgc_ty_pack(&et),
                              .parent = (int32_t)idx, .in_list = 1, .cond_field = -1,
                              .list = f.list, .message = RG_NO_INDEX, .elem_message = RG_NO_INDEX,
                              .has_range = et.has_range, .lo = et.lo, .hi = et.hi};
                e.slot = row_slot(pk, &slots, e.type, m->loc);
                push_field(pk, &e, "");
            }
            continue;
        }
        if (t.k == RGC_K_RECORD) {
            f.type = RG_TYPE(RG_T_RECORD, 0);
            rg_decl *rec = pk->records.v[t.aux];
            if (f.message == RG_NO_INDEX && rec->message)
                f.message = rgc_str(pk, rec->message);
        } else {
            f.type = rgc_ty_pack(&t);
            f.has_range = t.has_range;
            f.lo = t.lo;
            f.hi = t.hi;
        }
        if (m->init) {
            rg_value v;
            rgc_ty vt, want = t;
            want.optional = 0;
            if (t.k != RGC_K_SCALAR || t.scalar == RG_T_STRING)
                rgc_error(pk, m->init->loc, _("a default is a number, date, bool, region or a member of an enumeration"),
                          _("field '%s' cannot have a default"), m->name);
            else if (rgc_const_expr(pk, m->init, &want, &v, &vt, 1) == 0) {
                f.has_default = 1;
                f.default_value = v;
            }
        }
        f.slot = in_list ? row_slot(pk, row_slots, f.type, m->loc) : pk->prog->n_claim_slots++;
        uint32_t idx = push_field(pk, &f, m->name);
        if (t.k == RGC_K_RECORD) {
            rg_decl *rec = pk->records.v[t.aux];
            flatten(pk, &rec->members, (int32_t)idx, path, list, row_slots, depth + 1);
        }
    }
}

/* May a declaration of this kind stand in a version? (a `reject` rule and a
 * `for` block are refused where they are checked, with their own reasons) */
static int in_a_version(rg_decl_kind k)
{
    return k == RG_D_PARAM || k == RG_D_DEF || k == RG_D_TABLE || k == RG_D_DECIDE || k == RG_D_REJECT ||
           k == RG_D_EACH;
}

/* A declaration's kind as its keyword and what it declares, for messages. */
static const char *decl_noun(rg_decl_kind k)
{
    switch (k) {
    case RG_D_ENUM: return _("an enumeration (`enum`)");
    case RG_D_RECORD: return _("a record");
    case RG_D_CLAIM: return _("the claim");
    case RG_D_BRACKETS: return _("brackets");
    case RG_D_CATALOG: return _("a catalog");
    case RG_D_LEDGER: return _("a ledger");
    case RG_D_UPDATE: return _("a ledger update (`update`)");
    case RG_D_RESULT: return _("the result");
    case RG_D_SELECT: return _("the policy selector (`select policy`)");
    case RG_D_SAMPLE: return _("the sample claim");
    case RG_D_TEST: return _("a test");
    case RG_D_VERSION: return _("another version");
    case RG_D_EXTERN: return _("a host function (`extern fn`)");
    default: return _("this declaration");
    }
}

static int root_only(rgc_pack *pk, rgc_policy *p, rg_decl *d, const char *what)
{
    if (p == pk->root)
        return 1;
    rgc_error(pk, d->loc, _("declare it in the base policy"), _("%s belongs to the base policy '%s', not '%s'"), what,
              pk->root->name, p->name);
    return 0;
}

static void add_ledger(rgc_pack *pk, rgc_policy *pol, rg_decl *d)
{
    rg_program *p = pk->prog;
    uint32_t seen = rgc_names_find(&pk->ledger_names, d->name);
    if (seen != RG_NO_INDEX) {
        uint32_t i = pk->ledger_names.ents[seen].value;
        rg_decl *o = pk->ledger_decls.v[i];
        const rg_source *src = rg_diag_source(pk->diag, o->name_loc.file);
        rgc_error_related(pk, d->name_loc, _("give the new ledger a name of its own"), o->name_loc, _("declared here"),
                          _("the ledger '%s' is already declared by %s (%s:%u)"), d->name,
                          ((rgc_policy *)pk->policies.v[p->ledger_scopes[i].owner])->name, src ? src->path : "?",
                          rgc_line(pk, o->name_loc));
        return;
    }
    rg_ledger_scope s = {rgc_str(pk, d->name), p->n_ledger_fields, d->members.n, 0, d->inputs.n, pol->index};
    for (uint32_t i = 0; i < d->members.n; i++) {
        rg_member *m = d->members.v[i];
        for (uint32_t k = 0; k < i; k++) {
            rg_member *o = d->members.v[k];
            if (strcmp(o->name, m->name) == 0) {
                rgc_error_related(pk, m->loc, _("give each field a name of its own"), o->loc, _("declared here"),
                                  _("the ledger '%s' has a field '%s' already"), d->name, m->name);
                return;
            }
        }
        rgc_ty t;
        if (rgc_resolve_type(pk, m->type, &t) != 0)
            continue;
        if (m->type->has_range && !(t.k == RGC_K_SCALAR && t.scalar == RG_T_INT)) {
            rgc_misplaced_range(pk, m->type);
            continue;
        }
        if (t.k != RGC_K_SCALAR || t.optional ||
            !(t.scalar == RG_T_MONEY || t.scalar == RG_T_INT || t.scalar == RG_T_PERCENT || t.scalar == RG_T_DURATION)) {
            rgc_error(pk, m->loc, _("count or sum what the claims bring (an int, money …); a date or a flag of the claim is read from the claim"),
                      _("a ledger field holds money, int, percent or duration"));
            continue;
        }
        rg_ledger_field f = {rgc_str(pk, m->name), rgc_ty_pack(&t), p->n_ledger_scopes, RG_NO_INDEX};
        rgc_push_ledger_fields(pk, &f, 1);
    }
    s.n_fields = p->n_ledger_fields - s.first_field;
    rgc_names_add(&pk->ledger_names, d->name, rgc_push_ledger_scopes(pk, &s, 1));
    rg_vec_push(&pk->ledger_decls, d);
}

/* A type a host function takes or returns: a plain scalar (C gets an int64_t
 * or a const char *); arguments are never absent, a result may be (T?). */
static int extern_type(rgc_pack *pk, rg_texpr *te, int result, rgc_ty *t)
{
    if (rgc_resolve_type(pk, te, t) != 0)
        return -1;
    int scalar = t->k == RGC_K_SCALAR && t->scalar != RG_T_LIST && t->scalar != RG_T_ROW;
    if (scalar && t->optional && !result) {
        rgc_error(pk, te->loc, _("write the type without '?': the policy gives a value, or writes `x ?? default`"),
                  _("an argument of a host function is never none"));
        return -1;
    }
    if (!scalar || te->has_range) {
        char hint[200];
        rg_sb h;
        rg_sb_fixed(&h, hint, sizeof hint);
        rg_sb_puts(&h, _("a host function takes and returns "));
        rgc_type_list(&h, RG_T_VOID);
        rg_sb_puts(&h, _(" or an enum; only its result may be optional (T?)"));
        const char *what = te->elem ? _("a list") : te->name;
        if (result)
            rgc_error(pk, te->loc, hint, _("a host function cannot return %s"), what);
        else
            rgc_error(pk, te->loc, hint, _("a host function cannot take %s"), what);
        return -1;
    }
    return 0;
}

/* `extern fn name(types) -> type`: a function the host must supply. */
static void add_extern(rgc_pack *pk, rg_decl *d)
{
    rg_program *p = pk->prog;
    if (rgc_builtin(d->name)) {
        rgc_error(pk, d->name_loc, _("give the host function another name"), _("'%s' is a built-in function"), d->name);
        return;
    }
    for (uint32_t i = 0; i < p->n_externs; i++)
        if (strcmp(rgc_str_text(pk, p->externs[i].name), d->name) == 0) {
            rgc_error(pk, d->name_loc, NULL, _("host function '%s' is declared twice"), d->name);
            return;
        }
    if (d->params.n > RG_EXTERN_MAX_ARGS) {
        rgc_error(pk, d->loc, NULL, _("a host function takes at most %u arguments, '%s' declares %u"),
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

/* A constant of a tier, of type want: 1, or 0 after saying what it must be. */
static int tier_part(rgc_pack *pk, rg_expr *e, const rgc_ty *want, int64_t *v, const char *hint)
{
    rgc_ty ty;
    if (rgc_const_expr(pk, e, want, v, &ty, 1) != 0)
        return 0;
    if (!rgc_ty_same(&ty, want) || ty.optional) {
        char a[96], b[96];
        rgc_ty_name(pk, want, a, sizeof a);
        rgc_ty_name(pk, &ty, b, sizeof b);
        rgc_error(pk, e->loc, hint, _("this part of a tier must be %s, this is %s"), a, b);
        return 0;
    }
    return 1;
}

static void add_brackets(rgc_pack *pk, rg_decl *d)
{
    rg_bracket b = {rgc_str(pk, d->name), pk->prog->n_tiers, 0};
    int64_t prev_hi = 0;
    int prev_known = 1; /* the tier before was read: where it ends is known */
    rgc_ty money = rgc_ty_scalar(RG_T_MONEY), pct = rgc_ty_scalar(RG_T_PERCENT);
    for (uint32_t i = 0; i < d->rows.n; i++) {
        rg_tier_ast *t = d->rows.v[i];
        rg_tier tier;
        tier.hi = RG_NONE;
        int ok = tier_part(pk, t->from, &money, &tier.lo, _("a tier starts at an amount of money: from ¥0"));
        ok &= tier_part(pk, t->pct, &pct, &tier.pct, _("a tier pays a percentage of the money in it: -> 60%"));
        if (t->below)
            ok &= tier_part(pk, t->below, &money, &tier.hi, _("a tier ends below an amount of money: below ¥100_000"));
        int known = prev_known;
        prev_known = ok;
        if (!ok)
            continue;
        if (tier.lo != prev_hi && known)
            rgc_error(pk, t->loc, _("tiers run from ¥0 upwards, each starting where the previous one ends"),
                      tier.lo > prev_hi ? _("tier %u of '%s' starts after the previous one ends: a gap")
                                        : _("tier %u of '%s' starts before the previous one ends: an overlap"),
                      i + 1, d->name);
        if (tier.hi != RG_NONE && tier.hi <= tier.lo)
            rgc_error(pk, t->loc, _("write `below` an amount above `from`"), _("a tier must end above where it starts"));
        if (tier.hi == RG_NONE && i + 1 < d->rows.n)
            rgc_error(pk, t->loc, _("give this tier its `below`, or make it the last"),
                      _("only the last tier may be open-ended"));
        prev_hi = tier.hi;
        rgc_push_tiers(pk, &tier, 1);
    }
    b.n_tiers = pk->prog->n_tiers - b.first_tier;
    rgc_push_brackets(pk, &b, 1);
    rg_vec_push(&pk->bracket_decls, d);
}

/* Every policy's declarations but its definitions, the base policy's types first
 * (so that records may be declared after their use). -1 when there is no claim. */
/* "from 2024-01-01 until 2024-12-31", "from 2025-01-01 on": a version's dates. */
static void version_span(const rgc_version *v, char *buf, size_t cap)
{
    char from[16], until[16];
    rg_format_date(v->from, from);
    if (v->until == RG_NONE)
        snprintf(buf, cap, _("from %s on"), from);
    else {
        rg_format_date(v->until, until);
        snprintf(buf, cap, _("from %s until %s"), from, until);
    }
}

int rgc_declare(rgc_pack *pk)
{
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
                if (d->extend && pol == root)
                    rgc_error(pk, d->loc, _("declare its members in the enumeration itself"), _("the base policy adds to its own enumeration '%s'"), d->name);
                else if (d->extend && rgc_enum_by_name(pk, d->name) < 0) {
                    const char *best = rgc_closest_enum(pk, d->name);
                    char hint[200];
                    if (best)
                        snprintf(hint, sizeof hint, _("did you mean '%s'?"), best);
                    rgc_error(pk, d->name_loc, best ? hint : _("name an enumeration the base policy declares"),
                              _("'%s' is no enumeration of %s: a region adds members to one"), d->name, root->name);
                }
                else if (!d->extend)
                    root_only(pk, pol, d, _("an enumeration (a region adds members with `enum NAME += { … }`)"));
                break;
            case RG_D_RECORD:
                root_only(pk, pol, d, "a record");
                break;
            case RG_D_REJECT:
            case RG_D_EACH:
                add_rejects(pk, pol, d);
                break;
            case RG_D_CLAIM:
                if (root_only(pk, pol, d, _("the claim"))) {
                    if (pk->claim)
                        rgc_error(pk, d->loc, NULL, _("the claim is declared twice"));
                    pk->claim = d;
                }
                break;
            case RG_D_SELECT:
                if (root_only(pk, pol, d, _("`select policy`")))
                    pk->select = d;
                break;
            case RG_D_RESULT:
                if (root_only(pk, pol, d, _("the result")))
                    pk->result = d;
                break;
            case RG_D_UPDATE:
                rg_vec_push(&pol->updates, d);
                break;
            case RG_D_SAMPLE:
                if (root_only(pk, pol, d, _("the sample claim")))
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
                        rgc_error(pk, d->loc, _("list the columns: catalog NAME \"file.csv\" { key code: string … }"),
                                  _("the base policy's catalog declares its columns"));
                    else
                        rg_vec_push(&pk->catalog_decls, d);
                } else if (d->members.n) {
                    rgc_error(pk, d->loc, _("a child names the catalog and its file only"),
                              _("the columns of catalog '%s' are declared by the base policy"), d->name);
                }
                rg_vec_push(&pol->catalogs, d);
                break;
            case RG_D_LEDGER:
                break;
            case RG_D_BRACKETS:
                if (root_only(pk, pol, d, _("a bracket schedule (`brackets`)")))
                    add_brackets(pk, d);
                break;
            case RG_D_EXTERN:
                if (root_only(pk, pol, d, _("a host function")))
                    add_extern(pk, d);
                break;
            case RG_D_VERSION: {
                rgc_version *v = rg_arena_alloc(&pk->arena, sizeof *v);
                v->decl = d;
                v->policy = pol;
                v->index = pk->versions.n;
                v->until = RG_NONE;
                if (d->from->kind != RG_E_DATE)
                    rgc_error(pk, d->from->loc, _("write `version NAME from 2024-01-01 until 2024-12-31`"),
                              _("a version starts at a date"));
                else
                    v->from = d->from->ival;
                if (d->until) {
                    if (d->until->kind != RG_E_DATE)
                        rgc_error(pk, d->until->loc, NULL, _("a version ends at a date"));
                    else if (d->until->ival < v->from)
                        rgc_error(pk, d->until->loc, _("write `from` the first day and `until` the last"),
                                  _("version '%s' ends before it starts"), d->name);
                    else
                        v->until = d->until->ival;
                }
                for (uint32_t j = 0; j < pol->versions.n; j++) {
                    rgc_version *o = pol->versions.v[j];
                    int64_t ou = o->until == RG_NONE ? INT64_MAX : o->until, vu = v->until == RG_NONE ? INT64_MAX : v->until;
                    char at[200], hint[500];
                    rgc_place(pk, d->loc, o->decl->loc, at, sizeof at);
                    if (strcmp(o->decl->name, d->name) == 0) {
                        snprintf(hint, sizeof hint, _("the other is at %s: give each version of a policy its own name"),
                                 at);
                        rgc_error_related(pk, d->name_loc, hint, o->decl->name_loc, _("the other version"),
                                          _("%s has two versions named '%s'"), pol->name, d->name);
                    }
                    if (v->from <= ou && o->from <= vu) {
                        char span[96];
                        version_span(o, span, sizeof span);
                        snprintf(hint, sizeof hint, _("version '%s' (%s) runs %s: versions of one policy must not "
                                                      "overlap in time; end one with `until` the day before the other starts"),
                                 o->decl->name, at, span);
                        rgc_error_related(pk, d->loc, hint, o->decl->loc, _("the other version"),
                                          _("version '%s' overlaps version '%s' of %s"), d->name, o->decl->name, pol->name);
                    }
                }
                rg_vec_push(&pol->versions, v);
                rg_vec_push(&pk->versions, v);
                for (uint32_t j = 0; j < d->decls.n; j++) {
                    rg_decl *x = d->decls.v[j];
                    if (!in_a_version(x->kind)) {
                        rgc_error(pk, x->loc,
                                  _("write it outside the version: a version changes param, def, table and decide for "
                                    "its dates"),
                                  _("a version cannot hold %s"), decl_noun(x->kind));
                        continue;
                    }
                    if (x->kind == RG_D_REJECT || (x->kind == RG_D_EACH && x->decls.n))
                        for (uint32_t q = 0; q < (x->kind == RG_D_EACH ? x->decls.n : 1); q++)
                            if ((x->kind == RG_D_EACH ? ((rg_decl *)x->decls.v[q])->kind : x->kind) == RG_D_REJECT) {
                                rgc_error(pk, x->loc, _("write the rule outside the version; its condition may read the date"),
                                          _("a version cannot hold `reject` rules"));
                                break;
                            }
                }
                break;
            }
            default:
                break;
            }
        }
    }
    if (!pk->claim) {
        rgc_error(pk, root->ast->policy_loc, _("declare `claim { … }` in the base policy"),
                  _("the base policy does not declare the claim"));
        return -1;
    }
    uint64_t no_row = 0;
    flatten(pk, &pk->claim->members, -1, "", RG_NO_INDEX, &no_row, 0);
    for (uint32_t i = 0; i < pk->policies.n; i++) { /* a region may keep a ledger of its own */
        rgc_policy *pol = pk->policies.v[i];
        for (uint32_t k = 0; k < pol->ast->decls.n; k++) {
            rg_decl *d = pol->ast->decls.v[k];
            if (d->kind == RG_D_LEDGER)
                add_ledger(pk, pol, d);
        }
    }
    return 0;
}

uint32_t rgc_schema_field(const rgc_pack *pk, const char *path)
{
    const rg_program *p = pk->prog;
    for (uint32_t i = 0; i < p->n_fields; i++)
        if (strcmp(p->blob + p->strings[p->fields[i].path].offset, path) == 0)
            return i;
    return RG_NO_INDEX;
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
