# Mistakes in the bodies of what regions add: names and ledgers of other regions, a template's unknown name, a ledger key of the wrong type, a reason read from the ledger.
policy CN
enum kind { a, b }
record period {
  from: date
  to: date
}
claim {
  claim_id: string
  person: string
  region: region
  date: date
  amount: money
  kind: kind
  periods: list of period
}
select policy by region as of date
ledger yearly by person, year(date) {
  paid: money
}
param ratio: percent = 50%
def fund = pct(amount, ratio)
reject "period from {perod.from}" when amount < ¥0
result {
  fund = fund
}
update {
  yearly.paid += fund
}
