/* text.h — text helpers every layer may use: an error message written into a
 * caller's buffer, the width of text on a terminal, and the one string builder. Must not know programs, values
 * or any layer above: it is plain C text. */
#ifndef RG_TEXT_H
#define RG_TEXT_H

#include <stddef.h>
#include <string.h>

/* Format a message into err (when err and errlen); returns -1, so that a
 * failing function can `return rg_errf(err, errlen, "…", …)`. */
int rg_errf(char *err, size_t errlen, const char *fmt, ...) __attribute__((format(printf, 3, 4)));

/* Columns UTF-8 text S takes on a terminal: CJK and full-width characters
 * two, others one. */
size_t rg_text_width(const char *s);

/* The string builder. Zeroed it grows on the heap; rg_sb_over starts it in a
 * caller's buffer, which it leaves for the heap when that is full; rg_sb_fixed
 * keeps it in the caller's buffer, cutting what does not fit (as snprintf
 * does). Its text (rg_sb_str) is NUL-terminated; n bytes long. When the heap
 * refuses, what follows is dropped and oom is set. rg_sb_free frees the heap. */
typedef struct {
    char *s;
    size_t n, cap;
    unsigned char heap;  /* s is the builder's own */
    unsigned char fixed; /* s is all there is */
    unsigned char oom;
    void *(*mem)(void *ud, void *ptr, size_t size); /* its heap (realloc's meaning, size 0 frees); NULL: the C library's */
    void *mem_ud;
} rg_sb;

void rg_sb_over(rg_sb *b, char *buf, size_t cap);
/* A builder whose heap is mem's (an allocator with realloc's meaning, size
 * 0 freeing), starting in buf (cap bytes from mem, or NULL and 0), which it
 * owns and grows: take it back from b->s and b->cap when done. */
void rg_sb_mem(rg_sb *b, char *buf, size_t cap, void *(*mem)(void *ud, void *ptr, size_t size), void *ud);
void rg_sb_fixed(rg_sb *b, char *buf, size_t cap);
void rg_sb_free(rg_sb *b);
void rg_sb_printf(rg_sb *b, const char *fmt, ...) __attribute__((format(printf, 2, 3)));
/* What rg_sb_put does when the text does not fit as it is. */
void rg_sb_put_slow(rg_sb *b, const char *s, size_t n);

static inline void rg_sb_put(rg_sb *b, const char *s, size_t n)
{
    if (b->n + n < b->cap) {
        memcpy(b->s + b->n, s, n);
        b->n += n;
        b->s[b->n] = '\0';
    } else {
        rg_sb_put_slow(b, s, n);
    }
}

static inline void rg_sb_puts(rg_sb *b, const char *s) { rg_sb_put(b, s, strlen(s)); }
static inline const char *rg_sb_str(const rg_sb *b) { return b->s ? b->s : ""; }

#endif
