policy CN
claim {
  region: region
  date: date
  amount: money
}
select policy by region as of date
def a = b + ¥1
def b = a - ¥1
