"""The JSON documents aidctl prints: one document, "version": 1, fast for large lists.

A top-level value may be a DataFrame (for example 500,000 payments): it is encoded by pandas' C
writer, records-oriented, and spliced in, instead of building a Python dict per row. Large
documents are printed on one line (the json module's C encoder is used only without indent).
"""

from __future__ import annotations

import json

import pandas as pd

INDENT_MAX_ITEMS = 2_048


def dumps(doc: dict) -> str:
    frames = {k: v for k, v in doc.items() if isinstance(v, pd.DataFrame)}
    items = sum(len(v) for v in doc.values() if isinstance(v, (list, pd.DataFrame)))
    if not frames or items <= INDENT_MAX_ITEMS:
        plain = {k: (v.astype(object).where(v.notna(), None).to_dict("records") if k in frames else v)
                 for k, v in doc.items()}
        return json.dumps(plain, ensure_ascii=False, indent=2 if items <= INDENT_MAX_ITEMS else None)
    marks = {k: f"\x00{k}\x00" for k in frames}
    text = json.dumps({k: marks.get(k, v) for k, v in doc.items()}, ensure_ascii=False)
    for k, frame in frames.items():
        text = text.replace(json.dumps(marks[k]), frame.to_json(orient="records", force_ascii=False), 1)
    return text
