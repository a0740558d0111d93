"""publicity.yaml: what a 公示 list may show (never more than the national list allows) and for how long."""

from __future__ import annotations

from typing import Annotated

from pydantic import AfterValidator, Field, model_validator

from aidctl.rulebook.base import KeyedValueError, Strict

# The floor that no rule file can lower (教财厅函〔2017〕28号): the only roster columns a public
# list may show. Everything else (id_number, card, phone, address, birth date, gender, amount,
# difficulty tier, remarks …) is refused whatever publicity.yaml says.
PUBLIC_FIELDS_ALLOWED = frozenset({"name", "school", "department", "grade", "major", "class", "programme"})


NEVER_PUBLIC = {"id_number": "身份证号码（脱敏也不可）", "id18": "身份证号码", "person": "身份证号码",
                "id_masked": "身份证号码（脱敏也不可）", "card": "银行卡号", "bank": "开户银行",
                "phone": "联系电话", "address": "家庭住址", "birth_date": "出生日期", "age": "年龄",
                "gender": "性别", "amount": "资助金额", "difficulty": "困难等级（会暴露家庭经济状况）",
                "household": "户口性质", "student_no": "学籍号", "remarks": "备注"}


INTERNAL_FIELDS_ALLOWED = frozenset({"id_masked", "source_file", "source_row"})


PUBLIC_MIN_WORKING_DAYS = 5  # the national floor: a city may post longer, never shorter


PUBLICITY_PLACEHOLDERS = frozenset({"school", "term", "term_label", "programmes", "students", "from", "until",
                                    "working_days", "issuer", "complaint_phone", "date"})


def _public_field(key: str) -> str:
    if key in PUBLIC_FIELDS_ALLOWED:
        return key
    what = NEVER_PUBLIC.get(key)
    allowed = "、".join(sorted(PUBLIC_FIELDS_ALLOWED))
    if what:
        raise ValueError(f"“{key}”（{what}）不得公示：教财厅函〔2017〕28号规定公示名单不含身份证号码、银行卡号、"
                         f"出生日期、家庭住址、联系电话等个人信息；可公示的字段只有 {allowed}")
    raise ValueError(f"“{key}”不是可公示的字段；可公示的字段只有 {allowed}")


def _internal_field(key: str) -> str:
    if key not in INTERNAL_FIELDS_ALLOWED:
        raise ValueError(f"“{key}”不能加入内部核对名单；只能加 {'、'.join(sorted(INTERNAL_FIELDS_ALLOWED))}"
                         f"（身份证号码只以前6位后4位出现）")
    return key


def _template(text: str) -> str:
    import string

    try:
        names = [name for _, name, _, _ in string.Formatter().parse(text) if name is not None]
    except ValueError as exc:
        raise ValueError(f"模板“{text}”格式错误（{exc}）；花括号只用于占位符，如 {{school}}") from None
    unknown = [n for n in names if n not in PUBLICITY_PLACEHOLDERS]
    if unknown:
        raise ValueError(f"模板中有未知的占位符 {unknown}；可用：{'、'.join(sorted(PUBLICITY_PLACEHOLDERS))}")
    return text


PublicKey = Annotated[str, AfterValidator(_public_field)]

InternalKey = Annotated[str, AfterValidator(_internal_field)]

Template = Annotated[str, AfterValidator(_template)]


class MaskWidths(Strict):
    """How much of an ID and a card number an internal workbook shows: never more than first 6 and
    last 4 of an ID, last 4 of a card."""

    id_head: int = Field(6, ge=0, le=6)
    id_tail: int = Field(4, ge=0, le=4)
    card_tail: int = Field(4, ge=0, le=4)

    def masking(self):
        from aidctl.core.masking import Masking

        return Masking(self.id_head, self.id_tail, self.card_tail)


class PublicityFile(Strict):
    description: str
    source: str
    min_working_days: int = Field(ge=PUBLIC_MIN_WORKING_DAYS)
    public_fields: dict[PublicKey, str] = Field(min_length=1)   # column → heading, in order
    always_shown: list[PublicKey] = []
    internal_fields: dict[InternalKey, str] = {}
    title: Template
    internal_title: Template
    period_line: Template
    footer: list[Template] = []
    weekends_only_note: str
    masking: MaskWidths = MaskWidths()

    @model_validator(mode="after")
    def _shown_are_public(self):
        missing = [k for k in self.always_shown if k not in self.public_fields]
        if missing:
            raise KeyedValueError("always_shown", f"always_shown 中的 {'、'.join(missing)} 不在 public_fields 中："
                                                  f"总是显示的列须先列入 public_fields（可公示的字段及其表头）")
        return self
