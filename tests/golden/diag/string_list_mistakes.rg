# A list of strings holds string literals only, and `in` needs a list of the
# value's type: a parameter of strings for a string, of ints for an int.
policy CN
claim {
  region: region
  date: date
  code: string
  n: int
}
select policy by region as of date
param codes: list of string = ["A", B]
param more: list of string = ["A", 5]
param nums: list of int = [1, "2"]
def a = n in codes
def b = code in nums
result { a = a, b = b }
