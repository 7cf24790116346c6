/* text.c — text helpers every layer may use (text.h): error messages into a
 * caller's buffer, text widths, the string builder. Must not know programs or values. */
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>

#include "text.h"

int rg_errf(char *err, size_t errlen, const char *fmt, ...)
{
    if (err && errlen) {
        va_list ap;
        va_start(ap, fmt);
        vsnprintf(err, errlen, fmt, ap);
        va_end(ap);
    }
    return -1;
}

size_t rg_text_width(const char *s)
{
    size_t w = 0;
    for (const unsigned char *p = (const unsigned char *)s; *p;) {
        if (*p < 0x80) {
            w++;
            p++;
            continue;
        }
        unsigned cp = 0;
        int len = *p >= 0xF0 ? 4 : *p >= 0xE0 ? 3 : 2;
        if (len == 3 && p[1] && p[2])
            cp = ((p[0] & 0x0Fu) << 12) | ((p[1] & 0x3Fu) << 6) | (p[2] & 0x3Fu);
        w += (len == 4 || (cp >= 0x1100 && (cp <= 0x115F || (cp >= 0x2E80 && cp <= 0xA4CF) ||
                                            (cp >= 0xAC00 && cp <= 0xD7A3) || (cp >= 0xF900 && cp <= 0xFAFF) ||
                                            (cp >= 0xFE30 && cp <= 0xFE4F) || (cp >= 0xFF00 && cp <= 0xFF60) ||
                                            (cp >= 0xFFE0 && cp <= 0xFFE6))))
                 ? 2
                 : 1;
        for (int i = 0; i < len && *p; i++)
            p++;
    }
    return w;
}

void rg_sb_over(rg_sb *b, char *buf, size_t cap)
{
    *b = (rg_sb){.s = buf, .cap = cap};
    if (cap)
        buf[0] = '\0';
}

void rg_sb_mem(rg_sb *b, char *buf, size_t cap, void *(*mem)(void *ud, void *ptr, size_t size), void *ud)
{
    *b = (rg_sb){.s = buf, .cap = buf ? cap : 0, .heap = buf != NULL, .mem = mem, .mem_ud = ud};
    if (b->cap)
        buf[0] = '\0';
}

void rg_sb_fixed(rg_sb *b, char *buf, size_t cap)
{
    rg_sb_over(b, buf, cap);
    b->fixed = 1;
}

void rg_sb_free(rg_sb *b)
{
    if (b->heap) {
        if (b->mem)
            b->mem(b->mem_ud, b->s, 0);
        else
            free(b->s);
    }
    *b = (rg_sb){0};
}

/* Room for n more bytes and the NUL: 1, or 0 when the builder cannot grow. */
static int room(rg_sb *b, size_t n)
{
    if (b->n + n < b->cap)
        return 1;
    if (b->fixed || b->oom)
        return 0;
    size_t cap = b->cap ? b->cap * 2 : 256;
    while (cap <= b->n + n)
        cap *= 2;
    char *s = b->mem ? b->mem(b->mem_ud, b->heap ? b->s : NULL, cap) : b->heap ? realloc(b->s, cap) : malloc(cap);
    if (!s) {
        b->oom = 1;
        return 0;
    }
    if (!b->heap && b->n)
        memcpy(s, b->s, b->n);
    b->s = s;
    b->cap = cap;
    b->heap = 1;
    return 1;
}

void rg_sb_put_slow(rg_sb *b, const char *s, size_t n)
{
    if (!room(b, n)) {
        if (!b->fixed || b->n + 1 >= b->cap)
            return;
        n = b->cap - 1 - b->n; /* cut */
    }
    memcpy(b->s + b->n, s, n);
    b->n += n;
    b->s[b->n] = '\0';
}

void rg_sb_printf(rg_sb *b, const char *fmt, ...)
{
    va_list ap;
    va_start(ap, fmt);
    size_t avail = b->cap > b->n ? b->cap - b->n : 0;
    int k = vsnprintf(avail ? b->s + b->n : NULL, avail, fmt, ap);
    va_end(ap);
    if (k < 0)
        return;
    if ((size_t)k < avail) {
        b->n += (size_t)k;
        return;
    }
    if (!room(b, (size_t)k)) {
        if (b->fixed && avail)
            b->n = b->cap - 1; /* vsnprintf cut it */
        else if (avail)
            b->s[b->n] = '\0'; /* the heap refused: drop what vsnprintf began */
        return;
    }
    va_start(ap, fmt);
    vsnprintf(b->s + b->n, b->cap - b->n, fmt, ap);
    va_end(ap);
    b->n += (size_t)k;
}
