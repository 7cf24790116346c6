/* rpc.c — JSON-RPC 2.0 messages on a byte stream, each after a
 * "Content-Length: N" header and a blank line, as the Language Server
 * Protocol frames them. Must not know any method. */
#include <stdlib.h>
#include <string.h>

#include "lsp.h"

int lsp_read(FILE *in, json_t **msg, char *why, size_t whylen)
{
    *msg = NULL;
    char line[1024];
    long length = -1;
    int any = 0;
    for (;;) {
        if (!fgets(line, sizeof line, in)) {
            if (!any)
                return 0;
            snprintf(why, whylen, "the input ended inside a message's headers");
            return -1;
        }
        any = 1;
        size_t n = strcspn(line, "\r\n");
        if (n == 0)
            break;
        line[n] = '\0';
        if (strncasecmp(line, "Content-Length:", 15) == 0) {
            char *end;
            length = strtol(line + 15, &end, 10);
            if (end == line + 15 || length < 0 || length > (64L << 20)) {
                snprintf(why, whylen, "bad Content-Length header '%s'", line);
                return -1;
            }
        }
    }
    if (length < 0) {
        snprintf(why, whylen, "a message without a Content-Length header");
        return -1;
    }
    char *body = malloc((size_t)length + 1);
    if (!body || fread(body, 1, (size_t)length, in) != (size_t)length) {
        free(body);
        snprintf(why, whylen, "the input ended inside a message of %ld bytes", length);
        return -1;
    }
    json_error_t err;
    *msg = json_loadb(body, (size_t)length, 0, &err);
    free(body);
    if (!*msg) {
        snprintf(why, whylen, "not JSON: %s (column %d)", err.text, err.column);
        return -1;
    }
    return 1;
}

int lsp_write(FILE *out, json_t *msg)
{
    char *body = json_dumps(msg, JSON_COMPACT);
    json_decref(msg);
    if (!body)
        return -1;
    size_t n = strlen(body);
    int rc = fprintf(out, "Content-Length: %zu\r\n\r\n", n) > 0 && fwrite(body, 1, n, out) == n && fflush(out) == 0;
    free(body);
    return rc ? 0 : -1;
}

int lsp_reply(lsp_server *s, json_t *id, json_t *result)
{
    return lsp_write(s->out, json_pack("{s:s, s:O, s:o}", "jsonrpc", "2.0", "id", id ? id : json_null(), "result",
                                       result ? result : json_null()));
}

int lsp_reply_error(lsp_server *s, json_t *id, int code, const char *message)
{
    return lsp_write(s->out, json_pack("{s:s, s:O, s:{s:i, s:s}}", "jsonrpc", "2.0", "id", id ? id : json_null(),
                                       "error", "code", code, "message", message));
}

int lsp_notify(lsp_server *s, const char *method, json_t *params)
{
    return lsp_write(s->out, json_pack("{s:s, s:s, s:o}", "jsonrpc", "2.0", "method", method, "params", params));
}
