"""The finding catalogue: every code aidctl reports, with its default severity, title and when it is
given; how a severity is written for a person. Plain data, so that `aidctl codes`, the rule-file
checks and the help need no pandas; `findings` builds the findings frames on it.
"""

from __future__ import annotations

from dataclasses import dataclass

ERROR = "error"
WARNING = "warning"
SEVERITY_WORDS = {ERROR: "错误", WARNING: "警告"}  # how a severity is written in a table or a workbook


@dataclass(frozen=True)
class FindingType:
    code: str
    severity: str
    title: str
    when: str
    school_fault: bool = True  # False: the state of the ledger, not an error of the school's roster


def _t(code: str, severity: str, title: str, when: str, school_fault: bool = True) -> tuple[str, FindingType]:
    return code, FindingType(code, severity, title, when, school_fault)


CATALOGUE: dict[str, FindingType] = dict([
    _t("schema.missing_column", ERROR, "缺少必填列", "a required column is not in the file (row is null)"),
    _t("schema.ambiguous_column", ERROR, "多列对应同一字段",
       "two columns stand for one field: a warning naming the column not read when the rule chose one "
       "(set aside as another person's or old, less specific, hidden); an error for the file when no rule decides"),
    _t("schema.unknown_unit", ERROR, "金额单位无法识别",
       "a money column's header, or a 单位： line above the header or under the table, states a unit that is "
       "not in rules/columns.yaml `units` (百万元, 美元 …), or two 单位： lines state two units for a column "
       "whose header states none, or a line names a unit other than 元 without saying which columns it is the "
       "unit of (事业收入：万元, 注：事业收入为万元): its figures are never read as 元 and the table is not paid (a finance "
       "sheet, register or list that is not a roster stops the command, exit 2; audit-extraction reports "
       "two lines' units per figure as extraction.invalid)"),
    _t("term.mismatch", ERROR, "花名册学期与本次学期不符",
       "the roster's title, sheet, file name or folder names another term than the one it is judged under"),
    _t("cell.formula_uncalculated", ERROR, "公式没有计算结果",
       "a cell holds a formula with no value saved (a file written by a program, never opened in Excel); "
       "never read as empty"),
    _t("cell.error_value", ERROR, "单元格是错误值",
       "a cell holds an error value (#N/A, #DIV/0!, #VALUE!, #REF!, #NAME?, #NUM!, #NULL! …; in a CSV, its "
       "text); never read as empty"),
    _t("cell.struck_out", ERROR, "有删除线",
       "a record's text is struck out (删除线: a school's way of withdrawing a student without deleting the "
       "row); whether the student is meant is not known, so the record is not paid (.xlsx, .ods, .xls). An "
       ".xls whose records cannot be read does not say: one error for the table, none of it paid, and "
       "struck_rows is null"),
    _t("cell.number_format", ERROR, "数字格式使显示的内容与单元格的值不同",
       "a record's amount cell has a number format that shows another number than the cell holds (.xlsx, .xls, "
       ".ods): it scales it (#,##0, in thousands), multiplies it (0%), puts text among its digits (0!.0000, the "
       "way to show 元 as 万元), shows a date, a fraction, nothing (;;;) or a word and no number (\"不发放\"), or "
       "writes beside it a unit the column is not read in or another word (0.00\"万元\" under 资助金额（元）, "
       "0\"（暂缓发放）\"); or a key cell (name, ID, card, 学籍状态, 备注 …) is hidden (;;;) or has words added "
       "(@\"（已退学）\"); the clerk saw one thing, the file holds another: not paid"),
    _t("cell.invisible", ERROR, "单元格内容不可见（字色与底色相同或字号过小）",
       "a record's key cell (name, ID, card, 学籍状态, 备注, 是否发放, 开户银行) or amount holds text drawn so that "
       "nobody sees it, wholly or a run of it: its font colour is its fill's (white on no fill or on white, black on "
       "black; rgb, indexed or theme colours as Excel draws them) or its font is smaller than rules/columns.yaml "
       "`look.font_size_below` points; the clerk who signed the roster saw an empty cell (or part of the text), "
       "the file holds a value: not paid, the other findings on that cell withdrawn (.xlsx cell styles and "
       "rich text; .ods cell and text styles; .xls cell formats). An input read whole with such a cell in any "
       "column stops (exit 2)"),
    _t("schema.unrecognised_column", WARNING, "表头无法识别，该列未读取",
       "rosters, loans, enlist, complaints: a header naming money, a date, an account or whether to pay "
       "(the table's `watch` words) matches no alias in rules/columns.yaml; the column is not read (row is null)"),
    _t("name.missing", ERROR, "姓名为空", "no name"),
    _t("name.invalid", ERROR, "姓名含有不能用作姓名的字符",
       "a control or invisible format character, a leading = + - @ (a spreadsheet formula), or a character no "
       "ID-card name holds: a digit, bracket, slash or punctuation (a note, or two students in one cell), or a "
       "Latin letter beside hanzi; hanzi, Latin-only names and names.joiners (rules/vocabulary.yaml) are names; "
       "the message names the characters"),
    _t("id.missing", ERROR, "身份证号码为空", "no ID number"),
    _t("id.format", ERROR, "身份证号码格式错误",
       "not 18 characters (17 digits + digit or X) after normalisation"),
    _t("id.legacy", WARNING, "15位旧身份证号码",
       "a valid 15-digit number, upgraded to 18 digits for the checks; ask for the new number"),
    _t("id.checksum", ERROR, "身份证号码校验位错误", "check character wrong"),
    _t("id.birthdate", ERROR, "身份证号码出生日期错误",
       "the birth date in the ID does not exist, is before 1900 or is after the term start; the message says which, "
       "without the date"),
    _t("id.precision_lost", ERROR, "身份证号码以数字格式保存，末位已丢失",
       "the cell holds a number: digits are already lost in the file"),
    _t("id.duplicate", ERROR, "同一学生重复申报",
       "one person claimed twice for one programme, or by two schools, in the rosters checked together"),
    _t("roster.two_versions", ERROR, "同一学校花名册的两个版本同时报送",
       "two files of one school read together share at least rules/oversight.yaml versions.shared_share of the "
       "smaller one's students (a 初报 and its 修改版): which one counts is not guessed, none of either file is "
       "paid; one finding a file (row is null) naming both, the one the intake history received later and the "
       "students shared, whose id.duplicate between the two files it replaces; a file naming no school is "
       "compared with every file"),
    _t("gender.mismatch", WARNING, "性别与身份证号码不符", "性别 disagrees with the ID"),
    _t("gender.unread", WARNING, "性别无法识别，未与身份证号码核对",
       "性别 holds something no word of rules/vocabulary.yaml gender reads (男/女, the GB/T 2261.1 codes 1/2 …; "
       "0 未知 and 9 未说明 are none): paid, not compared with the ID, and said"),
    _t("birthdate.mismatch", WARNING, "出生日期与身份证号码不符",
       "出生日期 disagrees with the birth date in the ID (the message says whether year, month or day, and "
       "quotes neither date: beside a masked ID they would undo the mask), or cannot be read as a date"),
    _t("grade.ambiguous", ERROR, "年级写法有歧义（届）",
       "年级 is a year with a suffix whose meaning rules/vocabulary.yaml leaves undecided (2011届: the year of "
       "graduation in most schools, of entry in some; grades.class_of_suffixes, class_of_means: undecided): "
       "no year of study is read, and the record is not paid until the school writes 2011级 or 一年级; a "
       "warning, paid, where the programme in force reads no grade. A bureau that has found its schools "
       "mean the year of entry sets class_of_means: entry"),
    _t("age.out_of_range", WARNING, "年龄超出合理范围",
       "age at term start outside the range the rules give for the school type"),
    _t("card.missing", ERROR, "银行卡号为空", "no bank card"),
    _t("card.format", ERROR, "银行卡号格式错误", "not 16–19 digits after normalisation"),
    _t("card.precision_lost", ERROR, "银行卡号以数字格式保存，末位已丢失",
       "the cell holds a number: digits lost"),
    _t("card.luhn", WARNING, "银行卡号校验位未通过（请核对）",
       "Luhn check fails (many real cards do: review, don't refuse)"),
    _t("card.shared", WARNING, "多名学生使用同一银行卡", "one card stands for more than one student"),
    _t("status.not_enrolled", ERROR, "学籍状态不是在籍",
       "学籍状态 is not an enrolled state (退学, 休学, 毕业, 转出 …), in the roster or, with --registry, in the 学籍 export"),
    _t("pay.declined", ERROR, "学校写明不发放",
       "the roster's 是否发放 (是否享受, 是否资助 …) column says 否 for the record, or something neither 是 nor 否: "
       "the school lists the student but does not ask to pay them, or it is not known whether it does"),
    _t("remark.withdrawn", ERROR, "备注说明不应发放",
       "the record's 备注 says the student has left or is not to be paid (已转学, 退学, 不予发放, 重复申报 …: "
       "rules/vocabulary.yaml status.withdrawn_remarks); whether the student is still meant is not known, so "
       "the record is not paid until the school deletes the row or the remark"),
    _t("remark.unsettled", ERROR, "备注否定、暂缓或待定",
       "what the record's 备注 says beside its harmless words (rules/vocabulary.yaml status.harmless_remarks: "
       "建档立卡, 低保户, 新生 …) holds a word that negates, pauses or doubts the claim (不, 未, 非, 暂, 待, 核实 …: "
       "status.unsettled_remarks; 本学期不申请, 待核实, 非建档立卡): not paid until the school deletes or rewrites the remark"),
    _t("remark.unread", WARNING, "备注未能识别，请人工核对",
       "the record's 备注 holds something beside its harmless words that no word list of rules/vocabulary.yaml "
       "reads (见附件, 2012年6月毕业, 家长说下学期再报): paid, and listed for the bureau to read; the common harmless "
       "writings belong in status.harmless_remarks"),
    _t("sheet.withdrawn", ERROR, "工作表名称说明不应发放",
       "the name of the sheet a roster table is on says its list is not put forward (作废, 未通过, 备份 …: "
       "rules/vocabulary.yaml status.withdrawn_sheets): none of the table's students is paid until the school "
       "moves the list to the sheet it submits or renames the sheet (row is null)"),
    _t("section.withdrawn", ERROR, "所在部分的标题说明不应发放",
       "the record lies under a caption row inside the table whose text withdraws the part below it "
       "(二、未通过审核学生名单, 以下学生不予资助, 备用名单: the words of status.withdrawn_sheets and "
       "withdrawn_remarks), up to the next caption: not paid until the school removes the caption or "
       "moves the students into the list it puts forward"),
    _t("note.colour", ERROR, "以颜色区分学生，无法读取",
       "a note or caption of the table, or a line above its header, tells students apart by the look of their "
       "rows and withdraws some (红色标注的学生未通过审核: a word of rows.colour_words and a withdrawal word), "
       "and aidctl does not read a cell's colour: none of the table is paid (row is null)"),
    _t("eligibility.unknown_program", ERROR, "资助项目不明或不在执行期",
       "the programme is not in the rules, or not in force that term"),
    _t("eligibility.not_eligible", ERROR, "不符合资助条件",
       "the programme's conditions fail; the message names the condition"),
    _t("amount.invalid", ERROR, "资助金额无效", "not a positive amount in yuan and fen"),
    _t("amount.mismatch", ERROR, "资助金额与标准不符", "the amount differs from the standard the rules give"),
    _t("amount.merged", ERROR, "资助金额合并单元格，无法判断每人金额",
       "the amount cell is merged down over two or more students' rows where the programme pays the roster's own "
       "amount (no standard in the rules, or a tier not given): one figure shown on each row may be each one's "
       "or theirs together, so none of them is paid until the school writes each student's amount"),
    _t("amount.outlier", ERROR, "资助金额与本表同项目其他学生相差悬殊",
       "where the programme pays the roster's own amount (from_roster), the amount is more than the rule's "
       "`spread` times the median of its table's amounts for the programme (three or more), or less than "
       "that median divided by it (75000 among 750s): a slip of the keyboard is as likely as the student's "
       "due, so the record is not paid until the school corrects or confirms it"),
    _t("amount.blank", WARNING, "资助金额为空，按标准发放",
       "the amount is blank while other records of the table have theirs: the programme's standard is "
       "paid (a standard from the rules; where the rules take the amount from the roster it is amount.invalid)"),
    _t("total.mismatch", ERROR, "合计金额与明细不符",
       "the amount on the table's own 合计/总计 row differs from the sum of the amounts read from the table "
       "(a row not read as a student, a miswritten amount or total): the table is not paid (row is null)"),
    _t("registry.not_found", ERROR, "学籍库中无此学生", "with --registry: not in the 学籍 export"),
    _t("registry.mismatch", ERROR, "与学籍库信息不一致",
       "with --registry: name, 学籍号 or school differ (school names compared through schools.xlsx names and aliases), "
       "or the export holds the ID on rows that differ"),
    _t("ledger.already_paid", ERROR, "本学期已发放",
       "the ledger already holds a payment for this student, programme and term; the ledger's state, not the "
       "school's error: validate does not count it against the school nor exit 1 for it", school_fault=False),
    _t("bank.unknown", ERROR, "开户银行没有对应的报盘格式",
       "disburse: the record's 开户银行 has no profile in rules/banks/, or names the banks of two"),
    _t("bank.unwritable", ERROR, "银行文件无法写入该记录",
       "disburse: a character outside the bank file's encoding, a value wider than its field"),
    _t("extraction.under", ERROR, "校内资助金提取不足",
       "audit-extraction: extracted less than the minimum rate × 事业收入"),
    _t("extraction.over", WARNING, "提取比例高于上限", "audit-extraction: extracted more than the maximum rate"),
    _t("extraction.not_deposited", ERROR, "提取资金未全部划入专户",
       "audit-extraction: less was paid into the 资助专户 than was extracted"),
    _t("extraction.unspent", WARNING, "专户资金结余过多",
       "audit-extraction: much of the deposit is unspent at year end"),
    _t("extraction.over_deposited", WARNING, "划入专户金额多于提取金额",
       "audit-extraction: more was paid into the 资助专户 than was extracted; the message names both figures, "
       "extraction is audited on 提取金额 and the school is 需关注, never 合规"),
    _t("extraction.overspent", WARNING, "发放金额多于划入专户金额",
       "audit-extraction: more was paid out of the 资助专户 than was paid in (a 结余 below zero); the message "
       "names both figures, the school is 需关注, never 合规, and no 结余 share is given"),
    _t("extraction.invalid", ERROR, "财务数据不全或无法识别",
       "audit-extraction: a figure is blank, below zero or not an amount, in a merged range, or in a "
       "column whose unit the sheet's 单位 lines (above and below the table) state two ways, or its 年度 "
       "is not one year, its column was not read, the school is not named or cannot be told (by name, by "
       "code and name, or a 学校代码 that lost its leading zeros beside codes it may be, or a 学校代码 "
       "schools.xlsx does not hold beside a registered school's name), or the school type has no rate that "
       "year, or 事业收入 is 0; the school is 无法审核, never 合规"),
    _t("extraction.duplicate", ERROR, "同一学校同一年度重复填报",
       "audit-extraction: one school-year stands on more than one row (one file given twice, or two files); "
       "every row is flagged, the school is 无法审核 and counted once in the totals"),
    _t("enlist.invalid", ERROR, "入伍学生信息不全或无法识别",
       "enlist: a blank or non-numeric figure, an unknown 学历层次 (or 研究生 where 硕士 and 博士 differ), a year or "
       "学制 that cannot be read, 入伍年份 before 入学年份 or after the year compensated, loan totals that disagree, "
       "a figure merged across columns or down over students, a 入伍月份 that is no month (1–12) or is not the "
       "month 入伍时间 gives, a year's tuition or loan in a column stated in 万元 (any unit but 元) that is above "
       "the year's cap once read in 元 (5000 under 学费（万元）: 元 or 万元 is not known, never paid at the cap), "
       "an 入伍时间 or 入学年份 date cell whose number format shows no year (m\"月\"d\"日\"), or an 入伍时间 date cell "
       "shown without its month (yyyy) and no 入伍月份 beside it, in a year whose cap for the student changes, or "
       "without its day (yyyy\"年\"m\"月\") in a month whose cap changes on another day than the 1st; an 入伍时间 "
       "with a month and no day in such a month (2013年8月: before or after 2013-08-20?), or a day the month lacks"),
    _t("enlist.duplicate", ERROR, "同一入伍学生重复申报",
       "enlist: the same person stands more than once in the lists checked together"),
    _t("enlist.not_covered", ERROR, "入伍时间不在补偿政策范围内",
       "enlist: enlisted before the first cap period in rules/enlistment.yaml"),
    _t("enlist.no_years", WARNING, "没有计入的学年",
       "enlist: 入伍年份 equals 入学年份, so no school year was completed; review by hand"),
    _t("enlist.year_not_counted", WARNING, "填写了未计入学年的学费或贷款",
       "enlist: tuition or a loan written for a year of study beyond those counted (after enlistment, or beyond "
       "the 学制)"),
    _t("enlist.loan_exceeds", WARNING, "贷款本息超过可代偿金额",
       "enlist: the loan with its interest exceeds the compensation; the rest stays the student's to repay"),
    _t("enlist.loan_not_by_year", WARNING, "贷款未按学年填写",
       "enlist: the list gives the loan's total only, for two or more years counted; the years' loans could "
       "only raise the amount"),
    _t("enlist.month_unknown", WARNING, "入伍时间未写月份，当年上限有调整",
       "enlist: 入伍年份 without a month (nor a 入伍月份 column filled in) in a year whose cap changes; the message "
       "quotes what was written and the year read from it; the rules' year_only_date decides. Also an 入伍时间 "
       "date cell shown as its year alone (yyyy) in a year whose changes leave the student's cap as it was: the "
       "month it holds is read, and the message says what is shown and what is held"),
    _t("loan.invalid", ERROR, "贷款台账数据不全或无法识别",
       "loans: a blank or unreadable amount, 贷款年度, date, 预计毕业年份 or repayment figure, a 学历层次 that is "
       "neither 本专科 nor 研究生 (the message names it), a loan year before the first cap in rules/loans.yaml, "
       "or a contract repaid early (提前结清) without its 结清日期, a money cell merged down over contracts or across "
       "columns, a graduation year written as a school year or a 级, or arrears on a 结清 contract or with no "
       "应还日期 and a 逾期天数 blank or 0, or a 还款状态 saying in arrears on a contract owing nothing, or 正常 on "
       "one owing money with 逾期天数 above 0 (rules/loans.yaml status_claims)"),
    _t("loan.over_cap", ERROR, "贷款金额超过当年额度",
       "loans: the amount is over the cap for the level of study in force for the 贷款年度"),
    _t("loan.duplicate_contract", ERROR, "同一借款人同一年度有多份合同",
       "loans: one borrower holds more than one contract in one 贷款年度"),
    _t("loan.contract_shared", ERROR, "同一合同编号登记在多名借款人名下",
       "loans: one 合同编号 stands for two or more borrowers in the register"),
    _t("loan.disbursed_early", WARNING, "发放日期早于贷款年度",
       "loans: the 发放日期 is before the first day of the contract's 贷款年度"),
    _t("loan.graduation_year", ERROR, "预计毕业年份与学历层次不符",
       "loans: 预计毕业年份 − 贷款年度 lies outside the bounds rules/loans.yaml gives for the level"),
    _t("inspect.unsigned", ERROR, "核对表未签字或未注明日期",
       "inspect record: the returned sign-off sheet lacks the inspector's or the school head's signature, or "
       "a date that can be read"),
    _t("complaint.invalid", ERROR, "投诉登记数据不全或无法识别",
       "complaints: a blank or unreadable 受理日期, an unreadable 办结日期 or one before 受理日期, a 办结日期 beside a "
       "办理结果 saying the complaint is not closed (rules/assessment.yaml complaints.not_closed_results), a blank "
       "办结日期 beside a 办理结果 saying it is closed (complaints.closed_results), or neither 学校 nor 县区; "
       "the complaint is left out of the figures"),
])


def catalogue_doc() -> dict:
    """The `codes` document: every finding code with its default severity, title and when it is given."""
    return {"version": 1, "codes": [{"code": c, "severity": t.severity, "title": t.title, "when": t.when}
                                    for c, t in CATALOGUE.items()]}
