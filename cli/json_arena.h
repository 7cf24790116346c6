/* json_arena.h — one block for jansson's allocations while a claim line is
 * settled (cli/json_arena.c). Every JSON value made between begin and end
 * must be released before end. */
#ifndef RG_CLI_JSON_ARENA_H
#define RG_CLI_JSON_ARENA_H

#include <stddef.h>

void cli_json_arena_begin(void);
void cli_json_arena_end(void);
/* Bytes of the block (0 before the first line, or in sanitizer builds). */
size_t cli_json_arena_size(void);

#endif
