# A string in a list literal of strings: each element compared by its text,
# an absent string in none of them; in its own chunk and in the plan.
policy CN
claim {
  region: region
  date: date
  code: string?
  amount: money
}
select policy by region as of date
def listed = code in ["D0001", "D0002", ""]
def rate: percent = if listed then 80% else 50%
result {
  listed = listed
  fund = pct(amount, rate)
}
test "a code in the list" {
  given claim { region = CN, date = 2025-01-01, code = "D0002", amount = ¥100 }
  expect { listed = true, fund = ¥80 }
}
test "a code not in it" {
  given claim { region = CN, date = 2025-01-01, code = "D0003", amount = ¥100 }
  expect { listed = false, fund = ¥50 }
}
