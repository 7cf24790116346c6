# A pack whose item loop has short branches that native code computes both
# ways and then chooses between (native/cgen_select.c). A way the claim does
# not take that overflows makes native code give the claim back, and the
# interpreter's result stands; a way it takes that overflows is the
# interpreter's error to word. A branch outside the loop stays a branch.
policy CN
record item {
  code: string
  amount: money
  factor: int
  cap: money?
}
claim {
  claim_id: string
  person: string
  region: region
  date: date
  items: list of item
}
select policy by region as of date
param share: percent = 30%
for item in items {
  def scaled = if item.factor > 0 then item.amount * item.factor else ¥0
  def capped = if item.factor > 0 then min(item.amount, item.cap ?? item.amount) else ¥0
  def part = if item.code == "b" then pct(capped, share) else ¥0
  def own = if item.factor > 0 then ¥0 else item.amount
}
def total = sum item.scaled for item in items
def covered = sum item.capped - item.part for item in items
def ownpay = sum item.own for item in items
def large = if ownpay > ¥10 then 1 else 0
result {
  total = total
  covered = covered
  own = ownpay
  large = large
}
