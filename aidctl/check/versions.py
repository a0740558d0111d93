"""roster.two_versions: two files of one school read together that share most of their students are
two versions of one roster (a 初报 and its 修改版), not two rosters.

A 修改版 removes students (withdrawn, not eligible, corrected away) and corrects others. Read beside
its 初报, every student of both is id.duplicate, but a student the 修改版 removed stands in the 初报
alone, and nothing would stop that record. Which version counts is not guessed (the later one is
most often the 修改版, but a 初报 filed late, or a receipt nobody stated, would turn that guess into
a payment): none of either file is paid, and each file carries one finding for the pair, naming both
files, which one the intake history received later where it says so, and how many students they
share; the id.duplicate findings of the students that stand once in each of the two files and
nowhere else are folded into it. A student who stands in a third file too keeps their id.duplicate.

Two files are versions when at least rules/oversight.yaml `versions.shared_share` of the smaller
one's students (a student and a programme: the same student's 免学费 beside a 助学金 is no repeat)
also stand in the other, among the records of one school (schools.xlsx by code, name or 别名). Below
it (a 补报 that repeats a student or two) each repeated student is id.duplicate, as before; a 补报 of
new students shares none. A file whose records name no school is compared with every file: its
students being another roster's is the only sign of whose roster it is, and a version taken for two
rosters pays what the 修改版 removed, while two rosters taken for versions are refused aloud.
"""

from __future__ import annotations

from fractions import Fraction
from pathlib import Path

import numpy as np
import pandas as pd

from aidctl.check import duplicates
from aidctl.core.findings import file_finding
from aidctl.read import Roster
from aidctl.rulebook import Rulebook

CODE = "roster.two_versions"
# how a receipt's time was told (ledger.intake: STATED, FILE_TIME, NOW), as the message says it
TOLD = {"receive": "intake receive --at 登记", "file_time": "文件放入 intake 时的修改时间",
        "now": "intake receive 未指定 --at 时的登记时间", "first_seen": "aidctl 第一次读到的时间"}


def check(roster: Roster, rules: Rulebook, findings: pd.DataFrame, ws=None) -> pd.DataFrame:
    """`findings` with a roster.two_versions finding on every table of each file of a pair of
    versions, and the id.duplicate findings between exactly those two files folded into it. `ws` (the
    workspace) tells schools by schools.xlsx (as the duplicate check did) and the files' receipts by
    the ledger's intake history."""
    pairs = version_pairs(roster, rules, ws)
    if pairs.empty:
        return findings
    files = [t.file for t in roster.tables]
    file_id, names = pd.factorize(pd.Series(files, dtype=object))
    paths = {}
    for t in roster.tables:
        paths.setdefault(t.file, t.path)
    received = _receipts(ws, roster, [names[i] for i in sorted(set(pairs["a"]) | set(pairs["b"]))], paths)
    threshold = rules.oversight.versions.shared_share
    found = []
    for p in pairs.itertuples(index=False):
        a, b = names[p.a], names[p.b]
        message = _message(a, b, p, received, threshold, str(roster.term))
        for t in np.flatnonzero((file_id == p.a) | (file_id == p.b)).tolist():
            found.append(file_finding(int(t), CODE, None, message))
    kept = _fold(findings, roster, file_id, pairs)
    return pd.concat([kept, *found], ignore_index=True)


def version_pairs(roster: Roster, rules: Rulebook, ws=None) -> pd.DataFrame:
    """The pairs of files (a < b, positions in the files' order of first reading) that are two versions
    of one roster: a, b, the school (None where neither file names it), shared, size_a, size_b (students
    by programme, of that school)."""
    none = pd.DataFrame(columns=["a", "b", "school", "shared", "size_a", "size_b"])
    f = roster.frame
    if rules.oversight.versions is None or f.empty or len(roster.tables) < 2:   # versions: null compares none
        return none
    file_of_table, _ = pd.factorize(pd.Series([t.file for t in roster.tables], dtype=object))
    person = f["person"]
    known = person.notna().to_numpy()
    repeated = known & person.duplicated(keep=False).to_numpy()
    if not repeated.any():
        return none
    file = file_of_table[f["table"].to_numpy()]
    # the files holding a student who stands more than once: only their records are compared
    involved = np.unique(file[repeated])
    if len(involved) < 2:
        return none
    take = known & np.isin(file, involved)
    school_all, shown = _schools(f.loc[take, [c for c in ("school", "school_code") if c in f.columns]], ws)
    file_all = file[take]
    # the students by programme of each (file, school): its records, less the repeats within it, which
    # are among the repeated records alone (only those are looked at by student: cost stays with them)
    records = pd.DataFrame({"file": file_all, "school": school_all}).groupby(["file", "school"]).size()
    mine = repeated[take]
    rep = f.loc[take & repeated, ["person", "programme_name", "programme"]]
    programme = rep["programme_name"].astype(object).fillna(rep["programme"].astype(object))
    every = pd.DataFrame({"file": file_all[mine], "school": school_all[mine], "who": pd.factorize(rep["person"])[0],
                          "prog": pd.factorize(programme, use_na_sentinel=False)[0]})
    keys = every.drop_duplicates()
    extra = every.groupby(["file", "school"]).size().sub(keys.groupby(["file", "school"]).size(), fill_value=0)
    sizes = records.sub(extra, fill_value=0).astype("int64")
    again = keys[keys.duplicated(["who", "prog"], keep=False).to_numpy()]
    both = _pairs(again)
    same = (both["school_a"] == both["school_b"]) | (both["school_a"] < 0) | (both["school_b"] < 0)
    both = both[(both["file_a"] < both["file_b"]).to_numpy() & same.to_numpy()]
    if both.empty:
        return none
    shared = both.groupby(["file_a", "school_a", "file_b", "school_b"]).size().rename("shared").reset_index()
    shared["size_a"] = sizes.reindex(pd.MultiIndex.from_frame(shared[["file_a", "school_a"]])).to_numpy()
    shared["size_b"] = sizes.reindex(pd.MultiIndex.from_frame(shared[["file_b", "school_b"]])).to_numpy()
    share = Fraction(rules.oversight.versions.shared_share)
    smaller = np.minimum(shared["size_a"].to_numpy(dtype=np.int64), shared["size_b"].to_numpy(dtype=np.int64))
    versions = shared["shared"].to_numpy(dtype=np.int64) * share.denominator >= share.numerator * smaller
    shared = shared[versions]
    if shared.empty:
        return none
    named = np.where(shared["school_a"] >= 0, shared["school_a"], shared["school_b"])
    out = pd.DataFrame({"a": shared["file_a"].to_numpy(), "b": shared["file_b"].to_numpy(),
                        "school": [shown[s] if s >= 0 else None for s in named.tolist()],
                        "shared": shared["shared"].to_numpy(), "size_a": shared["size_a"].to_numpy(),
                        "size_b": shared["size_b"].to_numpy()})
    # a pair of files is one finding, whatever the schools they share students of (a county's list)
    return (out.groupby(["a", "b"], sort=True)
            .agg(school=("school", lambda s: "、".join(dict.fromkeys(x for x in s if x)) or None),
                 shared=("shared", "sum"), size_a=("size_a", "sum"), size_b=("size_b", "sum"))
            .reset_index())


# A student on more files than this (a hostile input: one ID in every file of a city) pairs each of
# its files with the next one only, so that the pairs stay linear in the records: k files would give
# k² pairs. A cost bound, not a rule: a roster has a few versions, and files adjacent in reading order
# still join every file such a student stands in into one group of versions.
_ALL_PAIRS_UP_TO = 8


def _pairs(again: pd.DataFrame) -> pd.DataFrame:
    """Each two records of one student (who, prog) in two files, as one row of *_a and *_b columns:
    every pair for a student on up to _ALL_PAIRS_UP_TO files, each file with the next beyond."""
    k = again.groupby(["who", "prog"])["file"].transform("size").to_numpy()
    few = again[k <= _ALL_PAIRS_UP_TO]
    both = few.merge(few, on=["who", "prog"], suffixes=("_a", "_b"))
    many = again[k > _ALL_PAIRS_UP_TO].sort_values(["who", "prog", "file"], kind="stable")
    if many.empty:
        return both
    same = ((many["who"].to_numpy()[1:] == many["who"].to_numpy()[:-1])
            & (many["prog"].to_numpy()[1:] == many["prog"].to_numpy()[:-1]))
    a = many.iloc[:-1][same].reset_index(drop=True)
    b = many.iloc[1:][same].reset_index(drop=True)
    chain = pd.concat([a.add_suffix("_a").rename(columns={"who_a": "who", "prog_a": "prog"}),
                       b[["file", "school"]].add_suffix("_b")], axis=1)
    return pd.concat([both, chain], ignore_index=True)


def _schools(sub: pd.DataFrame, ws) -> tuple[np.ndarray, list[str]]:
    """Each record's school as every command reads it (duplicates.schools: schools.xlsx by 学校代码,
    name or 别名, else the name as written, folded), as a number (-1: the roster names none), and each
    number's name."""
    at, told = duplicates.told_schools(sub, ws)
    key = told["key"].to_numpy()
    shown = (pd.Series(told["school"].to_numpy(dtype=object)).groupby(key).first()
             .reindex(range(int(key.max()) + 1 if len(key) else 0)).astype(str).tolist())
    return key[at], shown


def _receipts(ws, roster: Roster, files: list[str], paths: dict[str, Path]) -> dict[str, tuple[str, str]]:
    """When each file of `files` was received, and how that was told: the ledger's receipt of its
    content for the term; else, for a file of the workspace's intake/<term>/ folder, its modification
    time (the receipt the intake history records for it); none where neither is known."""
    if ws is None:
        return {}
    from aidctl.core.files import sha256
    from aidctl.ledger import FILE_TIME, file_time

    term = str(roster.term)
    digests = {}
    for name in files:
        try:
            digests[name] = sha256(paths[name])
        except OSError:
            continue
    out: dict[str, tuple[str, str]] = {}
    if ws.has_ledger() and digests:
        from sqlalchemy import select

        from aidctl import ledger as L

        r = L.receipts
        with L.Ledger(ws.ledger_url()).connect() as conn:
            known = {d: (at, how) for d, at, how in conn.execute(
                select(r.c.sha256, r.c.received_at, r.c.source)
                .where(r.c.term == term, r.c.sha256.in_(list(digests.values())))).all()}
        out = {name: known[d] for name, d in digests.items() if d in known}
    folder = (ws.root / "intake" / term).resolve()
    for name in files:
        if name not in out and name in digests and Path(paths[name]).resolve().parent == folder:
            out[name] = (file_time(paths[name]), FILE_TIME)
    return out


def _message(a: str, b: str, p, received: dict, threshold, term: str) -> str:
    school = f"{p.school}同一份花名册" if p.school else "同一份花名册（有文件没有写明学校，按相同的学生判断为同一学校）"
    smaller = min(int(p.size_a), int(p.size_b))
    ra, rb = received.get(a), received.get(b)
    if ra and rb and rb[0] < ra[0]:   # named in the order received, where the history tells it
        a, b, ra, rb = b, a, rb, ra
        p = p._replace(size_a=p.size_b, size_b=p.size_a)
    out = (f"“{a}”和“{b}”是{school}的两个版本（如初报和修改版），不是两份花名册：两个文件有 {int(p.shared)} 名学生相同"
           f"（按身份证号码和资助项目比对：“{a}”可比对的 {int(p.size_a)} 名，“{b}”{int(p.size_b)} 名，较少一份中相同的占 "
           f"{_percent(int(p.shared), smaller)}，达到 rules/oversight.yaml versions.shared_share 的 {_percent_of(threshold)}）；")
    if ra and rb and ra[0] != rb[0]:
        out += f"报送记录显示“{b}”接收在后（{rb[0].replace('T', ' ')}，{TOLD.get(rb[1], rb[1])}），通常是修改版；"
    elif ra and rb:
        out += f"两个文件的接收时间相同（{ra[0].replace('T', ' ')}），报送记录不能说明哪一个在后；"
    else:
        missing = "、".join(f"“{x}”" for x, r in ((a, ra), (b, rb)) if not r)
        out += f"报送记录中没有{missing}的接收时间，哪一个在后不知道；"
    return (out + "哪一个版本有效不能推断，两个文件的学生都暂不发放（两文件之间的重复申报不再逐人列出）："
            f"请确认有效的版本，把被替代的文件从本次审核的花名册（intake/{term}/ 文件夹）中移走后重新审核")


def _percent(n: int, d: int) -> str:
    return f"{round(Fraction(100 * n, d))}%" if d else "0%"


def _percent_of(threshold) -> str:
    return f"{(threshold * 100).normalize():f}%"


def _fold(findings: pd.DataFrame, roster: Roster, file_id: np.ndarray, pairs: pd.DataFrame) -> pd.DataFrame:
    """The findings without the id.duplicate findings of the students who stand once in each of two or
    more files that are versions of one roster (a 初报, its 修改版 and a second 修改版: the pairs'
    findings speak for them), and in no other file; every other one kept (a third school's roster, the
    same file twice)."""
    dup = ((findings["code"] == "id.duplicate") & (findings["rec"] >= 0)).to_numpy()
    if not dup.any():
        return findings
    group = _groups(int(file_id.max()) + 1, pairs)
    f = roster.frame
    recs = findings["rec"].to_numpy()[dup].astype(np.int64)
    files = file_id[f["table"].to_numpy()[recs]]
    who = pd.factorize(f["person"].to_numpy()[recs])[0]
    per = pd.DataFrame({"who": who, "file": files, "group": group[files]}).groupby("who").agg(
        size=("file", "size"), files=("file", "nunique"), low=("group", "min"), high=("group", "max"))
    folded = per.index[((per["size"] == per["files"]) & (per["files"] >= 2) & (per["low"] == per["high"])
                        & (per["low"] >= 0)).to_numpy()]
    if not len(folded):
        return findings
    drop = np.zeros(len(findings), dtype=bool)
    drop[np.flatnonzero(dup)[np.isin(who, folded.to_numpy())]] = True
    return findings[~drop].reset_index(drop=True)


def _groups(n: int, pairs: pd.DataFrame) -> np.ndarray:
    """Each file's group of versions (files joined by a pair, however many), -1 for a file of none."""
    parent = list(range(n))

    def root(i: int) -> int:
        while parent[i] != i:
            i = parent[i]
        return i

    for a, b in zip(pairs["a"].tolist(), pairs["b"].tolist()):   # a few pairs a term
        parent[root(b)] = root(a)
    paired = np.zeros(n, dtype=bool)
    paired[pairs["a"].to_numpy(dtype=np.int64)] = paired[pairs["b"].to_numpy(dtype=np.int64)] = True
    return np.where(paired, np.array([root(i) for i in range(n)], dtype=np.int64), -1)
