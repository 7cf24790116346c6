# a table over an enumeration the regions extend (74 members): where at most
# a quarter of the block's cells would have a row (the base policy's 3, R1's 4)
# the rows decide and there is no TABLE; where most have one (R2's 73) the
# chunk starts with TABLE
policy CN
enum disease { A, B, C }
claim {
  region: region
  date: date
  disease: disease
}
select policy by region as of date

table cap: money by (disease) {
  | A -> ¥100
  | B -> ¥200
  | C -> ¥300
}
result { cap = cap }
