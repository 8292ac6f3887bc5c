"""The definition a run is pinned to, and the checks of signals, queries and updates against it.

A DSL run carries its validated definition in its start input (``{"definition": ..., "input": ...}``, the
first event of its history; see :class:`tdsl.interpreter.RunPayload`) and its name, version and sha256 in its
memo. Messages to the run are checked against that definition, never against today's definitions folder: an
edited or deleted YAML file changes only new runs.

This module works on the definition as plain data (no pydantic models, no catalog), so the CLI verbs that only
address a run stay light; ``jsonschema`` is imported only when a declared payload schema has to be checked.
"""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass
from typing import TYPE_CHECKING, Any

from ..errors import InvalidPayload, UnknownQuery, UnknownSignal, UnknownUpdate
from ..run_errors import declared_hint

if TYPE_CHECKING:
    from ..code_workflows import CodeWorkflow

__all__ = ["HANDLER_KINDS", "PinnedDefinition", "check_handler", "payload_of"]

# The definition key declaring each kind of handler.
HANDLER_KINDS = {"signal": "signals", "query": "queries", "update": "updates"}

_UNKNOWN: dict[str, type[UnknownSignal | UnknownQuery | UnknownUpdate]] = {
    "signal": UnknownSignal,
    "query": UnknownQuery,
    "update": UnknownUpdate,
}


@dataclass(frozen=True)
class PinnedDefinition:
    """A run's definition as it was started: ``data`` is the definition as plain data."""

    name: str
    data: Mapping[str, Any]
    version: int | str | None = None
    sha256: str | None = None

    @classmethod
    def from_start_input(
        cls, value: Any, *, version: int | str | None = None, sha256: str | None = None
    ) -> PinnedDefinition | None:
        """The definition in a DSL run's start input; ``None`` when the input carries none."""
        if not isinstance(value, Mapping):
            return None
        data = value.get("definition")
        if not isinstance(data, Mapping) or not isinstance(data.get("name"), str):
            return None
        return cls(name=data["name"], data=data, version=version, sha256=sha256)

    def declared(self, kind: str) -> dict[str, Mapping[str, Any]]:
        """The declared handlers of ``kind`` (``signal``, ``query``, ``update``) by name."""
        found = self.data.get(HANDLER_KINDS[kind])
        if not isinstance(found, Mapping):
            return {}
        return {str(name): decl if isinstance(decl, Mapping) else {} for name, decl in found.items()}


def payload_of(args: tuple[Any, ...]) -> Any:
    """What a payload schema validates: nothing, the single argument, or the list of several."""
    if not args:
        return None
    return args[0] if len(args) == 1 else list(args)


def check_handler(
    kind: str,
    name: str,
    args: tuple[Any, ...],
    pinned: PinnedDefinition | None,
    code: CodeWorkflow | None,
) -> None:
    """A signal, query or update must be declared by the run's pinned definition (or its code workflow), and
    its payload must match the schema declared for it. Without either, the run itself judges."""
    unknown = _UNKNOWN[kind]
    if pinned is not None:
        declared = pinned.declared(kind)
        if name not in declared:
            hint = declared_hint(name, sorted(declared))
            raise unknown(f"{pinned.name!r} declares no {kind} {name!r}{hint}")
        schema = declared[name].get("schema")
        if isinstance(schema, Mapping) and schema:
            from tdsl.dsl_schema.payloads import schema_errors  # jsonschema: only when there is a schema

            errors = schema_errors(dict(schema), payload_of(args))
            if errors:
                raise InvalidPayload(f"payload of {kind} {name!r} does not match its schema", errors)
    elif code is not None and not code.declares(kind, name):
        raise unknown(f"{code.name!r} declares no {kind} {name!r}{declared_hint(name, code.names(kind))}")
