/* progress.c — the progress line long runs (`regula run`, `diff`, `bench`,
 * the REPL's :whatif) keep on standard error while it is a terminal: how many
 * claims, and how far into the input; and the lines of a claims file read
 * with it. Nothing at all on standard error when it is not a terminal. Must
 * not write anywhere else, nor look into a line. */
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <time.h>
#include <unistd.h>

#include "driver.h"

static long long now_ms(void)
{
    struct timespec ts;
    clock_gettime(CLOCK_MONOTONIC, &ts);
    return (long long)ts.tv_sec * 1000 + ts.tv_nsec / 1000000;
}

void rgd_progress_start(rgd_progress *pg, const char *what, const char *unit, FILE *input, long total)
{
    memset(pg, 0, sizeof *pg);
    pg->on = isatty(2);
    pg->what = what;
    pg->unit = unit;
    pg->total = total;
    struct stat st;
    if (input && fstat(fileno(input), &st) == 0 && S_ISREG(st.st_mode)) {
        pg->size = (long long)st.st_size;
        pg->input = input;
    }
}

void rgd_progress_draw(rgd_progress *pg, long n)
{
    if (!pg->on)
        return;
    long long t = now_ms();
    if (pg->shown && t - pg->last_ms < 100)
        return;
    long long pos = pg->input ? (long long)ftello(pg->input) : -1;
    pg->last_ms = t;
    pg->shown = 1;
    char line[200];
    int k = snprintf(line, sizeof line, "%s: %ld", pg->what, n);
    if (pg->total > 0 && k > 0 && (size_t)k < sizeof line)
        k += snprintf(line + k, sizeof line - (size_t)k, " of %ld", pg->total);
    if (k > 0 && (size_t)k < sizeof line)
        k += snprintf(line + k, sizeof line - (size_t)k, " %s", pg->unit);
    if (pg->size > 0 && pos >= 0 && k > 0 && (size_t)k < sizeof line)
        snprintf(line + k, sizeof line - (size_t)k, " (%lld%%)", pos >= pg->size ? 100 : pos * 100 / pg->size);
    fprintf(stderr, "\r\033[K%s", line);
    fflush(stderr);
}

void rgd_progress_end(rgd_progress *pg)
{
    if (pg->on && pg->shown) {
        fputs("\r\033[K", stderr);
        fflush(stderr);
    }
    pg->shown = 0;
}

void rgd_lines_start(rgd_lines *l, FILE *in, const char *what)
{
    memset(l, 0, sizeof *l);
    rg_lines_init(&l->in, in, RG_MAX_LINE);
    rgd_progress_start(&l->pg, what, "claims", in, 0);
}

int rgd_lines_next(rgd_lines *l)
{
    rgd_progress_step(&l->pg, l->lineno);
    const char *line;
    ssize_t n = rg_lines_next(&l->in, &line);
    if (n == -1)
        return 0;
    l->lineno++;
    l->too_long = n == RG_LINE_TOO_LONG ? l->in.dropped : 0;
    l->line = l->too_long ? "" : line;
    l->len = l->too_long ? 0 : (size_t)n;
    return 1;
}

int rgd_lines_end(rgd_lines *l)
{
    rgd_progress_end(&l->pg);
    l->err = l->in.err;
    rg_lines_free(&l->in);
    return l->err ? -1 : 0;
}
