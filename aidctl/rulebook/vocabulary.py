"""vocabulary.yaml: the words schools write (school types, grades, household, status …) and what they mean."""

from __future__ import annotations

import unicodedata

from pydantic import field_validator, model_validator

from aidctl.rulebook.base import KeyedValueError, Strict


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
    withdrawn_sheets: list[str] = []    # sheet-name words saying its list is not put forward (sheet.withdrawn)


class RowWords(Strict):
    # by kind (total, signature, note), for the files list; a plain list (an older workspace copy)
    # counts every such row under "marker"
    skip_markers: dict[str, list[str]] | list[str]
    total_anywhere: list[str] = []
    # a total row whose text begins with one of these is the whole table's (合计, 总计), not a class's
    # (一班小计): its amount is checked against the records read (check.totals)
    grand_total: list[str] = []
    # colour words: a note or caption holding one and a withdrawal word tells students apart by the
    # look of their rows (note.colour)
    colour_words: list[str] = []
    school_prefixes: list[str]

    def markers(self) -> dict[str, list[str]]:
        """The skip markers by kind."""
        return self.skip_markers if isinstance(self.skip_markers, dict) else {"marker": list(self.skip_markers)}


class PayWords(Strict):
    """The yes_no words of a roster's 是否发放 column: `paid` pays the student, `declined` is the
    school's own "not this one" (pay.declined)."""

    paid: str
    declined: str


class NameWords(Strict):
    """What a 姓名 may hold between its parts besides hanzi and (in a name wholly of them) Latin
    letters: anything else is name.invalid (check.people.invalid_names)."""

    # the packaged list, for a workspace copy of vocabulary.yaml made before the key was added
    joiners: list[str] = ["·", "・", "•", "‧", "-", "'", "’"]

    @field_validator("joiners")
    @classmethod
    def _one_mark_each(cls, joiners: list[str]) -> list[str]:
        for j in joiners:
            folded = unicodedata.normalize("NFKC", j)
            if len(folded) != 1 or unicodedata.category(folded)[0] in "LNZC":
                raise ValueError(f"“{j}”不是一个标点或符号：joiners 中每项须是姓名各部分之间可以出现的一个字符"
                                 "（如 · 或 -），不能是汉字、字母、数字、空白或控制字符")
        return joiners


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
    pay_words: PayWords
    ownership: dict[str, list[str]]
    rows: RowWords
    names: NameWords = NameWords()

    @model_validator(mode="after")
    def _pay_words_are_yes_no(self):
        unknown = [w for w in (self.pay_words.paid, self.pay_words.declined) if w not in self.yes_no]
        if unknown or self.pay_words.paid == self.pay_words.declined:
            raise KeyedValueError("pay_words", f"pay_words 的 paid 和 declined 须是 yes_no 中两个不同的词（"
                                               f"{'、'.join(self.yes_no)}），现为 {'、'.join(unknown) or self.pay_words.paid}")
        return self
