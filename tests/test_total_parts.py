"""The school's own 合计 under a roster of two parts, each under its own header (a 补报 part below
the main table, its header naming a 班级 column more, or stating the amount in 万元): a grand total
under the last part is checked against every part, a 合计 right under a part against that part, and a
figure that equals neither sum is total.mismatch naming both, never a guess. Every test writes the
workbook it reads (openpyxl) and looks at what the command said."""

from __future__ import annotations

from pathlib import Path

from conftest import VOC_HEADERS
from test_checks import check, dry_run, found, only
from test_reading import TITLE, book, named, values

AMOUNT = VOC_HEADERS.index("资助金额（元）")
MORE = [*VOC_HEADERS, "班级"]                          # the 补报 part's header: a column more
WAN = [h.replace("（元）", "（万元）") for h in VOC_HEADERS]   # the same header, amounts in 万元


def total(label: str, amount) -> list:
    """A total row as schools write it: the label under 序号, the figure under the amount."""
    row = [None] * len(VOC_HEADERS)
    row[0], row[AMOUNT] = label, amount
    return row


def two_parts(*, first_total=None, grand=None) -> list[list]:
    """学生一, 学生二 under the header on row 2 (750 元 each), optionally their 合计; a 补报 part under a
    header with 班级 (学生三, 学生四, 750 元 each); optionally a 合计 under it all."""
    rows = [[TITLE], VOC_HEADERS, named(1), named(2)]
    if first_total is not None:
        rows.append(total("合计", first_total))
    rows += [["补报学生名单"], MORE, [*named(3), "一班"], [*named(4), "二班"]]
    if grand is not None:
        rows.append(total("合计", grand))
    return rows


def paid(run, tmp_path: Path, path: Path, folder: str) -> list[tuple[int, str]]:
    code, plan, err = dry_run(run, tmp_path / folder, path)
    assert isinstance(plan, dict), (code, err)
    return [(p["row"], p["amount"]) for p in plan["payments"]]


def test_a_grand_total_under_two_parts_equals_them_all(run, tmp_path):
    """合计 3000 under a 补报 part (its own header, 班级 added) sums both parts: it was compared with the
    last part alone (1500) and the roster was total.mismatch, none of it paid. It agrees; all four are
    paid."""
    path = book(tmp_path / "a.xlsx", {"rows": two_parts(grand=3000)})
    doc = check(run, path.name, expect_exit=0)
    assert doc["findings"] == [], doc["findings"]
    assert [(t["header_row"], t["records"]) for t in doc["files"]] == [(2, 2), (6, 2)]
    assert paid(run, tmp_path, path, "ws") == [(3, "750.00"), (4, "750.00"), (7, "750.00"), (8, "750.00")]


def test_a_grand_total_that_equals_neither_sum_names_both(run, tmp_path):
    """合计 2900 under the 补报 part equals neither that part (1500) nor both parts (3000): whose total it
    is is not guessed. The part under it is total.mismatch naming the figure and both sums; the part
    above, which no total vouches for, is total.mismatch too; nobody is paid. A 合计 of 1500 is the 补报
    part's own: it agrees, and the main part, without a total of its own, is paid as before."""
    path = book(tmp_path / "a.xlsx", {"rows": two_parts(grand=2900)})
    doc = check(run, path.name, expect_exit=1)
    hits = found(doc, "total.mismatch")
    assert len(hits) == 2 and {f["row"] for f in hits} == {None} and len(doc["findings"]) == 2, doc["findings"]
    last = next(f["message"] for f in hits if "学校在第9行" in f["message"])
    for says in ("2900.00 元", "第6行表头下这一部分的 2 条学生记录金额合计 1500.00 元（少 1400.00 元）",
                 "全表 4 条学生记录的金额合计 3000.00 元（多 100.00 元）", "无法确定", "本表暂不发放"):
        assert says in last, (says, last)
    first = next(f["message"] for f in hits if "学校在第9行" not in f["message"])
    for says in ("第2行表头下这一部分的 2 条学生记录", "没有可以核对的合计", "第9行的合计金额 2900.00 元",
                 "3000.00 元", "1500.00 元"):
        assert says in first, (says, first)
    assert paid(run, tmp_path, path, "ws1") == []

    path = book(tmp_path / "b.xlsx", {"rows": two_parts(grand=1500)})
    doc = check(run, path.name, expect_exit=0)
    assert doc["findings"] == [], doc["findings"]
    assert len(paid(run, tmp_path, path, "ws2")) == 4


def test_a_total_right_under_a_part_still_checks_that_part(run, tmp_path):
    """合计 1500 right under the main part, then the 补报 part and a grand 合计 3000: each agrees (the
    grand one was held against the 补报 part alone). With 1400 under the main part, that part alone is
    total.mismatch (1400 against its 1500); the grand 3000 equals every record read and vouches for the
    补报 part, which is paid."""
    path = book(tmp_path / "a.xlsx", {"rows": two_parts(first_total=1500, grand=3000)})
    doc = check(run, path.name, expect_exit=0)
    assert doc["findings"] == [], doc["findings"]
    assert len(paid(run, tmp_path, path, "ws1")) == 4

    path = book(tmp_path / "b.xlsx", {"rows": two_parts(first_total=1400, grand=3000)})
    doc = check(run, path.name, expect_exit=1)
    f = only(doc, "total.mismatch")
    for says in ("学校在第5行填写的合计金额为 1400.00 元", "本表读取的 2 条学生记录金额合计为 1500.00 元", "多 100.00 元"):
        assert says in f["message"], (says, f["message"])
    assert paid(run, tmp_path, path, "ws2") == [(8, "750.00"), (9, "750.00")]


def test_a_grand_total_over_parts_in_yuan_and_wan_yuan_is_compared_in_yuan(run, tmp_path):
    """The main part in 元 (750 each), a 补报 part under 资助金额（万元） (0.075 each), the grand 合计
    under the 万元 column: 0.3 万元 is 3000 元, both parts; it agrees. 0.29 万元 (2900 元) agrees
    with neither: both sums named in 元. The other way round (万元 above, 元 below, the 合计 3000 in
    元) agrees too."""
    def rows(grand, first=VOC_HEADERS, second=WAN, a=750, b=0.075) -> list[list]:
        return [[TITLE], first, values(1, first, **{first[AMOUNT]: a}), values(2, first, **{first[AMOUNT]: a}),
                ["补报学生名单"], second, values(3, second, **{second[AMOUNT]: b}),
                values(4, second, **{second[AMOUNT]: b}), total("合计", grand)]

    path = book(tmp_path / "a.xlsx", {"rows": rows(0.3)})
    doc = check(run, path.name, expect_exit=0)
    assert doc["findings"] == [], doc["findings"]
    assert [(t["header_row"], t["records"]) for t in doc["files"]] == [(2, 2), (6, 2)]
    assert paid(run, tmp_path, path, "ws1") == [(3, "750.00"), (4, "750.00"), (7, "750.00"), (8, "750.00")]

    path = book(tmp_path / "b.xlsx", {"rows": rows(0.29)})
    doc = check(run, path.name, expect_exit=1)
    last = next(f["message"] for f in found(doc, "total.mismatch") if "学校在第9行" in f["message"])
    for says in ("2900.00 元", "合计 1500.00 元（少 1400.00 元）", "合计 3000.00 元（多 100.00 元）"):
        assert says in last, (says, last)
    assert paid(run, tmp_path, path, "ws2") == []

    path = book(tmp_path / "c.xlsx", {"rows": rows(3000, first=WAN, second=VOC_HEADERS, a=0.075, b=750)})
    doc = check(run, path.name, expect_exit=0)
    assert doc["findings"] == [], doc["findings"]


def test_a_grand_total_over_a_part_whose_amount_cannot_be_read_is_not_compared(run, tmp_path):
    """学生一's amount 七百五 cannot be read (amount.invalid): the sum of both parts is not known, so the
    合计 3000 under the 补报 part cannot be held against anything. It was held against the 补报 part
    alone and the roster called total.mismatch; now only the record that cannot be read is a finding,
    and the 补报 part is paid."""
    rows = two_parts(grand=3000)
    rows[2] = named(1, **{"资助金额（元）": "七百五"})
    path = book(tmp_path / "a.xlsx", {"rows": rows})
    doc = check(run, path.name, expect_exit=1)
    assert not found(doc, "total.mismatch"), doc["findings"]
    assert [f["row"] for f in found(doc, "amount.invalid")] == [3]
    assert paid(run, tmp_path, path, "ws") == [(4, "750.00"), (7, "750.00"), (8, "750.00")]


def test_a_wrong_grand_total_leaves_the_part_above_without_a_total(run, tmp_path):
    """The 补报 part's own 合计 1500 agrees; the 总计 2900 under it equals neither that part nor both
    (3000). The 补报 part is vouched by its own total and paid; the main part has no total of its own,
    and the only one over it disagrees: it is total.mismatch and not paid (it was paid, nothing said)."""
    rows = [*two_parts(), total("合计", 1500), total("总计", 2900)]
    path = book(tmp_path / "a.xlsx", {"rows": rows})
    doc = check(run, path.name, expect_exit=1)
    f = only(doc, "total.mismatch")
    for says in ("第2行表头下这一部分的 2 条学生记录（金额合计 1500.00 元）没有可以核对的合计", "第10行的合计金额 2900.00 元",
                 "全表 4 条学生记录的金额合计 3000.00 元不符", "第6行表头下那一部分的 1500.00 元不符"):
        assert says in f["message"], (says, f["message"])
    assert paid(run, tmp_path, path, "ws") == [(7, "750.00"), (8, "750.00")]
