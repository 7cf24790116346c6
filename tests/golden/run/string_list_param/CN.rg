# A parameter that is a list of strings, and a region that replaces it: each
# claim's string compared by its text with those of its own policy's list.
policy CN
claim {
  region: region
  date: date
  code: string?
  amount: money
}
select policy by region as of date
param listed_codes: list of string = ["D0001", "D0002"]
def listed = code in listed_codes
def rate: percent = if listed then 80% else 50%
result {
  listed = listed
  fund = pct(amount, rate)
}
