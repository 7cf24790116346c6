policy R2 extends CN
enum disease += { X, Y }
