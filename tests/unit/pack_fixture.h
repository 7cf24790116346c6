/* pack_fixture.h — for the unit tests that compile policy text: writes files to a fresh temporary directory, compiles it as a pack with rgc_compile, and captures the diagnostics in memory.
 * Test support only (included by test_checker.c, test_codegen.c, test_vm.c); removes every file it wrote. */
#ifndef RG_PACK_FIXTURE_H
#define RG_PACK_FIXTURE_H

#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "compiler.h"

typedef struct {
    char dir[64];
    char *names[8];
    int n_names;
    rg_diag diag;
    FILE *out;
    char *msgs;     /* every diagnostic, as printed */
    size_t msgs_len;
    rgc_pack *pk;   /* NULL when the pack did not compile */
} fx_pack;

/* Write the files (name, text pairs up to a NULL name) into a fresh directory
 * and compile it as a pack. */
static inline fx_pack *fx_compile_files(const char *const *files)
{
    fx_pack *R = calloc(1, sizeof *R);
    assert_non_null(R);
    snprintf(R->dir, sizeof R->dir, "/tmp/rg_unit_XXXXXX");
    assert_non_null(mkdtemp(R->dir));
    for (int i = 0; files[i]; i += 2) {
        assert_true(R->n_names < 8);
        char path[256];
        snprintf(path, sizeof path, "%s/%s", R->dir, files[i]);
        FILE *f = fopen(path, "w");
        assert_non_null(f);
        fputs(files[i + 1], f);
        fclose(f);
        R->names[R->n_names++] = strdup(path);
    }
    R->out = open_memstream(&R->msgs, &R->msgs_len);
    assert_non_null(R->out);
    rg_diag_init(&R->diag, R->out);
    R->pk = rgc_compile(R->dir, &R->diag);
    fflush(R->out);
    return R;
}

/* One file, CN.rg. */
static inline fx_pack *fx_compile_one(const char *text)
{
    const char *files[] = {"CN.rg", text, NULL};
    return fx_compile_files(files);
}

/* Compile and insist that it worked. */
static inline fx_pack *fx_compile_ok(const char *const *files)
{
    fx_pack *R = fx_compile_files(files);
    if (!R->pk)
        print_error("the pack did not compile:\n%s\n", R->msgs);
    assert_non_null(R->pk);
    return R;
}

static inline void fx_free(fx_pack *R)
{
    rgc_pack_free(R->pk);
    rg_diag_free(&R->diag);
    fclose(R->out);
    free(R->msgs);
    for (int i = 0; i < R->n_names; i++) {
        unlink(R->names[i]);
        free(R->names[i]);
    }
    rmdir(R->dir);
    free(R);
}

#endif
