policy CN
claim {
  region: region
  date: date
  amount: money
}
select policy by region as of date
def x = ¥1
version 2025 a from 2025-01-01 {
  def x = ¥2
}
