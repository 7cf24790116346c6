/* format.h — the canonical layout of a policy file, for `regula fmt`.
 * Changes white space only: indentation by nesting, the arrows of table rows,
 * decision arms and brackets aligned, table cells padded, trailing blanks and
 * runs of blank lines removed. Tokens, comments and strings are never touched,
 * nor is the spacing inside a line other than the above. */
#ifndef RG_FORMAT_H
#define RG_FORMAT_H

#include <stddef.h>

/* The formatted text of src[0..len), NUL-terminated and malloc'd (its length
 * in *out_len), or NULL when out of memory. Total: any text gets a result;
 * callers check the syntax first (fmt refuses files that do not parse). */
char *rg_format(const char *src, size_t len, size_t *out_len);

/* 1 when a and b differ only in white space outside strings and comments
 * (fmt's own check before it writes anything). */
int rg_format_same_tokens(const char *a, size_t na, const char *b, size_t nb);

#endif
