policy LN extends CN
param deductable = ¥300
param deductible = 10%
def fund = amount
def extra = ¥5
