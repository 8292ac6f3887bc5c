"""Helpers for integration tests: a worker on a unique task queue plus a RunService over a catalog."""

from __future__ import annotations

import asyncio
import contextlib
import time
import uuid
from collections.abc import AsyncIterator, Awaitable, Callable, Sequence
from functools import cache
from pathlib import Path
from typing import Any, TypeVar

from temporalio.client import Client, WorkflowHandle
from temporalio.worker import Worker

from tdsl.activities import EXAMPLES, ActivityRegistry, load_modules
from tdsl.dsl_schema.catalog import Catalog, CatalogEntry, load_definition_text
from tdsl.dsl_schema.compile import compile_text
from tdsl.dsl_schema.models import Definition
from tdsl.server.runs import RunService
from tdsl.server.worker import build_worker

T = TypeVar("T")
ROOT = Path(__file__).resolve().parent.parent
DEFINITIONS = ROOT / "definitions"


@cache
def example_registry() -> ActivityRegistry:
    """The example activities, as the default configuration loads them (``tdsl.activities.examples``)."""
    return load_modules([EXAMPLES])


def project_catalog() -> Catalog:
    """The catalog of ``definitions/``, compiled as the engine compiles it with the example activities
    (every file must be valid)."""
    catalog = Catalog.load(DEFINITIONS, example_registry())
    assert not catalog.invalid, {f: e.render() for f, e in catalog.invalid.items()}
    return catalog


class Harness:
    """A running worker and the client-side :class:`RunService`, for one test."""

    def __init__(
        self, client: Client, task_queue: str, catalog: Catalog, registry: ActivityRegistry, worker: Worker
    ) -> None:
        self.client = client
        self.task_queue = task_queue
        self.catalog = catalog
        self.registry = registry
        self.worker = worker
        self.runs = RunService(client, catalog, registry, task_queue)

    def add(self, yaml_text: str, *, expect_errors: Sequence[str] = ()) -> str:
        """Add a definition given as YAML text, compiled as the catalog compiles (with the harness's
        activities); returns its name.

        A test of what happens at run time when a definition the compiler refuses is started anyway names
        the error codes it expects (``expect_errors=["E303"]``): they must be exactly what the compiler
        reports, and the definition (valid for the schema and the models) is added all the same."""
        if not expect_errors:
            entry = load_definition_text(yaml_text, "<test>", self.registry)
        else:
            compiled = compile_text(yaml_text, "<test>", self.registry)
            assert [d.code for d in compiled.errors] == list(expect_errors), compiled.invalid().render()
            doc = compiled.doc
            entry = CatalogEntry(Definition.model_validate(doc.data), doc.data, doc.sha256, doc.file)
        self.catalog.add(entry)
        return entry.name

    def unique_id(self, prefix: str = "run") -> str:
        return f"{prefix}-{uuid.uuid4().hex[:10]}"

    async def start(self, name: str, input: Any = None, **options: Any) -> WorkflowHandle[Any, Any]:
        options.setdefault("workflow_id", self.unique_id(name))
        started = await self.runs.start(name, input, **options)
        return self.client.get_workflow_handle(started.workflow_id)

    async def execute(self, name: str, input: Any = None, **options: Any) -> Any:
        handle = await self.start(name, input, **options)
        return await handle.result()


@contextlib.asynccontextmanager
async def harness(
    client: Client,
    task_queue: str,
    *,
    catalog: Catalog | None = None,
    registry: ActivityRegistry | None = None,
    workflows: Sequence[type] = (),
) -> AsyncIterator[Harness]:
    """Run a worker (DSL workflow + example activities) for the duration of the block."""
    registry = registry or example_registry()
    catalog = catalog or project_catalog()
    worker = build_worker(client, task_queue, registry, workflows=workflows)
    async with worker:
        yield Harness(client, task_queue, catalog, registry, worker)


def time_skipping_runs(h: Harness) -> RunService:
    """A :class:`RunService` over the harness's catalog and task queue whose runs skip time: whenever a run
    waits only on timers, the server moves its clock to the next one, so a three-day wait ends in about a
    second. Temporal's per-workflow time skipping is experimental (the session server enables it); this is
    the one place tests use it."""
    from temporalio.testing import TimeSkipper

    return RunService(TimeSkipper(h.client).client, h.catalog, h.registry, h.task_queue)


async def eventually(
    check: Callable[[], Awaitable[T | None]], *, timeout: float = 10.0, what: str = "condition"
) -> T:
    """Poll ``check`` until it returns something truthy (a run's inner state offers no event to await)."""
    deadline = time.monotonic() + timeout
    while True:
        value = await check()
        if value:
            return value
        if time.monotonic() > deadline:
            raise AssertionError(f"timed out after {timeout}s waiting for {what}")
        await asyncio.sleep(0.05)


def error_body(type: str, message: str, *, details: Any = None) -> dict[str, Any]:
    """The HTTP error answer ``{"error": record}`` of an error that happened outside any run step."""
    return {
        "error": {
            "type": type,
            "message": message,
            "step": None,
            "file": None,
            "line": None,
            "details": details,
        }
    }
