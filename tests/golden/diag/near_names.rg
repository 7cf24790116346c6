# "Did you mean" counts characters, not bytes, and knows the loop's variable:
# a Chinese name one character off, `it` for `item`.
政策 CN
claim {
  region: region
  date: date
  items: list of item
}
record item {
  code: string
  amount: money
}
select policy by region as of date
参数 起付线: money = ¥200
def total = sum it.amount for item in items
def over = max(¥500 - 起付钱, ¥0)
result { over = over, total = total }
