/* lsp.h — `regula lsp`, the language server: its state (open documents, the
 * packs they belong to) and the calls between lsp/ files. It reads the
 * compiler through its accessors (compiler.h) and settles nothing but the
 * sample claim for a hover. Must not be used below cli/. */
#ifndef RG_LSP_H
#define RG_LSP_H

#include <stddef.h>
#include <stdint.h>
#include <stdio.h>

#include <jansson.h>

#include "compiler.h"

/* An open document: the editor's text wins over the file on disk. */
typedef struct {
    char *uri;
    char *path;         /* absolute, from the file: URI */
    char *text;
    size_t len;
} lsp_doc;

/* The pack of a folder: the last compilation that succeeded (for hover,
 * definition and completion while the text has errors), and the files that
 * were last given diagnostics (to clear them). */
typedef struct {
    char *dir;
    rg_diag *diag;      /* the sources pk was compiled from: it reports through them */
    rgc_pack *pk;       /* NULL until the folder compiles */
    char **published;
    uint32_t n_published;
} lsp_pack;

typedef struct {
    FILE *in, *out;
    int initialized, shut_down, exited;
    lsp_doc *docs;
    uint32_t n_docs, cap_docs;
    lsp_pack *packs;
    uint32_t n_packs, cap_packs;
} lsp_server;

/* ---- rpc.c: JSON-RPC 2.0 with Content-Length framing ---- */
/* The next message: 1 and *msg, 0 at the end of input, -1 on a message that
 * cannot be read (*msg NULL, *why says what was wrong). */
int lsp_read(FILE *in, json_t **msg, char *why, size_t whylen);
/* Write MSG (and free it): 0, or -1 when it could not be written. */
int lsp_write(FILE *out, json_t *msg);
int lsp_reply(lsp_server *s, json_t *id, json_t *result);
int lsp_reply_error(lsp_server *s, json_t *id, int code, const char *message);
int lsp_notify(lsp_server *s, const char *method, json_t *params);

/* ---- text.c: URIs, positions, the word under the cursor ---- */
/* The path of a file: URI (percent-decoded), malloc'd; NULL for another scheme. */
char *lsp_uri_path(const char *uri);
/* The file: URI of an absolute path, malloc'd. */
char *lsp_path_uri(const char *path);
/* LSP positions count lines from 0 and characters in UTF-16 code units. */
void lsp_position(const char *text, size_t len, uint32_t off, uint32_t *line, uint32_t *character);
uint32_t lsp_offset(const char *text, size_t len, uint32_t line, uint32_t character);
json_t *lsp_range(const char *text, size_t len, uint32_t start, uint32_t end);
/* The name at byte OFF of TEXT as a path of words ("person.scheme" when the
 * cursor is on scheme, "person" on person): 0 with the path and the word's
 * byte range, -1 when the cursor is on no name. */
int lsp_name_at(const char *text, size_t len, uint32_t off, char *path, size_t cap, uint32_t *start, uint32_t *end);
/* What is being typed before OFF: the dotted path before the last dot
 * ("person" in "person.sch", "" when there is none) and the partial word. */
void lsp_typed_at(const char *text, size_t len, uint32_t off, char *path, size_t pcap, char *word, size_t wcap);

/* ---- docs.c: open documents and the packs they belong to ---- */
lsp_doc *lsp_doc_find(lsp_server *s, const char *uri);
lsp_doc *lsp_doc_open(lsp_server *s, const char *uri, const char *text);
/* Apply one contentChanges entry (the whole text, or a range replaced). */
void lsp_doc_change(lsp_doc *d, json_t *change);
void lsp_doc_close(lsp_server *s, const char *uri);
/* The pack of the folder DIR (made empty the first time). */
lsp_pack *lsp_pack_of(lsp_server *s, const char *dir);
/* The folder of a path, malloc'd. */
char *lsp_dir_of(const char *path);
void lsp_server_free(lsp_server *s);

/* ---- check.c: compile a folder with the open texts, publish its diagnostics ---- */
/* URI: the document whose change asked for it (diagnostics of no place go to
 * it), or NULL. */
void lsp_check(lsp_server *s, const char *dir, const char *uri);

/* ---- features.c: hover, go to definition, completion ---- */
json_t *lsp_hover(lsp_server *s, json_t *params);
json_t *lsp_definition(lsp_server *s, json_t *params);
json_t *lsp_completion(lsp_server *s, json_t *params);

/* ---- server.c ---- */
/* Serve on IN and OUT until `exit`: 0 after a shutdown, 1 otherwise. */
int lsp_serve(FILE *in, FILE *out);

#endif
