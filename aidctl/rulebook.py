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
from typing import Annotated, Any, Literal

import yaml
from pydantic import (AfterValidator, BaseModel, ConfigDict, Field, ValidationError, field_validator,
                      model_validator)

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


# --- extraction.yaml ----------------------------------------------------------------------------

class RatePeriod(Strict):
    from_: date = Field(alias="from")
    min_rate: Decimal = Field(ge=0, le=1)
    max_rate: Decimal = Field(ge=0, le=1)
    source: str

    @model_validator(mode="after")
    def _order(self):
        if self.max_rate < self.min_rate:
            raise ValueError(f"max_rate {self.max_rate} is below min_rate {self.min_rate}")
        return self


class ExtractionFile(Strict):
    description: str
    source: str
    by_school_type: dict[str, list[RatePeriod]]
    unspent_warning_share: Decimal = Field(ge=0, le=1)

    @model_validator(mode="after")
    def _dates(self):
        for st, periods in self.by_school_type.items():
            dates = [p.from_ for p in periods]
            if len(set(dates)) != len(dates):
                raise ValueError(f"{st}: two periods start on the same date")
        return self

    def rates(self, school_type: str, year: int) -> RatePeriod | None:
        """The rates that hold for a school type during a calendar year (from its 1 January)."""
        day = date(year, 12, 31)
        current = None
        for p in sorted(self.by_school_type.get(school_type, []), key=lambda p: p.from_):
            if p.from_ <= day:
                current = p
        return current


# --- publicity.yaml -----------------------------------------------------------------------------

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

    @model_validator(mode="after")
    def _shown_are_public(self):
        missing = [k for k in self.always_shown if k not in self.public_fields]
        if missing:
            raise ValueError(f"always_shown 中的 {missing} 不在 public_fields 中")
        return self


# --- quotas.yaml --------------------------------------------------------------------------------

Region = Literal["east", "centre", "west"]


class QuotaPeriod(Strict):
    """The share of enrolment (per cent) that may be aided, by region band, from a date."""

    from_: date = Field(alias="from")
    until: date | None = None
    share: dict[Region, Decimal]
    source: str

    @model_validator(mode="after")
    def _check(self):
        missing = [r for r in ("east", "centre", "west") if r not in self.share]
        if missing:
            raise ValueError(f"share needs a value for every region; missing {missing}")
        bad = {r: str(v) for r, v in self.share.items() if not Decimal(0) <= v <= Decimal(100)}
        if bad:
            raise ValueError(f"share is a percentage between 0 and 100: {bad}")
        if self.until and self.until < self.from_:
            raise ValueError(f"until {self.until} is before from {self.from_}")
        return self


class SchoolTypeQuota(Strict):
    programmes: list[str] = []          # the students counted for the share; empty: every programme
    periods: list[QuotaPeriod] = []     # empty: no quota for this school type
    note: str | None = None


class QuotasFile(Strict):
    description: str
    unit: str
    source: str
    region: Region = "centre"
    tolerance: Decimal = Field(ge=0, le=100)   # percentage points above the quota that pass unflagged
    by_school_type: dict[str, SchoolTypeQuota] = {}

    def quota(self, school_type: str | None, day: date) -> Decimal | None:
        """The quota (per cent) for a school type on a day in the file's region, or None."""
        entry = self.by_school_type.get(school_type or "")
        current = None
        for p in sorted(entry.periods if entry else [], key=lambda p: p.from_):
            if p.from_ <= day:
                current = p
        if current is None or (current.until and current.until < day):
            return None
        return current.share[self.region]


# --- enlistment.yaml ----------------------------------------------------------------------------

class EnlistLevel(Strict):
    """A level of study as schools write it: the cap group it falls in and its normal length."""

    group: str
    normal_years: int = Field(ge=1, le=8)
    aliases: list[str] = []


class EnlistCapPeriod(Strict):
    """The cap per year of study (yuan) for each cap group, for enlistments from a date."""

    from_: date = Field(alias="from")
    per_year: dict[str, Decimal]
    source: str
    review: str | None = None

    @model_validator(mode="after")
    def _amounts(self):
        for group, value in self.per_year.items():
            if value <= 0 or value != value.quantize(Decimal("0.01")):
                raise ValueError(f"{group}: {value} is not a positive amount in yuan and fen")
        return self


class EnlistmentFile(Strict):
    description: str
    unit: str
    source: str
    year_only_date: str = Field(pattern=r"^\d{2}-\d{2}$")
    loan_first: bool = True
    levels: dict[str, EnlistLevel] = Field(min_length=1)
    caps: list[EnlistCapPeriod] = Field(min_length=1)

    @model_validator(mode="after")
    def _consistent(self):
        groups = {lv.group for lv in self.levels.values()}
        for i, period in enumerate(self.caps):
            missing = sorted(groups - set(period.per_year))
            if missing:
                raise ValueError(f"caps.{i} (from {period.from_}) has no cap for {missing}")
        starts = [p.from_ for p in self.caps]
        if len(set(starts)) != len(starts):
            raise ValueError("two cap periods start on the same date")
        month, day = (int(x) for x in self.year_only_date.split("-"))
        date(2000, month, day)  # a ValueError names a day that does not exist
        return self

    def cap(self, day: date) -> EnlistCapPeriod | None:
        """The cap period in force on a day of enlistment (None before the first)."""
        current = None
        for p in sorted(self.caps, key=lambda p: p.from_):
            if p.from_ <= day:
                current = p
        return current


# --- loans.yaml ---------------------------------------------------------------------------------

class LoanCapPeriod(Strict):
    """The most a student may borrow in one school year (yuan), per level of study, from a date."""

    from_: date = Field(alias="from")
    per_year: dict[str, Decimal]
    source: str

    @model_validator(mode="after")
    def _amounts(self):
        for level, value in self.per_year.items():
            if value <= 0 or value != value.quantize(Decimal("0.01")):
                raise ValueError(f"{level}: {value} is not a positive amount in yuan and fen")
        return self


class GraduationBounds(Strict):
    """预计毕业年份 − 贷款年度 must lie in [min_years, max_years] for the level."""

    min_years: int = Field(ge=0, le=10)
    max_years: int = Field(ge=0, le=12)

    @model_validator(mode="after")
    def _order(self):
        if self.max_years < self.min_years:
            raise ValueError(f"max_years {self.max_years} is below min_years {self.min_years}")
        return self


class DatedRate(Strict):
    """An annual rate in per cent (4.90 = 4.90%), from the day it takes effect."""

    from_: date = Field(alias="from")
    rate: Decimal = Field(gt=0, lt=100)
    source: str | None = None

    @model_validator(mode="after")
    def _exact(self):
        if self.rate != self.rate.quantize(Decimal("0.0001")):
            raise ValueError(f"rate {self.rate} has more than 4 decimals (per cent)")
        return self


class Pricing(Strict):
    """From a date, the 贴息 rate is a base rate (benchmark or LPR) plus a spread in basis points."""

    from_: date = Field(alias="from")
    base: Literal["benchmark", "lpr"]
    spread_bp: int = Field(default=0, ge=-500, le=500)
    source: str


class LoanInterest(Strict):
    day_count: Literal["ACT/360", "ACT/365"]
    study_ends: str = Field(pattern=r"^\d{2}-\d{2}$")
    repricing: Literal["on_change", "annual"]
    benchmark: list[DatedRate]
    lpr: list[DatedRate]
    pricing: list[Pricing] = Field(min_length=1)

    @model_validator(mode="after")
    def _covered(self):
        month, day = (int(x) for x in self.study_ends.split("-"))
        date(2001, month, day)  # a ValueError names a day that does not exist
        for name in ("benchmark", "lpr", "pricing"):
            starts = [p.from_ for p in getattr(self, name)]
            if len(set(starts)) != len(starts):
                raise ValueError(f"{name}: two entries take effect on the same date")
        for p in self.pricing:
            table = self.benchmark if p.base == "benchmark" else self.lpr
            if not any(r.from_ <= p.from_ for r in table):
                raise ValueError(f"pricing from {p.from_} uses {p.base}, which has no value on that date")
        return self

    @property
    def base_days(self) -> int:
        return 360 if self.day_count == "ACT/360" else 365


class RatioPeriod(Strict):
    from_: date = Field(alias="from")
    ratio: Decimal = Field(ge=0, le=1)
    source: str


class LoanStatusWords(Strict):
    """还款状态 as the bank writes it, by what it means for 贴息 and repayment."""

    in_study: list[str]
    grace: list[str]
    repayment: list[str]
    settled: list[str]
    compensated: list[str]


class ApplicationWords(Strict):
    """审核结果 as the county offices write it."""

    approved: list[str]
    rejected: list[str]
    pending: list[str]


class LoansFile(Strict):
    description: str
    unit: str
    source: str
    levels: dict[str, list[str]] = Field(min_length=1)      # level → spellings
    caps: list[LoanCapPeriod] = Field(min_length=1)
    graduation: dict[str, GraduationBounds]
    interest: LoanInterest
    risk_compensation: list[RatioPeriod] = Field(min_length=1)
    statuses: LoanStatusWords
    applications: ApplicationWords
    collection_results: list[str] = Field(min_length=1)

    @model_validator(mode="after")
    def _consistent(self):
        levels = set(self.levels)
        for i, period in enumerate(self.caps):
            missing = sorted(levels - set(period.per_year))
            unknown = sorted(set(period.per_year) - levels)
            if missing or unknown:
                raise ValueError(f"caps.{i} (from {period.from_}): " + (f"no cap for {missing}" if missing
                                                                       else f"unknown levels {unknown}"))
        if set(self.graduation) != levels:
            raise ValueError(f"graduation must give bounds for exactly the levels {sorted(levels)}")
        for name in ("caps", "risk_compensation"):
            starts = [p.from_ for p in getattr(self, name)]
            if len(set(starts)) != len(starts):
                raise ValueError(f"{name}: two periods start on the same date")
        return self

    @staticmethod
    def _in_force(periods, day: date):
        current = None
        for p in sorted(periods, key=lambda p: p.from_):
            if p.from_ <= day:
                current = p
        return current

    def cap(self, day: date) -> LoanCapPeriod | None:
        """The caps in force for a loan year that starts on `day` (None before the first period)."""
        return self._in_force(self.caps, day)

    def risk_ratio(self, day: date) -> RatioPeriod | None:
        return self._in_force(self.risk_compensation, day)


# --- oversight.yaml -----------------------------------------------------------------------------

class InspectionDefaults(Strict):
    per_school_default: int = Field(ge=1)


class OversightFile(Strict):
    description: str
    source: str
    submission_deadlines: dict[Literal["spring", "autumn"], str]
    inspection: InspectionDefaults

    @field_validator("submission_deadlines")
    @classmethod
    def _month_days(cls, v):
        for season, md in v.items():
            try:
                date(2001, *map(int, md.split("-")))
            except (ValueError, TypeError):
                raise ValueError(f"{season}: '{md}' is not a month-day such as 10-15") from None
        return v

    def deadline(self, term: Term) -> date:
        month, day = map(int, self.submission_deadlines[term.season].split("-"))
        return date(term.year, month, day)


# --- assessment.yaml ----------------------------------------------------------------------------

# The indicators aidctl computes, with their unit and direction; any other indicator of the file
# is listed in the scorecard as not computed.
COMPUTED_INDICATORS: dict[str, tuple[str, str]] = {
    "timely_payment": ("share", "higher"),
    "data_accuracy": ("share", "higher"),
    "on_time_submission": ("share", "higher"),
    "extraction": ("share", "higher"),
    "complaint_rate": ("per_thousand", "lower"),
    "complaint_closure": ("share", "higher"),
    "loan_performance": ("share", "higher"),
}
ScoringMethod = Literal["proportional", "pass_fail"]


class Scoring(Strict):
    method: ScoringMethod
    review: str | None = None


class Indicator(Strict):
    name: str
    target: Decimal = Field(ge=0)
    weight: Decimal = Field(gt=0)
    better: Literal["higher", "lower"] = "higher"
    unit: Literal["share", "per_thousand"] = "share"
    method: ScoringMethod | None = None
    source: str

    @model_validator(mode="after")
    def _share(self):
        if self.unit == "share" and self.target > 1:
            raise ValueError(f"target {self.target} of a share is above 1 (write 95% as \"0.95\")")
        return self


class ComplaintRules(Strict):
    closing_working_days: int = Field(ge=1)
    source: str


class AssessmentFile(Strict):
    description: str
    source: str
    scoring: Scoring
    indicators: dict[str, Indicator] = Field(min_length=1)
    complaints: ComplaintRules
    payment_deadlines: dict[Literal["spring", "autumn"], str]
    payment_deadlines_source: str

    @field_validator("payment_deadlines")
    @classmethod
    def _month_days(cls, v):
        if set(v) != {"spring", "autumn"}:
            raise ValueError("give a month-day for both spring and autumn")
        return OversightFile._month_days(v)

    @model_validator(mode="after")
    def _known_units(self):
        for key, ind in self.indicators.items():
            if key in COMPUTED_INDICATORS and (ind.unit, ind.better) != COMPUTED_INDICATORS[key]:
                unit, better = COMPUTED_INDICATORS[key]
                raise ValueError(f"indicators.{key}: aidctl computes it with unit {unit} and better {better}")
        return self

    def payment_deadline(self, term: Term) -> date:
        """The last day on which a term's aid counts as sent on time."""
        month, day = map(int, self.payment_deadlines[term.season].split("-"))
        return date(term.year, month, day)

    def method(self, key: str) -> str:
        return self.indicators[key].method or self.scoring.method


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
    "publicity.yaml": PublicityFile,
    "terms.yaml": TermsFile,
    "ages.yaml": AgesFile,
    "programmes.yaml": ProgrammesFile,
    "severities.yaml": SeveritiesFile,
    "extraction.yaml": ExtractionFile,
    "oversight.yaml": OversightFile,
    "quotas.yaml": QuotasFile,
    "loans.yaml": LoansFile,
    "enlistment.yaml": EnlistmentFile,
    "assessment.yaml": AssessmentFile,
}


def packaged_rules_dir() -> Path:
    """The rules shipped with aidctl: inside the installed package, or the repository's rules/."""
    inside = Path(str(resources.files("aidctl"))) / "_rules"
    if inside.is_dir():
        return inside
    return Path(__file__).resolve().parent.parent / "rules"


_SAFE_LOADER = getattr(yaml, "CSafeLoader", yaml.SafeLoader)  # libyaml when PyYAML was built with it


def _load_yaml(path: Path) -> Any:
    try:
        with path.open(encoding="utf-8") as fh:
            return yaml.load(fh, Loader=_SAFE_LOADER)
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
        self.publicity: PublicityFile = parsed["publicity.yaml"]  # type: ignore[assignment]
        self.terms: TermsFile = parsed["terms.yaml"]  # type: ignore[assignment]
        self.ages: AgesFile = parsed["ages.yaml"]  # type: ignore[assignment]
        self.programmes: ProgrammesFile = parsed["programmes.yaml"]  # type: ignore[assignment]
        self.severities: SeveritiesFile = parsed["severities.yaml"]  # type: ignore[assignment]
        self.extraction: ExtractionFile = parsed["extraction.yaml"]  # type: ignore[assignment]
        self.oversight: OversightFile = parsed["oversight.yaml"]  # type: ignore[assignment]
        self.quotas: QuotasFile = parsed["quotas.yaml"]  # type: ignore[assignment]
        self.loans: LoansFile = parsed["loans.yaml"]  # type: ignore[assignment]
        self.enlistment: EnlistmentFile = parsed["enlistment.yaml"]  # type: ignore[assignment]
        self.assessment: AssessmentFile = parsed["assessment.yaml"]  # type: ignore[assignment]
        self.warnings: list[RuleError] = []
        self._bank_files: dict[str, Path] = {}
        for folder in (self.packaged_dir / "banks", self.workspace_dir / "banks" if self.workspace_dir else None):
            if folder and folder.is_dir():
                self._bank_files.update({p.stem: p for p in sorted(folder.glob("*.yaml"))})
        for path in self._bank_files.values():
            self.paths[f"banks/{path.name}"] = path
        self._cross_check()

    @cached_property
    def banks(self) -> dict:
        """Bank profiles by id (file stem): packaged ones, replaced or added to by the workspace's.
        Parsed when first asked for (disburse, reconcile, rules check): validate never needs them."""
        from aidctl.bankfiles import BankProfile

        found = self._bank_files
        profiles = {pid: _parse(path, BankProfile) for pid, path in found.items()}
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
        for st in self.extraction.by_school_type:
            if st not in known_types:
                raise RuleError(f"学校类型“{st}”不在 vocabulary.yaml 的 school_types 中",
                                file=str(self.paths["extraction.yaml"]), key=f"by_school_type.{st}")
        quotas_path = str(self.paths["quotas.yaml"])
        for st, entry in self.quotas.by_school_type.items():
            if st not in known_types:
                raise RuleError(f"学校类型“{st}”不在 vocabulary.yaml 的 school_types 中",
                                file=quotas_path, key=f"by_school_type.{st}")
            unknown = [n for n in entry.programmes if n not in self.programmes.programmes]
            if unknown:
                raise RuleError(f"资助项目 {unknown} 不在 programmes.yaml 中", file=quotas_path,
                                key=f"by_school_type.{st}.programmes")
            starts = sorted(p.from_ for p in entry.periods)
            if len(set(starts)) != len(starts):
                raise RuleError("两个时段同日起生效", file=quotas_path, key=f"by_school_type.{st}.periods")
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
