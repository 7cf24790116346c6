policy R1 extends CN
enum disease += { R1X }
table cap {
  | R1X -> ¥10
}
