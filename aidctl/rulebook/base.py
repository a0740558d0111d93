"""The ground every rule-file model stands on: strict pydantic models, the packaged rules folder, YAML read safely with errors that name the file and key."""

from __future__ import annotations

from datetime import date
from decimal import Decimal, InvalidOperation
from importlib import resources
from pathlib import Path
from typing import Annotated, Any

import yaml
from pydantic import AfterValidator, BaseModel, ConfigDict, ValidationError

from aidctl.core.amounts import YUAN_DIGITS
from aidctl.core.errors import RuleError


class Strict(BaseModel):
    model_config = ConfigDict(extra="forbid", frozen=True, populate_by_name=True)


def _month_day(text: str) -> str:
    try:
        month, day = (int(p) for p in text.split("-"))
        if len(text) != 5:
            raise ValueError
        date(2001, month, day)   # not a leap year: the day must exist every year
    except ValueError:
        raise ValueError(f"“{text}”不是每年都有的月-日（应写成 MM-DD，如 09-01）") from None
    return text


MonthDay = Annotated[str, AfterValidator(_month_day)]   # "09-01": a day of every year


class KeyedValueError(ValueError):
    """A validator's refusal of a key below the model it checks (`caps.0.per_year`): the error names
    that key, not only the model, so that the bureau finds the line to correct."""

    def __init__(self, key: str, message: str):
        super().__init__(message)
        self.key = key


def day_twice(days: list[date]) -> date | None:
    """The earliest day that stands more than once in `days` (two periods from one day), or None."""
    seen: set[date] = set()
    twice: set[date] = set()
    for d in days:
        (twice if d in seen else seen).add(d)
    return min(twice, default=None)


def is_fen_amount(value: Decimal) -> bool:
    """A positive amount in yuan that is a whole number of fen (750.00, 750, 0.01; not 750.005), with
    no more digits before the point than an amount aidctl reads from a roster (its fen fit 64 bits)."""
    try:
        return 0 < value < Decimal(10) ** YUAN_DIGITS and value == value.quantize(Decimal("0.01"))
    except InvalidOperation:   # more digits than a Decimal holds to the fen (1e30): no amount anyone pays
        return False


def fen_amount_problem(value: Decimal) -> str:
    return f"金额“{value}”不是正的元金额（最多两位小数，即到分；如 750.00）"


_DATE = "“{input}”不是日期：应写成 YYYY-MM-DD，如 2011-09-01"
_NUMBER = "“{input}”不是数字（如 750 或 0.05）"
_WHOLE = "“{input}”不是整数"
_TABLE = "应为“键: 值”的表，现为“{input}”"
# pydantic's own refusals (a wrong type, a key missing or unknown, a bound) in the bureau's words;
# {input} is the value written, the other names pydantic's context. A type not listed keeps
# pydantic's message.
_SAID = {
    "missing": "缺少这个键：必须写出",
    "extra_forbidden": "没有这个键，是拼写有误或此处不能写它",
    "literal_error": "“{input}”不是可写的值：应为 {expected} 之一",
    "enum": "“{input}”不是可写的值：应为 {expected} 之一",
    "int_parsing": _WHOLE, "int_from_float": _WHOLE, "int_type": _WHOLE,
    "decimal_parsing": _NUMBER, "decimal_type": _NUMBER, "float_parsing": _NUMBER, "float_type": _NUMBER,
    "decimal_max_places": "“{input}”的小数位数过多（至多 {decimal_places} 位）",
    "bool_parsing": "“{input}”不是 true 或 false", "bool_type": "“{input}”不是 true 或 false",
    "string_type": "应为文字，现为“{input}”",
    "list_type": "应为列表（每项一行，以“- ”开头；或写成 [甲, 乙]），现为“{input}”",
    "dict_type": _TABLE, "model_type": _TABLE, "model_attributes_type": _TABLE,
    "date_parsing": _DATE, "date_from_datetime_parsing": _DATE, "date_from_datetime_inexact": _DATE,
    "date_type": _DATE,
    "greater_than": "“{input}”应大于 {gt}", "greater_than_equal": "“{input}”应不小于 {ge}",
    "less_than": "“{input}”应小于 {lt}", "less_than_equal": "“{input}”应不大于 {le}",
    "too_short": "至少应有 {min_length} 项", "too_long": "至多只能有 {max_length} 项",
    "string_too_short": "“{input}”太短：至少 {min_length} 个字符", "string_too_long": "“{input}”太长：至多 {max_length} 个字符",
    "string_pattern_mismatch": "“{input}”的写法不符合要求（不能含换行或控制字符，或不是规定的格式 {pattern}）",
}


def _in_words(err: dict) -> str:
    """One pydantic error's message in the bureau's words (see _SAID)."""
    template = _SAID.get(err["type"])
    if template is None:
        return err["msg"].removeprefix("Value error, ")   # a validator's own message, already Chinese
    written = err.get("input")
    if written is None and err["type"] != "missing":
        return "这个键没有写值（空）：请写出"
    context = {k: (v.replace(" or ", "、").replace(", ", "、") if k == "expected" else v)
               for k, v in (err.get("ctx") or {}).items()}
    shown = str(written)
    return template.format_map(context | {"input": shown if len(shown) <= 40 else shown[:40] + "…"})


def validation_error(exc: ValidationError) -> tuple[str, str]:
    """The key (dotted path) and the message of a model's first error, in the bureau's words: a
    validator's own message (the key a KeyedValueError names appended), or pydantic's in Chinese."""
    errors = exc.errors()
    first, *others = [(_key(err), _in_words(err)) for err in errors[:2]]
    more = f"（另有 {len(errors) - 1} 处问题，其一是键 {others[0][0]}：{others[0][1]}）" if others else ""
    return first[0], first[1] + more


def _key(err: dict) -> str:
    loc = [str(p) for p in err["loc"] if p != "[key]"]   # [key]: the dict key itself is what is wrong
    cause = (err.get("ctx") or {}).get("error")
    if isinstance(cause, KeyedValueError):
        loc.append(cause.key)
    return ".".join(loc) or "(顶层)"


def packaged_rules_dir() -> Path:
    """The rules shipped with aidctl: inside the installed package, or the repository's rules/."""
    inside = Path(str(resources.files("aidctl"))) / "_rules"
    if inside.is_dir():
        return inside
    return Path(__file__).resolve().parents[2] / "rules"


_SAFE_LOADER = getattr(yaml, "CSafeLoader", yaml.SafeLoader)  # libyaml when PyYAML was built with it


def load_yaml(path: Path) -> Any:
    try:
        with path.open(encoding="utf-8") as fh:
            return yaml.load(fh, Loader=_SAFE_LOADER)
    except FileNotFoundError:
        raise RuleError("规则文件不存在", file=str(path)) from None
    except UnicodeDecodeError as exc:  # saved as GBK by a Windows editor, most often
        raise RuleError(f"规则文件不是 UTF-8 编码（第 {exc.start + 1} 个字节起无法识别）：请以 UTF-8 保存"
                        f"（记事本“另存为”时编码选 UTF-8）", file=str(path)) from None
    except OSError as exc:  # a folder, no permission
        raise RuleError(f"无法读取规则文件（{exc.strerror}）", file=str(path)) from None
    except yaml.YAMLError as exc:
        mark = getattr(exc, "problem_mark", None)
        raise RuleError(f"YAML 格式错误：{getattr(exc, 'problem', exc)}；请修正后重试",
                        file=str(path), row=(mark.line + 1) if mark else None) from None


def parse_file(path: Path, model: type[Strict]) -> Strict:
    data = load_yaml(path)
    try:
        return model.model_validate(data)
    except ValidationError as exc:
        key, message = validation_error(exc)
        raise RuleError(f"{message}；请对照 README 的“Changing a rule”一节修正", file=str(path), key=key) from None
