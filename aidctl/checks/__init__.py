"""Checks: each family takes the roster (and the rules in force) and returns findings; none prints."""

from __future__ import annotations

import pandas as pd

from aidctl.checks import cards, duplicates, eligibility, enrolment, people, schema
from aidctl.findings import empty
from aidctl.rulebook import Rulebook
from aidctl.roster import Roster

FAMILIES = (schema.check, people.check, cards.check, enrolment.check, eligibility.check,
            duplicates.check)


def run_all(roster: Roster, rules: Rulebook) -> pd.DataFrame:
    """Every roster check over the records read together; one findings frame."""
    parts = [family(roster, rules) for family in FAMILIES]
    parts = [p for p in parts if len(p)]
    return pd.concat(parts, ignore_index=True) if parts else empty()
