/* values.h — Regula's exact scalar values as text and back: money in fen,
 * percentages, calendar dates; checked arithmetic. No floats anywhere; must
 * not know claims, programs or bytecode. */
#ifndef RG_VALUES_H
#define RG_VALUES_H

#include <stddef.h>
#include <stdint.h>

/* Dates are days since 1970-01-01 (proleptic Gregorian). */
int rg_days_from_civil(int64_t y, unsigned m, unsigned d, int64_t *days); /* -1 if no such day */
/* Any int64_t: days past ±2^60 count as ±2^60 (a year of 16 digits). */
void rg_civil_from_days(int64_t days, int64_t *y, unsigned *m, unsigned *d);
/* The dates a claim and a result hold: 0001-01-01 .. 9999-12-31. */
#define RG_DATE_MIN (-719162)
#define RG_DATE_MAX 2932896
/* The calendar year of day `days` (the y of rg_civil_from_days, without the
 * month and day: a ledger key is a year, once a claim). */
int64_t rg_year_of_days(int64_t days);
/* Date `days` plus n calendar months: the same day of the month, or that
 * month's last day when it has fewer (2025-01-31 + 1 month = 2025-02-28).
 * 0 ok, -1 when the result leaves years 1..RG_CAL_YEAR_MAX (calendar.h: a
 * deadline may pass 9999; a claim and a result stay in RG_DATE_MIN ..
 * RG_DATE_MAX), or the input is out of range. */
int rg_add_months(int64_t days, int64_t n, int64_t *out);
/* "YYYY-MM-DD": 0 ok, -1 malformed, -2 well-formed but not a calendar day. */
int rg_parse_date(const char *s, size_t len, int64_t *days);
/* Writes "YYYY-MM-DD" (buf of at least 32 bytes: a day far outside
 * RG_DATE_MIN .. RG_DATE_MAX has a longer year); returns the length. */
int rg_format_date(int64_t days, char *buf);

typedef enum {
    RG_AMOUNT_OK = 0,
    RG_AMOUNT_MALFORMED = -1,
    RG_AMOUNT_NEGATIVE = -2,
    RG_AMOUNT_TOO_PRECISE = -3,
    RG_AMOUNT_TOO_LARGE = -4
} rg_amount_status;
#define RG_AMOUNT_MAX_FEN 100000000000000000LL /* 10^15 yuan */
/* Claim amount text: digits with an optional one or two decimals. */
rg_amount_status rg_parse_amount(const char *s, size_t len, int64_t *fen);
/* "-12.34" style, exactly two decimals; buf of at least 32 bytes; returns length. */
int rg_format_money(int64_t fen, char *buf);
/* Money as people read it in reports: "¥1,234.56", "-¥1.00"; with SIGN a
 * gain gets "+" ("+¥420.00"; zero stays "¥0.00"). Returns the length. */
int rg_format_money_grouped(int64_t fen, int sign, char *buf, size_t cap);
/* Percent value (1/10000 of a percent) as a JSON number: "85", "12.5". */
int rg_format_percent(int64_t p, char *buf);

/* Checked arithmetic: 0 ok, -1 overflow. */
static inline int rg_add(int64_t a, int64_t b, int64_t *r) { return __builtin_add_overflow(a, b, r) ? -1 : 0; }
static inline int rg_sub(int64_t a, int64_t b, int64_t *r) { return __builtin_sub_overflow(a, b, r) ? -1 : 0; }
static inline int rg_mul(int64_t a, int64_t b, int64_t *r) { return __builtin_mul_overflow(a, b, r) ? -1 : 0; }
/* x times percent p, rounded half away from zero to the fen: for x >= 0 and
 * whole percents this is (x*p + 50) / 100. Inline for amounts below 2^40 fen
 * and percentages below 2^22 (419 %), whose product fits 62 bits; the rest
 * take rg_pct_wide's 128-bit division (a libgcc call). */
int rg_pct_wide(int64_t x, int64_t p, int64_t *r);
/* u / 1000000 for every u < 2^64, as a multiply by the reciprocal: the
 * compiler would write it so where it takes the code for hot, but emits a
 * division (tens of cycles) in a block it takes for cold, as the positive
 * branch of rg_pct inlined into a long function can be. Exact: 0x431B…DB is
 * 2^82 / 10^6 rounded up, its error times 2^64 under 2^82. */
static inline uint64_t rg_div_million(uint64_t u)
{
    return (uint64_t)(((unsigned __int128)u * UINT64_C(0x431BDE82D7B634DB)) >> 82);
}
static inline int rg_pct(int64_t x, int64_t p, int64_t *r)
{
    /* -2^40 < x < 2^40 and -2^22 < p < 2^22, each as one unsigned comparison */
    if ((uint64_t)x + (((uint64_t)1 << 40) - 1) < ((uint64_t)1 << 41) - 1 &&
        (uint64_t)p + (((uint64_t)1 << 22) - 1) < ((uint64_t)1 << 23) - 1) {
        const int64_t n = x * p; /* 100 % is 1000000: values.c asserts it is 100 * RG_PERCENT_ONE */
        *r = n >= 0 ? (int64_t)rg_div_million((uint64_t)n + 500000) : -(int64_t)rg_div_million((uint64_t)-n + 500000);
        return 0;
    }
    return rg_pct_wide(x, p, r);
}

#endif
