# an enumeration's mistakes: a member written twice in the base policy, a
# region adding one the base policy has; two regions adding the same member
# is one member, known to both
policy CN
enum disease { A, B, A }
claim {
  region: region
  date: date
  disease: disease
}
select policy by region as of date
def code = if disease == A then 1 else 2
result { code = code }
