"""The worker of ``order_bench.py``, alone in its own process so that its CPU time is the worker's only.

    python bench/order_worker.py ADDRESS TASK_QUEUE

The engine's worker (:func:`tdsl.server.worker.build_worker`: default settings, the example activities, the
sandboxed runner with the interpreter's pass-through modules) serving both variants: the generic DSL
workflow and :class:`handwritten_order.HandwrittenOrder` (whose module is passed through the sandbox like
the interpreter's). It prints ``ready`` once it polls, then answers each ``cpu`` line on standard input with
this process's CPU seconds (user + system, every thread: the workflow threads, the activity threads and the
SDK's native core) from ``getrusage``, each ``workflow`` line with the CPU seconds the workflow threads spent
creating and activating workflow instances (``thread_time`` around the sandbox runner's ``create_instance``
and ``activate``: the workflow code, the interpreter's included, and the sandbox around it), and stops at
the end of its input. The control thread blocks on its pipe between questions, so it costs nothing that the
figures would see.
"""

from __future__ import annotations

import asyncio
import functools
import logging
import os
import resource
import sys
import threading
import time
from collections.abc import Callable
from pathlib import Path
from typing import Any

ROOT = Path(__file__).resolve().parent.parent
sys.path[:0] = [str(ROOT), str(ROOT / "bench")]

from handwritten_order import HandwrittenOrder  # noqa: E402
from temporalio.client import Client  # noqa: E402
from temporalio.worker.workflow_sandbox import SandboxedWorkflowRunner, SandboxRestrictions  # noqa: E402
from temporalio.worker.workflow_sandbox import _runner as runner  # noqa: E402

from tdsl import activities  # noqa: E402
from tdsl.interpreter import PASSTHROUGH_MODULES  # noqa: E402
from tdsl.server.worker import build_worker  # noqa: E402


class WorkflowClock:
    """CPU seconds of the threads that create and activate workflow instances, summed."""

    def __init__(self) -> None:
        self.seconds = 0.0
        self.lock = threading.Lock()

    def timed(self, func: Callable[..., Any]) -> Callable[..., Any]:
        @functools.wraps(func)
        def wrapper(*args: Any, **kwargs: Any) -> Any:
            began = time.thread_time()
            try:
                return func(*args, **kwargs)
            finally:
                spent = time.thread_time() - began
                with self.lock:
                    self.seconds += spent

        return wrapper

    def install(self) -> None:
        runner.SandboxedWorkflowRunner.create_instance = self.timed(  # type: ignore[method-assign]
            runner.SandboxedWorkflowRunner.create_instance
        )
        runner._Instance.activate = self.timed(runner._Instance.activate)  # type: ignore[method-assign]


CLOCK = WorkflowClock()


def cpu_seconds() -> float:
    """User + system CPU seconds of this whole process (all threads), microsecond resolution."""
    usage = resource.getrusage(resource.RUSAGE_SELF)
    return usage.ru_utime + usage.ru_stime


def answer(stopped: asyncio.Event, loop: asyncio.AbstractEventLoop) -> None:
    """Answer ``cpu`` questions on stdin until it closes, then stop the worker."""
    for line in sys.stdin:
        if line.strip() == "cpu":
            sys.stdout.write(f"{cpu_seconds():.6f}\n")
        elif line.strip() == "workflow":
            sys.stdout.write(f"{CLOCK.seconds:.6f}\n")
        sys.stdout.flush()
    loop.call_soon_threadsafe(stopped.set)


async def serve(address: str, task_queue: str) -> None:
    client = await Client.connect(address)
    registry = activities.load_modules([activities.EXAMPLES])
    sandboxed = SandboxedWorkflowRunner(
        restrictions=SandboxRestrictions.default.with_passthrough_modules(
            *PASSTHROUGH_MODULES, "handwritten_order"
        )
    )
    worker = build_worker(
        client, task_queue, registry, workflows=[HandwrittenOrder], workflow_runner=sandboxed
    )
    stopped = asyncio.Event()
    async with worker:
        print("ready", flush=True)
        threading.Thread(target=answer, args=(stopped, asyncio.get_running_loop()), daemon=True).start()
        await stopped.wait()


def main() -> None:
    logging.basicConfig(level=logging.WARNING)
    CLOCK.install()
    asyncio.run(serve(sys.argv[1], sys.argv[2]))


if __name__ == "__main__":
    try:
        main()
    finally:
        # Leave at once: a normal exit after using a Temporal client can abort in native code.
        sys.stdout.flush()
        os._exit(0)
