policy XX extends CN
param listed_codes = ["D0003", "", "D0001"]
