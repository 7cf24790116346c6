/* claim.c — reading one JSON Lines claim: jansson parsing, then validation in the exact order
 * and wording of docs/claims.md, binding to a claim_t. It must not settle anything. */
#include <errno.h>
#include <jansson.h>
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "settle.h"

/* ---- arena ------------------------------------------------------------------ */

struct arena_chunk {
    arena_chunk_t *next;
    size_t cap, used;
    max_align_t data[];
};

void *arena_alloc(arena_t *a, size_t size, size_t align)
{
    arena_chunk_t *c = a->head;
    if (c) {
        const size_t at = (c->used + align - 1) & ~(align - 1);
        if (at + size <= c->cap) {
            c->used = at + size;
            return (char *)c->data + at;
        }
    }
    size_t cap = (size_t)1 << 20;
    if (size + align > cap)
        cap = size + align;
    c = malloc(sizeof *c + cap);
    if (!c)
        abort();
    c->next = a->head;
    c->cap = cap;
    c->used = size;
    a->head = c;
    return c->data;
}

void arena_reset(arena_t *a)
{
    arena_chunk_t *c = a->head;
    if (!c)
        return;
    for (arena_chunk_t *n = c->next, *next; n; n = next) {
        next = n->next;
        free(n);
    }
    c->next = NULL;
    c->used = 0;
}

void arena_free(arena_t *a)
{
    for (arena_chunk_t *c = a->head, *next; c; c = next) {
        next = c->next;
        free(c);
    }
    a->head = NULL;
}

/* ---- string buffer ------------------------------------------------------------ */

static void sb_reserve(sbuf_t *b, size_t n)
{
    if (b->len + n + 1 <= b->cap)
        return;
    size_t cap = b->cap ? b->cap : 256;
    while (cap < b->len + n + 1)
        cap *= 2;
    b->p = realloc(b->p, cap);
    if (!b->p)
        abort();
    b->cap = cap;
}

void sb_putn(sbuf_t *b, const char *s, size_t n)
{
    sb_reserve(b, n);
    memcpy(b->p + b->len, s, n);
    b->len += n;
    b->p[b->len] = 0;
}

void sb_puts(sbuf_t *b, const char *s) { sb_putn(b, s, strlen(s)); }

void sb_putc(sbuf_t *b, char c) { sb_putn(b, &c, 1); }

void sb_printf(sbuf_t *b, const char *fmt, ...)
{
    va_list ap;
    va_start(ap, fmt);
    const int n = vsnprintf(NULL, 0, fmt, ap);
    va_end(ap);
    if (n <= 0)
        return;
    sb_reserve(b, (size_t)n);
    va_start(ap, fmt);
    vsnprintf(b->p + b->len, (size_t)n + 1, fmt, ap);
    va_end(ap);
    b->len += (size_t)n;
}

void sb_json_string(sbuf_t *b, const char *s, size_t n)
{
    static const char hex[] = "0123456789abcdef";
    sb_reserve(b, n + 2);
    b->p[b->len++] = '"';
    size_t run = 0;            /* bytes copied as they are */
    for (size_t i = 0; i < n; i++) {
        const unsigned char ch = (unsigned char)s[i];
        if (ch >= 0x20 && ch != '"' && ch != '\\')
            continue;
        sb_putn(b, s + run, i - run);
        run = i + 1;
        switch (ch) {
        case '"': sb_putn(b, "\\\"", 2); break;
        case '\\': sb_putn(b, "\\\\", 2); break;
        case '\n': sb_putn(b, "\\n", 2); break;
        case '\r': sb_putn(b, "\\r", 2); break;
        case '\t': sb_putn(b, "\\t", 2); break;
        case '\b': sb_putn(b, "\\b", 2); break;
        case '\f': sb_putn(b, "\\f", 2); break;
        default: {
            const char u[6] = { '\\', 'u', '0', '0', hex[ch >> 4], hex[ch & 15] };
            sb_putn(b, u, 6);
        }
        }
    }
    sb_putn(b, s + run, n - run);
    sb_putc(b, '"');
}

/* ---- Python's repr of a float, and json.dumps of a value ----------------------- */

/* The shortest round-trip repr of a finite double, as Python writes it. */
static void py_float_repr(double d, char out[40])
{
    char tmp[40];
    for (int p = 1; p <= 17; p++) {
        snprintf(tmp, sizeof tmp, "%.*e", p - 1, d);
        if (strtod(tmp, NULL) == d)
            break;
    }
    /* tmp is [-]D[.DDD]e[+-]XX: collect the digits and the exponent. */
    const char *s = tmp;
    char *o = out;
    if (*s == '-')
        *o++ = *s++;
    char digits[24];
    int nd = 0;
    for (; *s != 'e'; s++)
        if (*s != '.')
            digits[nd++] = *s;
    const int e10 = atoi(s + 1);
    while (nd > 1 && digits[nd - 1] == '0')
        nd--;
    const int decpt = d == 0 ? 1 : e10 + 1;  /* value = 0.DIGITS * 10^decpt */
    if (decpt <= -4 || decpt > 16) {
        *o++ = digits[0];
        if (nd > 1) {
            *o++ = '.';
            memcpy(o, digits + 1, (size_t)nd - 1);
            o += nd - 1;
        }
        sprintf(o, "e%c%02d", decpt - 1 < 0 ? '-' : '+', abs(decpt - 1));
        return;
    }
    if (decpt <= 0) {
        *o++ = '0';
        *o++ = '.';
        for (int i = 0; i < -decpt; i++)
            *o++ = '0';
        memcpy(o, digits, (size_t)nd);
        o += nd;
    } else if (decpt >= nd) {
        memcpy(o, digits, (size_t)nd);
        o += nd;
        for (int i = nd; i < decpt; i++)
            *o++ = '0';
        *o++ = '.';
        *o++ = '0';
    } else {
        memcpy(o, digits, (size_t)decpt);
        o += decpt;
        *o++ = '.';
        memcpy(o, digits + decpt, (size_t)(nd - decpt));
        o += nd - decpt;
    }
    *o = 0;
}

/* ---- integers beyond int64 ----------------------------------------------------------
 * JSON allows integers of any size; jansson stops at int64 ("too big integer"). Such a
 * line is parsed again with each oversized integer replaced by a sentinel near INT64_MAX
 * (or INT64_MIN), whose original text messages then print. Any such integer is an amount
 * too large or negative, or a wrong level, type or enum value, as for Python's json. */

#define MAX_BIG_INTS 64
static struct {
    int n;
    const char *text[MAX_BIG_INTS];
    size_t len[MAX_BIG_INTS];
} big_ints;

static void put_int(sbuf_t *b, json_int_t i)
{
    for (int k = 0; k < big_ints.n; k++)
        if (i == (big_ints.text[k][0] == '-' ? INT64_MIN + k : INT64_MAX - k)) {
            sb_putn(b, big_ints.text[k], big_ints.len[k]);
            return;
        }
    sb_printf(b, "%" JSON_INTEGER_FORMAT, i);
}

/* Copies LINE to OUT with every integer token outside int64 replaced by a sentinel.
 * Returns the number replaced, -1 when there are too many. */
static int replace_big_ints(const char *line, size_t len, sbuf_t *out)
{
    big_ints.n = 0;
    out->len = 0;
    size_t i = 0;
    while (i < len) {
        const char ch = line[i];
        if (ch == '"') {                 /* skip a string */
            size_t j = i + 1;
            while (j < len && line[j] != '"')
                j += line[j] == '\\' ? 2 : 1;
            j = j < len ? j + 1 : len;
            sb_putn(out, line + i, j - i);
            i = j;
            continue;
        }
        if (ch == '-' || (ch >= '0' && ch <= '9')) {
            size_t j = i + (ch == '-');
            while (j < len && line[j] >= '0' && line[j] <= '9')
                j++;
            const bool integer =
                !(j < len && (line[j] == '.' || line[j] == 'e' || line[j] == 'E'));
            while (j < len && ((line[j] >= '0' && line[j] <= '9') || line[j] == '.'
                               || line[j] == 'e' || line[j] == 'E' || line[j] == '+'
                               || line[j] == '-'))
                j++;
            const size_t ndigits = j - i - (ch == '-');
            bool big = false;
            if (integer && ndigits >= 19) {
                char tmp[32];
                if (ndigits > 19)
                    big = true;
                else {
                    memcpy(tmp, line + i, j - i);
                    tmp[j - i] = 0;
                    errno = 0;
                    (void)strtoll(tmp, NULL, 10);
                    big = errno == ERANGE;
                }
            }
            if (big) {
                if (big_ints.n == MAX_BIG_INTS)
                    return -1;
                const int k = big_ints.n++;
                big_ints.text[k] = line + i;
                big_ints.len[k] = j - i;
                const json_int_t sentinel = ch == '-' ? INT64_MIN + k : INT64_MAX - k;
                sb_printf(out, "%" JSON_INTEGER_FORMAT, sentinel);
            } else {
                sb_putn(out, line + i, j - i);
            }
            i = j;
            continue;
        }
        sb_putc(out, ch);
        i++;
    }
    return big_ints.n;
}

/* JSON text of a value as Python's json.dumps writes it (", " and ": ", UTF-8 kept). */
static void py_dump(sbuf_t *b, const json_t *v)
{
    switch (json_typeof(v)) {
    case JSON_NULL: sb_puts(b, "null"); break;
    case JSON_TRUE: sb_puts(b, "true"); break;
    case JSON_FALSE: sb_puts(b, "false"); break;
    case JSON_INTEGER: put_int(b, json_integer_value(v)); break;
    case JSON_REAL: {
        char r[40];
        py_float_repr(json_real_value(v), r);
        sb_puts(b, r);
        break;
    }
    case JSON_STRING: sb_json_string(b, json_string_value(v), json_string_length(v)); break;
    case JSON_ARRAY: {
        sb_putc(b, '[');
        for (size_t i = 0; i < json_array_size(v); i++) {
            if (i)
                sb_putn(b, ", ", 2);
            py_dump(b, json_array_get(v, i));
        }
        sb_putc(b, ']');
        break;
    }
    case JSON_OBJECT: {
        const char *key;
        json_t *x;
        int first = 1;
        sb_putc(b, '{');
        json_object_foreach((json_t *)v, key, x) {
            if (!first)
                sb_putn(b, ", ", 2);
            first = 0;
            sb_json_string(b, key, strlen(key));
            sb_putn(b, ": ", 2);
            py_dump(b, x);
        }
        sb_putc(b, '}');
        break;
    }
    }
}

/* ---- validation ------------------------------------------------------------------ */

typedef struct {
    long lineno;
    sbuf_t msg;                /* the error message, "line N: …" */
    sbuf_t text;               /* the line with oversized integers replaced */
    arena_t *arena;
} vctx_t;

static int fail_begin(vctx_t *v)
{
    v->msg.len = 0;
    sb_printf(&v->msg, "line %ld: ", v->lineno);
    return -1;
}

static int fail_missing(vctx_t *v, const char *path)
{
    fail_begin(v);
    sb_puts(&v->msg, "missing field ");
    sb_puts(&v->msg, path);
    return -1;
}

static int fail_at(vctx_t *v, const char *path, const char *what)
{
    fail_begin(v);
    sb_puts(&v->msg, path);
    sb_puts(&v->msg, ": ");
    sb_puts(&v->msg, what);
    return -1;
}

/* "P: PRE'TEXT'POST" where TEXT is a string's value or a non-string's JSON text. */
static int fail_quoted(vctx_t *v, const char *path, const char *pre, const json_t *x,
                       const char *post)
{
    fail_begin(v);
    sb_puts(&v->msg, path);
    sb_puts(&v->msg, ": ");
    sb_puts(&v->msg, pre);
    sb_putc(&v->msg, '\'');
    if (json_is_string(x))
        sb_putn(&v->msg, json_string_value(x), json_string_length(x));
    else
        py_dump(&v->msg, x);
    sb_putc(&v->msg, '\'');
    sb_puts(&v->msg, post);
    return -1;
}

/* The field KEY of OBJ, NULL when absent or JSON null. */
static json_t *field(const json_t *obj, const char *key)
{
    json_t *x = json_object_get(obj, key);
    return x && !json_is_null(x) ? x : NULL;
}

static int get_object(vctx_t *v, const json_t *obj, const char *key, const char *path,
                      json_t **out)
{
    json_t *x = field(obj, key);
    if (!x)
        return fail_missing(v, path);
    if (!json_is_object(x))
        return fail_at(v, path, "expected an object");
    *out = x;
    return 0;
}

static int get_string(vctx_t *v, const json_t *obj, const char *key, const char *path,
                      const char **s, uint32_t *len)
{
    json_t *x = field(obj, key);
    if (!x)
        return fail_missing(v, path);
    if (!json_is_string(x))
        return fail_at(v, path, "expected a string");
    const size_t n = json_string_length(x);
    char *copy = arena_alloc(v->arena, n + 1, 1);
    memcpy(copy, json_string_value(x), n + 1);
    *s = copy;
    *len = (uint32_t)n;
    return 0;
}

static int get_bool(vctx_t *v, const json_t *obj, const char *key, const char *path, bool *out)
{
    json_t *x = field(obj, key);
    if (!x)
        return fail_missing(v, path);
    if (!json_is_boolean(x))
        return fail_at(v, path, "expected true or false");
    *out = json_is_true(x);
    return 0;
}

/* An enumeration (or a region: NAMES = region_code, WORD = "region"). */
static int get_enum(vctx_t *v, const json_t *obj, const char *key, const char *path,
                    const char *word, const char *const *names, int n, uint8_t *out)
{
    json_t *x = field(obj, key);
    if (!x)
        return fail_missing(v, path);
    if (json_is_string(x)) {
        const char *s = json_string_value(x);
        const size_t len = json_string_length(x);
        for (int i = 0; i < n; i++)
            if (strlen(names[i]) == len && memcmp(names[i], s, len) == 0) {
                *out = (uint8_t)i;
                return 0;
            }
    }
    char pre[64];
    snprintf(pre, sizeof pre, "unknown %s ", word);
    return fail_quoted(v, path, pre, x, "");
}

/* A date field: "(want YYYY-MM-DD)" when malformed, the wording of
 * shared/conformance/part2-expected.jsonl, for every date (MESSAGES.md A1). */
static int get_date_as(vctx_t *v, const json_t *obj, const char *key, const char *path,
                       int32_t *day, int32_t *year)
{
    json_t *x = field(obj, key);
    if (!x)
        return fail_missing(v, path);
    const char *s = json_is_string(x) ? json_string_value(x) : NULL;
    bool form = s && json_string_length(x) == 10 && s[4] == '-' && s[7] == '-';
    for (int i = 0; form && i < 10; i++)
        if (i != 4 && i != 7 && !(s[i] >= '0' && s[i] <= '9'))
            form = false;
    if (!form)
        return fail_quoted(v, path, "malformed date ", x, " (want YYYY-MM-DD)");
    const int y = (s[0] - '0') * 1000 + (s[1] - '0') * 100 + (s[2] - '0') * 10 + (s[3] - '0');
    const int m = (s[5] - '0') * 10 + (s[6] - '0');
    const int d = (s[8] - '0') * 10 + (s[9] - '0');
    if (y < 1 || m < 1 || m > 12 || d < 1 || d > days_in_month(y, m))
        return fail_quoted(v, path, "impossible date ", x, "");
    *day = days_from_civil(y, m, d);
    if (year)
        *year = y;
    return 0;
}

static int get_date(vctx_t *v, const json_t *obj, const char *key, const char *path,
                    int32_t *day, int32_t *year)
{
    return get_date_as(v, obj, key, path, day, year);
}

/* An optional Part 2 date: *day = NO_DAY when absent or null. */
static int opt_date(vctx_t *v, const json_t *obj, const char *key, const char *path,
                    int32_t *day)
{
    *day = NO_DAY;
    return field(obj, key) ? get_date_as(v, obj, key, path, day, NULL) : 0;
}

/* "YYYY-MM-DD" of a day number read from such a text. */
static const char *day_text(int32_t day, char buf[16])
{
    int y, m, d;
    civil_from_days(day, &y, &m, &d);
    snprintf(buf, 16, "%04d-%02d-%02d", y, m, d);
    return buf;
}

/* Decimal text "D+[.D[D]]" (optionally after a '-' that is ignored) to fen;
 * -1 when larger than AMOUNT_MAX. The text is known to be well-formed. */
static fen_t decimal_to_fen(const char *s, size_t n)
{
    size_t i = 0;
    if (i < n && s[i] == '-')
        i++;
    while (i < n && s[i] == '0')
        i++;
    fen_t v = 0;
    int ndig = 0;
    for (; i < n && s[i] != '.'; i++) {
        if (++ndig > 16)
            return -1;
        v = v * 10 + (s[i] - '0');
    }
    v *= 100;
    if (i < n) {               /* '.', then one or two digits */
        v += (s[i + 1] - '0') * 10;
        if (i + 2 < n)
            v += s[i + 2] - '0';
    }
    return v > AMOUNT_MAX ? -1 : v;
}

static int get_amount(vctx_t *v, const json_t *obj, const char *key, const char *path,
                      fen_t *out)
{
    json_t *x = field(obj, key);
    if (!x)
        return fail_missing(v, path);
    if (json_is_string(x)) {
        const char *s = json_string_value(x);
        const size_t n = json_string_length(x);
        if (n > 0 && s[0] == '-')
            return fail_quoted(v, path, "negative amount ", x, "");
        size_t i = 0;
        while (i < n && s[i] >= '0' && s[i] <= '9')
            i++;
        size_t nfrac = 0;
        bool ok = i > 0;
        if (ok && i < n) {
            ok = s[i] == '.';
            for (size_t j = i + 1; ok && j < n; j++)
                ok = s[j] >= '0' && s[j] <= '9';
            nfrac = n - i - 1;
            if (ok && nfrac >= 3)
                return fail_quoted(v, path, "amount ", x, " has more than two decimals");
            ok = ok && nfrac >= 1;
        }
        if (!ok)
            return fail_quoted(v, path, "malformed amount ", x,
                               " (expected digits with up to two decimals)");
        const fen_t f = decimal_to_fen(s, n);
        if (f < 0)
            return fail_quoted(v, path, "amount ", x, " is too large");
        *out = f;
        return 0;
    }
    if (json_is_integer(x)) {
        const json_int_t i = json_integer_value(x);
        if (i < 0) {
            fail_begin(v);
            sb_printf(&v->msg, "%s: negative amount ", path);
            put_int(&v->msg, i);
            return -1;
        }
        if (i > AMOUNT_MAX / 100)
            return fail_quoted(v, path, "amount ", x, " is too large");
        *out = (fen_t)i * 100;
        return 0;
    }
    if (json_is_real(x)) {
        const double d = json_real_value(x);
        char r[40];
        py_float_repr(d, r);
        if (d < 0) {
            fail_begin(v);
            sb_printf(&v->msg, "%s: negative amount %s", path, r);
            return -1;
        }
        const char *e = strchr(r, 'e');
        const char *dot = strchr(r, '.');
        if (e && d >= 1)
            goto too_large;
        if (e || strlen(dot + 1) > 2) {
            fail_begin(v);
            sb_printf(&v->msg, "%s: amount %s is not exact to two decimals", path, r);
            return -1;
        }
        const fen_t f = decimal_to_fen(r, strlen(r));
        if (f < 0)
            goto too_large;
        *out = f;
        return 0;
    too_large:
        fail_begin(v);
        sb_printf(&v->msg, "%s: amount '%s' is too large", path, r);
        return -1;
    }
    return fail_at(v, path, "expected an amount (a string such as \"12.50\")");
}

/* ---- Part 2 fields (settlement.md sections 10-14; messages in MESSAGES.md) ------------ */

static const char *const INST_KINDS[] = { "hospital", "pharmacy" };
static const char *const CHANNELS[] = { "direct", "manual" };

/* The claim's Part 2 record, made on the first Part 2 field given. */
static claim_ext_t *ext_of(vctx_t *v, claim_ext_t **xp)
{
    if (!*xp) {
        claim_ext_t *x = arena_alloc(v->arena, sizeof *x, _Alignof(claim_ext_t));
        *x = (claim_ext_t){ .kind = IK_HOSPITAL, .channel = CH_DIRECT, .disease = -1,
                            .filed_on = NO_DAY, .submitted_on = NO_DAY, .covering = -1 };
        *xp = x;
    }
    return *xp;
}

/* person.coverage (section 10): each period in order, all its fields, then its relations
 * to the previous period and to the list. */
static int read_coverage(vctx_t *v, const json_t *cov, claim_ext_t *x)
{
    const size_t n = json_is_array(cov) ? json_array_size(cov) : 0;
    if (n == 0)
        return fail_at(v, "person.coverage", "must be a non-empty list of periods");
    period_t *pd = arena_alloc(v->arena, n * sizeof *pd, _Alignof(period_t));
    for (size_t k = 0; k < n; k++) {
        char base[48], path[80], t1[16], t2[16];
        snprintf(base, sizeof base, "person.coverage[%zu]", k);
        const json_t *o = json_array_get(cov, k);
        if (!json_is_object(o))
            return fail_at(v, base, "must be an object");
        period_t *q = &pd[k];
#define PATH(f) (snprintf(path, sizeof path, "%s.%s", base, f), path)
        if (get_enum(v, o, "region", PATH("region"), "region", region_code, R_COUNT, &q->region)
            || get_date_as(v, o, "from", PATH("from"), &q->from, NULL)
            || opt_date(v, o, "to", PATH("to"), &q->to)
            || opt_date(v, o, "backpaid_on", PATH("backpaid_on"), &q->backpaid_on)
            || opt_date(v, o, "account_arrived_on", PATH("account_arrived_on"),
                        &q->account_arrived_on))
            return -1;
#undef PATH
        if (q->to == NO_DAY)
            q->to = OPEN_DAY;
        if (q->to != OPEN_DAY && q->to < q->from) {
            fail_begin(v);
            sb_printf(&v->msg, "%s.to %s is before from %s", base, day_text(q->to, t1),
                      day_text(q->from, t2));
            return -1;
        }
        if (k > 0 && q->from <= pd[k - 1].to) {
            fail_begin(v);
            sb_printf(&v->msg,
                      "%s.from %s: does not start after the previous period's to %s "
                      "(periods overlap or are out of order)",
                      base, day_text(q->from, t1), day_text(pd[k - 1].to, t2));
            return -1;
        }
        if (k + 1 < n && q->to == OPEN_DAY) {
            fail_begin(v);
            sb_printf(&v->msg, "%s.to: missing, but only the last period may be still running",
                      base);
            return -1;
        }
        if (q->backpaid_on != NO_DAY) {
            if (k == 0) {
                fail_begin(v);
                sb_printf(&v->msg, "%s.backpaid_on: the first period cannot be back-paid", base);
                return -1;
            }
            if (q->backpaid_on <= pd[k - 1].to) {
                fail_begin(v);
                sb_printf(&v->msg, "%s.backpaid_on %s: not after the previous period's to %s",
                          base, day_text(q->backpaid_on, t1), day_text(pd[k - 1].to, t2));
                return -1;
            }
        }
    }
    x->periods = pd;
    x->nperiods = (uint32_t)n;
    return 0;
}

/* visit.documents of a manual claim (section 12). */
static int read_documents(vctx_t *v, const json_t *visit, claim_ext_t *x)
{
    const json_t *docs = field(visit, "documents");
    if (!docs)
        return fail_missing(v, "visit.documents");
    if (!json_is_array(docs))
        return fail_at(v, "visit.documents", "expected an array");
    for (size_t i = 0; i < json_array_size(docs); i++) {
        char path[48];
        snprintf(path, sizeof path, "visit.documents[%zu]", i);
        const json_t *e = json_array_get(docs, i);
        if (!json_is_string(e))
            return fail_at(v, path, "expected a string");
        const char *s = json_string_value(e);
        const size_t len = json_string_length(e);
        int d = 0;
        while (d < DOC_COUNT
               && !(strlen(document_name[d]) == len && memcmp(document_name[d], s, len) == 0))
            d++;
        if (d == DOC_COUNT) {
            fail_begin(v);
            sb_printf(&v->msg, "%s: unknown document ", path);
            sb_json_string(&v->msg, s, len);
            sb_puts(&v->msg, " (one of invoice, itemized_list, travel_certificate, "
                             "prescription, medical_record)");
            return -1;
        }
        x->documents |= (uint8_t)(1u << d);
    }
    return 0;
}

/* The checks of a Part 2 claim that relate fields read apart, in the order of the
 * spec's sections (MESSAGES.md, phase 2). */
static int check_ext(vctx_t *v, claim_t *c, claim_ext_t *x)
{
    char t1[16], t2[16];
    /* Section 10 rule 4: the covering period's region is the insured region. */
    for (uint32_t k = 0; k < x->nperiods; k++)
        if (x->periods[k].from <= c->visit && c->visit <= x->periods[k].to) {
            x->covering = (int32_t)k;
            if (x->periods[k].region != c->insured) {
                fail_begin(v);
                sb_printf(&v->msg, "person.coverage[%u].region: %s covers the visit, but "
                          "insured_region is %s", k, region_code[x->periods[k].region],
                          region_code[c->insured]);
                return -1;
            }
            break;
        }
    /* Section 12. */
    if (x->channel == CH_MANUAL && x->submitted_on < c->visit) {
        fail_begin(v);
        sb_printf(&v->msg, "visit.submitted_on %s: before the visit date %s",
                  day_text(x->submitted_on, t1), day_text(c->visit, t2));
        return -1;
    }
    /* Section 13. */
    if (x->disease >= 0) {
        if (c->type == VT_INPATIENT)
            return fail_at(v, "visit.chronic_disease", "only an outpatient visit can be for a "
                           "chronic or special disease (this one is inpatient)");
        if (!policy_has_disease(c->insured, c->visit, x->disease)) {
            fail_begin(v);
            sb_printf(&v->msg, "visit.chronic_disease: disease '%s' is not in the table of the "
                      "insured region %s", disease_code[x->disease], region_code[c->insured]);
            return -1;
        }
        if (x->kind == IK_PHARMACY)
            return fail_at(v, "visit.chronic_disease",
                           "a chronic or special-disease visit cannot be at a pharmacy");
    }
    /* Section 14. */
    if (x->kind == IK_PHARMACY && c->type == VT_INPATIENT)
        return fail_at(v, "visit.type", "a pharmacy purchase must be outpatient, not inpatient");
    return 0;
}

static const char *const SCHEMES[] = { "employee", "resident" };
static const char *const STATUSES[] = { "working", "retired" };
static const char *const FILING_KINDS[] = { "none", "long_term", "temporary" };
static const char *const VISIT_TYPES[] = { "outpatient", "inpatient" };

static int validate(vctx_t *v, const json_t *root, claim_t *c)
{
    json_t *person, *filing, *inst, *visit, *items, *x;
    claim_ext_t *ext = NULL;   /* Part 2 fields, when any is given */
    uint8_t u8;
    memset(c, 0, sizeof *c);

    if (get_string(v, root, "claim_id", "claim_id", &c->claim_id, &c->claim_id_len))
        return -1;

    if (get_object(v, root, "person", "person", &person)
        || get_string(v, person, "id", "person.id", &c->person_id, &c->person_id_len)
        || get_enum(v, person, "insured_region", "person.insured_region", "region", region_code,
                    R_COUNT, &c->insured)
        || get_enum(v, person, "scheme", "person.scheme", "scheme", SCHEMES, 2, &c->scheme)
        || get_enum(v, person, "status", "person.status", "status", STATUSES, 2, &c->status)
        || get_date(v, person, "enrolled_on", "person.enrolled_on", &c->enrolled, NULL))
        return -1;
    c->filing_kind = FK_NONE;
    if ((filing = field(person, "filing")) != NULL) {
        if (!json_is_object(filing))
            return fail_at(v, "person.filing", "expected an object");
        if (get_enum(v, filing, "kind", "person.filing.kind", "filing kind", FILING_KINDS, 3,
                     &c->filing_kind))
            return -1;
        /* required unless the kind is none, checked whenever given */
        if ((c->filing_kind != FK_NONE || field(filing, "region") != NULL)
            && get_enum(v, filing, "region", "person.filing.region", "region", region_code,
                        R_COUNT, &c->filing_region))
            return -1;
        /* section 11: validated whenever present, whatever the kind */
        if (field(filing, "filed_on")
            && get_date_as(v, filing, "filed_on", "person.filing.filed_on",
                           &ext_of(v, &ext)->filed_on, NULL))
            return -1;
    }
    if (get_amount(v, person, "account_balance", "person.account_balance", &c->balance))
        return -1;
    if ((x = field(person, "coverage")) && read_coverage(v, x, ext_of(v, &ext)))
        return -1;

    const char *inst_id;
    uint32_t inst_id_len;
    if (get_object(v, root, "institution", "institution", &inst)
        || get_string(v, inst, "id", "institution.id", &inst_id, &inst_id_len)
        || get_enum(v, inst, "region", "institution.region", "region", region_code, R_COUNT,
                    &c->treat))
        return -1;
    if (field(inst, "kind")) {
        if (get_enum(v, inst, "kind", "institution.kind", "institution kind", INST_KINDS, 2, &u8))
            return -1;
        if (u8 == IK_PHARMACY)
            ext_of(v, &ext)->kind = IK_PHARMACY;
    }
    if (ext && ext->kind == IK_PHARMACY) {
        /* section 14: level and specialty ignored, not validated */
        c->level = 1;
        c->specialty = false;
        if (get_bool(v, inst, "designated", "institution.designated", &c->designated))
            return -1;
    } else {
        if (!(x = field(inst, "level")))
            return fail_missing(v, "institution.level");
        if (!json_is_integer(x) || json_integer_value(x) < 1 || json_integer_value(x) > 3)
            return fail_at(v, "institution.level", "expected 1, 2 or 3");
        c->level = (uint8_t)json_integer_value(x);
        if (get_bool(v, inst, "designated", "institution.designated", &c->designated)
            || get_bool(v, inst, "specialty", "institution.specialty", &c->specialty))
            return -1;
    }

    if (get_object(v, root, "visit", "visit", &visit)
        || get_enum(v, visit, "type", "visit.type", "visit type", VISIT_TYPES, 2, &c->type)
        || get_date(v, visit, "date", "visit.date", &c->visit, &c->year)
        || get_bool(v, visit, "emergency", "visit.emergency", &c->emergency)
        || get_bool(v, visit, "card", "visit.card", &c->card))
        return -1;
    if (field(visit, "channel")) {
        if (get_enum(v, visit, "channel", "visit.channel", "channel", CHANNELS, 2, &u8))
            return -1;
        if (u8 == CH_MANUAL) {
            /* section 12: required when manual; ignored, not validated, when direct */
            claim_ext_t *e = ext_of(v, &ext);
            e->channel = CH_MANUAL;
            if (get_date_as(v, visit, "submitted_on", "visit.submitted_on", &e->submitted_on, NULL)
                || read_documents(v, visit, e))
                return -1;
        }
    }
    if (field(visit, "chronic_disease")) {
        if (get_enum(v, visit, "chronic_disease", "visit.chronic_disease", "disease",
                     disease_code, D_COUNT, &u8))
            return -1;
        ext_of(v, &ext)->disease = (int8_t)u8;
    }

    if (!(items = field(root, "items")))
        return fail_missing(v, "items");
    if (!json_is_array(items))
        return fail_at(v, "items", "expected an array");
    const size_t n = json_array_size(items);
    item_t *it = n ? arena_alloc(v->arena, n * sizeof *it, _Alignof(item_t)) : NULL;
    fen_t total = 0;
    for (size_t i = 0; i < n; i++) {
        char path[64], pcode[64], pamount[64];
        snprintf(path, sizeof path, "items[%zu]", i);
        snprintf(pcode, sizeof pcode, "items[%zu].code", i);
        snprintf(pamount, sizeof pamount, "items[%zu].amount", i);
        json_t *obj = json_array_get(items, i);
        if (!json_is_object(obj))
            return fail_at(v, path, "expected an object");
        if (get_string(v, obj, "code", pcode, &it[i].code, &it[i].len)
            || get_amount(v, obj, "amount", pamount, &it[i].amount))
            return -1;
        if (it[i].amount > INT64_MAX - total)   /* fen stay int64: the sum must fit */
            return fail_at(v, "items", "total amount is too large");
        total += it[i].amount;
    }
    c->items = it;
    c->nitems = (uint32_t)n;
    if (ext) {
        if (check_ext(v, c, ext))
            return -1;
        c->ext = ext;
    }
    return 0;
}

static const char *json_kind(const json_t *x)
{
    switch (json_typeof(x)) {
    case JSON_ARRAY: return "array";
    case JSON_STRING: return "string";
    case JSON_INTEGER:
    case JSON_REAL: return "number";
    case JSON_TRUE:
    case JSON_FALSE: return "boolean";
    case JSON_NULL: return "null";
    default: return "object";
    }
}

static void error_line(sbuf_t *out, long lineno, const json_t *root, const sbuf_t *msg)
{
    out->len = 0;
    sb_printf(out, "{\"line\": %ld, ", lineno);
    const json_t *id = root && json_is_object(root) ? json_object_get(root, "claim_id") : NULL;
    if (id && json_is_string(id)) {
        sb_puts(out, "\"claim_id\": ");
        sb_json_string(out, json_string_value(id), json_string_length(id));
        sb_putn(out, ", ", 2);
    }
    sb_puts(out, "\"error\": ");
    sb_json_string(out, msg->p, msg->len);
    sb_putc(out, '}');
}

int claim_read(const char *line, size_t len, long lineno, arena_t *arena, claim_t *c,
               sbuf_t *errline)
{
    static vctx_t v;           /* its message buffer is reused from line to line */
    v.lineno = lineno;
    v.arena = arena;

    size_t i = 0;
    while (i < len && (line[i] == ' ' || line[i] == '\t' || line[i] == '\r' || line[i] == '\n'
                       || line[i] == '\f' || line[i] == '\v'))
        i++;
    if (i == len) {
        fail_begin(&v);
        sb_puts(&v.msg, "blank line (expected one JSON claim object)");
        error_line(errline, lineno, NULL, &v.msg);
        return READ_ERROR;
    }

    json_error_t jerr;
    big_ints.n = 0;
    json_t *root = json_loadb(line, len, JSON_DECODE_ANY | JSON_ALLOW_NUL, &jerr);
    if (!root && strstr(jerr.text, "too big") && replace_big_ints(line, len, &v.text) > 0) {
        json_error_t jerr2;
        root = json_loadb(v.text.p, v.text.len, JSON_DECODE_ANY | JSON_ALLOW_NUL, &jerr2);
        if (!root && !strstr(jerr2.text, "too big"))
            jerr = jerr2;        /* the next problem of the line (positions of the rewrite) */
    }
    if (!root) {
        v.msg.len = 0;
        sb_printf(&v.msg, "not valid JSON: %s: line %d column %d", jerr.text, jerr.line,
                  jerr.column);
        error_line(errline, lineno, NULL, &v.msg);
        return READ_ERROR;
    }
    int rc = READ_OK;
    if (!json_is_object(root)) {
        fail_begin(&v);
        sb_printf(&v.msg, "expected a JSON object, got %s", json_kind(root));
        rc = READ_ERROR;
    } else if (validate(&v, root, c) != 0) {
        rc = READ_ERROR;
    }
    if (rc == READ_ERROR)
        error_line(errline, lineno, root, &v.msg);
    json_decref(root);
    return rc;
}
