policy CN
claim {
  region: region
  date: date
}
def x = ¥1
