# the province: what its two cities (A, B) share, compiled once for each
policy CN
record item {
  code: string
  amount: money
}
claim {
  person: string
  region: region
  date: date
  items: list of item
}
select policy by region as of date

ledger yearly by person, year(date) {
  paid: money
}

param ratio: percent = 70%
param cap: money = ¥1_000
param bonus: percent = 0%

for item in items {
  def covered = item.code != "X"
  def share = if covered then pct(item.amount, ratio + bonus) else ¥0
}
def total = sum item.share for item in items
def fund = min(total, max(¥0, cap - yearly.paid))
reject "a claim needs a person" when person == ""
result { fund = fund }
update { yearly.paid += fund }
