"""aidctl.jsonout: large frames are encoded with Arrow; the result must be what the json module
gives for the same records, whatever the text holds (quotes, backslashes, control characters)."""

from __future__ import annotations

import json

import numpy as np
import pandas as pd
from hypothesis import given, settings
from hypothesis import strategies as st

from aidctl.core import jsonout

TEXT = st.one_of(st.text(max_size=12), st.sampled_from(['"', "\\", '\\"', "\t", "\x01", "张三", "a/b", ""]),
                 st.none())


@settings(max_examples=200, deadline=None)
@given(st.lists(st.tuples(TEXT, TEXT, st.integers(-10**12, 10**12), st.booleans(),
                          st.one_of(st.none(), st.integers(-10**12, 10**12))), min_size=1, max_size=30),
       st.booleans(), st.permutations(["name", "school", "row", "reissue", "excel_row"]))
def test_records_are_what_json_gives(rows, as_arrow, order):
    """In any order of the columns: a text column without a null is written bare, its quotes in the
    pieces around it, wherever it stands (first, last, beside another)."""
    frame = pd.DataFrame(rows, columns=["name", "school", "row", "reissue", "excel_row"])
    frame["excel_row"] = frame["excel_row"].astype("Int64")  # a finding's row: none for a whole file
    if as_arrow:  # the text dtypes a roster frame holds
        frame["name"] = frame["name"].astype("string[pyarrow]")
        frame["school"] = frame["school"].astype("string[python]")
    want = [{k: (None if v is None or v is pd.NA or (isinstance(v, float) and v != v) else v) for k, v in r.items()}
            for r in frame.astype(object).to_dict("records")]
    want = [{**r, "row": int(r["row"]), "reissue": bool(r["reissue"])} for r in want]
    assert json.loads(jsonout.records(frame[order])) == [{k: r[k] for k in order} for r in want]


def test_text_columns_without_nulls_are_quoted_once():
    """The bare path: text columns with no null, first and last and side by side."""
    frame = pd.DataFrame({"a": ["x", 'q"', "张"], "n": [1, 2, 3], "b": ["\\", "", "y"], "c": ["1", "2", "3"]})
    frame = frame.astype({"a": "string[pyarrow]", "b": "string[pyarrow]", "c": "string[pyarrow]"})
    assert jsonout.records(frame).decode() == json.dumps(frame.astype(object).to_dict("records"),
                                                         ensure_ascii=False, separators=(",", ":"))


def test_a_large_document_splices_the_frame_and_stays_utf8():
    n = jsonout.INDENT_MAX_ITEMS + 1
    frame = pd.DataFrame({"id_number": [f"{i:018d}" for i in range(n)], "name": ["张“三”\\"] * n,
                          "row": np.arange(n), "school": [None] * n})
    data = jsonout.encode({"version": 1, "payments": frame, "totals": {"payments": n}})
    doc = json.loads(data.decode("utf-8"))
    assert doc["version"] == 1 and doc["totals"] == {"payments": n}
    assert doc["payments"][5] == {"id_number": "000000000000000005", "name": "张“三”\\", "row": 5, "school": None}
    assert "张".encode() in data and b"\n" not in data  # one line, not escaped to \\u


def test_a_document_with_two_frames_keeps_each_in_its_place():
    n = jsonout.INDENT_MAX_ITEMS
    first = pd.DataFrame({"row": np.arange(n)})
    second = pd.DataFrame({"name": ["甲", 'say "hi"', None]})
    data = jsonout.encode({"version": 1, "payments": first, "between": "\x00payments\x00x", "refused": second,
                           "after": [1]})
    assert json.loads(data) == {"version": 1, "payments": [{"row": i} for i in range(n)],
                                "between": "\x00payments\x00x",
                                "refused": [{"name": "甲"}, {"name": 'say "hi"'}, {"name": None}], "after": [1]}
