policy CN
enum item_class { A, B, C }
claim {
  region: region
  date: date
  code: string
}
select policy by region as of date
catalog drugs "catalog_mistakes.csv" {
  key code: string
  class: item_class
  price_cap: money?
  selfpay: percent?
}
def cap = find(drugs, region, code).price_cap ?? ¥0
