policy LN extends LN-DL
