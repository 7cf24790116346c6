# A pack whose plans fail at run time in every way the interpreter reports
# (overflow, division by zero, a date out of range), so that native code
# gives those claims back and the interpreter's messages decide.
policy CN
record item {
  code: string
  amount: money
}
claim {
  claim_id: string
  person: string
  region: region
  date: date
  factor: int
  divisor: int
  months: int
  items: list of item
}
select policy by region as of date
ledger yearly by person, year(date) {
  paid: money
  visits: int
}
param ratio: percent = 50%
for item in items {
  def scaled = item.amount * factor
}
def total = sum item.scaled for item in items
def share = factor / divisor
def due: date = add_months(date, months)
def fund = pct(total, ratio) + yearly.paid
result {
  fund = fund
  share = share
  due = due
  visits = yearly.visits
}
update {
  yearly.paid += fund
  yearly.visits += 1
}
