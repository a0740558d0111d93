"""The findings frame, on the finding catalogue of `catalogue` (codes, severities, titles).

A check returns a frame with one row per finding: `rec` (the roster record it concerns, or -1 for a
whole file), `column` (canonical column name or None), `code`, `message`, `value`. `finalise` adds the
location (file, sheet, Excel row, header as written) and the severity in force.
"""

from __future__ import annotations

import re

import numpy as np
import pandas as pd
import pyarrow as pa
import pyarrow.compute as pc

from aidctl.core.catalogue import CATALOGUE, ERROR, WARNING, catalogue_doc  # noqa: F401  (named here too)
from aidctl.core.text import NOT_A_DIGIT, arrow_text, digit_like_marks, holds_digit_like, per_distinct


def school_errors(findings: pd.DataFrame) -> pd.Series:
    """True for the findings that are errors of the school: severity error, and not the ledger's
    state (ledger.already_paid), which no school can correct."""
    not_schools = [c for c, t in CATALOGUE.items() if not t.school_fault]
    return (findings["severity"] == ERROR) & ~findings["code"].isin(not_schools)


class FindingCounts:
    """`errors` and `warnings` of an outcome that holds a findings frame with a severity column."""

    findings: pd.DataFrame

    @property
    def errors(self) -> int:
        return int((self.findings["severity"] == ERROR).sum())

    @property
    def warnings(self) -> int:
        return int((self.findings["severity"] == WARNING).sum())


FINDING_COLUMNS = ["rec", "table", "column", "code", "message", "value"]


_EMPTY: pd.DataFrame | None = None


def empty() -> pd.DataFrame:
    """A findings frame with no finding. Most checks of a clean roster return one, so it is copied
    from one made once (a copy costs a thirtieth of building it)."""
    global _EMPTY
    if _EMPTY is None:
        _EMPTY = pd.DataFrame({c: pd.Series(dtype="object") for c in FINDING_COLUMNS})
    return _EMPTY.copy()


def build(mask: pd.Series | np.ndarray, code: str, column: str | None, message: str,
          value: pd.Series | None = None, **parts: pd.Series | str) -> pd.DataFrame:
    """Findings for the records where `mask` holds.

    `message` is a template whose `{name}` placeholders are filled from `parts` (Series aligned with
    the roster, or plain text); only the flagged records are rendered, so a check costs little when
    few records fail. `value` is the cell content to report.
    """
    assert code in CATALOGUE, code
    idx = np.flatnonzero(np.asarray(mask, dtype=bool))
    if len(idx) == 0:
        return empty()
    # parts may be whole-roster Series or Series of just the flagged records (same labels)
    picked = {k: (v.reindex(idx) if isinstance(v, pd.Series) else v) for k, v in parts.items()}
    return pd.DataFrame({
        "rec": idx.astype("int64"),
        "column": column,
        "code": code,
        "message": pd.array(text(message, len(idx), **picked), dtype="str"),  # what pandas infers from text
        "value": value.reindex(idx).astype(object).to_numpy() if value is not None else None,
    })


def malformed_number(malformed: np.ndarray, code: str, column: str, values: pd.Series, what: str,
                     shape: str, marked: str, **parts: pd.Series | str) -> list[pd.DataFrame]:
    """`code` for the records whose number `what` (身份证号码, 银行卡号) in `values` is `malformed`, in
    two messages: `shape` for a number of the wrong form, `marked` (what to write instead) for one
    holding a footnote mark (4201…①, 6222…¹), which is never read as a digit."""
    with_mark = malformed & holds_digit_like(values)
    return [build(malformed & ~with_mark, code, column, what + shape, values, v=values, **parts),
            build(with_mark, code, column, what + "“{v}”中的{m}" + NOT_A_DIGIT + "：" + marked, values, v=values,
                  m=per_distinct(values.where(with_mark), digit_like_marks))]


def file_finding(rec_file: int, code: str, column: str | None, message: str,
                 severity: str | None = None) -> pd.DataFrame:
    """A finding about a whole file/sheet (row is null); `rec_file` indexes the table list. A
    `severity` given here replaces the catalogue's default for this one finding (a code such as
    schema.ambiguous_column is a warning when a rule settled it)."""
    frame = pd.DataFrame({"rec": [-1], "table": [rec_file], "column": [column], "code": [code],
                          "message": [message], "value": [None]})
    if severity is not None:
        frame["severity"] = severity
    return frame


def severities(f: pd.DataFrame, severity) -> pd.Series:
    """Each finding's severity: its own where it carries one (schema.ambiguous_column settled by a
    rule is a warning), else the catalogue's, through `severity(code, default)` (the rules' overrides)."""
    default = pd.Series(per_code(f["code"], {c: severity(c, t.severity) for c, t in CATALOGUE.items()}),
                        index=f.index)
    return f["severity"].where(f["severity"].notna(), default) if "severity" in f.columns else default


def per_code(codes: pd.Series, table: dict) -> np.ndarray:
    """`table[code]` for each finding's code (NaN for a code not in it), looked up once per distinct
    code: a term paid already has a finding a record, and Series.map looks up every one."""
    at, distinct = pd.factorize(codes)
    looked = [table.get(c, np.nan) for c in distinct]
    return np.array(looked + [np.nan], dtype=object if any(isinstance(v, str) for v in looked) else float)[at]


def group_places(group: pd.Series, place: pd.Series, shown: int = 3) -> pd.DataFrame:
    """A group of records (id.duplicate: one person; card.shared: one card) described once, however
    large: indexed by group, `places` holds the first `shown` of its `place`s in the order given, joined
    by "；", with "……" and how many more when there are more; `count` how many it holds. Messages made
    from it stay short, and the cost linear in the records: a message that listed every place of its
    group made 2,000 copies of one student cost 2,000² places."""
    if len(group) == 0:
        return pd.DataFrame({"places": pd.Series(dtype=object), "count": pd.Series(dtype="Int64")})
    codes, keys = pd.factorize(group)
    frame = pd.DataFrame({"code": codes, "place": place.to_numpy(dtype=object)})
    count = np.bincount(codes, minlength=len(keys))
    first = frame[frame.groupby("code").cumcount().to_numpy() < shown]
    joined = first.groupby("code")["place"].agg("；".join).reindex(range(len(keys))).fillna("")
    joined = joined.to_numpy(dtype=object)
    more = count - np.minimum(count, shown)
    tail = np.where(more > 0, np.where(joined != "", "；", "") + "……另有" + more.astype(str).astype(object) + "处", "")
    return pd.DataFrame({"places": joined + tail, "count": pd.array(count, dtype="Int64")}, index=keys)


def text(template: str, length: int, **parts: pd.Series | str) -> pa.Array:
    """Fill `{name}` placeholders from aligned Series (NA shows as 空) or plain text: each record's
    text, joined by Arrow (no Python string a record)."""
    pieces: list = []
    for i, piece in enumerate(re.split(r"\{(\w+)\}", template)):
        value = piece if i % 2 == 0 else parts[piece]
        pieces.append(arrow_text(value.astype("string").fillna("空")) if isinstance(value, pd.Series)
                      else pa.scalar(value, pa.large_string()))
    pieces[0] = pa.repeat(pieces[0], length) if isinstance(pieces[0], pa.Scalar) else pieces[0]
    return pc.binary_join_element_wise(*pieces, pa.scalar("", pa.large_string()))
