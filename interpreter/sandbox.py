"""The workflow runner every worker and replayer uses.

Libraries the interpreter needs are passed through the sandbox at worker level: re-importing them per run
costs ~60 ms and megabytes per workflow, and jinja2's lazy imports otherwise end up half inside the sandbox.
Of our own code only the workflow-safe modules are passed through (:data:`WORKFLOW_SAFE_MODULES`): the core
and what it needs (expressions, durations, payload schema checks, the definition models). They do no I/O,
run no subprocess, read no clock and draw no random numbers (``tests/interpreter/test_sandbox.py`` checks
their imports and calls). Everything else of ours (the loader, the catalog, the linter, offline runs, the
server) is unreachable from workflow code: an import of it inside a workflow would run in the sandbox.
"""

from __future__ import annotations

from temporalio.worker.workflow_sandbox import SandboxedWorkflowRunner, SandboxRestrictions

__all__ = ["LIBRARY_MODULES", "PASSTHROUGH_MODULES", "WORKFLOW_SAFE_MODULES", "workflow_runner"]

LIBRARY_MODULES = (
    "jinja2",
    "markupsafe",
    "jsonschema",
    "jsonschema_specifications",
    "referencing",
    "rpds",
    "attrs",
    "attr",
    "pydantic",
    "pydantic_core",
    "annotated_types",
    "typing_extensions",
)
"""Third-party libraries the workflow-safe modules use (deterministic; passed through for speed)."""

WORKFLOW_SAFE_MODULES = (
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
)
"""Our modules workflow code may reach (a package name covers its submodules), the workflow class's own
module included (re-executing it per run would cost ~6 ms; it keeps no state at module level). The packages
above them (``tdsl``, ``tdsl.dsl_schema``, ``tdsl.interpreter``) import nothing when loaded, so the sandbox
loads them per run at no cost."""

PASSTHROUGH_MODULES = LIBRARY_MODULES + WORKFLOW_SAFE_MODULES


def workflow_runner() -> SandboxedWorkflowRunner:
    """A sandboxed runner with the interpreter's dependencies passed through."""
    return SandboxedWorkflowRunner(
        restrictions=SandboxRestrictions.default.with_passthrough_modules(*PASSTHROUGH_MODULES)
    )
