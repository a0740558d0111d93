"""The loan register's checks: the borrower's identity and name (as on rosters), then loan.invalid (a value
unreadable, or two dates that contradict each other), loan.over_cap, loan.duplicate_contract,
loan.contract_shared, loan.graduation_year and loan.disbursed_early against rules/loans.yaml."""

from __future__ import annotations

import numpy as np
import pandas as pd

from aidctl.check import identity_findings, invalid_names
from aidctl.core import money
from aidctl.core.findings import build, empty, group_places
from aidctl.loans.register import CLOSED, MONEY, STATUS_REPAYMENT, UNDATED_OK
from aidctl.read import Table, having_column, merged_across, merged_down, merged_range, missing_columns
from aidctl.rulebook import Rulebook

KIND = "loan_register"


def check(frame: pd.DataFrame, tables: list[Table], rules: Rulebook) -> pd.DataFrame:
    spec = rules.columns.tables[KIND]

    def present(key: str) -> pd.Series:
        return having_column(frame, tables, key)

    def title(key: str) -> str:
        return spec.columns[key].title

    out = missing_columns(tables, spec, "请从经办银行系统重新导出含该列的台账")
    reference = frame["year_start"].dt.strftime("%Y-%m-%d").astype("string").fillna("今天")
    out += identity_findings(frame, has_name=present("name"), has_id=present("id_number"),
                             reference=reference, reference_label="贷款年度开学日", who="借款学生")
    # a note or a second borrower in 借款人姓名 (张三（补）, 李四/王五): name.invalid, as on rosters
    # (register.ID_ERRORS: the borrower is not known, the contract counted nowhere)
    out.append(invalid_names(frame, rules.vocabulary.names.joiners))
    out += _invalid(frame, present, title, rules)
    out += _contradictions(frame, title)
    out += _merged_money(frame, tables, title)
    out += _arrears_unjudged(frame, title)
    out += _status_contradicts(frame, present, title)
    out += _days_without_arrears(frame, present, title)
    out += _days_against_export(frame, present, title)
    out.append(_over_cap(frame))
    out.append(_duplicates(frame, tables))
    out.append(_shared_contracts(frame, tables))
    out.append(_graduation(frame, rules))
    out.append(_disbursed_early(frame))
    parts = [p for p in out if len(p)]
    return pd.concat(parts, ignore_index=True) if parts else empty()


def _invalid(frame: pd.DataFrame, present, title, rules: Rulebook) -> list[pd.DataFrame]:
    out = []
    amount = frame["amount"]
    bad_amount = present("amount") & ~(frame["amount_ok"].astype(bool) & (frame["amount_fen"] > 0).fillna(False))
    out.append(build(bad_amount, "loan.invalid", "amount",
                     "贷款金额“{v}”为空或不是有效金额（须为正数，单位见表头）：请与经办银行核对合同金额",
                     amount, v=amount))
    level = frame["level"]
    levels = "、".join(rules.loans.levels)
    out.append(build(present("level") & frame["v_level"].isna(), "loan.invalid", "level",
                     f"学历层次“{{v}}”为空或无法识别：应为{levels}之一（其他写法见 rules/loans.yaml）",
                     level, v=level))
    raw_year = frame["loan_year"]
    out.append(build(present("loan_year") & frame["year"].isna(), "loan.invalid", "loan_year",
                     "贷款年度“{v}”为空或无法识别：请填写4位年份，如2024（即2024—2025学年）", raw_year, v=raw_year))
    first = min(p.from_ for p in rules.loans.caps)
    no_cap = frame["year"].notna() & frame["v_level"].notna() & frame["cap_fen"].isna()
    out.append(build(no_cap, "loan.invalid", "loan_year",
                     f"{{y}}贷款年度没有贷款额度规定（rules/loans.yaml 从{first}起）：请核对贷款年度",
                     raw_year, y=frame["year"].astype("string")))
    for key, blank_ok in (("disbursed_on", False), ("due_date", True)):
        text = frame[key]
        parsed = frame["disbursed" if key == "disbursed_on" else "due"]
        bad = present(key) & parsed.isna() & (text.notna() if blank_ok else True)
        out.append(build(bad, "loan.invalid", key,
                         f"{title(key)}“{{v}}”为空或不是有效日期：请写成 2024-09-15 的形式", text, v=text))
    settled = frame["settled_on"]
    out.append(build(present("settled_on") & settled.notna() & frame["settled"].isna(), "loan.invalid", "settled_on",
                     f"{title('settled_on')}“{{v}}”不是有效日期：请写成 2024-09-15 的形式", settled, v=settled))
    status = frame["status"]
    words = "、".join(w for ws in rules.loans.statuses.model_dump().values() for w in ws[:1])
    out.append(build(present("status") & status.notna() & frame["v_status"].isna(), "loan.invalid", "status",
                     f"{title('status')}“{{v}}”无法识别（可用的用语如{words}，全部写法见 rules/loans.yaml "
                     "statuses）：不知是在读、还款还是已结清，本合同不计入汇总，请与经办银行核对",
                     status, v=status))
    early = (frame["v_status"] == "settled_early").to_numpy() & settled.isna().to_numpy()
    out.append(build(early, "loan.invalid", "settled_on",
                     f"还款状态为“{{s}}”，但没有{title('settled_on')}：在校期间贴息只计到结清前一天，"
                     f"请从经办银行系统导出含{title('settled_on')}的台账", status, s=status))
    # the register gives 结清日期, but not on this contract settled (结清) or repaid by the state (代偿)
    undated = present("settled_on") & frame["v_status"].isin(UNDATED_OK) & settled.isna()
    out.append(build(undated, "loan.invalid", "settled_on",
                     f"还款状态为“{{s}}”，但{title('settled_on')}为空：不知何时结清（在校期间贴息只计到结清前一天），"
                     f"请与经办银行核对，补填{title('settled_on')}", settled, s=status))
    # a 结清日期 on a contract whose 还款状态 says it is not settled (or says nothing)
    closed = frame["v_status"].isin(CLOSED)
    said = frame["v_status"].notna() | status.isna()     # an unknown word is already loan.invalid
    unsettled = present("status") & settled.notna() & frame["settled"].notna() & ~closed & said
    out.append(build(unsettled, "loan.invalid", "status",
                     f"{title('settled_on')}为{{d}}，但还款状态为“{{s}}”：是否已结清无法确定，本合同不计入汇总，"
                     "请与经办银行核对还款状态和结清日期", status, d=frame["settled"].dt.strftime("%Y-%m-%d"),
                     s=status.fillna("空")))
    grad = frame["graduation_year"]
    form = frame["graduation_form"]
    out.append(build(present("graduation_year") & frame["graduation"].isna() & form.isna(), "loan.invalid",
                     "graduation_year", "预计毕业年份“{v}”为空或无法识别：请填写4位年份（它决定在校贴息的截止日期）",
                     grad, v=grad))
    # a year read, but not of graduation (register.graduation_years): never its first year taken
    out.append(build(present("graduation_year") & (form == "school_year").fillna(False), "loan.invalid",
                     "graduation_year", "预计毕业年份“{v}”是一个学年，不是毕业年份：学年跨两个年份，学生在哪一年毕业无法确定"
                     "（在校贴息的截止日期随之不同）：请填写毕业那年的4位年份（如2028年6月毕业填2028）", grad, v=grad))
    out.append(build(present("graduation_year") & (form == "class").fillna(False), "loan.invalid",
                     "graduation_year", "预计毕业年份“{v}”是按入学年份称呼的年级，不是毕业年份：请填写毕业那年的4位年份"
                     "（如2028年6月毕业填2028），它决定在校贴息的截止日期", grad, v=grad))
    for key in ("principal_due", "interest_due", "repaid"):
        text = frame[key]
        bad = present(key) & text.notna() & ~(frame[f"{key}_ok"].astype(bool) & (frame[f"{key}_fen"] >= 0).fillna(False))
        out.append(build(bad, "loan.invalid", key, f"{title(key)}“{{v}}”不是有效金额：请与经办银行核对", text, v=text))
    days = frame["days_overdue"]
    out.append(build(present("days_overdue") & days.notna() & frame["days_overdue_n"].isna(), "loan.invalid",
                     "days_overdue", "逾期天数“{v}”不是整数天数：请与经办银行核对", days, v=days))
    return out


def _contradictions(frame: pd.DataFrame, title) -> list[pd.DataFrame]:
    """loan.invalid where two of a contract's dates cannot both be true: paid before it was signed,
    settled or due before it was paid, paid after the last day of study. The finding stands on the
    date that the figures take from the contradiction (签订日期, 结清日期, 应还日期, 发放日期)."""
    day = {k: frame[k].dt.strftime("%Y-%m-%d") for k in ("disbursed", "signed", "settled", "due", "study_end")}
    paid = title("disbursed_on")
    out = []
    for key, bad, message in (
            ("signed_on", frame["signed"] > frame["disbursed"],
             f"{title('signed_on')}{{signed}}晚于{paid}{{disbursed}}：合同签订前不会放款，请与经办银行核对两个日期"),
            ("settled_on", frame["settled"] < frame["disbursed"],
             f"{title('settled_on')}{{settled}}早于{paid}{{disbursed}}：放款前不可能结清，请与经办银行核对两个日期"
             "（贴息计到结清前一天）"),
            ("due_date", frame["due"] < frame["disbursed"],
             f"{title('due_date')}{{due}}早于{paid}{{disbursed}}：放款前不会有应还款，请与经办银行核对两个日期"),
            # a graduation year not after the loan year is loan.graduation_year's to say, not this
            ("disbursed_on", (frame["disbursed"] > frame["study_end"]) & (frame["graduation"] > frame["year"]),
             f"{paid}{{disbursed}}晚于预计毕业年份的在校截止日{{study_end}}：毕业后不会发放生源地贷款，"
             f"请核对{paid}和预计毕业年份（贴息只计在校期间）")):
        out.append(build(bad.fillna(False).to_numpy(dtype=bool), "loan.invalid", key, message, frame[key], **day))
    return out


# what a money figure not read keeps the contract out of (register.Register.invalid by its column)
_LEFT_OUT = {"amount": "本合同不计入新增贷款、在校期间贴息和风险补偿金"}
_LEFT_OUT_REPAYMENT = "本合同不计入到期应还、履约率、逾期和催收名单"


def _merged_money(frame: pd.DataFrame, tables: list[Table], title) -> list[pd.DataFrame]:
    """loan.invalid on a money cell (贷款金额, 应还本金, 应还利息, 实还金额) in a range merged down over
    two or more contracts' rows, or across columns: its one value shows in every cell it spans, and
    whether it is each contract's (each column's) or their total no reader can tell. A blank or a 0 is
    the same either way. Dates, 还款状态 and 学历层次 merged down over contracts are a fill-down (one
    value for each) and stay read."""
    out = []
    for key in MONEY:
        down = merged_down(frame, tables, key)
        across = merged_across(frame, tables, key)
        if down.isna().all() and across.isna().all():
            continue
        text = frame[key].astype("string")
        zero = (frame[f"{key}_ok"].astype(bool) & (frame[f"{key}_fen"] == 0)).fillna(False)
        written = (text.notna() & ~zero).to_numpy(dtype=bool)
        cells = merged_range(frame, tables, key)
        effect = _LEFT_OUT.get(key, _LEFT_OUT_REPAYMENT)
        sharing = down.groupby([frame["table"], down]).transform("size").astype("string")
        out.append(build(written & down.notna().to_numpy(), "loan.invalid", key,
                         f"{title(key)}单元格{{cells}}合并了{{rows}}，{{n}}份合同共用一个金额“{{v}}”：无法确定这是每份合同的"
                         f"金额还是几份合同的合计，{effect}：请与经办银行核对，取消合并，逐行填写每份合同的金额",
                         text, cells=cells, rows=down, n=sharing, v=text))
        out.append(build(written & across.notna().to_numpy() & down.isna().to_numpy(), "loan.invalid", key,
                         f"{{cols}}合并为一个单元格{{cells}}“{{v}}”：无法确定这是哪一列的金额，还是几列的合计，{effect}："
                         "请与经办银行核对，取消合并，每列分别填写", text, cols=across, cells=cells, v=text))
    return out


def _arrears_unjudged(frame: pd.DataFrame, title) -> list[pd.DataFrame]:
    """loan.invalid on a contract in arrears (应还本金 + 应还利息 − 实还金额 > 0, each figure readable)
    whose arrears can be judged neither on time nor overdue (register.repayment would count it fallen
    due and neither, lowering 履约率 and leaving the borrower off the 催收 list without a word):
    - 还款状态 结清 or 提前结清: a settled contract owes nothing, so the word or a figure is wrong, and
      whether it is settled (贴息 stops at its 结清日期) is not known either: on 还款状态, counted nowhere;
    - neither settled nor repaid by the state, with 应还日期 and 逾期天数 both blank: whether the
      arrears have fallen due, and are overdue, cannot be read: on 应还日期, out of the repayment figures;
    - the same with 应还日期 blank and 逾期天数 0 (0天): arrears fallen due and unpaid would be days
      overdue, so either the 0 or the arrears is wrong, or the arrears have not fallen due, which
      without a 应还日期 cannot be told: on 逾期天数, out of the repayment figures, as the blank case.
    A 代偿 contract is nobody's default (out of 履约率 and the 催收 list), arrears or not."""
    readable, due, repaid, arrears = _balance(frame)
    owing = readable & (arrears > 0).fillna(False).to_numpy(dtype=bool)
    if not owing.any():
        return []
    said = _money_said(due, repaid, arrears)
    owed = (f"{title('principal_due')}＋{title('interest_due')}{{due}}元，{title('repaid')}{{repaid}}元，"
            "尚欠{arrears}元")
    status = frame["status"]
    settled = owing & frame["v_status"].isin([k for k in CLOSED if k != "compensated"]).to_numpy()
    open_undated = owing & ~frame["v_status"].isin(CLOSED).to_numpy() & frame["due_date"].isna().to_numpy()
    undated = open_undated & frame["days_overdue"].isna().to_numpy()
    zero_days = open_undated & (frame["days_overdue_n"] == 0).fillna(False).to_numpy(dtype=bool)
    return [
        build(settled, "loan.invalid", "status",
              f"{title('status')}为“{{s}}”，但{owed}：已结清的合同不会有欠款，还款状态与还款金额必有一处有误，"
              "是否已结清、是否逾期无法确定，本合同不计入汇总，也不列入催收名单：请与经办银行核对还款状态和还款金额",
              status, s=status, **said),
        build(undated, "loan.invalid", "due_date",
              f"{owed}，但{title('due_date')}和{title('days_overdue')}都为空：欠款是否已到期、是否逾期无法判断，"
              f"{_LEFT_OUT_REPAYMENT}：请与经办银行核对，导出含{title('due_date')}或{title('days_overdue')}的台账",
              frame["due_date"], **said),
        build(zero_days, "loan.invalid", "days_overdue",
              f"{owed}，但{title('due_date')}为空、{title('days_overdue')}为“{{v}}”：已到期未还的欠款应有逾期天数，"
              "欠款是尚未到期还是已到期逾期无法判断（不是按期还款，也不能认定逾期），"
              f"{_LEFT_OUT_REPAYMENT}：请与经办银行核对，导出含{title('due_date')}的台账，或更正{title('days_overdue')}或还款金额",
              frame["days_overdue"], v=frame["days_overdue"], **said),
    ]


def _balance(frame: pd.DataFrame) -> tuple[np.ndarray, pd.Series, pd.Series, pd.Series]:
    """(whether 应还本金, 应还利息 and 实还金额 are each blank or a readable amount not below 0 (an
    unreadable one is loan.invalid already), 应还本金 + 应还利息, 实还金额, their difference: the
    arrears), in fen, a blank figure 0."""
    figures = ("principal_due", "interest_due", "repaid")
    readable = np.logical_and.reduce([(frame[k].isna() | (frame[f"{k}_ok"].astype(bool) & (frame[f"{k}_fen"] >= 0)))
                                      .fillna(False).to_numpy(dtype=bool) for k in figures])
    due = frame["principal_due_fen"].fillna(0) + frame["interest_due_fen"].fillna(0)
    repaid = frame["repaid_fen"].fillna(0)
    return readable, due, repaid, due - repaid


def _money_said(due: pd.Series, repaid: pd.Series, arrears: pd.Series) -> dict[str, pd.Series]:
    return {"due": money.yuan_text(due.astype("int64")), "repaid": money.yuan_text(repaid.astype("int64")),
            "arrears": money.yuan_text(arrears.astype("int64"))}


def _status_contradicts(frame: pd.DataFrame, present, title) -> list[pd.DataFrame]:
    """loan.invalid on 还款状态 where its word says the opposite of the register's money or days, all
    as of the one export (register.v_claim, from rules/loans.yaml status_claims):
    - a word saying the borrower is in arrears (逾期, 违约, 欠款) on a contract owing nothing: 应还本金 +
      应还利息 − 实还金额 ≤ 0 (a blank figure 0, as everywhere), whatever its 逾期天数. It was counted
      按期还款 (or not yet due), the borrower the bank marks in arrears off the 催收 list, without a word;
    - a word saying repayment is in order (正常, 正常还款) on a contract owing money whose 逾期天数,
      the bank's own count, is above 0. It was counted overdue, and the borrower called, on days the
      bank's own word denies;
    - the same word on a contract owing money whose 逾期天数 is 0 or blank and whose 应还日期 is before
      the export date the sheet writes above its header (exported.export_dates): at the export the
      arrears had fallen due unpaid. Without that date it is judged by the 应还日期 (a note says so).
    Which is right is the bank's to say. Neither is a fault of the loan figures (the word is a
    repayment word either way): keyed STATUS_REPAYMENT, the contract is out of the repayment
    figures and the 催收 list only (还款情况无法判断, listed under `excluded`), as the arrears that
    _arrears_unjudged cannot judge. The money figures must be in the register and readable (else
    what is owed is not known, or a figure is loan.invalid already)."""
    claim = frame["v_claim"]
    if not claim.notna().any():
        return []
    readable, due, repaid, arrears = _balance(frame)
    known = readable & present("principal_due").to_numpy(dtype=bool) & present("repaid").to_numpy(dtype=bool)
    owing = (arrears > 0).fillna(False).to_numpy(dtype=bool)
    days_n = frame["days_overdue_n"]
    in_arrears = known & ~owing & (claim == "in_arrears").to_numpy()
    current = known & owing & (claim == "current").to_numpy() & (days_n > 0).fillna(False).to_numpy(dtype=bool)
    quiet = (days_n.eq(0) | frame["days_overdue"].isna()).fillna(False).to_numpy(dtype=bool)
    stale = known & owing & (claim == "current").to_numpy() & quiet \
        & (frame["due"] < frame["exported"]).fillna(False).to_numpy(dtype=bool)
    if not (in_arrears.any() or current.any() or stale.any()):
        return []
    said = _money_said(due, repaid, arrears)
    said["balance"] = ("多还" + money.yuan_text((-arrears).astype("int64")) + "元").where(arrears < 0, "尚欠0.00元")
    days = frame["days_overdue"].astype("string")
    dtitle = title("days_overdue")
    said["days"] = ("，" + dtitle + "为“" + days + "”").fillna(f"，{dtitle}为空") \
        .where(present("days_overdue"), f"，台账没有{dtitle}列")
    status = frame["status"]
    money_said = f"{title('principal_due')}＋{title('interest_due')}{{due}}元，{title('repaid')}{{repaid}}元"
    out = [
        build(in_arrears, "loan.invalid", "status",
              f"{title('status')}为“{{s}}”（欠款逾期），但{money_said}，{{balance}}{{days}}：还款状态说有欠款逾期，"
              "还款金额说没有欠款，台账自相矛盾，是按期还款还是逾期无法判断，"
              f"{_LEFT_OUT_REPAYMENT}：请与经办银行核对还款状态和还款金额", status, s=status, **said),
        build(current, "loan.invalid", "status",
              f"{title('status')}为“{{s}}”（正常还款），但{money_said}，尚欠{{arrears}}元{{days}}：还款状态说正常还款，"
              f"{dtitle}说已逾期，台账自相矛盾，是否逾期无法判断，"
              f"{_LEFT_OUT_REPAYMENT}：请与经办银行核对还款状态和{dtitle}", status, s=status, **said),
        build(stale, "loan.invalid", "status",
              f"{title('status')}为“{{s}}”（正常还款）{{days}}，但{money_said}，尚欠{{arrears}}元，"
              f"{title('due_date')}{{due_on}}早于台账注明的数据截至日期{{exported}}：银行导出时欠款已到期未还，"
              f"还款状态和{dtitle}却说没有逾期，台账自相矛盾，是否逾期无法判断，"
              f"{_LEFT_OUT_REPAYMENT}：请与经办银行核对还款状态、{title('due_date')}、{dtitle}和还款金额",
              status, s=status, due_on=frame["due"].dt.strftime("%Y-%m-%d"),
              exported=frame["exported"].dt.strftime("%Y-%m-%d"), **said),
    ]
    for part in out:
        if len(part):
            part["figures_key"] = STATUS_REPAYMENT
    return out


def _days_without_arrears(frame: pd.DataFrame, present, title) -> list[pd.DataFrame]:
    """loan.invalid on 逾期天数 above 0 on a contract owing nothing (应还本金 + 应还利息 − 实还金额 ≤ 0,
    each figure in the register and readable) whose 还款状态 claims no arrears: a word that says
    nothing of the money (还款期, 宽限期, 在读, blank), or 正常. The bank's own count says the borrower
    is overdue, its money says nothing is owed: the register contradicts itself, as when the word is
    逾期 (_status_contradicts, which says that case). Were the days a record of a past default, the
    contract was repaid late, not on time; were the figures stale, it is overdue: it was counted on time
    (or not yet due) without a word. Out of the repayment figures and the 催收 list (key 逾期天数, which
    the loan figures do not rest on). A compensated contract (代偿) is nobody's default: not here.
    A settled one (结清, 提前结清) is never overdue, but days above 0 on it say it was overdue once (or
    the days are wrong): repaid late, not 按期还款, or not known. It was counted 按期还款 without a
    word; now the second message, out of the repayment figures and the 催收 list as the others."""
    days_n = frame["days_overdue_n"]
    if not (days_n > 0).any():
        return []
    readable, due, repaid, arrears = _balance(frame)
    known = readable & present("principal_due").to_numpy(dtype=bool) & present("repaid").to_numpy(dtype=bool)
    late = known & (arrears <= 0).fillna(False).to_numpy(dtype=bool) & (days_n > 0).fillna(False).to_numpy(dtype=bool)
    settled = late & frame["v_status"].isin([k for k in CLOSED if k != "compensated"]).to_numpy()
    quiet = ~frame["v_status"].isin(CLOSED).to_numpy() & (frame["v_claim"] != "in_arrears").to_numpy()
    hit = late & quiet
    if not (hit.any() or settled.any()):
        return []
    said = _money_said(due, repaid, arrears)
    said["balance"] = ("多还" + money.yuan_text((-arrears).astype("int64")) + "元").where(arrears < 0, "尚欠0.00元")
    status = frame["status"].astype("string")
    said["word"] = ("，" + title("status") + "为“" + status + "”").fillna(f"，{title('status')}为空")
    dtitle = title("days_overdue")
    return [build(hit, "loan.invalid", "days_overdue",
                  f"{dtitle}为“{{v}}”{{word}}，但{title('principal_due')}＋{title('interest_due')}{{due}}元，"
                  f"{title('repaid')}{{repaid}}元，{{balance}}：没有欠款不会逾期，{dtitle}与还款金额必有一处有误"
                  f"（或{dtitle}是以往的逾期记录，那么本合同是逾期后才还清的），是按期还款还是逾期无法判断，"
                  f"{_LEFT_OUT_REPAYMENT}：请与经办银行核对{dtitle}和还款金额",
                  frame["days_overdue"], v=frame["days_overdue"], **said),
            build(settled, "loan.invalid", "days_overdue",
                  f"{dtitle}为“{{v}}”{{word}}，{title('principal_due')}＋{title('interest_due')}{{due}}元，"
                  f"{title('repaid')}{{repaid}}元，{{balance}}：已结清的合同现在不会逾期，{dtitle}若是以往的逾期记录，"
                  f"本合同是逾期后才结清的，不是按期还款；若{dtitle}有误，才是按期还款。是否按期还款无法判断，"
                  f"{_LEFT_OUT_REPAYMENT}：请与经办银行核对{dtitle}（结清前是否逾期过）",
                  frame["days_overdue"], v=frame["days_overdue"], **said)]


def _days_against_export(frame: pd.DataFrame, present, title) -> list[pd.DataFrame]:
    """loan.invalid where 逾期天数 and 应还日期 say opposite things as of the export date the sheet
    writes above its header (exported.export_dates), on a contract owing money (each figure in the
    register and readable) that is neither settled nor repaid by the state (结清, 代偿 are never overdue):
    - 逾期天数 0 (written, not blank) whose 应还日期 is before the export date, under a 还款状态 that says
      nothing of the money (还款期, 宽限期, 在读, blank …; 正常 is _status_contradicts's to say, and 逾期
      agrees with the date): at the export the arrears had fallen due unpaid, yet the bank counted no
      day overdue. Judged by the date alone it was overdue and on the 催收 list without a word.
      On 逾期天数;
    - 逾期天数 above 0 whose 应还日期 is on or after the export date (any word but 正常, which
      _status_contradicts says already): the bank counts the borrower overdue at the export, yet its
      应还日期 had not come (perhaps the next instalment's date). Judged by the date it was not yet due
      at an earlier --as-of, off the 催收 list and out of 到期应还 without a word. On 应还日期.
    Which is right is the bank's to say: out of the repayment figures and the 催收 list (keys
    逾期天数, 应还日期: the loan figures do not rest on them). Without an export date the sheet is
    judged by its 应还日期 at --as-of, said in a note (exported.unread_notes)."""
    exported = frame["exported"]
    if not exported.notna().any():
        return []
    readable, due, repaid, arrears = _balance(frame)
    known = readable & present("principal_due").to_numpy(dtype=bool) & present("repaid").to_numpy(dtype=bool)
    open_ = known & (arrears > 0).fillna(False).to_numpy(dtype=bool) & ~frame["v_status"].isin(CLOSED).to_numpy()
    days_n = frame["days_overdue_n"]
    claim = frame["v_claim"]
    zero = open_ & days_n.eq(0).fillna(False).to_numpy(dtype=bool) & claim.isna().to_numpy() \
        & (frame["due"] < exported).fillna(False).to_numpy(dtype=bool)
    early = open_ & (days_n > 0).fillna(False).to_numpy(dtype=bool) & (claim != "current").to_numpy() \
        & (frame["due"] >= exported).fillna(False).to_numpy(dtype=bool)
    if not (zero.any() or early.any()):
        return []
    said = _money_said(due, repaid, arrears)
    status = frame["status"].astype("string")
    said["word"] = ("，" + title("status") + "为“" + status + "”").fillna(f"，{title('status')}为空")
    said["due_on"] = frame["due"].dt.strftime("%Y-%m-%d")
    said["exported"] = exported.dt.strftime("%Y-%m-%d")
    dtitle, ddate = title("days_overdue"), title("due_date")
    owed = f"{title('principal_due')}＋{title('interest_due')}{{due}}元，{title('repaid')}{{repaid}}元，尚欠{{arrears}}元"
    return [
        build(zero, "loan.invalid", "days_overdue",
              f"{dtitle}为“{{v}}”{{word}}，但{owed}，{ddate}{{due_on}}早于台账注明的数据截至日期{{exported}}："
              f"银行导出时欠款已到期未还，{dtitle}却说没有逾期，台账自相矛盾，是否逾期、逾期多少天无法判断，"
              f"{_LEFT_OUT_REPAYMENT}：请与经办银行核对{ddate}、{dtitle}和还款金额",
              frame["days_overdue"], v=frame["days_overdue"], **said),
        build(early, "loan.invalid", "due_date",
              f"{ddate}为{{due_on}}，不早于台账注明的数据截至日期{{exported}}，但{dtitle}为“{{days}}”{{word}}，{owed}："
              f"银行导出时说已逾期，{ddate}却还没到（可能是下一期的应还日期），台账自相矛盾，"
              f"是否逾期、逾期多少天无法判断，{_LEFT_OUT_REPAYMENT}：请与经办银行核对{ddate}和{dtitle}",
              frame["due_date"], days=frame["days_overdue"].astype("string"), **said),
    ]


def _over_cap(frame: pd.DataFrame) -> pd.DataFrame:
    over = (frame["amount_ok"].astype(bool) & (frame["amount_fen"] > frame["cap_fen"]).fillna(False)).to_numpy()
    if not over.any():
        return empty()
    amount = frame["amount_fen"].fillna(0)
    excess = money.yuan_text((amount - frame["cap_fen"].fillna(0)).astype("int64"))
    return build(over, "loan.over_cap", "amount",
                 "{y}贷款年度{level}每人每年最多贷款{cap}元（{source}），本合同{amount}元，超出{excess}元："
                 "请与经办银行核实合同金额：核实更正前本合同不计入新增贷款、在校期间贴息和风险补偿金（还款情况照常统计）",
                 frame["amount"],
                 y=frame["year"].astype("string"), level=frame["v_level"].astype("string"), cap=frame["cap_yuan"],
                 source=frame["cap_source"], amount=money.yuan_text(amount.astype("int64")), excess=excess)


def _duplicates(frame: pd.DataFrame, tables: list[Table]) -> pd.DataFrame:
    key = frame["person"].astype("string") + "|" + frame["year"].astype("string")
    dup = (key.notna() & key.duplicated(keep=False).fillna(False)).to_numpy(dtype=bool)
    if not dup.any():
        return empty()
    sub = frame[dup]
    sheets = len(tables) > 1
    where = pd.Series([f"{tables[t].sheet} " if sheets else "" for t in sub["table"]], index=sub.index, dtype="string")
    place = where + "第" + sub["excel_row"].astype("string") + "行（合同" + sub["contract"].astype("string").fillna("编号空") \
        + "，" + money.yuan_text(sub["amount_fen"].fillna(0).astype("int64")) + "元）"
    k = key[dup]
    group = group_places(k, place)  # a group described once: linear however many contracts
    return build(dup, "loan.duplicate_contract", "contract",
                 "借款人（身份证号码“{id}”）在{y}贷款年度有{n}份合同：{places}。每名学生每学年只能签订一份"
                 "生源地信用助学贷款合同：请与经办银行核实，注销重复的合同", frame["contract"],
                 id=sub["person"], y=sub["year"].astype("string"), n=k.map(group["count"]),
                 places=k.map(group["places"]))


def _shared_contracts(frame: pd.DataFrame, tables: list[Table]) -> pd.DataFrame:
    """loan.contract_shared: one 合同编号 on two or more borrowers (by the valid ID, else the ID as
    written, else the name): every occurrence, each naming the others."""
    contract = frame["contract"].astype("string").str.upper()
    who = frame["person"].astype("string").fillna(frame["id_number"].astype("string")) \
        .fillna("姓名:" + frame["name"].astype("string"))
    known = contract.notna() & who.notna()
    borrowers = who[known].groupby(contract[known]).nunique()
    shared = (known & contract.map(borrowers).gt(1).fillna(False)).to_numpy(dtype=bool)
    if not shared.any():
        return empty()
    sub = frame[shared]
    key = contract[shared]
    sheets = len(tables) > 1
    where = pd.Series([f"{tables[t].sheet} " if sheets else "" for t in sub["table"]], index=sub.index, dtype="string")
    place = where + "第" + sub["excel_row"].astype("string") + "行（" + sub["name"].astype("string").fillna("姓名空") \
        + "，身份证号码" + sub["id_number"].astype("string").fillna("空") + "）"
    places = place.groupby(key).agg("；".join)
    return build(shared, "loan.contract_shared", "contract",
                 "合同编号“{c}”同时登记在{n}名借款人名下：{places}。一份合同只属于一名借款人："
                 "请与经办银行核实，更正合同编号或借款人", frame["contract"], c=frame["contract"],
                 n=key.map(borrowers).astype("string"), places=key.map(places))


def _disbursed_early(frame: pd.DataFrame) -> pd.DataFrame:
    """loan.disbursed_early (a warning): paid out before the first day of its loan year."""
    early = (frame["disbursed"] < frame["year_start"]).fillna(False).to_numpy(dtype=bool)
    return build(early, "loan.disbursed_early", "disbursed_on",
                 "发放日期{d}早于{y}贷款年度的开学日{s}：请核对发放日期或贷款年度（贴息从发放日期起计）",
                 frame["disbursed_on"], d=frame["disbursed"].dt.strftime("%Y-%m-%d"),
                 y=frame["year"].astype("string"), s=frame["year_start"].dt.strftime("%Y-%m-%d"))


def _graduation(frame: pd.DataFrame, rules: Rulebook) -> pd.DataFrame:
    bounds = rules.loans.graduation
    level = frame["v_level"]
    low = level.map({k: b.min_years for k, b in bounds.items()}).astype("Int64")
    high = level.map({k: b.max_years for k, b in bounds.items()}).astype("Int64")
    gap = (frame["graduation"] - frame["year"]).astype("Int64")
    outside = (gap.notna() & low.notna() & ((gap < low) | (gap > high))).fillna(False).to_numpy(dtype=bool)
    return build(outside, "loan.graduation_year", "graduation_year",
                 "学历层次为{level}，{y}贷款年度的合同预计{g}年毕业，相差{gap}年，不在{lo}—{hi}年之内"
                 "（rules/loans.yaml）：请核对预计毕业年份，它决定在校贴息的截止日期", frame["graduation_year"],
                 level=level.astype("string"), y=frame["year"].astype("string"),
                 g=frame["graduation"].astype("string"), gap=gap.astype("string"), lo=low.astype("string"),
                 hi=high.astype("string"))
