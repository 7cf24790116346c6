/* heap.c — the heap of a batch command in huge pages.
 *
 * A page fault costs about 11 µs on the machines Regula is measured on, and a
 * province's compile touches some 20 MB of heap: in 4 KiB pages that was a
 * thousand faults, a sixth of the compile. glibc's malloc can be told to use
 * transparent huge pages only through an environment tunable read at start
 * (glibc.malloc.hugetlb), so the command does it itself: it grows the heap by
 * CLI_HEAP_RESERVE at once, in blocks below the mmap threshold (raised so they
 * come from the heap), marks that span MADV_HUGEPAGE, and gives the blocks back
 * to malloc, which then carves what the command allocates from huge pages. The
 * heap up to the first 2 MiB boundary is held by one untouched block, so the
 * first allocations do not land in the small pages below it. Only a hint: where
 * the span is not one piece (another allocator, as under ASan) nothing is
 * marked. Used by the commands that compile a pack or settle a file, not by the
 * library, the REPL or the language server. */
#include <malloc.h>
#include <stdint.h>
#include <stdlib.h>
#include <sys/mman.h>

#include "cli.h"

#define CLI_HEAP_RESERVE ((size_t)64 << 20)
#define CLI_HEAP_BLOCK ((size_t)16 << 20)
#define CLI_HUGE_PAGE ((uintptr_t)2 << 20)

static void *below_first_huge_page; /* held for the process's life, never touched */

void cli_heap_in_huge_pages(void)
{
#ifdef MADV_HUGEPAGE
    enum { N_BLOCKS = CLI_HEAP_RESERVE / CLI_HEAP_BLOCK };
    mallopt(M_MMAP_THRESHOLD, (int)(2 * CLI_HEAP_BLOCK));
    mallopt(M_TRIM_THRESHOLD, (int)(4 * CLI_HEAP_RESERVE));
    char *probe = malloc(CLI_HEAP_BLOCK);
    if (!probe)
        return;
    uintptr_t first = (uintptr_t)probe, start = (first + CLI_HUGE_PAGE - 1) & ~(CLI_HUGE_PAGE - 1);
    if (start - first > 4096)
        below_first_huge_page = realloc(probe, start - first - 64); /* shrunk in place */
    else
        free(probe);
    char *block[N_BLOCKS];
    int n = 0, one_piece = 1;
    for (; n < N_BLOCKS && (block[n] = malloc(CLI_HEAP_BLOCK)) != NULL; n++)
        if (n > 0 && (uintptr_t)(block[n] - (block[n - 1] + CLI_HEAP_BLOCK)) > 64)
            one_piece = 0;
    uintptr_t end = n > 0 ? ((uintptr_t)block[n - 1] + CLI_HEAP_BLOCK) & ~(CLI_HUGE_PAGE - 1) : 0;
    if (one_piece && n > 0 && (uintptr_t)block[0] <= start && start < end)
        (void)madvise((void *)start, end - start, MADV_HUGEPAGE);
    while (n > 0)
        free(block[--n]);
#endif
}
