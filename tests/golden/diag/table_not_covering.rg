policy CN
claim {
  region: region
  date: date
  amount: money
  discount: percent?
}
select policy by region as of date
table r: percent by (amount) {
  | < ¥100 -> 10%
  | > ¥200 -> 30%
}
