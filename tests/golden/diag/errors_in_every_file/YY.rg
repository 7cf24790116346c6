policy YY extends CN
def fund = amount
def capped = min(amout, cap)
