# The tenth round's fusions: a difference summed over the items, x - a (SUB_LOCAL_ACC) and a - b (SUB_LOCALS_ACC).
policy CN
record item {
  code: string
  amount: money
}
claim {
  person: string
  region: region
  date: date
  cap: money
  items: list of item
}
select policy by region as of date
for item in items {
  def capped = if item.code == "Y" then ¥0 else min(item.amount, cap)
  def share = if item.code == "X" then ¥0 else capped
  def excess = item.amount - capped
}
def over = sum item.excess for item in items
def kept = sum item.capped - item.share for item in items
result {
  over = over
  kept = kept
}
