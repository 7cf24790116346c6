policy R1 extends CN
enum disease += { B, X }
