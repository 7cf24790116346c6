/* diag.c — the source set, diagnostics as records, and the one text renderer
 * of them. Formats and counts messages; it never decides what is an error. */
#include "diag.h"
#include "file_io.h"
#include "i18n.h"

#include <stdarg.h>
#include <stdlib.h>
#include <string.h>

void rg_diag_init(rg_diag *d, FILE *out)
{
    memset(d, 0, sizeof *d);
    d->out = out;
}

void rg_diag_free(rg_diag *d)
{
    for (uint32_t i = 0; i < d->n_files; i++) {
        free(d->files[i]->path);
        free(d->files[i]->text);
        free(d->files[i]->line_starts);
        free(d->files[i]);
    }
    free(d->files);
    d->files = NULL;
    d->n_files = d->cap_files = 0;
}

/* Source text (len bytes, NUL after them, to free()) kept as file n_files. */
static uint32_t keep_source(rg_diag *d, const char *path, char *text, size_t len)
{
    rg_source *s = calloc(1, sizeof *s);
    if (!s || !(s->path = strdup(path))) {
        fputs("regula: out of memory\n", stderr);
        abort();
    }
    s->text = text;
    s->len = len;
    uint32_t n = 1;
    for (const char *c = text, *end = text + len; (c = memchr(c, '\n', (size_t)(end - c))); c++)
        n++;
    s->line_starts = malloc(n * sizeof *s->line_starts);
    if (!s->line_starts)
        abort();
    s->line_starts[s->n_lines++] = 0;
    for (const char *c = text, *end = text + len; (c = memchr(c, '\n', (size_t)(end - c))); c++)
        s->line_starts[s->n_lines++] = (uint32_t)(c - text + 1);
    if (d->n_files == d->cap_files) {
        d->cap_files = d->cap_files ? d->cap_files * 2 : 8;
        d->files = realloc(d->files, d->cap_files * sizeof *d->files);
        if (!d->files)
            abort();
    }
    d->files[d->n_files] = s;
    return d->n_files++;
}

uint32_t rg_diag_add_source(rg_diag *d, const char *path, const char *text, size_t len)
{
    char *copy = malloc(len + 1);
    if (!copy) {
        fputs("regula: out of memory\n", stderr);
        abort();
    }
    memcpy(copy, text, len);
    copy[len] = '\0';
    return keep_source(d, path, copy, len);
}

int rg_diag_load_file(rg_diag *d, const char *path)
{
    size_t len;
    char *buf = NULL;
    if (d->overlay && d->overlay(d->overlay_ud, path, &buf, &len)) { /* an editor's text: kept as a copy */
        uint32_t idx = rg_diag_add_source(d, path, buf, len);
        free(buf);
        return (int)idx;
    }
    if (!(buf = rg_read_file(path, &len)))
        return -1;
    return (int)keep_source(d, path, buf, len); /* the text read is the one kept */
}

const rg_source *rg_diag_source(const rg_diag *d, uint32_t file)
{
    return file < d->n_files ? d->files[file] : NULL;
}

/* The 0-based line of offset off (clamped to the text) in s. */
static uint32_t line_of(const rg_source *s, uint32_t *off)
{
    if (*off > s->len)
        *off = (uint32_t)s->len;
    uint32_t lo = 0, hi = s->n_lines;
    while (hi - lo > 1) {
        uint32_t mid = (lo + hi) / 2;
        if (s->line_starts[mid] <= *off)
            lo = mid;
        else
            hi = mid;
    }
    return lo;
}

uint32_t rg_diag_line(const rg_diag *d, uint32_t file, uint32_t off)
{
    if (file >= d->n_files)
        return 1;
    rg_source *s = d->files[file];
    uint32_t l = s->last_line; /* that line or the next, most often */
    for (uint32_t k = 0; k < 2 && l < s->n_lines; k++, l++)
        if (s->line_starts[l] <= off && (l + 1 == s->n_lines ? off <= s->len : off < s->line_starts[l + 1]))
            return l + 1;
    s->last_line = line_of(s, &off);
    return s->last_line + 1;
}

void rg_diag_linecol(const rg_diag *d, uint32_t file, uint32_t off, uint32_t *line, uint32_t *col)
{
    const rg_source *s = rg_diag_source(d, file);
    *line = *col = 1;
    if (!s)
        return;
    uint32_t lo = line_of(s, &off);
    *line = lo + 1;
    uint32_t c = 1;
    for (uint32_t i = s->line_starts[lo]; i < off; i++)
        if (((unsigned char)s->text[i] & 0xC0) != 0x80)
            c++;
    *col = c;
}

/* bytes shown on either side of the place in a long line */
#define RG_DIAG_CONTEXT 100

static const char *sev_name[] = {N_("error"), N_("warning"), N_("note")};
static const char *sev_color[] = {"\033[1;31m", "\033[1;35m", "\033[1;36m"};

/* Display width of a UTF-8 run: CJK and full-width characters take two columns. */
static unsigned display_width(const char *s, size_t n)
{
    unsigned w = 0;
    for (size_t i = 0; i < n;) {
        unsigned char c = (unsigned char)s[i];
        if (c < 0x80) {
            w += 1;
            i += 1;
        } else {
            size_t len = c >= 0xF0 ? 4 : c >= 0xE0 ? 3 : 2;
            unsigned cp = 0;
            if (len == 3 && i + 2 < n)
                cp = ((c & 0x0Fu) << 12) | (((unsigned char)s[i + 1] & 0x3Fu) << 6) |
                     ((unsigned char)s[i + 2] & 0x3Fu);
            int wide = len == 4 || (cp >= 0x1100 && (cp <= 0x115F || (cp >= 0x2E80 && cp <= 0xA4CF) ||
                                                     (cp >= 0xAC00 && cp <= 0xD7A3) ||
                                                     (cp >= 0xF900 && cp <= 0xFAFF) ||
                                                     (cp >= 0xFE30 && cp <= 0xFE4F) ||
                                                     (cp >= 0xFF00 && cp <= 0xFF60) ||
                                                     (cp >= 0xFFE0 && cp <= 0xFFE6)));
            w += wide ? 2 : 1;
            i += len;
        }
    }
    return w;
}

/* A place of the source set as a record's numbers. */
static void place_of(const rg_diag *d, rg_loc loc, const char **path, uint32_t *line, uint32_t *col, uint32_t *end_line,
                     uint32_t *end_col)
{
    const rg_source *s = rg_diag_source(d, loc.file);
    *path = s ? s->path : NULL;
    *line = *col = *end_line = *end_col = 0;
    if (s) {
        rg_diag_linecol(d, loc.file, loc.start, line, col);
        rg_diag_linecol(d, loc.file, loc.end > loc.start ? loc.end : loc.start, end_line, end_col);
    }
}

/* The diagnostic as a record (its message formatted), to the sink or the renderer. */
static void vreport(rg_diag *d, rg_severity sev, const rg_loc *loc, const char *hint, const rg_diag_related *rel,
                    const char *fmt, va_list ap)
{
    if (sev == RG_SEV_ERROR)
        d->n_errors++;
    else if (sev == RG_SEV_WARNING)
        d->n_warnings++;
    unsigned max = d->max_errors ? d->max_errors : 50;
    if (sev == RG_SEV_ERROR && d->n_errors > max) {
        if (d->n_errors == max + 1) {
            if (d->sink)
                d->sink(d->sink_ud, d, &(rg_diag_record){RG_SEV_NOTE, NULL, 0, 0, 0, 0, _("too many errors, stopping here"), NULL, {0, 0, 0}, NULL, 0});
            else
                fprintf(d->out, "regula: %s\n", _("too many errors, stopping here"));
        }
        return;
    }
    char small[512], *msg = small;
    va_list again;
    va_copy(again, ap);
    int n = vsnprintf(small, sizeof small, fmt, ap);
    if (n >= (int)sizeof small && (msg = malloc((size_t)n + 1)) != NULL)
        vsnprintf(msg, (size_t)n + 1, fmt, again);
    va_end(again);
    if (!msg)
        msg = small; /* cut, rather than lost */
    rg_diag_record r = {.sev = sev, .message = msg, .hint = hint, .related = rel, .n_related = rel ? 1 : 0};
    if (loc) {
        r.loc = *loc;
        place_of(d, *loc, &r.path, &r.line, &r.col, &r.end_line, &r.end_col);
    }
    if (d->sink)
        d->sink(d->sink_ud, d, &r);
    else
        rg_diag_render(d, &r, NULL, d->out);
    if (msg != small)
        free(msg);
}

/* The source line of R, a caret under its place. A long line (generated, or a
 * whole chain on one line) is shown as the part around the place, "..."
 * marking what is left out. */
static void render_excerpt(const rg_diag *d, const rg_diag_record *r, uint32_t gutter, FILE *o)
{
    const rg_source *s = rg_diag_source(d, r->loc.file);
    const char *reset = d->color ? "\033[0m" : "";
    uint32_t ls = s->line_starts[r->line - 1];
    uint32_t le = ls;
    while (le < s->len && s->text[le] != '\n' && s->text[le] != '\r')
        le++;
    uint32_t start = r->loc.start > le ? le : r->loc.start;
    uint32_t end = r->loc.end > le ? le : r->loc.end;
    if (end <= start)
        end = start;
    uint32_t ws = ls, we = le;
    if (le - ls > 2 * RG_DIAG_CONTEXT) {
        ws = start - ls > RG_DIAG_CONTEXT ? start - RG_DIAG_CONTEXT : ls;
        we = le - start > RG_DIAG_CONTEXT ? start + RG_DIAG_CONTEXT : le;
        while (ws > ls && ((unsigned char)s->text[ws] & 0xC0) == 0x80)
            ws--;
        while (we < le && ((unsigned char)s->text[we] & 0xC0) == 0x80)
            we++;
    }
    if (end > we)
        end = we;
    const char *before = ws > ls ? "..." : "", *after = we < le ? "..." : "";
    if (gutter)
        fprintf(o, "%5u | %s%.*s%s\n", gutter, before, (int)(we - ws), s->text + ws, after);
    else
        fprintf(o, "      | %s%.*s%s\n", before, (int)(we - ws), s->text + ws, after);
    fprintf(o, "      | %s", ws > ls ? "   " : "");
    /* keep tabs so the caret lines up under them */
    for (uint32_t i = ws; i < start;) {
        if (s->text[i] == '\t') {
            fputc('\t', o);
            i++;
            continue;
        }
        uint32_t j = i + 1;
        while (j < start && ((unsigned char)s->text[j] & 0xC0) == 0x80)
            j++;
        for (unsigned k = display_width(s->text + i, j - i); k > 0; k--)
            fputc(' ', o);
        i = j;
    }
    unsigned w = display_width(s->text + start, end - start);
    fprintf(o, "%s^", d->color ? sev_color[r->sev] : "");
    for (unsigned k = 1; k < w; k++)
        fputc('~', o);
    fprintf(o, "%s\n", reset);
}

void rg_diag_render(const rg_diag *d, const rg_diag_record *r, const rg_diag_style *style, FILE *o)
{
    static const rg_diag_style as_files = {RG_PLACE_LINE, 0, 0};
    const rg_diag_style *st = style ? style : &as_files;
    const char *bold = d->color ? "\033[1m" : "", *reset = d->color ? "\033[0m" : "";
    int excerpt = r->path && rg_diag_source(d, r->loc.file) && r->line > st->hidden_lines;
    if (!r->path)
        fprintf(o, "%sregula:%s ", bold, reset);
    else if (st->place == RG_PLACE_LINE)
        fprintf(o, "%s%s:%u:%u:%s ", bold, r->path, r->line, r->col, reset);
    else if (st->place == RG_PLACE_FILE)
        fprintf(o, "%s%s:%s ", bold, r->path, reset);
    fprintf(o, "%s%s:%s %s\n", d->color ? sev_color[r->sev] : "", _(sev_name[r->sev]), reset, r->message);
    if (excerpt)
        render_excerpt(d, r, st->blank_gutter ? 0 : r->line - st->hidden_lines, o);
    if (r->hint)
        fprintf(o, "      = %s: %s\n", _("hint"), r->hint);
}

void rg_report(rg_diag *d, rg_severity sev, rg_loc loc, const char *hint, const char *fmt, ...)
{
    va_list ap;
    va_start(ap, fmt);
    vreport(d, sev, &loc, hint, NULL, fmt, ap);
    va_end(ap);
}

void rg_report_related(rg_diag *d, rg_severity sev, rg_loc loc, const char *hint, rg_loc at, const char *what,
                       const char *fmt, ...)
{
    rg_diag_related rel = {.loc = at, .message = what};
    place_of(d, at, &rel.path, &rel.line, &rel.col, &rel.end_line, &rel.end_col);
    va_list ap;
    va_start(ap, fmt);
    vreport(d, sev, &loc, hint, rel.path ? &rel : NULL, fmt, ap);
    va_end(ap);
}

void rg_report_plain(rg_diag *d, rg_severity sev, const char *fmt, ...)
{
    va_list ap;
    va_start(ap, fmt);
    vreport(d, sev, NULL, NULL, NULL, fmt, ap);
    va_end(ap);
}

/* Text s as up to 64 characters, each its UTF-8 bytes in a word; the count, or 65 when longer. */
static size_t utf8_units(const char *s, uint32_t *u)
{
    size_t n = 0;
    while (*s) {
        if (n == 64)
            return 65;
        uint32_t c = (unsigned char)*s++;
        for (int k = 1; k < 4 && c >= 0xC0 && ((unsigned char)*s & 0xC0) == 0x80; k++)
            c = c << 8 | (unsigned char)*s++;
        u[n++] = c;
    }
    return n;
}

size_t rg_utf8_chars(const char *s)
{
    size_t n = 0;
    for (; *s; s++)
        n += ((unsigned char)*s & 0xC0) != 0x80;
    return n;
}

unsigned rg_edit_distance(const char *a, const char *b)
{
    uint32_t ua[65], ub[65];
    size_t la = utf8_units(a, ua), lb = utf8_units(b, ub);
    if (la > 64 || lb > 64)
        return 99;
    unsigned row[65];
    for (size_t j = 0; j <= lb; j++)
        row[j] = (unsigned)j;
    for (size_t i = 1; i <= la; i++) {
        unsigned prev = row[0];
        row[0] = (unsigned)i;
        for (size_t j = 1; j <= lb; j++) {
            unsigned cur = row[j];
            unsigned cost = ua[i - 1] == ub[j - 1] ? 0 : 1;
            unsigned best = prev + cost;
            if (row[j] + 1 < best)
                best = row[j] + 1;
            if (row[j - 1] + 1 < best)
                best = row[j - 1] + 1;
            row[j] = best;
            prev = cur;
        }
    }
    return row[lb];
}
