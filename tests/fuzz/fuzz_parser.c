/* fuzz_parser.c — libFuzzer target: any bytes as a policy file through the
 * scanner, the grammar, `regula fmt`'s layout pass and (when it parses) the
 * whole checker. Must never crash, hang or leak, whatever the input; the
 * layout pass must change white space only and be idempotent. */
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "compiler.h"
#include "format.h"
#include "parse.h"

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
    FILE *sink = fopen("/dev/null", "w");
    rg_diag diag;
    rg_diag_init(&diag, sink);
    rg_arena arena = {0};
    uint32_t f = rg_diag_add_source(&diag, "fuzz.rg", (const char *)data, size);
    rg_file *ast = rg_parse_file(&arena, &diag, f);
    size_t n1, n2;
    char *once = rg_format((const char *)data, size, &n1);
    if (once) {
        if (!rg_format_same_tokens((const char *)data, size, once, n1))
            abort();
        if (ast) { /* fmt formats only what parses: there it must be idempotent */
            char *twice = rg_format(once, n1, &n2);
            if (twice && (n1 != n2 || memcmp(once, twice, n1) != 0))
                abort();
            free(twice);
            rg_arena a2 = {0}; /* and what it writes still parses */
            uint32_t f2 = rg_diag_add_source(&diag, "fuzz-formatted.rg", once, n1);
            if (!rg_parse_file(&a2, &diag, f2))
                abort();
            rg_arena_free(&a2);
        }
        free(once);
    }
    rg_arena_free(&arena);
    rg_diag_free(&diag);
    /* the checker: write the input as a one-file pack */
    char path[] = "/tmp/regula-fuzz-XXXXXX.rg";
    int fd = mkstemps(path, 3);
    if (fd >= 0) {
        if (write(fd, data, size) == (ssize_t)size) {
            rg_diag d2;
            rg_diag_init(&d2, sink);
            rgc_pack *pk = rgc_compile(path, &d2);
            rgc_pack_free(pk);
            rg_diag_free(&d2);
        }
        close(fd);
        unlink(path);
    }
    fclose(sink);
    return 0;
}
