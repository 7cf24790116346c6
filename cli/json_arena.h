/* json_arena.h — one block for jansson's allocations while a claim line is
 * settled (cli/json_arena.c). Every JSON value made between begin and end
 * must be released before end. */
#ifndef RG_CLI_JSON_ARENA_H
#define RG_CLI_JSON_ARENA_H

#include <stddef.h>

#include <jansson.h>

void cli_json_arena_begin(void);
void cli_json_arena_end(void);
/* Release v, a value made by this line (what json_decref does): when all the
 * line made lives in the block, the end's rewind releases it and nothing is
 * walked; else (the block overflowed, no line open, a sanitizer build) it is
 * json_decref. v must not hold a value made outside the line. */
void cli_json_arena_release(json_t *v);
/* Bytes of the block (0 before the first line, or in sanitizer builds). */
size_t cli_json_arena_size(void);

#endif
