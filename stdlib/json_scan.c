/* json_scan.c — the claim reader's JSON side: one pass over a line that checks it is JSON and, led by the program's claim schema, leaves a flat tape of where each value the schema reads lies; the text of a value as Python's json.dumps writes it, for messages.
 * Must not bind or judge a field (claim_json.c does, from the tape), build a tree, allocate once warm, or recurse on the input's nesting; must not know the seed pack: keys come from the program's schema. */
#include <errno.h>
#include <math.h>
#include <stdbool.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "rg_stdlib.h"
#if defined(__SSE2__)
#include <emmintrin.h>
#endif

/* ---- the reader ---------------------------------------------------------------------- *
 * Schema nodes: node 0 is the claim object, node f + 1 the object of field f
 * (a record, or an element of list f). A node's children are the fields whose
 * parent it is, in declaration order; an object read at a node gets a member
 * table of one tape index a child. */

#define NONE RG_NO_INDEX

/* What the value about to be read is for: a field (>= 0), the claim (W_ROOT),
 * the root's claim_id when the schema has no such field (W_CLAIM_ID), the
 * object of an element of list L (W_ELEM - L), or nothing (W_SKIP: checked,
 * not kept). */
#define W_SKIP (-1)
#define W_ROOT (-2)
#define W_CLAIM_ID (-3)
#define W_ELEM (-4)

typedef struct {
    uint32_t off, len;  /* a key the schema does not read: its text (line or scratch) */
    uint32_t hash;
    uint8_t esc;
} ukey;

typedef struct {
    uint32_t val;       /* its tape index, or NONE when it is not kept */
    int32_t node;       /* object: its schema node, -1 none; array: its list field, -1 none */
    uint32_t members;   /* object at a node: its member table */
    uint32_t cursor;    /* object at a node: the child expected next */
    uint32_t keys;      /* the first of its unknown keys in r->keys */
    uint32_t ktab, kcap; /* object: a hash index of its unknown keys (r->ktab), kcap 0 while there is none */
    uint32_t last;      /* array kept: its last element */
    uint8_t is_obj;
} frame;

struct rg_claim_reader {
    const rg_program *p;
    rg_alloc alloc;
    /* the schema, indexed once */
    uint32_t n_nodes;
    uint32_t *kids_first, *kids_n, *kids; /* per node: its children (field indexes) */
    const char **kid_key;                 /* beside kids: each child's key text and length */
    uint32_t *kid_len;
    uint32_t *pos;                        /* per field: its place among its parent's children */
    uint32_t root_claim_id;               /* the claim node's child keyed "claim_id", or NONE */
    uint32_t *regions;                    /* the policies by name: open addressing, region_mask + 1 slots */
    uint32_t region_mask;
    /* one line's */
    const char *line;
    size_t len;
    rg_jv *v;
    uint32_t n_v, cap_v;
    uint32_t *mt;
    uint32_t n_mt, cap_mt;
    char *scr;
    uint32_t n_scr, cap_scr;
    ukey *keys;
    uint32_t n_keys, cap_keys;
    uint32_t *ktab;
    uint32_t n_ktab, cap_ktab;
    frame *stack;
    uint32_t cap_stack;
    uint32_t root, claim_id;
    int oom;
    /* the first problem */
    char *err;
    size_t errlen;
};

static void *mem(rg_claim_reader *r, void *ptr, size_t size)
{
    return rg_mem(&r->alloc, ptr, size);
}

/* Room for `more` more elements of size sz in *arr (of *cap): 0, or -1 (oom set). */
static int grow_arr(rg_claim_reader *r, void **arr, uint32_t *cap, uint32_t used, uint32_t more, size_t sz)
{
    if ((uint64_t)used + more <= *cap)
        return 0;
    uint64_t c = *cap ? *cap : 64;
    while (c < (uint64_t)used + more)
        c *= 2;
    if (c > UINT32_MAX / 2 || c * sz > SIZE_MAX / 2) {
        r->oom = 1;
        return -1;
    }
    void *n = mem(r, *arr, (size_t)c * sz);
    if (!n) {
        r->oom = 1;
        return -1;
    }
    *arr = n;
    *cap = (uint32_t)c;
    return 0;
}

static inline uint32_t name_hash(const char *s, uint32_t n)
{
    uint32_t h = 2166136261u;
    for (uint32_t i = 0; i < n; i++)
        h = (h ^ (unsigned char)s[i]) * 16777619u;
    return h;
}

void rg_claim_reader_free(rg_claim_reader *r)
{
    if (!r)
        return;
    void *arrays[] = {r->kids_first, r->kids_n, r->kids, r->kid_key, r->kid_len, r->pos, r->v, r->mt, r->scr, r->keys,
                      r->ktab, r->stack, r->regions};
    for (size_t i = 0; i < sizeof arrays / sizeof *arrays; i++)
        if (arrays[i])
            mem(r, arrays[i], 0);
    rg_alloc a = r->alloc;
    rg_mem(&a, r, 0);
}

rg_claim_reader *rg_claim_reader_new(const rg_program *p, const rg_alloc *alloc)
{
    rg_alloc a = alloc ? *alloc : (rg_alloc){NULL, NULL};
    rg_claim_reader *r = rg_mem(&a, NULL, sizeof *r);
    if (!r)
        return NULL;
    memset(r, 0, sizeof *r);
    r->p = p;
    r->alloc = a;
    r->root_claim_id = NONE;
    uint32_t nf = p ? p->n_fields : 0;
    r->n_nodes = nf + 1;
    r->kids_first = mem(r, NULL, r->n_nodes * sizeof *r->kids_first);
    r->kids_n = mem(r, NULL, r->n_nodes * sizeof *r->kids_n);
    r->kids = mem(r, NULL, (nf + 1) * sizeof *r->kids);
    r->kid_key = mem(r, NULL, (nf + 1) * sizeof *r->kid_key);
    r->kid_len = mem(r, NULL, (nf + 1) * sizeof *r->kid_len);
    r->pos = mem(r, NULL, (nf + 1) * sizeof *r->pos);
    if (!r->kids_first || !r->kids_n || !r->kids || !r->kid_key || !r->kid_len || !r->pos) {
        rg_claim_reader_free(r);
        return NULL;
    }
    memset(r->kids_n, 0, r->n_nodes * sizeof *r->kids_n);
    /* a verified program's parents come before their children */
    for (uint32_t j = 0; j < nf; j++) {
        int32_t par = p->fields[j].parent;
        uint32_t node = par < 0 || (uint32_t)par >= j ? 0 : (uint32_t)par + 1;
        r->pos[j] = r->kids_n[node]++;
    }
    uint32_t at = 0;
    for (uint32_t n = 0; n < r->n_nodes; n++) {
        r->kids_first[n] = at;
        at += r->kids_n[n];
    }
    for (uint32_t j = 0; j < nf; j++) {
        int32_t par = p->fields[j].parent;
        uint32_t node = par < 0 || (uint32_t)par >= j ? 0 : (uint32_t)par + 1;
        r->kids[r->kids_first[node] + r->pos[j]] = j;
        uint32_t key = p->fields[j].key < p->n_strings ? p->fields[j].key : 0;
        r->kid_key[r->kids_first[node] + r->pos[j]] = p->n_strings ? p->str[key] : "";
        r->kid_len[r->kids_first[node] + r->pos[j]] = p->n_strings ? p->strings[key].len : 0;
        if (node == 0 && p->fields[j].key < p->n_strings && strcmp(p->str[p->fields[j].key], "claim_id") == 0)
            r->root_claim_id = j;
    }
    /* regions by name, at most half full */
    uint32_t np = p ? p->n_policies : 0, slots = 16;
    while (slots < np * 2)
        slots *= 2;
    if (!(r->regions = mem(r, NULL, slots * sizeof *r->regions))) {
        rg_claim_reader_free(r);
        return NULL;
    }
    memset(r->regions, 0xff, slots * sizeof *r->regions);
    r->region_mask = slots - 1;
    for (uint32_t i = 0; i < np; i++) {
        const char *name = p->str[p->policies[i].name];
        uint32_t len = p->strings[p->policies[i].name].len, slot = name_hash(name, len) & r->region_mask;
        while (r->regions[slot] != NONE)
            slot = (slot + 1) & r->region_mask;
        r->regions[slot] = i;
    }
    if (grow_arr(r, (void **)&r->stack, &r->cap_stack, 0, 16, sizeof *r->stack) ||
        grow_arr(r, (void **)&r->v, &r->cap_v, 0, 64, sizeof *r->v) ||
        grow_arr(r, (void **)&r->mt, &r->cap_mt, 0, 64, sizeof *r->mt) ||
        grow_arr(r, (void **)&r->scr, &r->cap_scr, 0, 256, 1)) {
        rg_claim_reader_free(r);
        return NULL;
    }
    return r;
}

/* ---- errors: "<what> near '<token>' (column N)", as jansson words them ---------------- */

/* Characters (UTF-8 lead bytes) of the line up to byte `end`. */
static size_t column_of(const rg_claim_reader *r, size_t end)
{
    size_t col = 0;
    for (size_t i = 0; i < end && i < r->len; i++)
        col += ((unsigned char)r->line[i] & 0xC0) != 0x80;
    return col;
}

/* The problem WHAT, the token being read at [tok, tok_end) (tok_end == tok:
 * at the end of the input), the column counted to byte col_end. Returns -1. */
static int fail(rg_claim_reader *r, const char *what, size_t tok, size_t tok_end, size_t col_end)
{
    if (!r->err || !r->errlen)
        return -1;
    rg_sb b;
    rg_sb_fixed(&b, r->err, r->errlen);
    rg_sb_puts(&b, what);
    if (tok_end > tok) {
        if (tok_end - tok <= 20) {
            rg_sb_puts(&b, " near '");
            /* the token as valid UTF-8 (a bad byte as '?'), for the error line */
            const unsigned char *u = (const unsigned char *)r->line + tok;
            size_t n = tok_end - tok, i = 0;
            while (i < n) {
                unsigned char c = u[i];
                size_t need = c < 0x80 ? 1 : (c >= 0xC2 && c <= 0xDF) ? 2 : (c >= 0xE0 && c <= 0xEF) ? 3
                                            : (c >= 0xF0 && c <= 0xF4) ? 4 : 0;
                bool ok = need > 0 && i + need <= n;
                for (size_t k = 1; ok && k < need; k++)
                    ok = (u[i + k] & 0xC0) == 0x80;
                if (ok && need == 3 && ((c == 0xE0 && u[i + 1] < 0xA0) || (c == 0xED && u[i + 1] >= 0xA0)))
                    ok = false;
                if (ok && need == 4 && ((c == 0xF0 && u[i + 1] < 0x90) || (c == 0xF4 && u[i + 1] >= 0x90)))
                    ok = false;
                if (ok && c == 0) {
                    rg_sb_puts(&b, "\\u0000"); /* a NUL would end the message */
                    i++;
                } else if (ok) {
                    rg_sb_put(&b, (const char *)u + i, need);
                    i += need;
                } else {
                    rg_sb_put(&b, "?", 1);
                    i++;
                }
            }
            rg_sb_puts(&b, "'");
        }
    } else {
        rg_sb_puts(&b, " near end of file");
    }
    rg_sb_printf(&b, " (column %zu)", column_of(r, col_end));
    return -1;
}

/* The end of the token that starts at i, for a message: a whole string, a
 * number, a word, or one UTF-8 character. */
static size_t token_end(const rg_claim_reader *r, size_t i)
{
    const unsigned char *s = (const unsigned char *)r->line;
    if (i >= r->len)
        return i;
    size_t j = i;
    if (s[i] == '"') {
        for (j = i + 1; j < r->len && s[j] != '"'; j++)
            if (s[j] == '\\')
                j++;
        return j < r->len ? j + 1 : r->len;
    }
    if (s[i] == '-' || (s[i] >= '0' && s[i] <= '9')) {
        while (j < r->len && ((s[j] >= '0' && s[j] <= '9') || s[j] == '-' || s[j] == '+' || s[j] == '.' ||
                              s[j] == 'e' || s[j] == 'E'))
            j++;
        return j;
    }
    while (j < r->len && ((s[j] | 0x20) >= 'a' && (s[j] | 0x20) <= 'z'))
        j++;
    if (j > i)
        return j;
    j = i + 1;
    while (j < r->len && j < i + 4 && (s[j] & 0xC0) == 0x80)
        j++;
    return j;
}

/* ---- strings --------------------------------------------------------------------------- */

/* Bytes a string holds as they are: not '"', '\\', a control character or a
 * byte of a multi-byte UTF-8 character. */
static const uint8_t plain_byte[256] = {
#define R4(x) x, x, x, x
#define R16(x) R4(x), R4(x), R4(x), R4(x)
    R16(0), R16(0),                                  /* 0x00 - 0x1f */
    1, 1, 0, 1, 1, 1, 1, 1, 1, 1, 1, 1, 1, 1, 1, 1,  /* 0x20 - 0x2f: '"' */
    R16(1), R16(1),                                  /* 0x30 - 0x4f */
    1, 1, 1, 1, 1, 1, 1, 1, 1, 1, 1, 1, 0, 1, 1, 1,  /* 0x50 - 0x5f: '\\' */
    R16(1), R16(1),                                  /* 0x60 - 0x7f */
    R16(0), R16(0), R16(0), R16(0), R16(0), R16(0), R16(0), R16(0),
#undef R16
#undef R4
};

/* The first byte at or after i that is not plain (n when none). Sixteen
 * bytes a step where SSE2 is (every x86-64), eight elsewhere; the rest one by
 * one, never reading past n. */
static inline size_t skip_plain(const unsigned char *s, size_t i, size_t n)
{
#if defined(__SSE2__)
    const __m128i quote = _mm_set1_epi8('"'), bslash = _mm_set1_epi8('\\'), space = _mm_set1_epi8(0x20);
    while (i + 16 <= n) {
        __m128i v = _mm_loadu_si128((const __m128i *)(const void *)(s + i));
        /* signed: below 0x20 is a control character, below 0 a byte of 0x80 or more */
        __m128i hit = _mm_or_si128(_mm_or_si128(_mm_cmpeq_epi8(v, quote), _mm_cmpeq_epi8(v, bslash)),
                                   _mm_cmplt_epi8(v, space));
        unsigned m = (unsigned)_mm_movemask_epi8(hit);
        if (m)
            return i + (unsigned)__builtin_ctz(m);
        i += 16;
    }
#endif
    const uint64_t ones = 0x0101010101010101ull, highs = 0x8080808080808080ull;
    while (i + 8 <= n) {
        uint64_t w;
        memcpy(&w, s + i, 8);
        uint64_t q = w ^ (ones * '"'), b = w ^ (ones * '\\');
        /* a byte that is zero after the xor, below 0x20, or above 0x7f: the
         * lowest flag is exact (borrows only move flags upward) */
        uint64_t m = ((q - ones) & ~q) | ((b - ones) & ~b) | ((w - ones * 0x20) & ~w) | w;
        m &= highs;
        if (m)
            return i + ((unsigned)__builtin_ctzll(m) >> 3);
        i += 8;
    }
    while (i < n && plain_byte[s[i]])
        i++;
    return i;
}

/* The length of the valid UTF-8 character at s[i] (its first byte >= 0x80), or 0. */
static inline size_t utf8_char(const unsigned char *s, size_t i, size_t n)
{
    unsigned char c = s[i];
    size_t need = (c >= 0xC2 && c <= 0xDF) ? 2 : (c >= 0xE0 && c <= 0xEF) ? 3 : (c >= 0xF0 && c <= 0xF4) ? 4 : 0;
    if (!need || i + need > n)
        return 0;
    for (size_t k = 1; k < need; k++)
        if ((s[i + k] & 0xC0) != 0x80)
            return 0;
    if (need == 3 && ((c == 0xE0 && s[i + 1] < 0xA0) || (c == 0xED && s[i + 1] >= 0xA0)))
        return 0; /* overlong; a surrogate */
    if (need == 4 && ((c == 0xF0 && s[i + 1] < 0x90) || (c == 0xF4 && s[i + 1] >= 0x90)))
        return 0; /* overlong; beyond U+10FFFF */
    return need;
}

static inline int hexval(unsigned char c)
{
    if (c >= '0' && c <= '9')
        return c - '0';
    c |= 0x20;
    return c >= 'a' && c <= 'f' ? c - 'a' + 10 : -1;
}

static inline int put_scr(rg_claim_reader *r, const char *s, size_t n)
{
    if (n > UINT32_MAX - r->n_scr || grow_arr(r, (void **)&r->scr, &r->cap_scr, r->n_scr, (uint32_t)n + 1, 1))
        return -1;
    memcpy(r->scr + r->n_scr, s, n);
    r->n_scr += (uint32_t)n;
    return 0;
}

/* Code point cp as UTF-8 into the scratch. */
static int put_cp(rg_claim_reader *r, uint32_t cp)
{
    char u[4];
    size_t n;
    if (cp < 0x80) {
        u[0] = (char)cp;
        n = 1;
    } else if (cp < 0x800) {
        u[0] = (char)(0xC0 | cp >> 6);
        u[1] = (char)(0x80 | (cp & 0x3F));
        n = 2;
    } else if (cp < 0x10000) {
        u[0] = (char)(0xE0 | cp >> 12);
        u[1] = (char)(0x80 | (cp >> 6 & 0x3F));
        u[2] = (char)(0x80 | (cp & 0x3F));
        n = 3;
    } else {
        u[0] = (char)(0xF0 | cp >> 18);
        u[1] = (char)(0x80 | (cp >> 12 & 0x3F));
        u[2] = (char)(0x80 | (cp >> 6 & 0x3F));
        u[3] = (char)(0x80 | (cp & 0x3F));
        n = 4;
    }
    return put_scr(r, u, n);
}

typedef struct {
    uint32_t start, len; /* its text: in the line, or (esc) in the scratch */
    uint8_t esc, nul;
} str_t;

/* The string whose opening quote is at *at: checked, decoded when it has
 * escapes; *at moves past its closing quote. -1 after a message (or oom). */
static int scan_string_slow(rg_claim_reader *r, size_t *at, str_t *out);

/* Most strings hold plain bytes only: those are read here, inline; any other
 * goes the whole way again (scan_string_slow). */
static inline int scan_string(rg_claim_reader *r, size_t *at, str_t *out)
{
    const unsigned char *s = (const unsigned char *)r->line;
    size_t q = *at, i = skip_plain(s, q + 1, r->len);
    if (i < r->len && s[i] == '"') {
        out->esc = out->nul = 0;
        out->start = (uint32_t)(q + 1);
        out->len = (uint32_t)(i - q - 1);
        *at = i + 1;
        return 0;
    }
    return scan_string_slow(r, at, out);
}

static int scan_string_slow(rg_claim_reader *r, size_t *at, str_t *out)
{
    const unsigned char *s = (const unsigned char *)r->line;
    const size_t n = r->len, q = *at;
    size_t i = q + 1, run = i;
    out->esc = out->nul = 0;
    uint32_t scr0 = 0;
    for (;;) {
        i = skip_plain(s, i, n);
        if (i >= n)
            return fail(r, "premature end of input", q, n, n);
        unsigned char c = s[i];
        if (c == '"')
            break;
        if (c >= 0x80) {
            size_t k = utf8_char(s, i, n);
            if (!k) {
                char what[48];
                snprintf(what, sizeof what, "unable to decode byte 0x%x", c);
                return fail(r, what, q, i, i);
            }
            i += k;
            continue;
        }
        if (c < 0x20) {
            char what[48];
            if (c == '\n')
                snprintf(what, sizeof what, "unexpected newline");
            else
                snprintf(what, sizeof what, "control character 0x%x", c);
            return fail(r, what, q, i, i);
        }
        /* a backslash: from here the text is decoded into the scratch */
        if (!out->esc) {
            out->esc = 1;
            scr0 = r->n_scr;
        }
        if (put_scr(r, (const char *)s + run, i - run))
            return -1;
        if (i + 1 >= n)
            return fail(r, "premature end of input", q, n, n);
        unsigned char e = s[i + 1];
        const char *simple = NULL;
        switch (e) {
        case '"': simple = "\""; break;
        case '\\': simple = "\\"; break;
        case '/': simple = "/"; break;
        case 'b': simple = "\b"; break;
        case 'f': simple = "\f"; break;
        case 'n': simple = "\n"; break;
        case 'r': simple = "\r"; break;
        case 't': simple = "\t"; break;
        case 'u': break;
        default: return fail(r, "invalid escape", q, i + 2 <= n ? i + 2 : n, i + 2 <= n ? i + 2 : n);
        }
        if (simple) {
            if (put_scr(r, simple, 1))
                return -1;
            i += 2;
            run = i;
            continue;
        }
        /* \uXXXX, and a surrogate pair's second half */
        uint32_t cp = 0;
        for (int k = 0; k < 4; k++) {
            int h = i + 2 + (size_t)k < n ? hexval(s[i + 2 + (size_t)k]) : -1;
            if (h < 0) {
                size_t bad = i + 2 + (size_t)k < n ? i + 3 + (size_t)k : n;
                return fail(r, "invalid escape", q, bad, bad);
            }
            cp = cp << 4 | (uint32_t)h;
        }
        i += 6;
        if (cp >= 0xD800 && cp <= 0xDBFF) {
            uint32_t lo = 0;
            int ok = i + 6 <= n && s[i] == '\\' && s[i + 1] == 'u';
            for (int k = 0; ok && k < 4; k++) {
                int h = hexval(s[i + 2 + (size_t)k]);
                ok = h >= 0;
                lo = lo << 4 | (uint32_t)(h < 0 ? 0 : h);
            }
            if (!ok || lo < 0xDC00 || lo > 0xDFFF) {
                char what[64];
                if (ok)
                    snprintf(what, sizeof what, "invalid Unicode '\\u%04X\\u%04X'", cp, lo);
                else
                    snprintf(what, sizeof what, "invalid Unicode '\\u%04X'", cp);
                size_t end = token_end(r, q); /* the whole string, as a lexer reports it */
                return fail(r, what, q, end, end);
            }
            cp = 0x10000 + ((cp - 0xD800) << 10) + (lo - 0xDC00);
            i += 6;
        } else if (cp >= 0xDC00 && cp <= 0xDFFF) {
            char what[48];
            snprintf(what, sizeof what, "invalid Unicode '\\u%04X'", cp);
            size_t end = token_end(r, q);
            return fail(r, what, q, end, end);
        }
        if (cp == 0)
            out->nul = 1;
        if (put_cp(r, cp))
            return -1;
        run = i;
    }
    if (out->esc) {
        if (put_scr(r, (const char *)s + run, i - run))
            return -1;
        r->scr[r->n_scr] = '\0';
        out->start = scr0;
        out->len = r->n_scr - scr0;
        r->n_scr++; /* the NUL stays: texts in the scratch end like the line's do not */
    } else {
        out->start = (uint32_t)(q + 1);
        out->len = (uint32_t)(i - q - 1);
    }
    *at = i + 1;
    return 0;
}

/* ---- numbers --------------------------------------------------------------------------- */

/* Can the real t[0 .. n) (JSON's grammar) be beyond a double's range? No
 * when its first significant digit weighs at most 10^300: most reals are
 * judged without strtod. */
static int real_may_overflow(const unsigned char *t, size_t n)
{
    size_t i = t[0] == '-', int_digits = 0, lead_zeros = 0;
    int seen = 0;
    for (; i < n && t[i] >= '0' && t[i] <= '9'; i++, int_digits++)
        if (!seen && t[i] == '0')
            lead_zeros++;
        else
            seen = 1;
    while (i < n && t[i] != 'e' && t[i] != 'E')
        i++;
    long long e = 0;
    if (i < n) {
        i++;
        int neg = t[i] == '-';
        if (t[i] == '+' || t[i] == '-')
            i++;
        for (; i < n; i++)
            if (e < 100000)
                e = e * 10 + (t[i] - '0');
        if (neg)
            e = -e;
    }
    /* the first significant digit of the integer part weighs 10^(int_digits - lead_zeros - 1 + e);
     * a fraction's only less */
    return (long long)int_digits - (long long)lead_zeros - 1 + e > 300;
}

/* The number at *at (its first byte '-' or a digit): checked; *at moves past
 * it; flags RG_JV_INT and RG_JV_NEG. -1 after a message. */
static int scan_number(rg_claim_reader *r, size_t *at, uint8_t *flags)
{
    const unsigned char *s = (const unsigned char *)r->line;
    const size_t n = r->len, st = *at;
    size_t i = st;
    *flags = RG_JV_INT;
    if (s[i] == '-') {
        *flags |= RG_JV_NEG;
        i++;
    }
    if (i < n && s[i] == '0') {
        i++;
        if (i < n && s[i] >= '0' && s[i] <= '9')
            return fail(r, "invalid token", st, i, i);
    } else if (i < n && s[i] >= '1' && s[i] <= '9') {
        while (i < n && s[i] >= '0' && s[i] <= '9')
            i++;
    } else {
        return fail(r, "invalid token", st, i, i);
    }
    if (i < n && s[i] == '.') {
        *flags &= (uint8_t)~RG_JV_INT;
        i++;
        if (!(i < n && s[i] >= '0' && s[i] <= '9'))
            return fail(r, "invalid token", st, i, i);
        while (i < n && s[i] >= '0' && s[i] <= '9')
            i++;
    }
    if (i < n && (s[i] == 'e' || s[i] == 'E')) {
        *flags &= (uint8_t)~RG_JV_INT;
        i++;
        if (i < n && (s[i] == '+' || s[i] == '-'))
            i++;
        if (!(i < n && s[i] >= '0' && s[i] <= '9'))
            return fail(r, "invalid token", st, i, i);
        while (i < n && s[i] >= '0' && s[i] <= '9')
            i++;
    }
    if (!(*flags & RG_JV_INT) && real_may_overflow(s + st, i - st)) {
        /* beyond a double's range: refused, as the JSON parsers of other readers may */
        char small[64], *buf = small;
        size_t len = i - st;
        if (len >= sizeof small && !(buf = mem(r, NULL, len + 1))) {
            r->oom = 1;
            return -1;
        }
        memcpy(buf, s + st, len);
        buf[len] = '\0';
        errno = 0;
        double d = strtod(buf, NULL);
        int over = errno == ERANGE && isinf(d);
        if (buf != small)
            mem(r, buf, 0);
        if (over)
            return fail(r, "real number overflow", st, i, i);
    }
    *at = i;
    return 0;
}

/* ---- keys the schema does not read: duplicates ------------------------------------------ */

static inline uint32_t key_hash(const char *s, uint32_t n)
{
    uint32_t h = 2166136261u;
    for (uint32_t i = 0; i < n; i++)
        h = (h ^ (unsigned char)s[i]) * 16777619u;
    return h;
}

static inline const char *ukey_text(const rg_claim_reader *r, const ukey *k)
{
    return (k->esc ? r->scr : r->line) + k->off;
}

static inline int same_key(const rg_claim_reader *r, const ukey *a, const char *t, uint32_t n, uint32_t h)
{
    return a->hash == h && a->len == n && memcmp(ukey_text(r, a), t, n) == 0;
}

/* Puts key index k of frame f into its hash index (which has room). */
static void ktab_put(rg_claim_reader *r, const frame *f, uint32_t k)
{
    uint32_t mask = f->kcap - 1, i = r->keys[k].hash & mask;
    while (r->ktab[f->ktab + i] != NONE)
        i = (i + 1) & mask;
    r->ktab[f->ktab + i] = k;
}

#define KTAB_FROM 16 /* an object's unknown keys are compared one by one below this many */

/* Records the unknown key t[0 .. n) of the object of frame f: 1 when it is
 * the object's second such key, 0 when new, -1 when out of memory. */
static int note_key(rg_claim_reader *r, frame *f, const str_t *k)
{
    const char *t = (k->esc ? r->scr : r->line) + k->start;
    uint32_t h = key_hash(t, k->len), count = r->n_keys - f->keys;
    if (f->kcap) {
        uint32_t mask = f->kcap - 1;
        for (uint32_t i = h & mask; r->ktab[f->ktab + i] != NONE; i = (i + 1) & mask)
            if (same_key(r, &r->keys[r->ktab[f->ktab + i]], t, k->len, h))
                return 1;
    } else {
        for (uint32_t i = f->keys; i < r->n_keys; i++)
            if (same_key(r, &r->keys[i], t, k->len, h))
                return 1;
    }
    if (grow_arr(r, (void **)&r->keys, &r->cap_keys, r->n_keys, 1, sizeof *r->keys))
        return -1;
    r->keys[r->n_keys] = (ukey){k->start, k->len, h, k->esc};
    uint32_t idx = r->n_keys++;
    count++;
    if (count >= KTAB_FROM && (uint64_t)count * 2 >= f->kcap) {
        /* (re)build the index, at the top of r->ktab: objects inside this one are closed */
        uint32_t cap = f->kcap ? f->kcap * 2 : 64;
        while (cap < count * 2)
            cap *= 2;
        uint32_t at = f->kcap ? f->ktab : r->n_ktab;
        if (grow_arr(r, (void **)&r->ktab, &r->cap_ktab, at, cap, sizeof *r->ktab))
            return -1;
        f->ktab = at;
        f->kcap = cap;
        r->n_ktab = at + cap;
        memset(r->ktab + at, 0xff, cap * sizeof *r->ktab);
        for (uint32_t i = f->keys; i < r->n_keys; i++)
            ktab_put(r, f, i);
    } else if (f->kcap) {
        ktab_put(r, f, idx);
    }
    return 0;
}

/* ---- the scan ---------------------------------------------------------------------------- */

static inline size_t skip_ws(const char *s, size_t i, size_t n)
{
    if (i < n && (unsigned char)s[i] > ' ')
        return i; /* the most frequent: nothing to skip */
    while (i < n && (unsigned char)s[i] <= ' ' && (s[i] == ' ' || s[i] == '\t' || s[i] == '\n' || s[i] == '\r'))
        i++;
    return i;
}

/* A new tape record; NONE when out of memory. */
static inline uint32_t new_jv(rg_claim_reader *r, uint8_t kind, uint8_t flags, uint32_t start, uint32_t len)
{
    if (r->n_v == r->cap_v && grow_arr(r, (void **)&r->v, &r->cap_v, r->n_v, 1, sizeof *r->v))
        return NONE;
    rg_jv *v = &r->v[r->n_v];
    v->start = start;
    v->len = len;
    v->aux = v->next = NONE;
    v->count = 0;
    v->kind = kind;
    v->flags = flags;
    return r->n_v++;
}

/* The schema node of the object that want reads, or -1. */
static inline int32_t obj_node(const rg_claim_reader *r, int32_t want)
{
    if (want == W_ROOT)
        return 0;
    if (want <= W_ELEM)
        return W_ELEM - want + 1;
    if (want >= 0 && RG_TYPE_KIND(r->p->fields[want].type) == RG_T_RECORD)
        return want + 1;
    return -1;
}

/* What the elements of list field L read. */
static inline int32_t elem_want(const rg_claim_reader *r, int32_t L)
{
    const rg_program *p = r->p;
    const rg_field *e = (uint32_t)L + 1 < p->n_fields ? &p->fields[L + 1] : NULL;
    if (e && e->parent == L && e->key < p->n_strings && p->strings[e->key].len == 0)
        return L + 1; /* a list of plain values: each is the value of its one field */
    return W_ELEM - L;
}

static inline uint64_t load64(const char *s)
{
    uint64_t w;
    memcpy(&w, s, 8);
    return w;
}

static inline uint32_t load32(const char *s)
{
    uint32_t w;
    memcpy(&w, s, 4);
    return w;
}

/* a[0 .. n) == b[0 .. n), for the short texts of keys, with no call and no
 * byte loop: words that overlap at the end, reading only within n bytes. */
static inline int same_bytes(const char *a, const char *b, uint32_t n)
{
    if (n >= 8) {
        for (uint32_t k = 0; k + 8 < n; k += 8)
            if (load64(a + k) != load64(b + k))
                return 0;
        return load64(a + n - 8) == load64(b + n - 8);
    }
    if (n >= 4)
        return load32(a) == load32(b) && load32(a + n - 4) == load32(b + n - 4);
    for (uint32_t k = 0; k < n; k++)
        if (a[k] != b[k])
            return 0;
    return 1;
}

uint32_t rg_claim_reader_region(const rg_claim_reader *r, const char *name, size_t len)
{
    if (len > UINT32_MAX || !r->p)
        return NONE;
    const rg_program *p = r->p;
    for (uint32_t at = name_hash(name, (uint32_t)len) & r->region_mask; r->regions[at] != NONE;
         at = (at + 1) & r->region_mask) {
        uint32_t id = p->policies[r->regions[at]].name;
        if (p->strings[id].len == len && same_bytes(p->str[id], name, (uint32_t)len))
            return r->regions[at];
    }
    return NONE;
}

/* The child of node that key t[0 .. n) names: its field, or -1. The keys of a
 * claim mostly come in the schema's order: the child after the last one found
 * is tried first. */
static inline int32_t find_child(const rg_claim_reader *r, frame *f, const char *t, uint32_t n)
{
    uint32_t nk = r->kids_n[f->node], first = r->kids_first[f->node];
    for (uint32_t step = 0; step < nk; step++) {
        uint32_t c = f->cursor + step;
        if (c >= nk)
            c -= nk;
        if (r->kid_len[first + c] == n && same_bytes(r->kid_key[first + c], t, n)) {
            f->cursor = c + 1 < nk ? c + 1 : 0;
            return (int32_t)r->kids[first + c];
        }
    }
    return -1;
}

/* Where the value about to be read goes: a member table entry, a list's
 * chain, the root. */
typedef enum { TO_NOTHING, TO_MEMBER, TO_ELEMENT, TO_ROOT, TO_CLAIM_ID } target_kind;

static int scan(rg_claim_reader *r, int schema)
{
    const char *s = r->line;
    const size_t n = r->len;
    uint32_t depth = 0;
    size_t i = skip_ws(s, 0, n);
    int32_t want = schema ? W_ROOT : W_SKIP;
    target_kind to = schema ? TO_ROOT : TO_NOTHING;
    uint32_t to_member = 0;
    r->root = r->claim_id = NONE;

value:
    if (i >= n)
        return fail(r, "unexpected token", n, n, n);
    {
        const unsigned char c = (unsigned char)s[i];
        uint32_t idx = NONE;
        const bool keep = want != W_SKIP;
        if (c == '{' || c == '[') {
            if (depth >= RG_JSON_MAX_DEPTH)
                return fail(r, "maximum parsing depth reached", i, i + 1, i + 1);
            if (keep && (idx = new_jv(r, c == '{' ? RG_JV_OBJ : RG_JV_ARR, 0, (uint32_t)i, 0)) == NONE)
                return -1;
        }
        /* link it where it goes */
        if (keep) {
            if (c != '{' && c != '[') {
                /* scalars: made below, linked after */
            }
        }
        switch (c) {
        case '{': {
            if (depth + 1 > r->cap_stack &&
                grow_arr(r, (void **)&r->stack, &r->cap_stack, depth, 1, sizeof *r->stack))
                return -1;
            frame *f = &r->stack[depth];
            f->val = idx;
            f->is_obj = 1;
            f->node = keep ? obj_node(r, want) : -1;
            f->cursor = 0;
            f->keys = r->n_keys;
            f->kcap = 0;
            f->ktab = r->n_ktab;
            if (f->node >= 0) {
                uint32_t nk = r->kids_n[f->node];
                if (r->n_mt + (uint64_t)nk + 1 > r->cap_mt &&
                    grow_arr(r, (void **)&r->mt, &r->cap_mt, r->n_mt, nk + 1, sizeof *r->mt))
                    return -1;
                f->members = r->n_mt;
                memset(r->mt + r->n_mt, 0xff, nk * sizeof *r->mt);
                r->n_mt += nk;
                r->v[idx].aux = f->members;
            }
            break;
        }
        case '[': {
            if (depth + 1 > r->cap_stack &&
                grow_arr(r, (void **)&r->stack, &r->cap_stack, depth, 1, sizeof *r->stack))
                return -1;
            frame *f = &r->stack[depth];
            f->val = idx;
            f->is_obj = 0;
            f->node = keep && want >= 0 && RG_TYPE_KIND(r->p->fields[want].type) == RG_T_LIST ? want : -1;
            f->last = NONE;
            break;
        }
        case '"': {
            str_t st;
            if (scan_string(r, &i, &st))
                return -1;
            if (keep && (idx = new_jv(r, RG_JV_STR, (uint8_t)((st.esc ? RG_JV_ESC : 0) | (st.nul ? RG_JV_NUL : 0)),
                                      st.start, st.len)) == NONE)
                return -1;
            break;
        }
        case 't':
        case 'f':
        case 'n': {
            const char *word = c == 't' ? "true" : c == 'f' ? "false" : "null";
            const size_t wl = c == 'f' ? 5 : 4;
            if (i + wl > n || memcmp(s + i, word, wl) != 0 ||
                (i + wl < n && ((s[i + wl] | 0x20) >= 'a' && (s[i + wl] | 0x20) <= 'z'))) {
                size_t e = token_end(r, i);
                return fail(r, "invalid token", i, e, e);
            }
            if (keep && (idx = new_jv(r, c == 't' ? RG_JV_TRUE : c == 'f' ? RG_JV_FALSE : RG_JV_NULL, 0,
                                      (uint32_t)i, (uint32_t)wl)) == NONE)
                return -1;
            i += wl;
            break;
        }
        default:
            if (c == '-' || (c >= '0' && c <= '9')) {
                size_t st = i;
                uint8_t fl;
                if (scan_number(r, &i, &fl))
                    return -1;
                if (keep && (idx = new_jv(r, RG_JV_NUM, fl, (uint32_t)st, (uint32_t)(i - st))) == NONE)
                    return -1;
                break;
            }
            if (c == ',' || c == ':' || c == ']' || c == '}')
                return fail(r, "unexpected token", i, i + 1, i + 1);
            {
                size_t e = token_end(r, i);
                return fail(r, "invalid token", i, e, e);
            }
        }
        if (keep) {
            switch (to) {
            case TO_MEMBER: r->mt[to_member] = idx; break;
            case TO_ROOT: r->root = idx; break;
            case TO_CLAIM_ID: r->claim_id = idx; break;
            case TO_ELEMENT: {
                frame *a = &r->stack[depth - 1];
                rg_jv *arr = &r->v[a->val];
                if (a->last == NONE)
                    arr->aux = idx;
                else
                    r->v[a->last].next = idx;
                a->last = idx;
                arr->count++;
                break;
            }
            case TO_NOTHING: break;
            }
        }
        if (c == '{' || c == '[') {
            depth++;
            i = skip_ws(s, i + 1, n);
            frame *f = &r->stack[depth - 1];
            if (f->is_obj) {
                if (i < n && s[i] == '}') {
                    i++;
                    goto close;
                }
                goto key;
            }
            if (i < n && s[i] == ']') {
                i++;
                goto close;
            }
            want = f->node >= 0 ? elem_want(r, f->node) : W_SKIP;
            to = f->node >= 0 ? TO_ELEMENT : TO_NOTHING;
            goto value;
        }
    }

after:
    if (depth == 0) {
        i = skip_ws(s, i, n);
        if (i < n) {
            size_t e = token_end(r, i);
            return fail(r, "end of file expected", i, e, e);
        }
        return 0;
    }
    i = skip_ws(s, i, n);
    {
        frame *f = &r->stack[depth - 1];
        if (f->is_obj) {
            if (i < n && s[i] == ',') {
                i = skip_ws(s, i + 1, n);
                goto key;
            }
            if (i < n && s[i] == '}') {
                i++;
                goto close;
            }
            size_t e = i < n ? token_end(r, i) : n;
            return fail(r, "'}' expected", i, e, e);
        }
        if (i < n && s[i] == ',') {
            i = skip_ws(s, i + 1, n);
            want = f->node >= 0 ? elem_want(r, f->node) : W_SKIP;
            to = f->node >= 0 ? TO_ELEMENT : TO_NOTHING;
            goto value;
        }
        if (i < n && s[i] == ']') {
            i++;
            goto close;
        }
        size_t e = i < n ? token_end(r, i) : n;
        return fail(r, "']' expected", i, e, e);
    }

close:
    {
        frame *f = &r->stack[--depth];
        if (f->val != NONE)
            r->v[f->val].len = (uint32_t)(i - r->v[f->val].start);
        if (f->is_obj) {
            r->n_keys = f->keys;
            r->n_ktab = f->ktab;
        }
        goto after;
    }

key:
    {
        frame *f = &r->stack[depth - 1];
        if (i >= n || s[i] != '"') {
            size_t e = i < n ? token_end(r, i) : n;
            return fail(r, "string or '}' expected", i, e, e);
        }
        size_t k0 = i;
        str_t k;
        if (scan_string(r, &i, &k))
            return -1;
        if (k.nul)
            return fail(r, "NUL byte in object key not supported", k0, i, i);
        const char *t = (k.esc ? r->scr : s) + k.start;
        int32_t child = f->node >= 0 ? find_child(r, f, t, k.len) : -1;
        want = W_SKIP;
        to = TO_NOTHING;
        if (child >= 0) {
            to_member = f->members + r->pos[child];
            if (r->mt[to_member] != NONE)
                return fail(r, "duplicate object key", k0, i, i);
            want = child;
            to = TO_MEMBER;
        } else {
            int d = note_key(r, f, &k);
            if (d < 0)
                return -1;
            if (d)
                return fail(r, "duplicate object key", k0, i, i);
            if (f->node == 0 && r->root_claim_id == NONE && k.len == 8 && memcmp(t, "claim_id", 8) == 0) {
                want = W_CLAIM_ID;
                to = TO_CLAIM_ID;
            }
        }
        i = skip_ws(s, i, n);
        if (i >= n || s[i] != ':') {
            size_t e = i < n ? token_end(r, i) : n;
            return fail(r, "':' expected", i, e, e);
        }
        i = skip_ws(s, i + 1, n);
        goto value;
    }
}

static void begin_line(rg_claim_reader *r, const char *line, size_t len, char *err, size_t errlen)
{
    r->line = line;
    r->len = len;
    r->n_v = r->n_mt = r->n_scr = r->n_keys = r->n_ktab = 0;
    r->oom = 0;
    r->err = err;
    r->errlen = errlen;
    if (err && errlen)
        err[0] = '\0';
}

int rg_json_scan(rg_claim_reader *r, const char *line, size_t len, rg_jtape *t, char *err, size_t errlen)
{
    char why[400];
    begin_line(r, line, len, why, sizeof why);
    if (len > UINT32_MAX - 16) {
        snprintf(err, errlen, "not valid JSON: a line of more than 4 GB (split it into one claim a line)");
        return -1;
    }
    if (scan(r, r->p != NULL) != 0) {
        if (r->oom) {
            snprintf(err, errlen, "out of memory");
            return -2;
        }
        snprintf(err, errlen, "not valid JSON: %s", why);
        return -1;
    }
    t->claim_id = r->claim_id;
    if (r->root_claim_id != NONE && r->root != NONE && r->v[r->root].kind == RG_JV_OBJ &&
        r->v[r->root].aux != NONE)
        t->claim_id = r->mt[r->v[r->root].aux + r->pos[r->root_claim_id]];
    t->claim_id_text = NULL;
    if (t->claim_id != NONE && r->v[t->claim_id].kind == RG_JV_STR && !(r->v[t->claim_id].flags & RG_JV_NUL)) {
        rg_jv *id = &r->v[t->claim_id];
        if (!(id->flags & RG_JV_ESC)) { /* a C string of its own: the line's text does not end there */
            uint32_t at = r->n_scr;
            if (put_scr(r, line + id->start, id->len)) {
                snprintf(err, errlen, "out of memory");
                return -2;
            }
            r->scr[r->n_scr++] = '\0';
            t->claim_id_text = (const char *)(uintptr_t)at; /* an offset until the scratch stops moving */
        } else {
            t->claim_id_text = (const char *)(uintptr_t)id->start;
        }
        t->claim_id_text = r->scr + (uintptr_t)t->claim_id_text;
    }
    t->v = r->v;
    t->members = r->mt;
    t->line = line;
    t->scratch = r->scr;
    t->root = r->root;
    t->pos = r->pos;
    return 0;
}

int rg_json_check(rg_claim_reader *r, const char *text, size_t len, char *err, size_t errlen)
{
    begin_line(r, text, len, err, errlen);
    if (len > UINT32_MAX - 16) {
        snprintf(err, errlen, "a text of more than 4 GB");
        return -1;
    }
    if (scan(r, 0) != 0) {
        if (r->oom)
            snprintf(err, errlen, "out of memory");
        return -1;
    }
    return 0;
}

/* ---- a value's text as Python's json.dumps writes it ------------------------------------ */

static void dump_string(rg_sb *b, const char *s, size_t n)
{
    char esc[6];
    rg_sb_put(b, "\"", 1);
    size_t run = 0;
    for (size_t i = 0; i < n; i++) {
        int k = rg_json_escape((unsigned char)s[i], esc);
        if (!k)
            continue;
        rg_sb_put(b, s + run, i - run);
        rg_sb_put(b, esc, (size_t)k);
        run = i + 1;
    }
    rg_sb_put(b, s + run, n - run);
    rg_sb_put(b, "\"", 1);
}

/* The valid JSON at s[*i ..] (white space first allowed), written into b; *i
 * moves past it. The text is the line's, checked by the scan, so the only
 * failures are the builder's (oom) and the cap. No recursion: a stack of
 * "in an object" bits. */
static void dump_text(rg_sb *b, const char *s, size_t n, size_t *at, size_t cap)
{
    size_t i = *at;
    uint64_t inobj_small[RG_JSON_MAX_DEPTH / 64 + 1];
    uint32_t depth = 0;
    int first = 1;
    for (;;) {
        if (b->fixed && b->n + 1 >= b->cap)
            break; /* a message's room is full */
        if (b->n > cap)
            break;
        i = skip_ws(s, i, n);
        if (i >= n)
            break;
        char c = s[i];
        if (c == '}' || c == ']') {
            rg_sb_put(b, &c, 1);
            i++;
            if (depth == 0)
                break;
            depth--;
            first = 0;
            if (depth == 0)
                break;
            continue;
        }
        if (c == ',') {
            rg_sb_put(b, ", ", 2);
            i++;
            continue;
        }
        if (c == ':') {
            rg_sb_put(b, ": ", 2);
            i++;
            continue;
        }
        (void)first;
        if (c == '{' || c == '[') {
            if (depth >= RG_JSON_MAX_DEPTH)
                break;
            inobj_small[depth / 64] = (inobj_small[depth / 64] & ~(1ull << depth % 64)) |
                                      ((uint64_t)(c == '{') << depth % 64);
            depth++;
            rg_sb_put(b, &c, 1);
            i++;
            continue;
        }
        size_t st = i;
        if (c == '"') {
            /* decode, then write as json.dumps does */
            size_t j = i + 1;
            rg_sb tmp;
            char small[256];
            rg_sb_over(&tmp, small, sizeof small);
            size_t run = j;
            while (j < n && s[j] != '"') {
                if (s[j] != '\\') {
                    j++;
                    continue;
                }
                rg_sb_put(&tmp, s + run, j - run);
                char e = s[j + 1];
                if (e == 'u') {
                    uint32_t cp = 0;
                    for (int k = 0; k < 4; k++)
                        cp = cp << 4 | (uint32_t)hexval((unsigned char)s[j + 2 + k]);
                    j += 6;
                    if (cp >= 0xD800 && cp <= 0xDBFF) {
                        uint32_t lo = 0;
                        for (int k = 0; k < 4; k++)
                            lo = lo << 4 | (uint32_t)hexval((unsigned char)s[j + 2 + k]);
                        cp = 0x10000 + ((cp - 0xD800) << 10) + (lo - 0xDC00);
                        j += 6;
                    }
                    char u[4];
                    size_t un;
                    if (cp < 0x80) {
                        u[0] = (char)cp;
                        un = 1;
                    } else if (cp < 0x800) {
                        u[0] = (char)(0xC0 | cp >> 6);
                        u[1] = (char)(0x80 | (cp & 0x3F));
                        un = 2;
                    } else if (cp < 0x10000) {
                        u[0] = (char)(0xE0 | cp >> 12);
                        u[1] = (char)(0x80 | (cp >> 6 & 0x3F));
                        u[2] = (char)(0x80 | (cp & 0x3F));
                        un = 3;
                    } else {
                        u[0] = (char)(0xF0 | cp >> 18);
                        u[1] = (char)(0x80 | (cp >> 12 & 0x3F));
                        u[2] = (char)(0x80 | (cp >> 6 & 0x3F));
                        u[3] = (char)(0x80 | (cp & 0x3F));
                        un = 4;
                    }
                    rg_sb_put(&tmp, u, un);
                } else {
                    char d = e == 'b' ? '\b' : e == 'f' ? '\f' : e == 'n' ? '\n' : e == 'r' ? '\r' : e == 't' ? '\t' : e;
                    rg_sb_put(&tmp, &d, 1);
                    j += 2;
                }
                run = j;
            }
            rg_sb_put(&tmp, s + run, j - run);
            dump_string(b, tmp.s ? tmp.s : "", tmp.n);
            rg_sb_free(&tmp);
            i = j + 1;
        } else if (c == '-' || (c >= '0' && c <= '9')) {
            size_t j = i;
            int integer = 1;
            while (j < n && (s[j] == '-' || s[j] == '+' || s[j] == '.' || s[j] == 'e' || s[j] == 'E' ||
                             (s[j] >= '0' && s[j] <= '9'))) {
                if (s[j] == '.' || s[j] == 'e' || s[j] == 'E')
                    integer = 0;
                j++;
            }
            if (integer) {
                rg_sb_put(b, s + i, j - i);
            } else {
                char small[64], *buf = j - i < sizeof small ? small : malloc(j - i + 1);
                char repr[48];
                if (buf) {
                    memcpy(buf, s + i, j - i);
                    buf[j - i] = '\0';
                    rg_json_number_repr(strtod(buf, NULL), repr, sizeof repr);
                    rg_sb_puts(b, repr);
                    if (buf != small)
                        free(buf);
                }
            }
            i = j;
        } else {
            /* true, false, null */
            size_t j = i;
            while (j < n && s[j] >= 'a' && s[j] <= 'z')
                j++;
            rg_sb_put(b, s + i, j - i);
            i = j;
        }
        (void)st;
        if (depth == 0)
            break;
    }
    *at = i;
}

void rg_jv_dump(const rg_jtape *t, const rg_jv *v, rg_sb *b)
{
    if (v->kind == RG_JV_STR) {
        dump_string(b, rg_jv_text(t, v), v->len);
        return;
    }
    size_t at = v->start;
    size_t end = (size_t)v->start + v->len;
    if (v->kind == RG_JV_NUM || v->kind == RG_JV_TRUE || v->kind == RG_JV_FALSE || v->kind == RG_JV_NULL) {
        dump_text(b, t->line, end, &at, SIZE_MAX);
        return;
    }
    dump_text(b, t->line, end, &at, SIZE_MAX);
}
