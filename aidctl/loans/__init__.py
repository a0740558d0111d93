"""生源地信用助学贷款: the bank's loan register (贷款台账) and the application list.

register.py reads the register into a frame (one row a contract) and derives, once, what the checks
and the figures read; interest.py is the 在校期间贴息 arithmetic; summary.py the year's figures by
county; collect.py the 催收 list and its workbook; render.py the terminal. The checks themselves are
in aidctl/checks/loans.py. Every cap, rate, ratio and date comes from rules/loans.yaml.
"""
