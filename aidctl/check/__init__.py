"""Checking: the roster frame → findings, from the rules in force. Checks never print.

validation  validate(): read, run every family of checks together, locate each finding
schema, people, cards, enrolment, eligibility, duplicates, registry, ledger: one family each
workbook    the validation report a clerk can filter and print
returns     the correction workbook (退回修改) for each school: its own file, the cells at fault marked
cases       a roster policy case of rules/tests/ run through validate
"""

from aidctl.core.exports import lazy

EXPORTS = {"validate": "validation", "Validation": "validation", "locate_in": "validation",
           "run_all": "validation", "judge": "validation", "ledger_match": "validation", "expected_fen": "eligibility",
           "Decisions": "eligibility", "describe_decision": "eligibility:describe", "settle_headers": "schema", "unknown_units": "schema",
           "unit_conflict_words": "schema", "UNIT_CONFLICT_ADVICE": "schema", "identity_findings": "people", "invalid_names": "people",
           "card_findings": "cards:check", "write_validation_report": "workbook", "run_case": "cases",
           "write_returns": "returns", "RETURNS_FOLDER": "returns:FOLDER"}
__all__ = sorted(EXPORTS)
__getattr__, __dir__ = lazy(__name__, EXPORTS)
