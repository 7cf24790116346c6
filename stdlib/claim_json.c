/* claim_json.c — binding one JSON Lines claim to the program's claim schema from the tape json_scan.c leaves, in the exact order and wording of docs/claims.md; amounts read exactly from the number's text.
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

/* ---- binding ------------------------------------------------------------------------- */

typedef struct {
    rg_vm *vm;
    const rg_program *p;
    const rg_jtape *t;
    const rg_claim_reader *r;
    msgbuf m;
    long item; /* index of the item being bound, -1 outside the list */
} bctx;

static inline const rg_jv *jv(const bctx *c, uint32_t i) { return i == RG_NO_INDEX ? NULL : &c->t->v[i]; }
static inline bool is_str(const rg_jv *x) { return x->kind == RG_JV_STR; }
static inline const char *str_of(const bctx *c, const rg_jv *x) { return rg_jv_text(c->t, x); }

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

/* Value x's JSON text as Python's json.dumps writes it, into the message. */
static void mb_json_value(bctx *c, const rg_jv *x)
{
    char small[512];
    rg_sb b;
    rg_sb_over(&b, small, sizeof small);
    rg_jv_dump(c->t, x, &b);
    mb_putn(&c->m, rg_sb_str(&b), b.n);
    rg_sb_free(&b);
}

/* "P: PRE'TEXT'POST": TEXT is a string's value, or a non-string's JSON text. */
static rg_status fail_quoted(bctx *c, const rg_field *f, const char *pre, const rg_jv *x, const char *post)
{
    put_path(c, f);
    mb_puts(&c->m, ": ");
    mb_puts(&c->m, pre);
    mb_putc(&c->m, '\'');
    if (is_str(x)) mb_put_text(&c->m, str_of(c, x), x->len);
    else mb_json_value(c, x);
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

/* A JSON integer's value: 1 when it fits int64 (*v set), 0 when it does not
 * (its text is what messages print), -1 when x is no integer. */
static int int_of(const bctx *c, const rg_jv *x, int64_t *v)
{
    if (x->kind != RG_JV_NUM || !(x->flags & RG_JV_INT)) return -1;
    const char *s = c->t->line + x->start;
    size_t n = x->len, i = s[0] == '-';
    uint64_t u = 0, lim = i ? (uint64_t)INT64_MAX + 1 : (uint64_t)INT64_MAX;
    for (; i < n; i++) {
        unsigned d = (unsigned)(s[i] - '0');
        if (u > (lim - d) / 10) return 0;
        u = u * 10 + d;
    }
    *v = s[0] == '-' ? (int64_t)(0 - u) : (int64_t)u;
    return 1;
}

static rg_status bind_int(bctx *c, const rg_field *f, const rg_jv *x, rg_value *out, const char *whole)
{
    int64_t v = 0;
    bool ok = int_of(c, x, &v) == 1;
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

/* The exact value of the JSON number text s[0 .. n) (checked by the scan) in
 * units of 10^-maxdec: OK (*out), NEGATIVE (below zero), TOO_PRECISE (a digit
 * below the unit), TOO_LARGE (above max). No floating point: the text is the
 * number (issue 21: "700000000000000.03" is 70000000000000003 fen, not the
 * double nearest it). */
static rg_amount_status number_units(const char *s, size_t n, int maxdec, int64_t max, int64_t *out)
{
    size_t i = 0;
    bool neg = s[0] == '-';
    i += neg;
    size_t i0 = i;
    while (i < n && s[i] >= '0' && s[i] <= '9') i++;
    size_t ni = i - i0, f0 = i, nf = 0;
    if (i < n && s[i] == '.') {
        f0 = ++i;
        while (i < n && s[i] >= '0' && s[i] <= '9') i++;
        nf = i - f0;
    }
    int64_t exp = 0;
    if (i < n && (s[i] == 'e' || s[i] == 'E')) {
        i++;
        bool eneg = s[i] == '-';
        if (s[i] == '+' || s[i] == '-') i++;
        for (; i < n; i++)
            if (exp < 1000000000) exp = exp * 10 + (s[i] - '0');
        if (eneg) exp = -exp;
    }
    /* the digits, integer part then fraction: digit p weighs 10^(ni - 1 - p + exp) */
#define DIGIT(p) ((p) < ni ? s[i0 + (p)] : s[f0 + (p) - ni])
    size_t nd = ni + nf, pf = 0, pl = nd;
    while (pf < nd && DIGIT(pf) == '0') pf++;
    if (pf == nd) {
        *out = 0; /* zero, "-0.0" included */
        return RG_AMOUNT_OK;
    }
    if (neg) return RG_AMOUNT_NEGATIVE;
    while (DIGIT(pl - 1) == '0') pl--;
    int64_t low = (int64_t)ni - (int64_t)pl + exp, high = (int64_t)ni - 1 - (int64_t)pf + exp;
    if (low < -maxdec) return RG_AMOUNT_TOO_PRECISE;
    if (high + maxdec >= 19) return RG_AMOUNT_TOO_LARGE;
    uint64_t v = 0;
    for (size_t p = pf; p < pl; p++) v = v * 10 + (uint64_t)(DIGIT(p) - '0');
    for (int64_t k = 0; k < low + maxdec; k++) v *= 10;
#undef DIGIT
    if (v > (uint64_t)max) return RG_AMOUNT_TOO_LARGE;
    *out = (int64_t)v;
    return RG_AMOUNT_OK;
}

#define PERCENT_MAX ((int64_t)1000000000000 * RG_PERCENT_ONE) /* 10^12 percent points */

/* A JSON real amount judged by its double, as Python reads it: the verdict
 * and messages docs/claims.md gives (the repr in them). The status, and *v
 * when OK. */
static rg_amount_status real_verdict(double d, const char *r, int maxdec, bool money, int64_t *v)
{
    if (d < 0) return RG_AMOUNT_NEGATIVE;
    const char *e = strchr(r, 'e'), *dot = strchr(r, '.');
    if (isinf(d) || (e && d >= 1)) return RG_AMOUNT_TOO_LARGE;
    if (e || !dot || strlen(dot + 1) > (size_t)maxdec) return RG_AMOUNT_TOO_PRECISE;
    const char *t = r[0] == '-' ? r + 1 : r; /* -0.0 */
    rg_amount_status st = money ? amount_text(t, strlen(t), v) : parse_decimal(t, strlen(t), 4, PERCENT_MAX, v);
    return st == RG_AMOUNT_OK ? RG_AMOUNT_OK : st == RG_AMOUNT_TOO_LARGE ? RG_AMOUNT_TOO_LARGE : RG_AMOUNT_TOO_PRECISE;
}

/* Money (decimals 2) or a percentage (decimals 4). */
static rg_status bind_decimal(bctx *c, const rg_field *f, const rg_jv *x, rg_value *out, int money)
{
    const char *noun = money ? "amount" : "percentage";
    const int maxdec = money ? 2 : 4;
    const int64_t max = money ? RG_AMOUNT_MAX_FEN : PERCENT_MAX;
    if (is_str(x)) {
        const char *s = str_of(c, x);
        size_t n = x->len;
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
    if (x->kind != RG_JV_NUM)
        return fail_at(c, f, money ? "expected an amount (a string such as \"12.50\")"
                                   : "expected a percentage (a string such as \"12.5\")");
    const char *text = c->t->line + x->start;
    if (x->flags & RG_JV_INT) {
        int64_t i = 0;
        int fits = int_of(c, x, &i);
        int64_t unit = money ? 100 : RG_PERCENT_ONE;
        if (x->flags & RG_JV_NEG && (fits == 0 || i < 0)) {
            put_path(c, f);
            mb_printf(&c->m, ": negative %s ", noun);
            mb_putn(&c->m, text, x->len);
            return RG_ERR_INPUT;
        }
        if (fits == 0 || i > max / unit) {
            put_path(c, f);
            mb_printf(&c->m, ": %s '", noun);
            mb_putn(&c->m, text, x->len);
            mb_puts(&c->m, "' is too large");
            return RG_ERR_INPUT;
        }
        *out = (rg_value)i * unit;
        return RG_OK;
    }
    /* A real: exact from its text. Where the double Python reads from it gives
     * the same verdict, the message quotes that double's repr, as
     * docs/claims.md has it; where the double hides what the text says (a
     * 16th or 17th digit), the message quotes the text. */
    int64_t exact = 0, approx = 0;
    rg_amount_status tv = number_units(text, x->len, maxdec, max, &exact);
    if (tv == RG_AMOUNT_OK) {
        *out = exact;
        return RG_OK;
    }
    char small[64], *buf = x->len < sizeof small ? small : malloc(x->len + 1);
    if (!buf) return fail_memory(c);
    memcpy(buf, text, x->len);
    buf[x->len] = '\0';
    double d = strtod(buf, NULL);
    if (buf != small) free(buf);
    char r[48];
    int rn = rg_json_number_repr(d, r, sizeof r);
    rg_amount_status dv = real_verdict(d, r, maxdec, money, &approx);
    bool by_repr = tv == dv && (tv != RG_AMOUNT_OK || exact == approx);
    const char *q = by_repr ? r : text;
    size_t qn = by_repr ? (size_t)rn : x->len;
    switch (tv) {
    case RG_AMOUNT_NEGATIVE:
        put_path(c, f);
        mb_printf(&c->m, ": negative %s ", noun);
        mb_putn(&c->m, q, qn);
        return RG_ERR_INPUT;
    case RG_AMOUNT_TOO_LARGE:
        return fail_text(c, f, money ? "amount '" : "percentage '", q, qn, "' is too large");
    default:
        put_path(c, f);
        mb_printf(&c->m, ": %s ", noun);
        mb_putn(&c->m, q, qn);
        mb_printf(&c->m, " is not exact to %s decimals", money ? "two" : "four");
        return RG_ERR_INPUT;
    }
}

static rg_status bind_date(bctx *c, const rg_field *f, const rg_jv *x, rg_value *out)
{
    int64_t days = 0;
    int rc = is_str(x) ? rg_parse_date(str_of(c, x), x->len, &days) : -1;
    if (rc == 0 && memcmp(str_of(c, x), "0000", 4) == 0) rc = -2; /* years start at 1 */
    if (rc == -1) return fail_quoted(c, f, "malformed date ", x, " (want YYYY-MM-DD)");
    if (rc != 0) return fail_quoted(c, f, "impossible date ", x, "");
    *out = days;
    return RG_OK;
}

/* "unknown <word> '<text>'": the enum's name with '_' read as a space. */
static rg_status fail_unknown(bctx *c, const rg_field *f, const char *word, const rg_jv *x)
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

static rg_status bind_enum(bctx *c, const rg_field *f, const rg_jv *x, rg_value *out)
{
    const rg_program *p = c->p;
    uint32_t e = RG_TYPE_AUX(f->type);
    if (e >= p->n_enums) return fail_at(c, f, "field of an unknown enumeration (bad program)");
    const rg_enum *en = &p->enums[e];
    if (is_str(x)) {
        const char *s = str_of(c, x);
        size_t n = x->len;
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

static rg_status bind_region(bctx *c, const rg_field *f, const rg_jv *x, rg_value *out)
{
    if (is_str(x)) {
        uint32_t pol = rg_claim_reader_region(c->r, str_of(c, x), x->len);
        if (pol != RG_NO_INDEX) {
            *out = (rg_value)pol;
            return RG_OK;
        }
    }
    return fail_unknown(c, f, "region", x);
}

static rg_status bind_fields(bctx *c, int32_t parent, uint32_t first, uint32_t end, const rg_jv *obj, rg_value *row);
static rg_status bind_value(bctx *c, const rg_field *f, uint32_t j, uint32_t end, const rg_jv *x, rg_value *row);

/* List field li, its element fields [li + 1, end): each element is a row of
 * the list's own (rg_vm_add_rows), an object of the element record or, for a
 * list of plain values, the value itself (the one element field, key ""). */
static rg_status bind_list(bctx *c, uint32_t li, uint32_t end, const rg_jv *x)
{
    const rg_program *p = c->p;
    const rg_field *f = &p->fields[li];
    if (x->kind != RG_JV_ARR || (f->nonempty && x->count == 0))
        return fail_shape(c, f, f->message, f->nonempty ? "expected a non-empty array" : "expected an array");
    size_t n = x->count;
    uint32_t first = 0;
    if (n > UINT32_MAX / (p->n_item_slots ? p->n_item_slots : 1)) return fail_memory(c);
    rg_status st = rg_vm_add_rows(c->vm, f->list, (uint32_t)n, &first);
    if (st == RG_ERR_USAGE) return fail_at(c, f, "a list the program does not number (bad program)");
    if (st != RG_OK) return fail_memory(c);
    rg_value *s = slot_of(c, f, NULL);
    if (s) *s = (rg_value)n;
    bool plain = li + 1 < end && p->fields[li + 1].key < p->n_strings && p->strings[p->fields[li + 1].key].len == 0;
    long outer = c->item;
    uint32_t at = x->aux;
    for (size_t i = 0; i < n; i++) {
        rg_value *row = c->vm->items ? c->vm->items + (size_t)(first + i) * p->n_item_slots : NULL;
        for (uint32_t k = 0; row && k < p->n_item_slots; k++) row[k] = RG_NONE;
        const rg_jv *el = jv(c, at);
        if (!el) return fail_at(c, f, "an element the reader did not keep (bad program)");
        at = el->next;
        c->item = (long)i;
        if (plain) {
            st = bind_value(c, &p->fields[li + 1], li + 1, end, el, row);
        } else if (el->kind != RG_JV_OBJ || el->aux == RG_NO_INDEX) {
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
static rg_status bind_field(bctx *c, uint32_t j, uint32_t end, const rg_jv *obj, rg_value *row)
{
    const rg_program *p = c->p;
    const rg_field *f = &p->fields[j];
    rg_value gv = RG_NONE;
    if (f->cond_op) {
        if (f->cond_field < 0 || (uint32_t)f->cond_field >= j) return fail_at(c, f, "bad condition (bad program)");
        rg_value *gs = slot_of(c, &p->fields[f->cond_field], row);
        gv = gs ? *gs : RG_NONE;
    }
    rg_field_need need = rg_field_need_of(f, gv);
    if (need == RG_FIELD_IGNORED) return set_none(c, j, end, row);

    const rg_jv *x = jv(c, c->t->members[obj->aux + c->t->pos[j]]);
    if (x && x->kind == RG_JV_NULL) x = NULL;
    if (!x) {
        if (need == RG_FIELD_REQUIRED) return fail_missing(c, f);
        rg_status st = set_none(c, j, end, row);
        rg_value *slot = slot_of(c, f, row);
        if (st == RG_OK && f->has_default && slot) *slot = f->default_value;
        return st;
    }
    return bind_value(c, f, j, end, x, row);
}

/* The value x of field f (index j, subtree [j, end)): checked and stored. */
static rg_status bind_value(bctx *c, const rg_field *f, uint32_t j, uint32_t end, const rg_jv *x, rg_value *row)
{
    rg_type_kind kind = RG_TYPE_KIND(f->type);
    if (kind == RG_T_LIST) return bind_list(c, j, end, x);

    rg_value *slot = slot_of(c, f, row);
    if (!slot) return fail_at(c, f, "slot out of range (bad program)");
    rg_value v = RG_NONE;
    rg_status st = RG_OK;
    switch (kind) {
    case RG_T_RECORD:
        if (x->kind != RG_JV_OBJ || x->aux == RG_NO_INDEX) return fail_shape(c, f, f->message, "expected an object");
        *slot = 1;
        return bind_fields(c, (int32_t)j, j + 1, end, x, row);
    case RG_T_STRING:
        if (!is_str(x)) return fail_at(c, f, "expected a string");
        /* the VM's strings end at their first NUL: refuse rather than cut */
        if (x->flags & RG_JV_NUL) return fail_at(c, f, "expected a string without NUL characters (\\u0000)");
        v = rg_vm_intern(c->vm, str_of(c, x), x->len);
        if (v == RG_NONE) return fail_memory(c);
        break;
    case RG_T_BOOL:
        if (x->kind != RG_JV_TRUE && x->kind != RG_JV_FALSE) return fail_at(c, f, "expected true or false");
        v = x->kind == RG_JV_TRUE;
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
static rg_status bind_fields(bctx *c, int32_t parent, uint32_t first, uint32_t end, const rg_jv *obj, rg_value *row)
{
    for (uint32_t j = first; j < end;) {
        uint32_t sub = c->p->field_end[j];
        if (sub > end) sub = end;
        if (c->p->fields[j].parent == parent) {
            rg_status st = bind_field(c, j, sub, obj, row);
            if (st != RG_OK) return st;
        }
        j = sub;
    }
    return RG_OK;
}

static const char *jv_kind_name(const rg_jv *x)
{
    switch (x->kind) {
    case RG_JV_OBJ: return "object";
    case RG_JV_ARR: return "array";
    case RG_JV_STR: return "string";
    case RG_JV_NUM: return "number";
    case RG_JV_TRUE:
    case RG_JV_FALSE: return "boolean";
    default: return "null";
    }
}

rg_status rg_claim_read(rg_claim_reader *r, rg_vm *vm, const char *line, size_t len, long lineno, char *err,
                        size_t errlen, const char **claim_id)
{
    msgbuf m;
    mb_init(&m, err, errlen);
    if (claim_id) *claim_id = NULL;
    if (!line) len = 0;
    if (len > 0 && line[len - 1] == '\n') len--;
    if (len > 0 && line[len - 1] == '\r') len--;
    char pre[48] = "";
    size_t i = 0;
    while (i < len && (line[i] == ' ' || line[i] == '\t' || line[i] == '\r' || line[i] == '\n' ||
                       line[i] == '\f' || line[i] == '\v'))
        i++;
    if (i == len) {
        if (lineno > 0) snprintf(pre, sizeof pre, "line %ld: ", lineno);
        mb_puts(&m, pre);
        mb_puts(&m, "blank line (expected one JSON claim object)");
        return RG_ERR_INPUT;
    }
    rg_jtape t;
    int sc = rg_json_scan(r, line, len, &t, err, errlen);
    if (sc != 0) return sc == -2 ? RG_ERR_MEMORY : RG_ERR_INPUT;
    const rg_jv *root = &t.v[t.root];
    if (root->kind != RG_JV_OBJ) {
        if (lineno > 0) snprintf(pre, sizeof pre, "line %ld: ", lineno);
        mb_puts(&m, pre);
        mb_puts(&m, "expected a JSON object, got ");
        mb_puts(&m, jv_kind_name(root));
        return RG_ERR_INPUT;
    }
    if (claim_id) *claim_id = t.claim_id_text;
    bctx c = {.vm = vm, .p = vm->prog, .t = &t, .r = r, .item = -1};
    rg_vm_reset(vm);
    for (uint32_t k = 0; k < c.p->n_claim_slots; k++) vm->claim[k] = RG_NONE;
    mb_init(&c.m, err, errlen);
    rg_status st = bind_fields(&c, -1, 0, c.p->n_fields, root, NULL);
    if (st != RG_OK && lineno > 0 && c.m.cap) {
        /* "line N: " before the message, made only for a line that failed */
        int k = snprintf(pre, sizeof pre, "line %ld: ", lineno);
        size_t n = (size_t)k < c.m.cap - 1 ? (size_t)k : c.m.cap - 1;
        size_t keep = c.m.len + n <= c.m.cap - 1 ? c.m.len : c.m.cap - 1 - n;
        memmove(c.m.p + n, c.m.p, keep);
        memcpy(c.m.p, pre, n);
        c.m.len = n + keep;
        c.m.p[c.m.len] = '\0';
        mb_trim_utf8(&c.m);
    }
    return st;
}
