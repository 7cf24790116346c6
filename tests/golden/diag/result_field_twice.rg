policy CN
claim {
  region: region
  date: date
  amount: money
}
select policy by region as of date
def fund = amount
result {
  fund = fund
  fund = amount
}
test "twice" {
  given claim { region = CN, date = 2025-01-01, amount = ¥1, amount = ¥2 }
  expect { fund = ¥1, fund = ¥2 }
}
