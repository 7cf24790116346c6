policy CN
claim {
  region: region
  date: date
  person_id: string
}
select policy by region as of date
ledger visits by person_id {
  count: int
  paid: money
  count: int
}
