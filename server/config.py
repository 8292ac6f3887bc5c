"""Settings: one object for the CLI, the worker, the HTTP service and ``TemporalEngine``.

Sources, lowest to highest precedence: defaults, ``config.yaml`` (the seed's keys under ``temporal:``),
environment variables, explicit overrides (command-line flags, constructor arguments).

Environment variables: ``TDSL_CONFIG`` (the file), ``TEMPORAL_ADDRESS``, ``TEMPORAL_NAMESPACE``,
``TEMPORAL_TASK_QUEUE``, ``TEMPORAL_API_KEY``, ``TEMPORAL_TLS`` (``true``), ``TEMPORAL_TLS_CA``,
``TEMPORAL_TLS_CERT``, ``TEMPORAL_TLS_KEY``, ``TEMPORAL_TLS_SERVER_NAME``, ``TDSL_DEFINITIONS``,
``TDSL_ACTIVITY_MODULES`` (comma-separated), ``TDSL_API_TOKENS`` or ``TDSL_HTTP_TOKENS`` (comma-separated),
and any key as ``TDSL_<SECTION>__<KEY>[__<KEY>]`` (for example ``TDSL_HTTP__PORT=8080``,
``TDSL_TEMPORAL__WORKER__MAX_CONCURRENT_ACTIVITIES=50``; ``worker`` and ``tls`` may omit the ``TEMPORAL__``).
List values are comma-separated. ``config.example.yaml`` shows every key.
"""

from __future__ import annotations

from collections.abc import Mapping
from pathlib import Path
from typing import Any

from pydantic import BaseModel, ConfigDict, Field, ValidationError

from tdsl.dsl_schema.suggest import closest_name

from .config_sources import DEFAULT_ADDRESS, ConfigError, settings_tree

__all__ = [
    "DEFAULT_ADDRESS",
    "ConfigError",
    "DevSettings",
    "HTTPSettings",
    "SchedulesSettings",
    "Settings",
    "TLSSettings",
    "TemporalSettings",
    "WorkerSettings",
    "load_settings",
]


class _Section(BaseModel):
    model_config = ConfigDict(extra="forbid")


class TLSSettings(_Section):
    """TLS/mTLS towards the Temporal frontend (Temporal Cloud or a secured cluster)."""

    enabled: bool = False
    server_root_ca_cert: str | None = None  # file path
    client_cert: str | None = None  # file path (mTLS)
    client_key: str | None = None  # file path (mTLS)
    server_name: str | None = None


class WorkerSettings(_Section):
    """The worker the engine runs in-process (the seed's ``temporal.worker`` keys plus a few more)."""

    enabled: bool = True
    # Activity starts per second across the whole task queue (every worker of it): Temporal's per-queue
    # limit, enforced by the server.
    activities_per_second: float | None = Field(default=None, gt=0)
    # Activity starts per second of this worker alone.
    worker_activities_per_second: float | None = Field(default=None, gt=0)
    max_concurrent_activities: int = Field(default=100, ge=1)
    # Workflow tasks run at once (at least 2: one slot starves on the sticky queue; see server/worker.py).
    max_concurrent_workflows: int = Field(default=100, ge=1)
    max_cached_workflows: int = Field(default=1000, ge=0)
    graceful_shutdown_seconds: float = Field(default=5.0, ge=0)


class TemporalSettings(_Section):
    """The seed's ``temporal:`` section, plus API key and TLS/mTLS for real clusters and Temporal Cloud."""

    enabled: bool = True
    url: str = DEFAULT_ADDRESS
    namespace: str = "default"
    task_queue: str = "default"
    api_key: str | None = None
    # Keep trying to connect this long at start (a server starting alongside the application).
    connect_timeout_seconds: float = Field(default=0.0, ge=0)
    tls: TLSSettings = Field(default_factory=TLSSettings)
    worker: WorkerSettings = Field(default_factory=WorkerSettings)


class HTTPSettings(_Section):
    """The HTTP service (``tdsl serve``, ``tdsl dev``)."""

    host: str = "127.0.0.1"
    port: int = Field(default=8000, ge=0, le=65535)
    # Bearer tokens; when any is set every endpoint but /health requires ``Authorization: Bearer <token>``.
    tokens: list[str] = Field(default_factory=list)
    # Larger request bodies are refused with 413 before they are read.
    max_body_bytes: int = Field(default=1_000_000, ge=1)
    # Upper bound of the ``wait``/``timeout`` a request may ask for (seconds).
    max_wait_seconds: float = Field(default=300.0, gt=0)
    # Base URL of Temporal's Web UI, for the inspector's links to runs (default: the dev server's,
    # http://localhost:<dev.ui_port>).
    temporal_ui_url: str | None = None
    # Host names requests may address (the ``Host`` header; DNS rebinding). Empty: the loopback names
    # (localhost, 127.0.0.1, ::1) plus ``host``. ``*`` allows any (only behind a proxy that checks it).
    allowed_hosts: list[str] = Field(default_factory=list)
    # Origins (``https://app.example.com``) whose pages may send state-changing requests besides the
    # service's own origin. ``*`` allows any (not recommended). See docs/SECURITY.md.
    allowed_origins: list[str] = Field(default_factory=list)


class DevSettings(_Section):
    """``tdsl dev``: the embedded dev server (the HTTP API listens on ``http.host``/``http.port``)."""

    state_dir: str = ".state"
    port: int = 7233
    ui_port: int = 8233
    http: bool = True


class SchedulesSettings(_Section):
    """Declared schedules (``docs/SCHEDULES.md``)."""

    # Reconcile the definitions' schedules with Temporal when the engine (a worker, the HTTP service) starts.
    apply_on_start: bool = False
    # ... and then also delete the schedules whose definition or entry is gone.
    prune_on_start: bool = False


class Settings(_Section):
    """All settings. Build with :func:`load_settings`."""

    temporal: TemporalSettings = Field(default_factory=TemporalSettings)
    definitions: str = "definitions"
    activity_modules: list[str] = Field(default_factory=lambda: ["tdsl.activities.examples"])
    http: HTTPSettings = Field(default_factory=HTTPSettings)
    dev: DevSettings = Field(default_factory=DevSettings)
    schedules: SchedulesSettings = Field(default_factory=SchedulesSettings)


def load_settings(
    config_file: str | Path | None = None,
    overrides: Mapping[str, Any] | None = None,
    environ: Mapping[str, str] | None = None,
) -> Settings:
    """Build :class:`Settings` from ``config_file`` (default ``$TDSL_CONFIG`` or ``./config.yaml`` when it
    exists), the environment and ``overrides`` (a nested mapping; ``None`` values are ignored)."""
    tree = settings_tree(config_file, overrides, environ)
    try:
        return Settings.model_validate(tree)
    except ValidationError as err:
        problems = "; ".join(_problem(e["loc"], e["type"], e["msg"]) for e in err.errors())
        raise ConfigError(f"invalid configuration: {problems}") from None


def _problem(loc: tuple[int | str, ...], kind: str, message: str) -> str:
    """One validation problem; an unknown key says which known key it is closest to."""
    where = ".".join(map(str, loc))
    if kind != "extra_forbidden":
        return f"{where}: {message}"
    model: Any = Settings
    for part in loc[:-1]:
        field = model.model_fields.get(part) if isinstance(part, str) else None
        annotation = field.annotation if field is not None else None
        if not (isinstance(annotation, type) and issubclass(annotation, BaseModel)):
            return f"{where}: unknown key"
        model = annotation
    known = list(model.model_fields)
    close = closest_name(str(loc[-1]), known)
    hint = f" (did you mean {close!r}?)" if close else f" (known: {', '.join(known)})"
    return f"{where}: unknown key{hint}"
