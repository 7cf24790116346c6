# CN — national base policy (国家基本医疗保险): the claim, the catalogs, the
# ledgers and every settlement step of shared/spec/settlement.md: a directly
# settled visit (sections 1-8), and the rules over time, the other channels
# and the other care of sections 9-15. Regions extend it: they override
# parameters, table rows and rules, and add their own.
policy CN

# ---------------------------------------------------------------- the claim --

enum scheme { employee, resident }
enum status { working, retired }
enum filing_kind { none, long_term, temporary }
enum visit_type { outpatient, inpatient }
enum reason { OK, NO_CARD, LATE, MISSING_DOCUMENTS, NOT_DESIGNATED, LAPSED, WAITING, MANUAL_ONLY, NOT_FILED }
enum item_class { A, B, C }
enum column { L1, L2, L3, specialty }
enum channel { direct, manual }
enum institution_kind { hospital, pharmacy }
enum disease { HTN, DM, CA, ESRD }        # regions add theirs: enum disease += { … }
enum disease_category { chronic, special }

record filing {
  kind: filing_kind
  region: region when kind != none     # required unless the kind is none; checked when given
  filed_on: date?                      # absent: the filing counts for every visit
}
# A period for which contributions were paid (section 10).
record period {
  region: region
  from: date
  to: date?                            # absent or null: still running
  backpaid_on: date?
  account_arrived_on: date?
} else "must be an object"
record person {
  id: string
  insured_region: region
  scheme: scheme
  status: status
  enrolled_on: date
  filing: filing?                      # absent or null: no filing
  account_balance: money
  coverage: list of period? nonempty else "must be a non-empty list of periods"
}
record institution {
  id: string
  region: region
  kind: institution_kind = hospital
  level: int in 1..3 only when kind == hospital  # a pharmacy's are ignored
  designated: bool
  specialty: bool only when kind == hospital
}
record visit {
  type: visit_type
  date: date
  emergency: bool
  card: bool
  channel: channel = direct
  submitted_on: date only when channel == manual
  documents: list of string only when channel == manual
  chronic_disease: disease?
}
record item {
  code: string
  amount: money
}
claim {
  claim_id: string
  person: person
  institution: institution
  visit: visit
  items: list of item
}

# The policy of the place of insurance settles; the visit date picks versions.
select policy by person.insured_region as of visit.date

# ----------------------------------------------------------------- catalogs --

# What is covered is decided by the catalog of the place of treatment: CN's,
# overlaid by the province's and the region's own (each `extends` step).
catalog medical "catalog/CN.csv" {
  key code: string
  name: string
  class: item_class
  selfpay_pct: percent?
  price_cap: money?
}

# -------------------------------------------------------------- the ledgers --

ledger yearly by person.id, year(visit.date) {
  outpatient_deductible_met: money
  outpatient_fund_paid: money
  inpatient_admissions: int
  inpatient_fund_paid: money
  critical_base: money
  critical_paid: money
}
ledger personal_account by person.id {
  balance: money = person.account_balance   # from the person's first valid claim
}
# Chronic and special-disease care: the fund paid, per person, year and disease.
ledger disease_yearly by person.id, year(visit.date), visit.chronic_disease {
  fund_paid: money
}

# --------------------------------------------------------------- parameters --

param waiting_period: duration = 60 days
param rejoin_months: int = 6                 # coverage resumed after a break
param default_selfpay: percent = 10%
param max_ratio: percent = 95%
param account_pays_ownpay: bool = false
param cross_city_group: list of region = []
param unfiled_care_allowed_from: date = 2023-09-01
param emergency_filing_grace: duration = 3 days
param short_gap_months: int = 3

param outpatient_deductible_employee: money = ¥200
param outpatient_deductible_resident: money = ¥0
param outpatient_cap_employee: money = ¥2000
param outpatient_cap_resident: money = ¥200
param outpatient_retiree_bonus: percent = 10%
param inpatient_cap_employee: money = ¥300_000
param inpatient_cap_resident: money = ¥200_000
param inpatient_retiree_bonus: percent = 5%
param second_admission_share: percent = 50%
param critical_threshold: money = ¥15_000
param critical_cap: money = ¥400_000

table outpatient_ratio: percent by (person.scheme, column) {
  | employee | L1        -> 70%
  | employee | L2        -> 60%
  | employee | L3        -> 50%
  | employee | specialty -> 70%
  | resident | _         -> 50%
}

table inpatient_ratio: percent by (person.scheme, column) {
  | employee | L1        -> 90%
  | employee | L2        -> 85%
  | employee | L3        -> 80%
  | employee | specialty -> 90%
  | resident | L1        -> 80%
  | resident | L2        -> 70%
  | resident | L3        -> 60%
  | resident | specialty -> 80%
}

table inpatient_deductible_base: money by (person.scheme, column) {
  | employee | L1, specialty -> ¥300
  | employee | L2            -> ¥600
  | employee | L3            -> ¥900
  | resident | L1, specialty -> ¥200
  | resident | L2            -> ¥500
  | resident | L3            -> ¥1000
}

brackets critical_tiers {
  from ¥0       below ¥100_000 -> 60%
  from ¥100_000 below ¥200_000 -> 80%
  from ¥200_000                -> 90%
}

# The chronic and special-disease table (门诊慢特病) of the insured region:
# a region changes a row or adds a disease (enum disease += { … }) with rows
# of its own. A disease with no row is not in the region's table.
table disease_category: disease_category? by (visit.chronic_disease) {
  | HTN, DM  -> chronic
  | CA, ESRD -> special
}
table disease_ratio: percent? by (visit.chronic_disease, person.scheme) {
  | HTN, DM  | employee -> 70%
  | HTN, DM  | resident -> 60%
  | CA, ESRD | employee -> 90%
  | CA, ESRD | resident -> 80%
}
table disease_cap: money? by (visit.chronic_disease) {
  | HTN  -> ¥3000
  | DM   -> ¥4000
  | CA   -> ¥300_000
  | ESRD -> ¥200_000
}

# ------------------------------------------------------------------ the visit --

def at_home = institution.region == person.insured_region
def pharmacy = institution.kind == pharmacy
def manual = visit.channel == manual
def chronic = visit.chronic_disease != none
def special_disease = disease_category == special

# "Specialty" hospitals use their own column whatever their level.
table column: column by (institution.specialty ?? false, institution.level ?? 1) hit first {
  | true  | _ -> specialty
  | false | 1 -> L1
  | false | 2 -> L2
  | false | 3 -> L3
}

# ---------------------------------------------- coverage periods (section 10) --

for p in person.coverage {
  def first_period = index(p) == 0
  def after_previous: date = (previous(p).to ?? p.from) + 1 day
  def region_changed = not first_period and p.region != (previous(p).region ?? p.region)
  # joined to the period before: no gap, or a short gap back-paid or bridged by a transfer
  def joined = not first_period
    and (p.from == after_previous
         or (p.from <= add_months(after_previous, short_gap_months)
             and (p.backpaid_on != none or region_changed)))
  def covers = p.from <= visit.date and visit.date <= (p.to ?? visit.date)

  reject "person.coverage[{index(p)}].to {p.to} is before from {p.from}"
  when (p.to ?? p.from) < p.from
  reject "person.coverage[{index(p)}].from {p.from}: does not start after the previous period's to {previous(p).to} (periods overlap or are out of order)"
  when not first_period and p.from < after_previous
  reject "person.coverage[{index(p)}].to: missing, but only the last period may be still running"
  when p.to == none and index(p) + 1 < count q in person.coverage
  reject "person.coverage[{index(p)}].backpaid_on: the first period cannot be back-paid"
  when first_period and p.backpaid_on != none
  reject "person.coverage[{index(p)}].backpaid_on {p.backpaid_on}: not after the previous period's to {previous(p).to}"
  when not first_period and (p.backpaid_on ?? after_previous) < after_previous
}

def coverage_given = person.coverage != none
def covering = first p in person.coverage where p.covers
# the run of joined periods the covering one ends: its first period
def run_start = last p in person.coverage where index(p) <= (index(covering) ?? 0) and not p.joined
def run_start_date: date = run_start.from ?? visit.date

# back-paid (补缴): care from the month after the payment
def backpayment_in_force = covering.backpaid_on == none
  or visit.date >= first_of_next_month(covering.backpaid_on ?? visit.date)
def lapsed = coverage_given and (covering == none or not backpayment_in_force)

def waiting = if not coverage_given then visit.date < person.enrolled_on + waiting_period
  else if index(run_start) == 0 then visit.date < run_start_date + waiting_period
  else visit.date < add_months(run_start_date, rejoin_months)

# after a transfer (转移接续) the account pays once the balance has arrived
def account_in_transit = coverage_given and (covering.region_changed ?? false)
  and visit.date < (covering.account_arrived_on ?? add_months(visit.date, 1))

# ---------------------------------------------------------- what is invalid --

# A claim that breaks one of these rules is an error line, whatever its
# eligibility; they run in this order, after every field is read (the
# periods' own rules come first, in their section).
for document in visit.documents {
  reject "visit.documents[{index(document)}]: unknown document \"{document}\" (one of invoice, itemized_list, travel_certificate, prescription, medical_record)"
  when not (document == "invoice" or document == "itemized_list" or document == "travel_certificate"
            or document == "prescription" or document == "medical_record")
}
reject "person.coverage[{index(covering)}].region: {covering.region} covers the visit, but insured_region is {person.insured_region}"
when covering != none and covering.region != person.insured_region
reject "visit.submitted_on {visit.submitted_on}: before the visit date {visit.date}"
when manual and (visit.submitted_on ?? visit.date) < visit.date
reject "visit.chronic_disease: only an outpatient visit can be for a chronic or special disease (this one is inpatient)"
when chronic and visit.type == inpatient
reject "visit.chronic_disease: disease '{visit.chronic_disease}' is not in the table of the insured region {person.insured_region}"
when chronic and disease_category == none
reject "visit.chronic_disease: a chronic or special-disease visit cannot be at a pharmacy"
when pharmacy and chronic
reject "visit.type: a pharmacy purchase must be outpatient, not inpatient"
when pharmacy and visit.type == inpatient

# ------------------------------------------- filings and manual reimbursement --

# A dated filing counts from its date; an emergency admission outside the
# insured region may be filed within three days.
def filing_grace = if visit.type == inpatient and visit.emergency and not at_home
  then emergency_filing_grace else 0 days
def filing_counts = (person.filing.filed_on ?? visit.date) <= visit.date + filing_grace
def filing_kind = if filing_counts then person.filing.kind ?? none else none
def filed_here = person.filing.region == institution.region

def deadline = if visit.type == outpatient then add_months(visit.date, 1)
  else date(year(visit.date) + 1, 3, 31)
def late = manual and (visit.submitted_on ?? visit.date) > deadline

def missing_documents = manual and (
  not ("invoice" in visit.documents)
    or not ("itemized_list" in visit.documents)
    or (not at_home and not ("travel_certificate" in visit.documents))
    or (chronic and (not ("prescription" in visit.documents) or not ("medical_record" in visit.documents))))

# --------------------------------------------------------------- eligibility --

# Cross-region reduction of the ratio; none means the care was not filed.
# Chronic care takes the first three rows only.
decide reduction: percent? {
  when at_home and filing_kind == long_term       -> 15%
  when at_home                                    -> 0%
  when filing_kind == long_term and filed_here    -> 0%
  when chronic                                    -> none
  when filing_kind == temporary and filed_here    -> 10%
  when visit.type == outpatient
       and person.insured_region in cross_city_group
       and institution.region in cross_city_group -> 0%
  when visit.emergency                            -> 10%
  when visit.date >= unfiled_care_allowed_from    -> 20%
  otherwise                                       -> none
}

decide reason: reason {
  when not manual and not visit.card          -> NO_CARD
  when late                                   -> LATE
  when missing_documents                      -> MISSING_DOCUMENTS
  when not institution.designated             -> NOT_DESIGNATED
  when lapsed                                 -> LAPSED
  when waiting                                -> WAITING
  when chronic and not manual and not at_home -> MANUAL_ONLY
  when reduction == none                      -> NOT_FILED
  otherwise                                   -> OK
}
def eligible = reason == OK

# ------------------------------------------------------------ classification --

for item in items {
  def entry = find(medical, institution.region, item.code)
  def covered = entry.class == A or entry.class == B
  def capped = if covered then min(item.amount, entry.price_cap ?? item.amount) else ¥0
  def over = if covered then item.amount - capped else ¥0
  def selfpay = if entry.class == B then pct(capped, entry.selfpay_pct ?? default_selfpay) else ¥0
  def own = if covered then ¥0 else item.amount
}

def total = sum item.amount for item in items
def ownpay = sum item.own for item in items
def overlimit = sum item.over for item in items
def preselfpay = sum item.selfpay for item in items
def inscope = sum item.capped - item.selfpay for item in items

# ---------------------------------------------------------------- deductible --

def outpatient_deductible = if person.scheme == employee
  then outpatient_deductible_employee else outpatient_deductible_resident

def inpatient_deductible = if yearly.inpatient_admissions > 0
  then pct(inpatient_deductible_base, second_admission_share)
  else inpatient_deductible_base

# chronic and special-disease care, and pharmacies: no deductible
def deductible_due = if chronic or pharmacy then ¥0
  else if visit.type == outpatient
  then min(inscope, max(¥0, outpatient_deductible - yearly.outpatient_deductible_met))
  else min(inscope, inpatient_deductible)

def deductible = if eligible then deductible_due else ¥0

# --------------------------------------------------------------------- ratio --

def retired_employee = person.scheme == employee and person.status == retired

def base_ratio = if chronic then disease_ratio ?? 0%
  else if visit.type == outpatient then outpatient_ratio else inpatient_ratio
def retiree_bonus = if not retired_employee then 0%
  else if visit.type == outpatient then outpatient_retiree_bonus else inpatient_retiree_bonus

# a pharmacy is paid from the personal account only
def ratio = if eligible and not pharmacy
  then max(0%, min(base_ratio + retiree_bonus, max_ratio) - (reduction ?? 0%))
  else 0%

# ---------------------------------------------------------------------- fund --

def fund_cap = if chronic then disease_cap ?? ¥0
  else if visit.type == outpatient
  then (if person.scheme == employee then outpatient_cap_employee else outpatient_cap_resident)
  else (if person.scheme == employee then inpatient_cap_employee else inpatient_cap_resident)

def fund_paid_this_year = if chronic then disease_yearly.fund_paid
  else if visit.type == outpatient then yearly.outpatient_fund_paid else yearly.inpatient_fund_paid

def fund = if eligible and not pharmacy
  then min(pct(inscope - deductible, ratio), max(¥0, fund_cap - fund_paid_this_year))
  else ¥0

# ------------------------------------------------------ critical illness (大病) --

# inpatient care, and special-disease outpatient care (its visit is no admission)
def critical_add = if eligible and (visit.type == inpatient or special_disease) then inscope - fund else ¥0
def critical_from = max(¥0, yearly.critical_base - critical_threshold)
def critical_to = max(¥0, yearly.critical_base + critical_add - critical_threshold)
def critical = if critical_add == ¥0 then ¥0
  else min(tiered(critical_tiers, critical_from, critical_to),
           max(¥0, critical_cap - yearly.critical_paid))

# ------------------------------------------------------------------ account --

def account_want = preselfpay + inscope - fund - critical
  + (if account_pays_ownpay then ownpay + overlimit else ¥0)
def account = if eligible and person.scheme == employee and not account_in_transit
  then min(personal_account.balance, account_want) else ¥0

def cash = total - fund - critical - account

# ------------------------------------------------------------------- output --

result {
  claim_id = claim_id
  eligible = eligible
  reason = reason
  ratio = ratio
  total = total
  ownpay = ownpay
  overlimit = overlimit
  preselfpay = preselfpay
  inscope = inscope
  deductible = deductible
  fund = fund
  critical = critical
  account = account
  cash = cash
}

# ------------------------------------------------------------ ledger updates --

update when eligible and visit.type == outpatient and not chronic and not pharmacy {
  yearly.outpatient_deductible_met += deductible
  yearly.outpatient_fund_paid += fund
}
update when eligible and visit.type == inpatient {
  yearly.inpatient_admissions += 1
  yearly.inpatient_fund_paid += fund
}
update when eligible and (visit.type == inpatient or special_disease) {
  yearly.critical_base += critical_add
  yearly.critical_paid += critical
}
update when eligible and chronic {
  disease_yearly.fund_paid += fund
}
update {
  personal_account.balance -= account
}

# -------------------------------------------------------------------- tests --

sample claim {
  claim_id = "T"
  person.id = "P1"
  person.insured_region = CN
  person.scheme = employee
  person.status = working
  person.enrolled_on = 2015-01-01
  person.account_balance = ¥0
  institution.id = "H1"
  institution.region = CN
  institution.level = 1
  institution.designated = true
  institution.specialty = false
  visit.type = outpatient
  visit.date = 2024-03-05
  visit.emergency = false
  visit.card = true
  items = [{code: "S0001", amount: ¥500}]
}

test "employee outpatient L1: deductible 200, 70%" {
  expect { deductible = ¥200, ratio = 70%, fund = ¥210, cash = ¥290 }
}
test "deductible already partly met this year" {
  given yearly { outpatient_deductible_met = ¥150 }
  expect { deductible = ¥50, fund = ¥315 }
}
test "no card comes first, and still reports the classification" {
  given claim { visit.card = false, institution.designated = false }
  expect { reason = NO_CARD, eligible = false, inscope = ¥500, fund = ¥0, cash = ¥500 }
}
test "waiting period: enrolled + 59 days is WAITING" {
  given claim { person.enrolled_on = 2024-01-06 }
  expect { reason = WAITING }
}
test "waiting period: enrolled + 60 days is eligible" {
  given claim { person.enrolled_on = 2024-01-05 }
  expect { reason = OK }
}
test "second eligible admission of the year: half the deductible" {
  given claim { visit.type = inpatient, institution.level = 3, items = [{code: "S0010", amount: ¥10_000}] }
  given yearly { inpatient_admissions = 1 }
  expect { deductible = ¥450, ratio = 80% }
}
test "critical illness: tiers rounded one by one" {
  given claim { person.scheme = resident, visit.type = inpatient, institution.level = 1,
                items = [{code: "S0010", amount: ¥400_000}] }
  expect { fund = ¥200_000, critical = ¥128_000 }
}
test "unfiled care elsewhere before 2023-09-01 is NOT_FILED" {
  given claim { institution.region = BJ, visit.date = 2023-08-31 }
  expect { reason = NOT_FILED, ratio = 0% }
}
test "from 2023-09-01 unfiled care elsewhere loses 20 points" {
  given claim { institution.region = BJ, visit.date = 2023-09-01 }
  expect { reason = OK, ratio = 50% }
}

# ---- Part 2: manual reimbursement (section 12) ----

test "manual outpatient: on time on add_months(v, 1), the day clamped (2025-01-31 -> 2025-02-28)" {
  given claim { visit.date = 2025-01-31, visit.channel = manual, visit.submitted_on = 2025-02-28,
                visit.documents = ["invoice", "itemized_list"] }
  expect { reason = OK, deadline = 2025-02-28 }
}
test "manual outpatient: a day after the deadline is LATE" {
  given claim { visit.date = 2025-01-31, visit.channel = manual, visit.submitted_on = 2025-03-01,
                visit.documents = ["invoice", "itemized_list"] }
  expect { reason = LATE, fund = ¥0, cash = ¥500 }
}
test "leap year: 2024-01-31 + 1 month is 2024-02-29" {
  given claim { visit.date = 2024-01-31, visit.channel = manual, visit.submitted_on = 2024-02-29,
                visit.documents = ["invoice", "itemized_list"] }
  expect { reason = OK, deadline = 2024-02-29 }
}
test "manual inpatient: on time on March 31 of the next year" {
  given claim { visit.type = inpatient, visit.channel = manual, visit.submitted_on = 2025-03-31,
                visit.documents = ["invoice", "itemized_list"] }
  expect { reason = OK, deadline = 2025-03-31 }
}
test "manual inpatient: April 1 of the next year is LATE" {
  given claim { visit.type = inpatient, visit.channel = manual, visit.submitted_on = 2025-04-01,
                visit.documents = ["invoice", "itemized_list"] }
  expect { reason = LATE }
}
test "the last date a claim may have: a deadline past 9999 is compared, not refused" {
  given claim { visit.date = 9999-12-31, visit.channel = manual, visit.submitted_on = 9999-12-31,
                visit.documents = ["invoice", "itemized_list"] }
  expect { reason = OK }
}
test "the last date a claim may have: March 31 of the year 10000 for an inpatient visit" {
  given claim { visit.type = inpatient, visit.date = 9999-12-31, visit.channel = manual,
                visit.submitted_on = 9999-12-31, visit.documents = ["invoice", "itemized_list"] }
  expect { reason = OK }
}
test "the last date a claim may have: a short gap back-paid in 9999 joins, its months counted past 9999" {
  given claim { visit.date = 9999-12-31,
                person.coverage = [{region: CN, from: 2015-01-01, to: 9999-10-31},
                                   {region: CN, from: 9999-12-01, backpaid_on: 9999-11-20}] }
  expect { reason = OK }
}
test "a manual claim needs no card" {
  given claim { visit.card = false, visit.channel = manual, visit.submitted_on = 2024-03-05,
                visit.documents = ["invoice", "itemized_list"] }
  expect { reason = OK, fund = ¥210 }
}
test "the invoice missing: MISSING_DOCUMENTS" {
  given claim { visit.channel = manual, visit.submitted_on = 2024-03-05, visit.documents = ["itemized_list"] }
  expect { reason = MISSING_DOCUMENTS }
}
test "the itemized list missing (a repeated invoice does not make up for it): MISSING_DOCUMENTS" {
  given claim { visit.channel = manual, visit.submitted_on = 2024-03-05, visit.documents = ["invoice", "invoice"] }
  expect { reason = MISSING_DOCUMENTS }
}
test "treated outside the insured region: the travel certificate is required" {
  given claim { institution.region = BJ, visit.channel = manual, visit.submitted_on = 2024-03-05,
                visit.documents = ["invoice", "itemized_list"] }
  expect { reason = MISSING_DOCUMENTS }
}
test "... with it, unfiled care elsewhere loses 20 points" {
  given claim { institution.region = BJ, visit.channel = manual, visit.submitted_on = 2024-03-05,
                visit.documents = ["invoice", "itemized_list", "travel_certificate"] }
  expect { reason = OK, ratio = 50% }
}
test "chronic care: the prescription is required" {
  given claim { visit.chronic_disease = HTN, visit.channel = manual, visit.submitted_on = 2024-03-05,
                visit.documents = ["invoice", "itemized_list", "medical_record"] }
  expect { reason = MISSING_DOCUMENTS }
}
test "chronic care: the medical record is required" {
  given claim { visit.chronic_disease = HTN, visit.channel = manual, visit.submitted_on = 2024-03-05,
                visit.documents = ["invoice", "itemized_list", "prescription"] }
  expect { reason = MISSING_DOCUMENTS }
}
test "a direct claim ignores submitted_on and documents" {
  given claim { visit.submitted_on = 2030-01-01, visit.documents = ["receipt"] }
  expect { reason = OK }
}

# ---- Part 2: eligibility reasons in order (section 15) ----

test "LATE comes before MISSING_DOCUMENTS" {
  given claim { visit.channel = manual, visit.submitted_on = 2024-04-06, visit.documents = [] }
  expect { reason = LATE }
}
test "MISSING_DOCUMENTS comes before NOT_DESIGNATED" {
  given claim { institution.designated = false, visit.channel = manual, visit.submitted_on = 2024-03-05,
                visit.documents = [] }
  expect { reason = MISSING_DOCUMENTS }
}
test "NO_CARD comes before LAPSED" {
  given claim { visit.card = false, person.coverage = [{region: CN, from: 2024-04-01}] }
  expect { reason = NO_CARD }
}
test "NOT_DESIGNATED comes before LAPSED" {
  given claim { institution.designated = false, person.coverage = [{region: CN, from: 2024-04-01}] }
  expect { reason = NOT_DESIGNATED }
}
test "LAPSED comes before WAITING" {
  given claim { person.coverage = [{region: CN, from: 2015-01-01, to: 2023-06-30},
                                   {region: CN, from: 2024-02-01, backpaid_on: 2024-03-10}] }
  expect { reason = LAPSED }
}
test "WAITING comes before MANUAL_ONLY" {
  given claim { person.enrolled_on = 2024-02-01, institution.region = BJ, visit.chronic_disease = HTN }
  expect { reason = WAITING }
}
test "MANUAL_ONLY comes before NOT_FILED" {
  given claim { institution.region = BJ, visit.date = 2022-06-01, visit.chronic_disease = DM }
  expect { reason = MANUAL_ONLY }
}

# ---- Part 2: coverage periods (section 10) ----

test "coverage: a visit in a gap is LAPSED" {
  given claim { person.coverage = [{region: CN, from: 2015-01-01, to: 2023-12-31}, {region: CN, from: 2024-04-01}] }
  expect { reason = LAPSED }
}
test "coverage: first enrolment waits 60 days from its first period" {
  given claim { person.coverage = [{region: CN, from: 2024-01-06}] }
  expect { reason = WAITING }
}
test "coverage: on the 60th day it pays" {
  given claim { person.coverage = [{region: CN, from: 2024-01-05}] }
  expect { reason = OK, fund = ¥210 }
}
test "coverage: a gap of exactly 3 months back-paid is joined (no waiting) from the month after the payment" {
  given claim { visit.date = 2024-05-01,
                person.coverage = [{region: CN, from: 2015-01-01, to: 2023-12-31},
                                   {region: CN, from: 2024-04-01, backpaid_on: 2024-04-10}] }
  expect { reason = OK }
}
test "coverage: in the month of the back-payment it is LAPSED" {
  given claim { visit.date = 2024-04-30,
                person.coverage = [{region: CN, from: 2015-01-01, to: 2023-12-31},
                                   {region: CN, from: 2024-04-01, backpaid_on: 2024-04-10}] }
  expect { reason = LAPSED }
}
test "coverage: a gap of 3 months and a day is not joined: the rejoin waits 6 months" {
  given claim { visit.date = 2024-10-01,
                person.coverage = [{region: CN, from: 2015-01-01, to: 2023-12-31},
                                   {region: CN, from: 2024-04-02, backpaid_on: 2024-04-10}] }
  expect { reason = WAITING }
}
test "coverage: ... and pays from add_months(from, 6)" {
  given claim { visit.date = 2024-10-02,
                person.coverage = [{region: CN, from: 2015-01-01, to: 2023-12-31},
                                   {region: CN, from: 2024-04-02, backpaid_on: 2024-04-10}] }
  expect { reason = OK }
}
test "coverage: a transfer over a short gap is joined; the account waits for the balance" {
  given claim { person.account_balance = ¥1000,
                person.coverage = [{region: LN, from: 2015-01-01, to: 2023-12-31}, {region: CN, from: 2024-02-01}] }
  expect { reason = OK, fund = ¥210, account = ¥0, cash = ¥290 }
}
test "coverage: once the balance has arrived, the account pays" {
  given claim { person.account_balance = ¥1000,
                person.coverage = [{region: LN, from: 2015-01-01, to: 2023-12-31},
                                   {region: CN, from: 2024-02-01, account_arrived_on: 2024-03-05}] }
  expect { reason = OK, account = ¥290, cash = ¥0 }
}

# ---- Part 2: dated filings (section 11) ----

test "an emergency admission elsewhere may be filed within three days (v + 3 counts)" {
  given claim { visit.type = inpatient, visit.emergency = true, institution.region = BJ,
                person.filing = {kind: long_term, region: BJ, filed_on: 2024-03-08} }
  expect { reduction = 0% }
}
test "... v + 4 does not: the emergency row takes 10 points" {
  given claim { visit.type = inpatient, visit.emergency = true, institution.region = BJ,
                person.filing = {kind: long_term, region: BJ, filed_on: 2024-03-09} }
  expect { reduction = 10% }
}
test "a filing dated after an outpatient visit does not count" {
  given claim { institution.region = BJ, person.filing = {kind: long_term, region: BJ, filed_on: 2024-03-06} }
  expect { reduction = 20% }
}

# ---- Part 2: chronic and special diseases (section 13) ----

test "hypertension at home: no deductible, the table's 70%" {
  given claim { visit.chronic_disease = HTN }
  expect { deductible = ¥0, ratio = 70%, fund = ¥350 }
}
test "the disease's own cap: 3,000.00 a year for hypertension" {
  given claim { visit.chronic_disease = HTN }
  given disease_yearly { fund_paid = ¥2800 }
  expect { fund = ¥200 }
}
test "a direct chronic visit outside the insured region is MANUAL_ONLY" {
  given claim { visit.chronic_disease = HTN, institution.region = BJ }
  expect { reason = MANUAL_ONLY }
}
test "a special disease enters critical illness: 90% of 400,000, capped at 300,000; 60% of (100,000 - 15,000)" {
  given claim { visit.chronic_disease = CA, items = [{code: "S0010", amount: ¥400_000}] }
  expect { ratio = 90%, fund = ¥300_000, critical = ¥51_000 }
}

# ---- Part 2: pharmacies (section 14) ----

test "a pharmacy purchase is paid from the account only" {
  given claim { institution.kind = pharmacy, person.account_balance = ¥1000 }
  expect { reason = OK, ratio = 0%, deductible = ¥0, fund = ¥0, account = ¥500, cash = ¥0 }
}

# ---- Part 2: error lines ----

test "a period that ends before it starts" {
  given claim { person.coverage = [{region: CN, from: 2015-01-01, to: 2014-12-31}] }
  expect { error = "person.coverage[0].to 2014-12-31 is before from 2015-01-01" }
}
test "periods that overlap" {
  given claim { person.coverage = [{region: CN, from: 2015-01-01, to: 2019-12-31}, {region: CN, from: 2019-12-31}] }
  expect { error = "person.coverage[1].from 2019-12-31: does not start after the previous period's to 2019-12-31 (periods overlap or are out of order)" }
}
test "only the last period may be still running" {
  given claim { person.coverage = [{region: CN, from: 2015-01-01}, {region: CN, from: 2020-01-01}] }
  expect { error = "person.coverage[0].to: missing, but only the last period may be still running" }
}
test "the first period cannot be back-paid" {
  given claim { person.coverage = [{region: CN, from: 2015-01-01, backpaid_on: 2015-02-01}] }
  expect { error = "person.coverage[0].backpaid_on: the first period cannot be back-paid" }
}
test "a back-payment on or before the previous period's end" {
  given claim { person.coverage = [{region: CN, from: 2015-01-01, to: 2023-12-31},
                                   {region: CN, from: 2024-01-01, backpaid_on: 2023-12-31}] }
  expect { error = "person.coverage[1].backpaid_on 2023-12-31: not after the previous period's to 2023-12-31" }
}
test "the period that covers the visit must be in the insured region" {
  given claim { person.coverage = [{region: BJ, from: 2015-01-01}] }
  expect { error = "person.coverage[0].region: BJ covers the visit, but insured_region is CN" }
}
test "a submission before the visit" {
  given claim { visit.channel = manual, visit.submitted_on = 2024-03-04, visit.documents = ["invoice"] }
  expect { error = "visit.submitted_on 2024-03-04: before the visit date 2024-03-05" }
}
test "an unknown document" {
  given claim { visit.channel = manual, visit.submitted_on = 2024-03-05, visit.documents = ["invoice", "receipt"] }
  expect { error = "visit.documents[1]: unknown document \"receipt\" (one of invoice, itemized_list, travel_certificate, prescription, medical_record)" }
}
test "a chronic visit cannot be inpatient" {
  given claim { visit.type = inpatient, visit.chronic_disease = DM }
  expect { error = "visit.chronic_disease: only an outpatient visit can be for a chronic or special disease (this one is inpatient)" }
}
test "a disease the insured region's table lacks" {
  given claim { visit.chronic_disease = PD }
  expect { error = "visit.chronic_disease: disease 'PD' is not in the table of the insured region CN" }
}
test "a chronic visit cannot be at a pharmacy" {
  given claim { institution.kind = pharmacy, visit.chronic_disease = HTN }
  expect { error = "visit.chronic_disease: a chronic or special-disease visit cannot be at a pharmacy" }
}
test "a pharmacy purchase is outpatient" {
  given claim { institution.kind = pharmacy, visit.type = inpatient }
  expect { error = "visit.type: a pharmacy purchase must be outpatient, not inpatient" }
}
test "CN's diabetes cap is 4,000.00" {
  given claim { visit.chronic_disease = DM }
  given disease_yearly { fund_paid = ¥3800 }
  expect { fund = ¥200 }
}
