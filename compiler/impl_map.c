/* impl_map.c — a policy's or a version's implementations by definition slot:
 * the few it writes, not a slot for every definition of the pack (that was
 * policies × definitions pointers, 5 MB zeroed for 300 cities). */
#include <stdlib.h>

#include "compiler.h"

static uint32_t home(uint32_t slot, uint32_t mask) { return (slot * 0x9e3779b1u) >> 8 & mask; }

rgc_impl *rgc_impl_get(const rgc_impl_map *m, uint32_t slot)
{
    if (!m->cap)
        return NULL;
    for (uint32_t i = home(slot, m->cap - 1);; i = (i + 1) & (m->cap - 1)) {
        if (m->keys[i] == slot + 1)
            return m->vals[i];
        if (!m->keys[i])
            return NULL;
    }
}

static void put(rgc_impl_map *m, uint32_t slot, rgc_impl *im)
{
    uint32_t i = home(slot, m->cap - 1);
    while (m->keys[i] && m->keys[i] != slot + 1)
        i = (i + 1) & (m->cap - 1);
    m->n += !m->keys[i];
    m->keys[i] = slot + 1;
    m->vals[i] = im;
}

void rgc_impl_set(rgc_impl_map *m, uint32_t slot, rgc_impl *im)
{
    if ((m->n + 1) * 2 > m->cap) { /* at most half full */
        rgc_impl_map old = *m;
        m->cap = old.cap ? old.cap * 2 : 8;
        m->keys = calloc(m->cap, sizeof *m->keys);
        m->vals = malloc(m->cap * sizeof *m->vals);
        if (!m->keys || !m->vals)
            abort(); /* as the compiler's arena does */
        m->n = 0;
        for (uint32_t i = 0; i < old.cap; i++)
            if (old.keys[i])
                put(m, old.keys[i] - 1, old.vals[i]);
        rgc_impl_map_free(&old);
    }
    put(m, slot, im);
}

void rgc_impl_map_free(rgc_impl_map *m)
{
    free(m->keys);
    free(m->vals);
    *m = (rgc_impl_map){0};
}
