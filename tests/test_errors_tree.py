"""The tree drawn in :mod:`tdsl.errors` is the real one: every error class of the package is drawn under its
real parent (and in the module it names), every other exception class is listed as control flow, and the
root module stays importable by workflow code (standard library only)."""

from __future__ import annotations

import ast
import importlib
import pkgutil
import re
import sys
import textwrap
from pathlib import Path

import tdsl
from tdsl import errors
from tdsl.errors import TdslError

_ENTRY = re.compile(r"^(?P<prefix>(?:[│ ]   )*(?:[├└]── )?)(?P<name>[A-Za-z_]\w*)(?P<rest>.*)$")
_MODULE = re.compile(r"\[(?P<module>[\w.]+)\]")


def _blocks() -> list[str]:
    """The literal blocks (after ``::``) of the module docstring, dedented."""
    doc = errors.__doc__ or ""
    blocks = []
    for part in doc.split("::\n\n")[1:]:
        lines = []
        for line in part.splitlines():
            if line and not line.startswith(" "):
                break
            lines.append(line)
        blocks.append(textwrap.dedent("\n".join(lines)).strip("\n"))
    return blocks


def drawn_tree() -> dict[str, tuple[str | None, str | None]]:
    """Each drawn class: (its parent, the module named in brackets)."""
    found: dict[str, tuple[str | None, str | None]] = {}
    path: list[str] = []
    for line in _blocks()[0].splitlines():
        match = _ENTRY.match(line)
        if match is None:
            continue
        prefix = match["prefix"]
        if prefix and not prefix.endswith("── "):
            continue  # the continuation of a description
        depth = len(prefix) // 4
        name = match["name"]
        assert name not in found, f"{name} drawn twice"
        del path[depth:]
        module = _MODULE.search(match["rest"])
        found[name] = (path[-1] if path else None, f"tdsl.{module['module']}" if module else None)
        path.append(name)
    return found


def control_flow() -> set[str]:
    return {m["name"] for line in _blocks()[1].splitlines() if (m := _ENTRY.match(line)) and not m["prefix"]}


def every_exception_class() -> list[type[BaseException]]:
    """Every exception class defined in a module of the package (every module imported)."""
    classes: dict[str, type[BaseException]] = {}
    names = ["tdsl", *(info.name for info in pkgutil.walk_packages(tdsl.__path__, prefix="tdsl."))]
    for name in names:
        if name.endswith("__main__"):
            continue
        module = importlib.import_module(name)
        for value in vars(module).values():
            if isinstance(value, type) and issubclass(value, BaseException) and value.__module__ == name:
                classes[f"{value.__module__}.{value.__qualname__}"] = value
    return list(classes.values())


def test_the_drawn_tree_is_the_real_tree() -> None:
    real: dict[str, tuple[str | None, str | None]] = {}
    for cls in every_exception_class():
        if not issubclass(cls, TdslError):
            continue
        parents = [base.__name__ for base in cls.__bases__ if issubclass(base, TdslError)]
        module = None if cls.__module__ == "tdsl.errors" else cls.__module__
        assert cls.__name__ not in real, f"two error classes named {cls.__name__}"
        real[cls.__name__] = (parents[0] if parents else None, module)
    assert drawn_tree() == real


def test_every_other_exception_class_is_listed_as_control_flow() -> None:
    others = {cls.__name__ for cls in every_exception_class() if not issubclass(cls, TdslError)}
    assert others == control_flow()


def test_groups_keep_the_builtin_bases_callers_catch() -> None:
    from tdsl.activities.modules import ActivityModuleError
    from tdsl.dsl_schema.durations import DurationError
    from tdsl.server.config_sources import ConfigError

    assert issubclass(ConfigError, ValueError) and issubclass(ConfigError, TdslError)
    assert issubclass(DurationError, ValueError)
    assert issubclass(ActivityModuleError, ImportError)


def test_the_root_module_imports_only_the_standard_library() -> None:
    tree = ast.parse(Path(errors.__file__).read_text(encoding="utf-8"))
    imported = set()
    for node in ast.walk(tree):
        if isinstance(node, ast.Import):
            imported |= {alias.name.split(".")[0] for alias in node.names}
        elif isinstance(node, ast.ImportFrom):
            assert node.level == 0, "no relative imports"
            imported.add((node.module or "").split(".")[0])
    assert imported <= set(sys.stdlib_module_names) | {"__future__"}


def test_every_record_has_the_six_keys() -> None:
    from tdsl.dsl_schema.diagnostics import DefinitionRejected, Diagnostic
    from tdsl.interpreter.errors import DefinitionFailedAtRun, StepFailed
    from tdsl.server.errors import InvalidInput, UnknownRun

    keys = ["type", "message", "step", "file", "line", "details"]
    step = StepFailed("PaymentDeclined", "card refused", step="charge", details={"code": 51})
    step.file, step.line = "order.yaml", 12
    assert step.record() == {
        "type": "PaymentDeclined",
        "message": "card refused",
        "step": "charge",
        "file": "order.yaml",
        "line": 12,
        "details": {"code": 51},
    }
    assert str(step) == "order.yaml:12: step 'charge' failed: PaymentDeclined: card refused"
    broken = DefinitionFailedAtRun("'x' is undefined", step="s", expression="{{ x }}")
    assert broken.record() == {
        "type": "DefinitionError",
        "message": "'x' is undefined",
        "step": "s",
        "file": None,
        "line": None,
        "details": "{{ x }}",
    }
    assert UnknownRun("no run with id 'a'").record() == {
        "type": "UnknownRun",
        "message": "no run with id 'a'",
        "step": None,
        "file": None,
        "line": None,
        "details": None,
    }
    problems = [{"path": "$.qty", "message": "-1 is less than 1", "validator": "minimum"}]
    assert InvalidInput("input does not match", problems).record()["details"] == {"errors": problems}
    rejected = DefinitionRejected([Diagnostic("a.yaml", 3, 5, "E001", "unknown key 'stepz'")]).record()
    assert list(rejected) == keys
    assert (rejected["type"], rejected["file"], rejected["line"]) == ("DefinitionRejected", "a.yaml", 3)
    assert rejected["details"]["diagnostics"][0]["code"] == "E001"
