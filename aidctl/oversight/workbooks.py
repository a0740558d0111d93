"""The oversight workbooks: extraction audit, complaints and the 量化考核 scorecard."""

from __future__ import annotations

from pathlib import Path

from aidctl.core.catalogue import SEVERITY_WORDS
from aidctl.core.files import atomic_path
from aidctl.core.labels import UNKNOWN_COUNTY
from aidctl.core.money import NO_DATA, shown, yuan_or_none
from aidctl.core.xlsx import Book, chart_below, write_table
from aidctl.oversight.assessment import target_label
from aidctl.oversight.complaints import COMPLAINT_HEADS, STATUS_WORDS


def write_extraction_report(audit, target: Path) -> Path:
    """Every school with its figures and verdict, a county roll-up with a native chart of required
    against extracted, and the findings. Amounts are numeric cells (yuan) so that Excel can chart
    and sum them; the exact figures are the JSON's and the terminal's."""

    def num(fen):
        value = yuan_or_none(fen)
        return None if value is None else float(value)

    verdicts = audit.verdicts()
    with atomic_path(target) as tmp:
        wb = Book(tmp, title=f"{audit.year}年度校内资助资金提取情况审核")
        fmt = wb.fmt
        amount = fmt["money"]
        bad = fmt["red"]
        ws = wb.add_worksheet("学校明细")
        ws.write(0, 0, f"{audit.year}年度校内资助资金提取情况审核", fmt["title"])
        s = audit.schools
        headers = [("所属县区", 10), ("学校代码", 9), ("学校名称", 20), ("学校类型", 8), ("事业收入（元）", 15),
                   ("应提比例", 10), ("应提下限（元）", 14), ("应提上限（元）", 14), ("实提金额（元）", 14),
                   ("实提比例", 9), ("少提金额（元）", 13), ("划入专户（元）", 14), ("发放金额（元）", 14),
                   ("结论", 8), ("问题", 60), ("计入合计", 8)]
        for j, (h, w) in enumerate(headers):
            ws.set_column(j, j, w)
            ws.write(2, j, h, fmt["head"])
        messages = audit.findings[audit.findings["rec"] >= 0].groupby("rec")["message"].agg("；".join)
        for n, (rec, r) in enumerate(zip(s.index, s.itertuples()), start=3):
            rate_range = r.min_rate if r.min_rate == r.max_rate else f"{r.min_rate}—{r.max_rate}"
            texts = [r.county, r.school_code, r.school, r.school_type]
            for j, v in enumerate(texts):
                ws.write_string(n, j, v or "", fmt["cell"])
            ws.write(n, 4, num(r.income), amount)
            ws.write_string(n, 5, rate_range or "", fmt["cell"])
            for j, col in ((6, "required_min"), (7, "required_max"), (8, "extracted")):
                ws.write(n, j, num(getattr(r, col)), amount)
            ws.write_string(n, 9, r.rate or "", fmt["cell"])
            for j, col in ((10, "shortfall"), (11, "deposited"), (12, "spent")):
                ws.write(n, j, num(getattr(r, col)), amount)
            ws.write_string(n, 13, verdicts[rec], bad if verdicts[rec] in ("不合规", "无法审核") else fmt["cell"])
            ws.write_string(n, 14, messages.get(rec, ""), fmt["wrap"])
            ws.write_string(n, 15, "是" if r.in_totals else "否", fmt["cell"])
        ws.autofilter(2, 0, max(2 + len(s), 3), len(headers) - 1)
        ws.freeze_panes(3, 3)

        county = audit.by_county()
        cs = wb.add_worksheet("县区汇总")
        cs.write(0, 0, f"{audit.year}年度各县区校内资助资金提取情况", fmt["title"])
        heads = [("所属县区", 12), ("学校数", 8), ("不合规学校", 10), ("事业收入（元）", 16),
                 ("应提下限（元）", 16), ("实提金额（元）", 16), ("少提金额（元）", 14), ("划入专户（元）", 16),
                 ("发放金额（元）", 16), ("无法审核学校", 10), ("计入金额合计学校", 12)]
        for j, (h, w) in enumerate(heads):
            cs.set_column(j, j, w)
            cs.write(2, j, h, fmt["head"])
        for n, r in enumerate(county.itertuples(), start=3):
            cs.write_string(n, 0, r.county, fmt["cell"])
            cs.write_number(n, 1, int(r.schools), fmt["cell"])
            cs.write_number(n, 2, int(r.non_compliant), fmt["cell"])
            cs.write_number(n, 9, int(r.unauditable), fmt["cell"])
            cs.write_number(n, 10, int(r.totalled), fmt["cell"])
            for j, col in enumerate(["income", "required_min", "extracted", "shortfall", "deposited", "spent"],
                                    start=3):
                cs.write(n, j, num(getattr(r, col)), amount)
        total_row = 3 + len(county)
        cs.write_string(total_row, 0, "合计", fmt["total"])
        cs.write_number(total_row, 1, int(county["schools"].sum()), fmt["total"])
        cs.write_number(total_row, 2, int(county["non_compliant"].sum()), fmt["total"])
        cs.write_number(total_row, 9, int(county["unauditable"].sum()), fmt["total"])
        cs.write_number(total_row, 10, int(county["totalled"].sum()), fmt["total"])
        if county["totalled"].sum() < county["schools"].sum():   # the sums are over the schools fully read
            cs.write_string(total_row + 1, 0, f"金额只合计数据全部读出的{int(county['totalled'].sum())}所学校；另有"
                            f"{int(county['schools'].sum() - county['totalled'].sum())}所学校数据未能全部读出或无法审核，"
                            "其金额不计入（见学校明细“计入合计”列和问题清单）", fmt["cell"])
        for j, col in enumerate(["income", "required_min", "extracted", "shortfall", "deposited", "spent"], start=3):
            cs.write(total_row, j, num(county[col].sum(min_count=1)), fmt["total_money"])
        chart = wb.add_chart({"type": "column"})
        last = total_row - 1
        for col, name, colour in ((4, "应提下限", "#5B9BD5"), (5, "实提金额", "#70AD47"), (6, "少提金额", "#C00000")):
            chart.add_series({"name": name, "categories": ["县区汇总", 3, 0, last, 0],
                              "values": ["县区汇总", 3, col, last, col], "fill": {"color": colour},
                              "data_labels": {"value": col == 6, "num_format": "#,##0"}})
        chart.set_title({"name": f"{audit.year}年度各县区应提、实提与少提校内资助资金（元）"})
        chart.set_y_axis({"num_format": "#,##0"})
        chart.set_legend({"position": "bottom"})
        chart_below(cs, chart, total_row + 2, len(heads))

        if len(audit.missing):   # schools.xlsx's schools that sent no row: the audit is incomplete
            ms = wb.add_worksheet("未报送学校")
            ms.write(0, 0, f"schools.xlsx 登记、报表中没有{audit.year}年度数据行的学校（未审核）", fmt["title"])
            m = audit.missing.astype(object).where(audit.missing.notna(), None)
            write_table(ms, fmt, 2, [("学校代码", 10), ("学校名称", 24), ("所属县区", 12), ("学校类型", 10)],
                        m[["school_code", "school", "v_county", "v_school_type"]].itertuples(index=False, name=None))

        fs = wb.add_worksheet("问题清单")
        rows = []
        for r in audit.findings.itertuples():
            school = s.at[r.rec, "school"] if r.rec >= 0 else ""
            row = s.at[r.rec, "row"] if r.rec >= 0 else None
            rows.append([audit.tables[int(r.table)].file, row, school or "", r.header or "", r.code,
                         SEVERITY_WORDS.get(r.severity, r.severity), r.message])
        write_table(fs, fmt, 0, [("文件", 30), ("行号", 7), ("学校", 20), ("列", 16), ("问题代码", 24), ("严重程度", 9),
                            ("说明", 80)], rows)
        wb.close()
    return target


def _figure(ws, row: int, col: int, value, style, fmt, total: bool = False) -> None:
    """A figure of the JSON as a number cell: a count, a rate ("33.33%": the fraction, shown 0.00%), a
    figure per 1,000 ("1.25": 0.00); 无数据 stays text. `style` overrides the colour only."""
    if isinstance(value, bool) or value is None:
        ws.write_string(row, col, shown(value), style or (fmt["total"] if total else fmt["cell"]))
    elif isinstance(value, int):
        ws.write_number(row, col, value, style or (fmt["total_int"] if total else fmt["int"]))
    elif isinstance(value, str) and value.endswith("%"):
        ws.write_number(row, col, float(value[:-1]) / 100, style if style is not None and style.num_format
                        else fmt["pct"])
    else:
        try:
            ws.write_number(row, col, float(value), style if style is not None and style.num_format else fmt["score"])
        except ValueError:
            ws.write_string(row, col, str(value), style or fmt["cell"])


def write_complaints_report(summary, target: Path) -> Path:
    """县区汇总 (with a column chart of complaints by county), 学校汇总, 投诉明细, 说明, 问题清单."""
    doc = summary.to_json()
    with atomic_path(target) as tmp:
        wb = Book(tmp, title=f"{doc['year']}年学生资助投诉办理情况")
        fmt = wb.fmt
        red = fmt["red"]
        for name, rows, keys in (("县区汇总", doc["counties"], [("所属县区", "county", 12)]),
                                 ("学校汇总", doc["schools"], [("所属县区", "county", 12), ("学校", "school", 22)])):
            ws = wb.add_worksheet(name)
            ws.write(0, 0, f"{doc['year']}年学生资助投诉办理情况（截至{doc['as_of']}）", fmt["title"])
            heads = [(h, k, w) for h, k, w in keys] + [(h, k, 12) for h, k in COMPLAINT_HEADS]
            for j, (h, _, w) in enumerate(heads):
                ws.set_column(j, j, w)
                ws.write_string(2, j, h, fmt["head"])
            for n, r in enumerate(rows, start=3):
                for j, (_, k, _) in enumerate(heads):
                    _figure(ws, n, j, r[k], red if k == "overdue_open" and r[k] else None, fmt)
            last = 3 + len(rows)
            if name == "县区汇总":
                t = doc["totals"]
                ws.write_string(last, 0, "合计", fmt["total"])
                for j, (_, k, _) in enumerate(heads[1:], start=1):
                    _figure(ws, last, j, t[k], fmt["total"], fmt, total=True)
                if rows:
                    chart = wb.add_chart({"type": "column"})
                    chart.add_series({"name": "投诉件数", "categories": [name, 3, 0, last - 1, 0],
                                      "values": [name, 3, 1, last - 1, 1]})
                    chart.set_title({"name": f"{doc['year']}年各县区学生资助投诉件数"})
                    chart.set_legend({"none": True})
                    chart_below(ws, chart, last + 2, len(heads))
            ws.freeze_panes(3, len(keys))
        ws = wb.add_worksheet("投诉明细")
        heads = [("受理编号", 14), ("受理日期", 11), ("所属县区", 10), ("学校", 20), ("类别", 10), ("办结日期", 11),
                 ("办结时限", 11), ("已用工作日", 10), ("状态", 10), ("文件", 30), ("行号", 6)]
        for j, (h, w) in enumerate(heads):
            ws.set_column(j, j, w)
            ws.write_string(0, j, h, fmt["head"])
        for n, c in enumerate(doc["complaints"], start=1):
            values = [c["number"] or "", c["accepted_on"], c["county"], c["school"], c["category"],
                      c["closed_on"] or "", c["deadline"], c["working_days"], STATUS_WORDS[c["status"]], c["file"],
                      c["row"]]
            for j, v in enumerate(values):
                style = red if c["status"] in ("overdue", "late") and j == 8 else fmt["cell"]
                (ws.write_number if isinstance(v, int) else ws.write_string)(n, j, v, style)
        ws.autofilter(0, 0, max(len(doc["complaints"]), 1), len(heads) - 1)
        ws.freeze_panes(1, 0)
        ws = wb.add_worksheet("说明")
        ws.set_column(0, 0, 110)
        lines = [f"办结时限：{doc['closing_working_days']} 个工作日（rules/assessment.yaml complaints.closing_working_days）",
                 doc["day_rule"],
                 "工作日日历：" + ("法定节假日和调休（chinesecalendar）" if doc["calendar"] == "statutory"
                               else "仅按周末（部分年份超出节假日数据范围）"),
                 f"截止日：{doc['as_of']}；办结日期晚于截止日的按未办结计；未办结且已过时限的为超期未办结",
                 "投诉按时办结率 = 按时办结 ÷（已办结 + 超期未办结）；尚在时限内的未办结投诉不计入",
                 (f"受助学生：账本中{'、'.join(doc['aided']['terms'])}学期付款的不重复学生；"
                  "每千名受助学生投诉 = 投诉件数 × 1000 ÷ 受助学生；没有受助学生数据的显示为“无数据”"), *doc["notes"]]
        for n, line in enumerate(lines):
            ws.write_string(n, 0, line, fmt["wrap"])
        if doc["findings"]:
            ws = wb.add_worksheet("问题清单")
            ws.set_landscape()
            heads = [("文件", 30), ("工作表", 12), ("行号", 6), ("列", 12), ("问题代码", 18), ("说明", 70), ("单元格内容", 20)]
            for j, (h, w) in enumerate(heads):
                ws.set_column(j, j, w)
                ws.write_string(0, j, h, fmt["head"])
            for n, f in enumerate(doc["findings"], start=1):
                for j, k in enumerate(["file", "sheet", "row", "column", "code", "message", "value"]):
                    v = f[k]
                    (ws.write_number if isinstance(v, int) else ws.write_string)(n, j, v if isinstance(v, int)
                                                                                 else v or "", fmt["cell"])
        wb.close()
    return target


def write_scorecard_report(doc: dict, target: Path) -> Path:
    """县区得分 (with a bar chart of totals by county), 学校得分, 指标与权重, 说明."""
    inds = doc["indicators"]
    with atomic_path(target) as tmp:
        wb = Book(tmp, title=f"{doc['year']}年度学生资助量化考核")
        fmt = wb.fmt
        score_fmt = wb.add_format({"border": 1, "num_format": "0.00", "bold": True})
        dim = wb.add_format({"border": 1, "font_color": "#808080"})
        miss_pct = wb.add_format({"border": 1, "font_color": "#C00000", "num_format": "0.00%"})
        miss_num = wb.add_format({"border": 1, "font_color": "#C00000", "num_format": "0.00"})
        for name, rows, keys in (("县区得分", doc["counties"], [("所属县区", "county", 12)]),
                                 ("学校得分", doc["schools"], [("所属县区", "county", 12), ("学校", "school", 22)])):
            ws = wb.add_worksheet(name)
            ws.write(0, 0, f"{doc['year']}年度学生资助量化考核得分（截至{doc['as_of']}）", fmt["title"])
            ws.write(1, 0, "无数据的指标不计分、不按0分计；总分 = 100 × 有数据指标得分之和 ÷ 有数据指标权重之和")
            heads = [("排名", 6)] + [(h, w) for h, _, w in keys]
            for i in inds:
                heads += [(f"{i['name']}（{target_label(i)}）", 12), (f"得分（权重{i['weight']}）", 9)]
            heads += [("总分（百分制）", 10), ("数据覆盖（有数据/适用权重）", 14)]
            for j, (h, w) in enumerate(heads):
                ws.set_column(j, j, w)
                ws.write_string(2, j, h, fmt["head"])
            ws.set_row(2, 45)
            for n, r in enumerate(rows, start=3):
                j = 0
                if r["rank"] is None:
                    ws.write_string(n, j, "—", fmt["cell"])
                else:
                    ws.write_number(n, j, r["rank"], fmt["cell"])
                for _, k, _ in keys:
                    j += 1
                    ws.write_string(n, j, r[k], fmt["cell"])
                for i in inds:
                    x = r["indicators"][i["key"]]
                    if x["value"] is None:
                        ws.write_string(n, j + 1, NO_DATA, dim)
                        ws.write_string(n, j + 2, NO_DATA, dim)
                    else:
                        _figure(ws, n, j + 1, x["value"], None if x["meets"] else miss_pct if x["value"].endswith("%")
                                else miss_num, fmt)
                        ws.write_number(n, j + 2, float(x["score"]), fmt["score"])
                    j += 2
                if r["total"] is None:
                    ws.write_string(n, j + 1, NO_DATA, dim)
                else:
                    ws.write_number(n, j + 1, float(r["total"]), score_fmt)
                ws.write_string(n, j + 2, f"{r['coverage'] or NO_DATA}（{r['weight_with_data']}/{r['weight_applicable']}）",
                                fmt["cell"])
            total_col = len(heads) - 2
            ws.freeze_panes(3, 1 + len(keys))
            if name == "县区得分" and rows:
                last = 2 + len(rows)
                chart = wb.add_chart({"type": "bar"})
                chart.add_series({"name": "总分", "categories": [name, 3, 1, last, 1],
                                  "values": [name, 3, total_col, last, total_col],
                                  "data_labels": {"value": True, "num_format": "0.00"}})
                chart.set_title({"name": f"{doc['year']}年度各县区学生资助量化考核总分"})
                chart.set_x_axis({"min": 0, "max": 100})
                chart.set_y_axis({"reverse": True})
                chart.set_legend({"none": True})
                chart_below(ws, chart, last + 2, len(heads))
        ws = wb.add_worksheet("指标与权重")
        heads = [("指标", 24), ("目标值", 10), ("权重", 8), ("方向", 10), ("计分方法", 12), ("是否计算", 22), ("依据", 80)]
        for j, (h, w) in enumerate(heads):
            ws.set_column(j, j, w)
            ws.write_string(0, j, h, fmt["head"])
        last = 0
        for last, i in enumerate(inds, start=1):
            ws.write_row(last, 0, [i["name"], target_label(i)[2:], i["weight"], "越高越好" if i["better"] == "higher" else "越低越好",
                                {"proportional": "按比例", "pass_fail": "达标得满分"}[i["method"]],
                                "计算" if i["has_source"] else "计算（本次无数据来源）", i["source"]], fmt["cell"])
        for n, i in enumerate(doc["not_computed"], start=last + 1):
            ws.write_row(n, 0, [i["name"], i["target"], i["weight"], "", "", "未计算（aidctl 无数据来源）", i["source"]],
                         fmt["cell"])
        ws = wb.add_worksheet("说明")
        ws.set_column(0, 0, 120)
        sources = doc["sources"]
        lines = [doc["total_rule"],
                 "无数据：没有该指标的数据来源，或分母为0（如没有受助学生、没有到期的投诉或贷款）；无数据的指标不计分，也不按0分计入总分",
                 ("排名先按数据覆盖率（有数据或无到期事项的指标权重 ÷ 本次适用的指标权重）、再按总分从高到低，"
                  "缺数据的不会因折算而排到前面；覆盖率和总分都相同的并列；没有任何数据的县区或学校不排名；"
                  f"{UNKNOWN_COUNTY}不参加县区排名"),
                 (f"账本：{'有' if sources['ledger'] else '无'}；报送记录：{'有' if sources['intake_history'] else '无'}；"
                  f"财务报表：{'、'.join(sources['finance'] or []) or '无'}；"
                  f"投诉台账：{'、'.join(sources['complaints'] or []) or '无'}；"
                  f"贷款台账：{'、'.join(sources['loans'] or []) or '无'}"),
                 *doc["notes"], *[f"{p['file']} 第{p['row']}行：{p['message']}" for p in doc["problems"]]]
        for n, line in enumerate(lines):
            ws.write_string(n, 0, line, fmt["wrap"])
        wb.close()
    return target
