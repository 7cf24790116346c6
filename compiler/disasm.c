/* disasm.c — prints a program as a listing: header and counts, policies and versions, then per chunk one instruction a line with its offset, source line, operands and resolved meaning.
 * Must not modify the program, use its derived indexes, or print anything that varies between runs (addresses, times). */
#include <inttypes.h>
#include <stdio.h>
#include <string.h>
#include "bytecode_io.h"
#include "disasm.h"

static const char *str_of(const rg_program *p, uint32_t id)
{
    if (id >= p->n_strings) return "?";
    return p->blob + p->strings[id].offset;
}

/* s as a C-style quoted literal (bytes >= 0x80 as they are: UTF-8). */
static void put_quoted(FILE *out, const char *s)
{
    fputc('"', out);
    for (; *s; s++) {
        unsigned char ch = (unsigned char)*s;
        if (ch == '"' || ch == '\\') fprintf(out, "\\%c", ch);
        else if (ch == '\n') fputs("\\n", out);
        else if (ch == '\t') fputs("\\t", out);
        else if (ch < 0x20 || ch == 0x7f) fprintf(out, "\\x%02x", ch);
        else fputc(ch, out);
    }
    fputc('"', out);
}

/* Days since 1970-01-01 as YYYY-MM-DD (proleptic Gregorian); "*" for RG_NONE,
 * "day N" beyond 10^8 days either way (about 270000 years). */
static void put_date(FILE *out, int64_t days)
{
    if (days == RG_NONE) {
        fputc('*', out);
        return;
    }
    if (days < -100000000 || days > 100000000) {
        fprintf(out, "day %" PRId64, days);
        return;
    }
    int64_t z = days + 719468, era = (z >= 0 ? z : z - 146096) / 146097;
    int64_t doe = z - era * 146097;
    int64_t yoe = (doe - doe / 1460 + doe / 36524 - doe / 146096) / 365;
    int64_t doy = doe - (365 * yoe + yoe / 4 - yoe / 100), mp = (5 * doy + 2) / 153;
    int64_t d = doy - (153 * mp + 2) / 5 + 1, m = mp < 10 ? mp + 3 : mp - 9;
    fprintf(out, "%04" PRId64 "-%02" PRId64 "-%02" PRId64, yoe + era * 400 + (m <= 2), m, d);
}

static void put_index(FILE *out, const char *label, uint32_t v)
{
    if (v == RG_NO_INDEX) fprintf(out, "%s -", label);
    else fprintf(out, "%s %u", label, v);
}

static void put_header(const rg_program *p, FILE *out)
{
    fprintf(out, "; regula bytecode, format version %u\n", RG_FORMAT_VERSION);
    fprintf(out, "; source hash %016" PRIx64 "\n", p->source_hash);
    const uint32_t counts[RG_N_SECTIONS] = {
#define RG_X_COUNT(type, name) p->n_##name,
        RG_PROGRAM_ARRAYS(RG_X_COUNT)
#undef RG_X_COUNT
    };
    for (unsigned i = 0; i < RG_N_SECTIONS; i++)
        fprintf(out, "%s%s %u", i % 6 == 0 ? (i ? "\n; " : "; ") : ", ", rg_section_name[i], counts[i]);
    fputs("\n; entries: ", out);
    put_index(out, "select_policy chunk", p->entry.select_policy);
    put_index(out, ", asof chunk", p->entry.asof);
    put_index(out, ", validate def", p->entry.validate);
    fprintf(out, "\n; claim slots %u, item slots %u, ", p->n_claim_slots, p->n_item_slots);
    fprintf(out, "claim lists %u", p->n_claim_lists);
    fprintf(out, ", per-item definitions %u\n", p->n_item_defs);
}

static void put_policies(const rg_program *p, FILE *out)
{
    fputs("\npolicies:\n", out);
    for (uint32_t i = 0; i < p->n_policies; i++) {
        const rg_policy *pol = &p->policies[i];
        fprintf(out, "  %u %s (%s)", i, str_of(p, pol->name), str_of(p, pol->file));
        if (pol->parent < p->n_policies) fprintf(out, " extends %s", str_of(p, p->policies[pol->parent].name));
        if (pol->update < p->n_chunks) fprintf(out, ", update chunk %u", pol->update);
        if (i < p->n_plans && p->plans[i] < p->n_chunks) fprintf(out, ", plan chunk %u", p->plans[i]);
        fputc('\n', out);
        for (uint32_t j = 0; j < p->n_versions; j++) {
            if (p->versions[j].policy != i) continue;
            fprintf(out, "    version %u ", j);
            put_quoted(out, str_of(p, p->versions[j].name));
            fputc(' ', out);
            put_date(out, p->versions[j].from);
            fputs("..", out);
            put_date(out, p->versions[j].until);
            fputc('\n', out);
        }
    }
}

/* What a chunk computing no definition is for. */
static void put_entry_role(const rg_program *p, uint32_t ci, FILE *out)
{
    if (ci == p->entry.select_policy) {
        fputs("<select_policy>", out);
        return;
    }
    if (ci == p->entry.asof) {
        fputs("<asof>", out);
        return;
    }
    for (uint32_t i = 0; i < p->n_policies; i++)
        if (ci == p->policies[i].update) {
            fputs("<update>", out);
            return;
        }
    for (uint32_t s = 0; s < p->n_ledger_scopes; s++) {
        const rg_ledger_scope *sc = &p->ledger_scopes[s];
        for (uint32_t k = 0; k < sc->n_keys && (uint64_t)sc->first_key + k < p->n_ledger_keys; k++)
            if (p->ledger_keys[sc->first_key + k] == ci) {
                fprintf(out, "<ledger %s key %u>", str_of(p, sc->name), k);
                return;
            }
    }
    for (uint32_t f = 0; f < p->n_ledger_fields; f++)
        if (p->ledger_fields[f].init == ci) {
            fprintf(out, "<ledger %s initial value>", str_of(p, p->ledger_fields[f].name));
            return;
        }
    for (uint32_t i = 0; i < p->n_plans; i++)
        if (p->plans[i] == ci) {
            fputs("<plan>", out);
            return;
        }
    fputs("<entry>", out);
}

static void put_chunk_header(const rg_program *p, uint32_t ci, FILE *out)
{
    const rg_chunk *c = &p->chunks[ci];
    fprintf(out, "\nchunk %u: ", ci);
    if (c->def < p->n_defs) fputs(str_of(p, p->defs[c->def].name), out);
    else put_entry_role(p, ci, out);
    if (c->policy < p->n_policies) fprintf(out, " in %s", str_of(p, p->policies[c->policy].name));
    if (c->version < p->n_versions) fprintf(out, " version %s", str_of(p, p->versions[c->version].name));
    fprintf(out, " (%s:%u), locals %u, stack %u", c->file == RG_NO_INDEX ? "?" : str_of(p, c->file), c->line,
            (unsigned)c->n_locals, (unsigned)c->max_stack);
    const rg_copy *cp = c->len ? rg_copy_at(p, c->start) : NULL;
    if (cp && cp->chunk == ci)
        fprintf(out, ", the code of chunk %u but for %u patch%s", cp->of, cp->n_patches, cp->n_patches == 1 ? "" : "es");
    fputc('\n', out);
}

/* Path of the schema field holding claim slot (or item slot when in_list). */
static const char *field_at_slot(const rg_program *p, uint32_t slot, int in_list)
{
    for (uint32_t i = 0; i < p->n_fields; i++)
        if (p->fields[i].slot == slot && p->fields[i].in_list == in_list &&
            RG_TYPE_KIND(p->fields[i].type) != RG_T_LIST)
            return str_of(p, p->fields[i].path);
    return "?";
}

static void put_rowsrc(const rg_program *p, uint32_t src, FILE *out)
{
    (void)p;
    if (src == RG_ROW_OF_FRAME) fputs(" of the frame's row", out);
    else fprintf(out, " of the row in local %u", src);
}

static void put_note(const rg_program *p, uint32_t n, FILE *out)
{
    static const char *const kinds[] = {"row", "arm", "otherwise"};
    const rg_note *note = &p->notes[n];
    const char *def = note->def < p->n_defs ? str_of(p, p->defs[note->def].name) : "?";
    fprintf(out, "%s %u of %s, %s:%u", note->kind <= RG_NOTE_OTHERWISE ? kinds[note->kind] : "?", note->index, def,
            note->file == RG_NO_INDEX ? "?" : str_of(p, note->file), note->line);
}

static void put_list(const rg_program *p, uint32_t l, FILE *out)
{
    const rg_list *list = &p->lists[l];
    fputc('[', out);
    for (uint32_t j = 0; j < list->count && j < 8; j++) {
        int64_t x = p->list_values[list->first + j];
        if (j) fputs(", ", out);
        if (RG_TYPE_KIND(list->type) == RG_T_STRING && x >= 0 && x < p->n_strings) put_quoted(out, str_of(p, (uint32_t)x));
        else fprintf(out, "%" PRId64, x);
    }
    fputs(list->count > 8 ? ", ...]" : "]", out);
}

/* The comment of an instruction: what its operands resolve to; 0 if nothing
 * to say (the synopsis is printed instead). Operands were verified. */
static int put_detail(const rg_program *p, const rg_insn *in, FILE *out)
{
    const rg_opinfo *oi = &rg_opinfo_table[in->op];
    if (oi->b == RG_OPK_CATCOL) {
        const rg_catalog *c = &p->catalogs[rg_hi16(in->b)];
        fprintf(out, "%s.%s of the row in local %u", str_of(p, c->name),
                str_of(p, p->columns[c->first_column + rg_lo16(in->b)].name), in->a);
        return 1;
    }
    if (oi->a == RG_OPK_ROWCOL || oi->a == RG_OPK_ROWCOLV) {
        rg_rowcol rc = rg_rowcol_of(oi->a, in->a);
        const rg_catalog *c = &p->catalogs[rc.cat];
        if (in->op == RG_OP_JUMP_UNLESS_COL) fputs("go on if ", out);
        fprintf(out, "%s.%s of the row in local %u", str_of(p, c->name),
                str_of(p, p->columns[c->first_column + rc.col].name), rc.local);
        if (in->op == RG_OP_JUMP_UNLESS_COL) fprintf(out, " == %u, else go to %u", rc.value, in->b);
        if (in->op == RG_OP_LOCAL_COL_IF_SOME) fprintf(out, ": if present, push it and go to %u", in->b);
        else if (in->op == RG_OP_LOCAL_COL_IN_SET) {
            fputs(in->b ? " is one of" : " is in the empty set", out);
            for (unsigned k = 0, first = 1; k < 32; k++)
                if (in->b >> k & 1) fprintf(out, "%s %u", first ? "" : ",", k), first = 0;
        }
        return 1;
    }
    if (oi->a == RG_OPK_CATIFIELD) {
        fprintf(out, "%s by %s", str_of(p, p->catalogs[rg_hi16(in->a)].name), field_at_slot(p, rg_lo16(in->a), 1));
        put_rowsrc(p, rg_hi16(in->b), out);
        fprintf(out, ", into local %u", rg_lo16(in->b));
        return 1;
    }
    switch (oi->a) {
    case RG_OPK_CONST:
        if (in->op == RG_OP_TABLE) { /* a verified block: inputs, then cells */
            const int64_t *k = p->consts + in->a;
            uint64_t cells = 1;
            for (int64_t i = 0; i < k[0]; i++) cells *= (uint64_t)k[3 + 3 * i];
            fprintf(out, "cells of %" PRId64 " input%s (%" PRIu64 " cells)", k[0], k[0] == 1 ? "" : "s", cells);
            return 1;
        }
        fprintf(out, "%" PRId64, p->consts[in->a]);
        return 1;
    case RG_OPK_STR: put_quoted(out, str_of(p, in->a)); return 1;
    case RG_OPK_FIELD: fputs(field_at_slot(p, in->a, 0), out); return 1;
    case RG_OPK_IFIELD:
        fputs(field_at_slot(p, in->a, 1), out);
        put_rowsrc(p, oi->b == RG_OPK_ROWLOCAL ? rg_hi16(in->b) : in->b, out);
        if (oi->b == RG_OPK_ROWLOCAL) fprintf(out, ", into local %u", rg_lo16(in->b));
        return 1;
    case RG_OPK_FIELDIMM: fprintf(out, "%s == %u", field_at_slot(p, rg_hi16(in->a), 0), rg_lo16(in->a)); return 1;
    case RG_OPK_DEF:
        fputs(str_of(p, p->defs[in->a].name), out);
        if (oi->b == RG_OPK_ROWSRC && p->defs[in->a].per_item) put_rowsrc(p, in->b, out);
        if (in->op == RG_OP_TRACE_DEF) fputs(", computed inline", out);
        if (oi->b == RG_OPK_CONST) fprintf(out, " = %" PRId64, p->consts[in->b]);
        return 1;
    case RG_OPK_LEDGER: {
        const rg_ledger_field *f = &p->ledger_fields[in->a];
        fprintf(out, "%s.%s", str_of(p, p->ledger_scopes[f->scope].name), str_of(p, f->name));
        return 1;
    }
    case RG_OPK_CAT: {
        const rg_catalog *c = &p->catalogs[in->a];
        fputs(str_of(p, c->name), out);
        if (oi->b == RG_OPK_COL) fprintf(out, ".%s", str_of(p, p->columns[c->first_column + in->b].name));
        return 1;
    }
    case RG_OPK_BRK: fprintf(out, "bracket %s", str_of(p, p->brackets[in->a].name)); return 1;
    case RG_OPK_EXTERN:
        fprintf(out, "host function %s, %u argument%s", str_of(p, p->externs[in->a].name), p->externs[in->a].n_args,
                p->externs[in->a].n_args == 1 ? "" : "s");
        return 1;
    case RG_OPK_LIST: put_list(p, in->a, out); return 1;
    case RG_OPK_NOTE: put_note(p, in->a, out); return 1;
    case RG_OPK_VSEL: {
        const rg_vselector *s = &p->vselectors[in->a];
        for (uint32_t j = 0; j < s->n_entries && (uint64_t)s->first_entry + j < p->n_vsel_entries; j++) {
            const rg_vsel_entry *e = &p->vsel_entries[s->first_entry + j];
            put_quoted(out, e->version < p->n_versions ? str_of(p, p->versions[e->version].name) : "?");
            fprintf(out, " chunk %u, ", e->chunk);
        }
        fprintf(out, "else chunk %u", s->fallback);
        return 1;
    }
    default: return 0;
    }
}

static void put_operands(const rg_insn *in, char *buf, size_t n)
{
    const rg_opinfo *oi = &rg_opinfo_table[in->op];
    buf[0] = '\0';
    rg_rowcol rc = rg_rowcol_of(oi->a, in->a);
    if (oi->a == RG_OPK_IMM) snprintf(buf, n, "%" PRId32, (int32_t)in->a);
    else if (oi->a == RG_OPK_FIELDIMM) snprintf(buf, n, "%u=%u", rg_hi16(in->a), rg_lo16(in->a));
    else if (oi->a == RG_OPK_LOCALS) snprintf(buf, n, "%u,%u", rg_hi16(in->a), rg_lo16(in->a));
    else if (oi->a == RG_OPK_CATIFIELD) snprintf(buf, n, "%u.%u", rg_hi16(in->a), rg_lo16(in->a));
    else if (oi->a == RG_OPK_ROWCOL) snprintf(buf, n, "%u,%u.%u", rc.local, rc.cat, rc.col);
    else if (oi->a == RG_OPK_ROWCOLV) snprintf(buf, n, "%u,%u.%u=%u", rc.local, rc.cat, rc.col, rc.value);
    else if (oi->a != RG_OPK_NONE) snprintf(buf, n, "%u", in->a);
    if (oi->b == RG_OPK_ROWSRC && in->b == RG_ROW_OF_FRAME) snprintf(buf + strlen(buf), n - strlen(buf), " frame");
    else if (oi->b == RG_OPK_IMM) snprintf(buf + strlen(buf), n - strlen(buf), " %" PRId32, (int32_t)in->b);
    else if (oi->b == RG_OPK_ROWLOCAL && rg_hi16(in->b) == RG_ROW_OF_FRAME) snprintf(buf + strlen(buf), n - strlen(buf), " frame,%u", rg_lo16(in->b));
    else if (oi->b == RG_OPK_ROWLOCAL) snprintf(buf + strlen(buf), n - strlen(buf), " %u,%u", rg_hi16(in->b), rg_lo16(in->b));
    else if (oi->b == RG_OPK_CATCOL) snprintf(buf + strlen(buf), n - strlen(buf), " %u.%u", rg_hi16(in->b), rg_lo16(in->b));
    else if (oi->b != RG_OPK_NONE) snprintf(buf + strlen(buf), n - strlen(buf), " %u", in->b);
}

static void put_code(const rg_program *p, uint32_t ci, FILE *out)
{
    const rg_chunk *c = &p->chunks[ci];
    if ((uint64_t)c->start + c->len > p->n_code) return;
    rg_insn in;
    for (uint32_t off = 0; off < c->len; off += in.len) {
        if (rg_decode(p->code + c->start + off, c->len - off, &in)) {
            fprintf(out, "%8u  (cannot decode byte %u)\n", off, (unsigned)p->code[c->start + off]);
            return;
        }
        char ops[32], line[16];
        uint32_t l = rg_program_line(p, c->start + off, NULL);
        if (l) snprintf(line, sizeof line, "%u", l);
        else snprintf(line, sizeof line, "-");
        put_operands(&in, ops, sizeof ops);
        const char *name = rg_opinfo_table[in.op].name;
        fprintf(out, "%8u %5s  %-14s%s%-12s ; ", off, line, name, strlen(name) < 14 ? "" : " ", ops);
        if (!put_detail(p, &in, out)) fputs(rg_opinfo_table[in.op].synopsis, out);
        fputc('\n', out);
    }
}

void rgc_disasm(const rg_program *p, FILE *out)
{
    put_header(p, out);
    put_policies(p, out);
    for (uint32_t i = 0; i < p->n_chunks; i++) {
        put_chunk_header(p, i, out);
        put_code(p, i, out);
    }
}
