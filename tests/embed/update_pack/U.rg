# U.rg — a pack whose ledger update can fail where its result does not:
# the running total of a person's amounts overflows after 92 claims of
# 10^15 yuan. `regula run` must then write one error line in place of the
# claim's result, never the result and an error line after it (issue 21).
policy U

claim {
  claim_id: string
  person_id: string
  amount: money
  date: date
}

select policy by U as of date

ledger totals by person_id {
  paid: money
}

result {
  claim_id = claim_id
  paid_before = totals.paid
}

update {
  totals.paid += amount
}
