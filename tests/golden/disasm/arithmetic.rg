# arithmetic, a decision, a hit-first table and brackets: the code of each
policy CN
enum scheme { employee, resident }
claim {
  region: region
  date: date
  scheme: scheme
  level: int in 1..3
  amount: money
  discount: percent?
}
select policy by region as of date

param deductible: money = ¥200
param big: money = ¥90_000_000_000

table ratio: percent by (scheme, level) hit first {
  | employee | 1    -> 90%
  | employee | _    -> 80%
  | resident | 1, 2 -> 70%
  | resident | 3    -> 60%
}

decide band: percent {
  when amount >= ¥10_000 -> 5%
  when discount != none  -> discount ?? 0%
  otherwise              -> 0%
}

brackets tiers {
  from ¥0      below ¥1_000 -> 50%
  from ¥1_000               -> 80%
}

def base = max(¥0, amount - deductible)
def fund = pct(base, ratio) + tiered(tiers, ¥0, base) * 2
def capped = if fund > big then big else fund
result { fund = capped, band = band }
