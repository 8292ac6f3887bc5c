"""Workflow code is deterministic by construction: only workflow-safe modules are passed through the
sandbox, and what they import and call is checked here.

The rule: a passed-through module of ours imports only (a) other passed-through modules of ours, (b) the
standard library modules in :data:`SAFE_STDLIB` (no ``os``, ``subprocess``, ``socket``, ``random``, ``time``,
``pathlib``, ``io``, ...), (c) the passed-through libraries and Temporal's workflow-side modules; and it never
calls ``open``/``eval``/``exec``/``__import__``, reads the clock (``datetime.now``, ``date.today``,
``utcnow``), or reads files (``read_text``, ``read_bytes``).
"""

from __future__ import annotations

import ast
import importlib
import pkgutil
import socket
import subprocess
import sys
from pathlib import Path
from typing import Any

import pytest

from tdsl.dsl_schema.models import Definition
from tdsl.dsl_schema.payloads import schema_errors
from tdsl.interpreter import PASSTHROUGH_MODULES, run_offline_sync
from tdsl.interpreter.sandbox import LIBRARY_MODULES, WORKFLOW_SAFE_MODULES

SAFE_STDLIB = {
    "__future__",
    "abc",
    "asyncio",
    "builtins",
    "collections",
    "contextlib",
    "contextvars",
    "copy",
    "dataclasses",
    "datetime",
    "enum",
    "functools",
    "hashlib",  # pure and deterministic: the digest a run compares an upgrade offer with
    "itertools",
    "json",
    "math",
    "operator",
    "re",
    "types",
    "typing",
}
TEMPORAL_WORKFLOW_SIDE = {
    "temporalio.common",
    "temporalio.converter",
    "temporalio.exceptions",
    "temporalio.workflow",
}
FORBIDDEN_CALLS = {"open", "eval", "exec", "__import__", "input", "breakpoint"}
FORBIDDEN_ATTRIBUTES = {"utcnow", "today", "read_text", "read_bytes", "urlopen", "environ", "getenv"}
CLOCK_OWNERS = {"datetime", "date", "time"}


def test_the_passthrough_list_names_only_libraries_and_workflow_safe_modules() -> None:
    assert PASSTHROUGH_MODULES == LIBRARY_MODULES + WORKFLOW_SAFE_MODULES
    assert set(WORKFLOW_SAFE_MODULES) == {
        "tdsl.dsl_schema.durations",
        "tdsl.dsl_schema.expression_limits",
        "tdsl.dsl_schema.expressions",
        "tdsl.dsl_schema.kinds",
        "tdsl.dsl_schema.models",
        "tdsl.dsl_schema.payloads",
        "tdsl.dsl_schema.source_map",
        "tdsl.errors",
        "tdsl.interpreter.cancellation",
        "tdsl.interpreter.concurrency",
        "tdsl.interpreter.core",
        "tdsl.interpreter.errors",
        "tdsl.interpreter.idempotency",
        "tdsl.interpreter.key_order",
        "tdsl.interpreter.kwargs",
        "tdsl.interpreter.options",
        "tdsl.interpreter.payload",
        "tdsl.interpreter.retry",
        "tdsl.interpreter.run",
        "tdsl.interpreter.runtime",
        "tdsl.interpreter.saga",
        "tdsl.interpreter.state",
        "tdsl.interpreter.steps",
        "tdsl.interpreter.temporal_runtime",
        "tdsl.interpreter.upgrade",
        "tdsl.interpreter.workflow",
    }
    # Never a whole package of ours: it would pass the loader, the catalog (git), offline runs, the server.
    assert not {"tdsl", "tdsl.dsl_schema", "tdsl.interpreter", "tdsl.server", "tdsl.activities"} & set(
        PASSTHROUGH_MODULES
    )


def _safe_modules() -> dict[str, Path]:
    found: dict[str, Path] = {}
    for name in WORKFLOW_SAFE_MODULES:
        module = importlib.import_module(name)
        assert module.__file__ is not None
        found[name] = Path(module.__file__)
        if hasattr(module, "__path__"):
            for info in pkgutil.walk_packages(module.__path__, prefix=f"{name}."):
                sub = importlib.import_module(info.name)
                assert sub.__file__ is not None
                found[info.name] = Path(sub.__file__)
    return found


def _passed_through(name: str) -> bool:
    return any(name == p or name.startswith(f"{p}.") for p in PASSTHROUGH_MODULES)


def _imports(tree: ast.Module, module: str, is_package: bool) -> list[str]:
    names: list[str] = []
    package = module if is_package else module.rpartition(".")[0]
    for node in ast.walk(tree):
        if isinstance(node, ast.Import):
            names.extend(alias.name for alias in node.names)
        elif isinstance(node, ast.ImportFrom):
            if node.level:
                base = package.rsplit(".", node.level - 1)[0] if node.level > 1 else package
                target = f"{base}.{node.module}" if node.module else base
                if node.module is None:  # ``from . import x``: the submodules
                    names.extend(f"{target}.{alias.name}" for alias in node.names)
                    continue
                names.append(target)
            elif node.module == "temporalio":  # ``from temporalio import workflow``: which of its modules
                names.extend(f"temporalio.{alias.name}" for alias in node.names)
            else:
                names.append(node.module or "")
    return names


def _allowed(name: str) -> bool:
    if name.startswith("tdsl."):
        return _passed_through(name)
    top = name.split(".")[0]
    return top in SAFE_STDLIB or top in LIBRARY_MODULES or name in TEMPORAL_WORKFLOW_SIDE


@pytest.mark.parametrize("module", sorted(_safe_modules()))
def test_workflow_safe_modules_import_and_call_nothing_unsafe(module: str) -> None:
    path = _safe_modules()[module]
    tree = ast.parse(path.read_text(encoding="utf-8"))
    imported = _imports(tree, module, path.name == "__init__.py")
    assert [name for name in imported if not _allowed(name)] == []
    problems: list[str] = []
    for node in ast.walk(tree):
        if isinstance(node, ast.Call) and isinstance(node.func, ast.Name) and node.func.id in FORBIDDEN_CALLS:
            problems.append(f"line {node.lineno}: calls {node.func.id}()")
        if isinstance(node, ast.Attribute):
            if node.attr in FORBIDDEN_ATTRIBUTES:
                problems.append(f"line {node.lineno}: uses .{node.attr}")
            if node.attr == "now" and isinstance(node.value, ast.Name) and node.value.id in CLOCK_OWNERS:
                problems.append(f"line {node.lineno}: reads the clock ({node.value.id}.now)")
    assert problems == []


def test_the_packages_above_the_safe_modules_import_nothing() -> None:
    # The sandbox loads them for every run (they are not passed through): they must stay empty or lazy.
    code = (
        "import sys, tdsl.interpreter, tdsl.dsl_schema; "
        "print(sorted(m for m in sys.modules if m.startswith('tdsl')))"
    )
    out = subprocess.run([sys.executable, "-c", code], capture_output=True, text=True, check=True).stdout
    assert out.strip() == "['tdsl', 'tdsl.dsl_schema', 'tdsl.interpreter']"


REMOTE_REF = {"type": "object", "properties": {"by": {"$ref": "https://schemas.example.com/person.json"}}}


@pytest.fixture
def no_network(monkeypatch: pytest.MonkeyPatch) -> None:
    def refuse(*args: Any, **kwargs: Any) -> Any:
        raise AssertionError("a schema check tried to use the network")

    monkeypatch.setattr(socket, "create_connection", refuse)
    monkeypatch.setattr(socket.socket, "connect", refuse)


@pytest.mark.usefixtures("no_network")
def test_a_remote_ref_is_an_unresolvable_reference_never_a_download() -> None:
    errors = schema_errors(REMOTE_REF, {"by": "ann"})
    assert errors == [
        {
            "path": "$",
            "message": "unresolvable reference: Unresolvable: https://schemas.example.com/person.json",
            "validator": "$ref",
        }
    ]
    # local references and the meta-schemas still resolve
    local = {"$defs": {"n": {"type": "integer"}}, "$ref": "#/$defs/n"}
    assert schema_errors(local, "x")[0]["validator"] == "type"
    assert schema_errors({"$ref": "https://json-schema.org/draft/2020-12/schema"}, {"type": "object"}) == []


@pytest.mark.usefixtures("no_network")
def test_a_signal_with_a_remote_ref_schema_is_ignored_without_a_download() -> None:
    definition = {
        "name": "remote_ref",
        "version": 1,
        "signals": {"approve": {"schema": REMOTE_REF}},
        "steps": [{"id": "decision", "wait_for": {"signals": ["approve"], "timeout": "1h"}}],
        "output": {"approved": "{{ 'approve' in signals }}"},
    }
    # The compiler refuses such a schema (E705); a definition model built without it is still safe to run.
    model = Definition.model_validate(definition)
    result = run_offline_sync(model, activities={}, signals=[(60, "approve", {"by": "ann"})])
    assert result.output == {"approved": False}
    assert [(s["signal"], s["reason"]) for s in result.ignored_signals] == [
        ("approve", "payload failed its schema")
    ]
