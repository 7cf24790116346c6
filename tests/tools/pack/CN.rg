# CN — the base policy of the tools' fixture pack (tests/tools/run.sh): a
# claim, a ledger, a table, a decision; small enough that its coverage and
# the differences `regula diff` finds are known by heart.
policy CN

enum scheme { employee, resident }
enum reason { OK, SMALL }
record person {
  id: string
  insured_region: region
  scheme: scheme
}
claim {
  claim_id: string
  person: person
  level: int in 1..3
  date: date
  amount: money
}
select policy by person.insured_region as of date

ledger yearly by person.id, year(date) {
  paid: money
}

param deductible: money = ¥100
param cap: money = ¥1000
table ratio: percent by (person.scheme, level) {
  | employee | 1    -> 80%
  | employee | 2, 3 -> 70%
  | resident | _    -> 50%
}
decide reason: reason {
  when amount <= deductible -> SMALL
  otherwise                 -> OK
}
def above = max(amount - deductible, ¥0)
def room = max(cap - yearly.paid, ¥0)
def fund = min(pct(above, ratio), room)
def cash = amount - fund
def unused = ¥1

result {
  claim_id = claim_id
  reason = reason
  ratio = ratio
  fund = fund
  cash = cash
}
update { yearly.paid += fund }

sample claim {
  claim_id = "T"
  person.id = "P1"
  person.insured_region = CN
  person.scheme = employee
  level = 1
  date = 2025-03-01
  amount = ¥600
}

test "employee at level 1: 80% above the deductible" {
  expect { ratio = 80%, fund = ¥400, cash = ¥200 }
}
test "a small claim" {
  given claim { amount = ¥50 }
  expect { reason = SMALL, fund = ¥0 }
}
test "the cap is what is left of the year" {
  given yearly { paid = ¥900 }
  expect { fund = ¥100 }
}
