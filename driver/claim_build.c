/* claim_build.c — Regula assignments (sample claim, test `given claim`, :claim set) turned into JSON claim objects.
 * Must not bind, settle or validate beyond the schema's field types: the claim reader (regula_claim_json) does that. */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "compiler.h"
#include "driver.h"
#include "text.h"
#include "values.h"
#include "vm.h"
#include "i18n.h"

static json_t *field_json(rgc_pack *pk, uint32_t f, const rg_expr *e, char *err, size_t errlen);

static json_t *record_json(rgc_pack *pk, const rg_expr *e, const char *prefix, char *err, size_t errlen)
{
    if (e->kind != RG_E_RECORD) {
        snprintf(err, errlen, "expected a record {field: value, …}");
        return NULL;
    }
    json_t *obj = json_object();
    for (uint32_t i = 0; i < e->keys.n; i++) {
        char path[300];
        snprintf(path, sizeof path, "%s.%s", prefix, (char *)e->keys.v[i]);
        uint32_t f = rgc_schema_field(pk, path);
        if (f == RG_NO_INDEX) {
            snprintf(err, errlen, _("the claim has no field %s"), path);
            json_decref(obj);
            return NULL;
        }
        json_t *v = field_json(pk, f, e->args.v[i], err, errlen);
        if (!v) {
            json_decref(obj);
            return NULL;
        }
        json_object_set_new(obj, e->keys.v[i], v);
    }
    return obj;
}

/* The JSON of expression e for schema field f: a record { … }, a list [ … ]
 * of records or plain values, or a plain value. */
static json_t *field_json(rgc_pack *pk, uint32_t f, const rg_expr *e, char *err, size_t errlen)
{
    const rg_program *p = rgc_pack_program(pk);
    rg_type_kind k = RG_TYPE_KIND(p->fields[f].type);
    const char *path = p->str[p->fields[f].path];
    if (e->kind == RG_E_NONE && (k == RG_T_RECORD || k == RG_T_LIST))
        return json_null();
    if (k == RG_T_RECORD)
        return record_json(pk, e, path, err, errlen);
    if (k != RG_T_LIST)
        return rgd_claim_value(pk, e, p->fields[f].type, err, errlen);
    if (e->kind != RG_E_LIST) {
        snprintf(err, errlen, "expected a list [ … ]");
        return NULL;
    }
    char prefix[300];
    snprintf(prefix, sizeof prefix, "%s[]", path);
    uint32_t elem = f + 1 < p->n_fields && p->fields[f + 1].parent == (int32_t)f && p->str[p->fields[f + 1].key][0] == '\0'
                        ? f + 1 : RG_NO_INDEX; /* a list of plain values */
    json_t *arr = json_array();
    for (uint32_t i = 0; i < e->args.n; i++) {
        json_t *o = elem != RG_NO_INDEX ? rgd_claim_value(pk, e->args.v[i], p->fields[elem].type, err, errlen)
                                        : record_json(pk, e->args.v[i], prefix, err, errlen);
        if (!o) {
            json_decref(arr);
            return NULL;
        }
        json_array_append_new(arr, o);
    }
    return arr;
}

json_t *rgd_claim_value(rgc_pack *pk, const rg_expr *e, uint32_t type, char *err, size_t errlen)
{
    const rg_program *p = rgc_pack_program(pk);
    rg_type_kind k = RG_TYPE_KIND(type);
    if (e->kind == RG_E_NONE && k != RG_T_ENUM)
        return json_null();
    if (k == RG_T_LIST || k == RG_T_RECORD) {
        snprintf(err, errlen, _("a list or record is written for its field (rgd_claim_apply)"));
        return NULL;
    }
    if (k == RG_T_STRING) {
        if (e->kind != RG_E_STRING) {
            snprintf(err, errlen, "expected a string");
            return NULL;
        }
        return json_string(e->text);
    }
    rgc_ty want = rgc_ty_from_packed(type);
    rg_value v;
    rgc_ty got;
    if (rgc_const_eval(pk, e, &want, &v, &got) != 0) {
        snprintf(err, errlen, _("not a constant value"));
        return NULL;
    }
    char buf[64];
    switch (k) {
    case RG_T_MONEY:
        rg_format_money(v, buf);
        return json_string(buf);
    case RG_T_DATE:
        rg_format_date(v, buf);
        return json_string(buf);
    case RG_T_BOOL:
        return json_boolean(v);
    case RG_T_INT:
    case RG_T_DURATION:
        return json_integer(v);
    case RG_T_PERCENT:
        rg_format_percent(v, buf);
        return json_string(buf);
    case RG_T_ENUM:
    case RG_T_REGION:
        rg_value_text(p, type, v, buf, sizeof buf);
        return json_string(buf);
    default:
        snprintf(err, errlen, _("cannot write this value into a claim"));
        return NULL;
    }
}

/* Set obj.path (segments) to v, creating objects on the way. */
static int set_path(json_t *obj, const rg_vec *path, json_t *v)
{
    for (uint32_t i = 0; i + 1 < path->n; i++) {
        json_t *next = json_object_get(obj, path->v[i]);
        if (!json_is_object(next)) {
            next = json_object();
            json_object_set_new(obj, path->v[i], next);
        }
        obj = next;
    }
    return json_object_set_new(obj, path->v[path->n - 1], v);
}

/* JSON value for the field at schema path SCHEMA (records take { … }). */
static json_t *field_value(rgc_pack *pk, const char *schema, const rg_expr *value, char *err, size_t errlen)
{
    const rg_program *p = rgc_pack_program(pk);
    uint32_t f = rgc_schema_field(pk, schema);
    if (f == RG_NO_INDEX) {
        snprintf(err, errlen, _("the claim has no field %s"), schema);
        return NULL;
    }
    json_t *v = field_json(pk, f, value, err, errlen);
    (void)p;
    if (!v) {
        char tmp[300];
        snprintf(tmp, sizeof tmp, "%s: %s", schema, err);
        snprintf(err, errlen, "%s", tmp);
    }
    return v;
}

int rgd_claim_apply(rgc_pack *pk, json_t *claim, const rg_vec *assigns, char *err, size_t errlen, rg_loc *where)
{
    for (uint32_t i = 0; i < assigns->n; i++) {
        const rg_assign *a = assigns->v[i];
        char path[256];
        rg_sb b;
        rg_sb_fixed(&b, path, sizeof path);
        for (uint32_t k = 0; k < a->path.n; k++)
            rg_sb_printf(&b, "%s%s", k ? "." : "", (char *)a->path.v[k]);
        *where = a->loc;
        json_t *v = field_value(pk, path, a->value, err, errlen);
        if (!v)
            return -1;
        set_path(claim, &a->path, v);
    }
    return 0;
}

int rgd_claim_set(rgc_pack *pk, json_t *claim, const char *path, const rg_expr *value, char *err, size_t errlen)
{
    /* the schema path drops list indexes: items[1].amount -> items[].amount */
    char schema[256];
    size_t n = 0;
    for (const char *s = path; *s && n + 3 < sizeof schema; s++) {
        if (*s == '[') {
            const char *close = strchr(s, ']');
            if (!close) {
                snprintf(err, errlen, _("'%s': a list index closes with ]"), path);
                return -1;
            }
            schema[n++] = '[';
            schema[n++] = ']';
            s = close;
        } else {
            schema[n++] = *s;
        }
    }
    schema[n] = '\0';
    json_t *v = field_value(pk, schema, value, err, errlen);
    if (!v)
        return -1;
    /* walk the JSON path, creating objects on the way */
    json_t *obj = claim;
    const char *s = path;
    for (;;) {
        size_t len = strcspn(s, ".[");
        char key[128];
        snprintf(key, sizeof key, "%.*s", (int)len, s);
        s += len;
        if (*s == '\0') {
            json_object_set_new(obj, key, v);
            return 0;
        }
        json_t *next = json_object_get(obj, key);
        if (*s == '[') {
            char *end;
            long idx = strtol(s + 1, &end, 10);
            if (!json_is_array(next) || end == s + 1 || *end != ']' || idx < 0 ||
                (size_t)idx >= json_array_size(next)) {
                snprintf(err, errlen, _("%s has no element %.*s"), key, (int)(strchr(s, ']') - s + 1), s);
                json_decref(v);
                return -1;
            }
            next = json_array_get(next, (size_t)idx);
            s = end + 1;
            if (*s == '\0') {
                json_array_set_new(json_object_get(obj, key), (size_t)idx, v);
                return 0;
            }
        } else if (!json_is_object(next)) {
            next = json_object();
            json_object_set_new(obj, key, next);
        }
        if (*s == '.')
            s++;
        obj = next;
    }
}

void rgd_claim_localise(json_t *obj, const char *root, const char *pol)
{
    const char *key;
    json_t *v;
    json_object_foreach(obj, key, v)
    {
        if (json_is_object(v))
            rgd_claim_localise(v, root, pol);
        else if (json_is_array(v)) /* the periods of a coverage list, … */
            for (size_t i = 0; i < json_array_size(v); i++) {
                if (json_is_object(json_array_get(v, i)))
                    rgd_claim_localise(json_array_get(v, i), root, pol);
            }
        else if (json_is_string(v) && strcmp(json_string_value(v), root) == 0 && (strstr(key, "region") != NULL))
            json_object_set_new(obj, key, json_string(pol));
    }
}

json_t *rgd_sample_claim(rgc_pack *pk, const char *policy, char *err, size_t errlen, rg_loc *where)
{
    const rg_decl *sample = rgc_pack_sample(pk);
    if (!sample) {
        snprintf(err, errlen, _("the pack has no `sample claim`"));
        return NULL;
    }
    json_t *claim = json_object();
    if (rgd_claim_apply(pk, claim, &sample->assigns, err, errlen, where) != 0) {
        json_decref(claim);
        return NULL;
    }
    if (policy) {
        const rg_program *p = rgc_pack_program(pk);
        rgd_claim_localise(claim, p->str[p->policies[0].name], policy);
    }
    return claim;
}

/* ---- a claim as JSON text, for the claim reader ---- */

static void text_string(rg_sb *b, const char *s, size_t n)
{
    static const char hex[] = "0123456789abcdef";
    rg_sb_put(b, "\"", 1);
    for (size_t i = 0; i < n; i++) {
        unsigned char c = (unsigned char)s[i];
        if (c == '"' || c == '\\') {
            char e[2] = {'\\', (char)c};
            rg_sb_put(b, e, 2);
        } else if (c < 0x20) {
            char e[6] = {'\\', 'u', '0', '0', hex[c >> 4], hex[c & 15]};
            rg_sb_put(b, e, 6);
        } else {
            rg_sb_put(b, (const char *)&c, 1);
        }
    }
    rg_sb_put(b, "\"", 1);
}

static void text_value(rg_sb *b, const json_t *v)
{
    char num[40];
    switch (json_typeof(v)) {
    case JSON_OBJECT: {
        const char *key;
        json_t *x;
        int first = 1;
        rg_sb_put(b, "{", 1);
        json_object_foreach((json_t *)v, key, x) {
            if (!first)
                rg_sb_put(b, ", ", 2);
            first = 0;
            text_string(b, key, strlen(key));
            rg_sb_put(b, ": ", 2);
            text_value(b, x);
        }
        rg_sb_put(b, "}", 1);
        return;
    }
    case JSON_ARRAY:
        rg_sb_put(b, "[", 1);
        for (size_t i = 0; i < json_array_size(v); i++) {
            if (i)
                rg_sb_put(b, ", ", 2);
            text_value(b, json_array_get(v, i));
        }
        rg_sb_put(b, "]", 1);
        return;
    case JSON_STRING: text_string(b, json_string_value(v), json_string_length(v)); return;
    case JSON_INTEGER:
        snprintf(num, sizeof num, "%" JSON_INTEGER_FORMAT, json_integer_value(v));
        rg_sb_puts(b, num);
        return;
    case JSON_REAL: {
        /* the shortest text that reads back as the same double: the number as it was written */
        double d = json_real_value(v);
        for (int prec = 1; prec <= 17; prec++) {
            snprintf(num, sizeof num, "%.*g", prec, d);
            if (strtod(num, NULL) == d)
                break;
        }
        if (!strpbrk(num, ".eEn")) /* still a real: "100.0" */
            strcat(num, ".0");
        rg_sb_puts(b, num);
        return;
    }
    case JSON_TRUE: rg_sb_puts(b, "true"); return;
    case JSON_FALSE: rg_sb_puts(b, "false"); return;
    default: rg_sb_puts(b, "null"); return;
    }
}

char *rgd_claim_text(const json_t *claim, size_t *len)
{
    rg_sb b = {0};
    text_value(&b, claim);
    if (b.oom) {
        rg_sb_free(&b);
        return NULL;
    }
    if (!b.s) /* nothing written: cannot happen, every value writes something */
        return NULL;
    *len = b.n;
    return b.s;
}
