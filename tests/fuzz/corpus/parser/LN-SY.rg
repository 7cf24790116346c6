# LN-SY — 沈阳: Liaoning's figures and catalog, unchanged.
policy LN-SY extends LN

test "LN-SY inherits LN's employee inpatient cap of 250,000.00" {
  given claim { visit.type = inpatient, items = [{code: "S0010", amount: ¥400_000}] }
  expect { fund = ¥250_000 }
}
