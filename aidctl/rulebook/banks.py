"""rules/banks/*.yaml: bank profiles, the layout of the payment files (报盘) and result files (回盘) an agent bank takes and returns.

There is no national format: each agent bank sends its own template, so a profile is data: file
type, encoding, delimiter or widths, columns and their order, amount format, header and trailer
lines with 总笔数/总金额, records per file, the file name.
"""

from __future__ import annotations

from typing import Literal

from pydantic import Field, ValidationInfo, field_validator, model_validator

from aidctl.rulebook.base import Strict

FIELDS = Literal["seq", "name", "card", "amount", "id_number", "memo", "school", "programme"]


RESULT_FIELDS = Literal["seq", "card", "name", "amount", "status", "reason", "batch"]


class BankColumn(Strict):
    field: FIELDS
    title: str
    width: int | None = Field(default=None, ge=1)
    align: Literal["left", "right"] = "left"
    pad: str = Field(default=" ", min_length=1, max_length=1)


class ResultSpec(Strict):
    format: Literal["delimited", "xlsx", "pain.002.001.03"]
    encoding: str = "gbk"
    delimiter: str = "|"
    columns: dict[RESULT_FIELDS, str]
    amount: Literal["yuan", "fen"] = "yuan"
    success: list[str]                 # settled: the payment is paid
    failure: list[str]                 # the payment failed (the school corrects the card; it is re-sent)
    pending: list[str] = []            # accepted but not final: the payment stays sent, a later file settles it

    @model_validator(mode="after")
    def _needs(self):
        if self.format != "pain.002.001.03":
            missing = {"card", "amount", "status"} - set(self.columns)
            if missing:
                raise ValueError(f"result.columns must name {sorted(missing)}")
        return self


class BankProfile(Strict):
    name: str
    description: str
    source: str
    default: bool = False
    bank_names: list[str] = []
    format: Literal["delimited", "fixed_width", "xlsx", "pain.001.001.03"]
    encoding: str = "gbk"
    allow_gb18030: bool = False
    delimiter: str = "|"
    line_ending: Literal["crlf", "lf"] = "crlf"
    column_titles: bool = True
    amount: Literal["yuan", "fen"] = "yuan"
    max_records: int = Field(ge=1)
    file_name: str
    memo: str = "{term_label}{programme}"
    header: list[str] = []
    trailer: list[str] = []
    columns: list[BankColumn] = Field(min_length=1)
    result: ResultSpec

    # field validators, so that an error names its key (file_name, columns, encoding)
    @field_validator("columns")
    @classmethod
    def _columns(cls, columns: list[BankColumn], info: ValidationInfo):
        fields = [c.field for c in columns]
        for needed in ("name", "card", "amount"):
            if needed not in fields:
                raise ValueError(f"columns must include {needed}")
        if info.data.get("format") == "fixed_width" and any(c.width is None for c in columns):
            raise ValueError("every column of a fixed_width profile needs a width")
        return columns

    @field_validator("file_name")
    @classmethod
    def _file_name(cls, file_name: str):
        if "{part" not in file_name:
            raise ValueError("file_name must contain {part…} so that split files get distinct names")
        return file_name

    @field_validator("encoding")
    @classmethod
    def _encoding(cls, encoding: str):
        try:
            "x".encode(encoding)
        except LookupError:
            raise ValueError(f"unknown encoding {encoding}") from None
        return encoding

    @property
    def newline(self) -> str:
        return "\r\n" if self.line_ending == "crlf" else "\n"
