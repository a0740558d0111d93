"""Load rules/*.yaml into pydantic models and look up what is in force for a term.

A workspace's own `rules/` folder overrides the packaged files file by file. Every model rejects
unknown keys and wrong types; errors name the file and the key.
"""

from __future__ import annotations

import hashlib
from datetime import date, timedelta
from decimal import Decimal
from functools import cached_property
from importlib import resources
from pathlib import Path
from typing import Any, Literal

import yaml
from pydantic import BaseModel, ConfigDict, Field, ValidationError, field_validator, model_validator

from aidctl.errors import RuleError
from aidctl.terms import Term


class Strict(BaseModel):
    model_config = ConfigDict(extra="forbid", frozen=True, populate_by_name=True)


# --- columns.yaml -------------------------------------------------------------------------------

class ColumnSpec(Strict):
    title: str
    aliases: list[str]
    kind: Literal["text", "id", "card", "money", "number"] = "text"
    required: bool = False


class TableSpec(Strict):
    description: str
    min_header_matches: int = Field(ge=1)
    header_must_have: list[str]
    columns: dict[str, ColumnSpec]

    @model_validator(mode="after")
    def _must_have_known(self):
        unknown = [c for c in self.header_must_have if c not in self.columns]
        if unknown:
            raise ValueError(f"header_must_have names unknown columns: {unknown}")
        return self


class ColumnsFile(Strict):
    description: str
    source: str
    units: dict[str, Decimal]
    tables: dict[str, TableSpec]


# --- vocabulary.yaml ----------------------------------------------------------------------------

class SchoolTypeWords(Strict):
    aliases: list[str]
    name_keywords: list[str] = []


class GradeWords(Strict):
    words: dict[str, int]
    cohort_suffixes: list[str]


class StatusWords(Strict):
    enrolled: list[str]
    not_enrolled: list[str]


class RowWords(Strict):
    skip_markers: list[str]
    school_prefixes: list[str]


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


# --- terms.yaml / ages.yaml / severities.yaml ---------------------------------------------------

class SeasonSpec(Strict):
    label: str
    starts: str = Field(pattern=r"^\d{2}-\d{2}$")
    school_year_offset: int
    order: int


class TermsFile(Strict):
    description: str
    source: str
    seasons: dict[Literal["spring", "autumn"], SeasonSpec]


class AgeRange(Strict):
    min: int = Field(ge=0)
    max: int = Field(ge=0)
    note: str | None = None


class AgesFile(Strict):
    description: str
    source: str
    by_school_type: dict[str, AgeRange]


class SeveritiesFile(Strict):
    description: str
    source: str
    overrides: dict[str, Literal["error", "warning"]] = {}


# --- programmes.yaml ----------------------------------------------------------------------------

class Condition(Strict):
    """One eligibility condition: a column's value is one of `in`, or any/all of sub-conditions."""

    field: str | None = None
    in_: list[Any] | None = Field(default=None, alias="in")
    any_of: list["Condition"] | None = None
    all_of: list["Condition"] | None = None
    label: str | None = None

    @model_validator(mode="after")
    def _one_form(self):
        forms = [self.field is not None, self.any_of is not None, self.all_of is not None]
        if sum(forms) != 1:
            raise ValueError("a condition has exactly one of field/in, any_of, all_of")
        if self.field is not None and not self.in_:
            raise ValueError(f"condition on {self.field!r} needs a non-empty 'in' list")
        return self

    def fields(self) -> list[str]:
        """The columns this condition reads, in the order written."""
        if self.field:
            return [self.field]
        return list(dict.fromkeys(f for c in (self.any_of or self.all_of or []) for f in c.fields()))


class Tiers(Strict):
    field: str
    per_term: dict[str, Decimal]


class AmountRule(Strict):
    per_term: Decimal | None = None
    tiers: Tiers | None = None
    from_roster: bool = False

    @model_validator(mode="after")
    def _one_form(self):
        if sum([self.per_term is not None, self.tiers is not None, self.from_roster]) != 1:
            raise ValueError("an amount has exactly one of per_term, tiers, from_roster: true")
        for value in [self.per_term, *(self.tiers.per_term.values() if self.tiers else [])]:
            if value is not None and (value <= 0 or value != value.quantize(Decimal("0.01"))):
                raise ValueError(f"amount {value} is not a positive amount in yuan and fen")
        return self


class Period(Strict):
    from_: date = Field(alias="from")
    until: date | None = None
    amount: AmountRule
    conditions: list[Condition] = []
    source: str

    @model_validator(mode="after")
    def _labels(self):
        for c in self.conditions:
            if c.label is None and c.field is None:
                raise ValueError("a top-level any_of/all_of condition needs a label")
        if self.until and self.until < self.from_:
            raise ValueError(f"until {self.until} is before from {self.from_}")
        return self


class Programme(Strict):
    aliases: list[str] = []
    school_types: list[str]
    payee: Literal["student", "school"]
    periods: list[Period] = Field(min_length=1)


class ProgrammesFile(Strict):
    description: str
    source: str
    programmes: dict[str, Programme]


FILES: dict[str, type[Strict]] = {
    "columns.yaml": ColumnsFile,
    "vocabulary.yaml": VocabularyFile,
    "terms.yaml": TermsFile,
    "ages.yaml": AgesFile,
    "programmes.yaml": ProgrammesFile,
    "severities.yaml": SeveritiesFile,
}


def packaged_rules_dir() -> Path:
    """The rules shipped with aidctl: inside the installed package, or the repository's rules/."""
    inside = Path(str(resources.files("aidctl"))) / "_rules"
    if inside.is_dir():
        return inside
    return Path(__file__).resolve().parent.parent / "rules"


def _load_yaml(path: Path) -> Any:
    try:
        with path.open(encoding="utf-8") as fh:
            return yaml.safe_load(fh)
    except FileNotFoundError:
        raise RuleError("规则文件不存在", file=str(path)) from None
    except yaml.YAMLError as exc:
        mark = getattr(exc, "problem_mark", None)
        raise RuleError(f"YAML 格式错误：{getattr(exc, 'problem', exc)}；请修正后重试",
                        file=str(path), row=(mark.line + 1) if mark else None) from None


def _parse(path: Path, model: type[Strict]) -> Strict:
    data = _load_yaml(path)
    try:
        return model.model_validate(data)
    except ValidationError as exc:
        err = exc.errors()[0]
        key = ".".join(str(p) for p in err["loc"]) or "(顶层)"
        more = f"（另有 {len(exc.errors()) - 1} 处问题）" if len(exc.errors()) > 1 else ""
        raise RuleError(f"{err['msg']}{more}；请对照 README“修改规则”一节修正", file=str(path),
                        key=key) from None


class Rulebook:
    """All rule files, each from the workspace's rules/ if present there, else the packaged one."""

    def __init__(self, workspace_rules: Path | None = None, packaged: Path | None = None):
        self.packaged_dir = packaged or packaged_rules_dir()
        self.workspace_dir = workspace_rules.resolve() if workspace_rules and workspace_rules.is_dir() else None
        if self.workspace_dir == self.packaged_dir.resolve():
            self.workspace_dir = None  # run from the repository itself: its rules/ are the packaged ones
        self.paths: dict[str, Path] = {}
        parsed: dict[str, Strict] = {}
        for name, model in FILES.items():
            path = self.packaged_dir / name
            if self.workspace_dir and (self.workspace_dir / name).is_file():
                path = self.workspace_dir / name
            self.paths[name] = path
            parsed[name] = _parse(path, model)
        self.columns: ColumnsFile = parsed["columns.yaml"]  # type: ignore[assignment]
        self.vocabulary: VocabularyFile = parsed["vocabulary.yaml"]  # type: ignore[assignment]
        self.terms: TermsFile = parsed["terms.yaml"]  # type: ignore[assignment]
        self.ages: AgesFile = parsed["ages.yaml"]  # type: ignore[assignment]
        self.programmes: ProgrammesFile = parsed["programmes.yaml"]  # type: ignore[assignment]
        self.severities: SeveritiesFile = parsed["severities.yaml"]  # type: ignore[assignment]
        self.warnings: list[RuleError] = []
        self.banks = self._load_banks()
        self._cross_check()

    def _load_banks(self) -> dict:
        """Bank profiles by id (file stem): packaged ones, replaced or added to by the workspace's."""
        from aidctl.bankfiles import BankProfile

        found: dict[str, Path] = {}
        for folder in (self.packaged_dir / "banks", self.workspace_dir / "banks" if self.workspace_dir else None):
            if folder and folder.is_dir():
                found.update({p.stem: p for p in sorted(folder.glob("*.yaml"))})
        profiles = {}
        for pid, path in found.items():
            self.paths[f"banks/{path.name}"] = path
            profiles[pid] = _parse(path, BankProfile)
        defaults = [pid for pid, p in profiles.items() if p.default]
        if profiles and len(defaults) != 1:
            raise RuleError(f"rules/banks 中应恰好有一个 default: true 的银行格式，现有 {len(defaults)} 个"
                            f"（{'、'.join(defaults) or '无'}）",
                            file="、".join(str(found[d]) for d in defaults) or str(self.packaged_dir / "banks"))
        return profiles

    def bank(self, profile_id: str):
        if profile_id not in self.banks:
            known = "、".join(sorted(self.banks)) or "（无）"
            raise RuleError(f"没有名为“{profile_id}”的银行格式；已有：{known}（见 rules/banks/）")
        return self.banks[profile_id]

    @property
    def default_bank(self) -> str:
        return next(pid for pid, p in self.banks.items() if p.default)

    # -- consistency across files ---------------------------------------------------------------

    def _cross_check(self) -> None:
        roster_cols = self.columns.tables.get("roster")
        if roster_cols is None:
            raise RuleError("缺少 tables.roster", file=str(self.paths["columns.yaml"]), key="tables")
        vocab_fields = {
            "household": set(self.vocabulary.household),
            "difficulty": set(self.vocabulary.difficulty),
            "agricultural": set(self.vocabulary.yes_no),
            "ownership": set(self.vocabulary.ownership),
            "grade": set(self.vocabulary.grades.words.values()),
        }
        prog_path = str(self.paths["programmes.yaml"])
        known_types = set(self.vocabulary.school_types)
        for name, prog in self.programmes.programmes.items():
            for st in prog.school_types:
                if st not in known_types:
                    raise RuleError(f"学校类型“{st}”不在 vocabulary.yaml 的 school_types 中",
                                    file=prog_path, key=f"programmes.{name}.school_types")
            self._check_periods(name, prog, prog_path)
            for i, period in enumerate(prog.periods):
                key = f"programmes.{name}.periods.{i}"
                conds = list(period.conditions)
                for cond in _walk(conds):
                    if cond.field is None:
                        continue
                    if cond.field not in roster_cols.columns:
                        raise RuleError(f"条件字段“{cond.field}”不是花名册的列（见 columns.yaml）",
                                        file=prog_path, key=key)
                    allowed = vocab_fields.get(cond.field)
                    if allowed is not None:
                        bad = [v for v in cond.in_ or [] if v not in allowed]
                        if bad:
                            raise RuleError(f"条件值 {bad} 不在 vocabulary.yaml 的 {cond.field} 词表中",
                                            file=prog_path, key=key)
                if period.amount.tiers:
                    tiers = period.amount.tiers
                    allowed = vocab_fields.get(tiers.field, set())
                    bad = [t for t in tiers.per_term if allowed and t not in allowed]
                    if bad:
                        raise RuleError(f"分档 {bad} 不在 vocabulary.yaml 的 {tiers.field} 词表中",
                                        file=prog_path, key=key + ".amount.tiers")
        for st in self.ages.by_school_type:
            if st not in known_types:
                raise RuleError(f"学校类型“{st}”不在 vocabulary.yaml 的 school_types 中",
                                file=str(self.paths["ages.yaml"]), key=f"by_school_type.{st}")
        for code in self.severities.overrides:
            from aidctl.findings import CATALOGUE  # local: findings imports nothing from here
            if code not in CATALOGUE:
                raise RuleError(f"问题代码“{code}”不存在", file=str(self.paths["severities.yaml"]),
                                key=f"overrides.{code}")

    def _check_periods(self, name: str, prog: Programme, path: str) -> None:
        periods = sorted(prog.periods, key=lambda p: p.from_)
        for prev, nxt in zip(periods, periods[1:]):
            if prev.from_ == nxt.from_:
                raise RuleError(f"两个时段同从 {nxt.from_} 起生效", file=path,
                                key=f"programmes.{name}.periods")
            if prev.until and prev.until >= nxt.from_:
                raise RuleError(f"时段重叠：{prev.from_}—{prev.until} 与 {nxt.from_} 起的时段",
                                file=path, key=f"programmes.{name}.periods")
            if prev.until and prev.until + timedelta(days=1) < nxt.from_:
                self.warnings.append(RuleError(
                    f"时段之间有空档：{prev.until} 之后至 {nxt.from_} 之前“{name}”不在执行期",
                    file=path, key=f"programmes.{name}.periods"))

    # -- lookups ---------------------------------------------------------------------------------

    def term_start(self, term: Term) -> date:
        return term.start_date(self.terms.seasons[term.season].starts)  # type: ignore[index]

    def school_year(self, term: Term) -> int:
        return term.year + self.terms.seasons[term.season].school_year_offset  # type: ignore[index]

    def term_label(self, term: Term) -> str:
        return f"{term.year}年{self.terms.seasons[term.season].label}"  # type: ignore[index]

    def period_in_force(self, programme: str, term: Term) -> Period | None:
        """The period of a programme that holds at the term's start date, or None."""
        day = self.term_start(term)
        periods = sorted(self.programmes.programmes[programme].periods, key=lambda p: p.from_)
        current = None
        for period in periods:
            if period.from_ <= day:
                current = period
        if current and current.until and current.until < day:
            return None
        return current

    def severity(self, code: str, default: str) -> str:
        return self.severities.overrides.get(code, default)

    @cached_property
    def fingerprint(self) -> str:
        """SHA-256 over the rule files in force, to record with a batch."""
        digest = hashlib.sha256()
        for name in sorted(self.paths):
            digest.update(name.encode())
            digest.update(self.paths[name].read_bytes())
        return digest.hexdigest()

    def origin(self, name: str) -> str:
        """'workspace' or 'packaged' for a rule file."""
        return "workspace" if self.workspace_dir and self.workspace_dir in self.paths[name].parents \
            else "packaged"


def _walk(conditions: list[Condition]):
    for cond in conditions:
        yield cond
        yield from _walk(list(cond.any_of or cond.all_of or []))
