# a city: its own figures and a rule of its own. Its plan is CN's code but
# for the figures, and B's rules are A's but for the message: the listing
# says which chunks are copies, and of what
policy A extends CN
param ratio = 80%
param bonus = 5%
reject "A pays no claim of over ¥10,000" when sum item.amount for item in items > ¥10_000
