/* check.c — diagnostics as you type: the folder of a document compiled with
 * every open document's text in place of its file, the compiler's records
 * turned into LSP diagnostics and published per file (an empty list where
 * the errors went away). Keeps the last pack that compiled for features.c.
 * Must not format a diagnostic as text. */
#include <stdlib.h>
#include <string.h>

#include "lsp.h"
#include "i18n.h"

typedef struct {
    json_t *by_path; /* path -> [Diagnostic] */
    json_t *plain;   /* diagnostics of no place: given to the document that was checked (if any) */
} collected;

/* The open document's text in place of the file's. */
static int open_text(void *ud, const char *path, char **text, size_t *len)
{
    lsp_server *s = ud;
    for (uint32_t i = 0; i < s->n_docs; i++)
        if (strcmp(s->docs[i].path, path) == 0) {
            if (!(*text = malloc(s->docs[i].len + 1)))
                return 0;
            memcpy(*text, s->docs[i].text, s->docs[i].len + 1);
            *len = s->docs[i].len;
            return 1;
        }
    return 0;
}

static json_t *range_of(const rg_diag *d, rg_loc loc)
{
    const rg_source *src = rg_diag_source(d, loc.file);
    return lsp_range(src->text, src->len, loc.start, loc.end);
}

static void collect(void *ud, const rg_diag *d, const rg_diag_record *r)
{
    collected *c = ud;
    int placed = r->path && rg_diag_source(d, r->loc.file);
    json_t *diag = json_pack("{s:o, s:i, s:s, s:s}", "range",
                             placed ? range_of(d, r->loc) : lsp_range("", 0, 0, 0), "severity",
                             r->sev == RG_SEV_ERROR ? 1 : r->sev == RG_SEV_WARNING ? 2 : 3, "source", "regula",
                             "message", r->message);
    if (r->hint) { /* LSP has no hint: it follows the message, and stays apart in data for a client that wants it */
        const char *label = _("hint");
        size_t n = strlen(r->message) + strlen(label) + strlen(r->hint) + 4;
        char *m = malloc(n);
        if (m) {
            snprintf(m, n, "%s\n%s: %s", r->message, label, r->hint);
            json_object_set_new(diag, "message", json_string(m));
            free(m);
        }
        json_object_set_new(diag, "data", json_pack("{s:s}", "hint", r->hint));
    }
    if (r->n_related) {
        json_t *rel = json_array();
        for (uint32_t i = 0; i < r->n_related; i++) {
            char *uri = lsp_path_uri(r->related[i].path);
            json_array_append_new(rel, json_pack("{s:{s:s, s:o}, s:s}", "location", "uri", uri, "range",
                                                 range_of(d, r->related[i].loc), "message", r->related[i].message));
            free(uri);
        }
        json_object_set_new(diag, "relatedInformation", rel);
    }
    if (!placed) {
        json_array_append_new(c->plain, diag);
        return;
    }
    json_t *list = json_object_get(c->by_path, r->path);
    if (!list)
        json_object_set_new(c->by_path, r->path, list = json_array());
    json_array_append_new(list, diag);
}

static void publish(lsp_server *s, const char *path, json_t *list)
{
    char *uri = lsp_path_uri(path);
    lsp_notify(s, "textDocument/publishDiagnostics", json_pack("{s:s, s:O}", "uri", uri, "diagnostics", list));
    free(uri);
}

void lsp_check(lsp_server *s, const char *dir, const char *uri)
{
    lsp_pack *pack = lsp_pack_of(s, dir);
    if (!pack)
        return;
    rg_diag *nd = malloc(sizeof *nd);
    if (!nd)
        return;
    collected c = {json_object(), json_array()};
    rg_diag_init(nd, stderr);
    nd->sink = collect;
    nd->sink_ud = &c;
    nd->overlay = open_text;
    nd->overlay_ud = s;
    nd->max_errors = 500;
    rgc_pack *pk = rgc_compile_making(dir, nd, RGC_MAKE_LAZY);
    nd->sink = NULL;
    nd->overlay = NULL;
    if (json_array_size(c.plain)) { /* a folder that cannot be read, …: said where the user looks */
        lsp_doc *d = uri ? lsp_doc_find(s, uri) : NULL;
        if (d) {
            json_t *list = json_object_get(c.by_path, d->path);
            if (!list)
                json_object_set_new(c.by_path, d->path, list = json_array());
            json_array_extend(list, c.plain);
        }
    }
    /* every file with diagnostics now, then those that had some and have none now, then the open ones */
    const char *path;
    json_t *list, *empty = json_array();
    json_object_foreach(c.by_path, path, list) publish(s, path, list);
    for (uint32_t i = 0; i < pack->n_published; i++) {
        if (!json_object_get(c.by_path, pack->published[i]))
            publish(s, pack->published[i], empty);
        free(pack->published[i]);
    }
    pack->n_published = 0;
    for (uint32_t i = 0; i < s->n_docs; i++) {
        char *d = lsp_dir_of(s->docs[i].path);
        if (strcmp(d, dir) == 0 && !json_object_get(c.by_path, s->docs[i].path))
            publish(s, s->docs[i].path, empty);
        free(d);
    }
    json_decref(empty);
    char **kept = realloc(pack->published, (json_object_size(c.by_path) + 1) * sizeof *kept);
    if (kept) {
        pack->published = kept;
        json_object_foreach(c.by_path, path, list) pack->published[pack->n_published++] = strdup(path);
    }
    json_decref(c.by_path);
    json_decref(c.plain);
    if (pk) { /* the new pack replaces the last one that compiled; it reports through its diagnostics */
        rgc_pack_free(pack->pk);
        if (pack->diag)
            rg_diag_free(pack->diag);
        free(pack->diag);
        pack->diag = nd;
        pack->pk = pk;
    } else {
        rg_diag_free(nd);
        free(nd);
    }
}
