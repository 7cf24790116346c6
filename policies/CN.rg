# CN — national base policy (国家基本医疗保险): the claim, the catalogs, the
# year ledger and every settlement step of shared/spec/settlement.md, section 6.
# Regions extend it and override parameters, table rows and rules.
policy CN

# ---------------------------------------------------------------- the claim --

enum scheme { employee, resident }
enum status { working, retired }
enum filing_kind { none, long_term, temporary }
enum visit_type { outpatient, inpatient }
enum reason { OK, NO_CARD, NOT_DESIGNATED, WAITING, NOT_FILED }
enum item_class { A, B, C }
enum column { L1, L2, L3, specialty }

record filing {
  kind: filing_kind
  region: region when kind != none     # required unless the kind is none; checked when given
}
record person {
  id: string
  insured_region: region
  scheme: scheme
  status: status
  enrolled_on: date
  filing: filing?                      # absent or null: no filing
  account_balance: money
}
record institution {
  id: string
  region: region
  level: int in 1..3
  designated: bool
  specialty: bool
}
record visit {
  type: visit_type
  date: date
  emergency: bool
  card: bool
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

# --------------------------------------------------------------- the ledger --

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

# --------------------------------------------------------------- parameters --

param waiting_period: duration = 60 days
param default_selfpay: percent = 10%
param max_ratio: percent = 95%
param account_pays_ownpay: bool = false
param cross_city_group: list of region = []
param unfiled_care_allowed_from: date = 2023-09-01

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

# --------------------------------------------------------------- eligibility --

def filing_kind = person.filing.kind ?? none
def at_home = institution.region == person.insured_region
def filed_here = person.filing.region == institution.region

# "Specialty" hospitals use their own column whatever their level.
table column: column by (institution.specialty, institution.level) hit first {
  | true  | _ -> specialty
  | false | 1 -> L1
  | false | 2 -> L2
  | false | 3 -> L3
}

# Cross-region reduction of the ratio; none means the care was not filed.
decide reduction: percent? {
  when at_home and filing_kind == long_term       -> 15%
  when at_home                                    -> 0%
  when filing_kind == long_term and filed_here    -> 0%
  when filing_kind == temporary and filed_here    -> 10%
  when visit.type == outpatient
       and person.insured_region in cross_city_group
       and institution.region in cross_city_group -> 0%
  when visit.emergency                            -> 10%
  when visit.date >= unfiled_care_allowed_from    -> 20%
  otherwise                                       -> none
}

decide reason: reason {
  when not visit.card                                   -> NO_CARD
  when not institution.designated                       -> NOT_DESIGNATED
  when visit.date < person.enrolled_on + waiting_period -> WAITING
  when reduction == none                                -> NOT_FILED
  otherwise                                             -> OK
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

def deductible_due = if visit.type == outpatient
  then min(inscope, max(¥0, outpatient_deductible - yearly.outpatient_deductible_met))
  else min(inscope, inpatient_deductible)

def deductible = if eligible then deductible_due else ¥0

# --------------------------------------------------------------------- ratio --

def retired_employee = person.scheme == employee and person.status == retired

def base_ratio = if visit.type == outpatient then outpatient_ratio else inpatient_ratio
def retiree_bonus = if not retired_employee then 0%
  else if visit.type == outpatient then outpatient_retiree_bonus else inpatient_retiree_bonus

def ratio = if eligible
  then max(0%, min(base_ratio + retiree_bonus, max_ratio) - (reduction ?? 0%))
  else 0%

# ---------------------------------------------------------------------- fund --

def fund_cap = if visit.type == outpatient
  then (if person.scheme == employee then outpatient_cap_employee else outpatient_cap_resident)
  else (if person.scheme == employee then inpatient_cap_employee else inpatient_cap_resident)

def fund_paid_this_year = if visit.type == outpatient
  then yearly.outpatient_fund_paid else yearly.inpatient_fund_paid

def fund = if eligible
  then min(pct(inscope - deductible, ratio), max(¥0, fund_cap - fund_paid_this_year))
  else ¥0

# ------------------------------------------------------ critical illness (大病) --

def critical_add = if eligible and visit.type == inpatient then inscope - fund else ¥0
def critical_from = max(¥0, yearly.critical_base - critical_threshold)
def critical_to = max(¥0, yearly.critical_base + critical_add - critical_threshold)
def critical = if critical_add == ¥0 then ¥0
  else min(tiered(critical_tiers, critical_from, critical_to),
           max(¥0, critical_cap - yearly.critical_paid))

# ------------------------------------------------------------------ account --

def account_want = preselfpay + inscope - fund - critical
  + (if account_pays_ownpay then ownpay + overlimit else ¥0)
def account = if eligible and person.scheme == employee
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

update when eligible and visit.type == outpatient {
  yearly.outpatient_deductible_met += deductible
  yearly.outpatient_fund_paid += fund
}
update when eligible and visit.type == inpatient {
  yearly.inpatient_admissions += 1
  yearly.inpatient_fund_paid += fund
  yearly.critical_base += critical_add
  yearly.critical_paid += critical
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
