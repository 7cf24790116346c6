# A syntax error in one file does not hide the other files' errors; what
# the broken declaration would have declared is not reported missing.
policy CN
claim {
  region: region
  date: date
  amount: money
}
select policy by region as of date
param ratio: percent = 50%
def fund = pct(amount, ratio) +
def capped = min(fund, cap)
param cap = ¥100
