policy B extends CN
def fund = local + pct(amount, ratio)
def k: kind = c
update {
  mine.n += 1
}
reject "too many" when yearly.paid > ¥100
