/* file_io.h — a whole file read into memory: the one reader of the source
 * set, the command line and the REPL (the embedding API keeps its own, which
 * allocates through the host's allocator). */
#ifndef RG_FILE_IO_H
#define RG_FILE_IO_H

#include <stddef.h>

/* The bytes of the file at path, NUL-terminated (the NUL not counted in
 * *len), to free(); NULL with errno set when it cannot: the open's error,
 * EIO for a read error, ENOMEM. */
char *rg_read_file(const char *path, size_t *len);

#endif
