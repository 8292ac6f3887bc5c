"""Code-defined workflows (``@engine.workers.register_workflow``) beside the YAML definitions.

A :class:`CodeWorkflow` knows what the client side needs before talking to Temporal: the workflow's name, its
declared signals/queries/updates (so an undeclared name is refused with a clear error instead of being dropped
by the worker) and how a run input maps onto the ``run`` method's parameters, checked against their type hints
(an input the worker cannot decode would otherwise fail the first workflow task again and again).
"""

from __future__ import annotations

import inspect
from collections.abc import Mapping
from dataclasses import dataclass
from typing import Any, TypeVar

from temporalio.converter import value_to_type

from tdsl.errors import SetupError

from .errors import InvalidInput

__all__ = ["CodeWorkflow", "RegistrationClosed", "WorkerRegistry"]


class RegistrationClosed(SetupError, RuntimeError):
    """A workflow was registered after the engine started: its worker is built and would not run it."""

W = TypeVar("W", bound=type)


def _workflow_definition(workflow_cls: type) -> Any:
    """What ``@workflow.defn`` recorded on the class itself (not inherited), or ``None``.

    The SDK has no public reader of a workflow class's name, run method and handlers; this reads the record
    the decorator attaches to the class, with the same check the SDK's worker makes. It is the only place
    here that knows that record.
    """
    defn = getattr(workflow_cls, "__temporal_workflow_definition", None)
    return defn if defn is not None and getattr(defn, "cls", None) is workflow_cls else None


def _handler_names(handlers: Mapping[str | None, Any]) -> tuple[frozenset[str], bool]:
    """Declared names, and whether a dynamic handler accepts any other name."""
    return frozenset(n for n in handlers if n is not None), None in handlers


@dataclass(frozen=True)
class CodeWorkflow:
    """A registered ``@workflow.defn`` class and what callers may do with its runs."""

    name: str
    cls: type
    signals: frozenset[str]
    queries: frozenset[str]
    updates: frozenset[str]
    any_signal: bool
    any_query: bool
    any_update: bool
    parameters: tuple[inspect.Parameter, ...]
    arg_types: tuple[Any, ...]

    @classmethod
    def from_class(cls, workflow_cls: type) -> CodeWorkflow:
        """Describe a ``@workflow.defn`` class; ``TypeError`` when it is not one (or is dynamic)."""
        defn = _workflow_definition(workflow_cls)
        if defn is None:
            raise TypeError(
                f"{workflow_cls.__name__} is not a @workflow.defn class; decorate it with "
                "@workflow.defn below @engine.workers.register_workflow"
            )
        if defn.name is None:
            raise TypeError(
                f"{workflow_cls.__name__} is a dynamic workflow; only named workflows can be "
                "registered beside the DSL workflow"
            )
        params = tuple(inspect.signature(defn.run_fn).parameters.values())[1:]  # without self
        signals, any_signal = _handler_names(defn.signals)
        queries, any_query = _handler_names(defn.queries)
        updates, any_update = _handler_names(defn.updates)
        return cls(
            name=defn.name,
            cls=workflow_cls,
            signals=signals,
            queries=queries,
            updates=updates,
            any_signal=any_signal,
            any_query=any_query,
            any_update=any_update,
            parameters=params,
            arg_types=tuple(defn.arg_types or ()),
        )

    @property
    def description(self) -> str | None:
        doc = inspect.getdoc(self.cls)
        return doc.strip().splitlines()[0] if doc else None

    def declares(self, kind: str, name: str) -> bool:
        """Whether a signal/query/update ``name`` has a handler (named or dynamic)."""
        names, dynamic = {
            "signal": (self.signals, self.any_signal),
            "query": (self.queries, self.any_query),
            "update": (self.updates, self.any_update),
        }[kind]
        return dynamic or name in names

    def names(self, kind: str) -> list[str]:
        return sorted({"signal": self.signals, "query": self.queries, "update": self.updates}[kind])

    # ------------------------------------------------------------------ input -> arguments
    def arguments(self, value: Any) -> list[Any]:
        """The positional arguments of a run started with input ``value``.

        One parameter: ``value`` is that argument (``None`` means none when the parameter has a default).
        Several parameters: a list gives them in order, a mapping whose keys are parameter names gives them
        by name; any other value is the first argument. Each argument is checked against its type hint.
        """
        params = [p for p in self.parameters if p.kind in (p.POSITIONAL_ONLY, p.POSITIONAL_OR_KEYWORD)]
        variadic = any(p.kind is p.VAR_POSITIONAL for p in self.parameters)
        required = [p for p in params if p.default is p.empty]
        if not params and not variadic:
            if value is None:
                return []
            raise self._invalid("takes no input", "$", "an input was given")
        if value is None:
            args: list[Any] = []
        elif len(params) > 1 or variadic:
            if isinstance(value, list):
                args = list(value)
            elif isinstance(value, dict) and value and set(value) <= {p.name for p in params}:
                args = self._by_name(params, value)
            else:
                args = [value]
        else:
            args = [value]
        if len(args) < len(required):
            missing = ", ".join(p.name for p in required[len(args) :])
            raise self._invalid(f"needs an input for {missing}", "$", f"missing argument(s): {missing}")
        if len(args) > len(params) and not variadic:
            raise self._invalid(
                f"takes at most {len(params)} argument(s)",
                "$",
                f"{len(args)} arguments given, at most {len(params)} accepted",
            )
        errors = []
        for index, arg in enumerate(args):
            hint = self.arg_types[index] if index < len(self.arg_types) else None
            if hint is None or hint is Any or hint is inspect.Parameter.empty:
                continue
            try:
                value_to_type(hint, arg)
            except (TypeError, ValueError) as err:
                name = params[index].name if index < len(params) else f"#{index}"
                path = "$" if len(args) == 1 else f"$[{index}]"
                errors.append({"path": path, "message": f"{name}: {err}", "validator": "type"})
        if errors:
            raise InvalidInput(f"input of {self.name!r} does not match its run() parameters", errors)
        return args

    def _by_name(self, params: list[inspect.Parameter], value: dict[str, Any]) -> list[Any]:
        args: list[Any] = []
        for param in params:
            if param.name in value:
                args.append(value[param.name])
            elif param.default is not param.empty:
                # Positional arguments cannot skip a parameter: pass its default explicitly.
                if any(p.name in value for p in params[params.index(param) + 1 :]):
                    args.append(param.default)
                else:
                    break
            else:
                break
        return args

    def _invalid(self, summary: str, path: str, message: str) -> InvalidInput:
        return InvalidInput(
            f"{self.name!r} {summary}", [{"path": path, "message": message, "validator": "run"}]
        )


class WorkerRegistry:
    """Code-defined workflows (``@engine.workers.register_workflow``); they run in the engine's worker beside
    the generic DSL workflow."""

    def __init__(self) -> None:
        self._workflows: dict[str, CodeWorkflow] = {}
        self._closed = False

    def close(self) -> None:
        """Refuse registrations from now on (the engine started: its worker has its workflows)."""
        self._closed = True

    def reopen(self) -> None:
        """Accept registrations again (the engine stopped; the next start builds a new worker)."""
        self._closed = False

    def register_workflow(self, cls: W) -> W:
        """Register a ``@workflow.defn`` class; returns it unchanged (usable as a decorator).
        :class:`RegistrationClosed` once the engine has started."""
        if self._closed:
            raise RegistrationClosed(
                f"cannot register workflow {getattr(cls, '__name__', cls)!s} after the engine started: "
                "register workflows before `await engine.start()` (or stop the engine first)"
            )
        code = CodeWorkflow.from_class(cls)
        existing = self._workflows.get(code.name)
        if existing is not None and existing.cls is not cls:
            raise ValueError(
                f"a workflow named {code.name!r} is already registered "
                f"({existing.cls.__module__}.{existing.cls.__qualname__})"
            )
        self._workflows[code.name] = code
        return cls

    def workflows(self) -> dict[str, type]:
        """Registered classes by workflow name."""
        return {name: code.cls for name, code in self._workflows.items()}

    def described(self) -> dict[str, CodeWorkflow]:
        return dict(self._workflows)

    def modules(self) -> list[str]:
        """Modules defining registered workflows (passed through the workflow sandbox)."""
        return sorted({code.cls.__module__ for code in self._workflows.values()})

    def __contains__(self, name: object) -> bool:
        return name in self._workflows

    def __len__(self) -> int:
        return len(self._workflows)
