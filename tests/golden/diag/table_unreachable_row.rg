policy CN
claim {
  region: region
  date: date
  amount: money
  discount: percent?
}
select policy by region as of date
table r: percent by (amount) hit first {
  | _ -> 10%
  | > ¥200 -> 30%
}
