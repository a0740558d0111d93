"""The ground every rule-file model stands on: strict pydantic models, the packaged rules folder, YAML read safely with errors that name the file and key."""

from __future__ import annotations

from dataclasses import dataclass
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


# -- keys an older copy of a rule file does not write -------------------------------------------------
#
# A workspace (or `rules diff`) copy of a rule file made before a key was added to the packaged one
# runs with what its model takes when the key is not written: nobody chose that, so the rulebook says
# it aloud (Rulebook.notes). A key's model field tells what it is for and what applies without it:
#     spread: Decimal | None = Field(None, json_schema_extra=unwritten_said("异常金额检查", "按不检查处理"))
# or, with inherit=True, that the packaged file's value applies (said aloud as well): for a key whose
# model has no default of its own to offer, the packaged list being the only list.


def unwritten_said(what: str, instead: str | None = None, advice: str | None = None, *,
                   inherit: bool = False) -> dict:
    """A field's `json_schema_extra`: what the key is for (`what`), and what applies where a copy of
    its file leaves it out that the packaged file writes: `instead` (the model's default, in words),
    or, `inherit`, the packaged file's value; `advice`: what the user may do about it."""
    return {"unwritten": {"what": what, "instead": instead, "advice": advice, "inherit": inherit}}


@dataclass(frozen=True)
class Unwritten:
    """A key the packaged file writes that a copy of it (workspace, overlay) leaves out."""

    steps: tuple            # from the top of the file: ("field", name, alias) or ("item", key or position)
    owner: type             # the model the key belongs to
    name: str               # the field's name
    packaged: Any           # the packaged file's value there
    applies: Any            # the copy's value: its model's default

    @property
    def key(self) -> str:
        """The key as written in the file, dotted: programmes.中职免学费.periods.0.amount.spread."""
        return ".".join(str(s[2] if s[0] == "field" else s[1]) for s in self.steps)

    @property
    def field(self) -> str:
        return str(self.steps[-1][2])

    @property
    def said(self) -> dict:
        """The field's unwritten_said, or {} where it has none."""
        extra = self.owner.model_fields[self.name].json_schema_extra
        return extra.get("unwritten", {}) if isinstance(extra, dict) else {}

    @property
    def inherit(self) -> bool:
        return bool(self.said.get("inherit"))


def unwritten_keys(packaged: BaseModel, own: BaseModel) -> list[Unwritten]:
    """The keys `packaged` (a rule file as shipped) writes and `own` (a copy of it: same model) does
    not, where `own` could hold them: each key at the highest level it is missing (a table left out
    whole is one key), in the order of `own`. Tables (dicts) are compared key by key, lists position
    by position; a key whose packaged value is what the copy takes anyway is no difference, and one
    the copy's own values would not allow there (spread beside a fixed per_term) is not one it lacks."""
    out: list[Unwritten] = []
    _walk(packaged, own, (), out)
    return out


def _walk(pkg: Any, own: Any, steps: tuple, out: list[Unwritten]) -> None:
    if isinstance(own, BaseModel) and type(pkg) is type(own):
        for name, info in type(own).model_fields.items():
            step = ("field", name, info.alias or name)
            pv, ov = getattr(pkg, name), getattr(own, name)
            if name in own.model_fields_set:
                if name in pkg.model_fields_set:
                    _walk(pv, ov, (*steps, step), out)
            elif name in pkg.model_fields_set and pv != ov and _could_hold(own, pkg, name):
                out.append(Unwritten((*steps, step), type(own), name, pv, ov))
    elif isinstance(own, dict) and isinstance(pkg, dict):
        for k in own:
            if k in pkg:
                _walk(pkg[k], own[k], (*steps, ("item", k)), out)
    elif isinstance(own, list) and isinstance(pkg, list):
        for i, (p, o) in enumerate(zip(pkg, own)):
            _walk(p, o, (*steps, ("item", i)), out)


def _could_hold(own: BaseModel, pkg: BaseModel, name: str) -> bool:
    """Whether `own` would be valid with the packaged value of `name` written in (or whether that
    cannot be told: `own` as dumped is not valid by itself)."""
    data = own.model_dump(by_alias=True, exclude_unset=True)
    given = pkg.model_dump(by_alias=True, exclude_unset=True, include={name})
    try:
        type(own).model_validate({**data, **given})
        return True
    except ValidationError:
        pass
    try:
        type(own).model_validate(data)
    except ValidationError:
        return True   # cannot be told: said rather than kept quiet
    return False


def with_value(node: Any, steps: tuple, value: Any) -> Any:
    """`node` (a frozen model, a dict, a list) with the value at `steps` (Unwritten.steps) replaced."""
    if not steps:
        return value
    (kind, key, *_), rest = steps[0], steps[1:]
    if kind == "field":
        return node.model_copy(update={key: with_value(getattr(node, key), rest, value)})
    copy = dict(node) if isinstance(node, dict) else list(node)
    copy[key] = with_value(node[key], rest, value)
    return copy


def shown_value(value: Any, limit: int = 60) -> str:
    """A rule value in a message: a list as 甲、乙, a table or model as 键: 值; cut at `limit`."""
    if isinstance(value, BaseModel):
        value = {info.alias or n: getattr(value, n) for n, info in type(value).model_fields.items()
                 if n in value.model_fields_set}
    if isinstance(value, dict):
        text = "；".join(f"{k}: {shown_value(v, limit)}" for k, v in value.items())
    elif isinstance(value, (list, tuple)):
        text = "、".join(shown_value(v, limit) for v in value)
    else:
        text = value if isinstance(value, str) else written_value(value)
    return text if len(text) <= limit else text[:limit] + "…"


def written_value(value: Any) -> str:
    """A value as one writes it in a rule file, on one line: null, [], {}, false, 750, [甲, 乙]."""
    text = yaml.safe_dump(_plain(value), allow_unicode=True, default_flow_style=True, width=10_000).strip()
    return text.removesuffix("...").strip()


def _plain(value: Any) -> Any:
    """A rule value as YAML's plain types (a model as the table it was written as, 750.00 as text)."""
    if isinstance(value, BaseModel):
        return value.model_dump(mode="json", by_alias=True, exclude_unset=True)
    if isinstance(value, dict):
        return {str(k): _plain(v) for k, v in value.items()}
    if isinstance(value, (list, tuple)):
        return [_plain(v) for v in value]
    return str(value) if isinstance(value, (Decimal, date)) else value


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
