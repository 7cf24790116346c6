/* api_claim.c — the typed claim builder of include/regula.h: fields set by their schema path ("person.id", "items[].amount"), items added, then the claim checked against the schema (required fields, conditions) the way the JSON binder checks it.
 * Must not accept a value the JSON binder would refuse (negative amounts, unknown members, ints outside their range) nor know any field of the seed pack: every path comes from the program's schema. */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "api_impl.h"
#include "values.h"

#define PERCENT_MAX ((int64_t)1000000000000 * RG_PERCENT_ONE) /* as the JSON binder: 10^12 percent points */

/* The list field of list path norm[0 .. n) ("person.coverage"), or RG_NO_INDEX. */
static uint32_t list_named(const rg_program *p, const char *norm, size_t n)
{
    for (uint32_t i = 0; i < p->n_fields; i++) {
        const char *fp = p->str[p->fields[i].path];
        if (RG_TYPE_KIND(p->fields[i].type) == RG_T_LIST && strlen(fp) == n && memcmp(fp, norm, n) == 0)
            return i;
    }
    return RG_NO_INDEX;
}

/* The field a path names, and its element's row (-1 outside the lists):
 * "items[]" is the element of that list added last, "items[3]" element 3. */
static regula_status find_field(regula_ctx *c, const char *what, const char *path, uint32_t *field, long *item)
{
    const rg_program *p = c->pack->prog;
    char norm[256];
    size_t n = 0;
    *item = -1;
    if (!path)
        return rg_api_fail(c, REGULA_ERR_USAGE, "%s: no path", what);
    for (const char *s = path; *s; s++) {
        if (n + 3 >= sizeof norm)
            return rg_api_fail(c, REGULA_ERR_USAGE, "%s: path '%.60s…' is too long", what, path);
        if (*s != '[') {
            norm[n++] = *s;
            continue;
        }
        const char *close = strchr(s, ']');
        uint32_t lf = list_named(p, norm, n);
        if (!close || *item >= 0 || lf == RG_NO_INDEX)
            return rg_api_fail(c, REGULA_ERR_USAGE, "%s: bad element index in '%s'", what, path);
        uint32_t l = p->fields[lf].list, count = c->vm->list_count[l];
        if (close == s + 1) {
            if (count == 0)
                return rg_api_fail(c, REGULA_ERR_USAGE, "%s: '%s': add an element first (regula_claim_add)", what,
                                   path);
            *item = (long)(c->vm->list_first[l] + count - 1);
        } else {
            char *end;
            long k = strtol(s + 1, &end, 10);
            if (end != close || k < 0 || (unsigned long)k >= count)
                return rg_api_fail(c, REGULA_ERR_USAGE, "%s: '%s': the list has %u elements", what, path, count);
            *item = (long)c->vm->list_first[l] + k;
        }
        norm[n++] = '[';
        norm[n++] = ']';
        s = close;
    }
    norm[n] = '\0';
    for (uint32_t i = 0; i < p->n_fields; i++)
        if (strcmp(p->str[p->fields[i].path], norm) == 0 && RG_TYPE_KIND(p->fields[i].type) != RG_T_LIST) {
            *field = i;
            return REGULA_OK;
        }
    return rg_api_fail(c, REGULA_ERR_USAGE, "%s: the claim has no field '%s'", what, path);
}

/* Row r's index within its list (as messages count elements). */
static long elem_index(const regula_ctx *c, const rg_field *f, long row)
{
    if (row < 0 || f->list >= c->pack->prog->n_claim_lists)
        return row;
    return row - (long)c->vm->list_first[f->list];
}

/* The display path of field f for item (as the JSON binder writes it: items[2].amount). */
static void display_path(const rg_program *p, const rg_field *f, long item, char *buf, size_t cap)
{
    const char *path = p->str[f->path];
    const char *br = f->in_list && item >= 0 ? strstr(path, "[]") : NULL;
    if (br)
        snprintf(buf, cap, "%.*s[%ld]%s", (int)(br - path), path, item, br + 2);
    else
        snprintf(buf, cap, "%s", path);
}

static regula_status input_fail(regula_ctx *c, const rg_field *f, long item, const char *fmt, const char *text)
{
    char path[200], what[300], msg[520];
    display_path(c->pack->prog, f, elem_index(c, f, item), path, sizeof path);
    snprintf(what, sizeof what, fmt, text);
    snprintf(msg, sizeof msg, "%s: %s", path, what);
    return rg_api_claim_fail(c, REGULA_ERR_INPUT, msg);
}

static const char *const kind_words[RG_T__COUNT] = {"void", "a bool", "an int", "money", "a percent", "a date",
                                                    "a duration", "a string", "a region", "an enum", "a record",
                                                    "a list", "a catalog row", "an element"};

/* The field a setter may write: a scalar of one of the kinds it serves. */
static regula_status target(regula_ctx *c, const char *what, const char *path, rg_type_kind k1, rg_type_kind k2,
                            uint32_t *field, long *item)
{
    if (c->state != CLAIM_BUILDING)
        return c->state == CLAIM_FAILED ? c->claim_status
                                        : rg_api_fail(c, REGULA_ERR_USAGE, "%s: start a claim with regula_claim_new", what);
    regula_status st = find_field(c, what, path, field, item);
    if (st != REGULA_OK)
        return st;
    rg_type_kind k = RG_TYPE_KIND(c->pack->prog->fields[*field].type);
    if (k != k1 && k != k2)
        return rg_api_fail(c, REGULA_ERR_USAGE, "%s: %s is %s", what, path, kind_words[k]);
    return REGULA_OK;
}

/* Store v in field fi (of item, for a list field) and mark its records present. */
static regula_status put(regula_ctx *c, uint32_t fi, long item, rg_value v)
{
    const rg_program *p = c->pack->prog;
    rg_vm *vm = c->vm;
    const rg_field *f = &p->fields[fi];
    rg_value *row = f->in_list ? vm->items + (size_t)item * p->n_item_slots : NULL;
    (f->in_list ? row : vm->claim)[f->slot] = v;
    for (int32_t a = f->parent; a >= 0; a = p->fields[a].parent) {
        const rg_field *g = &p->fields[a];
        if (RG_TYPE_KIND(g->type) == RG_T_LIST)
            continue; /* a list: its elements are added, not marked */
        (g->in_list ? row : vm->claim)[g->slot] = 1;
    }
    return REGULA_OK;
}

regula_status regula_claim_new(regula_ctx *c)
{
    if (!c)
        return REGULA_ERR_USAGE;
    const rg_program *p = c->pack->prog;
    c->state = CLAIM_NONE;
    c->claim_status = REGULA_OK;
    c->line = 0;
    c->claim_id = NULL;
    c->have_policy = 0;
    c->errmsg[0] = '\0';
    rg_vm_reset(c->vm);
    for (uint32_t k = 0; k < p->n_claim_slots; k++)
        c->vm->claim[k] = RG_NONE;
    for (uint32_t l = 0; l < p->n_claim_lists; l++)
        c->vm->list_first[l] = 0; /* every list empty (rg_vm_reset counted none) */
    c->state = CLAIM_BUILDING;
    return REGULA_OK;
}

regula_status regula_claim_set_string(regula_ctx *c, const char *path, const char *value)
{
    uint32_t f;
    long item;
    regula_status st = c ? target(c, "regula_claim_set_string", path, RG_T_STRING, RG_T_STRING, &f, &item) : REGULA_ERR_USAGE;
    if (st != REGULA_OK)
        return st;
    if (!value)
        return rg_api_fail(c, REGULA_ERR_USAGE, "regula_claim_set_string: no string for %s", path);
    rg_value v = rg_vm_intern(c->vm, value, strlen(value));
    if (v == RG_NONE)
        return rg_api_claim_fail(c, REGULA_ERR_MEMORY, "out of memory");
    return put(c, f, item, v);
}

regula_status regula_claim_set_money(regula_ctx *c, const char *path, int64_t fen)
{
    uint32_t f;
    long item;
    regula_status st = c ? target(c, "regula_claim_set_money", path, RG_T_MONEY, RG_T_MONEY, &f, &item) : REGULA_ERR_USAGE;
    if (st != REGULA_OK)
        return st;
    char text[40];
    rg_format_money(fen == RG_NONE ? fen + 1 : fen, text);
    const rg_field *fd = &c->pack->prog->fields[f];
    if (fen < 0)
        return input_fail(c, fd, item, "negative amount '%s'", text);
    if (fen > RG_AMOUNT_MAX_FEN)
        return input_fail(c, fd, item, "amount '%s' is too large", text);
    return put(c, f, item, fen);
}

regula_status regula_claim_set_percent(regula_ctx *c, const char *path, int64_t value)
{
    uint32_t f;
    long item;
    regula_status st = c ? target(c, "regula_claim_set_percent", path, RG_T_PERCENT, RG_T_PERCENT, &f, &item) : REGULA_ERR_USAGE;
    if (st != REGULA_OK)
        return st;
    char text[40];
    rg_format_percent(value < 0 ? 0 : value, text);
    const rg_field *fd = &c->pack->prog->fields[f];
    if (value < 0)
        return input_fail(c, fd, item, "negative percentage%s", "");
    if (value > PERCENT_MAX)
        return input_fail(c, fd, item, "percentage '%s' is too large", text);
    return put(c, f, item, value);
}

regula_status regula_claim_set_date(regula_ctx *c, const char *path, int year, int month, int day)
{
    uint32_t f;
    long item;
    regula_status st = c ? target(c, "regula_claim_set_date", path, RG_T_DATE, RG_T_DATE, &f, &item) : REGULA_ERR_USAGE;
    if (st != REGULA_OK)
        return st;
    int64_t days;
    if (year < 1 || year > 9999 || month < 1 || month > 12 || day < 1 || day > 31 ||
        rg_days_from_civil(year, (unsigned)month, (unsigned)day, &days) != 0) {
        char text[48];
        snprintf(text, sizeof text, "%04d-%02d-%02d", year, month, day);
        return input_fail(c, &c->pack->prog->fields[f], item, "impossible date '%s'", text);
    }
    return put(c, f, item, days);
}

regula_status regula_claim_set_bool(regula_ctx *c, const char *path, int value)
{
    uint32_t f;
    long item;
    regula_status st = c ? target(c, "regula_claim_set_bool", path, RG_T_BOOL, RG_T_BOOL, &f, &item) : REGULA_ERR_USAGE;
    return st != REGULA_OK ? st : put(c, f, item, value != 0);
}

regula_status regula_claim_set_int(regula_ctx *c, const char *path, int64_t value)
{
    uint32_t f;
    long item;
    regula_status st = c ? target(c, "regula_claim_set_int", path, RG_T_INT, RG_T_DURATION, &f, &item) : REGULA_ERR_USAGE;
    if (st != REGULA_OK)
        return st;
    const rg_field *fd = &c->pack->prog->fields[f];
    if (value == RG_NONE)
        return input_fail(c, fd, item, "expected a whole number%s", "");
    if (fd->has_range && (value < fd->lo || value > fd->hi)) {
        char want[160];
        if ((uint64_t)fd->hi - (uint64_t)fd->lo < 5) { /* "expected 1, 2 or 3", as the JSON binder */
            size_t n = 0;
            for (int64_t k = fd->lo; k <= fd->hi && n < sizeof want; k++)
                n += (size_t)snprintf(want + n, sizeof want - n, "%s%lld", k == fd->lo ? "" : k == fd->hi ? " or " : ", ",
                                      (long long)k);
        } else {
            snprintf(want, sizeof want, "a whole number from %lld to %lld", (long long)fd->lo, (long long)fd->hi);
        }
        return input_fail(c, fd, item, "expected %s", want);
    }
    return put(c, f, item, value);
}

regula_status regula_claim_set_enum(regula_ctx *c, const char *path, const char *name)
{
    uint32_t f;
    long item;
    regula_status st = c ? target(c, "regula_claim_set_enum", path, RG_T_ENUM, RG_T_REGION, &f, &item) : REGULA_ERR_USAGE;
    if (st != REGULA_OK)
        return st;
    const rg_program *p = c->pack->prog;
    const rg_field *fd = &p->fields[f];
    if (!name)
        name = "";
    if (RG_TYPE_KIND(fd->type) == RG_T_REGION) {
        uint32_t pol = rg_policy_by_name(p, name, strlen(name));
        if (pol == RG_NO_INDEX)
            return input_fail(c, fd, item, "unknown region '%s'", name);
        return put(c, f, item, pol);
    }
    const rg_enum *e = &p->enums[RG_TYPE_AUX(fd->type)];
    for (uint32_t i = 0; i < e->n_members; i++)
        if (strcmp(p->str[p->member_names[e->first_member + i]], name) == 0)
            return put(c, f, item, i);
    char fmt[120];
    size_t n = (size_t)snprintf(fmt, sizeof fmt, "unknown ");
    for (const char *w = p->str[e->name]; *w && n + 8 < sizeof fmt; w++) /* the enum's name, '_' read as a space */
        fmt[n++] = *w == '_' ? ' ' : (*w == '%' ? '?' : *w);
    snprintf(fmt + n, sizeof fmt - n, " '%%s'");
    return input_fail(c, fd, item, fmt, name);
}

/* A new element of list field lf, after its others: the rows of the lists
 * after it move up one, so that each list's rows stay together. */
static regula_status add_element(regula_ctx *c, const char *what, uint32_t lf, unsigned *index)
{
    const rg_program *p = c->pack->prog;
    rg_vm *vm = c->vm;
    uint32_t l = p->fields[lf].list, n = vm->n_items;
    if (vm->list_count[l] == 0)
        vm->list_first[l] = n; /* an empty list starts at the end */
    uint32_t at = vm->list_first[l] + vm->list_count[l];
    if (n >= (1u << 24) || rg_vm_reserve_items(vm, n + 1) != RG_OK)
        return rg_api_claim_fail(c, REGULA_ERR_MEMORY, "out of memory adding an element");
    size_t w = p->n_item_slots;
    memmove(vm->items + (at + 1) * w, vm->items + at * w, (n - at) * w * sizeof *vm->items);
    for (uint32_t k = 0; k < w; k++)
        vm->items[at * w + k] = RG_NONE;
    for (uint32_t k = 0; k < p->n_claim_lists; k++)
        if (k != l && vm->list_count[k] && vm->list_first[k] >= at)
            vm->list_first[k]++;
    vm->list_count[l]++;
    vm->claim[p->fields[lf].slot] = vm->list_count[l];
    for (int32_t a = p->fields[lf].parent; a >= 0; a = p->fields[a].parent)
        vm->claim[p->fields[a].slot] = 1; /* the records that hold the list are present */
    (void)what;
    if (index)
        *index = vm->list_count[l] - 1;
    return REGULA_OK;
}

regula_status regula_claim_add(regula_ctx *c, const char *list, unsigned *index)
{
    if (!c)
        return REGULA_ERR_USAGE;
    if (c->state != CLAIM_BUILDING)
        return c->state == CLAIM_FAILED ? c->claim_status
                                        : rg_api_fail(c, REGULA_ERR_USAGE, "regula_claim_add: start a claim with regula_claim_new");
    const rg_program *p = c->pack->prog;
    uint32_t lf = list ? list_named(p, list, strlen(list)) : RG_NO_INDEX;
    if (lf == RG_NO_INDEX)
        return rg_api_fail(c, REGULA_ERR_USAGE, "regula_claim_add: the claim has no list '%s'", list ? list : "(null)");
    if (p->fields[lf].in_list)
        return rg_api_fail(c, REGULA_ERR_USAGE, "regula_claim_add: '%s' is inside a list's element", list);
    return add_element(c, "regula_claim_add", lf, index);
}

regula_status regula_claim_set_empty(regula_ctx *c, const char *list)
{
    if (!c)
        return REGULA_ERR_USAGE;
    if (c->state != CLAIM_BUILDING)
        return c->state == CLAIM_FAILED ? c->claim_status
                                        : rg_api_fail(c, REGULA_ERR_USAGE, "regula_claim_set_empty: start a claim with regula_claim_new");
    const rg_program *p = c->pack->prog;
    uint32_t lf = list ? list_named(p, list, strlen(list)) : RG_NO_INDEX;
    if (lf == RG_NO_INDEX || p->fields[lf].in_list)
        return rg_api_fail(c, REGULA_ERR_USAGE, "regula_claim_set_empty: the claim has no list '%s'", list ? list : "(null)");
    if (c->vm->list_count[p->fields[lf].list])
        return rg_api_fail(c, REGULA_ERR_USAGE, "regula_claim_set_empty: the list '%s' has elements", list);
    c->vm->claim[p->fields[lf].slot] = 0;
    for (int32_t a = p->fields[lf].parent; a >= 0; a = p->fields[a].parent)
        c->vm->claim[p->fields[a].slot] = 1;
    return REGULA_OK;
}

regula_status regula_claim_add_item(regula_ctx *c, unsigned *index)
{
    if (!c)
        return REGULA_ERR_USAGE;
    if (c->state != CLAIM_BUILDING)
        return c->state == CLAIM_FAILED ? c->claim_status
                                        : rg_api_fail(c, REGULA_ERR_USAGE, "regula_claim_add_item: start a claim with regula_claim_new");
    const rg_program *p = c->pack->prog;
    for (uint32_t i = 0; i < p->n_fields; i++)
        if (p->fields[i].parent < 0 && RG_TYPE_KIND(p->fields[i].type) == RG_T_LIST)
            return add_element(c, "regula_claim_add_item", i, index);
    return rg_api_fail(c, REGULA_ERR_USAGE, "regula_claim_add_item: this pack's claim has no list at its top level");
}

/* ---- checking the built claim ------------------------------------------------------- */

static rg_value *slot_of(regula_ctx *c, const rg_field *f, rg_value *row)
{
    return f->in_list ? row + f->slot : c->vm->claim + f->slot;
}

static regula_status check_fields(regula_ctx *c, int32_t parent, uint32_t first, uint32_t end, rg_value *row, long item);

static regula_status missing_fail(regula_ctx *c, const rg_field *f, long item)
{
    char path[200], msg[240];
    display_path(c->pack->prog, f, elem_index(c, f, item), path, sizeof path);
    snprintf(msg, sizeof msg, "missing field %s", path);
    return rg_api_claim_fail(c, REGULA_ERR_INPUT, msg);
}

/* Fields [first, end) absent (a field whose condition does not hold, with
 * cond_only, is ignored as the JSON binder ignores it). */
static void clear_fields(regula_ctx *c, uint32_t first, uint32_t end, rg_value *row)
{
    const rg_program *p = c->pack->prog;
    for (uint32_t k = first; k < end; k++) {
        const rg_field *g = &p->fields[k];
        if (RG_TYPE_KIND(g->type) == RG_T_LIST)
            c->vm->list_count[g->list] = 0;
        if (!g->in_list || row)
            *slot_of(c, g, row) = RG_NONE;
    }
}

/* Field j (subtree [j, end)): present unless optional, defaulted or its
 * condition says otherwise (as the JSON binder reads it). */
static regula_status check_one(regula_ctx *c, uint32_t j, uint32_t end, rg_value *row, long item)
{
    const rg_program *p = c->pack->prog;
    const rg_field *f = &p->fields[j];
    rg_type_kind k = RG_TYPE_KIND(f->type);
    rg_field_need need = rg_field_need_of(f, f->cond_op ? *slot_of(c, &p->fields[f->cond_field], row) : RG_NONE);
    if (need == RG_FIELD_IGNORED) {
        clear_fields(c, j, end, row);
        return REGULA_OK;
    }
    int required = need == RG_FIELD_REQUIRED;
    rg_value *slot = slot_of(c, f, row);
    if (k == RG_T_LIST) {
        uint32_t l = f->list, n = c->vm->list_count[l];
        if (*slot == RG_NONE && required)
            return missing_fail(c, f, item);
        if (*slot != RG_NONE && f->nonempty && n == 0)
            return input_fail(c, f, item, "%s", f->message != RG_NO_INDEX ? p->str[f->message] : "expected a non-empty array");
        for (uint32_t i = 0; i < n; i++) {
            uint32_t r = c->vm->list_first[l] + i;
            regula_status st = check_fields(c, (int32_t)j, j + 1, end, c->vm->items + (size_t)r * p->n_item_slots, r);
            if (st != REGULA_OK)
                return st;
        }
        return REGULA_OK;
    }
    if (*slot == RG_NONE) {
        if (f->has_default) {
            *slot = f->default_value;
            return REGULA_OK;
        }
        return required ? missing_fail(c, f, item) : REGULA_OK;
    }
    return k == RG_T_RECORD ? check_fields(c, (int32_t)j, j + 1, end, row, item) : REGULA_OK;
}

static regula_status check_fields(regula_ctx *c, int32_t parent, uint32_t first, uint32_t end, rg_value *row, long item)
{
    const rg_program *p = c->pack->prog;
    for (uint32_t j = first; j < end;) {
        uint32_t sub = p->field_end[j];
        if (sub > end)
            sub = end;
        if (p->fields[j].parent == parent) {
            regula_status st = check_one(c, j, sub, row, item);
            if (st != REGULA_OK)
                return st;
        }
        j = sub;
    }
    return REGULA_OK;
}

regula_status regula_claim_end(regula_ctx *c)
{
    if (!c)
        return REGULA_ERR_USAGE;
    if (c->state != CLAIM_BUILDING)
        return c->state == CLAIM_FAILED ? c->claim_status
                                        : rg_api_fail(c, REGULA_ERR_USAGE, "regula_claim_end: no claim is being built");
    const rg_program *p = c->pack->prog;
    regula_status st = check_fields(c, -1, 0, p->n_fields, NULL, -1);
    /* error lines name the claim by a top-level string field claim_id, as JSON claims do */
    for (uint32_t i = 0; i < p->n_fields; i++) {
        const rg_field *f = &p->fields[i];
        if (f->parent < 0 && RG_TYPE_KIND(f->type) == RG_T_STRING && strcmp(p->str[f->key], "claim_id") == 0 &&
            c->vm->claim[f->slot] != RG_NONE)
            c->claim_id = (const char *)(intptr_t)c->vm->claim[f->slot];
    }
    return st != REGULA_OK ? st : rg_api_begin_claim(c);
}
