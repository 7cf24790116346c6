policy CN
claim {
  region: region
  date: date
}
select policy by region as of date
catalog drugs "no_such_file.csv" {
  key code: string
  price: money
}
