"""The one error type the CLI turns into exit code 2, and the named exit codes."""

from __future__ import annotations

from enum import IntEnum


class Exit(IntEnum):
    OK = 0
    DATA_ERRORS = 1
    CANNOT_RUN = 2


class AidctlError(Exception):
    """A failure of input or configuration that stops a command (exit 2).

    `where` names the file (and sheet, row, column where known); the message says what is wrong
    and what to do, in the bureau's language.
    """

    def __init__(self, message: str, *, file: str | None = None, sheet: str | None = None,
                 row: int | None = None, column: str | None = None, key: str | None = None):
        super().__init__(message)
        self.message = message
        self.file = file
        self.sheet = sheet
        self.row = row
        self.column = column
        self.key = key

    @property
    def where(self) -> str:
        parts = []
        if self.file:
            parts.append(self.file)
        if self.sheet:
            parts.append(f"工作表“{self.sheet}”")
        if self.row:
            parts.append(f"第{self.row}行")
        if self.column:
            parts.append(f"“{self.column}”列")
        if self.key:
            parts.append(f"键 {self.key}")
        return "，".join(parts)

    def __str__(self) -> str:
        return f"{self.where}：{self.message}" if self.where else self.message


class ReadError(AidctlError):
    """A file that cannot be read as a table: missing, corrupt, encrypted, wrong format, no header."""


class RuleError(AidctlError):
    """A rule file that is missing, malformed or inconsistent."""


class UsageError(AidctlError):
    """A bad option or argument."""
