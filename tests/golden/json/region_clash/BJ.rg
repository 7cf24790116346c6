policy BJ extends CN
# 北京: a new name that is the parent's already
param deductible: money = ¥300
