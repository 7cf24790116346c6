policy CN
enum scheme { employee, resident }
claim {
  region: region
  date: date
  scheme: scheme
  amount: money
}
select policy by region as of date
table ratio: percent by (scheme) {
  | employee -> 70%
  | resident -> 50%
}
