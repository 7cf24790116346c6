/* tamper_test.c — a pack whose bytes were changed and whose checksum was made
 * right again: every such pack either fails to load or writes only well-typed
 * results. Flips one bit (and, every seventh image, a whole byte) at random
 * places of the seed pack (half in its code, a quarter in its constants)
 * thousands of times, reseals it, and settles claims
 * with each image that loads; every result must be a value of its output's
 * type in that pack: an enumeration's member, a region of the pack, a bool,
 * a calendar day (years 1 to 9999), money as "digits.dd", in a JSON line
 * whose keys are the outputs. Through include/regula.h alone, under ASan+UBSan
 * (`make embed`). Usage: tamper_test SEED.rgc CLAIMS.jsonl [FLIPS [SEED]]. */
#define _POSIX_C_SOURCE 200809L
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include <jansson.h>

#include "pack_checksum.h"
#include "regula.h"

static unsigned long long rng = 5; /* seed 4: the flips under which the verifier of before this test let a
                                     * pack write an enumeration's "reason" that is none of its members */
static unsigned long long next(void)
{
    rng ^= rng << 13;
    rng ^= rng >> 7;
    rng ^= rng << 17;
    return rng;
}

static unsigned char *slurp(const char *path, size_t *len)
{
    FILE *f = fopen(path, "rb");
    if (!f) {
        perror(path);
        exit(2);
    }
    size_t cap = 1 << 16, n = 0, got;
    unsigned char *b = malloc(cap + 1);
    while (b && (got = fread(b + n, 1, cap - n, f)) > 0)
        if ((n += got) == cap && !(b = realloc(b, (cap *= 2) + 1)))
            break;
    fclose(f);
    if (!b) {
        fprintf(stderr, "tamper_test: out of memory\n");
        exit(2);
    }
    b[n] = 0;
    *len = n;
    return b;
}

static void reseal(unsigned char *img, size_t len) /* the checksum of all but the last 8 bytes */
{
    uint64_t h = doc_checksum(img, len - 8);
    memcpy(img + len - 8, &h, 8);
}

/* Where section k's records are in the image (docs/bytecode.md: a 48-byte
 * header, then each section's u32 count, u32 record size and records). */
static void section(const unsigned char *img, size_t len, unsigned k, size_t *at, size_t *n)
{
    size_t pos = 48;
    *at = *n = 0;
    for (unsigned i = 0; i <= k && pos + 8 <= len; i++) {
        unsigned count, size;
        memcpy(&count, img + pos, 4);
        memcpy(&size, img + pos + 4, 4);
        pos += 8;
        if (i == k) {
            *at = pos;
            *n = (size_t)count * size;
        }
        pos += (size_t)count * size;
    }
}

static int digits(const char *s, size_t n)
{
    for (size_t i = 0; i < n; i++)
        if (s[i] < '0' || s[i] > '9')
            return 0;
    return n > 0;
}

/* Is value v of output i, written as j in the result line, a value of its type? */
static const char *ill_typed(const regula_pack *pk, unsigned i, const regula_value *v, const json_t *j)
{
    if (!j)
        return "missing from the line";
    if (!v->present)
        return json_is_null(j) ? NULL : "absent but not null";
    const char *s = json_string_value(j);
    switch (regula_output_type(pk, i)) {
    case REGULA_T_BOOL:
        return (v->i == 0 || v->i == 1) && json_is_boolean(j) ? NULL : "not a bool";
    case REGULA_T_ENUM: /* the member the ordinal names in this pack */
        return v->s && s && strcmp(s, v->s) == 0 ? NULL : "not a member of its enumeration";
    case REGULA_T_REGION:
        return v->s && s && strcmp(s, v->s) == 0 && regula_region_index(pk, s) == (int)v->i ? NULL
                                                                                         : "not a region of the pack";
    case REGULA_T_MONEY: {
        size_t n = s ? strlen(s) : 0, neg = n && s[0] == '-';
        return n >= 4 + neg && s[n - 3] == '.' && digits(s + neg, n - 3 - neg) && digits(s + n - 2, 2)
                   ? NULL : "not money";
    }
    case REGULA_T_DATE: /* YYYY-MM-DD of years 1 .. 9999 */
        return s && strlen(s) == 10 && s[4] == '-' && s[7] == '-' && digits(s, 4) && digits(s + 5, 2) &&
                       digits(s + 8, 2) && strncmp(s, "0000", 4) != 0
                   ? NULL : "not a calendar day";
    case REGULA_T_STRING:
        return v->s && s && strcmp(s, v->s) == 0 ? NULL : "not its string";
    case REGULA_T_INT: case REGULA_T_DURATION:
        return json_is_integer(j) && json_integer_value(j) == v->i ? NULL : "not its number";
    case REGULA_T_PERCENT:
        return json_is_number(j) ? NULL : "not a percentage";
    default:
        return "of no output type";
    }
}

int main(int argc, char **argv)
{
    if (argc < 3) {
        fprintf(stderr, "usage: tamper_test SEED.rgc CLAIMS.jsonl [FLIPS [SEED]]\n");
        return 2;
    }
    long flips = argc > 3 ? atol(argv[3]) : 3000;
    if (argc > 4)
        rng = strtoull(argv[4], NULL, 10) | 1; /* xorshift needs a state other than 0 */
    size_t len, claims_len;
    unsigned char *img = slurp(argv[1], &len), *copy = malloc(len);
    char *claims = (char *)slurp(argv[2], &claims_len);
    if (!copy || len < 64)
        return 2;
    /* most flips in the code and the constants, where a value is made */
    size_t code_at, code_n, consts_at, consts_n;
    section(img, len, 28, &code_at, &code_n);
    section(img, len, 26, &consts_at, &consts_n);
    if (!code_n || !consts_n || code_at + code_n > len - 8 || consts_at + consts_n > len - 8) {
        fprintf(stderr, "tamper_test: %s has no code or constants where docs/bytecode.md puts them\n", argv[1]);
        return 2;
    }
    long loaded = 0, refused = 0, results = 0, bad = 0;
    char err[512];
    for (long k = 0; k < flips; k++) {
        memcpy(copy, img, len);
        unsigned long long where = next();
        size_t pos = where % 4 < 2 ? code_at + (size_t)(next() % code_n)
                     : where % 4 == 2 ? consts_at + (size_t)(next() % consts_n)
                                      : (size_t)(next() % (len - 8)); /* anything but the checksum */
        if (k % 7 == 6)
            copy[pos] = (unsigned char)next();
        else
            copy[pos] ^= (unsigned char)(1u << next() % 8);
        reseal(copy, len);
        regula_pack *pk;
        if (regula_pack_load(copy, len, NULL, &pk, err, sizeof err) != REGULA_OK) {
            refused++;
            continue;
        }
        loaded++;
        regula_ctx *ctx;
        regula_ledger *ledger;
        if (regula_ctx_new(pk, &ctx) != REGULA_OK || regula_ledger_new(pk, &ledger) != REGULA_OK)
            return 2;
        regula_ctx_set_limits(ctx, 200000, 1 << 24);
        long line = 0;
        for (const char *s = claims; *s && line < 12;) {
            const char *nl = strchr(s, '\n');
            size_t n = nl ? (size_t)(nl - s) : strlen(s);
            line++;
            if (regula_claim_json(ctx, s, n, line) == REGULA_OK && regula_ledger_load(ctx, ledger) == REGULA_OK &&
                regula_settle(ctx) == REGULA_OK) {
                regula_ledger_commit(ctx, ledger);
                json_error_t je;
                json_t *obj = json_loads(regula_result_json(ctx), 0, &je);
                if (!json_is_object(obj)) {
                    bad++;
                    fprintf(stderr, "flip %ld at byte %zu, line %ld: not a JSON object: %s\n", k, pos, line,
                            regula_result_json(ctx));
                }
                for (unsigned i = 0; obj && i < regula_output_count(pk); i++) {
                    regula_value v;
                    regula_result(ctx, i, &v);
                    const char *why = ill_typed(pk, i, &v, json_object_get(obj, regula_output_name(pk, i)));
                    results++;
                    if (why) {
                        bad++;
                        fprintf(stderr, "flip %ld at byte %zu, line %ld: result '%s' is %s: %s\n", k, pos, line,
                                regula_output_name(pk, i), why, regula_result_json(ctx));
                    }
                }
                json_decref(obj);
            }
            if (!nl)
                break;
            s = nl + 1;
        }
        regula_ledger_free(ledger);
        regula_ctx_free(ctx);
        regula_pack_free(pk);
    }
    printf("tamper: %ld images, %ld refused, %ld loaded; %ld results checked, %ld ill-typed\n", flips, refused,
           loaded, results, bad);
    free(img);
    free(copy);
    free(claims);
    /* the test must be able to fail: some images load and settle */
    return bad == 0 && loaded > 0 && results > 0 ? 0 : 1;
}
