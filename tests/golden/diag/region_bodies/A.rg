policy A extends CN
enum kind += { c }
def local: money = ¥1
ledger mine by person, periods {
  n: int
}
ledger own by person, fund {
  n: int
}
