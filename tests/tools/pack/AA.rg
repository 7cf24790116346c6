# AA — a region: its own deductible, residents paid more from 2025.
policy AA extends CN

param deductible = ¥200
version 2025 from 2025-01-01 {
  table ratio {
    | resident | _ -> 60%
  }
}

test "AA's deductible is 200" {
  expect { fund = ¥320 }
}
test "AA residents in 2025: 60% (this test is wrong on purpose)" {
  given claim { person.scheme = resident }
  expect { ratio = 65%, fund = ¥240 }
}
