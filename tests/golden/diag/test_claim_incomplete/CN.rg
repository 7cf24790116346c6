# A test's claim (the sample with its changes) must have every field a claim
# must: what the sample lacks is told at the sample, once; what a test's
# changes take away or make required, at the test. A test that expects the
# error line is left to `regula test`.
policy CN
enum kind { plain, filed }
record filing {
  kind: kind
  on: date when kind != plain
}
record item {
  code: string
  amount: money
}
claim {
  region: region
  date: date
  scheme: string
  filing: filing
  note: string?
  level: int = 1
  items: list of item nonempty
}
select policy by region as of date
def paid = sum item.amount for item in items
result { paid = paid }
sample claim { region = CN, filing.kind = plain, items = [{code: "A", amount: ¥100}] }

test "the sample lacks the date and the scheme" {
  expect { paid = ¥100 }
}
test "a second test is not told again" {
  given claim { scheme = "x" }
  expect { paid = ¥100 }
}
test "a complete claim" {
  given claim { date = 2024-01-01, scheme = "x" }
  expect { paid = ¥100 }
}
test "an element without its amount, a filing without its date" {
  given claim { date = 2024-01-01, scheme = "x", filing.kind = filed, items = [{code: "A", amount: ¥1}, {code: "B"}] }
  expect { paid = ¥1 }
}
test "the list may not be empty" {
  given claim { date = 2024-01-01, scheme = "x", items = [] }
  expect { paid = ¥0 }
}
test "the error line is expected" {
  given claim { date = 2024-01-01 }
  expect { error = "missing field scheme" }
}
