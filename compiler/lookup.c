/* lookup.c — what a name is where a policy reads it, where it is written, and
 * which names a policy may write: the compiled pack's answers to an editor
 * (hover, go to definition, completion). Reads a compiled pack only: must not
 * compile, report or change anything. */
#include <stdio.h>
#include <string.h>

#include "builder.h"
#include "i18n.h"

static rgc_policy *policy_named(rgc_pack *pk, const char *name)
{
    int i = name ? rgc_policy_index(pk, name) : -1;
    return i >= 0 ? pk->policies.v[i] : pk->root;
}

/* A type as written in a declaration: "int in 1..3", "list of period?". */
static void texpr_text(const rg_texpr *te, char *buf, size_t cap)
{
    if (!te) {
        snprintf(buf, cap, "%s", "");
        return;
    }
    char inner[128];
    if (te->elem) {
        texpr_text(te->elem, inner, sizeof inner);
        snprintf(buf, cap, "list of %s%s", inner, te->optional ? "?" : "");
    } else if (te->has_range) {
        char range[100];
        rgc_range_text(te, range, sizeof range);
        snprintf(buf, cap, "%s%s in %s", te->name, te->optional ? "?" : "", range);
    } else {
        snprintf(buf, cap, "%s%s", te->name ? te->name : "", te->optional ? "?" : "");
    }
}

static const rg_member *member_named(const rg_vec *members, const char *name)
{
    for (uint32_t i = 0; i < members->n; i++) {
        const rg_member *m = members->v[i];
        if (m->name && strcmp(m->name, name) == 0)
            return m;
    }
    return NULL;
}

static const rg_decl *record_named(rgc_pack *pk, const char *name)
{
    for (uint32_t i = 0; name && i < pk->records.n; i++)
        if (strcmp(((rg_decl *)pk->records.v[i])->name, name) == 0)
            return pk->records.v[i];
    return NULL;
}

/* The member that declares schema path PATH ("person.scheme", "items[].amount"). */
static const rg_member *field_member(rgc_pack *pk, const char *path)
{
    const rg_vec *members = pk->claim ? &pk->claim->members : NULL;
    const rg_member *m = NULL;
    char seg[128];
    for (const char *s = path; members && *s;) {
        size_t n = strcspn(s, ".[");
        snprintf(seg, sizeof seg, "%.*s", (int)n, s);
        if (!(m = member_named(members, seg)))
            return NULL;
        s += n;
        if (strncmp(s, "[]", 2) == 0)
            s += 2;
        if (*s == '.')
            s++;
        if (!*s)
            break;
        const rg_texpr *te = m->type;
        if (te && te->elem)
            te = te->elem;
        const rg_decl *rec = record_named(pk, te ? te->name : NULL);
        members = rec ? &rec->members : NULL;
        m = NULL;
    }
    return m;
}

/* The first declaration of KIND named NAME in any policy's file (base first). */
static const rg_decl *decl_named(rgc_pack *pk, rg_decl_kind kind, const char *name)
{
    for (uint32_t i = 0; i < pk->policies.n; i++) {
        const rgc_policy *pol = pk->policies.v[i];
        for (uint32_t k = 0; k < pol->ast->decls.n; k++) {
            const rg_decl *d = pol->ast->decls.v[k];
            if (d->kind == kind && d->name && strcmp(d->name, name) == 0 && !(kind == RG_D_ENUM && d->extend))
                return d;
        }
    }
    return NULL;
}

static int name_byte(unsigned char c)
{
    return (c >= 'a' && c <= 'z') || (c >= 'A' && c <= 'Z') || (c >= '0' && c <= '9') || c == '_' || c >= 0x80;
}

/* The name WORD between the braces of declaration D (the grammar keeps no
 * place for each member of an enumeration): its place, else D's name's. */
static rg_loc word_in_braces(rgc_pack *pk, const rg_decl *d, const char *word)
{
    const rg_source *src = rg_diag_source(pk->diag, d->loc.file);
    size_t n = strlen(word);
    uint32_t i = d->name_loc.end;
    while (src && i < d->loc.end && src->text[i] != '{')
        i++;
    for (; src && i + n <= d->loc.end; i++)
        if (memcmp(src->text + i, word, n) == 0 && !name_byte((unsigned char)src->text[i - 1]) &&
            !name_byte((unsigned char)src->text[i + n]))
            return (rg_loc){d->loc.file, i, i + (uint32_t)n};
    return d->name_loc;
}

/* Where member M of enumeration EN is written: the base policy's list, or the
 * `enum NAME += { … }` of the region that added it. */
static int member_place(rgc_pack *pk, const char *en, const char *m, rg_loc *loc, const char **owner)
{
    for (uint32_t i = 0; i < pk->policies.n; i++) {
        const rgc_policy *pol = pk->policies.v[i];
        for (uint32_t k = 0; k < pol->ast->decls.n; k++) {
            const rg_decl *d = pol->ast->decls.v[k];
            if (d->kind != RG_D_ENUM || strcmp(d->name, en) != 0)
                continue;
            for (uint32_t j = 0; j < d->members.n; j++)
                if (strcmp(d->members.v[j], m) == 0) {
                    *loc = word_in_braces(pk, d, m);
                    *owner = pol->name;
                    return 1;
                }
        }
    }
    return 0;
}

static const char *def_word(rg_def_kind k)
{
    return k == RG_DEF_PARAM ? "param" : k == RG_DEF_TABLE ? "table" : k == RG_DEF_DECIDE ? "decide" : "def";
}

static int visible_def(const rgc_def *d, const rgc_policy *p)
{
    return !d->hidden && d->name[0] != '_' && strncmp(d->name, "result.", 7) != 0 &&
           (!d->owner || rgc_policy_within(p, d->owner));
}

static void set_decl(rgc_symbol *out, rg_loc loc, const char *owner)
{
    out->has_decl = 1;
    out->decl = loc;
    out->owner = owner;
}

static int lookup_def(rgc_pack *pk, rgc_def *d, rgc_symbol *out)
{
    out->kind = RGC_SYM_DEF;
    out->index = d->slot;
    out->per_item = d->per_item;
    if (d->per_item)
        snprintf(out->what, sizeof out->what, _("%s, for each element of %s"), def_word(d->kind),
                 rgc_str_text(pk, pk->prog->fields[d->list].path));
    else
        snprintf(out->what, sizeof out->what, "%s", def_word(d->kind));
    rgc_ty_name(pk, &d->type, out->type, sizeof out->type);
    set_decl(out, d->root->name_loc, d->owner ? d->owner->name : pk->root->name);
    return 0;
}

static int lookup_field(rgc_pack *pk, uint32_t f, rgc_symbol *out)
{
    const char *path = rgc_str_text(pk, pk->prog->fields[f].path);
    out->kind = RGC_SYM_FIELD;
    out->index = f;
    snprintf(out->what, sizeof out->what, "%s", pk->prog->fields[f].in_list ? _("field of a list's element") : _("claim field"));
    const rg_member *m = field_member(pk, path);
    if (m) {
        texpr_text(m->type, out->type, sizeof out->type);
        set_decl(out, m->loc, pk->root->name);
    } else {
        rgc_ty t = rgc_ty_from_packed(pk->prog->fields[f].type);
        t.optional = pk->prog->fields[f].optional;
        rgc_ty_name(pk, &t, out->type, sizeof out->type);
    }
    return 0;
}

static int lookup_word(rgc_pack *pk, const rgc_policy *p, const char *name, rgc_symbol *out)
{
    rgc_def *d = rgc_find_def_in(pk, name, p);
    if (d && visible_def(d, p))
        return lookup_def(pk, d, out);
    uint32_t f = rgc_child_field(pk, -1, name);
    if (f != RG_NO_INDEX)
        return lookup_field(pk, f, out);
    const rg_program *prog = pk->prog;
    for (uint32_t en = 0; en < prog->n_enums; en++) {
        int m = rgc_enum_member(pk, en, name);
        if (m < 0 || !rgc_member_visible(pk, en, (uint32_t)m, p))
            continue;
        const char *ename = rgc_str_text(pk, prog->enums[en].name);
        out->kind = RGC_SYM_MEMBER;
        out->index = en << 16 | (uint32_t)m;
        snprintf(out->what, sizeof out->what, _("member of enumeration %s"), ename);
        snprintf(out->type, sizeof out->type, "%s", ename);
        rg_loc loc;
        const char *owner;
        if (member_place(pk, ename, name, &loc, &owner))
            set_decl(out, loc, owner);
        return 0;
    }
    int pi = rgc_policy_index(pk, name);
    if (pi >= 0) {
        const rgc_policy *q = pk->policies.v[pi];
        out->kind = RGC_SYM_POLICY;
        out->index = (uint32_t)pi;
        if (q->parent)
            snprintf(out->what, sizeof out->what, _("policy, extends %s"), q->parent->name);
        else
            snprintf(out->what, sizeof out->what, "%s", _("the base policy"));
        snprintf(out->type, sizeof out->type, "region");
        set_decl(out, q->ast->policy_loc, q->name);
        return 0;
    }
    static const struct {
        rg_decl_kind kind;
        rgc_sym_kind sym;
        const char *what;
    } decls[] = {{RG_D_LEDGER, RGC_SYM_LEDGER, N_("ledger")},       {RG_D_CATALOG, RGC_SYM_CATALOG, N_("catalog")},
                 {RG_D_BRACKETS, RGC_SYM_BRACKETS, N_("brackets")}, {RG_D_EXTERN, RGC_SYM_EXTERN, N_("host function")},
                 {RG_D_ENUM, RGC_SYM_ENUM, N_("enumeration")},     {RG_D_RECORD, RGC_SYM_RECORD, N_("record")}};
    for (size_t i = 0; i < sizeof decls / sizeof decls[0]; i++) {
        const rg_decl *x = decl_named(pk, decls[i].kind, name);
        if (!x)
            continue;
        out->kind = decls[i].sym;
        snprintf(out->what, sizeof out->what, "%s", _(decls[i].what));
        if (x->kind == RG_D_EXTERN)
            texpr_text(x->type, out->type, sizeof out->type);
        for (uint32_t k = 0; k < pk->policies.n; k++)
            if (((rgc_policy *)pk->policies.v[k])->ast == x->file)
                set_decl(out, x->name_loc, ((rgc_policy *)pk->policies.v[k])->name);
        if (!out->has_decl)
            set_decl(out, x->name_loc, pk->root->name);
        return 0;
    }
    if (rgc_builtin(name)) {
        out->kind = RGC_SYM_BUILTIN;
        snprintf(out->what, sizeof out->what, "%s", _("built-in function"));
        return 0;
    }
    rg_type_kind k;
    if (rgc_scalar_named(name, &k)) {
        out->kind = RGC_SYM_TYPE;
        snprintf(out->what, sizeof out->what, "%s", _("type"));
        return 0;
    }
    return -1;
}

/* FIELD of a ledger, a list's element or a catalog's row: by its name alone. */
static int lookup_member_of(rgc_pack *pk, const rgc_policy *p, const char *head, const char *last, rgc_symbol *out)
{
    for (uint32_t i = 0; i < pk->ledger_decls.n; i++) {
        const rg_decl *l = pk->ledger_decls.v[i];
        const rg_member *m = strcmp(l->name, head) == 0 ? member_named(&l->members, last) : NULL;
        if (m) {
            out->kind = RGC_SYM_LEDGER_FIELD;
            snprintf(out->what, sizeof out->what, _("field of ledger %s (its value before this claim)"), l->name);
            texpr_text(m->type, out->type, sizeof out->type);
            set_decl(out, m->loc, pk->prog->ledger_scopes[i].owner < pk->policies.n
                                      ? ((rgc_policy *)pk->policies.v[pk->prog->ledger_scopes[i].owner])->name
                                      : pk->root->name);
            return 0;
        }
    }
    rgc_def *d = rgc_find_def_in(pk, last, p);
    if (d && d->per_item && visible_def(d, p))
        return lookup_def(pk, d, out);
    const rg_program *prog = pk->prog;
    for (uint32_t f = 0; f < prog->n_fields; f++)
        if (prog->fields[f].in_list && strcmp(rgc_str_text(pk, prog->fields[f].key), last) == 0)
            return lookup_field(pk, f, out);
    for (uint32_t c = 0; c < pk->catalog_decls.n; c++) {
        const rg_decl *cat = pk->catalog_decls.v[c];
        const rg_member *m = member_named(&cat->members, last);
        if (m) {
            out->kind = RGC_SYM_COLUMN;
            snprintf(out->what, sizeof out->what, _("column of catalog %s"), cat->name);
            texpr_text(m->type, out->type, sizeof out->type);
            set_decl(out, m->loc, pk->root->name);
            return 0;
        }
    }
    return -1;
}

int rgc_lookup(rgc_pack *pk, const char *policy, const char *name, rgc_symbol *out)
{
    memset(out, 0, sizeof *out);
    const rgc_policy *p = policy_named(pk, policy);
    if (strncmp(name, "claim.", 6) == 0)
        name += 6;
    const char *dot = strchr(name, '.');
    if (!dot)
        return lookup_word(pk, p, name, out);
    uint32_t f = rgc_schema_field(pk, name);
    if (f != RG_NO_INDEX)
        return lookup_field(pk, f, out);
    char head[128];
    snprintf(head, sizeof head, "%.*s", (int)(dot - name), name);
    const char *last = strrchr(name, '.') + 1;
    return lookup_member_of(pk, p, head, last, out);
}

uint32_t rgc_def_written(rgc_pack *pk, uint32_t slot, const char *policy, rgc_written *out, uint32_t max)
{
    uint32_t n = 0;
    if (slot >= pk->defs.n)
        return 0;
    for (const rgc_policy *q = policy_named(pk, policy); q; q = q->parent) {
        for (uint32_t k = 0; k < q->versions.n; k++) {
            const rgc_version *v = q->versions.v[k];
            const rgc_impl *vi = rgc_impl_get(&v->impl, slot);
            if (vi) {
                if (n < max)
                    out[n] = (rgc_written){q->name, v->decl->name, vi->decl->name_loc};
                n++;
            }
        }
        const rgc_impl *own = rgc_impl_get(&q->impl, slot);
        if (own) {
            if (n < max)
                out[n] = (rgc_written){q->name, NULL, own->decl->name_loc};
            n++;
        }
    }
    return n;
}

void rgc_visible_names(rgc_pack *pk, const char *policy, const char *path, rgc_name_fn fn, void *ud)
{
    const rgc_policy *p = policy_named(pk, policy);
    const rg_program *prog = pk->prog;
    char ty[160];
    if (path && strncmp(path, "claim", 5) == 0 && (path[5] == '\0' || path[5] == '.'))
        path = path[5] ? path + 6 : NULL;
    if (path) {
        uint32_t f = rgc_schema_field(pk, path);
        for (uint32_t i = 0; f != RG_NO_INDEX && i < prog->n_fields; i++)
            if (prog->fields[i].parent == (int32_t)f && *rgc_str_text(pk, prog->fields[i].key)) {
                rgc_ty t = rgc_ty_from_packed(prog->fields[i].type);
                t.optional = prog->fields[i].optional;
                rgc_ty_name(pk, &t, ty, sizeof ty);
                fn(ud, rgc_str_text(pk, prog->fields[i].key), RGC_SYM_FIELD, ty);
            }
        if (f != RG_NO_INDEX)
            return;
        for (uint32_t s = 0; s < pk->ledger_decls.n; s++) {
            const rg_decl *l = pk->ledger_decls.v[s];
            if (strcmp(l->name, path) != 0)
                continue;
            for (uint32_t i = 0; i < l->members.n; i++) {
                const rg_member *m = l->members.v[i];
                texpr_text(m->type, ty, sizeof ty);
                fn(ud, m->name, RGC_SYM_LEDGER_FIELD, ty);
            }
            return;
        }
        /* a `for` variable, an element or a catalog row: what an element may hold */
        for (uint32_t i = 0; i < prog->n_fields; i++)
            if (prog->fields[i].in_list && *rgc_str_text(pk, prog->fields[i].key)) {
                rgc_ty t = rgc_ty_from_packed(prog->fields[i].type);
                t.optional = prog->fields[i].optional;
                rgc_ty_name(pk, &t, ty, sizeof ty);
                fn(ud, rgc_str_text(pk, prog->fields[i].key), RGC_SYM_FIELD, ty);
            }
        for (uint32_t i = 0; i < pk->defs.n; i++) {
            rgc_def *d = pk->defs.v[i];
            if (d->per_item && visible_def(d, p)) {
                rgc_ty_name(pk, &d->type, ty, sizeof ty);
                fn(ud, d->name, RGC_SYM_DEF, ty);
            }
        }
        for (uint32_t c = 0; c < pk->catalog_decls.n; c++) {
            const rg_decl *cat = pk->catalog_decls.v[c];
            for (uint32_t i = 0; i < cat->members.n; i++) {
                const rg_member *m = cat->members.v[i];
                texpr_text(m->type, ty, sizeof ty);
                fn(ud, m->name, RGC_SYM_COLUMN, ty);
            }
        }
        return;
    }
    for (uint32_t i = 0; i < pk->defs.n; i++) {
        rgc_def *d = pk->defs.v[i];
        if (!d->per_item && visible_def(d, p)) {
            rgc_ty_name(pk, &d->type, ty, sizeof ty);
            fn(ud, d->name, RGC_SYM_DEF, ty);
        }
    }
    for (uint32_t en = 0; en < prog->n_enums; en++)
        for (uint32_t m = 0; m < prog->enums[en].n_members; m++)
            if (rgc_member_visible(pk, en, m, p))
                fn(ud, rgc_str_text(pk, prog->member_names[prog->enums[en].first_member + m]), RGC_SYM_MEMBER,
                   rgc_str_text(pk, prog->enums[en].name));
    for (uint32_t i = 0; i < pk->policies.n; i++)
        fn(ud, ((rgc_policy *)pk->policies.v[i])->name, RGC_SYM_POLICY, _("region"));
    for (uint32_t i = 0; i < prog->n_fields; i++)
        if (prog->fields[i].parent < 0) {
            rgc_ty t = rgc_ty_from_packed(prog->fields[i].type);
            t.optional = prog->fields[i].optional;
            rgc_ty_name(pk, &t, ty, sizeof ty);
            fn(ud, rgc_str_text(pk, prog->fields[i].key), RGC_SYM_FIELD, ty);
        }
    for (uint32_t i = 0; i < pk->ledger_decls.n; i++)
        fn(ud, ((rg_decl *)pk->ledger_decls.v[i])->name, RGC_SYM_LEDGER, _("ledger"));
    for (uint32_t i = 0; i < pk->catalog_decls.n; i++)
        fn(ud, ((rg_decl *)pk->catalog_decls.v[i])->name, RGC_SYM_CATALOG, _("catalog"));
    for (uint32_t i = 0; i < pk->bracket_decls.n; i++)
        fn(ud, ((rg_decl *)pk->bracket_decls.v[i])->name, RGC_SYM_BRACKETS, _("brackets"));
    for (uint32_t i = 0; i < prog->n_externs; i++)
        fn(ud, rgc_str_text(pk, prog->externs[i].name), RGC_SYM_EXTERN, _("host function"));
    const char *s;
    for (uint32_t i = 0; (s = rgc_builtin_name_at(i)) != NULL; i++)
        fn(ud, s, RGC_SYM_BUILTIN, _("built-in function"));
    for (uint32_t i = 0; (s = rgc_type_name_at(i)) != NULL; i++)
        fn(ud, s, RGC_SYM_TYPE, _("type"));
}
