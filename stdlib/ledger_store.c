/* ledger_store.c — the in-memory ledger of `regula run` and `regula bench`: per ledger scope, one record of field values per key (person id, year, …), found by the keys' text in an open-addressing hash table.
 * Must not compute anything: keys and first values come from the VM (rg_vm_ledger_keys, rg_vm_ledger_init), new values from its updates; once warm it allocates only for keys never seen. */
#include <stdlib.h>
#include <string.h>

#include "rg_stdlib.h"

#define EMPTY UINT32_MAX

typedef struct {
    uint64_t hash;
    size_t key_off;   /* into the store's arena */
    uint32_t key_len;
} rec_t;

typedef struct {
    uint32_t first_field, n_fields, first_key, n_keys;
    uint32_t *slots;  /* record index or EMPTY; size mask + 1, a power of two */
    uint32_t mask;
    rec_t *recs;
    rg_value *vals;   /* cap * n_fields */
    uint32_t n, cap;
    /* the last load */
    int found;
    uint32_t rec;     /* when found */
    uint64_t hash;
    size_t key_off;   /* into scratch */
    uint32_t key_len;
} scope_t;

struct rg_ledger_store {
    const rg_program *p;
    scope_t *scopes;
    uint32_t n_scopes;
    char *arena;      /* key texts of the records */
    size_t n_arena, cap_arena;
    char *scratch;    /* key texts of the last load */
    size_t n_scratch, cap_scratch;
    rg_value *keys;   /* room for the largest scope's keys */
    int loaded;
};

static int grow(char **buf, size_t *cap, size_t need)
{
    if (need <= *cap) return 0;
    size_t c = *cap ? *cap : 256;
    while (c < need) c *= 2;
    char *b = realloc(*buf, c);
    if (!b) return -1;
    *buf = b;
    *cap = c;
    return 0;
}

static uint64_t fnv1a(const char *s, size_t n)
{
    uint64_t h = 0xcbf29ce484222325ull;
    for (size_t i = 0; i < n; i++) {
        h ^= (unsigned char)s[i];
        h *= 0x100000001b3ull;
    }
    return h;
}

rg_ledger_store *rg_ledger_store_new(const rg_program *p)
{
    rg_ledger_store *s = calloc(1, sizeof *s);
    if (!s) return NULL;
    s->p = p;
    s->n_scopes = p->n_ledger_scopes;
    s->scopes = calloc(s->n_scopes ? s->n_scopes : 1, sizeof *s->scopes);
    uint32_t max_keys = 1;
    for (uint32_t i = 0; i < p->n_ledger_scopes; i++)
        if (p->ledger_scopes[i].n_keys > max_keys) max_keys = p->ledger_scopes[i].n_keys;
    s->keys = malloc(max_keys * sizeof *s->keys);
    if (!s->scopes || !s->keys) goto fail;
    for (uint32_t i = 0; i < s->n_scopes; i++) {
        scope_t *sc = &s->scopes[i];
        const rg_ledger_scope *ls = &p->ledger_scopes[i];
        sc->first_field = ls->first_field;
        sc->n_fields = ls->n_fields;
        sc->first_key = ls->first_key;
        sc->n_keys = ls->n_keys;
        sc->mask = 63;
        sc->slots = malloc((sc->mask + 1) * sizeof *sc->slots);
        if (!sc->slots) goto fail;
        memset(sc->slots, 0xFF, (sc->mask + 1) * sizeof *sc->slots);
    }
    return s;
fail:
    rg_ledger_store_free(s);
    return NULL;
}

void rg_ledger_store_free(rg_ledger_store *s)
{
    if (!s) return;
    for (uint32_t i = 0; s->scopes && i < s->n_scopes; i++) {
        free(s->scopes[i].slots);
        free(s->scopes[i].recs);
        free(s->scopes[i].vals);
    }
    free(s->scopes);
    free(s->arena);
    free(s->scratch);
    free(s->keys);
    free(s);
}

void rg_ledger_store_clear(rg_ledger_store *s)
{
    for (uint32_t i = 0; i < s->n_scopes; i++) {
        scope_t *sc = &s->scopes[i];
        sc->n = 0;
        memset(sc->slots, 0xFF, ((size_t)sc->mask + 1) * sizeof *sc->slots);
    }
    s->n_arena = 0;
    s->loaded = 0;
}

uint32_t rg_ledger_store_count(const rg_ledger_store *s, uint32_t scope)
{
    return scope < s->n_scopes ? s->scopes[scope].n : 0;
}

/* Appends one key to scratch: a tag ('N' absent, 'S' string, 'V' other), its
 * length (4 bytes), its bytes: a string's text, another value's 8 bytes (a key
 * position always has one type, so equal values are equal keys; no text is
 * made, which kept snprintf out of every claim). */
static int put_key(rg_ledger_store *s, uint32_t type, rg_value v)
{
    const char *t = (const char *)&v;
    size_t n;
    char tag;
    if (v == RG_NONE) {
        tag = 'N';
        n = 0;
    } else if (RG_TYPE_KIND(type) == RG_T_STRING) {
        tag = 'S';
        t = (const char *)(uintptr_t)v;
        n = t ? strlen(t) : 0;
    } else {
        tag = 'V';
        n = sizeof v;
    }
    if (n > UINT32_MAX - 16 || grow(&s->scratch, &s->cap_scratch, s->n_scratch + 5 + n)) return -1;
    uint32_t len = (uint32_t)n;
    s->scratch[s->n_scratch] = tag;
    memcpy(s->scratch + s->n_scratch + 1, &len, 4);
    if (n) memcpy(s->scratch + s->n_scratch + 5, t, n);
    s->n_scratch += 5 + n;
    return 0;
}

static uint32_t lookup(const rg_ledger_store *s, const scope_t *sc, uint64_t h, const char *key, uint32_t len)
{
    for (uint32_t i = (uint32_t)h & sc->mask;; i = (i + 1) & sc->mask) {
        uint32_t r = sc->slots[i];
        if (r == EMPTY) return EMPTY;
        const rec_t *rc = &sc->recs[r];
        if (rc->hash == h && rc->key_len == len && memcmp(s->arena + rc->key_off, key, len) == 0) return r;
    }
}

rg_status rg_ledger_store_load(rg_ledger_store *s, rg_vm *vm)
{
    const rg_program *p = s->p;
    int typed = p->ledger_key_types && p->n_ledger_key_types == p->n_ledger_keys;
    s->loaded = 0;
    s->n_scratch = 0;
    for (uint32_t i = 0; i < s->n_scopes; i++) {
        scope_t *sc = &s->scopes[i];
        rg_status st = rg_vm_ledger_keys(vm, i, s->keys);
        if (st != RG_OK) return st;
        sc->key_off = s->n_scratch;
        for (uint32_t k = 0; k < sc->n_keys; k++) {
            /* without key types (an old image) every key is read as a number */
            uint32_t type = typed ? p->ledger_key_types[sc->first_key + k] : RG_TYPE(RG_T_INT, 0);
            if (put_key(s, type, s->keys[k])) return RG_ERR_MEMORY;
        }
        sc->key_len = (uint32_t)(s->n_scratch - sc->key_off);
        sc->hash = fnv1a(s->scratch + sc->key_off, sc->key_len);
        uint32_t r = lookup(s, sc, sc->hash, s->scratch + sc->key_off, sc->key_len);
        sc->found = r != EMPTY;
        sc->rec = r;
        for (uint32_t f = 0; f < sc->n_fields; f++) {
            uint32_t field = sc->first_field + f;
            if (sc->found) {
                vm->ledger_in[field] = sc->vals[(size_t)r * sc->n_fields + f];
            } else {
                st = rg_vm_ledger_init(vm, field, &vm->ledger_in[field]);
                if (st != RG_OK) return st;
            }
        }
    }
    s->loaded = 1;
    return RG_OK;
}

static int rehash(scope_t *sc)
{
    uint32_t size = (sc->mask + 1) * 2;
    if (size == 0) return -1;
    uint32_t *slots = malloc((size_t)size * sizeof *slots);
    if (!slots) return -1;
    memset(slots, 0xFF, (size_t)size * sizeof *slots);
    for (uint32_t r = 0; r < sc->n; r++) {
        uint32_t i = (uint32_t)sc->recs[r].hash & (size - 1);
        while (slots[i] != EMPTY) i = (i + 1) & (size - 1);
        slots[i] = r;
    }
    free(sc->slots);
    sc->slots = slots;
    sc->mask = size - 1;
    return 0;
}

/* Room for one more record of sc (its key text excepted). */
static int reserve(scope_t *sc)
{
    if (sc->n == sc->cap) {
        uint32_t cap = sc->cap ? sc->cap * 2 : 64;
        if (cap <= sc->cap) return -1;
        rec_t *recs = realloc(sc->recs, (size_t)cap * sizeof *recs);
        if (!recs) return -1;
        sc->recs = recs;
        rg_value *vals = realloc(sc->vals, (size_t)cap * (sc->n_fields ? sc->n_fields : 1) * sizeof *vals);
        if (!vals) return -1;
        sc->vals = vals;
        sc->cap = cap;
    }
    if ((uint64_t)(sc->n + 1) * 2 > (uint64_t)sc->mask + 1 && rehash(sc)) return -1;
    return 0;
}

/* A new record for the key of the last load, in room made by reserve(). */
static uint32_t insert(rg_ledger_store *s, scope_t *sc)
{
    uint32_t r = sc->n++;
    rec_t *rc = &sc->recs[r];
    rc->hash = sc->hash;
    rc->key_off = s->n_arena;
    rc->key_len = sc->key_len;
    if (sc->key_len) memcpy(s->arena + s->n_arena, s->scratch + sc->key_off, sc->key_len);
    s->n_arena += sc->key_len;
    uint32_t i = (uint32_t)sc->hash & sc->mask;
    while (sc->slots[i] != EMPTY) i = (i + 1) & sc->mask;
    sc->slots[i] = r;
    return r;
}

rg_status rg_ledger_store_commit(rg_ledger_store *s, rg_vm *vm)
{
    if (!s->loaded) return RG_ERR_USAGE;
    /* every allocation first, so that a failure changes nothing */
    size_t keys = 0;
    for (uint32_t i = 0; i < s->n_scopes; i++) {
        scope_t *sc = &s->scopes[i];
        if (sc->found) continue;
        if (reserve(sc)) return RG_ERR_MEMORY;
        keys += sc->key_len;
    }
    if (grow(&s->arena, &s->cap_arena, s->n_arena + keys + 1)) return RG_ERR_MEMORY;
    for (uint32_t i = 0; i < s->n_scopes; i++) {
        scope_t *sc = &s->scopes[i];
        if (!sc->found) {
            sc->rec = insert(s, sc);
            sc->found = 1;
        }
        rg_value *dst = sc->vals + (size_t)sc->rec * sc->n_fields;
        for (uint32_t f = 0; f < sc->n_fields; f++) dst[f] = vm->ledger_out[sc->first_field + f];
    }
    return RG_OK;
}
