# LN-LY — 辽阳: Liaoning's figures and catalog, unchanged.
policy LN-LY extends LN

test "LN-LY inherits LN's employee inpatient cap of 250,000.00" {
  given claim { visit.type = inpatient, items = [{code: "S0010", amount: ¥400_000}] }
  expect { fund = ¥250_000 }
}
