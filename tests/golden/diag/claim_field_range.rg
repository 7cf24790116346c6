policy CN
claim {
  region: region
  date: date
  amount: money in ¥0..¥1000
}
select policy by region as of date
