# Parameters within their ranges: the declared one (checked for every
# override, in every region and version), else money not negative and a
# percentage within 0%..100%.
policy CN
claim {
  region: region
  date: date
  amount: money
}
select policy by region as of date
param max_ratio: percent in 0%..100% = 95%
param surcharge: percent in 0%..200% = 150%
param level_cap: int in 1..3 = 2
param floor: money in -¥100..¥100 = -¥50
param deductible: money = -¥200
param bonus: percent = 120%
param cap = ¥3000
