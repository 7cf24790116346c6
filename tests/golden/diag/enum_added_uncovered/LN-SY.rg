policy LN-SY extends CN
# a member added with its row: nothing to say
enum scheme += { fisher }
table ratio {
  | fisher -> 60%
}
