"""The rulebook: rules/*.yaml read into strict models, and what is in force for a term.

Every rule file has its model module (columns, vocabulary, terms, ages, severities, extraction,
publicity, quotas, enlistment, loans, oversight, assessment, programmes, banks); `book` loads
them (a workspace's rules/ replaces packaged files one by one), `consistency` checks what no
single file can, `cases` reads the policy cases of rules/tests/, `view` shows what is in force.
"""

from aidctl.core.exports import lazy

EXPORTS = {"Rulebook": "book", "RULE_FILES": "book:FILES", "packaged_rules_dir": "base", "load_yaml": "base", "parse_file": "base",
           "validation_error": "base",
           "Strict": "base", "StatusWords": "vocabulary", "ColumnSpec": "columns", "TableSpec": "columns", "Condition": "programmes",
           "Period": "programmes", "period_id": "programmes", "AmountRule": "programmes", "walk_conditions": "programmes",
           "PublicityFile": "publicity", "EnlistCapPeriod": "enlistment", "LoanInterest": "loans",
           "COMPUTED_INDICATORS": "assessment", "BankProfile": "banks", "DeclaredWords": "banks",
           "FIGURES": "banks", "check_file_name": "banks", "Case": "cases",
           "case_files": "cases", "load_cases": "cases", "write_case_file": "cases", "rules_in_force": "view:in_force",
           "rule_files": "view:files", "amount_text": "view", "describe_condition": "view",
           "terms_named": "terms"}
__all__ = sorted(EXPORTS)
__getattr__, __dir__ = lazy(__name__, EXPORTS)
