# a plan whose locals are operands: a catalog row read from a local (LOCAL_COL),
# a test of a local (JUMP_IF_LOCAL_FALSE), x - a local (SUB_LOCAL), two locals
# pushed (LOAD_LOCAL2), a local summed into another (LOCAL_ACC_ADD), and sums
# memoised from their locals (MEMO_DEF); a sum of an if whose arm is 0 (the
# arm adds nothing: a test of the other way, JUMP_IF_LOCAL_TRUE)
policy CN
enum item_class { A, B }
record item {
  code: string
  amount: money
}
claim {
  region: region
  date: date
  items: list of item
}
select policy by region as of date
catalog medical "catalog/CN.csv" {
  key code: string
  class: item_class
  price_cap: money?
}

for item in items {
  def entry = find(medical, region, item.code)
  def covered = entry.class == A and item.amount > ¥0
  def capped = if covered then min(item.amount, entry.price_cap ?? item.amount) else ¥0
  def over = if covered then item.amount - capped else ¥0
  def least = min(capped, over)
  def own = if covered then ¥0 else item.amount
}
def total = sum item.amount for item in items
def overlimit = sum item.over for item in items
def capped_total = sum item.capped for item in items
def least_total = sum item.least for item in items
def own_total = sum item.own for item in items
def spread = total - overlimit - capped_total
result {
  total = total
  overlimit = overlimit
  spread = spread
  least = least_total
  own = own_total
}
