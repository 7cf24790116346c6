policy LN extends CN
# a member added, but no row for it in the table that takes the enumeration
enum scheme += { farmer }
