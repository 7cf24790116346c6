# A child's row replaces its parent's row of the same cells however the
# cells are spaced: LN's row, spaced otherwise, is the one for L1 and
# specialty in LN.
policy CN
enum column { L1, L2, specialty }
claim {
  region: region
  date: date
  column: column
  amount: money
}
select policy by region as of date
table ratio: percent by (column) {
  | L1, specialty -> 50%
  | L2            -> 40%
}
result {
  fund = pct(amount, ratio)
}
