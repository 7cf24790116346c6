policy CN
claim {
  region: region
  date: date
  code: string?
  amount: money
}
select policy by region as of date
param codes: list of string = ["D0001", "D0002"]
def listed = code in codes
result {
  listed = listed
}
