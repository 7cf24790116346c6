policy CN
claim {
  region: region
  date: date
  amount: money
}
select policy by region as of date
param rate: money = 10%
def half: percent = pct(amount, 50%)
