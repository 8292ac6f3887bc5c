"""Mocks of ``http`` steps in offline runs, one per step.

Every ``http`` step calls the built-in activity ``tdsl.http``, so a mock of that name answers them all (it
receives the request mapping, whose ``step`` is the id of the step that sends it). A mock named
``tdsl.http:<step id>`` answers that step only; :func:`route_http_mocks` folds such mocks into one
``tdsl.http`` mock that hands each request to its step's mock, else to the ``tdsl.http`` one. A request
that neither answers fails like an activity no worker registers (``NotFoundError``)::

    run_offline_sync(definition, input, activities=route_http_mocks({
        "tdsl.http:order": lambda request: {"status": 200, "headers": {}, "json": {"id": "A-1"}},
        "tdsl.http": lambda request: {"status": 204, "headers": {}, "text": ""},
    }))
"""

from __future__ import annotations

from collections.abc import Callable, Mapping
from typing import Any

from temporalio.exceptions import ApplicationError

from tdsl.dsl_schema.kinds.http import ACTIVITY_NAME

STEP_SEPARATOR = ":"
"""Between the built-in activity's name and the step id in the name of a step's mock."""


def step_mock_name(step_id: str) -> str:
    """The name of the mock of the ``http`` step ``step_id``: ``tdsl.http:<step id>``."""
    return f"{ACTIVITY_NAME}{STEP_SEPARATOR}{step_id}"


def route_http_mocks(mocks: Mapping[str, Callable[..., Any]]) -> dict[str, Callable[..., Any]]:
    """``mocks`` with the mocks of single ``http`` steps folded into the ``tdsl.http`` mock (unchanged when
    there are none)."""
    prefix = step_mock_name("")
    per_step = {name.removeprefix(prefix): mock for name, mock in mocks.items() if name.startswith(prefix)}
    if not per_step:
        return dict(mocks)
    fallback = mocks.get(ACTIVITY_NAME)

    def http(request: Any, *args: Any, **kwargs: Any) -> Any:
        step = request.get("step") if isinstance(request, dict) else None
        mock = per_step.get(step, fallback) if isinstance(step, str) else fallback
        if mock is None:
            raise ApplicationError(
                f"no mock answers the http step {step!r}: mock {step_mock_name(str(step))!r} or "
                f"{ACTIVITY_NAME!r}",
                type="NotFoundError",
            )
        return mock(request, *args, **kwargs)

    routed = {name: mock for name, mock in mocks.items() if not name.startswith(prefix)}
    routed[ACTIVITY_NAME] = http
    return routed
