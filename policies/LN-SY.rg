# LN-SY — 沈阳: Liaoning's figures and catalog, and a chronic disease of its
# own in the outpatient chronic and special-disease table (门诊慢特病).
policy LN-SY extends LN

# Parkinson's disease (帕金森病), chronic: 65% for employees, 55% for residents,
# 2,500.00 a year.
enum disease += { PD }
table disease_category {
  | PD -> chronic
}
table disease_ratio {
  | PD | employee -> 65%
  | PD | resident -> 55%
}
table disease_cap {
  | PD -> ¥2500
}

test "LN-SY inherits LN's employee inpatient cap of 250,000.00" {
  given claim { visit.type = inpatient, items = [{code: "S0010", amount: ¥400_000}] }
  expect { fund = ¥250_000 }
}

test "Parkinson's disease in LN-SY: 65% for employees, whatever the level" {
  given claim { visit.chronic_disease = PD, institution.level = 3 }
  expect { deductible = ¥0, ratio = 65%, fund = ¥325 }
}
test "... 55% for residents" {
  given claim { visit.chronic_disease = PD, person.scheme = resident }
  expect { ratio = 55%, fund = ¥275 }
}
test "... its own cap of 2,500.00 a year" {
  given claim { visit.chronic_disease = PD }
  given disease_yearly { fund_paid = ¥2400 }
  expect { fund = ¥100 }
}
test "LN-SY keeps LN's diabetes cap" {
  given claim { visit.chronic_disease = DM }
  given disease_yearly { fund_paid = ¥4800 }
  expect { fund = ¥200 }
}
