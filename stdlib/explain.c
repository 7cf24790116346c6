/* explain.c — turns the VM's trace into JSON: each step names the definition,
 * its value, the policy (and version) whose source gave it, and the line;
 * table rows and decision arms name their row. Reads the trace only. */
#include <stdlib.h>
#include <string.h>

#include "explain.h"
#include "rg_stdlib.h"

static void put_str(rg_sb *b, const char *s) { rg_json_string(b, s, strlen(s)); }

/* The element a step was computed for: "item": its index in its list, and
 * "list": that list's path unless it is the claim's first list. */
static void write_row(rg_sb *b, const rg_vm *vm, uint32_t row)
{
    const rg_program *p = vm->prog;
    for (uint32_t l = 0; l < p->n_claim_lists; l++) {
        if (row - vm->list_first[l] >= vm->list_count[l])
            continue;
        rg_sb_printf(b, ", \"item\": %u", row - vm->list_first[l]);
        if (p->list_of[l] != p->list_field) {
            rg_sb_puts(b, ", \"list\": ");
            put_str(b, p->str[p->fields[p->list_of[l]].path]);
        }
        return;
    }
    rg_sb_printf(b, ", \"item\": %u", row);
}

void rg_explanation_json(rg_sb *b, const rg_vm *vm)
{
    const rg_program *p = vm->prog;
    char val[128];
    rg_sb_puts(b, "{\"policy\": ");
    put_str(b, p->str[p->policies[vm->policy].name]);
    rg_sb_puts(b, ", \"steps\": [");
    for (uint32_t i = 0; i < vm->n_trace; i++) {
        const rg_trace_ent *t = &vm->trace[i];
        rg_sb_puts(b, i ? ", {" : "{");
        if (t->kind == 0) {
            const rg_def *d = &p->defs[t->index];
            const rg_chunk *c = &p->chunks[t->chunk];
            rg_sb_puts(b, "\"def\": ");
            put_str(b, p->str[d->name]);
            rg_value_text(p, d->type, t->value, val, sizeof val);
            rg_sb_puts(b, ", \"value\": ");
            put_str(b, val);
            rg_sb_puts(b, ", \"policy\": ");
            put_str(b, p->str[p->policies[c->policy].name]);
            if (c->version != RG_NO_INDEX) {
                rg_sb_puts(b, ", \"version\": ");
                put_str(b, p->str[p->versions[c->version].name]);
            }
            rg_sb_printf(b, ", \"at\": \"%s:%u\"", p->str[c->file], c->line);
        } else {
            const rg_note *n = &p->notes[t->index];
            rg_sb_printf(b, "\"%s\": ", n->kind == RG_NOTE_ROW ? "table" : "decision");
            put_str(b, p->str[p->defs[n->def].name]);
            if (n->kind == RG_NOTE_OTHERWISE)
                rg_sb_puts(b, ", \"arm\": \"otherwise\"");
            else
                rg_sb_printf(b, ", \"%s\": %u", n->kind == RG_NOTE_ROW ? "row" : "arm", n->index);
            rg_sb_printf(b, ", \"at\": \"%s:%u\"", p->str[n->file], n->line);
        }
        if (t->row >= 0)
            write_row(b, vm, (uint32_t)t->row);
        rg_sb_put(b, "}", 1);
    }
    rg_sb_puts(b, "]}");
}

void rg_result_explained_json(rg_sb *b, const rg_vm *vm, const rg_value *vals)
{
    rg_result_json(b, vm->prog, vals, NULL);
    if (b->n && b->s[b->n - 1] == '}')
        b->n--;
    rg_sb_puts(b, ", \"explain\": ");
    rg_explanation_json(b, vm);
    rg_sb_put(b, "}", 1);
}
