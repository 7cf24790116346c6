/* claim_build.h — claims written in Regula (`sample claim`, a test's `given claim`, :claim set) as JSON for rg_bind_claim.
 * Must not depend on the VM's state: only the compiled pack's schema and constants. */
#ifndef RG_CLAIM_BUILD_H
#define RG_CLAIM_BUILD_H

#include <stddef.h>

#include <jansson.h>

#include "compiler.h"

/* JSON value of expression E for a claim field of rg_type TYPE (constants
 * only: literals, enum members, regions, records and lists of them). NULL
 * with a message in err when E does not fit. */
json_t *cli_claim_value(rgc_pack *pk, const rg_expr *e, uint32_t type, char *err, size_t errlen);
/* Apply assignments (rg_assign*: path = value) to CLAIM. Returns 0, or -1 with
 * err and *where (the failing assignment). */
int cli_claim_apply(rgc_pack *pk, json_t *claim, const rg_vec *assigns, char *err, size_t errlen, rg_loc *where);
/* Set one field by dotted path, with list indexes allowed ("items[1].amount"),
 * to VALUE. Returns 0, or -1 with err. */
int cli_claim_set(rgc_pack *pk, json_t *claim, const char *path, const rg_expr *value, char *err, size_t errlen);
/* Region fields equal to ROOT (the base policy) take POLICY instead: how a
 * test of a regional policy starts from the base policy's sample claim. */
void cli_claim_localise(json_t *claim, const char *root, const char *policy);
/* The pack's `sample claim` localised to POLICY (NULL: left as written).
 * NULL with err (and *where when a location is known) if there is none or it
 * does not fit the claim's schema. */
json_t *cli_sample_claim(rgc_pack *pk, const char *policy, char *err, size_t errlen, rg_loc *where);

#endif
