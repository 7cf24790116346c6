# What runs before a claim's ledger is read (its reasons, its ledger keys)
# cannot read the ledger, directly or through a definition.
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
ledger by_band by person, band {
  n: int
}
def spent = yearly.paid + amount
def band = if spent > ¥100 then 1 else 0
reject "over the year's limit" when spent > ¥1000
result {
  spent = spent
}
