/* ast.c — the arena and vector that hold the syntax tree.
 * Allocation only; no knowledge of what the nodes mean. */
#include "ast.h"
#include "program.h"

#include <stdio.h>
#include <stdlib.h>
#include <string.h>

struct rg_arena_block {
    rg_arena_block *next;
    size_t used, cap, size; /* size: the whole block's bytes */
    _Alignas(16) unsigned char data[];
};

static void out_of_memory(void)
{
    fputs("regula: out of memory\n", stderr);
    abort();
}

#define BLOCK_FIRST ((size_t)64 << 10)
#define BLOCK_SECOND ((size_t)2 << 20)
#define BLOCK_LAST ((size_t)4 << 20)

/* Blocks the kernel maps are not the heap that LeakSanitizer reads for
 * pointers, nor does AddressSanitizer watch them: its builds take every
 * block from malloc. */
#if defined(__SANITIZE_ADDRESS__) /* gcc */
#define MAPPED_BLOCKS 0
#elif defined(__has_feature) /* clang: the fuzz targets */
#if __has_feature(address_sanitizer)
#define MAPPED_BLOCKS 0
#endif
#endif
#ifndef MAPPED_BLOCKS
#define MAPPED_BLOCKS 1
#endif

/* A block of size bytes, zeroed: the first from malloc, cleared; a larger
 * one the kernel's pages in huge pages (rg_pages_new). NULL when out of
 * memory. */
static rg_arena_block *block_new(size_t size)
{
    if (size < BLOCK_SECOND || !MAPPED_BLOCKS) {
        rg_arena_block *b = malloc(size);
        if (b)
            memset(b, 0, size);
        return b;
    }
    return rg_pages_new(size);
}

static void block_free(rg_arena_block *b)
{
    if (b->size < BLOCK_SECOND || !MAPPED_BLOCKS)
        free(b);
    else
        rg_pages_free(b, b->size);
}

/* The first block 64 KiB (a small pack's whole tree), then blocks of 2 and
 * 4 MiB in huge pages, zeroed by the kernel. A 300-city pack's tree took
 * ≈ 2,000 page faults of 4 KiB and a clear an allocation, which cost more
 * than building it; clearing each block whole, 10 M instructions more. */
void *rg_arena_alloc(rg_arena *a, size_t n)
{
    n = (n + 15u) & ~(size_t)15u;
    rg_arena_block *b = a->head;
    if (!b || b->cap - b->used < n) {
        size_t size = !b ? BLOCK_FIRST : b->size < BLOCK_SECOND ? BLOCK_SECOND : b->size < BLOCK_LAST ? b->size * 2 : BLOCK_LAST;
        if (size < sizeof *b + n)
            size = (sizeof *b + n + 4095) & ~(size_t)4095;
        b = block_new(size);
        if (!b)
            out_of_memory();
        b->next = a->head;
        b->used = 0;
        b->size = size;
        b->cap = size - sizeof *b;
        a->head = b;
    }
    void *p = b->data + b->used;
    b->used += n;
    return p;
}

char *rg_arena_strndup(rg_arena *a, const char *s, size_t n)
{
    char *p = rg_arena_alloc(a, n + 1);
    memcpy(p, s, n);
    p[n] = '\0';
    return p;
}

void rg_arena_free(rg_arena *a)
{
    rg_arena_block *b = a->head;
    while (b) {
        rg_arena_block *next = b->next;
        block_free(b);
        b = next;
    }
    a->head = NULL;
}

void rg_vec_push(rg_vec *vec, void *p)
{
    if (vec->n == vec->cap) {
        uint32_t cap = vec->cap ? vec->cap * 2 : 8;
        void **v = realloc(vec->v, cap * sizeof *v);
        if (!v)
            out_of_memory();
        vec->v = v;
        vec->cap = cap;
    }
    vec->v[vec->n++] = p;
}

void rg_vec_apush(rg_arena *a, rg_vec *vec, void *p)
{
    if (vec->n == vec->cap) {
        uint32_t cap = vec->cap ? vec->cap * 2 : 8;
        void **v = rg_arena_alloc(a, cap * sizeof *v);
        if (vec->n)
            memcpy(v, vec->v, vec->n * sizeof *v);
        vec->v = v;
        vec->cap = cap;
    }
    vec->v[vec->n++] = p;
}

void rg_vec_free(rg_vec *vec)
{
    free(vec->v);
    vec->v = NULL;
    vec->n = vec->cap = 0;
}
