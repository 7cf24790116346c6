policy CN
enum item_class { A, B, C }
claim {
  region: region
  date: date
  code: string
}
select policy by region as of date
# declared ranges replace the defaults (money not negative, a percentage within 0..100)
catalog drugs "catalog_ranges.csv" {
  key code: string
  class: item_class
  price_cap: money? in -¥10..¥100
  selfpay: percent? in 0%..200%
}
def cap = find(drugs, region, code).price_cap ?? ¥0
