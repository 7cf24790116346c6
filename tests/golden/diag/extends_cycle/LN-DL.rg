policy LN-DL extends LN
