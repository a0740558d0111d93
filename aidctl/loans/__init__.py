"""生源地信用助学贷款: the bank's loan register (贷款台账) and the application list.

register   the register read into a frame (one row a contract), and what is derived from it once
checks     the register's checks: the borrower's identity as on rosters, caps, duplicate contracts
interest   the 在校期间贴息 arithmetic
summary    the year's figures by county
collect    the 催收 list
workbooks  their workbooks
Every cap, rate, ratio and date comes from rules/loans.yaml.
"""

from aidctl.core.exports import lazy

EXPORTS = {"run_loan_case": "cases", "read_register": "register", "check_register": "register", "Register": "register", "summarise_loans": "summary:summarise",
           "collect_overdue": "collect:collect", "collection_path": "collect:default_out", "write_check_report": "workbooks",
           "write_summary_report": "workbooks", "write_collection": "workbooks", "rate_steps": "interest",
           "rate_on": "interest", "year_interest": "interest"}
__all__ = sorted(EXPORTS)
__getattr__, __dir__ = lazy(__name__, EXPORTS)
