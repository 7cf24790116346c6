/* diag_json.c — diagnostics as JSON records, for editors and CI (`regula check
 * --format json`, `regula test --format json`), and the --format option they
 * share. Must not render diagnostics as text: lang/diag.c does. */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "cli.h"
#include "i18n.h"

static const char *const sev_names[] = {"error", "warning", "note"};

json_t *cli_diag_json(const rg_diag_record *r)
{
    json_t *o = json_object();
    json_object_set_new(o, "severity", json_string(sev_names[r->sev]));
    json_object_set_new(o, "file", r->path ? json_string(r->path) : json_null());
    json_object_set_new(o, "line", r->path ? json_integer(r->line) : json_null());
    json_object_set_new(o, "col", r->path ? json_integer(r->col) : json_null());
    json_object_set_new(o, "end_line", r->path ? json_integer(r->end_line) : json_null());
    json_object_set_new(o, "end_col", r->path ? json_integer(r->end_col) : json_null());
    json_object_set_new(o, "message", json_string(r->message));
    json_object_set_new(o, "hint", r->hint ? json_string(r->hint) : json_null());
    if (r->n_related) {
        json_t *rel = json_array();
        for (uint32_t i = 0; i < r->n_related; i++) {
            const rg_diag_related *x = &r->related[i];
            json_t *p = json_object();
            json_object_set_new(p, "file", json_string(x->path));
            json_object_set_new(p, "line", json_integer(x->line));
            json_object_set_new(p, "col", json_integer(x->col));
            json_object_set_new(p, "end_line", json_integer(x->end_line));
            json_object_set_new(p, "end_col", json_integer(x->end_col));
            json_object_set_new(p, "message", json_string(x->message));
            json_array_append_new(rel, p);
        }
        json_object_set_new(o, "related", rel);
    }
    return o;
}

void cli_diag_collect(void *list, const rg_diag *d, const rg_diag_record *r)
{
    (void)d;
    json_array_append_new((json_t *)list, cli_diag_json(r));
}

int cli_format_opt(const char *cmd, const char *value, int *json)
{
    if (value && strcmp(value, "json") == 0)
        *json = 1;
    else if (value && strcmp(value, "text") == 0)
        *json = 0;
    else {
        fprintf(stderr, _("regula %s: --format takes text or json, not '%s'\n"), cmd, value ? value : "");
        return -1;
    }
    return 0;
}

int cli_print_json(json_t *doc)
{
    int rc = json_dumpf(doc, stdout, JSON_INDENT(2) | JSON_PRESERVE_ORDER);
    if (rc == 0)
        fputc('\n', stdout);
    json_decref(doc);
    return rc == 0 && fflush(stdout) == 0 ? 0 : -1;
}
