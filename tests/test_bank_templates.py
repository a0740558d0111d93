"""Bank profile templates are data, not code (README, Bank profiles): file_name, header and trailer
use only the documented names, a bank file never leaves out/<term>/, and nothing in a profile can add
a line of its own to a bank file. `rules check` refuses each, naming the file and the key, and so
does disburse, before anything is written."""

from __future__ import annotations

import shutil

import pandas as pd
import pytest
import yaml
from conftest import SAMPLES
from snapshot import changes, tree

from aidctl.core.errors import RuleError
from aidctl.pay.bankfiles import render
from aidctl.rulebook import BankProfile, packaged_rules_dir
from aidctl.rulebook.banks import TEMPLATE_NAMES


def profile_data(base: str = "icbc-txt", **changes) -> dict:
    data = yaml.safe_load((packaged_rules_dir() / "banks" / f"{base}.yaml").read_text(encoding="utf-8"))
    data.update(changes)
    return data


def workspace(tmp_path, **changes):
    """The sample workspace whose agent bank (icbc-txt) is replaced by a changed copy."""
    root = tmp_path / "ws"
    shutil.copytree(SAMPLES, root, ignore=shutil.ignore_patterns("out", "aidctl.db"))
    path = root / "rules" / "banks" / "icbc-txt.yaml"
    path.parent.mkdir(parents=True)
    path.write_text(yaml.safe_dump(profile_data(**changes), allow_unicode=True, sort_keys=False), encoding="utf-8")
    return root, path


TITLES = [{"field": "seq", "title": "序号"}, {"field": "name", "title": "户名\r\n9|假记录|6222000000000000000|99999.00"},
          {"field": "card", "title": "账号"}, {"field": "amount", "title": "金额"}]

BAD = {
    "file_name climbing out": ({"file_name": "../../逃逸_{term}_{part:02d}.txt"}, "file_name", "out/<学期>/"),
    "file_name absolute": ({"file_name": "/tmp/逃逸_{part:02d}.txt"}, "file_name", "out/<学期>/"),
    "file_name in a subfolder": ({"file_name": "子目录/代发_{part:02d}.txt"}, "file_name", "out/<学期>/"),
    "file_name hidden": ({"file_name": ".代发_{part:02d}.txt"}, "file_name", "out/<学期>/"),
    "file_name too long": ({"file_name": "代" * 70 + "_{part:02d}.txt"}, "file_name", "字节"),
    "file_name with an unknown name": ({"file_name": "{payer_name}_{part:02d}.txt"}, "file_name", "只能使用"),
    "header reaching into objects": ({"header": ["{count.__class__.__mro__}"]}, "header", "只能使用"),
    "header with an index": ({"header": ["{batch[0]}"]}, "header", "只能使用"),
    "header with an unknown name": ({"header": ["总笔数|{count}|付款人|{payer}"]}, "header", "只能使用"),
    "header with a positional field": ({"header": ["总笔数|{}"]}, "header", "只能使用"),
    "header with a conversion": ({"header": ["{batch!r}"]}, "header", "只能写"),
    "header with a nested field": ({"header": ["{count:{part}}"]}, "header", "只能写"),
    "header with a huge width": ({"header": ["{count:999999999}"]}, "header", "宽度"),
    "header with a format for another type": ({"header": ["{total:08d}"]}, "header", "格式说明"),
    "header with a stray brace": ({"header": ["总笔数{count"]}, "header", "花括号"),
    "header adding a record": ({"header": ["总笔数|{count}\r\n9|假记录|6222000000000000000|99999.00"]}, "header",
                               "换行"),
    "trailer with an unknown name": ({"trailer": ["合计|{sum}"]}, "trailer", "只能使用"),
    "a column title adding a line": ({"columns": TITLES}, "columns", "title"),
    "a delimiter that is a line break": ({"delimiter": "\n"}, "delimiter", "delimiter"),
}


@pytest.mark.parametrize("case", BAD)
def test_rules_check_refuses_a_template_that_is_code(run, tmp_path, case):
    change, key, word = BAD[case]
    root, path = workspace(tmp_path, **change)
    code, out, err = run("rules", "check", "--workspace", root)
    assert code == 2, (out, err)
    lines = err.strip().splitlines()
    assert len(lines) == 1 and "Traceback" not in err and "内部错误" not in err, err
    assert str(path) in lines[0] and f"键 {key}" in lines[0] and word in lines[0], lines[0]


@pytest.mark.parametrize("case", ["file_name climbing out", "file_name absolute", "header reaching into objects",
                                  "header with an unknown name", "header adding a record"])
def test_disburse_with_such_a_profile_writes_nothing_anywhere(run, tmp_path, case):
    change, key, _ = BAD[case]
    root, path = workspace(tmp_path, **change)
    before = tree(tmp_path)
    code, out, err = run("disburse", "--term", "2011-autumn", "--workspace", root)
    assert code == 2, (out, err)
    assert len(err.strip().splitlines()) == 1 and str(path) in err and f"键 {key}" in err, err
    assert not changes(before, tree(tmp_path))   # no ledger, no bank file, inside or outside


def test_every_documented_name_renders(tmp_path):
    """The names README lists are exactly those a profile may use, and each is filled in."""
    header = "|".join(f"{{{n}}}" for n in TEMPLATE_NAMES)
    profile = BankProfile.model_validate(profile_data(header=[header], trailer=["T{count:08d}{total_fen:015d}"],
                                                      file_name="代发_{term}_{date}_{batch}_{part:02d}of{parts}.txt"))
    records = pd.DataFrame({"file_seq": [1, 2], "name": ["张三", "李四"], "card": ["6222020000000000001"] * 2,
                            "amount_fen": [75000, 50000], "id_number": ["420102199503121013"] * 2,
                            "memo": ["2011年秋季学期中职国家助学金"] * 2})
    ctx = {"term": "2011-autumn", "term_label": "2011年秋季学期", "batch": "B1", "date": "20110929"}
    [f] = render("icbc-txt", profile, records, ctx)
    assert f.name == "代发_2011-autumn_20110929_B1_01of1.txt"
    lines = f.content.decode("gbk").split("\r\n")
    assert lines[0] == "2|1250.00|125000|20110929|B1|1|1|2011-autumn|2011年秋季学期"
    assert lines[-2] == "T00000002000000000125000"
    readme = (SAMPLES.parent / "README.md").read_text(encoding="utf-8")
    section = readme[readme.index("## Bank profiles"):]
    section = section[:section.index("\n## ")]
    assert all(f"`{{{n}}}`" in section for n in TEMPLATE_NAMES), "README, Bank profiles: list every template name"


def test_render_refuses_a_name_that_leaves_the_folder_even_unchecked():
    """A last guard where the name is made: a profile built without validation cannot escape either."""
    good = BankProfile.model_validate(profile_data())
    bad = good.model_copy(update={"file_name": "../{term}_{part:02d}.txt"})
    records = pd.DataFrame({"file_seq": [1], "name": ["张三"], "card": ["6222020000000000001"], "amount_fen": [75000],
                            "id_number": ["420102199503121013"], "memo": ["x"]})
    with pytest.raises(RuleError, match="file_name"):
        render("icbc-txt", bad, records, {"term": "2011-autumn", "term_label": "", "batch": "B1", "date": "1"})


def test_the_packaged_profiles_pass(run, tmp_path):
    code, out, err = run("rules", "check", "--format", "json", "--workspace", tmp_path, as_json=True)
    assert code == 0, err
    assert sorted(out["bank_profiles"]) == ["abc-fixed", "ccb-xlsx", "icbc-txt", "iso20022"]
