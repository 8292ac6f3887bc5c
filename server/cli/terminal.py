"""Text from elsewhere (workflow ids, names, messages Temporal or a run hands back), made safe to print.

A workflow id is chosen by whoever started the run; printed raw, an escape sequence in it would drive the
reader's terminal (move the cursor, rewrite earlier lines, set the window title). Every renderer of such text
passes it through :func:`safe`, which writes control characters, lone surrogates, line separators and
bidirectional overrides as escapes (``\\x1b``, ``\\u202e``), the way Python's ``repr`` does.
"""

from __future__ import annotations

import unicodedata

__all__ = ["safe"]

_ESCAPED_CATEGORIES = frozenset({"Cc", "Cs", "Zl", "Zp"})
_BIDI_CONTROLS = frozenset(chr(c) for c in (*range(0x202A, 0x202F), *range(0x2066, 0x206A), 0x200E, 0x200F))


def safe(text: object, *, keep_newlines: bool = False) -> str:
    """``text`` (``str()`` of it) with every character that could act on a terminal escaped; with
    ``keep_newlines`` a ``\\n`` stays a line break (multi-line messages)."""
    value = text if isinstance(text, str) else str(text)
    if value.isprintable():
        return value
    return "".join(_escape(char, keep_newlines) for char in value)


def _escape(char: str, keep_newlines: bool) -> str:
    if char == "\n" and keep_newlines:
        return char
    if char in _BIDI_CONTROLS or unicodedata.category(char) in _ESCAPED_CATEGORIES:
        code = ord(char)
        return f"\\x{code:02x}" if code < 0x100 else f"\\u{code:04x}"
    return char
