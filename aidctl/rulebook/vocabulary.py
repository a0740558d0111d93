"""vocabulary.yaml: the words schools write (school types, grades, household, status …) and what they mean."""

from __future__ import annotations

import re
import unicodedata

from pydantic import Field, field_validator, model_validator

from aidctl.core.text import digit_like_marks, nfkc_one
from aidctl.rulebook.base import KeyedValueError, Strict, unwritten_said


class SchoolTypeWords(Strict):
    aliases: list[str]
    name_keywords: list[str] = []


CLASS_OF_MEANINGS = {"undecided": "未确定（不读取年级，记为 grade.ambiguous）", "entry": "入学年份（与“级”相同）"}


class GradeWords(Strict):
    words: dict[str, int]
    cohort_suffixes: list[str]   # 2011级: the cohort that entered in school year 2011–2012
    # 2011届: the year of entry or of graduation, as a school uses it; class_of_means says which the
    # rosters mean (CLASS_OF_MEANINGS): undecided reads no year of study from it (grade.ambiguous).
    # A copy of vocabulary.yaml made before the keys were added takes the packaged list, and is told so;
    # it reads 届 as undecided even where its own cohort_suffixes still list it.
    class_of_suffixes: list[str] = Field([], json_schema_extra=unwritten_said(
        "按届称呼年级的写法", inherit=True))
    class_of_means: str = Field("undecided", json_schema_extra=unwritten_said(
        "“届”指入学年份还是毕业年份", "按 undecided 处理（不读取年级，记为 grade.ambiguous，不予发放）"))

    @field_validator("cohort_suffixes", "class_of_suffixes")
    @classmethod
    def _no_blank_suffix(cls, suffixes: list[str]) -> list[str]:
        if any(not nfkc_one(s).strip() for s in suffixes):
            raise ValueError("年级后缀中有空白的一项：空白的后缀会把任何年份读作年级，请删去")
        return suffixes

    @field_validator("class_of_means")
    @classmethod
    def _known_meaning(cls, means: str) -> str:
        if means not in CLASS_OF_MEANINGS:
            raise ValueError(f"class_of_means 只能是 {'、'.join(f'{k}（{v}）' for k, v in CLASS_OF_MEANINGS.items())}，"
                             f"现为“{means}”；按毕业年份读取不提供：由毕业年份推算年级需要学制，花名册没有写明")
        return means


class StatusWords(Strict):
    enrolled: list[str]
    not_enrolled: list[str]
    withdrawn_remarks: list[str] = []   # 备注 words saying the student is not to be paid (remark.withdrawn)
    withdrawn_sheets: list[str] = []    # sheet-name words saying its list is not put forward (sheet.withdrawn)
    # 备注 read and found to say nothing of payment (建档立卡, 低保户, 新生; … stands for a name: 与…为兄妹),
    # a whole 备注 that says there is nothing (无, 暂无), and the words that, in what remains of a 备注
    # once those are taken out, negate, pause or doubt (不, 暂, 待核实: remark.unsettled); anything
    # else left is remark.unread (check.enrolment). A workspace copy made before these keys were added
    # takes the packaged lists, and is told so (Rulebook.notes): left empty, every remark would be
    # remark.unread and none remark.unsettled.
    harmless_remarks: list[str] = Field([], json_schema_extra=unwritten_said("备注中无碍发放的常见说明", inherit=True))
    blank_remarks: list[str] = Field([], json_schema_extra=unwritten_said("表示备注为空的写法", inherit=True))
    unsettled_remarks: list[str] = Field([], json_schema_extra=unwritten_said("备注中否定、暂缓或待定的用词",
                                                                              inherit=True))

    @field_validator("withdrawn_remarks", "harmless_remarks", "blank_remarks", "unsettled_remarks")
    @classmethod
    def _no_blank_word(cls, words: list[str]) -> list[str]:
        blank = [w for w in words if not re.sub(r"[\s…]|\.\.\.", "", unicodedata.normalize("NFKC", w))]
        if blank:
            raise ValueError("备注用词中有空白的一项（或只有“…”）：空白的词处处都能匹配，请删去")
        return words


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

    # the list is rules/vocabulary.yaml's alone: a workspace copy made before the key was added takes
    # the packaged one, and is told so (Rulebook.notes); what a name had to be judged by before the key
    # existed was that list
    joiners: list[str] = Field([], json_schema_extra=unwritten_said("姓名各部分之间可有的连接符号", inherit=True))

    @field_validator("joiners")
    @classmethod
    def _one_mark_each(cls, joiners: list[str]) -> list[str]:
        for j in joiners:
            folded = nfkc_one(j)   # as the roster's names are folded (a footnote mark kept as written)
            if len(folded) != 1 or unicodedata.category(folded)[0] in "LNZC" or digit_like_marks(folded):
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
    names: NameWords = Field(NameWords(), json_schema_extra=unwritten_said("姓名中可有的字符", inherit=True))

    @model_validator(mode="after")
    def _pay_words_are_yes_no(self):
        unknown = [w for w in (self.pay_words.paid, self.pay_words.declined) if w not in self.yes_no]
        if unknown or self.pay_words.paid == self.pay_words.declined:
            raise KeyedValueError("pay_words", f"pay_words 的 paid 和 declined 须是 yes_no 中两个不同的词（"
                                               f"{'、'.join(self.yes_no)}），现为 {'、'.join(unknown) or self.pay_words.paid}")
        return self
