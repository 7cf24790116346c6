/* format.c — `regula fmt`'s layout pass (see format.h). Works on lines, with a
 * small scanner that knows only strings, comments and brackets, so that it can
 * run on any text and never needs the grammar:
 *  - a line is indented two spaces per open bracket before it ({ ( [), one
 *    level less for each closer it starts with;
 *  - a continuation line (the one before ended with an operator, `=`, `,` or a
 *    keyword such as `and`, or this one starts with one) keeps its indentation
 *    relative to the first line of its statement, so hand-aligned conditions
 *    stay aligned;
 *  - consecutive lines at one depth that hold a top-level `->` (table rows,
 *    `when` arms, bracket tiers) have their arrows in one column, and the cells
 *    of table rows (`| a | b`) are padded to the widest of their column. */
#include <stdint.h>
#include <stdlib.h>
#include <string.h>

#include "format.h"
#include "text.h"

#define NONE SIZE_MAX

typedef struct {
    const char *code;     /* after the indentation, up to the comment, right-trimmed */
    size_t code_n;
    const char *comment;  /* from '#' to the end of the line, right-trimmed */
    size_t comment_n;
    size_t gap;           /* blanks between code and comment as written */
    size_t orig_indent;   /* columns of indentation as written */
    size_t indent;        /* as formatted */
    size_t arrow;         /* offset in code of the first `->` outside brackets */
    int depth;            /* open brackets before the line */
    int lead_closers, opens, closes;
    int continuation;     /* indented relative to its statement */
    int ends_open;        /* ends with something that wants more on the next line */
    int ends_comma;
} line_t;

static void spaces(rg_sb *b, size_t n)
{
    static const char sp[] = "                                ";
    while (n > 0) {
        size_t k = n < sizeof sp - 1 ? n : sizeof sp - 1;
        rg_sb_put(b, sp, k);
        n -= k;
    }
}

static int is_blank(char c)
{
    return c == ' ' || c == '\t' || c == '\r' || c == '\f' || c == '\v';
}

static int is_ident(unsigned char c)
{
    return c >= 0x80 || c == '_' || (c >= '0' && c <= '9') || (c >= 'a' && c <= 'z') || (c >= 'A' && c <= 'Z');
}

/* Display columns of UTF-8 text: East Asian wide characters take two. */
static int wide_char(uint32_t cp)
{
    return (cp >= 0x1100 && cp <= 0x115f) || (cp >= 0x2e80 && cp <= 0xa4cf) || (cp >= 0xac00 && cp <= 0xd7a3) ||
           (cp >= 0xf900 && cp <= 0xfaff) || (cp >= 0xfe30 && cp <= 0xfe4f) || (cp >= 0xff00 && cp <= 0xff60) ||
           (cp >= 0xffe0 && cp <= 0xffe6);
}

static size_t width(const char *s, size_t n)
{
    size_t w = 0;
    for (size_t i = 0; i < n;) {
        unsigned char c = (unsigned char)s[i];
        size_t k = c >= 0xf0 ? 4 : c >= 0xe0 ? 3 : c >= 0xc0 ? 2 : 1;
        if (i + k > n)
            k = n - i;
        int wide = k == 4;
        if (k == 3)
            wide = wide_char((uint32_t)(c & 0x0f) << 12 | (uint32_t)(s[i + 1] & 0x3f) << 6 |
                             (uint32_t)(s[i + 2] & 0x3f));
        w += wide ? 2 : 1;
        i += k;
    }
    return w;
}

/* The word that ends at code[n) (identifier bytes), or "" */
static int ends_with_word(const char *code, size_t n, const char *word)
{
    size_t k = strlen(word);
    if (n < k || memcmp(code + n - k, word, k) != 0)
        return 0;
    return n == k || !is_ident((unsigned char)code[n - k - 1]);
}

static int starts_with_word(const char *code, size_t n, const char *word)
{
    size_t k = strlen(word);
    if (n < k || memcmp(code, word, k) != 0)
        return 0;
    return n == k || !is_ident((unsigned char)code[k]);
}

/* and, or, then, else, if and their Chinese spellings (lang/keywords.c) */
static const char *const k_joiners[] = {"and", "or", "then", "else", "if", "not",
                                        "\xe4\xb8\x94", "\xe6\x88\x96", "\xe5\x88\x99",
                                        "\xe5\x90\xa6\xe5\x88\x99", NULL};

static int starts_continuation(const char *code, size_t n)
{
    if (n == 0)
        return 0;
    if (strchr("+-*/<>=!?.&", code[0]))
        return 1;
    for (int i = 0; k_joiners[i]; i++)
        if (strcmp(k_joiners[i], "if") != 0 && strcmp(k_joiners[i], "not") != 0 &&
            starts_with_word(code, n, k_joiners[i]))
            return 1;
    return 0;
}

static int ends_open(const char *code, size_t n)
{
    if (n == 0)
        return 0;
    char c = code[n - 1];
    if (c == '?' || c == '|')   /* `money?` ends a type; only `??` and `||` go on */
        return n >= 2 && code[n - 2] == c;
    if (strchr("+-*/<>=!,&", c))
        return 1;
    for (int i = 0; k_joiners[i]; i++)
        if (ends_with_word(code, n, k_joiners[i]))
            return 1;
    return 0;
}

/* Inside a string at s[*i]: step over an escape, note the closing quote.
 * Returns 1 while the string goes on. */
static int string_step(const char *s, size_t n, size_t *i)
{
    if (s[*i] == '\\' && *i + 1 < n)
        (*i)++;
    else if (s[*i] == '"')
        return 0;
    return 1;
}

/* Split one line into indentation, code and comment; count brackets. */
static void scan_line(const char *s, size_t n, line_t *l)
{
    memset(l, 0, sizeof *l);
    l->arrow = NONE;
    size_t i = 0, col = 0;
    while (i < n && is_blank(s[i])) {
        col = s[i] == '\t' ? (col / 8 + 1) * 8 : col + 1;
        i++;
    }
    l->orig_indent = col;
    size_t start = i, code_end = n;
    int in_str = 0, leading = 1, local = 0;
    for (; i < n; i++) {
        char c = s[i];
        if (in_str) {
            in_str = string_step(s, n, &i);
            continue;
        }
        if (c == '#') {
            code_end = i;
            break;
        }
        if (c == '"') {
            in_str = 1;
            leading = 0;
        } else if (c == '{' || c == '(' || c == '[') {
            l->opens++;
            local++;
            leading = 0;
        } else if (c == '}' || c == ')' || c == ']') {
            l->closes++;
            local--;
            if (leading)
                l->lead_closers++;
        } else if (c == '-' && i + 1 < n && s[i + 1] == '>' && local == 0 && l->arrow == NONE) {
            l->arrow = i - start;
            leading = 0;
        } else if (!is_blank(c)) {
            leading = 0;
        }
    }
    size_t e = code_end;
    while (!in_str && e > start && is_blank(s[e - 1])) /* an unclosed string keeps its blanks */
        e--;
    l->code = s + start;
    l->code_n = e - start;
    if (code_end < n) {
        size_t ce = n;
        while (ce > code_end && is_blank(s[ce - 1]))
            ce--;
        l->comment = s + code_end;
        l->comment_n = ce - code_end;
        l->gap = code_end - e;
    }
    l->ends_open = ends_open(l->code, l->code_n);
    l->ends_comma = l->code_n > 0 && l->code[l->code_n - 1] == ',';
}

/* Top-level `|` cells of a table row's text before its arrow. */
#define MAX_CELLS 32
static int split_cells(const char *s, size_t n, const char **cell, size_t *len)
{
    int k = 0, in_str = 0, local = 0;
    size_t from = NONE;
    for (size_t i = 0; i <= n; i++) {
        char c = i < n ? s[i] : '|';
        int open_str = 0;
        if (i == n) {              /* the end closes the last cell, whatever is open */
            open_str = in_str;
            in_str = local = 0;
        }
        if (in_str) {
            in_str = string_step(s, n, &i);
            continue;
        }
        if (c == '"')
            in_str = 1;
        else if (c == '(' || c == '[' || c == '{')
            local++;
        else if (c == ')' || c == ']' || c == '}')
            local--;
        else if (c == '|' && local == 0) {
            if (from != NONE) {
                if (k == MAX_CELLS)
                    return -1;
                size_t a = from, b = i;
                while (a < b && is_blank(s[a]))
                    a++;
                while (!open_str && b > a && is_blank(s[b - 1]))
                    b--;
                cell[k] = s + a;
                len[k] = b - a;
                k++;
            }
            from = i + 1;
        }
    }
    return k;
}

static int is_row(const line_t *l)
{
    return l->code_n > 0 && l->code[0] == '|';
}

/* Write the code before a row's arrow with its cells padded to `widths`. */
static void put_row_cells(rg_sb *b, const line_t *l, size_t pre_n, const size_t *widths, int k_max)
{
    const char *cell[MAX_CELLS];
    size_t len[MAX_CELLS];
    int k = split_cells(l->code, pre_n, cell, len);
    for (int j = 0; j < k; j++) {
        rg_sb_put(b, j ? " | " : "| ", j ? 3 : 2);
        rg_sb_put(b, cell[j], len[j]);
        if (j + 1 < k || l->arrow != NONE)
            spaces(b, j < k_max ? widths[j] - width(cell[j], len[j]) : 0);
    }
}

static size_t pre_arrow_len(const line_t *l)
{
    size_t n = l->arrow;
    while (n > 0 && is_blank(l->code[n - 1]))
        n--;
    return n;
}

/* Lay out lines [from, to): one alignment group. */
static void put_group(rg_sb *b, line_t *ls, size_t from, size_t to)
{
    size_t widths[MAX_CELLS] = {0};
    int k_max = 0, rows_ok = 1;
    for (size_t i = from; i < to; i++) {
        if (!is_row(&ls[i]))
            continue;
        const char *cell[MAX_CELLS];
        size_t len[MAX_CELLS];
        size_t pre = ls[i].arrow != NONE ? pre_arrow_len(&ls[i]) : ls[i].code_n;
        int k = split_cells(ls[i].code, pre, cell, len);
        if (k < 0) {
            rows_ok = 0;
            continue;
        }
        for (int j = 0; j < k; j++) {
            size_t w = width(cell[j], len[j]);
            if (w > widths[j])
                widths[j] = w;
        }
        if (k > k_max)
            k_max = k;
    }
    /* the arrow column, from the widest text before an arrow */
    size_t col = 0;
    for (size_t i = from; i < to; i++) {
        const line_t *l = &ls[i];
        if (l->arrow == NONE || pre_arrow_len(l) == 0)
            continue;
        size_t w;
        if (is_row(l) && rows_ok) {
            const char *cell[MAX_CELLS];
            size_t len[MAX_CELLS];
            int k = split_cells(l->code, pre_arrow_len(l), cell, len);
            w = 0;
            for (int j = 0; j < k; j++)
                w += (j ? 3 : 2) + widths[j];
        } else {
            w = width(l->code, pre_arrow_len(l));
        }
        w += l->indent;
        if (w > col)
            col = w;
    }
    for (size_t i = from; i < to; i++) {
        const line_t *l = &ls[i];
        spaces(b, l->indent);
        if (l->arrow == NONE) {
            if (is_row(l) && rows_ok) {
                put_row_cells(b, l, l->code_n, widths, k_max);
                while (l->code[l->code_n - 1] == '|' && !b->oom && b->n > 0 && b->s[b->n - 1] == ' ')
                    b->s[--b->n] = '\0'; /* a row ending in `|` */
            } else
                rg_sb_put(b, l->code, l->code_n);
        } else {
            size_t pre = pre_arrow_len(l);
            size_t w;
            if (is_row(l) && rows_ok) {
                size_t before = b->n;
                put_row_cells(b, l, pre, widths, k_max);
                w = b->oom ? 0 : width(b->s + before, b->n - before);
            } else {
                rg_sb_put(b, l->code, pre);
                w = width(l->code, pre);
            }
            if (pre > 0)   /* a line that starts with its arrow keeps it at the indentation */
                spaces(b, col - l->indent - w + 1);
            rg_sb_put(b, "->", 2);
            const char *rest = l->code + l->arrow + 2;
            size_t rest_n = l->code_n - l->arrow - 2;
            while (rest_n > 0 && is_blank(*rest)) {
                rest++;
                rest_n--;
            }
            if (rest_n > 0) {
                rg_sb_put(b, " ", 1);
                rg_sb_put(b, rest, rest_n);
            }
        }
        if (l->comment_n) {
            if (l->code_n)
                spaces(b, l->gap ? l->gap : 1);
            rg_sb_put(b, l->comment, l->comment_n);
        }
        rg_sb_put(b, "\n", 1);
    }
}

/* Lines aligned together: at one depth, each with an arrow, a table row, a
 * continuation, or the first line of a statement that continues (a `when`
 * whose arrow is on a later line). */
static int group_member(const line_t *ls, const unsigned char *blank, size_t n, size_t k, int depth)
{
    const line_t *l = &ls[k];
    if (blank[k] || l->code_n == 0 || l->depth != depth || l->lead_closers)
        return 0;
    return l->arrow != NONE || is_row(l) || l->continuation ||
           (k + 1 < n && !blank[k + 1] && ls[k + 1].continuation);
}

static char *format_text(const char *src, size_t len, size_t *out_len);

/* A UTF-8 byte order mark that starts the file stays as it is, before the
 * laid-out text (the scanner skips it too). */
char *rg_format(const char *src, size_t len, size_t *out_len)
{
    if (len < 3 || memcmp(src, "\xef\xbb\xbf", 3) != 0)
        return format_text(src, len, out_len);
    size_t n;
    char *body = format_text(src + 3, len - 3, &n);
    char *out = body ? malloc(n + 4) : NULL;
    if (out) {
        memcpy(out, src, 3);
        memcpy(out + 3, body, n);
        out[n + 3] = '\0';
        *out_len = n + 3;
    }
    free(body);
    return out;
}

static char *format_text(const char *src, size_t len, size_t *out_len)
{
    size_t n_lines = 1;
    for (size_t i = 0; i < len; i++)
        n_lines += src[i] == '\n';
    line_t *ls = calloc(n_lines, sizeof *ls);
    unsigned char *blank = calloc(n_lines, 1);
    rg_sb b = {0}; /* grows on the heap: the text returned */
    if (!ls || !blank) {
        free(ls);
        free(blank);
        return NULL;
    }
    /* pass 1: scan and indent */
    size_t n = 0;
    int depth = 0, prev_open = 0, prev_comma = 0, have_stmt = 0;
    size_t stmt_orig = 0, stmt_new = 0;
    for (size_t at = 0; at <= len && n < n_lines; n++) {
        const char *nl = memchr(src + at, '\n', len - at);
        size_t e = nl ? (size_t)(nl - src) : len;
        line_t *l = &ls[n];
        scan_line(src + at, e - at, l);
        at = e + 1;
        if (l->code_n == 0 && l->comment_n == 0) {
            blank[n] = 1;
            continue;
        }
        l->depth = depth;
        size_t base = (size_t)(depth > l->lead_closers ? depth - l->lead_closers : 0) * 2;
        if (l->code_n == 0) {         /* a comment line: at its depth, the statement goes on */
            l->indent = prev_open ? stmt_new + 2 : base;
            continue;
        }
        int starts = starts_continuation(l->code, l->code_n);
        if (have_stmt && l->lead_closers == 0 && (prev_open || starts)) {
            size_t min_rel = prev_comma && !starts ? 0 : 2;
            size_t rel = l->orig_indent > stmt_orig ? l->orig_indent - stmt_orig : 0;
            l->indent = stmt_new + (rel < min_rel ? min_rel : rel);
            l->continuation = 1;
        } else {
            l->indent = base;
            stmt_orig = l->orig_indent;
            stmt_new = base;
            have_stmt = 1;
        }
        depth += l->opens - l->closes;
        if (depth < 0)
            depth = 0;
        prev_open = l->ends_open;
        prev_comma = l->ends_comma;
    }
    /* pass 2: blank lines collapsed, arrows aligned per group */
    int pending_blank = 0, wrote = 0;
    for (size_t i = 0; i < n;) {
        if (blank[i]) {
            pending_blank = wrote;
            i++;
            continue;
        }
        if (pending_blank)
            rg_sb_put(&b, "\n", 1);
        pending_blank = 0;
        size_t j = i + 1;
        if (group_member(ls, blank, n, i, ls[i].depth))
            while (j < n && group_member(ls, blank, n, j, ls[i].depth))
                j++;
        put_group(&b, ls, i, j);
        wrote = 1;
        i = j;
    }
    free(ls);
    free(blank);
    if (!b.s && !b.oom)
        rg_sb_put(&b, "", 0);
    if (b.oom) {
        rg_sb_free(&b);
        return NULL;
    }
    *out_len = b.n;
    return b.s;
}

/* Next byte that is not white space outside a string, from *i; -1 at the
 * end. Comments count too, but not their blanks (fmt trims their ends). */
typedef struct {
    int in_str, in_comment;
} tok_state;

static int next_significant(const char *s, size_t n, size_t *i, tok_state *st)
{
    while (*i < n) {
        char c = s[(*i)++];
        if (st->in_comment) {
            if (c == '\n')
                st->in_comment = 0;
            else if (!is_blank(c))
                return (unsigned char)c;
            continue;
        }
        if (st->in_str) {
            if (c == '\n') { /* strings end with their line (lang/lexer.l) */
                st->in_str = 0;
                continue;
            }
            if (c == '"')
                st->in_str = 0;
            else if (c == '\\' && *i < n && s[*i] != '\n')
                return (unsigned char)s[(*i)++] | 0x100; /* escaped: itself, marked */
            return (unsigned char)c;
        }
        if (c == '"')
            st->in_str = 1;
        else if (c == '#')
            st->in_comment = 1;
        if (!is_blank(c) && c != '\n')
            return (unsigned char)c;
    }
    return -1;
}

int rg_format_same_tokens(const char *a, size_t na, const char *b, size_t nb)
{
    size_t i = 0, j = 0;
    tok_state sa = {0, 0}, sb = {0, 0};
    for (;;) {
        int ca = next_significant(a, na, &i, &sa);
        int cb = next_significant(b, nb, &j, &sb);
        if (ca != cb)
            return 0;
        if (ca < 0)
            return 1;
    }
}
