policy A extends CN
enum kind += { c }
enum colour += { red }
param ratio: percent = 60%
def local: money = ¥1
ledger yearly by person {
  n: int
}
ledger mine by person, periods {
  n: int
}
table t: money by (kind) {
  | a -> ¥1
  | c -> ¥2
  | b -> ¥3
}
