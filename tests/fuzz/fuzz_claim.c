/* fuzz_claim.c — libFuzzer target for the claim reader: each input line goes through rg_claim_read on the seed pack's schema, and its error line must be one line of valid JSON; a line the reader takes as JSON jansson takes too, and the other way round (but for the reader's own rules: duplicate keys refused, integers of any length taken).
 * Must not need the interpreter: the VM calls are the test stand-ins of tests/unit/stub_vm.h (which compiles the seed pack for its schema). */

/* Build and run (from the repository root): make build/fuzz/fuzz_claim, then
 *   build/fuzz/fuzz_claim -max_total_time=60 -dict=tests/fuzz/claim.dict tests/fuzz/corpus/claim
 */
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include <jansson.h>

#include "rg_stdlib.h"
#include "stub_vm.h"

static test_program T;
static rg_vm *VM;
static rg_claim_reader *R;

/* jansson's verdict on text, under the reader's rules where they differ:
 * 1 JSON, 0 not, -1 a case the two are allowed to differ on. */
static int jansson_verdict(const char *text, size_t len)
{
    json_error_t je;
    json_t *j = json_loadb(text, len, JSON_DECODE_ANY | JSON_ALLOW_NUL | JSON_REJECT_DUPLICATES, &je);
    if (j) {
        json_decref(j);
        return 1;
    }
    /* integers beyond int64 are JSON to the reader; jansson stops at them */
    return strstr(je.text, "too big") ? -1 : 0;
}

/* jansson reads a NUL byte outside a string as the end of its input (where
 * the reader sees a character that is no JSON): no verdict to compare. */
static int has_nul(const char *text, size_t len)
{
    return memchr(text, '\0', len) != NULL;
}

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
        R = rg_claim_reader_new(&T.p, NULL);
        if (!VM || !R) abort();
    }
    const char *text = (const char *)data;
    long lineno = 0;
    size_t at = 0;
    do {
        const char *nl = memchr(text + at, '\n', size - at);
        size_t end = nl ? (size_t)(nl - text) : size;
        lineno++;
        const char *id = NULL;
        char msg[600];
        size_t n = end - at;
        rg_status st = rg_claim_read(R, VM, text + at, n, lineno, msg, sizeof msg, &id);
        if (st == RG_OK) {
            check_bound();
        } else {
            if (st != RG_ERR_INPUT) abort();
            check_error_line(lineno, id, msg);
        }
        /* the same verdict as jansson's on what is JSON (a trailing CR is the line's) */
        size_t m = n;
        if (m && text[at + m - 1] == '\r') m--;
        int blank = 1;
        for (size_t k = 0; k < m && blank; k++)
            blank = strchr(" \t\r\n\f\v", text[at + k]) != NULL;
        if (!blank) {
            /* the schema-led scan and the plain check agree on what is JSON */
            int read_json = !(st == RG_ERR_INPUT && strncmp(msg, "not valid JSON: ", 16) == 0);
            char why[600];
            int json = rg_json_check(R, text + at, m, why, sizeof why) == 0;
            if (json != read_json) {
                fprintf(stderr, "reader says %s, the check %s: %.*s\n", msg, json ? "JSON" : why, (int)m, text + at);
                abort();
            }
            int want = has_nul(text + at, m) ? -1 : jansson_verdict(text + at, m);
            if (want >= 0 && json != want) {
                fprintf(stderr, "reader says %s, jansson %s: %.*s\n", json ? "JSON" : why, want ? "JSON" : "not JSON",
                        (int)m, text + at);
                abort();
            }
        }
        at = end + 1;
    } while (at < size);
    return 0;
}
