policy CN
claim {
  region: region
  date: date
}
select policy by region as of date
catalog drugs "catalog_missing_column.csv" {
  key code: string
  price: money
}
