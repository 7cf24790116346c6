policy CN
claim {
  region: region
  date: date
  amount: money
}
select policy by region as of date
parm cap: money = ¥1
param floor: money = ¥3,200
def big: bool = amount = ¥100
