policy CN
claim {
  region: region
  date: date
  amount: money
  discount: percent?
}
select policy by region as of date
def a = b + ¥1
def b = a + ¥1
def c = a
