/* values.c — exact money, percent and date conversions and checked arithmetic.
 * Pure functions; nothing here allocates or knows about claims or bytecode. */
#include "values.h"
#include "calendar.h"

#include <stdio.h>
#include <string.h>

#include "program.h"

/* The calendar is calendar.h's, inline there (native code compiles the same text). */
int rg_days_from_civil(int64_t y, unsigned m, unsigned d, int64_t *days) { return rg_cal_days_from_civil(y, m, d, days); }
void rg_civil_from_days(int64_t days, int64_t *y, unsigned *m, unsigned *d) { rg_cal_civil_from_days(days, y, m, d); }
int rg_add_months(int64_t days, int64_t n, int64_t *out) { return rg_cal_add_months(days, n, out); }
int64_t rg_year_of_days(int64_t days) { return rg_cal_year_of_days(days); }

int rg_parse_date(const char *s, size_t len, int64_t *days)
{
    if (len != 10 || s[4] != '-' || s[7] != '-')
        return -1;
    for (size_t i = 0; i < 10; i++)
        if (i != 4 && i != 7 && (s[i] < '0' || s[i] > '9'))
            return -1;
    int64_t y = (s[0] - '0') * 1000 + (s[1] - '0') * 100 + (s[2] - '0') * 10 + (s[3] - '0');
    unsigned m = (unsigned)((s[5] - '0') * 10 + (s[6] - '0'));
    unsigned d = (unsigned)((s[8] - '0') * 10 + (s[9] - '0'));
    if (y < 1) /* there is no year 0 in the calendar claims use */
        return -2;
    return rg_days_from_civil(y, m, d, days) == 0 ? 0 : -2;
}

int rg_format_date(int64_t days, char *buf)
{
    int64_t y;
    unsigned m, d;
    rg_civil_from_days(days, &y, &m, &d);
    int n = snprintf(buf, 32, "%04lld-%02u-%02u", (long long)y, m, d);
    return n < 32 ? n : 31;
}

rg_amount_status rg_parse_amount(const char *s, size_t len, int64_t *fen)
{
    if (len > 0 && s[0] == '-')
        return RG_AMOUNT_NEGATIVE;
    size_t i = 0;
    int64_t v = 0;
    int big = 0;
    /* digits past 10^15 yuan only mark the amount too large: v never overflows */
    while (i < len && s[i] >= '0' && s[i] <= '9') {
        if (v > RG_AMOUNT_MAX_FEN)
            big = 1;
        else
            v = v * 10 + (s[i] - '0');
        i++;
    }
    if (i == 0)
        return RG_AMOUNT_MALFORMED;
    int decimals = 0;
    if (i < len && s[i] == '.') {
        i++;
        size_t start = i;
        while (i < len && s[i] >= '0' && s[i] <= '9')
            i++;
        decimals = (int)(i - start);
        if (decimals == 0 || i != len)
            return RG_AMOUNT_MALFORMED;
        if (decimals > 2)
            return RG_AMOUNT_TOO_PRECISE;
        for (size_t k = start; k < i && !big; k++)
            v = v * 10 + (s[k] - '0');
    }
    if (i != len)
        return RG_AMOUNT_MALFORMED;
    for (int k = decimals; k < 2 && !big; k++)
        v *= 10;
    if (big || v > RG_AMOUNT_MAX_FEN)
        return RG_AMOUNT_TOO_LARGE;
    *fen = v;
    return RG_AMOUNT_OK;
}

int rg_format_money(int64_t fen, char *buf)
{
    uint64_t u = fen < 0 ? (uint64_t)0 - (uint64_t)fen : (uint64_t)fen;
    return snprintf(buf, 32, "%s%llu.%02llu", fen < 0 ? "-" : "", (unsigned long long)(u / 100),
                    (unsigned long long)(u % 100));
}

int rg_format_money_grouped(int64_t fen, int sign, char *buf, size_t cap)
{
    uint64_t a = fen < 0 ? (uint64_t)0 - (uint64_t)fen : (uint64_t)fen;
    char digits[24], grouped[40];
    int n = snprintf(digits, sizeof digits, "%llu", (unsigned long long)(a / 100)), k = 0;
    for (int i = 0; i < n; i++) {
        if (i && (n - i) % 3 == 0)
            grouped[k++] = ',';
        grouped[k++] = digits[i];
    }
    grouped[k] = '\0';
    const char *pre = fen < 0 ? "-" : sign && fen > 0 ? "+" : "";
    return snprintf(buf, cap, "%s¥%s.%02u", pre, grouped, (unsigned)(a % 100));
}

int rg_format_percent(int64_t p, char *buf)
{
    /* no snprintf: one a result line's percent cost more than the rest of the line's numbers */
    uint64_t u = p < 0 ? (uint64_t)0 - (uint64_t)p : (uint64_t)p;
    uint64_t whole = u / RG_PERCENT_ONE, frac = u % RG_PERCENT_ONE;
    char t[32], *e = t + sizeof t, *o = e;
    if (frac) { /* up to four decimals, trailing zeros dropped */
        int k = 4;
        while (frac % 10 == 0) {
            frac /= 10;
            k--;
        }
        for (; k > 0; k--, frac /= 10) *--o = (char)('0' + frac % 10);
        *--o = '.';
    }
    do *--o = (char)('0' + whole % 10);
    while ((whole /= 10) != 0);
    if (p < 0) *--o = '-';
    int n = (int)(e - o);
    memcpy(buf, o, (size_t)n);
    buf[n] = '\0';
    return n;
}

_Static_assert(100 * RG_PERCENT_ONE == 1000000, "rg_pct's divisor in values.h");

int rg_pct_wide(int64_t x, int64_t p, int64_t *r)
{
    const __int128 den = (__int128)100 * RG_PERCENT_ONE;
    __int128 n = (__int128)x * p;
    __int128 q = n >= 0 ? (n + den / 2) / den : -((-n + den / 2) / den);
    if (q > INT64_MAX || q < INT64_MIN + 1)
        return -1;
    *r = (int64_t)q;
    return 0;
}
