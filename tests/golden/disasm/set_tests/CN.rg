# `x == A or x == B`: one set test (IN_SET_IMM) in the plan, as a value and as a condition; a chain of three is one too
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
  grade: grade
}
for item in items {
  def entry = find(drugs, region, item.code)
  def ac = entry.grade == A or entry.grade == C
  def abd = entry.grade == A or entry.grade == B or entry.grade == D
  def named = item.code == "A1" or item.code == "D4"
  def ac_amount = if ac then item.amount else ¥0
  def abd_amount = if abd then item.amount else ¥0
  def named_amount = if named then item.amount else ¥0
}
def n_ac = sum i.ac_amount for i in items
def n_abd = sum i.abd_amount for i in items
def n_named = sum i.named_amount for i in items
result {
  n_ac = n_ac
  n_abd = n_abd
  n_named = n_named
}
