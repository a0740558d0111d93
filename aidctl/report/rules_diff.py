"""rules diff DIR: the term's rosters judged under the rules in force and under DIR's, and what changes.

DIR holds rule files that replace the workspace's (or the packaged) files of the same name, exactly as
a workspace's rules/ does: a third layer (rulebook.Rulebook `overlay`). Both versions go through the
same validation and planning code as disburse: the checks make each record's decision record, the
plan decides who is paid and how much (against no ledger). The rosters are read once when the two
versions read them alike (the same columns.yaml and vocabulary.yaml); the records of the two runs
are then the same records, otherwise they are matched by file, sheet and Excel row.

A roster's amount column is written to the standard in force when the school sent it. So that a new
standard reads as "who is paid how much", not as every record refused for amount.mismatch, a record
whose written amount is the other version's standard is taken as written to the standard of the
version judging it (its amount.mismatch is set aside, and a note says how many). Nothing is written
but the --report workbook; no ledger is opened.
"""

from __future__ import annotations

from dataclasses import dataclass, field, replace
from pathlib import Path

import numpy as np
import pandas as pd

from aidctl.check import Validation, validate
from aidctl.core.errors import AidctlError, UsageError
from aidctl.core.labels import UNKNOWN_COUNTY, UNKNOWN_SCHOOL
from aidctl.core.money import check_sums, yuan, yuan_text
from aidctl.core.terms import Term
from aidctl.pay import Plan, plan_validation
from aidctl.read import Workspace, read_roster_tables, shown
from aidctl.rulebook import RULE_FILES, Rulebook

PAYABLE, REFUSED, UNREAD = "payable", "refused", "unread"
VERDICT_WORDS = {PAYABLE: "可发放", REFUSED: "不予发放", UNREAD: "未读取"}
READING_FILES = ("columns.yaml", "vocabulary.yaml")   # the rule files that say how a roster is read
UNKNOWN_PROGRAMME = "（项目不明）"
IDENTITY = ["file", "sheet", "row", "school", "county", "name", "id_number", "programme"]
GROUP_COLUMNS = ["records", "payable_before", "payable_after", "amount_before", "amount_after", "delta",
                 "verdict_changes", "amount_changes"]


@dataclass
class Side:
    """One version of the rules over the rosters: its validation, its plan, and per record the
    verdict and the amount a payment would carry (0 when refused)."""

    validation: Validation
    plan: Plan
    verdict: np.ndarray        # PAYABLE / REFUSED per record
    amount: np.ndarray         # int64 fen; 0 when refused
    codes: dict[int, list[str]]


@dataclass
class RulesDiff:
    term: Term
    overlay: str                       # DIR as given
    replaced: list[dict]               # the rule files DIR replaces
    ignored: list[str]                 # files in DIR that are no rule file aidctl reads
    fingerprints: dict[str, str]
    files: list[dict]                  # the roster tables read
    verdicts: pd.DataFrame             # records whose verdict changes
    amounts: pd.DataFrame              # records payable under both whose amount changes
    by_school: pd.DataFrame
    by_county: pd.DataFrame
    by_programme: pd.DataFrame
    totals: dict
    notes: list[str] = field(default_factory=list)
    report: Path | None = None

    def to_json(self, *, frames: bool = False) -> dict:
        """The rules diff document. With `frames`, the two lists of records are DataFrames (for
        jsonout.encode, fast when a new standard changes every record)."""
        def listed(frame: pd.DataFrame):
            if frames:   # columns keep their types (jsonout encodes text and integers with Arrow)
                return frame
            return frame.astype(object).where(frame.notna(), None).to_dict("records")

        def groups(frame: pd.DataFrame) -> list[dict]:
            out = frame.copy()
            for col in ("amount_before", "amount_after", "delta"):
                out[col] = yuan_text(out[col])
            return out.astype(object).where(out.notna(), None).to_dict("records")

        return {"version": 1, "term": str(self.term), "rules": {
                    "dir": self.overlay, "replaced": self.replaced, "ignored": self.ignored,
                    "fingerprint_before": self.fingerprints["before"], "fingerprint_after": self.fingerprints["after"]},
                "files": self.files, "totals": self.totals,
                "by_programme": groups(self.by_programme), "by_county": groups(self.by_county),
                "by_school": groups(self.by_school),
                "verdicts": listed(self.verdicts), "amounts": listed(self.amounts),
                "notes": list(self.notes), "report": str(self.report) if self.report else None}


def overlay_files(overlay: Path, current: Rulebook, proposed: Rulebook) -> tuple[list[dict], list[str]]:
    """The rule files DIR replaces (each: file, what it replaces, whether its content differs), and the
    files in DIR that look like rules but are none aidctl reads (a misspelt programmes.yaml)."""
    replaced = []
    for name, path in proposed.paths.items():
        if proposed.origin(name) != "overlay":
            continue
        before = current.paths.get(name)
        replaced.append({"file": name, "path": str(path),
                         "replaces": current.origin(name) if before is not None else "new",
                         "differs": before is None or before.read_bytes() != path.read_bytes()})
    known = set(RULE_FILES)
    ignored = [p.name for p in sorted(overlay.iterdir())
               if p.is_file() and p.suffix.lower() in (".yaml", ".yml") and p.name not in known]
    banks = overlay / "banks"
    if banks.is_dir():
        ignored += [f"banks/{p.name}" for p in sorted(banks.iterdir()) if p.is_file() and p.suffix.lower() == ".yml"]
    return replaced, ignored


def diff_rules(ws: Workspace, overlay: Path, term: Term, rosters: list[Path] | None = None, *,
               displays: list[str] | None = None, report: Path | None = None) -> RulesDiff:
    """Judge the term's rosters (or those given) under the rules in force and under DIR's; see the
    module docstring."""
    shown_dir = shown(overlay)
    if not overlay.is_dir():
        what = "不是文件夹" if overlay.exists() else "文件夹不存在"
        raise UsageError(f"{what}：rules diff 需要一个放有规则文件（如 programmes.yaml）的文件夹", file=shown_dir)
    paths, named = ws.rosters(rosters, term)
    displays = displays or named
    current = ws.rules
    proposed = Rulebook(ws.root / "rules", overlay=overlay)
    replaced, ignored = overlay_files(overlay.resolve(), current, proposed)
    if not replaced:
        names = "、".join(list(RULE_FILES)[:6])
        raise UsageError(f"文件夹中没有 aidctl 的规则文件（{names} 等，或 banks/*.yaml）："
                         "请放入要替换的规则文件", file=shown_dir)
    ws.output(report, [*paths, *(Path(r["path"]) for r in replaced)])
    same_reading = all(current.paths[n].read_bytes() == proposed.paths[n].read_bytes() for n in READING_FILES)
    proposed_ws = Workspace(ws.root, rules=proposed)
    if same_reading:
        proposed_ws.__dict__["schools"] = ws.schools   # read with the same columns and vocabulary
    tables_now = read_roster_tables(paths, current, displays)
    tables_new = tables_now if same_reading else read_roster_tables(paths, proposed, displays)
    before = validate(paths, ws, term=term, displays=displays, check_ledger=False, tables=tables_now)
    # read alike, the records are the same: the proposed version is told the current standard at once,
    # so that a roster written to it makes no amount.mismatch to set aside (half a million at 500k rows)
    after = validate(paths, proposed_ws, term=term, displays=displays, check_ledger=False, tables=tables_new,
                     also_standard=before.decisions.frame["standard_fen"] if same_reading else None)

    b_rec, a_rec, only_b, only_a = _align(before, after, same_reading)
    notes = list(dict.fromkeys([*before.notes, *after.notes]))
    set_aside_b = _written_to_other_standard(before, after, b_rec, a_rec)
    set_aside_a = np.flatnonzero(after.decisions.frame["other_standard"].to_numpy(dtype=bool)) if same_reading \
        else _written_to_other_standard(after, before, a_rec, b_rec)
    for n, judged, other in ((len(set_aside_b), "现行规则", "对比规则"), (len(set_aside_a), "对比规则", "现行规则")):
        if n:
            notes.append(f"{n} 条记录的花名册金额等于{other}的标准：按{judged}测算时，视为学校按{judged}的标准填写，"
                         "不计为 amount.mismatch（资助金额与标准不符）")
    b = _side(before, ws, set_aside_b)
    a = _side(after, proposed_ws, set_aside_a)
    if not same_reading:
        notes.append("对比规则改变了花名册的读取方式（columns.yaml 或 vocabulary.yaml）：花名册按两版规则各读一次，"
                     "记录按文件、工作表和行号对应" + (f"；{len(only_b)} 条记录只在现行规则下读出" if len(only_b) else "")
                     + (f"；{len(only_a)} 条记录只在对比规则下读出" if len(only_a) else ""))
    for name in ignored:
        notes.append(f"对比规则文件夹中的 {name} 不是 aidctl 读取的规则文件，没有使用：请核对文件名")
    records = _records(b, a, b_rec, a_rec, only_b, only_a)
    verdicts, amounts = _changes(records, b, a)
    by_school = _groups(records, ["school", "county"])
    by_county = _groups(records, ["county"])
    by_programme = _groups(records, ["programme"])
    totals = _totals(records, by_school, by_county, by_programme, verdicts, amounts)
    result = RulesDiff(term, shown_dir, replaced, ignored, {"before": current.fingerprint, "after": proposed.fingerprint},
                       [t.info() for t in tables_now], verdicts, amounts, by_school, by_county, by_programme,
                       totals, notes)
    if report is not None:
        from aidctl.report.diff_workbook import write_diff_report

        result.report = write_diff_report(result, report, current.publicity.masking.masking())
    return result


def _align(before: Validation, after: Validation, same_reading: bool):
    """Matched records (their indexes in each run), and those read in one run only."""
    nb, na = len(before.roster.frame), len(after.roster.frame)
    if same_reading:
        fb, fa = before.roster.frame, after.roster.frame
        # the same tables give the same records, in the same order (they are matched by position):
        # anything else is a defect
        if nb != na or not all(np.array_equal(fb[c].to_numpy(), fa[c].to_numpy()) for c in ("table", "excel_row")):
            raise AidctlError(f"两版规则从相同的花名册读出的记录不同（{nb} 条与 {na} 条）：这是 aidctl 的缺陷，请报告")
        recs = np.arange(nb)
        return recs, recs, np.zeros(0, dtype=np.int64), np.zeros(0, dtype=np.int64)
    ids: dict[tuple[str, str], int] = {}

    def keys(v: Validation) -> np.ndarray:
        table_id = np.array([ids.setdefault((t.file, t.sheet), len(ids)) for t in v.roster.tables], dtype=np.int64)
        f = v.roster.frame
        return table_id[f["table"].to_numpy()] * (1 << 21) + f["excel_row"].to_numpy(dtype=np.int64) \
            if len(f) else np.zeros(0, dtype=np.int64)

    kb, ka = keys(before), keys(after)
    both = pd.Index(kb).get_indexer(ka)
    a_rec = np.flatnonzero(both >= 0)
    b_rec = both[a_rec]
    only_a = np.flatnonzero(both < 0)
    only_b = np.setdiff1d(np.arange(nb), b_rec)
    return b_rec, a_rec, only_b, only_a


def _written_to_other_standard(v: Validation, other: Validation, recs: np.ndarray, other_recs: np.ndarray) -> np.ndarray:
    """Records of `v` (among `recs`) whose amount.mismatch only says the roster was written to the
    standard of the other version: the written amount equals the other version's standard."""
    f = v.roster.frame
    # compared as integer fen (Int64), never as float64: above 2^53 fen two amounts 1 fen apart are
    # one float
    written = pd.array(f["amount_fen"].array[recs], dtype="Int64")
    ok = f["amount_ok"].to_numpy()[recs]
    theirs = pd.array(other.decisions.frame["standard_fen"].array[other_recs], dtype="Int64")
    ours = pd.array(v.decisions.frame["standard_fen"].array[recs], dtype="Int64")
    hit = ok & ~ours.isna() & (written == theirs).fillna(False).to_numpy(dtype=bool) & \
        (written != ours).fillna(False).to_numpy(dtype=bool)
    mismatch = v.findings.loc[v.findings["code"] == "amount.mismatch", "rec"].to_numpy(dtype=np.int64)
    return np.intersect1d(recs[hit], mismatch)


def _side(v: Validation, ws: Workspace, set_aside: np.ndarray) -> Side:
    """The plan of one version (no ledger), with the amount.mismatch findings in `set_aside` dropped."""
    if len(set_aside):
        f = v.findings
        drop = (f["code"] == "amount.mismatch").to_numpy() & np.isin(f["rec"].to_numpy(dtype=np.int64), set_aside)
        v = replace(v, findings=f[~drop].reset_index(drop=True))
    plan = plan_validation(v, ws, None)
    n = len(v.roster.frame)
    refused = np.bincount(plan.refused["rec"].to_numpy(dtype=np.int64), minlength=n)
    paid = np.bincount(np.concatenate([plan.pay["rec"].to_numpy(dtype=np.int64),
                                       plan.school_funded["rec"].to_numpy(dtype=np.int64)]), minlength=n)
    if len(refused) != n or len(paid) != n or ((refused + paid) != 1).any():
        # each record is paid once or refused once: never both, neither, or twice
        raise AidctlError("有记录既未发放也未拒绝、两者皆是或不止一次计入：这是 aidctl 的缺陷，请报告")
    payable = paid == 1
    decided = v.decisions.frame["amount_fen"].astype("Int64")  # integer fen, never float64 (2^53)
    if decided.isna().to_numpy()[payable].any():
        raise AidctlError("有可发放的记录没有金额：这是 aidctl 的缺陷，请报告")
    amount = np.where(payable, decided.fillna(0).to_numpy(dtype=np.int64), 0).astype(np.int64)
    # the diff counts each record's decided amount: it must be what the plan would pay that record
    paying = plan.pay["rec"].to_numpy(dtype=np.int64)
    if not np.array_equal(amount[paying], plan.pay["amount_fen"].to_numpy(dtype=np.int64)):
        raise AidctlError("测算所计的金额与发放计划的金额不符：这是 aidctl 的缺陷，请报告")
    codes = {int(r): list(c) for r, c in zip(plan.refused["rec"], plan.refused["codes"])}
    return Side(v, plan, np.where(payable, PAYABLE, REFUSED).astype(object), amount, codes)


def _identity(v: Validation, recs: np.ndarray) -> pd.DataFrame:
    """Who and where each of `recs` is, as the change lists show them."""
    f = v.roster.frame.iloc[recs]
    tables = v.roster.tables
    table = f["table"].to_numpy()
    programme = f["programme_name"].astype(object).where(f["programme_name"].notna(), f["programme"].astype(object))
    return pd.DataFrame({
        "file": np.array([t.file for t in tables], dtype=object)[table] if len(tables) else [],
        "sheet": np.array([t.sheet for t in tables], dtype=object)[table] if len(tables) else [],
        "row": f["excel_row"].to_numpy(dtype=np.int64),
        "school": f["school"].astype(object).fillna(UNKNOWN_SCHOOL).to_numpy(),
        "county": f["v_county"].astype(object).fillna(UNKNOWN_COUNTY).to_numpy(),
        "name": f["name"].astype(object).to_numpy(),
        "id_number": f["person"].astype(object).fillna(f["id_number"].astype(object)).to_numpy(),
        "programme": programme.fillna(UNKNOWN_PROGRAMME).to_numpy(),
    })


def _records(b: Side, a: Side, b_rec, a_rec, only_b, only_a) -> pd.DataFrame:
    """Every record of either run: who, the verdict and amount under each version, and the side's
    record index (-1 where the record was not read in that run)."""
    matched = _identity(a.validation, a_rec)
    parts = [matched.assign(b_rec=b_rec, a_rec=a_rec, before=b.verdict[b_rec], after=a.verdict[a_rec],
                            amount_before=b.amount[b_rec], amount_after=a.amount[a_rec])]
    if len(only_b):
        parts.append(_identity(b.validation, only_b).assign(b_rec=only_b, a_rec=-1, before=b.verdict[only_b],
                                                            after=UNREAD, amount_before=b.amount[only_b], amount_after=0))
    if len(only_a):
        parts.append(_identity(a.validation, only_a).assign(b_rec=-1, a_rec=only_a, before=UNREAD,
                                                            after=a.verdict[only_a], amount_before=0, amount_after=a.amount[only_a]))
    out = pd.concat(parts, ignore_index=True) if len(parts) > 1 else parts[0]
    out["amount_before"] = out["amount_before"].astype(np.int64)
    out["amount_after"] = out["amount_after"].astype(np.int64)
    out["delta"] = out["amount_after"] - out["amount_before"]
    out["verdict_changed"] = (out["before"] != out["after"]).to_numpy()
    out["amount_changed"] = ((out["before"] == PAYABLE) & (out["after"] == PAYABLE) & (out["delta"] != 0)).to_numpy()
    return out


def _periods(side: Side, recs: np.ndarray) -> np.ndarray:
    period = side.validation.decisions.frame["period"].astype(object).to_numpy()
    out = np.full(len(recs), None, dtype=object)
    known = recs >= 0
    out[known] = period[recs[known]]
    return out


def _bases(side: Side, recs: np.ndarray) -> tuple[np.ndarray, np.ndarray]:
    d = side.validation.decisions.frame
    basis = np.full(len(recs), None, dtype=object)
    tier = np.full(len(recs), None, dtype=object)
    known = recs >= 0
    basis[known] = d["basis"].astype(object).to_numpy()[recs[known]]
    tier[known] = d["tier"].astype(object).to_numpy()[recs[known]]
    return basis, tier


def _changes(records: pd.DataFrame, b: Side, a: Side) -> tuple[pd.DataFrame, pd.DataFrame]:
    """The records whose verdict changes, each with what decided it (the refusing version's codes and
    the conditions it failed), and those payable under both whose amount changes."""
    def money(values: pd.Series) -> pd.Series:
        return yuan_text(values).astype(object)

    v = records[records["verdict_changed"]]
    b_rec = v["b_rec"].to_numpy(dtype=np.int64)
    a_rec = v["a_rec"].to_numpy(dtype=np.int64)
    refusing_after = (v["after"] == REFUSED).to_numpy()   # else the record was refused before (or unread)
    failed = {}
    for side, recs, pick in (("after", a_rec, refusing_after), ("before", b_rec, ~refusing_after)):
        chosen = recs[pick & (recs >= 0)]
        decisions = (a if side == "after" else b).validation.decisions
        failed[side] = dict(zip(chosen.tolist(), decisions.failed_labels(chosen))) if len(chosen) else {}
    codes, conditions = [], []
    for rb, ra, later in zip(b_rec.tolist(), a_rec.tolist(), refusing_after):
        side, rec, key = (a, ra, "after") if later else (b, rb, "before")
        codes.append(side.codes.get(rec, []))
        conditions.append(failed[key].get(rec, []))
    verdicts = v[IDENTITY].assign(
        before=v["before"].to_numpy(), after=v["after"].to_numpy(),
        amount_before=money(v["amount_before"]).where((v["before"] == PAYABLE).to_numpy(), None).to_numpy(),
        amount_after=money(v["amount_after"]).where((v["after"] == PAYABLE).to_numpy(), None).to_numpy(),
        delta=money(v["delta"]).to_numpy(),
        period_before=_periods(b, b_rec), period_after=_periods(a, a_rec),
        codes=codes, conditions=conditions,
    ).reset_index(drop=True)
    m = records[records["amount_changed"]]
    b_rec = m["b_rec"].to_numpy(dtype=np.int64)
    a_rec = m["a_rec"].to_numpy(dtype=np.int64)
    basis_b, tier_b = _bases(b, b_rec)
    basis_a, tier_a = _bases(a, a_rec)
    amounts = m[IDENTITY].assign(
        amount_before=money(m["amount_before"]).to_numpy(), amount_after=money(m["amount_after"]).to_numpy(),
        delta=money(m["delta"]).to_numpy(), basis_before=basis_b, basis_after=basis_a, tier_before=tier_b,
        tier_after=tier_a, period_before=_periods(b, b_rec), period_after=_periods(a, a_rec),
    ).reset_index(drop=True)
    return verdicts, amounts


def _groups(records: pd.DataFrame, by: list[str]) -> pd.DataFrame:
    """Per group: records, payable under each version, amounts in fen and the delta, changes."""
    r = records.assign(payable_before=(records["before"] == PAYABLE).to_numpy(),
                       payable_after=(records["after"] == PAYABLE).to_numpy(), records=1)
    out = r.groupby(by, sort=True, dropna=False)[
        ["records", "payable_before", "payable_after", "amount_before", "amount_after", "delta",
         "verdict_changed", "amount_changed"]].sum()
    out = out.rename(columns={"verdict_changed": "verdict_changes", "amount_changed": "amount_changes"})
    return out.astype("int64").reset_index()[[*by, *GROUP_COLUMNS]]


def _totals(records, by_school, by_county, by_programme, verdicts, amounts) -> dict:
    """The whole term; the sums by school, county and programme must each come to it (cross-checked
    before anything is shown or written)."""
    # exact, and refused beyond 64 bits: then no sum by school, county or programme wraps round
    before = check_sums(records["amount_before"], "调整前测算")
    after = check_sums(records["amount_after"], "调整后测算")
    delta = check_sums(records["delta"], "测算变化")
    for name, frame in (("学校", by_school), ("县区", by_county), ("资助项目", by_programme)):
        sums = (int(frame["amount_before"].sum()), int(frame["amount_after"].sum()), int(frame["delta"].sum()))
        if sums != (before, after, delta):
            raise AidctlError(f"按{name}汇总的金额与总额不符（{sums} 与 {(before, after, delta)}）：这是 aidctl 的缺陷，请报告")
    if after - before != delta:
        raise AidctlError("变化金额与两版总额之差不符：这是 aidctl 的缺陷，请报告")
    changed = int(records.loc[records["verdict_changed"] | records["amount_changed"], "delta"].sum())
    if changed != delta:   # a record that changes nothing moves no money
        raise AidctlError("变化记录的金额之和与总变化不符：这是 aidctl 的缺陷，请报告")
    return {"records": int(len(records)),
            "payable_before": int((records["before"] == PAYABLE).sum()),
            "payable_after": int((records["after"] == PAYABLE).sum()),
            "amount_before": str(yuan(before)), "amount_after": str(yuan(after)), "delta": str(yuan(delta)),
            "to_refused": int(((records["before"] == PAYABLE) & (records["after"] != PAYABLE)).sum()),
            "to_payable": int(((records["before"] != PAYABLE) & (records["after"] == PAYABLE)).sum()),
            "verdict_changes": int(len(verdicts)), "amount_changes": int(len(amounts))}
