policy CN
claim {
  region: region
  date: date
  amount: money
  discount: percent?
}
select policy by region as of date
param start = 2023-02-30
def s = "no end
def m = ¥1.234
def n = 1.5
def o = amount @ 2
