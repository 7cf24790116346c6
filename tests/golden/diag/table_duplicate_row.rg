policy CN
enum scheme { employee, resident }
claim {
  region: region
  date: date
  scheme: scheme
  level: int in 1..3
}
select policy by region as of date
table ratio: percent by (scheme, level) {
  | employee | 1    -> 70%
  | employee | 2, 3 -> 60%
  | resident | _    -> 50%
  | employee | 1    -> 75%
}
