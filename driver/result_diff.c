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
