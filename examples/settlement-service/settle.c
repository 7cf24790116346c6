/* settle.c — an example settlement service: settles a JSON Lines claims file with a compiled pack on N threads, keeping the ledger (the year's accumulators), every settled claim and every result line in SQLite, and writes the results in input order, as `regula run` does.
 * Must reach Regula through include/regula.h alone (it links libregula, never the compiler) and must not keep the ledger in memory: a claim's records are read inside the write transaction that stores them back with its result.
 * Must settle nothing twice: a claim_id is settled once, whatever the batch, a rerun or a kill; a batch (the claims file's content) continues where it stopped; several processes may share one database. */
#define _POSIX_C_SOURCE 200809L
#include <errno.h>
#include <limits.h>
#include <pthread.h>
#include <sqlite3.h>
#include <stdarg.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <time.h>
#include <unistd.h>

#include "regula.h"

#define MAX_THREADS 256
#define MAX_SCOPES 8
#define GROUP_CLAIMS 64 /* claims of one thread per transaction, at most (and its contexts) */
#define BUSY_SECONDS 60 /* how long a transaction waits for other processes' before the run stops */

static void usage(FILE *o)
{
    fprintf(o,
            "usage: settle --db LEDGER.db [--threads N] [--resume] [-o OUT.jsonl] PACK.rgc CLAIMS.jsonl\n\n"
            "Settle every line of CLAIMS.jsonl with the compiled pack PACK.rgc (regula compile POLICIES -o\n"
            "PACK.rgc) on N threads (default 4), and write one result line per claim line, in input order,\n"
            "to OUT.jsonl (default: standard output): the lines `regula run --pack PACK.rgc` writes.\n\n"
            "The ledger lives in the SQLite database LEDGER.db (created when missing): a table per ledger\n"
            "scope of the pack (ledger_yearly: one row of accumulators per person and year). A claim is\n"
            "settled in one transaction that reads its records, writes them back, records the claim by its\n"
            "claim_id (table claims) and stores its result line (table results, by batch and line).\n\n"
            "Nothing is settled twice. A claim_id settled before, in this file or an earlier one, changes\n"
            "nothing: its line is the stored result with \"repeat_of\": {\"batch\": B, \"line\": L} added, or an\n"
            "error line when the line differs from the one settled. A batch is the content of CLAIMS.jsonl\n"
            "(its SHA-256): running the same file again, after a kill or a crash or once it is done,\n"
            "continues the batch where it stopped and writes the output of one undisturbed run.\n"
            "  --resume   the same, but refuse to start a batch: the file must have been started before\n\n"
            "Several settle processes may share LEDGER.db, also on the same file. Claims that share a ledger\n"
            "record (the same person) or a claim_id are settled in input order; the others in parallel.\n\n"
            "exit status: 0 every line settled (or a repeat), 1 some lines are error lines,\n"
            "2 usage, file, pack or database error (run again to continue)\n");
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

static double now_s(void)
{
    struct timespec ts;
    clock_gettime(CLOCK_MONOTONIC, &ts);
    return (double)ts.tv_sec + (double)ts.tv_nsec / 1e9;
}

/* ---- files and lines (a final newline opens no line) ---- */

typedef struct {
    const char *text;
    size_t len;
} line;

/* The whole file; WHAT names it in messages ("claims file", "pack"). */
static char *read_file(const char *path, const char *what, size_t *len, char *err, size_t errlen)
{
    FILE *f = fopen(path, "rb");
    if (!f) {
        snprintf(err, errlen, "cannot open %s '%s': %s", what, path, strerror(errno));
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
        snprintf(err, errlen, io ? "cannot read %s '%s'" : "out of memory reading %s '%s'", what, path);
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

/* S (N bytes, NUL allowed) as a JSON string, escaped as the library's lines are (json.dumps, ensure_ascii=False). */
static void sb_json_string(sbuf *b, const char *s, size_t n)
{
    sb_add(b, "\"");
    for (size_t k = 0; k < n; k++) {
        unsigned char ch = (unsigned char)s[k];
        const char *esc = ch == '"' ? "\\\"" : ch == '\\' ? "\\\\" : ch == '\n' ? "\\n" : ch == '\r' ? "\\r"
                        : ch == '\t' ? "\\t" : ch == '\b' ? "\\b" : ch == '\f' ? "\\f" : NULL;
        if (esc)
            sb_add(b, "%s", esc);
        else if (ch < 0x20)
            sb_add(b, "\\u%04x", ch);
        else
            sb_add(b, "%c", (char)ch);
    }
    sb_add(b, "\"");
}

/* An error line of the service's own, shaped as the library's: {"line": N, "claim_id": …, "error": …}. */
static void error_line(sbuf *b, long ln, const char *id, size_t id_len, const char *fmt, ...)
    __attribute__((format(printf, 5, 6)));
static void error_line(sbuf *b, long ln, const char *id, size_t id_len, const char *fmt, ...)
{
    char msg[1024];
    va_list ap;
    va_start(ap, fmt);
    vsnprintf(msg, sizeof msg, fmt, ap);
    va_end(ap);
    b->n = 0;
    sb_add(b, "{\"line\": %ld, ", ln);
    if (id) {
        sb_add(b, "\"claim_id\": ");
        sb_json_string(b, id, id_len);
        sb_add(b, ", ");
    }
    sb_add(b, "\"error\": ");
    sb_json_string(b, msg, strlen(msg));
    sb_add(b, "}");
}

/* ---- SHA-256 (FIPS 180-4): the identity of a batch (its file) and of a claim's line ---- */

static const uint32_t sha_k[64] = {
    0x428a2f98, 0x71374491, 0xb5c0fbcf, 0xe9b5dba5, 0x3956c25b, 0x59f111f1, 0x923f82a4, 0xab1c5ed5,
    0xd807aa98, 0x12835b01, 0x243185be, 0x550c7dc3, 0x72be5d74, 0x80deb1fe, 0x9bdc06a7, 0xc19bf174,
    0xe49b69c1, 0xefbe4786, 0x0fc19dc6, 0x240ca1cc, 0x2de92c6f, 0x4a7484aa, 0x5cb0a9dc, 0x76f988da,
    0x983e5152, 0xa831c66d, 0xb00327c8, 0xbf597fc7, 0xc6e00bf3, 0xd5a79147, 0x06ca6351, 0x14292967,
    0x27b70a85, 0x2e1b2138, 0x4d2c6dfc, 0x53380d13, 0x650a7354, 0x766a0abb, 0x81c2c92e, 0x92722c85,
    0xa2bfe8a1, 0xa81a664b, 0xc24b8b70, 0xc76c51a3, 0xd192e819, 0xd6990624, 0xf40e3585, 0x106aa070,
    0x19a4c116, 0x1e376c08, 0x2748774c, 0x34b0bcb5, 0x391c0cb3, 0x4ed8aa4a, 0x5b9cca4f, 0x682e6ff3,
    0x748f82ee, 0x78a5636f, 0x84c87814, 0x8cc70208, 0x90befffa, 0xa4506ceb, 0xbef9a3f7, 0xc67178f2};

static uint32_t ror(uint32_t x, int n) { return (x >> n) | (x << (32 - n)); }

static void sha_block(uint32_t h[8], const unsigned char *p)
{
    uint32_t w[64];
    for (int t = 0; t < 16; t++)
        w[t] = (uint32_t)p[4 * t] << 24 | (uint32_t)p[4 * t + 1] << 16 | (uint32_t)p[4 * t + 2] << 8 | p[4 * t + 3];
    for (int t = 16; t < 64; t++)
        w[t] = w[t - 16] + (ror(w[t - 15], 7) ^ ror(w[t - 15], 18) ^ (w[t - 15] >> 3)) + w[t - 7] +
               (ror(w[t - 2], 17) ^ ror(w[t - 2], 19) ^ (w[t - 2] >> 10));
    uint32_t a = h[0], b = h[1], c = h[2], d = h[3], e = h[4], f = h[5], g = h[6], hh = h[7];
    for (int t = 0; t < 64; t++) {
        uint32_t t1 = hh + (ror(e, 6) ^ ror(e, 11) ^ ror(e, 25)) + ((e & f) ^ (~e & g)) + sha_k[t] + w[t];
        uint32_t t2 = (ror(a, 2) ^ ror(a, 13) ^ ror(a, 22)) + ((a & b) ^ (a & c) ^ (b & c));
        hh = g;
        g = f;
        f = e;
        e = d + t1;
        d = c;
        c = b;
        b = a;
        a = t1 + t2;
    }
    h[0] += a;
    h[1] += b;
    h[2] += c;
    h[3] += d;
    h[4] += e;
    h[5] += f;
    h[6] += g;
    h[7] += hh;
}

static void sha256(const void *data, size_t len, unsigned char out[32])
{
    uint32_t h[8] = {0x6a09e667, 0xbb67ae85, 0x3c6ef372, 0xa54ff53a, 0x510e527f, 0x9b05688c, 0x1f83d9ab, 0x5be0cd19};
    const unsigned char *p = data;
    size_t n = len;
    for (; n >= 64; p += 64, n -= 64)
        sha_block(h, p);
    unsigned char last[128] = {0}; /* the rest, 0x80, zeros, and the length in bits, big-endian */
    memcpy(last, p, n);
    last[n] = 0x80;
    size_t tail = n + 9 <= 64 ? 64 : 128;
    for (int k = 0; k < 8; k++)
        last[tail - 1 - (size_t)k] = (unsigned char)((uint64_t)len * 8 >> (8 * k));
    sha_block(h, last);
    if (tail == 128)
        sha_block(h, last + 64);
    for (int k = 0; k < 32; k++)
        out[k] = (unsigned char)(h[k / 4] >> (24 - 8 * (k % 4)));
}

static void to_hex(const unsigned char d[32], char out[65])
{
    for (int k = 0; k < 32; k++)
        snprintf(out + 2 * k, 3, "%02x", d[k]);
}

/* ---- the run ---- */

typedef struct {
    char *id;                 /* the claim_id as SQLite reads it from the line (NUL allowed), or NULL */
    size_t id_len;
    char *problem;            /* why the line has no usable claim_id: its error line's message, or NULL */
    unsigned char digest[32]; /* SHA-256 of the line less a final CR: "the same claim" is the same claim_id
                               * and the same line */
} claim_info;

typedef struct {
    const char *db_path, *pack_path, *claims_path, *out_path;
    int threads, resume;
    const regula_pack *pack;
    unsigned n_scopes;
    int id_output; /* the pack's output claim_id (a string), checked against the service's reading; -1: none */
    char claims_sha[65], pack_sha[65];
    line *lines;
    size_t n_lines;
    char **keys;         /* per line: the ledger records it touches and its claim_id ("scope\x1fpart…\0…\0"), or NULL */
    claim_info *claims;  /* per line */
    unsigned char *done; /* per line: it had its result when this run began */
    size_t *order;       /* the lines still to settle of each thread, in input order, one thread after another */
    size_t *first;       /* threads + 1: thread t settles order[first[t] .. first[t+1]) */
    int64_t batch;
    size_t done_before;  /* lines with a result when this run began */
    pthread_mutex_t tx;  /* one write transaction at a time in this process: its threads queue here */
    struct conn *conn;   /* the process's connection for settling, used under tx: its page cache stays
                          * warm from one transaction to the next (a connection of each thread would
                          * find its cache dropped after every other thread's commit) */
    failure fail;
    long counts[4];      /* this run's lines: errors, settled, repeats, found done by another process (fail.lock) */
} run;

enum { LINE_ERROR = 0, LINE_SETTLED = 1, LINE_REPEAT = 2, LINE_BY_OTHER = 3 };

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

/* The claim_id of line i, whose claim the library has bound: SQLite's JSON reading (the library's API
 * gives no claim field), which must find exactly one top-level "claim_id", a string. -1: out of memory. */
static int read_claim_id(run *r, sqlite3 *mem, sqlite3_stmt *st, size_t i)
{
    const line *l = &r->lines[i];
    claim_info *ci = &r->claims[i];
    long ln = (long)i + 1;
    char msg[512] = "";
    int count = 0, rc = SQLITE_DONE, oom = 0;
    if (l->len > INT_MAX) {
        snprintf(msg, sizeof msg, "line %ld: %zu bytes is longer than SQLite reads (2 GB): split the claim", ln, l->len);
    } else {
        sqlite3_bind_text(st, 1, l->text, (int)l->len, SQLITE_STATIC);
        while (!oom && (rc = sqlite3_step(st)) == SQLITE_ROW)
            if (++count == 1 && strcmp((const char *)sqlite3_column_text(st, 1), "text") == 0) {
                const void *v = sqlite3_column_text(st, 0);
                ci->id_len = (size_t)sqlite3_column_bytes(st, 0);
                if ((ci->id = malloc(ci->id_len + 1)) != NULL) {
                    memcpy(ci->id, v, ci->id_len);
                    ci->id[ci->id_len] = '\0';
                }
                oom = !ci->id;
            }
        if (oom || rc == SQLITE_NOMEM)
            oom = 1;
        else if (rc != SQLITE_DONE)
            snprintf(msg, sizeof msg, "line %ld: the service cannot read the claim's claim_id (SQLite: %s): check the "
                     "line's JSON", ln, sqlite3_errmsg(mem));
        else if (count == 0)
            snprintf(msg, sizeof msg, "line %ld: no claim_id: this service settles each claim once, by its claim_id (a "
                     "string at the top of the claim): give the claim one", ln);
        else if (count > 1)
            snprintf(msg, sizeof msg, "line %ld: claim_id is given %d times: give it once (readers of the claim may each "
                     "take another one)", ln, count);
        else if (!ci->id)
            snprintf(msg, sizeof msg, "line %ld: claim_id is not a string: give it as one (\"claim_id\": \"C1\")", ln);
        sqlite3_reset(st);
        sqlite3_clear_bindings(st);
    }
    if (msg[0] || oom) {
        free(ci->id);
        ci->id = NULL;
    }
    if (msg[0] && !(ci->problem = strdup(msg)))
        oom = 1;
    return oom ? -1 : 0;
}

/* Phase 1, on every thread, for the lines still to settle: each line's digest, and, for a claim that
 * binds, its claim_id and the ledger records it touches. A claim that does not bind touches none: it
 * becomes an error line wherever it runs. */
static void *find_keys(void *arg)
{
    worker *w = arg;
    run *r = w->r;
    regula_ctx *ctx = NULL;
    sqlite3 *mem = NULL;
    sqlite3_stmt *ids = NULL;
    if (regula_ctx_new(r->pack, &ctx) != REGULA_OK) {
        fail(&r->fail, "out of memory creating a context");
        return NULL;
    }
    if (sqlite3_open(":memory:", &mem) != SQLITE_OK ||
        sqlite3_prepare_v2(mem, "SELECT value, type FROM json_each(?1) WHERE key = 'claim_id'", -1, &ids, NULL) != SQLITE_OK)
        fail(&r->fail, "SQLite %s cannot read JSON (%s): settle needs SQLite's JSON functions (3.38 or later, or built "
             "with them)", sqlite3_libversion(), mem ? sqlite3_errmsg(mem) : "out of memory");
    sbuf b = {0};
    for (size_t i = (size_t)w->id; ids && i < r->n_lines && !has_failed(&r->fail); i += (size_t)r->threads) {
        if (r->done[i])
            continue;
        size_t len = r->lines[i].len; /* a final CR is the file's line ending, not the claim's */
        sha256(r->lines[i].text, len && r->lines[i].text[len - 1] == '\r' ? len - 1 : len, r->claims[i].digest);
        if (regula_claim_json(ctx, r->lines[i].text, r->lines[i].len, (long)i + 1) != REGULA_OK)
            continue;
        b.n = 0;
        int ok = 1;
        for (unsigned s = 0; s < r->n_scopes && ok; s++)
            ok = key_text(ctx, r->pack, s, &b) == 0;
        if (!ok && !b.failed) {
            fail(&r->fail, "line %zu of '%s': reading its ledger key: %s", i + 1, r->claims_path, regula_errmsg(ctx));
            break;
        }
        if (read_claim_id(r, mem, ids, i) < 0) {
            fail(&r->fail, "out of memory reading the claim_id of line %zu", i + 1);
            break;
        }
        if (r->claims[i].id) { /* a claim_id is a record too: its lines are settled by one thread, in input order */
            unsigned char h[32];
            char hex[65];
            sha256(r->claims[i].id, r->claims[i].id_len, h);
            to_hex(h, hex);
            sb_add(&b, "c%s%c", hex, 0);
        }
        sb_add(&b, "%c", 0); /* the list ends with an empty key */
        if (b.failed || !(r->keys[i] = malloc(b.n))) {
            fail(&r->fail, "out of memory partitioning the claims");
            break;
        }
        memcpy(r->keys[i], b.text, b.n);
    }
    free(b.text);
    sqlite3_finalize(ids);
    sqlite3_close(mem);
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


/* Only the lines still to settle take part: a line done before this run began is not settled again. */
static int partition(run *r)
{
    size_t n = r->n_lines, cap = 16;
    while (cap < 2 * (n * (r->n_scopes + 1) + 1))
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
        if (!r->done[i])
            size[find_root(up, i)]++;
    group *groups = ok ? malloc((n + 1) * sizeof *groups) : NULL;
    size_t n_groups = 0;
    ok = ok && groups;
    for (size_t i = 0; ok && i < n; i++)
        if (up[i] == i && size[i])
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
        for (size_t i = 0; i < n; i++)
            if (!r->done[i]) {
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

/* Waiting for another process's transaction (a few milliseconds): tries every 50 to 500 µs, jittered, so
 * as to take the lock in the gap its holder leaves between two transactions; BUSY_SECONDS in all.
 * (SQLite's own busy timeout sleeps up to 100 ms at a time, and would rarely find the gap.) */
static _Thread_local double busy_since;
static _Thread_local unsigned busy_seed;

static int on_busy(void *arg, int count)
{
    (void)arg;
    double now = now_s();
    if (count == 0)
        busy_since = now;
    if (now - busy_since > BUSY_SECONDS)
        return 0;
    if (!busy_seed)
        busy_seed = (unsigned)getpid() * 2654435761u ^ (unsigned)(uintptr_t)&busy_seed;
    busy_seed = busy_seed * 1103515245u + 12345u;
    long us = (count < 4 ? 50L << count : 400L) + (long)((busy_seed >> 16) % 100);
    struct timespec ts = {0, us * 1000};
    nanosleep(&ts, NULL);
    return 1;
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
    sqlite3_busy_handler(db, on_busy, NULL);
    sqlite3_exec(db, "PRAGMA cache_size = -65536", NULL, NULL, NULL); /* 64 MB: the records and indexes in use */
    /* a connection's own setting: with WAL, NORMAL makes a commit durable at the next checkpoint, not with
     * an fdatasync of its own; a kill loses no committed claim, a power cut only the last ones, whole */
    sqlite3_exec(db, "PRAGMA synchronous = NORMAL", NULL, NULL, NULL);
    return db;
}

static const char *busy_hint(int rc)
{
    return rc == SQLITE_BUSY ? " (another process held the database for over a minute: run again, nothing is settled "
                               "twice)"
                             : "";
}

static int exec_sql(run *r, sqlite3 *db, const char *sql)
{
    char *msg = NULL;
    int rc = sqlite3_exec(db, sql, NULL, NULL, &msg);
    if (rc == SQLITE_OK)
        return 0;
    fail(&r->fail, "ledger database '%s': %s (in: %.200s)%s", r->db_path, msg ? msg : sqlite3_errmsg(db), sql,
         busy_hint(rc));
    sqlite3_free(msg);
    return -1;
}

/* The tables (created when missing), and the batch of this claims file: found by its digest, or started. */
static const char *const schema =
    "CREATE TABLE IF NOT EXISTS batches (id INTEGER PRIMARY KEY, digest TEXT NOT NULL UNIQUE, "
    "pack_digest TEXT NOT NULL, lines INTEGER NOT NULL, pack TEXT NOT NULL, claims TEXT NOT NULL, "
    "started TEXT NOT NULL DEFAULT (datetime('now')), finished TEXT);"
    "CREATE TABLE IF NOT EXISTS results (batch INTEGER NOT NULL REFERENCES batches(id), line INTEGER NOT NULL, "
    "settled INTEGER NOT NULL, result TEXT NOT NULL, PRIMARY KEY (batch, line));"
    "CREATE TABLE IF NOT EXISTS claims (claim_id TEXT PRIMARY KEY, digest BLOB NOT NULL, "
    "batch INTEGER NOT NULL REFERENCES batches(id), line INTEGER NOT NULL);";

static int find_batch(run *r, sqlite3 *db)
{
    sqlite3_stmt *st = NULL, *probe = NULL;
    int layout = sqlite3_prepare_v2(db, "SELECT digest, batch, line FROM claims LIMIT 0", -1, &probe, NULL);
    sqlite3_finalize(probe);
    if (layout != SQLITE_OK ||
        sqlite3_prepare_v2(db, "SELECT id, pack_digest, lines FROM batches WHERE digest = ?1", -1, &st, NULL) != SQLITE_OK) {
        fail(&r->fail, "ledger database '%s' was written by an earlier settle that kept no record of settled claims "
             "(%s): its claims could be settled twice; settle into a new --db", r->db_path, sqlite3_errmsg(db));
        sqlite3_finalize(st);
        return -1;
    }
    sqlite3_bind_text(st, 1, r->claims_sha, -1, SQLITE_STATIC);
    int rc = sqlite3_step(st), ret = 0;
    if (rc == SQLITE_ROW) {
        r->batch = sqlite3_column_int64(st, 0);
        const char *pack = (const char *)sqlite3_column_text(st, 1);
        if (strcmp(pack, r->pack_sha) != 0) {
            fail(&r->fail, "claims file '%s' is batch %lld of '%s', begun with another pack (SHA-256 %.16s…, not %.16s… "
                 "of '%s'): run it with that pack to finish it (its settled claims keep their results), or settle "
                 "into a new --db", r->claims_path, (long long)r->batch, r->db_path, pack, r->pack_sha, r->pack_path);
            ret = -1;
        } else if (sqlite3_column_int64(st, 2) != (sqlite3_int64)r->n_lines) {
            fail(&r->fail, "ledger database '%s': batch %lld records %lld lines, but claims file '%s' with its digest "
                 "has %zu: the database was changed by hand; settle into a new --db", r->db_path, (long long)r->batch,
                 (long long)sqlite3_column_int64(st, 2), r->claims_path, r->n_lines);
            ret = -1;
        }
    } else if (rc == SQLITE_DONE && r->resume) {
        fail(&r->fail, "--resume: ledger database '%s' holds no batch of claims file '%s' (SHA-256 %.16s…): it was "
             "never started there; run without --resume to start it", r->db_path, r->claims_path, r->claims_sha);
        ret = -1;
    } else if (rc == SQLITE_DONE) {
        sqlite3_finalize(st);
        st = NULL;
        if (sqlite3_prepare_v2(db, "INSERT INTO batches (digest, pack_digest, lines, pack, claims) VALUES (?1, ?2, ?3, ?4, ?5)",
                               -1, &st, NULL) == SQLITE_OK) {
            sqlite3_bind_text(st, 1, r->claims_sha, -1, SQLITE_STATIC);
            sqlite3_bind_text(st, 2, r->pack_sha, -1, SQLITE_STATIC);
            sqlite3_bind_int64(st, 3, (sqlite3_int64)r->n_lines);
            sqlite3_bind_text(st, 4, r->pack_path, -1, SQLITE_STATIC);
            sqlite3_bind_text(st, 5, r->claims_path, -1, SQLITE_STATIC);
            rc = sqlite3_step(st);
        }
        if (rc == SQLITE_DONE)
            r->batch = sqlite3_last_insert_rowid(db);
        else
            ret = -1;
    } else {
        ret = -1;
    }
    if (ret && !has_failed(&r->fail))
        fail(&r->fail, "ledger database '%s': finding the batch of '%s': %s%s", r->db_path, r->claims_path,
             sqlite3_errmsg(db), busy_hint(rc));
    sqlite3_finalize(st);
    return ret;
}

/* Which lines of the batch have their result already. */
static int find_done(run *r, sqlite3 *db)
{
    sqlite3_stmt *st = NULL;
    int rc = sqlite3_prepare_v2(db, "SELECT line FROM results WHERE batch = ?1", -1, &st, NULL);
    if (rc == SQLITE_OK) {
        sqlite3_bind_int64(st, 1, r->batch);
        while ((rc = sqlite3_step(st)) == SQLITE_ROW) {
            sqlite3_int64 ln = sqlite3_column_int64(st, 0);
            if (ln >= 1 && ln <= (sqlite3_int64)r->n_lines && !r->done[ln - 1]) {
                r->done[ln - 1] = 1;
                r->done_before++;
            }
        }
    }
    if (rc != SQLITE_DONE)
        fail(&r->fail, "ledger database '%s': reading the progress of batch %lld: %s", r->db_path, (long long)r->batch,
             sqlite3_errmsg(db));
    sqlite3_finalize(st);
    return rc == SQLITE_DONE ? 0 : -1;
}

static int prepare_db(run *r)
{
    sqlite3 *db = open_db(r);
    if (!db)
        return -1;
    /* WAL: readers do not wait for the writer. Switching a new database to it can be refused at once, without
     * the busy handler, while another process makes the switch or reads the file: waited for here */
    int rc, busy = 0;
    while ((rc = sqlite3_exec(db, "PRAGMA journal_mode = WAL", NULL, NULL, NULL)) == SQLITE_BUSY &&
           on_busy(NULL, busy++))
        ;
    if (rc != SQLITE_OK)
        rc = exec_sql(r, db, "PRAGMA journal_mode = WAL"); /* again, to say why */
    rc = rc || exec_sql(r, db, "BEGIN IMMEDIATE") || exec_sql(r, db, schema);
    for (unsigned s = 0; rc == 0 && s < r->n_scopes; s++) {
        char *sql = scope_sql(r->pack, s, SQL_CREATE);
        rc = sql ? exec_sql(r, db, sql) : -1;
        free(sql);
    }
    rc = rc || find_batch(r, db) || exec_sql(r, db, "COMMIT") || find_done(r, db);
    if (rc && !has_failed(&r->fail))
        fail(&r->fail, "ledger database '%s': %s", r->db_path, sqlite3_errmsg(db));
    if (!sqlite3_get_autocommit(db))
        sqlite3_exec(db, "ROLLBACK", NULL, NULL, NULL);
    sqlite3_close(db);
    return rc ? -1 : 0;
}

/* The connection that settles, and its statements. */
typedef struct conn {
    sqlite3 *db;
    sqlite3_stmt *select[MAX_SCOPES], *update[MAX_SCOPES], *insert[MAX_SCOPES];
    sqlite3_stmt *begin, *commit, *rollback;
    sqlite3_stmt *line_done, *claim_get, *claim_put, *stored, *result;
} conn;

static void conn_close(conn *c)
{
    for (unsigned s = 0; s < MAX_SCOPES; s++) {
        sqlite3_finalize(c->select[s]);
        sqlite3_finalize(c->update[s]);
        sqlite3_finalize(c->insert[s]);
    }
    sqlite3_stmt *all[] = {c->begin, c->commit, c->rollback, c->line_done, c->claim_get, c->claim_put, c->stored, c->result};
    for (size_t k = 0; k < sizeof all / sizeof *all; k++)
        sqlite3_finalize(all[k]);
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
             prepare(r, c, &c->line_done, "SELECT 1 FROM results WHERE batch = ?1 AND line = ?2") ||
             prepare(r, c, &c->claim_get, "SELECT digest, batch, line FROM claims WHERE claim_id = ?1") ||
             prepare(r, c, &c->claim_put, "INSERT INTO claims (claim_id, digest, batch, line) VALUES (?1, ?2, ?3, ?4)") ||
             prepare(r, c, &c->stored, "SELECT result FROM results WHERE batch = ?1 AND line = ?2 AND settled = 1") ||
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

static int db_fail(run *r, conn *c, int rc, const char *what, size_t i)
{
    fail(&r->fail, "ledger database '%s': %s at line %zu of '%s': %s%s", r->db_path, what, i + 1, r->claims_path,
         sqlite3_errmsg(c->db), busy_hint(rc));
    return -1;
}

static int step_done(run *r, conn *c, sqlite3_stmt *st, const char *what, size_t i)
{
    int rc = sqlite3_step(st);
    sqlite3_reset(st);
    if (rc == SQLITE_DONE || rc == SQLITE_ROW)
        return 0;
    return db_fail(r, c, rc, what, i);
}

/* Give the context every scope's record for the bound claim, from SQLite (inside the write transaction). */
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
            db_fail(r, c, rc, "reading the ledger", i);
            *db_error = 1;
        }
        sqlite3_reset(st);
        if (*db_error || rs != REGULA_OK)
            return rs;
    }
    return REGULA_OK;
}

/* After a settled claim: every scope's new record. */
static int store_ledger(run *r, conn *c, regula_ctx *ctx, size_t i)
{
    int rc = 0;
    for (unsigned s = 0; rc == 0 && s < r->n_scopes; s++) {
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
    return rc;
}

/* The result line stored for the claim settled at line L of batch B, with "repeat_of" added. */
static int repeat_line(run *r, conn *c, int64_t b, int64_t l, sbuf *own, size_t i)
{
    sqlite3_bind_int64(c->stored, 1, b);
    sqlite3_bind_int64(c->stored, 2, l);
    int rc = sqlite3_step(c->stored);
    int n = rc == SQLITE_ROW ? sqlite3_column_bytes(c->stored, 0) : 0;
    const char *text = rc == SQLITE_ROW ? (const char *)sqlite3_column_text(c->stored, 0) : NULL;
    if (text && n > 0 && text[n - 1] == '}') {
        own->n = 0;
        sb_add(own, "%.*s, \"repeat_of\": {\"batch\": %lld, \"line\": %lld}}", n - 1, text, (long long)b, (long long)l);
    }
    sqlite3_reset(c->stored);
    if (own->n)
        return 0;
    if (rc != SQLITE_ROW && rc != SQLITE_DONE)
        return db_fail(r, c, rc, "reading a stored result", i);
    fail(&r->fail, "ledger database '%s': the claim of line %zu of '%s' is recorded as settled at batch %lld line %lld, "
         "which has no settled result: the database was changed by hand; restore it, or settle into a new --db",
         r->db_path, i + 1, r->claims_path, (long long)b, (long long)l);
    return -1;
}

/* The service's claim_id must be the pack's (a JSON reader may take another of two spellings). */
static int id_differs(run *r, regula_ctx *ctx, const claim_info *ci, sbuf *own, long ln)
{
    regula_value v;
    if (r->id_output < 0 || regula_result(ctx, (unsigned)r->id_output, &v) != REGULA_OK || !v.present || !v.s ||
        (strlen(v.s) == ci->id_len && memcmp(v.s, ci->id, ci->id_len) == 0))
        return 0;
    error_line(own, ln, ci->id, ci->id_len,
               "line %ld: the pack reads claim_id as '%s', the service as '%s': write claim_id once, without escapes",
               ln, v.s, ci->id);
    return 1;
}

/* Line i, its claim bound in CTX with status ST, inside the thread's write transaction: settled, a
 * repeat, or an error line, stored with its result. -1 on a database failure (then rolled back). */
static int settle_one(run *r, conn *c, regula_ctx *ctx, regula_status st, size_t i, sbuf *own, long counts[4])
{
    long ln = (long)i + 1;
    const claim_info *ci = &r->claims[i];
    sqlite3_bind_int64(c->line_done, 1, r->batch);
    sqlite3_bind_int64(c->line_done, 2, ln);
    int rc = sqlite3_step(c->line_done);
    sqlite3_reset(c->line_done);
    if (rc == SQLITE_ROW) { /* another process on the same batch settled it */
        counts[LINE_BY_OTHER]++;
        return 0;
    }
    if (rc != SQLITE_DONE)
        return db_fail(r, c, rc, "reading the batch's progress", i);
    own->n = 0;
    const char *json = NULL;
    int kind = LINE_ERROR;
    if (st != REGULA_OK) {
        json = regula_result_json(ctx);
    } else if (ci->problem) {
        error_line(own, ln, NULL, 0, "%s", ci->problem);
    } else {
        sqlite3_bind_text(c->claim_get, 1, ci->id, (int)ci->id_len, SQLITE_STATIC);
        rc = sqlite3_step(c->claim_get);
        if (rc == SQLITE_ROW) { /* settled before: the same line gets its result, another line an error */
            int same = sqlite3_column_bytes(c->claim_get, 0) == 32 &&
                       memcmp(sqlite3_column_blob(c->claim_get, 0), ci->digest, 32) == 0;
            int64_t b = sqlite3_column_int64(c->claim_get, 1), l = sqlite3_column_int64(c->claim_get, 2);
            sqlite3_reset(c->claim_get);
            if (same && repeat_line(r, c, b, l, own, i))
                return -1;
            if (same)
                kind = LINE_REPEAT;
            else
                error_line(own, ln, ci->id, ci->id_len,
                           "line %ld: claim_id '%s' was settled before from a different line (batch %lld, line %lld): "
                           "this line is not settled and changes nothing; settle a correction under a new claim_id, "
                           "or send the claim as it was to get its result",
                           ln, ci->id, (long long)b, (long long)l);
        } else if (rc == SQLITE_DONE) {
            sqlite3_reset(c->claim_get);
            int db_error = 0;
            st = load_ledger(r, c, ctx, i, &db_error);
            if (db_error)
                return -1;
            if (st == REGULA_OK)
                st = regula_settle(ctx);
            if (st == REGULA_OK && !id_differs(r, ctx, ci, own, ln)) {
                if (store_ledger(r, c, ctx, i))
                    return -1;
                sqlite3_bind_text(c->claim_put, 1, ci->id, (int)ci->id_len, SQLITE_STATIC);
                sqlite3_bind_blob(c->claim_put, 2, ci->digest, 32, SQLITE_STATIC);
                sqlite3_bind_int64(c->claim_put, 3, r->batch);
                sqlite3_bind_int64(c->claim_put, 4, ln);
                if (step_done(r, c, c->claim_put, "recording the claim", i))
                    return -1;
                kind = LINE_SETTLED;
            }
            if (!own->n)
                json = regula_result_json(ctx); /* the result, or the claim's error line */
        } else {
            sqlite3_reset(c->claim_get);
            return db_fail(r, c, rc, "looking the claim up", i);
        }
    }
    if (own->n)
        json = own->text;
    if (own->failed || !json) {
        fail(&r->fail, "line %zu of '%s': %s", i + 1, r->claims_path, own->failed ? "out of memory" : regula_errmsg(ctx));
        return -1;
    }
    sqlite3_bind_int64(c->result, 1, r->batch);
    sqlite3_bind_int64(c->result, 2, ln);
    sqlite3_bind_int(c->result, 3, kind);
    sqlite3_bind_text(c->result, 4, json, -1, SQLITE_TRANSIENT);
    if (step_done(r, c, c->result, "storing the result", i))
        return -1;
    counts[kind]++;
    return 0;
}

/* Phase 3, on every thread: its lines in input order, GROUP_CLAIMS at a time: bound (the JSON read, the
 * costly part) outside the lock, one context each, then settled in one transaction. Every record is read
 * inside it (BEGIN IMMEDIATE holds the database's write lock), so a second process on the same database
 * waits instead of settling on the same accumulators; the binding between two transactions leaves it
 * the lock. */
static void *settle_lines(void *arg)
{
    worker *w = arg;
    run *r = w->r;
    conn *c = r->conn;
    regula_ctx *ctx[GROUP_CLAIMS] = {0};
    regula_status bound[GROUP_CLAIMS];
    long counts[4] = {0};
    sbuf own = {0};
    size_t k = r->first[w->id], end = r->first[w->id + 1];
    while (k < end && !has_failed(&r->fail)) {
        size_t m = 0;
        for (; m < GROUP_CLAIMS && k + m < end; m++) {
            const line *l = &r->lines[r->order[k + m]];
            if (!ctx[m] && regula_ctx_new(r->pack, &ctx[m]) != REGULA_OK) {
                fail(&r->fail, "out of memory creating a context");
                break;
            }
            bound[m] = regula_claim_json(ctx[m], l->text, l->len, (long)r->order[k + m] + 1);
        }
        if (m == 0 || has_failed(&r->fail))
            break;
        long now[4] = {0};
        pthread_mutex_lock(&r->tx);
        int rc = step_done(r, c, c->begin, "beginning a transaction", r->order[k]);
        for (size_t j = 0; rc == 0 && j < m; j++)
            rc = settle_one(r, c, ctx[j], bound[j], r->order[k + j], &own, now);
        if (rc == 0)
            rc = step_done(r, c, c->commit, "committing", r->order[k + m - 1]);
        if (rc != 0 && !sqlite3_get_autocommit(c->db)) {
            sqlite3_step(c->rollback);
            sqlite3_reset(c->rollback);
        }
        pthread_mutex_unlock(&r->tx);
        if (rc != 0)
            break;
        k += m;
        for (int j = 0; j < 4; j++)
            counts[j] += now[j];
    }
    free(own.text);
    for (size_t j = 0; j < GROUP_CLAIMS; j++)
        regula_ctx_free(ctx[j]);
    pthread_mutex_lock(&r->fail.lock);
    for (int j = 0; j < 4; j++)
        r->counts[j] += counts[j];
    pthread_mutex_unlock(&r->fail.lock);
    return NULL;
}

static int on_threads(run *r, void *(*fn)(void *));

/* Phase 3 on every thread, with the process's one connection. */
static int settle_all(run *r)
{
    conn c;
    int rc = conn_open(r, &c);
    r->conn = &c;
    rc = rc || on_threads(r, settle_lines);
    r->conn = NULL;
    conn_close(&c);
    return rc;
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

/* The batch's totals (each line counted once, whichever run or process settled it); the batch is then
 * marked finished in a commit with synchronous = FULL, whose fsync of the WAL makes every earlier commit
 * durable before any output is written. */
static int finish_batch(run *r, long totals[3])
{
    sqlite3 *db = open_db(r);
    if (!db)
        return -1;
    sqlite3_stmt *st = NULL, *up = NULL;
    long n = 0;
    int rc = sqlite3_exec(db, "PRAGMA synchronous = FULL; BEGIN IMMEDIATE", NULL, NULL, NULL);
    if (rc == SQLITE_OK)
        rc = sqlite3_prepare_v2(db, "SELECT settled, count(*) FROM results WHERE batch = ?1 GROUP BY settled", -1, &st, NULL);
    if (rc == SQLITE_OK) {
        sqlite3_bind_int64(st, 1, r->batch);
        while ((rc = sqlite3_step(st)) == SQLITE_ROW) {
            int kind = sqlite3_column_int(st, 0);
            long count = (long)sqlite3_column_int64(st, 1);
            if (kind >= LINE_ERROR && kind <= LINE_REPEAT)
                totals[kind] = count;
            n += count;
        }
        rc = rc == SQLITE_DONE ? SQLITE_OK : rc;
    }
    if (rc == SQLITE_OK)
        rc = sqlite3_prepare_v2(db, "UPDATE batches SET finished = datetime('now') WHERE id = ?1 AND finished IS NULL",
                                -1, &up, NULL);
    if (rc == SQLITE_OK && n == (long)r->n_lines) {
        sqlite3_bind_int64(up, 1, r->batch);
        rc = sqlite3_step(up) == SQLITE_DONE ? SQLITE_OK : sqlite3_errcode(db);
    }
    if (rc == SQLITE_OK)
        rc = sqlite3_exec(db, "COMMIT", NULL, NULL, NULL);
    if (rc != SQLITE_OK)
        fail(&r->fail, "ledger database '%s': finishing batch %lld: %s%s", r->db_path, (long long)r->batch,
             sqlite3_errmsg(db), busy_hint(rc));
    else if (n != (long)r->n_lines)
        fail(&r->fail, "ledger database '%s': batch %lld holds %ld of its %zu results after the run: run again to "
             "settle the rest", r->db_path, (long long)r->batch, n, r->n_lines);
    sqlite3_finalize(st);
    sqlite3_finalize(up);
    if (!sqlite3_get_autocommit(db))
        sqlite3_exec(db, "ROLLBACK", NULL, NULL, NULL);
    sqlite3_close(db);
    return has_failed(&r->fail) ? -1 : 0;
}

/* The batch's results from the database, in input order. A regular OUT.jsonl (or a new one) is written
 * through a new file renamed over it, so that a run stopped while writing leaves no half output; anything
 * else (a device such as /dev/null, a pipe, a symbolic link) is written in place. */
static int write_results(run *r)
{
    sqlite3 *db = open_db(r);
    if (!db)
        return -1;
    FILE *out = stdout;
    char *tmp = NULL;
    struct stat sb;
    int in_place = r->out_path && lstat(r->out_path, &sb) == 0 && !S_ISREG(sb.st_mode);
    if (in_place && !(out = fopen(r->out_path, "w"))) {
        fail(&r->fail, "cannot write '%s': %s", r->out_path, strerror(errno));
        sqlite3_close(db);
        return -1;
    }
    if (r->out_path && !in_place) {
        size_t len = strlen(r->out_path) + 16;
        int fd = -1;
        if ((tmp = malloc(len)) != NULL) {
            snprintf(tmp, len, "%s.XXXXXX", r->out_path);
            fd = mkstemp(tmp);
        }
        mode_t mask = umask(0);
        umask(mask);
        if (fd < 0 || fchmod(fd, 0666 & ~mask) != 0 || !(out = fdopen(fd, "w"))) {
            fail(&r->fail, "cannot write '%s' (through %s): %s: check the directory exists and is writable", r->out_path,
                 tmp ? tmp : "a new file", strerror(errno));
            if (fd >= 0) {
                close(fd);
                unlink(tmp);
            }
            free(tmp);
            sqlite3_close(db);
            return -1;
        }
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
        fail(&r->fail, "cannot write '%s': %s", r->out_path ? r->out_path : "standard output", strerror(errno));
    if (tmp && !has_failed(&r->fail) && rename(tmp, r->out_path) != 0)
        fail(&r->fail, "cannot rename '%s' to '%s': %s", tmp, r->out_path, strerror(errno));
    if (tmp && has_failed(&r->fail))
        unlink(tmp);
    free(tmp);
    return has_failed(&r->fail) ? -1 : 0;
}

int main(int argc, char **argv)
{
    run r = {.threads = 4};
    pthread_mutex_init(&r.fail.lock, NULL);
    pthread_mutex_init(&r.tx, NULL);
    for (int i = 1; i < argc; i++) {
        const char *a = argv[i];
        if (strcmp(a, "--help") == 0 || strcmp(a, "-h") == 0) {
            usage(stdout);
            return 0;
        } else if (strcmp(a, "--resume") == 0) {
            r.resume = 1;
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
    char err[1024], why[768];
    unsigned char digest[32];
    regula_pack *pk = NULL;
    size_t pack_len = 0, len = 0;
    char *image = read_file(r.pack_path, "pack", &pack_len, err, sizeof err);
    if (!image) {
        fprintf(stderr, "settle: %s\n", err);
        return 2;
    }
    sha256(image, pack_len, digest); /* the pack a batch is settled with is the one it is finished with */
    to_hex(digest, r.pack_sha);
    regula_status ps = regula_pack_load(image, pack_len, NULL, &pk, why, sizeof why);
    free(image);
    if (ps != REGULA_OK) {
        fprintf(stderr, "settle: %s: %s\n", r.pack_path, why);
        return 2;
    }
    r.pack = pk;
    r.n_scopes = regula_ledger_scope_count(pk);
    r.id_output = regula_output_index(pk, "claim_id");
    if (r.id_output >= 0 && regula_output_type(pk, (unsigned)r.id_output) != REGULA_T_STRING)
        r.id_output = -1;
    char *text = r.n_scopes <= MAX_SCOPES ? read_file(r.claims_path, "claims file", &len, err, sizeof err) : NULL;
    if (r.n_scopes > MAX_SCOPES)
        snprintf(err, sizeof err, "pack '%s' has %u ledger scopes; this service keeps at most %d", r.pack_path,
                 r.n_scopes, MAX_SCOPES);
    if (text) {
        sha256(text, len, digest); /* the batch: what sha256sum CLAIMS.jsonl prints */
        to_hex(digest, r.claims_sha);
        r.lines = split_lines(text, len, &r.n_lines);
        r.keys = calloc(r.n_lines + 1, sizeof *r.keys);
        r.claims = calloc(r.n_lines + 1, sizeof *r.claims);
        r.done = calloc(r.n_lines + 1, 1);
        r.order = malloc((r.n_lines + 1) * sizeof *r.order);
        r.first = malloc(((size_t)r.threads + 1) * sizeof *r.first);
        if (!r.lines || !r.keys || !r.claims || !r.done || !r.order || !r.first)
            snprintf(err, sizeof err, "out of memory reading '%s'", r.claims_path);
    }
    long totals[3] = {0};
    int rc = 2;
    if (!text || !r.lines || !r.keys || !r.claims || !r.done || !r.order || !r.first)
        fprintf(stderr, "settle: %s\n", err);
    else if (prepare_db(&r) || on_threads(&r, find_keys) || partition(&r) || settle_all(&r) ||
             finish_batch(&r, totals) || write_results(&r))
        fprintf(stderr, "settle: %s\n", r.fail.failed ? r.fail.msg : "out of memory");
    else {
        fprintf(stderr,
                "settle: batch %lld in %s: %zu lines, %ld settled, %ld repeated claims, %ld errors; this run: %ld "
                "settled, %ld repeats, %ld errors (%zu lines were done before it, %ld by another process), %d "
                "threads, %.2f s\n",
                (long long)r.batch, r.db_path, r.n_lines, totals[LINE_SETTLED], totals[LINE_REPEAT],
                totals[LINE_ERROR], r.counts[LINE_SETTLED], r.counts[LINE_REPEAT], r.counts[LINE_ERROR],
                r.done_before, r.counts[LINE_BY_OTHER], r.threads, now_s() - t0);
        rc = totals[LINE_ERROR] ? 1 : 0;
    }
    for (size_t i = 0; r.keys && i < r.n_lines; i++)
        free(r.keys[i]);
    for (size_t i = 0; r.claims && i < r.n_lines; i++) {
        free(r.claims[i].id);
        free(r.claims[i].problem);
    }
    free(r.keys);
    free(r.claims);
    free(r.done);
    free(r.order);
    free(r.first);
    free(r.lines);
    free(text);
    regula_pack_free(pk);
    pthread_mutex_destroy(&r.tx);
    pthread_mutex_destroy(&r.fail.lock);
    return rc;
}
