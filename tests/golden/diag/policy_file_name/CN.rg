policy CN
claim {
  region: region
  date: date
}
select policy by region as of date
