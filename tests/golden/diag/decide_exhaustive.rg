policy CN
enum scheme { employee, resident }
claim {
  region: region
  date: date
  total: money
  level: int in 1..3
  card: bool
  emergency: bool
  scheme: scheme
  discount: percent?
}
select policy by region as of date
param limit = ¥500

# every scheme has an arm: no otherwise is needed
decide by_scheme: percent {
  when scheme == employee -> 70%
  when scheme == resident -> 50%
}

# ranges that meet: every total falls in one
decide bands: percent {
  when total < ¥100 -> 1%
  when total >= ¥100 and total <= ¥500 -> 2%
  when total > ¥400 -> 3%
}

# an absent value is a case of its own
decide with_discount: percent {
  when discount == none -> 0%
  when discount != none -> 1%
}

# every level of an int in 1..3
decide by_level: percent {
  when level == 1 -> 10%
  when level in [2, 3] -> 20%
}

# booleans, both ways round
decide by_card: percent {
  when card and emergency -> 1%
  when not card -> 2%
  when not emergency -> 3%
}

# not covered by the earlier arms: a parameter, another field, an overlap only
decide reachable: percent {
  when total > limit -> 1%
  when total > ¥600 and card -> 2%
  when total > ¥100 -> 3%
  when emergency -> 4%
  when scheme != employee -> 5%
  otherwise -> 0%
}
