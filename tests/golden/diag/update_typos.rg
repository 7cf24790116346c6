policy CN
claim {
  region: region
  date: date
  person_id: string
  amount: money
}
select policy by region as of date
ledger yearly by person_id, year(date) {
  paid: money
  visits: int
}
update {
  yearly.payd += amount
  yearley.visits += 1
}
