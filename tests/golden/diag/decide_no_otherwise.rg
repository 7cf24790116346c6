policy CN
claim {
  region: region
  date: date
  amount: money
  discount: percent?
}
select policy by region as of date
decide d: percent {
  when amount > ¥100 -> 10%
}
