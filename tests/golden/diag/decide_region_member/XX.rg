policy XX extends CN
enum scheme += { farmer }
decide ceiling {
  when scheme == employee -> 70%
  when scheme in [resident, farmer] -> 50%
}
