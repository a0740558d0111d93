"""rules/banks/*.yaml: bank profiles, the layout of the payment files (报盘) and result files (回盘) an agent bank takes and returns.

There is no national format: each agent bank sends its own template, so a profile is data: file
type, encoding, delimiter or widths, columns and their order, amount format, header and trailer
lines with 总笔数/总金额, records per file, the file name.
"""

from __future__ import annotations

import re
from string import Formatter
from typing import Literal

from pydantic import Field, ValidationInfo, field_validator, model_validator

from aidctl.rulebook.base import KeyedValueError, Strict, unwritten_said

FIELDS = Literal["seq", "name", "card", "amount", "id_number", "memo", "school", "programme"]


RESULT_FIELDS = Literal["seq", "card", "name", "amount", "status", "reason", "batch"]

# The names a profile's file_name, header and trailer may use (README, Bank profiles), each with a
# value of the type aidctl fills in, to try the template's format specs ({part:02d}, {count:08d})
# when the profile is read rather than when a bank file is written. A template is data: a name not
# listed, an attribute or index ({count.__class__}), a nested field or a conversion is refused.
TEMPLATE_NAMES = {"count": 1, "total": "750.00", "total_fen": 75000, "date": "20110901",
                  "batch": "B20110901090000", "part": 1, "parts": 1, "term": "2011-autumn",
                  "term_label": "2011年秋季学期"}
_LINE_BREAKS = re.compile(r"[\x00-\x08\x0a-\x1f\x7f\u2028\u2029]")  # what would start a line of its own
FILE_NAME_BYTES = 200   # a file system's 255, less the temporary name's prefix and suffix
_NOT_IN_FILE_NAMES = re.compile(r'[\\/:*?"<>|\x00-\x1f\x7f]')


def check_template(template: str) -> str:
    """A header, trailer or file-name template that uses only TEMPLATE_NAMES and can be filled in."""
    try:
        parts = list(Formatter().parse(template))
    except ValueError as exc:
        raise ValueError(f"模板“{template}”的花括号不成对（{exc}）：字面的花括号请写成 {{{{ 和 }}}}") from None
    allowed = "、".join("{" + n + "}" for n in TEMPLATE_NAMES)
    for _, name, spec, conversion in parts:
        if name is None:
            continue
        field = f"{{{name}{'!' + conversion if conversion else ''}{':' + spec if spec else ''}}}"
        if name not in TEMPLATE_NAMES:
            raise ValueError(f"模板“{template}”中的“{field}”不可用：只能使用 {allowed}")
        if conversion or "{" in (spec or ""):
            raise ValueError(f"模板“{template}”中的“{field}”不可用：只能写 {{名称}} 或 {{名称:格式}}，如 {{count:08d}}")
        if any(int(n) > 99 for n in re.findall(r"\d+", spec or "")):
            raise ValueError(f"模板“{template}”中的“{field}”宽度过大：不能超过 99")
    try:
        template.format(**TEMPLATE_NAMES)
    except (ValueError, TypeError) as exc:
        raise ValueError(f"模板“{template}”的格式说明不适用（{exc}）") from None
    if _LINE_BREAKS.search(template):
        raise ValueError(f"模板“{template!r}”含有换行或控制字符：银行文件的每一行只能由 aidctl 写出")
    return template


def check_file_name(name: str) -> str:
    """A bank file's name as rendered: one name inside the output folder, not hidden, no path."""
    if name in ("", ".", "..") or name.startswith(".") or _NOT_IN_FILE_NAMES.search(name) \
            or len(name.encode()) > FILE_NAME_BYTES:
        raise ValueError(f"文件名“{name}”不可用：银行文件只能写在 out/<学期>/ 中，文件名不能含 / \\ : * ? \" < > | "
                         f"或控制字符，不能以“.”开头，也不能长于 {FILE_NAME_BYTES} 字节")
    return name


class BankColumn(Strict):
    field: FIELDS
    title: str = Field(pattern=r"^[^\x00-\x1f\x7f\u2028\u2029]*$")  # one line of the file
    width: int | None = Field(default=None, ge=1)
    align: Literal["left", "right"] = "left"
    pad: str = Field(default=" ", min_length=1, max_length=1)


def known_encoding(encoding: str) -> str:
    """An encoding Python knows (a bank file is written in it, a result file read in it)."""
    try:
        "x".encode(encoding)
    except LookupError:
        raise ValueError(f"编码 encoding“{encoding}”无法识别：请写 gbk、gb18030 或 utf-8 等编码名") from None
    return encoding


FIGURES = ("count", "amount", "paid_count", "paid_amount", "failed_count", "failed_amount")


class DeclaredWords(Strict):
    """The words a bank writes before a figure it declares for its result file above the table
    (总笔数：1250, 成功金额 | 1,874,250.00): the lines' count and amount, those of the lines paid and
    of those failed; and the units a count may carry (1250笔). An amount carries a unit of
    columns.yaml's `units` (万元) or none. Compared after full-width folding; the longest word wins
    (成功笔数 is not 笔数)."""

    count: list[str] = []
    amount: list[str] = []
    paid_count: list[str] = []
    paid_amount: list[str] = []
    failed_count: list[str] = []
    failed_amount: list[str] = []
    count_units: list[str] = []

    @model_validator(mode="after")
    def _one_meaning(self):
        from aidctl.core.text import fold_one

        seen: dict[str, str] = {}
        for key in (*FIGURES, "count_units"):
            for word in getattr(self, key):
                folded = fold_one(word)
                if not folded or _LINE_BREAKS.search(word):
                    raise KeyedValueError(key, f"“{word!r}”不能作为回盘表头上方的用词：不能为空，也不能含换行或控制字符")
                if seen.get(folded, key) != key:
                    raise KeyedValueError(key, f"“{word}”同时写在 {seen[folded]} 和 {key} 中：同一个词只能表示一种数字，"
                                               "否则 aidctl 无法确定回盘写的是哪一个")
                seen[folded] = key
        return self

    def words(self) -> dict[str, list[str]]:
        """Each figure's words (FIGURES), those it has."""
        return {key: getattr(self, key) for key in FIGURES if getattr(self, key)}


class BankResultsFile(Strict):
    """bank_results.yaml: what every profile's result file is read with unless the profile says
    otherwise (its `result.declared`)."""

    description: str
    source: str
    declared: DeclaredWords
    watch: list[str] = []   # an unread column's header words that may speak of a line's result (退票)
    # the words before a date the bank writes above or under its lines (交易日期：2011-09-20)
    dates: list[str] = Field([], json_schema_extra=unwritten_said("回盘写明日期的用词，用于核对回盘日期不早于所答复批次的生成日期",
                                                                  inherit=True))


class ResultSpec(Strict):
    format: Literal["delimited", "xlsx", "pain.002.001.03"]
    encoding: str = "gbk"
    delimiter: str = "|"
    columns: dict[RESULT_FIELDS, str]
    amount: Literal["yuan", "fen"] = "yuan"
    success: list[str]                 # settled: the payment is paid
    failure: list[str]                 # the payment failed (the school corrects the card; it is re-sent)
    pending: list[str] = []            # accepted but not final: the payment stays sent, a later file settles it
    # the words of the figures declared above the table (总笔数, 总金额 …): bank_results.yaml's unless given
    declared: DeclaredWords | None = None

    _encoding = field_validator("encoding")(known_encoding)

    @model_validator(mode="after")
    def _needs(self):
        if self.format != "pain.002.001.03":
            missing = {"card", "amount", "status"} - set(self.columns)
            if missing:
                raise KeyedValueError("columns", f"回盘的 columns 缺少 {'、'.join(sorted(missing))}：aidctl 按账号（card）、"
                                                 f"金额（amount）和处理结果（status）逐笔核对回盘，请写出这些列在回盘中的列名")
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
    delimiter: str = Field(default="|", pattern=r"^[^\x00-\x08\x0a-\x1f\x7f]$")  # one character; a tab may be
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
        missing = [f for f in ("name", "card", "amount") if f not in {c.field for c in columns}]
        if missing:
            raise ValueError(f"报盘的 columns 缺少 {'、'.join(missing)}：银行按户名（name）、账号（card）和金额（amount）"
                             f"逐笔代发，报盘的每笔记录都须有这三列")
        if info.data.get("format") == "fixed_width":
            for i, column in enumerate(columns):
                if column.width is None:
                    raise KeyedValueError(f"{i}.width", f"定长格式（format: fixed_width）的每一列都须写 width（按字节计的"
                                                        f"宽度），{column.field} 列（“{column.title}”）没有写")
        return columns

    @field_validator("file_name")
    @classmethod
    def _file_name(cls, file_name: str):
        if "{part" not in file_name:
            raise ValueError(f"文件名 file_name“{file_name}”中没有 {{part}}：一批超过 max_records 笔时拆成几个文件，"
                             f"须写 {{part}}（如 {{part:02d}}）使各文件的名字不同")
        check_file_name(check_template(file_name).format(**TEMPLATE_NAMES))
        return file_name

    @field_validator("header", "trailer")
    @classmethod
    def _lines(cls, lines: list[str]):
        return [check_template(line) for line in lines]

    _encoding = field_validator("encoding")(known_encoding)

    @property
    def newline(self) -> str:
        return "\r\n" if self.line_ending == "crlf" else "\n"
