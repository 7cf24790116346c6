policy CN
claim {
  region: region
  date: date
  person_id: string
  amount: money
}
select policy by region as of date
ledger yearly by person_id {
  paid: money
}
param cap: money = ¥100
version 2025 from 2025-01-01 {
  param cap = ¥200
  update {
    yearly.paid += amount
  }
  test "in a version" {
    given claim { region = CN, date = 2025-02-01, person_id = "P1", amount = ¥1 }
    expect { cap = ¥200 }
  }
}
