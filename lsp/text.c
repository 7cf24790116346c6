/* text.c — what the server reads in a document's text: file: URIs and paths,
 * LSP positions (lines from 0, characters in UTF-16 code units) and byte
 * offsets, the name under the cursor and what is being typed. Must not
 * look a name up (features.c does). */
#include <ctype.h>
#include <stdlib.h>
#include <string.h>

#include "lsp.h"

static int hexval(int c)
{
    return c >= '0' && c <= '9' ? c - '0' : c >= 'a' && c <= 'f' ? c - 'a' + 10 : c >= 'A' && c <= 'F' ? c - 'A' + 10 : -1;
}

char *lsp_uri_path(const char *uri)
{
    if (strncmp(uri, "file://", 7) != 0)
        return NULL;
    const char *s = uri + 7;
    if (*s != '/') /* file://host/path: only the local host's */
        s = strchr(s, '/');
    if (!s)
        return NULL;
    char *out = malloc(strlen(s) + 1), *o = out;
    if (!out)
        return NULL;
    for (; *s && *s != '?' && *s != '#'; s++) {
        int hi, lo;
        if (*s == '%' && (hi = hexval(s[1])) >= 0 && (lo = hexval(s[2])) >= 0) {
            *o++ = (char)(hi << 4 | lo);
            s += 2;
        } else {
            *o++ = *s;
        }
    }
    *o = '\0';
    return out;
}

char *lsp_path_uri(const char *path)
{
    char *out = malloc(7 + 3 * strlen(path) + 1), *o = out;
    if (!out)
        return NULL;
    o += sprintf(o, "file://");
    for (const unsigned char *s = (const unsigned char *)path; *s; s++) {
        if (isalnum(*s) || strchr("/-._~", *s))
            *o++ = (char)*s;
        else
            o += sprintf(o, "%%%02X", *s);
    }
    *o = '\0';
    return out;
}

/* Bytes of the UTF-8 sequence starting with C. */
static uint32_t seq_len(unsigned char c)
{
    return c >= 0xF0 ? 4 : c >= 0xE0 ? 3 : c >= 0xC0 ? 2 : 1;
}

void lsp_position(const char *text, size_t len, uint32_t off, uint32_t *line, uint32_t *character)
{
    uint32_t l = 0, c = 0;
    if (off > len)
        off = (uint32_t)len;
    for (uint32_t i = 0; i < off;) {
        unsigned char b = (unsigned char)text[i];
        if (b == '\n') {
            l++;
            c = 0;
            i++;
            continue;
        }
        uint32_t n = seq_len(b);
        c += n == 4 ? 2 : 1; /* past the BMP: a surrogate pair */
        i += n;
    }
    *line = l;
    *character = c;
}

uint32_t lsp_offset(const char *text, size_t len, uint32_t line, uint32_t character)
{
    uint32_t i = 0;
    for (uint32_t l = 0; l < line && i < len; i++)
        if (text[i] == '\n')
            l++;
    for (uint32_t c = 0; c < character && i < len && text[i] != '\n';) {
        uint32_t n = seq_len((unsigned char)text[i]);
        c += n == 4 ? 2 : 1;
        i += n;
    }
    return i > len ? (uint32_t)len : i;
}

json_t *lsp_range(const char *text, size_t len, uint32_t start, uint32_t end)
{
    uint32_t l0, c0, l1, c1;
    lsp_position(text, len, start, &l0, &c0);
    lsp_position(text, len, end > start ? end : start, &l1, &c1);
    return json_pack("{s:{s:i, s:i}, s:{s:i, s:i}}", "start", "line", l0, "character", c0, "end", "line", l1,
                     "character", c1);
}

/* A byte of a name: letters, digits, _ and any byte of a non-ASCII character (as the scanner reads names). */
static int id_byte(unsigned char c)
{
    return isalnum(c) || c == '_' || c >= 0x80;
}

static int upper_word(const char *s, uint32_t a, uint32_t b)
{
    if (a >= b || !isupper((unsigned char)s[a]))
        return 0;
    for (uint32_t i = a; i < b; i++)
        if (!isupper((unsigned char)s[i]) && !isdigit((unsigned char)s[i]))
            return 0;
    return 1;
}

/* Is OFF inside a string or a comment of its line? */
static int in_string_or_comment(const char *text, uint32_t off)
{
    uint32_t ls = off;
    while (ls > 0 && text[ls - 1] != '\n')
        ls--;
    int quoted = 0;
    for (uint32_t i = ls; i < off; i++) {
        if (quoted && text[i] == '\\')
            i++;
        else if (text[i] == '"')
            quoted = !quoted;
        else if (!quoted && text[i] == '#')
            return 1;
    }
    return quoted;
}

/* The start of the word ending at B (a region name's words joined by '-'). */
static uint32_t word_start(const char *text, uint32_t b)
{
    uint32_t a = b;
    while (a > 0 && id_byte((unsigned char)text[a - 1]))
        a--;
    while (upper_word(text, a, b) && a >= 2 && text[a - 1] == '-' && isalnum((unsigned char)text[a - 2])) {
        uint32_t s = a - 1;
        while (s > 0 && id_byte((unsigned char)text[s - 1]))
            s--;
        if (!upper_word(text, s, a - 1))
            break;
        a = s;
    }
    return a;
}

int lsp_name_at(const char *text, size_t len, uint32_t off, char *path, size_t cap, uint32_t *start, uint32_t *end)
{
    if (off > len)
        off = (uint32_t)len;
    if ((off == len || !id_byte((unsigned char)text[off])) && off > 0 && id_byte((unsigned char)text[off - 1]))
        off--;
    if (off >= len || !id_byte((unsigned char)text[off]) || in_string_or_comment(text, off))
        return -1;
    while (off > 0 && ((unsigned char)text[off] & 0xC0) == 0x80)
        off--;
    uint32_t b = off;
    while (b < len && id_byte((unsigned char)text[b]))
        b++;
    uint32_t a = word_start(text, b);
    while (upper_word(text, a, b) && b + 1 < len && text[b] == '-' && isupper((unsigned char)text[b + 1])) {
        uint32_t e = b + 1;
        while (e < len && id_byte((unsigned char)text[e]))
            e++;
        if (!upper_word(text, b + 1, e))
            break;
        b = e;
    }
    if (isdigit((unsigned char)text[a]))
        return -1;
    uint32_t p = a; /* the path's start: names before it joined by single dots */
    while (p >= 2 && text[p - 1] == '.' && text[p - 2] != '.' && id_byte((unsigned char)text[p - 2]))
        p = word_start(text, p - 1);
    if (b - p + 1 > cap)
        return -1;
    memcpy(path, text + p, b - p);
    path[b - p] = '\0';
    *start = a;
    *end = b;
    return 0;
}

void lsp_typed_at(const char *text, size_t len, uint32_t off, char *path, size_t pcap, char *word, size_t wcap)
{
    if (off > len)
        off = (uint32_t)len;
    uint32_t a = off;
    while (a > 0 && id_byte((unsigned char)text[a - 1]))
        a--;
    snprintf(word, wcap, "%.*s", (int)(off - a), text + a);
    path[0] = '\0';
    if (a >= 2 && text[a - 1] == '.' && text[a - 2] != '.' && id_byte((unsigned char)text[a - 2])) {
        uint32_t p = word_start(text, a - 1);
        while (p >= 2 && text[p - 1] == '.' && text[p - 2] != '.' && id_byte((unsigned char)text[p - 2]))
            p = word_start(text, p - 1);
        snprintf(path, pcap, "%.*s", (int)(a - 1 - p), text + p);
    }
}
