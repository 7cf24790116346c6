/* fullwidth.c — the one table of characters that stand for ASCII ones (the
 * full-width forms U+FF01..U+FF5E, the ideographic space and punctuation,
 * curly quotes). Must not report anything: the scanner does. */
#include "fullwidth.h"

#include <stdint.h>

/* Characters outside the full-width block, and what they stand for. */
static const struct {
    uint32_t cp;
    char ascii;
} others[] = {
    {0x3000, ' '},  /* ideographic space */
    {0x3001, ','},  /* 、 ideographic comma */
    {0x3002, '.'},  /* 。 ideographic full stop */
    {0x3010, '['},  /* 【 */
    {0x3011, ']'},  /* 】 */
    {0x2018, '\''}, /* ‘ */
    {0x2019, '\''}, /* ’ */
    {0x201C, '"'},  /* “ */
    {0x201D, '"'},  /* ” */
};

size_t rg_fullwidth_at(const char *s, size_t n, char *ascii)
{
    const unsigned char *u = (const unsigned char *)s;
    if (n < 3 || (u[0] & 0xF0) != 0xE0 || (u[1] & 0xC0) != 0x80 || (u[2] & 0xC0) != 0x80)
        return 0;
    uint32_t cp = (uint32_t)(u[0] & 0x0F) << 12 | (uint32_t)(u[1] & 0x3F) << 6 | (u[2] & 0x3F);
    if (cp >= 0xFF01 && cp <= 0xFF5E) {
        *ascii = (char)(cp - 0xFEE0);
        return 3;
    }
    for (size_t i = 0; i < sizeof others / sizeof others[0]; i++)
        if (others[i].cp == cp) {
            *ascii = others[i].ascii;
            return 3;
        }
    return 0;
}

size_t rg_fullwidth_find(const char *s, size_t n)
{
    char c;
    for (size_t i = 0; i < n; i++) /* every one is three bytes, the first 0xE0 or above */
        if ((unsigned char)s[i] >= 0xE0 && rg_fullwidth_at(s + i, n - i, &c))
            return i;
    return n;
}
