/* docs.c — the server's memory: the documents the editor has open (their
 * text as last sent) and the pack of each folder they are in. Must not
 * compile (check.c) nor answer requests (features.c). */
#include <stdlib.h>
#include <string.h>

#include "lsp.h"

lsp_doc *lsp_doc_find(lsp_server *s, const char *uri)
{
    for (uint32_t i = 0; i < s->n_docs; i++)
        if (strcmp(s->docs[i].uri, uri) == 0)
            return &s->docs[i];
    return NULL;
}

static void set_text(lsp_doc *d, const char *text, size_t len)
{
    char *t = malloc(len + 1);
    if (!t)
        return;
    memcpy(t, text, len);
    t[len] = '\0';
    free(d->text);
    d->text = t;
    d->len = len;
}

lsp_doc *lsp_doc_open(lsp_server *s, const char *uri, const char *text)
{
    char *path = lsp_uri_path(uri);
    if (!path)
        return NULL;
    lsp_doc *d = lsp_doc_find(s, uri);
    if (!d) {
        if (s->n_docs == s->cap_docs) {
            uint32_t cap = s->cap_docs ? 2 * s->cap_docs : 8;
            lsp_doc *v = realloc(s->docs, cap * sizeof *v);
            if (!v) {
                free(path);
                return NULL;
            }
            s->docs = v;
            s->cap_docs = cap;
        }
        d = &s->docs[s->n_docs++];
        memset(d, 0, sizeof *d);
        d->uri = strdup(uri);
        d->path = path;
    } else {
        free(path);
    }
    set_text(d, text, strlen(text));
    return d;
}

void lsp_doc_change(lsp_doc *d, json_t *change)
{
    const char *text = json_string_value(json_object_get(change, "text"));
    json_t *range = json_object_get(change, "range");
    if (!text)
        return;
    if (!json_is_object(range)) {
        set_text(d, text, strlen(text));
        return;
    }
    json_t *st = json_object_get(range, "start"), *en = json_object_get(range, "end");
    uint32_t a = lsp_offset(d->text, d->len, (uint32_t)json_integer_value(json_object_get(st, "line")),
                            (uint32_t)json_integer_value(json_object_get(st, "character")));
    uint32_t b = lsp_offset(d->text, d->len, (uint32_t)json_integer_value(json_object_get(en, "line")),
                            (uint32_t)json_integer_value(json_object_get(en, "character")));
    if (b < a)
        b = a;
    size_t tl = strlen(text), n = d->len - (b - a) + tl;
    char *t = malloc(n + 1);
    if (!t)
        return;
    memcpy(t, d->text, a);
    memcpy(t + a, text, tl);
    memcpy(t + a + tl, d->text + b, d->len - b);
    t[n] = '\0';
    free(d->text);
    d->text = t;
    d->len = n;
}

void lsp_doc_close(lsp_server *s, const char *uri)
{
    lsp_doc *d = lsp_doc_find(s, uri);
    if (!d)
        return;
    free(d->uri);
    free(d->path);
    free(d->text);
    *d = s->docs[--s->n_docs];
}

char *lsp_dir_of(const char *path)
{
    const char *slash = strrchr(path, '/');
    return slash == path ? strdup("/") : slash ? strndup(path, (size_t)(slash - path)) : strdup(".");
}

lsp_pack *lsp_pack_of(lsp_server *s, const char *dir)
{
    for (uint32_t i = 0; i < s->n_packs; i++)
        if (strcmp(s->packs[i].dir, dir) == 0)
            return &s->packs[i];
    if (s->n_packs == s->cap_packs) {
        uint32_t cap = s->cap_packs ? 2 * s->cap_packs : 4;
        lsp_pack *v = realloc(s->packs, cap * sizeof *v);
        if (!v)
            return NULL;
        s->packs = v;
        s->cap_packs = cap;
    }
    lsp_pack *p = &s->packs[s->n_packs++];
    memset(p, 0, sizeof *p);
    p->dir = strdup(dir);
    return p;
}

void lsp_server_free(lsp_server *s)
{
    while (s->n_docs)
        lsp_doc_close(s, s->docs[0].uri);
    free(s->docs);
    for (uint32_t i = 0; i < s->n_packs; i++) {
        lsp_pack *p = &s->packs[i];
        rgc_pack_free(p->pk);
        if (p->diag)
            rg_diag_free(p->diag);
        free(p->diag);
        for (uint32_t k = 0; k < p->n_published; k++)
            free(p->published[k]);
        free(p->published);
        free(p->dir);
    }
    free(s->packs);
    memset(s, 0, sizeof *s);
}
