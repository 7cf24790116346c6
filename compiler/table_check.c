/* table_check.c — the static checks of a table's merged rows: rows that
 * overlap (`hit unique`), inputs no row matches, rows that earlier rows
 * shadow (`hit first`), over every combination of the inputs' values that can
 * differ (enumerations, booleans, ranges, and around every constant of the
 * rows). Reads the rows; writes no code. */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "builder.h"
#include "i18n.h"
#include "text.h"
#include "values.h"

/* Past this many combinations a table is not checked (each costs a look at the
 * rows that can match it: the rows with its value on the most varied input,
 * and those that take many values there). */
#define CHECK_MAX_POINTS (1u << 20)
/* A row matching more values than this on that input is looked at everywhere. */
#define NARROW 64

typedef struct {
    rg_value *pts; /* ascending present values; RG_NONE last when the input is optional */
    uint32_t n, cap;
    uint32_t n_present;
} axis;

static void axis_add(axis *ax, rg_value v)
{
    if (ax->n == ax->cap) {
        ax->cap = ax->cap ? ax->cap * 2 : 64;
        ax->pts = realloc(ax->pts, ax->cap * sizeof *ax->pts);
        if (!ax->pts)
            abort();
    }
    ax->pts[ax->n++] = v;
}

static int cmp_i64(const void *a, const void *b)
{
    rg_value x = *(const rg_value *)a, y = *(const rg_value *)b;
    return x < y ? -1 : x > y;
}

/* The values around pattern p's constants: each, and its neighbours. */
static void collect(rgc_pack *pk, rg_pattern *p, const rgc_ty *ity, axis *ax, int *bad)
{
    rg_value v;
    rgc_ty t;
    switch (p->kind) {
    case RG_P_ANY:
        return;
    case RG_P_ALT:
        for (uint32_t i = 0; i < p->alts.n; i++)
            collect(pk, p->alts.v[i], ity, ax, bad);
        return;
    default: {
        rg_expr *es[2] = {p->lo, p->kind == RG_P_RANGE ? p->hi : NULL};
        for (int i = 0; i < 2 && es[i]; i++) {
            if (rgc_const_expr(pk, es[i], ity, &v, &t, 0) != 0) {
                *bad = 1;
                return;
            }
            axis_add(ax, v);
            if (v != RG_NONE) {
                if (v > INT64_MIN + 1)
                    axis_add(ax, v - 1);
                if (v < INT64_MAX)
                    axis_add(ax, v + 1);
            }
        }
    }
    }
}

/* The values input i of the table takes here; -1 when they cannot be known. */
static int build_axis(rgc_pack *pk, rgc_impl *im, uint32_t i, const rgc_ty *t, axis *ax)
{
    if (t->k != RGC_K_SCALAR)
        return -1;
    if (t->scalar == RG_T_BOOL) {
        axis_add(ax, 0);
        axis_add(ax, 1);
    } else if (t->scalar == RG_T_ENUM) {
        uint32_t *ms = malloc((pk->prog->enums[t->aux].n_members + 1) * sizeof *ms);
        if (!ms)
            abort();
        for (uint32_t k = 0, n = rgc_visible_members(pk, t->aux, im->policy, ms); k < n; k++)
            axis_add(ax, ms[k]);
        free(ms);
    } else if (t->scalar == RG_T_REGION) {
        for (uint32_t m = 0; m < pk->policies.n; m++)
            axis_add(ax, m);
    } else if (t->has_range && t->hi - t->lo < 64) {
        for (int64_t v = t->lo; v <= t->hi; v++)
            axis_add(ax, v);
    } else if (t->scalar == RG_T_STRING) {
        return -1;
    } else {
        int bad = 0;
        for (uint32_t r = 0; r < im->rows.n && !bad; r++) {
            rg_row *row = im->rows.v[r];
            if (row->pats.n > i)
                collect(pk, row->pats.v[i], t, ax, &bad);
        }
        if (bad)
            return -1;
        axis_add(ax, t->has_range ? t->lo : 0);
        qsort(ax->pts, ax->n, sizeof(rg_value), cmp_i64);
        uint32_t w = 0;
        for (uint32_t k = 0; k < ax->n; k++)
            if ((w == 0 || ax->pts[w - 1] != ax->pts[k]) && ax->pts[k] != RG_NONE &&
                (!t->has_range || (ax->pts[k] >= t->lo && ax->pts[k] <= t->hi)))
                ax->pts[w++] = ax->pts[k];
        ax->n = w;
    }
    ax->n_present = ax->n;
    if (t->optional)
        axis_add(ax, RG_NONE);
    return 0;
}

static void describe_point(rgc_pack *pk, rgc_impl *im, const rgc_ty *itys, const rg_value *pt, char *buf, size_t cap)
{
    rg_sb b;
    rg_sb_fixed(&b, buf, cap);
    rg_decl *root = im->def->root;
    for (uint32_t i = 0; i < root->inputs.n && b.n + 1 < cap; i++) {
        rg_expr *in = root->inputs.v[i];
        const rg_source *s = rg_diag_source(pk->diag, in->loc.file);
        char val[64];
        rgc_value_text(pk, &itys[i], pt[i], val, sizeof val);
        rg_sb_printf(&b, "%s%.*s = %s", i ? ", " : "", (int)(in->loc.end - in->loc.start), s->text + in->loc.start,
                     val);
    }
}

static int cmp_ptr(const void *a, const void *b)
{
    uintptr_t x = (uintptr_t)*(void *const *)a, y = (uintptr_t)*(void *const *)b;
    return x < y ? -1 : x > y;
}

/* Per merged row of im: is there a row it inherits before it? (A region's
 * new rows come after the rows it inherits: it cannot move them above.) */
static uint8_t *inherited_before(const rgc_impl *im)
{
    uint8_t *out = calloc(im->rows.n + 1, 1);
    void **own = malloc((im->decl->rows.n + 1) * sizeof *own);
    if (!out || !own) {
        free(own);
        return out;
    }
    memcpy(own, im->decl->rows.v, im->decl->rows.n * sizeof *own);
    qsort(own, im->decl->rows.n, sizeof *own, cmp_ptr);
    int seen = 0;
    for (uint32_t r = 0; r < im->rows.n; r++) {
        out[r] = (uint8_t)seen;
        void *key = im->rows.v[r];
        seen |= !bsearch(&key, own, im->decl->rows.n, sizeof *own, cmp_ptr);
    }
    free(own);
    return out;
}

/* Index of the first present value >= v (n_present when none is). */
static uint32_t lower_bound(const axis *ax, rg_value v)
{
    uint32_t lo = 0, hi = ax->n_present;
    while (lo < hi) {
        uint32_t mid = lo + (hi - lo) / 2;
        if (ax->pts[mid] < v)
            lo = mid + 1;
        else
            hi = mid;
    }
    return lo;
}

/* The rows that may match each value of the most varied input: per value, the
 * narrow rows (matching at most NARROW values there) that match it, in row
 * order; the wide rows apart, to be tried everywhere. */
typedef struct {
    uint32_t *start; /* per value of the axis: its rows are rows[start[j] .. start[j + 1]) */
    uint32_t *rows;
    uint32_t *wide;
    uint32_t n_wide;
} row_index;

static uint32_t row_values(const rgc_rowset *rs, const axis *ax, uint32_t r, uint32_t x, uint32_t *ranges)
{
    size_t c = (size_t)r * rs->n_in + x;
    uint32_t count = 0, n = 0;
    for (uint32_t s = rs->first[c]; s < rs->first[c + 1]; s++) {
        const rgc_span *sp = &rs->spans[s];
        uint32_t a = lower_bound(ax, sp->lo), b = sp->hi == INT64_MAX ? ax->n_present : lower_bound(ax, sp->hi + 1);
        if (a < b) {
            count += b - a;
            if (ranges && n < 2 * NARROW) {
                ranges[n++] = a;
                ranges[n++] = b;
            }
        }
        if (sp->none && ax->n > ax->n_present) {
            count++;
            if (ranges && n < 2 * NARROW) {
                ranges[n++] = ax->n_present;
                ranges[n++] = ax->n_present + 1;
            }
        }
    }
    if (ranges && count <= NARROW)
        ranges[n] = UINT32_MAX; /* the end of the list */
    return count;
}

static void index_rows(const rgc_rowset *rs, const axis *ax, uint32_t x, row_index *ix)
{
    uint32_t n = ax->n, ranges[2 * NARROW + 1];
    ix->start = calloc((size_t)n + 1, sizeof *ix->start);
    uint32_t *last = malloc(((size_t)n + 1) * sizeof *last);
    ix->wide = malloc(((size_t)rs->n_rows + 1) * sizeof *ix->wide);
    ix->n_wide = 0;
    if (!ix->start || !last || !ix->wide)
        abort();
    for (int pass = 0; pass < 2; pass++) { /* count, then place */
        memset(last, 0xFF, ((size_t)n + 1) * sizeof *last);
        for (uint32_t r = 0; r < rs->n_rows; r++) {
            if (row_values(rs, ax, r, x, ranges) > NARROW) {
                if (pass == 1)
                    ix->wide[ix->n_wide++] = r;
                continue;
            }
            for (uint32_t k = 0; ranges[k] != UINT32_MAX; k += 2)
                for (uint32_t j = ranges[k]; j < ranges[k + 1]; j++) {
                    if (last[j] == r) /* alternatives that overlap */
                        continue;
                    last[j] = r;
                    if (pass == 0)
                        ix->start[j + 1]++;
                    else
                        ix->rows[ix->start[j]++] = r;
                }
        }
        if (pass == 0) {
            for (uint32_t j = 0; j < n; j++)
                ix->start[j + 1] += ix->start[j];
            ix->rows = malloc(((size_t)ix->start[n] + 1) * sizeof *ix->rows);
            if (!ix->rows)
                abort();
        } else { /* placing moved each start to the next one's: move them back */
            for (uint32_t j = n; j > 0; j--)
                ix->start[j] = ix->start[j - 1];
            ix->start[0] = 0;
        }
    }
    free(last);
}

/* Pairs of rows already reported as overlapping: a set of (first << 32 | r). */
typedef struct {
    uint64_t *keys;
    uint32_t cap, n;
} pair_set;

static int pair_add(pair_set *s, uint64_t key) /* 1 when it was not there */
{
    if ((s->n + 1) * 2 > s->cap) {
        pair_set g = {calloc(s->cap ? s->cap * 2 : 64, sizeof(uint64_t)), s->cap ? s->cap * 2 : 64, 0};
        if (!g.keys)
            abort();
        for (uint32_t i = 0; i < s->cap; i++)
            if (s->keys[i])
                pair_add(&g, s->keys[i] - 1);
        free(s->keys);
        *s = g;
    }
    uint64_t k = key + 1; /* 0 marks an empty place */
    uint32_t h = (uint32_t)((k * 0x9E3779B97F4A7C15u) >> 32) & (s->cap - 1);
    while (s->keys[h]) {
        if (s->keys[h] == k)
            return 0;
        h = (h + 1) & (s->cap - 1);
    }
    s->keys[h] = k;
    s->n++;
    return 1;
}

/* The declaration by which policy p adds members to enumeration en, or NULL. */
static rg_decl *extension_of(rgc_pack *pk, const rgc_policy *p, uint32_t en)
{
    const char *name = rgc_str_text(pk, pk->prog->enums[en].name);
    for (uint32_t k = 0; k < p->ast->decls.n; k++) {
        rg_decl *d = p->ast->decls.v[k];
        if (d->kind == RG_D_ENUM && d->extend && strcmp(d->name, name) == 0)
            return d;
    }
    return NULL;
}

static void check_table(rgc_pack *pk, rgc_impl *im, rgc_policy *adder);

/* The types of table root's inputs (at most 16), compiled in the check pass, writing no code. */
static void input_types(rgc_pack *pk, const rg_decl *root, rgc_ty *itys)
{
    for (uint32_t i = 0; i < root->inputs.n && i < 16; i++) {
        rgc_chunk_begin(pk);
        rgc_impl *saved_impl = pk->cur.impl;
        pk->cur.impl = NULL;
        itys[i] = rgc_expr(pk, root->inputs.v[i], NULL);
        pk->cur.impl = saved_impl;
    }
}

/* Does some region add members to an enumeration one of table d's inputs takes? */
static int takes_an_extended_enum(rgc_pack *pk, const rgc_def *d)
{
    rgc_ty itys[16];
    const rg_decl *root = d->root;
    if (root->inputs.n == 0 || root->inputs.n > 16)
        return 0;
    input_types(pk, root, itys);
    for (uint32_t i = 0; i < root->inputs.n; i++)
        if (itys[i].k == RGC_K_SCALAR && itys[i].scalar == RG_T_ENUM)
            for (uint32_t q = 0; q < pk->policies.n; q++)
                if (extension_of(pk, pk->policies.v[q], itys[i].aux))
                    return 1;
    return 0;
}

void rgc_check_table(rgc_pack *pk, rgc_impl *im)
{
    check_table(pk, im, NULL);
}

void rgc_check_inherited_tables(rgc_pack *pk)
{
    uint8_t *takes = calloc(pk->defs.n ? pk->defs.n : 1, 1); /* per table: 0 not known yet, 1 yes, 2 no */
    if (!takes)
        abort();
    for (uint32_t i = 0; i < pk->policies.n; i++) {
        rgc_policy *p = pk->policies.v[i];
        int extends = 0;
        for (uint32_t k = 0; k < p->ast->decls.n && !extends; k++)
            extends = ((rg_decl *)p->ast->decls.v[k])->kind == RG_D_ENUM && ((rg_decl *)p->ast->decls.v[k])->extend;
        if (!extends || p == pk->root)
            continue;
        for (uint32_t t = 0; t < pk->defs.n; t++) {
            rgc_def *d = pk->defs.v[t];
            if (d->kind != RG_DEF_TABLE || rgc_impl_get(&p->impl, d->slot) || (d->owner && !rgc_policy_within(p, d->owner)))
                continue; /* its own rows were checked as its own */
            if (!takes[t])
                takes[t] = takes_an_extended_enum(pk, d) ? 1 : 2;
            if (takes[t] == 2)
                continue;
            for (rgc_policy *q = p->parent; q; q = q->parent) {
                rgc_impl *im = rgc_impl_get(&q->impl, d->slot);
                if (im) {
                    check_table(pk, im, p);
                    break;
                }
            }
        }
    }
    free(takes);
}

/* The checks of table im, or when adder is set, only whether the rows it
 * inherits cover the members adder adds to the table's enumerations (it
 * writes no rows of its own): said at adder's `enum … += { … }`. */
static void check_table(rgc_pack *pk, rgc_impl *im_in, rgc_policy *adder)
{
    rgc_impl as = *im_in;
    rgc_impl *im = &as;
    if (adder)
        as.policy = adder;
    rg_decl *root = im->def->root;
    uint32_t n_in = root->inputs.n;
    if (n_in == 0 || n_in > 16 || im->rows.n == 0) {
        if (im->rows.n == 0)
            rgc_error(pk, im->decl->loc, NULL, _("table '%s' has no rows"), im->def->name);
        return;
    }
    rgc_ty itys[16];
    axis axes[16] = {{0}};
    int skip = 0;
    input_types(pk, root, itys);
    rg_decl *ext = NULL; /* adder's declaration that adds to one of the inputs' enumerations */
    for (uint32_t i = 0; i < n_in && adder && !ext; i++)
        if (itys[i].k == RGC_K_SCALAR && itys[i].scalar == RG_T_ENUM)
            ext = extension_of(pk, adder, itys[i].aux);
    if (adder && !ext)
        return;
    for (uint32_t i = 0; i < n_in && !skip; i++)
        skip = build_axis(pk, im, i, &itys[i], &axes[i]) != 0;
    uint64_t total = 1;
    uint32_t x = 0; /* the input with the most values: rows are indexed by it */
    for (uint32_t i = 0; i < n_in && !skip; i++) {
        total *= axes[i].n;
        if (total == 0 || total > CHECK_MAX_POINTS)
            skip = 1;
        if (axes[i].n > axes[x].n)
            x = i;
    }
    for (uint32_t r = 0; r < im->rows.n; r++)
        if (((rg_row *)im->rows.v[r])->pats.n != n_in)
            skip = 1;
    rgc_rowset rs;
    if (!skip) {
        rgc_rowset_build(pk, &im->rows, n_in, itys, &rs); /* a cell of no constant matches nothing */
        row_index ix;
        index_rows(&rs, &axes[x], x, &ix);
        uint32_t idx[16] = {0};
        rg_value pt[16];
        uint8_t *first_hit = calloc(im->rows.n, 1);
        pair_set reported = {0};
        unsigned uncovered = 0;
        char gaps[1300] = "";
        int hit_first = root->hit_first == 1;
        int gaps_wrong = !rgc_def_type(pk, im->def).optional; /* a table of T? answers none there */
        for (uint64_t k = 0; k < total; k++) {
            for (uint32_t i = 0; i < n_in; i++)
                pt[i] = axes[i].pts[idx[i]];
            int first = -1;
            /* the rows that may match, in row order: the value's narrow rows and the wide ones */
            const uint32_t *a = ix.rows + ix.start[idx[x]], *ae = ix.rows + ix.start[idx[x] + 1];
            const uint32_t *w = ix.wide, *we = ix.wide + ix.n_wide;
            while (a < ae || w < we) {
                int narrow = a < ae && (w == we || *a < *w);
                uint32_t r = narrow ? *a++ : *w++;
                int m = 1;
                for (uint32_t i = 0; i < n_in && m; i++)
                    m = (narrow && i == x) || rgc_rowset_matches(&rs, r, i, pt[i]);
                if (!m)
                    continue;
                if (first < 0) {
                    first = (int)r;
                    first_hit[r] = 1;
                } else if (!hit_first && !adder && pair_add(&reported, (uint64_t)first << 32 | r)) {
                    char where[400];
                    describe_point(pk, im, itys, pt, where, sizeof where);
                    rg_row *fr = im->rows.v[first], *row = im->rows.v[r];
                    char at[300], hint[1200];
                    rgc_place(pk, row->loc, fr->loc, at, sizeof at);
                    if (im->decl == root)
                        snprintf(hint, sizeof hint, _("both this row and the row at %s match %s; a `hit unique` table needs disjoint rows (or declare `hit first`)"), at, where);
                    else /* a region's rows: the hit policy is the table's declaration's */
                        snprintf(hint, sizeof hint, _("both this row and the row at %s match %s; %s's table '%s' is `hit unique`: change the cells of one of them so that they do not overlap"),
                                 at, where, im->def->owner ? im->def->owner->name : pk->root->name, im->def->name);
                    rgc_error(pk, row->loc, hint, _("rows of table '%s' overlap"), im->def->name);
                }
            }
            if (first < 0 && gaps_wrong && uncovered < 3) { /* one error, naming up to three inputs no row matches */
                char where[400];
                describe_point(pk, im, itys, pt, where, sizeof where);
                size_t used = strlen(gaps);
                snprintf(gaps + used, sizeof gaps - used, "%s%s", uncovered ? "; " : "", where);
                uncovered++;
            }
            for (uint32_t i = n_in; i-- > 0;) {
                if (++idx[i] < axes[i].n)
                    break;
                idx[i] = 0;
            }
        }
        if (uncovered && adder) {
            char hint[1400];
            snprintf(hint, sizeof hint, _("no row of it matches %s: add %s in %s (`table %s { | … -> … }`)"), gaps,
                     uncovered > 1 ? _("rows for these") : _("a row for it"), adder->name, im->def->name);
            rgc_error(pk, ext->loc, hint, _("%s adds members that the table '%s' it inherits does not cover"),
                      adder->name, im->def->name);
        } else if (uncovered) {
            char hint[1400];
            snprintf(hint, sizeof hint, _("no row matches %s: add %s, or a row of `_` wildcards"), gaps,
                     uncovered > 1 ? _("rows for these") : _("a row for it"));
            rgc_error(pk, im->decl->name_loc, hint, _("table '%s' does not cover every input"), im->def->name);
        }
        uint8_t *after_inherited = NULL;
        for (uint32_t r = 0; r < im->rows.n; r++)
            if (!first_hit[r] && hit_first && !adder) {
                rg_row *row = im->rows.v[r];
                if (!after_inherited && im->decl != root)
                    after_inherited = inherited_before(im);
                rgc_error(pk, row->loc,
                          after_inherited && after_inherited[r]
                              ? _("a region's new rows come after the rows it inherits, which match everything this "
                                  "one does: remove it, or give it the cells of the inherited row it should replace")
                              : _("remove it, or move it above the rows that shadow it"),
                          _("this row of table '%s' is unreachable: earlier rows match everything it matches"),
                          im->def->name);
            }
        free(after_inherited);
        free(first_hit);
        free(reported.keys);
        free(ix.start);
        free(ix.rows);
        free(ix.wide);
        rgc_rowset_free(&rs);
    }
    for (uint32_t i = 0; i < n_in; i++)
        free(axes[i].pts);
}
