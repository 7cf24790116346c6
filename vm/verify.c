/* verify.c — the bytecode verifier: every cross-reference of every table in range, and per chunk its code (decoding, operand bounds, jump targets, termination, stack depths and the class of every value along all paths).
 * Must not modify the program nor use its derived indexes; it is all that stands between a hostile file and the VM, so it assumes nothing it has not checked. */
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include "bytecode_io.h"
#include "vm.h"

typedef struct {
    const rg_program *p;
    char *err;
    size_t errlen;
} vctx;

static int fail(vctx *v, const char *fmt, ...) __attribute__((format(printf, 2, 3)));
static int fail(vctx *v, const char *fmt, ...)
{
    if (v->err && v->errlen) {
        va_list ap;
        va_start(ap, fmt);
        vsnprintf(v->err, v->errlen, fmt, ap);
        va_end(ap);
    }
    return -1;
}

#define NEED(cond, ...)                               \
    do {                                              \
        if (!(cond)) return fail(v, __VA_ARGS__);     \
    } while (0)

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
    NEED(type_ok(v->p, t), "%s %u: %s 0x%x is not a valid type", what, (unsigned)(i), member, (unsigned)(t))

static int type_ok(const rg_program *p, uint32_t t)
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

static int check_enums(vctx *v)
{
    const rg_program *p = v->p;
    for (uint32_t i = 0; i < p->n_member_names; i++) STR("member name", i, "string", p->member_names[i]);
    for (uint32_t i = 0; i < p->n_enums; i++) {
        STR("enum", i, "name", p->enums[i].name);
        RANGE("enum", i, p->enums[i].first_member, p->enums[i].n_members, p->n_member_names, "member_names");
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
            return fail(v, "policy %u: its chain of parents loops back to policy %u", i, j);
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
    for (uint32_t i = 0; i < p->n_vtable; i++) REF("vtable entry", i, "chunk", p->vtable[i], p->n_chunks, "chunks");
    for (uint32_t i = 0; i < p->n_policies; i++) {
        const rg_policy *pol = &p->policies[i];
        STR("policy", i, "name", pol->name);
        STR("policy", i, "file", pol->file);
        OPT_REF("policy", i, "parent", pol->parent, p->n_policies, "policies");
        RANGE("policy", i, pol->vtable, p->n_defs, p->n_vtable, "vtable");
        for (uint32_t d = 0; d < p->n_defs; d++)
            NEED(p->chunks[p->vtable[pol->vtable + d]].def == d,
                 "policy %u: definition %u runs chunk %u, which computes definition %u", i, d,
                 p->vtable[pol->vtable + d], p->chunks[p->vtable[pol->vtable + d]].def);
    }
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
        for (uint32_t pol = 0; pol < p->n_policies; pol++)
            if (check_catalog_rows(v, i, pol)) return -1;
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
    NEED(e->update == RG_NO_INDEX || e->update < p->n_chunks, "entry update: chunk %u is out of range (%u chunks)",
         e->update, p->n_chunks);
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

/* ---- code ---- */

typedef struct {
    int32_t *depth;   /* stack depth on entry to each offset, -1 = not reached */
    uint8_t *starts;  /* 1 at each instruction start */
    uint32_t *work;   /* offsets still to propagate from */
} scratch;

static int is_terminator(unsigned op)
{
    return rg_op_ends_block(op);
}

static int bad_operand(vctx *v, uint32_t ci, uint32_t off, const rg_insn *in, const char *noun, uint32_t val,
                       const char *bound)
{
    return fail(v, "chunk %u at offset %u: %s: %s %u is out of range (%s)", ci, off, rg_opinfo_table[in->op].name, noun,
                val, bound);
}

/* Operand which (1 or 2) of in, at offset off of chunk ci, against its kind's bound. */
static int check_operand(vctx *v, uint32_t ci, uint32_t off, const rg_insn *in, int which)
{
    const rg_program *p = v->p;
    const rg_chunk *c = &p->chunks[ci];
    unsigned kind = which == 1 ? rg_opinfo_table[in->op].a : rg_opinfo_table[in->op].b;
    uint32_t val = which == 1 ? in->a : in->b, n;
    const char *noun;
    char bound[64];
#define PACK(noun_, plural_, n_)                                               \
    noun = noun_;                                                              \
    n = (n_);                                                                  \
    snprintf(bound, sizeof bound, "the pack has %u " plural_, (unsigned)n);    \
    break;
    switch (kind) {
    case RG_OPK_CONST: PACK("constant", "constants", p->n_consts)
    case RG_OPK_STR: PACK("string", "strings", p->n_strings)
    case RG_OPK_FIELD: PACK("claim slot", "claim slots", p->n_claim_slots)
    case RG_OPK_IFIELD: PACK("item slot", "item slots", p->n_item_slots)
    case RG_OPK_DEF: PACK("definition", "definitions", p->n_defs)
    case RG_OPK_LEDGER: PACK("ledger field", "ledger fields", p->n_ledger_fields)
    case RG_OPK_CAT: PACK("catalog", "catalogs", p->n_catalogs)
    case RG_OPK_BRK: PACK("bracket", "brackets", p->n_brackets)
    case RG_OPK_LIST: PACK("list", "lists", p->n_lists)
    case RG_OPK_NOTE: PACK("note", "notes", p->n_notes)
    case RG_OPK_VSEL: PACK("selector", "selectors", p->n_vselectors)
    case RG_OPK_EXTERN: PACK("host function", "host functions", p->n_externs)
    case RG_OPK_CLIST: PACK("claim list", "claim lists", p->n_claim_lists)
    case RG_OPK_TYPE:
        if (!type_ok(p, val))
            return fail(v, "chunk %u at offset %u: %s: type 0x%x is not a valid type", ci, off,
                        rg_opinfo_table[in->op].name, val);
        return 0;
    case RG_OPK_LOCAL:
    case RG_OPK_ROWSRC:
        if (kind == RG_OPK_ROWSRC && val == RG_ROW_OF_FRAME) return 0;
        noun = kind == RG_OPK_LOCAL ? "local" : "row local";
        n = c->n_locals;
        snprintf(bound, sizeof bound, "this chunk has %u locals", (unsigned)n);
        break;
    case RG_OPK_COL: /* operand 1 (the catalog) was checked first */
        noun = "column";
        n = p->catalogs[in->a].n_columns;
        snprintf(bound, sizeof bound, "catalog %u has %u columns", (unsigned)in->a, (unsigned)n);
        break;
    case RG_OPK_CATCOL:
        if ((val >> 16) >= p->n_catalogs) {
            snprintf(bound, sizeof bound, "the pack has %u catalogs", (unsigned)p->n_catalogs);
            return bad_operand(v, ci, off, in, "catalog", val >> 16, bound);
        }
        noun = "column";
        n = p->catalogs[val >> 16].n_columns;
        snprintf(bound, sizeof bound, "catalog %u has %u columns", (unsigned)(val >> 16), (unsigned)n);
        val &= 0xFFFFu;
        break;
    case RG_OPK_ROWCOLV: /* as ROWCOL, a byte each, then a value of any 8 bits */
        val >>= 8;
        /* fall through */
    case RG_OPK_ROWCOL: /* a local, a catalog, a column of it */
        if ((val >> 16) >= c->n_locals) {
            snprintf(bound, sizeof bound, "this chunk has %u locals", (unsigned)c->n_locals);
            return bad_operand(v, ci, off, in, "local", val >> 16, bound);
        }
        if ((val >> 8 & 0xFFu) >= p->n_catalogs) {
            snprintf(bound, sizeof bound, "the pack has %u catalogs", (unsigned)p->n_catalogs);
            return bad_operand(v, ci, off, in, "catalog", val >> 8 & 0xFFu, bound);
        }
        noun = "column";
        n = p->catalogs[val >> 8 & 0xFFu].n_columns;
        snprintf(bound, sizeof bound, "catalog %u has %u columns", (unsigned)(val >> 8 & 0xFFu), (unsigned)n);
        val &= 0xFFu;
        break;
    case RG_OPK_CATIFIELD: /* a catalog, then a slot of an item row */
        if ((val >> 16) >= p->n_catalogs) {
            snprintf(bound, sizeof bound, "the pack has %u catalogs", (unsigned)p->n_catalogs);
            return bad_operand(v, ci, off, in, "catalog", val >> 16, bound);
        }
        val &= 0xFFFFu;
        PACK("item slot", "item slots", p->n_item_slots)
    case RG_OPK_FIELDIMM: /* the value is any 16 bits */
        val >>= 16;
        PACK("claim slot", "claim slots", p->n_claim_slots)
    case RG_OPK_ROWLOCAL: /* a row source, then a local */
    case RG_OPK_LOCALS:   /* two locals */
        if (!(kind == RG_OPK_ROWLOCAL && (val >> 16) == RG_ROW_OF_FRAME) && (val >> 16) >= c->n_locals) {
            snprintf(bound, sizeof bound, "this chunk has %u locals", (unsigned)c->n_locals);
            return bad_operand(v, ci, off, in, kind == RG_OPK_ROWLOCAL ? "row local" : "local", val >> 16, bound);
        }
        noun = "local";
        n = c->n_locals;
        snprintf(bound, sizeof bound, "this chunk has %u locals", (unsigned)n);
        val &= 0xFFFFu;
        break;
    case RG_OPK_JUMP:
        NEED(val < c->len, "chunk %u at offset %u: jump to %u is outside the chunk (0..%u)", ci, off, val, c->len - 1);
        return 0;
    default: /* NONE, IMM: nothing to check */
        return 0;
    }
#undef PACK
    if (val >= n) return bad_operand(v, ci, off, in, noun, val, bound);
    return 0;
}

static int check_table(vctx *v, uint32_t ci, uint32_t off, uint32_t at);

/* Is chunk ci some policy's plan (entries checked: the plans are in range)? */
static int is_plan(const rg_program *p, uint32_t ci)
{
    for (uint32_t i = 0; i < p->n_plans; i++)
        if (p->plans[i] == ci) return 1;
    return 0;
}

/* Pass 1: decode linearly, check opcodes, lengths and operand bounds, mark starts. */
static int decode_chunk(vctx *v, uint32_t ci, scratch *s)
{
    const rg_chunk *c = &v->p->chunks[ci];
    const uint8_t *code = v->p->code + c->start;
    uint32_t off = 0, last = 0;
    rg_insn in;
    memset(s->starts, 0, c->len);
    while (off < c->len) {
        int r = rg_decode(code + off, c->len - off, &in);
        NEED(r != -1, "chunk %u at offset %u: bad opcode %u (this VM has %u opcodes)", ci, off, (unsigned)code[off],
             (unsigned)RG_OP__COUNT);
        NEED(r != -2, "chunk %u at offset %u: %s needs %u bytes but only %u are left in the chunk", ci, off,
             rg_opinfo_table[in.op].name, rg_op_length(in.op), c->len - off);
        if (check_operand(v, ci, off, &in, 1) || check_operand(v, ci, off, &in, 2)) return -1;
        NEED((in.op != RG_OP_LOAD_IDEF && in.op != RG_OP_STORE_IDEF) || v->p->defs[in.a].per_item,
             "chunk %u at offset %u: %s of definition %u, which is not per-item", ci, off, rg_opinfo_table[in.op].name,
             in.a);
        NEED((in.op != RG_OP_STORE_DEF && in.op != RG_OP_MEMO_DEF) || !v->p->defs[in.a].per_item,
             "chunk %u at offset %u: %s of definition %u, which is per-item", ci, off, rg_opinfo_table[in.op].name,
             in.a);
        if (in.op == RG_OP_TABLE && check_table(v, ci, off, in.a)) return -1;
        /* the ledger after the claim is written by the updates, run by the
         * update chunk or computed by a plan: by no definition */
        NEED(in.op != RG_OP_LEDGER_BEGIN || is_plan(v->p, ci),
             "chunk %u at offset %u: LEDGER_BEGIN outside a plan", ci, off);
        NEED((in.op != RG_OP_LEDGER_ADD && in.op != RG_OP_LEDGER_SET) || ci == v->p->entry.update || is_plan(v->p, ci),
             "chunk %u at offset %u: %s outside the update chunk and the plans", ci, off, rg_opinfo_table[in.op].name);
        s->starts[off] = 1;
        last = off;
        off += in.len;
    }
    NEED(is_terminator(code[last]),
         "chunk %u at offset %u: the chunk ends with %s and would fall off its end (the last instruction must end a "
         "block: RET, RET_IMM, JUMP, FAIL, VSELECT or a jumping superinstruction)",
         ci, last, rg_opinfo_table[code[last]].name);
    return 0;
}

static uint32_t jump_target(const rg_insn *in)
{
    if (rg_opinfo_table[in->op].b == RG_OPK_JUMP) return in->b;
    if (rg_opinfo_table[in->op].a == RG_OPK_JUMP) return in->a;
    return RG_NO_INDEX;
}

/* A TABLE block (opcodes.h): inside the constants, its inputs locals of the
 * chunk, a product of at most RG_TABLE_MAX_CELLS cells, matched flags 0 or 1. */
static int check_table(vctx *v, uint32_t ci, uint32_t off, uint32_t at)
{
    const rg_program *p = v->p;
    const int64_t *k = p->consts + at;
    uint64_t avail = p->n_consts - at, cells = 1;
    NEED(k[0] >= 1 && k[0] <= RG_TABLE_MAX_INPUTS && (uint64_t)(1 + 3 * k[0]) <= avail,
         "chunk %u at offset %u: TABLE block at constant %u: bad input count %lld", ci, off, at, (long long)k[0]);
    for (int64_t i = 0; i < k[0]; i++) {
        const int64_t *in = k + 1 + 3 * i;
        NEED(in[0] >= 0 && in[0] < p->chunks[ci].n_locals && in[2] >= 1 && in[2] <= RG_TABLE_MAX_CELLS &&
                 in[1] > INT64_MIN + RG_TABLE_MAX_CELLS && in[1] < INT64_MAX - RG_TABLE_MAX_CELLS,
             "chunk %u at offset %u: TABLE block at constant %u: bad input %lld", ci, off, at, (long long)i);
        cells *= (uint64_t)in[2];
        NEED(cells <= RG_TABLE_MAX_CELLS, "chunk %u at offset %u: TABLE block at constant %u has too many cells", ci,
             off, at);
    }
    uint64_t first = 1 + 3 * (uint64_t)k[0];
    NEED(first + 2 * cells <= avail, "chunk %u at offset %u: TABLE block at constant %u runs past the constants", ci,
         off, at);
    for (uint64_t c = 0; c < cells; c++)
        NEED(k[first + 2 * c] == 0 || k[first + 2 * c] == 1,
             "chunk %u at offset %u: TABLE block at constant %u: cell %llu has a bad flag", ci, off, at,
             (unsigned long long)c);
    return 0;
}

/* Pass 2: every jump lands on an instruction start. */
static int check_targets(vctx *v, uint32_t ci, const scratch *s)
{
    const rg_chunk *c = &v->p->chunks[ci];
    const uint8_t *code = v->p->code + c->start;
    rg_insn in;
    for (uint32_t off = 0; off < c->len; off += in.len) {
        rg_decode(code + off, c->len - off, &in);
        uint32_t t = jump_target(&in);
        if (t == RG_NO_INDEX || s->starts[t]) continue;
        uint32_t inside = t;
        while (!s->starts[inside]) inside--; /* offset 0 is a start */
        return fail(v, "chunk %u at offset %u: jump to %u lands inside the %s at offset %u", ci, off, t,
                    rg_opinfo_table[code[inside]].name, inside);
    }
    return 0;
}

static int merge(vctx *v, uint32_t ci, scratch *s, uint32_t *n_work, uint32_t from, uint32_t to, int32_t depth)
{
    if (s->depth[to] < 0) {
        s->depth[to] = depth;
        s->work[(*n_work)++] = to;
        return 0;
    }
    NEED(s->depth[to] == depth,
         "chunk %u at offset %u: stack depth %d arriving from offset %u, but %d on another path (inconsistent stack at "
         "a merge)",
         ci, to, (int)depth, from, (int)s->depth[to]);
    return 0;
}

/* Pass 3: stack depths along every path from offset 0 (each offset is queued
 * once, when its depth is first set, so the work list never overflows). */
static int check_stack(vctx *v, uint32_t ci, scratch *s)
{
    const rg_chunk *c = &v->p->chunks[ci];
    const uint8_t *code = v->p->code + c->start;
    uint32_t n_work = 0;
    for (uint32_t i = 0; i < c->len; i++) s->depth[i] = -1;
    s->depth[0] = 0;
    s->work[n_work++] = 0;
    while (n_work) {
        uint32_t off = s->work[--n_work];
        int32_t d = s->depth[off];
        rg_insn in;
        rg_decode(code + off, c->len - off, &in);
        const rg_opinfo *oi = &rg_opinfo_table[in.op];
        int pops = rg_insn_pops(v->p, in.op, in.a); /* operands were checked by decode_chunk */
        NEED(d >= pops, "chunk %u at offset %u: %s pops %d but the stack holds %d (stack underflow)", ci, off,
             oi->name, pops, (int)d);
        int32_t nd = d - pops + oi->pushes;
        NEED(nd <= c->max_stack, "chunk %u at offset %u: %s grows the stack to %d, above the chunk's max_stack %u", ci,
             off, oi->name, (int)nd, (unsigned)c->max_stack);
        uint32_t t = jump_target(&in);
        /* JUMP_IF_SOME and JUMP_KEEP_*: the value they test goes along on the jump */
        if (t != RG_NO_INDEX && merge(v, ci, s, &n_work, off, t, rg_jump_keeps(in.op) ? d : nd)) return -1;
        /* not a terminator, so not the last instruction: off + len is inside */
        if (!is_terminator(in.op) && merge(v, ci, s, &n_work, off, off + in.len, rg_falls_bare(in.op) ? d : nd))
            return -1;
    }
    return 0;
}

/* Length of the longest chunk (1 at least): the size of the per-offset scratch arrays. */
static uint32_t longest_chunk(const rg_program *p)
{
    uint32_t longest = 1;
    for (uint32_t i = 0; i < p->n_chunks; i++)
        if (p->chunks[i].len > longest) longest = p->chunks[i].len;
    return longest;
}

static int check_code(vctx *v)
{
    const rg_program *p = v->p;
    uint32_t longest = longest_chunk(p);
    scratch s = {malloc(longest * sizeof(int32_t)), malloc(longest), malloc(longest * sizeof(uint32_t))};
    int r = 0;
    if (!s.depth || !s.starts || !s.work) r = fail(v, "out of memory verifying the code");
    for (uint32_t i = 0; i < p->n_chunks && r == 0; i++) {
        if (p->chunks[i].len == 0)
            r = fail(v, "chunk %u is empty (a chunk must end with RET, JUMP, FAIL or VSELECT)", i);
        else
            r = decode_chunk(v, i, &s) || check_targets(v, i, &s) || check_stack(v, i, &s) ? -1 : 0;
        /* each instruction pushes at most one value more than it pops, and takes a byte at least:
         * a larger max_stack would only make every context allocate for nothing */
        if (r == 0 && p->chunks[i].max_stack > p->chunks[i].len)
            r = fail(v, "chunk %u: max_stack %u is more than its %u bytes of code can push", i,
                     (unsigned)p->chunks[i].max_stack, p->chunks[i].len);
    }
    free(s.depth);
    free(s.starts);
    free(s.work);
    return r;
}

/* ---- value classes ----
 * Values are untyped words and the instructions trust what they are given, so
 * a hostile pack that hands an integer to an instruction (or a writer) taking
 * it for a string or a catalog row would make the VM read where it must not.
 * This pass follows a class for every stack slot and local along every path
 * (a string pointer, a row of catalog c, any other word, or only none) and
 * refuses a pack in which a string or row use may see anything else. Row
 * definitions learn their catalog from what their chunks return, so the pass
 * repeats until those stop changing. Every opcode has a rule below: adding an
 * opcode without one is a compile error (-Wswitch). */

enum { T_STR = 1, T_WORD = 2, T_ROW = 4 };
#define T_CAT(t) ((t) >> 8)              /* a row's catalog + 1 */
#define T_ANY_CAT 0xFFFFFFu              /* rows of more than one catalog */
#define T_TOP (T_STR | T_WORD | T_ROW | T_ANY_CAT << 8)

static uint32_t tag_join(uint32_t a, uint32_t b)
{
    uint32_t cat = !(a & T_ROW) ? T_CAT(b) : !(b & T_ROW) ? T_CAT(a) : T_CAT(a) == T_CAT(b) ? T_CAT(a) : T_ANY_CAT;
    return ((a | b) & 7u) | cat << 8;
}

static uint32_t tag_row(uint32_t cat)
{
    return T_ROW | (cat < T_ANY_CAT - 1 ? cat + 1 : T_ANY_CAT) << 8;
}

/* The class of a value of type t (a row of an unknown catalog for a row type). */
static uint32_t tag_of_type(uint32_t t)
{
    switch (RG_TYPE_KIND(t)) {
    case RG_T_STRING: return T_STR;
    case RG_T_ROW: return T_ROW | T_ANY_CAT << 8;
    default: return T_WORD;
    }
}

static const char *tag_name(uint32_t t)
{
    return t & T_STR ? "string" : t & T_ROW ? "catalog row" : "number";
}

typedef struct {
    uint32_t *claim_slot, *item_slot; /* the class each slot's values have */
    uint32_t *def_tag;                /* the class a definition's values have (rows: what its chunks returned) */
    uint8_t *want;                    /* per chunk: the classes it may return */
    int changed;                      /* a row definition's catalog changed in this pass */
    /* per chunk */
    uint32_t *leader_of;              /* offset -> leader number, RG_NO_INDEX */
    uint32_t *states;                 /* per leader: height (RG_NO_INDEX: not reached), stack, locals */
    uint8_t *queued;
    uint32_t *work, *cur;
    uint32_t width;
} tyctx;

static int need_tag(vctx *v, uint32_t ci, uint32_t off, const rg_insn *in, uint32_t t, uint32_t allowed,
                    const char *what)
{
    NEED(!(t & 7u & ~allowed), "chunk %u at offset %u: %s: %s may be a %s", ci, off, rg_opinfo_table[in->op].name,
         what, tag_name(t & 7u & ~allowed));
    return 0;
}

/* A value the chunk returns: of the classes it may return; a row definition learns the catalog. */
static int ret_tag(vctx *v, tyctx *t, uint32_t ci, uint32_t off, const rg_insn *in, uint32_t tag)
{
    const rg_program *p = v->p;
    const rg_chunk *c = &p->chunks[ci];
    int def = c->def != RG_NO_INDEX;
    NEED(!(tag & 7u & ~t->want[ci]), "chunk %u at offset %u: %s returns a %s where %s%s%s needs a %s", ci, off,
         rg_opinfo_table[in->op].name, tag_name(tag & 7u & ~t->want[ci]), def ? "definition '" : "its caller",
         def ? p->blob + p->strings[p->defs[c->def].name].offset : "", def ? "'" : "", tag_name(t->want[ci]));
    if (c->def != RG_NO_INDEX && RG_TYPE_KIND(p->defs[c->def].type) == RG_T_ROW) {
        uint32_t j = tag_join(t->def_tag[c->def], tag);
        if (j != t->def_tag[c->def]) {
            t->def_tag[c->def] = j;
            t->changed = 1;
        }
    }
    return 0;
}

/* Join state s (height h) into leader l's, queueing l when it grew. */
static int ty_merge(vctx *v, tyctx *t, uint32_t ci, uint32_t to, const uint32_t *s, uint32_t *n_work)
{
    uint32_t l = t->leader_of[to], *d = t->states + (size_t)l * t->width, grew = 0;
    if (d[0] == RG_NO_INDEX) {
        memcpy(d, s, t->width * sizeof *d);
        grew = 1;
    } else {
        NEED(d[0] == s[0], "chunk %u at offset %u: stack depth %u and %u meet", ci, to, d[0], s[0]);
        for (uint32_t k = 1; k < t->width; k++) {
            uint32_t j = tag_join(d[k], s[k]);
            grew |= j != d[k];
            d[k] = j;
        }
    }
    if (grew && !t->queued[l]) {
        t->queued[l] = 1;
        t->work[(*n_work)++] = to;
    }
    return 0;
}

/* What instruction in does to state s (s[0] height, then the stack, then the locals). */
static int ty_step(vctx *v, tyctx *t, uint32_t ci, uint32_t off, const rg_insn *in, uint32_t *s)
{
    const rg_program *p = v->p;
    const rg_chunk *c = &p->chunks[ci];
    uint32_t *stk = s + 1, *loc = s + 1 + c->max_stack;
    int pops = rg_insn_pops(p, in->op, in->a);
    uint32_t *arg = stk + s[0] - pops, out = T_WORD;
    switch ((rg_opcode)in->op) {
    case RG_OP_NOP: case RG_OP_POP: case RG_OP_JUMP: case RG_OP_JUMP_IF_FALSE: case RG_OP_JUMP_IF_TRUE: case RG_OP_LEDGER_BEGIN:
    case RG_OP_JUMP_IF_NE: case RG_OP_NOTE: case RG_OP_FAIL: case RG_OP_JUMP_IF_SOME: case RG_OP_JUMP_KEEP_FALSE:
    case RG_OP_JUMP_KEEP_TRUE:
        break;
    case RG_OP_VSELECT: {
        /* it continues the same definition in another chunk */
        const rg_vselector *vs = &p->vselectors[in->a];
        NEED(p->chunks[vs->fallback].def == c->def,
             "chunk %u at offset %u: VSELECT falls back to chunk %u, which computes another definition", ci, off,
             vs->fallback);
        for (uint32_t i = 0; i < vs->n_entries; i++) {
            uint32_t to = p->vsel_entries[vs->first_entry + i].chunk;
            NEED(p->chunks[to].def == c->def,
                 "chunk %u at offset %u: VSELECT continues in chunk %u, which computes another definition", ci, off, to);
        }
        break;
    }
    case RG_OP_PUSH_INT: case RG_OP_LOAD_ASOF: case RG_OP_LIST_COUNT: case RG_OP_LOAD_LEDGER: case RG_OP_FIELD_EQ:
    case RG_OP_ADD: case RG_OP_SUB: case RG_OP_MUL: case RG_OP_DIV: case RG_OP_NEG: case RG_OP_PCT: case RG_OP_MIN:
    case RG_OP_MAX: case RG_OP_EQ: case RG_OP_NE: case RG_OP_LT: case RG_OP_LE: case RG_OP_GT: case RG_OP_GE:
    case RG_OP_NOT: case RG_OP_DATE_ADD: case RG_OP_DATE_DIFF: case RG_OP_YEAR: case RG_OP_IN_LIST: case RG_OP_IN_LISTV:
    case RG_OP_TIERED: case RG_OP_EQ_IMM: case RG_OP_MIN_IMM: case RG_OP_MAX_IMM: case RG_OP_IN_SET_IMM:
        break;
    case RG_OP_PUSH_CONST: out = p->consts[in->a] == RG_NONE ? 0 : T_WORD; break;
    case RG_OP_PUSH_STR: out = T_STR; break;
    case RG_OP_PUSH_NONE: out = 0; break;
    case RG_OP_DUP: out = arg[0]; break;
    case RG_OP_LOAD_LOCAL: out = loc[in->a]; break;
    case RG_OP_STORE_LOCAL: loc[in->a] = arg[0]; break;
    case RG_OP_SET_LOCAL: case RG_OP_ACC_ADD: loc[in->a] = T_WORD; break;
    case RG_OP_ITER_NEXT: case RG_OP_ITER_LOOP: /* the end of the rows is the next local (ITER_START) */
        NEED(in->a + 1 < c->n_locals, "chunk %u at offset %u: %s needs locals %u and %u (%u locals)", ci, off,
             rg_opinfo_table[in->op].name, in->a, in->a + 1, (unsigned)c->n_locals);
        loc[in->a] = T_WORD;
        break;
    case RG_OP_ITER_START:
        NEED(in->b + 1 < c->n_locals, "chunk %u at offset %u: ITER_START needs locals %u and %u (%u locals)", ci, off,
             in->b, in->b + 1, (unsigned)c->n_locals);
        loc[in->b] = loc[in->b + 1] = T_WORD;
        break;
    case RG_OP_ELEM_FIELD: out = t->item_slot[in->a]; break;
    case RG_OP_LOAD_ROW: out = T_WORD; break;
    case RG_OP_ELEM_INDEX: case RG_OP_ELEM_PREV: case RG_OP_ADD_MONTHS: case RG_OP_MAKE_DATE: case RG_OP_MONTH:
    case RG_OP_DAY:
        break;
    case RG_OP_TO_TEXT:
        if (RG_TYPE_KIND(in->a) == RG_T_STRING && need_tag(v, ci, off, in, arg[0], T_STR, "the value"))
            return -1;
        NEED(RG_TYPE_KIND(in->a) != RG_T_ROW && RG_TYPE_KIND(in->a) != RG_T_LIST && RG_TYPE_KIND(in->a) != RG_T_RECORD,
             "chunk %u at offset %u: TO_TEXT of a value that has no text", ci, off);
        out = T_STR;
        break;
    case RG_OP_CONCAT:
        if (need_tag(v, ci, off, in, arg[0], T_STR, "its first operand") ||
            need_tag(v, ci, off, in, arg[1], T_STR, "its second operand"))
            return -1;
        out = T_STR;
        break;
    case RG_OP_REJECT:
        if (need_tag(v, ci, off, in, arg[0], T_STR, "the message"))
            return -1;
        break;
    case RG_OP_LOAD_FIELD: out = t->claim_slot[in->a]; break;
    case RG_OP_LOAD_IFIELD: out = t->item_slot[in->a]; break;
    case RG_OP_LOAD_DEF: case RG_OP_LOAD_IDEF: out = t->def_tag[in->a]; break;
    case RG_OP_LOAD_PCONST: /* the constant, or (explaining) the definition's value */
        out = tag_join(t->def_tag[in->a], p->consts[in->b] == RG_NONE ? 0 : T_WORD);
        break;
    case RG_OP_STR_EQ: case RG_OP_STR_NE:
        if (need_tag(v, ci, off, in, arg[0], T_STR, "its first operand") ||
            need_tag(v, ci, off, in, arg[1], T_STR, "its second operand"))
            return -1;
        break;
    case RG_OP_FIND:
        if (need_tag(v, ci, off, in, arg[1], T_STR, "the key"))
            return -1;
        out = tag_row(in->a);
        break;
    case RG_OP_CAT_COL:
    case RG_OP_LOCAL_COL:
    case RG_OP_LOCAL_COL_IF_SOME:
    case RG_OP_LOCAL_COL_IN_SET:
    case RG_OP_JUMP_UNLESS_COL: {
        uint32_t row, cat, col;
        if (in->op == RG_OP_CAT_COL)
            row = arg[0], cat = in->a, col = in->b;
        else if (in->op == RG_OP_LOCAL_COL)
            row = loc[in->a], cat = in->b >> 16, col = in->b & 0xFFFFu;
        else if (in->op == RG_OP_JUMP_UNLESS_COL) /* ROWCOLV */
            row = loc[in->a >> 24], cat = in->a >> 16 & 0xFFu, col = in->a >> 8 & 0xFFu;
        else /* ROWCOL */
            row = loc[in->a >> 16], cat = in->a >> 8 & 0xFFu, col = in->a & 0xFFu;
        if (need_tag(v, ci, off, in, row, T_ROW, "the row"))
            return -1;
        NEED(!(row & T_ROW) || T_CAT(row) == cat + 1,
             "chunk %u at offset %u: %s reads catalog %u from a row that may belong to another catalog", ci, off,
             rg_opinfo_table[in->op].name, cat);
        out = in->op == RG_OP_LOCAL_COL_IN_SET ? T_WORD : tag_of_type(p->columns[p->catalogs[cat].first_column + col].type);
        break;
    }
    case RG_OP_JUMP_IF_LOCAL_FALSE: case RG_OP_JUMP_IF_LOCAL_TRUE: case RG_OP_SUB_LOCAL: case RG_OP_MIN_JUMP: case RG_OP_PUSH_INT_JUMP:
    case RG_OP_SUB_LOCALS: case RG_OP_JUMP_UNLESS_EQ: case RG_OP_SUB_MAX_IMM: case RG_OP_JUMP_UNLESS_FIELD:
        break;
    case RG_OP_IFIELD_ACC_ADD: loc[in->b & 0xFFFFu] = T_WORD; break;
    case RG_OP_SUB_LOCAL_ACC: case RG_OP_SUB_LOCALS_ACC: loc[in->b] = T_WORD; break;
    case RG_OP_ZERO_LOCALS:
        NEED(in->a <= in->b, "chunk %u at offset %u: ZERO_LOCALS from local %u down to %u", ci, off, in->a, in->b);
        for (uint32_t l = in->a; l <= in->b; l++) loc[l] = T_WORD;
        break;
    case RG_OP_STORE_JUMP: case RG_OP_STORE_JUMP_IF_FALSE: loc[in->a] = arg[0]; break;
    case RG_OP_ACC_ADD_JUMP: case RG_OP_MIN_STORE_JUMP: loc[in->a] = T_WORD; break;
    case RG_OP_FIND_LOCAL:
        if (need_tag(v, ci, off, in, arg[1], T_STR, "the key"))
            return -1;
        loc[in->b] = tag_row(in->a);
        break;
    case RG_OP_FIND_ILOCAL:
        if (need_tag(v, ci, off, in, t->item_slot[in->a & 0xFFFFu], T_STR, "the key"))
            return -1;
        loc[in->b & 0xFFFFu] = tag_row(in->a >> 16);
        break;
    case RG_OP_LOCAL_ACC_ADD: loc[in->b] = T_WORD; break;
    case RG_OP_LOAD_LOCAL2: break; /* pushes both below */
    case RG_OP_LEDGER_ADD: case RG_OP_LEDGER_SET:
        if (need_tag(v, ci, off, in, arg[0], T_WORD, "the ledger value"))
            return -1;
        break;
    case RG_OP_CALL_EXTERN: {
        const rg_extern *x = &p->externs[in->a];
        for (uint32_t k = 0; k < x->n_args; k++)
            if (need_tag(v, ci, off, in, arg[k], tag_of_type(x->args[k]), "an argument"))
                return -1;
        out = tag_of_type(x->result);
        break;
    }
    case RG_OP_TRACE_DEF: {
        /* explaining, the value is memoised as definition A: it must be of A's class */
        rg_type dt = p->defs[in->a].type;
        NEED(RG_TYPE_KIND(dt) != RG_T_ROW, "chunk %u at offset %u: TRACE_DEF of row definition %u", ci, off, in->a);
        if (need_tag(v, ci, off, in, arg[0], tag_of_type(dt), "the value"))
            return -1;
        out = arg[0];
        break;
    }
    case RG_OP_STORE_DEF: case RG_OP_STORE_IDEF: case RG_OP_MEMO_DEF: {
        /* memoised as definition A: of A's class; a row definition learns the catalog */
        rg_type dt = p->defs[in->a].type;
        uint32_t x = in->op == RG_OP_MEMO_DEF ? loc[in->b] : arg[0];
        if (need_tag(v, ci, off, in, x, tag_of_type(dt) & 7u, "the value"))
            return -1;
        if (RG_TYPE_KIND(dt) == RG_T_ROW) {
            uint32_t j = tag_join(t->def_tag[in->a], x);
            if (j != t->def_tag[in->a]) {
                t->def_tag[in->a] = j;
                t->changed = 1;
            }
        }
        if (in->op == RG_OP_STORE_DEF)
            loc[in->b] = arg[0];
        out = arg[0];
        break;
    }
    case RG_OP_RET:
        if (ret_tag(v, t, ci, off, in, arg[0]))
            return -1;
        break;
    case RG_OP_RET_IMM: case RG_OP_TABLE: /* return a number from the code or the table's constants */
        if (ret_tag(v, t, ci, off, in, T_WORD))
            return -1;
        break;
    case RG_OP__COUNT:
        break;
    }
    s[0] -= (uint32_t)pops;
    if (in->op == RG_OP_DUP) {
        stk[s[0]++] = out;
        stk[s[0]++] = out;
    } else if (in->op == RG_OP_LOAD_LOCAL2) {
        stk[s[0]++] = loc[in->a];
        stk[s[0]++] = loc[in->b];
    } else if (rg_opinfo_table[in->op].pushes) {
        stk[s[0]++] = out;
    }
    return 0;
}

/* One chunk, from offset 0 along every path until the classes settle. */
static int ty_chunk(vctx *v, tyctx *t, uint32_t ci)
{
    const rg_chunk *c = &v->p->chunks[ci];
    const uint8_t *code = v->p->code + c->start;
    rg_insn in;
    uint32_t n_leaders = 0, n_work = 0;
    t->width = 1u + c->max_stack + c->n_locals;
    for (uint32_t off = 0; off < c->len; off += in.len) {
        rg_decode(code + off, c->len - off, &in);
        t->leader_of[off] = RG_NO_INDEX;
    }
    t->leader_of[0] = n_leaders++;
    for (uint32_t off = 0; off < c->len; off += in.len) {
        rg_decode(code + off, c->len - off, &in);
        uint32_t to = jump_target(&in);
        if (to != RG_NO_INDEX && t->leader_of[to] == RG_NO_INDEX)
            t->leader_of[to] = n_leaders++;
    }
    NEED((uint64_t)n_leaders * t->width <= (1u << 22), "chunk %u is too large to verify (%u jump targets, %u slots)",
         ci,
         n_leaders, t->width);
    uint32_t *states = realloc(t->states, ((size_t)n_leaders * t->width + t->width) * sizeof *states);
    uint8_t *queued = realloc(t->queued, n_leaders);
    if (states) t->states = states;
    if (queued) t->queued = queued;
    NEED(states && queued, "out of memory verifying the code");
    t->cur = t->states + (size_t)n_leaders * t->width;
    for (uint32_t l = 0; l < n_leaders; l++)
        t->states[(size_t)l * t->width] = RG_NO_INDEX;
    memset(t->queued, 0, n_leaders);
    uint32_t *s = t->cur;
    s[0] = 0;
    for (uint32_t k = 0; k < c->n_locals; k++)
        s[1 + c->max_stack + k] = T_TOP; /* locals hold what the stack last held there */
    for (uint32_t k = 0; k < c->max_stack; k++)
        s[1 + k] = 0;
    if (ty_merge(v, t, ci, 0, s, &n_work))
        return -1;
    while (n_work) {
        uint32_t off = t->work[--n_work];
        t->queued[t->leader_of[off]] = 0;
        memcpy(s, t->states + (size_t)t->leader_of[off] * t->width, t->width * sizeof *s);
        for (;;) {
            rg_decode(code + off, c->len - off, &in);
            uint32_t to = jump_target(&in);
            if (to != RG_NO_INDEX && rg_jump_keeps(in.op) && ty_merge(v, t, ci, to, s, &n_work))
                return -1;
            if (ty_step(v, t, ci, off, &in, s))
                return -1;
            if (to != RG_NO_INDEX && !rg_jump_keeps(in.op) && ty_merge(v, t, ci, to, s, &n_work))
                return -1;
            if (rg_falls_bare(in.op)) /* its value went along the jump only */
                s[0]--;
            if (is_terminator(in.op))
                break;
            off += in.len;
            if (t->leader_of[off] != RG_NO_INDEX) {
                if (ty_merge(v, t, ci, off, s, &n_work))
                    return -1;
                break;
            }
        }
    }
    return 0;
}

/* The classes of the claim's slots, of the definitions and of what each chunk may return. */
static int ty_setup(vctx *v, tyctx *t)
{
    const rg_program *p = v->p;
    for (uint32_t i = 0; i < p->n_claim_slots; i++) t->claim_slot[i] = RG_NO_INDEX;
    for (uint32_t i = 0; i < p->n_item_slots; i++) t->item_slot[i] = RG_NO_INDEX;
    for (uint32_t i = 0; i < p->n_fields; i++) {
        const rg_field *f = &p->fields[i];
        if (RG_TYPE_KIND(f->type) == RG_T_LIST) continue; /* its items are rows of their own, its slot unused */
        uint32_t *slot = f->in_list ? &t->item_slot[f->slot] : &t->claim_slot[f->slot];
        uint32_t tag = tag_of_type(f->type);
        *slot = *slot == RG_NO_INDEX ? tag : tag_join(*slot, tag);
    }
    /* a slot no field fills stays as the binder left it: none */
    for (uint32_t i = 0; i < p->n_claim_slots; i++) if (t->claim_slot[i] == RG_NO_INDEX) t->claim_slot[i] = 0;
    for (uint32_t i = 0; i < p->n_item_slots; i++) if (t->item_slot[i] == RG_NO_INDEX) t->item_slot[i] = 0;
    for (uint32_t i = 0; i < p->n_defs; i++)
        t->def_tag[i] = RG_TYPE_KIND(p->defs[i].type) == RG_T_ROW ? 0 : tag_of_type(p->defs[i].type);
    for (uint32_t i = 0; i < p->n_chunks; i++) {
        uint32_t d = p->chunks[i].def;
        t->want[i] = d == RG_NO_INDEX ? T_STR | T_WORD | T_ROW : (uint8_t)(tag_of_type(p->defs[d].type) & 7u);
    }
    for (uint32_t i = 0; i < p->n_ledger_keys; i++)
        t->want[p->ledger_keys[i]] &= (uint8_t)(tag_of_type(p->ledger_key_types[i]) & 7u);
    for (uint32_t i = 0; i < p->n_ledger_fields; i++)
        if (p->ledger_fields[i].init != RG_NO_INDEX) t->want[p->ledger_fields[i].init] &= T_WORD;
    return 0;
}

static int check_types(vctx *v)
{
    const rg_program *p = v->p;
    uint32_t longest = longest_chunk(p);
    tyctx t = {0};
    t.claim_slot = malloc((p->n_claim_slots + 1) * sizeof *t.claim_slot);
    t.item_slot = malloc((p->n_item_slots + 1) * sizeof *t.item_slot);
    t.def_tag = malloc((p->n_defs + 1) * sizeof *t.def_tag);
    t.want = malloc(p->n_chunks + 1);
    t.leader_of = malloc(longest * sizeof *t.leader_of);
    t.work = malloc(longest * sizeof *t.work);
    int r = 0;
    if (!t.claim_slot || !t.item_slot || !t.def_tag || !t.want || !t.leader_of || !t.work)
        r = fail(v, "out of memory verifying the code");
    else
        r = ty_setup(v, &t);
    /* each pass can only widen a row definition's class, at most twice each */
    for (uint32_t pass = 0; r == 0 && pass < 2 * p->n_defs + 2; pass++) {
        t.changed = 0;
        for (uint32_t i = 0; i < p->n_chunks && r == 0; i++) r = ty_chunk(v, &t, i);
        if (!t.changed) break;
    }
    free(t.claim_slot);
    free(t.item_slot);
    free(t.def_tag);
    free(t.want);
    free(t.leader_of);
    free(t.work);
    free(t.states);
    free(t.queued);
    return r;
}

int rg_program_verify(const rg_program *p, char *err, size_t errlen)
{
    vctx v = {p, err, errlen};
    if (err && errlen) err[0] = '\0';
    if (check_strings(&v) || check_enums(&v) || check_schema(&v) || check_defs(&v) || check_chunk_table(&v) ||
        check_policies(&v) || check_versions(&v) || check_catalogs(&v) || check_brackets(&v) || check_lists(&v) ||
        check_ledgers(&v) || check_externs(&v) || check_outputs_notes(&v) || check_lines(&v) || check_entries(&v) ||
        check_code(&v) || check_types(&v))
        return -1;
    return 0;
}
