# A region's rows that overlap or follow its parent's: the hints name the
# parent's file and line, and suggest nothing a region cannot write (`hit
# first`, a row moved above inherited ones, the decision's type).
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
}
decide home: percent {
  when level == 1 -> 10%
  otherwise -> 0%
}
table band: percent by (level) hit first {
  | 1 -> 1%
  | _ -> 2%
}
