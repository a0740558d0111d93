"""aidctl.bankfiles: money text, the writers each packaged profile drives, what a profile cannot carry,
and bad profile files in a workspace's rules/banks/."""

from __future__ import annotations

import io
from decimal import Decimal
from pathlib import Path
from xml.etree import ElementTree

import openpyxl
import pandas as pd
import pytest
import yaml
from conftest import make_card, make_id
from hypothesis import given, settings
from hypothesis import strategies as st

from aidctl.core.money import fen_from_text, yuan_text
from aidctl.pay import byte_width, unwritable
from aidctl.pay import render_bank_files as render
from aidctl.rulebook import Rulebook, packaged_rules_dir

CTX = {"term": "2011-autumn", "term_label": "2011年秋季学期", "batch": "B20110920120000ABCD",
       "date": "20110920", "date_iso": "2011-09-20", "timestamp": "2011-09-20T12:00:00",
       "payer_name": "某市学生资助管理中心", "payer_account": "9558800000000000001", "programme": ""}
PROFILES = ["icbc-txt", "abc-fixed", "ccb-xlsx", "iso20022"]
ABC_WIDTH = 8 + 19 + 20 + 12 + 18 + 40


@pytest.fixture(scope="module")
def rules() -> Rulebook:
    return Rulebook()


def frame(names: list[str], amounts_fen: list[int]) -> pd.DataFrame:
    n = len(names)
    return pd.DataFrame({
        "file_seq": range(1, n + 1), "name": names, "card": [make_card(seed=i) for i in range(n)],
        "amount_fen": amounts_fen, "id_number": [make_id(seq=100 + 2 * i) for i in range(n)],
        "memo": ["2011年秋季学期中职国家助学金"] * n, "school": ["第一职业中学"] * n,
        "programme": ["中职国家助学金"] * n})


NAMES = ["张三", "欧阳娜娜", "王小明", "Ma Li", "迪丽热巴·迪力木拉提"]
AMOUNTS = [75000, 100000, 50005, 1, 123456789]   # 750.00, 1000.00, 500.05, 0.01, 1234567.89
TOTAL = sum(AMOUNTS)


# --- money text ------------------------------------------------------------------------------------

@settings(max_examples=200, deadline=None)
@given(st.lists(st.integers(0, 10**11), min_size=1, max_size=20))
def test_yuan_text_and_fen_from_text_round_trip(values):
    text = yuan_text(pd.Series(values))
    assert text.str.fullmatch(r"\d+\.\d{2}").all()
    assert [Decimal(t) for t in text] == [(Decimal(v) / 100).quantize(Decimal("0.01")) for v in values]
    assert fen_from_text(text).tolist() == values


def test_fen_from_text_reads_what_banks_and_clerks_write():
    got = fen_from_text(pd.Series(["750", "750.5", "750.05", " 1,234.56 ", "0.01", "-3.00",
                                   "7.555", "abc", "", None, "1e3"]))
    assert got.iloc[:6].tolist() == [75000, 75050, 75005, 123456, 1, -300]
    assert got.iloc[6:].isna().all()


def test_yuan_text_of_negative_and_zero():
    assert yuan_text(pd.Series([0, 5, -5, -12345])).tolist() == ["0.00", "0.05", "-0.05", "-123.45"]


@settings(max_examples=200, deadline=None)
@given(st.lists(st.integers(-10**15, 10**15), max_size=20))
def test_yuan_text_is_decimal_text(values):
    """Every amount, negative ones too, reads as Decimal would write it, on the Series' own index."""
    series = pd.Series(values, index=[f"r{i}" for i in range(len(values))], dtype="int64")
    text = yuan_text(series)
    assert text.index.equals(series.index)
    assert text.tolist() == [str((Decimal(v) / 100).quantize(Decimal("0.01"))) for v in values]


# --- rendering each packaged profile -----------------------------------------------------------------

@pytest.mark.parametrize("pid", PROFILES)
def test_every_packaged_profile_renders_balanced_files(rules, pid):
    profile = rules.bank(pid)
    files = render(pid, profile, frame(NAMES, AMOUNTS), CTX)
    assert len(files) == 1
    f = files[0]
    assert f.count == len(NAMES)
    assert f.total_fen == f.declared_total_fen == TOTAL
    assert "{" not in f.name and CTX["batch"] in f.name and f.name.endswith(("01.txt", "01.dat", "01.xlsx", "01.xml"))
    reader = {"icbc-txt": _read_icbc, "abc-fixed": _read_abc, "ccb-xlsx": _read_ccb, "iso20022": _read_pain}[pid]
    count, declared, amounts, names = reader(f.content)
    assert count == len(NAMES)
    assert declared == sum(amounts) == Decimal(TOTAL) / 100
    assert names == NAMES


def _read_icbc(content: bytes):
    lines = content.decode("gbk").split("\r\n")[:-1]
    head = lines[0].split("|")
    rows = [line.split("|") for line in lines[2:]]
    return int(head[1]), Decimal(head[3]), [Decimal(r[3]) for r in rows], [r[1] for r in rows]


def _read_abc(content: bytes):
    lines = content.split(b"\r\n")[:-1]
    head, *rows, trailer = lines
    assert head[:1] == b"H" and trailer[:1] == b"T" and head[9:] == trailer[1:]
    assert all(len(r) == ABC_WIDTH for r in rows)
    count, fen = int(head[9:17]), int(head[17:32])
    amounts = [Decimal(int(r[47:59])) / 100 for r in rows]
    names = [r[27:47].decode("gbk").rstrip() for r in rows]
    return count, Decimal(fen) / 100, amounts, names


def _read_ccb(content: bytes):
    cells = list(openpyxl.load_workbook(io.BytesIO(content)).active.iter_rows(values_only=True))
    assert cells[1][0] == "总笔数" and cells[1][2] == "总金额"
    rows = cells[3:]
    assert all(isinstance(c, str) for r in rows for c in r)   # every cell text, cards intact
    return int(cells[1][1]), Decimal(cells[1][3]), [Decimal(r[3]) for r in rows], [r[2] for r in rows]


def _read_pain(content: bytes):
    ns = {"p": "urn:iso:std:iso:20022:tech:xsd:pain.001.001.03"}
    root = ElementTree.fromstring(content)
    head = root.find("p:CstmrCdtTrfInitn/p:GrpHdr", ns)
    txs = root.findall(".//p:CdtTrfTxInf", ns)
    return (int(head.find("p:NbOfTxs", ns).text), Decimal(head.find("p:CtrlSum", ns).text),
            [Decimal(t.find("p:Amt/p:InstdAmt", ns).text) for t in txs], [t.find("p:Cdtr/p:Nm", ns).text for t in txs])


def test_render_splits_by_max_records_with_each_part_balanced(rules):
    profile = rules.bank("icbc-txt").model_copy(update={"max_records": 2})
    files = render("icbc-txt", profile, frame(NAMES, AMOUNTS), CTX)
    assert [f.count for f in files] == [2, 2, 1]
    assert len({f.name for f in files}) == 3
    assert [f.total_fen for f in files] == [f.declared_total_fen for f in files] == \
        [AMOUNTS[0] + AMOUNTS[1], AMOUNTS[2] + AMOUNTS[3], AMOUNTS[4]]
    heads = [f.content.decode("gbk").split("\r\n")[0] for f in files]
    assert [h.split("|")[-1] for h in heads] == ["第1/3个文件", "第2/3个文件", "第3/3个文件"]


def test_fixed_width_records_count_bytes_not_characters(rules):
    profile = rules.bank("abc-fixed")
    names = ["张三", "Ma Li", "欧阳娜娜", "王" * 10]            # 4, 5, 8 and 20 bytes in GBK
    assert byte_width(pd.Series(names), "gbk").tolist() == [len(n.encode("gbk")) for n in names]
    content = render("abc-fixed", profile, frame(names, [75000] * 4), CTX)[0].content
    rows = content.split(b"\r\n")[1:-2]
    assert [len(r) for r in rows] == [ABC_WIDTH] * 4
    for r, name in zip(rows, names):
        assert r[:8] == f"{rows.index(r) + 1:08d}".encode()
        assert r[27:47] == name.encode("gbk").ljust(20, b" ")
        assert r[47:59] == b"000000075000"
        assert r[77:].decode("gbk").rstrip() == "2011年秋季学期中职国家助学金"


def test_a_fixed_width_file_in_gb18030_is_padded_by_the_bytes_it_writes(rules):
    """In GB18030 most characters outside GBK take four bytes (㐀 U+3400, 𠮷 U+20BB7: rare characters of
    names): a profile that allows GB18030 pads by what it writes, and a name that would not fit is
    refused on its own record while planning, never found out by the whole batch's width proof."""
    profile = rules.bank("abc-fixed").model_copy(update={"allow_gb18030": True})
    names = ["李㐀", "𠮷祥", "张三", "王" * 8 + "㐀"]          # 6, 6, 4 and 20 bytes in GB18030
    f = render("abc-fixed", profile, frame(names, [75000] * 4), CTX)[0]
    assert f.encoding == "gb18030"
    rows = f.content.split(b"\r\n")[1:-2]
    assert [len(r) for r in rows] == [ABC_WIDTH] * 4
    assert [r[27:47] for r in rows] == [n.encode("gb18030").ljust(20, b" ") for n in names]
    wide = ["王" * 9 + "㐀", "王" * 10]                       # 22 bytes in GB18030; 20
    assert unwritable(profile, frame(wide, [75000] * 2)).isna().tolist() == [False, True]
    assert "20 字节" in unwritable(profile, frame(wide, [75000] * 2)).iloc[0]


@settings(max_examples=200, deadline=None)
@given(st.lists(st.text(st.sampled_from("A1 -·王张䶮㐀𠮷€é\x00|"), max_size=12), min_size=1, max_size=30),
       st.sampled_from(["gbk", "gb18030", "big5"]))
def test_byte_width_is_the_length_of_what_is_written(values, encoding):
    want = [len(v.encode(encoding, errors="replace")) for v in values]
    assert byte_width(pd.Series(values, dtype="string"), encoding).tolist() == want


def test_a_fixed_width_record_of_another_width_is_never_written(rules, monkeypatch):
    """The widths are the bank's contract: a bank reads a fixed-width file by position, so a record
    one byte off moves every field after it (the amount, the account). Should the padding miscount
    (characters taken for bytes), the rendered records are measured and nothing is returned."""
    import aidctl.pay.bankfiles as B
    from aidctl.core.errors import RuleError

    monkeypatch.setattr(B, "byte_width", lambda values, encoding: values.str.len())
    with pytest.raises(RuleError, match=f"定长记录宽度不是 {ABC_WIDTH} 字节"):
        render("abc-fixed", rules.bank("abc-fixed"), frame(["张三", "Ma Li"], [75000] * 2), CTX)


# --- what a profile cannot carry ----------------------------------------------------------------------

def test_unwritable_names_a_rare_character_outside_the_encoding(rules):
    records = frame(["张三", "李䶮", "王𠮷"], [75000] * 3)
    reasons = unwritable(rules.bank("icbc-txt"), records)
    assert pd.isna(reasons.iloc[0])
    assert "䶮" in reasons.iloc[1] and "U+4DAE" in reasons.iloc[1] and "GBK" in reasons.iloc[1]
    assert "𠮷" in reasons.iloc[2] and "U+20BB7" in reasons.iloc[2]
    gb18030 = rules.bank("icbc-txt").model_copy(update={"allow_gb18030": True})
    assert unwritable(gb18030, records).isna().all()
    f = render("icbc-txt", gb18030, records, CTX)[0]
    assert f.encoding == "gb18030"
    assert "李䶮" in f.content.decode("gb18030") and b"?" not in f.content


def test_unwritable_finds_the_delimiter_inside_a_name(rules):
    reasons = unwritable(rules.bank("icbc-txt"), frame(["张|三", "李四"], [75000, 75000]))
    assert "分隔符" in reasons.iloc[0] and "|" in reasons.iloc[0]
    assert pd.isna(reasons.iloc[1])
    # a fixed-width or xlsx file has no delimiter: the same name is fine there
    assert unwritable(rules.bank("ccb-xlsx"), frame(["张|三"], [75000])).isna().all()


def test_unwritable_finds_a_name_too_wide_for_its_fixed_field(rules):
    names = ["王" * 10, "王" * 11, "A" * 20, "A" * 21]     # 20, 22, 20, 21 bytes; the field is 20
    reasons = unwritable(rules.bank("abc-fixed"), frame(names, [75000] * 4))
    assert reasons.isna().tolist() == [True, False, True, False]
    assert "20 字节" in reasons.iloc[1] and "王" * 11 in reasons.iloc[1]
    assert unwritable(rules.bank("icbc-txt"), frame(names, [75000] * 4)).isna().all()


# --- bad profiles in a workspace ------------------------------------------------------------------------

def profile_data(base: str = "icbc-txt", **changes) -> dict:
    data = yaml.safe_load((packaged_rules_dir() / "banks" / f"{base}.yaml").read_text(encoding="utf-8"))
    data.update(changes)
    return data


def write_profile(root: Path, name: str, data: dict) -> Path:
    path = root / "rules" / "banks" / name
    path.parent.mkdir(parents=True, exist_ok=True)
    path.write_text(yaml.safe_dump(data, allow_unicode=True, sort_keys=False), encoding="utf-8")
    return path


def rules_check(run, root: Path) -> tuple[int, str]:
    code, out, err = run("rules", "check", "--workspace", root)
    return code, err


def test_a_good_workspace_profile_passes_rules_check(tmp_path, run):
    write_profile(tmp_path, "town-bank.yaml", profile_data(default=False, max_records=100))
    code, err = rules_check(run, tmp_path)
    assert code == 0, err


BAD = {
    "unknown key": ({"default": False, "colour": "red"}, "colour"),
    "fixed_width without widths": ({"format": "fixed_width", "default": False}, "columns"),
    "file_name without part": ({"default": False, "file_name": "代发_{term}_{batch}.txt"}, "file_name"),
    "unknown encoding": ({"default": False, "encoding": "klingon"}, "encoding"),
    "no amount column": ({"default": False, "columns": [{"field": "name", "title": "户名"},
                                                     {"field": "card", "title": "账号"}]}, "columns"),
}


@pytest.mark.parametrize("case", list(BAD))
def test_a_bad_workspace_profile_stops_rules_check_naming_file_and_key(tmp_path, run, case):
    changes, key = BAD[case]
    path = write_profile(tmp_path, "town-bank.yaml", profile_data(**changes))
    code, err = rules_check(run, tmp_path)
    assert code == 2
    lines = err.strip().splitlines()
    assert len(lines) == 1 and "Traceback" not in err
    assert str(path) in lines[0] and f"键 {key}" in lines[0], lines[0]


def test_two_default_profiles_stop_rules_check(tmp_path, run):
    path = write_profile(tmp_path, "town-bank.yaml", profile_data(default=True))
    code, err = rules_check(run, tmp_path)
    assert code == 2
    lines = err.strip().splitlines()
    assert len(lines) == 1 and "default: true" in lines[0] and "town-bank" in lines[0]
    assert str(path) in lines[0]


def test_a_workspace_profile_replaces_the_packaged_one_of_the_same_name(tmp_path):
    write_profile(tmp_path, "icbc-txt.yaml", profile_data(max_records=3, allow_gb18030=True))
    rules = Rulebook(tmp_path / "rules")
    assert rules.bank("icbc-txt").max_records == 3 and rules.default_bank == "icbc-txt"
    assert Rulebook().bank("icbc-txt").max_records == 5000


# --- what the bank's encoding writes: asked of the codec itself ------------------------------------

# • (U+2022), the CJK brackets and marks of U+3018–303F, half-width katakana (U+FF61–FF9F) and the rest of
# U+FF00–FFEF were once taken as written by every Chinese bank encoding: 171 of them are not in GBK, and a
# name holding one passed the plan, was recorded, and broke the GBK file after the ledger took the batch.
ONCE_TAKEN_AS_COMMON = [chr(c) for c in (0xB7, 0x2022, *range(0x3000, 0x3040), *range(0xFF00, 0xFFF0))]
BOUNDARY = [chr(c) for c in (0x41, 0x7F, 0x80, 0xB7, 0x2022, 0x3000, 0x3018, 0x303B, 0x303F, 0x3040, 0x30FB,
                             0x3400, 0x4DFF, 0x4E00, 0x9FA5, 0x9FA6, 0xFF00, 0xFF65, 0xFFE0, 0xFFEF, 0xFFF0,
                             0x20000, 0x1, 0x7C)]


def gbk_writes(text: str, encoding: str = "gbk") -> bool:
    try:
        text.encode(encoding)
    except UnicodeEncodeError:
        return False
    return True


def test_every_character_once_taken_as_common_is_asked_of_the_codec(rules):
    """Each of •, U+3000–303F and U+FF00–FFEF in a name: refused by the GBK profiles exactly when GBK
    cannot write it (171 of them), never when it can; the renderer writes the rest and refuses those
    same ones by name, never with a UnicodeEncodeError."""
    from aidctl.pay.bankfiles import UnwritableRecords

    names = ["张" + ch + "三" for ch in ONCE_TAKEN_AS_COMMON]
    writable = [gbk_writes(n) for n in names]
    assert writable.count(False) == 171
    for pid in ("icbc-txt", "abc-fixed"):
        profile = rules.bank(pid)
        reasons = unwritable(profile, frame(names, [75000] * len(names)))
        assert reasons.isna().tolist() == writable, pid
        for name, why in zip(names, reasons):
            if why is not None:
                assert f"“{name[1]}”（U+{ord(name[1]):04X}）无法用 GBK 编码写入" in why
        good = frame(names, [75000] * len(names))[writable]
        content = b"".join(f.content for f in render(pid, profile, good, CTX))
        assert b"?" not in content
        with pytest.raises(UnwritableRecords, match="U\\+2022"):
            render(pid, profile, frame(["热依拉•艾力"], [75000]), CTX)
    # GB18030 writes every one of them: allowed, none is refused and the file says them as they are
    gb18030 = rules.bank("icbc-txt").model_copy(update={"allow_gb18030": True})
    assert unwritable(gb18030, frame(names, [75000] * len(names))).isna().all()
    [f] = render("icbc-txt", gb18030, frame(names, [75000] * len(names)), CTX)
    assert f.encoding == "gb18030" and all(n in f.content.decode("gb18030") for n in names)


def test_an_xlsx_profile_is_refused_what_its_encoding_cannot_write(rules):
    """An xlsx file is UTF-8 whatever the profile says; a profile whose encoding is GBK (the bank's
    system takes no more) refuses by GBK all the same, the renderer too."""
    from aidctl.pay.bankfiles import UnwritableRecords

    records = frame(["热依拉•艾力", "李〘补〙", "迪丽热巴･迪力木拉提", "张三"], [75000] * 4)
    assert unwritable(rules.bank("ccb-xlsx"), records).isna().all()
    gbk = rules.bank("ccb-xlsx").model_copy(update={"encoding": "gbk"})
    assert unwritable(gbk, records).isna().tolist() == [False, False, False, True]
    with pytest.raises(UnwritableRecords):
        render("ccb-xlsx", gbk, records, CTX)
    render("ccb-xlsx", gbk, records.iloc[3:], CTX)


@settings(max_examples=300, deadline=None)
@given(st.lists(st.one_of(st.none(), st.text(alphabet=BOUNDARY, max_size=4), st.text(max_size=4)), min_size=1,
                max_size=30),
       st.sampled_from([("icbc-txt", "gbk"), ("icbc-txt", "gb18030"), ("abc-fixed", "gbk"), ("ccb-xlsx", "utf-8"),
                        ("ccb-xlsx", "gbk")]))
def test_a_name_is_refused_exactly_when_the_codec_cannot_write_it_and_the_rest_is_written(values, case):
    """unwritable refuses a name for its encoding exactly when Python's codec cannot encode it, and
    names its first such character; render writes every record unwritable passes, and refuses (by
    name, UnwritableRecords) a batch holding one it refuses: the plan and the renderer cannot drift."""
    from aidctl.pay.bankfiles import UnwritableRecords, unencodable

    pid, encoding = case
    profile = Rulebook().bank(pid).model_copy(update={"encoding": encoding})
    names = ["" if v is None else v for v in values]
    for codec in ("gbk", "gb18030", "big5", "utf-8"):
        first = [next((ch for ch in n if not gbk_writes(ch, codec)), None) for n in names]
        assert unencodable(pd.Series(values, dtype=object), (codec,)).tolist() == first
    want = [next((ch for ch in n if not gbk_writes(ch, encoding)), None) for n in names]
    records = frame(names, [75000] * len(names))
    reasons = unwritable(profile, records)
    for name, ch, why in zip(names, want, reasons):
        if ch is not None:
            assert why is not None and f"“{ch}”（U+{ord(ch):04X}）" in why
        elif profile.format != "delimited" or profile.delimiter not in name:
            assert why is None, (name, why)
    ok = reasons.isna().to_numpy()
    if ok.any():
        render(pid, profile, records[ok], CTX)
    if not ok.all() and any(ch is not None for ch in want):
        with pytest.raises(UnwritableRecords):
            render(pid, profile, records, CTX)
