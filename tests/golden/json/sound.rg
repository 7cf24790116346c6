policy X
claim { amount: money }
select policy by X as of 2024-01-01
def paid = amount
test "paid is the amount" {
  expect { paid = ¥0 }
}
sample claim { amount = ¥0 }
