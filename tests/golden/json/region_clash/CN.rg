policy CN
# base policy
claim {
  region: region
  date: date
  amount: money
}
select policy by region as of date
param deductible: money = ¥200
def fund = amount - deductible
