/* verify.c — the bytecode verifier's entry and its tables: every
 * cross-reference of every table in range (strings, schema, definitions,
 * chunks, policies, versions, catalogs, brackets, lists, ledgers, host
 * functions, outputs, notes, lines, entries); then the code (verify_code.c)
 * and the value classes (verify_types.c). Must not modify the program nor use
 * its derived indexes; it is all that stands between a hostile file and the
 * VM, so it assumes nothing it has not checked. */
#include <stdio.h>

#include "verify.h"

/* "<what> <i>: <member> <val> is out of range (<n> <of>)" */
#define REF(what, i, member, val, n, of)                                                                  \
    NEED((val) < (n), "%s %u: %s %u is out of range (%u %s)", what, (unsigned)(i), member, (unsigned)(val), \
         (unsigned)(n), of)
#define OPT_REF(what, i, member, val, n, of)                                                 \
    NEED((val) == RG_NO_INDEX || (val) < (n), "%s %u: %s %u is out of range (%u %s)", what, \
         (unsigned)(i), member, (unsigned)(val), (unsigned)(n), of)
#define RANGE(what, i, first, count, n, of)                                                         \
    NEED((uint64_t)(first) + (count) <= (n), "%s %u: %s %u+%u runs past the end (%u entries)", what, \
         (unsigned)(i), of, (unsigned)(first), (unsigned)(count), (unsigned)(n))
#define STR(what, i, member, val) REF(what, i, member, val, v->p->n_strings, "strings")
#define TYPE(what, i, member, t) \
    NEED(rg_verify_type_ok(v->p, t), "%s %u: %s 0x%x is not a valid type", what, (unsigned)(i), member, (unsigned)(t))

int rg_verify_type_ok(const rg_program *p, uint32_t t)
{
    uint32_t kind = RG_TYPE_KIND(t), aux = RG_TYPE_AUX(t);
    if (kind >= RG_T__COUNT) return 0;
    if (kind == RG_T_ENUM) return aux < p->n_enums;
    if (kind == RG_T_LIST) return aux < RG_T__COUNT;
    if (kind == RG_T_ELEM) return aux < p->n_fields && RG_TYPE_KIND(p->fields[aux].type) == RG_T_LIST;
    return aux == 0;
}

/* A stored scalar of type t (a verified type): in range for its kind. */
static int value_ok(const rg_program *p, uint32_t t, int64_t x)
{
    if (x == RG_NONE) return 1;
    switch (RG_TYPE_KIND(t)) {
    case RG_T_BOOL: return x == 0 || x == 1;
    case RG_T_ENUM: return x >= 0 && x < p->enums[RG_TYPE_AUX(t)].n_members;
    case RG_T_STRING: return x >= 0 && x < p->n_strings;
    case RG_T_REGION: return x >= 0 && x < p->n_policies;
    case RG_T_LIST: return x >= 0 && x < p->n_lists;
    default: return 1;
    }
}

/* Well-formed UTF-8 (no overlong forms, surrogates or code points past U+10FFFF). */
static int utf8_ok(const unsigned char *s, uint32_t n)
{
    for (uint32_t i = 0; i < n;) {
        unsigned c = s[i], len, min;
        uint32_t cp;
        if (c < 0x80) {
            i++;
            continue;
        }
        if (c >= 0xC2 && c <= 0xDF) len = 2, min = 0x80, cp = c & 0x1F;
        else if (c >= 0xE0 && c <= 0xEF) len = 3, min = 0x800, cp = c & 0x0F;
        else if (c >= 0xF0 && c <= 0xF4) len = 4, min = 0x10000, cp = c & 0x07;
        else return 0;
        if (n - i < len) return 0;
        for (unsigned k = 1; k < len; k++) {
            if ((s[i + k] & 0xC0) != 0x80) return 0;
            cp = cp << 6 | (s[i + k] & 0x3Fu);
        }
        if (cp < min || cp > 0x10FFFF || (cp >= 0xD800 && cp <= 0xDFFF)) return 0;
        i += len;
    }
    return 1;
}

/* Strings are checked first: later messages may quote them. */
static int check_strings(vctx *v)
{
    const rg_program *p = v->p;
    for (uint32_t i = 0; i < p->n_strings; i++) {
        const rg_strent *s = &p->strings[i];
        NEED((uint64_t)s->offset + s->len < p->n_blob, "string %u: bytes %u+%u and its NUL are outside the blob (%u bytes)",
             i, s->offset, s->len, p->n_blob);
        NEED(p->blob[s->offset + s->len] == '\0', "string %u is not NUL-terminated", i);
        NEED(memchr(p->blob + s->offset, 0, s->len) == NULL, "string %u contains a NUL byte", i);
        NEED(utf8_ok((const unsigned char *)p->blob + s->offset, s->len), "string %u is not valid UTF-8", i);
    }
    return 0;
}

/* The n names (string ids, `stride` bytes apart from `first`) are distinct
 * texts: a result line has one key an output, an enumeration one member a
 * name, a pack one region a code. Each is looked up among those before it by
 * the hash of its text. */
static int distinct_names(vctx *v, const char *what, const void *first, size_t stride, uint32_t n)
{
    const rg_program *p = v->p;
    uint32_t cap = 16;
    while (cap < 2 * (uint64_t)n) cap *= 2;
    uint32_t *slot = malloc(cap * sizeof *slot); /* the names seen, by hash */
    NEED(slot, "out of memory verifying the names");
    memset(slot, 0xFF, cap * sizeof *slot);
    int r = 0;
    for (uint32_t i = 0; i < n && r == 0; i++) {
        uint32_t a;
        memcpy(&a, (const char *)first + i * stride, 4);
        const rg_strent *x = &p->strings[a];
        uint32_t h = rg_str_hash_text(p->blob + x->offset, x->len) & (cap - 1);
        for (; slot[h] != RG_NO_INDEX; h = (h + 1) & (cap - 1)) {
            uint32_t j = slot[h], b;
            memcpy(&b, (const char *)first + j * stride, 4);
            const rg_strent *y = &p->strings[b];
            if (x->len == y->len && memcmp(p->blob + x->offset, p->blob + y->offset, x->len) == 0) {
                r = VFAIL(v, "%s %u and %u are both called '%s'", what, j, i, p->blob + x->offset);
                break;
            }
        }
        slot[h] = i;
    }
    free(slot);
    return r;
}

static int check_enums(vctx *v)
{
    const rg_program *p = v->p;
    for (uint32_t i = 0; i < p->n_member_names; i++) STR("member name", i, "string", p->member_names[i]);
    for (uint32_t i = 0; i < p->n_enums; i++) {
        STR("enum", i, "name", p->enums[i].name);
        RANGE("enum", i, p->enums[i].first_member, p->enums[i].n_members, p->n_member_names, "member_names");
        char what[48];
        snprintf(what, sizeof what, "enum %u: members", i);
        if (distinct_names(v, what, p->member_names + p->enums[i].first_member, sizeof(uint32_t),
                           p->enums[i].n_members))
            return -1;
    }
    return 0;
}

static int check_field_parent(vctx *v, uint32_t i, const rg_field *f)
{
    const rg_program *p = v->p;
    unsigned expect_in_list = 0;
    NEED(f->parent >= -1 && f->parent < (int64_t)i, "field %u: parent %d is not an earlier field", i, (int)f->parent);
    if (f->parent >= 0) {
        const rg_field *up = &p->fields[f->parent];
        rg_type_kind k = RG_TYPE_KIND(up->type);
        NEED(k == RG_T_RECORD || k == RG_T_LIST, "field %u: parent %d is not a record or list field", i, (int)f->parent);
        expect_in_list = up->in_list || k == RG_T_LIST;
    }
    NEED(f->in_list == expect_in_list, "field %u: in_list is %u but the field is %s the item list", i,
         (unsigned)f->in_list, expect_in_list ? "inside" : "outside");
    return 0;
}

static int check_field(vctx *v, uint32_t i)
{
    const rg_program *p = v->p;
    const rg_field *f = &p->fields[i];
    STR("field", i, "key", f->key);
    STR("field", i, "path", f->path);
    TYPE("field", i, "type", f->type);
    NEED(f->optional <= 1 && f->in_list <= 1 && f->has_range <= 1 && f->cond_op <= 2 && f->cond_only <= 1 &&
             f->has_default <= 1 && f->nonempty <= 1,
         "field %u: a flag is out of range (optional %u, in_list %u, has_range %u, cond_op %u, cond_only %u, "
         "has_default %u, nonempty %u)", i, (unsigned)f->optional, (unsigned)f->in_list, (unsigned)f->has_range,
         (unsigned)f->cond_op, (unsigned)f->cond_only, (unsigned)f->has_default, (unsigned)f->nonempty);
    if (check_field_parent(v, i, f)) return -1;
    NEED(f->message == RG_NO_INDEX || f->message < p->n_strings, "field %u: message %u is out of range", i, f->message);
    NEED(f->elem_message == RG_NO_INDEX || f->elem_message < p->n_strings, "field %u: elem_message %u is out of range",
         i, f->elem_message);
    rg_type_kind k = RG_TYPE_KIND(f->type);
    /* a default is a number stored as the field's value: never a string (a pointer), a record or a list */
    NEED(!f->has_default || (k != RG_T_STRING && k != RG_T_RECORD && k != RG_T_LIST && k != RG_T_ROW),
         "field %u: a field of this type has no default", i);
    NEED(!f->has_default || value_ok(p, f->type, f->default_value),
         "field %u: its default %lld is not a value of its type", i, (long long)f->default_value);
    if (k == RG_T_LIST) {
        /* its slot holds its number of elements; its elements are rows of its own */
        NEED(!f->in_list, "field %u: a list inside a list's element", i);
        REF("field", i, "list", f->list, p->n_claim_lists, "claim lists");
        REF("field", i, "slot", f->slot, p->n_claim_slots, "claim slots");
    } else if (f->in_list) {
        int32_t up = f->parent;
        while (up >= 0 && RG_TYPE_KIND(p->fields[up].type) != RG_T_LIST) up = p->fields[up].parent;
        NEED(up >= 0 && f->list == p->fields[up].list, "field %u: list %u is not its list's", i, f->list);
        REF("field", i, "slot", f->slot, p->n_item_slots, "item slots");
    } else {
        REF("field", i, "slot", f->slot, p->n_claim_slots, "claim slots");
    }
    if (f->has_range) {
        NEED(RG_TYPE_KIND(f->type) == RG_T_INT, "field %u has a range but is not an int", i);
        NEED(f->lo <= f->hi, "field %u: range %lld..%lld is empty", i, (long long)f->lo, (long long)f->hi);
    }
    if (f->cond_op) {
        NEED(f->cond_field >= 0 && (uint32_t)f->cond_field < p->n_fields && (uint32_t)f->cond_field != i &&
                 p->fields[f->cond_field].parent == f->parent,
             "field %u: condition field %d is not a sibling", i, (int)f->cond_field);
    }
    return 0;
}

static int check_schema(vctx *v)
{
    const rg_program *p = v->p;
    /* every slot belongs to a field: the VM allocates them per context */
    NEED(p->n_claim_slots <= p->n_fields && p->n_item_slots <= p->n_fields,
         "%u claim slots and %u item slots for %u fields", p->n_claim_slots, p->n_item_slots, p->n_fields);
    NEED(p->n_claim_lists <= p->n_fields, "%u claim lists for %u fields", p->n_claim_lists, p->n_fields);
    uint32_t lists = 0;
    for (uint32_t i = 0; i < p->n_fields; i++) {
        if (check_field(v, i)) return -1;
        if (RG_TYPE_KIND(p->fields[i].type) == RG_T_LIST) {
            NEED(p->fields[i].list == lists, "field %u: list number %u where %u comes next", i, p->fields[i].list, lists);
            lists++;
        }
    }
    NEED(lists == p->n_claim_lists, "%u list fields but %u claim lists", lists, p->n_claim_lists);
    return 0;
}

static int check_defs(vctx *v)
{
    const rg_program *p = v->p;
    NEED(p->n_item_defs <= p->n_defs, "%u per-item definitions but %u definitions", p->n_item_defs, p->n_defs);
    for (uint32_t i = 0; i < p->n_defs; i++) {
        const rg_def *d = &p->defs[i];
        STR("definition", i, "name", d->name);
        TYPE("definition", i, "type", d->type);
        NEED(d->kind <= RG_DEF_DECIDE, "definition %u: kind %u is not a definition kind", i, (unsigned)d->kind);
        NEED(d->per_item <= 1, "definition %u: per_item is %u", i, (unsigned)d->per_item);
        if (d->per_item) REF("definition", i, "item_index", d->item_index, p->n_item_defs, "per-item definitions");
    }
    return 0;
}

static int check_chunk_table(vctx *v)
{
    const rg_program *p = v->p;
    for (uint32_t i = 0; i < p->n_chunks; i++) {
        const rg_chunk *c = &p->chunks[i];
        NEED((uint64_t)c->start + c->len <= p->n_code, "chunk %u: code %u+%u runs past the end of the code (%u bytes)",
             i, c->start, c->len, p->n_code);
        OPT_REF("chunk", i, "definition", c->def, p->n_defs, "definitions");
        OPT_REF("chunk", i, "policy", c->policy, p->n_policies, "policies");
        OPT_REF("chunk", i, "version", c->version, p->n_versions, "versions");
        OPT_REF("chunk", i, "file", c->file, p->n_strings, "strings");
    }
    return 0;
}

/* Parents form a forest: walk each chain once, marking nodes on the current
 * walk (1) and nodes known to reach a root (2). */
static int check_policy_tree(vctx *v)
{
    const rg_program *p = v->p;
    uint8_t *state = calloc(p->n_policies ? p->n_policies : 1, 1);
    NEED(state, "out of memory verifying the policies");
    for (uint32_t i = 0; i < p->n_policies; i++) {
        uint32_t j = i;
        while (j != RG_NO_INDEX && state[j] == 0) {
            state[j] = 1;
            j = p->policies[j].parent;
        }
        if (j != RG_NO_INDEX && state[j] == 1) {
            free(state);
            return VFAIL(v, "policy %u: its chain of parents loops back to policy %u", i, j);
        }
        for (j = i; j != RG_NO_INDEX && state[j] == 1; j = p->policies[j].parent) state[j] = 2;
    }
    free(state);
    return 0;
}

static int check_policies(vctx *v)
{
    const rg_program *p = v->p;
    uint64_t need = (uint64_t)p->n_policies * p->n_defs;
    NEED(p->n_vtable == need, "the vtable has %u entries but %u policies x %u definitions need %llu", p->n_vtable,
         p->n_policies, p->n_defs, (unsigned long long)need);
    for (uint32_t i = 0; i < p->n_policies; i++) {
        const rg_policy *pol = &p->policies[i];
        STR("policy", i, "name", pol->name);
        STR("policy", i, "file", pol->file);
        OPT_REF("policy", i, "parent", pol->parent, p->n_policies, "policies");
        RANGE("policy", i, pol->vtable, p->n_defs, p->n_vtable, "vtable");
        OPT_REF("policy", i, "update", pol->update, p->n_chunks, "chunks");
        NEED(pol->update == RG_NO_INDEX || p->chunks[pol->update].def == RG_NO_INDEX,
             "policy %u: update chunk %u computes a definition", i, pol->update);
        if (!p->n_defs) continue;
        /* a child's row where it is its parent's (checked before it) needs no second look */
        const uint32_t *row = p->vtable + pol->vtable;
        const uint32_t *up = pol->parent < i ? p->vtable + p->policies[pol->parent].vtable : NULL;
        for (uint32_t d = 0; d < p->n_defs; d++) {
            if (up && row[d] == up[d])
                continue;
            REF("vtable entry", pol->vtable + d, "chunk", row[d], p->n_chunks, "chunks");
            NEED(p->chunks[row[d]].def == d, "policy %u: definition %u runs chunk %u, which computes definition %u", i, d,
                 row[d], p->chunks[row[d]].def);
        }
    }
    if (p->n_policies && distinct_names(v, "policies", &p->policies[0].name, sizeof(rg_policy), p->n_policies))
        return -1;
    return check_policy_tree(v);
}

static int check_versions(vctx *v)
{
    const rg_program *p = v->p;
    for (uint32_t i = 0; i < p->n_versions; i++) {
        const rg_version *ver = &p->versions[i];
        STR("version", i, "name", ver->name);
        REF("version", i, "policy", ver->policy, p->n_policies, "policies");
        NEED(ver->from == RG_NONE || ver->until == RG_NONE || ver->from <= ver->until,
             "version %u: it ends (%lld) before it starts (%lld)", i, (long long)ver->until, (long long)ver->from);
    }
    for (uint32_t i = 0; i < p->n_vselectors; i++) {
        const rg_vselector *s = &p->vselectors[i];
        RANGE("selector", i, s->first_entry, s->n_entries, p->n_vsel_entries, "vsel_entries");
        REF("selector", i, "fallback", s->fallback, p->n_chunks, "chunks");
    }
    for (uint32_t i = 0; i < p->n_vsel_entries; i++) {
        REF("selector entry", i, "version", p->vsel_entries[i].version, p->n_versions, "versions");
        REF("selector entry", i, "chunk", p->vsel_entries[i].chunk, p->n_chunks, "chunks");
    }
    return 0;
}

/* One (catalog, policy) row list: rows inside cat_values, values typed, keys strictly ascending. */
static int check_catalog_rows(vctx *v, uint32_t ci, uint32_t pol)
{
    const rg_program *p = v->p;
    const rg_catalog *c = &p->catalogs[ci];
    const rg_cat_index *ix = &p->cat_index[c->first_index + pol];
    const char *prev = NULL;
    for (uint32_t j = 0; j < ix->count; j++) {
        uint32_t row = p->cat_rows[ix->start + j];
        NEED(((uint64_t)row + 1) * c->n_columns <= p->n_cat_values,
             "catalog %u, policy %u: row %u is outside cat_values (%u values, %u a row)", ci, pol, row,
             p->n_cat_values, c->n_columns);
        const int64_t *vals = p->cat_values + (size_t)row * c->n_columns;
        NEED(vals[0] >= 0 && vals[0] < p->n_strings, "catalog %u, row %u: key %lld is not a string id", ci, row,
             (long long)vals[0]);
        for (uint32_t k = 1; k < c->n_columns; k++)
            NEED(value_ok(p, p->columns[c->first_column + k].type, vals[k]),
                 "catalog %u, row %u: column %u value %lld is out of range for its type", ci, row, k, (long long)vals[k]);
        const char *key = p->blob + p->strings[vals[0]].offset;
        NEED(!prev || strcmp(prev, key) < 0, "catalog %u, policy %u: rows are not sorted by key ('%s' then '%s')", ci,
             pol, prev, key);
        prev = key;
    }
    return 0;
}

static int check_catalogs(vctx *v)
{
    const rg_program *p = v->p;
    for (uint32_t i = 0; i < p->n_columns; i++) {
        STR("column", i, "name", p->columns[i].name);
        TYPE("column", i, "type", p->columns[i].type);
        rg_type_kind k = RG_TYPE_KIND(p->columns[i].type);
        NEED(k != RG_T_VOID && k != RG_T_RECORD, "column %u: a column cannot hold a %s", i,
             k == RG_T_VOID ? "void" : "record");
    }
    for (uint32_t i = 0; i < p->n_cat_index; i++)
        RANGE("catalog index", i, p->cat_index[i].start, p->cat_index[i].count, p->n_cat_rows, "cat_rows");
    for (uint32_t i = 0; i < p->n_catalogs; i++) {
        const rg_catalog *c = &p->catalogs[i];
        STR("catalog", i, "name", c->name);
        NEED(c->n_columns >= 1, "catalog %u has no columns (column 0 is its key)", i);
        RANGE("catalog", i, c->first_column, c->n_columns, p->n_columns, "columns");
        NEED(RG_TYPE_KIND(p->columns[c->first_column].type) == RG_T_STRING, "catalog %u: key column is not a string", i);
        RANGE("catalog", i, c->first_index, p->n_policies, p->n_cat_index, "cat_index");
        for (uint32_t pol = 0; pol < p->n_policies; pol++) {
            /* a city that sees its province's rows shares them (checked with the province's) */
            uint32_t up = p->policies[pol].parent;
            const rg_cat_index *ix = &p->cat_index[c->first_index + pol];
            if (up < pol && ix->start == p->cat_index[c->first_index + up].start &&
                ix->count == p->cat_index[c->first_index + up].count)
                continue;
            if (check_catalog_rows(v, i, pol)) return -1;
        }
    }
    return 0;
}

static int check_brackets(vctx *v)
{
    const rg_program *p = v->p;
    for (uint32_t i = 0; i < p->n_tiers; i++) {
        const rg_tier *t = &p->tiers[i];
        NEED(t->lo != RG_NONE && (t->hi == RG_NONE || t->hi > t->lo), "tier %u: [%lld, %lld) is not a range", i,
             (long long)t->lo, (long long)t->hi);
    }
    for (uint32_t i = 0; i < p->n_brackets; i++) {
        const rg_bracket *b = &p->brackets[i];
        STR("bracket", i, "name", b->name);
        RANGE("bracket", i, b->first_tier, b->n_tiers, p->n_tiers, "tiers");
        for (uint32_t j = 1; j < b->n_tiers; j++) {
            const rg_tier *prev = &p->tiers[b->first_tier + j - 1], *t = &p->tiers[b->first_tier + j];
            NEED(prev->hi != RG_NONE && t->lo >= prev->hi, "bracket %u: tier %u overlaps or follows an open tier", i, j);
        }
    }
    return 0;
}

static int check_lists(vctx *v)
{
    const rg_program *p = v->p;
    for (uint32_t i = 0; i < p->n_lists; i++) {
        const rg_list *l = &p->lists[i];
        RANGE("list", i, l->first, l->count, p->n_list_values, "list_values");
        TYPE("list", i, "element type", l->type);
        for (uint32_t j = 0; j < l->count; j++)
            NEED(value_ok(p, l->type, p->list_values[l->first + j]), "list %u: value %u (%lld) is out of range for its type",
                 i, j, (long long)p->list_values[l->first + j]);
    }
    return 0;
}

/* What the host passes in and out as int64_t (key parts: strings too). */
static int ledger_type_ok(uint32_t t, int key)
{
    switch (RG_TYPE_KIND(t)) {
    case RG_T_VOID: case RG_T_RECORD: case RG_T_LIST: case RG_T_ROW: case RG_T_ELEM: return 0;
    case RG_T_STRING: return key;
    default: return 1;
    }
}

static int check_ledgers(vctx *v)
{
    const rg_program *p = v->p;
    for (uint32_t i = 0; i < p->n_ledger_keys; i++) REF("ledger key", i, "chunk", p->ledger_keys[i], p->n_chunks, "chunks");
    NEED(p->n_ledger_key_types == p->n_ledger_keys,
         "ledger_key_types has %u entries but ledger_keys has %u (they are parallel)", p->n_ledger_key_types,
         p->n_ledger_keys);
    for (uint32_t i = 0; i < p->n_ledger_key_types; i++) {
        TYPE("ledger key", i, "type", p->ledger_key_types[i]);
        NEED(ledger_type_ok(p->ledger_key_types[i], 1), "ledger key %u: a key cannot be a %s", i,
             rg_type_kind_name(p->ledger_key_types[i]));
    }
    for (uint32_t i = 0; i < p->n_ledger_scopes; i++) {
        const rg_ledger_scope *s = &p->ledger_scopes[i];
        STR("ledger scope", i, "name", s->name);
        RANGE("ledger scope", i, s->first_field, s->n_fields, p->n_ledger_fields, "ledger_fields");
        RANGE("ledger scope", i, s->first_key, s->n_keys, p->n_ledger_keys, "ledger_keys");
        REF("ledger scope", i, "owner", s->owner, p->n_policies, "policies");
    }
    for (uint32_t i = 0; i < p->n_ledger_fields; i++) {
        const rg_ledger_field *f = &p->ledger_fields[i];
        STR("ledger field", i, "name", f->name);
        TYPE("ledger field", i, "type", f->type);
        NEED(ledger_type_ok(f->type, 0), "ledger field %u: the host keeps numbers, not a %s", i, rg_type_kind_name(f->type));
        REF("ledger field", i, "scope", f->scope, p->n_ledger_scopes, "ledger scopes");
        OPT_REF("ledger field", i, "init", f->init, p->n_chunks, "chunks");
        const rg_ledger_scope *s = &p->ledger_scopes[f->scope];
        NEED(i >= s->first_field && i - s->first_field < s->n_fields, "ledger field %u is not among its scope %u's fields",
             i, f->scope);
    }
    return 0;
}

static int check_outputs_notes(vctx *v)
{
    const rg_program *p = v->p;
    for (uint32_t i = 0; i < p->n_outputs; i++) {
        STR("output", i, "name", p->outputs[i].name);
        REF("output", i, "definition", p->outputs[i].def, p->n_defs, "definitions");
        TYPE("output", i, "type", p->outputs[i].type);
        const rg_def *d = &p->defs[p->outputs[i].def];
        NEED(p->outputs[i].type == d->type && !d->per_item,
             "output %u: its type 0x%x is not that of its claim-level definition %u (0x%x)", i,
             (unsigned)p->outputs[i].type, p->outputs[i].def, (unsigned)d->type);
    }
    if (p->n_outputs && distinct_names(v, "outputs", &p->outputs[0].name, sizeof(rg_output), p->n_outputs))
        return -1;
    for (uint32_t i = 0; i < p->n_notes; i++) {
        const rg_note *n = &p->notes[i];
        NEED(n->kind <= RG_NOTE_OTHERWISE, "note %u: kind %u is not a note kind", i, n->kind);
        REF("note", i, "definition", n->def, p->n_defs, "definitions");
        OPT_REF("note", i, "file", n->file, p->n_strings, "strings");
    }
    return 0;
}

/* A type a host function may take or return: a scalar C can hold (int64_t or
 * const char *), so neither void, record, list nor catalog row. */
static int extern_type_ok(uint32_t t)
{
    switch (RG_TYPE_KIND(t)) {
    case RG_T_BOOL: case RG_T_INT: case RG_T_MONEY: case RG_T_PERCENT: case RG_T_DATE:
    case RG_T_DURATION: case RG_T_STRING: case RG_T_REGION: case RG_T_ENUM:
        return 1;
    default:
        return 0;
    }
}

static int check_externs(vctx *v)
{
    const rg_program *p = v->p;
    for (uint32_t i = 0; i < p->n_externs; i++) {
        const rg_extern *x = &p->externs[i];
        STR("host function", i, "name", x->name);
        NEED(x->n_args <= RG_EXTERN_MAX_ARGS, "host function %u: %u arguments (at most %u)", i, x->n_args,
             (unsigned)RG_EXTERN_MAX_ARGS);
        for (uint32_t k = 0; k < x->n_args; k++) {
            TYPE("host function", i, "argument type", x->args[k]);
            NEED(extern_type_ok(x->args[k]), "host function %u: argument %u has a type C cannot be given", i, k + 1);
        }
        TYPE("host function", i, "result type", x->result);
        NEED(extern_type_ok(x->result), "host function %u: its result has a type C cannot return", i);
        NEED(x->result_optional <= 1, "host function %u: result_optional is %u", i, x->result_optional);
        for (uint32_t j = 0; j < i; j++)
            NEED(strcmp(p->blob + p->strings[p->externs[j].name].offset, p->blob + p->strings[x->name].offset) != 0,
                 "host functions %u and %u have the same name", j, i);
    }
    return 0;
}

static int check_lines(vctx *v)
{
    const rg_program *p = v->p;
    for (uint32_t i = 0; i < p->n_lines; i++) {
        const rg_lineent *l = &p->lines[i];
        NEED(l->offset < p->n_code, "line entry %u: offset %u is outside the code (%u bytes)", i, l->offset, p->n_code);
        OPT_REF("line entry", i, "file", l->file, p->n_strings, "strings");
        NEED(i == 0 || l->offset >= p->lines[i - 1].offset, "line entry %u: offset %u is before the previous entry's %u",
             i, l->offset, p->lines[i - 1].offset);
    }
    return 0;
}

static int check_entries(vctx *v)
{
    const rg_program *p = v->p;
    const rg_entries *e = &p->entry;
    NEED(e->select_policy < p->n_chunks, "entry select_policy: chunk %u is out of range (%u chunks)", e->select_policy,
         p->n_chunks);
    NEED(e->asof < p->n_chunks || (e->asof == RG_NO_INDEX && p->n_versions == 0),
         "entry asof: chunk %u is out of range (%u chunks; it may be absent only when there are no versions)", e->asof,
         p->n_chunks);
    NEED(e->validate == RG_NO_INDEX || (e->validate < p->n_defs && !p->defs[e->validate].per_item),
         "entry validate: %u is not a claim-level definition", e->validate);
    /* plans: none, or one per policy, each an entry chunk (it computes no definition of its own) */
    NEED(p->n_plans == 0 || p->n_plans == p->n_policies, "the pack has %u plans for %u policies", p->n_plans,
         p->n_policies);
    for (uint32_t i = 0; i < p->n_plans; i++) {
        NEED(p->plans[i] == RG_NO_INDEX || p->plans[i] < p->n_chunks, "plan of policy %u: chunk %u is out of range (%u chunks)",
             i, p->plans[i], p->n_chunks);
        NEED(p->plans[i] == RG_NO_INDEX || p->chunks[p->plans[i]].def == RG_NO_INDEX,
             "plan of policy %u: chunk %u computes a definition, not a plan", i, p->plans[i]);
    }
    return 0;
}

int rg_program_verify(const rg_program *p, char *err, size_t errlen)
{
    vctx v = {p, err, errlen};
    if (err && errlen) err[0] = '\0';
    if (check_strings(&v) || check_enums(&v) || check_schema(&v) || check_defs(&v) || check_chunk_table(&v) ||
        check_policies(&v) || check_versions(&v) || check_catalogs(&v) || check_brackets(&v) || check_lists(&v) ||
        check_ledgers(&v) || check_externs(&v) || check_outputs_notes(&v) || check_lines(&v) || check_entries(&v))
        return -1;
    rg_types *t = rg_verify_types_begin(&v);
    return !t ? -1 : rg_verify_types_end(&v, t, rg_verify_code(&v, t) == 0);
}
