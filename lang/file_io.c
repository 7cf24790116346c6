/* file_io.c — whole files and lines, each with a limit (file_io.h). Must not
 * interpret what it reads, beyond skipping a UTF-8 byte order mark that starts
 * a stream of lines. */
#include "file_io.h"
#include "i18n.h"
#include "program.h"

#include <errno.h>
#include <fcntl.h>
#include <stdint.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

char *rg_read_file_max(const char *path, size_t max, size_t *len)
{
    /* read(2), not stdio: a pack's hundreds of files each took a stream's
     * buffer beside the text kept */
    int fd = open(path, O_RDONLY | O_CLOEXEC);
    if (fd < 0)
        return NULL;
    /* a regular file's size known, its buffer is allocated once (doubling from 64 KiB, a 4 MB pack was
     * copied six times on the way), in huge pages when large (rg_block_alloc: a 4 MB pack's 4 KiB pages
     * faulted one by one cost ≈ 11 ms) */
    struct stat st;
    size_t cap = 1 << 16, n = 0;
    if (fstat(fd, &st) == 0 && S_ISREG(st.st_mode) && st.st_size > 0 && (uintmax_t)st.st_size <= max)
        cap = (size_t)st.st_size + 1; /* + 1: the end is seen without a second buffer */
    char *buf = rg_block_alloc(cap + 1);
    int err = 0;
    while (buf) {
        ssize_t got = read(fd, buf + n, cap - n);
        if (got < 0 && errno == EINTR)
            continue;
        if (got < 0) {
            err = errno ? errno : EIO; /* EISDIR for a directory */
            break;
        }
        if (got == 0)
            break;
        n += (size_t)got;
        if (n > max) {
            err = EFBIG;
            break;
        }
        if (n == cap) {
            char *nb = cap <= SIZE_MAX / 2 - 1 ? realloc(buf, cap * 2 + 1) : NULL;
            if (!nb)
                free(buf);
            buf = nb;
            cap *= 2;
        }
    }
    close(fd);
    if (!buf || err) {
        free(buf);
        errno = err ? err : ENOMEM;
        return NULL;
    }
    buf[n] = '\0';
    *len = n;
    return buf;
}

char *rg_read_file(const char *path, size_t *len)
{
    return rg_read_file_max(path, RG_MAX_FILE, len);
}

const char *rg_read_error(int err, size_t max)
{
    static char msg[96];
    if (err != EFBIG)
        return strerror(err);
    snprintf(msg, sizeof msg, _("it is larger than %zu MiB, the most regula reads from one file"), max >> 20);
    return msg;
}

enum { BLOCK = 1 << 16 };

void rg_lines_init(rg_lines *l, FILE *f, size_t max)
{
    memset(l, 0, sizeof *l);
    l->f = f;
    l->max = max;
}

void rg_lines_free(rg_lines *l)
{
    free(l->buf);
    l->buf = NULL;
}

/* One more block after the buffered bytes (moved to the front first). */
static int fill(rg_lines *l)
{
    if (l->start > 0) {
        memmove(l->buf, l->buf + l->start, l->end - l->start);
        l->end -= l->start;
        l->scanned -= l->start;
        l->start = 0;
    }
    if (l->cap - l->end < BLOCK + 1) {
        size_t cap = l->cap ? l->cap * 2 : 2 * BLOCK;
        while (cap - l->end < BLOCK + 1)
            cap *= 2;
        char *nb = realloc(l->buf, cap);
        if (!nb) {
            l->err = ENOMEM;
            return -1;
        }
        l->buf = nb;
        l->cap = cap;
    }
    size_t got = fread(l->buf + l->end, 1, BLOCK, l->f);
    l->end += got;
    if (got == 0) {
        if (ferror(l->f))
            l->err = errno ? errno : EIO;
        l->eof = 1;
    }
    if (!l->started && (l->end >= 3 || l->eof)) {
        l->started = 1;
        if (l->end >= 3 && memcmp(l->buf, "\xef\xbb\xbf", 3) == 0) /* a byte order mark: not part of the first line */
            l->start = l->scanned = 3;
    }
    return 0;
}

ssize_t rg_lines_next(rg_lines *l, const char **line)
{
    size_t dropped = 0;
    for (;;) {
        char *nl = l->end > l->scanned ? memchr(l->buf + l->scanned, '\n', l->end - l->scanned) : NULL;
        if (nl || (l->eof && l->end > l->start)) {
            size_t at = nl ? (size_t)(nl - l->buf) : l->end, len = at - l->start;
            l->buf[at] = '\0'; /* at < cap: fill keeps a byte free after the bytes it reads */
            l->started = 1;   /* a mark is looked for at the stream's start only */
            *line = l->buf + l->start;
            l->start = l->scanned = nl ? at + 1 : l->end;
            if (dropped) {
                l->dropped = dropped + len;
                return RG_LINE_TOO_LONG;
            }
            if (len > l->max) {
                l->dropped = len;
                return RG_LINE_TOO_LONG;
            }
            return (ssize_t)len;
        }
        if (l->eof || l->err)
            return dropped ? (l->dropped = dropped, RG_LINE_TOO_LONG) : -1;
        l->scanned = l->end;
        if (l->end - l->start > l->max) { /* over the limit: keep nothing of it, read on to its end */
            dropped += l->end - l->start;
            l->start = l->scanned = l->end;
            if (l->stop_long) {
                l->eof = 1;
                l->dropped = dropped;
                return RG_LINE_TOO_LONG;
            }
        }
        if (fill(l) != 0)
            return -1;
    }
}
