"""Who the student is: name, resident ID (GB 11643-1999), gender and age against the ID."""

from __future__ import annotations

import pandas as pd

from aidctl.findings import build, empty, text
from aidctl.rulebook import Rulebook
from aidctl.roster import Roster


def check(roster: Roster, rules: Rulebook) -> pd.DataFrame:
    f = roster.frame
    ids = f["id_number"]
    out = [
        build(f["name"].isna() & roster.present("name"), "name.missing", "name",
              "姓名为空：请补填学生姓名"),
        build(ids.isna() & roster.present("id_number"), "id.missing", "id_number",
              "身份证号码为空：请补填学生的18位身份证号码"),
    ]
    lost = ids.notna() & (f["id_number_number_cell"] | ids.str.fullmatch(r"^\d(?:\.\d+)?E\+?\d+$").fillna(False))
    out.append(build(lost, "id.precision_lost", "id_number",
                     text("身份证号码以数字格式保存，Excel 只保留15位有效数字，末几位已丢失（现为“{v}”）："
                          "请把该列设为“文本”格式，照原件重新录入", v=ids), ids))
    checkable = ids.notna() & ~lost
    bad_shape = checkable & f["id18"].isna()
    out.append(build(bad_shape, "id.format", "id_number",
                     text("身份证号码“{v}”不是18位（17位数字加校验位数字或X），共{n}位：请核对原件后更正",
                          v=ids, n=ids.str.len().astype("string")), ids))
    legacy = checkable & f["id_legacy"]
    out.append(build(legacy, "id.legacy", "id_number",
                     text("15位旧身份证号码“{v}”，已按国标升位为“{new}”核对：请收集学生的18位新号码",
                          v=ids, new=f["id18"]), ids))
    wrong_check = checkable & f["id18"].notna() & ~f["id_checksum_ok"] & ~f["id_legacy"]
    out.append(build(wrong_check, "id.checksum", "id_number",
                     text("身份证号码“{v}”校验位错误（按前17位应为“{c}”）：号码有误，请核对身份证原件后更正",
                          v=ids, c=f["id_expected_check"]), ids))
    start = rules.term_start(roster.term)
    bad_birth = checkable & f["id_checksum_ok"] & ~f["birth_ok"]
    out.append(build(bad_birth, "id.birthdate", "id_number",
                     text("身份证号码“{v}”中的出生日期“{d}”不存在或晚于开学日（" + str(start) + "）："
                          "请核对身份证原件后更正", v=ids, d=f["id18"].str.slice(6, 14)), ids))
    valid = f["id_valid"] & ~lost
    male = f["id18"].str.slice(16, 17).isin(list("13579"))
    said = f["v_gender"]
    mismatch = valid & said.notna() & ((said == "男") != male)
    out.append(build(mismatch, "gender.mismatch", "gender",
                     text("性别填“{g}”，身份证号码第17位表示“{id_g}”：请核对性别或身份证号码",
                          g=f["gender"], id_g=male.map({True: "男", False: "女"}).astype("string")),
                     f["gender"]))
    out.append(_ages(roster, rules))
    parts = [p for p in out if len(p)]
    return pd.concat(parts, ignore_index=True) if parts else empty()


def _ages(roster: Roster, rules: Rulebook) -> pd.DataFrame:
    f = roster.frame
    ranges = rules.ages.by_school_type
    low = f["v_school_type"].map({k: v.min for k, v in ranges.items()})
    high = f["v_school_type"].map({k: v.max for k, v in ranges.items()})
    age = f["age"].astype("float64")
    outside = f["age"].notna() & low.notna() & ((age < low) | (age > high))
    return build(outside.fillna(False), "age.out_of_range", "id_number",
                 text("开学时{a}周岁，超出{t}学生的合理范围（{lo}—{hi}周岁）：请核实是否在校就读（高年龄受助学生须重点核查）",
                      a=f["age"].astype("string"), t=f["v_school_type"].astype("string"),
                      lo=low.astype("Int64").astype("string"), hi=high.astype("Int64").astype("string")),
                 f["age"].astype("string"))
