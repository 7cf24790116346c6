policy CN
claim {
  region: region
  date: date
  amount: money
}
select policy by region as of date
param ratio: percent in 0..100 = 50%
param cap: money in ¥10..¥1 = ¥5
def paid: money in ¥0..¥10 = ¥1
