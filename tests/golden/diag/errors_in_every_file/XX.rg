policy XX extends CN
param ratio = ¥60
