/* fuzz_claim.c — libFuzzer target for the claim reader: each input line goes through rg_read_claim_line and rg_bind_claim on the seed pack's schema, and its error line must be one line of valid JSON.
 * Must not need the interpreter: the VM calls are the test stand-ins of tests/unit/stub_vm.h (which compiles the seed pack for its schema). */

/* Build and run (from the repository root): make build/fuzz/fuzz_claim, then
 *   build/fuzz/fuzz_claim -max_total_time=60 -dict=tests/fuzz/claim.dict tests/fuzz/corpus/claim
 */
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "rg_stdlib.h"
#include "stub_vm.h"

static test_program T;
static rg_vm *VM;

/* The error line written for a message must parse back to the same message. */
static void check_error_line(long lineno, const char *id, const char *msg)
{
    char *buf = NULL;
    size_t len = 0;
    FILE *f = open_memstream(&buf, &len);
    if (!f) abort();
    rg_write_error_line(f, lineno, id, msg);
    fclose(f);
    if (len == 0 || buf[len - 1] != '\n' || memchr(buf, '\n', len - 1)) abort();
    json_error_t je;
    json_t *j = json_loadb(buf, len, JSON_ALLOW_NUL, &je);
    if (!j) {
        fprintf(stderr, "error line is not JSON (%s): %s", je.text, buf);
        abort();
    }
    /* messages carry a NUL as the bytes C0 80, the line as \u0000 */
    char want[1024];
    size_t n = 0;
    for (const char *m = msg; *m && n < sizeof want; m++) {
        if ((unsigned char)m[0] == 0xC0 && (unsigned char)m[1] == 0x80) {
            want[n++] = '\0';
            m++;
        } else {
            want[n++] = *m;
        }
    }
    json_t *e = json_object_get(j, "error");
    if (!json_is_string(e) || json_string_length(e) != n || memcmp(json_string_value(e), want, n) != 0) abort();
    json_decref(j);
    free(buf);
}

static void check_bound(void)
{
    /* every item row and claim slot was written: strings are readable */
    for (uint32_t i = 0; i < T.p.n_fields; i++) {
        const rg_field *f = &T.fields[i];
        if (RG_TYPE_KIND(f->type) != RG_T_STRING) continue;
        if (!f->in_list) {
            rg_value v = VM->claim[f->slot];
            if (v == RG_NONE || strlen((const char *)(uintptr_t)v) > (1u << 30)) abort();
            continue;
        }
        for (uint32_t r = 0; r < VM->n_items; r++) {
            rg_value v = VM->items[r * T.p.n_item_slots + f->slot];
            if (v == RG_NONE || strlen((const char *)(uintptr_t)v) > (1u << 30)) abort();
        }
    }
}

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size);
int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
    if (!VM) {
        tp_seed(&T);
        VM = rg_vm_new(&T.p);
        if (!VM) abort();
    }
    const char *text = (const char *)data;
    long lineno = 0;
    size_t at = 0;
    do {
        const char *nl = memchr(text + at, '\n', size - at);
        size_t end = nl ? (size_t)(nl - text) : size;
        lineno++;
        json_t *root = NULL;
        const char *id = NULL;
        char err[512], msg[600];
        if (rg_read_claim_line(text + at, end - at, lineno, &root, err, sizeof err, &id) != 0) {
            if (root || id) abort();
            check_error_line(lineno, NULL, err);
        } else {
            rg_status st = rg_bind_claim(VM, root, err, sizeof err);
            if (st == RG_OK) {
                check_bound();
            } else {
                if (st != RG_ERR_INPUT) abort();
                snprintf(msg, sizeof msg, "line %ld: %s", lineno, err);
                check_error_line(lineno, id, msg);
            }
            json_decref(root);
        }
        at = end + 1;
    } while (at < size);
    return 0;
}
