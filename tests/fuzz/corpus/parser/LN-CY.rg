# LN-CY — Chaoyang (朝阳市): employee outpatient rules in two versions
# (seed: 朝阳市门诊报销政策). Before 2024-01-01, LN's figures apply.
policy LN-CY extends LN

version 2024 from 2024-01-01 until 2024-12-31 {
  param outpatient_deductible_employee = ¥300
  param outpatient_cap_employee = ¥2500
  table outpatient_ratio {
    | employee | L1        -> 60%
    | employee | L2        -> 55%
    | employee | L3        -> 50%
    | employee | specialty -> 60%
  }
}

version 2025 from 2025-01-01 {
  param outpatient_deductible_employee = ¥300
  param outpatient_cap_employee = ¥3000
  table outpatient_ratio {
    | employee | L1        -> 60%
    | employee | L2        -> 55%
    | employee | L3        -> 50%
    | employee | specialty -> 60%
  }
}

test "before 2024-01-01: CN's figures (deductible 200, L1 70%)" {
  given claim { visit.date = 2023-12-31 }
  expect { deductible = ¥200, ratio = 70%, fund = ¥210 }
}
test "version 2024 from 2024-01-01: deductible 300, L1 60%" {
  given claim { visit.date = 2024-01-01 }
  expect { deductible = ¥300, ratio = 60%, fund = ¥120 }
}
test "version 2024: annual cap 2,500.00" {
  given claim { visit.date = 2024-05-10, items = [{code: "S0010", amount: ¥6000}] }
  expect { fund = ¥2500 }
}
test "version 2025: annual cap 3,000.00" {
  given claim { visit.date = 2025-05-10, items = [{code: "S0010", amount: ¥6000}] }
  expect { fund = ¥3000 }
}
test "version 2024, retiree at level 3: 50% + 10 = 60%" {
  given claim { visit.date = 2024-06-01, person.status = retired, institution.level = 3 }
  expect { ratio = 60% }
}
test "version 2025, specialty hospital at level 2: specialty column 60%" {
  given claim { visit.date = 2025-06-01, institution.level = 2, institution.specialty = true }
  expect { ratio = 60% }
}
test "residents keep CN's figures in 2024" {
  given claim { visit.date = 2024-06-01, person.scheme = resident }
  expect { deductible = ¥0, ratio = 50%, fund = ¥200 }
}
test "inpatient care is not touched by the outpatient versions" {
  given claim { visit.date = 2024-06-01, visit.type = inpatient }
  expect { deductible = ¥300, ratio = 90% }
}
