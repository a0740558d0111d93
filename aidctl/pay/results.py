"""Read a bank's result file (回盘) into one row a payment line, as its profile describes it, with
what the file says about the batch it answers (the text above its table, a pain.002's original
message and payment-information ids and group statuses). A file cut short is said to be."""

from __future__ import annotations

import re
import zipfile
from dataclasses import dataclass, field
from datetime import date
from pathlib import Path
from xml.etree import ElementTree

import pandas as pd

from aidctl.core.errors import ReadError
from aidctl.core.money import fen_from_text, yuan
from aidctl.core.text import column_letters, filled, whole_numbers
from aidctl.rulebook import BankProfile, ColumnSpec, TableSpec

LINE_COLUMNS = ["row", "sheet", "seq", "card", "name", "amount_fen", "status", "reason", "batch", "e2e", "outcome", "issue"]


@dataclass
class ResultFile:
    """A result file as read: its lines (LINE_COLUMNS; `issue` says why a line cannot apply where
    reading it shows already: a 序号 or 金额 that is no number), the text around its table (where a
    bank echoes a batch id), and for pain.002 its groups: one dict per original message or payment
    information block {level, id, status, reason, count, ctrl_sum, has_transactions, row, rows}
    (`rows`: the rows of the lines its entries per payment are)."""

    lines: pd.DataFrame
    text: list[str] = field(default_factory=list)
    groups: list[dict] = field(default_factory=list)
    declared: list = field(default_factory=list)   # the figures above the table, checked (pay.declared.Figure)
    hidden: list = field(default_factory=list)     # (sheet, [Excel rows]): the lines read from hidden rows
    dates: list = field(default_factory=list)      # the dates written above the table or under it (Dated)
    titles: list = field(default_factory=list)     # the rows above the table that write a term (settled.TitleTerm)


def result_spec_table(profile: BankProfile) -> TableSpec:
    """A table spec for reading the bank's result file through the roster reader."""
    kinds = {"card": "card", "amount": "money"}  # money: a unit its header or a 单位： line states is read
    cols = {k: ColumnSpec(title=t, aliases=[t], kind=kinds.get(k, "text")) for k, t in profile.result.columns.items()}
    return TableSpec(description=f"“{profile.name}”回盘文件", min_header_matches=3,
                     header_must_have=["card", "status"], columns=cols)


def read_result(profile: BankProfile, path, display: str, rules) -> ResultFile:
    """The bank's result file: lines with seq, card, name, amount_fen, status (as written),
    outcome (paid / failed / pending / None), reason, batch (where a column gives it), e2e
    (pain.002), row (line or Excel row), sheet (a workbook's sheet; None in a text file)."""
    if profile.result.format == "pain.002.001.03":
        return _read_pain002(profile, path, display)
    _refuse_truncated(profile, Path(path), display)
    from aidctl.pay.declared import declared_figures, read_figures, refuse_disagreeing_figures, words_of
    from aidctl.pay.settled import title_terms
    from aidctl.read import (
        extract,
        find_header,
        open_sheets,
        refuse_formatted,
        refuse_invisible,
        refuse_struck,
        refuse_uncalculated,
    )

    spec = result_spec_table(profile)
    words = words_of(profile, rules)
    unit_words = [*rules.columns.units, *words.count_units]
    parts, above, checked, dropped, hidden_lines, dates, titles = [], [], [], [], [], [], []
    sheets = open_sheets(path, display, rules.columns.look)
    hidden = sheets[0].hidden_sheets if sheets else []
    if hidden:  # every sheet with the header is read: one that cannot be seen may hold lines too
        raise ReadError(f"回盘工作簿有隐藏的工作表“{'”“'.join(hidden)}”，aidctl 不读取隐藏的工作表，其中是否也有"
                        "回盘明细无法确定：整份回盘未入账；请取消隐藏（或删除不用的工作表）后重新对账",
                        file=display, sheet=hidden[0])
    unread_sheets = []
    for sheet in sheets:
        # every sheet holding the result's header: a bank may answer in two (成功明细, 失败明细). The
        # header words as a roster's: a unit its header or a 单位： line above states is known
        header = find_header(sheet, spec, rules.columns.units, rules.columns.header_words)
        if not header and _holds_text(sheet):
            unread_sheets.append(sheet)
        if header:
            # a footer beginning with a declared word (总笔数：1250) is no line: its figures are read below
            table = extract(path, display, sheet, header.row, header.first_choice(), spec, rules, header,
                            footers=[w for ws in words.words().values() for w in ws])
            refuse_uncalculated(table)
            refuse_struck(table)
            refuse_formatted(table)
            refuse_invisible(table)
            _refuse_two_columns(table, spec, display)
            parts.append(_contradicted(profile, sheet, table, _table_lines(profile, table, rules, display), rules))
            dropped.append(_dropped_lines(profile, table, rules, display))
            above += table.above
            # what the bank declares above the table or under it (总笔数：1250), read as the lines' amounts are
            figures = declared_figures(table, _sheet(table), words, unit_words,
                                       rules.columns.header_words.money_unit_suffix)
            read_figures(figures, profile, table, rules, words, display, _amounts)
            checked.append((table, parts[-1], figures))
            dates += dates_written(table, _sheet(table), rules.bank_results.dates)
            titles += title_terms(table, _sheet(table), rules)   # 2012年春季学期…代发结果: compared with --term
            at = parts[-1]["row"][parts[-1]["row"].isin(sheet.hidden_rows)]
            if len(at):   # read as a roster's are, and named: a filter hides rows, and so may a clerk
                hidden_lines.append((sheet.name, [int(r) for r in at]))
    if not parts:
        titles = "、".join(profile.result.columns.values())
        raise ReadError(f"没有找到回盘文件的表头（应含 {titles}）：这是“{profile.name}”的回盘吗？", file=display)
    if unread_sheets:
        _refuse_unread_sheet(profile, spec, unread_sheets[0], rules, display)
    refuse_disagreeing_figures(checked, display, lambda table: _stated_totals(profile, table, rules, display))
    # the rows taken for a footer that hold a result: problems after the lines, never counted as read
    parts += [d for d in dropped if len(d)]
    return ResultFile(pd.concat(parts, ignore_index=True)[LINE_COLUMNS], above,
                      declared=[f for _, _, figures in checked for f in figures], hidden=hidden_lines, dates=dates,
                      titles=titles)


@dataclass
class Dated:
    """A date a result file writes after a word of bank_results.yaml `dates` (交易日期：2011-09-20), in the
    rows above its table or under its lines: `day` None where what follows cannot be read as one."""

    label: str
    text: str
    day: date | None
    sheet: str | None
    row: int
    below: bool

    @property
    def where(self) -> str:
        return "表格下方" if self.below else "表头上方"


# a date as written after its word: 2011-09-20, 2011/9/20, 2011.9.20, 2011年9月20日, 20110920 (a time may follow)
_DATE = re.compile(r"^[\s:=]*(\d{4}\s*[-/.年]\s*\d{1,2}\s*[-/.月]\s*\d{1,2}\s*日?|\d{8})(?![\d.])")


def dates_written(table, sheet: str | None, words: list[str]) -> list[Dated]:
    """The dates written in the rows above `table`'s header and under its lines (Table.above_cells,
    below_cells) after a word of `words`: in the word's cell (交易日期：2011-09-20), or, where nothing
    follows it there, in the next cell of the row that holds text (批次日期 | 2011年9月20日)."""
    from aidctl.core.dates import cell_dates
    from aidctl.core.text import nfkc_one

    if not words:
        return []
    pattern = re.compile("|".join(re.escape(nfkc_one(w)) for w in sorted(words, key=len, reverse=True)))
    found = []
    for row, cells in [*table.above_cells, *table.below_cells]:
        texts = [nfkc_one(text).strip() for _, text in cells]
        for i, text in enumerate(texts):
            for m in pattern.finditer(text):
                rest = text[m.end():].lstrip(" \t:=")
                if not rest.strip() and i + 1 < len(texts) and not pattern.match(texts[i + 1]):
                    rest = texts[i + 1]
                found.append((m.group(), rest.strip(), sheet, row, row > table.header_row))
    if not found:
        return []
    shown = [(_DATE.match(rest).group(1) if _DATE.match(rest) else None) for _, rest, *_ in found]
    days = cell_dates(pd.Series([re.sub(r"\s", "", d) if d else None for d in shown], dtype="string"))
    return [Dated(label, d or (rest.split() or [""])[0], None if pd.isna(day) else day.date(),
                  sheet, row, below) for (label, rest, sheet, row, below), d, day in zip(found, shown, days)]


def _holds_text(sheet) -> bool:
    """Whether a sheet holds any text (a blank Sheet2 of a new workbook does not)."""
    import pyarrow.compute as pc

    return not sheet.empty and any(pc.any(pc.match_substring_regex(sheet.column(c), r"\S")).as_py()
                                   for c in sheet.columns)


def _refuse_unread_sheet(profile: BankProfile, spec: TableSpec, sheet, rules, display: str) -> None:
    """A sheet of the result workbook not read, beside one that is: as a hidden sheet, it may hold
    lines (a 失败明细 without the 交易状态 column), so the file is refused, naming it and what its
    header lacks where it has the result's other columns."""
    from aidctl.read import find_header

    loose = spec.model_copy(update={"min_header_matches": 2, "header_must_have": ["card"]})
    header = find_header(sheet, loose, rules.columns.units, rules.columns.header_words)
    if header is not None:
        lacking = "、".join(f"“{spec.columns[k].title}”" for k in spec.columns if k not in header.first_choice())
        why = f"它有回盘的列，却没有{lacking}列"
    else:
        why = f"没有找到回盘的表头（应含 {'、'.join(profile.result.columns.values())}）"
    raise ReadError(f"回盘工作簿的工作表“{sheet.name}”没有读取：{why}，其中是否也有回盘明细无法确定：整份回盘未入账；"
                    "请向银行核对（或删除不用的工作表）后重新对账", file=display, sheet=sheet.name)


def _refuse_two_columns(table, spec, display: str) -> None:
    """Two columns of a result that stand for one field (交易状态 twice, one hidden) and differ: which
    the bank meant is not guessed, as a roster's rule would (the visible one); nothing is applied."""
    for c in table.contests:
        if c.rule != "same_values":
            names = "、".join(f"“{m.header}”（{column_letters(m.index)}列{'，已隐藏' if m.hidden else ''}）"
                             for m in [*([c.chosen] if c.chosen else []), *c.others])
            raise ReadError(f"有多列可作为“{spec.columns[c.key].title}”：{names}，无法确定银行的结果在哪一列：整份回盘"
                            "未入账；请只保留一列后重新对账", file=display, sheet=_sheet(table), row=table.header_row)


def _table_lines(profile: BankProfile, table, rules, display: str) -> pd.DataFrame:
    """The lines of one sheet's result table (LINE_COLUMNS), its 合计 checked against them."""
    data = table.data
    absent = [profile.result.columns[k] for k in ("card", "amount") if k not in data.columns]
    if absent:   # each line is bound by its card and amount: a table without one binds none
        raise ReadError(f"回盘没有“{'”“'.join(absent)}”列：每行须写明账号和金额，才能确认它答复的是哪一笔付款，"
                        "整份回盘未入账；请向银行核对回盘格式", file=display, sheet=_sheet(table), row=table.header_row)
    out = pd.DataFrame({"row": data.index.astype("int64")})
    out["sheet"] = _sheet(table)
    for key in ("seq", "card", "name", "status", "reason", "batch"):
        out[key] = data[key].to_numpy() if key in data.columns else None
    amount = data["amount"].reset_index(drop=True)
    out["seq"], bad_seq = whole_numbers(pd.Series(out["seq"], dtype="string"))
    out["amount_fen"] = _amounts(profile, table, amount, rules, display).to_numpy()
    out["e2e"] = None
    out["issue"] = unread(bad_seq, amount.where(out["amount_fen"].isna()))
    out = outcomes(profile, out)
    _refuse_disagreeing_total(profile, table, out, rules, display)
    from aidctl.pay.declared import refuse_disagreeing_subtotals, refuse_disagreeing_total_row

    refuse_disagreeing_total_row(profile, table, out, rules, display, _sheet(table), _amounts)
    refuse_disagreeing_subtotals(profile, table, out, rules, display, _sheet(table), _amounts)
    return out


def _contradicted(profile: BankProfile, sheet, table, out: pd.DataFrame, rules) -> pd.DataFrame:
    """`out` (a sheet's lines) with an issue on each line marked successful that its own row
    contradicts: a 失败原因 written (anything but a blank, a success word or a no: 无, 否), or, in a
    column aidctl does not read whose header holds a word of bank_results.yaml `watch` (退票标志, 冲正, 退回原因,
    入账状态), anything but a blank, a no or a success word. The bank's word for the line is then
    not one; the line is held, naming the column and what it says."""
    import pyarrow as pa

    no = {w.upper() for w in rules.vocabulary.yes_no.get(rules.vocabulary.pay_words.declined, [])}
    agree = no | set(profile.result.success)

    def against(values: pd.Series) -> pd.Series:
        text = values.astype("string").str.strip()
        return (out["outcome"] == "paid").to_numpy() & filled(text) & ~text.str.upper().isin(agree).fillna(False) \
            & out["issue"].isna()

    said = []
    if "reason" in table.columns:
        said.append((table.columns["reason"].header, out["reason"]))
    used = {m.index for m in table.columns.values()} | {m.index for c in table.contests for m in c.others}
    at = pa.array(out["row"].to_numpy() - 1)
    for col in sheet.columns:
        head = sheet.column(col)[table.header_row - 1].as_py() if table.header_row <= sheet.rows else None
        if col in used or not head or not any(w in head for w in rules.bank_results.watch):
            continue
        said.append((head.strip(), pd.Series(sheet.column(col).take(at).to_pylist(), index=out.index, dtype="string")))
    for header, values in said:
        hit = against(values)
        if hit.any():
            out.loc[hit, "issue"] = ("处理结果为“" + out.loc[hit, "status"].astype("string") + f"”，但“{header}”列写有“"
                                     + values[hit].astype("string").str.strip() + "”：结果相互矛盾，未入账："
                                     "请与银行核对").astype(object)
    return out


def _dropped_lines(profile: BankProfile, table, rules, display: str) -> pd.DataFrame:
    """The rows under the header the reader did not read as lines (a signature, note or footer word
    began one of their first cells: 审核未通过…, 联系开户行…, 以下账户…) that hold a result all the same:
    a status word of the profile, or a 序号 beside a status or an amount. Each is a problem line
    (LINE_COLUMNS, `issue` set), never applied and never dropped without a word. 合计 rows are
    checked as totals (_refuse_disagreeing_total) and are not looked at here."""
    totals = {row for row, _, _ in table.totals}
    rows = [(row, dict(cells)) for row, cells in table.below_cells if row not in totals]
    if not rows:
        return pd.DataFrame(columns=LINE_COLUMNS)
    index = pd.RangeIndex(len(rows))
    cell = {key: pd.Series([cells.get(match.index) for _, cells in rows], index=index, dtype="string")
            for key, match in table.columns.items()}
    blank = pd.Series(pd.NA, index=index, dtype="string")
    status = cell.get("status", blank).str.strip()
    seq, _ = whole_numbers(cell.get("seq", blank))
    words = [*profile.result.success, *profile.result.failure, *profile.result.pending]
    result = status.isin(words).fillna(False) | (seq.notna() & (filled(status) | filled(cell.get("amount", blank))))
    if not result.any():
        return pd.DataFrame(columns=LINE_COLUMNS)
    out = pd.DataFrame({"row": [row for row, _ in rows]}, index=index)[result].reset_index(drop=True)
    out["sheet"] = _sheet(table)
    for key in ("card", "name", "reason"):
        out[key] = cell.get(key, blank)[result].reset_index(drop=True)
    out["card"] = out["card"].str.replace(r"\s", "", regex=True)
    out["status"] = status[result].reset_index(drop=True)
    out["seq"] = seq[result].reset_index(drop=True)
    out["amount_fen"] = _amounts(profile, table, cell.get("amount", blank)[result].reset_index(drop=True), rules,
                                 display).to_numpy()
    out["batch"], out["e2e"], out["outcome"] = None, None, None
    said = ("序号 " + out["seq"].astype("string") + "、").fillna("") + "处理结果“" + out["status"].fillna("") + "”"
    out["issue"] = ("该行有一格以表尾的用语（签字、审核、说明等）开头，没有作为结果行读取，但它写有" + said
                    + "：未入账；请与银行核对该行").astype(object)
    return out[LINE_COLUMNS]


def _sheet(table) -> str | None:
    """The sheet to name in a message: a workbook's; a text file has none."""
    return None if table.sheet_kind == "csv" else table.sheet


def _refuse_disagreeing_total(profile: BankProfile, table, lines: pd.DataFrame, rules, display: str) -> None:
    """A 合计 row the bank wrote under its lines (dropped by the reader, as a roster's is) whose 金额
    is neither the sum of the lines read nor that of the lines marked successful: a line is missing
    or was not read as one, or an amount was altered. The file is refused as a whole (as one cut
    short is): applying the lines would say the file was read. Nothing is compared where a line's
    amount could not be read (that line is a problem already) or the total's 金额 is blank; a 金额
    written there that cannot be read refuses the file (_stated_totals)."""
    from aidctl.core.money import exact_total

    written = _stated_totals(profile, table, rules, display)
    if not written or lines["amount_fen"].isna().any():
        return
    read = exact_total(lines["amount_fen"])
    paid = exact_total(lines.loc[lines["outcome"] == "paid", "amount_fen"])
    if any(v in (read, paid) for _, v in written):
        return
    row, value = written[-1]
    raise ReadError(f"回盘在此行写的合计金额为 {yuan(value)} 元，而读取的 {len(lines)} 笔逐笔结果金额合计为 {yuan(read)} 元"
                    f"（其中成功 {yuan(paid)} 元），{'多' if read > value else '少'} {yuan(abs(read - value))} 元："
                    "可能有结果行缺失或没有作为结果读取，或金额有误；整份回盘未入账，请向银行核对或重新获取回盘",
                    file=display, sheet=_sheet(table), row=row, column=table.columns["amount"].header)


def _stated_totals(profile: BankProfile, table, rules, display: str) -> list[tuple[int, int]]:
    """The 合计 rows under the table (table.totals) with their 金额 in fen, read as the lines' are. A
    合计 whose 金额 is blank states none; one whose 金额 cannot be read (壹仟伍佰元, 1,50) refuses the
    file: a total the bank wrote is compared or the file is not applied, never passed over."""
    if not table.totals or "amount" not in table.columns:
        return []
    texts = pd.Series([amount for _, _, amount in table.totals], dtype="string")
    stated = _amounts(profile, table, texts, rules, display)
    out = []
    for (row, _, text), value in zip(table.totals, stated):
        if not pd.isna(value):
            out.append((row, int(value)))
        elif text is not None and str(text).strip():
            raise ReadError(f"回盘在此行写的合计金额“{text}”无法读取为金额：合计用于核对回盘是否完整，aidctl 不略过它；"
                            "整份回盘未入账，请向银行核对或重新获取回盘",
                            file=display, sheet=_sheet(table), row=row, column=table.columns["amount"].header)
    return out


def _amounts(profile: BankProfile, table, amount: pd.Series, rules, display: str) -> pd.Series:
    """Each line's 金额 in fen. A unit the file states (金额（万元）, 单位：万元 above the table) is the
    unit its figures are in: 750.00 under 万元 is 7,500,000 元, never 750 元. A unit the rules do not
    know, or two units stated by the file's 单位 lines (above and below the lines), refuses the file;
    without a stated unit, the profile's `amount` (yuan or fen) holds."""
    from aidctl.check import unknown_units
    from aidctl.core.money import parse

    match = table.columns.get("amount")
    unknown = unknown_units(table, rules.columns.units) \
        if match is not None and (match.unknown_unit or match.unit_conflict) else []
    if unknown:
        raise ReadError(f"{unknown[0][1]}：整份回盘未入账，请向银行核对金额单位", file=display, sheet=_sheet(table),
                        row=table.header_row, column=match.header)
    if match is not None and match.unit_stated and (match.unit != 1 or profile.result.amount != "yuan"):
        return parse(amount.astype("string"), match.unit)[1]
    return fen_from_text(amount) if profile.result.amount == "yuan" else whole_numbers(amount)[0]


def unread(seq: pd.Series, amount: pd.Series) -> pd.Series:
    """Why a line cannot apply, where reading it shows already: a 序号 that is no whole number or a
    金额 that is no amount (`seq`, `amount`: the cell's text where it was not read, else NA)."""
    def said(word: str, cells: pd.Series) -> pd.Series:
        cells = cells.astype("string")
        cells = cells.where(filled(cells))  # a blank cell says nothing
        return f"{word}“" + cells + "”无法读取，未入账：请与银行核对"

    issue = said("序号", seq).fillna(said("金额", amount))
    return issue.astype(object).where(issue.notna(), None)


def outcomes(profile: BankProfile, out: pd.DataFrame) -> pd.DataFrame:
    """Each line's outcome by the profile's status words: paid, failed, pending (accepted, not final)."""
    status = out["status"].astype("string").str.strip()
    outcome = pd.Series(None, index=out.index, dtype=object)
    for name, words in (("paid", profile.result.success), ("failed", profile.result.failure),
                        ("pending", profile.result.pending)):
        outcome[status.isin(words).fillna(False).to_numpy()] = name
    out["outcome"] = outcome
    return out


def _refuse_truncated(profile: BankProfile, path: Path, display: str) -> None:
    """A result file cut short in transfer: an xlsx whose zip is incomplete; a text file whose last
    line ends without a line break and with fewer fields than the header."""
    if profile.result.format == "xlsx":
        if path.suffix.lower() in (".xlsx", ".xlsm"):
            try:
                with zipfile.ZipFile(path) as z:
                    bad = z.testzip()
            except (zipfile.BadZipFile, OSError, EOFError):
                bad = "zip"
            if bad:
                raise ReadError("回盘文件不完整（xlsx 的压缩结构残缺，文件可能在传输中被截断）：请向银行重新获取回盘",
                                file=display)
        return
    try:
        raw = path.read_bytes()
    except OSError as exc:
        raise ReadError(f"无法读取回盘文件（{exc.strerror}）", file=display) from None
    if not raw or raw.endswith((b"\n", b"\r")):
        return
    text = raw.decode(profile.result.encoding, errors="replace")
    lines = text.splitlines()
    header = next((line for line in lines if profile.result.columns.get("status", "\0") in line), None)
    if header is not None and lines[-1] is not header \
            and lines[-1].count(profile.result.delimiter) < header.count(profile.result.delimiter):
        raise ReadError(f"回盘文件不完整：最后一行（第 {len(lines)} 行）没有换行且字段不全，文件可能被截断："
                        "请向银行重新获取回盘，本次没有入账", file=display)


def _local(tag: str) -> str:
    return tag.rsplit("}", 1)[-1]


def _child(node, name: str):
    return next((el for el in node if _local(el.tag) == name), None)


def _find(node, name: str):
    return next((el for el in node.iter() if _local(el.tag) == name), None)


def _text(node) -> str | None:
    if node is None:
        return None
    value = "".join(node.itertext()).strip()
    return value or None


def _reason(node) -> str | None:
    info = _find(node, "StsRsnInf") if node is not None else None
    if info is None:
        return None
    return " ".join(t.strip() for t in info.itertext() if t.strip()) or None


def _read_pain002(profile: BankProfile, path, display: str) -> ResultFile:
    from aidctl.read import check_text_file

    check_text_file(path, display)  # a regular file within the limits: a FIFO would block the parser
    try:
        raw = Path(path).read_bytes()
    except OSError as exc:
        raise ReadError(f"无法读取 pain.002 状态报告（{exc.strerror}）", file=display) from None
    try:
        root = ElementTree.fromstring(raw)
    except ElementTree.ParseError as exc:
        if not raw.rstrip().endswith(b">") or b"</Document>" not in raw[-200:]:
            raise ReadError(f"pain.002 状态报告不完整（文件在结尾处被截断：{exc}）：请向银行重新获取，本次没有入账",
                            file=display) from None
        raise ReadError(f"无法解析 pain.002 状态报告（{exc}）", file=display) from None
    report = _find(root, "CstmrPmtStsRpt")
    if report is None:
        raise ReadError("这不是 pain.002 状态报告（没有 CstmrPmtStsRpt）", file=display)
    groups, rows = [], []
    original = _child(report, "OrgnlGrpInfAndSts")
    if original is not None:
        groups.append({"level": "OrgnlMsgId", "id": _text(_child(original, "OrgnlMsgId")),
                       "status": _text(_child(original, "GrpSts")), "reason": _reason(original),
                       "count": _text(_child(original, "OrgnlNbOfTxs")),
                       "ctrl_sum": _text(_child(original, "OrgnlCtrlSum")), "row": 0})
    for info in (el for el in report if _local(el.tag) == "OrgnlPmtInfAndSts"):
        txs = [el for el in info if _local(el.tag) == "TxInfAndSts"]
        groups.append({"level": "OrgnlPmtInfId", "id": _text(_child(info, "OrgnlPmtInfId")),
                       "status": _text(_child(info, "PmtInfSts")), "reason": _reason(_child(info, "StsRsnInf")),
                       "count": _text(_child(info, "OrgnlNbOfTxs")), "ctrl_sum": _text(_child(info, "OrgnlCtrlSum")),
                       "has_transactions": bool(txs), "row": 0,
                       "rows": list(range(len(rows) + 1, len(rows) + len(txs) + 1))})   # its entries' rows
        for tx in txs:
            e2e = _text(_child(tx, "OrgnlEndToEndId"))   # None where absent: no reference, not a batch named ""
            ref = _child(tx, "OrgnlTxRef")
            tail = e2e.rsplit("-", 1)[1] if e2e and "-" in e2e else ""
            rows.append({"row": len(rows) + 1, "e2e": e2e, "seq": int(tail) if tail.isdigit() else None,
                         "card": _text(_find(ref, "CdtrAcct")) if ref is not None else None, "name": None,
                         "status": _text(_child(tx, "TxSts")), "reason": _reason(tx), "batch": None,
                         "amount_text": _text(_find(ref, "InstdAmt")) if ref is not None else None})
    if groups and groups[0]["level"] == "OrgnlMsgId":
        groups[0]["has_transactions"] = bool(rows)
        groups[0]["rows"] = [r["row"] for r in rows]
    out = pd.DataFrame(rows, columns=["row", "e2e", "seq", "card", "name", "status", "reason", "batch", "amount_text"])
    out["sheet"] = None
    out["amount_fen"] = fen_from_text(out["amount_text"]) if len(out) else pd.Series(dtype="Int64")
    out["seq"] = out["seq"].astype("Int64")
    out["issue"] = unread(pd.Series(pd.NA, index=out.index), out["amount_text"].where(out["amount_fen"].isna()))
    return ResultFile(outcomes(profile, out.drop(columns="amount_text"))[LINE_COLUMNS], [], groups)
