"""Oversight: how the schools and counties do, from the ledger, the finance sheets and the registers.

extraction                    the set-aside from 事业收入 against rules/extraction.yaml
intake                        who sent their roster, when, on time or late
inspection, inspection_record a reproducible sample of paid students, its sign-off sheets read back
complaints                    the complaint register by county and school
assessment                    the 量化考核 scorecard
rulecases                     `rules check`: the rule files and every policy case of rules/tests/, by kind
workbooks                     their workbooks
"""

from aidctl.core.exports import lazy

EXPORTS = {"audit_extraction": "extraction:audit", "show_intake": "intake:show",
           "intake_non_compliant": "intake:non_compliant", "receive_intake": "intake:receive", "draw_sample": "inspection:sample",
           "record_inspection": "inspection_record:record", "summarise_complaints": "complaints:summarise",
           "default_as_of": "complaints", "COMPLAINT_HEADS": "complaints", "assess": "assessment",
           "target_label": "assessment", "rank": "assessment", "score": "assessment",
           "write_extraction_report": "workbooks", "write_complaints_report": "workbooks",
           "write_scorecard_report": "workbooks", "rules_check": "rulecases", "run_any_case": "rulecases"}
__all__ = sorted(EXPORTS)
__getattr__, __dir__ = lazy(__name__, EXPORTS)
