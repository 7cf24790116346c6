policy LN extends CX

def x = 1
