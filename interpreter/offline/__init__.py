"""Run definitions offline: mocked activities and virtual time, no Temporal server.

The interpreter core talks to its engine only through :class:`~tdsl.interpreter.runtime.Runtime`;
:class:`OfflineRuntime` implements it without Temporal, so a definition can be tested as plain Python::

    result = run_offline_sync(entry, {"order_id": "A1", ...}, activities={"charge_payment": fake_charge, ...})
    assert result.status == "completed"

* **Virtual time.** The run executes on its own event loop whose clock only moves when every task is
  blocked: it then jumps to the next deadline (a ``wait``, a ``wait_for`` timeout, a retry backoff, a
  scheduled signal). A 24-hour wait takes milliseconds and always ends at the same virtual moment.
  ``asyncio.sleep`` in an async mock is virtual too.
* **Activities** are plain callables (sync or async) looked up by name in a mapping or an
  :class:`~tdsl.activities.registry.ActivityRegistry` (``function(name)``), called with the rendered arguments
  (keyword arguments unpacked from their envelope). Arguments and results cross a JSON boundary like they do
  on a worker. An exception becomes the step's error: its type is the exception's class name, or the
  ``type`` of a ``temporalio.exceptions.ApplicationError``. Retry policies are honoured (attempts counted,
  backoff waited in virtual time, ``non_retryable_errors`` and non-retryable application errors stop at
  once); an unknown name fails with ``NotFoundError`` like a worker that lacks it. A ``maximum_attempts`` of 0
  ("forever") stops after :data:`UNLIMITED_ATTEMPTS` offline, so a mock that always fails cannot hang a
  test. An async mock is bounded by the step's ``timeout`` (``TimeoutError: timed out (START_TO_CLOSE)``);
  a sync mock finishes instantly. Heartbeat timeouts are not simulated.
* **Signals** are scheduled at virtual times (``signals=[(3600, "approve", {"by": "ann"})]``; a time may
  be a duration such as ``"1h"``) and are checked like the workflow checks them: undeclared signals and
  payloads failing their schema are ignored (see ``OfflineResult.ignored_signals``), the others buffered.
* **Children** run recursively offline (the definitions a run may start come from ``catalog``), batches of a
  long ``foreach`` too; a run that continues as new restarts its interpreter with the carried state.
* **Activity context.** Each attempt runs in an activity context as on a worker: ``activity.info()``
  (attempt, workflow id, timeouts, the last attempt's heartbeat details), ``activity.heartbeat()`` (recorded
  in ``OfflineCall.heartbeats``) and ``activity.is_cancelled()`` work in mocks and real activity functions.
* **Stalls.** A run that can never go on (a ``wait_for`` with no timeout and no signal to come) is
  cancelled, compensating like a cancelled run, and reported with ``status == "stalled"`` and the waits it
  was blocked in.
"""

from .results import OfflineCall, OfflineResult
from .runner import run_offline, run_offline_sync
from .runtime import UNLIMITED_ATTEMPTS, OfflineRuntime
from .trace import DefinitionTrace, Trace

__all__ = [
    "UNLIMITED_ATTEMPTS",
    "DefinitionTrace",
    "OfflineCall",
    "OfflineResult",
    "OfflineRuntime",
    "Trace",
    "run_offline",
    "run_offline_sync",
]
