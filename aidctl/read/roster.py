"""Read rosters into one frame: a row a record, canonical columns, and where each record came from.

Derived columns are computed here, once: normalised ID and card, cell-type flags, the vocabulary
value of each coded column, grade as a number, school type, the programme, the amount in yuan.
Checks read these; they never derive them again.
"""

from __future__ import annotations

import re
from collections.abc import Callable
from concurrent.futures import ThreadPoolExecutor
from dataclasses import dataclass
from decimal import Decimal
from pathlib import Path

import numpy as np
import pandas as pd
import pyarrow as pa

from aidctl.core import identity, money
from aidctl.core.terms import Term
from aidctl.core.text import blank_text, fold_one, lookup, one_array, per_distinct_rows, text_series
from aidctl.read.schools import school_attributes
from aidctl.read.tables import Table, having_column, read_tables
from aidctl.read.workspace import Workspace
from aidctl.rulebook import Rulebook

TWO_DIGIT_YEARS_FROM = 2_000  # "11级" is the cohort of 2011: rosters of this century


@dataclass
class Roster:
    """All records of the rosters read together, and the tables they came from."""

    frame: pd.DataFrame
    tables: list[Table]
    term: Term

    def present(self, column: str) -> pd.Series:
        """True for records whose table has `column`."""
        return having_column(self.frame, self.tables, column)

    def file_info(self) -> list[dict]:
        """The files list of validate: each table with the rows dropped and why, the hidden rows read
        and the workbook's hidden sheets (not read)."""
        return [t.info(detailed=True) for t in self.tables]


def read_roster_tables(paths: list[Path], rules: Rulebook, displays: list[str] | None = None,
                       started: Callable[[], object] | None = None) -> list[Table]:
    """The roster tables of every file, in the order given. Files are read by worker processes, one
    a core (read.parallel: AIDCTL_WORKERS sets how many), and taken back in that order: the first
    unreadable file in that order is the one reported, and the tables are the same whatever the
    number of workers. `started` is called once the workers run (parallel.in_order)."""
    from aidctl.core import progress
    from aidctl.read.parallel import in_order, workers

    displays = displays or [str(p) for p in paths]
    items = [(path, display, "roster", rules, True, True) for path, display in zip(paths, displays)]
    out: list[Table] = []
    with progress.track("读取花名册", files=len(paths)) as bar:
        for tables in in_order(read_tables, items, workers(len(paths)), [_size(path) for path in paths],
                               started):
            out.extend(tables)
            bar.advance(files=1, rows=sum(t.records for t in tables))
    return out


def _size(path: Path) -> int:
    """A file's size in bytes, for sharing files among workers (0 where it cannot be seen: the
    reader reports it)."""
    try:
        return path.stat().st_size
    except OSError:
        return 0


def build(tables: list[Table], term: Term, ws: Workspace) -> Roster:
    """Stack the tables into the roster frame and derive what the checks need."""
    rules = ws.rules
    spec = rules.columns.tables["roster"]
    frame = _stacked(tables, rules, ws)
    for key in spec.columns:
        if key not in frame.columns:
            frame[key] = blank_text(len(frame), frame.index)
    if "amount_unit" not in frame.columns:
        frame["amount_unit"] = Decimal(1)
    for key in ("id_number_number_cell", "card_number_cell"):
        if key not in frame.columns:
            frame[key] = False
        frame[key] = frame[key].fillna(False).astype(bool)
    frame["table"] = frame["table"].astype("int64") if len(frame) else pd.Series(dtype="int64")
    _derive(frame, rules, term, ws)
    return Roster(frame, tables, term)


def _stacked(tables: list[Table], rules: Rulebook, ws: Workspace) -> pd.DataFrame:
    """The tables' data one under another, with what each record takes from its table: `table`,
    `excel_row`, `amount_unit`, the number-cell masks, and the programme and school its title names
    where the table has no such column. Made whole-frame: a term is a thousand small tables."""
    if not tables:
        return pd.DataFrame()
    sizes = np.array([t.records for t in tables], dtype=np.int64)
    excel_row = np.concatenate([np.asarray(t.excel_rows, dtype=np.int64) for t in tables])
    frame = _concat_text(tables, int(sizes.sum()))
    frame.insert(0, "excel_row", excel_row)
    frame.insert(0, "table", np.repeat(np.arange(len(tables), dtype=np.int64), sizes))
    units = np.empty(len(tables), dtype=object)
    units[:] = [t.columns["amount"].unit if "amount" in t.columns else Decimal(1) for t in tables]
    frame["amount_unit"] = np.repeat(units, sizes)
    for key in ("id_number", "card"):
        frame[f"{key}_number_cell"] = np.concatenate(
            [np.asarray(t.big_numbers[key], dtype=bool) if t.big_numbers.get(key) is not None
             else np.zeros(t.records, dtype=bool) for t in tables])
    programmes = _programme_words(rules)
    for key, from_title in (("programme", lambda t: _programme_from_title(t, rules, programmes)),
                            ("school", lambda t: _school_from_title(t, rules, ws))):
        found = {i: from_title(t) for i, t in enumerate(tables) if key not in t.columns}  # the tables lacking it
        if not any(found.values()):
            continue
        given = pa.array([found.get(i) for i in range(len(tables))], type=pa.large_string())
        fill = text_series(given.take(pa.array(np.repeat(np.arange(len(tables)), sizes))), frame.index)
        frame[key] = frame[key].fillna(fill) if key in frame.columns else fill
    return frame


def _concat_text(tables: list[Table], length: int) -> pd.DataFrame:
    """The tables' text columns one under another, each column one Arrow array (blank where a table
    lacks it): pandas' concat of a thousand small frames costs several times more, and so does
    gathering the columns table by table in Python. Columns are taken by name, never by position,
    in the order they first appear."""
    text = pa.large_string()
    whole = pa.concat_tables([t.cells for t in tables], promote_options="permissive")
    columns = {}
    for key, column in zip(whole.column_names, whole.columns):
        column = column if column.type == text else column.cast(text)
        merged = one_array(column) if column.num_chunks else pa.nulls(0, text)  # one table (a big file): shared
        columns[key] = text_series(merged, pd.RangeIndex(length))
    return pd.DataFrame(columns, index=pd.RangeIndex(length))


def _programme_words(rules: Rulebook) -> list[tuple[str, str]]:
    """Every programme's name and aliases as written, with their folded form."""
    names = []
    for name, prog in rules.programmes.programmes.items():
        names += [name, *prog.aliases]
    return [(n, fold_one(n)) for n in names if fold_one(n)]


def _programme_from_title(t: Table, rules: Rulebook, words: list[tuple[str, str]] | None = None) -> str | None:
    text = fold_one(" ".join(t.above))
    hits = [(n, f) for n, f in (words if words is not None else _programme_words(rules)) if f in text]
    return max(hits, key=lambda h: len(h[1]))[0] if hits else None


_SPACED_OUT = re.compile(r"[\u3400-\u9fff](?:[ \u3000]+[\u3400-\u9fff])+(?=\s|$)")


def _school_from_title(t: Table, rules: Rulebook, ws: Workspace) -> str | None:
    prefixes = "|".join(re.escape(p) for p in rules.vocabulary.rows.school_prefixes)
    for line in t.above:
        m = re.search(rf"(?:{prefixes})\s*[:：]\s*", line)
        # the name: up to the next space (fields share a line: 填报单位：一中 联系人 …), or a name spaced
        # out a character at a time (一 职 中), which the first space would cut to 一
        name = (_SPACED_OUT.match(line, m.end()) or re.compile(r"\S+").match(line, m.end())) if m else None
        if name:
            return re.sub(r"[(（].*?[)）]$", "", fold_one(name.group(0))) or None
    for line in t.above:  # "第一职业中学2011年秋季学期…"
        m = re.match(r"^\s*(\S+?)\s*\d{4}\s*年", line)
        if m and len(m.group(1)) >= 3:
            return fold_one(m.group(1))
    if ws.schools is not None:  # a known school named in the title or the file name
        text = fold_one(" ".join(t.above)) + fold_one(t.path.stem)
        known = [n for n in ws.schools["school"].astype(object) if n and n in text]
        if known:
            return max(known, key=len)
    return None


def _derive(frame: pd.DataFrame, rules: Rulebook, term: Term, ws: Workspace) -> None:
    vocab = rules.vocabulary
    # The ID columns are derived on a second core (mostly numpy and Arrow kernels, which run without
    # the GIL) while this thread settles the cards and the coded columns; each side reads its own
    # input columns and nothing is written to the frame until both are done.
    with ThreadPoolExecutor(max_workers=1) as pool:
        people = pool.submit(_people, frame[["id_number", "id_number_number_cell"]], rules.term_start(term))
        coded = {
            "v_gender": lookup(frame["gender"], vocab.gender),
            "v_household": lookup(frame["household"], vocab.household),
            "v_difficulty": lookup(frame["difficulty"], vocab.difficulty),
            "v_agricultural": lookup(frame["agricultural"], vocab.yes_no),
            "v_pay": lookup(frame["pay"], vocab.yes_no),
            "v_status": lookup(frame["status"], {"enrolled": vocab.status.enrolled,
                                                 "not_enrolled": vocab.status.not_enrolled}),
            **dict(zip(["v_grade", "grade_class_of"], _grades(frame["grade"], rules, term))),
        }
        coded.update(school_attributes(frame, rules, ws).items())
        # the cell × its header's unit (元/万元), exact; NA and not ok where blank, not a number, or
        # holding a part below one fen
        amounts = dict(zip(["amount_yuan", "amount_fen", "amount_ok"],
                           money.parse(frame["amount"], frame["amount_unit"])))
        card = identity.clean_card(frame["card"])
        cards = identity.bank_cards(card, frame["card_number_cell"]).assign(card=card)
        derived = people.result()
    for col, values in [*derived.items(), *cards.items(), *coded.items(), *amounts.items()]:
        frame[col] = values
    frame["programme_name"] = _resolve_programmes(frame, rules)
    single_type = {n: p.school_types[0] for n, p in rules.programmes.programmes.items()
                   if len(p.school_types) == 1}
    frame["v_school_type"] = per_distinct_rows(frame, ["v_school_type", "programme_name"],
                                               lambda known, programme: (known or single_type.get(programme),),
                                               ["v_school_type"])["v_school_type"]


def _people(cells: pd.DataFrame, term_start) -> pd.DataFrame:
    """The ID columns (identity.resident_ids), the age at term start and the person
    (identity.person): computed once for the checks and the payment plan."""
    ids = identity.resident_ids(cells["id_number"], cells["id_number_number_cell"], term_start)
    births = ids["birth_date"]
    start = pd.Timestamp(term_start)
    age = start.year - births.dt.year - ((births.dt.month * 100 + births.dt.day)
                                          > start.month * 100 + start.day).astype("Int64")
    return ids.assign(age=age.where(ids["id_valid"]).astype("Int64"), person=identity.person(ids))


def _grades(grade: pd.Series, rules: Rulebook, term: Term) -> tuple[pd.Series, pd.Series]:
    """Year of study from 一年级 / 高二 / 2011级 (the cohort that entered in that school year); and, for
    a grade written as a year with a class_of suffix (2011届) whose meaning the rules leave undecided
    (rules/vocabulary.yaml grades.class_of_means), the suffix: no year of study is read from it
    (check.people: grade.ambiguous). With class_of_means: entry, 2011届 is read as 2011级."""
    vocab = rules.vocabulary.grades
    words = {fold_one(k).upper(): v for k, v in vocab.words.items()}
    class_of = list(dict.fromkeys(fold_one(s).upper() for s in vocab.class_of_suffixes))
    cohort = [s for s in dict.fromkeys(fold_one(s).upper() for s in vocab.cohort_suffixes) if s not in class_of]
    if vocab.class_of_means == "entry":
        cohort, class_of = cohort + class_of, []
    year_suffix = re.compile(r"^(\d{2}|\d{4})(" + "|".join(map(re.escape, sorted(cohort + class_of, key=len,
                                                                                reverse=True))) + r")$") \
        if cohort or class_of else None
    school_year = rules.school_year(term)

    def year_of_study(text: str):
        key = fold_one(text).upper()
        if key in words:
            return words[key], None
        m = year_suffix.match(key) if year_suffix else None
        if m is None:
            return None, None
        if m.group(2) in class_of:
            return None, m.group(2)
        year = int(m.group(1)) + (TWO_DIGIT_YEARS_FROM if len(m.group(1)) == 2 else 0)
        return (school_year - year + 1 if school_year >= year else None), None

    codes, uniques = pd.factorize(grade)   # a handful of distinct grades among many rows: each read once
    read = [year_of_study(u) for u in uniques]
    study = pd.array([y for y, _ in read] + [None], dtype="Int64")[codes]
    suffix = pd.array([s for _, s in read] + [None], dtype="string[pyarrow]")[codes]
    return pd.Series(study, index=grade.index), pd.Series(suffix, index=grade.index)


def _resolve_programmes(frame: pd.DataFrame, rules: Rulebook) -> pd.Series:
    """Canonical programme per record from the name as written and the school type; None if unknown.
    A name several programmes share (国家助学金) is settled by the school type."""
    progs = rules.programmes.programmes
    by_word: dict[str, list[str]] = {}
    for name, prog in progs.items():
        for word in [name, *prog.aliases]:
            if name not in by_word.setdefault(fold_one(word), []):
                by_word[fold_one(word)].append(name)

    def resolve(text, school_type):
        if text is None:
            return (None,)
        cands = by_word.get(text, [])
        if len(cands) > 1:
            cands = [c for c in cands if school_type in progs[c].school_types]
        return (cands[0] if len(cands) == 1 else None,)

    return per_distinct_rows(frame, ["programme", "v_school_type"], resolve, ["programme_name"])["programme_name"]
