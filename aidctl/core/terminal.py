"""Text for a terminal: what a file name or a cell would make a terminal do is shown escaped.

Kept apart from `text` (the vectorised clean-up, which needs pandas and Arrow) so that the command
line can escape what it prints without importing them: `aidctl --help` and `aidctl codes` need neither.
"""

from __future__ import annotations

import re

# What a terminal would act on rather than show: C0 and C1 controls (ESC starts an escape sequence),
# DEL, the bidirectional overrides and isolates (text shown in another order than it is), the
# Unicode line and paragraph separators, and the lone surrogates that stand for undecodable bytes
# of a file name.
_CONTROLS = re.compile("[\x00-\x1f\x7f-\x9f\u200e\u200f\u202a-\u202e\u2066-\u2069\u2028\u2029\ud800-\udfff]")
_NAMED = {"\n": "\\n", "\r": "\\r", "\t": "\\t"}


def _escape_one(match: re.Match) -> str:
    ch = match.group()
    code = ord(ch)
    if ch in _NAMED:
        return _NAMED[ch]
    if code <= 0xFF:
        return f"\\x{code:02x}"
    if 0xDC80 <= code <= 0xDCFF:   # a byte that was not UTF-8 (surrogateescape): the byte itself
        return f"\\x{code - 0xDC00:02x}"
    return f"\\u{code:04x}"


def printable(text: object) -> str:
    """Text for a terminal: every control character, escape sequence, direction override, line
    separator and undecodable byte shown escaped as Python writes it (ESC → \\x1b, a newline → \\n),
    so a file name or a cell can neither drive the terminal nor break a line. Other text unchanged."""
    text = str(text)
    return _CONTROLS.sub(_escape_one, text) if _CONTROLS.search(text) else text
