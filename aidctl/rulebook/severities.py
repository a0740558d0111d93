"""severities.yaml: a workspace's changes to the default severity of finding codes."""

from __future__ import annotations

from typing import Literal

from aidctl.rulebook.base import Strict


class SeveritiesFile(Strict):
    description: str
    source: str
    overrides: dict[str, Literal["error", "warning"]] = {}
