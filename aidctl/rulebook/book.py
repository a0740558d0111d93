"""Load rules/*.yaml into pydantic models and look up what is in force for a term.

A workspace's own `rules/` folder overrides the packaged files file by file. Every model rejects
unknown keys and wrong types; errors name the file and the key. A key the packaged file writes that
a workspace's (or an overlay's) copy leaves out, a copy made before the key existed most often,
takes what its model says (or the packaged value, for a key whose model says so), and is said
aloud in `notes` (and among the `warnings` of `rules check`): nobody chose it.
"""

from __future__ import annotations

import hashlib
from datetime import date
from functools import cached_property, lru_cache
from pathlib import Path

from pydantic import BaseModel

from aidctl.core.errors import RuleError
from aidctl.core.terms import Term
from aidctl.rulebook.ages import AgesFile
from aidctl.rulebook.assessment import AssessmentFile
from aidctl.rulebook.banks import BankResultsFile
from aidctl.rulebook.base import (
    Strict,
    Unwritten,
    packaged_rules_dir,
    parse_file,
    shown_value,
    unwritten_keys,
    with_value,
    written_value,
)
from aidctl.rulebook.columns import ColumnsFile
from aidctl.rulebook.consistency import check_consistency
from aidctl.rulebook.enlistment import EnlistmentFile
from aidctl.rulebook.extraction import ExtractionFile
from aidctl.rulebook.loans import LoansFile
from aidctl.rulebook.oversight import OversightFile
from aidctl.rulebook.programmes import Period, ProgrammesFile
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
    "bank_results.yaml": BankResultsFile,
}


class Rulebook:
    """All rule files, each from the workspace's rules/ if present there, else the packaged one.

    With `overlay` (rules diff DIR), a file of the same name there replaces both, exactly as a
    workspace's rules/ replaces the packaged ones: a third layer on top."""

    def __init__(self, workspace_rules: Path | None = None, packaged: Path | None = None,
                 overlay: Path | None = None):
        self.packaged_dir = packaged or packaged_rules_dir()
        self.workspace_dir = workspace_rules.resolve() if workspace_rules and workspace_rules.is_dir() else None
        if self.workspace_dir == self.packaged_dir.resolve():
            self.workspace_dir = None  # run from the repository itself: its rules/ are the packaged ones
        self.overlay_dir = overlay.resolve() if overlay is not None else None
        self.paths: dict[str, Path] = {}
        # what the user did not choose (a key a copy leaves out), said aloud by every command that
        # says its notes; and the files whose packaged values stand in for a key left out
        self.notes: list[str] = []
        self.inherited: set[str] = set()
        parsed: dict[str, Strict] = {}
        for name, model in FILES.items():
            path = self.packaged_dir / name
            for layer in (self.workspace_dir, self.overlay_dir):
                if layer and (layer / name).is_file():
                    path = layer / name
            self.paths[name] = path
            parsed[name] = parse_file(path, model)
            if path != self.packaged_dir / name:
                parsed[name] = self._unwritten(name, path, parsed[name], _packaged(self.packaged_dir / name, model))
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
        self.bank_results: BankResultsFile = parsed["bank_results.yaml"]  # type: ignore[assignment]
        self._bank_files: dict[str, Path] = {}
        for folder in (self.packaged_dir / "banks", self.workspace_dir / "banks" if self.workspace_dir else None,
                       self.overlay_dir / "banks" if self.overlay_dir else None):
            if folder and folder.is_dir():
                self._bank_files.update({p.stem: p for p in sorted(folder.glob("*.yaml"))})
        for path in self._bank_files.values():
            self.paths[f"banks/{path.name}"] = path
        self.warnings: list[RuleError] = [*check_consistency(self), *map(RuleError, self.notes)]

    def _unwritten(self, name: str, path: Path, own: Strict, packaged: Strict) -> Strict:
        """`own` (a copy's file) with the packaged value in each key left out whose model says to
        take it; each key left out said in `notes`, one note per key however many places lack it."""
        groups: dict[tuple, list[Unwritten]] = {}
        for u in unwritten_keys(packaged, own):
            groups.setdefault((u.owner, u.name), []).append(u)
            if u.inherit:
                own = with_value(own, u.steps, u.packaged)
                self.inherited.add(name)
        for group in groups.values():
            self.notes.append(self._said(path, group))
        return own

    def _said(self, path: Path, group: list[Unwritten]) -> str:
        first = group[0]
        said, field = first.said, first.field
        if self.overlay_dir and self.overlay_dir in path.parents:
            where = f"对比规则 {path}"
        else:
            where = f"工作区 {path.relative_to(self.workspace_dir.parent).as_posix()}" if self.workspace_dir \
                else str(path)
        what = f"（{said['what']}）" if said.get("what") else ""
        if first.inherit:
            instead = said.get("instead") or f"按内置规则的值（{shown_value(first.packaged)}）处理"
            advice = said.get("advice") or "请把该键写入此文件（可从内置规则复制）"
        else:
            applies = first.applies
            empty = not applies.model_fields_set if isinstance(applies, BaseModel) else applies in (None, [], {}, "")
            instead = said.get("instead") or ("按未写（空）处理" if empty else f"按 {shown_value(applies)} 处理")
            advice = said.get("advice") or (f"如需内置规则的做法，请从内置规则复制该键；确不需要，请写 {field}: "
                                            f"{written_value(applies)}，以表明这是您的选择")
        places = [u.key.rpartition(".")[0] for u in group]
        listed = "、".join(places[:3]) + (f" 等 {len(places)} 处" if len(places) > 3 else "")
        at = f"内置规则在 {listed} 写有该键" if places[0] else "内置规则写有该键"
        return f"{where} 未写 {field}{what}，{instead}；{at}：{advice}"

    @cached_property
    def banks(self) -> dict:
        """Bank profiles by id (file stem): packaged ones, replaced or added to by the workspace's.
        Parsed when first asked for (disburse, reconcile, rules check): validate never needs them."""
        from aidctl.rulebook.banks import BankProfile

        found = self._bank_files
        profiles = {pid: parse_file(path, BankProfile) for pid, path in found.items()}
        shipped = self.packaged_dir / "banks"
        for pid, path in found.items():   # a workspace's copy of a packaged profile: a key it leaves out
            if path.parent != shipped and (shipped / path.name).is_file():
                before = len(self.notes)
                profiles[pid] = self._unwritten(f"banks/{path.name}", path, profiles[pid],
                                                _packaged(shipped / path.name, BankProfile))
                self.warnings += map(RuleError, self.notes[before:])
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
        for name in sorted(self.inherited):   # a packaged file whose values stand in for a key left out
            digest.update(f"packaged/{name}".encode())
            digest.update((self.packaged_dir / name).read_bytes())
        return digest.hexdigest()

    def origin(self, name: str) -> str:
        """'overlay', 'workspace' or 'packaged' for a rule file."""
        if self.overlay_dir and self.overlay_dir in self.paths[name].parents:
            return "overlay"
        return "workspace" if self.workspace_dir and self.workspace_dir in self.paths[name].parents \
            else "packaged"


@lru_cache(maxsize=64)
def _parsed(path: Path, model: type[Strict], stamp: tuple[int, int]) -> Strict:
    return parse_file(path, model)


def _packaged(path: Path, model: type[Strict]) -> Strict:
    """A packaged rule file parsed, once per process while it is unchanged (rules diff, the policy
    cases and the tests build several rulebooks over the same packaged files)."""
    stat = path.stat()
    return _parsed(path, model, (stat.st_mtime_ns, stat.st_size))
