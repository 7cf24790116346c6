/* overrides.c — :set, :unset, :overrides: session-only changes of parameters, definitions and table rows, as extra declarations.
 * Must not touch the policy files: a changed version is rewritten from its source into the extra text. */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "compiler.h"
#include "repl.h"
#include "i18n.h"
#include "text.h"

void repl_override_free(repl_override *o)
{
    free(o->policy);
    free(o->version);
    free(o->name);
    free(o->text);
    free(o->key);
    free(o->shown);
    memset(o, 0, sizeof *o);
}

void repl_free_extras(rgc_extra *x, uint32_t n)
{
    for (uint32_t i = 0; i < n; i++)
        free((char *)x[i].text);
    free(x);
}

/* ---- source text of declarations ---- */

static const char *src_text(const repl_build *b, rg_loc loc, size_t *len)
{
    const rg_source *s = rg_diag_source(&b->diag, loc.file);
    if (!s || loc.end > s->len || loc.end < loc.start) {
        *len = 0;
        return "";
    }
    *len = loc.end - loc.start;
    return s->text + loc.start;
}

/* A table declaration with ROWS added before its closing brace. */
static void table_with_rows(rg_sb *b, const repl_build *base, const rg_decl *d, const char *rows)
{
    size_t len;
    const char *t = src_text(base, d->loc, &len);
    while (len && t[len - 1] != '}')
        len--;
    if (len)
        len--;
    rg_sb_put(b, t, len);
    rg_sb_printf(b, "\n%s}\n", rows);
}

static rgc_policy *find_policy(rgc_pack *pk, const char *name)
{
    for (uint32_t i = 0; i < pk->policies.n; i++) {
        rgc_policy *p = pk->policies.v[i];
        if (strcmp(p->name, name) == 0)
            return p;
    }
    return NULL;
}

static rgc_version *find_version(rgc_policy *p, const char *name)
{
    for (uint32_t i = 0; p && i < p->versions.n; i++) {
        rgc_version *v = p->versions.v[i];
        if (v->decl->name && strcmp(v->decl->name, name) == 0)
            return v;
    }
    return NULL;
}

static int is_def_decl(const rg_decl *d)
{
    return d->kind == RG_D_PARAM || d->kind == RG_D_DEF || d->kind == RG_D_TABLE || d->kind == RG_D_DECIDE;
}

/* Rows of table NAME set for POLICY in scope VERSION (NULL: the whole policy). */
static void rows_for(const repl *r, const char *policy, const char *version, const char *name, rg_sb *out)
{
    for (uint32_t i = 0; i < r->n_ovr; i++) {
        const repl_override *o = &r->ovr[i];
        if (o->row && strcmp(o->policy, policy) == 0 && strcmp(o->name, name) == 0 &&
            ((!version && !o->version) || (version && o->version && strcmp(version, o->version) == 0)))
            rg_sb_printf(out, "  %s\n", o->text);
    }
}

static const repl_override *def_for(const repl *r, const char *policy, const char *version, const char *name)
{
    const repl_override *found = NULL;
    for (uint32_t i = 0; i < r->n_ovr; i++) {
        const repl_override *o = &r->ovr[i];
        if (!o->row && strcmp(o->policy, policy) == 0 && strcmp(o->name, name) == 0 &&
            ((!version && !o->version) || (version && o->version && strcmp(version, o->version) == 0)))
            found = o;
    }
    return found;
}

static int seen_before(const repl *r, uint32_t i, int same_version)
{
    for (uint32_t k = 0; k < i; k++)
        if (r->ovr[k].row == r->ovr[i].row && strcmp(r->ovr[k].policy, r->ovr[i].policy) == 0 &&
            strcmp(r->ovr[k].name, r->ovr[i].name) == 0 &&
            (!same_version || ((!r->ovr[k].version && !r->ovr[i].version) ||
                               (r->ovr[k].version && r->ovr[i].version &&
                                strcmp(r->ovr[k].version, r->ovr[i].version) == 0))))
            return 1;
    return 0;
}

/* The extra text for one policy: first its whole-policy declarations (which
 * take the name out of every version too), then each version that must keep
 * or gain something, rewritten in full from its source. */
static char *policy_text(repl *r, const repl_build *base, rgc_policy *pol)
{
    rg_sb b = {0};
    rg_sb_put(&b, "", 0);
    const char *pn = pol->name;
    /* whole-policy definitions and tables */
    for (uint32_t i = 0; i < r->n_ovr; i++) {
        const repl_override *o = &r->ovr[i];
        if (strcmp(o->policy, pn) != 0 || o->version || seen_before(r, i, 1))
            continue;
        if (!o->row) {
            rg_sb_printf(&b, "%s\n", def_for(r, pn, NULL, o->name)->text);
            continue;
        }
        rg_sb rows = {0};
        rg_sb_put(&rows, "", 0);
        rows_for(r, pn, NULL, o->name, &rows);
        const rg_decl *top = NULL;
        for (uint32_t k = 0; k < pol->ast->decls.n; k++) {
            const rg_decl *d = pol->ast->decls.v[k];
            if (d->kind == RG_D_TABLE && strcmp(d->name, o->name) == 0)
                top = d;
        }
        if (top)
            table_with_rows(&b, base, top, rows.s);
        else
            rg_sb_printf(&b, "table %s {\n%s}\n", o->name, rows.s);
        rg_sb_free(&rows);
    }
    /* versions */
    for (uint32_t vi = 0; vi < pol->versions.n; vi++) {
        rgc_version *v = pol->versions.v[vi];
        const rg_decl *vd = v->decl;
        const char *vn = vd->name;
        int touched = 0;
        for (uint32_t i = 0; i < r->n_ovr && !touched; i++) {
            const repl_override *o = &r->ovr[i];
            if (strcmp(o->policy, pn) != 0)
                continue;
            if (o->version && strcmp(o->version, vn) == 0)
                touched = 1;
            else if (!o->version && o->row)
                for (uint32_t k = 0; k < vd->decls.n; k++) {
                    const rg_decl *d = vd->decls.v[k];
                    if (d->kind == RG_D_TABLE && strcmp(d->name, o->name) == 0)
                        touched = 1;
                }
        }
        if (!touched)
            continue;
        size_t len;
        const char *t = src_text(base, vd->loc, &len);
        const char *brace = memchr(t, '{', len);
        rg_sb_put(&b, t, brace ? (size_t)(brace - t) + 1 : len);
        rg_sb_put(&b, "\n", 1);
        for (uint32_t k = 0; k < vd->decls.n; k++) {
            const rg_decl *d = vd->decls.v[k];
            if (!is_def_decl(d)) {
                const char *dt = src_text(base, d->loc, &len);
                rg_sb_put(&b, dt, len);
                rg_sb_put(&b, "\n", 1);
                continue;
            }
            const repl_override *mine = def_for(r, pn, vn, d->name);
            if (mine) {
                rg_sb_printf(&b, "%s\n", mine->text);
                continue;
            }
            if (def_for(r, pn, NULL, d->name))
                continue; /* the whole-policy override holds in this version too */
            rg_sb rows = {0};
            rg_sb_put(&rows, "", 0);
            if (d->kind == RG_D_TABLE) {
                rows_for(r, pn, NULL, d->name, &rows);
                rows_for(r, pn, vn, d->name, &rows);
            }
            if (rows.n) {
                table_with_rows(&b, base, d, rows.s);
            } else {
                const char *dt = src_text(base, d->loc, &len);
                rg_sb_put(&b, dt, len);
                rg_sb_put(&b, "\n", 1);
            }
            rg_sb_free(&rows);
        }
        /* what the version did not declare */
        for (uint32_t i = 0; i < r->n_ovr; i++) {
            const repl_override *o = &r->ovr[i];
            if (strcmp(o->policy, pn) != 0 || !o->version || strcmp(o->version, vn) != 0 || seen_before(r, i, 1))
                continue;
            int declared = 0;
            for (uint32_t k = 0; k < vd->decls.n; k++) {
                const rg_decl *d = vd->decls.v[k];
                if (is_def_decl(d) && strcmp(d->name, o->name) == 0)
                    declared = 1;
            }
            if (declared)
                continue;
            if (!o->row) {
                rg_sb_printf(&b, "%s\n", def_for(r, pn, vn, o->name)->text);
            } else {
                rg_sb rows = {0};
                rg_sb_put(&rows, "", 0);
                rows_for(r, pn, vn, o->name, &rows);
                rg_sb_printf(&b, "table %s {\n%s}\n", o->name, rows.s);
                rg_sb_free(&rows);
            }
        }
        rg_sb_put(&b, "}\n", 2);
    }
    return b.s;
}

int repl_override_extras(repl *r, const repl_build *base, rgc_extra **out, uint32_t *n)
{
    *out = NULL;
    *n = 0;
    if (!base || !base->pk) {
        repl_error(r, _("overrides need the policy sources"));
        return -1;
    }
    rgc_extra *x = calloc(r->n_ovr ? r->n_ovr : 1, sizeof *x);
    uint32_t k = 0;
    for (uint32_t i = 0; i < r->n_ovr; i++) {
        int dup = 0;
        for (uint32_t j = 0; j < i; j++)
            if (strcmp(r->ovr[j].policy, r->ovr[i].policy) == 0)
                dup = 1;
        if (dup)
            continue;
        rgc_policy *pol = find_policy(base->pk, r->ovr[i].policy);
        if (!pol) {
            repl_error(r, _("no policy '%s' in this pack"), r->ovr[i].policy);
            repl_free_extras(x, k);
            return -1;
        }
        x[k].policy = pol->name;
        x[k].name = "<set>";
        x[k].text = policy_text(r, base, pol);
        x[k].later_rows_replace = 1; /* a set row follows the row of the same cells it replaces */
        k++;
    }
    *out = x;
    *n = k;
    return 0;
}

/* ---- :set ---- */

static char *trim(char *s)
{
    while (*s == ' ' || *s == '\t')
        s++;
    size_t n = strlen(s);
    while (n && (s[n - 1] == ' ' || s[n - 1] == '\t' || s[n - 1] == '\n' || s[n - 1] == '\r'))
        s[--n] = '\0';
    return s;
}

/* "POLICY[@VERSION].NAME" or "NAME": split in place. */
static int split_target(repl *r, char *target, const char **pol, const char **ver, const char **name)
{
    char *dot = strchr(target, '.');
    *ver = NULL;
    if (dot) {
        *dot = '\0';
        *name = dot + 1;
        char *at = strchr(target, '@');
        if (at) {
            *at = '\0';
            *ver = at + 1;
        }
        *pol = target;
    } else {
        char *at = strchr(target, '@');
        if (at) {
            repl_error(r, _("write POLICY@VERSION.NAME"));
            return -1;
        }
        *pol = r->policy;
        *name = target;
    }
    if (!**name) {
        repl_error(r, _("which definition? write POLICY.NAME"));
        return -1;
    }
    return 0;
}

static const char *kind_word(rg_def_kind k)
{
    return k == RG_DEF_PARAM ? "param" : k == RG_DEF_TABLE ? "table" : k == RG_DEF_DECIDE ? "decide" : "def";
}

/* The value of slot for the current claim in build b (text), or "" if it cannot be had. */
static void value_now(repl *r, const repl_build *b, const char *name, char *buf, size_t cap)
{
    buf[0] = '\0';
    const rg_program *p = repl_program(b);
    uint32_t slot = b && b->pk ? rgc_def_slot(b->pk, name) : RG_NO_INDEX;
    if (slot == RG_NO_INDEX || p->defs[slot].per_item)
        return;
    rg_vm *vm = rg_vm_new(p);
    char err[600];
    rg_value v;
    if (vm && repl_bind(r, vm, err, sizeof err) == 0 && rg_vm_eval_def(vm, slot, &v) == RG_OK)
        repl_value_text(p, p->defs[slot].type, v, buf, cap);
    rg_vm_free(vm);
}

static void show_effect(repl *r, const char *name)
{
    char before[256], after[256];
    value_now(r, repl_base(r), name, before, sizeof before);
    value_now(r, r->cur, name, after, sizeof after);
    if (!before[0] || !after[0])
        return;
    if (strcmp(before, after) == 0)
        fprintf(r->out, _("  %s for the current claim: %s (unchanged)\n"), name, after);
    else
        fprintf(r->out, _("  %s for the current claim: %s -> %s\n"), name, before, after);
}

void repl_cmd_set(repl *r, const char *args)
{
    if (!r->cur || !r->cur->pk) {
        repl_error(r, "%s", r->cur ? _("overrides need the policy sources (:load DIR)") : _("no pack loaded"));
        return;
    }
    char *buf = strdup(args);
    char *s = trim(buf);
    size_t tl = strcspn(s, " \t=|");
    char *rest = s + tl;
    while (*rest == ' ' || *rest == '\t')
        rest++;
    if (tl == 0 || (*rest != '=' && *rest != '|')) {
        repl_error(r, _("usage: :set [POLICY[@VERSION].]NAME = VALUE   or   :set [POLICY[@VERSION].]TABLE | a | b -> VALUE"));
        free(buf);
        return;
    }
    int row = *rest == '|';
    char *target = strndup(s, tl);
    const char *pol, *ver, *name;
    if (split_target(r, target, &pol, &ver, &name) != 0) {
        free(target);
        free(buf);
        return;
    }
    rgc_pack *pk = repl_base(r)->pk;
    rgc_policy *p = find_policy(pk, pol);
    uint32_t slot = rgc_def_slot(pk, name);
    char msg[300];
    msg[0] = '\0';
    if (!p)
        snprintf(msg, sizeof msg, _("no policy '%s' (:policies lists them)"), pol);
    else if (ver && !find_version(p, ver))
        snprintf(msg, sizeof msg, _("%s has no version '%s' (:policies lists them)"), pol, ver);
    else if (slot == RG_NO_INDEX)
        snprintf(msg, sizeof msg, _("nothing called '%s' in this pack"), name);
    if (msg[0]) {
        repl_error(r, "%s", msg);
        free(target);
        free(buf);
        return;
    }
    rgc_def *def = pk->defs.v[slot];
    const rg_decl *root = def->root;
    if (row && def->kind != RG_DEF_TABLE) {
        repl_error(r, _("'%s' is not a table: write :set %s.%s = VALUE"), name, pol, name);
        free(target);
        free(buf);
        return;
    }
    if (!row && def->kind == RG_DEF_TABLE) {
        repl_error(r, _("'%s' is a table: set a row, :set %s.%s | … -> VALUE"), name, pol, name);
        free(target);
        free(buf);
        return;
    }
    repl_override o = {0};
    o.policy = strdup(pol);
    o.version = ver ? strdup(ver) : NULL;
    o.name = strdup(name);
    o.row = row;
    o.shown = malloc(strlen(pol) + (ver ? strlen(ver) + 1 : 0) + strlen(name) + strlen(rest) + 8);
    sprintf(o.shown, "%s%s%s.%s %s", pol, ver ? "@" : "", ver ? ver : "", name, rest);
    rg_sb t = {0};
    if (row) {
        rg_sb_put(&t, rest, strlen(rest));
        const char *arrow = strstr(rest, "->");
        size_t kl = arrow ? (size_t)(arrow - rest) : strlen(rest);
        o.key = malloc(kl + 1);
        size_t k = 0;
        for (size_t i = 0; i < kl; i++)
            if (rest[i] != ' ' && rest[i] != '\t')
                o.key[k++] = rest[i];
        o.key[k] = '\0';
    } else {
        const char *value = trim(rest + 1);
        char type[200] = "";
        /* the type is written only where the override replaces the declaration
         * itself (the policy that declared it, outside its versions): elsewhere
         * a typed declaration would be a new name */
        const rgc_policy *declared = def->owner ? def->owner : pk->root;
        if (root->type && p == declared && !ver) {
            size_t len;
            const char *tt = src_text(repl_base(r), root->type->loc, &len);
            snprintf(type, sizeof type, ": %.*s", (int)len, tt);
        }
        const char *var = root->each ? root->each->var : "item";
        if (def->per_item)
            rg_sb_printf(&t, "for %s in %s {\n", var, root->each ? root->each->list : "items");
        if (def->kind == RG_DEF_DECIDE)
            rg_sb_printf(&t, "decide %s%s { otherwise ->\n%s\n}", name, type, value);
        else
            rg_sb_printf(&t, "%s %s%s =\n%s", kind_word(def->kind), name, type, value);
        if (def->per_item)
            rg_sb_put(&t, "\n}", 2);
        o.key = strdup("");
    }
    o.text = t.s;
    /* a later :set of the same thing replaces the earlier one */
    repl_override replaced = {0};
    uint32_t at = r->n_ovr;
    for (uint32_t i = 0; i < r->n_ovr; i++) {
        repl_override *q = &r->ovr[i];
        if (q->row == o.row && strcmp(q->policy, o.policy) == 0 && strcmp(q->name, o.name) == 0 &&
            ((!q->version && !o.version) || (q->version && o.version && strcmp(q->version, o.version) == 0)) &&
            strcmp(q->key, o.key) == 0) {
            replaced = *q;
            at = i;
            memmove(q, q + 1, (r->n_ovr - i - 1) * sizeof *q);
            r->n_ovr--;
            break;
        }
    }
    if (r->n_ovr == r->cap_ovr) {
        r->cap_ovr = r->cap_ovr ? 2 * r->cap_ovr : 8;
        r->ovr = realloc(r->ovr, r->cap_ovr * sizeof *r->ovr);
    }
    r->ovr[r->n_ovr++] = o;
    if (repl_rebuild(r) != 0) {
        r->n_ovr--;
        repl_override_free(&r->ovr[r->n_ovr]);
        if (replaced.policy) {
            memmove(&r->ovr[at + 1], &r->ovr[at], (r->n_ovr - at) * sizeof *r->ovr);
            r->ovr[at] = replaced;
            r->n_ovr++;
        }
        repl_rebuild(r);
        fprintf(r->out, _("override not set\n"));
    } else {
        repl_override_free(&replaced);
        fprintf(r->out, _("override %s\n"), r->ovr[r->n_ovr - 1].shown);
        show_effect(r, name);
    }
    free(target);
    free(buf);
}

void repl_cmd_unset(repl *r, const char *args)
{
    char *buf = strdup(args);
    char *s = trim(buf);
    if (!*s) {
        repl_error(r, _("usage: :unset [POLICY[@VERSION].]NAME   or   :unset all"));
        free(buf);
        return;
    }
    uint32_t removed = 0;
    char *shown = NULL;
    if (strcmp(s, "all") == 0) {
        removed = r->n_ovr;
        for (uint32_t i = 0; i < r->n_ovr; i++)
            repl_override_free(&r->ovr[i]);
        r->n_ovr = 0;
    } else {
        const char *pol, *ver, *name;
        shown = strdup(s);
        if (split_target(r, s, &pol, &ver, &name) != 0) {
            free(shown);
            free(buf);
            return;
        }
        s = shown; /* split_target cut it up */
        uint32_t w = 0;
        for (uint32_t i = 0; i < r->n_ovr; i++) {
            repl_override *q = &r->ovr[i];
            int match = strcmp(q->policy, pol) == 0 && strcmp(q->name, name) == 0 &&
                        ((!ver && !q->version) || (ver && q->version && strcmp(ver, q->version) == 0));
            if (match) {
                repl_override_free(q);
                removed++;
            } else {
                r->ovr[w++] = *q;
            }
        }
        r->n_ovr = w;
    }
    if (!removed) {
        fprintf(r->out, _("no override of %s\n"), s);
    } else {
        repl_rebuild(r);
        fprintf(r->out, ngettext("removed %u override\n", "removed %u overrides\n", removed), removed);
    }
    free(shown);
    free(buf);
}

void repl_cmd_overrides(repl *r, const char *args)
{
    (void)args;
    if (!r->n_ovr) {
        fprintf(r->out, _("no overrides (set one with :set POLICY.NAME = VALUE)\n"));
        return;
    }
    for (uint32_t i = 0; i < r->n_ovr; i++)
        fprintf(r->out, "  %s\n", r->ovr[i].shown);
}
