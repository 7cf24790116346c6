# BJ — Beijing (北京市): CN's figures; its own catalog overlay (the catalog of
# the place of treatment decides what is covered when care happens here).
policy BJ extends CN

catalog medical "catalog/BJ.csv"

test "BJ's catalog replaces lines whole: D0005 is class A" {
  given claim { items = [{code: "D0005", amount: ¥100}] }
  expect { inscope = ¥100, preselfpay = ¥0 }
}
test "BJ's price cap for S0004 is 350.00" {
  given claim { items = [{code: "S0004", amount: ¥400}] }
  expect { overlimit = ¥50, preselfpay = ¥35, inscope = ¥315 }
}
test "a BJ employee's account does not pay own-pay" {
  given claim { person.account_balance = ¥1000, items = [{code: "D0018", amount: ¥200}, {code: "S0001", amount: ¥500}] }
  expect { account = ¥290, cash = ¥200 }
}
