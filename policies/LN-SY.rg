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
