/* catalog.c — the item catalogs of the regions, loaded from shared/spec/catalog/<region>.csv and
 * overlaid along the extends chain (settlement.md section 4). It must not know policy figures. */
#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "settle.h"

/* Every code of any catalog is interned once; entry[code * R_COUNT + region] is the line
 * in force for that code in that treatment region (cls CLS_NONE when none). */
struct catalogs {
    uint32_t ncodes, capcodes;
    char **code;
    uint32_t *code_len;
    cat_entry_t *entry;
    uint32_t *slot;            /* open addressing: code index + 1, 0 = empty */
    uint32_t nslots;           /* a power of two */
};

static const cat_entry_t NO_ENTRY = { CLS_NONE, 0, -1 };

static uint32_t hash_bytes(const char *s, size_t n)
{
    uint32_t h = 2166136261u;  /* FNV-1a */
    for (size_t i = 0; i < n; i++)
        h = (h ^ (unsigned char)s[i]) * 16777619u;
    return h;
}

const cat_entry_t *catalogs_find(const catalogs_t *c, int r, const char *code, size_t len)
{
    const uint32_t mask = c->nslots - 1;
    for (uint32_t i = hash_bytes(code, len) & mask;; i = (i + 1) & mask) {
        const uint32_t k = c->slot[i];
        if (k == 0)
            return &NO_ENTRY;
        if (c->code_len[k - 1] == len && memcmp(c->code[k - 1], code, len) == 0)
            return &c->entry[(size_t)(k - 1) * R_COUNT + (size_t)r];
    }
}

static void rehash(catalogs_t *c)
{
    free(c->slot);
    c->slot = calloc(c->nslots, sizeof *c->slot);
    if (!c->slot)
        abort();
    for (uint32_t k = 0; k < c->ncodes; k++) {
        uint32_t i = hash_bytes(c->code[k], c->code_len[k]) & (c->nslots - 1);
        while (c->slot[i])
            i = (i + 1) & (c->nslots - 1);
        c->slot[i] = k + 1;
    }
}

static uint32_t intern(catalogs_t *c, const char *code, size_t len)
{
    const cat_entry_t *e = catalogs_find(c, 0, code, len);
    if (e != &NO_ENTRY)
        return (uint32_t)((e - c->entry) / R_COUNT);
    if (c->ncodes == c->capcodes) {
        c->capcodes = c->capcodes ? c->capcodes * 2 : 64;
        c->code = realloc(c->code, c->capcodes * sizeof *c->code);
        c->code_len = realloc(c->code_len, c->capcodes * sizeof *c->code_len);
        c->entry = realloc(c->entry, (size_t)c->capcodes * R_COUNT * sizeof *c->entry);
        if (!c->code || !c->code_len || !c->entry)
            abort();
    }
    const uint32_t k = c->ncodes++;
    c->code[k] = malloc(len + 1);
    if (!c->code[k])
        abort();
    memcpy(c->code[k], code, len);
    c->code[k][len] = 0;
    c->code_len[k] = (uint32_t)len;
    for (int r = 0; r < R_COUNT; r++)
        c->entry[(size_t)k * R_COUNT + (size_t)r] = NO_ENTRY;
    if (c->ncodes * 2 > c->nslots) {
        c->nslots *= 2;
        rehash(c);
    } else {
        uint32_t i = hash_bytes(code, len) & (c->nslots - 1);
        while (c->slot[i])
            i = (i + 1) & (c->nslots - 1);
        c->slot[i] = k + 1;
    }
    return k;
}

/* ---- CSV ------------------------------------------------------------------ */

#define NFIELDS 5

/* Splits one CSV record (RFC 4180 quoting) in place; returns the number of fields. */
static int split_csv(char *s, char **field, int max)
{
    int n = 0;
    for (;;) {
        char *out = s, *start = s;
        if (*s == '"') {
            s++;
            for (;;) {
                if (*s == 0)
                    break;
                if (*s == '"') {
                    if (s[1] == '"') { *out++ = '"'; s += 2; continue; }
                    s++;
                    break;
                }
                *out++ = *s++;
            }
            while (*s && *s != ',')
                s++;
        } else {
            while (*s && *s != ',')
                *out++ = *s++;
        }
        const char sep = *s;
        *out = 0;
        if (n < max)
            field[n] = start;
        n++;
        if (sep == 0)
            return n;
        s++;
    }
}

/* "123", "123.4", "123.45" to fen; -1 if malformed. */
static fen_t parse_money(const char *s)
{
    fen_t v = 0;
    int i = 0, frac = 0;
    if (!(s[0] >= '0' && s[0] <= '9'))
        return -1;
    for (; s[i] >= '0' && s[i] <= '9'; i++) {
        if (v > AMOUNT_MAX / 10)
            return -1;
        v = v * 10 + (s[i] - '0');
    }
    v *= 100;
    if (s[i] == '.') {
        i++;
        int k = 0;
        for (; s[i] >= '0' && s[i] <= '9' && k < 2; i++, k++)
            frac = frac * 10 + (s[i] - '0');
        if (k == 0)
            return -1;
        if (k == 1)
            frac *= 10;
    }
    return s[i] == 0 ? v + frac : -1;
}

/* Reads DIR/CODE.csv into the entries of column R (no overlay yet).
 * Returns 1 loaded, 0 no such file, -1 error. */
static int load_file(catalogs_t *c, const char *dir, int r, char *err, size_t errlen)
{
    char path[4096];
    snprintf(path, sizeof path, "%s/%s.csv", dir, region_code[r]);
    FILE *f = fopen(path, "rb");
    if (!f) {
        if (errno == ENOENT)
            return 0;
        snprintf(err, errlen, "%s: %s", path, strerror(errno));
        return -1;
    }
    char *line = NULL;
    size_t cap = 0;
    ssize_t n;
    long lineno = 0;
    int rc = 1;
    while ((n = getline(&line, &cap, f)) >= 0) {
        lineno++;
        while (n > 0 && (line[n - 1] == '\n' || line[n - 1] == '\r'))
            line[--n] = 0;
        if (lineno == 1 && n >= 3 && memcmp(line, "\xEF\xBB\xBF", 3) == 0)
            memmove(line, line + 3, (size_t)(n -= 3) + 1);
        if (n == 0)
            continue;
        char *fld[NFIELDS];
        const int nf = split_csv(line, fld, NFIELDS);
        if (lineno == 1 && strcmp(fld[0], "code") == 0)
            continue;      /* the header */
        if (nf != NFIELDS || fld[0][0] == 0) {
            snprintf(err, errlen, "%s:%ld: expected 5 fields: code,name,class,selfpay_pct,price_cap",
                     path, lineno);
            rc = -1;
            break;
        }
        cat_entry_t e = { CLS_NONE, 10, -1 };   /* class B: 10% by default */
        if (strcmp(fld[2], "A") == 0)
            e.cls = CLS_A;
        else if (strcmp(fld[2], "B") == 0)
            e.cls = CLS_B;
        else if (strcmp(fld[2], "C") == 0)
            e.cls = CLS_C;
        else {
            snprintf(err, errlen, "%s:%ld: class must be A, B or C", path, lineno);
            rc = -1;
            break;
        }
        if (fld[3][0]) {
            char *end;
            errno = 0;
            const long p = strtol(fld[3], &end, 10);
            if (*end || errno || p < 0 || p > 100) {
                snprintf(err, errlen, "%s:%ld: selfpay_pct must be a whole percent 0..100",
                         path, lineno);
                rc = -1;
                break;
            }
            e.share = (uint8_t)p;
        }
        if (fld[4][0] && (e.cap = parse_money(fld[4])) < 0) {
            snprintf(err, errlen, "%s:%ld: malformed price_cap '%s'", path, lineno, fld[4]);
            rc = -1;
            break;
        }
        const uint32_t k = intern(c, fld[0], strlen(fld[0]));
        c->entry[(size_t)k * R_COUNT + (size_t)r] = e;  /* a later line replaces an earlier one */
    }
    free(line);
    fclose(f);
    return rc;
}

catalogs_t *catalogs_load(const char *dir, char *err, size_t errlen)
{
    catalogs_t *c = calloc(1, sizeof *c);
    if (!c)
        abort();
    c->nslots = 256;
    rehash(c);

    /* First each region's own file into c->entry (column r = the file of r only). */
    bool have[R_COUNT] = { false };
    for (int r = 0; r < R_COUNT; r++) {
        const int rc = load_file(c, dir, r, err, errlen);
        if (rc < 0) {
            catalogs_free(c);
            return NULL;
        }
        have[r] = rc == 1;
    }
    if (!have[R_CN]) {
        snprintf(err, errlen, "%s/CN.csv: no such file (the national catalog is required)", dir);
        catalogs_free(c);
        return NULL;
    }

    /* Then overlay: the catalog of r is its chain's files, root first. */
    cat_entry_t *own = malloc((size_t)c->ncodes * R_COUNT * sizeof *own);
    if (!own)
        abort();
    memcpy(own, c->entry, (size_t)c->ncodes * R_COUNT * sizeof *own);
    for (int r = 0; r < R_COUNT; r++) {
        int chain[R_COUNT], n = 0;
        for (int x = r; x >= 0; x = region_parent[x])
            chain[n++] = x;
        for (uint32_t k = 0; k < c->ncodes; k++) {
            cat_entry_t e = NO_ENTRY;
            for (int i = n - 1; i >= 0; i--) {
                const cat_entry_t *o = &own[(size_t)k * R_COUNT + (size_t)chain[i]];
                if (o->cls != CLS_NONE)
                    e = *o;
            }
            c->entry[(size_t)k * R_COUNT + (size_t)r] = e;
        }
    }
    free(own);
    return c;
}

void catalogs_free(catalogs_t *c)
{
    if (!c)
        return;
    for (uint32_t k = 0; k < c->ncodes; k++)
        free(c->code[k]);
    free(c->code);
    free(c->code_len);
    free(c->entry);
    free(c->slot);
    free(c);
}
