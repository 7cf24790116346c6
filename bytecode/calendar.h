/* calendar.h — the proleptic Gregorian calendar on days since 1970-01-01, as
 * inline code: the VM (through values.c's rg_days_from_civil, …) and native
 * code generated from a pack (native/cgen.c compiles this very text in) count
 * days the same way. Must stay plain C over integers: no other include, no
 * allocation, no float. */
#ifndef RG_CALENDAR_H
#define RG_CALENDAR_H

#include <stdint.h>

/* Howard Hinnant's civil-date algorithms. -1 if there is no such day. */
static inline int rg_cal_days_from_civil(int64_t y, unsigned m, unsigned d, int64_t *days)
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

static inline void rg_cal_civil_from_days(int64_t z, int64_t *y, unsigned *m, unsigned *d)
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

/* The years `date(y, m, d)` and `add_months` reach: past 9999, the last year
 * a claim's date or a result may have, since a rule may compare a date with
 * one a month or a year after a claim's (a deadline after 9999-12-31). */
#define RG_CAL_YEAR_MAX 999999
#define RG_CAL_DAYS_MAX 364522971 /* RG_CAL_YEAR_MAX-12-31 */

/* Date `days` plus n calendar months, the day kept or clamped to the month's
 * last: 0, or -1 when the result leaves years 1..RG_CAL_YEAR_MAX. */
static inline int rg_cal_add_months(int64_t days, int64_t n, int64_t *out)
{
    static const unsigned char mdays[] = {31, 28, 31, 30, 31, 30, 31, 31, 30, 31, 30, 31};
    if (days < -719162 || days > RG_CAL_DAYS_MAX || n < -12 * (int64_t)RG_CAL_YEAR_MAX ||
        n > 12 * (int64_t)RG_CAL_YEAR_MAX)
        return -1;
    int64_t y;
    unsigned m, d;
    rg_cal_civil_from_days(days, &y, &m, &d);
    int64_t total = y * 12 + (m - 1) + n;
    int64_t ny = total >= 0 ? total / 12 : -((-total + 11) / 12);
    unsigned nm = (unsigned)(total - ny * 12) + 1;
    if (ny < 1 || ny > RG_CAL_YEAR_MAX)
        return -1;
    int leap = (ny % 4 == 0 && ny % 100 != 0) || ny % 400 == 0;
    unsigned last = mdays[nm - 1] + (nm == 2 && leap);
    return rg_cal_days_from_civil(ny, nm, d < last ? d : last, out);
}

/* Days from 1970-01-01 to January 1st of year y >= 1: 365 a year, plus the
 * leap days of the years before y, less those before 1970 (492 - 19 + 4). */
static inline int64_t rg_cal_jan1(uint64_t y)
{
    uint64_t a = y - 1;
    return 365 * ((int64_t)y - 1970) + (int64_t)(a / 4 - a / 100 + a / 400) - 477;
}

/* The calendar year of day z. Between 1901-01-01 (day -25202) and
 * 2100-01-01 (day 47482) every fourth year is a leap year (2000 too), so a
 * year is a 1461-day cycle's quarter: one multiply and shift. */
static inline int64_t rg_cal_year_of_days(int64_t z)
{
    if (z >= -25202 && z < 47482) /* a claim's date: no loop */
        return 1901 + (int64_t)((4 * (uint64_t)(z - -25202) + 3) / 1461);
    if (z < -719162 || z > 400000000) { /* before 0001-01-01, or a million years on */
        int64_t y;
        unsigned m, d;
        rg_cal_civil_from_days(z, &y, &m, &d);
        return y;
    }
    /* 400 Gregorian years are 146 097 days: the estimate is off by a year at most */
    uint64_t y = 1 + (uint64_t)(z + 719162) * 400 / 146097;
    while (y > 1 && rg_cal_jan1(y) > z) y--;
    while (rg_cal_jan1(y + 1) <= z) y++;
    return (int64_t)y;
}

#endif
