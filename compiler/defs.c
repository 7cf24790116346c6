/* defs.c — definitions and their implementations: the slots the base policy
 * creates, each policy's and version's bodies, merged table rows, the result's
 * definitions, and a definition's type. Must not emit code (emit.c) nor run
 * the check pass (check.c); it compiles a body only to infer its type. */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "builder.h"
#include "fullwidth.h"
#include "i18n.h"
#include "opcodes.h"
#include "i18n.h"

int rgc_policy_within(const rgc_policy *p, const rgc_policy *ancestor)
{
    if (!ancestor)
        return 0;
    while (p && p->depth > ancestor->depth) /* only a policy as deep as it can be it */
        p = p->parent;
    return p == ancestor;
}

int rgc_def_visible(rgc_pack *pk, const char *name, const char *policy)
{
    int pol = rgc_policy_index(pk, policy);
    return pol >= 0 && rgc_find_def_in(pk, name, pk->policies.v[pol]) != NULL;
}

rgc_def *rgc_find_def(rgc_pack *pk, const char *name)
{
    uint32_t e = rgc_names_find(&pk->def_names, name);
    return e == RG_NO_INDEX ? NULL : pk->defs.v[pk->def_names.ents[e].value];
}

rgc_def *rgc_find_def_in(rgc_pack *pk, const char *name, const rgc_policy *p)
{
    if (!p)
        p = pk->root;
    /* the definitions of that name (regions may each declare their own), in slot order */
    for (uint32_t e = rgc_names_find(&pk->def_names, name); e != RG_NO_INDEX; e = pk->def_names.ents[e].next) {
        rgc_def *d = pk->defs.v[pk->def_names.ents[e].value];
        if (!d->owner || rgc_policy_within(p, d->owner))
            return d;
    }
    return NULL;
}

void rgc_add_impl(rgc_pack *pk, rgc_impl *im)
{
    rg_vec_push(&pk->impls, im);
    im->next_of_def = NULL;
    if (!im->def->n_impls++)
        im->def->first_impl = im;
    else
        im->def->last_impl->next_of_def = im;
    im->def->last_impl = im;
}

static rgc_def *new_def(rgc_pack *pk, rg_decl *d, uint32_t list, rgc_policy *owner)
{
    rgc_def *def = rg_arena_alloc(&pk->arena, sizeof *def);
    def->name = d->name;
    def->slot = pk->defs.n;
    def->root = d;
    def->per_item = list != RG_NO_INDEX;
    def->list = list;
    def->owner = owner;
    def->kind = d->kind == RG_D_PARAM ? RG_DEF_PARAM : d->kind == RG_D_TABLE ? RG_DEF_TABLE
                : d->kind == RG_D_DECIDE ? RG_DEF_DECIDE : RG_DEF_DEF;
    if (def->per_item)
        def->item_index = pk->prog->n_item_defs++;
    rgc_names_add(&pk->def_names, def->name, def->slot);
    rg_vec_push(&pk->defs, def);
    return def;
}

/* Does d declare a new name (a type written; a table's inputs) rather than
 * override one? */
static int declares(const rg_decl *d)
{
    return d->kind == RG_D_TABLE ? d->hit_first >= 0 : d->type != NULL;
}

static const char *def_noun(const rg_decl *d)
{
    return d->kind == RG_D_PARAM ? "param" : d->kind == RG_D_TABLE ? "table" : d->kind == RG_D_DECIDE ? "decide" : "def";
}

static int is_def_decl(rg_decl *d)
{
    return d->kind == RG_D_PARAM || d->kind == RG_D_DEF || d->kind == RG_D_TABLE || d->kind == RG_D_DECIDE;
}

static void add_impl(rgc_pack *pk, rgc_policy *p, rgc_version *v, rg_decl *d, uint32_t list)
{
    int per_item = list != RG_NO_INDEX;
    rgc_def *def = rgc_find_def_in(pk, d->name, p);
    if (def && def->root == d)
        ; /* a name this policy declares: the declaration is its first implementation */
    else if (!def) {
        const char *cands[512];
        uint32_t n = 0;
        for (uint32_t i = 0; i < pk->defs.n && n < 512; i++) {
            rgc_def *c = pk->defs.v[i];
            if (!c->hidden && (!c->owner || rgc_policy_within(p, c->owner)))
                cands[n++] = c->name;
        }
        const char *best = rgc_closest(d->name, cands, n);
        char hint[240], declare[120];
        snprintf(declare, sizeof declare, "%s %s: TYPE%s", def_noun(d), d->name,
                 d->kind == RG_D_TABLE ? " by (inputs) { rows }" : d->kind == RG_D_DECIDE ? " { arms }" : " = …");
        if (best)
            snprintf(hint, sizeof hint, _("did you mean '%s'? To declare a new one, give its type: %s"), best, declare);
        else
            snprintf(hint, sizeof hint, _("to declare a new one, give its type: %s"), declare);
        rgc_error(pk, d->name_loc, hint, _("%s overrides '%s', which %s does not define"), p->name, d->name,
                  p->parent ? p->parent->name : pk->root->name);
        return;
    } else {
        if (declares(d)) {
            const rg_source *src = rg_diag_source(pk->diag, def->root->name_loc.file);
            char hint[300];
            int same_kind = (def->kind == RG_DEF_TABLE) == (d->kind == RG_D_TABLE) &&
                            (def->kind == RG_DEF_DECIDE) == (d->kind == RG_D_DECIDE);
            if (def->owner == p)
                snprintf(hint, sizeof hint, _("%s declares it twice: keep one of them"), p->name);
            else if (!same_kind)
                snprintf(hint, sizeof hint, _("give the new one a name of its own; '%s' is a %s there, overridden as one"),
                         d->name, def->kind == RG_DEF_TABLE ? _("table") : def->kind == RG_DEF_DECIDE ? _("decision")
                                                                                                   : _("value"));
            else
                snprintf(hint, sizeof hint, _("to override it, write `%s %s %s` without the %s"), def_noun(d), d->name,
                         d->kind == RG_D_TABLE ? "{ rows }" : d->kind == RG_D_DECIDE ? "{ arms }" : "= …",
                         d->kind == RG_D_TABLE ? _("type and inputs") : _("type"));
            rgc_error_related(pk, d->name_loc, hint, def->root->name_loc, _("declared here"),
                              _("'%s' is already declared by %s (%s:%u)"), d->name,
                      def->owner ? def->owner->name : pk->root->name, src ? src->path : "?",
                      rgc_line(pk, def->root->name_loc));
            return;
        }
        if (def->per_item != per_item || (per_item && def->list != list)) {
            rgc_error(pk, d->name_loc, def->per_item ? _("override it inside `for item in items { … }`") : NULL,
                      def->per_item ? _("'%s' is defined for each item in %s") : _("'%s' is not per item in %s"),
                      d->name, pk->root->name);
            return;
        }
        if ((def->kind == RG_DEF_TABLE) != (d->kind == RG_D_TABLE) ||
            (def->kind == RG_DEF_DECIDE) != (d->kind == RG_D_DECIDE)) {
            char hint[200];
            snprintf(hint, sizeof hint, def->kind == RG_DEF_TABLE ? _("override it as a table: `table %s { | … -> … }`")
                                        : def->kind == RG_DEF_DECIDE ? _("override it as a decision: `decide %s { when … -> … }`")
                                                                     : _("override it as a value: `def %s = …` (or param)"),
                     d->name);
            rgc_error(pk, d->name_loc, hint, _("'%s' is a %s in %s and must be overridden as one"), d->name,
                      def->kind == RG_DEF_TABLE ? _("table") : def->kind == RG_DEF_DECIDE ? _("decision") : _("value"),
                      pk->root->name);
            return;
        }
        if (d->kind == RG_D_TABLE && d->hit_first >= 0) {
            rgc_error(pk, d->loc, _("a child lists only the rows it changes: table NAME { | … -> … }"),
                      _("table '%s' keeps the inputs its base policy gave it"), d->name);
            return;
        }
    }
    rgc_impl_map *map = v ? &v->impl : &p->impl;
    rgc_impl *first = rgc_impl_get(map, def->slot);
    if (first) {
        rgc_error_related(pk, d->name_loc, _("keep one of them: a policy (or a version) gives each name once"),
                          first->decl->name_loc, _("first defined here"), _("'%s' is defined twice in %s (first at line %u)"),
                          d->name, v ? _("this version") : p->name, rgc_line(pk, first->decl->name_loc));
        return;
    }
    rgc_impl *im = rg_arena_alloc(&pk->arena, sizeof *im);
    im->decl = d;
    im->def = def;
    im->policy = p;
    im->version = v;
    rgc_impl_set(map, def->slot, im);
    rgc_add_impl(pk, im);
}

uint32_t rgc_list_field(rgc_pack *pk, const char *path)
{
    const rg_program *p = pk->prog;
    for (uint32_t i = 0; i < p->n_fields; i++)
        if (RG_TYPE_KIND(p->fields[i].type) == RG_T_LIST && strcmp(rgc_str_text(pk, p->fields[i].path), path) == 0)
            return i;
    return RG_NO_INDEX;
}

/* A `for x in LIST { … }` block: top level, over a list of the claim. Marks
 * its declarations as belonging to it; the list's field, or RG_NO_INDEX. */
static uint32_t each_block_list(rgc_pack *pk, rg_decl *d, uint32_t nested, rgc_version *v)
{
    if (nested != RG_NO_INDEX || v) {
        rgc_error(pk, d->loc, _("write the block at the top of the policy, outside any other block"),
                  _("`for %s in %s` blocks cannot nest or sit in a version"), d->var, d->list);
        return RG_NO_INDEX;
    }
    uint32_t lf = rgc_list_field(pk, d->list);
    if (lf == RG_NO_INDEX) {
        const char *cands[64];
        uint32_t n = 0;
        for (uint32_t i = 0; i < pk->prog->n_fields && n < 64; i++)
            if (RG_TYPE_KIND(pk->prog->fields[i].type) == RG_T_LIST)
                cands[n++] = rgc_str_text(pk, pk->prog->fields[i].path);
        const char *best = rgc_closest(d->list, cands, n);
        char hint[160];
        snprintf(hint, sizeof hint, _("did you mean '%s'?"), best ? best : "");
        rgc_error(pk, d->loc, best ? hint : _("per-element definitions range over a list of the claim, e.g. items"),
                  _("'%s' is not a list of the claim"), d->list);
        return RG_NO_INDEX;
    }
    for (uint32_t k = 0; k < d->decls.n; k++)
        ((rg_decl *)d->decls.v[k])->each = d;
    return lf;
}

/* A new definition named as a ledger that its region, or one above or under
 * it, sees: `yearly` and `yearly.visits` would mean two things there. */
static void ledger_clash(rgc_pack *pk, rg_decl *d, rgc_policy *owner)
{
    uint32_t e = rgc_names_find(&pk->ledger_names, d->name);
    if (e == RG_NO_INDEX)
        return;
    uint32_t s = pk->ledger_names.ents[e].value;
    rgc_policy *p = owner ? owner : pk->root, *lo = pk->policies.v[pk->prog->ledger_scopes[s].owner];
    if (!rgc_policy_within(p, lo) && !rgc_policy_within(lo, p))
        return; /* regions apart: neither sees the other's name */
    rg_decl *o = pk->ledger_decls.v[s];
    if (p != lo && rgc_policy_within(lo, p)) { /* the ledger is the later name, in a region under the definition's */
        const rg_source *src = rg_diag_source(pk->diag, d->name_loc.file);
        rgc_error_related(pk, o->name_loc, _("give the new ledger a name of its own"), d->name_loc, _("declared here"),
                          _("'%s' is already the name of a definition, declared by %s (%s:%u)"), d->name, p->name,
                          src ? src->path : "?", rgc_line(pk, d->name_loc));
        return;
    }
    const rg_source *src = rg_diag_source(pk->diag, o->name_loc.file);
    rgc_error_related(pk, d->name_loc, _("give the definition a name of its own"), o->name_loc, _("declared here"),
                      _("'%s' is already the name of a ledger, declared by %s (%s:%u)"), d->name, lo->name,
                      src ? src->path : "?", rgc_line(pk, o->name_loc));
}

static void create_root_defs(rgc_pack *pk, rg_vec *decls, uint32_t list)
{
    for (uint32_t i = 0; i < decls->n; i++) {
        rg_decl *d = decls->v[i];
        if (is_def_decl(d)) {
            rgc_def *twin = rgc_find_def(pk, d->name);
            if (twin) {
                const rg_source *src = rg_diag_source(pk->diag, twin->root->name_loc.file);
                rgc_error_related(pk, d->name_loc, _("keep one of them, or rename one if both are needed"),
                                  twin->root->name_loc, _("first defined here"), _("'%s' is defined twice (first at %s:%u)"),
                                  d->name, src ? src->path : "?", rgc_line(pk, twin->root->name_loc));
                continue;
            }
            if (d->kind == RG_D_TABLE && d->hit_first < 0) {
                rgc_error(pk, d->loc, _("write `table NAME: TYPE by (inputs) { rows }`"),
                          _("table '%s' needs its result type and inputs"), d->name);
                continue;
            }
            if (rgc_child_field(pk, -1, d->name) != RG_NO_INDEX)
                rgc_error(pk, d->name_loc, _("rename the definition"), _("'%s' is also a field of the claim"), d->name);
            ledger_clash(pk, d, NULL);
            new_def(pk, d, list, NULL);
        } else if (d->kind == RG_D_EACH) {
            uint32_t lf = each_block_list(pk, d, list, NULL);
            if (lf != RG_NO_INDEX)
                create_root_defs(pk, &d->decls, lf);
        }
    }
}

/* A region's own new names (declarations with a type; tables with inputs)
 * that nothing it inherits has: definitions it owns, for itself and the
 * regions under it. */
static void create_region_defs(rgc_pack *pk, rgc_policy *p, rg_vec *decls, uint32_t list)
{
    for (uint32_t i = 0; i < decls->n; i++) {
        rg_decl *d = decls->v[i];
        if (is_def_decl(d) && (declares(d) || d->declares_new) && !rgc_find_def_in(pk, d->name, p)) {
            if (rgc_child_field(pk, -1, d->name) != RG_NO_INDEX)
                rgc_error(pk, d->name_loc, _("rename the definition"), _("'%s' is also a field of the claim"), d->name);
            ledger_clash(pk, d, p);
            new_def(pk, d, list, p);
        } else if (d->kind == RG_D_EACH && list == RG_NO_INDEX) {
            uint32_t lf = rgc_list_field(pk, d->list);
            if (lf != RG_NO_INDEX)
                create_region_defs(pk, p, &d->decls, lf);
        }
    }
}

static void collect_defs(rgc_pack *pk, rgc_policy *p, rgc_version *v, rg_vec *decls, uint32_t list)
{
    for (uint32_t i = 0; i < decls->n; i++) {
        rg_decl *d = decls->v[i];
        if (is_def_decl(d)) {
            rgc_def *own = v ? NULL : rgc_find_def_in(pk, d->name, p);
            if (v && declares(d) && !rgc_find_def_in(pk, d->name, p)) {
                rgc_error(pk, d->name_loc, _("declare it outside the version, then override it in the version"),
                          _("a version overrides names; '%s' is new"), d->name);
                continue;
            }
            if (own && own->root == d && own->owner == p && p != pk->root) {
                /* a region's own declaration: its first implementation */
                rgc_impl *im = rg_arena_alloc(&pk->arena, sizeof *im);
                im->decl = d;
                im->def = own;
                im->policy = p;
                rgc_impl_set(&p->impl, own->slot, im);
                rgc_add_impl(pk, im);
                continue;
            }
            add_impl(pk, p, v, d, list);
        } else if (d->kind == RG_D_EACH) {
            uint32_t lf = each_block_list(pk, d, list, v);
            if (lf != RG_NO_INDEX)
                collect_defs(pk, p, v, &d->decls, lf);
        }
    }
}

/* A cell's text read as the scanner reads it: full-width look-alikes as
 * their ASCII characters, spaces outside strings skipped (a cell is the same
 * however it is spaced). */
typedef struct {
    const char *t;
    uint32_t i, end;
    int quoted;
} cell_cursor;

static cell_cursor cell_at(rgc_pack *pk, const rg_pattern *x)
{
    return (cell_cursor){rg_diag_source(pk->diag, x->loc.file)->text, x->loc.start, x->loc.end, 0};
}

/* The cell's next character, '\0' at its end. */
static char cell_char(cell_cursor *c)
{
    while (c->i < c->end) {
        char ascii;
        size_t n = c->quoted ? 0 : rg_fullwidth_at(c->t + c->i, c->end - c->i, &ascii);
        char ch = n ? ascii : c->t[c->i];
        c->i += n ? (uint32_t)n : 1;
        if (ch == '"' && !(c->quoted && c->t[c->i - 2] == '\\'))
            c->quoted = !c->quoted;
        if (c->quoted || (ch != ' ' && ch != '\t'))
            return ch;
    }
    return '\0';
}

/* Do rows a and b have the same cells, as the scanner reads them? */
static int same_cells(rgc_pack *pk, const rg_row *a, const rg_row *b)
{
    if (a->pats.n != b->pats.n)
        return 0;
    for (uint32_t k = 0; k < a->pats.n; k++) {
        cell_cursor x = cell_at(pk, a->pats.v[k]), y = cell_at(pk, b->pats.v[k]);
        for (;;) {
            char cx = cell_char(&x), cy = cell_char(&y);
            if (cx != cy)
                return 0;
            if (!cx)
                break;
        }
    }
    return 1;
}

static uint32_t cells_hash(rgc_pack *pk, const rg_row *r)
{
    uint32_t h = 2166136261u ^ r->pats.n;
    for (uint32_t k = 0; k < r->pats.n; k++) {
        cell_cursor x = cell_at(pk, r->pats.v[k]);
        for (char ch; (ch = cell_char(&x));)
            h = (h ^ (unsigned char)ch) * 16777619u;
        h = (h ^ 0x1f) * 16777619u; /* between cells */
    }
    return h;
}

/* out = base's rows, each replaced by the row of d with the same cells, then
 * d's other rows in order (a row of d with the cells of an earlier one of d is
 * an error, unless d says that later rows replace: the REPL's overrides). Rows
 * are found by their cells' text through a hash table. */
static void merge_rows(rgc_pack *pk, rg_vec *out, rg_vec *base, const rg_decl *d)
{
    const rg_vec *over = &d->rows;
    uint32_t cap = 16;
    while (cap < 2 * (base->n + over->n))
        cap *= 2;
    uint32_t *at = malloc(cap * sizeof *at); /* positions in out, by hash; UINT32_MAX empty */
    uint8_t *own = calloc(base->n + over->n + 1, 1); /* by position in out: a row of d's */
    if (!at || !own)
        abort();
    memset(at, 0xFF, cap * sizeof *at);
    for (uint32_t i = 0; i < base->n + over->n; i++) {
        rg_row *r = i < base->n ? base->v[i] : over->v[i - base->n];
        uint32_t h = cells_hash(pk, r) & (cap - 1);
        while (at[h] != UINT32_MAX && !same_cells(pk, out->v[at[h]], r))
            h = (h + 1) & (cap - 1);
        if (at[h] != UINT32_MAX && i >= base->n) {
            rg_row *b = out->v[at[h]];
            /* the same cells twice in this declaration: the second would hide the first */
            if (own[at[h]] && !d->later_rows_replace) {
                char where[200], hint[400];
                rgc_place(pk, r->loc, b->loc, where, sizeof where);
                snprintf(hint, sizeof hint, _("a table lists each case once: remove one of the two rows, or "
                                              "correct its cells (the other is at %s)"), where);
                rgc_error_related(pk, r->loc, hint, b->loc, _("the same cells"),
                                  _("this row has the same cells as the row at %s"), where);
            }
            out->v[at[h]] = r;
            own[at[h]] = 1;
            continue;
        }
        if (at[h] == UINT32_MAX)
            at[h] = out->n;
        own[out->n] = i >= base->n;
        rg_vec_push(out, r);
    }
    free(at);
    free(own);
}

static rg_vec *base_rows(rgc_policy *p, rgc_def *def)
{
    for (rgc_policy *q = p; q; q = q->parent)
        if (rgc_impl_get(&q->impl, def->slot))
            return &rgc_impl_get(&q->impl, def->slot)->rows;
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
            rgc_impl *im = rgc_impl_get(&p->impl, s);
            if (im) {
                rg_vec empty = {0};
                rg_vec *base = p->parent ? base_rows(p->parent, def) : &empty;
                merge_rows(pk, &im->rows, base ? base : &empty, im->decl);
            }
            for (uint32_t k = 0; k < p->versions.n; k++) {
                rgc_version *v = p->versions.v[k];
                rgc_impl *vi = rgc_impl_get(&v->impl, s);
                if (!vi)
                    continue;
                rg_vec empty = {0};
                rg_vec *base = base_rows(p, def);
                merge_rows(pk, &vi->rows, base ? base : &empty, vi->decl);
            }
        }
    }
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
            rgc_error(pk, a->loc, _("name the field of the result line: result { fund = fund }"),
                      _("a result field is a plain name"));
            continue;
        }
        int twice = 0;
        for (uint32_t k = 0; k < i && !twice; k++) {
            rg_assign *o = pk->result->assigns.v[k];
            if (o->path.n == 1 && strcmp(o->path.v[0], a->path.v[0]) == 0) {
                rgc_error_related(pk, a->loc, _("a result line has each field once: keep one of them"), o->loc,
                                  _("first given here"), _("the result field '%s' is given twice"),
                                  (const char *)a->path.v[0]);
                twice = 1;
            }
        }
        if (twice)
            continue;
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
            d = new_def(pk, syn, RG_NO_INDEX, NULL);
            d->hidden = 1;
            a->value->sema = d;
        } else {
            a->value->sema = d;
        }
    }
}

/* The `reject` rules of every policy are one definition, computed when a
 * claim begins (rg_vm_begin): a policy with rules of its own implements it
 * with its ancestors' rules and then its own. */
static void validate_def(rgc_pack *pk)
{
    int any = 0;
    for (uint32_t i = 0; i < pk->policies.n && !any; i++)
        any = ((rgc_policy *)pk->policies.v[i])->rejects.n > 0;
    if (!any)
        return;
    rg_decl *syn = rg_arena_alloc(&pk->arena, sizeof *syn);
    rg_decl *first = ((rgc_policy *)pk->policies.v[0])->rejects.n ? ((rgc_policy *)pk->policies.v[0])->rejects.v[0] : NULL;
    for (uint32_t i = 0; !first && i < pk->policies.n; i++)
        if (((rgc_policy *)pk->policies.v[i])->rejects.n)
            first = ((rgc_policy *)pk->policies.v[i])->rejects.v[0];
    syn->kind = RG_D_DEF;
    syn->loc = syn->name_loc = first->loc;
    syn->name = "reject rules";
    syn->type = rg_arena_alloc(&pk->arena, sizeof *syn->type);
    syn->type->name = "bool";
    syn->type->loc = first->loc;
    rgc_def *d = new_def(pk, syn, RG_NO_INDEX, NULL);
    d->hidden = 1;
    pk->validate = d;
}

/* Definitions: the base policy's create the slots; then every policy's and
 * version's bodies, and the rows each table has in each of them. */
void rgc_define(rgc_pack *pk)
{
    rgc_policy *root = pk->root;
    create_root_defs(pk, &root->ast->decls, RG_NO_INDEX);
    for (uint32_t i = 1; i < pk->policies.n; i++) {
        rgc_policy *pol = pk->policies.v[i];
        create_region_defs(pk, pol, &pol->ast->decls, RG_NO_INDEX);
    }
    result_defs(pk);
    validate_def(pk);
    for (uint32_t i = 0; i < pk->defs.n; i++) {
        rgc_def *d = pk->defs.v[i];
        if (d->owner || d == pk->validate)
            continue; /* a region's own: its impl comes with the region's declarations */
        rgc_impl *im = rg_arena_alloc(&pk->arena, sizeof *im);
        im->decl = d->root;
        im->def = d;
        im->policy = root;
        rgc_impl_set(&root->impl, d->slot, im);
        rgc_add_impl(pk, im);
    }
    for (uint32_t i = 1; i < pk->policies.n; i++) {
        rgc_policy *pol = pk->policies.v[i];
        collect_defs(pk, pol, NULL, &pol->ast->decls, RG_NO_INDEX);
    }
    for (uint32_t i = 0; i < pk->policies.n; i++) {
        rgc_policy *pol = pk->policies.v[i];
        for (uint32_t k = 0; k < pol->versions.n; k++) {
            rgc_version *v = pol->versions.v[k];
            collect_defs(pk, pol, v, &v->decl->decls, RG_NO_INDEX);
        }
        if (pk->validate && (pol->rejects.n || pol == pk->root)) {
            /* the policy's rules after those it inherits (rgc_body) */
            rgc_impl *im = rg_arena_alloc(&pk->arena, sizeof *im);
            im->decl = pk->validate->root;
            im->def = pk->validate;
            im->policy = pol;
            rgc_impl_set(&pol->impl, pk->validate->slot, im);
            rgc_add_impl(pk, im);
        }
    }
    table_rows(pk);
}

rgc_impl *rgc_impls_next(rgc_impls *it)
{
    while (it->p) {
        const rgc_policy *p = it->p;
        while (it->k < p->versions.n) {
            rgc_impl *im = rgc_impl_get(&((const rgc_version *)p->versions.v[it->k++])->impl, it->slot);
            if (im)
                return im;
        }
        rgc_impl *own = rgc_impl_get(&p->impl, it->slot);
        it->p = own ? NULL : p->parent; /* its own top-level one is the last */
        it->k = 0;
        if (own)
            return own;
    }
    return NULL;
}

rgc_impl *rgc_the_impl(const rgc_policy *p, uint32_t slot)
{
    rgc_impls it = rgc_impls_of(p, slot);
    rgc_impl *im = rgc_impls_next(&it);
    return im && !im->version && !rgc_impls_next(&it) ? im : NULL;
}

static int cmp_u32(const void *a, const void *b)
{
    uint32_t x = *(const uint32_t *)a, y = *(const uint32_t *)b;
    return x < y ? -1 : x > y;
}

void rgc_sort_u32(uint32_t *v, size_t n)
{
    qsort(v, n, sizeof *v, cmp_u32);
}

static void add_keys(rgc_slot_list *l, const rgc_impl_map *m)
{
    for (uint32_t i = 0; i < m->cap; i++) {
        if (!m->keys[i])
            continue;
        if (l->n == l->cap) {
            l->cap = l->cap ? l->cap * 2 : 64;
            l->v = realloc(l->v, l->cap * sizeof *l->v);
            if (!l->v)
                abort(); /* as the compiler's arena does */
        }
        l->v[l->n++] = m->keys[i] - 1;
    }
}

void rgc_written_slots(const rgc_policy *pol, rgc_slot_list *l)
{
    l->n = 0;
    add_keys(l, &pol->impl);
    for (uint32_t k = 0; k < pol->versions.n; k++)
        add_keys(l, &((const rgc_version *)pol->versions.v[k])->impl);
    if (l->n > 1)
        rgc_sort_u32(l->v, l->n);
    uint32_t u = 0;
    for (uint32_t i = 0; i < l->n; i++)
        if (u == 0 || l->v[u - 1] != l->v[i])
            l->v[u++] = l->v[i];
    l->n = u;
}

/* ---- typing of definitions ---- */

/* Bind a per-element body's variable (`for p in LIST`) to row source row. */
void rgc_bind_each(rgc_pack *pk, const char *var, uint32_t list, uint32_t row)
{
    pk->cur.in_each = 1;
    pk->cur.each_list = list;
    pk->cur.each_row = row;
    pk->cur.scope[0].name = var;
    pk->cur.scope[0].local = row;
    pk->cur.scope[0].list = list;
    pk->cur.n_scope = 1;
}

/* One rule: when its condition holds, the claim is refused with its message. */
static void reject_rule(rgc_pack *pk, rg_decl *d)
{
    rgc_ty c = rgc_cond(pk, d->value);
    uint32_t skip = rgc_emit(pk, RG_OP_JUMP_IF_FALSE, 0, 0);
    int depth = pk->cur.depth;
    if (d->inputs.n == 0)
        rgc_emit(pk, RG_OP_PUSH_STR, rgc_writes_code(pk) ? rgc_str(pk, "") : 0, 0);
    for (uint32_t i = 0; i < d->inputs.n; i++) {
        rg_expr *part = d->inputs.v[i];
        rgc_ty t = rgc_expr(pk, part, NULL);
        if (t.k == RGC_K_SCALAR && t.scalar != RG_T_STRING && t.scalar != RG_T_LIST && t.scalar != RG_T_ROW &&
            t.scalar != RG_T_ELEM)
            rgc_emit(pk, RG_OP_TO_TEXT, rgc_ty_pack(&t), 0);
        else if (t.k != RGC_K_SCALAR || t.scalar != RG_T_STRING) {
            if (t.k != RGC_K_ERROR) {
                char tn[96];
                rgc_ty_name(pk, &t, tn, sizeof tn);
                rgc_error(pk, part->loc, _("a message shows plain values: a date, an amount, a name…"),
                          _("%s cannot be shown in a message"), tn);
            }
            rgc_emit(pk, RG_OP_PUSH_STR, rgc_writes_code(pk) ? rgc_str(pk, "") : 0, 0);
        }
        if (i > 0)
            rgc_emit(pk, RG_OP_CONCAT, 0, 0);
    }
    rgc_emit(pk, RG_OP_REJECT, 0, 0);
    pk->cur.depth = depth;
    rgc_patch(pk, skip, 0, rgc_here(pk));
    (void)c;
}

/* The validation the policy above im's runs, when the check pass checked it
 * already: what it reads is what the rules above im's policy read, found in
 * the same order. NULL when there is none or it is not one implementation. */
static const rgc_impl *validation_above(const rgc_impl *im)
{
    if (!im->policy->parent || im->version)
        return NULL;
    const rgc_impl *above = rgc_the_impl(im->policy->parent, im->def->slot);
    return above && above->checked ? above : NULL;
}

/* The validation definition of policy im->policy: every `reject` rule from
 * the base policy's down to its own, in file order; rules in a `for x in
 * LIST` block run for each element in turn. Its value is true. */
static rgc_ty reject_rules(rgc_pack *pk, rgc_impl *im)
{
    rgc_policy *chain[256];
    uint32_t n = 0;
    for (rgc_policy *q = im->policy; q && n < 256; q = q->parent)
        chain[n++] = q;
    rgc_pass pass = pk->pass;
    /* checking, the rules above the policy's own are compiled only for what
     * they read (their errors are told where they are written): the check of
     * the validation above found that already */
    const rgc_impl *above = pass == RGC_PASS_CHECK && pk->cur.impl == im && !im->deps.n ? validation_above(im) : NULL;
    if (above) {
        for (uint32_t k = 0; k < above->deps.n; k++)
            rg_vec_push(&im->deps, above->deps.v[k]);
        for (uint32_t k = 0; k < above->strict_deps.n; k++)
            rg_vec_push(&im->strict_deps, above->strict_deps.v[k]);
        n = 1;
    }
    while (n-- > 0) {
        rgc_policy *q = chain[n];
        /* a rule is checked, and its errors told, where it is written; in the
         * regions under it, it is compiled again, quietly */
        if (pass == RGC_PASS_CHECK && q != im->policy)
            pk->pass = RGC_PASS_INFER;
        else
            pk->pass = pass;
        pk->cur.policy = q; /* and read as where it is written */
        if (rgc_plan_memo_reuse(pk, &q->rejects, q)) /* the same rules, compiled for another region under q */
            continue;
        rgc_plan_memo_watch(pk, &q->rejects, q);
        for (uint32_t i = 0; i < q->rejects.n; i++) {
            rg_decl *d = q->rejects.v[i];
            if (d->kind == RG_D_REJECT) {
                pk->cur.in_each = 0;
                pk->cur.n_scope = 0;
                pk->cur.each_row = RG_ROW_OF_FRAME;
                reject_rule(pk, d);
                continue;
            }
            uint32_t lf = rgc_list_field(pk, d->list);
            if (lf == RG_NO_INDEX)
                continue; /* reported with the block's definitions */
            uint32_t row = rgc_local(pk);
            rgc_local(pk); /* row + 1: the end of the rows (ITER_START) */
            rgc_emit(pk, RG_OP_ITER_START, pk->prog->fields[lf].list, row);
            uint32_t next = rgc_emit(pk, RG_OP_ITER_NEXT, row, 0);
            uint32_t body = rgc_here(pk);
            rgc_bind_each(pk, d->var, lf, row);
            for (uint32_t k = 0; k < d->decls.n; k++)
                if (((rg_decl *)d->decls.v[k])->kind == RG_D_REJECT)
                    reject_rule(pk, d->decls.v[k]);
            pk->cur.in_each = 0;
            pk->cur.n_scope = 0;
            pk->cur.each_row = RG_ROW_OF_FRAME;
            uint32_t loop = rgc_emit(pk, RG_OP_ITER_LOOP, row, 0);
            rgc_patch(pk, loop, 1, body);
            rgc_patch(pk, next, 1, rgc_here(pk));
        }
        rgc_plan_memo_done(pk);
    }
    pk->pass = pass;
    pk->cur.policy = im->policy;
    rgc_emit_value(pk, 1);
    return rgc_ty_scalar(RG_T_BOOL);
}

rgc_ty rgc_body(rgc_pack *pk, rgc_impl *im)
{
    rg_decl *d = im->decl;
    pk->cur.policy = im->policy;
    pk->cur.in_each = 0;
    pk->cur.n_scope = 0;
    pk->cur.each_row = RG_ROW_OF_FRAME;
    if (im->def->per_item)
        rgc_bind_each(pk, d->each ? d->each->var : "item", im->def->list, RG_ROW_OF_FRAME);
    if (im->def == pk->validate)
        return reject_rules(pk, im);
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

/* The implementation its declaration gives (the base policy's, or the region's that declared it). */
static rgc_impl *root_impl(rgc_pack *pk, rgc_def *d)
{
    return rgc_impl_get(&(d->owner ? d->owner : pk->root)->impl, d->slot);
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
        if (rgc_resolve_type(pk, d->root->type, &t) == 0 && t.k != RGC_K_SCALAR) {
            rgc_error(pk, d->root->type->loc, NULL, _("a definition's value is a plain value, not a record"));
            t.k = RGC_K_ERROR;
        } else if (t.k == RGC_K_SCALAR && d->kind != RG_DEF_PARAM && d->root->type->has_range && t.scalar != RG_T_INT) {
            rgc_misplaced_range(pk, d->root->type);
            t.k = RGC_K_ERROR;
        }
        t.has_range = 0;
    } else if (root_impl(pk, d)) {
        __typeof__(pk->cur) saved = pk->cur;
        rgc_pass saved_pass = pk->pass;
        pk->pass = RGC_PASS_INFER; /* the check pass reports this body's errors */
        rgc_chunk_begin(pk);
        pk->cur.impl = NULL;
        t = rgc_body(pk, root_impl(pk, d));
        pk->cur = saved;
        pk->pass = saved_pass;
        if (t.k == RGC_K_NONE) {
            rgc_error(pk, d->root->loc, _("declare its type, e.g. `def x: money? = none`"),
                      _("the type of '%s' cannot be inferred from none"), d->name);
            t.k = RGC_K_ERROR;
        } else if (t.k != RGC_K_SCALAR && t.k != RGC_K_ERROR) {
            char tn[96];
            rgc_ty_name(pk, &t, tn, sizeof tn);
            rgc_error(pk, d->root->value->loc,
                      t.k == RGC_K_ITEMS ? _("a definition holds one value: count the list (`count x in L`), sum it, "
                                             "or take one element (`first x in L where …`)")
                                         : NULL,
                      _("'%s' must be a value, this is %s"), d->name, tn);
            t.k = RGC_K_ERROR;
        }
        t.has_range = 0;
    }
    d->type = t;
    d->type_state = 2;
    return t;
}
