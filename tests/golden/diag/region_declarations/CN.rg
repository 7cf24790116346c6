# Mistakes in what regions declare: each is reported, with where the other declaration is.
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
reject "amount {amount}" when amount < ¥0
result {
  fund = fund
}
update {
  yearly.paid += fund
}
