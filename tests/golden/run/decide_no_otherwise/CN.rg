# A decision whose arms cover every case needs no otherwise: each claim
# takes one of its arms, in its own chunk and in the plan.
policy CN
enum scheme { employee, resident }
claim {
  region: region
  date: date
  scheme: scheme
  amount: money
  card: bool
}
select policy by region as of date
decide ratio: percent {
  when scheme == employee and card -> 70%
  when scheme == employee -> 60%
  when scheme == resident -> 50%
}
decide band: int {
  when amount < ¥100 -> 1
  when amount >= ¥100 and amount <= ¥500 -> 2
  when amount > ¥500 -> 3
}
result {
  fund = pct(amount, ratio)
  band = band
}
