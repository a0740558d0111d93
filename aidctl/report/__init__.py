"""Reporting: the ledger and the term's rosters → what the centre hands over.

term, term_workbook  the term report for finance and the bureau head, and its printable workbook
publicity            the 公示 lists: one to post per school, one internal check list
rules_diff,          rules diff DIR: the term's rosters under the rules in force and under DIR's (who and
diff_workbook        how much changes), and its workbook
explain              explain: one student's every decision (where each value was read, each check, the rule
                     period and its source, the amount, the ledger's history)
"""

from aidctl.core.exports import lazy

EXPORTS = {"term_report": "term", "TermReport": "term", "publish": "publicity",
           "publicity_period": "publicity", "scrub": "publicity", "MASK": "publicity",
           "diff_rules": "rules_diff", "RulesDiff": "rules_diff", "write_diff_report": "diff_workbook",
           "explain_student": "explain", "Explanation": "explain"}
__all__ = sorted(EXPORTS)
__getattr__, __dir__ = lazy(__name__, EXPORTS)
