"""Validate data (run input, signal and update payloads) against the JSON Schemas a definition declares.

Workflow-safe: a ``$ref`` resolves only within the schema itself and the JSON Schema meta-schemas, never by
retrieving a URL (jsonschema's default would fetch remote references). A reference that cannot be resolved
is reported as a violation of the payload (``validator: "$ref"``), so a signal with such a schema is ignored
and an update rejected, instead of a workflow task failing or the network being used.
"""

from __future__ import annotations

import json
from functools import lru_cache
from typing import Any

from jsonschema import Draft202012Validator
from jsonschema.exceptions import SchemaError
from jsonschema_specifications import REGISTRY as SPECIFICATIONS
from referencing import Registry
from referencing.exceptions import Unresolvable

from tdsl.errors import LanguageError

__all__ = ["PayloadError", "check_schema", "schema_errors", "validate_payload"]


class PayloadError(LanguageError, ValueError):
    """Data failed its schema. ``errors`` lists ``{"path", "message", "validator"}`` for every violation."""

    def __init__(self, what: str, errors: list[dict[str, Any]]) -> None:
        self.what = what
        self.errors = errors
        listed = "; ".join(f"{e['path'] or '$'}: {e['message']}" for e in errors[:5])
        more = f" (and {len(errors) - 5} more)" if len(errors) > 5 else ""
        super().__init__(f"{what} is invalid: {listed}{more}")

    @property
    def record_details(self) -> Any:
        return {"errors": self.errors}


NO_RETRIEVAL: Registry[Any] = SPECIFICATIONS
"""The meta-schemas only, and no ``retrieve`` function: a remote ``$ref`` is unresolvable."""


@lru_cache(maxsize=512)
def _validator(schema_text: str) -> Draft202012Validator:
    return Draft202012Validator(json.loads(schema_text), registry=NO_RETRIEVAL)


def _json_path(parts: Any) -> str:
    path = "$"
    for part in parts:
        path += f"[{part}]" if isinstance(part, int) else f".{part}"
    return path


def schema_errors(schema: dict[str, Any] | None, value: Any) -> list[dict[str, Any]]:
    """Every violation of ``schema`` by ``value`` (empty when valid or when there is no schema)."""
    if not schema:
        return []
    validator = _validator(json.dumps(schema, sort_keys=True))
    try:
        errors = sorted(
            validator.iter_errors(value), key=lambda e: (list(map(str, e.absolute_path)), e.message)
        )
    except Unresolvable as err:
        return [{"path": "$", "message": f"unresolvable reference: {err}", "validator": "$ref"}]
    return [
        {"path": _json_path(e.absolute_path), "message": e.message, "validator": str(e.validator)}
        for e in errors
    ]


def validate_payload(schema: dict[str, Any] | None, value: Any, what: str) -> None:
    """Raise :class:`PayloadError` when ``value`` violates ``schema``."""
    errors = schema_errors(schema, value)
    if errors:
        raise PayloadError(what, errors)


def check_schema(schema: Any) -> str | None:
    """``None`` when ``schema`` is a valid JSON Schema (2020-12), else the reason."""
    try:
        Draft202012Validator.check_schema(schema)
    except SchemaError as err:
        return err.message
    return None
