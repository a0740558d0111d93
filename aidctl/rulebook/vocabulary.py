"""vocabulary.yaml: the words schools write (school types, grades, household, status …) and what they mean."""

from __future__ import annotations

from aidctl.rulebook.base import Strict


class SchoolTypeWords(Strict):
    aliases: list[str]
    name_keywords: list[str] = []


class GradeWords(Strict):
    words: dict[str, int]
    cohort_suffixes: list[str]


class StatusWords(Strict):
    enrolled: list[str]
    not_enrolled: list[str]
    withdrawn_remarks: list[str] = []   # 备注 words saying the student is not to be paid (remark.withdrawn)


class RowWords(Strict):
    # by kind (total, signature, note), for the files list; a plain list (an older workspace copy)
    # counts every such row under "marker"
    skip_markers: dict[str, list[str]] | list[str]
    total_anywhere: list[str] = []
    # a total row whose text begins with one of these is the whole table's (合计, 总计), not a class's
    # (一班小计): its amount is checked against the records read (check.totals)
    grand_total: list[str] = []
    school_prefixes: list[str]

    def markers(self) -> dict[str, list[str]]:
        """The skip markers by kind."""
        return self.skip_markers if isinstance(self.skip_markers, dict) else {"marker": list(self.skip_markers)}


class VocabularyFile(Strict):
    description: str
    source: str
    school_types: dict[str, SchoolTypeWords]
    grades: GradeWords
    household: dict[str, list[str]]
    difficulty: dict[str, list[str]]
    status: StatusWords
    gender: dict[str, list[str]]
    yes_no: dict[str, list[str]]
    ownership: dict[str, list[str]]
    rows: RowWords
