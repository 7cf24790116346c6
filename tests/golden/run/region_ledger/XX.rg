# A city that pays a tenth more from the third visit of a year on, and counts
# the visits in a ledger of its own.
policy XX extends CN
ledger visits by person, year(date) {
  count: int
}
param bonus_from: int = 2                  # visits before the bonus
def bonus: percent = if visits.count >= bonus_from then 10% else 0%
def fund = pct(amount, ratio + bonus)
update {
  visits.count += 1
}
