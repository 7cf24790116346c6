/* json_arena.c — jansson's allocations for one claim line, from one block.
 *
 * jansson builds a DOM: a malloc per value and per object's hash table, each
 * freed again by json_decref. For `regula run` and `regula bench` that costs
 * a quarter of the time end to end (docs/performance.md). Between
 * cli_json_arena_begin() and cli_json_arena_end() — one line read, bound,
 * settled and released — allocations are carved from one block and freeing
 * them is nothing; the end rewinds the block, so a line's claim is released
 * without walking it (cli_json_arena_release). A line that does not fit falls
 * back to malloc for the rest and the block doubles for the next ones.
 *
 * jansson's allocator is process-wide, so this is the command line's choice,
 * never the library's (a host's own JSON is not touched). Outside a line, and
 * for any pointer not in the block, it is malloc and free. Sanitizer builds
 * keep malloc, so that ASan still sees every JSON value. */
#include <jansson.h>
#include <stdint.h>
#include <stdlib.h>

#include "json_arena.h"

#define ARENA_FIRST (64u * 1024)
#define ARENA_MAX (16u * 1024 * 1024)
#define ALIGN 16u

static struct {
    char *block;
    size_t cap, used;
    int active, overflowed, installed;
} A;

/* Sanitizer builds keep malloc: the allocator below is not installed. */
#if defined(__SANITIZE_ADDRESS__)
#define RG_ARENA_OFF 1
#elif defined(__has_feature)
#if __has_feature(address_sanitizer)
#define RG_ARENA_OFF 1
#endif
#endif

#ifndef RG_ARENA_OFF
static int in_block(const void *ptr)
{
    return A.block && (const char *)ptr >= A.block && (const char *)ptr < A.block + A.cap;
}

static void *arena_malloc(size_t n)
{
    if (A.active) {
        size_t at = (A.used + ALIGN - 1) & ~(size_t)(ALIGN - 1);
        if (n <= A.cap && at <= A.cap - n) {
            A.used = at + n;
            return A.block + at;
        }
        A.overflowed = 1;
    }
    return malloc(n);
}

static void arena_free(void *ptr)
{
    if (!in_block(ptr))
        free(ptr);
}
#endif

void cli_json_arena_begin(void)
{
#ifndef RG_ARENA_OFF
    if (!A.installed) {
        json_set_alloc_funcs(arena_malloc, arena_free);
        A.installed = 1;
    }
    if (!A.block) {
        A.block = malloc(ARENA_FIRST);
        A.cap = A.block ? ARENA_FIRST : 0;
    }
    A.used = 0;
    A.active = 1;
#endif
}

void cli_json_arena_end(void)
{
    A.active = 0;
    A.used = 0;
    if (A.overflowed && A.cap < ARENA_MAX) {
        /* nothing lives in the block now: the line's values are released */
        char *b = malloc(A.cap * 2);
        if (b) {
            free(A.block);
            A.block = b;
            A.cap *= 2;
        }
    }
    A.overflowed = 0;
}

void cli_json_arena_release(json_t *v)
{
    /* freeing a block-carved value is nothing: only a walk would cost */
    if (!A.active || A.overflowed)
        json_decref(v);
}

size_t cli_json_arena_size(void)
{
    return A.cap;
}
