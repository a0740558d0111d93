"""Find a sheet's header: its row, the group header merged above it, and which column stands for
each field, by a rule that is written down (README "Which column is read").

Headers are one row, or two: a group header merged over sub-columns ("学生信息" over 姓名 | 性别 |
身份证号, "银行卡信息" over 开户银行 | 卡号, "资助金额（元）" over its sub-columns), with the columns
that have no sub-heading (年级, 户口性质) merged down across both rows. Merged ranges are already
filled in the grid (workbook.RawSheet), so a header merged down shows in the lower row too.

Each column of the header row may stand for a field through its own header, through a bracketed
remark dropped ("身份证号码（必填）"), or through the group header above it. When several columns
stand for one field, the choice is made in `settle` once the data rows are known.
"""

from __future__ import annotations

import re
import unicodedata
from dataclasses import dataclass, field, replace
from decimal import Decimal

import pyarrow as pa

from aidctl.core.text import fold_arrow, fold_one, missing
from aidctl.read.workbook import Head, RawSheet
from aidctl.rulebook import TableSpec

HEADER_SEARCH_ROWS = 30  # how far down a sheet a header may start
CODE_LENGTH = 8          # a cell of this many ASCII letters and digits is a code (an ID, a card), no header
MEMO_LIMIT = 100_000     # header texts decided, kept for the next sheets (a few MB at most)
_UNIT_RE = re.compile(r"^(.*?)[(\[]\s*(?:单位[:：])?\s*([^()\[\]]*?)\s*[)\]]$")
MARKERS = r"^[*＊★※#]+"   # before a header (*姓名): dropped (the same in Python's re and Arrow's RE2)
_MARKERS_RE = re.compile(MARKERS)
_PER_UNIT_RE = re.compile(r"^(.*?)[/／](元|万元|千元)$")
_NUMERALS = "零〇一二两三四五六七八九壹贰叁肆伍陆柒捌玖"   # a unit after one of these is an amount's (两千元)

# How firmly a column stands for its field: the higher wins a contest.
QUALIFIED = 0   # its remark or group header names another person or an old value: never read as it
INDIRECT = 1    # through a dropped remark, or through the group header alone
EXACT = 2       # its own header (a unit, line breaks and * markers aside) or group + sub-heading
PREFERRED = 3   # exactly one of the field's `preferred` aliases


@dataclass
class ColumnMatch:
    """Where a canonical column stands in a sheet and how its header was written."""

    key: str
    index: int
    header: str
    unit: Decimal = Decimal(1)
    level: int = EXACT
    hidden: bool = False
    qualifier: str | None = None   # the word that set it aside (监护人, 旧 …)
    unit_stated: bool = False      # its header, or the sheet's 单位： line, states its unit
    unknown_unit: str | None = None   # a money column whose stated unit the rules do not know (百万元)
    unit_line: int | None = None   # the Excel row of the sheet's 单位： line its unit came from (None: its header)
    # a money column whose header states no unit while the sheet's 单位： lines state two (第2行“单位：元”、
    # 第9行“单位：万元”, above and below the table): which one its figures are in is not known
    unit_conflict: str | None = None


@dataclass(frozen=True)
class UnitLine:
    """A cell of the sheet outside the table's records that states the unit of its money (单位：万元,
    金额单位：元, 注：1.单位：万元): its Excel row, its text, the unit (None when it names a unit of
    money the rules do not know, 百万元, or more than one, 单位：元、万元), and whether it lies below
    the header (a 合计 or 制表人 row, a note under the table)."""

    row: int
    text: str
    unit: Decimal | None
    below: bool = False
    # the cell names a unit of money (万元) in no form that says which columns it is the unit of
    # (事业收入：万元, 注：事业收入为万元): their unit is unknown, never 元
    unclear: bool = False

    def shown(self) -> str:
        """表格下方第9行“单位：万元”."""
        return f"{'表格下方' if self.below else '表头上方'}第{self.row}行“{self.text}”"


@dataclass
class Header:
    """A sheet's header: the (lower) header row, the group-header row above it if any, and every
    column that may stand for each field (best first)."""

    row: int
    parent_row: int | None
    candidates: dict[str, list[ColumnMatch]]
    header_cells: dict[int, str] = field(default_factory=dict)   # column → lower header, folded
    parent_cells: dict[int, str] = field(default_factory=dict)   # column → group header, folded
    unit_lines: list[UnitLine] = field(default_factory=list)     # the 单位： lines above the header

    def first_choice(self) -> dict[str, ColumnMatch]:
        """Each field's best candidate (the leftmost among equals), before the data rows are seen."""
        return {k: c[0] for k, c in self.candidates.items() if c and c[0].level > QUALIFIED}


def split_header_remarks(text: object, units: dict[str, Decimal]) -> tuple[str, Decimal | None, list[str]]:
    """('资助金额', 10000, []) for '资助金额（万元）'; ('身份证号', None, ['监护人']) for '身份证号（监护人）'."""
    folded = _MARKERS_RE.sub("", fold_one(text))
    unit, remarks = None, []
    m = _UNIT_RE.match(folded)
    while m:
        inner = m.group(2)
        if inner in units:
            unit = units[inner]
        elif inner:
            remarks.append(inner)
        folded = m.group(1)
        m = _UNIT_RE.match(folded)
    m = _PER_UNIT_RE.match(folded)
    if m and m.group(2) in units:
        folded, unit = m.group(1), units[m.group(2)]
    return folded, unit, remarks


def _spaced(word: str) -> str:
    """A rules' word as a pattern that also finds it typed with spaces between its characters (单 位)."""
    return r"\s*".join(re.escape(ch) for ch in fold_one(word))


def alias_table(spec: TableSpec) -> dict[str, str]:
    out: dict[str, str] = {}
    for key, col in spec.columns.items():
        for alias in [col.title, *col.aliases]:
            out.setdefault(fold_one(alias).upper(), key)
    return out


class _Matcher:
    """Maps header text to fields for one table spec (aliases, preferred spellings, qualifiers)."""

    def __init__(self, spec: TableSpec, units: dict[str, Decimal], words):
        self.spec = spec
        self.units = units
        self.aliases = alias_table(spec)
        self.preferred = {(key, fold_one(p).upper()) for key, col in spec.columns.items() for p in col.preferred}
        self.other_person = [fold_one(w) for w in words.other_person] if words else []
        self.person_fields = set(words.person_fields) if words else set()
        self.old_value = [fold_one(w) for w in words.old_value] if words else []
        self.other_period = [fold_one(w) for w in spec.other_period]
        self.this_period = [fold_one(w) for w in spec.this_period]
        self.period_shown = spec.other_period_shown
        self.money_suffix = tuple(fold_one(w) for w in words.money_unit_suffix) if words else ()
        self._unit_patterns(words, units)
        self.seen: dict[tuple[object, str | None], tuple | None] = {}
        self.own: dict[object, tuple | None] = {}   # cell → match(cell, None), for own_hits
        self.code_aliases = any(len(a) >= CODE_LENGTH and a.isascii() and a.isalnum() for a in self.aliases)

    def key_of(self, text: str) -> str | None:
        return self.aliases.get(text.upper()) if text else None

    def unknown_unit(self, texts: list[str]) -> str | None:
        """The first text that states a unit of money (it ends in 元, holds no digit) the rules do
        not know: 百万元, 美元; a remark such as 每生1500元 is no unit."""
        return next((t for t in texts if t not in self.units and (self._figure(t) or self.money_suffix and
                     t.endswith(self.money_suffix) and not any(ch.isdigit() for ch in t))), None)

    def _figure(self, text: str) -> bool:
        """Whether `text` is the figure of a unit alone (万, 百万: header_words.unit_figures)."""
        return self.figures is not None and self.figures.fullmatch(text) is not None

    def _unit_patterns(self, words, units: dict[str, Decimal]) -> None:
        """The patterns of a cell that states a unit of money (columns.yaml `header_words`)."""
        self.unit_line = self.unit_phrase = self.unit_alone = self.unit_words = self.currency = None
        self.unit_named = None
        self.unit_stems: set[str] = set()
        figures = sorted((fold_one(w) for w in words.unit_figures if w), key=len, reverse=True) if words else []
        self.figures = re.compile("(?:" + "|".join(map(re.escape, figures)) + ")+") if figures else None
        if not self.money_suffix:
            return
        suffix = "|".join(re.escape(w) for w in self.money_suffix)
        labels = "|".join(_spaced(w) for w in sorted(words.unit_line, key=len, reverse=True))
        joiners = "|".join(_spaced(w) for w in sorted(words.unit_line_joiners, key=len, reverse=True))
        currency = sorted((unicodedata.normalize("NFKC", w) for w in words.currency_words if w), key=len, reverse=True)
        self.currency = re.compile("|".join(re.escape(w) for w in currency), re.IGNORECASE) if currency else None
        self.unit_stems = {u[:-len(s)] for u in units for s in self.money_suffix if u.endswith(s) and len(u) > len(s)}
        named = "|".join(re.escape(u) for u in sorted([*units, *self.unit_stems], key=len, reverse=True))
        if labels:
            # a 单位 word at the start of the cell or after a space, a bracket, a colon or a semicolon
            # (（单位：万元）, 注：1.单位：万元;, 制表人：张三  单位：万元), never inside a word (填报单位：…),
            # then a colon, a joiner (单位为万元), a slash, a bracket, a space, or the unit itself
            # (单位万元; not 单位名称); what it states runs to the next ; or 。
            then = rf"(?:\s*(?:[:/(]|{joiners}))+\s*|\s+|(?=(?:{named}))" if joiners else \
                rf"(?:\s*[:/(])+\s*|\s+|(?=(?:{named}))"
            self.unit_line = re.compile(rf"(?:^|[\s:;。,，(\[【])(?:\(?\d+[.、)]\s*)?(?:{labels})(?:{then})([^;。]+)")
        phrases = [_spaced(a) + r"\s*([^\d;。,，、:()]{1,6}?)\s*" + _spaced(b)
                   for a, b in (p.split("{}") for p in words.unit_phrases)]
        self.unit_phrase = re.compile("|".join(phrases)) if phrases else None
        # a cell that is a unit alone ((万元), 万元; (百万元), (美元): a unit the rules do not know) or ends
        # in a bracketed one the rules know (…提取情况（万元）); 张元 or 制表人（张元） is a name
        known = "|".join(re.escape(u) for u in sorted(units, key=len, reverse=True))
        self.unit_alone = re.compile(rf"^\(\s*([^\d()\[\]\s:;,，、。]{{0,3}}(?:{suffix}))\s*\)$"
                                     rf"|^\(?\s*({known})\s*\)?$|\(\s*({known})\s*\)$")
        self.unit_words = re.compile("|".join(x for x in (labels, suffix) if x))   # a cell that may state one
        # a unit of the rules other than the bare suffix (万元, not 元: 张元 is a name), standing as a
        # unit: not after a figure (2000万元, 两千元 are amounts), nor before one (总金额（万元）：0.2249, a
        # figure's own unit), nor leading a word (万元村)
        larger = [u for u in units if u.endswith(self.money_suffix) and u not in self.money_suffix]
        if larger:
            self.unit_named = re.compile(rf"(?<![\d.{_NUMERALS}{''.join(figures)}])(?:{'|'.join(map(re.escape, larger))})"
                                         rf"(?![\u4e00-\u9fff])(?!\)?:?[\d.])")

    def unit_lines(self, cells, below: bool = False) -> list[UnitLine]:
        """The cells of `cells` ((Excel row, value) pairs) that state a unit of money: 单位：万元,
        （单位：万元）, 单位为万元, 单位（万元）, 金额以万元为单位 and （万元） state 万元; 单位：人、万元 states
        万元 (人 is no money), 单位：万元（保留两位小数） and 单位：人民币万元 state 万元; 单位：万 states a unit
        the rules do not know; 单位：见各列, 填报单位：… and 单位名称：… state none."""
        if self.unit_words is None:
            return []
        out = []
        for row, value in cells:
            text = unicodedata.normalize("NFKC", value) if isinstance(value, str) else ""
            if self.unit_words.search(text) is None:
                continue
            bare = self.currency.sub("", text) if self.currency else text
            stated = self._stated(bare)
            if stated:
                units = set(stated.values())
                out.append(UnitLine(row, str(value).strip(), units.pop() if len(units) == 1 else None, below))
            elif self.unit_named is not None and self.unit_named.search(re.sub(r"\s+", "", bare)):
                out.append(UnitLine(row, str(value).strip(), None, below, unclear=True))
        return out

    def states_unit(self, value: object) -> bool:
        """Whether a cell states a unit of money (unit_lines)."""
        return bool(self.unit_lines([(0, value)]))

    def _stated(self, text: str) -> dict[str, Decimal | None]:
        """The units of money `text` states (None: one the rules do not know)."""
        stated: dict[str, Decimal | None] = {}
        said = [m.group(1) for m in self.unit_line.finditer(text)] if self.unit_line else []
        if self.unit_phrase:
            said += [next(g for g in m.groups() if g is not None) for m in self.unit_phrase.finditer(text)]
        for words in said:
            for part in re.split(r"[、，,/:;\s()\[\]【】]+", re.sub(r"\([^()]*\)", "", words)):
                if any(ch.isdigit() for ch in part):
                    continue  # a figure with its unit (资助金额：750元) is an amount, not the unit of a column
                if part.endswith(self.money_suffix) or part in self.unit_stems or self._figure(part):
                    stated[part] = self.units.get(part)
        if not stated and self.unit_alone is not None:
            m = self.unit_alone.search(text.strip())
            if m:
                part = next(g for g in m.groups() if g is not None)
                stated[part] = self.units.get(part)
        return stated

    def sheet_unit(self, head: Head, above: int, groups: dict[int, str] | None = None) -> list[UnitLine]:
        """The lines above the header (rows 1 to `above` - 1) that state a unit of money; the group
        headers of a two-row header (`groups`, in the row above it: 校内资助资金（单位：万元） over its
        sub-columns) are headers, whose unit is their sub-columns' alone, not lines."""
        skip = {(above - 1, c) for c in groups or {}}
        return self.unit_lines((row, value) for row in range(1, above) for c, value in head.row(row).items()
                               if (row, c) not in skip)

    def qualifier(self, key: str, texts: list[str]) -> str | None:
        """The word of `texts` (a header's remarks, its group header) that says the column is not the
        student's own current value of `key`: another person's, an old value, a yearly figure."""
        words = self.old_value + (self.other_person if key in self.person_fields else [])
        word = next((w for t in texts for w in words if w and w in t), None)
        if word is None and self.spec.columns[key].kind == "money":
            yearly = next((w for t in texts for w in self.other_period if w and w in t), None)
            if yearly and any(w and w in t for t in texts for w in self.this_period):
                return None  # 资助金额（2011-2012学年第一学期）: the term's own
            return self.period_shown or yearly if yearly else None
        return word

    def match(self, cell: object, parent: str | None) -> tuple[str, int, Decimal | None, str | None, bool, str | None] | None:
        """(field, level, unit, qualifier, through the group header?, unknown unit) for a header cell and the group
        header above it, or None when neither names a field. Decided once per pair of texts: the
        files of a term repeat their headers, and the header search meets each text again."""
        if parent is None and isinstance(cell, str) and len(cell) >= CODE_LENGTH and cell.isascii() \
                and cell.isalnum() and not self.code_aliases:
            return None  # an ID, a card or a 学籍号 in a data row: no header is written so
        key = (cell, parent)
        if key not in self.seen:
            if len(self.seen) > MEMO_LIMIT:
                self.seen.clear()
            self.seen[key] = self._match(cell, parent)
        return self.seen[key]

    def own_hits(self, cells) -> list[tuple | None]:
        """`match(cell, None)` of each cell, from a table of the cells met before: the header search
        looks at every cell of a sheet's first rows, and a term's files repeat most of them."""
        own = self.own
        hits = [own.get(cell, self) for cell in cells]
        if self in hits:
            if len(own) > MEMO_LIMIT:
                own.clear()
            hits = [own[cell] if cell in own else own.setdefault(cell, self.match(cell, None)) for cell in cells]
        return hits

    def _match(self, cell: object, parent: str | None) -> tuple[str, int, Decimal | None, str | None, bool, str | None] | None:
        base, unit, remarks = split_header_remarks(cell, self.units) if not missing(cell) else ("", None, [])
        p_base, p_unit, p_remarks = split_header_remarks(parent, self.units) if parent else ("", None, [])
        via_parent = False
        key, level = self.key_of(fold_one(cell)) if not missing(cell) else None, EXACT
        if key is None and base:
            key, level = self.key_of(base), (INDIRECT if remarks else EXACT)
        if key is None and p_base and base:  # 资助金额 over 本学期: 本学期资助金额
            key, via_parent = self.key_of(p_base + base) or self.key_of(base + p_base), True
        if key is None and p_base:
            key, level, via_parent = self.key_of(p_base), INDIRECT, True
        if key is None:
            return None
        if level == EXACT and not via_parent and (key, base.upper()) in self.preferred:
            level = PREFERRED
        word = self.qualifier(key, [*remarks, *p_remarks, p_base])
        unknown = self.unknown_unit([*remarks, *p_remarks]) if self.spec.columns[key].kind == "money" else None
        return key, (QUALIFIED if word else level), unit or p_unit, word, via_parent, unknown


def _horizontal_fills(sheet: RawSheet, row: int) -> set[int]:
    """Columns of `row` whose value came from a merged range further left (not the range's first
    column): the value belongs to the first column only."""
    out: set[int] = set()
    for r1, c1, r2, c2 in sheet.merges:
        if r1 <= row <= r2 and c2 > c1:
            out.update(range(c1 + 1, c2 + 1))
    return out


def _group_parents(sheet: RawSheet, head: Head, row: int, width: int) -> dict[int, str]:
    """Column → the group header merged across it in the row above `row`: a range of that row that
    spans two or more columns but not the whole header, in a row that holds more than one value (a
    title, merged or not, is the only text of its row)."""
    out: dict[int, str] = {}
    above = row - 1
    ranges = [(c1, c2) for _, c1, r2, c2 in sheet.merges if r2 == above and c2 > c1 and (c2 - c1 + 1) < width]
    cells = head.row(above) if ranges else {}
    if len(set(cells.values())) < 2:
        return out
    for c1, c2 in ranges:
        text = cells.get(c1)
        if text is not None:
            for c in range(c1, c2 + 1):
                out[c] = str(text)
    return out


def _candidates(sheet: RawSheet, row: int, lower: dict[int, object], columns: list[int], matcher: _Matcher,
                head: Head, parents: dict[int, str] | None = None) -> tuple[dict[str, list[ColumnMatch]], dict[int, str]]:
    """The columns of `row` (its cells with a value: `lower`) that may stand for each field, best
    first, and the group headers above them (`parents`, where the caller has them)."""
    if parents is None:
        parents = _group_parents(sheet, head, row, len(lower)) if sheet.merges else {}
    skip = _horizontal_fills(sheet, row) if sheet.merges else set()
    found: dict[str, list[ColumnMatch]] = {}
    for col in columns:
        cell = None if col in skip else lower.get(col)
        parent = parents.get(col)
        if cell is None and parent is None:
            continue
        hit = matcher.match(cell, parent)
        if hit is None:
            continue
        key, level, unit, word, via_parent, unknown = hit
        shown = "" if cell is None else str(cell).strip()
        if via_parent:
            shown = f"{str(parent).strip()}/{shown}" if shown else str(parent).strip()
        found.setdefault(key, []).append(ColumnMatch(key, col, shown, unit or Decimal(1), level,
                                                     col in sheet.hidden_columns, word, unit is not None, unknown))
    for cands in found.values():  # best first; among equals the visible, then the leftmost
        cands.sort(key=lambda m: (-m.level, m.hidden, m.index))
    return found, parents


def _header(row: int, lower: dict[int, object], found: dict[str, list[ColumnMatch]],
            parents: dict[int, str]) -> Header:
    return Header(row, row - 1 if parents else None, found,
                  {c: fold_one(v) for c, v in lower.items()},
                  {c: fold_one(v) for c, v in parents.items()})


_MATCHERS: dict[tuple[int, int, int], tuple[object, object, object, _Matcher]] = {}


def matcher_of(spec: TableSpec, units: dict[str, Decimal], words) -> _Matcher:
    """One matcher per table spec of a rulebook, kept for every sheet read with it (its alias table
    and what it has decided)."""
    key = (id(spec), id(units), id(words))
    held = _MATCHERS.get(key)
    if held is None or held[0] is not spec or held[1] is not units or held[2] is not words:
        if len(_MATCHERS) > 16:
            _MATCHERS.clear()
        held = _MATCHERS[key] = (spec, units, words, _Matcher(spec, units, words))
    return held[3]


def find_header(sheet: RawSheet, spec: TableSpec, units: dict[str, Decimal], words=None) -> Header | None:
    """The header row (the first row of the first rows that names enough known fields, the fields the
    spec must have among them, or the row under it where that names more: the lower row of a two-row
    header), or None if the sheet holds no table. A header further down that names more fields is
    another part of the table (read.rows), never taken for the header: the records above it would
    not be read."""
    matcher = matcher_of(spec, units, words)
    best: tuple | None = None
    best_score = 0
    first = None   # the first row that qualifies
    head = sheet.top(HEADER_SEARCH_ROWS)
    columns = head.columns
    must = spec.header_must_have
    for i in range(head.rows):
        row = i + 1
        if first is not None and row > first + 1:
            break
        lower = head.row(row)
        if not lower:
            continue
        parents = _group_parents(sheet, head, row, len(lower)) if sheet.merges else {}
        if not parents:  # only the row's own cells can name fields: a data row names too few, seen at a glance
            named = {hit[0] for hit in matcher.own_hits(lower.values()) if hit is not None and hit[1] > QUALIFIED}
            if len(named) < spec.min_header_matches or not all(k in named for k in must):
                continue
        found, parents = _candidates(sheet, row, lower, columns, matcher, head, parents)
        fields = {k for k, c in found.items() if c and c[0].level > QUALIFIED}
        if len(fields) < spec.min_header_matches or not all(k in fields for k in spec.header_must_have):
            continue
        # the lower row of a two-row header names as many fields as the group header row above it
        # (提取金额 merged over 应提 | 实提 names 提取金额 alone): the two rows are read as one header,
        # so that the sub-columns are seen, never the group's first column taken for the field
        below_its_group = best is not None and parents and best[0] == row - 1 and len(fields) == best_score
        if best is None or len(fields) > best_score or below_its_group:
            best, best_score = (row, lower, found, parents), len(fields)
        first = row if first is None else first
    if best is None:
        return None
    lines = matcher.sheet_unit(head, best[0], best[3])
    if lines:
        money = {k for k, c in spec.columns.items() if c.kind == "money"}
        best[2].update({k: [with_unit_lines(m, lines) for m in cands] for k, cands in best[2].items() if k in money})
    header = _header(*best)
    header.unit_lines = lines
    return header


def with_unit_lines(m: ColumnMatch, lines: list[UnitLine]) -> ColumnMatch:
    """A money column as the sheet's 单位： `lines` (above the header and below it) make it: its own
    header's unit wins; else one unit they all state is its unit; a unit the rules do not know, or
    two units in one line (单位：元、万元), is its unknown unit (never read as 元); two lines stating two
    units (第2行“单位：元” above, 第9行“单位：万元” below) are its unit conflict."""
    if not lines or m.unknown_unit or (m.unit_stated and m.unit_line is None):
        return m
    unknown = next((line for line in lines if line.unit is None), None)
    if unknown is not None:
        return replace(m, unknown_unit=unknown.text, unit_line=unknown.row)
    units = list(dict.fromkeys(line.unit for line in lines))
    if len(units) == 1:
        return replace(m, unit=units[0], unit_stated=True, unit_line=lines[0].row, unit_conflict=None)
    return replace(m, unit_stated=True, unit_line=lines[0].row,
                   unit_conflict="、".join(line.shown() for line in lines))


def locate(sheet: RawSheet, spec: TableSpec, units: dict[str, Decimal]) -> tuple[int, dict[str, ColumnMatch]] | None:
    """The header row (Excel number) and its column matches, or None if the sheet holds no table."""
    header = find_header(sheet, spec, units)
    return None if header is None else (header.row, header.first_choice())


@dataclass
class Contest:
    """Two or more columns that stand for one field, and how one was chosen (or none could be)."""

    key: str
    chosen: ColumnMatch | None
    others: list[ColumnMatch]
    rule: str   # preferred | exact | visible | same_values | qualified | first (informational) | unresolved


def settle(header: Header, spec: TableSpec, values) -> tuple[dict[str, ColumnMatch], list[Contest]]:
    """The column read for each field, and a Contest for each field that several columns stood for.

    The rule: a column set aside by its remark or group header (QUALIFIED) is never read. Among the
    others, the column that is both the most specific (a preferred alias, then an exact header, then
    one read through a remark or the group header) and visible (when some are visible) is read.
    When no single column is both, columns that hold the same value on every row are one column;
    for a field shown to people only (序号, 备注) the leftmost is read; otherwise the leftmost is
    read and the contest is unresolved (an error for the file). `values(index)` gives a column's
    folded cells."""
    columns: dict[str, ColumnMatch] = {}
    contests: list[Contest] = []
    for key, cands in header.candidates.items():
        usable = [c for c in cands if c.level > QUALIFIED]
        set_aside = [c for c in cands if c.level == QUALIFIED]
        if not usable:
            contests.append(Contest(key, None, set_aside, "qualified"))
            continue
        if len(usable) == 1:
            columns[key] = usable[0]
            if set_aside:
                contests.append(Contest(key, usable[0], set_aside, "qualified"))
            continue
        top = max(c.level for c in usable)
        specific = [c for c in usable if c.level == top]
        visible = [c for c in usable if not c.hidden] or usable
        best = [c for c in specific if c in visible]
        if len(best) == 1:
            by = [w for w, n in (("specific", len(specific)), ("visible", len(visible))) if n < len(usable)]
            columns[key] = best[0]
            contests.append(Contest(key, best[0], [c for c in cands if c is not best[0]], "+".join(by)))
            continue
        pool = best or usable
        first = min(pool, key=lambda c: c.index)
        columns[key] = first   # read, so that the sheet can be checked; refused when it matters
        beaten = [c for c in usable if c not in pool] + set_aside
        if all(values(c.index).equals(values(first.index)) for c in pool):
            if beaten:
                contests.append(Contest(key, first, beaten, "same_values"))
            continue
        rule = "first" if spec.columns[key].informational else "unresolved"
        contests.append(Contest(key, first, [c for c in cands if c is not first], rule))
    return columns, contests


def cells_of(body: dict[int, pa.ChunkedArray]):
    """A `values` function for `settle`: a column's cells under the header (`body`: the column at
    each place), folded."""
    cache: dict[int, pa.Array] = {}

    def values(index: int) -> pa.Array:
        if index not in cache:
            cache[index] = fold_arrow(body[index])
        return cache[index]

    return values
