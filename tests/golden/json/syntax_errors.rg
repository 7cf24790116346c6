policy CN
claim {
  region: region
  date: date
  amount: money
  discount: percent?
}
select policy by region as of date
def a = amount +
def b: money = ¥1
param c = 
table t: percent by (amount) {
  | _ => 10%
}
def d = (amount
def e = ¥2
