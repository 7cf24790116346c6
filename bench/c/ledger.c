/* ledger.c — the year ledger of settlement.md section 7: per person the account balance, per
 * person and calendar year the accumulators, in two open-addressing hash tables. No policy here. */
#include <stdlib.h>
#include <string.h>

#include "settle.h"

typedef struct {
    person_acc_t acc;
    uint32_t hash, len;
    size_t off;                /* the id in the string pool */
    int32_t last_year;         /* the year record used last, a shortcut of the year table */
    uint32_t last_year_index;  /* year index + 1, 0 = none */
} person_t;

typedef struct {
    uint32_t hash, index;      /* index + 1, 0 = empty */
} pslot_t;

typedef struct {
    uint64_t key;              /* person index << 32 | year */
    year_acc_t acc;
} year_t;

struct ledger {
    person_t *person;
    uint32_t npersons, cappersons;
    pslot_t *pslot;
    uint32_t npslots;
    char *pool;
    size_t poollen, poolcap;

    year_t *year;
    uint32_t nyears, capyears;
    uint32_t *yslot;           /* year index + 1, 0 = empty */
    uint32_t nyslots;
};

static void *xrealloc(void *p, size_t n)
{
    p = realloc(p, n);
    if (!p)
        abort();
    return p;
}

static uint32_t hash_bytes(const char *s, size_t n)
{
    uint32_t h = 2166136261u;  /* FNV-1a */
    for (size_t i = 0; i < n; i++)
        h = (h ^ (unsigned char)s[i]) * 16777619u;
    return h;
}

static uint32_t hash_u64(uint64_t x)
{
    x ^= x >> 33;
    x *= 0xff51afd7ed558ccdULL;
    x ^= x >> 33;
    return (uint32_t)x;
}

ledger_t *ledger_new(void)
{
    ledger_t *l = calloc(1, sizeof *l);
    if (!l)
        abort();
    l->npslots = l->nyslots = 1024;
    l->pslot = calloc(l->npslots, sizeof *l->pslot);
    l->yslot = calloc(l->nyslots, sizeof *l->yslot);
    if (!l->pslot || !l->yslot)
        abort();
    return l;
}

void ledger_free(ledger_t *l)
{
    if (!l)
        return;
    free(l->person);
    free(l->pslot);
    free(l->pool);
    free(l->year);
    free(l->yslot);
    free(l);
}

void ledger_reset(ledger_t *l)
{
    l->npersons = l->nyears = 0;
    l->poollen = 0;
    memset(l->pslot, 0, l->npslots * sizeof *l->pslot);
    memset(l->yslot, 0, l->nyslots * sizeof *l->yslot);
}

static void person_grow(ledger_t *l)
{
    l->npslots *= 2;
    l->pslot = xrealloc(l->pslot, l->npslots * sizeof *l->pslot);
    memset(l->pslot, 0, l->npslots * sizeof *l->pslot);
    const uint32_t mask = l->npslots - 1;
    for (uint32_t k = 0; k < l->npersons; k++) {
        uint32_t i = l->person[k].hash & mask;
        while (l->pslot[i].index)
            i = (i + 1) & mask;
        l->pslot[i] = (pslot_t){ l->person[k].hash, k + 1 };
    }
}

person_acc_t *ledger_person(ledger_t *l, const char *id, size_t len, fen_t balance,
                            uint32_t *index)
{
    const uint32_t h = hash_bytes(id, len), mask = l->npslots - 1;
    uint32_t i = h & mask;
    for (;; i = (i + 1) & mask) {
        const uint32_t k = l->pslot[i].index;
        if (k == 0)
            break;
        if (l->pslot[i].hash != h)
            continue;
        person_t *p = &l->person[k - 1];
        if (p->len == len && memcmp(l->pool + p->off, id, len) == 0) {
            *index = k - 1;
            return &p->acc;
        }
    }
    /* A new person: the balance of their first valid claim. */
    if (l->npersons == l->cappersons) {
        l->cappersons = l->cappersons ? l->cappersons * 2 : 1024;
        l->person = xrealloc(l->person, l->cappersons * sizeof *l->person);
    }
    if (l->poollen + len > l->poolcap) {
        while (l->poollen + len > l->poolcap)
            l->poolcap = l->poolcap ? l->poolcap * 2 : 16384;
        l->pool = xrealloc(l->pool, l->poolcap);
    }
    memcpy(l->pool + l->poollen, id, len);
    const uint32_t k = l->npersons++;
    l->person[k] = (person_t){ { balance }, h, (uint32_t)len, l->poollen, 0, 0 };
    l->poollen += len;
    l->pslot[i] = (pslot_t){ h, k + 1 };
    if (l->npersons * 2 > l->npslots)
        person_grow(l);
    *index = k;
    return &l->person[k].acc;
}

static void year_grow(ledger_t *l)
{
    l->nyslots *= 2;
    l->yslot = xrealloc(l->yslot, l->nyslots * sizeof *l->yslot);
    memset(l->yslot, 0, l->nyslots * sizeof *l->yslot);
    const uint32_t mask = l->nyslots - 1;
    for (uint32_t k = 0; k < l->nyears; k++) {
        uint32_t i = hash_u64(l->year[k].key) & mask;
        while (l->yslot[i])
            i = (i + 1) & mask;
        l->yslot[i] = k + 1;
    }
}

year_acc_t *ledger_year(ledger_t *l, uint32_t index, int32_t year)
{
    person_t *p = &l->person[index];
    if (p->last_year_index && p->last_year == year)
        return &l->year[p->last_year_index - 1].acc;
    const uint64_t key = (uint64_t)index << 32 | (uint32_t)year;
    const uint32_t mask = l->nyslots - 1;
    uint32_t i = hash_u64(key) & mask;
    for (;; i = (i + 1) & mask) {
        const uint32_t k = l->yslot[i];
        if (k == 0)
            break;
        if (l->year[k - 1].key == key) {
            p->last_year = year;
            p->last_year_index = k;
            return &l->year[k - 1].acc;
        }
    }
    if (l->nyears == l->capyears) {
        l->capyears = l->capyears ? l->capyears * 2 : 1024;
        l->year = xrealloc(l->year, l->capyears * sizeof *l->year);
    }
    const uint32_t k = l->nyears++;
    memset(&l->year[k], 0, sizeof l->year[k]);
    l->year[k].key = key;
    l->yslot[i] = k + 1;
    p->last_year = year;
    p->last_year_index = k + 1;
    if (l->nyears * 2 > l->nyslots)
        year_grow(l);
    return &l->year[k].acc;
}
