policy CN
enum scheme { employee, resident }
claim {
  region: region
  date: date
  total: money
  card: bool
  emergency: bool
  scheme: scheme
  discount: percent?
}
select policy by region as of date
param limit = ¥500

# a wider threshold first: every total >= ¥2000 is >= ¥1000 already
decide ratio: percent {
  when total >= ¥1000 -> 10%
  when total >= ¥2000 -> 20%
  otherwise -> 0%
}

# a narrower condition after the wider one
decide refusal: percent {
  when not card -> 100%
  when not card and emergency -> 50%
  otherwise -> 0%
}

# an enumeration already exhausted by the arms before
decide by_scheme: percent {
  when scheme == employee -> 70%
  when scheme in [resident] -> 50%
  when scheme == employee and emergency -> 80%
  otherwise -> 0%
}

# two arms together cover the third
decide together: percent {
  when card -> 1%
  when not card and emergency -> 2%
  when emergency -> 3%
  otherwise -> 0%
}

# a condition that can never hold
decide never: percent {
  when total > ¥5 and total < ¥3 -> 1%
  otherwise -> 0%
}

# no otherwise, and a case left out
decide gap: percent {
  when total < ¥100 -> 1%
  when total > ¥100 and card -> 2%
}

# the arms do not read into a parameter: a total above limit is not known to be above ¥200
decide opaque_gap: percent {
  when total <= ¥200 -> 1%
  when total > limit -> 2%
}
