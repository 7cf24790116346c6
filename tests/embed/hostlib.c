/* hostlib.c — host functions for the tests of `extern fn` (tests/embed/extern_pack): built as a shared library for `regula run --allow-extern`, and linked into the API tests.
 * Must stay pure (same answer for the same arguments, no state): the tests run them on many threads and compare with fixed expectations. */
#include <stdint.h>
#include <string.h>

/* extern fn risk_score(string, money) -> percent: 10% plus 1% per character of the id, 5% more above ¥1000 */
int64_t risk_score(const char *person, int64_t amount)
{
    int64_t pct = 10 + (int64_t)strlen(person);
    if (amount > 100000)
        pct += 5;
    return pct * 10000; /* percent values are in 1/10000 of a percent */
}

/* extern fn tier_of(int) -> tier: low before 2025, high from it (enum ordinals) */
int64_t tier_of(int64_t year)
{
    return year >= 2025 ? 1 : 0;
}

/* extern fn label(string, tier) -> string?: none for claims whose id starts with 'N' */
const char *label(const char *claim_id, int64_t tier)
{
    if (claim_id[0] == 'N')
        return NULL;
    return tier ? "priority" : "standard";
}
