policy CN
claim {
  region: region
  date: date
  amount: money
}
select policy by region as of date
def x = ¥1
# a year and a letter, a number, a name and a string are version names
version 2025a from 2025-01-01 until 2025-06-30 {
  def x = ¥2
}
version 2026 from 2026-01-01 until 2026-12-31 {
  def x = ¥3
}
version v2027 from 2027-01-01 until 2027-12-31 {
  def x = ¥4
}
version "2028 b" from 2028-01-01 {
  def x = ¥5
}
