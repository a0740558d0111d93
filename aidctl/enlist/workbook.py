"""The enlistment audit workbook: per student and year of study, what is paid and why."""

from __future__ import annotations

from datetime import datetime
from pathlib import Path

from aidctl.core.catalogue import SEVERITY_WORDS
from aidctl.core.files import atomic_path
from aidctl.core.identity import ID_IN_TEXT
from aidctl.core.money import yuan_or_none
from aidctl.core.text import missing, text_or_empty
from aidctl.core.xlsx import Book, write_table


def write_enlistment_report(result, target: Path, rules) -> Path:
    """The enlistment audit workbook: totals by school with 合计, every student with the years
    counted and why, every year's line with its reason, the findings, and the caps applied.
    Amounts are numeric cells (yuan) so that Excel can sum them; IDs are masked to the rules' widths (rules/publicity.yaml `masking`)."""

    def num(fen):
        value = yuan_or_none(fen)
        return None if value is None else float(value)

    s = result.students
    with atomic_path(target) as tmp:
        wb = Book(tmp, rules.publicity.masking.masking(), title=f"{result.year}年应征入伍学生学费补偿审核")
        fmt = wb.fmt
        amount = wb.add_format({"border": 1, "num_format": "#,##0.00"})
        total_amount = wb.add_format({"border": 1, "bold": True, "num_format": "#,##0.00"})
        bad = wb.add_format({"border": 1, "font_color": "#C00000", "bold": True})

        ws = wb.add_worksheet("汇总")
        ws.write(0, 0, f"{result.year}年应征入伍学生学费补偿和国家助学贷款代偿审核表", fmt["title"])
        ws.write(1, 0, f"生成时间：{datetime.now():%Y-%m-%d %H:%M}；规则指纹：{rules.fingerprint[:16]}；"
                       f"银行格式：{result.bank_profile}")
        ws.write(2, 0, "本名单不记入发放账本：发给学生的部分由财务按银行文件支付，代偿贷款的部分另行划付贷款经办机构；"
                       "重复运行会生成同样的名单，请勿重复支付。")
        heads = [("学校", 26), ("学生", 8), ("可发放", 8), ("不予发放", 9), ("补偿总额（元）", 16),
                 ("其中代偿贷款（元）", 18), ("发给学生（元）", 16)]
        for j, (h, w) in enumerate(heads):
            ws.set_column(j, j, w)
            ws.write(4, j, h, fmt["head"])
        by = result.by_school()
        for n, r in enumerate(by.itertuples(), start=5):
            ws.write_string(n, 0, r.school, fmt["cell"])
            for j, v in ((1, r.students), (2, r.payable), (3, r.students - r.payable)):
                ws.write_number(n, j, int(v), fmt["cell"])
            for j, v in ((4, r.total_fen), (5, r.loan_fen), (6, r.to_student_fen)):
                ws.write(n, j, num(v), amount)
        row = 5 + len(by)
        ws.write_string(row, 0, "合计", fmt["total"])
        for j, v in ((1, by["students"].sum()), (2, by["payable"].sum()),
                     (3, by["students"].sum() - by["payable"].sum())):
            ws.write_number(row, j, int(v), fmt["total"])
        for j, col in ((4, "total_fen"), (5, "loan_fen"), (6, "to_student_fen")):
            ws.write(row, j, num(int(by[col].sum())), total_amount)
        totals = result.totals()
        row += 2
        ws.write(row, 0, f"银行文件（发给学生 {totals['payments']} 笔，{totals['to_students']} 元）", fmt["head"])
        for p in result.bank_files:
            row += 1
            ws.write_string(row, 0, p.name, fmt["cell"])

        people = wb.add_worksheet("学生明细")
        messages = result.findings[result.findings["rec"] >= 0].groupby("rec")["message"].agg("；".join)
        ids = wb.masking.ids(s["person"].astype("string").fillna(s["id_number"].astype("string")))
        heads = [("文件", 26), ("行号", 7), ("姓名", 10), ("身份证号码", 20), ("学校", 20), ("学历层次", 10),
                 ("入学年份", 9), ("入伍年份", 9), ("计入学年", 9), ("每学年上限（元）", 14), ("补偿总额（元）", 14),
                 ("贷款本金（元）", 14), ("代偿贷款（元）", 14), ("发给学生（元）", 14), ("结论", 9),
                 ("计入学年的说明", 50), ("问题", 60)]
        for j, (h, w) in enumerate(heads):
            people.set_column(j, j, w)
            people.write(0, j, h, fmt["head"])
        for n, (rec, r) in enumerate(s.iterrows(), start=1):
            texts = [r["file"], None, text_or_empty(r["name"]), text_or_empty(ids[rec]), text_or_empty(r["school"]),
                     text_or_empty(r["level_key"]) or text_or_empty(r["level"])]
            for j, v in enumerate(texts):
                if j != 1:
                    people.write_string(n, j, v or "", fmt["cell"])
            people.write_number(n, 1, int(r["row"]), fmt["cell"])
            for j, col in ((6, "enrolled_year"), (7, "enlisted_year"), (8, "counted")):
                v = r[col]
                people.write(n, j, None if missing(v) else int(v), fmt["cell"])
            for j, col in ((9, "cap_fen"), (10, "total_fen"), (11, "loan_fen"), (12, "loan_fen_repaid"),
                           (13, "to_student_fen")):
                people.write(n, j, num(r[col]), amount)
            verdict = "可发放" if r["payable"] else "不予发放"
            people.write_string(n, 14, verdict, fmt["cell"] if r["payable"] else bad)
            people.write_string(n, 15, text_or_empty(r["years_reason"]), fmt["wrap"])
            people.write_string(n, 16, ID_IN_TEXT.sub(r"\1********\2", messages.get(rec, "")), fmt["wrap"])
        people.autofilter(0, 0, max(len(s), 1), len(heads) - 1)
        people.freeze_panes(1, 3)

        years = wb.add_worksheet("分学年明细")
        heads = [("文件", 26), ("行号", 7), ("姓名", 10), ("学校", 20), ("学年", 6), ("学年区间", 11),
                 ("实缴学费（元）", 14), ("每学年上限（元）", 14), ("补偿金额（元）", 14), ("代偿贷款（元）", 14),
                 ("发给学生（元）", 14), ("说明", 90)]
        for j, (h, w) in enumerate(heads):
            years.set_column(j, j, w)
            years.write(0, j, h, fmt["head"])
        for n, ln in enumerate(result.lines.itertuples(), start=1):
            r = s.loc[ln.rec]
            years.write_string(n, 0, r["file"], fmt["cell"])
            years.write_number(n, 1, int(r["row"]), fmt["cell"])
            years.write_string(n, 2, text_or_empty(r["name"]), fmt["cell"])
            years.write_string(n, 3, text_or_empty(r["school"]), fmt["cell"])
            years.write_number(n, 4, int(ln.year_of_study), fmt["cell"])
            years.write_string(n, 5, ln.school_year, fmt["cell"])
            for j, v in ((6, ln.tuition_fen), (7, ln.cap_fen), (8, ln.amount_fen), (9, ln.loan_fen),
                         (10, ln.to_student_fen)):
                years.write(n, j, num(v), amount)
            years.write_string(n, 11, ln.reason, fmt["wrap"])
        years.autofilter(0, 0, max(len(result.lines), 1), len(heads) - 1)
        years.freeze_panes(1, 3)

        problems = wb.add_worksheet("问题清单")
        rows = []
        for r in result.findings.itertuples():
            name = text_or_empty(s.at[r.rec, "name"]) if r.rec >= 0 else ""
            rows.append([r.file, int(r.row) if r.rec >= 0 else None, name, r.header or "", r.code,
                         SEVERITY_WORDS.get(r.severity, r.severity), ID_IN_TEXT.sub(r"\1********\2", r.message)])
        write_table(problems, fmt, 0, [("文件", 26), ("行号", 7), ("姓名", 10), ("列", 16), ("问题代码", 24),
                                  ("严重程度", 9), ("说明", 80)], rows)

        caps = wb.add_worksheet("补偿标准")
        book = rules.enlistment
        caps.write(0, 0, "每学年补偿上限（rules/enlistment.yaml）", fmt["title"])
        # the groups, then the levels a period sets apart (2013: 硕士研究生, 博士研究生)
        groups = list(dict.fromkeys([*(lv.group for lv in book.levels.values()),
                                     *(k for p in book.caps for k in p.per_year)]))
        heads = [("入伍时间起", 12), *[(f"{g}（元/学年）", 16) for g in groups], ("依据", 60), ("待核（REVIEW）", 50)]
        rows = [[str(p.from_), *[f"{p.per_year[g]:.2f}" if g in p.per_year else "" for g in groups], p.source,
                 p.review or ""]
                for p in sorted(book.caps, key=lambda p: p.from_)]
        row = write_table(caps, fmt, 2, heads, rows)
        caps.write(row + 1, 0, "计算方法：" + book.description)
        levels = "；".join(f"{k}（{v.group}，学制{v.normal_years}年）" for k, v in book.levels.items())
        seasons = "、".join(f"{w}（{a}—{b}月）" for w, (a, b) in book.season_months.items())
        caps.write(row + 2, 0, f"学历层次：{levels}；只写年份的入伍时间按 {book.year_only_date} 计"
                   + (f"；写季节的按该季节首月1日计：{seasons}，其间上限有调整的不予计算" if seasons else ""))
        wb.close()
    return target
