# A misspelt Chinese keyword is compared with the Chinese keywords that could
# come there, a character at a time.
政策 CN
claim {
  region: region
  date: date
}
select policy by region as of date
定意 余额 = ¥1
