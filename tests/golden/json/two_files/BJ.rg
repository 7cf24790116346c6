policy BJ extends CN
# 北京: an override of a name the parent lacks
param deductable = ¥300
