"""The correction workbook (退回修改): for each school with findings, a copy of its own workbook in
which each cell at fault is highlighted and carries a comment with the finding's message, and a first
sheet listing the problems in the school's words. The clerk mails it back; the school corrects the
cells in place and sends the file again.

It is the school's own file: nothing else in it changes (values, formats, merged cells, sheets, column
widths; openpyxl loads and saves them), and nothing is masked. A .xls or .csv roster gets an .xlsx
copy of its cells (python-calamine keeps the types of .xls cells; a .csv has only text). Findings
without a cell (a missing column, a whole file) are listed on the first sheet only.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from pathlib import Path

import pandas as pd

from aidctl.core.files import atomic_path, file_stem, file_stems
from aidctl.core.findings import CATALOGUE, ERROR, WARNING, school_errors
from aidctl.core.labels import UNKNOWN_SCHOOL
from aidctl.core.xlsx import append_text_row, cell_text

FOLDER = "退回修改"
SHEET = "退回修改说明"
SUFFIX = "退回修改"
# Headings of the first sheet: none is a roster heading, so a file sent back with this sheet still in
# it is read as the roster it is (columns.yaml knows 序号, 姓名 and 说明).
HEADINGS = [("问题编号", 8), ("工作表", 12), ("行号", 7), ("列名", 14), ("涉及学生", 10), ("问题类别", 22),
            ("问题及更正要求", 70), ("原填写内容", 24)]
FILLS = {ERROR: "FFC7CE", WARNING: "FFEB9C"}  # Excel's own "bad" red and "neutral" yellow
SEVERITY_WORDS = {ERROR: "错误（须更正）", WARNING: "请核对"}


@dataclass
class Returns:
    """The correction workbooks written, and the files left without one (too large to copy)."""

    files: list[Path] = field(default_factory=list)
    skipped: list[dict] = field(default_factory=list)   # file, school, records, reason
    removed: list[Path] = field(default_factory=list)   # last run's workbooks for schools now clean
    outdated: list[Path] = field(default_factory=list)  # last run's, made from another file or findings, not made again

    def notes(self, display) -> list[str]:
        alone = [s for s in self.skipped if "budget" not in s]
        together = [s for s in self.skipped if "budget" in s]
        out = [f"{s['file']}（{s['records']} 条记录）没有生成退回修改工作簿：{s['reason']}" for s in alone]
        if together:  # one line for a whole term's files, not one a school
            out.append(f"{len(together)} 个有问题的花名册文件没有生成退回修改工作簿：{together[0]['reason']}")
        out += [f"已删除上次生成、本次已无问题的退回修改工作簿：{display(p)}" for p in self.removed]
        if self.outdated:
            out.append(f"已删除 {len(self.outdated)} 个上次生成的退回修改工作簿：花名册或问题已有变化，本次没有重新生成"
                       f"（如 {display(self.outdated[0])}）")
        return out


def write_returns(validation, out_dir: Path, *, max_records: int | None = None,
                  budget: int | None = None) -> Returns:
    """Write `<学校>_<term>_退回修改.xlsx` into `out_dir` for every school whose files have findings
    (errors and warnings; not ledger.already_paid, which is no fault of the school's). A school that
    sent several files with findings gets one workbook per file, named with the file's name after
    退回修改. Files of more than `max_records` records are not copied and are listed in `skipped`.
    A workbook already there that was made from the same file and findings is kept as it is. When the
    files to copy anew hold more than `budget` records together, none of them is copied: they are
    listed in `skipped` (disburse: a whole city's term is for `validate --returns`).
    Workbooks of this term left in `out_dir` by an earlier run for schools now without findings are
    removed, so that no stale one is mailed."""
    term = str(validation.term)
    roster = validation.roster
    f = validation.findings
    f = f[f["severity"].isin([ERROR, WARNING]) & (school_errors(f) | (f["severity"] == WARNING))]
    out = Returns()
    schools = _school_of_tables(roster)
    by_table = {int(t): g for t, g in f.groupby("table")}
    hashes = _row_hashes(f)

    def digest(path: Path, tables: list[int], school: str) -> tuple[pd.DataFrame, str]:
        """A file's findings, and the digest of what its workbook is made from: only for a workbook
        made or found (a term's retry whose files are beyond the budget hashes none)."""
        findings = pd.concat([by_table[i] for i in tables])
        return findings.reset_index(drop=True), _digest(path, hashes.loc[findings.index], f.columns, school, term)

    # the files with findings, by school: (path, [table indexes])
    files: dict[str, dict[Path, list[int]]] = {}
    for i, t in enumerate(roster.tables):
        if i in by_table:
            files.setdefault(schools[i], {}).setdefault(t.path, []).append(i)
    written, to_copy, order = [], [], []
    stems = file_stems(sorted(files), UNKNOWN_SCHOOL)
    for school, paths in sorted(files.items()):
        base = f"{stems[school]}_{term}_{SUFFIX}"
        for path, tables in paths.items():
            records = sum(roster.tables[i].records for i in tables)
            shown_as = roster.tables[tables[0]].file
            if max_records is not None and records > max_records:
                out.skipped.append({"file": shown_as, "school": school, "records": records,
                                    "reason": f"超过 {max_records} 条记录，请用 aidctl validate … --returns 目录 单独生成"})
                continue
            name = base if len(paths) == 1 else f"{base}_{file_stem(path.stem, 'roster')}"
            target = Path(out_dir) / f"{name}.xlsx"
            order.append(target)
            there = _digest_of(target)
            if there is not None and there == digest(path, tables, school)[1]:  # same file and findings: kept
                written.append(target)
            else:
                to_copy.append((path, tables, school, target, records, shown_as))
    if budget is not None and sum(c[4] for c in to_copy) > budget:
        total = sum(c[4] for c in to_copy)
        out.skipped += [{"file": c[5], "school": c[2], "records": c[4], "batch_total": total, "budget": budget,
                         "reason": f"本次要复制的花名册合计 {total} 条记录，超过 {budget} 条，请用 aidctl validate … "
                                   "--returns 目录 单独生成"} for c in to_copy]
        to_copy = []
    for path, tables, school, target, _, _ in to_copy:
        findings, made_with = digest(path, tables, school)
        write_return(path, {i: roster.tables[i] for i in tables}, findings, school, validation.term, target,
                     digest=made_with)
        written.append(target)
    out.files = [t for t in order if t in written]  # in the order of the schools
    folder = Path(out_dir)
    if folder.is_dir():
        for old in sorted(folder.glob(f"*_{term}_{SUFFIX}*.xlsx")):
            if old not in written:
                old.unlink()  # no stale one is mailed: its school has no findings now, or it was not made again
                (out.outdated if old in order else out.removed).append(old)
    return out


def _school_of_tables(roster) -> dict[int, str]:
    """Each table's school: the one most of its records name (（学校不明） when none does)."""
    frame = roster.frame
    named = frame[["table", "school"]].dropna()
    mode = {}
    if len(named):  # counted once for all tables (a lambda per table costs ~14 ms each)
        counts = named.groupby(["table", "school"], observed=True, sort=False).size().reset_index(name="n")
        counts = counts.sort_values(["table", "n"], ascending=[True, False], kind="stable")
        mode = counts.drop_duplicates("table").set_index("table")["school"].to_dict()
    return {i: str(mode.get(i, UNKNOWN_SCHOOL)) for i in range(len(roster.tables))}


def _load_copy(path: Path):
    """The school's workbook as openpyxl holds it: loaded as it is (.xlsx), or its cells copied into a
    new workbook (.xls through python-calamine, which keeps number and date cells; .csv as text)."""
    import openpyxl

    head = path.read_bytes()[:4]
    if head == b"PK\x03\x04":
        return openpyxl.load_workbook(path, rich_text=True)
    wb = openpyxl.Workbook()
    wb.remove(wb.active)
    if head == bytes.fromhex("d0cf11e0"):
        from python_calamine import CalamineWorkbook

        book = CalamineWorkbook.from_path(str(path))
        for meta in book.sheets_metadata:
            ws = wb.create_sheet(_sheet_title(meta.name))
            sheet = book.get_sheet_by_name(meta.name)
            for row in sheet.to_python(skip_empty_area=False):
                append_text_row(ws, [int(v) if isinstance(v, float) and v.is_integer() and abs(v) < 1e15 else
                                     (None if v == "" else v) for v in row])
            for (r0, c0), (r1, c1) in sheet.merged_cell_ranges or []:
                ws.merge_cells(start_row=r0 + 1, start_column=c0 + 1, end_row=r1 + 1, end_column=c1 + 1)
            if str(getattr(meta, "visible", "visible")).lower().endswith("hidden"):
                ws.sheet_state = "hidden"
        return wb
    from aidctl.read import open_sheets

    for sheet in open_sheets(path):  # a .csv: the one table, as text
        ws = wb.create_sheet(_sheet_title(sheet.name))
        for r, values in sheet.grid.astype(object).iterrows():  # a school's csv: small
            for c, v in values.items():
                if not pd.isna(v):
                    ws.cell(int(r), int(c) + 1, str(v))
    return wb


def _sheet_title(name: str) -> str:
    return "".join("_" if ch in "[]:*?/\\" else ch for ch in str(name))[:31] or "Sheet1"


# What a correction workbook was made from (the school's file, the findings, the layout's version), kept
# in its custom document properties: a later run (a cron retry of disburse) keeps a workbook made from the
# same bytes and findings instead of copying the school's file through openpyxl again (~0.2 ms a cell).
DIGEST_PROPERTY = "aidctl-returns-digest"
LAYOUT_VERSION = "1"


def _row_hashes(findings: pd.DataFrame) -> pd.Series:
    """A hash of each finding as a correction workbook shows it: not its positions (rec, table), which
    depend on the other files read with it. Made once for all the files' findings."""
    shown = findings.drop(columns=["rec", "table"], errors="ignore")
    hashes = pd.util.hash_pandas_object(shown.astype(str), index=False)
    return pd.Series(hashes.to_numpy(), index=findings.index)


def _digest(path: Path, row_hashes: pd.Series, columns, school: str, term: str) -> str:
    import hashlib

    from aidctl.core.files import sha256

    h = hashlib.sha256(f"{LAYOUT_VERSION}\0{sha256(path)}\0{school}\0{term}\0{','.join(columns)}\0".encode())
    h.update(row_hashes.to_numpy().tobytes())
    return h.hexdigest()


def _digest_of(target: Path) -> str | None:
    """The digest a correction workbook at `target` was made with, or None (none there, or unreadable)."""
    import re
    import zipfile

    try:
        with zipfile.ZipFile(target) as z:
            custom = z.read("docProps/custom.xml").decode("utf-8")
    except (OSError, KeyError, zipfile.BadZipFile, UnicodeDecodeError):
        return None
    found = re.search(rf'name="{DIGEST_PROPERTY}"[^>]*>\s*<vt:lpwstr>([0-9a-f]{{64}})</vt:lpwstr>', custom)
    return found.group(1) if found else None


def write_return(path: Path, tables: dict, findings: pd.DataFrame, school: str, term, target: Path, *,
                 digest: str | None = None) -> Path:
    """One school file's correction workbook (see the module docstring); `tables` are the file's
    tables by their index in the findings' `table` column. `digest` (of the file and the findings) is
    kept in the workbook's custom properties."""
    from openpyxl.comments import Comment
    from openpyxl.styles import Alignment, Border, Font, PatternFill, Side

    wb = _load_copy(path)
    titles = {c: t.title for c, t in CATALOGUE.items()}
    cells: dict[tuple[str, int, int], list] = {}
    listed = []
    for n, r in enumerate(findings.sort_values(["table", "row"], na_position="first", kind="stable")
                          .itertuples(), start=1):
        table = tables[int(r.table)]
        sheet = _sheet_title(table.sheet) if table.sheet not in wb.sheetnames else table.sheet
        row = None if pd.isna(r.row) else int(r.row)
        where_col = r.column or ""
        if row is not None:
            match = table.columns.get(r.key) or table.columns.get("name") or next(iter(table.columns.values()))
            if r.key not in table.columns:  # no cell of its own (a programme taken from the title …)
                where_col = f"{r.column or ''}（表中无此列，标在“{match.header}”）"
            cells.setdefault((sheet, row, match.index + 1), []).append(r)
        listed.append([n, sheet, row, where_col, "" if pd.isna(r.name) or r.name is None else str(r.name),
                       f"{titles.get(r.code, r.code)}（{SEVERITY_WORDS.get(r.severity, r.severity)}）",
                       str(r.message), "" if r.value is None or pd.isna(r.value) else str(r.value)])

    for (sheet, row, col), items in cells.items():
        cell = wb[sheet].cell(row, col)
        worst = ERROR if any(i.severity == ERROR for i in items) else WARNING
        cell.fill = PatternFill("solid", start_color=FILLS[worst], end_color=FILLS[worst])
        text = "\n".join(f"【{titles.get(i.code, i.code)}】{i.message}" for i in items)
        comment = Comment(cell_text(text), "aidctl")
        comment.width, comment.height = 360, max(80, 40 * len(items) + len(text) // 2)
        cell.comment = comment

    ws = wb.create_sheet(SHEET, 0)
    thin = Side(style="thin", color="808080")
    border = Border(left=thin, right=thin, top=thin, bottom=thin)
    append_text_row(ws, [f"{school}花名册退回修改清单（{next(iter(tables.values())).file}）"])
    ws["A1"].font = Font(bold=True, size=14)
    errors = int((findings["severity"] == ERROR).sum())
    ws.append([f"学期：{term}。共 {len(findings)} 个问题，其中须更正的错误 {errors} 个。请在原工作表中逐一修改"
               "标红（错误）和标黄（请核对）的单元格，鼠标移到单元格上可看批注；表头缺列等没有单元格的问题只列在本页。"
               "改好后删除本页或保留均可，原文件名、工作表和格式不必改动，重新报送即可。"])
    ws.merge_cells(start_row=2, start_column=1, end_row=2, end_column=len(HEADINGS))
    ws["A2"].alignment = Alignment(wrap_text=True, vertical="top")
    ws.row_dimensions[2].height = 48
    ws.append([h for h, _ in HEADINGS])
    for j, (_, width) in enumerate(HEADINGS, start=1):
        ws.cell(3, j).font = Font(bold=True)
        ws.cell(3, j).fill = PatternFill("solid", start_color="DDEBF7", end_color="DDEBF7")
        ws.cell(3, j).border = border
        ws.column_dimensions[ws.cell(3, j).column_letter].width = width
    for values in listed:
        append_text_row(ws, values)
        for j in range(1, len(HEADINGS) + 1):
            c = ws.cell(ws.max_row, j)
            c.border = border
            c.alignment = Alignment(wrap_text=True, vertical="top")
            if j == len(HEADINGS):
                c.number_format = "@"
    ws.freeze_panes = "A4"
    ws.print_title_rows = "3:3"
    ws.page_setup.orientation = "landscape"
    ws.page_setup.paperSize = ws.PAPERSIZE_A4
    ws.page_setup.fitToWidth, ws.page_setup.fitToHeight = 1, 0
    ws.sheet_properties.pageSetUpPr.fitToPage = True
    wb.active = 0
    for other in wb.worksheets[1:]:
        other.sheet_view.tabSelected = False
    if digest:
        from openpyxl.packaging.custom import StringProperty

        props = wb.custom_doc_props
        for old in [p for p in props.props if p.name == DIGEST_PROPERTY]:
            props.props.remove(old)
        props.append(StringProperty(name=DIGEST_PROPERTY, value=digest))
    with atomic_path(target) as tmp:
        wb.save(tmp)
    return target
