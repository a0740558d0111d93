"""columns.yaml: the tables aidctl reads (roster, finance sheet, registers …), their columns, header aliases and units."""

from __future__ import annotations

from decimal import Decimal
from typing import Literal

from pydantic import Field, model_validator

from aidctl.rulebook.base import Strict


class ColumnSpec(Strict):
    title: str
    aliases: list[str]
    kind: Literal["text", "id", "card", "money", "number"] = "text"
    required: bool = False


class TableSpec(Strict):
    description: str
    min_header_matches: int = Field(ge=1)
    header_must_have: list[str]
    columns: dict[str, ColumnSpec]
    # words that, in a header matching no alias, mark a column aidctl would read: it is reported
    # (schema.unrecognised_column), never dropped silently
    watch: list[str] = []

    @model_validator(mode="after")
    def _must_have_known(self):
        unknown = [c for c in self.header_must_have if c not in self.columns]
        if unknown:
            raise ValueError(f"header_must_have names unknown columns: {unknown}")
        return self


class ColumnsFile(Strict):
    description: str
    source: str
    units: dict[str, Decimal]
    tables: dict[str, TableSpec]
