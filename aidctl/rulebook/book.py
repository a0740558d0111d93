"""Load rules/*.yaml into pydantic models and look up what is in force for a term.

A workspace's own `rules/` folder overrides the packaged files file by file. Every model rejects
unknown keys and wrong types; errors name the file and the key.
"""

from __future__ import annotations

import hashlib
from datetime import date, timedelta
from functools import cached_property
from pathlib import Path

from aidctl.core.errors import RuleError
from aidctl.core.terms import Term
from aidctl.rulebook.ages import AgesFile
from aidctl.rulebook.assessment import AssessmentFile
from aidctl.rulebook.base import Strict, _parse, packaged_rules_dir
from aidctl.rulebook.columns import ColumnsFile
from aidctl.rulebook.enlistment import EnlistmentFile
from aidctl.rulebook.extraction import ExtractionFile
from aidctl.rulebook.loans import LoansFile
from aidctl.rulebook.oversight import OversightFile
from aidctl.rulebook.programmes import Period, Programme, ProgrammesFile, _walk
from aidctl.rulebook.publicity import PublicityFile
from aidctl.rulebook.quotas import QuotasFile
from aidctl.rulebook.severities import SeveritiesFile
from aidctl.rulebook.terms import TermsFile
from aidctl.rulebook.vocabulary import VocabularyFile

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
        from aidctl.rulebook.banks import BankProfile

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
            from aidctl.core.findings import CATALOGUE  # local: findings imports nothing from here
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
