policy XX extends CN
table ratio {
  | employee | 1..2 -> 75%
}
decide home {
  when level == 1 -> none
  otherwise -> 0%
}
table band {
  | 2 -> 3%
}
