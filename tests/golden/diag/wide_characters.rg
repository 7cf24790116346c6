# Chinese names are two columns wide: the caret must still sit under the name
policy CN
claim {
  region: region
  date: date
  amount: money
}
select policy by region as of date
def 医保支付 = amount
def 报销 = 医保支付 + 医保 + ¥1
