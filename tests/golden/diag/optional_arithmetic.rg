policy CN
claim {
  region: region
  date: date
  amount: money
  discount: percent?
}
select policy by region as of date
def x = amount - discount
def y = amount - pct(amount, discount ?? 0%)
