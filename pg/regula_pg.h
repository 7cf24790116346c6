/* regula_pg.h — what the files of the PostgreSQL extension share: the per-backend pack cache, one claim's settlement with a host-kept ledger, ledger values as JSON.
 * Must reach Regula through include/regula.h alone (never the compiler's or the VM's own headers), and must not raise an ERROR while a regula_* call is on the stack. */
#ifndef REGULA_PG_H
#define REGULA_PG_H

#include "postgres.h"

#include "lib/stringinfo.h"
#include "utils/jsonb.h"

#include "regula.h"

/* One pack of regula.packs, loaded in this backend: its handle, the one
 * context that settles with it (a backend runs one query step at a time), and
 * what the pack says of its ledger, read once through regula.h. */
typedef struct rp_scope {
    const char *name;
    unsigned n_keys, n_fields;
    regula_type *key_types;
    const char **field_names;
    regula_type *field_types;
} rp_scope;

typedef struct rp_pack {
    char name[128]; /* the hash key */
    regula_pack *pack;
    regula_ctx *ctx;
    bool stale;        /* regula.packs changed since it was loaded: check before use */
    bool busy;         /* a call is settling with it (cleared when a transaction aborts) */
    uint64 image_hash; /* of the stored image, to reload only when it changed */
    Size image_len;
    unsigned n_scopes, max_fields;
    rp_scope *scopes;
} rp_pack;

/* pack_cache.c: the named pack, loaded (or reloaded after a change); an ERROR
 * when there is none or it is damaged. */
rp_pack *rp_pack_get(const char *name);
/* Around a settlement: a busy pack is neither reloaded nor used by a nested call. */
void rp_pack_acquire(rp_pack *p);
void rp_pack_release(rp_pack *p);

/* settle_core.c: one claim, with the ledger records the caller finds by key.
 * rp_bind binds the claim text (LINE as `regula run` numbers it, 0: none); then
 * per scope rp_key_text gives the record's key as the JSON text jsonb prints,
 * rp_give gives its fields (NULL: no record yet), rp_settle settles, rp_take
 * reads the new fields. The result line is regula_result_json(p->ctx). */
regula_status rp_bind(rp_pack *p, const char *json, size_t len, long line);
void rp_key_text(rp_pack *p, unsigned scope, StringInfo out);
/* Has the bound claim a record in scope (its key parts all present)? A scope
 * that does not apply is neither given nor taken. */
bool rp_applies(rp_pack *p, unsigned scope);
regula_status rp_give(rp_pack *p, unsigned scope, const int64 *fields);
regula_status rp_settle(rp_pack *p);
void rp_take(rp_pack *p, unsigned scope, int64 *fields);
/* A record's fields as a JSON object (money 200.00, percent 60, int, days), and back: an ERROR naming WHAT when a field is missing or not exact. */
void rp_fields_json(rp_pack *p, unsigned scope, const int64 *fields, StringInfo out);
void rp_fields_parse(rp_pack *p, unsigned scope, JsonbContainer *obj, int64 *fields, const char *what);
/* The error text of a failed claim, copied (the context's is valid until its next call). */
char *rp_copy_result(rp_pack *p);

#endif
