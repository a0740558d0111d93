#!/usr/bin/env python3
"""Generate a realistic 中职国家助学金 roster (.xlsx) for benchmarking aidctl.

    python benchmarks/make_roster.py N OUT.xlsx [--seed S] [--manifest PATH]

Layout is what schools actually send:

    row 1   title, merged across A:N  ("2011年秋季学期中职国家助学金发放花名册")
    row 2   header: 序号 | 姓名 | 性别 | 身份证号码 | 学籍号 | 学校名称 | 年级 | 专业 |
                    班级 | 户口性质 | 学籍状态 | 资助项目 | 资助金额（元） | 银行卡号
    row 3+  one student per row

Cell types: 序号 and 资助金额 are numbers; everything else is a TEXT cell
stored through the shared-strings table (xl/sharedStrings.xml, t="s"), as
Excel does.  xlsxwriter's default mode is used on purpose: its
constant_memory mode writes t="inlineStr" cells and no sharedStrings.xml,
which is *not* what Excel produces.

Valid rows: GB 11643-1999 resident IDs (birth 1992-01-01..1997-12-31, the
17th digit odd for 男 / even for 女, MOD 11-2 check digit), 学籍号 "G"+ID,
19-digit Luhn-valid card numbers starting 6217/6222/6228, amount 750.

About 0.5 % of rows (at least 4) carry one planted problem, split evenly:
  bad_id_checksum   the ID's check digit is wrong
  duplicate_id      the row repeats the ID of another (valid) row
  id_as_number      the ID is a numeric cell (Excel keeps 15 significant
                    digits, so 410102199201011234 becomes 4.10102199201011E+17)
  card_luhn         the card number fails the Luhn check
With --manifest PATH the planted rows (1-based Excel row numbers) are written
as JSON.  Output is deterministic for a given (N, seed): same bytes.
"""
from __future__ import annotations

import argparse
import datetime as _dt
import json
import os
import random
import sys
import time

import xlsxwriter

TITLE = "2011年秋季学期中职国家助学金发放花名册"
HEADERS = [
    "序号", "姓名", "性别", "身份证号码", "学籍号", "学校名称", "年级", "专业",
    "班级", "户口性质", "学籍状态", "资助项目", "资助金额（元）", "银行卡号",
]
AMOUNT = 750

# County codes (县) in ten provinces that pay 中职助学金 widely.  Each one
# existed, under one name, for every birth year 1992-1997 per the GB/T 2260
# history in python-stdnum's cn/loc table, so a validator that checks the
# birth place at the birth date (stdnum.cn.ric) accepts the valid rows.
AREA_CODES = [
    "410328", "410621", "410622", "410927", "412723", "412725", "412726", "412823",
    "412829", "413022", "413024", "413025", "413026", "413029", "420123", "420124",
    "420521", "420526", "420527", "420621", "420624", "422322", "422325", "422823",
    "430122", "430124", "430221", "430223", "430521", "430524", "430621", "430725",
    "430726", "433024", "510121", "510723", "510727", "511023", "513023", "513031",
    "513222", "513229", "513232", "513425", "522125", "522227", "522228", "522422",
    "522425", "522528", "522625", "522629", "522722", "522732", "340122", "340222",
    "340321", "340823", "340827", "341021", "341124", "342422", "342427", "342922",
    "360121", "360123", "360424", "360429", "362233", "362422", "362432", "362522",
    "362525", "362532", "450321", "450421", "452127", "452230", "452331", "452425",
    "452623", "452624", "452625", "452725", "620121", "620521", "620522", "620525",
    "622322", "622425", "622625", "622630", "622725", "622823", "530122", "530821",
    "532126", "532228", "532328", "532627", "532723", "533122", "533221", "533522",
]

SURNAMES = (
    "王李张刘陈杨黄赵吴周徐孙马朱胡郭何高林罗郑梁谢宋唐许韩冯邓曹彭曾肖田董袁潘于蒋蔡余杜叶"
    "程苏魏吕丁任沈姚卢姜崔钟谭陆汪范金石廖贾夏韦付方白邹孟熊秦邱江尹薛闫段雷侯龙史陶黎贺顾"
    "毛郝龚邵万钱严覃武戴莫孔向汤"
)
GIVEN_M = "伟强磊军洋勇杰涛明超刚平辉鹏华飞鑫波斌宇浩凯健俊帆帅旭宁龙林欢阳建文亮成志国东海峰晨"
GIVEN_F = "芳娜敏静丽艳娟霞燕玲婷雪琳晶倩颖慧莹佳欣悦琪梅兰红萍丹露蓉雯璐珊洁薇月菲瑶媛婕怡"
GIVEN_ANY = "小子家思雨嘉晓春秋天金玉雅梦新心振利永德"

CN_NUM = ["", "一", "二", "三", "四", "五", "六", "七", "八", "九", "十"]


def _cn(n: int) -> str:
    if n <= 10:
        return CN_NUM[n]
    tens, ones = divmod(n, 10)
    return ("" if tens == 1 else CN_NUM[tens]) + "十" + CN_NUM[ones]


# ~60 schools: a dozen counties/cities, each with a handful of 第N职业中学.
_SCHOOL_PLACES = ["郑州市", "开封市", "洛阳市", "新乡市", "南阳市", "信阳市",
                  "周口市", "驻马店市", "商丘市", "许昌市", "平顶山市", "安阳市"]
SCHOOLS = [f"{place}第{_cn(k)}职业中学" for place in _SCHOOL_PLACES for k in range(1, 6)]

MAJORS = [
    "计算机应用", "电子技术应用", "机电技术应用", "数控技术应用", "汽车运用与维修",
    "会计", "电子商务", "市场营销", "旅游服务与管理", "学前教育", "护理",
    "服装设计与工艺", "烹饪", "现代农艺技术", "畜牧兽医", "建筑工程施工",
    "文秘", "美术设计与制作", "物流服务与管理", "焊接技术应用",
]
GRADES = ["一年级", "二年级"]
HUKOU = ["农村", "县镇非农", "城市"]
HUKOU_WEIGHTS = (80, 20, 0)  # rosters of 中职国家助学金 hold eligible households only
CARD_PREFIXES = ["6217", "6222", "6228"]

ID_WEIGHTS = (7, 9, 10, 5, 8, 4, 2, 1, 6, 3, 7, 9, 10, 5, 8, 4, 2)
ID_CHECK = "10X98765432"

PROBLEM_KINDS = ("bad_id_checksum", "duplicate_id", "id_as_number", "card_luhn")


def id_check_digit(body17: str) -> str:
    s = 0
    for w, ch in zip(ID_WEIGHTS, body17):
        s += w * (ord(ch) - 48)
    return ID_CHECK[s % 11]


# Luhn: for a payload of 18 digits the check digit is appended at position
# 19, so payload digits at odd distance from the right end (payload[-1],
# payload[-3], ...) are doubled.
_LUHN_DOUBLE = [0, 2, 4, 6, 8, 1, 3, 5, 7, 9]


def luhn_check_digit(payload: str) -> str:
    s = 0
    double = True
    for ch in reversed(payload):
        d = ord(ch) - 48
        s += _LUHN_DOUBLE[d] if double else d
        double = not double
    return chr(48 + (10 - s % 10) % 10)


def luhn_ok(number: str) -> bool:
    return luhn_check_digit(number[:-1]) == number[-1]


def _birth_dates() -> list[str]:
    # students aged 14–17 at the 2011-autumn term start, as a 中职 first or second year is
    d = _dt.date(1993, 9, 2)
    end = _dt.date(1997, 8, 31)
    out = []
    one = _dt.timedelta(days=1)
    while d <= end:
        out.append(d.strftime("%Y%m%d"))
        d += one
    return out


def generate_rows(n: int, seed: int):
    """Return (columns, problems).

    columns is a dict of per-column lists (all length n); the ID column may
    hold floats for the id_as_number rows.  problems maps 0-based data index
    -> (kind, detail).
    """
    rng = random.Random(seed)
    rand = rng.random
    randrange = rng.randrange
    getrandbits = rng.getrandbits
    dates = _birth_dates()
    n_dates = len(dates)
    n_area = len(AREA_CODES)

    surnames = SURNAMES
    gm, gf, ga = GIVEN_M, GIVEN_F, GIVEN_ANY

    names: list[str] = [""] * n
    sexes: list[str] = [""] * n
    ids: list = [""] * n
    schools: list[str] = [""] * n
    grades: list[str] = [""] * n
    majors: list[str] = [""] * n
    classes: list[str] = [""] * n
    hukou: list[str] = [""] * n
    cards: list[str] = [""] * n

    seen_ids: set[str] = set()
    seen_cards: set[str] = set()
    n_sur, n_gm, n_gf, n_ga = len(surnames), len(gm), len(gf), len(ga)
    n_sch, n_maj = len(SCHOOLS), len(MAJORS)

    # Students come in class-sized runs: same school/grade/major/class for
    # ~30-55 consecutive rows, as a school's sheet is pasted together.
    run_left = 0
    school = grade = major = klass = ""
    w_rural = HUKOU_WEIGHTS[0] / 100.0
    w_town = (HUKOU_WEIGHTS[0] + HUKOU_WEIGHTS[1]) / 100.0

    for i in range(n):
        if run_left == 0:
            run_left = 30 + randrange(26)
            school = SCHOOLS[randrange(n_sch)]
            grade = GRADES[randrange(2)]
            major = MAJORS[randrange(n_maj)]
            klass = f"{1 + randrange(12)}班"
        run_left -= 1
        schools[i] = school
        grades[i] = grade
        majors[i] = major
        classes[i] = klass

        male = rand() < 0.55
        sexes[i] = "男" if male else "女"
        pool, npool = (gm, n_gm) if male else (gf, n_gf)
        r = rand()
        if r < 0.3:
            given = pool[randrange(npool)]
        elif r < 0.65:
            given = ga[randrange(n_ga)] + pool[randrange(npool)]
        else:
            given = pool[randrange(npool)] + pool[randrange(npool)]
        names[i] = surnames[randrange(n_sur)] + given

        # Resident ID, unique within the file.
        while True:
            seq = randrange(500) * 2 + (1 if male else 0)  # 17th digit parity = sex
            if seq == 0:
                continue
            body = f"{AREA_CODES[randrange(n_area)]}{dates[randrange(n_dates)]}{seq:03d}"
            cid = body + id_check_digit(body)
            if cid not in seen_ids:
                seen_ids.add(cid)
                break
        ids[i] = cid

        r = rand()
        hukou[i] = "农村" if r < w_rural else ("县镇非农" if r < w_town else "城市")

        while True:
            payload = CARD_PREFIXES[randrange(3)] + f"{getrandbits(47) % 10**14:014d}"
            card = payload + luhn_check_digit(payload)
            if card not in seen_cards:
                seen_cards.add(card)
                break
        cards[i] = card

    # 学籍号 is "G" + the ID as the school had it; overrides below keep the
    # true ID here when the ID cell itself got typed as a number.
    xjh: dict[int, str] = {}
    problems = plant_problems(rng, n, ids, sexes, names, cards, seen_ids, xjh)
    cols = {
        "names": names, "sexes": sexes, "ids": ids, "schools": schools,
        "grades": grades, "majors": majors, "classes": classes,
        "hukou": hukou, "cards": cards, "xjh_override": xjh,
    }
    return cols, problems


def plant_problems(rng, n, ids, sexes, names, cards, seen_ids, xjh):
    if n < 8:
        return {}
    n_prob = max(4, round(n * 0.005))
    per_kind = [n_prob // 4 + (1 if k < n_prob % 4 else 0) for k in range(4)]
    # duplicate_id needs a distinct source row per planted row.
    picked = rng.sample(range(n), n_prob + per_kind[1])
    rows = picked[:n_prob]
    dup_sources = picked[n_prob:]
    problems: dict[int, tuple[str, str]] = {}
    pos = 0
    for kind, count in zip(PROBLEM_KINDS, per_kind):
        for _ in range(count):
            i = rows[pos]
            pos += 1
            if kind == "bad_id_checksum":
                good = ids[i][-1]
                wrong = rng.choice([c for c in "0123456789X" if c != good])
                ids[i] = ids[i][:17] + wrong
                problems[i] = (kind, f"check digit {wrong}, should be {good}")
            elif kind == "duplicate_id":
                j = dup_sources.pop()
                ids[i] = ids[j]
                sexes[i] = sexes[j]
                if rng.random() < 0.5:  # same student entered twice
                    names[i] = names[j]
                problems[i] = (kind, f"same ID as row {j + 3}")
            elif kind == "id_as_number":
                cid = ids[i]
                if cid.endswith("X"):
                    # An ID ending in X cannot be typed as a number; regenerate
                    # one with a numeric check digit (same person/sex).
                    body = cid[:14]
                    for seq in range(int(cid[14:17]) % 2 or 2, 1000, 2):
                        b = f"{body}{seq:03d}"
                        c = b + id_check_digit(b)
                        if not c.endswith("X") and c not in seen_ids:
                            break
                    seen_ids.add(c)
                    cid = c
                    ids[i] = cid
                xjh[i] = "G" + cid
                # Excel keeps 15 significant digits of a typed number.
                ids[i] = float(f"{int(cid):.14e}")
                problems[i] = (kind, f"typed as number, was {cid}")
            elif kind == "card_luhn":
                good = cards[i][-1]
                wrong = rng.choice([c for c in "0123456789" if c != good])
                cards[i] = cards[i][:-1] + wrong
                problems[i] = (kind, f"Luhn check digit {wrong}, should be {good}")
    return problems


def write_xlsx(path: str, cols: dict, title: str = TITLE) -> None:
    n = len(cols["ids"])
    tmp = path + ".tmp"
    # Default (non constant_memory) mode: keeps the shared-strings table.
    wb = xlsxwriter.Workbook(tmp, {"strings_to_numbers": False,
                                   "strings_to_formulas": False,
                                   "strings_to_urls": False})
    # Fixed creation time so output bytes depend only on (N, seed).
    wb.set_properties({"title": title, "author": "aidctl benchmarks",
                       "created": _dt.datetime(2011, 9, 1, 8, 0, 0)})
    ws = wb.add_worksheet("Sheet1")
    title_fmt = wb.add_format({"bold": True, "font_size": 16, "align": "center",
                               "valign": "vcenter"})
    head_fmt = wb.add_format({"bold": True, "align": "center", "border": 1})
    ws.merge_range(0, 0, 0, len(HEADERS) - 1, title, title_fmt)
    ws.set_row(0, 30)
    for c, h in enumerate(HEADERS):
        ws.write_string(1, c, h, head_fmt)
    for c, width in enumerate([7, 10, 5, 21, 22, 20, 8, 16, 7, 10, 9, 15, 14, 22]):
        ws.set_column(c, c, width)
    ws.freeze_panes(2, 0)

    # The undecorated writers skip xlsxwriter's A1-notation argument parsing,
    # which is a large share of the per-cell cost at millions of cells.  Fall
    # back to the public methods if a future xlsxwriter drops them.
    ws_str = getattr(ws, "_write_string", ws.write_string)
    ws_num = getattr(ws, "_write_number", ws.write_number)
    names, sexes, ids = cols["names"], cols["sexes"], cols["ids"]
    schools, grades, majors = cols["schools"], cols["grades"], cols["majors"]
    classes, hukou, cards = cols["classes"], cols["hukou"], cols["cards"]
    xjh_override = cols["xjh_override"]
    status, program = "在籍", "中职国家助学金"
    for i in range(n):
        r = i + 2
        ws_num(r, 0, i + 1)
        ws_str(r, 1, names[i])
        ws_str(r, 2, sexes[i])
        cid = ids[i]
        if cid.__class__ is str:
            ws_str(r, 3, cid)
            ws_str(r, 4, "G" + cid)
        else:  # planted id_as_number
            ws_num(r, 3, cid)
            ws_str(r, 4, xjh_override[i])
        ws_str(r, 5, schools[i])
        ws_str(r, 6, grades[i])
        ws_str(r, 7, majors[i])
        ws_str(r, 8, classes[i])
        ws_str(r, 9, hukou[i])
        ws_str(r, 10, status)
        ws_str(r, 11, program)
        ws_num(r, 12, AMOUNT)
        ws_str(r, 13, cards[i])
    wb.close()
    os.replace(tmp, path)


def make_roster(n: int, out: str, seed: int = 2011, manifest: str | None = None) -> dict:
    t0 = time.perf_counter()
    cols, problems = generate_rows(n, seed)
    t1 = time.perf_counter()
    os.makedirs(os.path.dirname(os.path.abspath(out)), exist_ok=True)
    write_xlsx(out, cols)
    t2 = time.perf_counter()
    counts = dict.fromkeys(PROBLEM_KINDS, 0)
    for kind, _ in problems.values():
        counts[kind] += 1
    info = {
        "rows": n, "seed": seed, "file": out, "bytes": os.path.getsize(out),
        "generate_s": round(t1 - t0, 3), "write_s": round(t2 - t1, 3),
        "problems": counts,
    }
    if manifest:
        data = dict(info)
        data["planted"] = [
            {"excel_row": i + 3, "kind": kind, "detail": detail}
            for i, (kind, detail) in sorted(problems.items())
        ]
        with open(manifest, "w", encoding="utf-8") as fh:
            json.dump(data, fh, ensure_ascii=False, indent=1)
    return info


def main(argv=None) -> int:
    ap = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    ap.add_argument("n", type=int, help="number of students (data rows)")
    ap.add_argument("out", help="output .xlsx path")
    ap.add_argument("--seed", type=int, default=2011)
    ap.add_argument("--manifest", help="write planted problems as JSON here")
    args = ap.parse_args(argv)
    if args.n < 1:
        ap.error("N must be >= 1")
    info = make_roster(args.n, args.out, args.seed, args.manifest)
    print(
        f"wrote {info['file']}: {info['rows']} rows, {info['bytes'] / 1e6:.1f} MB, "
        f"generate {info['generate_s']:.1f}s + write {info['write_s']:.1f}s, "
        f"planted {info['problems']}",
        file=sys.stderr,
    )
    return 0


if __name__ == "__main__":
    sys.exit(main())
