/* result_json.c — writing result lines and error lines of `regula run` in the byte format of docs/claims.md (Python's json.dumps defaults, UTF-8 kept).
 * Must not decide anything about a claim: it prints the program's outputs as the VM computed them, and nothing else. */
#include <inttypes.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "rg_stdlib.h"
#include "values.h"

void rg_write_json_string(FILE *out, const char *s, size_t n)
{
    static const char hex[] = "0123456789abcdef";
    putc('"', out);
    size_t run = 0;
    for (size_t i = 0; i < n; i++) {
        unsigned char ch = (unsigned char)s[i];
        if (ch == 0xC0 && i + 1 < n && (unsigned char)s[i + 1] == 0x80) { /* a NUL, as messages carry it */
            fwrite(s + run, 1, i - run, out);
            fputs("\\u0000", out);
            run = ++i + 1;
            continue;
        }
        if (ch >= 0x20 && ch != '"' && ch != '\\') continue;
        fwrite(s + run, 1, i - run, out);
        run = i + 1;
        switch (ch) {
        case '"': fputs("\\\"", out); break;
        case '\\': fputs("\\\\", out); break;
        case '\n': fputs("\\n", out); break;
        case '\r': fputs("\\r", out); break;
        case '\t': fputs("\\t", out); break;
        case '\b': fputs("\\b", out); break;
        case '\f': fputs("\\f", out); break;
        default: {
            char u[6] = {'\\', 'u', '0', '0', hex[ch >> 4], hex[ch & 15]};
            fwrite(u, 1, sizeof u, out);
        }
        }
    }
    fwrite(s + run, 1, n - run, out);
    putc('"', out);
}

static void put_cstring(FILE *out, const char *s) { rg_write_json_string(out, s, strlen(s)); }

/* One output value as JSON. */
static void put_value(FILE *out, const rg_program *p, uint32_t type, rg_value v)
{
    char buf[48];
    if (v == RG_NONE) {
        fputs("null", out);
        return;
    }
    switch (RG_TYPE_KIND(type)) {
    case RG_T_BOOL: fputs(v ? "true" : "false", out); return;
    case RG_T_INT:
    case RG_T_DURATION: fprintf(out, "%" PRId64, v); return;
    case RG_T_MONEY:
        rg_format_money(v, buf);
        put_cstring(out, buf);
        return;
    case RG_T_PERCENT:
        rg_format_percent(v, buf);
        fputs(buf, out);
        return;
    case RG_T_DATE:
        rg_format_date(v, buf);
        put_cstring(out, buf);
        return;
    case RG_T_STRING: {
        const char *s = (const char *)(uintptr_t)v;
        if (s) put_cstring(out, s);
        else fputs("null", out);
        return;
    }
    case RG_T_REGION:
        if (v >= 0 && (uint64_t)v < p->n_policies) put_cstring(out, p->str[p->policies[v].name]);
        else fputs("null", out);
        return;
    case RG_T_ENUM: {
        uint32_t e = RG_TYPE_AUX(type);
        if (e < p->n_enums && v >= 0 && (uint64_t)v < p->enums[e].n_members)
            put_cstring(out, p->str[p->member_names[p->enums[e].first_member + (uint32_t)v]]);
        else fputs("null", out);
        return;
    }
    default: /* rows, lists: no JSON form; the compiler does not let them be outputs */
        fprintf(out, "%" PRId64, v);
        return;
    }
}

#define LOCAL_OUTPUTS 64

rg_status rg_write_result(FILE *out, rg_vm *vm, const char *claim_id_unused)
{
    (void)claim_id_unused;
    const rg_program *p = vm->prog;
    uint32_t n = p->n_outputs;
    rg_value local[LOCAL_OUTPUTS];
    rg_value *vals = local;
    if (n > LOCAL_OUTPUTS && !(vals = malloc((size_t)n * sizeof *vals))) return RG_ERR_MEMORY;
    for (uint32_t i = 0; i < n; i++) {
        rg_status st = rg_vm_eval_def(vm, p->outputs[i].def, &vals[i]);
        if (st != RG_OK) {
            if (vals != local) free(vals);
            return st;
        }
    }
    putc('{', out);
    for (uint32_t i = 0; i < n; i++) {
        if (i) fputs(", ", out);
        put_cstring(out, p->str[p->outputs[i].name]);
        fputs(": ", out);
        put_value(out, p, p->outputs[i].type, vals[i]);
    }
    fputs("}\n", out);
    if (vals != local) free(vals);
    return RG_OK;
}

void rg_write_error_line(FILE *out, long line, const char *claim_id_or_null, const char *message)
{
    fprintf(out, "{\"line\": %ld, ", line);
    if (claim_id_or_null) {
        fputs("\"claim_id\": ", out);
        put_cstring(out, claim_id_or_null);
        fputs(", ", out);
    }
    fputs("\"error\": ", out);
    put_cstring(out, message ? message : "");
    fputs("}\n", out);
}
