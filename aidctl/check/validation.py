"""validate: rosters → roster frame → findings, as one report for the table, the JSON and Excel."""

from __future__ import annotations

from collections.abc import Callable
from concurrent.futures import Future, ThreadPoolExecutor
from dataclasses import dataclass, field
from datetime import date
from pathlib import Path

import numpy as np
import pandas as pd
import pyarrow as pa

from aidctl.check import cards, cells, duplicates, eligibility, enrolment, people, schema, terms, totals, versions
from aidctl.check import registry as registry_check
from aidctl.check.eligibility import Decisions
from aidctl.core.files import digests
from aidctl.core.findings import CATALOGUE, WARNING, FindingCounts, empty, per_code, school_errors, severities
from aidctl.core.labels import UNKNOWN_SCHOOL
from aidctl.core.terms import Term
from aidctl.core.text import arrow_text
from aidctl.read import Roster, Workspace, contradicted_note, read_roster_tables, read_tables, settle_term, shown
from aidctl.read import build_roster as build
from aidctl.read import shared_note as shared_school
from aidctl.rulebook import Rulebook

REPORT_COLUMNS = ["file", "sheet", "row", "column", "code", "severity", "message", "value"]


@dataclass
class Validation(FindingCounts):
    """The outcome of checking rosters together."""

    term: Term
    roster: Roster
    findings: pd.DataFrame   # REPORT_COLUMNS + rec, table, school, name (one row a finding)
    notes: list[str] = field(default_factory=list)   # for the user, on stderr and in the JSON (not findings)
    returns: list[Path] | None = None   # the correction workbooks written (validate --returns)
    decisions: Decisions | None = None  # each record's decision record (check.eligibility), made by the checks

    @property
    def errors(self) -> int:
        """Errors of the schools' rosters; ledger.already_paid (the ledger's state) is not one."""
        return int(school_errors(self.findings).sum())

    @property
    def already_paid(self) -> int:
        return int((self.findings["code"] == "ledger.already_paid").sum())

    def refused(self) -> pd.Series:
        """True for each roster record that has an error finding of the school, or whose file has one."""
        f = self.findings[school_errors(self.findings)]
        bad = np.zeros(len(self.roster.frame), dtype=bool)
        recs = f.loc[f["rec"] >= 0, "rec"].to_numpy(dtype=np.int64)
        bad[recs] = True
        bad |= self.roster.frame["table"].isin(f.loc[f["rec"] < 0, "table"]).to_numpy()
        return pd.Series(bad, index=self.roster.frame.index)

    def summary(self) -> dict:
        return {"records": int(len(self.roster.frame)), "errors": self.errors, "warnings": self.warnings}

    def by_code(self) -> pd.DataFrame:
        counts = self.findings.groupby(["code", "severity"]).size().rename("count").reset_index()
        order = {c: i for i, c in enumerate(CATALOGUE)}
        counts["title"] = counts["code"].map({c: t.title for c, t in CATALOGUE.items()})
        return counts.sort_values("code", key=lambda s: s.map(order)).reset_index(drop=True)

    def by_school(self) -> pd.DataFrame:
        frame = self.roster.frame
        school = frame["school"].astype(object).fillna(UNKNOWN_SCHOOL)
        records = school.groupby(school).size().rename("records")
        f = self.findings
        f_school = f["school"].fillna(UNKNOWN_SCHOOL)
        errors = f_school[school_errors(f)].value_counts().rename("errors")
        warnings = f_school[f["severity"] == WARNING].value_counts().rename("warnings")
        refused = school[self.refused()].value_counts().rename("refused")
        out = pd.concat([records, refused, errors, warnings], axis=1).fillna(0).astype("int64")
        out.index.name = "school"
        return out.reset_index()

    def to_json(self, *, frames: bool = False) -> dict:
        """The validate document of the README's contract. With `frames`, the findings are a
        DataFrame, for jsonout.encode (a term paid already has a finding a record: 500,000)."""
        findings = self.findings[REPORT_COLUMNS].astype({"row": "Int64"})
        if not frames:
            rows = findings.astype(object)
            findings = [dict(zip(REPORT_COLUMNS, r)) for r in rows.where(rows.notna(), None)
                        .itertuples(index=False, name=None)]
        doc = {"version": 1, "term": str(self.term), "files": self.roster.file_info(),
               "summary": self.summary(), "findings": findings, "notes": list(self.notes)}
        if self.returns is not None:
            doc["returns"] = [str(p) for p in self.returns]
        return doc


FAMILIES = (schema.check, terms.check, cells.check, people.check, cards.check, enrolment.check,
            eligibility.check, duplicates.check, totals.check)


def run_all(roster: Roster, rules: Rulebook) -> pd.DataFrame:
    """Every roster check over the records read together; one findings frame."""
    return judge(roster, rules)[0]


def judge(roster: Roster, rules: Rulebook, also_standard: pd.Series | None = None,
          ws: Workspace | None = None) -> tuple[pd.DataFrame, Decisions]:
    """Every roster check over the records read together: one findings frame, and the decision
    record of each record that the eligibility check made its findings from (`also_standard`:
    eligibility.check). `ws`: the workspace, whose schools.xlsx tells the schools of the duplicate
    check (without it, schools are told by their names as written)."""
    decisions = eligibility.decide(roster, rules)
    parts = [family(roster, rules, decisions, also_standard) if family is eligibility.check
             else family(roster, rules, decisions) if family is totals.check
             else family(roster, rules, ws) if family is duplicates.check else family(roster, rules)
             for family in FAMILIES]
    parts = [p for p in parts if len(p)]
    findings = cells.withdraw_covered(pd.concat(parts, ignore_index=True)) if parts else empty()
    return findings, decisions


def validate(paths: list[Path], ws: Workspace, *, term: Term | None = None,
             registry: Path | None = None, displays: list[str] | None = None,
             today: date | None = None, check_ledger: bool = True, record_intake: bool = False,
             report: Path | None = None, returns: Path | None = None, tables: list | None = None,
             also_standard: pd.Series | None = None, meanwhile: Callable[[], object] | None = None,
             built: Callable[[Roster], object] | None = None) -> Validation:
    """Read the rosters, run every check over them together, and locate each finding.

    With `record_intake` (the validate command), the files are recorded in the workspace's intake
    history when they are the workspace's own: see intake.is_workspace_intake. With `report`, the
    validation workbook is written there, and with `returns` a correction workbook for each school
    with findings (check.returns); a path that would replace an input or a file the workspace keeps is
    refused before anything is read. `tables` are the rosters' tables when they are already read with
    rules that read them alike (rules diff reads the files once for two versions of the rules), and
    `also_standard` the other version's standard by record (eligibility.check). `meanwhile` is called
    once the rosters are read, and `built` with the roster once it is built, before the checks run:
    the caller starts there, on a thread of its own, what it needs next (the plan reads the ledger,
    then matches the records with it). With a term given and a ledger to check, validate does so
    itself. Not while the files are read: the worker processes keep every core busy then, while
    building and checking the records keep one (SQLite and Arrow's kernels run without the GIL)."""
    ws.output(report, [*paths, registry])
    if returns is not None:
        ws.output_folder(returns)
    from aidctl.core import progress

    ledger_next = check_ledger and term is not None and ws.has_ledger()
    with progress.track("读取花名册", files=len(paths)) as bar, ThreadPoolExecutor(max_workers=1) as beside:
        rules = ws.rules
        displays = displays or [shown(p) for p in paths]
        own = None  # whether the files are the workspace's intake, to be recorded (for the term given)
        if record_intake and term is not None:
            from aidctl.ledger import is_workspace_intake

            try:
                own = is_workspace_intake(ws, paths, term)
            except (OSError, RuntimeError):  # a path that cannot be resolved (a symlink loop): the
                own = None                   # read below reports the file clearly
        if tables is None:
            # the ledger's modules (SQLAlchemy: 0.2–0.3 s), when the ledger is to be used, are
            # imported while the workers read, not after them (a thousand small files: 2.5 s)
            from aidctl import ledger

            importing = (lambda: beside.submit(getattr, ledger, "Ledger")) if own or ledger_next else None
            tables = read_roster_tables(paths, rules, displays, importing)
        paid = beside.submit(_paid_keys, ws.ledger_url(), str(term)) if ledger_next else None
        hashed = beside.submit(digests, paths) if own else None  # for the intake history
        if meanwhile is not None:
            meanwhile()
        bar.stage("审核")
        chosen = settle_term(tables, term, today or date.today(), rules)
        roster = build(tables, chosen.term, ws)
        matched = beside.submit(ledger_match, roster, paid) if paid is not None and chosen.term == term else None
        if built is not None:
            built(roster)
        findings, decisions = judge(roster, rules, also_standard, ws)
        # a 初报 and its 修改版 read together: one finding a file, none of either paid
        findings = versions.check(roster, rules, findings, ws)
        if check_ledger and ws.has_ledger():
            from aidctl.check import ledger as ledger_check
            from aidctl.ledger import Ledger

            known, at = matched.result() if matched is not None else (None, None)
            extra = ledger_check.check(roster, Ledger(ws.ledger_url()), known, at)
            findings = pd.concat([findings, extra], ignore_index=True) if len(extra) else findings
        registry_notes: list[str] = []
        if registry is not None:
            reg_tables = read_tables(registry, shown(registry), "registry", rules)
            registry_notes = registry_check.header_notes(reg_tables, rules)
            extra = registry_check.check(roster, registry_check.registry_frame(reg_tables, rules), registry.name,
                                         rules=rules, schools=ws.schools)
            findings = pd.concat([findings, extra], ignore_index=True) if len(extra) else findings
        school_notes = [n for n in (shared_school(roster.frame), contradicted_note(roster.frame),
                                    unnamed_school_note(roster)) if n]
        result = Validation(chosen.term, roster, locate(findings, roster, rules),
                            [*rules.notes, *ws.unread_notes(), *chosen.notes, *registry_notes, *school_notes],
                            decisions=decisions)
        bar.stage("写入")
        if record_intake:
            from aidctl.ledger import record_validation

            note = record_validation(ws, result, paths, own if result.term == term else None,
                                     hashed.result() if hashed is not None else None)
            if note:
                result.notes.append(note)
        if report is not None:
            from aidctl.check.workbook import write_validation_report

            write_validation_report(result, report, rules.publicity.masking.masking())
        if returns is not None:
            from aidctl.check.returns import write_returns

            written = write_returns(result, returns)
            result.notes.extend(written.notes(str))
            result.returns = written.files
    return result


def _paid_keys(url: str, term: str) -> pd.DataFrame:
    from aidctl.ledger import Ledger, paid_keys

    return paid_keys(Ledger(url), term)


def ledger_match(roster: Roster, known: Future) -> tuple[pd.DataFrame, np.ndarray]:
    """The ledger's payments of the term (`known`, being read) and, for each record, the position of
    its own there (-1: none): what validate's ledger check and the plan compare the records with."""
    from aidctl.ledger import paid_rows

    paid = known.result()
    return paid, paid_rows(roster.frame["person"], roster.frame["programme_name"], paid)


def locate(findings: pd.DataFrame, roster: Roster, rules) -> pd.DataFrame:
    """Add file, sheet, Excel row, the header as written, severity, school and name to findings."""
    return locate_in(findings, roster.frame, roster.tables, rules, "roster",
                     ("school", "name", "id_number", "programme_name"))


def locate_in(findings: pd.DataFrame, frame: pd.DataFrame, tables: list, rules, kind: str,
              carry: tuple[str, ...]) -> pd.DataFrame:
    """Locate the findings on any frame read from `tables` of a kind in columns.yaml (roster,
    loan_register …): file, sheet, Excel row, the header as written, the severity in force, and the
    record's `carry` columns. Ordered by table, row, then the catalogue's order of codes."""
    f = findings.copy()
    if "table" not in f.columns:
        f["table"] = np.nan
    rec = f["rec"].astype("int64").to_numpy()
    on_record = rec >= 0
    table = f["table"].to_numpy(dtype=float, copy=True)
    table[on_record] = frame["table"].to_numpy()[rec[on_record]]
    f["table"] = table.astype("int64") if len(f) else pd.Series(dtype="int64")
    row = np.zeros(len(f), dtype=np.int64)
    row[on_record] = frame["excel_row"].to_numpy(dtype=np.int64)[rec[on_record]]
    f["row"] = pd.arrays.IntegerArray(row, ~on_record)  # none for a finding on a whole file
    at = f["table"].to_numpy()
    f["file"] = np.array([t.file for t in tables], dtype=object)[at] if len(f) else []
    f["sheet"] = np.array([t.sheet for t in tables], dtype=object)[at] if len(f) else []
    titles = {k: c.title for k, c in rules.columns.tables[kind].columns.items()}
    headers = {(i, k): m.header for i, t in enumerate(tables) for k, m in t.columns.items()}
    f["key"] = f["column"]  # the canonical column, for finding the cell again (the correction workbook)
    # the header as written in each finding's table, decided once per (table, column): a term paid
    # already has a finding a record; a header no column of the spec matched
    # (schema.unrecognised_column) is named as written
    pairs = pd.MultiIndex.from_arrays([f["table"], f["column"]])
    distinct = pairs.unique()
    shown = [headers.get((t, c), titles.get(c, c)) if isinstance(c, str) else None for t, c in distinct]
    f["column"] = np.array(shown, dtype=object)[distinct.get_indexer(pairs)] if len(f) else []
    f["severity"] = severities(f, rules.severity)
    # a workbook of several sheets: the message names the sheet, so that it stands on its own
    several = np.array([getattr(t, "workbook_sheets", 1) > 1 for t in tables], dtype=bool) if tables else np.zeros(0, dtype=bool)
    if len(f) and several.any():
        named = several[f["table"].to_numpy()]
        f.loc[named, "message"] = "工作表“" + f.loc[named, "sheet"].astype(str) + "”：" + f.loc[named, "message"].astype(str)
    taken = pa.array(rec, mask=~on_record)  # the flagged records' rows (a whole file's: none)
    for key in carry:  # read at the flagged records only: a roster has far more rows than findings
        if isinstance(frame[key].array, pd.arrays.ArrowStringArray):
            # taken by Arrow, into the dtype pandas would infer from the same values as Python text
            f[key] = pd.Series(pd.array(arrow_text(frame[key]).take(taken), dtype="str"), index=f.index)
            continue
        values = np.full(len(f), None, dtype=object)
        values[on_record] = frame[key].iloc[rec[on_record]].astype(object).to_numpy()
        f[key] = pd.Series(values, index=f.index).where(pd.notna(values), None)
    # the value as text (what the clerk sees), whatever type the check handed over (age, amount …)
    f["value"] = f["value"].astype("string").astype(object).where(f["value"].notna(), None)
    f["_code_order"] = per_code(f["code"], {c: i for i, c in enumerate(CATALOGUE)})
    f = f.sort_values(["table", "row", "_code_order"], na_position="first", kind="stable")
    return f.drop(columns="_code_order").reset_index(drop=True)


def unnamed_school_note(roster: Roster) -> str | None:
    """The records whose roster names no school (no 学校名称 column or cell, no 填报单位 or title
    naming one, no school's name in the file's name), said aloud: they are 学校不明 in every list,
    and their school type, which the programme's conditions read, is only the programme's own."""
    f = roster.frame
    unnamed = f["school"].isna().to_numpy()
    if not unnamed.any():
        return None
    tables = np.unique(f["table"].to_numpy()[unnamed])
    files = list(dict.fromkeys(roster.tables[int(t)].file for t in tables))
    shown_files = "、".join(files[:5]) + ("等" if len(files) > 5 else "")
    return (f"{int(unnamed.sum())} 条记录的花名册没有写明学校（学校名称列、表头上方的填报单位或标题、文件名中都没有）：{shown_files}；"
            f"这些记录的学校记为{UNKNOWN_SCHOOL}，学校类型只按资助项目推定，没有核对学校是否属于该类型；请在花名册中写明学校名称后重新报送")
