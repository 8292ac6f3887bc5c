"""Coverage of definitions by their test cases: which steps, branches, ``if`` outcomes, catch clauses and
compensations the cases exercised, and where (``file:line:col``) the rest is.

The items of a definition come from its steps as the source map names them
(:func:`~tdsl.dsl_schema.source_map.step_paths`) and the nested lists its kinds declare
(:func:`~tdsl.dsl_schema.kinds.base.nested_step_lists`): no kind is known by name here. What ran comes from
the :class:`~tdsl.interpreter.offline.Trace` the cases recorded.
"""

from __future__ import annotations

import json
from collections.abc import Iterator
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

from tdsl.dsl_schema.kinds import kind_of
from tdsl.dsl_schema.kinds.base import nested_step_lists
from tdsl.dsl_schema.loader import LoadedDocument, load_file
from tdsl.dsl_schema.source_map import step_paths
from tdsl.interpreter.offline import DefinitionTrace, Trace

from .runner import Catalogs

# What a nested list is called in the report, by its declared label; lists that always run with their step
# (``try``, ``finally``, loop bodies) are no branches.
_BRANCH_NAMES = {
    "case": "switch case",
    "default": "switch default",
    "branch": "parallel branch",
    "catch": "catch clause",
    "signal": "signal handler",
    "on_timeout": "timeout branch",
}


@dataclass
class Item:
    """One thing a case can exercise."""

    kind: str
    """``step``, ``if true``, ``if false``, ``compensation``, or a branch name (``switch case``, ...)."""
    path: str
    line: int
    col: int
    covered: bool


@dataclass
class DefinitionCoverage:
    """The items of one definition and whether the cases exercised them."""

    name: str
    file: str
    items: list[Item] = field(default_factory=list)

    @property
    def covered(self) -> int:
        return sum(item.covered for item in self.items)

    @property
    def percent(self) -> float:
        return 100.0 * self.covered / len(self.items) if self.items else 100.0

    def missed(self) -> list[Item]:
        """The items no case exercised, in the order of the file."""
        missed = [item for item in self.items if not item.covered]
        return sorted(missed, key=lambda item: (item.line, item.col))


def _value(data: Any, path: tuple[str | int, ...]) -> Any:
    for part in path:
        data = data[part]
    return data


def items_of(doc: LoadedDocument, trace: DefinitionTrace) -> Iterator[Item]:
    """Every item of the definition in ``doc``, with whether ``trace`` exercised it."""
    for json_path, path in step_paths(doc.data):
        step = _value(doc.data, json_path)
        line, col = doc.position(json_path)
        yield Item("step", path, line, col, path in trace.started)
        condition = step.get("if")
        if isinstance(condition, str):
            values = trace.conditions.get((path, condition), set())
            line, col = doc.position((*json_path, "if"))
            yield Item("if true", path, line, col, True in values)
            yield Item("if false", path, line, col, False in values)
        kind = kind_of(step)
        if kind is not None:
            for nested in nested_step_lists(kind.model, step):
                name = _BRANCH_NAMES.get(nested.spec.label)
                empty = not isinstance(nested.items, list) or not nested.items
                if name is None or not nested.segment or empty:
                    continue
                prefix = f"{path}/{nested.segment}/"
                line, col = doc.position((*json_path, *nested.path), key=True)
                # Entered when one of its steps had its turn (even one whose `if` then skipped it).
                ran = any(reached.startswith(prefix) for reached in trace.reached)
                yield Item(name, f"{path}/{nested.segment}", line, col, ran)
        if "compensate" in step:
            line, col = doc.position((*json_path, "compensate"), key=True)
            yield Item("compensation", path, line, col, path in trace.compensated)


def measure(trace: Trace, catalogs: Catalogs) -> list[DefinitionCoverage]:
    """The coverage of every definition of the catalogs the cases used (untested ones included)."""
    found: list[DefinitionCoverage] = []
    for folder, catalog in sorted(catalogs.loaded().items()):
        for name in catalog.names():
            entry = catalog.get(name)
            assert entry is not None
            file = Path(folder) / entry.file if entry.file else Path(folder) / f"{name}.yaml"
            doc = load_file(file)
            record = trace.definitions.get(name, DefinitionTrace())
            found.append(DefinitionCoverage(name, _shown(file), list(items_of(doc, record))))
    return found


def _shown(file: Path) -> str:
    try:
        return str(file.relative_to(Path.cwd()))
    except ValueError:
        return str(file)


def render_text(coverage: list[DefinitionCoverage]) -> str:
    lines = ["Coverage (steps, branches, if outcomes, catch clauses, compensations):"]
    for definition in coverage:
        lines.append(
            f"  {definition.name:<24} {definition.covered:>3}/{len(definition.items):<3} "
            f"{definition.percent:5.1f}%  {definition.file}"
        )
    for definition in coverage:
        for item in definition.missed():
            of = " of" if item.kind.startswith("if ") else ""
            what = f"{item.kind}{of} {item.path}"
            lines.append(f"{definition.file}:{item.line}:{item.col}: never exercised: {what}")
    return "\n".join(lines)


def as_data(coverage: list[DefinitionCoverage]) -> list[dict[str, Any]]:
    return [
        {
            "definition": definition.name,
            "file": definition.file,
            "covered": definition.covered,
            "total": len(definition.items),
            "percent": round(definition.percent, 1),
            "missed": [
                {"kind": item.kind, "path": item.path, "line": item.line, "col": item.col}
                for item in definition.missed()
            ],
        }
        for definition in coverage
    ]


def render_json(coverage: list[DefinitionCoverage]) -> str:
    return json.dumps(as_data(coverage), indent=2)
