policy CN
record person {
  id: string
  insured_region: region
}
claim {
  person: person
  date: date
}
select policy by person.insured_region as of date
def who = person.idd
