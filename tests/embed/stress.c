/* stress.c — one loaded pack shared by many threads, each with its own context and ledger, settling the same claims round after round and comparing every line with `regula run`; built with -fsanitize=thread by `make embed`.
 * Must not share anything between threads but the pack (read-only) and the expected lines: a race TSan reports here is a race in the library. */
#define _POSIX_C_SOURCE 200809L
#include <pthread.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "regula.h"

typedef struct {
    char **v;
    size_t n;
} lines;

static lines read_lines(const char *path)
{
    FILE *f = fopen(path, "rb");
    if (!f) {
        perror(path);
        exit(2);
    }
    lines l = {0};
    size_t cap = 0, n = 0;
    char *line = NULL;
    ssize_t got;
    while ((got = getline(&line, &n, f)) >= 0) {
        if (got && line[got - 1] == '\n')
            line[--got] = '\0';
        if (l.n == cap) {
            cap = cap ? cap * 2 : 128;
            l.v = realloc(l.v, cap * sizeof *l.v);
        }
        l.v[l.n++] = strdup(line);
    }
    free(line);
    fclose(f);
    return l;
}

static const regula_pack *pack;
static lines claims, expected, expected_explain;
static int rounds;

/* A thread's own ledger when it keeps one itself: records by key text. */
typedef struct {
    char key[128];
    int64_t vals[16];
} record;

typedef struct {
    record *r;
    size_t n, cap;
} store;

static record *lookup(store *st, const char *key, int create)
{
    for (size_t i = 0; i < st->n; i++)
        if (strcmp(st->r[i].key, key) == 0)
            return &st->r[i];
    if (!create)
        return NULL;
    if (st->n == st->cap) {
        st->cap = st->cap ? st->cap * 2 : 64;
        st->r = realloc(st->r, st->cap * sizeof *st->r);
    }
    record *r = &st->r[st->n++];
    memset(r, 0, sizeof *r);
    snprintf(r->key, sizeof r->key, "%.127s", key);
    return r;
}

static void scope_key(regula_ctx *ctx, unsigned s, char *buf, size_t cap)
{
    size_t used = (size_t)snprintf(buf, cap, "%u", s);
    for (unsigned k = 0; k < regula_ledger_key_count(pack, s); k++) {
        regula_value v;
        regula_ledger_key(ctx, s, k, &v);
        used += v.type == REGULA_T_STRING ? (size_t)snprintf(buf + used, cap - used, "\x1f%s", v.s)
                                          : (size_t)snprintf(buf + used, cap - used, "\x1f%lld", (long long)v.i);
    }
}

/* One claim, the ledger given from and stored back into the thread's store. */
static regula_status settle_with_store(regula_ctx *ctx, store *st)
{
    unsigned ns = regula_ledger_scope_count(pack);
    char keys[8][128];
    for (unsigned s = 0; s < ns; s++) {
        scope_key(ctx, s, keys[s], sizeof keys[s]);
        record *r = lookup(st, keys[s], 0);
        regula_status rs = REGULA_OK;
        if (!r)
            rs = regula_ledger_none(ctx, s);
        for (unsigned f = 0; r && f < regula_ledger_field_count(pack, s) && rs == REGULA_OK; f++)
            rs = regula_ledger_set(ctx, s, f, r->vals[f]);
        if (rs != REGULA_OK)
            return rs;
    }
    regula_status rs = regula_settle(ctx);
    for (unsigned s = 0; rs == REGULA_OK && s < ns; s++) {
        record *r = lookup(st, keys[s], 1);
        for (unsigned f = 0; f < regula_ledger_field_count(pack, s); f++)
            regula_ledger_get(ctx, s, f, &r->vals[f]);
    }
    return rs;
}

typedef struct {
    int id;
    long settled, mismatches;
} worker;

static void *run(void *arg)
{
    worker *w = arg;
    regula_ctx *ctx;
    if (regula_ctx_new(pack, &ctx) != REGULA_OK) {
        w->mismatches++;
        return NULL;
    }
    /* even threads keep their ledger in a regula_ledger, odd ones themselves;
     * every fourth thread explains (when the explained lines were given) */
    int own = w->id % 2, explain = w->id % 4 == 3 && expected_explain.n;
    const lines *want = explain ? &expected_explain : &expected;
    regula_ctx_set_explain(ctx, explain);
    for (int r = 0; r < rounds; r++) {
        regula_ledger *led = NULL;
        store st = {0};
        if (!own && regula_ledger_new(pack, &led) != REGULA_OK) {
            w->mismatches++;
            break;
        }
        for (size_t i = 0; i < claims.n; i++) {
            regula_status s = regula_claim_json(ctx, claims.v[i], strlen(claims.v[i]), (long)i + 1);
            if (s == REGULA_OK && own) {
                s = settle_with_store(ctx, &st);
            } else if (s == REGULA_OK) {
                s = regula_ledger_load(ctx, led);
                if (s == REGULA_OK)
                    s = regula_settle(ctx);
                if (s == REGULA_OK)
                    s = regula_ledger_commit(ctx, led);
            }
            const char *got = regula_result_json(ctx);
            if (!got || strcmp(got, want->v[i]) != 0) {
                if (w->mismatches++ < 3)
                    fprintf(stderr, "thread %d round %d line %zu:\n got %s\nwant %s\n", w->id, r, i + 1,
                            got ? got : regula_errmsg(ctx), want->v[i]);
            }
            w->settled += s == REGULA_OK;
        }
        regula_ledger_free(led);
        free(st.r);
    }
    regula_ctx_free(ctx);
    return NULL;
}

int main(int argc, char **argv)
{
    if (argc < 6) {
        fprintf(stderr, "usage: stress PACK.rgc CLAIMS.jsonl EXPECTED.jsonl THREADS ROUNDS [EXPECTED_EXPLAIN.jsonl]\n"
                        "EXPECTED is `regula run --pack PACK CLAIMS`, EXPECTED_EXPLAIN the same with --explain\n");
        return 2;
    }
    char err[512];
    regula_pack *pk;
    if (regula_pack_load_file(argv[1], NULL, &pk, err, sizeof err) != REGULA_OK) {
        fprintf(stderr, "stress: %s\n", err);
        return 2;
    }
    pack = pk;
    claims = read_lines(argv[2]);
    expected = read_lines(argv[3]);
    int threads = atoi(argv[4]);
    rounds = atoi(argv[5]);
    if (argc > 6)
        expected_explain = read_lines(argv[6]);
    if (claims.n != expected.n || (expected_explain.n && expected_explain.n != claims.n) || threads < 1 || threads > 256) {
        fprintf(stderr, "stress: %zu claims but %zu expected lines, or a bad thread count\n", claims.n, expected.n);
        return 2;
    }
    pthread_t tid[256];
    worker w[256];
    for (int t = 0; t < threads; t++) {
        w[t] = (worker){.id = t};
        if (pthread_create(&tid[t], NULL, run, &w[t]) != 0) {
            fprintf(stderr, "stress: cannot start thread %d\n", t);
            return 2;
        }
    }
    long settled = 0, mismatches = 0;
    for (int t = 0; t < threads; t++) {
        pthread_join(tid[t], NULL);
        settled += w[t].settled;
        mismatches += w[t].mismatches;
    }
    printf("stress: %d threads x %d rounds x %zu claims, %ld settled, %ld lines differ from regula run\n", threads, rounds,
           claims.n, settled, mismatches);
    regula_pack_free(pk);
    lines *all[] = {&claims, &expected, &expected_explain};
    for (size_t k = 0; k < 3; k++) {
        for (size_t i = 0; i < all[k]->n; i++)
            free(all[k]->v[i]);
        free(all[k]->v);
    }
    return mismatches ? 1 : 0;
}
