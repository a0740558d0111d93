"""How large an amount aidctl reads can be: a bound of representation, not of policy (no rule file
sets it). Kept apart from `money` so that the rule files' checks need neither pandas nor Arrow."""

YUAN_DIGITS = 15  # digits before the point: 10^15 yuan is 10^17 fen, and 64 bits hold 9.2 × 10^18
