policy CN
claim {
  region: region
  date: date
  amount: money
  discount: percent?
}
select policy by region as of date
def total = amount
def fee = totl + ¥1
