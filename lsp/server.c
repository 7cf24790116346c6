/* server.c — the language server's loop: one JSON-RPC message after another,
 * the lifecycle (initialize, shutdown, exit), the document notifications that
 * trigger a check, and the requests features.c answers. Must not compile nor
 * look names up itself. */
#include <stdlib.h>
#include <string.h>

#include "lsp.h"
#include "regula.h"

/* JSON-RPC and LSP error codes */
enum {
    PARSE_ERROR = -32700,
    INVALID_REQUEST = -32600,
    METHOD_NOT_FOUND = -32601,
    INVALID_PARAMS = -32602,
    SERVER_NOT_INITIALIZED = -32002
};

static json_t *capabilities(void)
{
    return json_pack("{s:{s:b, s:i, s:{s:b}}, s:b, s:b, s:{s:[s], s:b}, s:s}", "textDocumentSync", "openClose", 1,
                     "change", 1 /* the whole text */, "save", "includeText", 0, "hoverProvider", 1,
                     "definitionProvider", 1, "completionProvider", "triggerCharacters", ".", "resolveProvider", 0,
                     "positionEncoding", "utf-16");
}

static const char *doc_uri(json_t *params)
{
    return json_string_value(json_object_get(json_object_get(params, "textDocument"), "uri"));
}

/* Check every folder the server has compiled (a catalog changed: the
 * policies that read it are somewhere among them). */
static void check_all(lsp_server *s, const char *uri)
{
    uint32_t n = s->n_packs;
    char **dirs = malloc((n ? n : 1) * sizeof *dirs);
    for (uint32_t i = 0; dirs && i < n; i++)
        dirs[i] = strdup(s->packs[i].dir);
    for (uint32_t i = 0; dirs && i < n; i++) {
        lsp_check(s, dirs[i], uri);
        free(dirs[i]);
    }
    free(dirs);
}

/* Check the folder of the document URI when it is a policy file; another
 * file (a CSV catalog) is read by the policies' compilation: check them all. */
static void check_doc(lsp_server *s, const char *uri)
{
    char *path = uri ? lsp_uri_path(uri) : NULL;
    size_t n = path ? strlen(path) : 0;
    if (n > 3 && strcmp(path + n - 3, ".rg") == 0) {
        char *dir = lsp_dir_of(path);
        lsp_check(s, dir, uri);
        free(dir);
    } else if (path) {
        check_all(s, uri);
    }
    free(path);
}

static void on_notification(lsp_server *s, const char *method, json_t *params)
{
    const char *uri = doc_uri(params);
    if (strcmp(method, "exit") == 0) {
        s->exited = 1;
    } else if (s->initialized && strcmp(method, "workspace/didChangeWatchedFiles") == 0) {
        check_all(s, NULL); /* files changed on disk: what the open documents do not hide counts */
    } else if (!s->initialized || !uri) {
        return; /* before initialize, notifications are dropped (but exit) */
    } else if (strcmp(method, "textDocument/didOpen") == 0) {
        const char *text = json_string_value(json_object_get(json_object_get(params, "textDocument"), "text"));
        if (text && lsp_doc_open(s, uri, text))
            check_doc(s, uri);
    } else if (strcmp(method, "textDocument/didChange") == 0) {
        lsp_doc *d = lsp_doc_find(s, uri);
        json_t *changes = json_object_get(params, "contentChanges"), *ch;
        size_t i;
        if (!d)
            return;
        json_array_foreach(changes, i, ch) lsp_doc_change(d, ch);
        check_doc(s, uri);
    } else if (strcmp(method, "textDocument/didSave") == 0) {
        check_doc(s, uri);
    } else if (strcmp(method, "textDocument/didClose") == 0) {
        lsp_doc_close(s, uri);
        check_doc(s, uri); /* the file on disk counts again */
    }
}

static void on_request(lsp_server *s, json_t *id, const char *method, json_t *params)
{
    if (strcmp(method, "initialize") == 0) {
        s->initialized = 1;
        lsp_reply(s, id, json_pack("{s:o, s:{s:s, s:s}}", "capabilities", capabilities(), "serverInfo", "name",
                                   "regula", "version", REGULA_VERSION));
        return;
    }
    if (!s->initialized) {
        lsp_reply_error(s, id, SERVER_NOT_INITIALIZED, "the server is not initialized: send initialize first");
        return;
    }
    if (strcmp(method, "shutdown") == 0) {
        s->shut_down = 1;
        lsp_reply(s, id, NULL);
        return;
    }
    json_t *(*answer)(lsp_server *, json_t *) = strcmp(method, "textDocument/hover") == 0        ? lsp_hover
                                                : strcmp(method, "textDocument/definition") == 0 ? lsp_definition
                                                : strcmp(method, "textDocument/completion") == 0 ? lsp_completion
                                                                                                 : NULL;
    if (!answer) {
        char msg[300];
        snprintf(msg, sizeof msg, "regula lsp does not answer '%.200s'", method);
        lsp_reply_error(s, id, METHOD_NOT_FOUND, msg);
        return;
    }
    if (!doc_uri(params) || !json_is_object(json_object_get(params, "position"))) {
        lsp_reply_error(s, id, INVALID_PARAMS, "the request needs textDocument.uri and position");
        return;
    }
    lsp_reply(s, id, answer(s, params));
}

int lsp_serve(FILE *in, FILE *out)
{
    lsp_server s = {0};
    s.in = in;
    s.out = out;
    while (!s.exited) {
        json_t *msg;
        char why[300];
        int rc = lsp_read(in, &msg, why, sizeof why);
        if (rc == 0)
            break;
        if (rc < 0) {
            fprintf(stderr, "regula lsp: %s\n", why);
            lsp_reply_error(&s, NULL, PARSE_ERROR, why);
            if (feof(in))
                break;
            continue;
        }
        json_t *id = json_object_get(msg, "id");
        const char *method = json_string_value(json_object_get(msg, "method"));
        json_t *params = json_object_get(msg, "params");
        if (!method) {
            if (id) /* a response to a request of ours: the server sends none that need one */
                ;
            else
                lsp_reply_error(&s, NULL, INVALID_REQUEST, "a message with neither a method nor an id");
        } else if (id) {
            on_request(&s, id, method, params);
        } else {
            on_notification(&s, method, params);
        }
        json_decref(msg);
    }
    int status = s.shut_down ? 0 : 1;
    lsp_server_free(&s);
    return status;
}
