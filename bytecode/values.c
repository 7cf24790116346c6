/* values.c — exact money, percent and date conversions and checked arithmetic.
 * Pure functions; nothing here allocates or knows about claims or bytecode. */
#include "values.h"

#include <stdio.h>
#include <string.h>

#include "program.h"

/* Howard Hinnant's civil-date algorithms. */
int rg_days_from_civil(int64_t y, unsigned m, unsigned d, int64_t *days)
{
    static const unsigned char mdays[] = {31, 28, 31, 30, 31, 30, 31, 31, 30, 31, 30, 31};
    if (m < 1 || m > 12 || d < 1 || y < -1000000 || y > 1000000)
        return -1;
    int leap = (y % 4 == 0 && y % 100 != 0) || y % 400 == 0;
    if (d > (unsigned)(mdays[m - 1] + (m == 2 && leap)))
        return -1;
    y -= m <= 2;
    int64_t era = (y >= 0 ? y : y - 399) / 400;
    int64_t yoe = y - era * 400;
    int64_t doy = (153 * (m + (m > 2 ? -3 : 9)) + 2) / 5 + d - 1;
    int64_t doe = yoe * 365 + yoe / 4 - yoe / 100 + doy;
    *days = era * 146097 + doe - 719468;
    return 0;
}

void rg_civil_from_days(int64_t z, int64_t *y, unsigned *m, unsigned *d)
{
    const int64_t far = (int64_t)1 << 60; /* keeps every step below in range */
    z = z < -far ? -far : z > far ? far : z;
    z += 719468;
    int64_t era = (z >= 0 ? z : z - 146096) / 146097;
    int64_t doe = z - era * 146097;
    int64_t yoe = (doe - doe / 1460 + doe / 36524 - doe / 146096) / 365;
    int64_t doy = doe - (365 * yoe + yoe / 4 - yoe / 100);
    int64_t mp = (5 * doy + 2) / 153;
    *d = (unsigned)(doy - (153 * mp + 2) / 5 + 1);
    *m = (unsigned)(mp < 10 ? mp + 3 : mp - 9);
    *y = yoe + era * 400 + (*m <= 2);
}

int rg_add_months(int64_t days, int64_t n, int64_t *out)
{
    static const unsigned char mdays[] = {31, 28, 31, 30, 31, 30, 31, 31, 30, 31, 30, 31};
    if (days < -719162 || days > 2932896 || n < -120000 || n > 120000) /* years 1..9999, 10 000 years of months */
        return -1;
    int64_t y;
    unsigned m, d;
    rg_civil_from_days(days, &y, &m, &d);
    int64_t total = y * 12 + (m - 1) + n;
    int64_t ny = total >= 0 ? total / 12 : -((-total + 11) / 12);
    unsigned nm = (unsigned)(total - ny * 12) + 1;
    if (ny < 1 || ny > 9999)
        return -1;
    int leap = (ny % 4 == 0 && ny % 100 != 0) || ny % 400 == 0;
    unsigned last = mdays[nm - 1] + (nm == 2 && leap);
    return rg_days_from_civil(ny, nm, d < last ? d : last, out);
}

/* Days from 1970-01-01 to January 1st of year y >= 1: 365 a year, plus the
 * leap days of the years before y, less those before 1970 (492 - 19 + 4). */
static inline int64_t jan1(uint64_t y)
{
    uint64_t a = y - 1;
    return 365 * ((int64_t)y - 1970) + (int64_t)(a / 4 - a / 100 + a / 400) - 477;
}

/* 1901-01-01 and 2100-01-01 as days from 1970-01-01: between them every
 * fourth year is a leap year (2000 too), so a year is a 1461-day cycle's
 * quarter, one multiply and shift. */
#define DAY_1901 (-25202)
#define DAY_2100 47482

int64_t rg_year_of_days(int64_t z)
{
    if (z >= DAY_1901 && z < DAY_2100) /* a claim's date: no loop */
        return 1901 + (int64_t)((4 * (uint64_t)(z - DAY_1901) + 3) / 1461);
    if (z < -719162 || z > 400000000) { /* before 0001-01-01, or a million years on */
        int64_t y;
        unsigned m, d;
        rg_civil_from_days(z, &y, &m, &d);
        return y;
    }
    /* 400 Gregorian years are 146 097 days: the estimate is off by a year at most */
    uint64_t y = 1 + (uint64_t)(z + 719162) * 400 / 146097;
    while (y > 1 && jan1(y) > z) y--;
    while (jan1(y + 1) <= z) y++;
    return (int64_t)y;
}

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
