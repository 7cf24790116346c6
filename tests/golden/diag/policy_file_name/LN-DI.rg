# Dalian, in a file named with a typo
policy LN-DL extends CN
