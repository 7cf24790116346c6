# the other city: the same rules as A's, its own figures and message
policy B extends CN
param ratio = 75%
param bonus = 3%
reject "B pays no claim of over ¥10,000" when sum item.amount for item in items > ¥10_000
