"""Consistency across the rule files: what one file names must exist in the file that defines it,
and a programme's periods must neither overlap nor (without a warning) leave gaps."""

from __future__ import annotations

from datetime import timedelta

from aidctl.core.catalogue import CATALOGUE
from aidctl.core.errors import RuleError
from aidctl.rulebook.base import day_twice
from aidctl.rulebook.programmes import Programme, walk_conditions


def check_consistency(book) -> list[RuleError]:
    """Check what no single file can: every school type, programme, condition field, vocabulary word
    and finding code one file names exists in the file that defines it. Raises RuleError on the
    first contradiction; returns the warnings (gaps between programme periods)."""
    if book.columns.tables.get("roster") is None:
        raise RuleError("缺少 tables.roster（花名册的列和表头别名）：没有它 aidctl 无法读花名册",
                        file=str(book.paths["columns.yaml"]), key="tables")
    warnings: list[RuleError] = []
    for name, prog in book.programmes.programmes.items():
        _check_programme(book, name, prog, warnings)
    for file, types in (("extraction.yaml", book.extraction.by_school_type), ("ages.yaml", book.ages.by_school_type),
                        ("quotas.yaml", book.quotas.by_school_type)):
        for st in types:
            _known_school_type(book, st, file, f"by_school_type.{st}")
    _check_quotas(book)
    for code in book.severities.overrides:
        if code not in CATALOGUE:
            raise RuleError(f"问题代码“{code}”不存在", file=str(book.paths["severities.yaml"]),
                            key=f"overrides.{code}")
    return warnings


def _known_school_type(book, school_type: str, file: str, key: str) -> None:
    if school_type not in book.vocabulary.school_types:
        raise RuleError(f"学校类型“{school_type}”不在 vocabulary.yaml 的 school_types 中",
                        file=str(book.paths[file]), key=key)


def _vocabulary_fields(book) -> dict[str, set]:
    """The roster fields whose values come from a word list of vocabulary.yaml."""
    vocab = book.vocabulary
    return {"household": set(vocab.household), "difficulty": set(vocab.difficulty),
            "agricultural": set(vocab.yes_no), "ownership": set(vocab.ownership),
            "grade": set(vocab.grades.words.values())}


def _check_programme(book, name: str, prog: Programme, warnings: list[RuleError]) -> None:
    path = str(book.paths["programmes.yaml"])
    for st in prog.school_types:
        _known_school_type(book, st, "programmes.yaml", f"programmes.{name}.school_types")
    _check_periods(name, prog, path, warnings)
    roster_columns = book.columns.tables["roster"].columns
    vocab_fields = _vocabulary_fields(book)
    for i, period in enumerate(prog.periods):
        key = f"programmes.{name}.periods.{i}"
        for cond in walk_conditions(list(period.conditions)):
            if cond.field is None:
                continue
            if cond.field not in roster_columns:
                raise RuleError(f"条件字段“{cond.field}”不是花名册的列（见 columns.yaml）", file=path, key=key)
            allowed = vocab_fields.get(cond.field)
            bad = [v for v in cond.in_ or [] if allowed is not None and v not in allowed]
            if bad:
                raise RuleError(f"条件值 {bad} 不在 vocabulary.yaml 的 {cond.field} 词表中", file=path, key=key)
        tiers = period.amount.tiers
        if tiers:
            allowed = vocab_fields.get(tiers.field, set())
            bad = [t for t in tiers.per_term if allowed and t not in allowed]
            if bad:
                raise RuleError(f"分档 {bad} 不在 vocabulary.yaml 的 {tiers.field} 词表中",
                                file=path, key=key + ".amount.tiers")


def _check_periods(name: str, prog: Programme, path: str, warnings: list[RuleError]) -> None:
    periods = sorted(prog.periods, key=lambda p: p.from_)
    for prev, nxt in zip(periods, periods[1:]):
        if prev.from_ == nxt.from_:
            raise RuleError(f"两个时段同从 {nxt.from_} 起生效", file=path,
                            key=f"programmes.{name}.periods")
        if prev.until and prev.until >= nxt.from_:
            raise RuleError(f"时段重叠：{prev.from_}—{prev.until} 与 {nxt.from_} 起的时段",
                            file=path, key=f"programmes.{name}.periods")
        if prev.until and prev.until + timedelta(days=1) < nxt.from_:
            warnings.append(RuleError(
                f"时段之间有空档：{prev.until} 之后至 {nxt.from_} 之前“{name}”不在执行期",
                file=path, key=f"programmes.{name}.periods"))


def _check_quotas(book) -> None:
    path = str(book.paths["quotas.yaml"])
    for st, entry in book.quotas.by_school_type.items():
        unknown = [n for n in entry.programmes if n not in book.programmes.programmes]
        if unknown:
            raise RuleError(f"资助项目 {unknown} 不在 programmes.yaml 中", file=path,
                            key=f"by_school_type.{st}.programmes")
        starts = sorted(p.from_ for p in entry.periods)
        if (twice := day_twice(starts)) is not None:
            raise RuleError(f"两个时段同从 {twice} 起生效：同一天只能有一个比例", file=path,
                            key=f"by_school_type.{st}.periods")
