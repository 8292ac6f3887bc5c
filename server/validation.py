"""Text and payload checks at the edge: what clients send (HTTP, engine API, CLI) before it reaches Temporal.

Temporal accepts what these refuse, and then cannot answer about it: a lone surrogate (``"\\udc00"`` is
valid JSON) cannot be encoded as UTF-8, so a run holding one in its input or a signal answers every later
query with an encoding error; a newline in a workflow id cannot be put in a URL path; a NUL reaches the
visibility store's SQL; a value nested thousands deep overflows every recursive encoder on the way. So:

- ids (workflow ids) and names (definitions, signals, queries, updates, filters): non-empty, bounded length,
  no control characters (C0, DEL, C1, line and paragraph separators), no lone surrogates;
- payloads (run input, signal and update payloads): no lone surrogates in any string or key, only finite
  numbers, nesting at most :data:`MAX_DEPTH` deep.

Each check raises :class:`~tdsl.server.errors.InvalidRequest` (422), naming the field and the reason.
"""

from __future__ import annotations

import math
import unicodedata
from typing import Any

from .errors import InvalidRequest

__all__ = [
    "ID_PATTERN",
    "MAX_DEPTH",
    "MAX_ID_LENGTH",
    "MAX_NAME_LENGTH",
    "TEXT_PATTERN",
    "check_id",
    "check_name",
    "check_payload",
    "check_text",
    "nested_too_deeply",
    "text_problem",
]

MAX_ID_LENGTH = 1000  # Temporal's default limit of a workflow id
MAX_NAME_LENGTH = 1000
MAX_DEPTH = 100  # arrays and objects inside each other; real inputs stay far below

_FORBIDDEN_CATEGORIES = frozenset({"Cc", "Cs", "Zl", "Zp"})

# The same rules as regular expressions (ECMA and Python alike), for the OpenAPI schema to state them:
# text without the forbidden characters, and ids/names that also hold something besides white space.
_ALLOWED = r"[^\x00-\x1f\x7f-\x9f\u2028\u2029]"
_VISIBLE = r"[^\s\x00-\x1f\x7f-\x9f\u2028\u2029]"
TEXT_PATTERN = f"^{_ALLOWED}*$"
ID_PATTERN = f"^{_ALLOWED}*{_VISIBLE}{_ALLOWED}*$"


def text_problem(text: str) -> str | None:
    """Why ``text`` cannot be an id or a name (a control character or a lone surrogate), else ``None``."""
    if text.isprintable():  # fast path: the C check covers every forbidden category (and some allowed ones)
        return None
    for position, char in enumerate(text):
        category = unicodedata.category(char)
        if category in _FORBIDDEN_CATEGORIES:
            kind = "a lone surrogate" if category == "Cs" else "a control character"
            return f"contains {kind} (U+{ord(char):04X} at index {position})"
    return None


def _refuse(what: str, message: str, validator: str) -> InvalidRequest:
    return InvalidRequest(
        f"invalid {what}: {message}", [{"path": what, "message": message, "validator": validator}]
    )


def check_text(value: str, what: str, *, max_length: int = MAX_NAME_LENGTH) -> str:
    """``value`` if it has no control characters nor lone surrogates and at most ``max_length`` characters
    (it may be empty); :class:`InvalidRequest` naming ``what`` otherwise."""
    if not isinstance(value, str):
        raise _refuse(what, f"must be a string, not {type(value).__name__}", "type")
    if len(value) > max_length:
        raise _refuse(what, f"longer than {max_length} characters", "maxLength")
    problem = text_problem(value)
    if problem is not None:
        raise _refuse(what, problem, "text")
    return value


def check_name(value: str, what: str = "name") -> str:
    """A definition, signal, query or update name: non-empty :func:`check_text`."""
    check_text(value, what)
    if not value.strip():
        raise _refuse(what, "must not be empty", "minLength")
    return value


def check_id(value: str, what: str = "workflow_id") -> str:
    """A workflow id: non-empty :func:`check_text` of at most :data:`MAX_ID_LENGTH` characters."""
    check_text(value, what, max_length=MAX_ID_LENGTH)
    if not value.strip():
        raise _refuse(what, "must not be empty", "minLength")
    return value


def check_payload(value: Any, what: str = "payload", *, max_depth: int = MAX_DEPTH) -> Any:
    """``value`` if every string and key in it encodes as UTF-8 and it nests at most ``max_depth`` deep;
    :class:`InvalidRequest` naming ``what`` (and the path inside it) otherwise. Iterative: a deep value is
    refused, not a recursion error."""
    pending: list[tuple[Any, str, int]] = [(value, what, 0)]
    while pending:
        item, path, depth = pending.pop()
        if isinstance(item, str):
            _check_encodable(item, what, path)
        elif isinstance(item, float) and not math.isfinite(item):
            # 1e400 is valid JSON and parses as infinity, which no JSON answer can carry back.
            message = "a number too large for JSON (it is not finite)"
            raise InvalidRequest(
                f"invalid {what}: {message}",
                [{"path": _printable(path), "message": message, "validator": "number"}],
            )
        elif isinstance(item, dict | list | tuple):
            if depth >= max_depth:
                raise _nested(what, max_depth)
            if isinstance(item, dict):
                for key, inner in item.items():
                    if isinstance(key, str):
                        _check_encodable(key, what, path)
                    pending.append((inner, f"{path}.{key}", depth + 1))
            else:
                pending.extend((inner, f"{path}[{index}]", depth + 1) for index, inner in enumerate(item))
    return value


def _nested(what: str, max_depth: int) -> InvalidRequest:
    return _refuse(what, f"nested deeper than {max_depth} levels", "maxDepth")


def nested_too_deeply(what: str = "payload") -> InvalidRequest:
    """The refusal of a value too deep to even parse (a recursion error while decoding it)."""
    return _nested(what, MAX_DEPTH)


def _check_encodable(text: str, what: str, path: str) -> None:
    try:
        text.encode("utf-8")
    except UnicodeEncodeError as err:
        message = f"contains a lone surrogate (U+{ord(text[err.start]):04X}), which is not Unicode text"
        raise InvalidRequest(
            f"invalid {what}: {message}",
            [{"path": _printable(path), "message": message, "validator": "text"}],
        ) from None


def _printable(path: str) -> str:
    # The path is made of the client's keys: one that is not text itself must not break the answer.
    return path.encode("utf-8", "backslashreplace").decode("utf-8")
