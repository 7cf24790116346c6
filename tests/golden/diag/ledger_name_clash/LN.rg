policy LN extends CN
# a new definition named as the ledger it inherits
def yearly: money = ¥1
# a new ledger named as a definition it inherits
ledger total by person_id {
  n: int
}
