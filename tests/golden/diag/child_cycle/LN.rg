policy LN extends CN
def b = c - ¥1
