/* ledger_store.c — the in-memory ledger of `regula run` and `regula bench`: per ledger scope, one record of field values per key (person id, year, …), found by the keys' encoded text through an open-addressing index.
 * Must not compute anything: keys and first values come from the VM (rg_vm_claim_keys, rg_vm_ledger_init), new values from its updates; once warm it allocates only for keys never seen.
 * The records are the open-addressing table itself (head, key, values: 64 bytes for a year's six fields, never across two cache lines), at most three quarters full, so that a look-up of a key not in cache costs one miss, the scopes' overlapped; the table doubles in place, never beside a copy of itself (docs/performance.md). */
#include <stdlib.h>
#include <string.h>

#include "rg_stdlib.h"

#define KEY_INLINE_MIN 12 /* at least this much key text lives in the record itself */
#define KEY_INLINE_MAX 60 /* at most this much, when a scope's keys are long */
#define LONG_KEY 255      /* the length byte of a key that lives in the arena */

/* A record: a 32-bit head, then `inl` bytes of key, then the n_fields values
 * (unaligned: they are copied with memcpy only). The head is the low 24 bits
 * of the key's hash (those that index tables of up to 2^24 records, so that a
 * rehash need not hash again) over a length byte: the key's length + 1, or
 * LONG_KEY for a key longer than inl, whose key bytes then hold its offset
 * into the store's arena (8 bytes) and its length (4). A record not in use
 * has the head 0. */
typedef uint32_t head_t;

/* A key's home is its hash's low bits; a probe goes up from it, never round
 * to the start: the table has TAIL records past the last home, and a key
 * that would probe past them makes it grow. */
#define TAIL 1024u

typedef struct {
    uint32_t first_field, n_fields, first_key, n_keys;
    char *table;       /* mask + 1 + TAIL records of stride bytes, mapped */
    uint32_t mask, n;  /* n of them in use */
    uint32_t stride, inl;
    uint32_t n_long;   /* records whose key is in the arena */
    uint32_t long_fit; /* the longest of them up to KEY_INLINE_MAX, since the layout was chosen */
    int zero_init;     /* no field has a first-value chunk: a new key's values are 0 */
    /* the last load */
    int applies;       /* every key part present: the claim has a record here (else it reads
                        * first values, and nothing is kept) */
    int found;
    char *rec;         /* the record found, or the empty one that ended the probe */
    uint32_t rec_mask; /* mask when rec was found: a rehash since moved the records */
    uint64_t hash;     /* the home record is its low bits */
    head_t head;       /* the record's head */
    const char *key;   /* its key text, in the loaded rg_ledger_keys */
    uint32_t key_len;
} scope_t;

/* One claim's keys, encoded, with their hashes: each scope's text at off[i],
 * len[i] bytes. */
struct rg_ledger_keys {
    char *text;
    size_t n, cap;
    size_t *off;
    uint32_t *len;
    uint64_t *hash;
    uint8_t *absent;  /* per scope: a key part is absent (the scope does not apply) */
    uint32_t n_scopes;
    rg_value *vals; /* room for the largest scope's key values */
};

struct rg_ledger_store {
    const rg_program *p;
    uint8_t *key_str;  /* per ledger key: 1 when it is a string */
    scope_t *scopes;
    uint32_t n_scopes;
    uint32_t head_mask; /* a table index the bits of a head's hash determine */
    char *arena;      /* key texts longer than their scope's inl */
    size_t n_arena, cap_arena;
    rg_ledger_keys *own; /* the keys of rg_ledger_store_load */
    int loaded;
};

static inline char *rec_at(const scope_t *sc, uint32_t i) { return sc->table + (size_t)i * sc->stride; }
static inline uint32_t n_recs(uint32_t mask) { return mask + 1 + TAIL; }
static inline size_t table_bytes(uint32_t mask, uint32_t stride) { return (size_t)n_recs(mask) * stride; }
static inline head_t rec_head(const char *rc)
{
    head_t h;
    memcpy(&h, rc, sizeof h);
    return h;
}
static inline char *rec_vals(const scope_t *sc, char *rc) { return rc + sizeof(head_t) + sc->inl; }

/* The key text of a record in use, and its length. */
static const char *rec_key(const rg_ledger_store *s, const char *rc, uint32_t *len)
{
    if ((rec_head(rc) & 0xff) != LONG_KEY) {
        *len = (rec_head(rc) & 0xff) - 1;
        return rc + sizeof(head_t);
    }
    uint64_t off;
    memcpy(&off, rc + sizeof(head_t), 8);
    memcpy(len, rc + sizeof(head_t) + 8, 4);
    return s->arena + off;
}

/* A table for mask, none of its records in use: pages from the kernel
 * (rg_pages_new: zeroed, page-aligned so that records of 16, 32 or 64 bytes
 * each sit in one cache line, huge from 2 MiB on, its records read at random),
 * grown in place. */
static char *table_new(uint32_t mask, uint32_t stride)
{
    return rg_pages_new(table_bytes(mask, stride));
}

#if defined(__SANITIZE_THREAD__) /* gcc */
#define COPY_TO_GROW 1
#elif defined(__has_feature) /* clang */
#if __has_feature(thread_sanitizer)
#define COPY_TO_GROW 1
#endif
#endif
#ifndef COPY_TO_GROW
#define COPY_TO_GROW 0
#endif

/* The mapping t of old bytes grown to new ones, zeroed past the old; NULL (t
 * unchanged) when out of memory. In place, never beside a copy of itself;
 * ThreadSanitizer does not follow mremap (an address it moved from, mapped
 * again, looks written by the thread that had it), so its builds copy. */
static char *table_grow(char *t, size_t old, size_t new)
{
#if COPY_TO_GROW
    char *n = rg_pages_new(new);
    if (n) {
        memcpy(n, t, old);
        rg_pages_free(t, old);
    }
    return n;
#else
    return rg_pages_grow(t, old, new);
#endif
}

static void table_free(scope_t *sc)
{
    rg_pages_free(sc->table, table_bytes(sc->mask, sc->stride));
    sc->table = NULL;
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

/* A scope key's hash is made of its keys' words, one multiply a key, then
 * finished so that every bit moves the low bits, which index the table. A
 * string's word is the hash and length its head carries (program.h: every
 * string a VM holds has them), so no key text is hashed or measured here. */
#define HASH_M 0x9e3779b97f4a7c15ull
static inline uint64_t hash_step(uint64_t h, uint64_t w)
{
    h = (h ^ w) * HASH_M;
    return h ^ (h >> 29);
}
static inline uint64_t hash_finish(uint64_t h)
{
    h ^= h >> 32; /* murmur3's finish */
    h *= 0xff51afd7ed558ccdull;
    h ^= h >> 33;
    h *= 0xc4ceb9fe1a85ec53ull;
    return h ^ (h >> 33);
}
static inline uint64_t str_word(uint32_t len, uint32_t hash) { return (uint64_t)len << 32 | hash; }

static inline unsigned char *put_leb(unsigned char *d, uint64_t u)
{
    while (u >= 0x80) {
        *d++ = (unsigned char)(u | 0x80);
        u >>= 7;
    }
    *d++ = (unsigned char)u;
    return d;
}
static inline uint64_t get_leb(const unsigned char **u)
{
    uint64_t v = 0;
    for (unsigned sh = 0;; sh += 7) {
        unsigned char c = *(*u)++;
        v |= (uint64_t)(c & 0x7f) << sh;
        if (c < 0x80) return v;
    }
}

/* The hash of a key text as rg_ledger_store_keys made it, from the text
 * alone (a rehash into a table of more records than a record's head keeps). */
static uint64_t text_hash(const rg_ledger_store *s, const scope_t *sc, const char *t)
{
    const unsigned char *u = (const unsigned char *)t;
    uint64_t h = sc->n_keys;
    for (uint32_t f = 0; f < sc->n_keys; f++) {
        uint64_t w;
        if (!s->key_str[sc->first_key + f]) {
            uint64_t z = get_leb(&u);
            w = (z >> 1) ^ (0 - (z & 1)); /* the value: zigzag undone */
        } else {
            uint32_t n = (uint32_t)get_leb(&u);
            w = str_word(n, rg_str_hash_text((const char *)u, n));
            u += n;
        }
        h = hash_step(h, w);
    }
    return hash_finish(h);
}

/* Sets sc's record size for at least `key` bytes of inline key: 16, 32 or 64
 * bytes (never across two cache lines), else a multiple of 8 (its lines are
 * fetched together). The rounding goes to the key, so inl is 12 to 67 and a
 * length + 1 never reaches LONG_KEY. Records of another size are moved to it
 * as the table doubles (reserve). */
static void set_layout(scope_t *sc, uint32_t key)
{
    size_t need = sizeof(head_t) + key + (size_t)sc->n_fields * sizeof(rg_value);
    size_t stride = need <= 16 ? 16 : need <= 32 ? 32 : need <= 64 ? 64 : (need + 7) & ~(size_t)7;
    sc->stride = (uint32_t)stride;
    sc->inl = (uint32_t)(stride - sizeof(head_t) - (size_t)sc->n_fields * sizeof(rg_value));
    sc->long_fit = 0;
}

/* The head of a record of sc for a key of that hash and length. */
static head_t make_head(const scope_t *sc, uint64_t h, uint32_t len)
{
    return (uint32_t)h << 8 | (len <= sc->inl ? len + 1 : LONG_KEY);
}

rg_ledger_store *rg_ledger_store_new(const rg_program *p)
{
    rg_ledger_store *s = calloc(1, sizeof *s);
    if (!s) return NULL;
    s->p = p;
    s->head_mask = (1u << 24) - 1;
    s->n_scopes = p->n_ledger_scopes;
    s->scopes = calloc(s->n_scopes ? s->n_scopes : 1, sizeof *s->scopes);
    s->own = rg_ledger_keys_new(s);
    s->key_str = malloc(p->n_ledger_keys ? p->n_ledger_keys : 1);
    if (!s->scopes || !s->own || !s->key_str) goto fail;
    for (uint32_t i = 0; i < p->n_ledger_keys; i++) /* a verified program types every key */
        s->key_str[i] = RG_TYPE_KIND(p->ledger_key_types[i]) == RG_T_STRING;
    for (uint32_t i = 0; i < s->n_scopes; i++) {
        scope_t *sc = &s->scopes[i];
        const rg_ledger_scope *ls = &p->ledger_scopes[i];
        sc->first_field = ls->first_field;
        sc->n_fields = ls->n_fields;
        sc->first_key = ls->first_key;
        sc->n_keys = ls->n_keys;
        sc->zero_init = 1;
        for (uint32_t f = 0; f < sc->n_fields; f++)
            if (p->ledger_fields[sc->first_field + f].init != RG_NO_INDEX) sc->zero_init = 0;
        if (sc->n_fields > (UINT32_MAX / 2 - 64) / sizeof(rg_value)) goto fail;
        set_layout(sc, KEY_INLINE_MIN);
        sc->mask = 63;
        sc->table = table_new(sc->mask, sc->stride);
        if (!sc->table) goto fail;
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
        table_free(&s->scopes[i]);
    }
    free(s->scopes);
    free(s->arena);
    free(s->key_str);
    rg_ledger_keys_free(s->own);
    free(s);
}

void rg_ledger_store_clear(rg_ledger_store *s)
{
    for (uint32_t i = 0; i < s->n_scopes; i++) {
        scope_t *sc = &s->scopes[i];
        sc->n = sc->n_long = sc->long_fit = 0;
        memset(sc->table, 0, table_bytes(sc->mask, sc->stride)); /* the table stays for the next records */
    }
    s->n_arena = 0;
    s->loaded = 0;
}

void rg_ledger_store_rehash_from_text(rg_ledger_store *s) { s->head_mask = 0; }

uint32_t rg_ledger_store_count(const rg_ledger_store *s, uint32_t scope)
{
    return scope < s->n_scopes ? s->scopes[scope].n : 0;
}

/* The w bytes (4 or 8) at p, as a word, and stored at p. */
static inline uint64_t word_at(const void *p, size_t w)
{
    if (w == 8) {
        uint64_t x;
        memcpy(&x, p, 8);
        return x;
    }
    uint32_t x;
    memcpy(&x, p, 4);
    return x;
}
static inline void word_to(void *p, uint64_t x, size_t w)
{
    if (w == 8) {
        memcpy(p, &x, 8);
    } else {
        uint32_t y = (uint32_t)x;
        memcpy(p, &y, 4);
    }
}
/* n bytes from b to a, and whether n bytes at a and b are equal: a key's
 * text is a few bytes, where memcpy and memcmp of a length the compiler
 * cannot see are calls. 4 to 16 bytes take two loads each, which overlap. */
static inline void copy_key(unsigned char *a, const unsigned char *b, size_t n)
{
    if (n < 4 || n > 16) {
        memcpy(a, b, n);
        return;
    }
    const size_t w = n >= 8 ? 8 : 4;
    const uint64_t first = word_at(b, w), last = word_at(b + n - w, w);
    word_to(a, first, w);
    word_to(a + n - w, last, w);
}
static inline int key_eq(const char *a, const char *b, size_t n)
{
    if (n < 4 || n > 16)
        return memcmp(a, b, n) == 0;
    const size_t w = n >= 8 ? 8 : 4;
    return ((word_at(a, w) ^ word_at(b, w)) | (word_at(a + n - w, w) ^ word_at(b + n - w, w))) == 0;
}

/* Appends one key at d and returns the end; its hash word in *word. Only
 * present keys are encoded (a scope with an absent key part has no record).
 * The encoding ends itself given the key position's type (one type per
 * position), so that equal keys are equal texts and the concatenation of a
 * scope's keys can be compared as a whole: a string is its length (LEB128)
 * then its bytes; another value its zigzag LEB128 (a year takes 2 bytes).
 * Short keys keep the records small. d has room for key_room(). */
static inline unsigned char *put_key(unsigned char *d, int is_str, rg_value v, uint64_t *word)
{
    if (is_str) {
        const char *t = (const char *)(uintptr_t)v;
        uint32_t n = rg_str_len(t);
        d = put_leb(d, n);
        copy_key(d, (const unsigned char *)t, n);
        *word = str_word(n, rg_str_hash(t));
        return d + n;
    }
    *word = (uint64_t)v;
    return put_leb(d, ((uint64_t)v << 1) ^ (0 - ((uint64_t)v >> 63))); /* zigzag: small magnitudes, few bytes */
}

/* The most bytes put_key writes for v: 64 bits of LEB128 take 10. */
static inline size_t key_room(int is_str, rg_value v)
{
    return 10 + (is_str ? rg_str_len((const char *)(uintptr_t)v) : 0);
}

/* Finds the key of sc's last load: sets rec to its record (returns 1), or to
 * the record not in use where it would go, NULL past the tail (returns 0). */
static int probe(const rg_ledger_store *s, scope_t *sc)
{
    sc->rec_mask = sc->mask;
    sc->rec = NULL;
    for (uint32_t i = (uint32_t)sc->hash & sc->mask, end = n_recs(sc->mask); i < end; i++) {
        char *rc = rec_at(sc, i);
        head_t h = rec_head(rc);
        if (!h) {
            sc->rec = rc;
            return 0;
        }
        if (h != sc->head)
            continue;
        uint32_t len;
        const char *k = rec_key(s, rc, &len);
        if (len == sc->key_len && key_eq(k, sc->key, len)) {
            sc->rec = rc;
            return 1;
        }
    }
    return 0;
}

rg_ledger_keys *rg_ledger_keys_new(const rg_ledger_store *s)
{
    const rg_program *p = s->p;
    rg_ledger_keys *k = calloc(1, sizeof *k);
    if (!k) return NULL;
    uint32_t n = s->n_scopes ? s->n_scopes : 1, n_keys = p->n_ledger_keys ? p->n_ledger_keys : 1;
    k->n_scopes = s->n_scopes;
    k->off = malloc(n * sizeof *k->off);
    k->len = malloc(n * sizeof *k->len);
    k->hash = malloc(n * sizeof *k->hash);
    k->absent = malloc(n);
    k->vals = malloc(n_keys * sizeof *k->vals);
    if (!k->off || !k->len || !k->hash || !k->absent || !k->vals) {
        rg_ledger_keys_free(k);
        return NULL;
    }
    return k;
}

const uint8_t *rg_ledger_keys_absent(const rg_ledger_keys *k) { return k->absent; }

void rg_ledger_keys_free(rg_ledger_keys *k)
{
    if (!k) return;
    free(k->text);
    free(k->off);
    free(k->len);
    free(k->hash);
    free(k->absent);
    free(k->vals);
    free(k);
}

/* Each scope's key text and hash from the claim's key values (all scopes',
 * rg_vm_claim_keys order), or from the VM when keyvals is NULL. The first
 * records of every scope's probe are prefetched here, so that the loads of
 * the scopes overlap their memory misses instead of queueing. */
static rg_status make_keys(const rg_ledger_store *s, rg_vm *vm, const rg_value *keyvals, rg_ledger_keys *k)
{
    k->n = 0;
    if (!keyvals) {
        rg_status st = rg_vm_claim_keys(vm, k->vals);
        if (st != RG_OK) return st;
        keyvals = k->vals;
    }
    /* in locals: the key bytes are stored through a char pointer, which may
     * alias anything */
    const scope_t *const scopes = s->scopes;
    const uint8_t *const key_str = s->key_str;
    const uint32_t n_scopes = s->n_scopes;
    for (uint32_t i = 0; i < n_scopes; i++) {
        const scope_t *sc = &scopes[i];
        const rg_value *vals = keyvals + sc->first_key;
        const uint8_t *is_str = key_str + sc->first_key;
        const size_t at = k->n;
        uint64_t h = sc->n_keys, w;
        int absent = 0;
        size_t room = at;
        for (uint32_t f = sc->n_keys; f-- > 0 && !absent;) { /* last first: an optional part is a later one */
            absent = vals[f] == RG_NONE;
            room += absent ? 0 : key_room(is_str[f], vals[f]);
        }
        k->absent[i] = (uint8_t)absent;
        if (!absent) { /* no record, no key to make */
            if (room > k->cap && grow(&k->text, &k->cap, room)) return RG_ERR_MEMORY;
            unsigned char *const start = (unsigned char *)k->text, *d = start + at;
            for (uint32_t f = 0; f < sc->n_keys; f++) {
                d = put_key(d, is_str[f], vals[f], &w);
                h = hash_step(h, w);
            }
            k->n = (size_t)(d - start);
        }
        k->off[i] = at;
        k->len[i] = (uint32_t)(k->n - at);
        k->hash[i] = hash_finish(h);
        __builtin_prefetch(rec_at(sc, (uint32_t)k->hash[i] & sc->mask)); /* the home record */
    }
    return RG_OK;
}

static inline void prefetch_records(const rg_ledger_store *s, const rg_ledger_keys *k)
{
    for (uint32_t i = 0; i < s->n_scopes; i++) {
        const scope_t *sc = &s->scopes[i];
        __builtin_prefetch(rec_at(sc, (uint32_t)k->hash[i] & sc->mask));
    }
}

void rg_ledger_store_prefetch_records(const rg_ledger_store *s, const rg_ledger_keys *k)
{
    if (k->n_scopes == s->n_scopes)
        prefetch_records(s, k);
}

/* The load of k's records; a scope that does not apply reads its fields'
 * first values when firsts is set, else is left as the caller set it. */
static rg_status load_keys(rg_ledger_store *s, rg_vm *vm, const rg_ledger_keys *k, int firsts)
{
    s->loaded = 0;
    if (k->n_scopes != s->n_scopes) return RG_ERR_USAGE;
    /* in locals: the copies below may alias anything, as far as the compiler knows */
    scope_t *const scopes = s->scopes;
    const uint32_t n_scopes = s->n_scopes;
    for (uint32_t i = 0; i < n_scopes; i++) {
        scope_t *sc = &scopes[i];
        sc->applies = !k->absent[i];
        sc->found = 0;
        if (sc->applies) {
            sc->key = k->text + k->off[i];
            sc->key_len = k->len[i];
            sc->hash = k->hash[i];
            sc->head = make_head(sc, k->hash[i], sc->key_len);
            sc->found = probe(s, sc);
        } else if (!firsts) {
            continue;
        }
        if (sc->found) {
            memcpy(vm->ledger_in + sc->first_field, rec_vals(sc, sc->rec), sc->n_fields * sizeof(rg_value));
        } else if (sc->zero_init) {
            memset(vm->ledger_in + sc->first_field, 0, sc->n_fields * sizeof(rg_value));
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

rg_status rg_ledger_store_load_keys(rg_ledger_store *s, rg_vm *vm, const rg_ledger_keys *k)
{
    return load_keys(s, vm, k, 0);
}

rg_status rg_ledger_store_keys(const rg_ledger_store *s, const rg_value *keys, rg_ledger_keys *k)
{
    return make_keys(s, NULL, keys, k);
}

rg_status rg_ledger_store_load(rg_ledger_store *s, rg_vm *vm, const rg_value *keys)
{
    s->loaded = 0;
    rg_status st = make_keys(s, vm, keys, s->own);
    return st != RG_OK ? st : load_keys(s, vm, s->own, 1);
}

/* The home of record rc (head h) in a table of that mask. */
static uint32_t home_of(const rg_ledger_store *s, const scope_t *sc, const char *rc, head_t h, uint32_t mask)
{
    if (mask > s->head_mask) { /* more bits than the head keeps */
        uint32_t len;
        return (uint32_t)text_hash(s, sc, rec_key(s, rc, &len)) & mask;
    }
    return (h >> 8) & mask;
}

/* Record rc, of a table of the old layout (inl bytes of key), put at the
 * first free record from its home in sc's table and layout: a key the old
 * layout kept in the arena comes back inline when it fits (its text stays in
 * the arena until a clear). The records of a table put in the order of their
 * places into one twice as large never probe further from their homes than
 * they did (those before one in its new run were before it in its old one),
 * so never past the tail. */
static void put_record(const rg_ledger_store *s, scope_t *sc, const char *rc, uint32_t inl)
{
    head_t h = rec_head(rc);
    uint32_t len, i = home_of(s, sc, rc, h, sc->mask), end = n_recs(sc->mask);
    const char *k = rec_key(s, rc, &len);
    while (i < end && rec_head(rec_at(sc, i)))
        i++;
    if (i == end)
        abort(); /* cannot be: see above */
    char *to = rec_at(sc, i);
    if ((h & 0xff) == LONG_KEY && len <= sc->inl) {
        h = (h & ~(head_t)0xff) | (len + 1);
        sc->n_long--;
    }
    memcpy(to, &h, sizeof h);
    memcpy(to + sizeof h, (h & 0xff) == LONG_KEY ? rc + sizeof h : k, (h & 0xff) == LONG_KEY ? 12 : len);
    memcpy(rec_vals(sc, to), rc + sizeof(head_t) + inl, sc->n_fields * sizeof(rg_value));
}

/* sc's table doubled and laid out for its longest keys (up to KEY_INLINE_MAX)
 * in a new mapping, the old one's records put into it. 0, or -1 when out of
 * memory (nothing changed). */
static int relayout(const rg_ledger_store *s, scope_t *sc)
{
    uint32_t stride = sc->stride, inl = sc->inl, long_fit = sc->long_fit, mask = sc->mask; /* the old layout */
    char *old = sc->table;
    set_layout(sc, sc->long_fit);
    sc->mask = mask * 2 + 1;
    sc->table = table_new(sc->mask, sc->stride);
    if (!sc->table) {
        sc->stride = stride;
        sc->inl = inl;
        sc->long_fit = long_fit;
        sc->mask = mask;
        sc->table = old;
        return -1;
    }
    for (uint32_t i = 0; i < n_recs(mask); i++)
        if (rec_head(old + (size_t)i * stride))
            put_record(s, sc, old + (size_t)i * stride, inl);
    rg_pages_free(old, table_bytes(mask, stride));
    return 0;
}

/* sc's table doubled in place: its mapping grown, the records of the tail
 * lifted out, each other one that has a new home (its old one or mask + 1
 * above it) moved there, scanning up, then the lifted ones put back. 0, or
 * -1 when out of memory (nothing changed). */
static int grow_in_place(const rg_ledger_store *s, scope_t *sc)
{
    uint32_t old_mask = sc->mask, mask = old_mask * 2 + 1, stride = sc->stride;
    char *lifted = malloc((size_t)(TAIL + 1) * stride); /* the tail's records, and one being moved */
    char *t = lifted ? table_grow(sc->table, table_bytes(old_mask, stride), table_bytes(mask, stride)) : NULL;
    if (!t) {
        free(lifted);
        return -1;
    }
    char *one = lifted + (size_t)TAIL * stride;
    sc->table = t;
    sc->mask = mask;
    uint32_t n_lifted = 0;
    for (uint32_t i = old_mask + 1; i < n_recs(old_mask); i++) {
        char *rc = rec_at(sc, i);
        if (rec_head(rc)) {
            memcpy(lifted + (size_t)n_lifted++ * stride, rc, stride);
            memset(rc, 0, stride);
        }
    }
    for (uint32_t i = 0; i <= old_mask; i++) {
        char *rc = rec_at(sc, i);
        head_t h = rec_head(rc);
        if (!h || home_of(s, sc, rc, h, mask) == i)
            continue;
        memcpy(one, rc, stride);
        memset(rc, 0, stride);
        put_record(s, sc, one, sc->inl);
    }
    for (uint32_t i = 0; i < n_lifted; i++)
        put_record(s, sc, lifted + (size_t)i * stride, sc->inl);
    free(lifted);
    return 0;
}

/* Room for the key of sc's last load, which it did not find: the table
 * doubles before it is three quarters full (a key not in it probes ≈ 2.5
 * records at half full, 8.5 at three quarters; one in it 1.5 and 2.5), and
 * again while the key would probe past the tail. When a quarter of the keys
 * have gone to the arena (a second miss each), the records are laid out anew
 * with room for them as the table doubles. Then rec is where the key goes.
 * 0, or -1 when out of memory (the records are what they were). */
static int reserve(const rg_ledger_store *s, scope_t *sc)
{
    for (;;) {
        int crowded = (uint64_t)(sc->n + 1) * 4 > (uint64_t)(sc->mask + 1) * 3;
        if (!crowded && sc->rec && sc->rec_mask == sc->mask)
            return 0;
        if (crowded || !sc->rec) {
            if (sc->mask > UINT32_MAX / 4)
                return -1;
            int relay = (uint64_t)sc->n_long * 4 >= sc->n && sc->long_fit > sc->inl;
            if (relay ? relayout(s, sc) : grow_in_place(s, sc))
                return -1;
        }
        /* where the key goes now */
        sc->head = make_head(sc, sc->hash, sc->key_len);
        sc->rec_mask = sc->mask;
        sc->rec = NULL;
        for (uint32_t i = (uint32_t)sc->hash & sc->mask, end = n_recs(sc->mask); i < end && !sc->rec; i++)
            if (!rec_head(rec_at(sc, i)))
                sc->rec = rec_at(sc, i);
    }
}

/* A new record for the key of the last load, where reserve() made room. */
static void insert(rg_ledger_store *s, scope_t *sc)
{
    char *rc = sc->rec;
    memcpy(rc, &sc->head, sizeof sc->head);
    if (sc->key_len <= sc->inl) {
        copy_key((unsigned char *)rc + sizeof(head_t), (const unsigned char *)sc->key, sc->key_len);
    } else {
        sc->n_long++;
        if (sc->key_len <= KEY_INLINE_MAX && sc->key_len > sc->long_fit) sc->long_fit = sc->key_len;
        uint64_t off = s->n_arena;
        memcpy(rc + sizeof(head_t), &off, 8);
        memcpy(rc + sizeof(head_t) + 8, &sc->key_len, 4);
        memcpy(s->arena + s->n_arena, sc->key, sc->key_len);
        s->n_arena += sc->key_len;
    }
    sc->n++;
}

rg_status rg_ledger_store_commit(rg_ledger_store *s, rg_vm *vm)
{
    if (!s->loaded) return RG_ERR_USAGE;
    /* every allocation first, so that a failure changes nothing (the
     * scopes in locals: the copies below may alias anything, as far as the
     * compiler knows) */
    scope_t *const scopes = s->scopes;
    const uint32_t n_scopes = s->n_scopes;
    size_t keys = 0;
    for (uint32_t i = 0; i < n_scopes; i++) {
        scope_t *sc = &scopes[i];
        if (sc->found || !sc->applies) continue;
        if (reserve(s, sc)) return RG_ERR_MEMORY;
        if (sc->key_len > sc->inl) keys += sc->key_len;
    }
    if (keys && grow(&s->arena, &s->cap_arena, s->n_arena + keys + 1)) return RG_ERR_MEMORY;
    for (uint32_t i = 0; i < n_scopes; i++) {
        scope_t *sc = &scopes[i];
        if (!sc->applies)
            continue; /* a key part is absent: the claim has no record here */
        if (!sc->found) {
            insert(s, sc);
            sc->found = 1;
        }
        memcpy(rec_vals(sc, sc->rec), vm->ledger_out + sc->first_field, sc->n_fields * sizeof(rg_value));
    }
    return RG_OK;
}
