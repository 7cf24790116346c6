policy XX extends CN
param max_ratio = 105%
param level_cap = 4
param cap = -¥1
version v2025 from 2025-01-01 {
  param surcharge = 250%
}
