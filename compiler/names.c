/* names.c — the compiler's name tables: a hash from a name to what it names
 * (definitions, policies, enumerations, members, ledger scopes), each name a
 * chain of values in the order they were added. Knows nothing of what the
 * values mean; the names must outlive the table (they are the AST's). */
#include <stdlib.h>
#include <string.h>

#include "builder.h"

static uint32_t hash_name(const char *s)
{
    uint32_t h = 2166136261u;
    for (; *s; s++)
        h = (h ^ (unsigned char)*s) * 16777619u;
    return h;
}

static void grow_slots(rgc_names *t)
{
    uint32_t cap = t->n_slots ? t->n_slots * 2 : 64;
    uint32_t *slots = malloc(cap * sizeof *slots);
    if (!slots)
        abort();
    memset(slots, 0xFF, cap * sizeof *slots);
    for (uint32_t i = 0; i < t->n; i++) { /* the first entry of each name heads its chain */
        if (t->ents[i].first != i)
            continue;
        uint32_t h = hash_name(t->ents[i].name) & (cap - 1);
        while (slots[h] != UINT32_MAX)
            h = (h + 1) & (cap - 1);
        slots[h] = i;
    }
    free(t->slots);
    t->slots = slots;
    t->n_slots = cap;
}

/* The slot of name: its chain's head, or the empty slot where it would go. */
static uint32_t *slot_of(const rgc_names *t, const char *name)
{
    uint32_t h = hash_name(name) & (t->n_slots - 1);
    while (t->slots[h] != UINT32_MAX && strcmp(t->ents[t->slots[h]].name, name) != 0)
        h = (h + 1) & (t->n_slots - 1);
    return &t->slots[h];
}

void rgc_names_add(rgc_names *t, const char *name, uint32_t value)
{
    if ((t->n_names + 1) * 2 > t->n_slots)
        grow_slots(t);
    if (t->n == t->cap) {
        t->cap = t->cap ? t->cap * 2 : 64;
        t->ents = realloc(t->ents, t->cap * sizeof *t->ents);
        if (!t->ents)
            abort();
    }
    uint32_t i = t->n++;
    t->ents[i] = (rgc_name_ent){name, value, RG_NO_INDEX, i, i};
    uint32_t *s = slot_of(t, name);
    if (*s == UINT32_MAX) {
        *s = i;
        t->n_names++;
        return;
    }
    rgc_name_ent *head = &t->ents[*s];
    t->ents[head->last].next = i;
    head->last = i;
    t->ents[i].first = *s;
}

uint32_t rgc_names_find(const rgc_names *t, const char *name)
{
    if (!t->n_slots)
        return RG_NO_INDEX;
    uint32_t s = *slot_of(t, name);
    return s == UINT32_MAX ? RG_NO_INDEX : s;
}

void rgc_names_free(rgc_names *t)
{
    free(t->slots);
    free(t->ents);
    *t = (rgc_names){0};
}
