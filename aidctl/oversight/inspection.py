"""Inspections of paid students (月巡视、季度检查): a reproducible random sample per school from the
ledger, a printable sign-off workbook per school, and the filled-in workbook read back.

The draw (recorded in `method` with every sample, so that an auditor can redraw it):
- schools in ascending order of name (Python's str order; payments without a school under （学校不明）);
- a school's population is its students whose payments of the term have status `paid` (confirmed by
  the bank); a school with no paid payment yet (its bank's result file not reconciled) is drawn from
  its payments with status `sent` or `reissued`; failed and pending payments are never drawn;
- each student once (a student paid by two programmes is one student), ordered by their smallest
  payment id, which is the student's 核对编号 (P<id>) on the sheet;
- a school draws `per_school` students, or with `share` the percentage of its population rounded
  up (with both, the larger), times `weights.private_school` for a 民办 school (schools.xlsx), never
  more than it has; each student holds one ticket, or `weights.older_student` tickets when older at
  term start than the upper bound of rules/ages.yaml for the school type (高年龄);
- one generator for the whole sample, `rng = numpy.random.default_rng(seed)`; for each school in
  turn its tickets (the students in order, each repeated by its tickets) are shuffled with
  `order = rng.permutation(tickets)`, and the students are drawn in the order of their first ticket
  until the school's number is reached, 序号 1, 2 … in that order. With one ticket each this is
  `order[:k]` of a permutation of the students.
The same seed on the same ledger gives the same draw, and the same sample id: drawing it again
returns the recorded sample and writes the same workbooks. Without --seed the seed is the month
(YYYYMM): the sample is the same for the whole month. It is printed and recorded.
"""

from __future__ import annotations

import getpass
import hashlib
import math
import re
from dataclasses import dataclass, field
from datetime import date, datetime
from decimal import Decimal
from fractions import Fraction
from pathlib import Path

import numpy as np
import pandas as pd
from sqlalchemy import insert, select

from aidctl import ledger as L
from aidctl.core.errors import UsageError
from aidctl.core.files import atomic_path, file_stems
from aidctl.core.labels import UNKNOWN_SCHOOL
from aidctl.core.masking import DEFAULT, Masking
from aidctl.core.money import yuan
from aidctl.core.terms import Term
from aidctl.core.xlsx import Book
from aidctl.read import Workspace, school_attributes

META_SHEET = "_aidctl"


REF = re.compile(r"^P(\d+)$")


PAID, UNDER_WAY = ("paid",), ("sent", "reissued")


HEADERS = ["序号", "核对编号", "姓名", "身份证号码（前{head}位后{tail}位）", "资助项目", "发放金额（元）", "资助卡（后{card}位）",
           "本人在校（是/否）", "资助卡由本人持有（是/否）", "实收金额（元）", "情况说明", "抽样权重"]  # widths: the rules' masking


PRESENT, CARD_HELD, RECEIVED, NOTE, WEIGHT = 7, 8, 9, 10, 11   # the result columns, 0-based


KINDS = {
    "absent": "学生本人不在校",
    "card_not_held": "资助卡不由学生本人持有",
    "amount_differs": "实收金额与发放金额不符",
    "not_inspected": "未填写检查结果（尚未检查）",
    "incomplete": "检查结果填写不全",
    "unreadable": "填写的内容无法识别",
    "missing_row": "抽查学生不在表中（行被删除）",
    "unknown_row": "表中的核对编号不在本次抽样中",
}


def percent_text(share: Fraction) -> str:
    """A share as typed, in decimal: 12.5 (not the fraction 25/2), 10."""
    return f"{Decimal(share.numerator) / share.denominator:f}"


def method_text(per_school: int | None, share: Fraction | None, weights) -> str:
    size = (f"per_school = {per_school}" if share is None else
            f"per_school = ceil(population × {percent_text(share)}%)" if not per_school else
            f"per_school = max({per_school}, ceil(population × {percent_text(share)}%))")
    return (f"numpy {np.__version__}: rng = numpy.random.default_rng(seed); schools in ascending order of "
            f"name (Python str order, payments without a school under {UNKNOWN_SCHOOL}); a school's "
            "population is its students with payments of the term in status paid, or, when the school has "
            "none paid, in status sent or reissued; each student once, ordered by their smallest payment id "
            f"(the 核对编号 P<id>); {size}, × {weights.private_school} at a 民办 school, at most the population; "
            f"a student older at term start than the upper bound of rules/ages.yaml holds {weights.older_student} "
            "tickets, any other 1; for each school in turn order = rng.permutation(tickets) of its students each "
            "repeated by its tickets, and the students are drawn in the order of their first ticket until "
            "per_school are drawn, 序号 1, 2 … in that order")


def default_seed(day: date) -> int:
    """The month (YYYYMM): without --seed, the same sample for the whole month."""
    return int(day.strftime("%Y%m"))


def population(conn, term: str) -> pd.DataFrame:
    """Per school, the students that may be drawn: school, ref (smallest payment id), person,
    payment ids, name, programmes, amount_fen (sum), card, basis (paid / sent)."""
    q = (select(L.payments.c.id, L.payments.c.school, L.payments.c.person, L.payments.c.name,
                L.payments.c.programme, L.payments.c.amount_fen, L.payments.c.card, L.payments.c.status)
         .where(L.payments.c.term == term, L.payments.c.status.in_(PAID + UNDER_WAY))
         .order_by(L.payments.c.id))
    rows = pd.DataFrame(list(map(tuple, conn.execute(q).all())),
                        columns=["id", "school", "person", "name", "programme", "amount_fen", "card", "status"])
    if rows.empty:
        return rows.assign(ref=pd.Series(dtype="int64"), ids=None, basis=None)
    rows["school"] = rows["school"].astype(object).where(rows["school"].notna(), UNKNOWN_SCHOOL)
    has_paid = rows.groupby("school")["status"].transform(lambda s: (s == "paid").any())
    rows = rows[(has_paid & (rows["status"] == "paid")) | (~has_paid & rows["status"].isin(UNDER_WAY))]
    rows = rows.assign(basis=np.where(has_paid[rows.index], "paid", "sent"))
    students = (rows.groupby(["school", "person"], sort=False)
                .agg(ref=("id", "min"), ids=("id", list), name=("name", "first"),
                     programme=("programme", lambda s: "、".join(dict.fromkeys(s))),
                     amount_fen=("amount_fen", "sum"),
                     card=("card", lambda s: "、".join(dict.fromkeys(s))), basis=("basis", "first"))
                .reset_index())
    return students.sort_values(["school", "ref"], key=None, kind="stable").reset_index(drop=True)


def weigh(students: pd.DataFrame, ws: Workspace, term: Term, weights) -> pd.DataFrame:
    """The students with `ownership` (民办/公办/None, schools.xlsx), `age` at term start, `older`
    (above rules/ages.yaml's range for the school type) and `tickets` (their weight in the draw)."""
    rules = ws.rules
    schools = pd.DataFrame({"school": pd.Series(students["school"].to_numpy(), dtype="string")})
    attrs = school_attributes(schools, rules, ws)
    start = pd.Timestamp(rules.term_start(term))
    birth = pd.to_datetime(students["person"].astype(str).str.slice(6, 14), format="%Y%m%d", errors="coerce")
    age = (start.year - birth.dt.year - ((birth.dt.month > start.month) | ((birth.dt.month == start.month)
                                                                           & (birth.dt.day > start.day)))).astype("Int64")
    upper = attrs["v_school_type"].map({k: v.max for k, v in rules.ages.by_school_type.items()}).astype("Int64")
    older = (age > upper.to_numpy()).fillna(False).to_numpy(dtype=bool)
    return students.assign(ownership=attrs["v_ownership"].to_numpy(), age=age.to_numpy(), older=older,
                           tickets=np.where(older, weights.older_student, 1))


def sizes(students: pd.DataFrame, per_school: int | None, share: Fraction | None, weights) -> dict[str, int]:
    """How many students each school draws: per_school, or the share of its population rounded up
    (the larger with both), times the 民办 weight, at most its population."""
    out = {}
    for school, group in students.groupby("school", sort=True):
        n = len(group)
        k = per_school or 0
        if share is not None:
            k = max(k, math.ceil(share * n / 100))
        if (group["ownership"] == "民办").any():
            k *= weights.private_school
        out[school] = min(max(k, 1), n)
    return out


def draw(students: pd.DataFrame, seed: int, counts: dict[str, int]) -> pd.DataFrame:
    """The documented draw: students drawn, with their school and position (see the module docstring)."""
    rng = np.random.default_rng(seed)
    picked = []
    for school in sorted(students["school"].unique()):
        group = students[students["school"] == school].sort_values("ref").reset_index(drop=True)
        tickets = np.repeat(np.arange(len(group)), group["tickets"].to_numpy(dtype=np.int64)
                            if "tickets" in group else 1)
        shuffled = tickets[rng.permutation(len(tickets))]
        _, first = np.unique(shuffled, return_index=True)
        order = shuffled[np.sort(first)]            # each student at their first ticket
        chosen = group.iloc[order[:min(counts[school], len(group))]].copy()
        chosen["position"] = np.arange(1, len(chosen) + 1)
        picked.append(chosen)
    return pd.concat(picked, ignore_index=True) if picked else students.assign(position=pd.Series(dtype="int64"))


@dataclass
class Sample:
    id: str
    term: Term
    seed: int
    seed_source: str               # given / month
    per_school: int | None         # None: by share alone
    method: str
    created_at: str
    operator: str | None
    drawn: pd.DataFrame            # school, position, ref, ids, name, person, programme, amount_fen, card, basis
    counts: pd.DataFrame           # school, population, basis, drawn
    existing: bool = False
    files: dict[str, Path] = field(default_factory=dict)
    share: Fraction | None = None  # per cent of each school's population, rounded up
    weights: dict = field(default_factory=dict)
    masking: Masking = DEFAULT     # the rules' widths: how much of an ID and a card the sheets and JSON show

    def to_json(self, root: Path) -> dict:
        def rel(p: Path) -> str:
            return str(p.relative_to(root)) if p.is_relative_to(root) else str(p)

        schools = [{"school": r.school, "population": int(r.population), "basis": r.basis, "drawn": int(r.drawn),
                    "ownership": r.ownership if isinstance(r.ownership, str) else None,
                    "file": rel(self.files[r.school]) if r.school in self.files else None}
                   for r in self.counts.itertuples()]
        students = [{"school": r.school, "position": int(r.position), "reference": f"P{r.ref}",
                     "payment_ids": [int(i) for i in r.ids], "name": r.name, "id_number": mask_person(r.person, self.masking),
                     "programme": r.programme, "amount": str(yuan(r.amount_fen)), "card": _card(r.card, self.masking),
                     "older": bool(r.older), "tickets": int(r.tickets)}
                    for r in self.drawn.itertuples()]
        return {"version": 1, "sample": self.id, "term": str(self.term), "seed": self.seed,
                "seed_source": self.seed_source, "per_school": self.per_school,
                "share": None if self.share is None else percent_text(self.share), "weights": self.weights,
                "method": self.method,
                "created_at": self.created_at, "operator": self.operator, "existing": self.existing,
                "schools": schools, "students": students,
                "totals": {"schools": len(self.files), "students": len(self.drawn)}}


def mask_person(person: str, masking: Masking) -> str:
    return str(masking.ids(pd.Series([person], dtype="string")).iat[0]) if person else ""


def _card(cards: str, masking: Masking) -> str:
    return "、".join(masking.card(c) for c in str(cards).split("、") if c)


def _sample_id(term: Term, seed: int, per_school: int, drawn: pd.DataFrame, share: Fraction | None = None) -> str:
    """JC-<term>-<seed>-<6 hex of the draw>: the same draw on the same ledger has the same id. The share
    enters the digest as a fraction (25/2 for 12.5), as it always has: in decimal, the id of every
    sample recorded with a share that is not a whole number would change, and drawing it again
    would not find it."""
    size = str(per_school) if share is None else f"{per_school}|{share}%"
    digest = hashlib.sha256("|".join([str(term), str(seed), size] + [
        f"{s}:{p}:{','.join(map(str, ids))}" for s, p, ids in drawn[["school", "position", "ids"]]
        .itertuples(index=False, name=None)]).encode("utf-8")).hexdigest()[:6].upper()
    return f"JC-{term}-{seed}-{digest}"


def open_ledger(ws: Workspace, db: str | None) -> L.Ledger:
    if not db and not ws.has_ledger():
        raise UsageError(f"{ws.root} 还没有账本（aidctl.db）：先运行 aidctl disburse 和 aidctl reconcile")
    return L.Ledger(ws.ledger_url(db))


def sample(ws: Workspace, term: Term, *, per_school: int | None = None, seed: int | None = None,
           share: Fraction | None = None, db: str | None = None, today: date | None = None,
           now: datetime | None = None, operator: str | None = None) -> Sample:
    """Draw (or find again) the term's inspection sample, record it, and write the sign-off workbooks.
    `per_school` students per school, or `share` per cent of each school's (rounded up), or the larger
    of the two; without either, rules/oversight.yaml's per_school_default."""
    rules = ws.rules.oversight.inspection
    if share is not None and not 0 < share <= 100:
        raise UsageError(f"--share 应为大于 0、不超过 100 的百分比，现为 {percent_text(share)}")
    if per_school is None and share is None:
        per_school = rules.per_school_default
    weights = rules.weights
    seed_source = "given" if seed is not None else "month"
    seed = seed if seed is not None else default_seed(today or date.today())
    method = method_text(per_school, share, weights)
    ledger = open_ledger(ws, db)
    with ledger.transaction() as conn:
        L.exclusive(conn, L.INSPECTION_KEY)  # found again or recorded: two draws at once record it once
        students = population(conn, str(term))
        if students.empty:
            raise UsageError(f"账本中 {term} 没有已入账或已发送的付款，无从抽查：先运行 aidctl disburse 和 aidctl reconcile")
        students = weigh(students, ws, term, weights)
        drawn = draw(students, seed, sizes(students, per_school, share, weights))
        sample_id = _sample_id(term, seed, per_school or 0, drawn, share)
        known = conn.execute(select(L.inspection_samples).where(L.inspection_samples.c.id == sample_id)) \
            .mappings().first()
        if known:
            created, operator = known["created_at"], known["operator"]
        else:
            created = (now or datetime.now()).isoformat(timespec="seconds")
            operator = operator or ws.settings.operator or getpass.getuser()
            conn.execute(insert(L.inspection_samples).values(
                id=sample_id, term=str(term), created_at=created, operator=operator, seed=seed,
                per_school=per_school or 0, method=method))
            conn.execute(insert(L.inspection_items), [
                {"sample_id": sample_id, "payment_id": int(pid), "school": r.school, "position": int(r.position)}
                for r in drawn.itertuples() for pid in r.ids])
    counts = (students.groupby("school").agg(population=("ref", "size"), basis=("basis", "first"),
                                             ownership=("ownership", "first"))
              .join(drawn.groupby("school").size().rename("drawn")).fillna({"drawn": 0}).reset_index())
    result = Sample(sample_id, term, seed, seed_source, per_school, method, created, operator, drawn,
                    counts, existing=bool(known), share=share,
                    weights={"private_school": weights.private_school, "older_student": weights.older_student},
                    masking=ws.rules.publicity.masking.masking())
    out = ws.out_dir(term) / "检查"
    label = ws.rules.term_label(term)
    stems = file_stems(sorted(drawn["school"].unique()), UNKNOWN_SCHOOL)
    for school, group in drawn.groupby("school", sort=True):
        target = out / f"{stems[school]}_{term}_资助资金抽查核对表_{sample_id}.xlsx"
        result.files[school] = write_signoff(target, result, school, group.sort_values("position"), label)
    return result


def write_signoff(target: Path, s: Sample, school: str, group: pd.DataFrame, term_label: str) -> Path:
    """One printable sheet: title, sample id and seed, the students to verify in person, result
    columns with 是/否 lists, signature lines; landscape A4 fitted to the width. A hidden sheet holds
    the sample id, term and school for `inspect record`."""
    title = f"{school}{term_label}学生资助资金抽查核对表"
    info = (f"抽样编号：{s.id}　　随机种子：{s.seed}　　抽样时间：{s.created_at.replace('T', ' ')}　　"
            f"本校抽查 {len(group)} 人")
    private = s.weights.get("private_school", 1)
    rule = (f"抽样权重：民办学校抽查人数×{private}；高年龄受助学生（开学日年龄超过 rules/ages.yaml 上限）"
            f"被抽中的权重为{s.weights.get('older_student', 1)}，其他学生为1（资助中心工作要点：加大对高年龄受助学生"
            "和民办学校的监管力度）")
    last = len(HEADERS) - 1
    with atomic_path(target) as tmp:
        wb = Book(tmp)
        wb.set_properties({"title": title, "subject": s.id, "author": "aidctl",
                           "created": datetime.fromisoformat(s.created_at)})
        title_fmt = wb.add_format({"bold": True, "font_size": 16, "align": "center", "valign": "vcenter"})
        line_fmt = wb.add_format({"font_size": 11, "align": "left", "valign": "vcenter", "text_wrap": True})
        head_fmt = wb.add_format({"bold": True, "border": 1, "align": "center", "valign": "vcenter",
                                  "bg_color": "#F2F2F2", "text_wrap": True})
        cell_fmt = wb.add_format({"border": 1, "align": "center", "valign": "vcenter", "num_format": "@"})
        money_fmt = wb.add_format({"border": 1, "align": "right", "valign": "vcenter", "num_format": "#,##0.00"})
        fill_fmt = wb.add_format({"border": 1, "align": "center", "valign": "vcenter", "bg_color": "#FFFBE6"})
        fill_money = wb.add_format({"border": 1, "align": "right", "valign": "vcenter", "bg_color": "#FFFBE6",
                                    "num_format": "0.00"})
        sign_fmt = wb.add_format({"font_size": 12, "align": "left", "valign": "bottom"})
        blank_fmt = wb.add_format({"bottom": 1})
        sheet = wb.add_worksheet("抽查核对表")
        for j, width in enumerate([6, 11, 10, 22, 18, 12, 12, 12, 14, 12, 28, 16]):
            sheet.set_column(j, j, width)
        sheet.set_row(0, 34)
        sheet.merge_range(0, 0, 0, last, title, title_fmt)
        sheet.set_row(1, 22)
        sheet.merge_range(1, 0, 1, last, info, line_fmt)
        sheet.set_row(2, 34)
        widths = {"head": s.masking.id_head, "tail": s.masking.id_tail, "card": s.masking.card_tail}
        for j, h in enumerate(HEADERS):
            sheet.write_string(2, j, h.format(**widths), head_fmt)
        r = 2
        for r, row in enumerate(group.itertuples(), start=3):
            sheet.set_row(r, 26)
            sheet.write_number(r, 0, int(row.position), cell_fmt)
            sheet.write_string(r, 1, f"P{row.ref}", cell_fmt)
            sheet.write_string(r, 2, str(row.name), cell_fmt)
            sheet.write_string(r, 3, mask_person(row.person, s.masking), cell_fmt)
            sheet.write_string(r, 4, str(row.programme), cell_fmt)
            sheet.write_number(r, 5, int(row.amount_fen) / 100, money_fmt)
            sheet.write_string(r, 6, _card(row.card, s.masking), cell_fmt)
            for j in (PRESENT, CARD_HELD, NOTE):
                sheet.write_blank(r, j, None, fill_fmt)
            sheet.write_blank(r, RECEIVED, None, fill_money)
            # no age beside the masked ID: it would narrow the birth date the mask hides
            weight = f"{int(row.tickets)}（高年龄）" if row.older else str(int(row.tickets))
            sheet.write_string(r, WEIGHT, weight, cell_fmt)
        first, end = 3, max(r, 3)
        for j in (PRESENT, CARD_HELD):
            sheet.data_validation(first, j, end, j, {
                "validate": "list", "source": ["是", "否"], "error_title": "请选择“是”或“否”",
                "error_message": "本列只能填写“是”或“否”。"})
        sheet.data_validation(first, RECEIVED, end, RECEIVED, {
            "validate": "decimal", "criteria": ">=", "value": 0, "error_title": "请填写金额",
            "error_message": "实收金额填写学生实际收到的元数，如 860 或 860.50。"})
        r = end + 2
        sheet.merge_range(r, 0, r, last, "填写说明：请当面核对学生本人和资助卡；“本人在校”“资助卡由本人持有”选填是或否，"
                          "“实收金额”填写学生本人确认实际收到的金额（元），不符或有其他情况请在“情况说明”中写明。"
                          "请勿修改“核对编号”列；行可以重新排序。", line_fmt)
        sheet.set_row(r, 34)
        r += 1
        sheet.merge_range(r, 0, r, last, rule + ("；本校为民办学校" if private > 1 and (group["ownership"] == "民办").any()
                                              else ""), line_fmt)
        sheet.set_row(r, 34)
        r += 2
        sheet.set_row(r, 30)
        sheet.merge_range(r, 0, r, 1, "检查人签字：", sign_fmt)
        sheet.merge_range(r, 2, r, 3, "", blank_fmt)
        sheet.merge_range(r, 4, r, 5, "学校负责人签字：", sign_fmt)
        sheet.merge_range(r, 6, r, 7, "", blank_fmt)
        sheet.write_string(r, 8, "日期：", sign_fmt)
        sheet.merge_range(r, 9, r, 10, "", blank_fmt)
        sheet.freeze_panes(3, 0)
        sheet.repeat_rows(2)
        sheet.set_landscape()
        sheet.set_paper(9)
        sheet.fit_to_pages(1, 0)
        sheet.center_horizontally()
        sheet.set_margins(left=0.4, right=0.4, top=0.6, bottom=0.6)
        sheet.set_footer(f"&L{s.id}&C第 &P 页，共 &N 页")
        sheet.print_area(0, 0, r, last)
        meta = wb.add_worksheet(META_SHEET)
        for i, (k, v) in enumerate([("sample_id", s.id), ("term", str(s.term)), ("school", school),
                                    ("seed", str(s.seed))]):
            meta.write_string(i, 0, k)
            meta.write_string(i, 1, v)
        meta.hide()
        sheet.activate()
        wb.close()
    return target
