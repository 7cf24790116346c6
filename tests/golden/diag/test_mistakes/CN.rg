# Tests checked with the pack: names that are not there, values of the wrong type.
policy CN
enum scheme { employee, resident }
claim {
  region: region
  date: date
  amount: money
  scheme: scheme
}
select policy by region as of date
ledger yearly by scheme {
  paid: money
}
param ratio: percent = 65%
def fund = pct(amount, ratio)
result { fund = fund }
sample claim { region = CN, date = 2024-01-01, amount = ¥100, scheme = employee }

test "a value of the wrong type" {
  expect { ratio = ¥65, fund = 245 }
}
test "names that are not there" {
  given claim { amout = ¥5, scheme = employe }
  given yearly { piad = ¥1 }
  given yearl { paid = ¥1, paid = ¥2 }
  expect { fnd = ¥65 }
}
test "a sound test" {
  given claim { amount = ¥200 }
  given yearly { paid = ¥1 }
  expect { fund = ¥130, ratio = 65% }
}
