policy X

enum tier { low, high }
claim {
  claim_id: string
  person_id: string
  amount: money
  date: date
}

extern fn risk_score(string, money) -> percent
extern fn tier_of(int) -> tier
extern fn label(string, tier) -> string?

select policy by X as of date

ledger yearly by person_id, year(date) {
  paid: money
}

def score = risk_score(person_id, amount)
def pay = pct(amount, score)
def t = tier_of(year(date))
def l = label(claim_id, t) ?? "none"

result {
  claim_id = claim_id
  score = score
  pay = pay
  tier = t
  label = l
  paid_before = yearly.paid
}

update {
  yearly.paid += pay
}
