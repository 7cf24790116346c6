/* result_json.c — writing result lines and error lines of `regula run` in the byte format of docs/claims.md (Python's json.dumps defaults, UTF-8 kept).
 * Must not decide anything about a claim: it prints the program's outputs as the VM computed them, and nothing else. */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "rg_stdlib.h"
#include "text.h"
#include "values.h"

#define LOCAL_OUTPUTS 64

/* A result line is built in memory and written with one fwrite: a line of
 * stdio calls per value cost more than the settlement (docs/performance.md).
 * The builder starts in a buffer on the stack; only a line longer than it
 * (long strings) goes to the heap. */
int rg_json_escape(unsigned char ch, char out[6])
{
    static const char hex[] = "0123456789abcdef";
    if (ch >= 0x20 && ch != '"' && ch != '\\') return 0;
    out[0] = '\\';
    switch (ch) {
    case '"': out[1] = '"'; return 2;
    case '\\': out[1] = '\\'; return 2;
    case '\n': out[1] = 'n'; return 2;
    case '\r': out[1] = 'r'; return 2;
    case '\t': out[1] = 't'; return 2;
    case '\b': out[1] = 'b'; return 2;
    case '\f': out[1] = 'f'; return 2;
    default:
        memcpy(out + 1, "u00", 3);
        out[4] = hex[ch >> 4];
        out[5] = hex[ch & 15];
        return 6;
    }
}

/* A byte written as it is: not one rg_json_escape escapes, nor the first of
 * a NUL as messages carry it (0xC0 0x80). */
static inline int plain_byte(unsigned char ch) { return ch >= 0x20 && ch != '"' && ch != '\\' && ch != 0xC0; }

/* rg_write_json_string's bytes, into l. */
static void sb_json_string(rg_sb *l, const char *s, size_t n)
{
    char esc[6];
    /* most strings (keys, ids, codes) need no escape: quoted in one copy */
    size_t plain = 0;
    while (plain < n && plain_byte((unsigned char)s[plain])) plain++;
    if (plain == n) {
        rg_sb_put(l, "\"", 1);
        rg_sb_put(l, s, n);
        rg_sb_put(l, "\"", 1);
        return;
    }
    rg_sb_put(l, "\"", 1);
    size_t run = 0;
    for (size_t i = 0; i < n; i++) {
        unsigned char ch = (unsigned char)s[i];
        if (ch == 0xC0 && i + 1 < n && (unsigned char)s[i + 1] == 0x80) { /* a NUL, as messages carry it */
            rg_sb_put(l, s + run, i - run);
            rg_sb_puts(l, "\\u0000");
            run = ++i + 1;
            continue;
        }
        int k = rg_json_escape(ch, esc);
        if (!k) continue;
        rg_sb_put(l, s + run, i - run);
        rg_sb_put(l, esc, (size_t)k);
        run = i + 1;
    }
    rg_sb_put(l, s + run, n - run);
    rg_sb_put(l, "\"", 1);
}

static void sb_json_cstring(rg_sb *l, const char *s) { sb_json_string(l, s, strlen(s)); }

void rg_write_json_string(FILE *out, const char *s, size_t n)
{
    char stack[512];
    rg_sb l;
    rg_sb_over(&l, stack, sizeof stack);
    sb_json_string(&l, s, n);
    if (!l.oom) fwrite(l.s, 1, l.n, out);
    rg_sb_free(&l);
}

/* Decimal digits of v, no stdio. */
static void sb_int(rg_sb *l, int64_t v)
{
    char t[24], *e = t + sizeof t, *o = e;
    uint64_t u = v < 0 ? (uint64_t)0 - (uint64_t)v : (uint64_t)v;
    do *--o = (char)('0' + u % 10);
    while ((u /= 10) != 0);
    if (v < 0) *--o = '-';
    rg_sb_put(l, o, (size_t)(e - o));
}

/* Money as "12.34" (quoted), without snprintf. */
static void sb_money(rg_sb *l, int64_t fen)
{
    uint64_t u = fen < 0 ? (uint64_t)0 - (uint64_t)fen : (uint64_t)fen;
    char t[32], *e = t + sizeof t, *o = e;
    *--o = '"';
    *--o = (char)('0' + u % 10);
    *--o = (char)('0' + u / 10 % 10);
    *--o = '.';
    u /= 100;
    do *--o = (char)('0' + u % 10);
    while ((u /= 10) != 0);
    if (fen < 0) *--o = '-';
    *--o = '"';
    rg_sb_put(l, o, (size_t)(e - o));
}

/* One output value as JSON. */
static void put_value(rg_sb *l, const rg_program *p, uint32_t type, rg_value v)
{
    char buf[48];
    if (v == RG_NONE) {
        rg_sb_puts(l, "null");
        return;
    }
    switch (RG_TYPE_KIND(type)) {
    case RG_T_BOOL: rg_sb_puts(l, v ? "true" : "false"); return;
    case RG_T_INT:
    case RG_T_DURATION: sb_int(l, v); return;
    case RG_T_MONEY: sb_money(l, v); return;
    case RG_T_PERCENT:
        rg_format_percent(v, buf);
        rg_sb_puts(l, buf);
        return;
    case RG_T_DATE:
        rg_format_date(v, buf);
        sb_json_cstring(l, buf);
        return;
    case RG_T_STRING: {
        const char *s = (const char *)(uintptr_t)v;
        if (s) sb_json_cstring(l, s);
        else rg_sb_puts(l, "null");
        return;
    }
    case RG_T_REGION:
        if (v >= 0 && (uint64_t)v < p->n_policies) sb_json_cstring(l, p->str[p->policies[v].name]);
        else rg_sb_puts(l, "null");
        return;
    case RG_T_ENUM: {
        uint32_t e = RG_TYPE_AUX(type);
        if (e < p->n_enums && v >= 0 && (uint64_t)v < p->enums[e].n_members)
            sb_json_cstring(l, p->str[p->member_names[p->enums[e].first_member + (uint32_t)v]]);
        else rg_sb_puts(l, "null");
        return;
    }
    default: /* rows, lists: no JSON form; the compiler does not let them be outputs */
        sb_int(l, v);
        return;
    }
}

struct rg_result_form {
    rg_alloc alloc;
    uint32_t n;
    uint32_t *off; /* n + 1 offsets into text: output i's "{\"name\": " or ", \"name\": " */
    char *text;
};

rg_result_form *rg_result_form_new(const rg_program *p, const rg_alloc *alloc)
{
    rg_alloc a = alloc ? *alloc : (rg_alloc){NULL, NULL};
    rg_result_form *f = rg_mem(&a, NULL, sizeof *f);
    if (!f) return NULL;
    memset(f, 0, sizeof *f);
    f->alloc = a;
    f->n = p->n_outputs;
    rg_sb b;
    rg_sb_mem(&b, NULL, 0, a.fn, a.ud); /* a.fn NULL: the C library's, as rg_mem frees it */
    f->off = rg_mem(&a, NULL, ((size_t)f->n + 1) * sizeof *f->off);
    for (uint32_t i = 0; f->off && i < f->n; i++) {
        f->off[i] = (uint32_t)b.n;
        rg_sb_put(&b, i ? ", " : "{", i ? 2 : 1);
        sb_json_cstring(&b, p->str[p->outputs[i].name]);
        rg_sb_put(&b, ": ", 2);
    }
    if (!f->off || b.oom || b.n > UINT32_MAX) {
        rg_sb_free(&b);
        rg_result_form_free(f);
        return NULL;
    }
    f->off[f->n] = (uint32_t)b.n;
    f->text = b.s; /* NULL when there are no outputs */
    return f;
}

void rg_result_form_free(rg_result_form *f)
{
    if (!f) return;
    rg_alloc a = f->alloc;
    if (f->text) rg_mem(&a, f->text, 0);
    if (f->off) rg_mem(&a, f->off, 0);
    rg_mem(&a, f, 0);
}

void rg_result_json(rg_sb *l, const rg_program *p, const rg_value *vals, const rg_result_form *form)
{
    if (!form || form->n != p->n_outputs || !form->text) {
        rg_sb_put(l, "{", 1);
        for (uint32_t i = 0; i < p->n_outputs; i++) {
            if (i) rg_sb_put(l, ", ", 2);
            sb_json_cstring(l, p->str[p->outputs[i].name]);
            rg_sb_put(l, ": ", 2);
            put_value(l, p, p->outputs[i].type, vals[i]);
        }
        rg_sb_put(l, "}", 1);
        return;
    }
    for (uint32_t i = 0; i < p->n_outputs; i++) {
        rg_sb_put(l, form->text + form->off[i], form->off[i + 1] - form->off[i]);
        put_value(l, p, p->outputs[i].type, vals[i]);
    }
    rg_sb_put(l, "}", 1);
}

rg_status rg_write_result(FILE *out, rg_vm *vm, const char *claim_id_unused)
{
    (void)claim_id_unused;
    const rg_program *p = vm->prog;
    uint32_t n = p->n_outputs;
    rg_value local[LOCAL_OUTPUTS];
    rg_value *vals = local;
    if (n > LOCAL_OUTPUTS && !(vals = malloc((size_t)n * sizeof *vals))) return RG_ERR_MEMORY;
    rg_status st = rg_vm_eval_outputs(vm, vals);
    if (st != RG_OK) {
        if (vals != local) free(vals);
        return st;
    }
    char stack[2048];
    rg_sb l;
    rg_sb_over(&l, stack, sizeof stack);
    rg_result_json(&l, p, vals, NULL);
    rg_sb_put(&l, "\n", 1);
    if (vals != local) free(vals);
    st = RG_OK;
    if (l.oom) st = RG_ERR_MEMORY;
    else fwrite(l.s, 1, l.n, out);
    rg_sb_free(&l);
    return st;
}

void rg_json_string(rg_sb *l, const char *s, size_t n) { sb_json_string(l, s, n); }

void rg_error_json(rg_sb *l, long line, const char *claim_id_or_null, const char *message)
{
    char num[32];
    int k = snprintf(num, sizeof num, "{\"line\": %ld, ", line);
    rg_sb_put(l, num, (size_t)k);
    if (claim_id_or_null) {
        rg_sb_puts(l, "\"claim_id\": ");
        sb_json_cstring(l, claim_id_or_null);
        rg_sb_put(l, ", ", 2);
    }
    rg_sb_puts(l, "\"error\": ");
    sb_json_cstring(l, message ? message : "");
    rg_sb_put(l, "}", 1);
}

void rg_write_error_line(FILE *out, long line, const char *claim_id_or_null, const char *message)
{
    char stack[1024];
    rg_sb l;
    rg_sb_over(&l, stack, sizeof stack);
    rg_error_json(&l, line, claim_id_or_null, message);
    rg_sb_put(&l, "\n", 1);
    if (!l.oom) fwrite(l.s, 1, l.n, out);
    rg_sb_free(&l);
}
