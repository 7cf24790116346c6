/* explain.c — turns the VM's trace into JSON: each step names the definition,
 * its value, the policy (and version) whose source gave it, and the line;
 * table rows and decision arms name their row. Reads the trace only. */
#include <stdlib.h>
#include <string.h>

#include "explain.h"
#include "rg_stdlib.h"

/* The element a step was computed for: "item": its index in its list, and
 * "list": that list's path unless it is the claim's first list. */
static void write_row(FILE *out, const rg_vm *vm, uint32_t row)
{
    const rg_program *p = vm->prog;
    for (uint32_t l = 0; l < p->n_claim_lists; l++) {
        if (row - vm->list_first[l] >= vm->list_count[l])
            continue;
        fprintf(out, ", \"item\": %u", row - vm->list_first[l]);
        if (p->list_of[l] != p->list_field) {
            const char *path = p->str[p->fields[p->list_of[l]].path];
            fprintf(out, ", \"list\": ");
            rg_write_json_string(out, path, strlen(path));
        }
        return;
    }
    fprintf(out, ", \"item\": %u", row);
}

void rg_write_explanation(FILE *out, const rg_vm *vm)
{
    const rg_program *p = vm->prog;
    char val[128];
    fprintf(out, "{\"policy\": ");
    rg_write_json_string(out, p->str[p->policies[vm->policy].name], strlen(p->str[p->policies[vm->policy].name]));
    fprintf(out, ", \"steps\": [");
    for (uint32_t i = 0; i < vm->n_trace; i++) {
        const rg_trace_ent *t = &vm->trace[i];
        fprintf(out, "%s{", i ? ", " : "");
        if (t->kind == 0) {
            const rg_def *d = &p->defs[t->index];
            const rg_chunk *c = &p->chunks[t->chunk];
            const char *name = p->str[d->name];
            fprintf(out, "\"def\": ");
            rg_write_json_string(out, name, strlen(name));
            rg_value_text(p, d->type, t->value, val, sizeof val);
            fprintf(out, ", \"value\": ");
            rg_write_json_string(out, val, strlen(val));
            const char *by = p->str[p->policies[c->policy].name];
            fprintf(out, ", \"policy\": ");
            rg_write_json_string(out, by, strlen(by));
            if (c->version != RG_NO_INDEX) {
                const char *vn = p->str[p->versions[c->version].name];
                fprintf(out, ", \"version\": ");
                rg_write_json_string(out, vn, strlen(vn));
            }
            fprintf(out, ", \"at\": \"%s:%u\"", p->str[c->file], c->line);
        } else {
            const rg_note *n = &p->notes[t->index];
            const char *name = p->str[p->defs[n->def].name];
            fprintf(out, "\"%s\": ", n->kind == RG_NOTE_ROW ? "table" : "decision");
            rg_write_json_string(out, name, strlen(name));
            if (n->kind == RG_NOTE_OTHERWISE)
                fprintf(out, ", \"arm\": \"otherwise\"");
            else
                fprintf(out, ", \"%s\": %u", n->kind == RG_NOTE_ROW ? "row" : "arm", n->index);
            fprintf(out, ", \"at\": \"%s:%u\"", p->str[n->file], n->line);
        }
        if (t->row >= 0)
            write_row(out, vm, (uint32_t)t->row);
        fputc('}', out);
    }
    fprintf(out, "]}");
}

rg_status rg_write_result_explained(FILE *out, rg_vm *vm)
{
    char *buf = NULL;
    size_t len = 0;
    FILE *mem = open_memstream(&buf, &len);
    if (!mem)
        return RG_ERR_MEMORY;
    rg_status s = rg_write_result(mem, vm, NULL);
    fclose(mem);
    if (s == RG_OK) {
        while (len && (buf[len - 1] == '\n' || buf[len - 1] == '}'))
            if (buf[--len] == '}')
                break;
        fwrite(buf, 1, len, out);
        fprintf(out, ", \"explain\": ");
        rg_write_explanation(out, vm);
        fputs("}\n", out);
    }
    free(buf);
    return s;
}
