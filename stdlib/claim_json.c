/* claim_json.c — reading one JSON Lines claim and binding it to the program's claim schema, in the exact order and wording of docs/claims.md.
 * Must not settle anything nor know the seed pack: every field, enum and region comes from the program image. */
#include <errno.h>
#include <math.h>
#include <stdarg.h>
#include <stdbool.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "rg_stdlib.h"
#include "values.h"

/* ---- a bounded message buffer ------------------------------------------------------ */

typedef struct {
    char *p;
    size_t cap, len; /* len <= cap - 1 when cap > 0 */
} msgbuf;

static void mb_init(msgbuf *m, char *buf, size_t cap)
{
    m->p = buf;
    m->cap = buf ? cap : 0;
    m->len = 0;
    if (m->cap) m->p[0] = '\0';
}

/* After a cut, drop a UTF-8 sequence left incomplete at the end. */
static void mb_trim_utf8(msgbuf *m)
{
    size_t i = m->len, back = 0;
    while (i > 0 && back < 4 && ((unsigned char)m->p[i - 1] & 0xC0) == 0x80) i--, back++;
    if (i == 0) return;
    unsigned char lead = (unsigned char)m->p[i - 1];
    size_t need = lead >= 0xF0 ? 4 : lead >= 0xE0 ? 3 : lead >= 0xC0 ? 2 : 1;
    if (need > 1 && back + 1 < need) m->len = i - 1;
    m->p[m->len] = '\0';
}

static void mb_putn(msgbuf *m, const char *s, size_t n)
{
    if (!m->cap) return;
    size_t room = m->cap - 1 - m->len;
    int cut = n > room;
    if (cut) n = room;
    memcpy(m->p + m->len, s, n);
    m->len += n;
    m->p[m->len] = '\0';
    if (cut) mb_trim_utf8(m);
}

static void mb_puts(msgbuf *m, const char *s) { mb_putn(m, s, strlen(s)); }

/* A string value quoted in a message: a NUL (JSON "\u0000") becomes the bytes
 * C0 80, which valid UTF-8 never holds, and rg_write_json_string turns back
 * into \u0000 — so the message stays a C string and the error line is exact. */
static void mb_put_text(msgbuf *m, const char *s, size_t n)
{
    const char *nul;
    while (n > 0 && (nul = memchr(s, '\0', n)) != NULL) {
        mb_putn(m, s, (size_t)(nul - s));
        mb_putn(m, "\xC0\x80", 2);
        n -= (size_t)(nul - s) + 1;
        s = nul + 1;
    }
    mb_putn(m, s, n);
}
static void mb_putc(msgbuf *m, char c) { mb_putn(m, &c, 1); }

static void mb_printf(msgbuf *m, const char *fmt, ...) __attribute__((format(printf, 2, 3)));
static void mb_printf(msgbuf *m, const char *fmt, ...)
{
    char tmp[256];
    va_list ap;
    va_start(ap, fmt);
    int n = vsnprintf(tmp, sizeof tmp, fmt, ap);
    va_end(ap);
    if (n > 0) mb_putn(m, tmp, (size_t)n < sizeof tmp ? (size_t)n : sizeof tmp - 1);
}

/* S as JSON string text, the way Python's json.dumps(ensure_ascii=False) writes it. */
static void mb_json_string(msgbuf *m, const char *s, size_t n)
{
    char esc[6];
    mb_putc(m, '"');
    size_t run = 0;
    for (size_t i = 0; i < n; i++) {
        int k = rg_json_escape((unsigned char)s[i], esc);
        if (!k) continue;
        mb_putn(m, s + run, i - run);
        mb_putn(m, esc, (size_t)k);
        run = i + 1;
    }
    mb_putn(m, s + run, n - run);
    mb_putc(m, '"');
}

/* ---- Python's repr of a float -------------------------------------------------------- */

/* The common case of a number in a claim, an amount with at most two
 * decimals below 2^44 (where doubles are closer than 0.005, so that no other
 * number of two decimals reads as d): its text is its shortest round trip,
 * found with one strtod instead of up to 17 snprintf + strtod. 0 if d is not
 * such a number. */
static size_t cents_repr(double d, char *out)
{
    double a = fabs(d);
    if (!(a < 17592186044416.0)) return 0; /* 2^44; NaN too */
    long long c = llround(a * 100);
    char t[40], *o = t;
    if (signbit(d)) *o++ = '-';
    o += (size_t)snprintf(o, 24, "%lld", c / 100); /* integer formatting: no floating point */
    *o++ = '.';
    *o++ = (char)('0' + c % 100 / 10);
    *o++ = (char)('0' + c % 10);
    *o = '\0';
    if (strtod(t, NULL) != d) return 0;
    if (o[-1] == '0') o--; /* "12.50" -> "12.5", "450.00" -> "450.0" */
    if (o[-1] == '0' && o[-2] != '.') o--;
    *o = '\0';
    memcpy(out, t, (size_t)(o - t) + 1);
    return (size_t)(o - t);
}

int rg_json_number_repr(double d, char *buf, size_t cap)
{
    char out[48];
    char *o = out;
    if (cents_repr(d, out)) {
        /* done */
    } else if (isnan(d)) {
        strcpy(out, "nan");
    } else if (isinf(d)) {
        strcpy(out, d < 0 ? "-inf" : "inf");
    } else {
        char tmp[40];
        for (int prec = 1; prec <= 17; prec++) {
            snprintf(tmp, sizeof tmp, "%.*e", prec - 1, d);
            if (strtod(tmp, NULL) == d) break;
        }
        /* tmp is [-]D[.DDD]e[+-]XX */
        const char *s = tmp;
        if (*s == '-') *o++ = *s++;
        char digits[24];
        int nd = 0;
        for (; *s && *s != 'e'; s++)
            if (*s != '.' && nd < (int)sizeof digits) digits[nd++] = *s;
        int e10 = *s == 'e' ? atoi(s + 1) : 0;
        while (nd > 1 && digits[nd - 1] == '0') nd--;
        int decpt = d == 0 ? 1 : e10 + 1; /* value = 0.DIGITS × 10^decpt */
        if (decpt <= -4 || decpt > 16) {
            *o++ = digits[0];
            if (nd > 1) {
                *o++ = '.';
                memcpy(o, digits + 1, (size_t)nd - 1);
                o += nd - 1;
            }
            int x = decpt - 1;
            snprintf(o, sizeof out - (size_t)(o - out), "e%c%02d", x < 0 ? '-' : '+', x < 0 ? -x : x);
        } else {
            if (decpt <= 0) {
                *o++ = '0';
                *o++ = '.';
                for (int i = 0; i < -decpt; i++) *o++ = '0';
                memcpy(o, digits, (size_t)nd);
                o += nd;
            } else if (decpt >= nd) {
                memcpy(o, digits, (size_t)nd);
                o += nd;
                for (int i = nd; i < decpt; i++) *o++ = '0';
                *o++ = '.';
                *o++ = '0';
            } else {
                memcpy(o, digits, (size_t)decpt);
                o += decpt;
                *o++ = '.';
                memcpy(o, digits + decpt, (size_t)(nd - decpt));
                o += nd - decpt;
            }
            *o = '\0';
        }
    }
    size_t n = strlen(out);
    if (!buf || cap == 0) return 0;
    if (n >= cap) n = cap - 1;
    memcpy(buf, out, n);
    buf[n] = '\0';
    return (int)n;
}

/* ---- integers beyond int64 ----------------------------------------------------------
 * JSON integers have no size limit (Python's json reads them all); jansson stops at
 * int64 with "too big integer". Such a line is parsed again with each oversized integer
 * replaced by a sentinel at the end of the int64 range (INT64_MAX - k, INT64_MIN + k)
 * whose original text the messages then print: every such integer is an amount too
 * large or negative, or a wrong level or enum value, as with Python. The table lives
 * per thread from rg_read_claim_line to the rg_bind_claim that follows it. */

#define BIG_MAX 32
#define BIG_TEXT 2048
static _Thread_local struct {
    const json_t *root; /* the line's value the table belongs to */
    int n;
    uint16_t off[BIG_MAX], len[BIG_MAX];
    char text[BIG_TEXT];
    size_t used;
} big;

/* Original text of integer i when it is a sentinel of the current line, else NULL. */
static const char *big_text(json_int_t i, size_t *len)
{
    for (int k = 0; k < big.n; k++) {
        int neg = big.text[big.off[k]] == '-';
        if (i == (neg ? INT64_MIN + k : INT64_MAX - k)) {
            *len = big.len[k];
            return big.text + big.off[k];
        }
    }
    return NULL;
}

static void mb_int(msgbuf *m, json_int_t i)
{
    size_t n;
    const char *t = big_text(i, &n);
    if (t) mb_putn(m, t, n);
    else mb_printf(m, "%lld", (long long)i);
}

/* Copies LINE into a new buffer with every integer outside int64 replaced by a
 * sentinel; NULL when there is none, too many, or no memory. */
static char *replace_big_ints(const char *line, size_t len, size_t *outlen)
{
    big.n = 0;
    big.used = 0;
    char *out = malloc(len + 1);
    if (!out) return NULL;
    size_t o = 0, i = 0;
    while (i < len) {
        char ch = line[i];
        if (ch == '"') { /* a string, copied as it is */
            size_t j = i + 1;
            while (j < len && line[j] != '"') j += line[j] == '\\' ? 2 : 1;
            j = j < len ? j + 1 : len;
            memcpy(out + o, line + i, j - i);
            o += j - i;
            i = j;
            continue;
        }
        if (ch == '-' || (ch >= '0' && ch <= '9')) {
            size_t d0 = i + (ch == '-'), j = d0;
            while (j < len && line[j] >= '0' && line[j] <= '9') j++;
            size_t nd = j - d0;
            bool integer = !(j < len && (line[j] == '.' || line[j] == 'e' || line[j] == 'E'));
            while (j < len && ((line[j] >= '0' && line[j] <= '9') || line[j] == '.' || line[j] == 'e' ||
                               line[j] == 'E' || line[j] == '+' || line[j] == '-'))
                j++;
            bool is_big = false;
            /* a leading zero makes it no JSON number at all: leave it to the parser */
            if (integer && nd >= 19 && line[d0] != '0' && j == d0 + nd) {
                if (nd > 19) {
                    is_big = true;
                } else {
                    char tmp[24];
                    memcpy(tmp, line + i, j - i);
                    tmp[j - i] = '\0';
                    errno = 0;
                    (void)strtoll(tmp, NULL, 10);
                    is_big = errno == ERANGE;
                }
            }
            if (is_big) {
                size_t n = j - i;
                if (big.n == BIG_MAX || big.used + n > BIG_TEXT) {
                    free(out);
                    big.n = 0;
                    return NULL;
                }
                int k = big.n++;
                big.off[k] = (uint16_t)big.used;
                big.len[k] = (uint16_t)n;
                memcpy(big.text + big.used, line + i, n);
                big.used += n;
                long long s = ch == '-' ? INT64_MIN + k : INT64_MAX - k;
                char num[24];
                int w = snprintf(num, sizeof num, "%lld", s);
                /* the sentinel has 19 or 20 characters, never more than the original */
                memcpy(out + o, num, (size_t)w);
                o += (size_t)w;
            } else {
                memcpy(out + o, line + i, j - i);
                o += j - i;
            }
            i = j;
            continue;
        }
        out[o++] = ch;
        i++;
    }
    if (big.n == 0) {
        free(out);
        return NULL;
    }
    out[o] = '\0';
    *outlen = o;
    return out;
}

/* ---- JSON text of a value, as Python's json.dumps writes it ------------------------------ */

static void mb_json_value(msgbuf *m, const json_t *v, int depth)
{
    if (depth > 4096) { /* jansson stops at 2048 levels; never recurse without end */
        mb_puts(m, "…");
        return;
    }
    switch (json_typeof(v)) {
    case JSON_NULL: mb_puts(m, "null"); break;
    case JSON_TRUE: mb_puts(m, "true"); break;
    case JSON_FALSE: mb_puts(m, "false"); break;
    case JSON_INTEGER: mb_int(m, json_integer_value(v)); break;
    case JSON_REAL: {
        char r[48];
        rg_json_number_repr(json_real_value(v), r, sizeof r);
        mb_puts(m, r);
        break;
    }
    case JSON_STRING: mb_json_string(m, json_string_value(v), json_string_length(v)); break;
    case JSON_ARRAY: {
        mb_putc(m, '[');
        for (size_t i = 0; i < json_array_size(v) && m->len + 1 < m->cap; i++) {
            if (i) mb_puts(m, ", ");
            mb_json_value(m, json_array_get(v, i), depth + 1);
        }
        mb_putc(m, ']');
        break;
    }
    case JSON_OBJECT: {
        const char *key;
        json_t *x;
        int first = 1;
        mb_putc(m, '{');
        json_object_foreach((json_t *)v, key, x) {
            if (m->len + 1 >= m->cap) break;
            if (!first) mb_puts(m, ", ");
            first = 0;
            mb_json_string(m, key, strlen(key));
            mb_puts(m, ": ");
            mb_json_value(m, x, depth + 1);
        }
        mb_putc(m, '}');
        break;
    }
    }
}

/* ---- reading a line ------------------------------------------------------------------ */

static const char *json_kind(const json_t *x)
{
    switch (json_typeof(x)) {
    case JSON_OBJECT: return "object";
    case JSON_ARRAY: return "array";
    case JSON_STRING: return "string";
    case JSON_INTEGER:
    case JSON_REAL: return "number";
    case JSON_TRUE:
    case JSON_FALSE: return "boolean";
    case JSON_NULL: return "null";
    }
    return "value";
}

/* Appends S with every byte that is not part of valid UTF-8 written as '?'. */
static void mb_put_utf8_clean(msgbuf *m, const char *s)
{
    const unsigned char *u = (const unsigned char *)s;
    size_t i = 0, n = strlen(s);
    while (i < n) {
        unsigned char c = u[i];
        size_t need = c < 0x80 ? 1 : (c >= 0xC2 && c <= 0xDF) ? 2 : (c >= 0xE0 && c <= 0xEF) ? 3
                                    : (c >= 0xF0 && c <= 0xF4) ? 4 : 0;
        bool ok = need > 0 && i + need <= n;
        for (size_t k = 1; ok && k < need; k++) ok = (u[i + k] & 0xC0) == 0x80;
        if (ok && need == 3) {
            if (c == 0xE0 && u[i + 1] < 0xA0) ok = false;      /* overlong */
            if (c == 0xED && u[i + 1] >= 0xA0) ok = false;     /* surrogate */
        }
        if (ok && need == 4) {
            if (c == 0xF0 && u[i + 1] < 0x90) ok = false;      /* overlong */
            if (c == 0xF4 && u[i + 1] >= 0x90) ok = false;     /* beyond U+10FFFF */
        }
        if (ok) {
            mb_putn(m, s + i, need);
            i += need;
        } else {
            mb_putc(m, '?');
            i++;
        }
    }
}

int rg_read_claim_line(const char *line, size_t len, long lineno, json_t **out, char *err,
                       size_t errlen, const char **claim_id_out)
{
    msgbuf m;
    mb_init(&m, err, errlen);
    *out = NULL;
    if (claim_id_out) *claim_id_out = NULL;
    big.n = 0;
    big.root = NULL;
    if (!line) len = 0;
    if (len > 0 && line[len - 1] == '\n') len--;
    if (len > 0 && line[len - 1] == '\r') len--;

    size_t i = 0;
    while (i < len && (line[i] == ' ' || line[i] == '\t' || line[i] == '\r' || line[i] == '\n' ||
                       line[i] == '\f' || line[i] == '\v'))
        i++;
    if (i == len) {
        mb_printf(&m, "line %ld: blank line (expected one JSON claim object)", lineno);
        return -1;
    }

    json_error_t je;
    json_t *root = json_loadb(line, len, JSON_DECODE_ANY | JSON_ALLOW_NUL, &je);
    if (!root && strstr(je.text, "too big")) {
        size_t n2 = 0;
        char *text = replace_big_ints(line, len, &n2);
        if (text) {
            json_error_t je2;
            root = json_loadb(text, n2, JSON_DECODE_ANY | JSON_ALLOW_NUL, &je2);
            if (!root && !strstr(je2.text, "too big")) je = je2; /* the line's next problem */
            free(text);
        }
        if (!root) big.n = 0;
    }
    if (!root) {
        mb_puts(&m, "not valid JSON: ");
        mb_put_utf8_clean(&m, je.text);
        mb_printf(&m, " (column %d)", je.column);
        return -1;
    }
    if (!json_is_object(root)) {
        mb_printf(&m, "line %ld: expected a JSON object, got %s", lineno, json_kind(root));
        json_decref(root);
        big.n = 0;
        return -1;
    }
    if (claim_id_out) {
        json_t *id = json_object_get(root, "claim_id");
        /* one with a NUL in it cannot be passed on as a C string */
        if (id && json_is_string(id) && strlen(json_string_value(id)) == json_string_length(id))
            *claim_id_out = json_string_value(id);
    }
    big.root = root;
    *out = root;
    return 0;
}

/* ---- binding ------------------------------------------------------------------------- */

typedef struct {
    rg_vm *vm;
    const rg_program *p;
    msgbuf m;
    long item; /* index of the item being bound, -1 outside the list */
} bctx;

/* The display path of field f, with the item index where the schema has "[]". */
static void put_path(bctx *c, const rg_field *f)
{
    const char *path = c->p->str[f->path];
    const char *br = f->in_list && c->item >= 0 ? strstr(path, "[]") : NULL;
    if (!br) {
        mb_puts(&c->m, path);
        return;
    }
    mb_putn(&c->m, path, (size_t)(br - path));
    mb_printf(&c->m, "[%ld]", c->item);
    mb_puts(&c->m, br + 2);
}

static rg_status fail_missing(bctx *c, const rg_field *f)
{
    mb_puts(&c->m, "missing field ");
    put_path(c, f);
    return RG_ERR_INPUT;
}

/* "P: WHAT" */
static rg_status fail_at(bctx *c, const rg_field *f, const char *what)
{
    put_path(c, f);
    mb_puts(&c->m, ": ");
    mb_puts(&c->m, what);
    return RG_ERR_INPUT;
}

/* "P: PRE'TEXT'POST": TEXT is a string's value, or a non-string's JSON text. */
static rg_status fail_quoted(bctx *c, const rg_field *f, const char *pre, const json_t *x, const char *post)
{
    put_path(c, f);
    mb_puts(&c->m, ": ");
    mb_puts(&c->m, pre);
    mb_putc(&c->m, '\'');
    if (json_is_string(x)) mb_put_text(&c->m, json_string_value(x), json_string_length(x));
    else mb_json_value(&c->m, x, 0);
    mb_putc(&c->m, '\'');
    mb_puts(&c->m, post);
    return RG_ERR_INPUT;
}

/* "P: PRE'TEXT'POST" with TEXT given. */
static rg_status fail_text(bctx *c, const rg_field *f, const char *pre, const char *text, size_t n,
                           const char *post)
{
    put_path(c, f);
    mb_puts(&c->m, ": ");
    mb_puts(&c->m, pre);
    mb_putn(&c->m, text, n);
    mb_puts(&c->m, post);
    return RG_ERR_INPUT;
}

static rg_status fail_memory(bctx *c)
{
    c->m.len = 0;
    if (c->m.cap) c->m.p[0] = '\0';
    mb_puts(&c->m, "out of memory");
    return RG_ERR_MEMORY;
}

static rg_value *slot_of(bctx *c, const rg_field *f, rg_value *row)
{
    if (f->in_list) return row && f->slot < c->p->n_item_slots ? row + f->slot : NULL;
    return f->slot < c->p->n_claim_slots ? c->vm->claim + f->slot : NULL;
}

/* Fields [first, end) all absent: a list among them has no element. */
static rg_status set_none(bctx *c, uint32_t first, uint32_t end, rg_value *row)
{
    for (uint32_t k = first; k < end; k++) {
        const rg_field *f = &c->p->fields[k];
        rg_value *s = slot_of(c, f, row);
        if (s) *s = RG_NONE;
        uint32_t at;
        if (RG_TYPE_KIND(f->type) == RG_T_LIST && rg_vm_add_rows(c->vm, f->list, 0, &at) != RG_OK)
            return fail_memory(c);
    }
    return RG_OK;
}

/* "P: MESSAGE" with the field's own words for a value of the wrong shape, or
 * the binder's (what). */
static rg_status fail_shape(bctx *c, const rg_field *f, uint32_t message, const char *what)
{
    return fail_at(c, f, message != RG_NO_INDEX ? c->p->str[message] : what);
}

/* A JSON integer that fits the value range (sentinels of oversized ones do not). */
static bool plain_int(const json_t *x, json_int_t *v)
{
    if (!json_is_integer(x)) return false;
    size_t n;
    *v = json_integer_value(x);
    return big_text(*v, &n) == NULL;
}

static rg_status bind_int(bctx *c, const rg_field *f, const json_t *x, rg_value *out, const char *whole)
{
    json_int_t v = 0;
    bool ok = plain_int(x, &v);
    if (f->has_range) {
        if (ok && v >= f->lo && v <= f->hi) {
            *out = v;
            return RG_OK;
        }
        put_path(c, f);
        if (f->hi >= f->lo && (uint64_t)f->hi - (uint64_t)f->lo < 5) {
            mb_puts(&c->m, ": expected ");
            int count = (int)((uint64_t)f->hi - (uint64_t)f->lo) + 1;
            for (int k = 0; k < count; k++) {
                if (k > 0) mb_puts(&c->m, k == count - 1 ? " or " : ", ");
                mb_printf(&c->m, "%lld", (long long)((uint64_t)f->lo + (uint64_t)k));
            }
        } else {
            mb_printf(&c->m, ": expected %s from %lld to %lld", whole, (long long)f->lo, (long long)f->hi);
        }
        return RG_ERR_INPUT;
    }
    if (!ok || v == RG_NONE) {
        put_path(c, f);
        mb_printf(&c->m, ": expected %s", whole);
        return RG_ERR_INPUT;
    }
    *out = v;
    return RG_OK;
}

/* A string "digits[.d{1,maxdec}]" (sign, space, exponent: malformed) to units of
 * 10^-maxdec, for percentages; the same statuses as rg_parse_amount. */
static rg_amount_status parse_decimal(const char *s, size_t len, int maxdec, int64_t max, int64_t *out)
{
    if (len > 0 && s[0] == '-') return RG_AMOUNT_NEGATIVE;
    size_t i = 0;
    while (i < len && s[i] >= '0' && s[i] <= '9') i++;
    if (i == 0) return RG_AMOUNT_MALFORMED;
    size_t intlen = i, fstart = len;
    if (i < len) {
        if (s[i] != '.') return RG_AMOUNT_MALFORMED;
        fstart = ++i;
        while (i < len && s[i] >= '0' && s[i] <= '9') i++;
        if (i == fstart || i != len) return RG_AMOUNT_MALFORMED;
        if (i - fstart > (size_t)maxdec) return RG_AMOUNT_TOO_PRECISE;
    }
    int64_t v = 0;
    for (size_t k = 0; k < intlen; k++) {
        v = v * 10 + (s[k] - '0');
        if (v > max) return RG_AMOUNT_TOO_LARGE;
    }
    for (int k = 0; k < maxdec; k++) {
        size_t at = fstart + (size_t)k;
        if (v > max) return RG_AMOUNT_TOO_LARGE;
        v = v * 10 + (at < len ? s[at] - '0' : 0);
    }
    if (v > max) return RG_AMOUNT_TOO_LARGE;
    *out = v;
    return RG_AMOUNT_OK;
}

/* An amount string, as rg_parse_amount, but safe from int64 overflow for very long
 * integer parts (more than 16 significant digits is more than 10^15 yuan). */
static rg_amount_status amount_text(const char *s, size_t len, int64_t *fen)
{
    size_t i = 0, z = 0;
    while (i < len && s[i] >= '0' && s[i] <= '9') {
        if (i == z && s[i] == '0') z++;
        i++;
    }
    if (i - z > 16) {
        /* the rest decides malformed or too precise; a digit keeps it well-formed */
        rg_amount_status st = rg_parse_amount(s + i - 1, len - i + 1, fen);
        return st == RG_AMOUNT_OK ? RG_AMOUNT_TOO_LARGE : st;
    }
    return rg_parse_amount(s, len, fen);
}

#define PERCENT_MAX ((int64_t)1000000000000 * RG_PERCENT_ONE) /* 10^12 percent points */

/* Money (decimals 2) or a percentage (decimals 4). */
static rg_status bind_decimal(bctx *c, const rg_field *f, const json_t *x, rg_value *out, int money)
{
    const char *noun = money ? "amount" : "percentage";
    const int maxdec = money ? 2 : 4;
    if (json_is_string(x)) {
        const char *s = json_string_value(x);
        size_t n = json_string_length(x);
        int64_t v = 0;
        rg_amount_status st = money ? amount_text(s, n, &v) : parse_decimal(s, n, 4, PERCENT_MAX, &v);
        char pre[64], post[96];
        switch (st) {
        case RG_AMOUNT_OK: *out = v; return RG_OK;
        case RG_AMOUNT_NEGATIVE:
            snprintf(pre, sizeof pre, "negative %s ", noun);
            return fail_quoted(c, f, pre, x, "");
        case RG_AMOUNT_TOO_PRECISE:
            snprintf(pre, sizeof pre, "%s ", noun);
            snprintf(post, sizeof post, " has more than %s decimals", money ? "two" : "four");
            return fail_quoted(c, f, pre, x, post);
        case RG_AMOUNT_TOO_LARGE:
            snprintf(pre, sizeof pre, "%s ", noun);
            return fail_quoted(c, f, pre, x, " is too large");
        case RG_AMOUNT_MALFORMED:
        default:
            snprintf(pre, sizeof pre, "malformed %s ", noun);
            snprintf(post, sizeof post, " (expected digits with up to %s decimals)", money ? "two" : "four");
            return fail_quoted(c, f, pre, x, post);
        }
    }
    if (json_is_integer(x)) {
        json_int_t i = json_integer_value(x);
        int64_t unit = money ? 100 : RG_PERCENT_ONE;
        int64_t max = money ? RG_AMOUNT_MAX_FEN : PERCENT_MAX;
        if (i < 0) {
            put_path(c, f);
            mb_printf(&c->m, ": negative %s ", noun);
            mb_int(&c->m, i);
            return RG_ERR_INPUT;
        }
        if (i > max / unit) {
            put_path(c, f);
            mb_printf(&c->m, ": %s '", noun);
            mb_int(&c->m, i);
            mb_puts(&c->m, "' is too large");
            return RG_ERR_INPUT;
        }
        *out = (rg_value)i * unit;
        return RG_OK;
    }
    if (json_is_real(x)) {
        double d = json_real_value(x);
        char r[48];
        int n = rg_json_number_repr(d, r, sizeof r);
        if (d < 0) {
            put_path(c, f);
            mb_printf(&c->m, ": negative %s %s", noun, r);
            return RG_ERR_INPUT;
        }
        const char *e = strchr(r, 'e'), *dot = strchr(r, '.');
        if (isinf(d) || (e && d >= 1)) return fail_text(c, f, money ? "amount '" : "percentage '", r, (size_t)n, "' is too large");
        if (e || !dot || strlen(dot + 1) > (size_t)maxdec) {
            put_path(c, f);
            mb_printf(&c->m, ": %s %s is not exact to %s decimals", noun, r, money ? "two" : "four");
            return RG_ERR_INPUT;
        }
        const char *t = r[0] == '-' ? r + 1 : r; /* -0.0 */
        int64_t v = 0;
        rg_amount_status st = money ? amount_text(t, strlen(t), &v) : parse_decimal(t, strlen(t), 4, PERCENT_MAX, &v);
        if (st == RG_AMOUNT_TOO_LARGE)
            return fail_text(c, f, money ? "amount '" : "percentage '", r, (size_t)n, "' is too large");
        if (st != RG_AMOUNT_OK) { /* cannot happen: the repr is digits.digits */
            put_path(c, f);
            mb_printf(&c->m, ": %s %s is not exact to %s decimals", noun, r, money ? "two" : "four");
            return RG_ERR_INPUT;
        }
        *out = v;
        return RG_OK;
    }
    return fail_at(c, f, money ? "expected an amount (a string such as \"12.50\")"
                               : "expected a percentage (a string such as \"12.5\")");
}

static rg_status bind_date(bctx *c, const rg_field *f, const json_t *x, rg_value *out)
{
    int64_t days = 0;
    int rc = json_is_string(x) ? rg_parse_date(json_string_value(x), json_string_length(x), &days) : -1;
    if (rc == 0 && memcmp(json_string_value(x), "0000", 4) == 0) rc = -2; /* years start at 1 */
    if (rc == -1) return fail_quoted(c, f, "malformed date ", x, " (want YYYY-MM-DD)");
    if (rc != 0) return fail_quoted(c, f, "impossible date ", x, "");
    *out = days;
    return RG_OK;
}

/* "unknown <word> '<text>'": the enum's name with '_' read as a space. */
static rg_status fail_unknown(bctx *c, const rg_field *f, const char *word, const json_t *x)
{
    char pre[96];
    size_t n = 0;
    const char *w = "unknown ";
    for (; *w && n < sizeof pre - 1; w++) pre[n++] = *w;
    for (; *word && n < sizeof pre - 2; word++) pre[n++] = *word == '_' ? ' ' : *word;
    pre[n++] = ' ';
    pre[n] = '\0';
    return fail_quoted(c, f, pre, x, "");
}

static rg_status bind_enum(bctx *c, const rg_field *f, const json_t *x, rg_value *out)
{
    const rg_program *p = c->p;
    uint32_t e = RG_TYPE_AUX(f->type);
    if (e >= p->n_enums) return fail_at(c, f, "field of an unknown enumeration (bad program)");
    const rg_enum *en = &p->enums[e];
    if (json_is_string(x)) {
        const char *s = json_string_value(x);
        size_t n = json_string_length(x);
        for (uint32_t i = 0; i < en->n_members; i++) {
            uint32_t id = p->member_names[en->first_member + i];
            if (p->strings[id].len == n && memcmp(p->str[id], s, n) == 0) {
                *out = (rg_value)i;
                return RG_OK;
            }
        }
    }
    return fail_unknown(c, f, p->str[en->name], x);
}

static rg_status bind_region(bctx *c, const rg_field *f, const json_t *x, rg_value *out)
{
    if (json_is_string(x)) {
        uint32_t pol = rg_policy_by_name(c->p, json_string_value(x), json_string_length(x));
        if (pol != RG_NO_INDEX) {
            *out = (rg_value)pol;
            return RG_OK;
        }
    }
    return fail_unknown(c, f, "region", x);
}

static rg_status bind_fields(bctx *c, int32_t parent, uint32_t first, uint32_t end, json_t *obj, rg_value *row);

/* obj's member named key (a program string), or NULL. *at walks obj's members
 * in their order alongside the schema's fields: a claim's keys mostly come in
 * the schema's order, so the key is looked for where the walk stands, then
 * one member on (past a key the schema does not read), and only then by
 * obj's hash. */
static json_t *member(json_t *obj, const char *key, void **at)
{
    uint32_t len = rg_str_len(key);
    void *it = *at;
    for (int step = 0; step < 2 && it; step++, it = json_object_iter_next(obj, it)) {
        if (json_object_iter_key_len(it) == len && memcmp(json_object_iter_key(it), key, len) == 0) {
            *at = json_object_iter_next(obj, it);
            return json_object_iter_value(it);
        }
    }
    return json_object_getn(obj, key, len);
}

static rg_status bind_value(bctx *c, const rg_field *f, uint32_t j, uint32_t end, json_t *x, rg_value *row);

/* List field li, its element fields [li + 1, end): each element is a row of
 * the list's own (rg_vm_add_rows), an object of the element record or, for a
 * list of plain values, the value itself (the one element field, key ""). */
static rg_status bind_list(bctx *c, uint32_t li, uint32_t end, json_t *x)
{
    const rg_program *p = c->p;
    const rg_field *f = &p->fields[li];
    if (!json_is_array(x) || (f->nonempty && json_array_size(x) == 0))
        return fail_shape(c, f, f->message, f->nonempty ? "expected a non-empty array" : "expected an array");
    size_t n = json_array_size(x);
    uint32_t first = 0;
    if (n > UINT32_MAX / (p->n_item_slots ? p->n_item_slots : 1)) return fail_memory(c);
    rg_status st = rg_vm_add_rows(c->vm, f->list, (uint32_t)n, &first);
    if (st == RG_ERR_USAGE) return fail_at(c, f, "a list the program does not number (bad program)");
    if (st != RG_OK) return fail_memory(c);
    rg_value *s = slot_of(c, f, NULL);
    if (s) *s = (rg_value)n;
    bool plain = li + 1 < end && p->fields[li + 1].key < p->n_strings && p->strings[p->fields[li + 1].key].len == 0;
    long outer = c->item;
    for (size_t i = 0; i < n; i++) {
        rg_value *row = c->vm->items ? c->vm->items + (size_t)(first + i) * p->n_item_slots : NULL;
        for (uint32_t k = 0; row && k < p->n_item_slots; k++) row[k] = RG_NONE;
        json_t *el = json_array_get(x, i);
        c->item = (long)i;
        if (plain) {
            st = bind_value(c, &p->fields[li + 1], li + 1, end, el, row);
        } else if (!json_is_object(el)) {
            put_path(c, f);
            mb_printf(&c->m, "[%zu]: ", i);
            mb_puts(&c->m, f->elem_message != RG_NO_INDEX ? p->str[f->elem_message] : "expected an object");
            st = RG_ERR_INPUT;
        } else {
            st = bind_fields(c, (int32_t)li, li + 1, end, el, row);
        }
        c->item = outer;
        if (st != RG_OK) return st;
    }
    return RG_OK;
}

/* Field j (subtree [j, end)) read from object obj. A conditional field is
 * required while its condition holds; otherwise it is read whenever given
 * (cond_only 0) or ignored (cond_only 1). Absent or null, a field with a
 * default takes it. */
static rg_status bind_field(bctx *c, uint32_t j, uint32_t end, json_t *obj, void **at, rg_value *row)
{
    const rg_program *p = c->p;
    const rg_field *f = &p->fields[j];
    bool required = !f->optional;
    if (f->cond_op) {
        if (f->cond_field < 0 || (uint32_t)f->cond_field >= j) return fail_at(c, f, "bad condition (bad program)");
        const rg_field *g = &p->fields[f->cond_field];
        rg_value *gs = slot_of(c, g, row);
        rg_value gv = gs ? *gs : RG_NONE;
        bool holds = f->cond_op == 1 ? gv == f->cond_value : gv != f->cond_value;
        if (!holds && f->cond_only) return set_none(c, j, end, row);
        required = required && holds;
    }

    json_t *x = member(obj, p->str[f->key], at);
    if (x && json_is_null(x)) x = NULL;
    if (!x) {
        if (required && !f->has_default) return fail_missing(c, f);
        rg_status st = set_none(c, j, end, row);
        rg_value *slot = slot_of(c, f, row);
        if (st == RG_OK && f->has_default && slot) *slot = f->default_value;
        return st;
    }
    return bind_value(c, f, j, end, x, row);
}

/* The value x of field f (index j, subtree [j, end)): checked and stored. */
static rg_status bind_value(bctx *c, const rg_field *f, uint32_t j, uint32_t end, json_t *x, rg_value *row)
{
    rg_type_kind kind = RG_TYPE_KIND(f->type);
    if (kind == RG_T_LIST) return bind_list(c, j, end, x);

    rg_value *slot = slot_of(c, f, row);
    if (!slot) return fail_at(c, f, "slot out of range (bad program)");
    rg_value v = RG_NONE;
    rg_status st = RG_OK;
    switch (kind) {
    case RG_T_RECORD:
        if (!json_is_object(x)) return fail_shape(c, f, f->message, "expected an object");
        *slot = 1;
        return bind_fields(c, (int32_t)j, j + 1, end, x, row);
    case RG_T_STRING:
        if (!json_is_string(x)) return fail_at(c, f, "expected a string");
        /* the VM's strings end at their first NUL: refuse rather than cut */
        if (strlen(json_string_value(x)) != json_string_length(x))
            return fail_at(c, f, "expected a string without NUL characters (\\u0000)");
        v = rg_vm_intern(c->vm, json_string_value(x), json_string_length(x));
        if (v == RG_NONE) return fail_memory(c);
        break;
    case RG_T_BOOL:
        if (!json_is_boolean(x)) return fail_at(c, f, "expected true or false");
        v = json_is_true(x);
        break;
    case RG_T_INT: st = bind_int(c, f, x, &v, "a whole number"); break;
    case RG_T_DURATION: st = bind_int(c, f, x, &v, "a whole number of days"); break;
    case RG_T_MONEY: st = bind_decimal(c, f, x, &v, 1); break;
    case RG_T_PERCENT: st = bind_decimal(c, f, x, &v, 0); break;
    case RG_T_DATE: st = bind_date(c, f, x, &v); break;
    case RG_T_ENUM: st = bind_enum(c, f, x, &v); break;
    case RG_T_REGION: st = bind_region(c, f, x, &v); break;
    default: return fail_at(c, f, "field of a type a claim cannot hold (bad program)");
    }
    if (st != RG_OK) return st;
    *slot = v;
    return RG_OK;
}

/* The children of parent among fields [first, end), read from object obj. */
static rg_status bind_fields(bctx *c, int32_t parent, uint32_t first, uint32_t end, json_t *obj, rg_value *row)
{
    void *at = json_object_iter(obj);
    for (uint32_t j = first; j < end;) {
        uint32_t sub = c->p->field_end[j];
        if (sub > end) sub = end;
        if (c->p->fields[j].parent == parent) {
            rg_status st = bind_field(c, j, sub, obj, &at, row);
            if (st != RG_OK) return st;
        }
        j = sub;
    }
    return RG_OK;
}

rg_status rg_bind_claim(rg_vm *vm, json_t *claim, char *err, size_t errlen)
{
    bctx c = {.vm = vm, .p = vm->prog, .item = -1};
    mb_init(&c.m, err, errlen);
    if (claim != big.root) big.n = 0; /* not the value the last line read gave */
    rg_vm_reset(vm);
    for (uint32_t k = 0; k < c.p->n_claim_slots; k++) vm->claim[k] = RG_NONE;
    if (!claim || !json_is_object(claim)) {
        mb_puts(&c.m, "expected a JSON object");
        return RG_ERR_INPUT;
    }
    rg_status st = bind_fields(&c, -1, 0, c.p->n_fields, claim, NULL);
    return st;
}
