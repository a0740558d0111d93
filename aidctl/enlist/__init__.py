"""应征入伍 学费补偿 and 国家助学贷款代偿 for students who enlist, by rules/enlistment.yaml.

compensation  per student and year of study, what is compensated and why
payment       the whole run: compute, the bank list, the audit workbook (not in the ledger)
workbook      the audit workbook
"""

from aidctl.core.exports import lazy

EXPORTS = {"run_enlist_case": "cases", "enlist": "payment", "compute": "compensation", "Enlistment": "compensation"}
__all__ = sorted(EXPORTS)
__getattr__, __dir__ = lazy(__name__, EXPORTS)
