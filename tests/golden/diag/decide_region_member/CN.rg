# A region that adds a member to an enumeration: CN's decision, which it
# inherits, no longer covers every case there; XX's own decision does.
policy CN
enum scheme { employee, resident }
claim {
  region: region
  date: date
  scheme: scheme
}
select policy by region as of date
decide ratio: percent {
  when scheme == employee -> 70%
  when scheme == resident -> 50%
}
decide ceiling: percent {
  when scheme == employee -> 70%
  otherwise -> 60%
}
