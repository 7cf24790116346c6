/* cover.c — coverage: the counts of what claims reached (the interpreter's
 * trace counts them into an rg_cover), and the pack's definitions, table rows
 * and decision arms as items by source line. Must not settle or print. */
#include <stdlib.h>
#include <string.h>

#include "opcodes.h"
#include "vm.h"

rg_cover *rg_cover_new(const rg_program *p)
{
    rg_cover *c = calloc(1, sizeof *c);
    if (!c)
        return NULL;
    c->n_chunks = p->n_chunks;
    c->n_notes = p->n_notes;
    c->chunk_hits = calloc((size_t)p->n_chunks + 1, sizeof *c->chunk_hits);
    c->note_hits = calloc((size_t)p->n_notes + 1, sizeof *c->note_hits);
    if (!c->chunk_hits || !c->note_hits) {
        rg_cover_free(c);
        return NULL;
    }
    return c;
}

void rg_cover_free(rg_cover *c)
{
    if (!c)
        return;
    free(c->chunk_hits);
    free(c->note_hits);
    free(c);
}

/* The policy whose source file is string id FILE (versions are in their
 * policy's file); RG_NO_INDEX for another file (the REPL's own texts). */
static uint32_t policy_of_file(const rg_program *p, uint32_t file)
{
    for (uint32_t i = 0; i < p->n_policies; i++)
        if (p->policies[i].file == file || strcmp(p->str[p->policies[i].file], p->str[file]) == 0)
            return i;
    return RG_NO_INDEX;
}

/* A definition the policies wrote: not an entry, the `reject` rules, a
 * result's own field, nor a version selector (the version's chunk counts). */
static int written_definition(const rg_program *p, const rg_chunk *c)
{
    if (c->def == RG_NO_INDEX || c->def >= p->n_defs || c->def == p->entry.validate)
        return 0;
    if (strncmp(p->str[p->defs[c->def].name], "result.", 7) == 0)
        return 0;
    return !(c->len > 0 && p->code[c->start] == RG_OP_VSELECT);
}

static int by_place(const void *a, const void *b)
{
    const rg_cover_item *x = a, *y = b;
    if (x->policy != y->policy)
        return x->policy < y->policy ? -1 : 1;
    if (x->line != y->line)
        return x->line < y->line ? -1 : 1;
    if (x->kind != y->kind)
        return x->kind < y->kind ? -1 : 1;
    return x->def < y->def ? -1 : x->def > y->def;
}

/* Add IT to the N items, or its hits to the item already made for the same
 * thing at the same place (a parent's row is in each child's merged table
 * too: one item); nothing for what is in no policy's file. */
static void add_item(rg_cover_item *items, long *n, const rg_cover_item *it)
{
    if (it->policy == RG_NO_INDEX)
        return;
    for (long i = *n - 1; i >= 0; i--)
        if (items[i].kind == it->kind && items[i].line == it->line && items[i].def == it->def &&
            items[i].policy == it->policy) {
            items[i].hits += it->hits;
            return;
        }
    items[(*n)++] = *it;
}

long rg_cover_items(const rg_cover *c, const rg_program *p, rg_cover_item **out)
{
    rg_cover_item *items = malloc(((size_t)p->n_chunks + p->n_notes + 1) * sizeof *items);
    if (!items)
        return -1;
    long n = 0;
    for (uint32_t i = 0; i < p->n_chunks; i++) {
        const rg_chunk *ch = &p->chunks[i];
        if (written_definition(p, ch))
            add_item(items, &n, &(rg_cover_item){RG_COVER_DEF, ch->def, policy_of_file(p, ch->file), ch->version,
                                                 ch->file, ch->line, c ? c->chunk_hits[i] : 0});
    }
    for (uint32_t i = 0; i < p->n_notes; i++) {
        const rg_note *nt = &p->notes[i];
        rg_cover_kind k = nt->kind == RG_NOTE_ROW ? RG_COVER_ROW : nt->kind == RG_NOTE_ARM ? RG_COVER_ARM
                                                                                         : RG_COVER_OTHERWISE;
        add_item(items, &n, &(rg_cover_item){k, nt->def, policy_of_file(p, nt->file), RG_NO_INDEX, nt->file,
                                             nt->line, c ? c->note_hits[i] : 0});
    }
    qsort(items, (size_t)n, sizeof *items, by_place);
    *out = items;
    return n;
}
