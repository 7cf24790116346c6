# LN — Liaoning province (辽宁省): its catalog overlay, the account that also
# pays own-pay, a lower employee inpatient cap, and the cross-city group whose
# outpatient care needs no filing.
policy LN extends CN

catalog medical "catalog/LN.csv"

param account_pays_ownpay = true
param inpatient_cap_employee = ¥250_000
param cross_city_group = [LN-SY, LN-LY, LN-BX]

test "LN's cross-city group: LN-SY to LN-LY outpatient in 2022 needs no filing" {
  given claim { person.insured_region = LN-SY, institution.region = LN-LY, visit.date = 2022-06-01 }
  expect { reason = OK, ratio = 70% }
}
test "the group is outpatient only: inpatient LN-SY to LN-BX in 2022 is NOT_FILED" {
  given claim { person.insured_region = LN-SY, institution.region = LN-BX, visit.type = inpatient,
                visit.date = 2022-06-01 }
  expect { reason = NOT_FILED }
}
test "both regions must be in the group: LN-CY to LN-SY in 2022 is NOT_FILED" {
  given claim { person.insured_region = LN-CY, institution.region = LN-SY, visit.date = 2022-06-01 }
  expect { reason = NOT_FILED }
}
test "the account pays own-pay too in LN" {
  given claim { person.account_balance = ¥1000, items = [{code: "D0018", amount: ¥200}, {code: "S0001", amount: ¥500}] }
  expect { ownpay = ¥200, fund = ¥210, account = ¥490, cash = ¥0 }
}
test "employee inpatient fund cap is 250,000.00" {
  given claim { visit.type = inpatient, items = [{code: "S0010", amount: ¥400_000}] }
  expect { fund = ¥250_000 }
}
test "LN's catalog overlays CN's: D1002 is class A here" {
  given claim { items = [{code: "D1002", amount: ¥100}] }
  expect { inscope = ¥100, ownpay = ¥0 }
}

# Liaoning raises diabetes' annual cap in the chronic-disease table.
table disease_cap {
  | DM -> ¥5000
}

test "LN's diabetes cap is 5,000.00 (CN's is 4,000.00)" {
  given claim { visit.chronic_disease = DM }
  given disease_yearly { fund_paid = ¥4800 }
  expect { ratio = 70%, fund = ¥200 }
}
test "LN's table has no Parkinson's disease (LN-SY adds it for itself)" {
  given claim { visit.chronic_disease = PD }
  expect { error = "visit.chronic_disease: disease 'PD' is not in the table of the insured region LN" }
}
