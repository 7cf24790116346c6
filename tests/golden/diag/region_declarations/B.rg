policy B extends CN
def fund = local + pct(amount, ratio)
def k: kind = c
for x in amount {
  def y = x
}
update {
  mine.n += 1
}
reject "too many" when yearly.paid > ¥100
