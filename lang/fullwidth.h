/* fullwidth.h — characters a Chinese input method types for ASCII ones
 * （ ） ， 、 ％ ６ and the ideographic space: which ASCII character each
 * stands for, for the scanner's errors. Knows nothing of tokens. */
#ifndef RG_FULLWIDTH_H
#define RG_FULLWIDTH_H

#include <stddef.h>

/* The look-alike at s (n bytes available): its length in bytes and the ASCII
 * character it stands for in *ascii, or 0 when s starts with none. */
size_t rg_fullwidth_at(const char *s, size_t n, char *ascii);
/* The offset of the first look-alike in s[0, n), or n. */
size_t rg_fullwidth_find(const char *s, size_t n);

#endif
