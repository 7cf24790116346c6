# F.rg — a ledger scope with an optional key part and a first value computed
# from the claim: a claim without the part reads the first value, computed
# once, whether the host asked for its records ahead (regula_ledger_prefetch)
# or not: the same result for the same instruction budget.
policy F

claim {
  claim_id: string
  person_id: string
  disease: string?
  start: money
  date: date
}

select policy by F as of date

ledger per_disease by person_id, disease {
  left: money = start
}

result {
  claim_id = claim_id
  left = per_disease.left
}

update {
  per_disease.left += start
}
