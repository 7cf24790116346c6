/* settle.c — an example settlement service: settles a JSON Lines claims file with a compiled pack on N threads, keeping the ledger (the year's accumulators) and every result in SQLite, and writes the results in input order, as `regula run` does.
 * Must reach Regula through include/regula.h alone (it links libregula, never the compiler) and must not keep the ledger in memory: a claim's records are read from SQLite and written back in the same transaction as its result. */
#define _POSIX_C_SOURCE 200809L
#include <errno.h>
#include <pthread.h>
#include <sqlite3.h>
#include <stdarg.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>

#include "regula.h"

#define MAX_THREADS 256
#define MAX_SCOPES 8

static void usage(FILE *o)
{
    fprintf(o,
            "usage: settle --db LEDGER.db [--threads N] [-o OUT.jsonl] PACK.rgc CLAIMS.jsonl\n\n"
            "Settle every line of CLAIMS.jsonl with the compiled pack PACK.rgc (regula compile POLICIES -o\n"
            "PACK.rgc) on N threads (default 4), and write one result line per claim line, in input order,\n"
            "to OUT.jsonl (default: standard output): the lines `regula run --pack PACK.rgc` writes.\n\n"
            "The ledger lives in the SQLite database LEDGER.db (created when missing): a table per ledger\n"
            "scope of the pack (ledger_yearly: one row of accumulators per person and year), updated in the\n"
            "same transaction that stores the claim's result (table results, one batch per run). A second\n"
            "run on the same database continues from the accumulators the first one left.\n\n"
            "Claims that share a ledger record (the same person) are settled by one thread, in input\n"
            "order; the others run in parallel.\n\n"
            "exit status: 0 all lines settled, 1 some lines were errors (each has its error line),\n"
            "2 usage, file, pack or database error\n");
}

/* ---- errors: one message for the whole run (workers stop at the first) ---- */

typedef struct {
    pthread_mutex_t lock;
    char msg[1024];
    int failed; /* read by the workers under the lock */
} failure;

static void fail(failure *f, const char *fmt, ...) __attribute__((format(printf, 2, 3)));
static void fail(failure *f, const char *fmt, ...)
{
    pthread_mutex_lock(&f->lock);
    if (!f->failed) {
        va_list ap;
        va_start(ap, fmt);
        vsnprintf(f->msg, sizeof f->msg, fmt, ap);
        va_end(ap);
        f->failed = 1;
    }
    pthread_mutex_unlock(&f->lock);
}

static int has_failed(failure *f)
{
    pthread_mutex_lock(&f->lock);
    int r = f->failed;
    pthread_mutex_unlock(&f->lock);
    return r;
}

/* ---- the claims file, as lines (a final newline opens no line) ---- */

typedef struct {
    const char *text;
    size_t len;
} line;

static char *read_file(const char *path, size_t *len, char *err, size_t errlen)
{
    FILE *f = fopen(path, "rb");
    if (!f) {
        snprintf(err, errlen, "cannot open claims file '%s': %s", path, strerror(errno));
        return NULL;
    }
    size_t cap = 1 << 16, n = 0, got;
    char *buf = malloc(cap);
    while (buf && (got = fread(buf + n, 1, cap - n, f)) > 0) {
        n += got;
        if (n == cap) {
            char *nb = realloc(buf, cap *= 2);
            if (!nb)
                free(buf);
            buf = nb;
        }
    }
    int io = ferror(f);
    fclose(f);
    if (!buf || io) {
        free(buf);
        snprintf(err, errlen, io ? "cannot read claims file '%s'" : "out of memory reading '%s'", path);
        return NULL;
    }
    *len = n;
    return buf;
}

static line *split_lines(char *text, size_t len, size_t *n_lines)
{
    size_t n = 0, cap = 1024;
    line *v = malloc(cap * sizeof *v);
    for (size_t at = 0; v && at < len;) {
        const char *nl = memchr(text + at, '\n', len - at);
        size_t end = nl ? (size_t)(nl - text) : len;
        if (n == cap) {
            line *nv = realloc(v, (cap *= 2) * sizeof *v);
            if (!nv)
                free(v);
            v = nv;
            if (!v)
                break;
        }
        v[n++] = (line){text + at, end - at};
        at = end + 1;
    }
    *n_lines = n;
    return v;
}

/* ---- text that grows ---- */

typedef struct {
    char *text;
    size_t n, cap;
    int failed; /* out of memory: the text is cut short */
} sbuf;

static void sb_add(sbuf *b, const char *fmt, ...) __attribute__((format(printf, 2, 3)));
static void sb_add(sbuf *b, const char *fmt, ...)
{
    for (;;) {
        va_list ap;
        va_start(ap, fmt);
        int k = b->text ? vsnprintf(b->text + b->n, b->cap - b->n, fmt, ap) : -1;
        va_end(ap);
        if (k >= 0 && (size_t)k < b->cap - b->n) {
            b->n += (size_t)k;
            return;
        }
        size_t cap = b->cap ? b->cap * 2 : 512;
        while (k >= 0 && cap < b->n + (size_t)k + 1)
            cap *= 2;
        char *nt = realloc(b->text, cap);
        if (!nt) {
            b->failed = 1;
            return;
        }
        b->text = nt;
        b->cap = cap;
    }
}

/* ---- the run ---- */

typedef struct {
    const char *db_path, *pack_path, *claims_path, *out_path;
    int threads;
    const regula_pack *pack;
    unsigned n_scopes;
    line *lines;
    size_t n_lines;
    char **keys;       /* per line: the ledger records it touches ("scope\x1fpart\x1fpart\0…"), NULL if none */
    size_t *order;     /* the lines of each thread, in input order, one run after another */
    size_t *first;     /* threads + 1: thread t settles order[first[t] .. first[t+1]) */
    int64_t batch;
    failure fail;
    long settled, errors; /* under fail.lock */
} run;

/* Append the record key of scope s for the bound claim, as text, and its NUL. */
static int key_text(regula_ctx *ctx, const regula_pack *pk, unsigned s, sbuf *b)
{
    sb_add(b, "%u", s);
    for (unsigned k = 0; k < regula_ledger_key_count(pk, s); k++) {
        regula_value v;
        if (regula_ledger_key(ctx, s, k, &v) != REGULA_OK)
            return -1;
        if (!v.present)
            sb_add(b, "\x1f\x1d");
        else if (v.s)
            sb_add(b, "\x1f%s", v.s);
        else
            sb_add(b, "\x1f%lld", (long long)v.i);
    }
    sb_add(b, "%c", 0);
    return b->failed ? -1 : 0;
}

typedef struct {
    run *r;
    int id;
} worker;

/* Phase 1, on every thread: which ledger records each claim touches. A claim
 * that does not bind touches none: it becomes an error line wherever it runs. */
static void *find_keys(void *arg)
{
    worker *w = arg;
    run *r = w->r;
    regula_ctx *ctx;
    if (regula_ctx_new(r->pack, &ctx) != REGULA_OK) {
        fail(&r->fail, "out of memory creating a context");
        return NULL;
    }
    sbuf b = {0};
    for (size_t i = (size_t)w->id; i < r->n_lines && !has_failed(&r->fail); i += (size_t)r->threads) {
        if (regula_claim_json(ctx, r->lines[i].text, r->lines[i].len, (long)i + 1) != REGULA_OK)
            continue;
        b.n = 0;
        int ok = 1;
        for (unsigned s = 0; s < r->n_scopes && ok; s++)
            ok = key_text(ctx, r->pack, s, &b) == 0;
        sb_add(&b, "%c", 0); /* the list ends with an empty key */
        if (!ok && !b.failed) {
            fail(&r->fail, "line %zu of '%s': reading its ledger key: %s", i + 1, r->claims_path, regula_errmsg(ctx));
            break;
        }
        if (b.failed || !(r->keys[i] = malloc(b.n))) {
            fail(&r->fail, "out of memory partitioning the claims");
            break;
        }
        memcpy(r->keys[i], b.text, b.n);
    }
    free(b.text);
    regula_ctx_free(ctx);
    return NULL;
}

/* Phase 2: claims that share a record (and so a person) form one group; each
 * group goes whole to one thread, in input order. */
static size_t find_root(size_t *up, size_t i)
{
    while (up[i] != i)
        i = up[i] = up[up[i]];
    return i;
}

static uint64_t hash_text(const char *s)
{
    uint64_t h = 0xcbf29ce484222325ull;
    for (; *s; s++)
        h = (h ^ (unsigned char)*s) * 0x100000001b3ull;
    return h;
}

typedef struct {
    size_t size, root;
} group;

static int larger_first(const void *a, const void *b)
{
    const group *x = a, *y = b;
    if (x->size != y->size)
        return x->size > y->size ? -1 : 1;
    return x->root < y->root ? -1 : x->root > y->root; /* the same order on every run */
}

static int partition(run *r)
{
    size_t n = r->n_lines, cap = 16;
    while (cap < 2 * (n * r->n_scopes + 1))
        cap *= 2;
    size_t *up = malloc((n + 1) * sizeof *up), *size = calloc(n + 1, sizeof *size);
    size_t *owner = malloc(cap * sizeof *owner); /* hash slot -> first line with that key */
    size_t *load = calloc((size_t)r->threads, sizeof *load), *thread_of = malloc((n + 1) * sizeof *thread_of);
    int ok = up && size && owner && load && thread_of;
    for (size_t i = 0; ok && i < n; i++)
        up[i] = i;
    for (size_t i = 0; ok && i < cap; i++)
        owner[i] = SIZE_MAX;
    for (size_t i = 0; ok && i < n; i++)
        for (const char *k = r->keys[i]; k && *k; k += strlen(k) + 1)
            for (size_t h = hash_text(k) & (cap - 1);; h = (h + 1) & (cap - 1)) {
                if (owner[h] == SIZE_MAX) {
                    owner[h] = i;
                    break;
                }
                const char *o = r->keys[owner[h]];
                int same = 0;
                for (; *o && !same; o += strlen(o) + 1)
                    same = strcmp(o, k) == 0;
                if (same) {
                    up[find_root(up, i)] = find_root(up, owner[h]);
                    break;
                }
            }
    /* the largest groups first, each to the thread with the fewest claims so far */
    for (size_t i = 0; ok && i < n; i++)
        size[find_root(up, i)]++;
    group *groups = ok ? malloc((n + 1) * sizeof *groups) : NULL;
    size_t n_groups = 0;
    ok = ok && groups;
    for (size_t i = 0; ok && i < n; i++)
        if (up[i] == i)
            groups[n_groups++] = (group){size[i], i};
    if (ok)
        qsort(groups, n_groups, sizeof *groups, larger_first);
    for (size_t g = 0; ok && g < n_groups; g++) {
        int least = 0;
        for (int k = 1; k < r->threads; k++)
            if (load[k] < load[least])
                least = k;
        thread_of[groups[g].root] = (size_t)least;
        load[least] += groups[g].size;
    }
    if (ok) {
        r->first[0] = 0;
        for (int t = 0; t < r->threads; t++)
            r->first[t + 1] = r->first[t] + load[t];
        memset(load, 0, (size_t)r->threads * sizeof *load);
        for (size_t i = 0; i < n; i++) {
            size_t t = thread_of[find_root(up, i)];
            r->order[r->first[t] + load[t]++] = i;
        }
    }
    free(up);
    free(size);
    free(owner);
    free(load);
    free(thread_of);
    free(groups);
    return ok ? 0 : -1;
}

/* ---- SQLite ---- */

/* "name" with its quotes doubled: a pack's names may be any identifier. */
static void quote_ident(char *buf, size_t cap, const char *prefix, const char *name)
{
    size_t n = 0;
    if (cap < 4)
        return;
    buf[n++] = '"';
    for (const char *s = prefix; *s && n + 3 < cap; s++)
        buf[n++] = *s;
    for (const char *s = name; *s && n + 3 < cap; s++) {
        if (*s == '"')
            buf[n++] = '"';
        buf[n++] = *s;
    }
    buf[n++] = '"';
    buf[n] = '\0';
}

static int is_text_key(regula_type t)
{
    return t == REGULA_T_STRING || t == REGULA_T_ENUM || t == REGULA_T_REGION;
}

/* The SQL of scope s: its table, the read of a record, its update and its insert. */
enum { SQL_CREATE, SQL_SELECT, SQL_UPDATE, SQL_INSERT };

static char *scope_sql(const regula_pack *pk, unsigned s, int which)
{
    char table[256], col[256];
    quote_ident(table, sizeof table, "ledger_", regula_ledger_scope_name(pk, s));
    unsigned nk = regula_ledger_key_count(pk, s), nf = regula_ledger_field_count(pk, s);
    sbuf b = {0};
    switch (which) {
    case SQL_CREATE:
        sb_add(&b, "CREATE TABLE IF NOT EXISTS %s (", table);
        for (unsigned k = 0; k < nk; k++)
            sb_add(&b, "key%u %s, ", k + 1, is_text_key(regula_ledger_key_type(pk, s, k)) ? "TEXT" : "INTEGER");
        for (unsigned f = 0; f < nf; f++) {
            quote_ident(col, sizeof col, "", regula_ledger_field_name(pk, s, f));
            sb_add(&b, "%s INTEGER NOT NULL, ", col);
        }
        sb_add(&b, "PRIMARY KEY (");
        for (unsigned k = 0; k < nk; k++)
            sb_add(&b, "%skey%u", k ? ", " : "", k + 1);
        sb_add(&b, "))");
        break;
    case SQL_SELECT:
        sb_add(&b, "SELECT ");
        for (unsigned f = 0; f < nf; f++) {
            quote_ident(col, sizeof col, "", regula_ledger_field_name(pk, s, f));
            sb_add(&b, "%s%s", f ? ", " : "", col);
        }
        sb_add(&b, " FROM %s WHERE ", table);
        for (unsigned k = 0; k < nk; k++)
            sb_add(&b, "%skey%u IS ?%u", k ? " AND " : "", k + 1, k + 1);
        break;
    case SQL_UPDATE: /* keys ?1…, fields after them */
        sb_add(&b, "UPDATE %s SET ", table);
        for (unsigned f = 0; f < nf; f++) {
            quote_ident(col, sizeof col, "", regula_ledger_field_name(pk, s, f));
            sb_add(&b, "%s%s = ?%u", f ? ", " : "", col, nk + f + 1);
        }
        sb_add(&b, " WHERE ");
        for (unsigned k = 0; k < nk; k++)
            sb_add(&b, "%skey%u IS ?%u", k ? " AND " : "", k + 1, k + 1);
        break;
    case SQL_INSERT:
        sb_add(&b, "INSERT INTO %s VALUES (", table);
        for (unsigned k = 0; k < nk + nf; k++)
            sb_add(&b, "%s?%u", k ? ", " : "", k + 1);
        sb_add(&b, ")");
        break;
    }
    if (b.failed) {
        free(b.text);
        return NULL;
    }
    return b.text;
}

static sqlite3 *open_db(run *r)
{
    sqlite3 *db = NULL;
    int rc = sqlite3_open_v2(r->db_path, &db, SQLITE_OPEN_READWRITE | SQLITE_OPEN_CREATE, NULL);
    if (rc != SQLITE_OK) {
        fail(&r->fail, "cannot open ledger database '%s': %s (its directory must exist and be writable)", r->db_path,
             db ? sqlite3_errmsg(db) : sqlite3_errstr(rc));
        sqlite3_close(db);
        return NULL;
    }
    sqlite3_busy_timeout(db, 60000); /* writers queue for the lock: one transaction per claim */
    /* a connection's own setting: with WAL, NORMAL makes a commit durable at the next checkpoint, not with
     * an fdatasync of its own; a kill loses no committed claim, a power cut only the last ones, whole */
    sqlite3_exec(db, "PRAGMA synchronous = NORMAL", NULL, NULL, NULL);
    return db;
}

static int exec_sql(run *r, sqlite3 *db, const char *sql)
{
    char *msg = NULL;
    if (sqlite3_exec(db, sql, NULL, NULL, &msg) == SQLITE_OK)
        return 0;
    fail(&r->fail, "ledger database '%s': %s (in: %.200s)", r->db_path, msg ? msg : sqlite3_errmsg(db), sql);
    sqlite3_free(msg);
    return -1;
}

/* The tables (created when missing) and this run's batch number. */
static int prepare_db(run *r)
{
    sqlite3 *db = open_db(r);
    if (!db)
        return -1;
    /* WAL: the workers read while one writes */
    int rc = exec_sql(r, db, "PRAGMA journal_mode = WAL;") ||
             exec_sql(r, db, "CREATE TABLE IF NOT EXISTS batches (id INTEGER PRIMARY KEY, pack TEXT NOT NULL, "
                             "claims TEXT NOT NULL, started TEXT NOT NULL DEFAULT (datetime('now')))") ||
             exec_sql(r, db, "CREATE TABLE IF NOT EXISTS results (batch INTEGER NOT NULL REFERENCES batches(id), "
                             "line INTEGER NOT NULL, settled INTEGER NOT NULL, result TEXT NOT NULL, "
                             "PRIMARY KEY (batch, line))");
    for (unsigned s = 0; rc == 0 && s < r->n_scopes; s++) {
        char *sql = scope_sql(r->pack, s, SQL_CREATE);
        rc = sql ? exec_sql(r, db, sql) : -1;
        free(sql);
    }
    sqlite3_stmt *st = NULL;
    if (rc == 0 && sqlite3_prepare_v2(db, "INSERT INTO batches (pack, claims) VALUES (?1, ?2)", -1, &st, NULL) == SQLITE_OK) {
        sqlite3_bind_text(st, 1, r->pack_path, -1, SQLITE_STATIC);
        sqlite3_bind_text(st, 2, r->claims_path, -1, SQLITE_STATIC);
        if (sqlite3_step(st) == SQLITE_DONE)
            r->batch = sqlite3_last_insert_rowid(db);
        else
            rc = -1;
    } else if (rc == 0) {
        rc = -1;
    }
    if (rc && !has_failed(&r->fail))
        fail(&r->fail, "ledger database '%s': %s", r->db_path, sqlite3_errmsg(db));
    sqlite3_finalize(st);
    sqlite3_close(db);
    return rc;
}

/* A worker's connection and statements. */
typedef struct {
    sqlite3 *db;
    sqlite3_stmt *select[MAX_SCOPES], *update[MAX_SCOPES], *insert[MAX_SCOPES];
    sqlite3_stmt *result, *begin, *commit, *rollback;
} conn;

static void conn_close(conn *c)
{
    for (unsigned s = 0; s < MAX_SCOPES; s++) {
        sqlite3_finalize(c->select[s]);
        sqlite3_finalize(c->update[s]);
        sqlite3_finalize(c->insert[s]);
    }
    sqlite3_finalize(c->result);
    sqlite3_finalize(c->begin);
    sqlite3_finalize(c->commit);
    sqlite3_finalize(c->rollback);
    sqlite3_close(c->db);
}

static int prepare(run *r, conn *c, sqlite3_stmt **st, const char *sql)
{
    if (sql && sqlite3_prepare_v2(c->db, sql, -1, st, NULL) == SQLITE_OK)
        return 0;
    fail(&r->fail,
         "ledger database '%s' does not fit pack '%s': %s; settle into a new --db, or migrate its ledger_* tables",
         r->db_path, r->pack_path, sql ? sqlite3_errmsg(c->db) : "out of memory");
    return -1;
}

static int conn_open(run *r, conn *c)
{
    memset(c, 0, sizeof *c);
    if (!(c->db = open_db(r)))
        return -1;
    int rc = prepare(r, c, &c->begin, "BEGIN IMMEDIATE") || prepare(r, c, &c->commit, "COMMIT") ||
             prepare(r, c, &c->rollback, "ROLLBACK") ||
             prepare(r, c, &c->result, "INSERT INTO results (batch, line, settled, result) VALUES (?1, ?2, ?3, ?4)");
    for (unsigned s = 0; rc == 0 && s < r->n_scopes; s++) {
        sqlite3_stmt **sts[] = {&c->select[s], &c->update[s], &c->insert[s]};
        int kinds[] = {SQL_SELECT, SQL_UPDATE, SQL_INSERT};
        for (int k = 0; k < 3 && rc == 0; k++) {
            char *sql = scope_sql(r->pack, s, kinds[k]);
            rc = prepare(r, c, sts[k], sql);
            free(sql);
        }
    }
    return rc;
}

static void bind_keys(regula_ctx *ctx, sqlite3_stmt *st, unsigned s, unsigned nk)
{
    for (unsigned k = 0; k < nk; k++) {
        regula_value v;
        regula_ledger_key(ctx, s, k, &v);
        if (!v.present)
            sqlite3_bind_null(st, (int)k + 1);
        else if (v.s)
            sqlite3_bind_text(st, (int)k + 1, v.s, -1, SQLITE_TRANSIENT);
        else
            sqlite3_bind_int64(st, (int)k + 1, v.i);
    }
}

static int step_done(run *r, conn *c, sqlite3_stmt *st, const char *what, size_t i)
{
    int rc = sqlite3_step(st);
    sqlite3_reset(st);
    if (rc == SQLITE_DONE || rc == SQLITE_ROW)
        return 0;
    fail(&r->fail, "ledger database '%s': %s at line %zu of '%s': %s", r->db_path, what, i + 1, r->claims_path,
         sqlite3_errmsg(c->db));
    return -1;
}

/* Give the context every scope's record for the bound claim, from SQLite. */
static regula_status load_ledger(run *r, conn *c, regula_ctx *ctx, size_t i, int *db_error)
{
    for (unsigned s = 0; s < r->n_scopes; s++) {
        sqlite3_stmt *st = c->select[s];
        unsigned nk = regula_ledger_key_count(r->pack, s), nf = regula_ledger_field_count(r->pack, s);
        bind_keys(ctx, st, s, nk);
        int rc = sqlite3_step(st);
        regula_status rs = REGULA_OK;
        if (rc == SQLITE_ROW) {
            for (unsigned f = 0; f < nf && rs == REGULA_OK; f++)
                rs = regula_ledger_set(ctx, s, f, sqlite3_column_int64(st, (int)f));
        } else if (rc == SQLITE_DONE) {
            rs = regula_ledger_none(ctx, s); /* no record yet: the fields start at the pack's first values */
        } else {
            fail(&r->fail, "ledger database '%s': reading the ledger for line %zu of '%s': %s", r->db_path, i + 1,
                 r->claims_path, sqlite3_errmsg(c->db));
            *db_error = 1;
        }
        sqlite3_reset(st);
        if (*db_error || rs != REGULA_OK)
            return rs;
    }
    return REGULA_OK;
}

/* Store the claim's result, and after a settled claim every scope's new record, in one transaction. */
static int store(run *r, conn *c, regula_ctx *ctx, size_t i, int settled, const char *json)
{
    if (step_done(r, c, c->begin, "beginning a transaction", i))
        return -1;
    int rc = 0;
    for (unsigned s = 0; settled && rc == 0 && s < r->n_scopes; s++) {
        unsigned nk = regula_ledger_key_count(r->pack, s), nf = regula_ledger_field_count(r->pack, s);
        sqlite3_stmt *up = c->update[s], *in = c->insert[s];
        bind_keys(ctx, up, s, nk);
        bind_keys(ctx, in, s, nk);
        for (unsigned f = 0; f < nf; f++) {
            int64_t v = 0;
            regula_ledger_get(ctx, s, f, &v);
            sqlite3_bind_int64(up, (int)(nk + f + 1), v);
            sqlite3_bind_int64(in, (int)(nk + f + 1), v);
        }
        rc = step_done(r, c, up, "updating the ledger", i);
        if (rc == 0 && sqlite3_changes(c->db) == 0)
            rc = step_done(r, c, in, "adding to the ledger", i);
    }
    if (rc == 0) {
        sqlite3_bind_int64(c->result, 1, r->batch);
        sqlite3_bind_int64(c->result, 2, (sqlite3_int64)i + 1);
        sqlite3_bind_int(c->result, 3, settled);
        sqlite3_bind_text(c->result, 4, json, -1, SQLITE_TRANSIENT);
        rc = step_done(r, c, c->result, "storing the result", i);
    }
    if (rc == 0)
        rc = step_done(r, c, c->commit, "committing", i);
    if (rc != 0)
        step_done(r, c, c->rollback, "rolling back", i);
    return rc;
}

/* Phase 3, on every thread: its claims in input order. */
static void *settle_lines(void *arg)
{
    worker *w = arg;
    run *r = w->r;
    conn c;
    regula_ctx *ctx = NULL;
    long settled = 0, errors = 0;
    if (conn_open(r, &c) == 0 && regula_ctx_new(r->pack, &ctx) != REGULA_OK)
        fail(&r->fail, "out of memory creating a context");
    for (size_t k = r->first[w->id]; ctx && k < r->first[w->id + 1] && !has_failed(&r->fail); k++) {
        size_t i = r->order[k];
        int db_error = 0;
        regula_status st = regula_claim_json(ctx, r->lines[i].text, r->lines[i].len, (long)i + 1);
        if (st == REGULA_OK)
            st = load_ledger(r, &c, ctx, i, &db_error);
        if (db_error)
            break;
        if (st == REGULA_OK)
            st = regula_settle(ctx);
        const char *json = regula_result_json(ctx); /* the result, or the claim's error line */
        if (!json) {
            fail(&r->fail, "line %zu of '%s': %s", i + 1, r->claims_path, regula_errmsg(ctx));
            break;
        }
        if (store(r, &c, ctx, i, st == REGULA_OK, json) != 0)
            break;
        if (st == REGULA_OK)
            settled++;
        else
            errors++;
    }
    regula_ctx_free(ctx);
    conn_close(&c);
    pthread_mutex_lock(&r->fail.lock);
    r->settled += settled;
    r->errors += errors;
    pthread_mutex_unlock(&r->fail.lock);
    return NULL;
}

static int on_threads(run *r, void *(*fn)(void *))
{
    pthread_t tid[MAX_THREADS];
    worker w[MAX_THREADS];
    int started = 0;
    for (; started < r->threads; started++) {
        w[started] = (worker){r, started};
        if (pthread_create(&tid[started], NULL, fn, &w[started]) != 0) {
            fail(&r->fail, "cannot start thread %d of %d", started + 1, r->threads);
            break;
        }
    }
    for (int t = 0; t < started; t++)
        pthread_join(tid[t], NULL);
    return has_failed(&r->fail) ? -1 : 0;
}

/* The batch's results from the database, in input order. */
static int write_results(run *r)
{
    sqlite3 *db = open_db(r);
    if (!db)
        return -1;
    FILE *out = r->out_path ? fopen(r->out_path, "w") : stdout;
    if (!out) {
        fail(&r->fail, "cannot write '%s': %s", r->out_path, strerror(errno));
        sqlite3_close(db);
        return -1;
    }
    sqlite3_stmt *st = NULL;
    size_t n = 0;
    int rc = sqlite3_prepare_v2(db, "SELECT line, result FROM results WHERE batch = ?1 ORDER BY line", -1, &st, NULL);
    if (rc == SQLITE_OK) {
        sqlite3_bind_int64(st, 1, r->batch);
        while ((rc = sqlite3_step(st)) == SQLITE_ROW && sqlite3_column_int64(st, 0) == (sqlite3_int64)n + 1) {
            fprintf(out, "%s\n", (const char *)sqlite3_column_text(st, 1));
            n++;
        }
    }
    if (rc != SQLITE_DONE || n != r->n_lines)
        fail(&r->fail, "ledger database '%s': batch %lld holds %zu of %zu results in order: %s", r->db_path,
             (long long)r->batch, n, r->n_lines, sqlite3_errmsg(db));
    sqlite3_finalize(st);
    sqlite3_close(db);
    if ((out != stdout ? fclose(out) : fflush(out)) != 0)
        fail(&r->fail, "cannot write '%s'", r->out_path ? r->out_path : "standard output");
    return has_failed(&r->fail) ? -1 : 0;
}

static double now_s(void)
{
    struct timespec ts;
    clock_gettime(CLOCK_MONOTONIC, &ts);
    return (double)ts.tv_sec + (double)ts.tv_nsec / 1e9;
}

int main(int argc, char **argv)
{
    run r = {.threads = 4};
    pthread_mutex_init(&r.fail.lock, NULL);
    for (int i = 1; i < argc; i++) {
        const char *a = argv[i];
        if (strcmp(a, "--help") == 0 || strcmp(a, "-h") == 0) {
            usage(stdout);
            return 0;
        } else if ((strcmp(a, "--db") == 0 || strcmp(a, "--threads") == 0 || strcmp(a, "-o") == 0) && i + 1 < argc) {
            const char *v = argv[++i];
            if (a[2] == 'd')
                r.db_path = v;
            else if (a[1] == 'o')
                r.out_path = v;
            else {
                char *end;
                long t = strtol(v, &end, 10);
                if (*end || t < 1 || t > MAX_THREADS) {
                    fprintf(stderr, "settle: --threads takes a number from 1 to %d, not '%s'\n", MAX_THREADS, v);
                    return 2;
                }
                r.threads = (int)t;
            }
        } else if (a[0] == '-' && a[1]) {
            fprintf(stderr, "settle: unknown option '%s' (or it lacks its value)\n\n", a);
            usage(stderr);
            return 2;
        } else if (!r.pack_path) {
            r.pack_path = a;
        } else if (!r.claims_path) {
            r.claims_path = a;
        } else {
            fprintf(stderr, "settle: one pack and one claims file, not also '%s'\n", a);
            return 2;
        }
    }
    if (!r.db_path || !r.pack_path || !r.claims_path) {
        fprintf(stderr, "settle: give --db LEDGER.db, a compiled pack and a claims file\n\n");
        usage(stderr);
        return 2;
    }
    double t0 = now_s();
    char err[1024];
    regula_pack *pk = NULL;
    if (regula_pack_load_file(r.pack_path, NULL, &pk, err, sizeof err) != REGULA_OK) {
        fprintf(stderr, "settle: %s\n", err);
        return 2;
    }
    r.pack = pk;
    r.n_scopes = regula_ledger_scope_count(pk);
    size_t len = 0;
    char *text = r.n_scopes <= MAX_SCOPES ? read_file(r.claims_path, &len, err, sizeof err) : NULL;
    if (r.n_scopes > MAX_SCOPES)
        snprintf(err, sizeof err, "pack '%s' has %u ledger scopes; this service keeps at most %d", r.pack_path,
                 r.n_scopes, MAX_SCOPES);
    if (text) {
        r.lines = split_lines(text, len, &r.n_lines);
        r.keys = calloc(r.n_lines + 1, sizeof *r.keys);
        r.order = malloc((r.n_lines + 1) * sizeof *r.order);
        r.first = malloc(((size_t)r.threads + 1) * sizeof *r.first);
        if (!r.lines || !r.keys || !r.order || !r.first)
            snprintf(err, sizeof err, "out of memory reading '%s'", r.claims_path);
    }
    int rc = 2;
    if (!text || !r.lines || !r.keys || !r.order || !r.first)
        fprintf(stderr, "settle: %s\n", err);
    else if (prepare_db(&r) || on_threads(&r, find_keys) || partition(&r) || on_threads(&r, settle_lines) ||
             write_results(&r))
        fprintf(stderr, "settle: %s\n", r.fail.failed ? r.fail.msg : "out of memory");
    else {
        fprintf(stderr, "settle: %zu lines, %ld settled, %ld errors, %d threads, batch %lld in %s, %.2f s\n",
                r.n_lines, r.settled, r.errors, r.threads, (long long)r.batch, r.db_path, now_s() - t0);
        rc = r.errors ? 1 : 0;
    }
    for (size_t i = 0; r.keys && i < r.n_lines; i++)
        free(r.keys[i]);
    free(r.keys);
    free(r.order);
    free(r.first);
    free(r.lines);
    free(text);
    regula_pack_free(pk);
    pthread_mutex_destroy(&r.fail.lock);
    return rc;
}
