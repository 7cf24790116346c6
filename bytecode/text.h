/* text.h — text helpers every layer may use: an error message written into a
 * caller's buffer, and the one string builder. Must not know programs, values
 * or any layer above: it is plain C text. */
#ifndef RG_TEXT_H
#define RG_TEXT_H

#include <stddef.h>

/* Format a message into err (when err and errlen); returns -1, so that a
 * failing function can `return rg_errf(err, errlen, "…", …)`. */
int rg_errf(char *err, size_t errlen, const char *fmt, ...) __attribute__((format(printf, 3, 4)));

#endif
