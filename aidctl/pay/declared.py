"""The figures a bank's result file (回盘) declares above its table or under it: 总笔数：1250
总金额：1,875,000.00 in one cell, or 成功笔数 | 1248 | 失败笔数 | 2 spread over a row's cells. Read cell by
cell from the rows the reader keeps above the header and under the lines (Table.above_cells,
Table.below_cells), with the words of rules/bank_results.yaml (or
the profile's own `result.declared`), and checked against the lines read: a file cut short, or
whose lines were partly not read, is refused as a whole, never half-applied. A figure that cannot
be read refuses the file too: what the bank declares is checked or the file is not applied."""

from __future__ import annotations

import re
from dataclasses import dataclass
from decimal import Decimal

import pandas as pd

from aidctl.core.errors import ReadError
from aidctl.core.money import exact_total, parse, yuan
from aidctl.core.text import NOT_A_DIGIT, column_letters, digit_like_marks, nfkc_one
from aidctl.rulebook import FIGURES, BankProfile, DeclaredWords

# what the messages call each figure, and what its number counts
_WHAT = {"count": "笔数", "amount": "金额", "paid_count": "成功笔数", "paid_amount": "成功金额",
         "failed_count": "失败笔数", "failed_amount": "失败金额"}
_OUTCOME = {"paid": "成功", "failed": "失败"}
_REFUSED = "整份回盘未入账，请向银行核对或重新获取回盘"
# after a word: a colon, an equals sign or spaces, and a bracketed remark such as (万元), (笔)
_LEAD = re.compile(r"^[\s:=]*(?:\((?P<remark>[^()]*)\)[\s:=]*)?")
# a figure: a sign, ¥, digits in groups of three or plain, a decimal part; what follows it (a unit)
_NUMBER = re.compile(r"(?P<sign>[-+]?)\s*¥?\s*(?P<number>\d{1,3}(?:,\d{3})+(?:\.\d+)?|\d+(?:\.\d+)?)")
# what may follow a figure and its unit: nothing, a space or a separator (not a comma before a digit:
# "3,5" is neither 3 nor 35 for sure)
# what may stand before a total row's word: brackets, dashes, stars (（本页小计）, —小计—)
_LEADING = re.compile(r"^[\s(\[（【〔<《*＊#\-—_·.。、]+")
_FOLLOWS = re.compile(r"^(?:$|[\s;、|()/。]|,(?!\d))")


@dataclass
class Figure:
    """One figure a result file declares above its table, as written and as read."""

    key: str                 # FIGURES
    label: str               # the word as written (总笔数)
    sheet: str | None        # the sheet, for a message (None in a text file)
    row: int                 # the Excel row (a text file's line)
    text: str | None = None  # the figure as written ("1,875,000.00元"); None where none follows the word
    number: str | None = None   # its number without sign, ¥, separators or unit ("1875000.00")
    unit: str | None = None  # the unit written with it (万元, 笔)
    value: int | None = None  # the count, or the amount in fen
    below: bool = False      # under the table (a footer), not above its header

    @property
    def where(self) -> str:
        """Where the file wrote it, for a message: 表头上方 or 表格下方."""
        return "表格下方" if self.below else "表头上方"

    @property
    def is_count(self) -> bool:
        return self.key.endswith("count")

    def shown(self) -> str:
        """The figure in a message: 3 笔, 2250.00 元, or as written with its value in 元."""
        if self.is_count:
            return f"{self.value} 笔"
        if Decimal(self.number) == yuan(self.value):
            return f"{yuan(self.value)} 元"
        written = self.text + (self.unit if self.unit and self.unit not in self.text else "")
        return f"“{written}”（即 {yuan(self.value)} 元）"   # 万元, or a profile's 分

    def to_json(self) -> dict:
        return {"sheet": self.sheet, "row": self.row, "figure": self.key, "label": self.label,
                "value": str(self.value) if self.is_count else str(yuan(self.value))}


def words_of(profile: BankProfile, rules) -> DeclaredWords:
    """The profile's own words for the declared figures, else those every profile shares."""
    return profile.result.declared or rules.bank_results.declared


def declared_figures(table, sheet: str | None, words: DeclaredWords, unit_words: list[str],
                     money_suffix: list[str]) -> list[Figure]:
    """The figures declared in the rows above `table`'s header and in the rows under it not read as
    lines (a footer), as written (not yet read as numbers):
    each word of `words` met in a cell (the longest one where two overlap), with what follows it in
    its cell, or, where its cell holds nothing more (a remark such as （万元） aside), the next cell of
    the row that holds text, unless that one begins with a word itself. `unit_words`: the units an
    amount or a count may carry (元, 万元, 笔)."""
    labels = {_fold(w): key for key, ws in words.words().items() for w in ws}
    if not labels:
        return []
    pattern = re.compile("|".join(re.escape(w) for w in sorted(labels, key=len, reverse=True)))
    units = sorted(unit_words, key=len, reverse=True)
    out = []
    for row, cells in [*table.above_cells, *table.below_cells]:
        parts = []   # (cell, word or None, text): each cell's text cut at its words, a text after each word
        for i, (_, text) in enumerate(cells):
            text = _fold(text)
            at = 0
            for m in pattern.finditer(text):
                parts += [(i, None, text[at:m.start()]), (i, m.group(), "")]
                at = m.end()
            parts.append((i, None, text[at:]))
        for k, (i, label, _) in enumerate(parts):
            if label is None:
                continue
            figure = Figure(labels[label], label, sheet, row, below=row > table.header_row)
            out.append(figure)
            lead = _LEAD.match(parts[k + 1][2])   # the text after the word in its own cell
            remark, rest = lead.group("remark"), lead.string[lead.end():]
            if not rest.strip():
                after = next((p for p in parts[k + 1:] if p[0] > i), None)
                if after is None or not after[2].strip():   # the row ends, or the next cell begins with a word
                    continue
                lead = _LEAD.match(after[2].strip())
                remark, rest = remark or lead.group("remark"), lead.string[lead.end():]
            _split(figure, rest, remark, units, money_suffix)
    return out


def _fold(text: str) -> str:
    """Full-width to half-width (：→:, （→(, ，→,, １→1), spaces kept: they part a figure from the next.
    A footnote mark stays as written (core.text.nfkc_one: "1500¹" is no 15001, "①" no 1), so that a
    figure holding one is no figure, and the file is refused saying so."""
    return nfkc_one(text).strip()


def _split(figure: Figure, rest: str, remark: str | None, units: list[str], money_suffix: list[str]) -> None:
    """The figure's text, number and unit from what follows its word (`remark`: one in brackets right
    after the word, 总金额（万元）). `number` stays None where the text is no figure (见附件, 3.5万, 3,5) or
    states two units."""
    figure.unit = remark.strip() if remark is not None else None
    m = _NUMBER.match(rest)
    if m is None:
        figure.text = rest.strip()
        return
    after = rest[m.end():]
    unit, used = _unit_after(after, units, money_suffix)
    figure.text = rest[:m.end() + used].strip()
    if not _FOLLOWS.match(after[used:]):
        figure.text = rest.split()[0]   # as written to the next space: 3.5万, 3,5
        return
    if unit is not None and figure.unit is not None and unit != figure.unit:
        figure.unit = f"{figure.unit}、{unit}"
        return
    figure.unit = figure.unit or unit
    figure.number = m.group("sign") + m.group("number").replace(",", "")


def _unit_after(after: str, units: list[str], money_suffix: list[str]) -> tuple[str | None, int]:
    """The unit written after a figure (750元, 187.5 万元, 1250笔, 100美元, 187.5（万元）), and how many
    characters it takes; a bracketed remark that states no unit (其中成功2笔) is none."""
    spaces = len(after) - len(after.lstrip())
    unit = next((u for u in units if after[spaces:].startswith(u)), None)
    if unit is not None:
        return unit, spaces + len(unit)
    suffix = "|".join(re.escape(w) for w in money_suffix)
    if suffix:
        other = re.match(rf"\s*([^\s\d,;、|()/。:=]{{0,3}}(?:{suffix}))", after)   # 美元: a unit not known
        if other:
            return other.group(1), other.end()
    bracketed = re.match(r"\s*\(\s*([^()]*?)\s*\)", after)
    if bracketed and (bracketed.group(1) in units or (suffix and re.search(rf"(?:{suffix})$", bracketed.group(1)))):
        return bracketed.group(1), bracketed.end()
    return None, 0


def read_figures(figures: list[Figure], profile: BankProfile, table, rules, words: DeclaredWords,
                 display: str, amounts) -> None:
    """Each figure's value (a count, or an amount in fen): a unit written with an amount is its unit,
    else the unit the file states for its 金额 or the profile's (`amounts`, as the lines' are read).
    A figure that cannot be read, or whose unit is not known, refuses the file; so do two figures
    of one kind that differ (总笔数 and 记录数)."""
    units = rules.columns.units
    suffix = tuple(rules.columns.header_words.money_unit_suffix)
    for f in figures:
        what = "笔数" if f.is_count else "金额"
        if not f.text:
            raise ReadError(f"回盘在{f.where}写有“{f.label}”，但同一行中其后没有{what}（空白、公式没有保存计算结果或错误值）："
                            f"回盘写明的笔数和金额用于核对文件是否完整，aidctl 不略过它；{_REFUSED}",
                            file=display, sheet=f.sheet, row=f.row)
        if f.number is not None and f.unit is not None and f.unit not in (words.count_units if f.is_count else units):
            if not f.is_count and suffix and f.unit.endswith(suffix) and "、" not in f.unit:
                raise ReadError(f"回盘在{f.where}写的“{f.label}”的金额单位写作“{f.unit}”，不是可识别的单位"
                                f"（{'、'.join(units)}），金额无法折算为元：整份回盘未入账，请向银行核对金额单位",
                                file=display, sheet=f.sheet, row=f.row)
            f.number = None
        if f.number is not None:
            f.value = _value(f, profile, table, rules, display, amounts)
        if f.value is None:
            noted = f"（注明“{f.unit}”）" if f.unit and f.unit not in f.text else ""
            if marks := digit_like_marks(f.text):
                noted += f"（其中的{marks}{NOT_A_DIGIT}）"
            raise ReadError(f"回盘在{f.where}写有“{f.label}”，其后的“{f.text}”{noted}无法读取为{what}：回盘写明的笔数和金额"
                            f"用于核对文件是否完整，aidctl 不略过它；{_REFUSED}", file=display, sheet=f.sheet, row=f.row)
    for key in FIGURES:
        same = [f for f in figures if f.key == key]
        other = next((f for f in same if f.value != same[0].value), None)
        if other is not None:
            first = same[0]
            raise ReadError(f"回盘两处写的{_WHAT[key]}不同：{first.where}第{first.row}行“{first.label}”为 {first.shown()}，"
                            f"{other.where}第{other.row}行“{other.label}”为 {other.shown()}，无法确定以哪一个为准：{_REFUSED}",
                            file=display, sheet=other.sheet, row=other.row)


def _value(f: Figure, profile: BankProfile, table, rules, display: str, amounts) -> int | None:
    if f.is_count:
        whole = re.fullmatch(r"(\d{1,15})(?:\.0+)?", f.number)
        return int(whole.group(1)) if whole else None
    if f.unit is not None:   # 万元 written with the figure: its own unit, whatever the table's
        fen = parse(pd.Series([f.number], dtype="string"), rules.columns.units[f.unit])[1].iloc[0]
    else:
        fen = amounts(profile, table, pd.Series([f.number], dtype="string"), rules, display).iloc[0]
    return None if pd.isna(fen) else int(fen)


@dataclass
class Tally:
    """What the lines read say, to compare with the figures: the count and amount of all lines, and
    of those paid and failed; lines whose result is no known word may be either (`unknown`). An
    amount is None where a line's amount could not be read (that line is a problem already)."""

    count: int
    amount: int | None
    paid_count: int
    paid_amount: int | None
    failed_count: int
    failed_amount: int | None
    unknown_count: int
    unknown_amount: int | None

    @classmethod
    def of(cls, lines: pd.DataFrame) -> Tally:
        fen, outcome = lines["amount_fen"], lines["outcome"]

        def total(mask: pd.Series) -> int | None:   # None where an amount of those lines was not read
            part = fen[mask.to_numpy()]
            return None if part.isna().any() else exact_total(part)

        paid, failed, unknown = outcome.eq("paid"), outcome.eq("failed"), outcome.isna()
        return cls(len(lines), total(pd.Series(True, index=lines.index)), int(paid.sum()), total(paid),
                   int(failed.sum()), total(failed), int(unknown.sum()), total(unknown))

    def agrees(self, f: Figure) -> bool:
        """True where the figure is what the lines say, or where they cannot say (an amount not read).
        A line whose result is no known word may be paid or failed: a figure of either lies between
        the lines known to be so and those together with the unknown ones."""
        known = getattr(self, f.key)
        if f.key in ("count", "amount"):
            return known is None or known == f.value
        more = self.unknown_count if f.is_count else self.unknown_amount
        return known is None or more is None or known <= f.value <= known + more

    def disagreement(self, f: Figure, whole: Tally | None) -> str:
        """What the lines read say against the figure, for the message."""
        across = "本工作表" if whole is not None else ""
        also = ""
        if f.key == "count":
            if whole is not None:
                also = f"（全部工作表共 {whole.count} 笔）"
            gap = self.count - f.value
            return (f"而{across}读取的逐笔结果为 {self.count} 笔{also}，{'多' if gap > 0 else '少'} {abs(gap)} 笔："
                    "可能有结果行缺失（文件不完整）或没有作为结果读取")
        if f.key == "amount":
            if whole is not None and whole.amount is not None:
                also = f"（全部工作表合计 {yuan(whole.amount)} 元）"
            gap = self.amount - f.value
            return (f"而{across}读取的 {self.count} 笔逐笔结果金额合计为 {yuan(self.amount)} 元（其中成功 "
                    f"{yuan(self.paid_amount)} 元）{also}，{'多' if gap > 0 else '少'} {yuan(abs(gap))} 元："
                    "可能有结果行缺失或没有作为结果读取，或金额有误")
        outcome = _OUTCOME[f.key.split("_")[0]]
        unknown = f"，另有 {self.unknown_count} 笔处理结果无法识别" if self.unknown_count else ""
        if f.is_count:
            read = f"{getattr(self, f.key)} 笔"
            if whole is not None:
                also = f"（全部工作表共 {getattr(whole, f.key)} 笔）"
        else:
            read = f"{yuan(getattr(self, f.key))} 元"
            if whole is not None and getattr(whole, f.key) is not None:
                also = f"（全部工作表合计 {yuan(getattr(whole, f.key))} 元）"
        return (f"而{across}读取的逐笔结果中处理结果为{outcome}的{'有' if f.is_count else '金额合计为'} {read}{also}"
                f"{unknown}：成功、失败的笔数或金额与逐笔结果不符，可能有结果行缺失或没有作为结果读取，或处理结果有误")


def refuse_disagreeing_figures(parts: list[tuple[object, pd.DataFrame, list[Figure]]], display: str,
                               stated_totals) -> None:
    """The figures above each table (`parts`: table, its lines, its figures read) against its lines,
    or, in a workbook answering in several sheets, against the lines of all of them (a title on the
    first sheet may speak for the file): each figure of a sheet must agree with one of the two,
    all of them with the same. Then the 合计 under a table (`stated_totals(table)`: its rows and
    amounts in fen) against the amounts declared above it. Any disagreement refuses the file."""
    whole = Tally.of(pd.concat([lines for _, lines, _ in parts], ignore_index=True)) if len(parts) > 1 else None
    for table, lines, figures in parts:
        if not figures:
            continue
        mine = Tally.of(lines)
        if all(mine.agrees(f) for f in figures):
            _refuse_disagreeing_total(table, figures, mine, stated_totals(table), display)
            continue
        if whole is not None and all(whole.agrees(f) for f in figures):
            continue
        f = next(f for f in figures if not mine.agrees(f))
        raise ReadError(f"回盘在{f.where}写的“{f.label}”为 {f.shown()}，{mine.disagreement(f, whole)}；{_REFUSED}",
                        file=display, sheet=f.sheet, row=f.row)


def _refuse_disagreeing_total(table, figures: list[Figure], mine: Tally, totals: list[tuple[int, int]],
                              display: str) -> None:
    """The 合计 under the table against the amounts declared above it: it must be the 总金额 declared,
    or the 成功金额 (declared, or that of the successful lines where their amounts were read), or 成功
    金额 and 失败金额 together. This compares them where the lines could not be (an amount not read);
    where they could, both agree with the lines already."""
    said = {f.key: f for f in figures if not f.is_count}
    fits = {said[k].value for k in ("amount", "paid_amount") if k in said}
    if "paid_amount" in said and "failed_amount" in said:
        fits.add(said["paid_amount"].value + said["failed_amount"].value)
    if not totals or not fits:
        return
    fits |= {v for v in (mine.amount, mine.paid_amount) if v is not None}
    if any(value in fits for _, value in totals):
        return
    row, value = totals[-1]
    f = said.get("amount") or said["paid_amount"]
    raise ReadError(f"回盘在此行写的合计金额为 {yuan(value)} 元，而{f.where}第{f.row}行写的“{f.label}”为 {f.shown()}，"
                    f"两者不符：可能有结果行缺失或没有作为结果读取，或金额有误；{_REFUSED}",
                    file=display, sheet=f.sheet, row=row, column=table.columns["amount"].header)


def refuse_disagreeing_total_row(profile: BankProfile, table, lines: pd.DataFrame, rules, display: str,
                                 sheet: str | None, amounts) -> None:
    """The figures a 合计 row writes outside its 金额 column: a count beside it (合计 | 41笔 | | 30000.00),
    or the whole total in one cell (总计：41笔，30750.00元). Only the 金额 cell was compared, so such a row
    was passed over without a word. Each number there must be what the lines read say: a count (笔,
    条: rules/bank_results.yaml count_units) the number of lines, or of those paid or failed; an amount
    (元, 万元) their sum, or that of those paid or failed (where their amounts were read); a number
    without a unit either. Otherwise, or where a number cannot be read (3.5万), the file is refused.
    `sheet`: the sheet to name; `amounts`: how the file's amounts are read (results._amounts)."""
    rows = {row for row, _, _ in table.totals}
    if not rows:
        return
    tally = Tally.of(lines)
    heads = {m.index: m.header for m in table.columns.values()}
    for row, cells in table.below_cells:
        if row not in rows:
            continue
        found = _disagreeing_cell(profile, table, cells, [tally], rules, display, amounts)
        if found is None:
            continue
        col, text, figure, unread = found
        said = "无法读取为笔数或金额" if unread else f"与读取的 {_tally_said(tally)}不符"
        part = "" if figure == text.strip() else f"，其中的“{figure}”"
        raise ReadError(f"回盘的合计行在“{heads.get(col, column_letters(col) + '列')}”处写有“{text}”{part}，"
                        f"{said}：合计用于核对回盘是否完整，aidctl 不略过它；可能有结果行缺失或没有作为结果读取，或金额有误；"
                        f"{_REFUSED}", file=display, sheet=sheet, row=row)


def _tally_said(tally: Tally) -> str:
    """The lines read, for a message: 19 笔逐笔结果（其中成功 18 笔、失败 1 笔；金额合计 …，其中成功 … 元）."""
    money = (f"；金额合计 {yuan(tally.amount)} 元，其中成功 {yuan(tally.paid_amount)} 元"
             if tally.amount is not None and tally.paid_amount is not None else "")
    return f"{tally.count} 笔逐笔结果（其中成功 {tally.paid_count} 笔、失败 {tally.failed_count} 笔{money}）"


def _disagreeing_cell(profile: BankProfile, table, cells: list[tuple[int, str]], tallies: list[Tally], rules,
                      display: str, amounts, label: re.Pattern | None = None):
    """The first number a total row (`cells`: column, text) writes outside its 金额 column that is none
    of what `tallies` (the lines it may speak for) say: (column, the cell's text, the figure as
    written, whether it could not be read at all), or None where each agrees. A count (笔, 条) must be
    one of their counts (all, paid, failed), an amount (元, 万元) one of their sums, a number without a
    unit either; an amount is not compared where the amounts a tally sums were not all read. In the
    cell where `label` (the row's total word) is found, only what follows the word and a bracketed
    remark after it is read: 第2页小计（江汉支行） holds no figure."""
    counts = {n for t in tallies for n in (t.count, t.paid_count, t.failed_count)}
    sums = {v for t in tallies for v in (t.amount, t.paid_amount, t.failed_amount)} - {None}
    unknown = any(t.amount is None for t in tallies)
    count_units = words_of(profile, rules).count_units
    units = sorted([*rules.columns.units, *count_units], key=len, reverse=True)
    at = table.columns["amount"].index if "amount" in table.columns else None
    labelled = False
    for col, text in cells:
        if col == at:
            continue
        written = _fold(text)
        word = label.search(written) if label is not None and not labelled else None
        if word is not None:
            labelled = True
            lead = _LEAD.match(written[word.end():])
            written = lead.string[lead.end():]
        for m in _NUMBER.finditer(written):
            unit, used = _unit_after(written[m.end():], units, rules.columns.header_words.money_unit_suffix)
            number = m.group("sign") + m.group("number").replace(",", "")
            as_count = int(number) if unit not in rules.columns.units and number.isdigit() else None
            fen = None
            if unit not in count_units and _FOLLOWS.match(written[m.end() + used:]):
                fen = parse(pd.Series([number], dtype="string"), rules.columns.units[unit])[1].iloc[0] \
                    if unit in rules.columns.units else amounts(profile, table, pd.Series([number], dtype="string"),
                                                                rules, display).iloc[0]
                fen = None if pd.isna(fen) else int(fen)
            if as_count in counts or fen in sums or (fen is not None and unknown):
                continue
            unread = as_count is None and fen is None
            figure = (written[m.start():].split() or [""])[0] if unread else written[m.start():m.end() + used].strip()
            return col, text, figure, unread
    return None


def refuse_disagreeing_subtotals(profile: BankProfile, table, lines: pd.DataFrame, rules, display: str,
                                 sheet: str | None, amounts) -> None:
    """The 小计 rows under a bank's lines (a subtotal per branch or per page: 小计 | | 15000.00, 江汉支行小计
    20笔 15000.00, 本页合计), dropped as a roster's total rows are, and never compared: a 回盘 whose
    小计 said 20 笔 above 19 lines applied the 19, the lost one taken for a payment the bank had not
    yet answered. A subtotal is a row the reader took for a total (a word of vocabulary.yaml
    rows.skip_markers.total beginning it, or one of rows.total_anywhere in its first cell or 户名) that
    is not a 合计 of the whole table (rows.grand_total, checked by refuse_disagreeing_total_row).
    It speaks for the lines between the row above it that bounds them (the header, or the total
    before it) and itself, or (a running 累计) for all the lines above it: its 金额 must be the sum of
    either, or of those paid or failed, and any other figure it writes (20笔) their count or sum, as
    a 合计's. Otherwise, or where a figure cannot be read, the file is refused as a whole."""
    words = rules.vocabulary.rows
    markers = words.markers()   # as the reader judged the rows: a declared figure's word begins a note
    markers = {**markers, "note": [*markers.get("note", []), *(w for ws in words_of(profile, rules).words().values()
                                                               for w in ws)]}
    grand = {row for row, _, _ in table.totals}
    rows = _subtotal_rows(table, markers, words.total_anywhere, grand)
    if not rows:
        return
    label = re.compile("|".join(re.escape(_fold(w)) for w in sorted(
        {*markers.get("total", []), *words.total_anywhere}, key=len, reverse=True)))
    bounds = sorted({table.parent_row or table.header_row, *grand, *rows})
    at = lines["row"].to_numpy()
    heads = {m.index: m.header for m in table.columns.values()}
    amount = table.columns.get("amount")
    for row, cells in table.below_cells:
        if row not in rows:
            continue
        start = max(b for b in bounds if b < row)
        own, running = Tally.of(lines[(at > start) & (at < row)]), Tally.of(lines[at < row])
        first = int(lines.loc[(at > start) & (at < row), "row"].min()) if own.count else None
        span = f"其上第{first}至{row - 1}行的 " if first is not None else "其上（至上一个小计或表头）没有逐笔结果，即 "
        said = span + _tally_said(own) + (f"，也不是自表头起累计的 {_tally_said(running)}" if running.count != own.count else "")
        text = dict(cells).get(amount.index) if amount is not None else None
        if text is not None and text.strip():
            fen = amounts(profile, table, pd.Series([text], dtype="string"), rules, display).iloc[0]
            if pd.isna(fen):
                raise ReadError(f"回盘在此行写的小计金额“{text}”无法读取为金额：小计用于核对其上的结果行是否完整，aidctl 不略过它；"
                                f"{_REFUSED}", file=display, sheet=sheet, row=row, column=amount.header)
            sums = {v for t in (own, running) for v in (t.amount, t.paid_amount, t.failed_amount)}
            if None not in sums and int(fen) not in sums:
                raise ReadError(f"回盘在此行写的小计金额为 {yuan(int(fen))} 元，不是{said}：可能有结果行缺失或没有作为"
                                f"结果读取，或金额有误；{_REFUSED}", file=display, sheet=sheet, row=row,
                                column=amount.header)
        found = _disagreeing_cell(profile, table, cells, [own, running], rules, display, amounts, label)
        if found is not None:
            col, text, figure, unread = found
            part = "" if figure == text.strip() else f"，其中的“{figure}”"
            why = "无法读取为笔数或金额" if unread else f"不是{said}"
            raise ReadError(f"回盘的小计行在“{heads.get(col, column_letters(col) + '列')}”处写有“{text}”{part}，{why}："
                            f"小计用于核对其上的结果行是否完整，aidctl 不略过它；可能有结果行缺失或没有作为结果读取，或金额有误；"
                            f"{_REFUSED}", file=display, sheet=sheet, row=row)


def _subtotal_rows(table, markers: dict[str, list[str]], anywhere: list[str], grand: set[int]) -> set[int]:
    """The rows under the lines that the reader took for a total, as read.rows judges them: the first
    kind of `markers` (rules/vocabulary.yaml rows.skip_markers, by their keys) beginning the row's first
    two cells, its first filled cell, 序号 or 户名 (folded, brackets and dashes before the word aside)
    is `total`; or, none beginning it, a word of `anywhere` is in its first filled cell or 户名. The
    合计 rows of the whole table (`grand`) are not among them. A few rows, looked at one by one."""
    from aidctl.core.text import fold_one

    keyed = [table.columns[k].index for k in ("seq", "name") if k in table.columns]
    named = table.columns["name"].index if "name" in table.columns else None
    words = {kind: [fold_one(w) for w in ws] for kind, ws in markers.items()}
    inside = [fold_one(w) for w in anywhere]
    out = set()
    for row, cells in table.below_cells:
        if row in grand or not cells:
            continue
        by_col = dict(cells)
        texts = [_LEADING.sub("", fold_one(t or "")) for t in
                 [by_col.get(0), by_col.get(1), cells[0][1], *(by_col.get(c) for c in keyed)]]
        kind = next((k for k, ws in words.items() if any(t.startswith(w) for t in texts if t for w in ws)), None)
        held = [texts[2], fold_one(by_col.get(named) or "")]
        if kind == "total" or (kind is None and any(w in t for t in held for w in inside)):
            out.add(row)
    return out
