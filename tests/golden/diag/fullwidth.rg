policy CN
claim {
  region: region
  date: date
  amount: money
}
select policy by region as of date
# what a Chinese input method types for ASCII: each is named with the ASCII to write
param ratio: percent = ６０％
param floor: percent = 60％
param cap: money = ¥３００
param days = ３０
def fund = pct（amount，ratio）
def capped = min(fund、cap)
def spaced　= fund
