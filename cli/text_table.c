/* text_table.c — the aligned text tables of the tools' reports (`regula diff`,
 * `regula test --coverage`): cells of UTF-8 text, columns as wide as their
 * widest cell on a terminal, each left or right aligned. Must not compute
 * what goes in them. */
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "cli.h"
#include "text.h"

void cli_table_init(cli_table *t, const char *align)
{
    memset(t, 0, sizeof *t);
    t->align = align;
    t->n_cols = (uint32_t)strlen(align);
}

void cli_table_row(cli_table *t, ...)
{
    if (t->n_rows == t->cap_rows) {
        t->cap_rows = t->cap_rows ? 2 * t->cap_rows : 16;
        t->cells = realloc(t->cells, (size_t)t->cap_rows * t->n_cols * sizeof *t->cells);
    }
    va_list ap;
    va_start(ap, t);
    for (uint32_t c = 0; c < t->n_cols; c++) {
        const char *s = va_arg(ap, const char *);
        t->cells[(size_t)t->n_rows * t->n_cols + c] = strdup(s ? s : "");
    }
    va_end(ap);
    t->n_rows++;
}

void cli_table_print(FILE *out, cli_table *t, const char *indent)
{
    size_t *w = calloc(t->n_cols + 1, sizeof *w);
    for (uint32_t r = 0; r < t->n_rows; r++)
        for (uint32_t c = 0; c < t->n_cols; c++) {
            size_t x = rg_text_width(t->cells[(size_t)r * t->n_cols + c]);
            if (x > w[c])
                w[c] = x;
        }
    for (uint32_t r = 0; r < t->n_rows; r++) {
        fputs(indent, out);
        /* empty cells at the end of a row are left out, and a left-aligned last one needs no padding */
        uint32_t last = t->n_cols;
        while (last > 0 && !*t->cells[(size_t)r * t->n_cols + last - 1])
            last--;
        for (uint32_t c = 0; c < last; c++) {
            const char *s = t->cells[(size_t)r * t->n_cols + c];
            int pad = (int)(w[c] - rg_text_width(s));
            if (t->align[c] == 'r')
                fprintf(out, "%s%*s%s", c ? "  " : "", pad, "", s);
            else
                fprintf(out, "%s%s%*s", c ? "  " : "", s, c + 1 < last ? pad : 0, "");
        }
        fputc('\n', out);
    }
    for (size_t i = 0; i < (size_t)t->n_rows * t->n_cols; i++)
        free(t->cells[i]);
    free(t->cells);
    free(w);
    memset(t, 0, sizeof *t);
}
