"""How large an amount aidctl reads can be: a bound of representation, not of policy (no rule file
sets it). Kept apart from `money` so that the rule files' checks need neither pandas nor Arrow."""

YUAN_DIGITS = 15  # digits before the point: 10^15 yuan is 10^17 fen, and 64 bits hold 9.2 × 10^18
YUAN_LIMIT = 10 ** YUAN_DIGITS  # one cell's amount, after its header's unit (元/万元/亿元), is below this
YUAN_LIMIT_TEXT = "1000万亿元"  # YUAN_LIMIT as the messages say it
INT64_MAX = 2 ** 63 - 1  # what a fen column (numpy int64, the ledger's BIGINT) can hold: totals are checked against it
