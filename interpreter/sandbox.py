"""The workflow runner every worker and replayer uses.

Libraries the interpreter needs are passed through the sandbox at worker level: re-importing them per run
costs ~60 ms and megabytes per workflow, and jinja2's lazy imports otherwise end up half inside the sandbox.
Our own modules are deterministic (no I/O, no clocks, no randomness) and are passed through too.
"""

from __future__ import annotations

from temporalio.worker.workflow_sandbox import SandboxedWorkflowRunner, SandboxRestrictions

PASSTHROUGH_MODULES = (
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
    "tdsl.dsl_schema",
    "tdsl.interpreter",
)


def workflow_runner() -> SandboxedWorkflowRunner:
    """A sandboxed runner with the interpreter's dependencies passed through."""
    return SandboxedWorkflowRunner(
        restrictions=SandboxRestrictions.default.with_passthrough_modules(*PASSTHROUGH_MODULES)
    )
