# A region keeps a ledger of its own and updates it and CN's: the claims of
# the other regions neither read nor write it.
policy CN
claim {
  claim_id: string
  person: string
  region: region
  date: date
  amount: money
}
select policy by region as of date
ledger yearly by person, year(date) {
  paid: money
}
param ratio: percent = 50%
def fund = pct(amount, ratio)
result {
  fund = fund
  paid_before = yearly.paid
}
update {
  yearly.paid += fund
}
