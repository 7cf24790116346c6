policy CN
claim {
  region: region
  date: date
  amount: money
}
select policy by region as of date
brackets tiers {
  from ¥0   below ¥200 -> ¥10
  from ¥200 below ¥100 -> 20%
  from 5%              -> 30%
}
