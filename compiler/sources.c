/* sources.c — a pack's sources: the policy files read and parsed, the REPL's
 * extra declarations merged into them, the inheritance tree of policies.
 * Must not look inside a policy's declarations beyond its name and parent. */
#include <dirent.h>
#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>

#include "builder.h"
#include "file_io.h"
#include "parse.h"
#include "i18n.h"

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

int rgc_load_sources(rgc_pack *pk, const char *path, uint64_t *hash)
{
    struct stat st;
    if (stat(path, &st) != 0) {
        rg_report_plain(pk->diag, RG_SEV_ERROR, _("cannot read '%s': %s"), path, strerror(errno));
        return -1;
    }
    char **names = NULL;
    size_t n = 0;
    if (S_ISDIR(st.st_mode)) {
        DIR *d = opendir(path);
        if (!d) {
            rg_report_plain(pk->diag, RG_SEV_ERROR, _("cannot open directory '%s': %s"), path, strerror(errno));
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
            rg_report_plain(pk->diag, RG_SEV_ERROR, _("no policy files (*.rg) in '%s'"), path);
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
            rg_report_plain(pk->diag, RG_SEV_ERROR, _("cannot read '%s': %s"), names[i], rg_read_error(errno, RG_MAX_FILE));
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

/* ---- the REPL's extra declarations ---- */

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

int rgc_merge_extras(rgc_pack *pk, const rgc_extra *extras, uint32_t n)
{
    int rc = 0;
    for (uint32_t i = 0; i < n; i++) {
        rg_file *target = NULL;
        for (uint32_t k = 0; k < pk->files.n; k++)
            if (strcmp(((rg_file *)pk->files.v[k])->policy, extras[i].policy) == 0)
                target = pk->files.v[k];
        if (!target) {
            rg_report_plain(pk->diag, RG_SEV_ERROR, _("no policy '%s' in this pack"), extras[i].policy);
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
            d->declares_new = extras[i].new_names;
            if (d->kind == RG_D_EACH) /* per-item definitions replace theirs one by one */
                for (uint32_t e = 0; e < d->decls.n; e++)
                    drop_named(&target->decls, d->decls.v[e]);
            else
                drop_named(&target->decls, d);
            rg_vec_apush(&pk->arena, &target->decls, d); /* the parser's vector lives in the arena */
        }
    }
    return rc;
}

/* ---- the inheritance tree ---- */

static rgc_policy *policy_by_name(const rg_vec *v, const rgc_names *names, const char *name)
{
    uint32_t e = rgc_names_find(names, name);
    return e == RG_NO_INDEX ? NULL : v->v[names->ents[e].value];
}

int rgc_build_policies(rgc_pack *pk)
{
    rg_vec all = {0};
    rgc_names by_name = {0}; /* index in all */
    for (uint32_t i = 0; i < pk->files.n; i++) {
        rg_file *f = pk->files.v[i];
        rgc_policy *dup = policy_by_name(&all, &by_name, f->policy);
        if (dup) {
            rgc_error(pk, f->policy_loc, _("each policy is written in one file"), _("policy '%s' is defined twice"), f->policy);
            continue;
        }
        rgc_policy *p = rg_arena_alloc(&pk->arena, sizeof *p);
        p->name = f->policy;
        p->ast = f;
        char *d = dir_of(rg_diag_source(pk->diag, f->file)->path);
        p->dir = rg_arena_strndup(&pk->arena, d, strlen(d));
        free(d);
        rgc_names_add(&by_name, p->name, all.n);
        rg_vec_push(&all, p);
    }
    rgc_policy *root = NULL;
    unsigned unknown_parents = 0;
    for (uint32_t i = 0; i < all.n; i++) {
        rgc_policy *p = all.v[i];
        if (!p->ast->parent) {
            if (root)
                rgc_error(pk, p->ast->policy_loc, _("every policy but the base one says `extends PARENT`"),
                          _("two base policies: '%s' and '%s'"), root->name, p->name);
            else
                root = p;
            continue;
        }
        p->parent = policy_by_name(&all, &by_name, p->ast->parent);
        if (!p->parent) {
            const char *cands[256];
            uint32_t n = 0;
            for (uint32_t k = 0; k < all.n && n < 256; k++)
                if (all.v[k] != p) /* never suggest that a policy extend itself */
                    cands[n++] = ((rgc_policy *)all.v[k])->name;
            unknown_parents++;
            const char *best = rgc_closest(p->ast->parent, cands, n);
            char hint[128];
            snprintf(hint, sizeof hint, _("did you mean '%s'?"), best ? best : "");
            rgc_error(pk, p->ast->parent_loc, best ? hint : _("the pack must contain the policy it extends"),
                      _("policy '%s' extends unknown policy '%s'"), p->name, p->ast->parent);
        }
    }
    if (!root) {
        if (all.n && !unknown_parents) /* else the unknown parent explains it, and there is no cycle */
            rgc_error(pk, ((rgc_policy *)all.v[0])->ast->policy_loc, _("one policy must extend nothing"),
                      _("the pack has no base policy (its `extends` form a cycle)"));
        rg_vec_free(&all);
        rgc_names_free(&by_name);
        return -1;
    }
    rgc_names_free(&by_name);
    /* parents first, breadth by depth, file order within a depth */
    rg_vec_push(&pk->policies, root);
    rgc_names_add(&pk->policy_names, root->name, 0);
    root->index = 0;
    for (uint32_t at = 0; at < pk->policies.n; at++) {
        rgc_policy *parent = pk->policies.v[at];
        for (uint32_t i = 0; i < all.n; i++) {
            rgc_policy *p = all.v[i];
            if (p->parent == parent) {
                p->index = pk->policies.n;
                p->depth = parent->depth + 1;
                rgc_names_add(&pk->policy_names, p->name, p->index);
                rg_vec_push(&pk->policies, p);
            }
        }
    }
    for (uint32_t i = 0; i < all.n; i++) {
        rgc_policy *p = all.v[i];
        if (p->parent && rgc_policy_index(pk, p->name) < 0)
            rgc_error(pk, p->ast->parent_loc, _("a policy cannot extend itself through its children"),
                      _("policy '%s' is part of an `extends` cycle"), p->name);
    }
    pk->root = root;
    rg_vec_free(&all);
    return 0;
}

int rgc_policy_index(rgc_pack *pk, const char *name)
{
    uint32_t e = rgc_names_find(&pk->policy_names, name);
    return e == RG_NO_INDEX ? -1 : (int)pk->policy_names.ents[e].value;
}
