/* fuzz_loader.c — libFuzzer target for rg_program_load: the input as it is, then with a correct checksum patched into its last 8 bytes (so mutations reach the sections and the verifier); programs that load are then looked up, disassembled, written and reloaded; each input is loaded with a public key required too (the signature block).
 * Must not do anything a caller of the loader could not: every crash, leak, sanitizer report or abort() here is a bug in vm/ or compiler/bcwrite.c. */
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include "bcwrite.h"
#include "bytecode_io.h"
#include "vm.h"
#include "disasm.h"

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size);

static FILE *devnull(void)
{
    static FILE *f;
    if (!f) f = fopen("/dev/null", "w");
    if (!f) abort();
    return f;
}

/* A loaded program: every lookup answers, the listing prints, and its image
 * loads again and is a fixed point of write(load(.)). */
static void exercise(const rg_program *p)
{
    for (uint32_t c = 0; c < p->n_catalogs; c++)
        for (uint32_t pol = 0; pol < p->n_policies; pol++) {
            const rg_cat_index *ix = &p->cat_index[p->catalogs[c].first_index + pol];
            for (uint32_t j = 0; j < ix->count; j++) {
                uint32_t row = p->cat_rows[ix->start + j];
                const char *key = p->str[p->cat_values[(size_t)row * p->catalogs[c].n_columns]];
                if (rg_catalog_row_index(p, c, rg_catalog_find(p, c, pol, key)) != row) abort();
            }
            (void)rg_catalog_find(p, c, pol, "\xff no such key");
        }
    for (uint32_t i = 0; i < p->n_policies; i++) {
        const rg_strent *s = &p->strings[p->policies[i].name];
        uint32_t found = rg_policy_by_name(p, p->str[p->policies[i].name], s->len);
        if (found >= p->n_policies || strcmp(p->str[p->policies[found].name], p->str[p->policies[i].name]) != 0) abort();
    }
    for (uint32_t off = 0; off < p->n_code; off += 7) (void)rg_program_line(p, off, NULL);
    rgc_disasm(p, devnull());

    uint8_t *w1, *w2;
    size_t n1, n2;
    char err[512];
    rg_program *q;
    if (rgc_program_write(p, &w1, &n1)) abort();
    if (rg_program_load(w1, n1, &q, err, sizeof err)) {
        fprintf(stderr, "a loaded program's image does not load: %s\n", err);
        abort();
    }
    if (rgc_program_write(q, &w2, &n2)) abort();
    if (n1 != n2 || memcmp(w1, w2, n1) != 0) abort();
    free(w1);
    free(w2);
    rg_program_free(q);
}

static void load_one(const uint8_t *data, size_t size)
{
    char err[512];
    rg_program *p = NULL;
    err[0] = 'x';
    int loaded = rg_program_load(data, size, &p, err, sizeof err) == 0;
    if (loaded) {
        if (!p) abort();
        exercise(p);
        rg_program_free(p);
    } else if (p || err[0] == '\0' || !memchr(err, '\0', sizeof err)) {
        abort(); /* a failure sets no program and always says why */
    }
    /* with a key required (the signature block read, a signature checked): a
     * key only ever refuses more */
    static const uint8_t key[32] = {0x35, 0xb9, 0x7f, 0xd2, 0xef, 0xca, 0x74, 0x59};
    err[0] = 'x';
    if (rg_program_load_key(data, size, key, &p, err, sizeof err) == 0) {
        if (!p || !loaded) abort();
        rg_program_free(p);
    } else if (p || err[0] == '\0') {
        abort();
    }
}

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
    load_one(data, size);
    if (size >= RG_HDR_SIZE + RG_CHECKSUM_SIZE) {
        uint8_t *copy = malloc(size);
        if (!copy) return 0;
        memcpy(copy, data, size);
        rg_wr64(copy + size - RG_CHECKSUM_SIZE, rg_checksum(copy, size - RG_CHECKSUM_SIZE));
        load_one(copy, size);
        free(copy);
    }
    return 0;
}
