# A pack whose plan leaves some outputs to the lazy path (a parameter and a
# table are read by a call, not computed ahead): the outputs' copy after a
# native plan checks those, and only those. A factor that overflows fails
# the plan, which the interpreter then runs.
policy CN
claim {
  region: region
  date: date
  amount: money
  big: bool
  factor: int
}
select policy by region as of date
param ratio: percent = 50%
table rate: percent by (big) {
  | true  -> 10%
  | false -> 20%
}
result {
  r = ratio
  t = rate
  f = pct(amount, ratio)
  g = amount * factor
}
