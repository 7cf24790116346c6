policy CN
claim {
  region: region
  date: date
  amount: money
}
select policy by region as of date
def x = ¥1
version v2024 from 2024-01-01 until 2024-12-31 {
  def x = ¥2
}
version v2024 from 2025-01-01 {
  def x = ¥3
}
