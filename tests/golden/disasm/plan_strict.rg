# what a plan computes ahead: the definitions the outputs read on every
# common path — both branches of an `if` (`early`, `later`) — and not one read
# only on the right of `and` (`deadline`, a manual claim's), of `??`
# (`fallback`) or in a decision's result (`postponed`): those are read lazily
# (LOAD_DEF) where the code needs them
policy CN
enum channel { direct, manual }
claim {
  region: region
  date: date
  channel: channel
  amount: money
  submitted: date?
  promised: date?
}
select policy by region as of date

def manual = channel == manual
def deadline = add_months(date, 1)
def late = manual and (submitted ?? date) > deadline
def fallback = add_months(date, 2)
def answer_by = promised ?? fallback
def postponed = add_months(date, 3)
decide due: date {
  when late -> date
  when amount > ¥1000 -> postponed
  otherwise -> date
}
def early = add_months(date, 4)
def later = add_months(date, 5)
def review = if manual then early else later
result {
  review = review
  answer_by = answer_by
  due = due
}
