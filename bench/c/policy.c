/* policy.c — the seed pack's regions, figures and settlement steps, hard-coded in C
 * (shared/spec/settlement.md sections 2, 3 and 6). It must not parse input or write output. */
#include <string.h>

#include "settle.h"

/* ---- regions (section 2) ---------------------------------------------------- */

const char *const region_code[R_COUNT] = {
    [R_CN] = "CN",       [R_LN] = "LN",       [R_LN_CY] = "LN-CY",
    [R_LN_SY] = "LN-SY", [R_LN_LY] = "LN-LY", [R_LN_BX] = "LN-BX",
    [R_GZ_GY] = "GZ-GY", [R_HN_CS] = "HN-CS", [R_BJ] = "BJ",
};

const int8_t region_parent[R_COUNT] = {
    [R_CN] = -1,      [R_LN] = R_CN,    [R_LN_CY] = R_LN,
    [R_LN_SY] = R_LN, [R_LN_LY] = R_LN, [R_LN_BX] = R_LN,
    [R_GZ_GY] = R_CN, [R_HN_CS] = R_CN, [R_BJ] = R_CN,
};

const char *const reason_name[] = {
    [RS_OK] = "OK", [RS_NO_CARD] = "NO_CARD", [RS_NOT_DESIGNATED] = "NOT_DESIGNATED",
    [RS_WAITING] = "WAITING", [RS_NOT_FILED] = "NOT_FILED", [RS_LATE] = "LATE",
    [RS_MISSING_DOCUMENTS] = "MISSING_DOCUMENTS", [RS_LAPSED] = "LAPSED",
    [RS_MANUAL_ONLY] = "MANUAL_ONLY",
};

const char *const disease_code[D_COUNT] = {
    [D_HTN] = "HTN", [D_DM] = "DM", [D_CA] = "CA", [D_ESRD] = "ESRD", [D_PD] = "PD",
};

const char *const document_name[DOC_COUNT] = {
    [DOC_INVOICE] = "invoice", [DOC_ITEMIZED_LIST] = "itemized_list",
    [DOC_TRAVEL_CERTIFICATE] = "travel_certificate", [DOC_PRESCRIPTION] = "prescription",
    [DOC_MEDICAL_RECORD] = "medical_record",
};

int32_t days_from_civil(int y, int m, int d)
{
    /* H. Hinnant's algorithm. */
    y -= m <= 2;
    const int era = (y >= 0 ? y : y - 399) / 400;
    const int yoe = y - era * 400;
    const int doy = (153 * (m + (m > 2 ? -3 : 9)) + 2) / 5 + d - 1;
    const int doe = yoe * 365 + yoe / 4 - yoe / 100 + doy;
    return era * 146097 + doe - 719468;
}

void civil_from_days(int32_t day, int *y, int *m, int *d)
{
    /* H. Hinnant's algorithm, the inverse of days_from_civil. */
    const int32_t z = day + 719468;
    const int32_t era = (z >= 0 ? z : z - 146096) / 146097;
    const int32_t doe = z - era * 146097;
    const int32_t yoe = (doe - doe / 1460 + doe / 36524 - doe / 146096) / 365;
    const int32_t doy = doe - (365 * yoe + yoe / 4 - yoe / 100);
    const int32_t mp = (5 * doy + 2) / 153;
    *d = (int)(doy - (153 * mp + 2) / 5 + 1);
    *m = (int)(mp < 10 ? mp + 3 : mp - 9);
    *y = (int)(yoe + era * 400 + (*m <= 2));
}

int days_in_month(int y, int m)
{
    static const int dm[12] = { 31, 28, 31, 30, 31, 30, 31, 31, 30, 31, 30, 31 };
    if (m == 2 && ((y % 4 == 0 && y % 100 != 0) || y % 400 == 0))
        return 29;
    return dm[m - 1];
}

int32_t add_months(int32_t day, int n)
{
    int y, m, d;
    civil_from_days(day, &y, &m, &d);
    const int months = y * 12 + (m - 1) + n;
    y = months / 12;
    m = months % 12 + 1;
    const int last = days_in_month(y, m);
    return days_from_civil(y, m, d < last ? d : last);
}

int32_t first_of_next_month(int32_t day)
{
    int y, m, d;
    civil_from_days(day, &y, &m, &d);
    return m == 12 ? days_from_civil(y + 1, 1, 1) : days_from_civil(y, m + 1, 1);
}

/* ---- the parameters of a policy (section 3) --------------------------------- */

typedef struct {
    fen_t deductible[COL_COUNT]; /* outpatient: per calendar year; inpatient: per admission */
    int ratio[COL_COUNT];
    int retiree_bonus;
    fen_t annual_cap;
} visit_rules_t;

typedef struct {
    visit_rules_t visit[2];    /* by visit_type */
    bool has_account;
} scheme_rules_t;

#define MAX_TIERS 4
typedef struct {
    fen_t threshold, cap;
    int ntiers;
    struct { fen_t lo; int pct; } tier[MAX_TIERS]; /* tier i is [lo_i, lo_{i+1}), the last open */
} critical_rules_t;

/* A row of the chronic and special-disease table (section 13). */
typedef struct {
    bool listed;               /* the region's table holds the disease */
    bool special;              /* special category: enters critical-illness insurance */
    int ratio[2];              /* by scheme */
    fen_t annual_cap;          /* per person, calendar year and disease */
} disease_rules_t;

typedef struct {
    int waiting_days;
    int rejoin_months;         /* section 10: waiting after a break that was not bridged */
    int max_ratio;
    int second_admission_pct;
    bool account_pays_ownpay;
    uint32_t cross_city_group;  /* bit set of regions; empty when none */
    /* cross-region reductions, rows 1, 4, 6, 7 of the table */
    int red_home_long_term, red_temporary, red_emergency, red_unfiled;
    int32_t unfiled_from;      /* day from which row 7 applies */
    scheme_rules_t scheme[2];
    critical_rules_t critical[2];
    disease_rules_t disease[D_COUNT];
} policy_t;

static const policy_t CN_DEFAULTS = {
    .waiting_days = 60,
    .rejoin_months = 6,
    .max_ratio = 95,
    .second_admission_pct = 50,
    .account_pays_ownpay = false,
    .cross_city_group = 0,
    .red_home_long_term = 15, .red_temporary = 10, .red_emergency = 10, .red_unfiled = 20,
    .unfiled_from = 0,         /* set in policies_init: 2023-09-01 */
    .scheme = {
        [SCH_EMPLOYEE] = {
            .visit = {
                [VT_OUTPATIENT] = { { YUAN(200), YUAN(200), YUAN(200), YUAN(200) },
                                    { 70, 60, 50, 70 }, 10, YUAN(2000) },
                [VT_INPATIENT] = { { YUAN(300), YUAN(600), YUAN(900), YUAN(300) },
                                   { 90, 85, 80, 90 }, 5, YUAN(300000) },
            },
            .has_account = true,
        },
        [SCH_RESIDENT] = {
            .visit = {
                [VT_OUTPATIENT] = { { 0, 0, 0, 0 }, { 50, 50, 50, 50 }, 0, YUAN(200) },
                [VT_INPATIENT] = { { YUAN(200), YUAN(500), YUAN(1000), YUAN(200) },
                                   { 80, 70, 60, 80 }, 0, YUAN(200000) },
            },
            .has_account = false,
        },
    },
    .critical = {
        [SCH_EMPLOYEE] = { YUAN(15000), YUAN(400000), 3,
                           { { 0, 60 }, { YUAN(100000), 80 }, { YUAN(200000), 90 } } },
        [SCH_RESIDENT] = { YUAN(15000), YUAN(400000), 3,
                           { { 0, 60 }, { YUAN(100000), 80 }, { YUAN(200000), 90 } } },
    },
    .disease = {
        [D_HTN] = { true, false, { 70, 60 }, YUAN(3000) },
        [D_DM] = { true, false, { 70, 60 }, YUAN(4000) },
        [D_CA] = { true, true, { 90, 80 }, YUAN(300000) },
        [D_ESRD] = { true, true, { 90, 80 }, YUAN(200000) },
        [D_PD] = { false, false, { 0, 0 }, 0 },
    },
};

/* ---- overrides of each region ------------------------------------------------ */

static void ov_ln(policy_t *p)
{
    p->account_pays_ownpay = true;
    p->scheme[SCH_EMPLOYEE].visit[VT_INPATIENT].annual_cap = YUAN(250000);
    p->cross_city_group = 1u << R_LN_SY | 1u << R_LN_LY | 1u << R_LN_BX;
    p->disease[D_DM].annual_cap = YUAN(5000);
}

static void ov_lnsy(policy_t *p)
{
    p->disease[D_PD] = (disease_rules_t){ true, false, { 65, 55 }, YUAN(2500) };
}

static void ov_lncy_2024(policy_t *p)
{
    visit_rules_t *v = &p->scheme[SCH_EMPLOYEE].visit[VT_OUTPATIENT];
    for (int col = 0; col < COL_COUNT; col++)
        v->deductible[col] = YUAN(300);
    static const int ratio[COL_COUNT] = { 60, 55, 50, 60 };
    memcpy(v->ratio, ratio, sizeof ratio);
    v->retiree_bonus = 10;
    v->annual_cap = YUAN(2500);
}

static void ov_lncy_2025(policy_t *p)
{
    ov_lncy_2024(p);
    p->scheme[SCH_EMPLOYEE].visit[VT_OUTPATIENT].annual_cap = YUAN(3000);
}

static void ov_waiting_181(policy_t *p) { p->waiting_days = 181; }

#define MAX_VERSIONS 4
typedef struct {
    void (*override)(policy_t *);    /* always, may be NULL */
    int nversions;
    struct { int y, m, d; void (*override)(policy_t *); } version[MAX_VERSIONS];
} region_def_t;

static const region_def_t REGION_DEFS[R_COUNT] = {
    [R_CN] = { NULL, 0, { { 0 } } },
    [R_LN] = { ov_ln, 0, { { 0 } } },
    [R_LN_CY] = { NULL, 2, { { 2024, 1, 1, ov_lncy_2024 }, { 2025, 1, 1, ov_lncy_2025 } } },
    [R_LN_SY] = { ov_lnsy, 0, { { 0 } } },
    [R_LN_LY] = { NULL, 0, { { 0 } } },
    [R_LN_BX] = { NULL, 0, { { 0 } } },
    [R_GZ_GY] = { ov_waiting_181, 0, { { 0 } } },
    [R_HN_CS] = { ov_waiting_181, 0, { { 0 } } },
    [R_BJ] = { NULL, 0, { { 0 } } },
};

/* The resolved policies of a region: segment i holds from day from[i] on. */
#define MAX_SEGMENTS 8
typedef struct {
    int n;
    int32_t from[MAX_SEGMENTS];
    policy_t policy[MAX_SEGMENTS];
} timeline_t;

static timeline_t TIMELINE[R_COUNT];

static const policy_t *policy_at(int region, int32_t day)
{
    const timeline_t *t = &TIMELINE[region];
    int i = t->n - 1;
    while (i > 0 && day < t->from[i])
        i--;
    return &t->policy[i];
}

static void build_timeline(int r)
{
    const region_def_t *def = &REGION_DEFS[r];
    const int parent = region_parent[r];
    timeline_t *t = &TIMELINE[r];
    int32_t cuts[MAX_SEGMENTS];
    int ncuts = 0;

    /* The split days: the parent's and the region's own version dates. */
    cuts[ncuts++] = INT32_MIN;
    if (parent >= 0)
        for (int i = 1; i < TIMELINE[parent].n; i++)
            cuts[ncuts++] = TIMELINE[parent].from[i];
    for (int i = 0; i < def->nversions; i++)
        cuts[ncuts++] = days_from_civil(def->version[i].y, def->version[i].m, def->version[i].d);
    for (int i = 1; i < ncuts; i++)  /* insertion sort, then drop duplicates */
        for (int j = i; j > 0 && cuts[j] < cuts[j - 1]; j--) {
            int32_t tmp = cuts[j]; cuts[j] = cuts[j - 1]; cuts[j - 1] = tmp;
        }
    t->n = 0;
    for (int i = 0; i < ncuts; i++) {
        if (i > 0 && cuts[i] == cuts[i - 1])
            continue;
        const int32_t day = cuts[i];
        policy_t p = parent >= 0 ? *policy_at(parent, day) : CN_DEFAULTS;
        if (parent < 0)
            p.unfiled_from = days_from_civil(2023, 9, 1);
        if (def->override)
            def->override(&p);
        for (int v = def->nversions - 1; v >= 0; v--)
            if (day >= days_from_civil(def->version[v].y, def->version[v].m, def->version[v].d)) {
                def->version[v].override(&p);
                break;
            }
        t->from[t->n] = day;
        t->policy[t->n++] = p;
    }
}

void policies_init(void)
{
    /* Parents come before their children in enum order. */
    for (int r = 0; r < R_COUNT; r++)
        build_timeline(r);
}

bool policy_has_disease(int r, int32_t day, int d)
{
    return policy_at(r, day)->disease[d].listed;
}

/* ---- the settlement (sections 6 and 9-15) ------------------------------------- */

/* Points taken off the ratio, or -1: ineligible NOT_FILED. FILING_KIND is the kind of a
 * filing that counts (section 11: FK_NONE when it does not); CHRONIC: rows 1-3 only
 * (section 13). */
static inline int cross_region_reduction(const policy_t *p, const claim_t *c, int filing_kind,
                                         bool chronic)
{
    if (c->treat == c->insured)
        return filing_kind == FK_LONG_TERM ? p->red_home_long_term : 0;
    if (filing_kind == FK_LONG_TERM && c->filing_region == c->treat)
        return 0;
    if (chronic)
        return -1;
    if (filing_kind == FK_TEMPORARY && c->filing_region == c->treat)
        return p->red_temporary;
    if (c->type == VT_OUTPATIENT && (p->cross_city_group >> c->insured & 1)
        && (p->cross_city_group >> c->treat & 1))
        return 0;
    if (c->emergency)
        return p->red_emergency;
    if (c->visit >= p->unfiled_from)
        return p->red_unfiled;
    return -1;
}

/* Section 10: period K is joined to period K-1. */
static bool joined(const period_t *prev, const period_t *k)
{
    const int32_t gap_start = prev->to + 1;
    if (k->from == gap_start)
        return true;
    const bool short_gap = k->from <= add_months(gap_start, 3);
    return short_gap && (k->backpaid_on != NO_DAY || k->region != prev->region);
}

/* Eligibility of a claim with Part 2 fields, section 15 in order: a reason (RS_OK or why
 * not), the cross-region reduction in *reduction and, section 10 rule 5, whether the
 * account may pay in *account_ok. */
static int eligibility_ext(const policy_t *p, const claim_t *c, int *reduction,
                           bool *account_ok)
{
    const claim_ext_t *x = c->ext;
    const bool manual = x->channel == CH_MANUAL, chronic = x->disease >= 0;
    const bool home = c->treat == c->insured;

    if (!manual && !c->card)
        return RS_NO_CARD;
    if (manual) {
        /* Section 12: outpatient (chronic and pharmacy included) within a month; inpatient
         * by March 31 of the next year. */
        const int32_t deadline = c->type == VT_OUTPATIENT ? add_months(c->visit, 1)
                                                          : days_from_civil(c->year + 1, 3, 31);
        if (x->submitted_on > deadline)
            return RS_LATE;
        unsigned need = 1u << DOC_INVOICE | 1u << DOC_ITEMIZED_LIST;
        if (!home)
            need |= 1u << DOC_TRAVEL_CERTIFICATE;
        if (chronic)
            need |= 1u << DOC_PRESCRIPTION | 1u << DOC_MEDICAL_RECORD;
        if ((x->documents & need) != need)
            return RS_MISSING_DOCUMENTS;
    }
    if (!c->designated)
        return RS_NOT_DESIGNATED;

    if (x->nperiods > 0) {
        /* Section 10 replaces section 6's WAITING. */
        if (x->covering < 0)
            return RS_LAPSED;
        const period_t *pd = x->periods, *k = &pd[x->covering];
        if (k->backpaid_on != NO_DAY && c->visit < first_of_next_month(k->backpaid_on))
            return RS_LAPSED;
        int32_t s = x->covering;
        while (s > 0 && joined(&pd[s - 1], &pd[s]))
            s--;
        if (s == 0 ? (int64_t)c->visit < (int64_t)pd[0].from + p->waiting_days
                   : c->visit < add_months(pd[s].from, p->rejoin_months))
            return RS_WAITING;
        if (x->covering > 0 && k->region != pd[x->covering - 1].region
            && (k->account_arrived_on == NO_DAY || c->visit < k->account_arrived_on))
            *account_ok = false;
    } else if ((int64_t)c->visit < (int64_t)c->enrolled + p->waiting_days) {
        return RS_WAITING;
    }

    if (!manual && chronic && !home)
        return RS_MANUAL_ONLY;

    /* Section 11: a dated filing counts from filed_on, for an emergency admission outside
     * the insured region from filed_on - 3 days; one that does not count is no filing. */
    int filing_kind = c->filing_kind;
    if (filing_kind != FK_NONE && x->filed_on != NO_DAY) {
        const bool grace = c->emergency && c->type == VT_INPATIENT && !home;
        if ((int64_t)x->filed_on > (int64_t)c->visit + (grace ? 3 : 0))
            filing_kind = FK_NONE;
    }
    if ((*reduction = cross_region_reduction(p, c, filing_kind, chronic)) < 0)
        return RS_NOT_FILED;
    return RS_OK;
}

static fen_t critical_tiers(const critical_rules_t *cr, fen_t b0, fen_t add)
{
    /* b1 saturates: a base that large has used up any cap long before. */
    const fen_t b1 = add > INT64_MAX - b0 ? INT64_MAX : b0 + add;
    const fen_t x0 = fen_max(0, b0 - cr->threshold), x1 = fen_max(0, b1 - cr->threshold);
    fen_t sum = 0;
    for (int i = 0; i < cr->ntiers; i++) {
        const fen_t lo = cr->tier[i].lo;
        const fen_t hi = i + 1 < cr->ntiers ? cr->tier[i + 1].lo : INT64_MAX;
        const fen_t overlap = fen_min(x1, hi) - fen_max(x0, lo);
        if (overlap > 0)
            sum += pct(overlap, cr->tier[i].pct);
    }
    return sum;
}

/* Critical-illness insurance on ADD (section 6), updating the year's base and paid. */
static fen_t critical_illness(const critical_rules_t *cr, year_acc_t *y, fen_t add)
{
    const fen_t critical = fen_min(critical_tiers(cr, y->critical_base, add),
                                   fen_max(0, cr->cap - y->critical_paid));
    y->critical_base = add > INT64_MAX - y->critical_base ? INT64_MAX : y->critical_base + add;
    y->critical_paid += critical;
    return critical;
}

static int capped_ratio(const policy_t *p, int ratio, int reduction)
{
    if (ratio > p->max_ratio)
        ratio = p->max_ratio;
    ratio -= reduction;
    return ratio < 0 ? 0 : ratio;
}

void settle(const catalogs_t *cat, ledger_t *l, const claim_t *c, result_t *r)
{
    /* Classification with the treatment region's catalog. */
    fen_t total = 0, ownpay = 0, overlimit = 0, preselfpay = 0, inscope = 0;
    for (uint32_t i = 0; i < c->nitems; i++) {
        const item_t *it = &c->items[i];
        fen_t a = it->amount;
        total += a;
        const cat_entry_t *e = catalogs_find(cat, c->treat, it->code, it->len);
        if (e->cls == CLS_NONE || e->cls == CLS_C) {
            ownpay += a;
            continue;
        }
        if (e->cap >= 0 && a > e->cap) {
            overlimit += a - e->cap;
            a = e->cap;
        }
        if (e->cls == CLS_B) {
            const fen_t s = pct(a, e->share);
            preselfpay += s;
            inscope += a - s;
        } else {
            inscope += a;
        }
    }
    r->total = total;
    r->ownpay = ownpay;
    r->overlimit = overlimit;
    r->preselfpay = preselfpay;
    r->inscope = inscope;

    /* The person's balance is set by their first valid claim, eligible or not. */
    uint32_t pidx;
    person_acc_t *person = ledger_person(l, c->person_id, c->person_id_len, c->balance, &pidx);
    const policy_t *p = policy_at(c->insured, c->visit);

    /* Eligibility. */
    int reason = RS_OK, reduction = 0;
    bool account_ok = true;
    if (c->ext)
        reason = eligibility_ext(p, c, &reduction, &account_ok);
    else if (!c->card)
        reason = RS_NO_CARD;
    else if (!c->designated)
        reason = RS_NOT_DESIGNATED;
    else if ((int64_t)c->visit < (int64_t)c->enrolled + p->waiting_days)
        reason = RS_WAITING;
    else if ((reduction = cross_region_reduction(p, c, c->filing_kind, false)) < 0)
        reason = RS_NOT_FILED;
    if (reason != RS_OK) {
        r->eligible = 0;
        r->reason = (uint8_t)reason;
        r->ratio = 0;
        r->deductible = r->fund = r->critical = r->account = 0;
        r->cash = total;
        return;
    }

    const scheme_rules_t *sr = &p->scheme[c->scheme];
    fen_t deductible = 0, fund = 0, critical = 0;
    int ratio = 0;
    if (c->ext && c->ext->kind == IK_PHARMACY) {
        /* Section 14: the personal account only; no yearly accumulator. */
    } else if (c->ext && c->ext->disease >= 0) {
        /* Section 13: the disease's row of the insured region's table, its own cap. */
        year_acc_t *y = ledger_year(l, pidx, c->year);
        const disease_rules_t *dr = &p->disease[c->ext->disease];
        ratio = capped_ratio(p, dr->ratio[c->scheme]
                                    + (c->status == ST_RETIRED
                                           ? sr->visit[VT_OUTPATIENT].retiree_bonus : 0),
                             reduction);
        fen_t *paid = &y->disease_fund[c->ext->disease];
        fund = fen_min(pct(inscope, ratio), fen_max(0, dr->annual_cap - *paid));
        *paid += fund;
        if (dr->special)   /* not an admission: in_admissions stays */
            critical = critical_illness(&p->critical[c->scheme], y, inscope - fund);
    } else {
        year_acc_t *y = ledger_year(l, pidx, c->year);
        const visit_rules_t *vr = &sr->visit[c->type];
        const int col = c->specialty ? COL_SPECIALTY : c->level - 1;

        /* Deductible. */
        if (c->type == VT_OUTPATIENT) {
            deductible = fen_min(inscope, fen_max(0, vr->deductible[col] - y->out_deductible_met));
        } else {
            fen_t d = vr->deductible[col];
            if (y->in_admissions > 0)
                d = pct(d, p->second_admission_pct);
            deductible = fen_min(inscope, d);
        }

        /* Ratio. */
        ratio = capped_ratio(p, vr->ratio[col] + (c->status == ST_RETIRED ? vr->retiree_bonus : 0),
                             reduction);

        /* Fund. */
        fen_t *fund_paid = c->type == VT_OUTPATIENT ? &y->out_fund : &y->in_fund;
        fund = fen_min(pct(inscope - deductible, ratio), fen_max(0, vr->annual_cap - *fund_paid));

        /* Critical illness, inpatient only. */
        if (c->type == VT_INPATIENT) {
            critical = critical_illness(&p->critical[c->scheme], y, inscope - fund);
            y->in_admissions++;
        } else {
            y->out_deductible_met += deductible;
        }
        *fund_paid += fund;
    }

    /* Personal account (none after a transfer whose account has not arrived, section 10). */
    fen_t account = 0;
    if (sr->has_account && account_ok) {
        fen_t want = preselfpay + inscope - fund - critical;
        if (p->account_pays_ownpay)
            want += ownpay + overlimit;
        account = fen_min(person->balance, want);
        person->balance -= account;
    }

    r->eligible = 1;
    r->reason = RS_OK;
    r->ratio = ratio;
    r->deductible = deductible;
    r->fund = fund;
    r->critical = critical;
    r->account = account;
    r->cash = total - fund - critical - account;
}
