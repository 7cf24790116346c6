# a catalog column read and tested in one instruction: `row.col ?? y` (LOCAL_COL_IF_SOME), `if row.col == member` (JUMP_UNLESS_COL), `row.col == a or row.col == b` (LOCAL_COL_IN_SET)
policy CN
record item {
  code: string
  amount: money
}
claim {
  person: string
  region: region
  date: date
  amount: money
  items: list of item
}
select policy by region as of date
enum grade { A, B, C, D }
catalog drugs "drugs.csv" {
  key code: string
  grade: grade?
  cap: money?
}
for item in items {
  def entry = find(drugs, region, item.code)
  def capped = min(item.amount, entry.cap ?? item.amount)
  def b_amount = if entry.grade == B then item.amount else ¥0
  def ac = entry.grade == A or entry.grade == C
  def ac_amount = if ac then item.amount else ¥0
}
def n_capped = sum i.capped for i in items
def n_b = sum i.b_amount for i in items
def n_ac = sum i.ac_amount for i in items
result {
  n_capped = n_capped
  n_b = n_b
  n_ac = n_ac
}
