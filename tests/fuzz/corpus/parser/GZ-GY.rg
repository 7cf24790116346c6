# GZ-GY — 贵阳: a waiting period of 181 days after enrolment (seed).
policy GZ-GY extends CN

param waiting_period = 181 days

test "GZ-GY: enrolled + 180 days is still WAITING" {
  given claim { person.enrolled_on = 2023-09-07, visit.date = 2024-03-05 }
  expect { reason = WAITING }
}
test "GZ-GY: enrolled + 181 days is eligible" {
  given claim { person.enrolled_on = 2023-09-06, visit.date = 2024-03-05 }
  expect { reason = OK }
}
test "GZ-GY has only CN's catalog: D1002 is own-pay" {
  given claim { items = [{code: "D1002", amount: ¥100}] }
  expect { ownpay = ¥100, inscope = ¥0 }
}
