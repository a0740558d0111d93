"""Reporting: the ledger and the term's rosters → what the centre hands over.

term, term_workbook  the term report for finance and the bureau head, and its printable workbook
publicity            the 公示 lists: one to post per school, one internal check list
"""

from aidctl.core.exports import lazy

EXPORTS = {"term_report": "term", "TermReport": "term", "publish": "publicity",
           "publicity_period": "publicity", "scrub": "publicity", "MASK": "publicity"}
__all__ = sorted(EXPORTS)
__getattr__, __dir__ = lazy(__name__, EXPORTS)
