"""Load rules/*.yaml into pydantic models and look up what is in force for a term.

A workspace's own `rules/` folder overrides the packaged files file by file. Every model rejects
unknown keys and wrong types; errors name the file and the key.
"""

from __future__ import annotations

import hashlib
from datetime import date
from functools import cached_property
from pathlib import Path

from aidctl.core.errors import RuleError
from aidctl.core.terms import Term
from aidctl.rulebook.ages import AgesFile
from aidctl.rulebook.assessment import AssessmentFile
from aidctl.rulebook.banks import BankResultsFile
from aidctl.rulebook.base import Strict, packaged_rules_dir, parse_file
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
        parsed: dict[str, Strict] = {}
        for name, model in FILES.items():
            path = self.packaged_dir / name
            for layer in (self.workspace_dir, self.overlay_dir):
                if layer and (layer / name).is_file():
                    path = layer / name
            self.paths[name] = path
            parsed[name] = parse_file(path, model)
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
        self.warnings: list[RuleError] = check_consistency(self)

    @cached_property
    def banks(self) -> dict:
        """Bank profiles by id (file stem): packaged ones, replaced or added to by the workspace's.
        Parsed when first asked for (disburse, reconcile, rules check): validate never needs them."""
        from aidctl.rulebook.banks import BankProfile

        found = self._bank_files
        profiles = {pid: parse_file(path, BankProfile) for pid, path in found.items()}
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
        return digest.hexdigest()

    def origin(self, name: str) -> str:
        """'overlay', 'workspace' or 'packaged' for a rule file."""
        if self.overlay_dir and self.overlay_dir in self.paths[name].parents:
            return "overlay"
        return "workspace" if self.workspace_dir and self.workspace_dir in self.paths[name].parents \
            else "packaged"
