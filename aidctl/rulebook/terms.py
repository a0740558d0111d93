"""terms.yaml: the seasons of the school year, their labels and start dates, and the words titles
and file names use for a term."""

from __future__ import annotations

import re
from functools import lru_cache
from typing import Literal

from aidctl.core.terms import FIRST_YEAR, LAST_YEAR, Term
from aidctl.core.text import nfkc_one
from aidctl.rulebook.base import MonthDay, Strict


class SeasonSpec(Strict):
    label: str
    starts: MonthDay
    school_year_offset: int
    order: int


class TermWords(Strict):
    """How Chinese titles and file names write a term (see terms.yaml `words`)."""

    digits: dict[str, str] = {}
    year: list[str] = []
    school_year: list[str] = []
    range: list[str] = []
    seasons: dict[Literal["spring", "autumn"], list[str]] = {}
    halves: dict[Literal["spring", "autumn"], list[str]] = {}
    not_terms: list[str] = []


class TermsFile(Strict):
    description: str
    source: str
    seasons: dict[Literal["spring", "autumn"], SeasonSpec]
    words: TermWords = TermWords()


def terms_named(words: TermWords, text: str) -> frozenset[Term]:
    """The terms a title or file name names: one ("2011—2012学年第一学期" → 2011-autumn), two for a
    whole school year ("2011-2012学年" → 2011-autumn and 2012-spring), none. The first naming in
    the text counts; a date such as 2011年9月20日 names no term."""
    if not text:
        return frozenset()
    held, reader = _last_reader
    if held is not words:  # a term's thousand tables ask with the same words: made into JSON once
        reader = _reader(words.model_dump_json())
        _last_reader[:] = [words, reader]
    return reader(text)


_last_reader: list = [None, None]  # the words last asked with, and their reader (held: no other object takes its id)


@lru_cache(maxsize=8)
def _reader(words_json: str):
    words = TermWords.model_validate_json(words_json)

    def alt(items) -> str:
        return "|".join(re.escape(w) for w in sorted(items, key=len, reverse=True)) or "(?!)"

    season_of = {w: s for s, ws in words.seasons.items() for w in ws}
    half_of = {w: s for s, ws in words.halves.items() for w in ws}
    digit_run = re.compile(f"[{''.join(map(re.escape, words.digits))}]{{4}}") if words.digits else None
    not_terms = re.compile(alt(words.not_terms)) if words.not_terms else None
    school_year = re.compile(
        rf"(?<!\d)(\d{{4}})\s*(?:(?:{alt(words.range)})\s*(\d{{4}}|\d{{2}}))?\s*(?:{alt(words.school_year)})"
        rf"\s*(?:的)?\s*({alt([*half_of, *season_of])})?")
    calendar = re.compile(rf"(?<!\d)(\d{{4}})\s*(?:{alt(words.year)})?\s*({alt(season_of)})")
    code = re.compile(r"(?<!\d)(\d{4})[-_ ]?(spring|autumn)", re.IGNORECASE)

    def read(text: str) -> frozenset[Term]:
        text = nfkc_one(text)   # ２０１１ is 2011; a footnote mark (201①, ²⁰¹¹) stays as written: no year
        if digit_run is not None:
            text = digit_run.sub(lambda m: "".join(words.digits[c] for c in m.group(0)), text)
        if not_terms is not None:
            text = not_terms.sub(" ", text)
        hits = [m for m in (p.search(text) for p in (school_year, calendar, code)) if m]
        if not hits:
            return frozenset()
        m = min(hits, key=lambda h: h.start())
        year = int(m.group(1))
        if not FIRST_YEAR <= year <= LAST_YEAR:
            return frozenset()
        if m.re is code:
            return frozenset({Term(year, m.group(2).lower())})
        if m.re is calendar:
            return frozenset({Term(year, season_of[m.group(2)])})
        second = m.group(2)
        if second and int(second) % 100 != (year + 1) % 100:
            return frozenset()  # "2011-2013学年" is no school year
        part = m.group(3)
        if part is None:
            return frozenset({Term(year, "autumn"), Term(year + 1, "spring")})
        season = half_of.get(part) or season_of[part]
        return frozenset({Term(year, "autumn") if season == "autumn" else Term(year + 1, "spring")})

    return lru_cache(maxsize=4096)(read)  # every table of a term has the same folder, most the same sheet name
