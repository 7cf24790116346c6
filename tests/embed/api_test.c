/* api_test.c — tests of the embedding API through include/regula.h alone: damaged packs, JSON and built claims, the host-kept ledger, host functions, the allocator, limits, explanations; run under ASan+UBSan by `make embed`.
 * Must not include any internal header: what it cannot do through regula.h, an embedder cannot do either. Expected texts come from `regula run` (tests/embed/run.sh writes them into DIR). */
#define _POSIX_C_SOURCE 200809L
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "pack_checksum.h"
#include "regula.h"

/* the host functions of tests/embed/hostlib.c */
int64_t risk_score(const char *person, int64_t amount);
int64_t tier_of(int64_t year);
const char *label(const char *claim_id, int64_t tier);

static int failures, checks;
static const char *dir;

#define CHECK(cond, ...)                                                        \
    do {                                                                        \
        checks++;                                                               \
        if (!(cond)) {                                                          \
            failures++;                                                         \
            fprintf(stderr, "%s:%d: check failed: %s: ", __FILE__, __LINE__, #cond); \
            fprintf(stderr, __VA_ARGS__);                                       \
            fputc('\n', stderr);                                                \
        }                                                                       \
    } while (0)

static char *slurp(const char *name, size_t *len)
{
    char path[1024];
    snprintf(path, sizeof path, "%s/%s", dir, name);
    FILE *f = fopen(path, "rb");
    if (!f) {
        perror(path);
        exit(2);
    }
    fseek(f, 0, SEEK_END);
    long n = ftell(f);
    fseek(f, 0, SEEK_SET);
    char *b = malloc((size_t)n + 1);
    if (!b || fread(b, 1, (size_t)n, f) != (size_t)n)
        exit(2);
    b[n] = '\0';
    fclose(f);
    if (len)
        *len = (size_t)n;
    return b;
}

/* Lines of a text, split in place. */
typedef struct {
    char **v;
    size_t n;
} lines;

static lines split(char *text)
{
    lines l = {0};
    size_t cap = 0;
    for (char *s = text; *s;) {
        char *e = strchr(s, '\n');
        if (e)
            *e = '\0';
        if (l.n == cap) {
            cap = cap ? cap * 2 : 64;
            l.v = realloc(l.v, cap * sizeof *l.v);
        }
        l.v[l.n++] = s;
        if (!e)
            break;
        s = e + 1;
    }
    return l;
}

static regula_pack *load(const char *name, const regula_options *opt)
{
    char path[1024], err[512];
    snprintf(path, sizeof path, "%s/%s", dir, name);
    regula_pack *pk = NULL;
    regula_status st = regula_pack_load_file(path, opt, &pk, err, sizeof err);
    CHECK(st == REGULA_OK, "loading %s: %s", name, err);
    return pk;
}

/* ---- damaged packs ---------------------------------------------------------------- */

static void test_damaged(void)
{
    size_t len;
    unsigned char *img = (unsigned char *)slurp("seed.rgc", &len);
    char err[512];
    regula_pack *pk = (regula_pack *)1;
    CHECK(regula_pack_load(NULL, 0, NULL, &pk, err, sizeof err) == REGULA_ERR_PACK && pk == NULL, "%s", err);
    CHECK(strstr(err, "empty") != NULL, "%s", err);
    CHECK(regula_pack_load("XXXXXXXX", 8, NULL, &pk, err, sizeof err) == REGULA_ERR_PACK, "%s", err);
    CHECK(strstr(err, "bad magic") != NULL, "%s", err);
    for (size_t n = 0; n < len; n += 97) { /* truncations */
        CHECK(regula_pack_load(img, n, NULL, &pk, err, sizeof err) == REGULA_ERR_PACK && pk == NULL, "truncated to %zu", n);
    }
    char path[1024];
    snprintf(path, sizeof path, "%s/no-such.rgc", dir);
    CHECK(regula_pack_load_file(path, NULL, &pk, err, sizeof err) == REGULA_ERR_IO && strstr(err, "no-such.rgc"), "%s", err);

    /* a flipped byte: the checksum refuses it; with the checksum made right
     * again the verifier has to, or the pack must settle without harm */
    unsigned char *copy = malloc(len);
    size_t claim_len;
    char *claim = slurp("claims.jsonl", &claim_len);
    char *nl = strchr(claim, '\n');
    size_t first_len = nl ? (size_t)(nl - claim) : claim_len;
    unsigned refused = 0, loaded = 0;
    for (size_t pos = 0; pos + 8 < len; pos++) { /* every byte but the checksum's */
        memcpy(copy, img, len);
        copy[pos] ^= (unsigned char)(1 + pos % 255);
        CHECK(regula_pack_load(copy, len, NULL, &pk, err, sizeof err) == REGULA_ERR_PACK, "flip at %zu loaded", pos);
        uint64_t h = doc_checksum(copy, len - 8);
        memcpy(copy + len - 8, &h, 8);
        if (regula_pack_load(copy, len, NULL, &pk, err, sizeof err) != REGULA_OK) {
            refused++;
            continue;
        }
        loaded++;
        regula_ctx *ctx;
        if (regula_ctx_new(pk, &ctx) == REGULA_OK) {
            regula_ctx_set_limits(ctx, 100000, 1 << 24);
            regula_ctx_set_explain(ctx, pos % 2); /* the explanation's writer reads every value too */
            if (regula_claim_json(ctx, claim, first_len, 1) == REGULA_OK &&
                regula_ledger_none(ctx, REGULA_ALL_SCOPES) == REGULA_OK && regula_settle(ctx) == REGULA_OK &&
                pos % 2)
                regula_explain_json(ctx);
            regula_result_json(ctx);
            regula_ctx_free(ctx);
        }
        regula_pack_free(pk);
    }
    CHECK(refused > 0, "the verifier refused none of the re-checksummed flips");
    printf("damaged packs: %u refused by the verifier, %u loaded and ran safely\n", refused, loaded);
    free(copy);
    free(claim);
    free(img);
}

/* Signed packs: with a public key in the options only what its secret key
 * signed loads (tests/embed/run.sh made k1, k2 and signed.rgc with the CLI). */
static void test_signed(void)
{
    unsigned char k1[REGULA_PUBLIC_KEY_BYTES], k2[REGULA_PUBLIC_KEY_BYTES];
    char path[1024], err[512];
    snprintf(path, sizeof path, "%s/k1.pub", dir);
    CHECK(regula_public_key_load(path, k1, err, sizeof err) == REGULA_OK, "%s", err);
    snprintf(path, sizeof path, "%s/k2.pub", dir);
    CHECK(regula_public_key_load(path, k2, err, sizeof err) == REGULA_OK, "%s", err);
    snprintf(path, sizeof path, "%s/k1.key", dir);
    CHECK(regula_public_key_load(path, k1 + 0, err, sizeof err) == REGULA_ERR_USAGE && strstr(err, "this is a secret key"),
          "%s", err);
    snprintf(path, sizeof path, "%s/k1.pub", dir);
    regula_public_key_load(path, k1, err, sizeof err);
    snprintf(path, sizeof path, "%s/no-such.pub", dir);
    CHECK(regula_public_key_load(path, k2 + 0, err, sizeof err) == REGULA_ERR_IO && strstr(err, "no-such.pub"), "%s", err);
    snprintf(path, sizeof path, "%s/k2.pub", dir);
    regula_public_key_load(path, k2, err, sizeof err);

    regula_pack *pk = NULL;
    regula_options with_k1 = {.public_key = k1}, with_k2 = {.public_key = k2};
    snprintf(path, sizeof path, "%s/signed.rgc", dir);
    CHECK(regula_pack_load_file(path, &with_k1, &pk, err, sizeof err) == REGULA_OK, "%s", err);
    regula_pack_free(pk);
    CHECK(regula_pack_load_file(path, NULL, &pk, err, sizeof err) == REGULA_OK, "no key required: %s", err);
    regula_pack_free(pk);
    CHECK(regula_pack_load_file(path, &with_k2, &pk, err, sizeof err) == REGULA_ERR_PACK && !pk &&
              strstr(err, "but only packs signed with key"), "%s", err);
    snprintf(path, sizeof path, "%s/seed.rgc", dir);
    CHECK(regula_pack_load_file(path, &with_k1, &pk, err, sizeof err) == REGULA_ERR_PACK && !pk &&
              strstr(err, "the pack is not signed"), "%s", err);
    /* changed after signing, the checksum made right: refused */
    size_t len;
    unsigned char *img = (unsigned char *)slurp("signed.rgc", &len);
    img[len / 2] ^= 0x20;
    uint64_t h = doc_checksum(img, len - 104 - 8);
    memcpy(img + len - 104 - 8, &h, 8);
    CHECK(regula_pack_load(img, len, &with_k1, &pk, err, sizeof err) == REGULA_ERR_PACK &&
              strstr(err, "signature does not match"), "%s", err);
    free(img);
}

/* ---- JSON claims with the in-memory ledger, against `regula run` ----------------------- */

static void test_batch(regula_pack *pk, const char *claims_file, const char *expected_file, int explain)
{
    char *ct = slurp(claims_file, NULL), *et = slurp(expected_file, NULL);
    lines cl = split(ct), ex = split(et);
    CHECK(cl.n == ex.n, "%zu claims, %zu expected lines", cl.n, ex.n);
    regula_ctx *ctx;
    regula_ledger *led;
    CHECK(regula_ctx_new(pk, &ctx) == REGULA_OK, "context");
    CHECK(regula_ledger_new(pk, &led) == REGULA_OK, "ledger");
    regula_ctx_set_explain(ctx, explain);
    for (size_t i = 0; i < cl.n && i < ex.n; i++) {
        regula_status st = regula_claim_json(ctx, cl.v[i], strlen(cl.v[i]), (long)i + 1);
        if (st == REGULA_OK)
            st = regula_ledger_load(ctx, led);
        if (st == REGULA_OK)
            st = regula_settle(ctx);
        if (st == REGULA_OK)
            CHECK(regula_ledger_commit(ctx, led) == REGULA_OK, "commit: %s", regula_errmsg(ctx));
        const char *got = regula_result_json(ctx);
        CHECK(got && strcmp(got, ex.v[i]) == 0, "%s line %zu:\n got %s\nwant %s", claims_file, i + 1, got ? got : "(null)",
              ex.v[i]);
    }
    regula_ledger_free(led);
    regula_ctx_free(ctx);
    free(cl.v);
    free(ex.v);
    free(ct);
    free(et);
}

/* The batch again, a line a call (regula_settle_line, as `regula run`), twice
 * on one ledger emptied in between: the same lines both times. */
static void test_settle_line(regula_pack *pk, const char *claims_file, const char *expected_file)
{
    char *ct = slurp(claims_file, NULL), *et = slurp(expected_file, NULL);
    lines cl = split(ct), ex = split(et);
    regula_ctx *ctx;
    regula_ledger *led;
    CHECK(regula_ctx_new(pk, &ctx) == REGULA_OK, "context");
    CHECK(regula_ledger_new(pk, &led) == REGULA_OK, "ledger");
    for (int pass = 0; pass < 2; pass++) {
        regula_ledger_clear(led);
        for (size_t i = 0; i < cl.n && i < ex.n; i++) {
            const char *out = NULL;
            size_t len = 0;
            regula_status st = regula_settle_line(ctx, led, cl.v[i], strlen(cl.v[i]), (long)i + 1, &out, &len);
            CHECK(out && len == strlen(out) && strcmp(out, ex.v[i]) == 0, "%s line %zu, pass %d:\n got %s\nwant %s",
                  claims_file, i + 1, pass, out ? out : "(null)", ex.v[i]);
            CHECK((st == REGULA_OK) == (strncmp(ex.v[i], "{\"line\": ", 9) != 0), "status %d for line %zu", (int)st, i + 1);
        }
    }
    /* a wrong call: no line */
    const char *out = "x";
    CHECK(regula_settle_line(ctx, NULL, "{}", 2, 1, &out, NULL) == REGULA_ERR_USAGE && out == NULL, "no ledger");
    regula_ledger_free(led);
    regula_ctx_free(ctx);
    free(cl.v);
    free(ex.v);
    free(ct);
    free(et);
}

/* `regula run`'s look-ahead: each claim read (regula_claim_json) and its
 * records asked for (regula_ledger_prefetch) on one context before the claim
 * before it settles on the other (regula_settle_bound): the same lines as
 * regula_settle_line's, the same person's claims seeing each other's
 * records; and the wrong calls of both functions. */
static void test_look_ahead(regula_pack *pk, const char *claims_file, const char *expected_file)
{
    char *ct = slurp(claims_file, NULL), *et = slurp(expected_file, NULL);
    lines cl = split(ct), ex = split(et);
    regula_ctx *ctx[2];
    regula_ledger *led, *other;
    CHECK(regula_ctx_new(pk, &ctx[0]) == REGULA_OK && regula_ctx_new(pk, &ctx[1]) == REGULA_OK, "contexts");
    CHECK(regula_ledger_new(pk, &led) == REGULA_OK, "ledger");
    size_t n = cl.n < ex.n ? cl.n : ex.n;
    for (size_t i = 0; i <= n; i++) {
        regula_ctx *next = ctx[i % 2], *prev = ctx[(i + 1) % 2];
        if (i < n && regula_claim_json(next, cl.v[i], strlen(cl.v[i]), (long)i + 1) == REGULA_OK)
            CHECK(regula_ledger_prefetch(next, led) == REGULA_OK || strncmp(ex.v[i], "{\"line\": ", 9) == 0,
                  "prefetch line %zu", i + 1);
        if (i == 0)
            continue;
        const char *out = NULL;
        size_t len = 0;
        regula_status st = regula_settle_bound(prev, led, &out, &len);
        CHECK(out && len == strlen(out) && strcmp(out, ex.v[i - 1]) == 0, "%s line %zu:\n got %s\nwant %s",
              claims_file, i, out ? out : "(null)", ex.v[i - 1]);
        CHECK((st == REGULA_OK) == (strncmp(ex.v[i - 1], "{\"line\": ", 9) != 0), "status %d for line %zu", (int)st, i);
    }
    /* wrong calls: a claim settled already, another pack's ledger, no place for the line */
    const char *out = "x";
    CHECK(regula_claim_json(ctx[0], cl.v[0], strlen(cl.v[0]), 1) == REGULA_OK &&
              regula_settle_bound(ctx[0], led, &out, NULL) == REGULA_OK && out,
          "settle_bound");
    CHECK(regula_settle_bound(ctx[0], led, &out, NULL) == REGULA_ERR_USAGE && out == NULL &&
              strstr(regula_errmsg(ctx[0]), "no claim"),
          "settle_bound after the settle: %s", regula_errmsg(ctx[0]));
    CHECK(regula_settle_bound(ctx[0], led, NULL, NULL) == REGULA_ERR_USAGE, "no out");
    CHECK(regula_ledger_prefetch(NULL, led) == REGULA_ERR_USAGE, "no context");
    regula_pack *pk2 = load("seed.rgc", NULL);
    if (pk2 && regula_ledger_new(pk2, &other) == REGULA_OK) {
        CHECK(regula_claim_json(ctx[0], cl.v[0], strlen(cl.v[0]), 1) == REGULA_OK, "claim");
        CHECK(regula_ledger_prefetch(ctx[0], other) == REGULA_ERR_USAGE &&
                  strstr(regula_errmsg(ctx[0]), "another pack"),
              "prefetch from another pack's ledger: %s", regula_errmsg(ctx[0]));
        CHECK(regula_settle_bound(ctx[0], other, &out, NULL) == REGULA_ERR_USAGE && out == NULL, "settle_bound, another pack");
        regula_ledger_free(other);
    }
    regula_pack_free(pk2);
    /* a claim that failed to read: its error line */
    CHECK(regula_claim_json(ctx[1], "{\"claim_id\": 7}", 15, 9) != REGULA_OK, "bad claim");
    CHECK(regula_ledger_prefetch(ctx[1], led) != REGULA_OK, "prefetch of a failed claim gives its failure");
    CHECK(regula_settle_bound(ctx[1], led, &out, NULL) == REGULA_ERR_INPUT && out && strncmp(out, "{\"line\": 9, ", 12) == 0,
          "%s", out ? out : "(null)");
    regula_ledger_free(led);
    regula_ctx_free(ctx[0]);
    regula_ctx_free(ctx[1]);
    free(cl.v);
    free(ex.v);
    free(ct);
    free(et);
}

/* Whether claim settles on a fresh ledger with budget instructions, its
 * records asked for ahead (regula_ledger_prefetch) or not. */
static int settles_within(regula_pack *pk, const char *claim, int prefetch, uint64_t budget)
{
    regula_ctx *ctx;
    regula_ledger *led;
    if (regula_ctx_new(pk, &ctx) != REGULA_OK)
        return 0;
    if (regula_ledger_new(pk, &led) != REGULA_OK) {
        regula_ctx_free(ctx);
        return 0;
    }
    regula_ctx_set_limits(ctx, budget, 0);
    const char *out = NULL;
    size_t len = 0;
    if (regula_claim_json(ctx, claim, strlen(claim), 1) == REGULA_OK && prefetch)
        regula_ledger_prefetch(ctx, led);
    regula_status st = regula_settle_bound(ctx, led, &out, &len);
    regula_ledger_free(led);
    regula_ctx_free(ctx);
    return st == REGULA_OK;
}

/* The least instruction budget with which claim settles (a claim that
 * settles with b settles with more), searched up to 100,000; 0 when it
 * never does. */
static uint64_t least_budget(regula_pack *pk, const char *claim, int prefetch)
{
    uint64_t lo = 1, hi = 100000;
    if (!settles_within(pk, claim, prefetch, hi))
        return 0;
    while (lo < hi) {
        uint64_t mid = lo + (hi - lo) / 2;
        if (settles_within(pk, claim, prefetch, mid))
            hi = mid;
        else
            lo = mid + 1;
    }
    return lo;
}

/* A scope with an optional key part and a first value from a chunk: a
 * claim without the part computes the first value once, the same whether
 * its records were asked for ahead or not (the same least budget), and one
 * with the part the same. */
static void test_first_values_once(void)
{
    regula_pack *pk = load("firsts.rgc", NULL);
    if (!pk)
        return;
    const char *without = "{\"claim_id\": \"a\", \"person_id\": \"p\", \"start\": \"5\", \"date\": \"2024-01-01\"}";
    const char *with = "{\"claim_id\": \"b\", \"person_id\": \"p\", \"disease\": \"DM\", \"start\": \"5\", "
                       "\"date\": \"2024-01-01\"}";
    uint64_t a = least_budget(pk, without, 0), b = least_budget(pk, without, 1);
    CHECK(a && a == b, "no disease: least budget %llu without a prefetch, %llu with one", (unsigned long long)a,
          (unsigned long long)b);
    uint64_t c = least_budget(pk, with, 0), d = least_budget(pk, with, 1);
    CHECK(c && c == d, "a disease: least budget %llu without a prefetch, %llu with one", (unsigned long long)c,
          (unsigned long long)d);
    /* the first value computed once either way: for the scope that does not
     * apply (when the keys are made) as for the new record (at the load) */
    CHECK(a == c, "least budget %llu without a disease, %llu with one", (unsigned long long)a, (unsigned long long)c);
    regula_pack_free(pk);
}

/* A ledger update that fails: the claim's one line is its error line, and the
 * ledger keeps nothing of it (issue 21: never the result and then an error). */
static void test_update_fails(void)
{
    regula_pack *pk = load("update.rgc", NULL);
    if (!pk)
        return;
    char *ct = slurp("update_claims.jsonl", NULL);
    lines cl = split(ct);
    regula_ctx *ctx;
    regula_ledger *led;
    regula_ctx_new(pk, &ctx);
    regula_ledger_new(pk, &led);
    int errors = 0;
    for (size_t i = 0; i < cl.n; i++) {
        const char *out = NULL;
        size_t len = 0;
        regula_status st = regula_settle_line(ctx, led, cl.v[i], strlen(cl.v[i]), (long)i + 1, &out, &len);
        CHECK(out && !strchr(out, '\n'), "line %zu: one line", i + 1);
        if (st != REGULA_OK) {
            errors++;
            CHECK(st == REGULA_ERR_RUNTIME && i + 1 == 93 &&
                      strstr(out, "{\"line\": 93, \"claim_id\": \"U93\", \"error\": \"line 93: arithmetic overflow in ledger += at "),
                  "line %zu: %s", i + 1, out);
        }
    }
    CHECK(errors == 1, "%d error lines", errors);
    /* the failed claim stored nothing: the person's total is still 92 claims' */
    const char *again = "{\"claim_id\": \"U95\", \"person_id\": \"P1\", \"amount\": \"0\", \"date\": \"2025-01-01\"}";
    const char *out = NULL;
    CHECK(regula_settle_line(ctx, led, again, strlen(again), 95, &out, NULL) == REGULA_OK && out &&
              strcmp(out, "{\"claim_id\": \"U95\", \"paid_before\": \"92000000000000000.00\"}") == 0,
          "%s", out ? out : "(null)");
    regula_ledger_free(led);
    regula_ctx_free(ctx);
    regula_pack_free(pk);
    free(cl.v);
    free(ct);
}

/* Definitions by name, their values for a claim, and values as text. */
static void test_definitions(regula_pack *pk)
{
    regula_ctx *ctx;
    regula_ctx_new(pk, &ctx);
    int fund = regula_definition_index(pk, "fund"), ded = regula_definition_index(pk, "deductible");
    CHECK(fund >= 0 && ded >= 0, "fund %d, deductible %d", fund, ded);
    CHECK(regula_definition_index(pk, "no_such_thing") == -1, "unknown name");
    CHECK(regula_definition_type(pk, (unsigned)fund) == REGULA_T_MONEY, "type %d", (int)regula_definition_type(pk, (unsigned)fund));
    char *ct = slurp("claims.jsonl", NULL);
    lines cl = split(ct);
    regula_value v, r;
    char a[64], b[64];
    /* before a claim: the context says so */
    CHECK(regula_definition_value(ctx, (unsigned)fund, &v) == REGULA_ERR_USAGE, "no claim yet");
    for (size_t i = 0; i < cl.n && i < 20; i++) {
        if (regula_claim_json(ctx, cl.v[i], strlen(cl.v[i]), 0) != REGULA_OK)
            continue;
        CHECK(regula_ledger_none(ctx, REGULA_ALL_SCOPES) == REGULA_OK, "%s", regula_errmsg(ctx));
        regula_status st = regula_definition_value(ctx, (unsigned)fund, &v);
        if (st != REGULA_OK)
            continue;
        /* the definition's value before settling is the result's after */
        CHECK(regula_settle(ctx) == REGULA_OK, "%s", regula_errmsg(ctx));
        unsigned out = (unsigned)regula_output_index(pk, "fund");
        CHECK(regula_result(ctx, out, &r) == REGULA_OK && r.i == v.i && r.present == v.present, "line %zu", i + 1);
        regula_value_text(&v, a, sizeof a);
        regula_result_text(ctx, out, b, sizeof b);
        CHECK(strcmp(a, b) == 0, "text %s and %s", a, b);
    }
    regula_value none = {.type = REGULA_T_MONEY}, date = {.type = REGULA_T_DATE, .present = 1, .i = 20161},
                 en = {.type = REGULA_T_ENUM, .present = 1, .i = 1, .s = "retired"};
    regula_value_text(&none, a, sizeof a);
    CHECK(strcmp(a, "none") == 0, "%s", a);
    regula_value_text(&date, a, sizeof a);
    CHECK(strcmp(a, "2025-03-14") == 0, "%s", a);
    regula_value_text(&en, a, sizeof a);
    CHECK(strcmp(a, "retired") == 0, "%s", a);
    CHECK(regula_value_text(&en, a, 4) == 3 && strcmp(a, "ret") == 0, "cut: %s", a);
    free(cl.v);
    free(ct);
    regula_ctx_free(ctx);
}

/* ---- the same claims with the ledger kept by the "host" ------------------------------ */

typedef struct {
    char key[160];
    int64_t vals[16];
} record;

typedef struct {
    record *r;
    size_t n, cap;
} store;

static void key_text(regula_ctx *ctx, const regula_pack *pk, unsigned s, char *buf, size_t cap)
{
    size_t used = (size_t)snprintf(buf, cap, "%u", s);
    for (unsigned k = 0; k < regula_ledger_key_count(pk, s); k++) {
        regula_value v;
        regula_ledger_key(ctx, s, k, &v);
        if (v.type == REGULA_T_STRING)
            used += (size_t)snprintf(buf + used, cap - used, "|%s", v.s);
        else
            used += (size_t)snprintf(buf + used, cap - used, "|%lld", (long long)v.i);
    }
}

static record *find(store *st, const char *key)
{
    for (size_t i = 0; i < st->n; i++)
        if (strcmp(st->r[i].key, key) == 0)
            return &st->r[i];
    return NULL;
}

static void test_host_ledger(regula_pack *pk)
{
    char *ct = slurp("claims.jsonl", NULL), *et = slurp("expected.jsonl", NULL);
    lines cl = split(ct), ex = split(et);
    store st = {0};
    regula_ctx *ctx;
    regula_ctx_new(pk, &ctx);
    unsigned ns = regula_ledger_scope_count(pk);
    int dy = regula_ledger_scope_index(pk, "disease_yearly");
    CHECK(ns == 3 && regula_ledger_scope_index(pk, "yearly") == 0 && regula_ledger_scope_index(pk, "personal_account") == 1 &&
              dy == 2 && regula_ledger_key_count(pk, 2) == 3 && regula_ledger_key_type(pk, 2, 2) == REGULA_T_ENUM,
          "scopes %u", ns);
    CHECK(regula_ledger_key_count(pk, 0) == 2 && regula_ledger_key_type(pk, 0, 0) == REGULA_T_STRING &&
              regula_ledger_key_type(pk, 0, 1) == REGULA_T_INT,
          "yearly keys");
    CHECK(regula_ledger_field_index(pk, 1, "balance") == 0 && regula_ledger_field_type(pk, 1, 0) == REGULA_T_MONEY,
          "balance field");
    for (size_t i = 0; i < cl.n; i++) {
        regula_status s = regula_claim_json(ctx, cl.v[i], strlen(cl.v[i]), (long)i + 1);
        char keys[8][160];
        if (s == REGULA_OK) {
            if (i == 0) /* not every scope given yet */
                CHECK(regula_settle(ctx) == REGULA_ERR_USAGE && strstr(regula_errmsg(ctx), "was not given"), "%s",
                      regula_errmsg(ctx));
            /* a claim of no disease has no per-disease record: nothing to give or store */
            CHECK(regula_ledger_applies(ctx, (unsigned)dy) == 0, "line %zu: the disease ledger applies", i + 1);
            for (unsigned sc = 0; sc < ns; sc++) {
                if (regula_ledger_applies(ctx, sc) == 0)
                    continue;
                key_text(ctx, pk, sc, keys[sc], sizeof keys[sc]);
                record *r = find(&st, keys[sc]);
                if (!r) {
                    CHECK(regula_ledger_none(ctx, sc) == REGULA_OK, "none: %s", regula_errmsg(ctx));
                } else {
                    for (unsigned f = 0; f < regula_ledger_field_count(pk, sc); f++)
                        regula_ledger_set(ctx, sc, f, r->vals[f]);
                }
            }
            s = regula_settle(ctx);
        }
        if (s == REGULA_OK) {
            for (unsigned sc = 0; sc < ns; sc++) {
                if (regula_ledger_applies(ctx, sc) == 0)
                    continue;
                record *r = find(&st, keys[sc]);
                if (!r) {
                    if (st.n == st.cap) {
                        st.cap = st.cap ? st.cap * 2 : 16;
                        st.r = realloc(st.r, st.cap * sizeof *st.r);
                    }
                    r = &st.r[st.n++];
                    snprintf(r->key, sizeof r->key, "%.159s", keys[sc]);
                }
                for (unsigned f = 0; f < regula_ledger_field_count(pk, sc); f++)
                    regula_ledger_get(ctx, sc, f, &r->vals[f]);
            }
        } else {
            CHECK(regula_ledger_get(ctx, 0, 0, &(int64_t){0}) == s, "a failed claim's ledger is not readable");
        }
        const char *got = regula_result_json(ctx);
        CHECK(got && strcmp(got, ex.v[i]) == 0, "line %zu:\n got %s\nwant %s", i + 1, got ? got : "(null)", ex.v[i]);
    }
    regula_ctx_free(ctx);
    free(st.r);
    free(cl.v);
    free(ex.v);
    free(ct);
    free(et);
}

/* A region's own ledger (tests/golden/run/region_ledger): a claim of a policy
 * outside the region has no record in it, whatever its keys; one inside has. */
static void test_region_ledgers(void)
{
    regula_pack *pk = load("regions.rgc", NULL);
    if (!pk)
        return;
    regula_ctx *ctx;
    regula_ctx_new(pk, &ctx);
    int visits = regula_ledger_scope_index(pk, "visits"), extra = regula_ledger_scope_index(pk, "extra");
    CHECK(regula_ledger_scope_count(pk) == 3 && visits == 1 && extra == 2, "scopes %u", regula_ledger_scope_count(pk));
    static const struct {
        const char *region;
        int visits, extra;
    } cases[] = {{"CN", 0, 0}, {"XX", 1, 0}, {"XX-A", 1, 1}};
    for (size_t i = 0; i < sizeof cases / sizeof cases[0]; i++) {
        char claim[200];
        snprintf(claim, sizeof claim,
                 "{\"claim_id\":\"c\",\"person\":\"P\",\"region\":\"%s\",\"date\":\"2025-01-01\",\"amount\":\"1.00\"}",
                 cases[i].region);
        CHECK(regula_claim_json(ctx, claim, strlen(claim), 1) == REGULA_OK, "%s: %s", cases[i].region, regula_errmsg(ctx));
        CHECK(regula_ledger_applies(ctx, 0) == 1, "%s: CN's ledger applies", cases[i].region);
        CHECK(regula_ledger_applies(ctx, (unsigned)visits) == cases[i].visits, "%s: XX's ledger", cases[i].region);
        CHECK(regula_ledger_applies(ctx, (unsigned)extra) == cases[i].extra, "%s: XX-A's ledger", cases[i].region);
    }
    regula_ctx_free(ctx);
    regula_pack_free(pk);
}

/* ---- the typed builder -------------------------------------------------------------- */

/* The claim of shared/spec/settlement.md section 5. */
static regula_status build_example(regula_ctx *ctx, int with_card)
{
    regula_status s = regula_claim_new(ctx);
    s = s ? s : regula_claim_set_string(ctx, "claim_id", "C1");
    s = s ? s : regula_claim_set_string(ctx, "person.id", "P1");
    s = s ? s : regula_claim_set_enum(ctx, "person.insured_region", "LN-CY");
    s = s ? s : regula_claim_set_enum(ctx, "person.scheme", "employee");
    s = s ? s : regula_claim_set_enum(ctx, "person.status", "retired");
    s = s ? s : regula_claim_set_date(ctx, "person.enrolled_on", 2019, 5, 1);
    s = s ? s : regula_claim_set_enum(ctx, "person.filing.kind", "long_term");
    s = s ? s : regula_claim_set_enum(ctx, "person.filing.region", "BJ");
    s = s ? s : regula_claim_set_money(ctx, "person.account_balance", 80000);
    s = s ? s : regula_claim_set_string(ctx, "institution.id", "H1");
    s = s ? s : regula_claim_set_enum(ctx, "institution.region", "BJ");
    s = s ? s : regula_claim_set_int(ctx, "institution.level", 3);
    s = s ? s : regula_claim_set_bool(ctx, "institution.designated", 1);
    s = s ? s : regula_claim_set_bool(ctx, "institution.specialty", 0);
    s = s ? s : regula_claim_set_enum(ctx, "visit.type", "inpatient");
    s = s ? s : regula_claim_set_date(ctx, "visit.date", 2025, 3, 14);
    s = s ? s : regula_claim_set_bool(ctx, "visit.emergency", 0);
    if (with_card)
        s = s ? s : regula_claim_set_bool(ctx, "visit.card", 1);
    s = s ? s : regula_claim_add_item(ctx, NULL);
    s = s ? s : regula_claim_set_string(ctx, "items[].code", "D0001");
    s = s ? s : regula_claim_set_money(ctx, "items[0].amount", 12000);
    return s;
}

static const char example_json[] =
    "{\"claim_id\": \"C1\", \"person\": {\"id\": \"P1\", \"insured_region\": \"LN-CY\", \"scheme\": \"employee\", "
    "\"status\": \"retired\", \"enrolled_on\": \"2019-05-01\", \"filing\": {\"kind\": \"long_term\", \"region\": \"BJ\"}, "
    "\"account_balance\": \"800.00\"}, \"institution\": {\"id\": \"H1\", \"region\": \"BJ\", \"level\": 3, "
    "\"designated\": true, \"specialty\": false}, \"visit\": {\"type\": \"inpatient\", \"date\": \"2025-03-14\", "
    "\"emergency\": false, \"card\": true}, \"items\": [{\"code\": \"D0001\", \"amount\": \"120.00\"}]}";

static void test_builder(regula_pack *pk)
{
    regula_ctx *ctx;
    regula_ctx_new(pk, &ctx);
    char want[2048];
    CHECK(regula_claim_json(ctx, example_json, strlen(example_json), 0) == REGULA_OK, "%s", regula_errmsg(ctx));
    regula_ledger_none(ctx, REGULA_ALL_SCOPES);
    CHECK(regula_settle(ctx) == REGULA_OK, "%s", regula_errmsg(ctx));
    snprintf(want, sizeof want, "%s", regula_result_json(ctx));
    int64_t balance_json;
    regula_ledger_get(ctx, 1, 0, &balance_json);

    CHECK(build_example(ctx, 1) == REGULA_OK, "%s", regula_errmsg(ctx));
    regula_value key;
    CHECK(regula_ledger_key(ctx, 0, 0, &key) == REGULA_OK && key.type == REGULA_T_STRING && strcmp(key.s, "P1") == 0,
          "person key");
    CHECK(regula_ledger_key(ctx, 0, 1, &key) == REGULA_OK && key.type == REGULA_T_INT && key.i == 2025, "year key");
    regula_ledger_none(ctx, REGULA_ALL_SCOPES);
    CHECK(regula_settle(ctx) == REGULA_OK, "%s", regula_errmsg(ctx));
    const char *got = regula_result_json(ctx);
    CHECK(got && strcmp(got, want) == 0, "built claim:\n got %s\nwant %s", got ? got : "(null)", want);
    int64_t balance;
    CHECK(regula_ledger_get(ctx, 1, 0, &balance) == REGULA_OK && balance == balance_json, "balance %lld",
          (long long)balance);

    /* typed and text results */
    regula_value v;
    int fund = regula_output_index(pk, "fund"), reason = regula_output_index(pk, "reason");
    CHECK(fund >= 0 && regula_output_type(pk, (unsigned)fund) == REGULA_T_MONEY, "fund output");
    CHECK(regula_result(ctx, (unsigned)reason, &v) == REGULA_OK && v.type == REGULA_T_ENUM && strcmp(v.s, "OK") == 0,
          "reason %s", v.s ? v.s : "-");
    char text[64];
    int eligible = regula_output_index(pk, "eligible");
    CHECK(regula_result_text(ctx, (unsigned)eligible, text, sizeof text) == 4 && strcmp(text, "true") == 0, "%s", text);
    CHECK(regula_result(ctx, 999, &v) == REGULA_ERR_USAGE && strstr(regula_errmsg(ctx), "no output 999"), "%s",
          regula_errmsg(ctx));

    /* a missing field is the claim's failure, sticky until the next claim */
    CHECK(build_example(ctx, 0) == REGULA_OK, "building");
    CHECK(regula_claim_end(ctx) == REGULA_ERR_INPUT && strcmp(regula_errmsg(ctx), "missing field visit.card") == 0, "%s",
          regula_errmsg(ctx));
    CHECK(regula_settle(ctx) == REGULA_ERR_INPUT, "sticky");
    got = regula_result_json(ctx);
    CHECK(got && strcmp(got, "{\"line\": 0, \"claim_id\": \"C1\", \"error\": \"missing field visit.card\"}") == 0, "%s", got);

    /* values the JSON binder would refuse */
    regula_claim_new(ctx);
    CHECK(regula_claim_set_int(ctx, "institution.level", 4) == REGULA_ERR_INPUT &&
              strcmp(regula_errmsg(ctx), "institution.level: expected 1, 2 or 3") == 0,
          "%s", regula_errmsg(ctx));
    regula_claim_new(ctx);
    CHECK(regula_claim_set_enum(ctx, "person.filing.kind", "forever") == REGULA_ERR_INPUT &&
              strcmp(regula_errmsg(ctx), "person.filing.kind: unknown filing kind 'forever'") == 0,
          "%s", regula_errmsg(ctx));
    regula_claim_new(ctx);
    CHECK(regula_claim_set_enum(ctx, "person.insured_region", "SH") == REGULA_ERR_INPUT &&
              strcmp(regula_errmsg(ctx), "person.insured_region: unknown region 'SH'") == 0,
          "%s", regula_errmsg(ctx));
    regula_claim_new(ctx);
    regula_claim_add_item(ctx, NULL);
    CHECK(regula_claim_set_money(ctx, "items[0].amount", -500) == REGULA_ERR_INPUT &&
              strcmp(regula_errmsg(ctx), "items[0].amount: negative amount '-5.00'") == 0,
          "%s", regula_errmsg(ctx));
    regula_claim_new(ctx);
    CHECK(regula_claim_set_date(ctx, "visit.date", 2025, 2, 30) == REGULA_ERR_INPUT &&
              strcmp(regula_errmsg(ctx), "visit.date: impossible date '2025-02-30'") == 0,
          "%s", regula_errmsg(ctx));
    /* usage errors leave the claim being built */
    regula_claim_new(ctx);
    CHECK(regula_claim_set_money(ctx, "person.id", 1) == REGULA_ERR_USAGE &&
              strstr(regula_errmsg(ctx), "person.id is a string"),
          "%s", regula_errmsg(ctx));
    CHECK(regula_claim_set_string(ctx, "person.name", "x") == REGULA_ERR_USAGE &&
              strstr(regula_errmsg(ctx), "no field 'person.name'"),
          "%s", regula_errmsg(ctx));
    CHECK(regula_claim_set_string(ctx, "items[].code", "x") == REGULA_ERR_USAGE && strstr(regula_errmsg(ctx), "add an element first"),
          "%s", regula_errmsg(ctx));
    CHECK(regula_claim_set_string(ctx, "person.id", "P9") == REGULA_OK, "%s", regula_errmsg(ctx));
    CHECK(regula_settle(ctx) == REGULA_ERR_INPUT && strcmp(regula_errmsg(ctx), "missing field claim_id") == 0, "%s",
          regula_errmsg(ctx));
    /* the order of calls */
    CHECK(regula_ledger_get(ctx, 0, 0, &balance) == REGULA_ERR_INPUT, "after a failed claim");
    regula_ctx_free(ctx);
    regula_ctx_new(pk, &ctx);
    CHECK(regula_settle(ctx) == REGULA_ERR_USAGE && strstr(regula_errmsg(ctx), "no claim"), "%s", regula_errmsg(ctx));
    CHECK(regula_result_json(ctx) == NULL, "no result yet");
    regula_ctx_free(ctx);
}


/* The example claim with Part 2's fields: two coverage periods (a transfer),
 * a manual submission with its documents, a disease; built, and as JSON. */
static regula_status build_part2(regula_ctx *ctx, int documents)
{
    regula_status s = build_example(ctx, 1);
    unsigned k = 9;
    s = s ? s : regula_claim_set_enum(ctx, "visit.type", "outpatient");
    s = s ? s : regula_claim_set_enum(ctx, "institution.region", "LN-CY");
    s = s ? s : regula_claim_add(ctx, "person.coverage", &k);
    s = s ? s : regula_claim_set_enum(ctx, "person.coverage[].region", "BJ");
    s = s ? s : regula_claim_set_date(ctx, "person.coverage[].from", 2015, 1, 1);
    s = s ? s : regula_claim_set_date(ctx, "person.coverage[0].to", 2022, 12, 31);
    s = s ? s : regula_claim_add(ctx, "person.coverage", NULL);
    s = s ? s : regula_claim_set_enum(ctx, "person.coverage[].region", "LN-CY");
    s = s ? s : regula_claim_set_date(ctx, "person.coverage[1].from", 2023, 1, 1);
    s = s ? s : regula_claim_set_date(ctx, "person.coverage[].account_arrived_on", 2023, 2, 1);
    s = s ? s : regula_claim_set_enum(ctx, "visit.channel", "manual");
    s = s ? s : regula_claim_set_date(ctx, "visit.submitted_on", 2025, 3, 20);
    if (documents) {
        static const char *const docs[] = {"invoice", "itemized_list", "prescription", "medical_record"};
        for (size_t i = 0; i < sizeof docs / sizeof docs[0]; i++) {
            s = s ? s : regula_claim_add(ctx, "visit.documents", NULL);
            s = s ? s : regula_claim_set_string(ctx, "visit.documents[]", docs[i]);
        }
    } else {
        s = s ? s : regula_claim_set_empty(ctx, "visit.documents");
    }
    s = s ? s : regula_claim_set_enum(ctx, "visit.chronic_disease", "DM");
    CHECK(s != REGULA_OK || k == 0, "the first period's index %u", k);
    return s;
}

static const char part2_json[] =
    "{\"claim_id\": \"C1\", \"person\": {\"id\": \"P1\", \"insured_region\": \"LN-CY\", \"scheme\": \"employee\", "
    "\"status\": \"retired\", \"enrolled_on\": \"2019-05-01\", \"filing\": {\"kind\": \"long_term\", \"region\": \"BJ\"}, "
    "\"account_balance\": \"800.00\", \"coverage\": [{\"region\": \"BJ\", \"from\": \"2015-01-01\", \"to\": \"2022-12-31\"}, "
    "{\"region\": \"LN-CY\", \"from\": \"2023-01-01\", \"account_arrived_on\": \"2023-02-01\"}]}, "
    "\"institution\": {\"id\": \"H1\", \"region\": \"LN-CY\", \"level\": 3, \"designated\": true, \"specialty\": false}, "
    "\"visit\": {\"type\": \"outpatient\", \"date\": \"2025-03-14\", \"emergency\": false, \"card\": true, "
    "\"channel\": \"manual\", \"submitted_on\": \"2025-03-20\", \"documents\": %s, \"chronic_disease\": \"DM\"}, "
    "\"items\": [{\"code\": \"D0001\", \"amount\": \"120.00\"}]}";

static void test_builder_part2(regula_pack *pk)
{
    regula_ctx *ctx;
    regula_ctx_new(pk, &ctx);
    for (int documents = 1; documents >= 0; documents--) {
        char json[2048], want[1024];
        snprintf(json, sizeof json, part2_json,
                 documents ? "[\"invoice\", \"itemized_list\", \"prescription\", \"medical_record\"]" : "[]");
        CHECK(regula_claim_json(ctx, json, strlen(json), 0) == REGULA_OK, "%s", regula_errmsg(ctx));
        CHECK(regula_ledger_none(ctx, REGULA_ALL_SCOPES) == REGULA_OK && regula_settle(ctx) == REGULA_OK, "%s",
              regula_errmsg(ctx));
        snprintf(want, sizeof want, "%s", regula_result_json(ctx));
        CHECK(strstr(want, documents ? "\"reason\": \"OK\"" : "\"reason\": \"MISSING_DOCUMENTS\""), "%s", want);
        CHECK(build_part2(ctx, documents) == REGULA_OK, "building: %s", regula_errmsg(ctx));
        CHECK(regula_ledger_applies(ctx, (unsigned)regula_ledger_scope_index(pk, "disease_yearly")) == 1,
              "a DM visit has a per-disease record");
        CHECK(regula_ledger_none(ctx, REGULA_ALL_SCOPES) == REGULA_OK && regula_settle(ctx) == REGULA_OK, "%s",
              regula_errmsg(ctx));
        const char *got = regula_result_json(ctx);
        CHECK(got && strcmp(got, want) == 0, "built:\n got %s\nwant %s", got ? got : "(null)", want);
    }
    /* a nonempty list given empty, as the binder refuses [] */
    CHECK(build_example(ctx, 1) == REGULA_OK && regula_claim_set_empty(ctx, "person.coverage") == REGULA_OK, "%s",
          regula_errmsg(ctx));
    CHECK(regula_claim_end(ctx) == REGULA_ERR_INPUT &&
              strcmp(regula_errmsg(ctx), "person.coverage: must be a non-empty list of periods") == 0,
          "%s", regula_errmsg(ctx));
    regula_claim_new(ctx);
    CHECK(regula_claim_add(ctx, "visit.date", NULL) == REGULA_ERR_USAGE, "not a list: %s", regula_errmsg(ctx));
    regula_ctx_free(ctx);
}

/* ---- messages of JSON claims -------------------------------------------------------- */

static void test_json_messages(regula_pack *pk)
{
    regula_ctx *ctx;
    regula_ctx_new(pk, &ctx);
    CHECK(regula_claim_json(ctx, "  ", 2, 0) == REGULA_ERR_INPUT &&
              strcmp(regula_errmsg(ctx), "blank line (expected one JSON claim object)") == 0,
          "%s", regula_errmsg(ctx));
    CHECK(regula_claim_json(ctx, "[1]", 3, 7) == REGULA_ERR_INPUT &&
              strcmp(regula_errmsg(ctx), "line 7: expected a JSON object, got array") == 0,
          "%s", regula_errmsg(ctx));
    const char *j = "{\"claim_id\": \"X\"}";
    CHECK(regula_claim_json(ctx, j, strlen(j), 3) == REGULA_ERR_INPUT &&
              strcmp(regula_errmsg(ctx), "line 3: missing field person") == 0,
          "%s", regula_errmsg(ctx));
    const char *got = regula_result_json(ctx);
    CHECK(got && strcmp(got, "{\"line\": 3, \"claim_id\": \"X\", \"error\": \"line 3: missing field person\"}") == 0, "%s",
          got);
    regula_ctx_free(ctx);
}

/* The region that settles a claim: known once it is bound, still after a
 * failed settle, not for a line that is no claim. */
static void test_region(regula_pack *pk)
{
    regula_ctx *ctx;
    regula_ctx_new(pk, &ctx);
    regula_value v;
    CHECK(regula_claim_region(ctx, &v) == REGULA_ERR_USAGE && strstr(regula_errmsg(ctx), "no claim"), "%s",
          regula_errmsg(ctx));
    const char *j = "{\"claim_id\": \"R1\", \"person\": {\"id\": \"P1\", \"insured_region\": \"LN-CY\", "
                    "\"scheme\": \"employee\", \"status\": \"working\", \"enrolled_on\": \"2019-05-01\", "
                    "\"account_balance\": \"0.00\"}, \"institution\": {\"id\": \"H1\", \"region\": \"BJ\", "
                    "\"level\": 1, \"designated\": true, \"specialty\": false}, \"visit\": {\"type\": "
                    "\"outpatient\", \"date\": \"2025-03-14\", \"emergency\": false, \"card\": true}, "
                    "\"items\": [{\"code\": \"D0001\", \"amount\": \"120.00\"}]}";
    CHECK(regula_claim_json(ctx, j, strlen(j), 0) == REGULA_OK, "%s", regula_errmsg(ctx));
    CHECK(regula_claim_region(ctx, &v) == REGULA_OK && v.type == REGULA_T_REGION && v.present && v.s &&
              strcmp(v.s, "LN-CY") == 0 && v.i == regula_region_index(pk, "LN-CY"),
          "%s", v.s ? v.s : "(null)");
    /* settled without its ledger: the settle fails, the region stays */
    CHECK(regula_settle(ctx) == REGULA_ERR_USAGE, "%s", regula_errmsg(ctx));
    CHECK(regula_claim_region(ctx, &v) == REGULA_OK && strcmp(v.s, "LN-CY") == 0, "after a failed settle");
    CHECK(regula_claim_json(ctx, "[1]", 3, 4) == REGULA_ERR_INPUT, "not a claim");
    CHECK(regula_claim_region(ctx, &v) == REGULA_ERR_INPUT, "no region for a line that is no claim");
    regula_ctx_free(ctx);
}

/* ---- host functions -------------------------------------------------------------------- */

static int64_t checked_score(regula_ctx *ctx, const char *person, int64_t amount)
{
    int *calls = regula_ctx_userdata(ctx);
    if (calls)
        (*calls)++;
    if (strcmp(person, "PERSON22") == 0) {
        regula_host_fail(ctx, "no score for PERSON22");
        return 0;
    }
    return risk_score(person, amount);
}

static int64_t bad_tier(int64_t year)
{
    return year; /* not an ordinal of tier */
}

static void test_externs(void)
{
    char err[512];
    regula_pack *pk = NULL;
    regula_options opt = {0};
    char path[1024];
    snprintf(path, sizeof path, "%s/extern.rgc", dir);
    CHECK(regula_pack_load_file(path, NULL, &pk, err, sizeof err) == REGULA_ERR_PACK && !pk &&
              strstr(err, "policy needs host function 'risk_score'"),
          "%s", err);

    regula_host *h;
    regula_host_new(NULL, &h);
    regula_type sm[] = {REGULA_T_STRING, REGULA_T_MONEY}, in[] = {REGULA_T_INT}, se[] = {REGULA_T_STRING, REGULA_T_ENUM};
    CHECK(regula_host_add(h, "risk_score", REGULA_FN(risk_score), REGULA_T_PERCENT, 2, sm, 0) == REGULA_OK, "%s",
          regula_host_errmsg(h));
    CHECK(regula_host_add(h, "risk_score", REGULA_FN(risk_score), REGULA_T_PERCENT, 2, sm, 0) == REGULA_ERR_USAGE &&
              strstr(regula_host_errmsg(h), "twice"),
          "%s", regula_host_errmsg(h));
    opt.host = h;
    CHECK(regula_pack_load_file(path, &opt, &pk, err, sizeof err) == REGULA_ERR_PACK &&
              strstr(err, "policy needs host function 'tier_of', which the host did not register"),
          "%s", err);
    CHECK(regula_host_add(h, "tier_of", REGULA_FN(tier_of), REGULA_T_INT, 1, in, 0) == REGULA_OK, "add");
    CHECK(regula_host_add(h, "label", REGULA_FN(label), REGULA_T_STRING, 2, se, REGULA_FN_MAY_RETURN_NONE) == REGULA_OK,
          "add");
    CHECK(regula_pack_load_file(path, &opt, &pk, err, sizeof err) == REGULA_ERR_PACK &&
              strstr(err, "host function 'tier_of': the policy declares (int) -> tier, the host registered (int) -> int"),
          "%s", err);
    regula_host_free(h);

    /* the right registrations: the same results as `regula run --allow-extern` */
    regula_host_new(NULL, &h);
    regula_host_add(h, "risk_score", REGULA_FN(risk_score), REGULA_T_PERCENT, 2, sm, 0);
    regula_host_add(h, "tier_of", REGULA_FN(tier_of), REGULA_T_ENUM, 1, in, 0);
    regula_host_add(h, "label", REGULA_FN(label), REGULA_T_STRING, 2, se, REGULA_FN_MAY_RETURN_NONE);
    opt.host = h;
    CHECK(regula_pack_load_file(path, &opt, &pk, err, sizeof err) == REGULA_OK, "%s", err);
    regula_host_free(h); /* the pack keeps what it needs */
    if (pk) {
        test_batch(pk, "extern_claims.jsonl", "extern_expected.jsonl", 0);
        regula_pack_free(pk);
    }

    /* from the shared library, as `regula run --allow-extern`; one registered, the others from the library */
    char lib[1024];
    snprintf(lib, sizeof lib, "%s/libhost.so", dir);
    regula_host_new(NULL, &h);
    CHECK(regula_host_add_library(h, lib) == REGULA_OK, "%s", regula_host_errmsg(h));
    CHECK(regula_host_add_library(h, lib) == REGULA_ERR_USAGE && strstr(regula_host_errmsg(h), "one library"), "%s",
          regula_host_errmsg(h));
    regula_host_add(h, "risk_score", REGULA_FN(risk_score), REGULA_T_PERCENT, 2, sm, 0);
    opt.host = h;
    CHECK(regula_pack_load_file(path, &opt, &pk, err, sizeof err) == REGULA_OK, "%s", err);
    regula_host_free(h);
    if (pk) {
        test_batch(pk, "extern_claims.jsonl", "extern_expected.jsonl", 0);
        regula_pack_free(pk);
    }
    regula_host_new(NULL, &h);
    regula_host_add_library(h, "/nonexistent/libnone.so");
    opt.host = h;
    CHECK(regula_pack_load_file(path, &opt, &pk, err, sizeof err) == REGULA_ERR_PACK && !pk &&
              strstr(err, "cannot load host functions from '/nonexistent/libnone.so'"),
          "%s", err);
    regula_host_free(h);

    /* a function given its context, failing for one person; one answering what its type cannot hold */
    regula_host_new(NULL, &h);
    regula_host_add(h, "risk_score", REGULA_FN(checked_score), REGULA_T_PERCENT, 2, sm, REGULA_FN_WITH_CTX);
    regula_host_add(h, "tier_of", REGULA_FN(bad_tier), REGULA_T_ENUM, 1, in, 0);
    regula_host_add(h, "label", REGULA_FN(label), REGULA_T_STRING, 2, se, 0);
    opt.host = h;
    CHECK(regula_pack_load_file(path, &opt, &pk, err, sizeof err) == REGULA_OK, "%s", err);
    regula_host_free(h);
    if (!pk)
        return;
    regula_ctx *ctx;
    regula_ctx_new(pk, &ctx);
    int calls = 0;
    regula_ctx_set_userdata(ctx, &calls);
    const char *c3 = "{\"claim_id\": \"N3\", \"person_id\": \"PERSON22\", \"amount\": \"50.00\", \"date\": \"2025-03-01\"}";
    regula_claim_json(ctx, c3, strlen(c3), 3);
    regula_ledger_none(ctx, REGULA_ALL_SCOPES);
    CHECK(regula_settle(ctx) == REGULA_ERR_RUNTIME &&
              strstr(regula_errmsg(ctx), "line 3: host function 'risk_score' failed: no score for PERSON22 at "),
          "%s", regula_errmsg(ctx));
    CHECK(calls == 1, "calls %d", calls);
    const char *c1 = "{\"claim_id\": \"C1\", \"person_id\": \"P1\", \"amount\": \"120.00\", \"date\": \"2024-05-01\"}";
    regula_claim_json(ctx, c1, strlen(c1), 1);
    regula_ledger_none(ctx, REGULA_ALL_SCOPES);
    CHECK(regula_settle(ctx) == REGULA_ERR_RUNTIME &&
              strstr(regula_errmsg(ctx), "host function 'tier_of' returned 2024, which is not a value of its declared type"),
          "%s", regula_errmsg(ctx));
    regula_ctx_free(ctx);
    regula_pack_free(pk);
}

/* ---- allocator and limits ------------------------------------------------------------ */

typedef struct {
    long blocks;
    size_t calls;
} counter;

static void *c_malloc(size_t n, void *ud)
{
    counter *c = ud;
    c->calls++;
    void *p = malloc(n);
    if (p)
        c->blocks++;
    return p;
}

static void *c_realloc(void *p, size_t n, void *ud)
{
    counter *c = ud;
    c->calls++;
    return realloc(p, n);
}

static void c_free(void *p, void *ud)
{
    counter *c = ud;
    if (p)
        c->blocks--;
    free(p);
}

static void test_allocator_limits(void)
{
    counter cnt = {0};
    regula_allocator a = {c_malloc, c_realloc, c_free, &cnt};
    regula_options opt = {.allocator = &a};
    regula_pack *pk = load("seed.rgc", &opt);
    if (!pk)
        return;
    regula_ctx *ctx;
    CHECK(regula_ctx_new(pk, &ctx) == REGULA_OK, "context");
    size_t base = regula_ctx_memory(ctx);
    CHECK(base > 0 && cnt.blocks > 0, "the context's memory came from the allocator (%zu bytes, %ld blocks)", base,
          cnt.blocks);
    regula_ctx_set_explain(ctx, 1);
    CHECK(regula_claim_json(ctx, example_json, strlen(example_json), 1) == REGULA_OK, "%s", regula_errmsg(ctx));
    regula_ledger_none(ctx, REGULA_ALL_SCOPES);
    CHECK(regula_settle(ctx) == REGULA_OK, "%s", regula_errmsg(ctx));
    const char *ex = regula_explain_json(ctx);
    CHECK(ex && strncmp(ex, "{\"policy\": \"LN-CY\", \"steps\": [", 30) == 0, "%s", ex ? ex : "(null)");
    CHECK(regula_result_json(ctx) && strstr(regula_result_json(ctx), "\"explain\": {\"policy\""), "explained result");

    /* the instruction budget */
    regula_ctx_set_limits(ctx, 50, 0);
    regula_claim_json(ctx, example_json, strlen(example_json), 2);
    regula_ledger_none(ctx, REGULA_ALL_SCOPES);
    CHECK(regula_settle(ctx) == REGULA_ERR_BUDGET && strstr(regula_errmsg(ctx), "line 2: instruction budget of 50 exhausted"),
          "%s", regula_errmsg(ctx));

    /* the memory limit: a claim of many items needs more than the context may hold */
    size_t held = regula_ctx_memory(ctx);
    regula_ctx_set_limits(ctx, 0, held + 4096);
    regula_claim_new(ctx);
    regula_status s = REGULA_OK;
    for (int i = 0; i < 5000 && s == REGULA_OK; i++)
        s = regula_claim_add_item(ctx, NULL);
    CHECK(s == REGULA_ERR_MEMORY && regula_ctx_memory(ctx) <= held + 4096, "status %d, %zu bytes", (int)s,
          regula_ctx_memory(ctx));
    regula_ctx_set_limits(ctx, 0, 0); /* and it recovers */
    CHECK(regula_claim_json(ctx, example_json, strlen(example_json), 3) == REGULA_OK, "%s", regula_errmsg(ctx));
    regula_ledger_none(ctx, REGULA_ALL_SCOPES);
    CHECK(regula_settle(ctx) == REGULA_OK, "%s", regula_errmsg(ctx));
    regula_ctx_free(ctx);

    opt.memory_limit = 64;
    regula_pack *small = load("seed.rgc", &opt);
    CHECK(small && regula_ctx_new(small, &ctx) == REGULA_ERR_MEMORY && ctx == NULL, "a context above the limit");
    regula_pack_free(small);
    regula_pack_free(pk);
    CHECK(cnt.blocks == 0, "%ld blocks not freed", cnt.blocks);

    regula_allocator half = {c_malloc, NULL, c_free, &cnt};
    opt.allocator = &half;
    char err[256];
    CHECK(regula_pack_load("x", 1, &opt, &pk, err, sizeof err) == REGULA_ERR_USAGE, "%s", err);
}

int main(int argc, char **argv)
{
    if (argc != 2) {
        fprintf(stderr, "usage: api_test DIR (seed.rgc, extern.rgc, claims and expected results)\n");
        return 2;
    }
    dir = argv[1];
    test_damaged();
    test_signed();
    regula_pack *pk = load("seed.rgc", NULL);
    if (pk) {
        test_batch(pk, "claims.jsonl", "expected.jsonl", 0);
        test_batch(pk, "claims.jsonl", "expected_explain.jsonl", 1);
        test_settle_line(pk, "claims.jsonl", "expected.jsonl");
        test_look_ahead(pk, "claims.jsonl", "expected.jsonl");
        test_definitions(pk);
        test_host_ledger(pk);
        test_builder(pk);
        test_builder_part2(pk);
        test_json_messages(pk);
        test_region(pk);
        regula_pack_free(pk);
    }
    test_region_ledgers();
    test_externs();
    test_update_fails();
    test_first_values_once();
    test_allocator_limits();
    printf("api_test: %d checks, %d failed\n", checks, failures);
    return failures ? 1 : 0;
}
