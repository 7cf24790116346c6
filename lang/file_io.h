/* file_io.h — what the tools read, each read with a limit: a whole file into
 * memory (the source set, catalogs, packs, claim files), and lines one at a
 * time (claims, REPL scripts). The one reader of the command line and the
 * REPL (the embedding API keeps its own, which allocates through the host's
 * allocator). The limits are documented in docs/claims.md, "Limits". */
#ifndef RG_FILE_IO_H
#define RG_FILE_IO_H

#include <stddef.h>
#include <stdio.h>
#include <sys/types.h>

/* The largest file read whole: a policy file, a catalog, a compiled pack. */
#define RG_MAX_FILE ((size_t)256 << 20)
/* The longest line: one claim of `regula run`, `regula bench`, the REPL's
 * :claim and :whatif, and one line of a REPL session. A claim file read whole
 * (the REPL's `:claim FILE`) has the same limit. */
#define RG_MAX_LINE ((size_t)16 << 20)

/* The bytes of the file at path, NUL-terminated (the NUL not counted in
 * *len), to free(); NULL with errno set when it cannot: the open's error,
 * the read's (EISDIR for a directory), EFBIG past RG_MAX_FILE, ENOMEM. */
char *rg_read_file(const char *path, size_t *len);
/* The same with another limit than RG_MAX_FILE. */
char *rg_read_file_max(const char *path, size_t max, size_t *len);
/* What went wrong reading, for a message: strerror(err), or for EFBIG the limit. */
const char *rg_read_error(int err, size_t max);

/* Lines of a stream, read in blocks: no line grows memory past its limit. */
typedef struct {
    FILE *f;
    char *buf;
    size_t cap, start, end, scanned;
    size_t max;
    int eof;
    int err;        /* errno of a read error, else 0 */
    int started;    /* the first bytes were seen (a UTF-8 byte order mark there is skipped) */
    size_t dropped; /* the length of the line RG_LINE_TOO_LONG refused */
    int stop_long;  /* set by the caller: at a line past max, stop (the input ends there) rather than
                     * read on to its end: a reader that wants one line of an endless one */
} rg_lines;

#define RG_LINE_TOO_LONG (-2)

void rg_lines_init(rg_lines *l, FILE *f, size_t max);
/* The next line without its '\n' (NUL-terminated, valid until the next call)
 * and its length; -1 at the end of the input or on a read error (l->err);
 * RG_LINE_TOO_LONG for a line longer than max: the rest of it is read and
 * dropped (l->dropped: its length), and the next call reads the next line —
 * or, with stop_long, nothing more is read (l->dropped: the bytes seen). */
ssize_t rg_lines_next(rg_lines *l, const char **line);
void rg_lines_free(rg_lines *l);

#endif
