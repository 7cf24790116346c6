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
    uint32_t last_line;    /* the line rg_diag_line found last: the compiler asks of one place after another */
} rg_source;

typedef enum { RG_SEV_ERROR, RG_SEV_WARNING, RG_SEV_NOTE } rg_severity;

/* Another place a diagnostic is about (the declaration an override clashes
 * with), with what is there. */
typedef struct {
    const char *path;
    uint32_t line, col, end_line, end_col;
    rg_loc loc;
    const char *message;
} rg_diag_related;

/* One diagnostic as data: what every consumer gets first — the text renderer
 * below, `regula check --format json`, the REPL, the language server. path
 * NULL for a message of no source location (then the numbers are 0 and loc
 * means nothing); lines and columns 1-based, columns in characters;
 * end_line:end_col is one past the underlined text, loc the same as byte
 * offsets in the source set; hint may be NULL. */
typedef struct {
    rg_severity sev;
    const char *path;
    uint32_t line, col, end_line, end_col;
    const char *message;
    const char *hint;
    rg_loc loc;
    const rg_diag_related *related;
    uint32_t n_related;
} rg_diag_record;

typedef struct rg_diag rg_diag;
/* Where diagnostics go instead of being rendered on out, when set. */
typedef void (*rg_diag_sink)(void *ud, const rg_diag *d, const rg_diag_record *r);
/* A file's text in place of what is on disk (an editor's unsaved buffer):
 * 1 and a malloc'd *text of *len bytes, or 0 to read the file. */
typedef int (*rg_diag_overlay)(void *ud, const char *path, char **text, size_t *len);

struct rg_diag {
    rg_source **files;
    uint32_t n_files, cap_files;
    FILE *out;         /* where diagnostics go (stderr by default) */
    int color;         /* use ANSI colours */
    unsigned n_errors, n_warnings;
    unsigned max_errors; /* stop reporting past this many (0 = 50) */
    rg_diag_sink sink;   /* NULL: render on out */
    void *sink_ud;
    rg_diag_overlay overlay; /* NULL: files are read from disk */
    void *overlay_ud;
};

/* How the text renderer names a diagnostic's place and numbers its source
 * line, for a tool that compiles text of its own (the REPL shows what was
 * typed as it was typed). */
typedef enum {
    RG_PLACE_LINE, /* "path:line:col: error: …" */
    RG_PLACE_FILE, /* "path: error: …" */
    RG_PLACE_NONE  /* "error: …" */
} rg_place_style;
typedef struct {
    rg_place_style place;
    uint32_t hidden_lines; /* the source's first lines, added by the tool: a diagnostic
                            * there shows no source line, and the gutter counts after them */
    int blank_gutter;      /* no line number beside the source line */
} rg_diag_style;

void rg_diag_init(rg_diag *d, FILE *out);
void rg_diag_free(rg_diag *d);
/* Add a source from memory (copied); returns its file index. */
uint32_t rg_diag_add_source(rg_diag *d, const char *path, const char *text, size_t len);
/* Read a file into the source set (its overlay's text when it has one);
 * returns its index, or -1 (with errno set). */
int rg_diag_load_file(rg_diag *d, const char *path);
const rg_source *rg_diag_source(const rg_diag *d, uint32_t file);
/* 1-based line and column (in characters, UTF-8 aware) of a byte offset. */
void rg_diag_linecol(const rg_diag *d, uint32_t file, uint32_t off, uint32_t *line, uint32_t *col);
/* The line alone (1-based): what the compiler's line table needs, without counting columns. */
uint32_t rg_diag_line(const rg_diag *d, uint32_t file, uint32_t off);

/* Report: a record, to the sink when there is one, else rendered on out. */
void rg_report(rg_diag *d, rg_severity sev, rg_loc loc, const char *hint, const char *fmt, ...)
    __attribute__((format(printf, 5, 6)));
/* The same with a related place and what is there ("declared here"). */
void rg_report_related(rg_diag *d, rg_severity sev, rg_loc loc, const char *hint, rg_loc at, const char *what,
                       const char *fmt, ...) __attribute__((format(printf, 7, 8)));
/* A message with no source location: "regula: error: …". */
void rg_report_plain(rg_diag *d, rg_severity sev, const char *fmt, ...)
    __attribute__((format(printf, 3, 4)));

/* The one text renderer: "path:line:col: error: message", the source line,
 * a ^~~~ underline under loc, then "      = hint: …"; a record without a
 * place is "regula: error: message". STYLE NULL: as for files. Related
 * places are not rendered (the messages that have them name them). */
void rg_diag_render(const rg_diag *d, const rg_diag_record *r, const rg_diag_style *style, FILE *out);

/* Levenshtein distance on characters (UTF-8: 参素 is one from 参数), for "did you mean". */
unsigned rg_edit_distance(const char *a, const char *b);

/* The characters of UTF-8 text s (a byte that is no sequence's counts as one). */
size_t rg_utf8_chars(const char *s);

#endif
