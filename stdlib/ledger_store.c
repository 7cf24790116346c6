/* ledger_store.c — the in-memory ledger of `regula run` and `regula bench`: per ledger scope, one record of field values per key (person id, year, …), found by the keys' text in an open-addressing hash table.
 * Must not compute anything: keys and first values come from the VM (rg_vm_ledger_keys, rg_vm_ledger_init), new values from its updates; once warm it allocates only for keys never seen.
 * Records hold their key and values together and slots the high half of the hash: a look-up reads one slot and one record (docs/performance.md). */
#include <stdlib.h>
#include <string.h>

#include "rg_stdlib.h"

#define EMPTY UINT32_MAX
#define KEY_INLINE 32 /* key texts up to this long live in the record itself */

/* A record: this header, then its n_fields values. Records of a scope are
 * `stride` bytes apart in one array, so that a look-up touches one slot and
 * one record (its key and values side by side), not four places. */
typedef struct {
    uint64_t hash;
    uint32_t key_len;
    uint32_t pad;
    union {
        char inl[KEY_INLINE]; /* key_len <= KEY_INLINE */
        size_t off;           /* longer: offset into the store's arena */
    } key;
} rec_t;

/* A slot of the hash table: the record and the high half of its hash, so
 * that probing compares hashes without reading records. */
typedef struct {
    uint32_t tag;
    uint32_t rec;     /* record index or EMPTY */
} slot_t;

typedef struct {
    uint32_t first_field, n_fields, first_key, n_keys;
    slot_t *slots;    /* mask + 1, a power of two */
    uint32_t mask;
    char *recs;       /* cap records of stride bytes */
    size_t stride;
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
    char *arena;      /* key texts longer than KEY_INLINE */
    size_t n_arena, cap_arena;
    char *scratch;    /* key texts of the last load */
    size_t n_scratch, cap_scratch;
    rg_value *keys;   /* room for the largest scope's keys */
    int loaded;
};

static inline rec_t *rec_at(const scope_t *sc, uint32_t r) { return (rec_t *)(void *)(sc->recs + (size_t)r * sc->stride); }
static inline rg_value *rec_vals(rec_t *rc) { return (rg_value *)(void *)(rc + 1); }

static void clear_slots(scope_t *sc)
{
    for (uint32_t i = 0; i <= sc->mask; i++) sc->slots[i] = (slot_t){0, EMPTY};
}

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
    return h ^ (h >> 29); /* the low bits index the table: fold the high ones in */
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
        sc->stride = sizeof(rec_t) + (size_t)sc->n_fields * sizeof(rg_value);
        sc->mask = 63;
        sc->slots = malloc((sc->mask + 1) * sizeof *sc->slots);
        if (!sc->slots) goto fail;
        clear_slots(sc);
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
        clear_slots(sc);
    }
    s->n_arena = 0;
    s->loaded = 0;
}

uint32_t rg_ledger_store_count(const rg_ledger_store *s, uint32_t scope)
{
    return scope < s->n_scopes ? s->scopes[scope].n : 0;
}

/* Appends one key to scratch: a tag ('N' absent, 'S' string, 'V' other), then
 * a string's length (4 bytes) and text, or another value's 8 bytes (a key
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
    char *d = s->scratch + s->n_scratch;
    *d++ = tag;
    if (tag == 'S') {
        uint32_t len = (uint32_t)n;
        memcpy(d, &len, 4);
        d += 4;
    }
    if (n) memcpy(d, t, n);
    s->n_scratch = (size_t)(d + n - s->scratch);
    return 0;
}

static const char *rec_key(const rg_ledger_store *s, const rec_t *rc)
{
    return rc->key_len <= KEY_INLINE ? rc->key.inl : s->arena + rc->key.off;
}

static uint32_t lookup(const rg_ledger_store *s, const scope_t *sc, uint64_t h, const char *key, uint32_t len)
{
    uint32_t tag = (uint32_t)(h >> 32);
    for (uint32_t i = (uint32_t)h & sc->mask;; i = (i + 1) & sc->mask) {
        slot_t sl = sc->slots[i];
        if (sl.rec == EMPTY) return EMPTY;
        if (sl.tag != tag) continue;
        const rec_t *rc = rec_at(sc, sl.rec);
        if (rc->hash == h && rc->key_len == len && memcmp(rec_key(s, rc), key, len) == 0) return sl.rec;
    }
}

/* The load runs in three sweeps over the scopes so that their memory
 * misses overlap instead of queueing: every key and hash first (prefetching
 * each scope's home slot), then each home slot's record is prefetched, then
 * the look-ups, which find both in cache. */
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
        __builtin_prefetch(&sc->slots[(uint32_t)sc->hash & sc->mask]);
    }
    for (uint32_t i = 0; i < s->n_scopes; i++) {
        const scope_t *sc = &s->scopes[i];
        slot_t sl = sc->slots[(uint32_t)sc->hash & sc->mask];
        if (sl.rec != EMPTY) __builtin_prefetch(rec_at(sc, sl.rec));
    }
    for (uint32_t i = 0; i < s->n_scopes; i++) {
        scope_t *sc = &s->scopes[i];
        uint32_t r = lookup(s, sc, sc->hash, s->scratch + sc->key_off, sc->key_len);
        sc->found = r != EMPTY;
        sc->rec = r;
        if (sc->found) {
            memcpy(vm->ledger_in + sc->first_field, rec_vals(rec_at(sc, r)), sc->n_fields * sizeof(rg_value));
        } else {
            for (uint32_t f = 0; f < sc->n_fields; f++) {
                rg_status st = rg_vm_ledger_init(vm, sc->first_field + f, &vm->ledger_in[sc->first_field + f]);
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
    slot_t *slots = malloc((size_t)size * sizeof *slots);
    if (!slots) return -1;
    free(sc->slots);
    sc->slots = slots;
    sc->mask = size - 1;
    clear_slots(sc);
    for (uint32_t r = 0; r < sc->n; r++) {
        uint64_t h = rec_at(sc, r)->hash;
        uint32_t i = (uint32_t)h & sc->mask;
        while (slots[i].rec != EMPTY) i = (i + 1) & sc->mask;
        slots[i] = (slot_t){(uint32_t)(h >> 32), r};
    }
    return 0;
}

/* Room for one more record of sc (its key text excepted). */
static int reserve(scope_t *sc)
{
    if (sc->n == sc->cap) {
        uint32_t cap = sc->cap ? sc->cap * 2 : 64;
        if (cap <= sc->cap) return -1;
        char *recs = realloc(sc->recs, (size_t)cap * sc->stride);
        if (!recs) return -1;
        sc->recs = recs;
        sc->cap = cap;
    }
    if ((uint64_t)(sc->n + 1) * 2 > (uint64_t)sc->mask + 1 && rehash(sc)) return -1;
    return 0;
}

/* A new record for the key of the last load, in room made by reserve(). */
static uint32_t insert(rg_ledger_store *s, scope_t *sc)
{
    uint32_t r = sc->n++;
    rec_t *rc = rec_at(sc, r);
    rc->hash = sc->hash;
    rc->key_len = sc->key_len;
    rc->pad = 0;
    if (sc->key_len <= KEY_INLINE) {
        memcpy(rc->key.inl, s->scratch + sc->key_off, sc->key_len);
    } else {
        rc->key.off = s->n_arena;
        memcpy(s->arena + s->n_arena, s->scratch + sc->key_off, sc->key_len);
        s->n_arena += sc->key_len;
    }
    uint32_t i = (uint32_t)sc->hash & sc->mask;
    while (sc->slots[i].rec != EMPTY) i = (i + 1) & sc->mask;
    sc->slots[i] = (slot_t){(uint32_t)(sc->hash >> 32), r};
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
        if (sc->key_len > KEY_INLINE) keys += sc->key_len;
    }
    if (grow(&s->arena, &s->cap_arena, s->n_arena + keys + 1)) return RG_ERR_MEMORY;
    for (uint32_t i = 0; i < s->n_scopes; i++) {
        scope_t *sc = &s->scopes[i];
        if (!sc->found) {
            sc->rec = insert(s, sc);
            sc->found = 1;
        }
        memcpy(rec_vals(rec_at(sc, sc->rec)), vm->ledger_out + sc->first_field, sc->n_fields * sizeof(rg_value));
    }
    return RG_OK;
}
