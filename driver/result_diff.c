/* result_diff.c — what changed between two result lines of the same claim,
 * as `regula run` writes them (a result or an error line): what :whatif and
 * `regula diff` write for each claim that changed. Must not settle. */
#include <string.h>

#include "driver.h"

json_t *rgd_result_changes(json_t *before, json_t *after)
{
    json_t *d = json_object();
    json_t *both[2] = {before, after};
    for (int side = 0; side < 2; side++) {
        const char *key;
        json_t *v;
        json_object_foreach(both[side], key, v)
        {
            if (strcmp(key, "claim_id") == 0 || strcmp(key, "line") == 0 || json_object_get(d, key))
                continue;
            json_t *a = json_object_get(before, key), *b = json_object_get(after, key);
            if (a && b && json_equal(a, b))
                continue;
            json_object_set_new(d, key, json_pack("{s:O, s:O}", "before", a ? a : json_null(), "after", b ? b : json_null()));
        }
    }
    return d;
}

static uint64_t change_size(int64_t before, int64_t after)
{
    uint64_t d = (uint64_t)after - (uint64_t)before; /* two's complement: exact for any two int64 */
    return after >= before ? d : (uint64_t)0 - d;
}

int rgd_change_order(int64_t before_x, int64_t after_x, long line_x, int64_t before_y, int64_t after_y, long line_y)
{
    uint64_t ax = change_size(before_x, after_x), ay = change_size(before_y, after_y);
    if (ax != ay)
        return ax > ay ? -1 : 1;
    return line_x < line_y ? -1 : line_x > line_y;
}
