"""Each year's amount of an enlisted student: the higher of the tuition paid and the loan received for
that year with its interest, at most the cap; the loan repaid first; the rest to the student's card.

The loan of a year is its 第N学年贷款 with a share of the interest (贷款利息, or 贷款本息 less the
principal) in proportion to the year's loan among all the years' loans (counted or not), in exact
integers, rounded half up on the running total so that the shares add up to the interest exactly. A
list with only the loan's total: each year is its tuition (within its cap), and of what the total
exceeds the tuition of the years counted by, only what every split of the total over the years would
give is added (no more than the smallest room a year has under its cap), to the first year: the loan
by year can only raise it. The outstanding loan with its interest is repaid first out of the years'
amounts, in order of study (rules/enlistment.yaml). Money is integer fen.
"""

from __future__ import annotations

import numpy as np
import pandas as pd

from aidctl.core import money
from aidctl.core.money import times_half_up

ACROSS = "across"   # a year's cell merged across columns (_merged_by_year)
LINE_COLUMNS = ["rec", "year_of_study", "school_year", "tuition_fen", "loan_counted_fen", "cap_fen", "amount_fen",
                "loan_fen", "to_student_fen", "reason"]


def loan_figures(f: pd.DataFrame, loan_keys: list[str], present) -> None:
    """None: adds to `f` per student the loan as the list gives it: `by_year` (a loan is written for some
    year), `received_fen` (the years' loans, counted years and beyond), `principal_fen` (the outstanding
    principal: 贷款本金, else the years' loans, else 贷款本息 less interest), `interest_fen` and `owed_fen`
    (what is repaid first: principal + interest, or 贷款本息), and `loan_unknown`: why these are not
    known (a figure not read, or figures that disagree, enlist.invalid), NA where they are. The three
    figures are NA where the loan is not known: never taken as no loan.

    Every figure written counts: where the loan is written both as a total and by year, the two must
    agree. 贷款本金 must be the years' loans; 贷款本息 the principal with 贷款利息. 贷款本息 above the
    years' loans with no 贷款利息 written is their loans with interest only where every year counted
    has its loan written (0 for none): with a year's loan left blank, the difference could be that
    year's loan as well as interest, and is not guessed. The disagreements are `loan_total_conflict`
    (on 贷款本息, with `loan_total_advice`) and `loan_principal_conflict` (on 贷款本金)."""
    years = [f[f"{k}_fen"].where(f[f"{k}_ok"] & f[k].notna()) for k in loan_keys]
    given = [f[k].notna() & present(k) for k in loan_keys]
    by_year = np.logical_or.reduce([g.to_numpy(dtype=bool) for g in given]) if given else np.zeros(len(f), bool)
    f["by_year"] = by_year
    received = sum((y.fillna(0) for y in years), pd.Series(0, index=f.index, dtype="Int64"))
    unreadable = np.logical_or.reduce([(g & ~f[f"{k}_ok"]).to_numpy(dtype=bool) for k, g in zip(loan_keys, given)]) \
        if given else np.zeros(len(f), bool)
    f["received_fen"] = received.astype("Int64").mask(unreadable)
    has_interest, has_total = f["loan_interest"].notna(), f["loan_total"].notna()
    interest = f["loan_interest_fen"].where(has_interest & f["loan_interest_ok"]).astype("Int64")
    total = f["loan_total_fen"].where(has_total & f["loan_total_ok"]).astype("Int64")
    unread = ((f["loan_given"] & ~f["loan_ok"]) | (has_interest & ~f["loan_interest_ok"])
              | (has_total & ~f["loan_total_ok"])).to_numpy(dtype=bool) | unreadable
    # the principal: 贷款本金, else the years' loans, else 贷款本息 less 贷款利息, else none
    from_years = ~f["loan_given"].to_numpy(dtype=bool) & by_year
    stated = f["loan_given"].to_numpy(dtype=bool) | from_years
    principal = f["loan_fen"].where(f["loan_given"]).astype("Int64")
    principal = principal.fillna(f["received_fen"].where(pd.Series(from_years, index=f.index)))
    principal = principal.fillna((total - interest.fillna(0)).where(has_total)).fillna(0).astype("Int64")
    interest = interest.fillna((total - principal).where(has_total)).fillna(0).astype("Int64")
    yuan = money.yuan_text_or_none
    # 贷款本息 must be the principal with the interest: below the principal, or not their sum, or below
    # the interest where there is no principal, the loan is not known (enlist.invalid names it)
    t, p, i, r = (v.map(yuan).astype("string") for v in (total, principal, f["loan_interest_fen"], f["received_fen"]))
    src = pd.Series(np.where(f["loan_given"].to_numpy(dtype=bool), "贷款本金", "各学年贷款合计"), index=f.index)
    st = pd.Series(stated, index=f.index)
    readable = total.notna() & ~pd.Series(unread, index=f.index)
    below = readable & st & ~has_interest & (total < principal).fillna(False)
    differs = readable & st & has_interest & (total != principal + interest).fillna(False)
    under = readable & ~st & has_interest & (f["loan_interest_fen"] > total).fillna(False)
    # 贷款本息 above the years' loans, no 贷款利息 and no 贷款本金: the difference is the interest only
    # where every year counted has its loan written; a year left blank (or all the years 0) could hold it
    counted = f["counted"].fillna(0).astype(int).to_numpy()
    blank = pd.Series("", index=f.index, dtype="string")
    for k, g in enumerate(given, start=1):
        missing_year = pd.Series((counted >= k) & ~g.to_numpy(dtype=bool), index=f.index)
        blank = blank.mask(missing_year, blank + np.where(blank.str.len() > 0, "、", "第") + str(k))
    blank = blank.mask(blank.str.len() > 0, blank + "学年")
    open_ = readable & pd.Series(from_years, index=f.index) & ~has_interest & f["received_fen"].notna() \
        & (total > f["received_fen"]).fillna(False)
    unsplit = open_ & ((blank.str.len() > 0) | (f["received_fen"] == 0).fillna(False))
    over = (total - f["received_fen"]).map(yuan).astype("string")
    total_conflict = pd.Series(pd.NA, index=f.index, dtype="string")
    total_conflict = total_conflict.mask(below, "贷款本息" + t + "元少于" + src + p + "元")
    total_conflict = total_conflict.mask(differs, "贷款本息" + t + "元不等于" + src + p + "元加贷款利息" + i + "元")
    total_conflict = total_conflict.mask(under, "贷款利息" + i + "元多于贷款本息" + t + "元")
    year_left = "贷款本息" + t + "元比各学年贷款合计" + r + "元多" + over + "元，而" + blank + "贷款未填写、也没有贷款利息" \
        "（多出的可能是利息，也可能是该学年的贷款）"
    all_zero = "贷款本息" + t + "元，而各学年贷款都填0、也没有贷款利息（这可能是利息，也可能是未按学年填写的贷款）"
    total_conflict = total_conflict.mask(unsplit, year_left.where(blank.str.len() > 0, all_zero))
    f["loan_total_conflict"] = total_conflict
    f["loan_total_advice"] = pd.Series(np.where(unsplit.to_numpy(dtype=bool),
                                                "不按任何一种计算：请填写贷款利息（没有利息填0），并把各学年的贷款填写完整（该学年没有贷款填0）",
                                                "请核对贷款本息与贷款本金（或各学年贷款）、贷款利息，贷款本息应等于本金加利息"),
                                       index=f.index, dtype="string")
    # 贷款本金 and the years' loans both written: one principal said twice, which must agree
    both = f["loan_given"] & f["loan_ok"] & pd.Series(by_year, index=f.index) & f["received_fen"].notna() \
        & ~pd.Series(unread, index=f.index)
    more, fewer = (both & (f["loan_fen"] > f["received_fen"]).fillna(False),
                   both & (f["loan_fen"] < f["received_fen"]).fillna(False))
    p_text, word = f["loan_fen"].map(yuan).astype("string"), pd.Series("多于", index=f.index).where(more, "少于")
    f["loan_principal_conflict"] = ("贷款本金" + p_text + "元" + word + "各学年贷款合计" + r + "元").where(more | fewer)
    unknown = total_conflict.fillna(f["loan_principal_conflict"])
    # a loan figure in a merged range is not read (compensation.compute): say which and why
    merged = pd.Series(pd.NA, index=f.index, dtype="string")
    labels = {**{k: f"第{j}学年贷款" for j, k in enumerate(loan_keys, start=1)},
              "loan": "贷款本金", "loan_interest": "贷款利息", "loan_total": "贷款本息"}
    for key, label in labels.items():
        if f"{key}_down" in f:
            merged = merged.fillna(label + "单元格合并了" + f[f"{key}_down"].astype("string")
                                   + "，几名学生共用一个金额（不知是该生的还是他们的合计）")
        if f"{key}_merged" in f:
            merged = merged.fillna(label + "与其他列合并为一个单元格（" + f[f"{key}_merged"].astype("string") + "）")
    unknown = unknown.mask(unread & unknown.isna(), merged.fillna("有贷款金额不是有效金额"))
    f["loan_unknown"] = unknown
    known = unknown.isna()
    f["principal_fen"] = principal.where(known)
    f["interest_fen"] = interest.where(known)
    f["owed_fen"] = total.fillna(principal + interest).astype("Int64").where(known)


def lines(f: pd.DataFrame, tuition_keys: list[str], loan_keys: list[str], loan_first: bool) -> pd.DataFrame:
    """One line per student and year of study counted: tuition, the loan counted, cap, amount, the part
    repaying the loan, the part to the student, and the reason."""
    usable = f["counted"].fillna(0).astype(int) * f["cap_fen"].notna()
    rec = np.repeat(f.index.to_numpy(), usable.to_numpy())
    if len(rec) == 0:
        return pd.DataFrame(columns=LINE_COLUMNS)
    k = np.concatenate([np.arange(1, n + 1) for n in usable.to_numpy() if n > 0])
    out = pd.DataFrame({"rec": rec, "year_of_study": k})
    src = f.loc[rec]
    start = src["enrolled_year"].to_numpy().astype(int) + k - 1
    out["school_year"] = [f"{s}-{s + 1}" for s in start]
    tuition = _by_year(src, k, tuition_keys, out.index, blank_is_zero=False)
    loan = _by_year(src, k, loan_keys, out.index, blank_is_zero=True)
    cap = pd.Series(src["cap_fen"].to_numpy(), index=out.index, dtype="Int64")
    by_year = pd.Series(src["by_year"].to_numpy(dtype=bool), index=out.index)
    # the interest shared among all the years' loans, those of years not counted too (their share is not
    # compensated): half up on the running total, so that the shares add up
    group = out["rec"]
    received = pd.Series(src["received_fen"].to_numpy(), index=out.index, dtype="Int64")
    share_total = received.fillna(0).astype("int64").to_numpy()
    year_loan = loan.fillna(0).astype("int64").to_numpy()
    running = loan.fillna(0).groupby(group).cumsum().astype("int64").to_numpy()
    interest = src["interest_fen"].fillna(0).clip(lower=0).astype("int64").to_numpy()
    safe = pd.Series(np.where(share_total > 0, share_total, 1))

    def shared(loans_so_far: np.ndarray) -> np.ndarray:
        # interest × the loans so far ÷ all the loans, exact (money.times_half_up, in Python ints):
        # interest × loans in fen leaves 64 bits from about 30 million yuan each
        part = times_half_up(pd.Series(interest), pd.Series(loans_so_far), safe).to_numpy(dtype=np.int64)
        return np.where(share_total > 0, part, 0)

    share = pd.Series(shared(running) - shared(running - year_loan), index=out.index, dtype="Int64")
    counted_loan = (loan + share).where(by_year & loan.notna())
    counted_loan = counted_loan.where(pd.Series(src["interest_fen"].notna().to_numpy(), index=out.index)
                                      & received.notna())
    # by year: the higher of the tuition and the loan with its interest (NA where either is unreadable)
    higher = tuition.where((tuition >= counted_loan).fillna(False), counted_loan).where(tuition.notna())
    # the loan's total only: each year its tuition, the excess of the total over the tuition added in
    # order of study within each year's cap, as far as every split of the total would give it
    owed = pd.Series(src["owed_fen"].to_numpy(), index=out.index, dtype="Int64")
    base = tuition.where((tuition < cap).fillna(False), cap).where(tuition.notna())   # never the cap for no figure
    room = (cap - base).clip(lower=0)
    # only what every split of the total over the years would give: a year whose tuition reaches its cap
    # could hold the whole excess to no effect, so no more than the smallest room of the years is added
    excess = (owed - tuition.groupby(group).transform("sum")).clip(lower=0)
    smallest = room.groupby(group).transform("min")
    excess = excess.where((excess < smallest).fillna(True), smallest).where(~by_year, 0)  # NA: not known
    room_before = room.groupby(group).cumsum() - room
    added = (excess - room_before).clip(lower=0)
    # a year's tuition unread leaves the excess over the others unknown; with no loan there is none to add
    added = added.where((added < room).fillna(True), room).where(tuition.groupby(group).transform(
        lambda s: s.notna().all()).astype(bool) | (owed == 0).fillna(False))
    amount = higher.where((higher < cap).fillna(False), cap).where(higher.notna())
    amount = amount.where(by_year, base + added)
    out["tuition_fen"] = tuition
    out["loan_counted_fen"] = counted_loan.where(by_year).astype("Int64")
    out["cap_fen"] = cap
    out["amount_fen"] = amount.astype("Int64")
    out["added_fen"] = added.where(~by_year).astype("Int64")
    # the loan with its interest is repaid first, year by year in order of study
    whole = amount.notna().groupby(group).transform("all").astype(bool)
    spent = amount.fillna(0).groupby(group).cumsum() - amount.fillna(0)
    repay = owed.fillna(0) if loan_first else pd.Series(0, index=out.index, dtype="Int64")
    repaid = (repay - spent).clip(lower=0)
    repaid = repaid.where((repaid < amount).fillna(False), amount).where(whole)
    out["loan_fen"] = repaid.astype("Int64")
    out["to_student_fen"] = (amount - repaid).astype("Int64")
    out["tuition_merged"] = _merged_by_year(src, k, tuition_keys)
    out["loan_merged"] = _merged_by_year(src, k, loan_keys)
    out["unit_doubt"] = _unit_doubt_by_year(src, k, [*tuition_keys, *loan_keys])
    out["reason"] = _reasons(out, src)
    return out[[*LINE_COLUMNS, "added_fen"]]


def _by_year(src: pd.DataFrame, k: np.ndarray, keys: list[str], index: pd.Index, *, blank_is_zero: bool) -> pd.Series:
    """Each line's figure from the column of its year of study (NA where unreadable; blank: 0 or NA)."""
    value = pd.Series(pd.NA, index=index, dtype="Int64")
    for j, key in enumerate(keys, start=1):
        at = k == j
        fen = src[f"{key}_fen"].to_numpy()[at]
        ok = src[f"{key}_ok"].to_numpy(dtype=bool)[at]
        blank = src[key].isna().to_numpy()[at]
        got = pd.array(fen, dtype="Int64")
        got[~ok] = pd.NA
        if blank_is_zero:
            got[blank] = 0
        value[at] = got
    if blank_is_zero and len(keys) < int(k.max(initial=0)):
        value[k > len(keys)] = 0
    return value


def _unit_doubt_by_year(src: pd.DataFrame, k: np.ndarray, keys: list[str]) -> np.ndarray:
    """Why each line's tuition or loan of its year is not read for its unit (units.py), "" for none."""
    out = np.full(len(k), "", dtype=object)
    for key in keys:
        j = int(key.rsplit("_", 1)[1])
        if f"{key}_unit_doubt" in src:
            doubt = src[f"{key}_unit_doubt"].to_numpy(dtype=object)
            out = np.where((k == j) & (out == "") & pd.notna(doubt), doubt, out)
    return out


def _merged_by_year(src: pd.DataFrame, k: np.ndarray, keys: list[str]) -> np.ndarray:
    """How each line's cell of its year lies in a merged range that keeps it unread: the rows (“第4—5行”)
    of one merged down over other students' rows, ACROSS for one merged across columns, "" for none."""
    out = np.full(len(k), "", dtype=object)
    for j, key in enumerate(keys, start=1):
        at = k == j
        if f"{key}_merged" in src:
            out[at] = np.where(src[f"{key}_merged"].notna().to_numpy()[at], ACROSS, out[at])
        if f"{key}_down" in src:
            down = src[f"{key}_down"]
            out[at] = np.where(down.notna().to_numpy()[at], down.fillna("").to_numpy(dtype=object)[at], out[at])
    return out


def _reasons(lines: pd.DataFrame, src: pd.DataFrame) -> list[str]:
    out = []
    totals = lines["tuition_fen"].groupby(lines["rec"]).transform("sum")
    for ln, enlisted, group, basis, level, by_year, owed, tuition_sum, unknown in zip(
            lines.itertuples(), src["enlisted_year"], src["group"], src["cap_basis"], src["cap_level"],
            src["by_year"], src["owed_fen"], totals, src["loan_unknown"]):
        head = f"第{ln.year_of_study}学年（{ln.school_year.replace('-', '—')}学年）"
        if ln.tuition_fen is pd.NA and ln.tuition_merged == ACROSS:
            out.append(f"{head}学费与其他列合并为一个单元格，无法确定该学年的学费，无法计算：请学校取消合并、按学年分别填写")
            continue
        if ln.tuition_fen is pd.NA and ln.tuition_merged:
            out.append(f"{head}学费单元格合并了{ln.tuition_merged}，几名学生共用一个金额，无法确定这是该生的学费还是"
                       "几名学生的合计，无法计算：请学校取消合并、逐行填写每名学生的学费")
            continue
        if ln.unit_doubt:   # 5000 under 学费（万元）: never the cap in silence (units.py)
            out.append(f"{head}{ln.unit_doubt}，无法计算：请学校核对金额单位后重新提交")
            continue
        if ln.tuition_fen is pd.NA:
            out.append(f"{head}学费为空或不是有效金额，无法计算：请学校补填实际缴纳的学费")
            continue
        if ln.amount_fen is pd.NA and ln.loan_merged == ACROSS:
            out.append(f"{head}贷款与其他列合并为一个单元格，无法确定该学年的贷款，无法计算：请学校取消合并、按学年分别填写")
            continue
        if ln.amount_fen is pd.NA and ln.loan_merged:
            out.append(f"{head}贷款单元格合并了{ln.loan_merged}，几名学生共用一个金额，无法确定这是该生的贷款还是"
                       "几名学生的合计，无法计算：请学校取消合并、逐行填写每名学生的贷款")
            continue
        if ln.amount_fen is pd.NA:
            why = unknown if isinstance(unknown, str) else "贷款不能确定"
            out.append(f"{head}实缴学费{money.yuan(ln.tuition_fen)}元，但{why}，无法确定该学年的贷款本息，无法计算："
                       "请学校核对贷款各项后重新提交")
            continue
        t, c, a = (money.yuan(v) for v in (ln.tuition_fen, ln.cap_fen, ln.amount_fen))
        cap_text = f"{enlisted}年入伍{level or group}每学年上限{c}元（{basis}）"
        added = 0 if ln.added_fen is pd.NA else int(ln.added_fen)
        if by_year:
            loan = ln.loan_counted_fen
            higher, value = ("贷款本息", loan) if loan > ln.tuition_fen else ("实缴学费", ln.tuition_fen)
            text = f"{head}实缴学费{t}元，当学年获得国家助学贷款（含利息）{money.yuan(loan)}元，按两者较高的{higher}计"
            text += f"{money.yuan(value)}元，高于{cap_text}，按上限计{a}元" if value > ln.cap_fen \
                else f"{a}元，不超过{cap_text}"
        elif ln.tuition_fen == 0 and not added:
            text = f"{head}实缴学费0.00元，不予补偿"
        elif ln.tuition_fen > ln.cap_fen:
            text = f"{head}实缴学费{t}元，高于{cap_text}，按上限计{a}元"
        elif not added:
            text = f"{head}实缴学费{t}元，不超过{cap_text}，按实缴学费计{a}元"
        else:
            over = owed - tuition_sum
            text = f"{head}实缴学费{t}元，不超过{cap_text}；贷款本息{money.yuan(owed)}元高于计入学年的学费合计" \
                f"{money.yuan(tuition_sum)}元，高出{money.yuan(over)}元"
            text += f"，按学年顺序计入本学年{money.yuan(added)}元（贷款未按学年填写）" if added == over else \
                f"；贷款未按学年填写，只计入各学年贷款无论怎样分布都应补偿的{money.yuan(added)}元"
            text += f"，计{a}元"
        if ln.loan_fen is not pd.NA and ln.loan_fen > 0:
            rest = money.yuan(ln.to_student_fen)
            text += f"；其中{money.yuan(ln.loan_fen)}元先代偿国家助学贷款本息" + \
                (f"，{rest}元作为学费补偿发给学生" if ln.to_student_fen > 0 else "，没有余额发给学生")
        out.append(text)
    return out


def student_totals(f: pd.DataFrame, lines: pd.DataFrame) -> None:
    """None: adds total, the loan repaid and what goes to the card per student (NA where a year cannot
    be computed), and what a loan given as a total only added to the tuition (`loan_added_fen`)."""
    added = lines.groupby("rec")["added_fen"].sum() if len(lines) else pd.Series(dtype="Int64")
    f["loan_added_fen"] = pd.Series(added, index=f.index, dtype="Int64").fillna(0)
    zero = (f["counted"].fillna(-1).eq(0) & f["cap_fen"].notna()).astype(bool)  # nothing counted: nothing to pay
    complete = lines["amount_fen"].notna().groupby(lines["rec"]).all() if len(lines) else pd.Series(dtype=bool)
    complete = complete.reindex(f.index, fill_value=False).astype(bool)
    for col, target in (("amount_fen", "total_fen"), ("loan_fen", "loan_fen_repaid"),
                        ("to_student_fen", "to_student_fen")):
        sums = lines.groupby("rec")[col].sum().reindex(f.index) if len(lines) else pd.Series(pd.NA, index=f.index)
        value = pd.Series(sums, index=f.index, dtype="Int64").where(complete)
        f[target] = value.mask(zero, 0).astype("Int64")
