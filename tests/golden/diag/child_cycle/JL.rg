policy JL extends CN
def b = ¥3
