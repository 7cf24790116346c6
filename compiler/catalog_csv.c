/* catalog_csv.c — CSV catalogs into the constant tables of the program: one
 * row per CSV line, typed by the base policy's column declarations, merged per
 * policy along `extends` (a later line for a code replaces the earlier whole).
 * Must not compile code or read a policy's definitions. */
#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "builder.h"
#include "file_io.h"
#include "i18n.h"
#include "text.h"
#include "values.h"
#include "i18n.h"

typedef struct {
    uint32_t *rows; /* row ids, one per key */
    uint32_t n, cap;
    uint32_t *at;   /* positions in rows by the key's string id (keys are interned): open addressing */
    uint32_t n_at;
} rowset;

static uint32_t *rowset_slot(const rowset *rs, const uint32_t *keys, uint32_t key)
{
    uint32_t h = (key * 2654435761u) & (rs->n_at - 1);
    while (rs->at[h] != UINT32_MAX && keys[rs->at[h]] != key)
        h = (h + 1) & (rs->n_at - 1);
    return &rs->at[h];
}

/* Add row to rs, replacing the row of the same key (a later line for a code
 * replaces the earlier whole). */
static void rowset_put(rgc_pack *pk, rowset *rs, uint32_t row, uint32_t ncol)
{
    const int64_t *cells = pk->prog->cat_values;
    if (rs->n == rs->cap) {
        rs->cap = rs->cap ? rs->cap * 2 : 64;
        rs->rows = realloc(rs->rows, rs->cap * sizeof *rs->rows);
        uint32_t *keys = malloc(rs->cap * sizeof *keys);
        free(rs->at);
        rs->n_at = rs->cap * 2;
        rs->at = malloc(rs->n_at * sizeof *rs->at);
        if (!rs->rows || !keys || !rs->at)
            abort();
        memset(rs->at, 0xFF, rs->n_at * sizeof *rs->at);
        for (uint32_t i = 0; i < rs->n; i++)
            keys[i] = (uint32_t)cells[(size_t)rs->rows[i] * ncol];
        for (uint32_t i = 0; i < rs->n; i++)
            *rowset_slot(rs, keys, keys[i]) = i;
        free(keys);
    }
    uint32_t key = (uint32_t)cells[(size_t)row * ncol];
    uint32_t h = (key * 2654435761u) & (rs->n_at - 1);
    while (rs->at[h] != UINT32_MAX) {
        if ((uint32_t)cells[(size_t)rs->rows[rs->at[h]] * ncol] == key) {
            rs->rows[rs->at[h]] = row;
            return;
        }
        h = (h + 1) & (rs->n_at - 1);
    }
    rs->at[h] = rs->n;
    rs->rows[rs->n++] = row;
}

/* The most fields a catalog line may have (and so the most columns a
 * catalog may declare). */
#define CSV_MAX_FIELDS 1024

/* Split one CSV record (RFC 4180 quotes) starting at *pos; fields are written
 * into buf as NUL-separated strings; returns the field count, -1 at EOF. A
 * record of more than max fields is read to its end, its first max fields
 * kept, and max + 1 returned. */
static int csv_record(const char *t, size_t len, size_t *pos, char *buf, size_t cap, uint32_t *starts, int max)
{
    size_t i = *pos, o = 0;
    if (i >= len)
        return -1;
    int n = 0;
    for (;;) {
        if (n < max)
            starts[n] = (uint32_t)i;
        if (n <= max) /* past max the count stays max + 1 */
            n++;
        int quoted = i < len && t[i] == '"';
        if (quoted)
            i++;
        while (i < len) {
            if (quoted) {
                if (t[i] == '"') {
                    if (i + 1 < len && t[i + 1] == '"') {
                        if (o + 1 < cap)
                            buf[o++] = '"';
                        i += 2;
                        continue;
                    }
                    i++;
                    quoted = 0;
                    continue;
                }
            } else if (t[i] == ',' || t[i] == '\n' || t[i] == '\r') {
                break;
            }
            if (o + 1 < cap)
                buf[o++] = t[i];
            i++;
        }
        buf[o++] = '\0';
        if (i < len && t[i] == ',') {
            i++;
            continue;
        }
        if (i < len && t[i] == '\r')
            i++;
        if (i < len && t[i] == '\n')
            i++;
        break;
    }
    *pos = i;
    return n;
}

static rg_loc csv_loc(uint32_t file, uint32_t start, const char *field)
{
    rg_loc l = {file, start, start + (uint32_t)strlen(field)};
    if (l.end == l.start)
        l.end = l.start + 1;
    return l;
}

static int parse_cell(rgc_pack *pk, const rgc_ty *t, const char *cell, rg_value *out)
{
    if (!*cell) {
        if (!t->optional)
            return -2;
        *out = RG_NONE;
        return 0;
    }
    switch (t->scalar) {
    case RG_T_STRING:
        *out = rgc_str(pk, cell);
        return 0;
    case RG_T_MONEY: {
        rg_amount_status st = rg_parse_amount(cell, strlen(cell), out);
        if (st == RG_AMOUNT_NEGATIVE && cell[0] == '-' && rg_parse_amount(cell + 1, strlen(cell + 1), out) == RG_AMOUNT_OK) {
            *out = -*out;
            return 0;
        }
        return st == RG_AMOUNT_OK ? 0 : -1;
    }
    case RG_T_PERCENT: {
        /* whole or decimal percent points: "20", "12.5" */
        int64_t v = 0;
        int frac = -1;
        for (const char *c = cell; *c; c++) {
            if (*c == '.' && frac < 0) {
                frac = 0;
                continue;
            }
            if (*c < '0' || *c > '9' || (frac >= 0 && ++frac > 4) || v > INT64_MAX / 100)
                return -1;
            v = v * 10 + (*c - '0');
        }
        for (int f = frac < 0 ? 0 : frac; f < 4; f++) {
            if (v > INT64_MAX / 10) /* "100000000000000000" must not overflow */
                return -1;
            v *= 10;
        }
        *out = v;
        return 0;
    }
    case RG_T_INT: {
        char *end;
        errno = 0;
        long long v = strtoll(cell, &end, 10);
        if (*end || errno == ERANGE) /* out of range is an error, not LLONG_MAX */
            return -1;
        *out = v;
        return 0;
    }
    case RG_T_BOOL:
        if (strcmp(cell, "true") == 0 || strcmp(cell, "1") == 0)
            *out = 1;
        else if (strcmp(cell, "false") == 0 || strcmp(cell, "0") == 0)
            *out = 0;
        else
            return -1;
        return 0;
    case RG_T_DATE:
        return rg_parse_date(cell, strlen(cell), out) == 0 ? 0 : -1;
    case RG_T_ENUM: {
        int m = rgc_enum_member(pk, t->aux, cell);
        if (m < 0)
            return -1;
        *out = m;
        return 0;
    }
    case RG_T_REGION: {
        int r = rgc_policy_index(pk, cell);
        if (r < 0)
            return -1;
        *out = r;
        return 0;
    }
    default:
        return -1;
    }
}

/* What a cell of type t looks like: the hint under a bad cell. */
static const char *cell_hint(rgc_pack *pk, const rgc_ty *t, char *buf, size_t cap)
{
    switch (t->scalar) {
    case RG_T_MONEY: return _("money is written in yuan with at most two decimals, e.g. 12.50");
    case RG_T_PERCENT: return _("a percentage is written as its number, without %, e.g. 12.5");
    case RG_T_INT: return _("write a whole number");
    case RG_T_BOOL: return _("write true, false, 1 or 0");
    case RG_T_DATE: return _("dates are written YYYY-MM-DD and must exist in the calendar");
    case RG_T_REGION: return _("a region is the name of a policy of this pack");
    case RG_T_ENUM: {
        const rg_enum *e = &pk->prog->enums[t->aux];
        rg_sb b;
        rg_sb_fixed(&b, buf, cap);
        rg_sb_puts(&b, _("write one of"));
        for (uint32_t i = 0; i < e->n_members; i++)
            rg_sb_printf(&b, "%s %s", i ? "," : "", rgc_str_text(pk, pk->prog->member_names[e->first_member + i]));
        return buf;
    }
    default: return NULL;
    }
}

/* The keys of one CSV file and where each is first written: a key twice in
 * one file is a mistake (a later file replaces an earlier one's lines). */
typedef struct {
    const char **key;   /* open addressing, the keyset's own copies; NULL: free */
    uint32_t *at;       /* byte offset of its cell */
    uint32_t cap, n;
} keyset;

static uint32_t key_hash(const char *s)
{
    uint32_t h = 2166136261u;
    for (; *s; s++)
        h = (h ^ (unsigned char)*s) * 16777619u;
    return h;
}

/* 1 and *first when key is there already, else 0 after adding it. */
static int keyset_add(keyset *ks, const char *key, uint32_t at, uint32_t *first)
{
    if (ks->cap == 0) {
        ks->cap = 256;
        ks->key = calloc(ks->cap, sizeof *ks->key);
        ks->at = calloc(ks->cap, sizeof *ks->at);
        if (!ks->key || !ks->at)
            abort();
    }
    uint32_t i = key_hash(key) & (ks->cap - 1);
    while (ks->key[i]) {
        if (strcmp(ks->key[i], key) == 0) {
            *first = ks->at[i];
            return 1;
        }
        i = (i + 1) & (ks->cap - 1);
    }
    ks->key[i] = strdup(key);
    if (!ks->key[i])
        abort();
    ks->at[i] = at;
    ks->n++;
    return 0;
}

static void keyset_grow(keyset *ks)
{
    if (ks->n * 2 < ks->cap)
        return;
    keyset old = *ks;
    ks->cap = old.cap * 2;
    ks->key = calloc(ks->cap, sizeof *ks->key);
    ks->at = calloc(ks->cap, sizeof *ks->at);
    if (!ks->key || !ks->at)
        abort();
    for (uint32_t i = 0; i < old.cap; i++)
        if (old.key[i]) {
            uint32_t k = key_hash(old.key[i]) & (ks->cap - 1);
            while (ks->key[k])
                k = (k + 1) & (ks->cap - 1);
            ks->key[k] = old.key[i];
            ks->at[k] = old.at[i];
        }
    free(old.key);
    free(old.at);
}

/* A value out of what a column may hold (money is not negative, a percent
 * within 0..100%): 0, or -1 with the message and hint written. */
static int cell_in_range(rgc_pack *pk, const rgc_ty *t, const rg_texpr *te, rg_value v, const char *col, char *msg,
                         size_t mcap, char *hint, size_t hcap)
{
    int64_t lo, hi;
    if (v == RG_NONE || !rgc_value_range(te, t->scalar, &lo, &hi) || (v >= lo && v <= hi))
        return 0;
    if (te->has_range) {
        char range[100];
        rgc_range_text(te, range, sizeof range);
        snprintf(msg, mcap, _("column '%s' holds a value outside its range %s"), col, range);
        snprintf(hint, hcap, _("%s declares the column's range: correct the cell, or widen the range"),
                 pk->root->name);
    } else if (t->scalar == RG_T_MONEY) {
        snprintf(msg, mcap, _("column '%s' holds a negative amount"), col);
        snprintf(hint, hcap, "%s", _("an amount in a catalog is not negative unless its column declares a range "
                                     "(money in -¥100..¥100)"));
    } else {
        snprintf(msg, mcap, _("column '%s' holds a percentage outside 0..100"), col);
        snprintf(hint, hcap, "%s", _("a percentage is written as its number from 0 to 100, e.g. 12.5, unless its "
                                     "column declares a wider range (percent in 0%..200%)"));
    }
    return -1;
}

/* Read one CSV (of catalog root's columns) into rows; adds each row id to rs. */
static int load_csv(rgc_pack *pk, uint32_t cat, rgc_policy *pol, rg_decl *d, const rg_decl *root, const rgc_ty *coltypes,
                    const char **colnames, uint32_t ncol, rowset *rs)
{
    char path[1024];
    if (d->path[0] == '/' || strcmp(pol->dir, ".") == 0) /* no "./" before names in messages */
        snprintf(path, sizeof path, "%s", d->path);
    else
        snprintf(path, sizeof path, "%s/%s", pol->dir, d->path);
    int f = rg_diag_load_file(pk->diag, path);
    if (f < 0) {
        rgc_error(pk, d->loc, _("the path is relative to the policy file's directory"),
                  _("cannot read catalog file '%s': %s"), path, rg_read_error(errno, RG_MAX_FILE));
        return -1;
    }
    const rg_source *src = rg_diag_source(pk->diag, (uint32_t)f);
    size_t pos = 0;
    if (src->len >= 3 && memcmp(src->text, "\xef\xbb\xbf", 3) == 0)
        pos = 3;
    if (ncol > CSV_MAX_FIELDS) {
        rgc_error(pk, d->loc, NULL, _("catalog '%s' declares %u columns; a catalog has at most %d"), d->name,
                  (unsigned)ncol, CSV_MAX_FIELDS);
        return -1;
    }
    uint32_t starts[CSV_MAX_FIELDS];
    char *buf = malloc(src->len + CSV_MAX_FIELDS + 16);
    int n = csv_record(src->text, src->len, &pos, buf, src->len + CSV_MAX_FIELDS + 16, starts, CSV_MAX_FIELDS);
    if (n <= 0) {
        rgc_error(pk, d->loc, NULL, _("catalog file '%s' is empty: it needs a header line"), path);
        free(buf);
        return -1;
    }
    if (n > CSV_MAX_FIELDS) {
        rgc_error(pk, csv_loc((uint32_t)f, starts[0], buf), _("split the catalog, or drop the columns it does not declare"),
                  _("catalog file '%s' has more than %d columns"), path, CSV_MAX_FIELDS);
        free(buf);
        return -1;
    }
    int map[CSV_MAX_FIELDS];
    const char *hdr[CSV_MAX_FIELDS];
    {
        const char *c = buf;
        for (int i = 0; i < n && i < CSV_MAX_FIELDS; i++) {
            hdr[i] = c;
            c += strlen(c) + 1;
        }
    }
    int rc = 0;
    for (uint32_t k = 0; k < ncol; k++) {
        map[k] = -1;
        for (int i = 0; i < n && i < CSV_MAX_FIELDS; i++)
            if (strcmp(hdr[i], colnames[k]) == 0)
                map[k] = i;
        if (map[k] < 0) { /* underline the header line, and say what it names */
            uint32_t h0 = src->len >= 3 && memcmp(src->text, "\xef\xbb\xbf", 3) == 0 ? 3 : 0; /* after a BOM */
            rg_loc at = {(uint32_t)f, h0, h0 + (uint32_t)strcspn(src->text + h0, "\r\n")};
            char have[512];
            rg_sb h;
            rg_sb_fixed(&h, have, sizeof have);
            for (int i = 0; i < n && i < CSV_MAX_FIELDS; i++)
                rg_sb_printf(&h, "%s%s", i ? ", " : "", hdr[i]);
            char hint[640];
            snprintf(hint, sizeof hint, _("the header line names the columns the catalog declares; this one has %s"), have);
            rgc_error(pk, at, hint, _("catalog file has no column '%s'"), colnames[k]);
            rc = -1;
        }
    }
    char *line = malloc(src->len + CSV_MAX_FIELDS + 16);
    rg_value *vals = malloc(ncol * sizeof *vals);
    int header_ok = rc == 0;
    keyset keys = {0};
    while (header_ok) {
        size_t line_start = pos;
        int m = csv_record(src->text, src->len, &pos, line, src->len + CSV_MAX_FIELDS + 16, starts, CSV_MAX_FIELDS);
        if (m < 0)
            break;
        if (m == 1 && line[0] == '\0')
            continue; /* blank line */
        const char *cells[CSV_MAX_FIELDS];
        const char *c = line;
        for (int i = 0; i < m && i < CSV_MAX_FIELDS; i++) {
            cells[i] = c;
            c += strlen(c) + 1;
        }
        int ok = 1;
        if (m != n) {
            uint32_t end = (uint32_t)pos;
            while (end > line_start && (src->text[end - 1] == '\n' || src->text[end - 1] == '\r'))
                end--;
            rg_loc at = {(uint32_t)f, (uint32_t)line_start, end > line_start ? end : (uint32_t)line_start + 1};
            if (m < n)
                rgc_error(pk, at, _("write a cell for every column of the header; leave an optional one empty "
                                    "between two commas (a,,c)"),
                          _("this line has %d cells, the header has %d: cells are missing"), m, n);
            else if (m > CSV_MAX_FIELDS)
                rgc_error(pk, at, _("remove the extra cells, or quote a cell that holds a comma (\"a, b\")"),
                          _("this line has more than %d cells, the header has %d"), CSV_MAX_FIELDS, n);
            else
                rgc_error(pk, at, _("remove the extra cells, or quote a cell that holds a comma (\"a, b\")"),
                          _("this line has %d cells, the header has %d"), m, n);
            ok = 0;
        }
        for (uint32_t k = 0; ok && k < ncol; k++) {
            const char *cell = map[k] < m ? cells[map[k]] : "";
            uint32_t at = map[k] < m ? starts[map[k]] : (uint32_t)line_start;
            int r = parse_cell(pk, &coltypes[k], cell, &vals[k]);
            if (r != 0) {
                char tn[96], hint[256];
                rgc_ty base = coltypes[k];
                base.optional = 0; /* "must be money", not "money?": blanks are the other message */
                rgc_ty_name(pk, &base, tn, sizeof tn);
                if (r == -2 && pol->parent) { /* a region's file: the columns are the base policy's */
                    snprintf(hint, sizeof hint, _("%s declares the column required: fill the cell"), pk->root->name);
                    rgc_error(pk, csv_loc((uint32_t)f, at, cell), hint, _("column '%s' is empty"), colnames[k]);
                } else if (r == -2)
                    rgc_error(pk, csv_loc((uint32_t)f, at, cell), _("declare the column optional (TYPE?) to allow blanks"),
                              _("column '%s' is empty"), colnames[k]);
                else
                    rgc_error(pk, csv_loc((uint32_t)f, at, cell), cell_hint(pk, &base, hint, sizeof hint),
                              _("column '%s' must be %s, not '%s'"), colnames[k], tn, cell);
                ok = 0;
                continue;
            }
            char msg[200], hint[200];
            const rg_texpr *te = ((rg_member *)root->members.v[k])->type;
            if (cell_in_range(pk, &coltypes[k], te, vals[k], colnames[k], msg, sizeof msg, hint, sizeof hint) != 0) {
                rgc_error(pk, csv_loc((uint32_t)f, at, cell), hint, "%s", msg);
                ok = 0;
            }
        }
        uint32_t first;
        if (ok && ncol && map[0] >= 0 && keyset_add(&keys, cells[map[0]], starts[map[0]], &first)) {
            uint32_t line_no, col;
            rg_diag_linecol(pk->diag, (uint32_t)f, first, &line_no, &col);
            char hint[200];
            snprintf(hint, sizeof hint, _("the first is at line %u: keep one line per %s"), line_no, colnames[0]);
            rgc_error_related(pk, csv_loc((uint32_t)f, starts[map[0]], cells[map[0]]), hint,
                              csv_loc((uint32_t)f, first, cells[map[0]]), _("the first"),
                              _("%s '%s' is listed twice in this catalog file"), colnames[0], cells[map[0]]);
            ok = 0;
        }
        if (ok)
            keyset_grow(&keys);
        if (!ok) { /* report every bad cell of the file, keep none of its rows */
            rc = -1;
            continue;
        }
        uint32_t row = pk->prog->n_cat_values / ncol;
        rgc_push_cat_values(pk, vals, ncol);
        rowset_put(pk, rs, row, ncol);
    }
    (void)cat;
    for (uint32_t i = 0; i < keys.cap; i++)
        free((char *)keys.key[i]);
    free(keys.key);
    free(keys.at);
    free(vals);
    free(line);
    free(buf);
    return rc;
}

/* What cmp_rows compares by: the rows' keys (their first cells, string ids). */
typedef struct {
    const rgc_pack *pk;
    uint32_t ncol;
} row_order;

static int cmp_rows(const void *a, const void *b, void *order)
{
    const row_order *o = order;
    const rg_program *p = o->pk->prog;
    uint32_t ra = *(const uint32_t *)a, rb = *(const uint32_t *)b;
    return strcmp(rgc_str_text(o->pk, (uint32_t)p->cat_values[(size_t)ra * o->ncol]),
                  rgc_str_text(o->pk, (uint32_t)p->cat_values[(size_t)rb * o->ncol]));
}

int rgc_load_catalogs(rgc_pack *pk)
{
    int rc = 0;
    uint32_t np = pk->policies.n;
    for (uint32_t c = 0; c < pk->catalog_decls.n; c++) {
        rg_decl *root = pk->catalog_decls.v[c];
        uint32_t ncol = root->members.n;
        rgc_ty *types = calloc(ncol, sizeof *types);
        const char **names = calloc(ncol, sizeof *names);
        rg_catalog cat = {rgc_str(pk, root->name), pk->prog->n_columns, ncol, pk->prog->n_cat_index};
        for (uint32_t k = 0; k < ncol; k++) {
            rg_member *m = root->members.v[k];
            rgc_ty t = {0};
            rgc_ty err = {.k = RGC_K_ERROR};
            t = err;
            /* a scalar named as a policy writes it, but a duration (no CSV cell holds one), or an enum */
            rg_type_kind sk;
            if (m->type->name && rgc_scalar_named(m->type->name, &sk) && sk != RG_T_DURATION)
                t = rgc_ty_scalar(sk);
            if (t.k == RGC_K_ERROR && m->type->name && rgc_enum_by_name(pk, m->type->name) >= 0) {
                t = rgc_ty_scalar(RG_T_ENUM);
                t.aux = (uint32_t)rgc_enum_by_name(pk, m->type->name);
            }
            if (t.k == RGC_K_ERROR) {
                char msg[160], hint[160];
                rg_sb b;
                rg_sb_fixed(&b, msg, sizeof msg);
                rgc_type_list(&b, RG_T_DURATION);
                const char *best = rgc_closest_enum(pk, m->type->name);
                if (best)
                    snprintf(hint, sizeof hint, _("did you mean '%s'?"), best);
                rgc_error(pk, m->type->loc, best ? hint : _("a CSV cell holds a plain value: write one of these types"),
                          _("a catalog column is %s or an enum"), msg);
                rc = -1;
                continue;
            }
            rgc_ty checked;
            if (m->type->has_range && rgc_resolve_type(pk, m->type, &checked) != 0) { /* the range as written */
                rc = -1;
                continue;
            }
            t.optional = (uint8_t)m->type->optional;
            if ((k == 0) != (m->is_key != 0) || (k == 0 && t.scalar != RG_T_STRING)) {
                rgc_error(pk, m->loc, _("the first column is the key: `key code: string`"),
                          _("catalog '%s' must start with its string key column"), root->name);
                rc = -1;
            }
            types[k] = t;
            names[k] = m->name;
            rg_column col = {rgc_str(pk, m->name), rgc_ty_pack(&t)};
            rgc_push_columns(pk, &col, 1);
        }
        rowset *sets = calloc(np, sizeof *sets);
        rg_cat_index *seen = calloc(np, sizeof *seen); /* what each policy sees */
        uint8_t *shared = calloc(np, 1);                /* sees its parent's rows: shares their index */
        if (!sets || !seen || !shared)
            abort();
        for (uint32_t i = 0; rc == 0 && i < np; i++) {
            rgc_policy *pol = pk->policies.v[i];
            int overlays = 0;
            for (uint32_t k = 0; k < pol->catalogs.n; k++)
                overlays |= strcmp(((rg_decl *)pol->catalogs.v[k])->name, root->name) == 0;
            shared[i] = pol->parent && !overlays; /* sees its parent's rows (a city of a province, say) */
            if (pol->parent && overlays) {
                const rgc_policy *from = pol->parent; /* the nearest above with rows of its own */
                while (shared[from->index])
                    from = from->parent;
                for (uint32_t r = 0; r < sets[from->index].n; r++)
                    rowset_put(pk, &sets[i], sets[from->index].rows[r], ncol);
            }
            for (uint32_t k = 0; k < pol->catalogs.n; k++) {
                rg_decl *d = pol->catalogs.v[k];
                if (strcmp(d->name, root->name) != 0) {
                    if (i != 0 && c == 0) {
                        int known = 0;
                        for (uint32_t q = 0; q < pk->catalog_decls.n; q++)
                            known |= strcmp(((rg_decl *)pk->catalog_decls.v[q])->name, d->name) == 0;
                        if (!known) {
                            rgc_error(pk, d->name_loc, NULL, _("%s overlays catalog '%s', which %s does not declare"),
                                      pol->name, d->name, pk->root->name);
                            rc = -1;
                        }
                    }
                    continue;
                }
                if (load_csv(pk, c, pol, d, root, types, names, ncol, &sets[i]) != 0)
                    rc = -1;
            }
        }
        for (uint32_t i = 0; i < np; i++) {
            if (rc == 0) {
                rgc_policy *pol = pk->policies.v[i];
                if (shared[i]) {
                    seen[i] = seen[pol->parent->index];
                } else {
                    row_order order = {pk, ncol};
                    qsort_r(sets[i].rows, sets[i].n, sizeof(uint32_t), cmp_rows, &order);
                    seen[i] = (rg_cat_index){pk->prog->n_cat_rows, sets[i].n};
                    rgc_push_cat_rows(pk, sets[i].rows, sets[i].n);
                }
                rgc_push_cat_index(pk, &seen[i], 1);
            }
            free(sets[i].rows);
            free(sets[i].at);
        }
        free(sets);
        free(seen);
        free(shared);
        free(types);
        free(names);
        if (rc == 0)
            rgc_push_catalogs(pk, &cat, 1);
    }
    return rc;
}
