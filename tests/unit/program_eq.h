/* program_eq.h — for unit tests: two programs have the same arrays, each
 * record for record (a program written and loaded again, or compiled twice).
 * Must stay a test helper: cmocka's assertions, no library code. */
#ifndef RG_TEST_PROGRAM_EQ_H
#define RG_TEST_PROGRAM_EQ_H

#include "program.h"

static void assert_programs_equal(const rg_program *p, const rg_program *q)
{
#define RG_X_SAME(type, name)                                                            \
    assert_int_equal(q->n_##name, p->n_##name);                                          \
    if (p->n_##name) assert_memory_equal(q->name, p->name, p->n_##name * sizeof(type));
    RG_PROGRAM_ARRAYS(RG_X_SAME)
#undef RG_X_SAME
}

#endif
