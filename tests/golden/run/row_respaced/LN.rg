policy LN extends CN
table ratio {
  |   L1 ,specialty   -> 70%
}
