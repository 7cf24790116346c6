policy LN extends CN
def c: money = ¥5
