/* text.c — text helpers every layer may use (text.h): error messages into a
 * caller's buffer, the string builder. Must not know programs or values. */
#include <stdarg.h>
#include <stdio.h>

#include "text.h"

int rg_errf(char *err, size_t errlen, const char *fmt, ...)
{
    if (err && errlen) {
        va_list ap;
        va_start(ap, fmt);
        vsnprintf(err, errlen, fmt, ap);
        va_end(ap);
    }
    return -1;
}
