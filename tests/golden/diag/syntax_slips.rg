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
def both: bool = amount > ¥1 && amount < ¥9
def code_ok: bool = 'D0001' in ["D0001"]
def differs: bool = amount <> ¥1
param share: percent = 0.12
def early: bool = date > 2024-1-5
def curly: bool = "a" in [“invoice”, "b"]
