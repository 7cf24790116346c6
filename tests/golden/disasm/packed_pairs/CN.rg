# The ninth round's packed pairs in a plan: a claim field tested against an enum member (JUMP_UNLESS_FIELD), item fields summed (IFIELD_ACC_ADD), the sums begun (ZERO_LOCALS), max(x - y, ¥0) (SUB_MAX_IMM)
policy CN
enum kind { OUT, IN, DAY }
record item {
  code: string
  amount: money
}
claim {
  person: string
  region: region
  date: date
  amount: money
  kind: kind
  items: list of item
}
select policy by region as of date
def total = sum i.amount for i in items
def coded = sum (if i.code == "X" then ¥0 else i.amount) for i in items
def rate = if kind == OUT then 50% else if kind == DAY then 20% else 80%
def left = max(amount - total, ¥0)
def paid = pct(total, rate)
result {
  total = total
  coded = coded
  left = left
  paid = paid
}
