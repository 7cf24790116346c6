# A district of XX: its own update adds to XX's and CN's.
policy XX-A extends XX
ledger extra by person {
  paid: money
}
update when bonus > 0% {
  extra.paid += fund
}
def fund = pct(amount, ratio + bonus) + (if extra.paid > ¥0 then ¥1 else ¥0)
