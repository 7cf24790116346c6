/* heap.c — the heap of a batch command in huge pages.
 *
 * A page fault costs about 11 µs on the machines Regula is measured on, and a
 * province's compile touches some 25 MB of heap: in 4 KiB pages that was a
 * thousand faults, a sixth of the compile. glibc's malloc can be told to use
 * transparent huge pages only through an environment tunable read at start
 * (glibc.malloc.hugetlb), so the command does it itself, before it allocates
 * much: with mmap off (every block from the heap), it grows the heap by
 * CLI_HEAP_RESERVE in one block, marks the whole 2 MiB pages of that block
 * MADV_HUGEPAGE before anything is written there (a 2 MiB page with one small
 * page in it stays small pages), then shrinks the block, in place, to what
 * lies below the first of them: that part stays held, untouched, so the
 * allocations that follow are carved from huge pages. Only a hint: without
 * transparent huge pages, or under another allocator (ASan's), the heap is as
 * it was. Used by the commands that compile a pack or settle a file, not by
 * the library, the REPL or the language server. */
#include <malloc.h>
#include <stdint.h>
#include <stdlib.h>
#include <sys/mman.h>

#include "cli.h"

#define CLI_HEAP_RESERVE ((size_t)96 << 20)

static void *below_first_huge_page; /* held for the process's life, never touched */

void cli_heap_in_huge_pages(void)
{
#ifdef MADV_HUGEPAGE
    mallopt(M_MMAP_MAX, 0);
    mallopt(M_TRIM_THRESHOLD, (int)(2 * CLI_HEAP_RESERVE));
    char *block = malloc(CLI_HEAP_RESERVE);
    if (!block)
        return;
    uintptr_t first = (uintptr_t)block, start = (first + RG_HUGE_PAGE - 1) & ~(uintptr_t)(RG_HUGE_PAGE - 1);
    /* malloc writes the next chunk's head just past the block: not in a page marked */
    uintptr_t end = (first + CLI_HEAP_RESERVE - 4096) & ~(uintptr_t)(RG_HUGE_PAGE - 1);
    if (start < end)
        (void)madvise((void *)start, end - start, MADV_HUGEPAGE);
    if (start - first > 4096)
        below_first_huge_page = realloc(block, start - first - 64); /* shrunk in place */
    else
        free(block);
#endif
}
