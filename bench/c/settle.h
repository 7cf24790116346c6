/* settle.h — the shared types of the hand-written C baseline of the seed pack
 * (shared/spec/settlement.md): claims, catalogs, the year ledger, results. No code here. */
#ifndef SETTLE_H
#define SETTLE_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

/* ---- money and dates ------------------------------------------------------ */

typedef int64_t fen_t;                     /* money: integer fen (分), never float */
#define YUAN(y) ((fen_t)(y) * 100)
#define AMOUNT_MAX YUAN(1000000000000000LL) /* 10^15 yuan: larger input is an error */

/* pct(x, p) = x * p / 100 rounded half up, x >= 0, 0 <= p <= 100; written so that
 * x * p cannot overflow: x = 100q + r gives (100qp + rp + 50) / 100 = qp + (rp + 50) / 100. */
static inline fen_t pct(fen_t x, int p)
{
    return (x / 100) * p + ((x % 100) * p + 50) / 100;
}

static inline fen_t fen_min(fen_t a, fen_t b) { return a < b ? a : b; }
static inline fen_t fen_max(fen_t a, fen_t b) { return a > b ? a : b; }

/* Days since 1970-01-01 of a proleptic Gregorian date (y >= 1). */
int32_t days_from_civil(int y, int m, int d);
/* The date of a day number (inverse of days_from_civil). */
void civil_from_days(int32_t day, int *y, int *m, int *d);
int days_in_month(int y, int m);
/* settlement.md section 9: the same day N months later, clamped to that month's last day. */
int32_t add_months(int32_t day, int n);
/* The first day of the month after DAY's month. */
int32_t first_of_next_month(int32_t day);

#define NO_DAY INT32_MIN           /* an optional date that is absent */
#define OPEN_DAY INT32_MAX         /* the `to` of a period still running */

/* ---- enumerations ---------------------------------------------------------- */

enum region {
    R_CN, R_LN, R_LN_CY, R_LN_SY, R_LN_LY, R_LN_BX, R_GZ_GY, R_HN_CS, R_BJ, R_COUNT
};
enum scheme { SCH_EMPLOYEE, SCH_RESIDENT };
enum status { ST_WORKING, ST_RETIRED };
enum filing_kind { FK_NONE, FK_LONG_TERM, FK_TEMPORARY };
enum visit_type { VT_OUTPATIENT, VT_INPATIENT };
enum column { COL_L1, COL_L2, COL_L3, COL_SPECIALTY, COL_COUNT };
enum reason {
    RS_OK, RS_NO_CARD, RS_NOT_DESIGNATED, RS_WAITING, RS_NOT_FILED,
    RS_LATE, RS_MISSING_DOCUMENTS, RS_LAPSED, RS_MANUAL_ONLY   /* Part 2 */
};
/* Part 2 (sections 9-15). */
enum inst_kind { IK_HOSPITAL, IK_PHARMACY };
enum channel { CH_DIRECT, CH_MANUAL };
enum disease { D_HTN, D_DM, D_CA, D_ESRD, D_PD, D_COUNT };  /* every code of any table */
enum document { DOC_INVOICE, DOC_ITEMIZED_LIST, DOC_TRAVEL_CERTIFICATE, DOC_PRESCRIPTION,
                DOC_MEDICAL_RECORD, DOC_COUNT };

extern const char *const region_code[R_COUNT];
extern const int8_t region_parent[R_COUNT];   /* the region it extends, -1 for CN */
extern const char *const reason_name[];
extern const char *const disease_code[D_COUNT];
extern const char *const document_name[DOC_COUNT];

/* ---- a validated claim ----------------------------------------------------- */

/* A coverage period of person.coverage (section 10). */
typedef struct {
    int32_t from, to;          /* to: OPEN_DAY when still running */
    int32_t backpaid_on, account_arrived_on;   /* NO_DAY when absent */
    uint8_t region;
} period_t;

/* The Part 2 fields of a claim; a claim that gives none of them has none of this. */
typedef struct {
    uint8_t kind, channel;     /* enum inst_kind, enum channel */
    int8_t disease;            /* enum disease, -1 when no chronic_disease */
    uint8_t documents;         /* bit set of enum document (manual channel only) */
    int32_t filed_on;          /* person.filing.filed_on, NO_DAY when absent */
    int32_t submitted_on;      /* visit.submitted_on (manual channel only) */
    uint32_t nperiods;         /* 0: no coverage list */
    int32_t covering;          /* index of the period covering the visit, -1 none */
    const period_t *periods;
} claim_ext_t;

typedef struct {
    const char *code;          /* not NUL-terminated: code[0 .. len) */
    uint32_t len;
    fen_t amount;
} item_t;

typedef struct {
    const char *claim_id, *person_id;
    uint32_t claim_id_len, person_id_len;
    uint8_t insured, treat, filing_kind, filing_region;
    uint8_t scheme, status, level, type;
    bool designated, specialty, emergency, card;
    int32_t enrolled, visit;   /* day numbers */
    int32_t year;              /* calendar year of the visit */
    fen_t balance;             /* person.account_balance */
    uint32_t nitems;
    const item_t *items;
    const claim_ext_t *ext;    /* NULL: a Part 1 claim (no Part 2 field given) */
} claim_t;

/* ---- catalogs (catalog.c) --------------------------------------------------- */

enum item_class { CLS_NONE, CLS_A, CLS_B, CLS_C };

typedef struct {
    uint8_t cls;               /* CLS_NONE: the code is not in this region's chain */
    uint8_t share;             /* self-pay-first percent of class B */
    fen_t cap;                 /* price cap, -1 when none */
} cat_entry_t;

typedef struct catalogs catalogs_t;

/* Loads DIR/<code>.csv of every region (CN.csv required, the others optional) and
 * overlays them along the extends chain. NULL with a message in err on failure. */
catalogs_t *catalogs_load(const char *dir, char *err, size_t errlen);
void catalogs_free(catalogs_t *c);
/* The entry of CODE in the catalog of treatment region R (cls CLS_NONE if none). */
const cat_entry_t *catalogs_find(const catalogs_t *c, int r, const char *code, size_t len);

/* ---- the year ledger (ledger.c) ----------------------------------------------- */

typedef struct {
    fen_t out_deductible_met, out_fund;
    fen_t in_fund, critical_base, critical_paid;
    int32_t in_admissions;
    fen_t disease_fund[D_COUNT]; /* section 13: fund paid per chronic or special disease */
} year_acc_t;

typedef struct {
    fen_t balance;
} person_acc_t;

typedef struct ledger ledger_t;

ledger_t *ledger_new(void);
void ledger_free(ledger_t *l);
void ledger_reset(ledger_t *l);            /* forget everything, keep the memory */
/* The person's accumulators; a new person starts with BALANCE. Sets *index. */
person_acc_t *ledger_person(ledger_t *l, const char *id, size_t len, fen_t balance,
                            uint32_t *index);
/* The accumulators of person INDEX for YEAR, zero when new. */
year_acc_t *ledger_year(ledger_t *l, uint32_t index, int32_t year);

/* ---- the settlement (policy.c) ------------------------------------------------ */

typedef struct {
    uint8_t eligible, reason;
    int32_t ratio;
    fen_t total, ownpay, overlimit, preselfpay, inscope, deductible;
    fen_t fund, critical, account, cash;
} result_t;

void policies_init(void);
/* Whether the disease table of insured region R at DAY holds disease D (section 13). */
bool policy_has_disease(int r, int32_t day, int d);
void settle(const catalogs_t *cat, ledger_t *l, const claim_t *c, result_t *r);

/* ---- claim reading (claim.c) ---------------------------------------------------- */

/* A chunked bump allocator: memory is never moved, reset keeps the first chunk. */
typedef struct arena_chunk arena_chunk_t;
typedef struct {
    arena_chunk_t *head;
} arena_t;
void *arena_alloc(arena_t *a, size_t size, size_t align);
void arena_reset(arena_t *a);
void arena_free(arena_t *a);

/* A growable byte string. */
typedef struct {
    char *p;
    size_t len, cap;
} sbuf_t;
void sb_putn(sbuf_t *b, const char *s, size_t n);
void sb_puts(sbuf_t *b, const char *s);
void sb_putc(sbuf_t *b, char c);
void sb_printf(sbuf_t *b, const char *fmt, ...) __attribute__((format(printf, 2, 3)));
void sb_json_string(sbuf_t *b, const char *s, size_t n); /* "…" as Python json.dumps, UTF-8 kept */

enum read_status { READ_OK, READ_ERROR };

/* Reads line number LINENO (text LINE[0 .. len), without its '\n'). On READ_OK fills
 * *c (strings and items in ARENA). On READ_ERROR writes the whole error object line
 * (without '\n') to ERRLINE. */
int claim_read(const char *line, size_t len, long lineno, arena_t *arena, claim_t *c,
               sbuf_t *errline);

#endif
