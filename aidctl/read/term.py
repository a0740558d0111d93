"""Which term a roster names, and which term a run judges under when none is given.

A roster names its term in its title rows ("2011—2012学年第一学期…", "二〇一一年秋季…"), its
sheet's name, its file's name or the intake/<term>/ folder it sits in; the words are in
rules/terms.yaml (`words`). Each place that names a term is evidence: validate without --term
takes the term the rosters name, and every run reports a roster whose evidence names another term
than the one it is judged under (term.mismatch, in the checks).
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import date
from pathlib import Path

from aidctl.core.terms import Term
from aidctl.read.tables import Table
from aidctl.rulebook import Rulebook, terms_named

SOURCES = {"title": "标题", "sheet": "工作表名", "file": "文件名", "folder": "所在文件夹"}


@dataclass(frozen=True)
class Evidence:
    """A place of a roster that names a term: where (title, sheet, file, folder), its text, the terms."""

    source: str
    text: str
    terms: frozenset[Term]

    def says(self, rules: Rulebook) -> str:
        """'标题“…2011年秋季学期…”' naming the term(s) in the bureau's words."""
        named = "或".join(rules.term_label(t) for t in sorted(self.terms))
        return f"{SOURCES[self.source]}“{self.text}”写的是{named}"


def evidence(table: Table, rules: Rulebook) -> list[Evidence]:
    """Every place of a table that names a term, in order: title rows, sheet name, file name, folder."""
    words = rules.terms.words
    places = [("title", line) for line in table.above]
    places += [("sheet", table.sheet), ("file", table.path.stem), ("folder", table.path.resolve().parent.name)]
    out = []
    for source, text in places:
        terms = terms_named(words, text)
        if terms:
            out.append(Evidence(source, text.strip()[:60], terms))
    return out


@dataclass
class TermChoice:
    """The term a run judges under, how it was chosen, and what the user should be told."""

    term: Term
    given: bool
    notes: list[str]


def settle_term(tables: list[Table], given: Term | None, today: date, rules: Rulebook) -> TermChoice:
    """The term given (--term), else the one the rosters name, else today's term, said aloud.

    Each table's first place that names a single term is its vote; the most voted term wins (ties:
    the later term). A table whose places name other terms is reported by the term.mismatch check."""
    if given is not None:
        return TermChoice(given, True, [])
    votes: dict[Term, list[str]] = {}
    for t in tables:
        first = next((e for e in evidence(t, rules) if len(e.terms) == 1), None)
        if first is not None:
            votes.setdefault(next(iter(first.terms)), []).append(t.file)
    if votes:
        term = max(votes, key=lambda k: (len(votes[k]), k.sort_key))
        notes = [f"未用 --term 指定学期：按花名册的标题或名称（{_files(votes[term])}）推断为 {term}"
                 f"（{rules.term_label(term)}）"]
        if len(votes) > 1:
            others = "；".join(f"{_files(v)}：{rules.term_label(k)}" for k, v in votes.items() if k != term)
            notes.append(f"花名册写的学期不一致（{others}）：这些文件记为 term.mismatch；请用 --term 指定学期，"
                         "或按学期分开审核")
        return TermChoice(term, False, notes)
    term = Term.from_date(today)
    return TermChoice(term, False, [
        f"未用 --term 指定学期，花名册的标题、工作表名、文件名和所在文件夹中也没有写学期：按今天（{today:%Y-%m-%d}）"
        f"所在的 {term}（{rules.term_label(term)}）的规则审核。如不是这个学期，请用 --term 指定"])


def _files(names: list[str], shown: int = 3) -> str:
    """'a.xlsx、b.xlsx、c.xlsx 等 12 个文件'."""
    names = list(dict.fromkeys(names))
    more = f" 等 {len(names)} 个文件" if len(names) > shown else ""
    return "、".join(names[:shown]) + more


def infer_term(tables: list[Table], paths: list[Path], today, rules: Rulebook | None = None) -> Term:
    """The term named in the titles or names of the rosters; else today's term."""
    return settle_term(tables, None, today, rules or Rulebook()).term
