/* value_text.c — a value of any scalar type as the plain text people read (REPL, explain, ledger keys): "12.34", "85%", "2025-03-14", "LN-CY", "employee".
 * Must not escape (that is JSON's business, stdlib/result_json.c) nor quote but a list's strings, and must not allocate. */
#include <inttypes.h>
#include <stdio.h>
#include <string.h>

#include "values.h"
#include "vm.h"

/* Copies s[0 .. n) into buf, cut to cap - 1 bytes; returns the length written. */
static int put(char *buf, size_t cap, const char *s, size_t n)
{
    if (!buf || cap == 0) return 0;
    if (n >= cap) n = cap - 1;
    memcpy(buf, s, n);
    buf[n] = '\0';
    return (int)n;
}

static int put_s(char *buf, size_t cap, const char *s) { return put(buf, cap, s, strlen(s)); }

/* buf's room from byte n on (NULL, 0 when buf is NULL or full). */
static char *at_n(char *buf, int n) { return buf ? buf + n : NULL; }
static size_t room_n(size_t cap, int n) { return cap > (size_t)n ? cap - (size_t)n : 0; }

int rg_value_text(const rg_program *p, uint32_t type, rg_value v, char *buf, size_t cap)
{
    char tmp[64];
    int n;
    if (v == RG_NONE) return put_s(buf, cap, "none");
    switch (RG_TYPE_KIND(type)) {
    case RG_T_BOOL: return put_s(buf, cap, v ? "true" : "false");
    case RG_T_MONEY:
        n = rg_format_money(v, tmp);
        return put(buf, cap, tmp, (size_t)n);
    case RG_T_PERCENT:
        n = rg_format_percent(v, tmp);
        tmp[n++] = '%';
        return put(buf, cap, tmp, (size_t)n);
    case RG_T_DATE:
        n = rg_format_date(v, tmp);
        return put(buf, cap, tmp, (size_t)n);
    case RG_T_DURATION:
        n = snprintf(tmp, sizeof tmp, "%" PRId64 " %s", v, v == 1 || v == -1 ? "day" : "days");
        return put(buf, cap, tmp, (size_t)n);
    case RG_T_STRING: {
        const char *s = (const char *)(uintptr_t)v;
        return put_s(buf, cap, s ? s : "none");
    }
    case RG_T_REGION:
        if (v >= 0 && (uint64_t)v < p->n_policies && p->str) return put_s(buf, cap, p->str[p->policies[v].name]);
        break;
    case RG_T_ENUM: {
        uint32_t e = RG_TYPE_AUX(type);
        if (p->str && e < p->n_enums && v >= 0 && (uint64_t)v < p->enums[e].n_members)
            return put_s(buf, cap, p->str[p->member_names[p->enums[e].first_member + (uint32_t)v]]);
        break;
    }
    case RG_T_ROW: { /* its catalog and its key (the value itself is an address) */
        uint32_t c = RG_TYPE_AUX(type), row = rg_catalog_row_index(p, c, v);
        rg_value key = row == RG_NO_INDEX ? -1 : p->cat_values[(size_t)row * p->catalogs[c].n_columns];
        if (!p->str || key < 0 || (uint64_t)key >= p->n_strings) return put_s(buf, cap, "row ?");
        n = put_s(buf, cap, p->str[p->catalogs[c].name]);
        n += put_s(at_n(buf, n), room_n(cap, n), " row ");
        return n + put_s(at_n(buf, n), room_n(cap, n), p->str[key]);
    }
    case RG_T_ELEM:
        n = snprintf(tmp, sizeof tmp, "element row %" PRId64, v);
        return put(buf, cap, tmp, (size_t)n);
    case RG_T_LIST: { /* [a, b]: a list of strings holds the strings' numbers */
        if (v < 0 || (uint64_t)v >= p->n_lists || !p->str) break;
        const rg_list *l = &p->lists[v];
        n = put_s(buf, cap, "[");
        for (uint32_t i = 0; i < l->count; i++) {
            rg_value e = p->list_values[l->first + i];
            if (i)
                n += put_s(at_n(buf, n), room_n(cap, n), ", ");
            if (RG_TYPE_KIND(l->type) == RG_T_STRING) { /* in quotes, so that "" shows */
                n += put_s(at_n(buf, n), room_n(cap, n), "\"");
                if (e >= 0 && (uint64_t)e < p->n_strings)
                    n += put_s(at_n(buf, n), room_n(cap, n), p->str[e]);
                n += put_s(at_n(buf, n), room_n(cap, n), "\"");
            } else
                n += rg_value_text(p, l->type, e, at_n(buf, n), room_n(cap, n));
        }
        return n + put_s(at_n(buf, n), room_n(cap, n), "]");
    }
    default:
        break;
    }
    n = snprintf(tmp, sizeof tmp, "%" PRId64, v);
    return put(buf, cap, tmp, (size_t)n);
}
