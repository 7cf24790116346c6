# A keyword where a name is wanted is told as such.
policy CN
claim {
  region: region
  date: date
}
select policy by region as of date
def hit = true
