/* diag.h — source files and diagnostics: byte offsets to line:col, and the one
 * renderer of `file:line:col: error: …`, the source line and a ^~~~ underline.
 * Knows nothing of the grammar or the checker. */
#ifndef RG_DIAG_H
#define RG_DIAG_H

#include <stdio.h>
#include <stdint.h>
#include "ast.h"

typedef struct {
    char *path;      /* as given */
    char *text;      /* contents, NUL-terminated */
    size_t len;
    uint32_t *line_starts; /* byte offset of each line start */
    uint32_t n_lines;
} rg_source;

typedef enum { RG_SEV_ERROR, RG_SEV_WARNING, RG_SEV_NOTE } rg_severity;

/* One diagnostic as data, for a tool that writes its own format (`regula
 * check --format json`): path NULL for a message of no source location
 * (then the numbers are 0); lines and columns 1-based, columns in characters;
 * end_line:end_col is one past the underlined text; hint may be NULL. */
typedef struct {
    rg_severity sev;
    const char *path;
    uint32_t line, col, end_line, end_col;
    const char *message;
    const char *hint;
} rg_diag_record;

typedef struct rg_diag rg_diag;
/* Where diagnostics go instead of being rendered on out, when set. */
typedef void (*rg_diag_sink)(void *ud, const rg_diag *d, const rg_diag_record *r);

struct rg_diag {
    rg_source **files;
    uint32_t n_files, cap_files;
    FILE *out;         /* where diagnostics go (stderr by default) */
    int color;         /* use ANSI colours */
    unsigned n_errors, n_warnings;
    unsigned max_errors; /* stop reporting past this many (0 = 50) */
    rg_diag_sink sink;   /* NULL: render on out */
    void *sink_ud;
};

void rg_diag_init(rg_diag *d, FILE *out);
void rg_diag_free(rg_diag *d);
/* Add a source from memory (copied); returns its file index. */
uint32_t rg_diag_add_source(rg_diag *d, const char *path, const char *text, size_t len);
/* Read a file into the source set; returns its index, or -1 (with errno set). */
int rg_diag_load_file(rg_diag *d, const char *path);
const rg_source *rg_diag_source(const rg_diag *d, uint32_t file);
/* 1-based line and column (in characters, UTF-8 aware) of a byte offset. */
void rg_diag_linecol(const rg_diag *d, uint32_t file, uint32_t off, uint32_t *line, uint32_t *col);

/* Report: "path:line:col: error: message", the line, the underline, then
 * "  hint: …" when hint is not NULL. */
void rg_report(rg_diag *d, rg_severity sev, rg_loc loc, const char *hint, const char *fmt, ...)
    __attribute__((format(printf, 5, 6)));
/* A message with no source location: "regula: error: …". */
void rg_report_plain(rg_diag *d, rg_severity sev, const char *fmt, ...)
    __attribute__((format(printf, 3, 4)));

/* Levenshtein distance on bytes, for "did you mean". */
unsigned rg_edit_distance(const char *a, const char *b);

#endif
