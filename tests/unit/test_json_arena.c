/* test_json_arena.c — the command line's block for a claim line's JSON
 * (cli/json_arena.c): values made in a line work and are released at its end,
 * values made outside lines are untouched, a line larger than the block
 * works and grows the block. Sanitizer builds keep malloc (the block stays 0). */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include <cmocka.h>
#include <jansson.h>

#include "../../cli/json_arena.c"

static const char *LINE = "{\"claim_id\": \"C1\", \"items\": [{\"code\": \"D0001\", \"amount\": \"12.50\"}]}";

static void test_line_values(void **state)
{
    (void)state;
    for (int round = 0; round < 3; round++) {
        cli_json_arena_begin();
        json_error_t je;
        json_t *j = json_loads(LINE, 0, &je);
        assert_non_null(j);
        assert_string_equal(json_string_value(json_object_get(j, "claim_id")), "C1");
        json_t *item = json_array_get(json_object_get(j, "items"), 0);
        assert_string_equal(json_string_value(json_object_get(item, "amount")), "12.50");
        json_decref(j);
        cli_json_arena_end();
    }
}

static void test_values_outside_lines_survive(void **state)
{
    (void)state;
    json_t *kept = json_pack("{s:s, s:i}", "name", "outside", "n", 7);
    assert_non_null(kept);
    for (int round = 0; round < 4; round++) {
        cli_json_arena_begin();
        json_t *j = json_loads(LINE, 0, NULL);
        assert_non_null(j);
        /* a line overwriting the block must not reach a value made before it */
        json_object_set_new(j, "filler", json_string("xxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxx"));
        json_decref(j);
        cli_json_arena_end();
        assert_string_equal(json_string_value(json_object_get(kept, "name")), "outside");
        assert_int_equal(json_integer_value(json_object_get(kept, "n")), 7);
    }
    json_decref(kept);
}

static void test_large_line_grows_the_block(void **state)
{
    (void)state;
    cli_json_arena_begin();
    size_t first = cli_json_arena_size();
    json_t *big = json_array();
    for (int i = 0; i < 20000; i++)
        json_array_append_new(big, json_pack("{s:s, s:i}", "code", "D0001", "i", i));
    assert_int_equal(json_array_size(big), 20000);
    assert_int_equal(json_integer_value(json_object_get(json_array_get(big, 19999), "i")), 19999);
    json_decref(big);
    cli_json_arena_end();
    if (first) /* not a sanitizer build: the next line gets twice the room */
        assert_int_equal(cli_json_arena_size(), 2 * first);
    else
        assert_int_equal(cli_json_arena_size(), 0);
    test_line_values(state);
}

/* A line's value released with the block overflowed, or outside a line, is
 * walked as json_decref walks it: what it holds is released (here, its
 * reference to a value made outside, which it may hold only then). */
static void test_release_walks_when_not_all_in_the_block(void **state)
{
    (void)state;
    json_t *kept = json_string("outside");
    assert_non_null(kept);

    json_t *j = json_object();
    json_object_set(j, "kept", kept);
    assert_int_equal(kept->refcount, 2);
    cli_json_arena_release(j); /* no line open */
    assert_int_equal(kept->refcount, 1);

    cli_json_arena_begin();
    json_t *big = json_array();
    for (int i = 0; i < 20000 || (A.active && !A.overflowed); i++)
        json_array_append_new(big, json_pack("{s:s}", "code", "D0001"));
    json_array_append(big, kept);
    assert_int_equal(kept->refcount, 2);
    cli_json_arena_release(big); /* the block overflowed */
    assert_int_equal(kept->refcount, 1);
    cli_json_arena_end();

    /* a line that fits: released by the end's rewind; the next line reuses the block */
    for (int round = 0; round < 3; round++) {
        cli_json_arena_begin();
        json_t *line = json_loads(LINE, 0, NULL);
        assert_non_null(line);
        assert_string_equal(json_string_value(json_object_get(line, "claim_id")), "C1");
        cli_json_arena_release(line);
        cli_json_arena_end();
    }
    assert_string_equal(json_string_value(kept), "outside");
    json_decref(kept);
}

int main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(test_line_values),
        cmocka_unit_test(test_values_outside_lines_survive),
        cmocka_unit_test(test_large_line_grows_the_block),
        cmocka_unit_test(test_release_walks_when_not_all_in_the_block),
    };
    return cmocka_run_group_tests(tests, NULL, NULL);
}
