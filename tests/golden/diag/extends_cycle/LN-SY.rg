policy LN-SY extends LN
