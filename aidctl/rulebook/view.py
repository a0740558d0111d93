"""What the rules say for a term, and where each value comes from (for `aidctl rules show/check`)."""

from __future__ import annotations

from datetime import date

from aidctl.core.terms import Term
from aidctl.rulebook.book import Rulebook
from aidctl.rulebook.programmes import Condition


def describe_condition(cond: Condition) -> str:
    if cond.label:
        return cond.label
    return f"{cond.field} ∈ {'、'.join(map(str, cond.in_ or []))}"


def in_force(rules: Rulebook, term: Term | None) -> dict:
    """The programmes, amounts, conditions and age ranges in force at the term's start (without a
    term: the term today falls in)."""
    if term is None:
        term = Term.from_date(date.today())
    programmes = []
    for name, prog in rules.programmes.programmes.items():
        period = rules.period_in_force(name, term)
        entry = {"programme": name, "in_force": period is not None, "school_types": prog.school_types,
                 "payee": prog.payee, "file": str(rules.paths["programmes.yaml"])}
        if period is not None:
            amount = period.amount
            if amount.per_term is not None:
                entry["amount"] = {"per_term": f"{amount.per_term:.2f}"}
            elif amount.tiers is not None:
                entry["amount"] = {"tiers": {k: f"{v:.2f}" for k, v in amount.tiers.per_term.items()},
                                   "by": amount.tiers.field}
            else:
                entry["amount"] = {"from_roster": True}
            entry.update({"from": str(period.from_), "until": str(period.until) if period.until else None,
                          "conditions": [describe_condition(c) for c in period.conditions],
                          "source": period.source})
        programmes.append(entry)
    return {
        "version": 1,
        "term": str(term),
        "term_start": str(rules.term_start(term)),
        "school_year": f"{rules.school_year(term)}-{rules.school_year(term) + 1}",
        "programmes": programmes,
        "ages": {k: {"min": v.min, "max": v.max} for k, v in rules.ages.by_school_type.items()},
        "extraction": _extraction(rules, term.year),
        "quotas": {st: str(q) for st in rules.quotas.by_school_type
                   if (q := rules.quotas.quota(st, rules.term_start(term))) is not None},
        "quota_region": rules.quotas.region,
        "submission_deadline": str(rules.oversight.deadline(term)),
        "loans": _loans(rules, term),
        "enlistment": _enlistment(rules, term),
        "severity_overrides": dict(rules.severities.overrides),
        "files": files(rules),
    }


def _extraction(rules: Rulebook, year: int) -> dict:
    """The set-aside rates for the calendar year the term starts in, by school type."""
    out = {}
    for st in rules.extraction.by_school_type:
        period = rules.extraction.rates(st, year)
        if period:
            out[st] = {"min_rate": str(period.min_rate), "max_rate": str(period.max_rate),
                       "from": str(period.from_), "source": period.source}
    return out


def _loans(rules: Rulebook, term: Term) -> dict:
    """The 生源地信用助学贷款 rules of the loan year the term falls in: caps, and how its contracts are priced."""
    year = rules.school_year(term)
    start = rules.term_start(Term(year, "autumn"))
    loans = rules.loans
    cap = loans.cap(start)
    interest = loans.interest
    pricing = [p for p in sorted(interest.pricing, key=lambda p: p.from_) if p.from_ <= start]
    price = pricing[-1] if pricing else None
    return {"loan_year": year, "year_start": str(start),
            "caps": {k: f"{v:.2f}" for k, v in cap.per_year.items()} if cap else None,
            "caps_from": str(cap.from_) if cap else None, "caps_source": cap.source if cap else None,
            "pricing": None if price is None else {"from": str(price.from_), "base": price.base,
                                                   "spread_bp": price.spread_bp, "source": price.source},
            "pricing_date": interest.pricing_date, "reprice_existing": interest.reprice_existing}


def _enlistment(rules: Rulebook, term: Term) -> dict | None:
    """The 应征入伍 学费补偿 / 贷款代偿 caps in force for an enlistment on the term's first day."""
    period = rules.enlistment.cap(rules.term_start(term))
    if period is None:
        return None
    return {"from": str(period.from_), "per_year": {k: f"{v:.2f}" for k, v in period.per_year.items()},
            "source": period.source, "review": period.review}


def files(rules: Rulebook) -> list[dict]:
    return [{"file": name, "path": str(path), "origin": rules.origin(name)} for name, path in rules.paths.items()]


def amount_text(entry: dict) -> str:
    amount = entry.get("amount") or {}
    if "per_term" in amount:
        return f"{amount['per_term']} 元/生·学期"
    if "tiers" in amount:
        return "；".join(f"{k} {v}" for k, v in amount["tiers"].items()) + " 元/生·学期"
    if amount.get("from_roster"):
        return "按花名册金额（地方标准/学费）"
    return "—"
