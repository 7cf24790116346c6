# AA-B — a city of AA: AA's figures, a higher cap.
policy AA-B extends AA

param cap = ¥2000

test "AA-B's cap is 2000" {
  given yearly { paid = ¥1900 }
  expect { fund = ¥100 }
}
