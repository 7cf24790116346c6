/* diagnostics.c — how the REPL shows the front end's diagnostic records: what
 * was typed as it was typed (no file name, lines counted from the typed text),
 * the session's own texts by name alone, and the typed expression named so.
 * Must not format a diagnostic itself (lang/diag.c renders) nor read rendered text. */
#include <stdlib.h>
#include <string.h>

#include "repl.h"
#include "i18n.h"

/* TEXT with its first "'__it'" (the REPL's name for the typed expression)
 * written "the expression": a new string, or NULL when there is none. */
static char *name_the_expression(const char *text)
{
    const char *it = text ? strstr(text, "'__it'") : NULL;
    if (!it)
        return NULL;
    const char *expr = _("the expression");
    size_t n = strlen(text) - 6 + strlen(expr) + 1;
    char *s = malloc(n);
    if (s)
        snprintf(s, n, "%.*s%s%s", (int)(it - text), text, expr, it + 6);
    return s;
}

void repl_show_diag(repl *r, const rg_diag *d, const rg_diag_record *rec, uint32_t input_lines)
{
    if (rec->sev == RG_SEV_ERROR) /* a script whose commands failed exits 1 */
        r->failed = 1;
    rg_diag_record x = *rec;
    char *msg = name_the_expression(rec->message), *hint = name_the_expression(rec->hint);
    if (msg)
        x.message = msg;
    if (hint)
        x.hint = hint;
    rg_diag_style st = {RG_PLACE_LINE, 0, 0};
    if (x.path && x.path[0] == '<') { /* the REPL's own texts: "<input>", "<session>", "<set>" */
        if (strcmp(x.path, "<input>") == 0) { /* what was just typed, after the lines the REPL added */
            st.place = RG_PLACE_NONE;
            st.hidden_lines = input_lines;
        } else { /* several texts in one: line numbers would mislead */
            st.place = RG_PLACE_FILE;
            st.blank_gutter = 1;
        }
    }
    rg_diag_render(d, &x, &st, r->out);
    free(msg);
    free(hint);
}

void repl_show_sink(void *ud, const rg_diag *d, const rg_diag_record *rec)
{
    repl_show_diag(ud, d, rec, 0);
}

static char *dup_or_null(const char *s)
{
    return s ? strdup(s) : NULL;
}

static void hold_sink(void *ud, const rg_diag *d, const rg_diag_record *rec)
{
    (void)d;
    repl_held *h = ud;
    if (h->n == h->cap) {
        uint32_t cap = h->cap ? 2 * h->cap : 8;
        rg_diag_record *v = realloc(h->v, cap * sizeof *v);
        if (!v)
            return;
        h->v = v;
        h->cap = cap;
    }
    rg_diag_record *c = &h->v[h->n++];
    *c = *rec;
    c->path = dup_or_null(rec->path);
    c->message = dup_or_null(rec->message);
    c->hint = dup_or_null(rec->hint);
    c->related = NULL; /* not shown */
    c->n_related = 0;
}

void repl_hold(repl_held *h, rg_diag *d)
{
    memset(h, 0, sizeof *h);
    h->diag = d;
    h->sink = d->sink;
    h->sink_ud = d->sink_ud;
    d->sink = hold_sink;
    d->sink_ud = h;
}

void repl_release(repl *r, repl_held *h, int show, uint32_t input_lines)
{
    for (uint32_t i = 0; i < h->n; i++) {
        if (show)
            repl_show_diag(r, h->diag, &h->v[i], input_lines);
        free((char *)h->v[i].path);
        free((char *)h->v[i].message);
        free((char *)h->v[i].hint);
    }
    free(h->v);
    h->diag->sink = h->sink;
    h->diag->sink_ud = h->sink_ud;
    memset(h, 0, sizeof *h);
}
