/* features.c — what the server answers about a place in a document, from the
 * last pack of its folder that compiled: hover (a name's type, what it is,
 * which policy and version write it, its value on the pack's sample claim),
 * go to definition (across `extends`), completion of names, claim fields and
 * enumeration members. Must not compile (check.c) nor read the protocol's
 * framing (rpc.c). */
#include <stdlib.h>
#include <string.h>

#include "driver.h"
#include "lsp.h"
#include "parse.h"
#include "rg_stdlib.h"
#include "text.h"
#include "vm.h"
#include "i18n.h"

/* A request's document, the cursor in it, and its pack. */
typedef struct {
    lsp_doc *doc;
    uint32_t off;
    rgc_pack *pk;         /* NULL: the folder never compiled */
    const rg_diag *diag;  /* the pack's sources */
    const char *policy;   /* the document's policy (NULL: the base policy's view) */
    uint32_t file;        /* the document in the pack's sources, RG_NO_INDEX when not there */
} at_cursor;

static int cursor(lsp_server *s, json_t *params, at_cursor *c)
{
    memset(c, 0, sizeof *c);
    const char *uri = json_string_value(json_object_get(json_object_get(params, "textDocument"), "uri"));
    json_t *pos = json_object_get(params, "position");
    if (!uri || !json_is_object(pos) || !(c->doc = lsp_doc_find(s, uri)))
        return -1;
    c->off = lsp_offset(c->doc->text, c->doc->len, (uint32_t)json_integer_value(json_object_get(pos, "line")),
                        (uint32_t)json_integer_value(json_object_get(pos, "character")));
    char *dir = lsp_dir_of(c->doc->path);
    lsp_pack *pack = lsp_pack_of(s, dir);
    free(dir);
    c->file = RG_NO_INDEX;
    if (!pack || !pack->pk)
        return 0;
    c->pk = pack->pk;
    c->diag = pack->diag;
    for (uint32_t i = 0; i < c->diag->n_files; i++)
        if (strcmp(rg_diag_source(c->diag, i)->path, c->doc->path) == 0)
            c->file = i;
    const rg_program *p = rgc_pack_program(c->pk);
    for (uint32_t i = 0; i < p->n_policies; i++) {
        rgc_symbol sym;
        if (rgc_lookup(c->pk, NULL, p->str[p->policies[i].name], &sym) == 0 && sym.kind == RGC_SYM_POLICY &&
            sym.decl.file == c->file)
            c->policy = p->str[p->policies[i].name];
    }
    return 0;
}

static const char *base_name(const char *path)
{
    const char *slash = strrchr(path, '/');
    return slash ? slash + 1 : path;
}

/* "CN.rg:12" of a place in the pack's sources. */
static void place_text(const rg_diag *d, rg_loc loc, char *buf, size_t cap)
{
    uint32_t line, col;
    rg_diag_linecol(d, loc.file, loc.start, &line, &col);
    const rg_source *src = rg_diag_source(d, loc.file);
    snprintf(buf, cap, "%s:%u", src ? base_name(src->path) : "?", line);
}

static json_t *location(const rg_diag *d, rg_loc loc)
{
    const rg_source *src = rg_diag_source(d, loc.file);
    if (!src)
        return NULL;
    char *uri = lsp_path_uri(src->path);
    json_t *l = json_pack("{s:s, s:o}", "uri", uri, "range", lsp_range(src->text, src->len, loc.start, loc.end));
    free(uri);
    return l;
}

/* ---- the sample claim ---- */

/* A value as the REPL shows it: ¥3000.00, 60%, "text", none. */
static void value_text(const rg_program *p, uint32_t type, rg_value v, char *buf, size_t cap)
{
    char t[256];
    rg_value_text(p, type, v, t, sizeof t);
    if (v != RG_NONE && RG_TYPE_KIND(type) == RG_T_MONEY)
        snprintf(buf, cap, "%s¥%s", t[0] == '-' ? "-" : "", t + (t[0] == '-'));
    else if (v != RG_NONE && RG_TYPE_KIND(type) == RG_T_STRING)
        snprintf(buf, cap, "\"%s\"", t);
    else
        snprintf(buf, cap, "%s", t);
}

/* The pack's sample claim as POLICY settles it (its region fields set to
 * POLICY, as `regula test` and the REPL do), bound and begun on a new VM:
 * the VM, or NULL with why. */
static rg_vm *sample_vm(rgc_pack *pk, const char *policy, char *why, size_t cap)
{
    const rg_program *p = rgc_pack_program(pk);
    rg_loc where;
    json_t *claim = rgd_sample_claim(pk, policy && strcmp(policy, p->str[p->policies[0].name]) != 0 ? policy : NULL,
                                     why, cap, &where);
    if (!claim)
        return NULL;
    rg_vm *vm = rg_vm_new(p);
    char err[512];
    rg_status st = !vm ? RG_ERR_MEMORY : rgd_bind_json(vm, claim, err, sizeof err);
    json_decref(claim);
    if (st == RG_OK)
        st = rgd_begin_empty(vm);
    if (st != RG_OK) {
        snprintf(why, cap, "%s", !vm ? "out of memory" : vm->error[0] ? vm->error : err);
        rg_vm_free(vm);
        return NULL;
    }
    return vm;
}

/* Does version VERSION of POLICY hold on date ASOF? */
static int version_holds(const rg_program *p, const char *policy, const char *version, rg_value asof)
{
    for (uint32_t i = 0; i < p->n_versions; i++) {
        const rg_version *v = &p->versions[i];
        if (strcmp(p->str[v->name], version) == 0 && strcmp(p->str[p->policies[v->policy].name], policy) == 0)
            return (v->from == RG_NONE || v->from <= asof) && (v->until == RG_NONE || asof <= v->until);
    }
    return 0;
}

/* ---- hover ---- */

static void hover_def(rgc_pack *pk, const rg_diag *d, const char *policy, const rgc_symbol *sym, rg_sb *md)
{
    rgc_written w[32];
    uint32_t n = rgc_def_written(pk, sym->index, policy, w, 32);
    if (n > 32)
        n = 32;
    char place[300];
    rg_sb_printf(md, "\n\n%s", _("written in "));
    for (uint32_t i = 0; i < n; i++) {
        place_text(d, w[i].loc, place, sizeof place);
        rg_sb_printf(md, "%s%s%s%s (%s)", i ? ", " : "", w[i].policy, w[i].version ? _(" version ") : "",
                     w[i].version ? w[i].version : "", place);
    }
    if (sym->per_item) {
        rg_sb_printf(md, "\n\n%s", _("computed for each element: the REPL shows it for one (`sum … for x in …`)"));
        return;
    }
    char why[600];
    rg_vm *vm = sample_vm(pk, policy, why, sizeof why);
    if (!vm) {
        rg_sb_printf(md, _("\n\nno value on the sample claim: %s"), why);
        return;
    }
    const rg_program *p = rgc_pack_program(pk);
    char asof[300], val[300];
    value_text(p, RG_TYPE(RG_T_DATE, 0), vm->asof, asof, sizeof asof);
    const char *settles = p->str[p->policies[vm->policy].name];
    rg_value v;
    if (rg_vm_eval_def(vm, sym->index, &v) != RG_OK) {
        rg_sb_printf(md, _("\n\non the sample claim (%s, %s): %s"), settles, asof, vm->error);
    } else {
        value_text(p, p->defs[sym->index].type, v, val, sizeof val);
        rg_sb_printf(md, _("\n\non the sample claim (settled by %s as of %s): `%s`"), settles, asof, val);
        uint32_t k = 0;
        while (k < n && w[k].version && !version_holds(p, w[k].policy, w[k].version, vm->asof))
            k++;
        if (k < n && k > 0) /* not simply the nearest: say which one gave it */
            rg_sb_printf(md, _(", from %s%s%s"), w[k].policy, w[k].version ? _(" version ") : "", w[k].version ? w[k].version : "");
        else if (k < n && w[k].version)
            rg_sb_printf(md, _(", from version %s"), w[k].version);
    }
    rg_vm_free(vm);
}

/* The value at claim path PATH ("person.scheme") of the sample claim, as JSON. */
static void hover_field(rgc_pack *pk, const char *policy, const char *path, rg_sb *md)
{
    char why[600];
    const rg_program *p = rgc_pack_program(pk);
    rg_loc where;
    json_t *claim = rgd_sample_claim(pk, policy && strcmp(policy, p->str[p->policies[0].name]) != 0 ? policy : NULL,
                                     why, sizeof why, &where);
    json_t *v = claim;
    char seg[128];
    for (const char *s = path; v && *s;) {
        size_t n = strcspn(s, ".");
        snprintf(seg, sizeof seg, "%.*s", (int)n, s);
        v = json_object_get(v, seg);
        s += n + (s[n] == '.');
    }
    if (v) {
        char *t = json_dumps(v, JSON_ENCODE_ANY | JSON_COMPACT);
        rg_sb_printf(md, _("\n\nin the sample claim: `%s`"), t ? t : "?");
        free(t);
    } else if (claim) {
        rg_sb_printf(md, "\n\n%s", _("not given in the sample claim"));
    }
    json_decref(claim);
}

/* The name under the cursor (not a keyword) and what it is: 0, or -1. */
static int symbol_at(lsp_server *s, json_t *params, at_cursor *c, char *path, size_t cap, uint32_t *a, uint32_t *b,
                     rgc_symbol *sym)
{
    if (cursor(s, params, c) != 0 || !c->pk || lsp_name_at(c->doc->text, c->doc->len, c->off, path, cap, a, b) != 0 ||
        rg_keyword(c->doc->text + *a, *b - *a) >= 0)
        return -1;
    return rgc_lookup(c->pk, c->policy, path, sym);
}

json_t *lsp_hover(lsp_server *s, json_t *params)
{
    at_cursor c;
    char path[512];
    uint32_t a, b;
    rgc_symbol sym;
    if (symbol_at(s, params, &c, path, sizeof path, &a, &b, &sym) != 0)
        return NULL;
    char buf[4096], place[300];
    rg_sb md;
    rg_sb_fixed(&md, buf, sizeof buf);
    rg_sb_printf(&md, "`%s`%s%s%s — %s", path, sym.type[0] ? " : `" : "", sym.type, sym.type[0] ? "`" : "", sym.what);
    if (sym.has_decl && sym.kind != RGC_SYM_DEF) {
        place_text(c.diag, sym.decl, place, sizeof place);
        rg_sb_printf(&md, "\n\ndeclared by %s (%s)", sym.owner, place);
    }
    if (sym.kind == RGC_SYM_DEF)
        hover_def(c.pk, c.diag, c.policy, &sym, &md);
    else if (sym.kind == RGC_SYM_FIELD && !rgc_pack_program(c.pk)->fields[sym.index].in_list)
        hover_field(c.pk, c.policy, rgc_pack_program(c.pk)->str[rgc_pack_program(c.pk)->fields[sym.index].path], &md);
    return json_pack("{s:{s:s, s:s}, s:o}", "contents", "kind", "markdown", "value", buf, "range",
                     lsp_range(c.doc->text, c.doc->len, a, b));
}

/* ---- go to definition ---- */

json_t *lsp_definition(lsp_server *s, json_t *params)
{
    at_cursor c;
    char path[512];
    uint32_t a, b;
    rgc_symbol sym;
    if (symbol_at(s, params, &c, path, sizeof path, &a, &b, &sym) != 0 || !sym.has_decl)
        return NULL;
    json_t *out = json_array();
    if (sym.kind != RGC_SYM_DEF) {
        json_t *l = location(c.diag, sym.decl);
        if (l)
            json_array_append_new(out, l);
        return out;
    }
    rgc_written w[32];
    uint32_t n = rgc_def_written(c.pk, sym.index, c.policy, w, 32);
    if (n > 32)
        n = 32;
    uint32_t here = n; /* the cursor on one of these declarations: the one it overrides */
    for (uint32_t i = 0; i < n; i++)
        if (w[i].loc.file == c.file && w[i].loc.start == a)
            here = i;
    if (here < n) {
        json_t *l = location(c.diag, w[here + 1 < n ? here + 1 : here].loc);
        if (l)
            json_array_append_new(out, l);
        return out;
    }
    for (uint32_t i = 0; i < n; i++) /* a use: what the nearest policy that writes it writes, versions first */
        if (strcmp(w[i].policy, w[0].policy) == 0) {
            json_t *l = location(c.diag, w[i].loc);
            if (l)
                json_array_append_new(out, l);
        }
    return out;
}

/* ---- completion ---- */

typedef struct {
    const char *prefix;
    json_t *items;
    json_t *seen;
} completing;

static int item_kind(rgc_sym_kind k)
{
    /* LSP CompletionItemKind */
    switch (k) {
    case RGC_SYM_DEF: return 6;           /* Variable */
    case RGC_SYM_FIELD:
    case RGC_SYM_LEDGER_FIELD:
    case RGC_SYM_COLUMN: return 5;        /* Field */
    case RGC_SYM_MEMBER: return 20;       /* EnumMember */
    case RGC_SYM_POLICY: return 9;        /* Module */
    case RGC_SYM_LEDGER: return 22;       /* Struct */
    case RGC_SYM_CATALOG: return 7;       /* Class */
    case RGC_SYM_BRACKETS: return 12;     /* Value */
    case RGC_SYM_EXTERN:
    case RGC_SYM_BUILTIN: return 3;       /* Function */
    case RGC_SYM_TYPE: return 25;         /* TypeParameter */
    default: return 1;                    /* Text */
    }
}

static void add_item(completing *c, const char *name, int kind, const char *detail)
{
    if (strncmp(name, c->prefix, strlen(c->prefix)) != 0 || json_object_get(c->seen, name))
        return;
    json_object_set_new(c->seen, name, json_true());
    json_array_append_new(c->items, json_pack("{s:s, s:i, s:s}", "label", name, "kind", kind, "detail", detail));
}

static void add_name(void *ud, const char *name, rgc_sym_kind kind, const char *detail)
{
    add_item(ud, name, item_kind(kind), detail);
}

json_t *lsp_completion(lsp_server *s, json_t *params)
{
    at_cursor c;
    if (cursor(s, params, &c) != 0)
        return NULL;
    char path[512], word[256];
    lsp_typed_at(c.doc->text, c.doc->len, c.off, path, sizeof path, word, sizeof word);
    completing k = {word, json_array(), json_object()};
    if (c.pk)
        rgc_visible_names(c.pk, c.policy, path[0] ? path : NULL, add_name, &k);
    const char *kw;
    for (size_t i = 0; !path[0] && (kw = rg_keyword_at(i)) != NULL; i++)
        add_item(&k, kw, 14, "keyword"); /* Keyword */
    json_decref(k.seen);
    return json_pack("{s:b, s:o}", "isIncomplete", 0, "items", k.items);
}
