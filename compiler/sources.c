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
#include "i18n.h"
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
        pk->from_dir = 1;
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
            /* a file with syntax errors gives what parsed: the other files' errors are reported too */
            unsigned errors;
            rg_file *ast = rg_parse_file_recovering(&pk->arena, pk->diag, (uint32_t)f, &pk->skipped, &errors);
            pk->syntax_errors += errors;
            if (ast)
                rg_vec_push(&pk->files, ast);
        }
        free(names[i]);
    }
    free(names);
    *hash = h;
    return rc;
}

/* ---- what skipped text declares ---- */

int rgc_ident_char(char c)
{
    return c == '_' || c == '-' || (c >= '0' && c <= '9') || (c >= 'a' && c <= 'z') || (c >= 'A' && c <= 'Z') ||
           (unsigned char)c >= 0x80;
}

/* The keyword at [w, w + n): 1 when a name follows that it declares, 2 when
 * it declares the names between the braces that follow, 3 when it declares
 * itself (the one claim, select, result), else 0. */
static int declaring(const char *w, size_t n)
{
    static const char *const one[] = {"def", "param", "table", "decide", "brackets", "fn", "policy", "version", NULL};
    static const char *const braced[] = {"enum", "record", "claim", "catalog", "ledger", NULL};
    static const char *const itself[] = {"claim", "select", "result", "sample", NULL};
    int code = rg_keyword(w, n);
    if (code < 0)
        return 0;
    for (int i = 0; one[i]; i++)
        if (code == rg_keyword(one[i], strlen(one[i])))
            return 1;
    int kind = 0;
    for (int i = 0; braced[i]; i++)
        if (code == rg_keyword(braced[i], strlen(braced[i])))
            kind = 2;
    for (int i = 0; itself[i]; i++)
        if (code == rg_keyword(itself[i], strlen(itself[i])))
            kind |= 4;
    return kind;
}

int rgc_skipped_declares(rgc_pack *pk, const char *w, size_t n)
{
    for (uint32_t i = 0; i < pk->skipped.n; i++) {
        const rg_loc *l = pk->skipped.v[i];
        const rg_source *s = rg_diag_source(pk->diag, l->file);
        const char *t = s->text, *end = t + (l->end > s->len ? s->len : l->end);
        int next_declared = 0, depth = 0, in_braces = 0;
        for (const char *p = t + l->start; p < end;) {
            if (*p == '#') { /* a comment */
                while (p < end && *p != '\n')
                    p++;
                continue;
            }
            if (*p == '"') { /* a string */
                for (p++; p < end && *p != '"'; p++)
                    if (*p == '\\')
                        p++;
                p++;
                continue;
            }
            if (*p == '{') {
                depth++;
            } else if (*p == '}') {
                if (depth && --depth == 0)
                    in_braces = 0;
            }
            if (!rgc_ident_char(*p) || (*p >= '0' && *p <= '9')) {
                p++;
                continue;
            }
            const char *e = p;
            while (e < end && rgc_ident_char(*e))
                e++;
            size_t len = (size_t)(e - p);
            int kind = declaring(p, len);
            int declared = next_declared || (in_braces && !kind) || (kind & 4);
            if (declared && len == n && memcmp(p, w, n) == 0)
                return 1;
            next_declared = kind & 1;
            if (kind & 2)
                in_braces = depth == 0;
            p = e;
        }
    }
    return 0;
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
            d->later_rows_replace = extras[i].later_rows_replace;
            for (uint32_t e = 0; e < d->decls.n; e++) /* a version's or a `for` block's */
                ((rg_decl *)d->decls.v[e])->later_rows_replace = extras[i].later_rows_replace;
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

/* In a pack's directory, policy LN-CY is written in LN-CY.rg: the file is
 * where an officer looks for it. */
static void check_file_name(rgc_pack *pk, const rg_file *f)
{
    const char *path = rg_diag_source(pk->diag, f->file)->path;
    const char *base = strrchr(path, '/');
    base = base ? base + 1 : path;
    size_t n = strlen(base);
    if (n > 3 && strcmp(base + n - 3, ".rg") == 0 && (strlen(f->policy) != n - 3 || memcmp(base, f->policy, n - 3) != 0)) {
        char hint[400];
        snprintf(hint, sizeof hint, _("name the file after its policy (%s.rg), or the policy after its file (%.*s)"),
                 f->policy, (int)(n - 3), base);
        rgc_error(pk, f->policy_loc, hint, _("policy '%s' is written in '%s'"), f->policy, base);
    }
}

/* Each `extends` cycle once, as its path: "LN → LN-DL → LN", at the
 * `extends` of its first policy in file order. Returns how many. */
static unsigned report_cycles(rgc_pack *pk, rg_vec *all)
{
    unsigned found = 0;
    uint8_t *told = calloc(all->n + 1, 1);
    for (uint32_t i = 0; told && i < all->n; i++) {
        rgc_policy *p = all->v[i];
        if (told[i])
            continue;
        /* p is on a cycle when its chain of parents comes back to it */
        rgc_policy *q = p->parent;
        for (uint32_t steps = 0; q && q != p && steps < all->n; steps++)
            q = q->parent;
        if (q != p)
            continue;
        char path[1024];
        rg_sb b;
        rg_sb_fixed(&b, path, sizeof path);
        rg_sb_puts(&b, p->name);
        for (rgc_policy *r = p->parent; r; r = r->parent) {
            rg_sb_printf(&b, " \xe2\x86\x92 %s", r->name);
            for (uint32_t k = 0; k < all->n; k++)
                if (all->v[k] == r)
                    told[k] = 1;
            if (r == p)
                break;
        }
        rgc_error(pk, p->ast->parent_loc,
                  _("a policy cannot extend itself through the policies it extends: one of them must extend another "
                    "policy, or nothing (the base policy)"),
                  _("`extends` cycle: %s"), path);
        found++;
    }
    free(told);
    return found;
}

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
        if (pk->from_dir)
            check_file_name(pk, f);
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
        if (p->parent)
            p->parent->n_children++;
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
    unsigned cycles = report_cycles(pk, &all);
    if (!root) {
        if (all.n && !unknown_parents && !cycles) /* else the unknown parent or the cycle explains it */
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
    pk->root = root;
    rg_vec_free(&all);
    return 0;
}

int rgc_policy_index(rgc_pack *pk, const char *name)
{
    uint32_t e = rgc_names_find(&pk->policy_names, name);
    return e == RG_NO_INDEX ? -1 : (int)pk->policy_names.ents[e].value;
}
